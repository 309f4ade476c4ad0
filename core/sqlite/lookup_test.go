package sqlite

import (
	"testing"
	"time"

	"s360gate/core"
)

func barcodes(rs []core.TicketRecord) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Ticket.Barcode)
	}
	return out
}

func TestLookup(t *testing.T) {
	db, _ := openTest(t)
	holder := func(first, last string) func(*core.Ticket) {
		return func(t *core.Ticket) {
			t.Holder = core.Holder{FirstName: first, LastName: last, BirthDate: "1990-01-01"}
		}
	}
	apply(t, db,
		tk("1001", holder("Ada", "Lovelace"), func(t *core.Ticket) { t.TaxNumber = "T26-0000042" }),
		tk("1002", holder("Zoë", "Müller")),
		tk("1003", holder("Adam", "Mueller"), func(t *core.Ticket) { t.ContainerID = "RFID-77" }),
		tk("1004", holder("Grace", "Hopper"), func(t *core.Ticket) { t.ContainerID = "RFID-77" }),
		tk("1005"),
	)
	cp := checkpoint("A")
	c1 := scan(t, db, "1001", cp, day).Control
	c2 := scan(t, db, "1001", cp, day.Add(time.Minute)).Control

	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"t26-0000042", []string{"1001"}}, // taxNumber, any case
		{" T26-0000042 ", []string{"1001"}},
		{"1002", []string{"1002"}},            // barcode
		{"RFID-77", []string{"1003", "1004"}}, // container, in arrival order
		{"lovelace", []string{"1001"}},        // last name
		{"ADA", []string{"1001", "1003"}},     // first-name prefix: Ada, Adam
		{"ada love", []string{"1001"}},        // every word must match
		{"mull", []string{"1002"}},            // accents ignored
		{"zoe", []string{"1002"}},
		{"mue ada", []string{"1003"}},
		{"hopper grace", []string{"1004"}}, // any order
		{"lovelace x", nil},
		{"", nil},
		{"TX-1005", []string{"1005"}},
	} {
		rs, err := db.Lookup(ctx, tc.query, 0)
		if err != nil {
			t.Fatal(err)
		}
		got := barcodes(rs)
		if len(got) != len(tc.want) {
			t.Errorf("%q: %v, want %v", tc.query, got, tc.want)
			continue
		}
		seen := map[string]bool{}
		for _, b := range got {
			seen[b] = true
		}
		for _, w := range tc.want {
			if !seen[w] {
				t.Errorf("%q: %v, want %v", tc.query, got, tc.want)
			}
		}
	}
	rs, _ := db.Lookup(ctx, "T26-0000042", 0)
	if len(rs[0].Controls) != 2 || rs[0].Controls[0].ID != c1.ID || rs[0].Controls[1].ID != c2.ID {
		t.Fatalf("controls %+v", rs[0].Controls)
	}
	if rs[0].Ticket.Holder.LastName != "Lovelace" {
		t.Fatalf("holder %+v", rs[0].Ticket.Holder)
	}
	if rs, _ := db.Lookup(ctx, "a", 1); len(rs) != 1 {
		t.Fatalf("limit 1: %v", barcodes(rs))
	}
}

func TestAudit(t *testing.T) {
	db, _ := openTest(t)
	for i, q := range []string{"Lovelace", "T26-1", "7415"} {
		if err := db.Audit(ctx, "desk-1", q, day.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	log, err := db.AuditLog(ctx, time.Time{}, 0)
	if err != nil || len(log) != 3 || log[0].Query != "7415" || log[2].Who != "desk-1" || !log[2].At.Equal(day) {
		t.Fatalf("audit log %+v %v", log, err)
	}
	if log, _ := db.AuditLog(ctx, day.Add(time.Minute), 1); len(log) != 1 || log[0].Query != "7415" {
		t.Fatalf("audit since %+v", log)
	}
}
