DROP FUNCTION hc_expect_rows(bigint, bigint, text);
