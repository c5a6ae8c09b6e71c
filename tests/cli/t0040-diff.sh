#!/bin/sh
# eksperiment diff: field-level changes of protocols and logs, with
# amendments and deviations marked (SPEC 3, 5).
. "$(dirname "$0")/lib.sh"

MOLDE=experiments/uu-molde-outreach
DEMO=experiments/demo-velferdsteknologi
ARROW=$(printf '\342\206\222')     # the arrow between old and new values

# json_get FILE EXPR: print a Python expression over the parsed document `d`.
json_get() {
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# The registered example gets a smaller minimum effect for its primary
# outcome: a change of a frozen field.
lower_neet_effect() {
	sed -i 's/minimum_effect: 0.05/minimum_effect: 0.03/' $MOLDE/experiment.yaml
	grep -q 'minimum_effect: 0.03' $MOLDE/experiment.yaml
}

# append_amendment PATH: an amendment entry, written by hand on one line.
append_amendment() {
	printf -- "--- {id: 20260301T000000Z-abcd, kind: amendment, recorded_at: '2026-03-01T00:00:00Z', recorded_by: T <t@kommune.example>, paths: ['%s'], class: major, reason: Agreed with the funder}\n" \
		"$1" >> $MOLDE/log.yaml
}

diff_nothing_changed() {
	make_example_repo
	run 0 eks diff
	expect_empty out
	expect_empty err
	run 0 eks diff HEAD HEAD
	expect_empty out
	run 0 eks diff --format json
	test "$(json_get out 'd["experiments"]')" = "[]"
	test "$(json_get out 'd["from"]')" = "$(git rev-parse HEAD)"
	test "$(json_get out 'd["to"]')" = None
	run 0 eks diff --exit-code
	expect_empty out
}
run_test "nothing changed: no output and exit 0" diff_nothing_changed

diff_worktree_deviation() {
	make_example_repo
	lower_neet_effect
	run 0 eks diff
	expect_empty err
	expect_line out "experiments/uu-molde-outreach/experiment.yaml"
	expect_line out "  outcomes[neet].minimum_effect: 0.05 $ARROW 0.03   (frozen, deviation)"
	expect_line out "1 experiment changed: 1 protocol change (1 deviation)"
	expect_not_contains out "demo-velferdsteknologi"
	expect_not_contains out "log.yaml"
	# the same against an explicit revision, and with --exit-code
	run 0 eks diff HEAD
	expect_contains out "(frozen, deviation)"
	run 1 eks diff --exit-code
	expect_contains out "(frozen, deviation)"
	# not a terminal: no colour
	if grep -q "$(printf '\033')" out; then echo "colour codes in piped output"; return 1; fi
}
run_test "a hand edit of a frozen field after registration is a deviation" diff_worktree_deviation

diff_not_registered() {
	make_example_repo
	sed -i 's/margin: 0.03/margin: 0.05/' $DEMO/experiment.yaml
	run 0 eks diff
	expect_line out "experiments/demo-velferdsteknologi/experiment.yaml"
	expect_line out "  hypotheses[H2].margin: 0.03 $ARROW 0.05   (frozen, not registered yet)"
	expect_not_contains out "deviation"
	expect_line out "1 experiment changed: 1 protocol change"
}
run_test "a frozen field of a protocol that is not registered is a plain change" diff_not_registered

diff_committed_amendment() {
	make_example_repo
	lower_neet_effect
	append_amendment 'outcomes[neet].minimum_effect'
	git commit -qam "amend the minimum effect"
	run 0 eks diff
	expect_empty out
	run 0 eks diff HEAD~1 HEAD
	expect_empty err
	expect_line out "  outcomes[neet].minimum_effect: 0.05 $ARROW 0.03   (frozen, amended)"
	expect_line out "experiments/uu-molde-outreach/log.yaml"
	expect_line out "  + 20260301T000000Z-abcd  amendment (major) of outcomes[neet].minimum_effect: Agreed with the funder"
	expect_line out "1 experiment changed: 1 protocol change (1 amended), 1 entry added"
	expect_not_contains out "deviation"
	# A..B is the same as A B
	cp out range.out
	run 0 eks diff HEAD~1..HEAD
	expect_same range.out out
	# the other way round the entry was removed: the log was rewritten
	run 0 eks diff HEAD HEAD~1
	expect_contains out "! log rewritten: entry 20260301T000000Z-abcd (amendment) removed"
}
run_test "a change committed with an amendment entry that names it is amended" diff_committed_amendment

diff_amendment_of_other_path() {
	make_example_repo
	lower_neet_effect
	sed -i 's/margin: 0.03/margin: 0.04/' $DEMO/experiment.yaml
	append_amendment 'hypotheses[H1]'
	git commit -qam "an amendment that names something else"
	run 0 eks diff HEAD~1 HEAD -- uu-molde-outreach
	expect_line out "  outcomes[neet].minimum_effect: 0.05 $ARROW 0.03   (frozen, deviation)"
	expect_not_contains out "demo-velferdsteknologi"
	# an amendment naming a path above the field covers it
	git reset -q --hard HEAD~1
	lower_neet_effect
	append_amendment 'outcomes[neet]'
	run 0 eks diff
	expect_contains out "(frozen, amended)"
}
run_test "only an amendment naming the field (or a path above it) covers it" diff_amendment_of_other_path

diff_three_dots_from_merge_base() {
	make_example_repo
	base=$(git rev-parse HEAD)
	git checkout -q -b side
	lower_neet_effect
	git commit -qam "side: a smaller effect"
	git checkout -q main
	sed -i 's/margin: 0.03/margin: 0.05/' $DEMO/experiment.yaml
	git commit -qam "main: a wider margin"
	# A...B is the merge base of A and B against B, as in git diff
	run 0 eks diff main...side
	expect_empty err
	expect_contains out "outcomes[neet].minimum_effect"
	expect_not_contains out "demo-velferdsteknologi"
	cp out three.out
	run 0 eks diff $base side
	expect_same three.out out
	run 0 eks diff side...main
	expect_contains out "hypotheses[H2].margin"
	expect_not_contains out "uu-molde-outreach"
	# a side left out is HEAD (main here)
	run 0 eks diff ...side
	expect_same three.out out
	run 0 eks diff side... --format json
	test "$(json_get out 'd["from"]')" = "$base"
	test "$(json_get out 'd["to"]')" = "$(git rev-parse main)"
	run 2 eks diff main...no-such-revision
	expect_contains err "unknown revision 'no-such-revision'"
	# unrelated histories have no merge base
	git checkout -q --orphan lonely
	git commit -qm "unrelated"
	git checkout -q main
	run 2 eks diff main...lonely
	expect_contains err "no merge base"
}
run_test "A...B compares the merge base of A and B with B" diff_three_dots_from_merge_base

diff_since_registration() {
	make_example_repo      # uu-molde-outreach is registered by this commit
	registered=$(git rev-parse HEAD)
	lower_neet_effect
	git commit -qam "a quiet change after registration"
	sed -i 's/margin: 0.03/margin: 0.05/' $DEMO/experiment.yaml
	git commit -qam "another experiment"
	# no tag: the registered commit comes from the history
	test -z "$(git tag -l 'eksperiment/*')"
	run 0 eks diff --since-registration uu-molde-outreach
	expect_empty err
	expect_line out "experiments/uu-molde-outreach/experiment.yaml"
	expect_line out "  outcomes[neet].minimum_effect: 0.05 $ARROW 0.03   (frozen, deviation)"
	expect_line out "1 experiment changed: 1 protocol change (1 deviation)"
	expect_not_contains out "demo-velferdsteknologi"
	cp out since.out
	run 0 eks diff --since-registration uu-molde-outreach --format json
	test "$(json_get out 'd["from"]')" = "$registered"
	test "$(json_get out 'd["to"]')" = "$(git rev-parse HEAD)"
	# the same with the tag, and a tag outside the history does not count
	git tag -a -m "Registration" eksperiment/uu-molde-outreach/registered $registered
	run 0 eks diff --since-registration uu-molde-outreach
	expect_same since.out out
	git tag -d eksperiment/uu-molde-outreach/registered >/dev/null
	git checkout -q -b elsewhere HEAD~2
	git commit -q --allow-empty -m "elsewhere"
	git tag eksperiment/uu-molde-outreach/registered
	git checkout -q main
	run 0 eks diff --since-registration uu-molde-outreach --format json
	test "$(json_get out 'd["from"]')" = "$registered"
	# up to another revision than HEAD; uncommitted changes do not count
	run 0 eks diff --since-registration uu-molde-outreach $registered
	expect_empty out
	sed -i 's/minimum_effect: 0.03/minimum_effect: 0.02/' $MOLDE/experiment.yaml
	run 0 eks diff --since-registration uu-molde-outreach
	expect_same since.out out
	run 1 eks diff --since-registration uu-molde-outreach --exit-code
	# what it cannot do
	run 1 eks diff --since-registration demo-velferdsteknologi
	expect_contains err "'demo-velferdsteknologi' is not registered"
	run 2 eks diff --since-registration no-such-experiment
	expect_contains err "there is no experiment 'no-such-experiment'"
	run 2 eks diff --since-registration ../etc
	run 2 eks diff --since-registration uu-molde-outreach HEAD~1 HEAD
	run 2 eks diff --since-registration uu-molde-outreach HEAD~1..HEAD
	run 2 eks diff --since-registration uu-molde-outreach -- demo-velferdsteknologi
	run 2 eks diff --since-registration uu-molde-outreach no-such-revision
	run 2 eks diff --since-registration
}
run_test "--since-registration compares an experiment with its registered commit, tag or not" diff_since_registration

diff_log_rewritten() {
	make_example_repo
	sed -i 's/events: 41/events: 42/' $MOLDE/log.yaml
	run 0 eks diff
	expect_line out "experiments/uu-molde-outreach/log.yaml"
	expect_line out "  ! log rewritten: entry 20250301T081500Z-a41e (observation) changed — logs are append-only"
	expect_line out "1 experiment changed: 1 entry rewritten"
	run 0 eks diff --format json
	test "$(json_get out 'd["experiments"][0]["log"]')" = \
		"[{'kind': 'changed', 'entry': '20250301T081500Z-a41e', 'entry_kind': 'observation', 'summary': '2 observations (neet@t0)', 'recorded_at': '2025-03-01T08:15:00Z', 'recorded_by': 'Kari Nordmann <kari.nordmann@molde.kommune.example>', 'line': 9, 'column': 1, 'fields': [{'path': 'observations[neet/molde/t0].events', 'old': '41', 'new': '42'}]}]"
	# the text names the field, with its old and new value
	run 0 eks diff
	expect_line out "      observations[neet/molde/t0].events: 41 $ARROW 42"
	# reformatting an entry is no change of it
	git checkout -q $MOLDE/log.yaml
	sed -i 's/^source: Referral register, baseline$/source: "Referral register, baseline"/' $MOLDE/log.yaml
	run 0 eks diff
	expect_line out "  (comments or layout only: no entry changed)"
	expect_not_contains out "rewritten"
}
run_test "a changed log entry is flagged as a rewritten log" diff_log_rewritten

diff_plain_changes() {
	make_example_repo
	sed -i 's/^status: registered$/status: active/' $MOLDE/experiment.yaml
	sed -i 's/^  Tests whether a proactive/  Tests, over two years, whether a proactive/' $MOLDE/experiment.yaml
	run 0 eks diff
	expect_line out "  status: registered $ARROW active"
	# a long text goes below its path, old then new
	expect_line out "  summary:"
	expect_line out "      - Tests whether a proactive outreach team lowers the share of young"
	grep -q '^      + Tests, over two years, whether' out
	expect_not_contains out "frozen"
	expect_line out "1 experiment changed: 2 protocol changes"
	run 0 eks diff --format json
	test "$(json_get out '[(c["path"], c["frozen"], c["class"], c["status"]) for c in d["experiments"][0]["protocol"]]')" = \
		"[('summary', False, None, 'changed'), ('status', False, None, 'changed')]"
	# comments and layout are no change of a field
	git checkout -q $MOLDE/experiment.yaml
	sed -i 's/^phase: test$/phase: "test"   # innovation phase/' $MOLDE/experiment.yaml
	run 0 eks diff
	expect_line out "  (comments or layout only: no field changed)"
	expect_line out "1 experiment changed: no field or entry changed"
}
run_test "changes of fields that are not frozen are plain" diff_plain_changes

diff_added_and_removed_elements() {
	make_example_repo
	python3 - "$MOLDE/experiment.yaml" <<'EOF'
import sys
p = sys.argv[1]
s = open(p).read()
s = s.replace("  - {name: KS, role: funder, level: national}\n", "")
s = s.replace("analysis:\n", "  - {id: H4, statement: More in work, outcome: neet, compare: {arm: molde, against: kristiansund}, timepoint: t1, estimator: difference}\nanalysis:\n")
open(p, "w").write(s)
EOF
	run 0 eks diff
	expect_line out '  - partners[KS]: {"level":"national","name":"KS","role":"funder"}'
	# too long for one line: the value goes below, in one piece
	expect_line out "  + hypotheses[H4]:   (frozen, deviation)"
	grep -q '^      + {.*"statement":"More in work".*}$' out
	run 0 eks diff --format json
	test "$(json_get out '[(c["path"], c["kind"], c["new"] is None, c["old"] is None) for c in d["experiments"][0]["protocol"]]')" = \
		"[('partners[KS]', 'removed', True, False), ('hypotheses[H4]', 'added', False, True)]"
}
run_test "added and removed list elements are shown with + and -" diff_added_and_removed_elements

diff_filter_by_id() {
	make_example_repo
	lower_neet_effect
	sed -i 's/margin: 0.03/margin: 0.05/' $DEMO/experiment.yaml
	run 0 eks diff
	expect_contains out "experiments/demo-velferdsteknologi/experiment.yaml"
	expect_contains out "experiments/uu-molde-outreach/experiment.yaml"
	expect_line out "2 experiments changed: 2 protocol changes (1 deviation)"
	run 0 eks diff -- demo-velferdsteknologi
	expect_contains out "hypotheses[H2].margin"
	expect_not_contains out "uu-molde-outreach"
	run 0 eks diff HEAD -- uu-molde-outreach demo-velferdsteknologi uu-molde-outreach
	test "$(grep -c '^experiments/' out)" = 2
	# an experiment that exists but did not change: nothing
	git checkout -q $DEMO
	run 0 eks diff -- demo-velferdsteknologi
	expect_empty out
	# one that is in neither version, or not an id at all
	run 2 eks diff -- no-such-experiment
	expect_contains err "no experiment 'no-such-experiment'"
	run 2 eks diff -- ../etc
	expect_contains err "not a valid experiment id"
	# an experiment id where a revision goes gets a hint
	run 2 eks diff uu-molde-outreach
	expect_contains err "eksperiment diff -- uu-molde-outreach"
}
run_test "ids after -- limit the experiments compared" diff_filter_by_id

diff_json() {
	make_example_repo
	lower_neet_effect
	append_amendment 'outcomes[neet].minimum_effect'
	git commit -qam "amend"
	run 0 eks diff HEAD~1 HEAD --format json
	expect_empty err
	test "$(wc -l < out)" = 1
	python3 -m json.tool out >/dev/null
	test "$(json_get out 'd["from"]')" = "$(git rev-parse HEAD~1)"
	test "$(json_get out 'd["to"]')" = "$(git rev-parse HEAD)"
	test "$(json_get out 'len(d["experiments"])')" = 1
	test "$(json_get out 'd["experiments"][0]["id"]')" = uu-molde-outreach
	test "$(json_get out 'd["experiments"][0]["registered"]')" = True
	test "$(json_get out 'd["experiments"][0]["protocol"]')" = \
		"[{'path': 'outcomes[neet].minimum_effect', 'kind': 'changed', 'old': '0.05', 'new': '0.03', 'old_default': False, 'new_default': False, 'frozen': True, 'class': 'major', 'status': 'amended', 'line': 45, 'column': 5}]"
	test "$(json_get out '[(e["kind"], e["entry"], e["entry_kind"], e["summary"]) for e in d["experiments"][0]["log"]]')" = \
		"[('added', '20260301T000000Z-abcd', 'amendment', 'amendment (major) of outcomes[neet].minimum_effect: Agreed with the funder')]"
	test "$(json_get out 'd["experiments"][0]["problems"]')" = "[]"
	# a work-tree deviation
	lower_neet_effect
	sed -i 's/minimum_effect: 0.03/minimum_effect: 0.02/' $MOLDE/experiment.yaml
	run 0 eks diff --format json
	test "$(json_get out 'd["to"]')" = None
	test "$(json_get out 'd["experiments"][0]["protocol"][0]["status"]')" = deviation
	test "$(json_get out 'd["experiments"][0]["log"]')" = "[]"
}
run_test "--format json is one document with the documented fields" diff_json

diff_registered_between() {
	make_example_repo
	sed -i 's/margin: 0.03/margin: 0.04/' $DEMO/experiment.yaml
	git commit -qam "a change while still a draft"
	printf -- "--- {id: 20260301T000000Z-beef, kind: registration, recorded_at: '2026-03-01T00:00:00Z', recorded_by: T <t@kommune.example>, protocol_sha256: '00'}\n" >> $DEMO/log.yaml
	# registered only in the work tree: everything came before it
	run 0 eks diff HEAD~1 -- demo-velferdsteknologi
	expect_line out "  hypotheses[H2].margin: 0.03 $ARROW 0.04   (frozen, before registration)"
	git commit -qam "register"
	sed -i 's/minimum_effect: 2.0/minimum_effect: 3.0/' $DEMO/experiment.yaml
	git commit -qam "a change after registration"
	run 0 eks diff HEAD~3 HEAD
	expect_line out "  hypotheses[H2].margin: 0.03 $ARROW 0.04   (frozen, before registration)"
	expect_line out "  outcomes[night_visits].minimum_effect: 2.0 $ARROW 3.0   (frozen, deviation)"
	expect_line out "  + 20260301T000000Z-beef  registration"
	run 0 eks diff HEAD~3 HEAD --format json
	test "$(json_get out '[c["status"] for c in d["experiments"][0]["protocol"]]')" = "['deviation', 'not_registered']"
}
run_test "changes made before a registration in the span are not deviations" diff_registered_between

diff_new_and_removed_experiment() {
	make_example_repo
	cp -r $DEMO experiments/demo-two
	sed -i 's/^id: demo-velferdsteknologi$/id: demo-two/' experiments/demo-two/experiment.yaml
	run 0 eks diff
	expect_line out "experiments/demo-two/experiment.yaml (new file)"
	expect_line out "  + new protocol: Digital night supervision in home care (18 fields)"
	expect_line out "experiments/demo-two/log.yaml (new file)"
	expect_line out "  + 20251015T070000Z-9a2b  2 observations (night_visits@before)"
	expect_not_contains out "frozen"
	rm -r experiments/demo-two $DEMO
	run 0 eks diff
	expect_line out "experiments/demo-velferdsteknologi/log.yaml (removed)"
	expect_contains out "! log rewritten: entry 20251015T070000Z-9a2b (observation) removed"
}
run_test "a new experiment is summed up; a removed log is flagged" diff_new_and_removed_experiment

diff_unreadable_file() {
	make_example_repo
	printf 'hypotheses: [\n' >> $MOLDE/experiment.yaml
	run 0 eks diff
	expect_contains out "! the new version cannot be read: it is not valid YAML (line"
	expect_line out "1 experiment changed: 1 file not compared"
	run 0 eks diff --format json
	test "$(json_get out 'd["experiments"][0]["protocol"]')" = None
	json_get out 'd["experiments"][0]["problems"][0]' | grep -q "^the new experiment.yaml cannot be read"
}
run_test "a side that is not valid YAML is reported, not compared" diff_unreadable_file

diff_errors() {
	make_example_repo
	run 2 eks diff no-such-revision
	expect_contains err "unknown revision 'no-such-revision'"
	run 2 eks diff HEAD no-such-revision
	expect_contains err "unknown revision"
	run 2 eks diff HEAD HEAD HEAD
	run 2 eks diff --format csv
	run 2 eks diff --bogus
	expect_empty out
	mkdir ../elsewhere && cd ../elsewhere
	run 3 eks diff
	expect_contains err "not an eksperiment repository"
}
run_test "bad revisions and options exit 2, outside a repository 3" diff_errors

diff_colour_on_a_terminal() {
	command -v script >/dev/null || { echo "no script(1): skipped"; return 0; }
	make_example_repo
	lower_neet_effect
	TERM=xterm script -qec "'$EKSPERIMENT' diff" /dev/null > tty.out
	grep -q "$(printf '\033')\[1;31m(frozen, deviation)" tty.out
	grep -q "$(printf '\033')\[32m0.03" tty.out
	NO_COLOR=1 TERM=xterm script -qec "'$EKSPERIMENT' diff" /dev/null > tty.out
	expect_contains tty.out "(frozen, deviation)"
	if grep -q "$(printf '\033')" tty.out; then echo "colour despite NO_COLOR"; return 1; fi
}
run_test "deviations are coloured on a terminal, unless NO_COLOR is set" diff_colour_on_a_terminal

diff_help() {
	eks help diff > help.txt
	eks diff --help > dash.txt
	cmp help.txt dash.txt
	grep -q "^NAME" help.txt
	grep -q "eksperiment-diff" help.txt
}
run_test "help diff and diff --help print the manual" diff_help

finish
