package reliability

import (
	"context"
	"flag"
	"fmt"
	"os"

	"testing"
	"time"

	"s360gate/core/cli"
	"s360gate/core/venue"
)

// TestHelperProcess is not a test: it is the body of the child processes
// the crash and concurrency tests start (os.Args[0] re-executed with
// -test.run=^TestHelperProcess$ and S360_RELIABILITY_HELPER naming the
// role). Run directly, it skips.
func TestHelperProcess(t *testing.T) {
	role := os.Getenv(helperEnv)
	if role == "" {
		t.Skip("the body of this package's child processes")
	}
	args := flag.Args()
	switch role {
	case "cli":
		// The real command line: s360gate's headless commands, with the
		// child's own stdin/stdout (pipes held by the parent test).
		os.Exit(cli.Run(context.Background(), args, os.Stdin, os.Stdout, os.Stderr, nil))
	case "scanner":
		os.Exit(scannerProcess(args))
	case "venue":
		// The real command line with the venue's lease shortened
		// (S360_VENUE_TTL): handovers in seconds, the rules unchanged.
		if ttl, err := time.ParseDuration(os.Getenv(venueTTLEnv)); err == nil {
			cli.VenueTuning = func(o *venue.Options) { o.LeaseTTL, o.TryEvery, o.HeartbeatEvery = ttl, ttl/10, ttl/2 }
		}
		os.Exit(cli.Run(context.Background(), args, os.Stdin, os.Stdout, os.Stderr, nil))
	}
	fmt.Fprintf(os.Stderr, "unknown helper role %q\n", role)
	os.Exit(2)
}
