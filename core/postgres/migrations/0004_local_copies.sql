-- 0004: what the stations' local copies need (issue 16).

-- The venue's identity: a station's local copy belongs to one venue, and a
-- copy made of another one (the station joined elsewhere, the database was
-- made again) is started afresh rather than mixed with this one's.
CREATE TABLE venue_identity (
	id       int PRIMARY KEY CHECK (id = 1),
	venue_id text NOT NULL
);
INSERT INTO venue_identity VALUES (1, gen_random_uuid()::text);

-- Controls a station decided on its own (off_venue): only the tickets they
-- admitted can have double entries, so the double entries are looked for
-- there (postgres.DoubleEntries) rather than over every admission.
CREATE INDEX controls_off_venue ON controls (barcode) WHERE off_venue AND outcome = 'ADMIT';
