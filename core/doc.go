// Package core is the domain of s360gate: what exists at a gate (tickets,
// controls, verdicts, stations, rules) and the pure decisions made on them.
//
// Nothing here does I/O. The store (core/sqlite), the S-360 client
// (core/s360), the sync engine (core/syncer) and the GUI (ui) all speak these
// types, so that the decision a gate makes is the same whichever store or
// screen is behind it, and can be tested without either.
package core
