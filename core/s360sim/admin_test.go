package s360sim

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestAdminHTTP(t *testing.T) {
	clk := newClock()
	sim, c := newTestSim(t, testConfig(clk))
	base := strings.TrimSuffix(c.endpoint, ServicePath) + "/sim/"
	post := func(path, body string, want int, out any) {
		t.Helper()
		resp, err := http.Post(base+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != want {
			t.Fatalf("%s: HTTP %d %s, want %d", path, resp.StatusCode, b, want)
		}
		if out != nil {
			if err := json.Unmarshal(b, out); err != nil {
				t.Fatal(err)
			}
		}
	}
	get := func(path string, out any) {
		t.Helper()
		resp, err := http.Get(base + path)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("%s: %v %v", path, err, resp)
		}
		defer resp.Body.Close()
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
	var sold struct{ Barcodes []string }
	post("sell", `{"n":2,"product":"MATCH02"}`, 200, &sold)
	if len(sold.Barcodes) != 2 {
		t.Fatalf("sold %+v", sold)
	}
	if it, ok := sim.Ticket(sold.Barcodes[0]); !ok || it.ProductCode != "MATCH02" || it.State != "VALID" {
		t.Fatalf("sold ticket %+v", it)
	}
	post("sell", `{"n":1,"product":"NOPE"}`, 404, nil)
	post("sell", `{"n":0}`, 400, nil)
	post("cancel", `{"barcode":"`+sold.Barcodes[0]+`","cause":"PAYMENT_FAILED"}`, 200, nil)
	post("cancel", `{"barcode":"`+sold.Barcodes[0]+`"}`, 409, nil)
	post("cancel", `{"barcode":"123"}`, 404, nil)
	post("blacklist", `{"barcode":"`+sold.Barcodes[1]+`"}`, 200, nil)
	var rp struct{ NewBarcode string }
	post("reprint", `{"barcode":"`+sampleOf(t, sim, "valid").Barcode+`"}`, 200, &rp)
	if it, _ := sim.Ticket(rp.NewBarcode); it.State != "VALID" {
		t.Fatalf("reprint %+v", it)
	}
	var f faultsJSON
	post("faults", `{"latency":"5ms","errorRate":0.25,"hangFor":1500,"seed":3}`, 200, &f)
	if got := sim.CurrentFaults(); got.Latency != 5e6 || got.ErrorRate != 0.25 || got.HangFor != 1.5e9 || got.Seed != 3 {
		t.Fatalf("faults %+v", got)
	}
	post("faults", `{}`, 200, nil)
	var samples []sampleJSON
	get("samples", &samples)
	if len(samples) < 12 || samples[0].Kind != "valid" {
		t.Fatalf("samples %+v", samples)
	}
	c.importControls(ctl{ACIdentifier: "G1", Barcode: sampleOf(t, sim, "child").Barcode, ControlDate: "2026-11-27T18:00:00Z", ControlResult: "OK"})
	var controls []controlJSON
	get("controls", &controls)
	if len(controls) != 1 || controls[0].ACIdentifier != "G1" {
		t.Fatalf("controls %+v", controls)
	}
	var stats Stats
	get("stats", &stats)
	if stats.Requests["importControlledTicket"] != 1 {
		t.Fatalf("stats %+v", stats)
	}
	var it Item
	get("ticket?barcode="+sold.Barcodes[1], &it)
	if it.CancellationCause != "BLACKLISTED" {
		t.Fatalf("ticket %+v", it)
	}
	post("password", `{"password":"s3cret"}`, 200, nil)
	if st := c.call("getTimeZone", `{}`, nil); st != 401 {
		t.Fatalf("old password after /sim/password: HTTP %d", st)
	}
	post("password", `{}`, 400, nil)
	post("nope", `{}`, 404, nil)
}

func TestMainCommand(t *testing.T) {
	var out, errb bytes.Buffer
	if code := Main([]string{"--help"}, &out, &errb); code != 0 {
		t.Fatalf("--help exit %d", code)
	}
	for _, want := range []string{"-addr", "127.0.0.1:8360", "-tickets", "50000", "-seed", "-institution", "INSTIT",
		"-operator", "-password", "demo-password", "-season", "SEASON26", "-product", "MATCH01", "-rate-limit", "60"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("--help lacks %q:\n%s", want, out.String())
		}
	}
	for _, args := range [][]string{{"--bogus"}, {"--tickets", "many"}, {"extra"}, {"--holder-style", "x"}, {"--rate-limit", "0"}} {
		out.Reset()
		errb.Reset()
		if code := Main(args, &out, &errb); code != 2 {
			t.Fatalf("%v: exit %d", args, code)
		}
		if lines := strings.Count(errb.String(), "\n"); lines != 1 {
			t.Fatalf("%v: want one error line, got %q", args, errb.String())
		}
	}

	// Serve, talk to it, stop it.
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"--addr", "127.0.0.1:0", "--tickets", "100", "--product", "CUP1", "--product", "CUP2",
			"--institution", "CLUB", "--password", "pw"}, pw, io.Discard)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	var endpoint string
	var samples int
	for sc.Scan() {
		line := sc.Text()
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "endpoint:"); ok {
			endpoint = strings.TrimSpace(v)
		}
		if strings.Contains(line, "sample:") {
			samples++
		}
		if strings.Contains(line, "admin:") {
			break
		}
	}
	go io.Copy(io.Discard, pr)
	if endpoint == "" || samples != 3 {
		t.Fatalf("endpoint %q, %d samples", endpoint, samples)
	}
	c := &tclient{t: t, endpoint: endpoint, hc: http.DefaultClient, inst: "CLUB", op: "gate", pw: "pw", now: time.Now}
	var r exportResp
	c.call("exportList", exportReq{ListType: "GREY", TicketType: "ALL", SeasonCode: "SEASON26", ProductCodes: []string{"CUP2"}, NbMaxResults: 100}, &r)
	if r.StatusCode != "success" || len(r.Data.Items) == 0 || r.Data.Items[0].ProductCode != "CUP2" {
		t.Fatalf("export from the command: %+v", r.status)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d", code)
	}
}
