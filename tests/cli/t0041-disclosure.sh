#!/bin/sh
# disclosure entries in log.yaml (SPEC 2.2, 5), written by hand and
# committed with plain git: validate, show, history and the index read them.
. "$(dirname "$0")/lib.sh"

LOG=experiments/uu-molde-outreach/log.yaml

# The line number of the first line of FILE with TEXT.
line_of() {
	grep -nF -- "$2" "$1" | head -1 | cut -d: -f1
}

disclosure_accepted() {
	make_example_repo
	commit=$(git rev-parse HEAD)
	short=$(git rev-parse --short=7 HEAD)
	# one line, as eksperiment writes entries; then a block by hand, with
	# an abbreviated commit, keep, and no lists
	cat >> "$LOG" <<-EOF
	--- {id: 20260301T080000Z-d15c, kind: disclosure, recorded_at: 2026-03-01T08:00:00Z, recorded_by: "Kari Nordmann <kari@molde.kommune.example>", commit: $commit, paths: ["hypotheses[H1].margin"], entries: [20260210T091000Z-0e5f], reason: "Margin typed wrong: 0.05, not 0.5 – sånn går det"}
	---
	id: 20260302T080000Z-0b0b
	kind: disclosure
	recorded_at: 2026-03-02T08:00:00Z
	recorded_by: Ola Hansen <ola@molde.kommune.example>
	commit: $short
	reason: Both branches logged the same count.
	keep: $short
	EOF
	git commit -qam "disclose the margin change, by hand"
	run 0 eks validate
	expect_line out "5 files checked, no problems found"
	run 0 eks validate --strict
	run 0 eks validate --rev HEAD

	run 0 eks show uu-molde-outreach
	expect_contains out "disclosure of commit $short: Margin typed wrong"
	run 0 eks history uu-molde-outreach
	expect_contains out "20260301T080000Z-d15c  disclosure of commit $short: Margin typed wrong"
	expect_contains out "20260302T080000Z-0b0b  disclosure of commit $short: Both branches"
	run 0 eks history uu-molde-outreach --format json
	expect_contains out '"summary":"disclosure of commit '"$short"': Margin typed wrong: 0.05, not 0.5 – sånn går det"'

	# the index holds them with their kind
	run 0 eks sql "SELECT id FROM entries WHERE kind = 'disclosure' ORDER BY id"
	expect_contains out "20260301T080000Z-d15c"
	expect_contains out "20260302T080000Z-0b0b"
}
run_test "a disclosure committed with git validates and is shown and indexed" disclosure_accepted

disclosure_broken() {
	make_example_repo
	commit=$(git rev-parse HEAD)
	cat >> "$LOG" <<-EOF
	---
	id: 20260301T080000Z-d15c
	kind: disclosure
	recorded_at: 2026-03-01T08:00:00Z
	recorded_by: Kari Nordmann <kari@molde.kommune.example>
	commit: $commit
	paths: ["hypotheses[H1].margin"]
	entries: []
	EOF
	git commit -qam "a disclosure without its reason"
	line=$(line_of "$LOG" "id: 20260301T080000Z-d15c")
	run 1 eks validate
	expect_contains out "$LOG:$line:1: error: missing required key 'reason' in this entry"
	run 1 eks validate --rev HEAD
	expect_contains out "$LOG:$line:1: error: missing required key 'reason'"

	# a commit that is not one, and nothing disclosed
	sed -i -e "s/^commit: .*/commit: HEAD~1/" -e 's/^paths: .*/paths: []/' "$LOG"
	echo "reason: typo" >> "$LOG"
	run 1 eks validate
	expect_contains out "$LOG:$((line + 4)):9: error: 'commit' must be a commit id"
	expect_contains out "$LOG:$((line + 5)):8: error: a disclosure must name what it discloses"
}
run_test "a broken disclosure is an error at its line and column, exit 1" disclosure_broken

disclosure_identity_number() {
	make_example_repo
	fnr=$(make_fnr 311299)
	cat >> "$LOG" <<-EOF
	---
	id: 20260301T080000Z-d15c
	kind: disclosure
	recorded_at: 2026-03-01T08:00:00Z
	recorded_by: Kari Nordmann <kari@molde.kommune.example>
	commit: $(git rev-parse --short=7 HEAD)
	entries: [20260210T091000Z-0e5f]
	reason: the entry named $fnr
	EOF
	line=$(line_of "$LOG" "reason: the entry named")
	run 1 eks validate
	expect_contains out "$LOG:$line:25: error: this looks like a Norwegian national identity number"
	expect_not_contains out "$fnr"
}
run_test "a disclosure's reason is checked for identity numbers" disclosure_identity_number

finish
