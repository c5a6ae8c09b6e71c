#!/bin/sh
# eksperiment edit: change a protocol in an editor, validate, commit.
# The editor is a command in EDITOR (or VISUAL), as scripts and CI use it.
. "$(dirname "$0")/lib.sh"

make_example_repo() {
	eks init >/dev/null
	mkdir -p experiments
	cp -r "$EXAMPLES/uu-molde-outreach" "$EXAMPLES/demo-velferdsteknologi" experiments/
	git add experiments && git commit -qm "add the examples"
}

P=experiments/uu-molde-outreach/experiment.yaml

# No edit copies are left behind in .git/eksperiment/.
no_copies_left() {
	if ls .git/eksperiment/edit-* >/dev/null 2>&1; then
		echo "edit copies left behind:"; ls .git/eksperiment/
		return 1
	fi
}

# edit_with EDITOR CODE ARGS...: run `eks edit ARGS` with that EDITOR and
# expect exit CODE (as run does).
edit_with() {
	EDITOR=$1; export EDITOR
	shift
	_code=$1; shift
	run "$_code" eks edit "$@"
	unset EDITOR
}

# The path of the kept copy, from the error message.
kept_copy() {
	sed -n "s/.*kept in '\([^']*\)'.*/\1/p" err | tail -1
}

edit_valid_change() {
	make_example_repo
	before=$(git rev-parse HEAD)
	edit_with "sed -i s/^phase:.test/phase:\ adjust/" 0 uu-molde-outreach
	expect_contains out "Committed the protocol of uu-molde-outreach"
	expect_contains out "changed: phase"
	test "$(git rev-parse HEAD~1)" = "$before"
	test "$(git log -1 --format=%s)" = "edit uu-molde-outreach: protocol updated"
	git log -1 --format=%b | grep -qx "Changed: phase"
	git show HEAD:$P | grep -qx "phase: adjust"
	grep -qx "phase: adjust" $P
	test -z "$(git status --porcelain)"
	no_copies_left
	run 0 eks validate
	# only the protocol changed in that commit
	test "$(git diff --name-only HEAD~1 HEAD)" = "$P"
}
run_test "a valid change is committed; the work tree is clean afterwards" edit_valid_change

edit_message_and_fields() {
	make_example_repo
	edit_with "sed -i -e s/^phase:.test/phase:\ adjust/ -e s/conf_level:.0.95/conf_level:\ 0.9/" \
		0 uu-molde-outreach -m "after the mid-term review"
	test "$(git log -1 --format=%s)" = "edit uu-molde-outreach: after the mid-term review"
	git log -1 --format=%b | grep -qx "Changed: phase, analysis"
	# a change of comments only is a change too
	edit_with "sed -i 1i#\ reviewed" 0 uu-molde-outreach
	git log -1 --format=%b | grep -qx "Changed: comments or layout only"
	head -1 $P | grep -qx "# reviewed"
}
run_test "-m gives the reason; the changed top-level fields are in the message" edit_message_and_fields

edit_no_change() {
	make_example_repo
	before=$(git rev-parse HEAD)
	edit_with true 0 uu-molde-outreach
	expect_contains out "No changes to uu-molde-outreach; nothing was committed."
	test "$(git rev-parse HEAD)" = "$before"
	no_copies_left
	# an editor that rewrites the same bytes changes nothing either
	edit_with "sed -i s/x/x/" 0 uu-molde-outreach
	test "$(git rev-parse HEAD)" = "$before"
}
run_test "no change: no commit, exit 0" edit_no_change

edit_invalid_without_terminal() {
	make_example_repo
	before=$(git rev-parse HEAD)
	edit_with "sed -i s/^challenge:.ungt_utenforskap/challenge:\ youth/" 1 uu-molde-outreach
	expect_contains err "edit-uu-molde-outreach-"
	expect_contains err ".yaml:9:12: error: 'challenge' must be one of"
	expect_contains err "nothing was committed"
	copy=$(kept_copy)
	test -n "$copy"
	test -f "$copy"
	case "$copy" in */.git/eksperiment/edit-uu-molde-outreach-??????.yaml) ;; *) echo "copy at $copy"; return 1 ;; esac
	grep -qx "challenge: youth" "$copy"
	test "$(git rev-parse HEAD)" = "$before"
	test -z "$(git status --porcelain)"
	grep -qx "challenge: ungt_utenforskap" $P
	expect_empty out
}
run_test "an invalid change without a terminal: exit 1, nothing committed, copy kept" edit_invalid_without_terminal

edit_identity_number() {
	make_example_repo
	before=$(git rev-parse HEAD)
	fnr=$(make_fnr 010190)
	test ${#fnr} = 11
	edit_with "sed -i s/^phase:.test/phase:\ $fnr/" 1 uu-molde-outreach
	expect_contains err "identity number"
	expect_not_contains err "$fnr"
	expect_not_contains out "$fnr"
	test "$(git rev-parse HEAD)" = "$before"
	# in a comment too
	edit_with "sed -i 1i#\ contact\ $fnr" 1 uu-molde-outreach
	expect_contains err ".yaml:1:11: error:"
	expect_not_contains err "$fnr"
	test "$(git rev-parse HEAD)" = "$before"
	git log --all -p | grep -q "$fnr" && { echo "the number is in the history"; return 1; }
	# in the reason given with -m
	edit_with "sed -i s/^phase:.test/phase:\ adjust/" 1 uu-molde-outreach -m "asked by $fnr"
	expect_not_contains err "$fnr"
	test "$(git rev-parse HEAD)" = "$before"
}
run_test "an identity number is refused and never echoed" edit_identity_number

edit_status_refused() {
	make_example_repo
	before=$(git rev-parse HEAD)
	edit_with "sed -i s/^status:.registered/status:\ active/" 1 uu-molde-outreach
	expect_contains err ".yaml:12:9: error: the status cannot be changed with edit"
	expect_contains err "eksperiment status uu-molde-outreach"
	test "$(git rev-parse HEAD)" = "$before"
	# removing it is a change too
	edit_with "sed -i /^status:/d" 1 uu-molde-outreach
	expect_contains err "the status cannot be changed with edit"
	test "$(git rev-parse HEAD)" = "$before"
}
run_test "changing the status with edit is refused" edit_status_refused

edit_log_must_fit() {
	make_example_repo
	before=$(git rev-parse HEAD)
	# drop the outcome wellbeing (and H3 on it): the log has observations of it
	cat > ../drop.sh <<-'EOF'
	sed -i -e '/^  - id: wellbeing$/,/^    timepoints: \[t1\]$/d' \
	       -e '/^  - id: H3$/,/^    test: superiority$/d' "$1"
	EOF
	edit_with "sh ../drop.sh" 1 uu-molde-outreach
	# the protocol itself is fine: only the log is reported
	if grep -q 'edit-uu-molde-outreach-.\{6\}\.yaml:[0-9]' err; then cat err; return 1; fi
	expect_contains err "experiments/uu-molde-outreach/log.yaml:"
	expect_contains err "the log no longer fits the edited protocol"
	test "$(git rev-parse HEAD)" = "$before"
}
run_test "an edit that the committed log no longer fits is refused" edit_log_must_fit

edit_editor_with_arguments() {
	make_example_repo
	cat > ../set-phase.sh <<-'EOF'
	# set-phase.sh PHASE FILE: the "editor" gets its own arguments first
	printf '%s\n' "$2" > ../edited-file
	sed -i "s/^phase: .*/phase: $1/" "$2"
	EOF
	edit_with "sh ../set-phase.sh scale" 0 uu-molde-outreach
	git show HEAD:$P | grep -qx "phase: scale"
	grep -q '/\.git/eksperiment/edit-uu-molde-outreach-[A-Za-z0-9]\{6\}\.yaml$' ../edited-file
	# VISUAL comes before EDITOR
	VISUAL="sh ../set-phase.sh explore"; export VISUAL
	edit_with false 0 uu-molde-outreach
	git show HEAD:$P | grep -qx "phase: explore"
	# an empty VISUAL does not count
	VISUAL=
	edit_with "sh ../set-phase.sh test" 0 uu-molde-outreach
	git show HEAD:$P | grep -qx "phase: test"
}
run_test "EDITOR may hold a command with arguments; VISUAL comes first" edit_editor_with_arguments

edit_editor_fails() {
	make_example_repo
	before=$(git rev-parse HEAD)
	edit_with false 3 uu-molde-outreach
	expect_contains err "the editor 'false' failed"
	test "$(git rev-parse HEAD)" = "$before"
	no_copies_left
	edit_with no-such-editor-here 3 uu-molde-outreach
	expect_contains err "could not be started"
	# an editor that changed the file and then failed: the copy is kept
	edit_with "sh -c 'sed -i s/^phase:.test/phase:\ adjust/ \"\$0\"; exit 4'" 3 uu-molde-outreach
	expect_contains err "failed (exit status 4)"
	grep -qx "phase: adjust" "$(kept_copy)"
	test "$(git rev-parse HEAD)" = "$before"
}
run_test "a failing editor commits nothing" edit_editor_fails

edit_uncommitted_changes() {
	make_example_repo
	sed -i 's/^title: .*/title: Changed by hand/' $P
	edit_with "sh -c 'touch ../editor-ran'" 1 uu-molde-outreach
	expect_contains err "'$P' has uncommitted changes"
	test ! -e ../editor-ran
	grep -qx "title: Changed by hand" $P
	# uncommitted changes elsewhere do not matter
	git checkout -q -- $P
	echo "# notes" > experiments/uu-molde-outreach/notes.md
	edit_with "sed -i s/^phase:.test/phase:\ adjust/" 0 uu-molde-outreach
	test -f experiments/uu-molde-outreach/notes.md
}
run_test "uncommitted changes to the protocol are not overwritten" edit_uncommitted_changes

edit_while_others_commit() {
	make_example_repo
	# another commit lands while the editor is open: not the protocol
	cat > ../busy.sh <<-'EOF'
	printf -- '---\nid: 20260301T080000Z-beef\nkind: note\nrecorded_at: 2026-03-01T08:00:00Z\nrecorded_by: A <a@kommune.example>\nnote: meanwhile\n' >> experiments/demo-velferdsteknologi/log.yaml
	git commit -qam "meanwhile" >/dev/null
	sed -i "s/^phase: .*/phase: $1/" "$2"
	EOF
	edit_with "sh ../busy.sh adjust" 0 uu-molde-outreach
	test "$(git log -1 --format=%s HEAD~1)" = "meanwhile"
	git show HEAD:$P | grep -qx "phase: adjust"
	test -z "$(git status --porcelain)"
	# the protocol itself changes meanwhile: refused, the copy is kept
	cat > ../clash.sh <<-'EOF'
	sed -i "s/^phase: .*/phase: scale/" experiments/uu-molde-outreach/experiment.yaml
	git commit -qam "meanwhile, the same file" >/dev/null
	sed -i "s/^phase: .*/phase: explore/" "$1"
	EOF
	before=$(git rev-parse HEAD)
	edit_with "sh ../clash.sh" 3 uu-molde-outreach
	expect_contains err "was changed by commit"
	test "$(git rev-parse HEAD)" != "$before"    # the clash commit
	git show HEAD:$P | grep -qx "phase: scale"
	grep -qx "phase: explore" "$(kept_copy)"
}
run_test "a commit made meanwhile is kept; a clash on the protocol is refused" edit_while_others_commit

edit_reopens_on_a_terminal() {
	command -v script >/dev/null || { echo "no script(1): skipped"; return 0; }
	make_example_repo
	# first session: an invalid value; second: a valid one
	cat > ../twice.sh <<-'EOF'
	if [ -e ../first-done ]; then
		sed -i "s/^challenge: .*/challenge: demografi/" "$1"
	else
		touch ../first-done
		sed -i "s/^challenge: .*/challenge: youth/" "$1"
	fi
	EOF
	EDITOR="sh ../twice.sh"; export EDITOR
	printf '\n' | script -qec "'$EKSPERIMENT' edit uu-molde-outreach" /dev/null > tty.out
	expect_contains tty.out "'challenge' must be one of"
	expect_contains tty.out "Press Enter to edit again"
	expect_contains tty.out "Committed the protocol of uu-molde-outreach"
	git show HEAD:$P | grep -qx "challenge: demografi"
	no_copies_left
}
run_test "on a terminal, an invalid change re-opens the editor" edit_reopens_on_a_terminal

edit_errors() {
	make_example_repo
	edit_with true 2 nope
	expect_contains err "there is no experiment 'nope'"
	run 2 eks edit
	run 2 eks edit a b
	run 2 eks edit ../x
	run 2 eks edit uu-molde-outreach -m ""
	run 2 eks edit uu-molde-outreach --bogus
	mkdir ../outside && cd ../outside
	edit_with true 3 uu-molde-outreach
	expect_contains err "not an eksperiment repository"
}
run_test "unknown experiment exits 2, outside a repository 3" edit_errors

edit_help() {
	eks help edit > help.txt
	eks edit --help > dash.txt
	cmp help.txt dash.txt
	grep -q "eksperiment-edit" help.txt
}
run_test "help edit and edit --help print the manual" edit_help

finish
