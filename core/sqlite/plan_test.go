package sqlite

import (
	"strings"
	"testing"
)

// TestQueryPlans guards the indexes the hot and frequent queries rely on: a
// query that silently turns into a full scan is fast in tests and slow on a
// million tickets.
func TestQueryPlans(t *testing.T) {
	db, _ := openTest(t)
	for q, want := range map[string]string{
		ticketByBarcodeSQL:    "tickets_barcode",
		ticketsByContainerSQL: "tickets_container",
		historySQL:            "controls_barcode_at",
		`SELECT count(*) FROM tickets WHERE state <> 'VALID' OR rejected_by_s360 IS NOT NULL`:                      "tickets_not_valid",
		`SELECT 1 FROM tickets WHERE tax_number = ? ORDER BY rowid LIMIT 5`:                                        "tickets_tax_number",
		`SELECT 1 FROM tickets WHERE (first_key >= ? AND first_key < ? OR last_key >= ? AND last_key < ?) LIMIT 5`: "tickets_last_key",
		`SELECT 1 FROM controls WHERE upload_state = 'pending' ORDER BY at, rowid LIMIT 5`:                         "controls_pending",
		`SELECT count(*) FROM controls WHERE upload_state = 'rejected'`:                                            "controls_rejected",
		`SELECT 1 FROM controls WHERE at >= ? ORDER BY at DESC, rowid DESC LIMIT 5`:                                "controls_at",
		`SELECT id FROM controls WHERE override_of = ? LIMIT 1`:                                                    "controls_override_of",
	} {
		rows, err := db.r.Query("EXPLAIN QUERY PLAN "+q, "a", "b", "c", "d")
		if err != nil {
			t.Fatal(q, err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			rows.Scan(&id, &parent, &unused, &detail)
			plan = append(plan, detail)
		}
		rows.Close()
		if p := strings.Join(plan, "; "); !strings.Contains(p, want) || strings.Contains(p, "SCAN tickets") && !strings.Contains(p, "INDEX") {
			t.Errorf("%s\n  plan: %s\n  want index %s", q, p, want)
		}
	}
}
