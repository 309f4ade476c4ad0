// Package reliability holds the station's reliability tests: a station that
// is killed, an S-360 that misbehaves or disappears for a whole event, and
// many scanners on one store. It has no code of its own; everything is in
// its _test.go files, which drive the real pieces: the S-360 simulator
// (core/s360sim) behind a recording HTTP server, the REST client
// (core/s360), the sync engine (core/syncer), the SQLite store (core/sqlite)
// and the headless command line (core/cli), in this process or in child
// processes.
//
// # What is tested
//
// TestCrashDuringExport: a child process running `s360gate sync --once`
// against a 200,000-ticket stadium (20,000 under -race) is killed with
// SIGKILL at ten random points of its first export and restarted each time;
// a last run finishes. The simulator, in the test process, sees every
// request. Each restarted run asks first for exactly the cursor the store had
// committed at the kill, then only for later ones (no page is fetched again
// once its cursor is committed; only the page in flight at a kill is), and
// the finished store equals the simulator's list: every barcode once, none
// missing or extra, each with the state the GREY order gives.
//
// TestCrashAtTheGate: a child process running `s360gate scan` through
// stdin/stdout pipes is killed right after printing verdicts, with scans
// still queued, ten times. Every printed verdict (controlId) is in the store
// after the kill, no ticket is ever admitted twice, and after syncing S-360
// holds every control once, each acknowledged in exactly one import (counted
// on the wire per barcode and control date).
//
// TestFaultsMisbehavingS360: the engine syncs through an S-360 answering 30%
// of requests with HTTP 5xx, cutting and garbling answers, hanging for 10 s
// (the client gives up after 2 s), refusing beyond 20 requests a minute
// (509), and changing the password for a few cycles. A goroutine scans at a
// steady rate throughout. The list ends complete, every control uploaded and
// acknowledged once, every kind of fault met, and the scans' p99 under 50 ms
// (see scanP99Limit for why that bound).
//
// TestOfflineDay: S-360 unreachable (connection refused) for a simulated
// four-hour event with 5,000 scans, the engine trying every minute. Each
// control is Offline exactly when the last contact with S-360 is older than
// the staleness limit, and S-360 finally receives OFFLINE_OK/OFFLINE_FAIL for
// those; when S-360 is back everything is uploaded once, in ceil(n/batch)
// imports plus retries, never more than 60 requests in a minute of simulated
// time.
//
// TestConcurrencyScanners: goroutines on two *sqlite.DB handles of one file,
// a child process with a third, a helpdesk and the sync engine, all at once
// on the same tickets for S360_SOAK (default 5 s). Each ticket is admitted at
// most once, every ADMIT answered is recorded, nothing else is, and the race
// detector stays quiet (the child processes are instrumented too).
//
// TestVenueScanProcesses, TestVenueSyncerKilled, TestVenuePausedSyncer and
// TestStandaloneStationsInterleave run a venue: a real PostgreSQL server the
// tests start (core/postgres/pgtest), stations made by `venue init` and
// `venue join`, and child processes running `s360gate scan` and `s360gate
// sync` with the syncer's lease shortened to 2 s (cli.VenueTuning). Scan
// processes admit each ticket once; the syncer is SIGKILLed ten times
// mid-export and three times between S-360 taking an import and its answer
// (cursor never back, the list equal to S-360's, every control imported
// once, the request budget kept on S-360's side, one cursor chain, no call
// before the dead syncer's lease lapsed); a paused syncer resumed after a
// handover is fenced, steps down and sends S-360 nothing; two standalone
// stations on one product show up as two interleaved cursor chains.
//
// Simulated time: the faults and offline tests share one clock between the
// simulator (its rate limit, token checks), the client, the engine and the
// scans; injected sleeps move it instead of waiting, so minutes of back-off
// and hours of an event take seconds.
//
// # Running
//
//	go test -race ./core/reliability/                   # everything, about 3.5 min on 2 cores
//	go test -race -short ./core/reliability/            # the quick part only (concurrency 1 s, venue scans)
//	go test -race -run 'TestVenue|TestStandalone' ./core/reliability/   # the venue's
//	S360_SOAK=60s go test -race -run TestConcurrency ./core/reliability/
//
// Every random choice is seeded and the seed is logged; to replay a failure,
// set S360_CRASH_SEED, S360_FAULTS_SEED, S360_OFFLINE_SEED,
// S360_CONCURRENCY_SEED or S360_VENUE_SEED to it. S360_CRASH_TICKETS and
// S360_CRASH_KILLS change the crash test's stadium and number of kills,
// S360_OFFLINE_SCANS the offline day's scans, S360_VENUE_STATIONS,
// S360_VENUE_KILLS and S360_VENUE_UPLOAD_KILLS the venue's stations and
// deaths. Child processes are this package's test binary run
// again (TestHelperProcess); they are killed when a test ends, failed or not.
package reliability
