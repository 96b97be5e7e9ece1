-- Notices by mail (issue 27 item 5). Every inbox message (M2) of a household is also mailed to
-- its holder logins, unless a login turned that kind off (`notice_preferences`; security mails
-- cannot be turned off, linking codes never go by mail: their SMS is the channel). The mail
-- worker claims unmailed messages with FOR UPDATE SKIP LOCKED and marks them in the
-- transaction that queues their mails, so each is mailed once. New invoices get their inbox
-- message from the same worker (`notified_at`), whoever wrote them: the billing run, a hosting
-- upgrade, a provider's system.
ALTER TABLE messages DROP CONSTRAINT messages_kind_check;
ALTER TABLE messages ADD CONSTRAINT messages_kind_check
    CHECK (kind IN ('provider', 'alert', 'linking_code', 'move_status', 'security', 'invoice',
                    'appointment'));
ALTER TABLE messages ADD COLUMN mailed_at TIMESTAMPTZ;
UPDATE messages SET mailed_at = created_at;
CREATE INDEX messages_unmailed_idx ON messages (id) WHERE mailed_at IS NULL;

ALTER TABLE invoices ADD COLUMN notified_at TIMESTAMPTZ;
UPDATE invoices SET notified_at = created_at;
CREATE INDEX invoices_unnotified_idx ON invoices (id) WHERE notified_at IS NULL;

-- What a login does not want by mail (no row: mailed). Only the optional kinds have rows.
CREATE TABLE notice_preferences (
    login_id  BIGINT NOT NULL REFERENCES logins (id) ON DELETE CASCADE,
    kind      TEXT NOT NULL CHECK (kind IN ('provider', 'invoice', 'alert', 'appointment', 'move_status')),
    by_mail   BOOLEAN NOT NULL,
    PRIMARY KEY (login_id, kind)
);
