-- 0003: the institution's time zone, and names of several words.

-- The zone getTimeZone named (IANA name as sent; '' when never known) and
-- when it was last asked: event day, times without an offset and the times
-- shown are the venue's (core/zone.go).
ALTER TABLE sync_state ADD COLUMN time_zone TEXT NOT NULL DEFAULT '';
ALTER TABLE sync_state ADD COLUMN time_zone_at INTEGER;

-- Apostrophes are one character in the search keys: S-360 may send
-- "O’Brien" and the desk type "O'Brien", or the other way round (fold in
-- lookup.go does the same for new tickets).
UPDATE tickets SET
	first_key = replace(replace(replace(replace(replace(first_key,
		char(8217), ''''), char(8216), ''''), char(700), ''''), '`', ''''), char(180), ''''),
	last_key = replace(replace(replace(replace(replace(last_key,
		char(8217), ''''), char(8216), ''''), char(700), ''''), '`', ''''), char(180), '''')
WHERE first_key GLOB ('*[' || char(8217, 8216, 700, 180) || '`]*')
	OR last_key GLOB ('*[' || char(8217, 8216, 700, 180) || '`]*');

-- Names of several words ("Da Silva", "O'Brien", "Müller-Lüdenscheidt"):
-- the dispute desk finds them by a later word too ("Silva"). Only these
-- few tickets are in these indexes, which the search scans for a word
-- inside a name (the same expressions as nameWordsWhere in lookup.go).
CREATE INDEX tickets_last_words ON tickets (last_key)
	WHERE instr(last_key, ' ') OR instr(last_key, '-') OR instr(last_key, '''');
CREATE INDEX tickets_first_words ON tickets (first_key)
	WHERE instr(first_key, ' ') OR instr(first_key, '-') OR instr(first_key, '''');
