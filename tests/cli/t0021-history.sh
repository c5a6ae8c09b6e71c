#!/bin/sh
# eksperiment history: the timeline of one experiment's commits.
. "$(dirname "$0")/lib.sh"

make_example_repo() {
	eks init >/dev/null
	mkdir -p experiments
	cp -r "$EXAMPLES/uu-molde-outreach" "$EXAMPLES/demo-velferdsteknologi" experiments/
	git add experiments && git commit -qm "add the examples"
}

json_get() {
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# line_of FILE TEXT: the number of the first line of FILE with TEXT.
line_of() {
	grep -nF -- "$2" "$1" | head -1 | cut -d: -f1
}

# append_entry FILE ID NOTE: a note entry, as a person would add it by hand.
append_entry() {
	cat >> "$1" <<-EOF
	---
	id: $2
	kind: note
	recorded_at: 2026-03-01T08:00:00Z
	recorded_by: Hand Editor <hand@kommune.example>
	note: $3
	EOF
}

history_timeline() {
	make_example_repo
	created=$(git rev-parse --short=7 HEAD)
	run 0 eks log uu-molde-outreach --outcome neet --arm molde --timepoint t1 --n 10 --events 2
	logged=$(git rev-parse --short=7 HEAD)
	# a status move (as eksperiment status makes it, here by hand)
	sed -i 's/^status: registered/status: active/' experiments/uu-molde-outreach/experiment.yaml
	cat >> experiments/uu-molde-outreach/log.yaml <<-'EOF'
	---
	id: 20260301T080000Z-5a5a
	kind: status
	recorded_at: 2026-03-01T08:00:00Z
	recorded_by: Test Person <test@kommune.example>
	from: registered
	to: active
	reason: first referrals came in
	EOF
	git commit -qam "status uu-molde-outreach: registered -> active"
	moved=$(git rev-parse --short=7 HEAD)
	run 0 eks log uu-molde-outreach --note "Two staff members on leave in March"
	noted=$(git rev-parse --short=7 HEAD)
	# a commit that does not touch this experiment
	run 0 eks log demo-velferdsteknologi --note "Not about Molde"

	run 0 eks history uu-molde-outreach
	expect_empty err
	expect_contains out "History of uu-molde-outreach, newest first (from commit $(git rev-parse --short=7 HEAD))"
	# every commit that touched the experiment, newest first, and no other
	test "$(grep -c '^[0-9a-f]\{7\}  ' out)" = 4
	test "$(line_of out "$noted  ")" -lt "$(line_of out "$moved  ")"
	test "$(line_of out "$moved  ")" -lt "$(line_of out "$logged  ")"
	test "$(line_of out "$logged  ")" -lt "$(line_of out "$created  ")"
	expect_not_contains out "Not about Molde"
	grep -Eq "^$logged  [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}  Test Person$" out
	expect_line out "    log uu-molde-outreach: 1 observation (neet@t1)"
	grep -Eq '^      - [0-9]{8}T[0-9]{6}Z-[0-9a-f]{4}  1 observation \(neet@t1\)$' out
	expect_line out "      - 20260301T080000Z-5a5a  status registered -> active: first referrals came in"
	expect_line out "      - protocol changed: status"
	grep -Eq '^      - [0-9]{8}T[0-9]{6}Z-[0-9a-f]{4}  note: Two staff members on leave in March$' out
	# the first commit: the experiment and the entries it came with
	expect_line out "      - experiment created"
	expect_line out "      - 20250120T100211Z-3c1d  registration"
	expect_line out "      - 20260210T091000Z-0e5f  4 observations (neet@t1, wellbeing@t1)"
	grep -Eq '^      - 20250915T120000Z-77b0  adjustment: Home visits now also offered on Saturdays.*\.\.\.$' out
}
run_test "history lists the commits that changed the experiment, newest first" history_timeline

history_hand_commits() {
	make_example_repo
	append_entry experiments/uu-molde-outreach/log.yaml 20260301T080000Z-abcd "Added with a text editor"
	sed -i 's/^phase: test/phase: adjust/; s/^  conf_level: 0.95/  conf_level: 0.9/' experiments/uu-molde-outreach/experiment.yaml
	git -c user.name="Hand Editor" -c user.email=hand@kommune.example commit -qam "Fix up the protocol by hand"
	hand=$(git rev-parse --short=7 HEAD)
	# only a comment changes
	sed -i '1i # reviewed in March' experiments/uu-molde-outreach/experiment.yaml
	git commit -qam "A comment"
	run 0 eks history uu-molde-outreach
	grep -Eq "^$hand  .*  Hand Editor$" out
	expect_line out "    Fix up the protocol by hand"
	expect_line out "      - protocol changed: phase, analysis"
	expect_line out "      - 20260301T080000Z-abcd  note: Added with a text editor"
	expect_line out "      - protocol changed: comments or layout only"
}
run_test "commits made with plain git appear like any other" history_hand_commits

history_log_rewritten() {
	make_example_repo
	# remove one entry and change another: the log is append-only
	python3 - experiments/uu-molde-outreach/log.yaml <<-'EOF'
	import sys
	path = sys.argv[1]
	docs = open(path).read().split("---\n")
	docs = [d for d in docs if "20250915T120000Z-77b0" not in d]
	docs = [d.replace("n: 120, events: 41", "n: 120, events: 40") for d in docs]
	open(path, "w").write("---\n".join(docs))
	EOF
	git commit -qam "tidy the log"
	run 0 eks history uu-molde-outreach
	expect_line out "      - log rewritten: entry 20250301T081500Z-a41e (observation) changed"
	expect_line out "      - log rewritten: entry 20250915T120000Z-77b0 removed"
	run 0 eks history uu-molde-outreach --format json
	test "$(json_get out '[(c["type"], c["entry"]) for c in d["commits"][0]["changes"]]')" = \
		"[('entry_changed', '20250301T081500Z-a41e'), ('entry_removed', '20250915T120000Z-77b0')]"
	# appending text to the last entry changes it, it adds nothing
	printf 'note: added later\n' >> experiments/uu-molde-outreach/log.yaml
	git commit -qam "more on the last entry"
	run 0 eks history uu-molde-outreach
	expect_line out "      - log rewritten: entry 20260210T091000Z-0e5f (observation) changed"
}
run_test "entries changed or removed are flagged as a rewritten log" history_log_rewritten

history_similar_ids_and_files() {
	make_example_repo
	mkdir -p experiments/uu-molde-outreach-2
	echo "other" > experiments/uu-molde-outreach-2/notes.md
	git add experiments && git commit -qm "another experiment with a similar id"
	echo "# Notes" > experiments/uu-molde-outreach/notes.md
	git add experiments && git commit -qm "add notes"
	run 0 eks history uu-molde-outreach
	expect_not_contains out "similar id"
	expect_line out "      - file notes.md added"
	git rm -q experiments/uu-molde-outreach/notes.md && git commit -qm "drop notes"
	run 0 eks history uu-molde-outreach
	expect_line out "      - file notes.md removed"
	git rm -rq experiments/uu-molde-outreach && git commit -qm "the experiment is gone"
	run 0 eks history uu-molde-outreach
	expect_line out "      - experiment removed"
	test "$(json_get /dev/stdin 'd["commits"][0]["changes"]' <<-EOF
	$(eks history uu-molde-outreach --format json)
	EOF
	)" = "[{'type': 'deleted'}]"
}
run_test "other experiments, other files, a removed experiment" history_similar_ids_and_files

history_merges() {
	make_example_repo
	log=experiments/uu-molde-outreach/log.yaml
	cp $log base.log
	git checkout -qb side
	append_entry $log 20260301T080000Z-a001 "Logged on a branch"
	git commit -qam "entry on the side branch"
	git checkout -q main
	append_entry $log 20260302T080000Z-b002 "Logged on main"
	git commit -qam "entry on main"
	# both appended: the merged log holds both entries (resolved by hand,
	# as a union merge of two similar entries needs checking anyway)
	git merge -q --no-commit side 2>/dev/null || true
	cp base.log $log
	append_entry $log 20260302T080000Z-b002 "Logged on main"
	append_entry $log 20260301T080000Z-a001 "Logged on a branch"
	git add $log && git commit -qm "Merge branch 'side'"
	# a branch that changed the protocol, merged without a conflict
	git checkout -qb plan
	sed -i 's/^phase: test/phase: adjust/' experiments/uu-molde-outreach/experiment.yaml
	git commit -qam "adjust phase on a branch"
	git checkout -q main
	append_entry $log 20260304T080000Z-d004 "Logged on main again"
	git commit -qam "another entry on main"
	git merge -q --no-edit plan
	# a branch that only touched another experiment
	git checkout -qb other
	append_entry experiments/demo-velferdsteknologi/log.yaml 20260303T080000Z-c003 "Elsewhere"
	git commit -qam "entry elsewhere"
	git checkout -q main
	git merge -q --no-ff --no-edit other

	run 0 eks history uu-molde-outreach
	# each entry is reported once, at the commit that logged it
	test "$(grep -c '20260301T080000Z-a001' out)" = 1
	test "$(grep -c '20260302T080000Z-b002' out)" = 1
	test "$(grep -c 'protocol changed: phase' out)" = 1
	expect_contains out "entry on the side branch"
	expect_contains out "Merge branch 'side'"
	expect_contains out "Merge branch 'plan'"
	test "$(grep -c '(merge)$' out)" = 2
	test "$(grep -c '^      - brings the changes of its branches together$' out)" = 2
	# a merge that brought nothing new to this experiment is left out
	expect_not_contains out "Merge branch 'other'"
	run 0 eks history uu-molde-outreach --format json
	test "$(json_get out '[c["merge"] for c in d["commits"]].count(True)')" = 2
	test "$(json_get out '[c["changes"] for c in d["commits"] if c["merge"]]')" = "[[], []]"
}
run_test "merges: entries once, merges that change nothing here left out" history_merges

history_json() {
	make_example_repo
	run 0 eks log uu-molde-outreach --note "A note" -m "why"
	run 0 eks history uu-molde-outreach --format json
	expect_empty err
	test "$(wc -l < out)" = 1
	python3 -m json.tool out >/dev/null
	test "$(json_get out 'd["revision"]')" = "$(git rev-parse HEAD)"
	test "$(json_get out 'd["experiment"]')" = uu-molde-outreach
	test "$(json_get out 'len(d["commits"])')" = 2
	test "$(json_get out 'd["commits"][0]["commit"]')" = "$(git rev-parse HEAD)"
	test "$(json_get out 'd["commits"][0]["author"]')" = "Test Person"
	test "$(json_get out 'd["commits"][0]["email"]')" = "test@kommune.example"
	json_get out 'd["commits"][0]["date"]' | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'
	test "$(json_get out 'd["commits"][0]["subject"]')" = "log uu-molde-outreach: note"
	test "$(json_get out 'd["commits"][0]["merge"]')" = False
	test "$(json_get out 'd["commits"][0]["changes"][0]["type"]')" = entry_added
	test "$(json_get out 'd["commits"][0]["changes"][0]["kind"]')" = note
	test "$(json_get out 'd["commits"][0]["changes"][0]["summary"]')" = "note: A note"
	test "$(json_get out 'd["commits"][0]["changes"][0]["recorded_by"]')" = "Test Person <test@kommune.example>"
	test "$(json_get out 'd["commits"][1]["changes"][0]')" = "{'type': 'created'}"
	test "$(json_get out 'len(d["commits"][1]["changes"])')" = 5
	sed -i 's/^phase: test/phase: scale/' experiments/uu-molde-outreach/experiment.yaml
	git commit -qam "scale"
	run 0 eks history uu-molde-outreach --format json
	test "$(json_get out 'd["commits"][0]["changes"]')" = "[{'type': 'protocol_changed', 'fields': ['phase']}]"
}
run_test "--format json is one documented JSON document" history_json

history_errors() {
	make_example_repo
	run 2 eks history nope
	expect_contains err "there is no experiment 'nope' in the history of commit"
	run 2 eks history
	run 2 eks history a b
	run 2 eks history ../x
	run 2 eks history uu-molde-outreach --format csv
	run 2 eks history uu-molde-outreach --rev HEAD
	sed -i 's/^title: .*/title: Uncommitted/' experiments/uu-molde-outreach/experiment.yaml
	run 0 eks history uu-molde-outreach
	expect_contains err "warning: 'experiments/uu-molde-outreach/experiment.yaml' has uncommitted changes"
	mkdir ../outside && cd ../outside
	run 3 eks history uu-molde-outreach
	expect_contains err "not an eksperiment repository"
}
run_test "unknown experiment exits 2, outside a repository 3, uncommitted changes warned" history_errors

history_help() {
	eks help history > help.txt
	eks history --help > dash.txt
	cmp help.txt dash.txt
	grep -q "eksperiment-history" help.txt
}
run_test "help history and history --help print the manual" history_help

finish
