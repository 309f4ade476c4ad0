package s360sim

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"testing"
)

// TestCurlPagesThroughTheStadium does what the README tells a person to do:
// fetch a token from /sim/token and page through the GREY list with curl,
// passing each paginationEnd on, until a page comes back empty.
func TestCurlPagesThroughTheStadium(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl is not installed (CI installs it)")
	}
	sim := New(Config{Tickets: 2000, Seed: 5, RateLimit: -1})
	endpoint, stop, err := sim.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stop() })
	base := strings.TrimSuffix(endpoint, ServicePath)
	run := func(args ...string) []byte {
		t.Helper()
		out, err := exec.Command(curl, append([]string{"-sS", "--fail-with-body"}, args...)...).Output()
		if err != nil {
			t.Fatalf("curl %v: %v\n%s", args, err, out)
		}
		return out
	}
	cursor := "null"
	last := map[string]string{} // barcode -> state of its latest item
	pages := 0
	for ; pages < 100; pages++ {
		token := strings.TrimSpace(string(run(base + "/sim/token")))
		body := fmt.Sprintf(`{"requestId":%d,"listType":"GREY","ticketType":"ALL","seasonCode":"SEASON26",`+
			`"productCodes":["MATCH01","MATCH02"],"paginationStart":%s,"nbMaxResults":500}`, pages+1, cursor)
		out := run("-H", "Authorization: Bearer "+token, "-H", "Content-Type: application/json",
			"--compressed", "-d", body, endpoint+"/v1_6/exportList")
		var ans struct {
			StatusCode string `json:"statusCode"`
			Data       struct {
				Items []struct {
					Barcode string `json:"barcode"`
					State   string `json:"ticketState"`
				} `json:"accessControlListItems"`
				End string `json:"paginationEnd"`
			} `json:"accessControlListData"`
		}
		if err := json.Unmarshal(out, &ans); err != nil || !strings.EqualFold(ans.StatusCode, "success") {
			t.Fatalf("page %d: %v %s", pages, err, out)
		}
		if len(ans.Data.Items) == 0 {
			break
		}
		for _, it := range ans.Data.Items {
			last[it.Barcode] = it.State
		}
		c, _ := json.Marshal(ans.Data.End)
		cursor = string(c)
	}
	if pages < 3 {
		t.Fatalf("only %d pages: the list should take several", pages)
	}
	want := 0
	sim.AllItems(func(it Item) bool {
		want++
		if got, ok := last[it.Barcode]; !ok || got != it.State {
			t.Errorf("%s: curl saw %q last, the simulator holds %q", it.Barcode, got, it.State)
			return false
		}
		return true
	})
	if len(last) != want {
		t.Fatalf("curl saw %d barcodes, the simulator holds %d", len(last), want)
	}
}
