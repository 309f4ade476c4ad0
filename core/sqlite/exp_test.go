package sqlite

import (
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"s360gate/core"
)

func TestExpIngest(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("EXP_N"))
	if n == 0 {
		t.Skip()
	}
	if b, _ := strconv.Atoi(os.Getenv("EXP_B")); b > 0 {
		batchRows = b
	}
	if ps, _ := strconv.Atoi(os.Getenv("EXP_PS")); ps > 0 {
		pageSize = ps
	}
	var opts []Option
	if c, _ := strconv.Atoi(os.Getenv("EXP_CACHE")); c > 0 {
		opts = append(opts, CacheKiB(c))
	}
	db, _ := openTest(t, opts...)
	if os.Getenv("EXP_CKPT") != "" {
		db.w.Exec("PRAGMA wal_autocheckpoint=" + os.Getenv("EXP_CKPT"))
	}
	var ps int
	db.w.QueryRow("pragma page_size").Scan(&ps)
	t.Log("page size", ps)
	for _, s := range []string{os.Getenv("EXP_SQL")} {
		if s != "" {
			if _, err := db.w.Exec(s); err != nil {
				t.Fatal(err)
			}
		}
	}
	pages := genPages(0, n/benchPage, benchPage)
	if os.Getenv("EXP_NORAW") != "" {
		for _, p := range pages {
			for i := range p {
				p[i].Raw = nil
			}
		}
	}
	var ru0, ru1 syscall.Rusage
	syscall.Getrusage(0, &ru0)
	start := time.Now()
	last := start
	for i, p := range pages {
		if err := db.ApplyPage(ctx, "k", core.ExportPage{Tickets: p, Cursor: "c"}); err != nil {
			t.Fatal(err)
		}
		if (i+1)%40 == 0 {
			t.Logf("%d: %.0f tickets/s (window %.0f)", (i+1)*benchPage, float64((i+1)*benchPage)/time.Since(start).Seconds(), float64(40*benchPage)/time.Since(last).Seconds())
			last = time.Now()
		}
	}
	syscall.Getrusage(0, &ru1)
	cpu := time.Duration(ru1.Utime.Nano() + ru1.Stime.Nano() - ru0.Utime.Nano() - ru0.Stime.Nano())
	sys := time.Duration(ru1.Stime.Nano() - ru0.Stime.Nano())
	st, _ := os.Stat(db.path)
	t.Logf("total %.0f tickets/s wall, cpu %.1f us/ticket (sys %.1f) = %.0f tickets/cpu-s, size %d MB", float64(n)/time.Since(start).Seconds(),
		float64(cpu.Microseconds())/float64(n), float64(sys.Microseconds())/float64(n), float64(n)/cpu.Seconds(), st.Size()>>20)
}
