// Package s360 is the REST client of S-360's ExternalAccessControlService
// (v1_6). It implements core.Remote.
//
// What it takes care of, so that the sync engine does not have to:
//
//   - a fresh HS256 token on every request (token.go, the [assumed] claims);
//   - S-360's limit of 60 requests a minute for the whole service, every
//     method together (limiter.go): the client never sends more than
//     Config.Budget in any minute, counting every attempt, and can be
//     seeded from the store after a restart (or for another process);
//   - HTTP 509/429 ("slow down"): bounded retries with back-off;
//   - every failure turned into a *core.Error whose Message a gate
//     supervisor can read, with the technical cause wrapped inside;
//   - tolerant decoding of the [assumed] ticket item shape (items.go), fast
//     enough to stream a million-ticket export (export.go).
//
// Secrets: the password and the tokens never appear in a log line or in an
// error, and neither do holder fields.
//
// Where the [assumed] facts of the reference live, each in one place:
// token.go (claims, iat unit), aliases.go (item key names), dates.go (date
// shapes), answer.go and methods.go (answers other than exportList),
// rejected.go (the refusal detail), errors.go (which status words mean
// authentication, a transient failure, "slow down").
//
// Speed: an export page is read with encoding/json's token API down to the
// item list, which an itemSplitter (splitter.go) cuts into items for
// DecodeItem; see BenchmarkDecodeItem, BenchmarkDecodeExport,
// BenchmarkExportPage and BenchmarkSimExport.
package s360
