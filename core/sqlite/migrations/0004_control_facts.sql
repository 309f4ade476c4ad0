-- 0004: a control keeps the facts of its verdict, not its words.
--
-- facts is core.Facts as JSON (NULL when there are none): the message is
-- said from the reason and the facts when it is shown, in the reader's
-- language. message keeps only what an older s360gate wrote and this
-- upgrade could not read back into facts (legacy.go, run right after this
-- file in the same transaction); new controls leave it empty.
ALTER TABLE controls ADD COLUMN facts TEXT;
