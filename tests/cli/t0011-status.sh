#!/bin/sh
# eksperiment status: lifecycle moves.
. "$(dirname "$0")/lib.sh"

P=experiments/uu-molde-outreach/experiment.yaml
L=experiments/uu-molde-outreach/log.yaml

status_move() {
	make_example_repo
	commits=$(git rev-list --count HEAD)
	run 0 eks status uu-molde-outreach active -m "First referrals received"
	expect_contains out "uu-molde-outreach: registered -> active"
	expect_line $P "status: active"
	expect_contains $P "summary: >-"
	expect_contains $L "kind: status"
	expect_contains $L "from: registered"
	expect_contains $L "to: active"
	expect_contains $L "reason: First referrals received"
	test "$(git rev-list --count HEAD)" = $((commits + 1))
	git show --stat HEAD | grep -q experiment.yaml
	git show --stat HEAD | grep -q log.yaml
	test -z "$(git status --porcelain)"
	run 0 eks validate
	git diff HEAD~1 -- $P | grep '^[-+][^-+]' > changed
	test "$(wc -l < changed)" = 2
}
run_test "a status move changes only the status line and logs an entry" status_move

status_refused() {
	make_example_repo
	head=$(git rev-parse HEAD)
	run 1 eks status uu-molde-outreach completed -m "done"
	expect_contains err "allowed moves: active, withdrawn"
	run 1 eks status uu-molde-outreach registered -m "again"
	expect_contains err "eksperiment register"
	run 2 eks status uu-molde-outreach finished -m "x"
	expect_contains err "not a status"
	run 2 eks status uu-molde-outreach active
	expect_contains err "-m"
	run 2 eks status nope active -m "x"
	test "$(git rev-parse HEAD)" = "$head"
}
run_test "refused moves list the allowed ones; nothing is written" status_refused

status_final() {
	make_example_repo
	run 0 eks status demo-velferdsteknologi completed -m "Trial period over"
	run 1 eks status demo-velferdsteknologi active -m "reopen"
	expect_contains err "final"
}
run_test "final statuses allow no move" status_final

finish
