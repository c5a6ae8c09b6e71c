#!/bin/sh
# eksperiment init: create, adopt, idempotent.
. "$(dirname "$0")/lib.sh"

init_creates_repository() {
	run 0 eks init --name "Pilots i Molde"
	expect_contains out "Initialised an eksperiment repository"
	test -d .git
	expect_contains eksperiment.yaml "schema: eksperiment/v1"
	expect_contains eksperiment.yaml "Pilots i Molde"
	expect_contains .gitattributes "experiments/*/log.yaml merge=union"
	test "$(git rev-list --count HEAD)" = 1
	test -z "$(git status --porcelain)"
	expect_fsck_clean
}
run_test "init creates a repository with settings, attributes and one commit" init_creates_repository

init_into_directory() {
	run 0 eks init sub/dir
	test -f sub/dir/eksperiment.yaml
	test -d sub/dir/.git
}
run_test "init takes a directory, creating it" init_into_directory

init_directory_then_name() {
	run 0 eks init pilots --name "Pilots i Bodø"
	expect_contains pilots/eksperiment.yaml "Pilots i Bodø"
}
run_test "init takes the directory before or after --name" init_directory_then_name

init_is_idempotent() {
	eks init >/dev/null
	before=$(git rev-parse HEAD)
	run 0 eks init
	expect_contains out "already an eksperiment repository"
	test "$(git rev-parse HEAD)" = "$before"
}
run_test "init on an eksperiment repository changes nothing" init_is_idempotent

init_adopts_git_repository() {
	git init -q .
	echo "notes" > notes.md
	git add notes.md && git commit -qm "first"
	run 0 eks init
	test "$(git rev-list --count HEAD)" = 2
	git show --stat HEAD | grep -q eksperiment.yaml
	test -f notes.md
	test -z "$(git status --porcelain)"
}
run_test "init adopts an existing git repository with history" init_adopts_git_repository

init_without_identity() {
	rm -f "$HOME/.gitconfig"
	run 2 eks init
	expect_contains err "user.name"
	test ! -f eksperiment.yaml || test -z "$(git log --oneline 2>/dev/null)"
}
run_test "init without a git identity says how to set one" init_without_identity

init_bad_option() {
	run 2 eks init --bogus
	expect_contains err "eksperiment help init"
}
run_test "init refuses an unknown option with exit 2" init_bad_option

finish
