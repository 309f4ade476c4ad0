-- 0002: the syncer's upload in doubt. Before each importControlledTicket
-- call the syncer records which controls it is sending (fenced, like its
-- other writes); it clears the record once S-360's answer is stored. A
-- record left behind names a batch whose outcome this venue does not know:
-- its syncer died, was paused or lost the network between sending and
-- storing the answer. Whoever syncs next asks S-360 (getControlledTicket)
-- about one control of it before sending anything: S-360's calls are
-- transactional, so one control tells whether the whole batch was
-- imported, and a batch is never sent twice (see core/venue).
CREATE TABLE upload_intent (
	id         int PRIMARY KEY CHECK (id = 1),
	epoch      bigint NOT NULL,
	station    text NOT NULL,
	ids        text[] NOT NULL,
	started_at timestamptz NOT NULL DEFAULT now()
);

-- Which process made each S-360 call (DB.instance), so that the syncer can
-- add the calls of every other process — another station's `lookup
-- --remote`, the same station's desk — to its request budget while it runs.
ALTER TABLE calls ADD COLUMN instance text NOT NULL DEFAULT '';
