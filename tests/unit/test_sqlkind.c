/*
 * test_sqlkind.c - telling a statement that writes from one that reads,
 * by its words, for the refusals of `eksperiment sql` (SPEC 4.1).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "sqlkind_internal.h"

static void expect_writes(const char *statement, const char *what)
{
	char got[200];

	if (eks_sql_writes(got, sizeof(got), statement) != 1)
		fail_msg("'%s' was not taken for a write", statement);
	if (strcmp(got, what))
		fail_msg("'%s' would '%s', not '%s'", statement, got, what);
}

static void expect_reads(const char *statement)
{
	char got[200];

	if (eks_sql_writes(got, sizeof(got), statement) != 0)
		fail_msg("'%s' was taken for a write: %s", statement, got);
	assert_string_equal(got, "");
}

static void test_sqlkind_names_the_table_written(void **state)
{
	(void)state;
	expect_writes("DELETE FROM experiments", "write to 'experiments'");
	expect_writes("  delete\nfrom /* c */ experiments WHERE 1", "write to 'experiments'");
	expect_writes("INSERT INTO entries(id) VALUES (1)", "write to 'entries'");
	expect_writes("INSERT OR REPLACE INTO \"arms\" VALUES (1)", "write to 'arms'");
	expect_writes("REPLACE INTO [x y] VALUES (1)", "write to 'x y'");
	expect_writes("UPDATE verdicts SET verdict = 1", "write to 'verdicts'");
	expect_writes("UPDATE OR ROLLBACK main.verdicts SET verdict = 1",
		      "write to 'main.verdicts'");
	expect_writes("-- first a comment\nDELETE FROM `t`", "write to 't'");
	expect_writes("DELETE", "write to the index");
}

static void test_sqlkind_sees_through_with_and_explain(void **state)
{
	(void)state;
	expect_writes("WITH x AS (SELECT 1) DELETE FROM arms", "write to 'arms'");
	expect_writes("WITH RECURSIVE x(n) AS (SELECT 1 UNION SELECT n + 1 FROM x), "
		      "y AS NOT MATERIALIZED (SELECT ')') UPDATE arms SET id = 2",
		      "write to 'arms'");
	expect_writes("EXPLAIN DELETE FROM arms", "write to 'arms'");
	expect_writes("EXPLAIN QUERY PLAN INSERT INTO arms VALUES (1)", "write to 'arms'");
	expect_reads("WITH x AS (SELECT 'DELETE FROM arms') SELECT * FROM x");
	expect_reads("WITH \"delete\" AS (SELECT 1) SELECT * FROM \"delete\"");
	expect_reads("EXPLAIN QUERY PLAN SELECT 1");
}

static void test_sqlkind_knows_the_other_writes(void **state)
{
	static const char schema[] = "change the schema of the index (create, "
		"drop or alter a table, view, index or trigger)";

	(void)state;
	expect_writes("CREATE INDEX i ON experiments(id)", schema);
	expect_writes("drop table nothing", schema);
	expect_writes("ALTER TABLE experiments ADD COLUMN c", schema);
	expect_writes("VACUUM", "change the index (create, drop, alter or rebuild something)");
	expect_writes("REINDEX x", "change the index (create, drop, alter or rebuild something)");
	expect_writes("ATTACH ':memory:' AS m", "attach or detach a database");
	expect_writes("DETACH m", "attach or detach a database");
	expect_writes("BEGIN", "begin or end a transaction");
	expect_writes("RELEASE s", "begin or end a transaction");
	expect_writes("PRAGMA user_version = 3",
		      "change a setting (only PRAGMAs that report, such as "
		      "table_info, are allowed)");
	expect_writes("PRAGMA nowhere.journal_mode=WAL",
		      "change a setting (only PRAGMAs that report, such as "
		      "table_info, are allowed)");
}

static void test_sqlkind_lets_reads_be(void **state)
{
	(void)state;
	expect_reads("SELECT * FROM experiments WHERE title = 'DELETE FROM x'");
	expect_reads("select delete_me from t");
	expect_reads("VALUES (1), (2)");
	expect_reads("PRAGMA table_info(experiments)");
	expect_reads("PRAGMA user_version");
	expect_reads("/* DELETE FROM x */ SELECT 1");
	expect_reads("-- DELETE FROM x");
	expect_reads("");
	expect_reads("'unclosed");
	expect_reads("deleted FROM x");
	expect_reads(NULL);
}

static void test_sqlkind_cuts_what_to_the_buffer(void **state)
{
	char small[8];

	(void)state;
	assert_int_equal(eks_sql_writes(small, sizeof(small), "DELETE FROM experiments"), 1);
	assert_string_equal(small, "write t");
	assert_int_equal(eks_sql_writes(small, 0, "DELETE FROM experiments"), 1);
}

static void test_sqlkind_tells_syntax_errors(void **state)
{
	(void)state;
	assert_true(eks_sql_is_syntax_error("near \"FRM\": syntax error"));
	assert_true(eks_sql_is_syntax_error("incomplete input"));
	assert_true(eks_sql_is_syntax_error("unrecognized token: \"'x\""));
	assert_false(eks_sql_is_syntax_error("cannot modify experiments because it is a view"));
	assert_false(eks_sql_is_syntax_error("no such table: x"));
	assert_false(eks_sql_is_syntax_error(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sqlkind_names_the_table_written),
		cmocka_unit_test(test_sqlkind_sees_through_with_and_explain),
		cmocka_unit_test(test_sqlkind_knows_the_other_writes),
		cmocka_unit_test(test_sqlkind_lets_reads_be),
		cmocka_unit_test(test_sqlkind_cuts_what_to_the_buffer),
		cmocka_unit_test(test_sqlkind_tells_syntax_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
