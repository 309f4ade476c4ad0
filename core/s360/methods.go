package s360

import (
	"context"
	"encoding/json"
	"io"
	"slices"
	"strings"

	"s360gate/core"
)

// TestConnection calls getTimeZone: a cheap proof that the address and the
// credentials work. It returns the institution's time zone ("" if the
// answer names none).
func (c *Client) TestConnection(ctx context.Context) (string, error) {
	var tz string
	err := c.do(ctx, mTimeZone, true,
		func(id int64) ([]byte, error) {
			return json.Marshal(struct {
				RequestID int64 `json:"requestId"`
			}{id})
		},
		func(r io.Reader) error {
			m, err := readAnswer(mTimeZone, r)
			if err != nil {
				return err
			}
			tz = timeZoneOf(m)
			return nil
		})
	return tz, err
}

// timeZoneOf finds the zone under any key naming one [assumed shape].
func timeZoneOf(m map[string]any) string {
	var tz string
	walk(m, func(_ string, o map[string]any) bool {
		for _, k := range sortedKeys(o) {
			n := normalize(k)
			if strings.Contains(n, "zone") || n == "tz" || n == "value" {
				if s := strings.TrimSpace(scalarText(o[k])); s != "" {
					tz = s
					return false
				}
			}
		}
		return true
	})
	return tz
}

// ControlledTicket is S-360's view of one ticket and of its control
// operations, by barcode or taxNumber.
func (c *Client) ControlledTicket(ctx context.Context, barcodeOrTaxNumber string) (core.RemoteTicket, error) {
	code := strings.TrimSpace(barcodeOrTaxNumber)
	if code == "" {
		return core.RemoteTicket{}, core.Errorf(core.EInvalid, "Type a barcode or a ticket number to look up")
	}
	var rt core.RemoteTicket
	found := false
	err := c.do(ctx, mControlled, true,
		func(id int64) ([]byte, error) {
			return json.Marshal(struct {
				RequestID          int64  `json:"requestId"`
				BarCodeOrTaxNumber string `json:"barCodeOrTaxNumber"`
			}{id, code})
		},
		func(r io.Reader) error {
			m, err := readAnswer(mControlled, r)
			if err != nil {
				return err
			}
			rt, found = remoteTicket(m)
			return nil
		})
	if err != nil {
		return core.RemoteTicket{}, err
	}
	if !found {
		return core.RemoteTicket{}, core.Errorf(core.ENotFound, "S-360 does not know the ticket %s", code)
	}
	return rt, nil
}

// Keys of control operations in getControlledTicket [assumed], normalised.
var (
	opListKeys   = []string{"operations", "controloperations", "controls", "controlhistory", "history", "controlledtickets", "controllist", "operationlist", "accesscontroloperations", "events"}
	opResultKeys = []string{"result", "controlresult", "operationresult", "operationtype", "operation", "controlstatus", "type", "status"}
	opDateKeys   = []string{"date", "controldate", "operationdate", "at", "datetime", "timestamp", "time", "controltime", "creationdate"}
	opDeviceKeys = []string{"device", "acidentifier", "deviceid", "devicename", "devicecode", "accesscontrolidentifier", "station", "terminal"}
	opResults    = []string{"OK", "OFFLINE_OK", "FAIL", "OFFLINE_FAIL", "INVALIDATED_TICKET", "CANCELLED_TICKET"}
)

// remoteTicket finds the ticket (the shallowest object with a barcode) and
// the operations (lists of objects with a result) anywhere in the answer.
func remoteTicket(m map[string]any) (core.RemoteTicket, bool) {
	var rt core.RemoteTicket
	found := false
	barcodeKeys := aliasKeys(fBarcode)
	walk(m, func(_ string, o map[string]any) bool {
		if getText(o, barcodeKeys...) == "" {
			return true
		}
		raw, err := json.Marshal(o)
		if err != nil {
			return true
		}
		if t, err := DecodeItem(raw); err == nil {
			rt.Ticket, found = t, true
			return false
		}
		return true
	})
	keys, ls := lists(m)
	for i, objs := range ls {
		named := slices.Contains(opListKeys, keys[i])
		var ops []core.RemoteOperation
		for _, o := range objs {
			res := strings.ToUpper(getText(o, opResultKeys...))
			if res == "" || !named && !slices.Contains(opResults, res) {
				continue
			}
			op := core.RemoteOperation{Result: res, Device: getText(o, opDeviceKeys...)}
			if at, ok := parseTime(getText(o, opDateKeys...)); ok {
				op.At = at
			}
			ops = append(ops, op)
		}
		if len(ops) > 0 {
			rt.Operations = ops
			break
		}
	}
	return rt, found || len(rt.Operations) > 0
}

// aliasKeys lists the normalised aliases of a field.
func aliasKeys(f field) []string {
	var keys []string
	for _, row := range aliasTable {
		if row.f == f {
			for _, k := range row.keys {
				keys = append(keys, normalize(k))
			}
		}
	}
	return keys
}

// Catalog lists the seasons (season == "") or the products of a season
// with their performances, from getAccessControlCatalog.
func (c *Client) Catalog(ctx context.Context, season string) ([]core.CatalogEntry, error) {
	var entries []core.CatalogEntry
	err := c.do(ctx, mCatalog, true,
		func(id int64) ([]byte, error) {
			return json.Marshal(struct {
				RequestID  int64  `json:"requestId"`
				SeasonCode string `json:"seasonCode,omitempty"`
			}{id, season})
		},
		func(r io.Reader) error {
			m, err := readAnswer(mCatalog, r)
			if err != nil {
				return err
			}
			want := "product"
			if season == "" {
				want = "season"
			}
			entries = catalogEntries(m, want)
			return nil
		})
	return entries, err
}

// catalogEntries takes the shallowest list under a key naming want
// ("season" or "product"), else the shallowest list of objects with a code
// [assumed shape].
func catalogEntries(m map[string]any, want string) []core.CatalogEntry {
	keys, ls := lists(m)
	pick := -1
	for i, k := range keys {
		if strings.Contains(k, want) {
			pick = i
			break
		}
	}
	if pick < 0 {
		for i, objs := range ls {
			if entryOf(objs[0], want).Code != "" {
				pick = i
				break
			}
		}
	}
	if pick < 0 {
		return nil
	}
	var out []core.CatalogEntry
	for _, o := range ls[pick] {
		if e := entryOf(o, want); e.Code != "" {
			out = append(out, e)
		}
	}
	return out
}

func entryOf(o map[string]any, kind string) core.CatalogEntry {
	e := core.CatalogEntry{
		Code: getText(o, kind+"code", "code", "id", kind+"id"),
		Name: nameOf(o, kind),
	}
	if at, ok := parseTime(getText(o, kind+"date", "date", "startdate", "start", "datetime", "performancedate")); ok {
		e.Date = at
	}
	if kind == "performance" {
		return e
	}
	for _, k := range sortedKeys(o) {
		if !strings.Contains(normalize(k), "performance") {
			continue
		}
		arr, _ := o[k].([]any)
		for _, p := range arr {
			if po, ok := p.(map[string]any); ok {
				if pe := entryOf(po, "performance"); pe.Code != "" {
					e.Performances = append(e.Performances, pe)
				}
			}
		}
	}
	return e
}

// nameOf reads a name that may be plain, translated ({"en": …}) or a list
// of {lang, value}.
func nameOf(o map[string]any, kind string) string {
	for _, k := range []string{kind + "name", "name", "externalname", "internalname", "label", "title", "description"} {
		v, ok := get(o, k)
		if !ok {
			continue
		}
		if s := strings.TrimSpace(scalarText(v)); s != "" {
			return s
		}
		if s := translated(v); s != "" {
			return s
		}
	}
	return ""
}

func translated(v any) string {
	switch x := v.(type) {
	case map[string]any:
		if s := getText(x, "en", "value", "text"); s != "" {
			return s
		}
		for _, k := range sortedKeys(x) {
			if s := strings.TrimSpace(scalarText(x[k])); s != "" {
				return s
			}
		}
	case []any:
		for _, e := range x {
			if o, ok := e.(map[string]any); ok {
				if s := getText(o, "value", "text", "name"); s != "" {
					return s
				}
			}
		}
	}
	return ""
}
