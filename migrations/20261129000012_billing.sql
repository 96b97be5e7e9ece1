-- Subscriptions that bill themselves (issue 7: PRODUCT.md B1–B7, I5, I6; BILLING.md).

-- B3: the autopay policy is data: from `effective_from` on (by cycle start) autopay runs
-- `offset_days` after the cycle starts. New policies are rows, not code.
CREATE TABLE autopay_policies (
    effective_from  DATE PRIMARY KEY,
    offset_days     INTEGER NOT NULL CHECK (offset_days BETWEEN 0 AND 28)
);
INSERT INTO autopay_policies (effective_from, offset_days)
VALUES ('1970-01-01', 7), ('2024-06-24', 0);

-- A monthly subscription of a contract (satellite internet): B2 activation from shipment and
-- first connection, B1 cycles anchored on the activation day. `next_cycle_start` is the first
-- day of the next cycle to invoice: the billing run takes due rows with FOR UPDATE SKIP LOCKED
-- and moves it forward in the transaction that writes the invoice.
CREATE TABLE subscriptions (
    id                  BIGSERIAL PRIMARY KEY,
    contract_id         BIGINT NOT NULL UNIQUE REFERENCES contracts (id),
    shipped_on          DATE NOT NULL,
    first_connected_on  DATE CHECK (first_connected_on >= shipped_on),
    activated_on        DATE CHECK (activated_on >= shipped_on),
    next_cycle_start    DATE,
    payment_method      TEXT NOT NULL CHECK (payment_method IN ('card', 'sepa', 'mobile_money')),
    CONSTRAINT subscriptions_cycle_after_activation CHECK (
        (activated_on IS NULL) = (next_cycle_start IS NULL)
        AND (next_cycle_start IS NULL OR next_cycle_start >= activated_on)
    )
);
CREATE INDEX subscriptions_to_activate_idx ON subscriptions (shipped_on) WHERE activated_on IS NULL;
CREATE INDEX subscriptions_due_idx ON subscriptions (next_cycle_start)
    WHERE next_cycle_start IS NOT NULL;

-- B7 exactly once: one invoice per (subscription, cycle start), whatever runs it.
-- `autopay_on` is the day of the next automatic attempt (card, SEPA) or the day mobile money
-- asks for action; NULL when nothing is left to do.
ALTER TABLE invoices
    ADD COLUMN subscription_id   BIGINT REFERENCES subscriptions (id),
    ADD COLUMN autopay_on        DATE,
    ADD COLUMN autopay_attempts  INTEGER NOT NULL DEFAULT 0 CHECK (autopay_attempts >= 0);
CREATE UNIQUE INDEX invoices_once_per_cycle ON invoices (subscription_id, period_start)
    WHERE subscription_id IS NOT NULL;
CREATE INDEX invoices_autopay_idx ON invoices (autopay_on) WHERE autopay_on IS NOT NULL;

-- Every charge sent to the payment provider, automatic or from the portal, with its outcome.
CREATE TABLE payment_attempts (
    id                  BIGSERIAL PRIMARY KEY,
    invoice_id          BIGINT NOT NULL REFERENCES invoices (id),
    attempted_on        DATE NOT NULL,
    method              TEXT NOT NULL CHECK (method IN ('card', 'sepa', 'mobile_money')),
    automatic           BOOLEAN NOT NULL,
    outcome             TEXT NOT NULL CHECK (outcome IN ('succeeded', 'declined')),
    provider_reference  TEXT,
    decline_reason      TEXT,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX payment_attempts_invoice_idx ON payment_attempts (invoice_id);

-- Plan changes of a subscription (issue 7 item 7): the proration waits for the next invoice,
-- like the option changes in pending_charges.
CREATE TABLE plan_changes (
    id               BIGSERIAL PRIMARY KEY,
    subscription_id  BIGINT NOT NULL REFERENCES subscriptions (id),
    login_id         BIGINT REFERENCES logins (id) ON DELETE SET NULL,
    effective_on     DATE NOT NULL,
    cycle_start      DATE NOT NULL,
    cycle_end        DATE NOT NULL,
    old_tariff_id    BIGINT NOT NULL REFERENCES tariffs (id),
    new_tariff_id    BIGINT NOT NULL REFERENCES tariffs (id),
    old_price        NUMERIC(12, 2) NOT NULL,
    new_price        NUMERIC(12, 2) NOT NULL,
    amount           NUMERIC(12, 2) NOT NULL,
    invoice_id       BIGINT REFERENCES invoices (id),
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT plan_changes_in_cycle CHECK (effective_on BETWEEN cycle_start AND cycle_end),
    CONSTRAINT plan_changes_changes CHECK (old_tariff_id <> new_tariff_id)
);
CREATE INDEX plan_changes_unbilled_idx ON plan_changes (subscription_id) WHERE invoice_id IS NULL;

-- The built-in sandbox payment provider keeps its own ledger, as a real provider does on its
-- side: one row per idempotency key, so a repeated request gets the first answer and is never
-- charged twice (a billing run killed after the charge and rerun sends the same key).
CREATE TABLE sandbox_charges (
    idempotency_key  TEXT PRIMARY KEY,
    reference        TEXT NOT NULL UNIQUE,
    amount           NUMERIC(12, 2) NOT NULL,
    currency         CHAR(3) NOT NULL,
    method           TEXT NOT NULL,
    succeeded        BOOLEAN NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
