package scanner_test

import (
	"fmt"
	"strings"
	"time"

	"s360gate/core/scanner"
)

func ExampleNormalize() {
	// A US scanner on a French AZERTY PC, sending an AIM identifier.
	sc, err := scanner.Normalize("]C0&é\"'(-è_çà\r\n")
	fmt.Println(sc.Code, sc.Layout, err)
	fmt.Println(sc.Warnings[0])

	_, err = scanner.Normalize(strings.Repeat("7", 312))
	fmt.Println(err)
	// Output:
	// 1234567890 azerty <nil>
	// Scanner keyboard layout looks like AZERTY: digits mapped. Set the scanner to the right layout.
	// Scan too long (312 characters): not a ticket barcode
}

func ExampleAssembler() {
	opts := scanner.Options{Terminator: "enter"}
	a := scanner.NewAssembler[string](opts)
	t := time.Date(2026, 5, 1, 18, 0, 0, 0, time.UTC)
	// A scanner types into the focused "operator" field: 5 ms a key.
	for _, r := range "T26-0001234" {
		t = t.Add(5 * time.Millisecond)
		a.Rune(r, t, "operator")
	}
	for _, e := range a.Key("Return", t.Add(5*time.Millisecond), "operator") {
		sc, err := opts.Normalize(e.Raw)
		fmt.Println(e.Kind == scanner.Scanned, sc.Code, err)
	}
	// A person types "7" into it: handed on once Hold has passed.
	t = t.Add(time.Second)
	a.Rune('7', t, "operator")
	for _, e := range a.Expire(a.Deadline(), a.Deadline()) {
		fmt.Println(e.Kind == scanner.Typed, string(e.Key.Rune), e.Key.To)
	}
	// Output:
	// true T26-0001234 <nil>
	// true 7 operator
}

func ExampleLines() {
	in := "]C01234567890\r\n12\r\n"
	_ = scanner.Lines(strings.NewReader(in), func(l scanner.Line) error {
		if l.Err != nil {
			fmt.Printf("line %d: %v\n", l.No, l.Err)
			return nil
		}
		fmt.Printf("line %d: %s\n", l.No, l.Scan.Code)
		return nil
	})
	// Output:
	// line 1: 1234567890
	// line 2: Scan too short (2 characters): not a ticket barcode
}
