// Package venue makes a station a member of a venue: the stations share one
// PostgreSQL store (core/postgres) and one of them, elected, is the venue's
// only S-360 client. It composes what exists — the store's lease and fenced
// SyncerStore, the sync engine (core/syncer), the S-360 client (core/s360) —
// and adds the rules that make the election safe.
//
// # A joined station, complete
//
// OpenStation opens a joined station as the headless commands and the
// desktop app use it (Station: a core.Store and a core.Venue). It keeps
// the station's own SQLite store a copy of the venue (copy.go: a snapshot,
// then the venue's change feed), decides each scan through the venue
// within the station's fallback time and from the copy otherwise (gate.go:
// the control recorded under the id chosen before asking, marked
// OffVenue), pushes those controls once the venue answers again (link.go:
// idempotent by id, in order, the last ones under the gate's lock so that
// none is left behind), and tells subscribers of its link and the venue's
// status (watch.go). A station that cannot reach the venue at all keeps
// deciding from its copy, even across a restart.
//
// # Who does what
//
// Every member reports itself to the venue (Heartbeat) every few seconds:
// name, gate, direction, whether it may sync, its scans today, and its
// clock's offset from the database's. A member holding the S-360 password
// (in its own settings, never in the venue database) is a candidate: while
// no one holds the syncer's lease, or the holder's lease has lapsed, it
// takes it (a new epoch) and becomes the syncer until it loses it. The
// syncer runs the ordinary sync engine with the venue's S-360 settings (the
// venue row), on a SyncerStore fenced by its epoch: one cursor, one sync
// state (the call policy's clock) and one call log (the request budget)
// for the venue, whichever station syncs. When it dies, hangs or loses the
// network, its lease lapses (postgres.DefaultLeaseTTL, 10 s, after its
// last renewal) and another candidate takes over and goes on from the
// committed cursor.
//
// # Time
//
// The syncer's engine and client read the database's clock (this
// machine's plus the offset measured at each heartbeat): the call policy,
// the request budget and the lease are the venue's, whatever one laptop's
// clock says. How long the lease surely still holds is counted on this
// process's monotonic clock (postgres.Lease.Remaining), so a process that
// was paused sees it run out.
//
// # What a deposed syncer can still do
//
// The store refuses a deposed syncer's writes (the fence); only this
// package can stop its calls to S-360. The rules, with the lease's time
// left measured from before the last renewal was sent:
//
//   - every S-360 call runs under a context that ends stopMargin (a tenth of
//     the lease) before the lease could lapse, unless a renewal extended it
//     meanwhile: a syncer cut off from the database stops calling S-360 a
//     second before anyone can take over;
//   - every byte of a request goes through a connection that refuses to
//     write once that moment has passed (s360.Config.Conn): a process
//     paused just before sending and resumed after a handover sends nothing.
//     What remains is a pause inside that one write call, between the check
//     and the system call: at most the one request being written;
//   - an import (importControlledTicket) starts only when the lease holds
//     for its whole timeout plus the time to store S-360's answer, and the
//     answer is stored with retries until the lease is surely gone.
//
// # Never a batch twice
//
// Between S-360 importing a batch and the venue storing that it did, the
// syncer can die, be paused or lose the database: the next syncer would
// find the controls pending and send them again. So before each import the
// syncer records the batch (postgres.SyncerStore.BeginUpload, fenced) and
// clears the record once the answer is stored. Whoever finds a record left
// behind — the next syncer, or the same one after an import whose answer
// it lost — asks S-360 about one control of the batch (getControlledTicket,
// one request) before sending anything: S-360's calls are transactional
// [doc], so that control tells whether the whole batch was imported. If it
// was, the batch is marked uploaded and not sent again. What remains
// rests on two facts: S-360 lists an imported control among the ticket's
// control operations with its time to the second [doc, the time assumed],
// and no other control of that ticket has the same second, result and
// device (an admission is preferred as the probe: a ticket is admitted
// once). A probe S-360 cannot answer about (a ticket it does not know)
// leaves the batch to be sent again, as a station alone would.
//
// # Seams
//
// LocalCopy is where issue 16's local copy plugs in: every member calls it
// at each heartbeat, and reports its Pending count to the venue.
package venue
