#!/bin/sh
# eksperiment show: one experiment at a glance, from a commit.
. "$(dirname "$0")/lib.sh"

# A repository holding the two shared examples, committed by plain git.
make_example_repo() {
	eks init >/dev/null
	mkdir -p experiments
	cp -r "$EXAMPLES/uu-molde-outreach" "$EXAMPLES/demo-velferdsteknologi" experiments/
	git add experiments && git commit -qm "add the examples"
}

# json_get FILE EXPR: print a Python expression over the parsed document `d`.
json_get() {
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

show_text() {
	make_example_repo
	run 0 eks show uu-molde-outreach
	expect_empty err
	expect_contains out "uu-molde-outreach  (commit $(git rev-parse --short=7 HEAD))"
	expect_contains out "Outreach youth team and NEET share among young people in Molde"
	expect_contains out "Oppsøkende ungdomsteam"
	grep -Eq '^Status +registered$' out
	grep -Eq '^Challenge +ungt_utenforskap$' out
	grep -Eq '^Phase +test$' out
	grep -Eq '^Evidence level +3 ' out
	grep -Eq '^Design +non_randomized, parallel; unit: person$' out
	grep -Eq '^Dates +2025-02-01 to 2026-12-31$' out
	# partners, aligned even after a name with non-ASCII letters
	grep -Eq '^  Møre og Romsdal fylkeskommune  partner {16}county$' out
	grep -Eq '^  Kristiansund kommune           comparison_site  1505  municipality$' out
	grep -Eq '^  molde +Outreach team +experimental +interventions: outreach; sites: 1506$' out
	grep -Eq '^  outreach +Oppsøkende ungdomsteam$' out
	grep -Eq '^  t1 +12 months +2026-02-01$' out
	grep -Eq '^  neet +Share of referred young people' out
	grep -Eq '^  H2  neet at t1 \(baseline t0\): molde against kristiansund$' out
	grep -Eq '^      did, superiority, exploratory$' out
	expect_contains out "multiplicity: holm; confidence level: 95%"
	# the data, added up per outcome, timepoint and arm
	grep -Eq '^  neet +t1 +molde +120  14 events \(11\.7%\)$' out
	grep -Eq '^  neet +t0 +kristiansund +118  39 events \(33\.1%\)$' out
	grep -Eq '^  wellbeing +t1 +molde +96  mean 6\.9, sd 1\.8$' out
	# the last entries, newest first, with who made them
	expect_contains out "Log: 4 entries, the last first"
	grep -n "" out | grep -E 'observation +Kari Nordmann +4 observations \(neet@t1, wellbeing@t1\)' > first
	grep -n "" out | grep -E 'registration +Kari Nordmann' > last
	test "$(cut -d: -f1 first)" -lt "$(cut -d: -f1 last)"
	grep -Eq '^  2025-09-15 12:00  adjustment +Ola Hansen +Home visits now also' out
	# not a terminal: no colour
	if grep -q "$(printf '\033')" out; then echo "colour codes in piped output"; return 1; fi
}
run_test "show prints the protocol, the data and the last entries" show_text

show_json() {
	make_example_repo
	run 0 eks show uu-molde-outreach --format json
	expect_empty err
	test "$(wc -l < out)" = 1
	python3 -m json.tool out >/dev/null
	test "$(json_get out 'd["revision"]')" = "$(git rev-parse HEAD)"
	test "$(json_get out 'd["experiment"]["id"]')" = uu-molde-outreach
	test "$(json_get out 'd["experiment"]["status"]')" = registered
	test "$(json_get out 'd["experiment"]["evidence_level"]')" = 3
	test "$(json_get out 'd["experiment"]["design"]["model"]')" = parallel
	test "$(json_get out 'd["experiment"]["partners"][0]["kommunenummer"]')" = 1506
	test "$(json_get out 'd["experiment"]["partners"][2]["kommunenummer"]')" = None
	test "$(json_get out 'd["experiment"]["outcomes"][0]["minimum_effect"]')" = 0.05
	test "$(json_get out 'd["experiment"]["hypotheses"][1]["baseline"]')" = t0
	test "$(json_get out 'd["experiment"]["hypotheses"][1]["compare"]')" = "{'arm': 'molde', 'against': 'kristiansund'}"
	test "$(json_get out 'd["experiment"]["hypotheses"][1]["family"]')" = exploratory
	test "$(json_get out 'd["experiment"]["hypotheses"][0]["alpha"]')" = 0.05
	test "$(json_get out 'd["experiment"]["analysis"]["conf_level"]')" = 0.95
	test "$(json_get out 'len(d["experiment"]["data"])')" = 6
	test "$(json_get out '[c for c in d["experiment"]["data"] if c["outcome"] == "neet" and c["arm"] == "molde" and c["timepoint"] == "t1"][0]')" = \
		"{'outcome': 'neet', 'arm': 'molde', 'timepoint': 't1', 'n': 120, 'events': 14, 'observations': 1}"
	test "$(json_get out '[(c["n"], c["mean"], c["sd"]) for c in d["experiment"]["data"] if c["outcome"] == "wellbeing" and c["arm"] == "kristiansund"][0]')" = "(90, 6.4, 2)"
	test "$(json_get out 'd["experiment"]["n_entries"]')" = 4
	test "$(json_get out '[e["id"] for e in d["experiment"]["entries"]]')" = \
		"['20260210T091000Z-0e5f', '20250915T120000Z-77b0', '20250301T081500Z-a41e', '20250120T100211Z-3c1d']"
	test "$(json_get out 'd["experiment"]["entries"][0]["summary"]')" = "4 observations (neet@t1, wellbeing@t1)"
	test "$(json_get out 'd["experiment"]["entries"][0]["recorded_by"]')" = "Kari Nordmann <kari.nordmann@molde.kommune.example>"
	test "$(json_get out 'd["experiment"]["entries"][1]["superseded"]')" = False
	test "$(json_get out 'd["experiment"]["extensions"]')" = "{}"
}
run_test "--format json is one documented JSON document" show_json

show_data_accumulates_and_rev() {
	make_example_repo
	first=$(git rev-parse HEAD)
	cat >> experiments/uu-molde-outreach/log.yaml <<-'EOF'
	---
	id: 20260301T080000Z-1111
	kind: observation
	recorded_at: 2026-03-01T08:00:00Z
	recorded_by: Hand Editor <hand@kommune.example>
	observations:
	  - {outcome: neet, arm: molde, timepoint: t1, n: 30, events: 6}
	---
	id: 20260302T080000Z-2222
	kind: note
	recorded_at: 2026-03-02T08:00:00Z
	recorded_by: Hand Editor <hand@kommune.example>
	note: The first entry of March was counted twice.
	supersedes: 20260301T080000Z-1111
	EOF
	git commit -qam "more data, by hand"
	run 0 eks show uu-molde-outreach
	# the superseded entry no longer counts
	grep -Eq '^  neet +t1 +molde +120  14 events' out
	expect_contains out "(superseded)"
	expect_contains out "Log: 6 entries, the last 5 first"
	expect_not_contains out "registration"
	run 0 eks show uu-molde-outreach --rev "$first"
	expect_contains out "(commit $(git rev-parse --short=7 "$first"))"
	expect_contains out "Log: 4 entries, the last first"
	expect_empty err
}
run_test "superseded entries do not count; --rev shows an older commit" show_data_accumulates_and_rev

show_counts_add_up() {
	make_example_repo
	cat >> experiments/demo-velferdsteknologi/log.yaml <<-'EOF'
	---
	id: 20260501T080000Z-3333
	kind: observation
	recorded_at: 2026-05-01T08:00:00Z
	recorded_by: Per Berg <per.berg@baerum.kommune.example>
	observations:
	  - {outcome: fall_admission, arm: usual, timepoint: after, n: 31, events: 12}
	  - {outcome: night_visits, arm: usual, timepoint: after, values: [16.9, 16.9]}
	EOF
	git commit -qam "May"
	run 0 eks show demo-velferdsteknologi --format json
	test "$(json_get out '[(c["n"], c["events"], c["observations"]) for c in d["experiment"]["data"] if c["outcome"] == "fall_admission" and c["arm"] == "usual"][0]')" = "(100, 20, 2)"
	test "$(json_get out '[(c["n"], round(c["mean"], 6)) for c in d["experiment"]["data"] if c["outcome"] == "night_visits" and c["arm"] == "usual" and c["timepoint"] == "after"][0]')" = "(71, 16.9)"
	run 0 eks show demo-velferdsteknologi
	grep -Eq '^  fall_admission +after +usual +100  20 events \(20(\.0)?%\)$' out
}
run_test "observations of the same cell add up" show_counts_add_up

show_warns_about_uncommitted_changes() {
	make_example_repo
	sed -i 's/^title: .*/title: Not yet committed/' experiments/uu-molde-outreach/experiment.yaml
	run 0 eks show uu-molde-outreach
	expect_contains err "warning: 'experiments/uu-molde-outreach/experiment.yaml' has uncommitted changes"
	expect_contains err "commit $(git rev-parse --short=7 HEAD)"
	expect_contains out "Outreach youth team"
	expect_not_contains out "Not yet committed"
	# changes to another experiment are not this one's business
	run 0 eks show demo-velferdsteknologi
	expect_empty err
	# a new file counts too
	echo "draft" > experiments/demo-velferdsteknologi/notes.md
	run 0 eks show demo-velferdsteknologi --format json
	expect_contains err "notes.md' has uncommitted changes"
	python3 -m json.tool out >/dev/null
}
run_test "uncommitted changes are warned about on stderr and not shown" show_warns_about_uncommitted_changes

show_errors() {
	make_example_repo
	run 2 eks show nope
	expect_contains err "there is no experiment 'nope' in commit $(git rev-parse --short=7 HEAD)"
	run 2 eks show uu-molde-outreach --rev no-such-branch
	expect_contains err "unknown revision 'no-such-branch'"
	run 2 eks show
	expect_contains err "needs exactly one experiment id"
	run 2 eks show uu-molde-outreach demo-velferdsteknologi
	run 2 eks show ../etc
	expect_contains err "not a valid experiment id"
	run 2 eks show uu-molde-outreach --format csv
	expect_contains err "unknown format 'csv'"
	run 2 eks show uu-molde-outreach --bogus
	expect_contains err "unknown option"
	run 2 eks show uu-molde-outreach --rev
	mkdir ../outside && cd ../outside
	run 3 eks show uu-molde-outreach
	expect_contains err "not an eksperiment repository"
}
run_test "unknown experiment or revision exit 2, outside a repository 3" show_errors

show_broken_commit() {
	make_example_repo
	sed -i 's/^challenge: ungt_utenforskap/challenge: youth/' experiments/uu-molde-outreach/experiment.yaml
	git commit -qam "break it by hand"
	run 1 eks show uu-molde-outreach
	expect_contains err "experiments/uu-molde-outreach/experiment.yaml:9:12: error:"
	expect_contains out "Outreach youth team"
	grep -Eq '^  neet +t1 +molde +120  14 events' out
	run 1 eks show uu-molde-outreach --format json
	python3 -m json.tool out >/dev/null
	test "$(json_get out 'd["experiment"]["challenge"]')" = None
}
run_test "a committed experiment with errors is shown as far as it reads, exit 1" show_broken_commit

show_empty_log() {
	eks init >/dev/null
	eks new pilot --title "A pilot" >/dev/null
	run 0 eks show pilot
	expect_contains out "no entries yet"
	expect_contains out "no data yet"
	run 0 eks show pilot --format json
	test "$(json_get out 'd["experiment"]["entries"]')" = "[]"
	test "$(json_get out 'd["experiment"]["data"]')" = "[]"
}
run_test "a new experiment without data shows what is planned" show_empty_log

show_extensions() {
	make_example_repo
	printf 'x-budget:\n  nok: 1200000\n  source: [KS, county]\n' >> experiments/uu-molde-outreach/experiment.yaml
	git commit -qam "budget"
	run 0 eks show uu-molde-outreach --format json
	test "$(json_get out 'd["experiment"]["extensions"]')" = "{'x-budget': {'nok': '1200000', 'source': ['KS', 'county']}}"
}
run_test "extension fields are in the JSON" show_extensions

show_colour_on_a_terminal() {
	command -v script >/dev/null || { echo "no script(1): skipped"; return 0; }
	make_example_repo
	TERM=xterm script -qec "'$EKSPERIMENT' show uu-molde-outreach" /dev/null > tty.out
	grep -q "$(printf '\033')\[1mPartners" tty.out
	NO_COLOR=1 TERM=xterm script -qec "'$EKSPERIMENT' show uu-molde-outreach" /dev/null > tty.out
	expect_contains tty.out "Partners"
	if grep -q "$(printf '\033')" tty.out; then echo "colour despite NO_COLOR"; return 1; fi
}
run_test "headings are coloured on a terminal, unless NO_COLOR is set" show_colour_on_a_terminal

show_help() {
	eks help show > help.txt
	eks show --help > dash.txt
	cmp help.txt dash.txt
	grep -q "^NAME" help.txt
	grep -q "eksperiment-show" help.txt
}
run_test "help show and show --help print the manual" show_help

finish
