-- Failed linking proofs also count per target, over every login (issue 24 item 4): the
-- customer number a contract password was tried for, the line (normalised phone number) a code
-- was tried for. Too many against one target pause linking it until its holder allows it again
-- (`released`) or the window passes. The per-login count keeps every row, released or not.
ALTER TABLE link_attempts
    ADD COLUMN target   TEXT,
    ADD COLUMN released BOOLEAN NOT NULL DEFAULT false;
CREATE INDEX link_attempts_target_idx ON link_attempts (kind, target, created_at DESC)
    WHERE target IS NOT NULL AND NOT released;

-- The holder is told in the inbox when linking of the number or a line pauses.
ALTER TABLE messages DROP CONSTRAINT messages_kind_check;
ALTER TABLE messages ADD CONSTRAINT messages_kind_check
    CHECK (kind IN ('provider', 'alert', 'linking_code', 'move_status', 'security'));
