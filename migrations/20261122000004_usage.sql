-- Usage records (U1, I3): every data session, call, SMS, MMS and premium call of a contract.
-- Designed to be partitioned by month later (PARTITION BY RANGE (usage_date)): the partition
-- key is part of the primary key, and nothing references this table.
CREATE TABLE usage_records (
    id           BIGSERIAL,
    contract_id  BIGINT NOT NULL REFERENCES contracts (id),
    kind         TEXT NOT NULL CHECK (kind IN ('data', 'call', 'sms', 'mms', 'premium')),
    usage_date   DATE NOT NULL,
    started_at   TIMESTAMP NOT NULL,
    -- Megabytes for data, minutes for calls and premium calls, a count for SMS and MMS.
    quantity     NUMERIC(14, 3) NOT NULL CHECK (quantity >= 0),
    -- What was charged outside the bundle (gross), 0 when included.
    charge       NUMERIC(12, 2) NOT NULL DEFAULT 0 CHECK (charge >= 0),
    destination  TEXT,
    invoice_id   BIGINT REFERENCES invoices (id),
    PRIMARY KEY (id, usage_date),
    CONSTRAINT usage_records_day CHECK (usage_date = started_at::date)
);
-- The Usage tab filters by contract and period (and type): this serves each combination.
CREATE INDEX usage_records_contract_day_idx ON usage_records (contract_id, usage_date, kind);
-- The consumption behind one invoice (I3).
CREATE INDEX usage_records_invoice_idx ON usage_records (invoice_id) WHERE invoice_id IS NOT NULL;
