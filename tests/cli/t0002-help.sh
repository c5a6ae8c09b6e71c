#!/bin/sh
# help, --help, --version, global options, unknown commands.
. "$(dirname "$0")/lib.sh"

help_matches_man_page() {
	for c in init new templates validate help; do
		eks help $c > help.txt
		eks $c --help > dash.txt
		cmp help.txt dash.txt
		grep -q "^NAME" help.txt
		grep -q "eksperiment-$c" help.txt
	done
}
run_test "'help <command>' and '<command> --help' print the same page" help_matches_man_page

man_page_has_same_text() {
	test -f "$SRC_ROOT/doc/eksperiment-validate.txt"
	eks help validate > help.txt
	cmp help.txt "$SRC_ROOT/doc/eksperiment-validate.txt"
}
run_test "the help text is the man page source" man_page_has_same_text

version_prints() {
	run 0 eks --version
	grep -Eq '^eksperiment [0-9]+\.[0-9]+\.[0-9]+$' out
}
run_test "--version prints the version" version_prints

no_command_is_usage() {
	run 2 eks
	expect_contains err "usage: eksperiment"
}
run_test "no command is a usage error" no_command_is_usage

unknown_command_suggests() {
	run 2 eks valdiate
	expect_contains err "did you mean 'validate'"
}
run_test "an unknown command suggests the closest one" unknown_command_suggests

help_unknown_command() {
	run 2 eks help frobnicate
	expect_contains err "no command 'frobnicate'"
}
run_test "help on an unknown command exits 2" help_unknown_command

dash_c_changes_directory() {
	mkdir repo && (cd repo && eks init >/dev/null)
	run 0 eks -C repo validate
	run 2 eks -C does-not-exist validate
	expect_contains err "does-not-exist"
}
run_test "-C runs as if started in that directory" dash_c_changes_directory

not_a_repository() {
	run 3 eks validate
	expect_contains err "not an eksperiment repository"
}
run_test "commands outside a repository exit 3 and say so" not_a_repository

finish
