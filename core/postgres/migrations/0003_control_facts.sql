-- 0002: a control keeps the facts of its verdict, not its words.
--
-- facts is core.Facts as JSON (NULL when there are none): the message is
-- said from the reason and the facts when it is shown, in the reader's
-- language, so that a control recorded at a French-speaking gate reads in
-- German at the desk. message keeps what 0001's stations wrote (English
-- words, shown as they are: core.DecodeFacts); new controls leave it empty.
ALTER TABLE controls ADD COLUMN facts text;
