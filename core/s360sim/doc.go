// Package s360sim is an in-process (and standalone) stand-in for the S-360
// (SecuTix 360) ExternalAccessControlService v1_6 REST API.
//
// It serves the HTTP surface described in /work/shared/reference/s360-api.md
// so that the real client can be tested over loopback, benchmarked against a
// million tickets in the same process, and demonstrated without a sandbox
// account.
//
// # Design
//
// The initial ticket population is a pure function of (seed, index),
// generated on demand while a page is encoded: a 1,000,000-ticket stadium
// costs a few kilobytes. What happens afterwards (Sell, Cancel, Blacklist,
// Reprint) is appended to a change log, so memory grows with mutations only.
// The export order is the initial sequence followed by the change log;
// cursors are encrypted positions in that order (cursor.go, seq.go).
//
// # Wire choices where the reference says [assumed]
//
// Each is made in one place so it is easy to change:
//
//   - Item shape and holder placement: encode.go (appendItem). Holder fields
//     flat ("FIRSTNAME"...) or as "additionalInfos":[{"key","value"}]
//     (Config.HolderStyle); unset fields are null.
//   - Business status codes (<= 8 chars, doc): "success", "ERROR" (import
//     refused), "INVALID" (bad or missing field, bad cursor), "NOTFOUND"
//     (getControlledTicket). Business errors are HTTP 200. handler.go.
//   - Transport refusals: 401 {"statusCode":"AUTH_ERR",...} (auth.go),
//     509 + Retry-After {"statusCode":"LIMIT",...} (ratelimit.go), 404
//     unknown method, 405 not POST, 415 not application/json, 400 body not a
//     JSON object.
//   - GREY = full history; WHITE/BLACK = compacted (each barcode once, at
//     its latest entry). export.go.
//   - getAccessControlCatalog / getControlledTicket shapes: methods.go.
//   - Field names are case-sensitive (a Java server's are), unknown fields
//     are ignored, numeric strings are accepted for integers.
//
// # Admin
//
// Besides the Go methods (Sell, Cancel, Blacklist, Reprint, SetFaults,
// SetPassword, Controls, Samples, Stats...), the same operations are served
// as JSON under /sim/ (admin.go). The admin surface has no authentication
// and is never faulted.
package s360sim
