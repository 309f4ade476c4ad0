package s360

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"s360gate/core"
)

// tricky items: strings holding brackets, escaped quotes and backslashes,
// which a splitter that miscounts would cut in the wrong place.
func trickyPage(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"statusCode":"success","accessControlListData":{"paginationEnd":"P\"1","accessControlListItems":  [ `)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(" ,\n")
		}
		fmt.Fprintf(&b, `{"barcode":"%d","ticketState":"VALID","LASTNAME":"a}]\"[{\\","seat":"%s","x":[{"y":"\\\\"},[]],"z":{}}`,
			i, strings.Repeat(`\\\"`, i%7))
	}
	b.WriteString(` ] },"tail":[1,{"a":"]"}]}`)
	return b.Bytes()
}

func TestSplitterMatchesEncodingJSON(t *testing.T) {
	body := trickyPage(300)
	// The reference: encoding/json on the whole page.
	var ref struct {
		Data struct {
			Items []json.RawMessage `json:"accessControlListItems"`
		} `json:"accessControlListData"`
	}
	if err := json.Unmarshal(body, &ref); err != nil {
		t.Fatal(err)
	}
	readers := map[string]func() io.Reader{
		"whole":    func() io.Reader { return bytes.NewReader(body) },
		"one byte": func() io.Reader { return iotest.OneByteReader(bytes.NewReader(body)) },
		"half":     func() io.Reader { return iotest.HalfReader(bytes.NewReader(body)) },
	}
	for name, mk := range readers {
		// Each item decodes as the reference's does: the tricky strings
		// are in its fields, and Raw keeps the same members.
		var got []core.Ticket
		cursor, found, n, err := decodeExport(mk(), func(tk *core.Ticket) error {
			got = append(got, *tk)
			return nil
		})
		if err != nil || !found || cursor != `P"1` || n != len(ref.Data.Items) {
			t.Fatalf("%s: cursor %q found %v n %d err %v", name, cursor, found, n, err)
		}
		for i := range got {
			want, err := DecodeItem(ref.Data.Items[i])
			if err != nil || !reflect.DeepEqual(got[i], want) {
				t.Fatalf("%s: item %d (%v)\n got %+v\nwant %+v", name, i, err, got[i], want)
			}
		}
	}
}

func TestSplitterLargeItemAndLimits(t *testing.T) {
	big := `{"barcode":"1","pad":"` + strings.Repeat("x", 200<<10) + `"}`
	body := `{"statusCode":"success","accessControlListData":{"accessControlListItems":[` + big + `,` + big + `]}}`
	_, _, n, err := decodeExport(iotest.HalfReader(strings.NewReader(body)), func(*core.Ticket) error { return nil })
	if err != nil || n != 2 {
		t.Fatalf("n %d err %v", n, err)
	}
	huge := `{"statusCode":"success","accessControlListData":{"accessControlListItems":[{"barcode":"1","pad":"` + strings.Repeat("x", 3<<20) + `"}]}}`
	if _, _, _, err := decodeExport(strings.NewReader(huge), func(*core.Ticket) error { return nil }); err == nil {
		t.Fatal("a 3 MiB item was accepted")
	}
}

func FuzzDecodeExport(f *testing.F) {
	f.Add(trickyPage(3))
	f.Add(pageBody(2, "X"))
	f.Add([]byte(`{"statusCode":"success","accessControlListItems":[1,"a",null,{"barcode":2}],"paginationEnd":null}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		_, _, _, _ = decodeExport(iotest.HalfReader(bytes.NewReader(body)), func(tk *core.Ticket) error {
			if tk.Barcode == "" {
				t.Fatal("item without barcode handed out")
			}
			return nil
		})
	})
}
