-- usage_records_ensure_month under concurrency (issue 28): two usage feeds of a new month at
-- once both created its partition, and the second failed with "relation already exists".
-- After waiting for the lock, the check read the catalog as it was before the wait (an
-- advisory lock does not refresh the catalog snapshot); it now asks pg_class in a statement of
-- its own, and a partition made meanwhile is taken as made.
CREATE OR REPLACE FUNCTION usage_records_ensure_month(day DATE) RETURNS VOID
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
    IF EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relname = part AND n.nspname = current_schema()) THEN
        RETURN;
    END IF;
    BEGIN
        EXECUTE format('CREATE TABLE %I (LIKE usage_records INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part);
    EXCEPTION WHEN duplicate_table THEN
        RETURN;
    END;
    -- Rows of the month that went to the default partition move with it (partition to
    -- partition: the rollups, kept by the parent's statement triggers, are not touched).
    EXECUTE format(
        'WITH moved AS (DELETE FROM usage_records_default WHERE usage_date >= %L AND usage_date < %L RETURNING *)
         INSERT INTO %I SELECT * FROM moved', first_day, next_first, part);
    EXECUTE format('ALTER TABLE usage_records ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
                   part, first_day, next_first);
END $$;
