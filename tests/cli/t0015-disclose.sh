#!/bin/sh
# The log is append-only, and that is checked: log rewrites found by
# validate, history, show, diff and evaluate; disclose to explain them and
# deviations, so CI turns green while the record keeps them (SPEC 5).
. "$(dirname "$0")/lib.sh"

MOLDE=experiments/uu-molde-outreach
# the entry of the example log that holds neet@t1 (n 118 in kristiansund)
T1=20260210T091000Z-0e5f

json_get() {
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# A hand edit of a committed value, committed with plain git.
rewrite_by_hand() {
	sed -i 's/arm: kristiansund, timepoint: t1, n: 118/arm: kristiansund, timepoint: t1, n: 90/' $MOLDE/log.yaml
	grep -q 'timepoint: t1, n: 90' $MOLDE/log.yaml
	git commit -qam "fix a number"
}

rewrite_story() {
	make_example_repo
	run 0 eks validate
	rewrite_by_hand
	rewrite=$(git rev-parse --short=7 HEAD)
	# validate: red, naming the entry, the field, the old and new values
	run 1 eks validate
	expect_contains out "$MOLDE/log.yaml:"
	expect_contains out "error: log rewrite: entry $T1 was changed after it was committed, in commit $rewrite (\"fix a number\"): observations[neet/kristiansund/t1].n 118 -> 90"
	expect_contains out "eksperiment disclose uu-molde-outreach --commit $rewrite"
	run 1 eks validate --strict
	run 1 eks validate --format github
	expect_contains out "::error file=$MOLDE/log.yaml,"
	# evaluate marks the hypotheses whose data changed, not the others
	run 0 eks evaluate uu-molde-outreach --format json
	test "$(json_get out '[(h["id"], h["rewritten"]) for h in d["experiments"][0]["hypotheses"]]')" = \
		"[('H1', True), ('H2', True), ('H3', False)]"
	run 0 eks evaluate uu-molde-outreach
	expect_contains out "a log rewrite"
	# disclose; validate turns green with a warning that keeps the reason
	run 0 eks disclose uu-molde-outreach -m "118 was a typing error; the register says 90"
	expect_contains out "Disclosed in "
	expect_contains out "rewrite    entry $T1"
	expect_contains $MOLDE/log.yaml "kind: disclosure"
	test -z "$(git status --porcelain)"
	run 0 eks validate
	expect_contains out "warning: log rewrite: entry $T1"
	expect_contains out "118 was a typing error; the register says 90"
	run 0 eks validate --strict
	# history and show keep showing both, with the reason
	run 0 eks history uu-molde-outreach
	expect_contains out "LOG REWRITE: entry $T1: observations[neet/kristiansund/t1].n 118 -> 90"
	expect_contains out "disclosed in "
	expect_contains out "disclosure of commit $rewrite: 118 was a typing error"
	run 0 eks history uu-molde-outreach --format json
	test "$(json_get out '[r["old"] + "->" + r["new"] for c in d["commits"] for r in c["rewrites"]]')" = "['118->90']"
	run 0 eks show uu-molde-outreach --format json
	test "$(json_get out 'd["experiment"]["rewrites"][0]["disclosure"]["reason"]')" = \
		"118 was a typing error; the register says 90"
	# a second disclosure of the same has nothing to disclose
	run 1 eks disclose uu-molde-outreach -m "again"
	expect_contains err "nothing to disclose"
	expect_fsck_clean
}
run_test "a hand rewrite is red in validate until disclosed; history keeps both" rewrite_story

rewrite_not_position() {
	make_example_repo
	# reordering entries and reformatting one is no rewrite
	python3 - "$MOLDE/log.yaml" <<'PY'
import sys
p = sys.argv[1]
docs = open(p).read().split("\n---")
head, rest = docs[0], docs[1:]
rest.reverse()
open(p, "w").write(head + "".join("\n---" + d for d in rest) + ("" if rest[0].endswith("\n") else "\n"))
PY
	git commit -qam "entries in another order"
	run 0 eks validate
	expect_not_contains out "rewrite"
	# removing an entry is one
	python3 - "$MOLDE/log.yaml" "$T1" <<'PY'
import sys
p, gone = sys.argv[1], sys.argv[2]
docs = open(p).read().split("\n---")
open(p, "w").write("\n---".join(d for d in docs if gone not in d))
PY
	git commit -qam "drop an entry"
	run 1 eks validate
	expect_contains out "log rewrite: entry $T1 was changed after it was committed"
	expect_contains out "removed (it was: 4 observations"
}
run_test "entries are compared by id and content, not position; removal is a rewrite" rewrite_not_position

supersede_is_legal() {
	make_example_repo
	run 0 eks log uu-molde-outreach --outcome neet --arm kristiansund --timepoint t1 \
		--n 90 --events 25 --supersedes $T1
	run 0 eks log uu-molde-outreach --outcome wellbeing --arm molde --timepoint t1 \
		--n 96 --mean 6.9 --sd 1.8
	run 0 eks validate
	expect_not_contains out "rewrite"
	run 0 eks evaluate --format json
	test "$(json_get out 'any(h["rewritten"] for e in d["experiments"] for h in e["hypotheses"])')" = "False"
}
run_test "superseding corrects a value without a rewrite" supersede_is_legal

disclose_deviation() {
	make_example_repo
	sed -i 's/minimum_effect: 0.05/minimum_effect: 0.03/' $MOLDE/experiment.yaml
	git commit -qam "smaller effect"
	deviation=$(git rev-parse HEAD)
	run 1 eks validate
	expect_contains out "error: deviation from the registered protocol"
	run 0 eks disclose uu-molde-outreach --commit "${deviation%????????????????????????????????}" \
		-m "The steering group asked for it; see minutes of 3 March"
	expect_contains out "deviation  outcomes[neet].minimum_effect"
	run 0 eks validate --strict
	expect_contains out "warning: deviation from the registered protocol: 'outcomes[neet].minimum_effect'"
	expect_contains out "The steering group asked for it"
	run 0 eks history uu-molde-outreach
	expect_contains out "DEVIATION"
	expect_contains out "disclosed in "
}
run_test "a disclosed deviation is a warning, also with --strict" disclose_deviation

disclose_refusals() {
	make_example_repo
	head=$(git rev-parse HEAD)
	# nothing to disclose: says what the commit did
	run 1 eks disclose uu-molde-outreach --commit HEAD -m "why"
	expect_contains err "has no deviation or log rewrite of 'uu-molde-outreach' to disclose"
	expect_contains err "appending"
	run 1 eks disclose uu-molde-outreach -m "why"
	expect_contains err "nothing to disclose"
	# what does not exist, or cannot be parsed
	run 2 eks disclose uu-molde-outreach --commit 0123456789abcdef -m "why"
	expect_contains err "no commit '0123456789abcdef'"
	run 2 eks disclose no-such-experiment -m "why"
	run 2 eks disclose uu-molde-outreach
	expect_contains err "give the reason with -m"
	run 2 eks disclose uu-molde-outreach -m "   "
	run 2 eks disclose
	run 2 eks disclose uu-molde-outreach -m why --bogus
	# a commit on another branch is not in the history
	git checkout -q -b side
	echo "x: 1" > side.yaml && git add side.yaml && git commit -qm side
	side=$(git rev-parse HEAD)
	git checkout -q -
	run 2 eks disclose uu-molde-outreach --commit "$side" -m "why"
	expect_contains err "not in the history of HEAD"
	# personal data in the reason is refused
	fnr=$(make_fnr 010190)
	run 1 eks disclose uu-molde-outreach -m "asked by $fnr"
	expect_not_contains err "$fnr"
	test "$(git rev-parse HEAD)" = "$head"
}
run_test "disclose refuses what is no deviation, and bad input, writing nothing" disclose_refusals

finish
