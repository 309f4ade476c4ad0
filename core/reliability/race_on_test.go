//go:build race

package reliability

// raceEnabled: the race detector slows the pure-Go SQLite (modernc) about
// twentyfold; the heaviest tests scale their sizes down under it.
const raceEnabled = true
