package s360sim

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Start listens on addr (":0" picks a free port), serves the sim, and
// returns the service endpoint ("http://HOST:PORT" + ServicePath) and a stop
// function. stop ends hanging requests (fault HangRate) at once, then shuts
// the server down; it is safe to call more than once.
func (s *Sim) Start(addr string) (endpoint string, stop func() error, err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(ln)
	}()
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	var once sync.Once
	var stopErr error
	stop = func() error {
		once.Do(func() {
			cancel() // request contexts derive from ctx: hangs end now
			sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer scancel()
			if err := srv.Shutdown(sctx); err != nil {
				stopErr = srv.Close()
			}
			<-done
		})
		return stopErr
	}
	return "http://" + net.JoinHostPort(host, port) + ServicePath, stop, nil
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

// Main implements "s360gate sim": a standalone S-360 stand-in, serving until
// SIGINT or SIGTERM. It returns the process exit code (2 for bad flags).
func Main(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return run(ctx, args, stdout, stderr)
}

// run is Main with the lifetime given by ctx (tests cancel it).
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	def := DefaultConfig()
	fs := flag.NewFlagSet("s360gate sim", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported on one line below
	addr := fs.String("addr", "127.0.0.1:8360", "listen address (host:port; port 0 picks a free one)")
	tickets := fs.Int("tickets", 50000, "initial tickets (0: none)")
	seed := fs.Int64("seed", 1, "data seed (same seed, same tickets)")
	inst := fs.String("institution", def.Institution, "institution code (JWT sub)")
	op := fs.String("operator", def.Operator, "operator (JWT aud)")
	pw := fs.String("password", def.Password, "operator password (HS256 secret)")
	season := fs.String("season", def.Season, "season code")
	var products stringList
	fs.Var(&products, "product", "product code, repeatable (default "+strings.Join(def.Products, ", ")+")")
	rate := fs.Int("rate-limit", def.RateLimit, "requests per minute, all methods together (negative: unlimited)")
	rateStatus := fs.Int("rate-limit-status", 509, "HTTP status beyond the rate limit: 509 or 429")
	style := fs.String("holder-style", def.HolderStyle, "holder fields: flat, list or mixed")
	usage := func(w io.Writer) {
		fmt.Fprintln(w, "Usage: s360gate sim [flags]")
		fmt.Fprintln(w, "Serves a simulated S-360 ExternalAccessControlService (v1_6) until interrupted.")
		fmt.Fprintln(w, "\nFlags:")
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage(stdout)
			return 0
		}
		fmt.Fprintf(stderr, "s360gate sim: %v (see --help)\n", err)
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "s360gate sim: unexpected argument %q (see --help)\n", fs.Arg(0))
		return 2
	}
	switch *style {
	case HolderFlat, HolderList, HolderMixed:
	default:
		fmt.Fprintf(stderr, "s360gate sim: invalid --holder-style %q (flat, list or mixed)\n", *style)
		return 2
	}
	if *rateStatus != 509 && *rateStatus != 429 {
		fmt.Fprintf(stderr, "s360gate sim: --rate-limit-status must be 509 or 429, not %d\n", *rateStatus)
		return 2
	}
	if *rate == 0 {
		fmt.Fprintln(stderr, "s360gate sim: --rate-limit must not be 0 (negative: unlimited)")
		return 2
	}
	n := *tickets
	if n == 0 {
		n = -1 // Config: 0 means default; the flag means "none"
	}
	sim := New(Config{Institution: *inst, Operator: *op, Password: *pw, Season: *season, Products: products,
		Tickets: n, Seed: *seed, RateLimit: *rate, RateLimitStatus: *rateStatus, HolderStyle: *style})
	endpoint, stopSrv, err := sim.Start(*addr)
	if err != nil {
		fmt.Fprintf(stderr, "s360gate sim: %v\n", err)
		return 1
	}
	cfg := sim.Config()
	base := strings.TrimSuffix(endpoint, ServicePath)
	fmt.Fprintf(stdout, "S-360 simulator serving\n")
	fmt.Fprintf(stdout, "  endpoint:    %s\n", endpoint)
	fmt.Fprintf(stdout, "  institution: %s\n", cfg.Institution)
	fmt.Fprintf(stdout, "  operator:    %s\n", cfg.Operator)
	fmt.Fprintf(stdout, "  password:    %s\n", cfg.Password)
	fmt.Fprintf(stdout, "  season:      %s\n", cfg.Season)
	for _, p := range sim.prods {
		fmt.Fprintf(stdout, "  product:     %s (performance %s, %s)\n", p.code, p.perf, p.date.Format(time.RFC3339))
	}
	fmt.Fprintf(stdout, "  tickets:     %d (seed %d), rate limit %d/min for the whole service (HTTP %d beyond)\n", max(cfg.Tickets, 0), cfg.Seed, cfg.RateLimit, cfg.RateLimitStatus)
	shown := 0
	for _, smp := range sim.Samples() {
		if shown < 3 && (smp.Kind == "valid" || smp.Kind == "child" || smp.Kind == "cancelled") {
			fmt.Fprintf(stdout, "  sample:      %s %s (%s)\n", smp.Barcode, smp.Kind, smp.TaxNumber)
			shown++
		}
	}
	fmt.Fprintf(stdout, "  admin:       %s/sim/samples, /sim/sell, /sim/cancel, /sim/blacklist, /sim/reprint, /sim/controls, /sim/faults, /sim/token\n", base)
	fmt.Fprintf(stdout, "  try:         curl -s -H \"Authorization: Bearer $(curl -s %s/sim/token)\" -H 'Content-Type: application/json' \\\n"+
		"                 -d '{\"requestId\":1,\"listType\":\"GREY\",\"ticketType\":\"ALL\",\"seasonCode\":\"%s\",\"productCodes\":[\"%s\"],\"paginationStart\":null,\"nbMaxResults\":3}' \\\n"+
		"                 %s/v1_6/exportList\n", base, cfg.Season, cfg.Products[0], endpoint)
	<-ctx.Done()
	fmt.Fprintln(stdout, "stopping")
	if err := stopSrv(); err != nil {
		fmt.Fprintf(stderr, "s360gate sim: %v\n", err)
		return 1
	}
	return 0
}
