package s360

import (
	"regexp"
	"strings"
)

// S-360 refuses controls of tickets blacklisted after export with a detail
// like "Failed to import controlledTickets:7415628301550254" [Q&A]. With
// several barcodes the separator is not published [assumed], so commas,
// semicolons and spaces are all accepted, in any casing, possibly repeated.
var (
	rejectedHead = regexp.MustCompile(`(?i)failed\s*to\s*import\s*controlled[\s_-]*tickets?\s*[:=]?\s*[\[(]?\s*`)
	// A barcode token holds at least one digit, so that words following the
	// list ("…:123. Ticket is blacklisted") are not taken for barcodes.
	barcodeToken = regexp.MustCompile(`^[A-Za-z_-]*[0-9][A-Za-z0-9_-]*`)
)

// ParseRejected extracts the barcodes named in an importControlledTicket
// failure detail, in order and without duplicates. ok is false when the
// detail is not such a refusal or names no barcode.
func ParseRejected(detail string) (barcodes []string, ok bool) {
	seen := map[string]bool{}
	for _, loc := range rejectedHead.FindAllStringIndex(detail, -1) {
		rest := detail[loc[1]:]
		for {
			tok := barcodeToken.FindString(rest)
			if tok == "" {
				break
			}
			if !seen[tok] {
				seen[tok] = true
				barcodes = append(barcodes, tok)
			}
			rest = rest[len(tok):]
			// A separator: a comma or semicolon with optional spaces, or
			// spaces alone when another barcode follows.
			trimmed := strings.TrimLeft(rest, " \t\r\n")
			if trimmed != "" && (trimmed[0] == ',' || trimmed[0] == ';') {
				rest = strings.TrimLeft(trimmed[1:], " \t\r\n")
				continue
			}
			if len(trimmed) < len(rest) && barcodeToken.MatchString(trimmed) {
				rest = trimmed
				continue
			}
			break
		}
	}
	return barcodes, len(barcodes) > 0
}
