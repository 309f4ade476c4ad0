package sqlite

import (
	"testing"
)

// The database itself refuses a ticket without a barcode (the CHECK
// constraint), beneath the Go check the store contract covers.
func TestEmptyBarcodeRefusedByTheSchema(t *testing.T) {
	db, _ := openTest(t)
	if _, err := db.w.Exec(`INSERT INTO tickets (barcode, state, updated_at) VALUES ('', 'VALID', 0)`); err == nil {
		t.Fatal("empty barcode accepted")
	}
}
