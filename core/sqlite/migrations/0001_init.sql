-- 0001: the station's store. Times are INTEGER microseconds since the Unix
-- epoch (NULL when unknown): an integer compares and indexes cheaply, and
-- microseconds still cover S-360's "valid until 9999-12-31" where
-- nanoseconds would overflow.

-- tickets is the exported list, one row per barcode (the last item S-360
-- sent for it). Empty strings are stored as NULL: a NULL binds without a
-- copy, and the partial indexes below then skip tickets without the field.
CREATE TABLE tickets (
	barcode                    TEXT PRIMARY KEY NOT NULL CHECK (barcode <> ''),
	state                      TEXT NOT NULL,
	cancellation_cause         TEXT,
	audience_sub_category_code TEXT,
	-- the dispute desk types it as printed, in any case
	tax_number                 TEXT COLLATE NOCASE,
	entrance_code              TEXT,
	container_id               TEXT,
	season_code                TEXT,
	product_code               TEXT,
	performance_code           TEXT,
	sector                     TEXT,
	block                      TEXT,
	seat_row                   TEXT,
	seat                       TEXT,
	valid_from                 INTEGER,
	valid_to                   INTEGER,
	holder_first_name          TEXT,
	holder_last_name           TEXT,
	holder_id_number           TEXT,
	holder_birth_date          TEXT,
	holder_country_code        TEXT,
	-- lower-cased, accent-free names for the dispute desk's prefix search
	-- (SQLite's lower() only knows ASCII; the folding is done in Go)
	first_key                  TEXT,
	last_key                   TEXT,
	-- S-360's words when it refused a control of this ticket; local
	-- knowledge that a re-export never repeats, kept across upserts
	rejected_by_s360           TEXT,
	-- the item exactly as S-360 sent it (fields we do not know yet)
	raw                        BLOB,
	updated_at                 INTEGER NOT NULL
);
CREATE INDEX tickets_tax_number ON tickets (tax_number) WHERE tax_number IS NOT NULL;
CREATE INDEX tickets_container ON tickets (container_id) WHERE container_id IS NOT NULL;
CREATE INDEX tickets_last_key ON tickets (last_key) WHERE last_key IS NOT NULL;
CREATE INDEX tickets_first_key ON tickets (first_key) WHERE first_key IS NOT NULL;
-- Only the (few) tickets that cannot admit are indexed: TicketCounts counts
-- them from this small index and the total from the table's smallest index.
CREATE INDEX tickets_not_valid ON tickets (state)
	WHERE state <> 'VALID' OR rejected_by_s360 IS NOT NULL;

-- controls is the gate's log. barcode has no foreign key on purpose: a
-- control must be recordable whatever the ticket list holds (unknown codes,
-- a ticket re-exported or removed later).
CREATE TABLE controls (
	id              TEXT PRIMARY KEY NOT NULL,
	at              INTEGER NOT NULL,
	station         TEXT NOT NULL,
	gate            TEXT NOT NULL DEFAULT '',
	direction       TEXT NOT NULL,
	scanned         TEXT NOT NULL,
	barcode         TEXT,
	outcome         TEXT NOT NULL,
	reason          TEXT NOT NULL,
	message         TEXT NOT NULL,
	override        INTEGER NOT NULL DEFAULT 0,
	override_reason TEXT,
	-- the denied control an override admits (one override per denial)
	override_of     TEXT,
	offline         INTEGER NOT NULL DEFAULT 0,
	upload_state    TEXT NOT NULL,
	upload_detail   TEXT,
	uploaded_at     INTEGER
);
CREATE INDEX controls_barcode_at ON controls (barcode, at) WHERE barcode IS NOT NULL;
CREATE INDEX controls_pending ON controls (upload_state, at) WHERE upload_state = 'pending';
-- refusals are rare: a tiny index makes their count instant
CREATE INDEX controls_rejected ON controls (at) WHERE upload_state = 'rejected';
CREATE INDEX controls_at ON controls (at);
CREATE INDEX controls_override_of ON controls (override_of) WHERE override_of IS NOT NULL;

-- cursors keeps S-360's paginationEnd per export (season/products set).
CREATE TABLE cursors (
	key        TEXT PRIMARY KEY NOT NULL,
	cursor     TEXT NOT NULL,
	updated_at INTEGER NOT NULL
);

-- calls are the requests made to S-360, so that rate limits survive restarts.
CREATE TABLE calls (
	method   TEXT NOT NULL,
	at       INTEGER NOT NULL,
	ok       INTEGER NOT NULL,
	detail   TEXT NOT NULL DEFAULT '',
	duration INTEGER NOT NULL DEFAULT 0 -- nanoseconds
);
CREATE INDEX calls_at ON calls (at);

-- sync_state is the engine's memory: exactly one row.
CREATE TABLE sync_state (
	id             INTEGER PRIMARY KEY CHECK (id = 1),
	last_cycle     INTEGER,
	last_export_ok INTEGER,
	last_upload_ok INTEGER,
	last_error     TEXT NOT NULL DEFAULT '',
	last_error_at  INTEGER,
	export_complete INTEGER NOT NULL DEFAULT 0
);
INSERT INTO sync_state (id) VALUES (1);

-- audit records who looked what up at the dispute desk.
CREATE TABLE audit (
	at    INTEGER NOT NULL,
	who   TEXT NOT NULL,
	query TEXT NOT NULL
);
CREATE INDEX audit_at ON audit (at);
