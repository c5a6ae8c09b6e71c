#!/bin/sh
# eksperiment reindex, and the index keeping itself current.
. "$(dirname "$0")/lib.sh"

reindex_builds() {
	make_example_repo
	run 0 eks reindex
	expect_contains out "indexed 2 experiments (12 observations) at commit $(git rev-parse --short=7 HEAD) in "
	expect_empty err
	test -f .git/eksperiment/index.sqlite
	test ! -e .git/eksperiment/index.sqlite.new
	run 0 eks reindex
	expect_contains out "indexed 2 experiments"
	run 0 eks list
	expect_contains out "2 experiments"
}
run_test "reindex builds the index from scratch" reindex_builds

reindex_repairs() {
	make_example_repo
	run 0 eks list
	rm .git/eksperiment/index.sqlite
	run 0 eks list
	expect_contains out "2 experiments"
	expect_empty err
	# garbage over the index: rebuilt, and the user is told
	yes 'not a database' | head -c 65536 > .git/eksperiment/index.sqlite
	run 0 eks query 'partner = 1506'
	expect_contains out "uu-molde-outreach"
	expect_contains err "the index was damaged; it has been rebuilt"
	run 0 eks list
	expect_empty err
	# garbage over the index: reindex works too
	yes 'not a database' | head -c 65536 > .git/eksperiment/index.sqlite
	run 0 eks reindex
	expect_contains out "indexed 2 experiments"
}
run_test "a deleted or damaged index is rebuilt without being asked" reindex_repairs

reindex_errors() {
	make_example_repo
	run 2 eks reindex now
	run 2 eks reindex --force
	mkdir ../elsewhere
	cd ../elsewhere
	run 3 eks reindex
}
run_test "reindex takes no arguments; outside a repository it exits 3" reindex_errors

reindex_concurrent() {
	make_example_repo
	first=$(git rev-parse HEAD)
	git rm -rq experiments/demo-velferdsteknologi
	git commit -qm "one less"
	for i in 1 2 3 4 5 6; do
		( eks list >list.$i.txt 2>&1 && echo ok > status.$i.txt ) &
		( eks sql --rev "$first" "SELECT count(*) FROM experiments" >sql.$i.txt 2>&1 &&
		  echo ok > sqlstatus.$i.txt ) &
	done
	( eks reindex > reindex.txt 2>&1 && echo ok > reindexstatus.txt ) &
	wait
	for i in 1 2 3 4 5 6; do
		test "$(cat status.$i.txt)" = ok
		grep -q "1 experiment at" list.$i.txt
		test "$(cat sqlstatus.$i.txt)" = ok
		grep -qx "2" sql.$i.txt
	done
	test "$(cat reindexstatus.txt)" = ok
}
run_test "commands at different commits and a reindex run at the same time" reindex_concurrent

reindex_trace() {
	make_example_repo
	EKSPERIMENT_TRACE=1 run 0 eks list
	expect_contains err "trace: uncommitted-changes check"
	expect_contains err "rebuilt: there was no index yet; 2 experiments, 2 read again"
	git rm -rq experiments/demo-velferdsteknologi
	git commit -qm "one less"
	EKSPERIMENT_TRACE=1 run 0 eks list
	expect_contains err "(updated; 1 experiment, 0 read again, 1 removed)"
	run 0 eks list
	expect_empty err
}
run_test "EKSPERIMENT_TRACE says what bringing the index up to date did" reindex_trace

reindex_help() {
	run 0 eks reindex --help
	expect_contains out "HOW THE INDEX STAYS CURRENT"
}
run_test "reindex --help explains how the index stays current" reindex_help

finish
