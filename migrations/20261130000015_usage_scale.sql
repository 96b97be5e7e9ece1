-- Usage at scale (issue 10, QUALITY.md "Data scale"): usage records partitioned by month, and
-- per-day rollups kept by the database on every insert, update and delete, so totals, the
-- daily chart and the invoice preview read one row per contract, day and kind instead of
-- every record.

-- 1. The partitioned table, under the old name; the old table is copied into it and dropped.
ALTER TABLE usage_records RENAME TO usage_records_v1;
ALTER TABLE usage_records_v1 RENAME CONSTRAINT usage_records_pkey TO usage_records_v1_pkey;
ALTER INDEX usage_records_contract_day_idx RENAME TO usage_records_v1_contract_day_idx;
ALTER INDEX usage_records_invoice_idx RENAME TO usage_records_v1_invoice_idx;

CREATE TABLE usage_records (
    id           BIGINT NOT NULL DEFAULT nextval('usage_records_id_seq'),
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
) PARTITION BY RANGE (usage_date);
ALTER SEQUENCE usage_records_id_seq OWNED BY usage_records.id;

-- Filters by contract, days and kind; the billing run's "records of this cycle".
CREATE INDEX usage_records_contract_day_idx ON usage_records (contract_id, usage_date, kind);
-- The Usage tab's page of 50, newest first: read from the index's end, 50 entries.
CREATE INDEX usage_records_contract_time_idx ON usage_records (contract_id, started_at, id);
-- The consumption behind one invoice (I3).
CREATE INDEX usage_records_invoice_idx ON usage_records (invoice_id) WHERE invoice_id IS NOT NULL;

-- Rows of a month without its partition land here (a direct INSERT that did not ask for the
-- month first); creating the month's partition moves them.
CREATE TABLE usage_records_default PARTITION OF usage_records DEFAULT;

-- Creates the partition of the month of `day` if it is missing (idempotent, safe under
-- concurrency). `repo::usage::ingest` calls it for the months of every batch.
CREATE FUNCTION usage_records_ensure_month(day DATE) RETURNS VOID
LANGUAGE plpgsql AS $$
DECLARE
    first_day DATE := date_trunc('month', day)::date;
    next_first DATE := (date_trunc('month', day) + interval '1 month')::date;
    part TEXT := format('usage_records_%s', to_char(day, 'YYYY_MM'));
BEGIN
    IF to_regclass(part) IS NOT NULL THEN
        RETURN;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('usage_records_ensure_month'));
    IF to_regclass(part) IS NOT NULL THEN
        RETURN;
    END IF;
    EXECUTE format('CREATE TABLE %I (LIKE usage_records INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part);
    -- Rows of the month that went to the default partition move with it (partition to
    -- partition: the rollups, kept by the parent's statement triggers, are not touched).
    EXECUTE format(
        'WITH moved AS (DELETE FROM usage_records_default WHERE usage_date >= %L AND usage_date < %L RETURNING *)
         INSERT INTO %I SELECT * FROM moved', first_day, next_first, part);
    EXECUTE format('ALTER TABLE usage_records ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
                   part, first_day, next_first);
END $$;

-- 2. Per-day rollups: one row per contract, day and kind.
CREATE TABLE usage_daily (
    contract_id  BIGINT NOT NULL REFERENCES contracts (id),
    usage_date   DATE NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('data', 'call', 'sms', 'mms', 'premium')),
    records      BIGINT NOT NULL CHECK (records >= 0),
    quantity     NUMERIC(18, 3) NOT NULL,
    charge       NUMERIC(16, 2) NOT NULL,
    PRIMARY KEY (contract_id, usage_date, kind)
);

CREATE FUNCTION usage_daily_add() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO usage_daily AS d (contract_id, usage_date, kind, records, quantity, charge)
    SELECT contract_id, usage_date, kind, count(*), sum(quantity), sum(charge)
      FROM new_rows GROUP BY contract_id, usage_date, kind
     ORDER BY contract_id, usage_date, kind
    ON CONFLICT (contract_id, usage_date, kind) DO UPDATE
       SET records = d.records + EXCLUDED.records,
           quantity = d.quantity + EXCLUDED.quantity,
           charge = d.charge + EXCLUDED.charge;
    RETURN NULL;
END $$;

CREATE FUNCTION usage_daily_subtract() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
    WITH gone AS (
        SELECT contract_id, usage_date, kind, count(*) AS records, sum(quantity) AS quantity,
               sum(charge) AS charge
          FROM old_rows GROUP BY contract_id, usage_date, kind
    ), updated AS (
        UPDATE usage_daily d
           SET records = d.records - g.records, quantity = d.quantity - g.quantity,
               charge = d.charge - g.charge
          FROM gone g
         WHERE (d.contract_id, d.usage_date, d.kind) = (g.contract_id, g.usage_date, g.kind)
           AND d.records > g.records
    )
    DELETE FROM usage_daily d USING gone g
     WHERE (d.contract_id, d.usage_date, d.kind) = (g.contract_id, g.usage_date, g.kind)
       AND d.records <= g.records;
    RETURN NULL;
END $$;

-- An update (the billing run setting invoice_id) may also change what is summed: take the
-- old rows out, put the new ones in, in one statement each.
CREATE FUNCTION usage_daily_replace() RETURNS TRIGGER
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM (
            (SELECT contract_id, usage_date, kind, quantity, charge FROM old_rows
             EXCEPT ALL
             SELECT contract_id, usage_date, kind, quantity, charge FROM new_rows)
            UNION ALL
            (SELECT contract_id, usage_date, kind, quantity, charge FROM new_rows
             EXCEPT ALL
             SELECT contract_id, usage_date, kind, quantity, charge FROM old_rows)
        ) AS changed
    ) THEN
        RETURN NULL;
    END IF;
    WITH gone AS (
        SELECT contract_id, usage_date, kind, count(*) AS records, sum(quantity) AS quantity,
               sum(charge) AS charge
          FROM old_rows GROUP BY contract_id, usage_date, kind
    )
    UPDATE usage_daily d
       SET records = d.records - g.records, quantity = d.quantity - g.quantity,
           charge = d.charge - g.charge
      FROM gone g
     WHERE (d.contract_id, d.usage_date, d.kind) = (g.contract_id, g.usage_date, g.kind);
    INSERT INTO usage_daily AS d (contract_id, usage_date, kind, records, quantity, charge)
    SELECT contract_id, usage_date, kind, count(*), sum(quantity), sum(charge)
      FROM new_rows GROUP BY contract_id, usage_date, kind
     ORDER BY contract_id, usage_date, kind
    ON CONFLICT (contract_id, usage_date, kind) DO UPDATE
       SET records = d.records + EXCLUDED.records,
           quantity = d.quantity + EXCLUDED.quantity,
           charge = d.charge + EXCLUDED.charge;
    DELETE FROM usage_daily d USING old_rows o
     WHERE (d.contract_id, d.usage_date, d.kind) = (o.contract_id, o.usage_date, o.kind)
       AND d.records = 0;
    RETURN NULL;
END $$;

CREATE TRIGGER usage_daily_on_insert AFTER INSERT ON usage_records
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION usage_daily_add();
CREATE TRIGGER usage_daily_on_delete AFTER DELETE ON usage_records
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION usage_daily_subtract();
CREATE TRIGGER usage_daily_on_update AFTER UPDATE ON usage_records
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION usage_daily_replace();

-- 3. The records so far: their months, then the rows (the insert trigger fills the rollups).
SELECT usage_records_ensure_month(m)
  FROM (SELECT DISTINCT date_trunc('month', usage_date)::date AS m FROM usage_records_v1) AS months;
INSERT INTO usage_records (id, contract_id, kind, usage_date, started_at, quantity, charge,
                           destination, invoice_id)
SELECT id, contract_id, kind, usage_date, started_at, quantity, charge, destination, invoice_id
  FROM usage_records_v1;
DROP TABLE usage_records_v1;

-- 4. The billing run's autopay batches read invoices waiting for an automatic charge from the
-- last one done on (`id > $after ORDER BY id`): without this index each batch scanned every
-- invoice (216 ms a batch at 100 000 invoices). A charged invoice leaves it (autopay_on NULL).
CREATE INDEX invoices_autopay_waiting_idx ON invoices (id)
    WHERE autopay_on IS NOT NULL AND status IN ('open', 'failed');
