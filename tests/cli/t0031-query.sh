#!/bin/sh
# eksperiment query: the filter language of SPEC 4.2 over the index.
. "$(dirname "$0")/lib.sh"

query_matches() {
	make_example_repo
	run 0 eks query 'challenge = ungt_utenforskap and partner = 1506 and status in (active, registered)'
	expect_empty err
	expect_contains out "uu-molde-outreach"
	expect_line out "1 experiment at commit $(git rev-parse --short=7 HEAD)"
	run 0 eks query 'hypothesis.verdict = supported'
	expect_contains out "demo-velferdsteknologi"
	expect_contains out "1 experiment at"
	run 0 eks query 'outcome ~ NEET and entries >= 4'
	expect_contains out "uu-molde-outreach"
	run 0 eks query 'not partner ~ molde'
	expect_contains out "demo-velferdsteknologi"
	expect_not_contains out "uu-molde-outreach"
	run 0 eks query 'title ~ "oppsøkende"'
	expect_contains out "uu-molde-outreach"
	run 0 eks query 'registered >= 2025-01-01 and evidence_level = 3 and deviations = 0'
	expect_contains out "1 experiment at"
	run 0 eks query 'status = withdrawn'
	expect_line out "no experiments at commit $(git rev-parse --short=7 HEAD)"
	# several words are one expression
	run 0 eks query status = active
	expect_contains out "demo-velferdsteknologi"
}
run_test "query finds the experiments that match" query_matches

query_formats() {
	make_example_repo
	run 0 eks query --format json 'partner = 1506'
	expect_contains out "{\"revision\":\"$(git rev-parse HEAD)\",\"experiments\":[{\"id\":\"uu-molde-outreach\""
	run 0 eks query 'status = active' --format csv
	expect_contains out "id,title,title_nb,challenge"
	expect_contains out "demo-velferdsteknologi,Digital night supervision in home care"
	test "$(wc -l < out)" = 2
	run 2 eks query --format xml 'status = active'
}
run_test "query gives json and csv" query_formats

query_errors() {
	make_example_repo
	run 2 eks query 'chalenge = demografi'
	expect_contains err "unknown field 'chalenge' at column 1; did you mean 'challenge'?"
	expect_line err "    chalenge = demografi"
	expect_line err "    ^"
	expect_contains err "The fields are: id, title, challenge"
	expect_empty out
	run 2 eks query 'status = active and (partner = 1506'
	expect_contains err "unclosed '(' opened at column 21"
	expect_line err "                        ^"
	expect_contains err "the fields are: id, title, challenge, phase, status"
	run 2 eks query 'status = activ'
	expect_contains err "did you mean 'active'"
	expect_line err "             ^"
	run 2 eks query 'entries ~ 3'
	run 2 eks query 'status ='
	run 2 eks query
	expect_contains err "needs an expression"
	run 2 eks query --rev no-such 'status = active'
	run 2 eks query --nope 'status = active'
	expect_contains err "unknown option"
}
run_test "mistakes exit 2 with the column, a caret and the fields" query_errors

query_no_repository() {
	run 2 eks query 'stat = x'
	expect_contains err "unknown field"
	run 3 eks query 'status = active'
}
run_test "a bad filter is reported even outside a repository" query_no_repository

query_follows_log() {
	make_example_repo
	run 0 eks query 'entries = 4'
	expect_contains out "uu-molde-outreach"
	cat >> experiments/uu-molde-outreach/log.yaml <<'LOG'
---
id: 20260301T100000Z-aaaa
kind: note
recorded_at: 2026-03-01T10:00:00Z
recorded_by: Test Person <test@kommune.example>
note: Added by hand.
LOG
	git commit -qam "a note by hand"
	run 0 eks query 'entries = 4'
	expect_contains out "no experiments"
	run 0 eks query 'entries = 5'
	expect_contains out "uu-molde-outreach"
	run 0 eks query --rev HEAD~1 'entries = 4'
	expect_contains out "uu-molde-outreach"
}
run_test "query sees a hand commit without reindex" query_follows_log

query_warns_about_its_answer() {
	make_example_repo
	echo "# a change" >> experiments/uu-molde-outreach/experiment.yaml
	# the changed experiment is in the answer: named
	run 0 eks query 'id = uu-molde-outreach'
	expect_contains err "'experiments/uu-molde-outreach/experiment.yaml' has uncommitted changes"
	expect_contains out "uu-molde-outreach"
	# not in the answer: not named
	run 0 eks query 'id = demo-velferdsteknologi'
	expect_empty err
	# a deleted log of an experiment shown, in every format
	git checkout -q -- experiments
	rm experiments/demo-velferdsteknologi/log.yaml
	run 0 eks query --format json 'status != withdrawn'
	expect_contains err "'experiments/demo-velferdsteknologi/log.yaml' has uncommitted changes"
	git checkout -q -- experiments
	run 0 eks query --format csv 'status != withdrawn'
	expect_empty err
	# another commit than HEAD: checked against HEAD, as before
	git commit -q --allow-empty -m "an empty commit"
	echo "# a change" >> experiments/uu-molde-outreach/log.yaml
	run 0 eks query --rev HEAD~1 'id = demo-velferdsteknologi'
	expect_contains err "'experiments/uu-molde-outreach/log.yaml' has uncommitted changes"
}
run_test "query warns about uncommitted changes of the experiments it shows" query_warns_about_its_answer

query_help() {
	run 0 eks query --help
	expect_contains out "eksperiment-query - find experiments with a filter"
}
run_test "query --help shows the manual" query_help

finish
