-- 0001: the venue's store, shared by every station of a venue. The same
-- facts as a station's SQLite store (core/sqlite/migrations), plus what
-- many stations and one elected S-360 client need: the syncer's lease, the
-- stations, the venue's S-360 settings, and change positions so that a
-- station's local copy catches up reading only what changed.
--
-- Times are timestamptz (microseconds, like the SQLite store), NULL when
-- unknown. Text that is searched by range or sorted is COLLATE "C": bytes
-- compare as in SQLite (BINARY), whatever the database's locale.

-- A change position is (change_xid, change_seq): the id of the transaction
-- that last wrote the row, then a sequence number in it. Catching up reads
-- rows above the last position seen and below the oldest transaction still
-- running (see changes.go): a plain sequence would not do, because numbers
-- are handed out before commit and a reader could pass one whose
-- transaction commits later.
CREATE SEQUENCE change_seq;

-- tickets is the exported list, one row per barcode (the last item S-360
-- sent for it). Empty strings are NULL.
CREATE TABLE tickets (
	barcode                    text COLLATE "C" PRIMARY KEY CHECK (barcode <> ''),
	-- S-360's order of first arrival (SQLite's rowid): the members of a
	-- container are listed in it
	arrival                    bigint GENERATED ALWAYS AS IDENTITY,
	state                      text NOT NULL,
	cancellation_cause         text,
	audience_sub_category_code text,
	tax_number                 text COLLATE "C",
	entrance_code              text,
	container_id               text COLLATE "C",
	season_code                text,
	product_code               text,
	performance_code           text,
	sector                     text,
	block                      text,
	seat_row                   text,
	seat                       text,
	valid_from                 timestamptz,
	valid_to                   timestamptz,
	holder_first_name          text,
	holder_last_name           text,
	holder_id_number           text,
	holder_birth_date          text,
	holder_country_code        text,
	-- lower-cased, accent-free names for the dispute desk's prefix search,
	-- folded in Go exactly as the SQLite store does (core.FoldName)
	first_key                  text COLLATE "C",
	last_key                   text COLLATE "C",
	-- S-360's words when it refused a control of this ticket; local
	-- knowledge that a re-export never repeats, kept across upserts
	rejected_by_s360           text,
	-- what the decoder did not understand of the item, byte for byte
	raw                        bytea,
	updated_at                 timestamptz NOT NULL DEFAULT now(),
	change_xid                 bigint NOT NULL DEFAULT pg_current_xact_id()::text::bigint,
	change_seq                 bigint NOT NULL DEFAULT nextval('change_seq')
);
-- the dispute desk types a taxNumber as printed, in any case
CREATE INDEX tickets_tax_number ON tickets (lower(tax_number)) WHERE tax_number IS NOT NULL;
CREATE INDEX tickets_container ON tickets (container_id, arrival) WHERE container_id IS NOT NULL;
CREATE INDEX tickets_last_key ON tickets (last_key) WHERE last_key IS NOT NULL;
CREATE INDEX tickets_first_key ON tickets (first_key) WHERE first_key IS NOT NULL;
-- holders whose first or last name has several words (Da Silva, O'Brien):
-- the dispute desk finds them by any word (postgres.Lookup, nameWordsWhere).
CREATE INDEX tickets_name_words ON tickets (arrival) WHERE (first_key ~ '[ ''-]' OR last_key ~ '[ ''-]');
-- only the few tickets that cannot admit: TicketCounts counts them here
CREATE INDEX tickets_not_valid ON tickets (state)
	WHERE state <> 'VALID' OR rejected_by_s360 IS NOT NULL;
CREATE INDEX tickets_change ON tickets (change_xid, change_seq);

-- ticket_total is the number of rows of tickets, kept by the transactions
-- that add rows (tickets are never deleted): counting a million rows at
-- every status refresh of every station would cost a venue server more.
CREATE TABLE ticket_total (
	id    int PRIMARY KEY CHECK (id = 1),
	total bigint NOT NULL
);
INSERT INTO ticket_total VALUES (1, 0);

-- controls is the venue's gate log. barcode has no foreign key on purpose:
-- a control must be recordable whatever the ticket list holds. id is made
-- by the station (a UUID), so that a station's push of controls it decided
-- on its own is idempotent (ON CONFLICT (id) DO NOTHING).
CREATE TABLE controls (
	id              text COLLATE "C" PRIMARY KEY CHECK (id <> ''),
	-- order of arrival in this table: ties of "at" are broken by it
	n               bigint GENERATED ALWAYS AS IDENTITY,
	at              timestamptz NOT NULL,
	station         text NOT NULL,
	gate            text NOT NULL DEFAULT '',
	direction       text NOT NULL,
	scanned         text NOT NULL,
	barcode         text COLLATE "C",
	outcome         text NOT NULL,
	reason          text NOT NULL,
	message         text NOT NULL,
	override        boolean NOT NULL DEFAULT false,
	override_reason text,
	-- the denied control an override admits (one override per denial)
	override_of     text COLLATE "C",
	offline         boolean NOT NULL DEFAULT false,
	upload_state    text NOT NULL,
	upload_detail   text,
	uploaded_at     timestamptz,
	-- the syncer's epoch that recorded S-360's answer (see lease)
	upload_epoch    bigint,
	-- decided by the station alone, from its local copy, while it could not
	-- reach this database (and pushed later)
	off_venue       boolean NOT NULL DEFAULT false,
	-- when this database received it, by its own clock
	recorded_at     timestamptz NOT NULL DEFAULT now(),
	change_xid      bigint NOT NULL DEFAULT pg_current_xact_id()::text::bigint,
	change_seq      bigint NOT NULL DEFAULT nextval('change_seq')
);
CREATE INDEX controls_barcode_at ON controls (barcode, at, n) WHERE barcode IS NOT NULL;
CREATE INDEX controls_pending ON controls (at, n) WHERE upload_state = 'pending';
CREATE INDEX controls_rejected ON controls (at) WHERE upload_state = 'rejected';
CREATE INDEX controls_at ON controls (at, n);
CREATE INDEX controls_override_of ON controls (override_of) WHERE override_of IS NOT NULL;
CREATE INDEX controls_change ON controls (change_xid, change_seq);

-- Double entries: a ticket let in again when Decide would have said
-- ALREADY_USED had it seen the first entry — which through this database it
-- always does, so these come from stations deciding on their own while the
-- venue could not be reached. A supervisor's override is a decision, not a
-- double entry, but it counts as an entry for the next one.
--
-- Single entry: every entry after the ticket's first.
CREATE VIEW double_entries AS
SELECT s.barcode, f.id AS first_id, s.id AS second_id
FROM (SELECT id, barcode, reason,
		first_value(id) OVER (PARTITION BY barcode ORDER BY at, n) AS first_id,
		row_number() OVER (PARTITION BY barcode ORDER BY at, n) AS k
	FROM controls
	WHERE barcode IS NOT NULL AND outcome = 'ADMIT' AND direction = 'in') s
JOIN controls f ON f.id = s.first_id
WHERE s.k > 1 AND s.reason <> 'OVERRIDE';
-- Re-entry allowed: an entry whose previous admission was an entry too
-- (the person never left).
CREATE VIEW double_entries_reentry AS
SELECT s.barcode, s.prev_id AS first_id, s.id AS second_id
FROM (SELECT id, barcode, reason, direction,
		lag(id) OVER w AS prev_id, lag(direction) OVER w AS prev_direction
	FROM controls
	WHERE barcode IS NOT NULL AND outcome = 'ADMIT'
	WINDOW w AS (PARTITION BY barcode ORDER BY at, n)) s
WHERE s.direction = 'in' AND s.prev_direction = 'in' AND s.reason <> 'OVERRIDE';

-- cursors keeps S-360's paginationEnd per export (season/products set),
-- with the syncer's epoch that wrote it.
CREATE TABLE cursors (
	key        text PRIMARY KEY,
	cursor     text NOT NULL,
	epoch      bigint NOT NULL DEFAULT 0,
	updated_at timestamptz NOT NULL DEFAULT now()
);

-- calls are the requests made to S-360 by whichever station was the syncer:
-- the call policy and the request budget are the venue's, not a laptop's.
CREATE TABLE calls (
	n           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	method      text NOT NULL,
	at          timestamptz NOT NULL,
	ok          boolean NOT NULL,
	detail      text NOT NULL DEFAULT '',
	duration    bigint NOT NULL DEFAULT 0, -- nanoseconds
	budgeted    boolean NOT NULL DEFAULT false,
	station     text NOT NULL DEFAULT '',
	recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX calls_at ON calls (at, n);

-- sync_state is the syncer's memory, the venue's: exactly one row.
CREATE TABLE sync_state (
	id              int PRIMARY KEY CHECK (id = 1),
	last_cycle      timestamptz,
	last_export_ok  timestamptz,
	last_upload_ok  timestamptz,
	last_error      text NOT NULL DEFAULT '',
	last_error_at   timestamptz,
	export_complete boolean NOT NULL DEFAULT false,
	time_zone       text NOT NULL DEFAULT '',   -- the institution's, from getTimeZone
	time_zone_at    timestamptz,
	epoch           bigint NOT NULL DEFAULT 0
);
INSERT INTO sync_state (id) VALUES (1);

-- audit records who looked what up at the dispute desk.
CREATE TABLE audit (
	n     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	at    timestamptz NOT NULL,
	who   text NOT NULL,
	query text NOT NULL
);
CREATE INDEX audit_at ON audit (at, n);

-- lease elects the venue's one S-360 client: exactly one row. A candidate
-- takes it when it is free or expired, by PostgreSQL's clock (now()), never
-- a laptop's; every take adds one to epoch, the fencing token that every
-- cursor commit and upload acknowledgment checks in its own transaction.
CREATE TABLE lease (
	id          int PRIMARY KEY CHECK (id = 1),
	epoch       bigint NOT NULL DEFAULT 0,
	station     text NOT NULL DEFAULT '',
	instance    text NOT NULL DEFAULT '', -- the holder's process (a station may restart)
	ttl         interval NOT NULL DEFAULT '0',
	acquired_at timestamptz,
	renewed_at  timestamptz,
	expires_at  timestamptz
);
INSERT INTO lease (id) VALUES (1);

-- stations are the venue's stations as they last reported themselves.
CREATE TABLE stations (
	name         text PRIMARY KEY,
	gate         text NOT NULL DEFAULT '',
	direction    text NOT NULL DEFAULT 'in',
	candidate    boolean NOT NULL DEFAULT false, -- holds the S-360 password
	version      text NOT NULL DEFAULT '',
	scans_today  int NOT NULL DEFAULT 0,
	pending      int NOT NULL DEFAULT 0, -- local controls not pushed yet
	clock_offset bigint NOT NULL DEFAULT 0, -- its clock minus this database's, ns
	first_heard  timestamptz NOT NULL DEFAULT now(),
	last_heard   timestamptz NOT NULL DEFAULT now()
);

-- venue holds the venue's S-360 settings (core.VenueSettings as JSON):
-- never a password, which the type cannot even carry.
CREATE TABLE venue (
	id         int PRIMARY KEY CHECK (id = 1),
	settings   jsonb NOT NULL,
	updated_at timestamptz NOT NULL DEFAULT now(),
	updated_by text NOT NULL DEFAULT ''
);
