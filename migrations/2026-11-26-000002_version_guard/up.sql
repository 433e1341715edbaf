-- Makes "this version-checked write matched no row" an SQL error, so a transaction can send its
-- COMMIT in the same pipeline as its writes: when a check fails, PostgreSQL aborts the
-- transaction and answers that COMMIT by rolling back. The error is a check violation named by
-- `what` (e.g. hc_version_conflict), which the store turns back into a conflict.
CREATE FUNCTION hc_expect_rows(changed bigint, expected bigint, what text) RETURNS bigint
LANGUAGE plpgsql AS $$
BEGIN
    IF changed IS DISTINCT FROM expected THEN
        RAISE EXCEPTION '% rows where % were expected', changed, expected
            USING ERRCODE = 'check_violation', CONSTRAINT = what;
    END IF;
    RETURN changed;
END
$$;
