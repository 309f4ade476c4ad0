-- 0005: a station of a venue keeps, in a store of its own, a copy of the
-- venue: its ticket list and its controls (who is already inside), caught
-- up from the venue's change feed. When the venue's database cannot be
-- reached the station decides from it, alone, and pushes those controls
-- when the venue answers again (core/venue). A station on its own never
-- sets these columns.

-- off_venue: decided by its station alone, from its copy of the venue.
-- unpushed: one this station decided so and has not stored in the venue
-- yet (it is pushed in the order it was recorded: rowid).
ALTER TABLE controls ADD COLUMN off_venue INTEGER NOT NULL DEFAULT 0;
ALTER TABLE controls ADD COLUMN unpushed INTEGER NOT NULL DEFAULT 0;
CREATE INDEX controls_unpushed ON controls (unpushed) WHERE unpushed = 1;

-- venue_copy says which venue this store is a copy of, and how far it has
-- caught up: the positions in the venue's changes of the last ticket and
-- control copied, each written in the transaction that copied them. filled:
-- the first fill ended. settings: the venue's S-360 settings (JSON), and
-- clock_offset the venue's clock minus this machine's (nanoseconds), so
-- that a station that starts while its venue cannot be reached still
-- decides by its rules and clock.
CREATE TABLE venue_copy (
	id           INTEGER PRIMARY KEY CHECK (id = 1),
	venue        TEXT NOT NULL,
	filled       INTEGER NOT NULL DEFAULT 0,
	tickets_pos  TEXT NOT NULL DEFAULT '',
	controls_pos TEXT NOT NULL DEFAULT '',
	settings     TEXT NOT NULL DEFAULT '',
	clock_offset INTEGER NOT NULL DEFAULT 0,
	copied_at    INTEGER
);
