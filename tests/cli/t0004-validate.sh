#!/bin/sh
# eksperiment validate: the examples, the broken-input corpus, formats.
. "$(dirname "$0")/lib.sh"


examples_are_clean() {
	make_example_repo
	run 0 eks validate
	expect_line out "5 files checked, no problems found"
	run 0 eks validate --strict
	run 0 eks validate --rev HEAD
	run 0 eks validate experiments/uu-molde-outreach
	expect_line out "2 files checked, no problems found"
}
run_test "the shared examples validate clean (work tree, --strict, --rev, a path)" examples_are_clean

# Every file of tests/data/bad has a line in EXPECTED: file line:col message.
corpus_positions() {
	test -s "$DATA/bad/EXPECTED"
	cp "$EXAMPLES/uu-molde-outreach/experiment.yaml" experiment.yaml
	count=0
	while read -r file position message; do
		case "$file" in ''|'#'*) continue ;; esac
		count=$((count + 1))
		cp "$DATA/bad/$file" "$file"
		run 1 eks validate "$file"
		if ! grep -F "$file:$position: error:" out | grep -qF -- "$message"; then
			echo "$file: expected an error at $position containing '$message', got:"
			cat out
			return 1
		fi
		rm -f "$file"
	done < "$DATA/bad/EXPECTED"
	echo "$count corpus files checked"
	test "$count" -ge 30
}
run_test "every broken input is reported at its line and column with exit 1" corpus_positions

corpus_complete() {
	for f in "$DATA"/bad/*.yaml; do
		name=$(basename "$f")
		grep -q "^$name " "$DATA/bad/EXPECTED" || { echo "$name has no line in EXPECTED"; return 1; }
	done
}
run_test "every corpus file has an expectation" corpus_complete

problems_in_repository() {
	make_example_repo
	sed -i 's/^challenge: ungt_utenforskap/challenge: youth/' experiments/uu-molde-outreach/experiment.yaml
	sed -i 's/^hypotheses:/hypothesis:/' experiments/demo-velferdsteknologi/experiment.yaml
	run 1 eks validate
	expect_contains out "experiments/uu-molde-outreach/experiment.yaml:9:12: error:"
	expect_contains out "youth"
	expect_contains out "did you mean 'hypotheses'"
	grep -q "errors\? and" out
	# the committed state is still clean
	run 0 eks validate --rev HEAD
}
run_test "problems in the work tree are found; --rev reads the commit" problems_in_repository

json_format() {
	make_example_repo
	sed -i 's/^challenge: ungt_utenforskap/challenge: youth/' experiments/uu-molde-outreach/experiment.yaml
	run 1 eks validate --format json
	expect_contains out '"problems":[{"path":"experiments/uu-molde-outreach/experiment.yaml","line":9,"column":12,"severity":"error","message":'
	expect_contains out '"files":5'
	test "$(wc -l < out)" = 1
	if command -v python3 >/dev/null; then python3 -m json.tool out >/dev/null; fi
}
run_test "--format json prints one JSON document" json_format

github_format() {
	make_example_repo
	sed -i 's/^challenge: ungt_utenforskap/challenge: youth/' experiments/uu-molde-outreach/experiment.yaml
	run 1 eks validate --format github
	grep -q '^::error file=experiments/uu-molde-outreach/experiment.yaml,line=9,col=12::' out
	expect_not_contains out "files checked"
}
run_test "--format github prints annotations" github_format

bad_format() {
	make_example_repo
	run 2 eks validate --format xml
	expect_contains err "unknown format 'xml'"
}
run_test "an unknown format is a usage error" bad_format

unknown_revision() {
	make_example_repo
	run 2 eks validate --rev no-such-branch
	expect_contains err "no-such-branch"
}
run_test "--rev with an unknown revision exits 2" unknown_revision

missing_path() {
	run 2 eks validate nowhere.yaml
	expect_contains err "nowhere.yaml"
}
run_test "a path that does not exist is a usage error" missing_path

symlink_refused() {
	make_example_repo
	mkdir elsewhere
	cp -r experiments/uu-molde-outreach elsewhere/linked
	sed -i 's/^id: uu-molde-outreach/id: linked/' elsewhere/linked/experiment.yaml
	ln -s ../elsewhere/linked experiments/linked
	run 1 eks validate
	expect_contains out "experiments/linked: error: symbolic links are not allowed"
}
run_test "a symbolic link inside experiments/ is refused" symlink_refused

id_must_match_directory() {
	make_example_repo
	git mv experiments/demo-velferdsteknologi experiments/renamed
	run 1 eks validate
	expect_contains out "experiments/renamed/experiment.yaml:2:5: error:"
}
run_test "the id inside must equal the directory name" id_must_match_directory

huge_file_refused() {
	make_example_repo
	truncate -s 17M experiments/uu-molde-outreach/log.yaml
	run 1 eks validate
	expect_contains out "experiments/uu-molde-outreach/log.yaml:1:1: error: this file is larger than 16 MiB"
}
run_test "files over 16 MiB are refused without being read" huge_file_refused

small_cells_warn() {
	make_example_repo
	cat >> experiments/uu-molde-outreach/log.yaml <<'YAML'
---
id: 20260301T090000Z-aaaa
kind: observation
recorded_at: 2026-03-01T09:00:00Z
recorded_by: Kari Nordmann <kari@molde.kommune.example>
observations:
  - {outcome: neet, arm: molde, timepoint: t1, n: 40, events: 3}
YAML
	run 0 eks validate
	expect_contains out "warning:"
	run 1 eks validate --strict
	expect_contains out "error:"
	printf 'schema: eksperiment/v1\nname: x\nprivacy:\n  min_cell: 0\n' > eksperiment.yaml
	run 0 eks validate
	expect_not_contains out "warning:"
}
run_test "small cells are a warning, an error with --strict, off with min_cell 0" small_cells_warn

small_cells_of_superseded_entries() {
	make_example_repo
	cat >> experiments/uu-molde-outreach/log.yaml <<'YAML'
---
id: 20260301T090000Z-aaaa
kind: observation
recorded_at: 2026-03-01T09:00:00Z
recorded_by: Kari Nordmann <kari@molde.kommune.example>
observations:
  - {outcome: neet, arm: molde, timepoint: t1, n: 40, events: 3}
YAML
	git commit -qam "a small cell"
	run 0 eks validate
	expect_contains out "log.yaml:40:6: warning: only 3 events in this cell"
	# corrected by a later entry: the old cell no longer counts, and is
	# not warned about again; the new one is checked as any other
	run 0 eks log uu-molde-outreach --outcome neet --arm molde --timepoint t1 \
		--n 40 --events 12 --supersedes 20260301T090000Z-aaaa
	run 0 eks validate
	expect_not_contains out "warning:"
	run 0 eks validate --strict
	expect_line out "5 files checked, no problems found"
	run 0 eks log uu-molde-outreach --outcome neet --arm kristiansund --timepoint t1 \
		--n 40 --events 2
	run 0 eks validate
	expect_contains out "warning: only 2 events in this cell"
	expect_not_contains out "only 3 events"
}
run_test "a superseded entry's small cells are not warned about again" small_cells_of_superseded_entries

finish
