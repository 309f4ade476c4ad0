package bench

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"s360gate/core"
	"s360gate/core/internal/netfault"
	"s360gate/core/postgres"
	"s360gate/core/s360sim"
	"s360gate/core/sqlite"
	"s360gate/core/venue"
)

// The venue's network failing (issue 16), measured:
//   - catch-up: a station joining the venue now (empty store), from opening
//     it to its local copy holding the venue's list and controls;
//   - link down: that station scanning while its link to the venue is cut
//     and restored several times (a proxy that swallows everything, as a
//     dead switch): every scan's time, the ones that waited for the venue
//     until the fallback time included.

// Targets of issue 16.
const (
	TargetCatchUpS = 30 // seconds, a million tickets
	// TargetLinkDownExtraMS is what a scan may take beyond the station's
	// fallback time.
	TargetLinkDownExtraMS = 100
)

// VenueSplit is the issue 16 phase's figures.
type VenueSplit struct {
	CatchUpSeconds   float64 `json:"catch_up_s"` // open → local copy ready
	CopiedTickets    int     `json:"copied_tickets"`
	CopiedControls   int     `json:"copied_controls"`
	FallbackMS       float64 `json:"fallback_ms"`
	LinkDownScans    int     `json:"link_down_scans"`
	LinkDownLocal    int     `json:"link_down_local"` // decided from the copy
	LinkDownP50MS    float64 `json:"link_down_p50_ms"`
	LinkDownP99MS    float64 `json:"link_down_p99_ms"`
	LinkDownMaxMS    float64 `json:"link_down_max_ms"`
	LinkFailures     int     `json:"link_failures"`
	PushedAfterwards int     `json:"pushed"`
}

// split measures a late joiner's catch-up and scans while its link fails.
func (r *venueRun) split(ctx context.Context) error {
	if _, _, err := r.db.VenueSettings(ctx); errors.Is(err, postgres.ErrNoVenueSettings) {
		if err := r.db.SaveVenueSettings(ctx, r.settings.Venue(), "bench"); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	addr, err := hostPort(r.dsn)
	if err != nil {
		return err
	}
	proxy, err := netfault.Start(addr)
	if err != nil {
		return err
	}
	defer proxy.Close()
	dir, err := os.MkdirTemp("", "s360gate-bench-station-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	local, err := sqlite.Open(filepath.Join(dir, "s360gate.db"))
	if err != nil {
		return err
	}
	st := r.settings
	st.Station, st.Gate, st.Password = "BENCH_LATE", "", ""
	r.pr.note("split: a station joins now and copies the venue")
	t0 := time.Now()
	s, err := venue.OpenStation(ctx, venue.StationOptions{DB: strings.Replace(r.dsn, addr, proxy.Addr(), 1), Local: local,
		Station: st, Log: quietLog(), Version: "bench", TrustedLAN: true})
	if err != nil {
		local.Close()
		return err
	}
	defer s.Close()
	if !waitFor(ctx, 10*time.Minute, func() bool { return s.Link().CopyReady }) {
		return errors.New("the station's copy was not ready within 10 minutes")
	}
	res := &r.res.Split
	res.CatchUpSeconds = time.Since(t0).Seconds()
	if tc, err := local.TicketCounts(ctx); err == nil {
		res.CopiedTickets = tc.Valid + tc.Invalid
	}
	if cc, err := local.ControlCounts(ctx, time.Time{}); err == nil {
		res.CopiedControls = cc.Admitted + cc.Exited + cc.Pending
		for _, n := range cc.Denied {
			res.CopiedControls += n
		}
	}
	r.pr.note("split: copy of %s tickets ready in %.1f s", thousands(res.CopiedTickets), res.CatchUpSeconds)

	// Scans while the link fails and returns: ten rounds of 50 scans, the
	// link swallowing everything in every other round.
	var codes []string
	p0 := r.settings.Products[0]
	r.sim.AllItems(func(it s360sim.Item) bool {
		if it.State == "VALID" && it.ProductCode == p0 {
			codes = append(codes, it.Barcode)
		}
		return len(codes) < 1000
	})
	cp := s.Settings().Checkpoint()
	fallback := st.VenueFallback()
	res.FallbackMS = float64(fallback.Milliseconds())
	var lat []time.Duration
	for round := range 10 {
		down := round%2 == 1
		if down {
			proxy.Set(netfault.Blackhole)
			res.LinkFailures++
		} else {
			proxy.Set(netfault.Pass)
			waitFor(ctx, 30*time.Second, func() bool { return s.Link().Up })
		}
		for i := range 50 {
			code := codes[(round*50+i)%len(codes)]
			t := time.Now()
			v, err := s.Scan(ctx, core.ScanRequest{Code: code, Checkpoint: cp, Now: s.Now()})
			if err != nil {
				return fmt.Errorf("scan while the link is %s: %w", map[bool]string{true: "down", false: "up"}[down], err)
			}
			lat = append(lat, time.Since(t))
			if v.Control != nil && v.Control.OffVenue {
				res.LinkDownLocal++
			}
		}
	}
	proxy.Set(netfault.Pass)
	if !waitFor(ctx, time.Minute, func() bool { l := s.Link(); return l.Up && l.Unpushed == 0 }) {
		return errors.New("the station did not push its local controls within a minute")
	}
	res.PushedAfterwards = res.LinkDownLocal
	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	res.LinkDownScans = len(lat)
	res.LinkDownP50MS, res.LinkDownP99MS, res.LinkDownMaxMS = ms(lat[len(lat)/2]), ms(lat[len(lat)*99/100]), ms(lat[len(lat)-1])
	r.pr.note("split: %d scans while the link failed %d times (%d decided locally): p50 %.2f ms, p99 %.1f ms, max %.1f ms (fallback %.0f ms)",
		res.LinkDownScans, res.LinkFailures, res.LinkDownLocal, res.LinkDownP50MS, res.LinkDownP99MS, res.LinkDownMaxMS, res.FallbackMS)
	return nil
}

// hostPort is the host:port a DSN reaches, as written in it (a URL).
func hostPort(dsn string) (string, error) {
	a, _, err := postgres.CheckDSN(dsn, true)
	if err != nil {
		return "", err
	}
	addr := net.JoinHostPort(a.Host, fmt.Sprint(a.Port))
	if !strings.Contains(dsn, addr) {
		return "", fmt.Errorf("the link-failure phase puts a proxy in front of the database: give --venue-db as postgres://…@%s/…", addr)
	}
	return addr, nil
}
