package s360

import (
	"context"
	"encoding/json"
	"io"
	"slices"
	"strings"
	"time"

	"s360gate/core"
)

// TestConnection calls getTimeZone: a cheap proof that the address and the
// credentials work. It returns the institution's time zone ("" if the
// answer names none), and from then on the client reads S-360's times
// without an offset in that zone (see Zone).
func (c *Client) TestConnection(ctx context.Context) (string, error) {
	var tz string
	err := c.do(ctx, mTimeZone,
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
	if loc := core.LoadZone(tz); err == nil && loc != nil {
		c.zone.Store(loc)
	}
	return tz, err
}

// Zone is the zone S-360's times without an offset are read in: the
// institution's, as getTimeZone last named it or as Config.Zone gave it
// (the station's stored one); nil means the laptop's.
func (c *Client) Zone() *time.Location { return c.zone.Load() }

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
	err := c.do(ctx, mControlled,
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
			rt, found = remoteTicket(m, c.Zone())
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

// The getControlledTicket answer [doc, v1_1/v1_2 pages]:
//
//	{requestId, statusCode, statusDetail, controlledTicketData: {barcode,
//	 taxNumber, state, duplicate, ticketKind, ticketMedium,
//	 printingDateTime, containerIdentifier, containerTicket,
//	 controlOperations: [{controlOperationType, operationDateTime}]}}
//
// v1_0 said containerId and ticketSupport. The keys below, normalised,
// name each field in the documented spelling first, then in the other
// plausible ones: the v1_6 text itself was not readable.
var (
	ticketDataKeys   = []string{"controlledticketdata", "controlledticket", "ticketdata", "ticket"}
	duplicateKeys    = []string{"duplicate", "isduplicate", "reprint", "reprinted"}
	ticketKindKeys   = []string{"ticketkind", "kind"}
	ticketMediumKeys = []string{"ticketmedium", "ticketsupport", "medium", "support"}
	printingKeys     = []string{"printingdatetime", "printingdate", "printdatetime", "printdate", "printedat"}
	containerTktKeys = []string{"containerticket", "iscontainer", "iscontainerticket"}
	opListKeys       = []string{"controloperations", "operations", "controls", "controlhistory", "history", "controlledtickets", "controllist", "operationlist", "accesscontroloperations", "events"}
	opResultKeys     = []string{"controloperationtype", "operationtype", "result", "controlresult", "operationresult", "operation", "controlstatus", "type", "status"}
	opDateKeys       = []string{"operationdatetime", "operationdate", "controldate", "date", "at", "datetime", "timestamp", "time", "controltime", "creationdate"}
	opDeviceKeys     = []string{"device", "acidentifier", "deviceid", "devicename", "devicecode", "accesscontrolidentifier", "station", "terminal"}
	opResults        = []string{"OK", "OFFLINE_OK", "FAIL", "OFFLINE_FAIL", "INVALIDATED_TICKET", "CANCELLED_TICKET"}
)

// remoteTicket reads the answer: the ticket data (the object under
// controlledTicketData, else the shallowest object with a barcode), its
// fields, and the operations (lists of objects with a result) anywhere in
// the answer. Times without an offset are read in loc.
func remoteTicket(m map[string]any, loc *time.Location) (core.RemoteTicket, bool) {
	var rt core.RemoteTicket
	data := ticketData(m)
	found := false
	if data != nil {
		if raw, err := json.Marshal(data); err == nil {
			if t, err := DecodeItemIn(raw, loc); err == nil {
				rt.Ticket, found = t, true
			}
		}
		if !found {
			// No barcode: what identifies it still says something.
			rt.Ticket.TaxNumber = getText(data, aliasKeys(fTaxNumber)...)
			if st := getText(data, aliasKeys(fState)...); st != "" {
				rt.Ticket.State = core.ParseState(st)
				found = true
			}
			found = found || rt.Ticket.TaxNumber != ""
		}
		rt.Duplicate = boolOf(data, duplicateKeys...)
		rt.ContainerTicket = boolOf(data, containerTktKeys...)
		rt.TicketKind = getText(data, ticketKindKeys...)
		rt.TicketMedium = strings.ToUpper(getText(data, ticketMediumKeys...))
		if at, ok := parseTime(getText(data, printingKeys...), loc); ok {
			rt.PrintedAt = at
		}
	}
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
			if at, ok := parseTime(getText(o, opDateKeys...), loc); ok {
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

// ticketData is the object describing the ticket: the one under a key
// naming it, else the shallowest object with a barcode.
func ticketData(m map[string]any) map[string]any {
	for _, k := range ticketDataKeys {
		if v, ok := get(m, k); ok {
			if o, ok := v.(map[string]any); ok {
				return o
			}
		}
	}
	var data map[string]any
	barcodeKeys := aliasKeys(fBarcode)
	walk(m, func(_ string, o map[string]any) bool {
		if getText(o, barcodeKeys...) == "" {
			return true
		}
		data = o
		return false
	})
	return data
}

// boolOf reads a flag sent as a JSON bool, "true"/"false", "Y"/"N" or 1/0;
// nil when absent or unreadable.
func boolOf(o map[string]any, keys ...string) *bool {
	v := strings.ToLower(getText(o, keys...))
	var b bool
	switch v {
	case "true", "y", "yes", "1":
		b = true
	case "false", "n", "no", "0":
	default:
		return nil
	}
	return &b
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
	err := c.do(ctx, mCatalog,
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
			entries = catalogEntries(m, want, c.Zone())
			return nil
		})
	return entries, err
}

// catalogEntries takes the shallowest list under a key naming want
// ("season" or "product"), else the shallowest list of objects with a code
// [assumed shape].
func catalogEntries(m map[string]any, want string, loc *time.Location) []core.CatalogEntry {
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
			if entryOf(objs[0], want, loc).Code != "" {
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
		if e := entryOf(o, want, loc); e.Code != "" {
			out = append(out, e)
		}
	}
	return out
}

func entryOf(o map[string]any, kind string, loc *time.Location) core.CatalogEntry {
	e := core.CatalogEntry{
		Code: getText(o, kind+"code", "code", "id", kind+"id"),
		Name: nameOf(o, kind),
	}
	if at, ok := parseTime(getText(o, kind+"date", "date", "startdate", "start", "datetime", "performancedate"), loc); ok {
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
				if pe := entryOf(po, "performance", loc); pe.Code != "" {
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
