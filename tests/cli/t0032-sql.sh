#!/bin/sh
# eksperiment sql: read-only SQL over the views of the index.
. "$(dirname "$0")/lib.sh"

sql_reads() {
	make_example_repo
	run 0 eks sql "SELECT id, status FROM experiments ORDER BY id"
	expect_empty err
	head -1 out | grep -q '^id  *status$'
	expect_line out "demo-velferdsteknologi  active"
	expect_line out "uu-molde-outreach       registered"
	expect_line out "2 rows at commit $(git rev-parse --short=7 HEAD)"
	run 0 eks sql "SELECT h.experiment_id, h.id, v.verdict FROM hypotheses h
	    JOIN verdicts v ON v.experiment_id = h.experiment_id AND v.hypothesis_id = h.id
	    WHERE v.verdict = 'supported'"
	expect_contains out "demo-velferdsteknologi  H1  supported"
	expect_contains out "1 row at"
	run 0 eks sql "SELECT count(*) AS n FROM observations"
	expect_line out "12"
	run 0 eks sql "SELECT id, \"commit\" FROM entries WHERE kind = 'registration'"
	expect_contains out "20250120T100211Z-3c1d"
	run 0 eks sql "PRAGMA table_info(verdicts)"
	expect_contains out "post_hoc"
	run 0 eks sql "SELECT id FROM experiments WHERE 0"
	expect_line out "no rows at commit $(git rev-parse --short=7 HEAD)"
	run 0 eks sql SELECT count '(*)' FROM partners
	expect_line out "6"
}
run_test "sql answers from the views and names the commit" sql_reads

sql_formats() {
	make_example_repo
	run 0 eks sql --format json "SELECT id, evidence_level, registered_at FROM experiments ORDER BY id"
	expect_line out "{\"revision\":\"$(git rev-parse HEAD)\",\"columns\":[\"id\",\"evidence_level\",\"registered_at\"],\"rows\":[[\"demo-velferdsteknologi\",null,null],[\"uu-molde-outreach\",3,\"2025-01-20T10:02:11Z\"]]}"
	run 0 eks sql --format csv "SELECT id, evidence_level, title FROM experiments ORDER BY id"
	expect_line out "id,evidence_level,title"
	expect_line out "demo-velferdsteknologi,,Digital night supervision in home care"
	expect_line out "uu-molde-outreach,3,Outreach youth team and NEET share among young people in Molde"
	run 0 eks sql --format json "SELECT alpha, 'a \"b\"' AS q FROM hypotheses LIMIT 1"
	expect_contains out '"rows":[[0.05,"a \"b\""]]'
}
run_test "sql gives json and csv" sql_formats

# Every statement here must be refused with exit 1 and change nothing.
sql_refuses_writes() {
	make_example_repo
	run 0 eks list
	sum_before=$(cat .git/eksperiment/index.sqlite | md5sum)
	for statement in \
		"INSERT INTO x_experiment(id, n_entries, deviations, errors) VALUES ('x', 0, 0, 0)" \
		"UPDATE x_experiment SET title = 'changed'" \
		"DELETE FROM x_partner" \
		"CREATE TABLE t(a)" \
		"CREATE TEMP TABLE t(a)" \
		"DROP VIEW experiments" \
		"DROP TABLE x_arm" \
		"ALTER TABLE x_arm RENAME TO y" \
		"ATTACH DATABASE 'attached.db' AS other" \
		"PRAGMA writable_schema = 1" \
		"PRAGMA user_version = 9" \
		"PRAGMA journal_mode = DELETE" \
		"SELECT load_extension('./evil.so')" \
		"VACUUM" \
		"VACUUM INTO 'copy.db'" \
		"REINDEX x_arm" \
		"BEGIN" \
		"WITH x AS (SELECT 1) DELETE FROM x_arm"
	do
		run 1 eks sql "$statement"
		expect_contains err "refused: eksperiment sql only reads"
		expect_empty out
	done
	test ! -e attached.db
	test ! -e copy.db
	test ! -e .git/eksperiment/attached.db
	test "$(cat .git/eksperiment/index.sqlite | md5sum)" = "$sum_before"
	run 0 eks sql "SELECT count(*) FROM partners"
	expect_line out "6"
	# the format number is still the one this eksperiment writes, not 9
	format=$(sed -n 's/^#define EKS_INDEX_FORMAT \([0-9]*\).*/\1/p' "$SRC_ROOT/include/eksperiment/index.h")
	test -n "$format"
	run 0 eks sql "PRAGMA user_version"
	expect_line out "$format"
}
run_test "sql cannot insert, update, delete, create, drop, attach, vacuum or change settings" sql_refuses_writes

# The views and tables that do not exist: SQLite rejects these before its
# authorizer is asked ("cannot modify experiments because it is a view"),
# and they are refused all the same.  SQL that does not parse is a mistake.
sql_refuses_writes_to_views() {
	make_example_repo
	run 0 eks list
	sum_before=$(cat .git/eksperiment/index.sqlite | md5sum)
	for statement in \
		"DELETE FROM experiments" \
		"delete from experiments where id = 'uu-molde-outreach'" \
		"DELETE FROM no_such_table" \
		"WITH x AS (SELECT 1) DELETE FROM entries" \
		"EXPLAIN DELETE FROM verdicts" \
		"INSERT INTO experiments(id) VALUES ('x')" \
		"INSERT INTO no_such_table VALUES (1)" \
		"INSERT OR REPLACE INTO observations(n) SELECT 1" \
		"REPLACE INTO verdicts(verdict) VALUES ('supported')" \
		"UPDATE verdicts SET verdict = 'supported'" \
		"UPDATE OR IGNORE main.\"hypotheses\" SET alpha = 0.5" \
		"ALTER TABLE experiments ADD COLUMN c" \
		"CREATE INDEX i ON experiments(id)" \
		"DROP TABLE no_such_table" \
		"ATTACH ':memory:' AS other" \
		"ATTACH DATABASE 'file:other.db?mode=rwc' AS other" \
		"DETACH DATABASE no_such_database" \
		"PRAGMA main.user_version = 1" \
		"PRAGMA query_only = 0" \
		"PRAGMA no_such_database.journal_mode = WAL" \
		"RELEASE no_such_savepoint"
	do
		run 1 eks sql "$statement"
		expect_contains err "refused: eksperiment sql only reads"
		expect_not_contains err "see 'eksperiment help sql'"
		expect_empty out
	done
	run 1 eks sql "DELETE FROM experiments"
	expect_line err "eksperiment: refused: eksperiment sql only reads, and this statement would write to 'experiments'"
	run 1 eks sql "ATTACH ':memory:' AS other"
	expect_line err "eksperiment: refused: eksperiment sql only reads, and this statement would attach or detach a database"
	test ! -e other.db
	test "$(cat .git/eksperiment/index.sqlite | md5sum)" = "$sum_before"
	# a statement that does not parse is a mistake, whatever it meant
	run 2 eks sql "DELETE FRM experiments"
	expect_contains err 'near "FRM": syntax error'
	run 2 eks sql "INSERT INTO"
	expect_contains err "incomplete input"
	run 2 eks sql "PRAGMA user_version ="
	run 0 eks sql "SELECT count(*) FROM experiments"
	expect_line out "2"
}
run_test "writes to views or to tables that do not exist are refused with exit 1" sql_refuses_writes_to_views

sql_errors() {
	make_example_repo
	run 2 eks sql "SELECT id FROM experimnts"
	expect_contains err "no such table: experimnts"
	expect_contains err "the views are experiments, partners"
	run 2 eks sql "SELECT id,, title FROM experiments"
	expect_contains err 'near ",": syntax error'
	expect_line err "    SELECT id,, title FROM experiments"
	expect_line err "              ^"
	run 2 eks sql "SELECT 1; SELECT 2"
	expect_contains err "one SQL statement at a time"
	run 2 eks sql "-- just a comment"
	run 2 eks sql
	expect_contains err "needs a statement"
	run 2 eks sql --format yaml "SELECT 1"
	run 2 eks sql "SELECT abs(-9223372036854775807 - 1)"
	expect_contains err "integer overflow"
	mkdir ../elsewhere
	cd ../elsewhere
	run 3 eks sql "SELECT 1"
}
run_test "mistakes in SQL exit 2 and point at the place" sql_errors

sql_rev() {
	make_example_repo
	git rm -rq experiments/demo-velferdsteknologi
	git commit -qm "one less"
	run 0 eks sql "SELECT count(*) FROM experiments"
	expect_line out "1"
	run 0 eks sql --rev HEAD~1 "SELECT count(*) FROM experiments"
	expect_line out "2"
	expect_contains out "at commit $(git rev-parse --short=7 HEAD~1)"
}
run_test "sql --rev reads another commit" sql_rev

sql_help() {
	run 0 eks sql --help
	expect_contains out "THE VIEWS"
	expect_contains out "registered_commit"
}
run_test "sql --help documents the views" sql_help

finish
