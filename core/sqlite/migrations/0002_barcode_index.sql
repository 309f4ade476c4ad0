-- 0002: a barcode is unique through a named index, tickets_barcode, rather
-- than the table's PRIMARY KEY, so that an export into an empty store can
-- drop the index and build it once at the end (see core/sqlite/bulk.go):
-- sorting a million barcodes once costs a fraction of inserting them one
-- by one at random places of a B-tree. The table is rebuilt with its rows
-- and rowids (TicketCounts relies on rowids being 1..n).
CREATE TABLE tickets_v2 (
	barcode                    TEXT NOT NULL CHECK (barcode <> ''),
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
	first_key                  TEXT,
	last_key                   TEXT,
	rejected_by_s360           TEXT,
	raw                        BLOB,
	updated_at                 INTEGER NOT NULL
);
INSERT INTO tickets_v2 (rowid, barcode, state, cancellation_cause, audience_sub_category_code,
	tax_number, entrance_code, container_id, season_code, product_code, performance_code,
	sector, block, seat_row, seat, valid_from, valid_to,
	holder_first_name, holder_last_name, holder_id_number, holder_birth_date, holder_country_code,
	first_key, last_key, rejected_by_s360, raw, updated_at)
SELECT rowid, barcode, state, cancellation_cause, audience_sub_category_code,
	tax_number, entrance_code, container_id, season_code, product_code, performance_code,
	sector, block, seat_row, seat, valid_from, valid_to,
	holder_first_name, holder_last_name, holder_id_number, holder_birth_date, holder_country_code,
	first_key, last_key, rejected_by_s360, raw, updated_at
FROM tickets ORDER BY rowid;
DROP TABLE tickets;
ALTER TABLE tickets_v2 RENAME TO tickets;
-- The same definition as barcodeIndexSQL in bulk.go (a test compares them).
CREATE UNIQUE INDEX tickets_barcode ON tickets (barcode);
CREATE INDEX tickets_tax_number ON tickets (tax_number) WHERE tax_number IS NOT NULL;
CREATE INDEX tickets_container ON tickets (container_id) WHERE container_id IS NOT NULL;
CREATE INDEX tickets_last_key ON tickets (last_key) WHERE last_key IS NOT NULL;
CREATE INDEX tickets_first_key ON tickets (first_key) WHERE first_key IS NOT NULL;
CREATE INDEX tickets_not_valid ON tickets (state)
	WHERE state <> 'VALID' OR rejected_by_s360 IS NOT NULL;
