# lib.sh - helpers for the command-line tests (sourced by tests/cli/t*.sh).
#
#   . "$(dirname "$0")/lib.sh"
#   test_validate_clean() {
#       eks init . >/dev/null
#       run 0 eks validate
#       expect_empty err
#   }
#   run_test "validate is quiet on a clean repository" test_validate_clean
#   finish
#
# Each test runs in a subshell with `set -e`, in a fresh temporary directory
# with its own HOME (and so its own git identity), so tests never see each
# other or the machine's configuration.  The first failing command ends the
# test; its output is shown.

: "${EKSPERIMENT:?set EKSPERIMENT to the binary under test}"
TESTS_DIR=$(cd "$(dirname "$0")/.." && pwd)
DATA="$TESTS_DIR/data"
SRC_ROOT=$(cd "$TESTS_DIR/.." && pwd)
EXAMPLES="$TESTS_DIR/data/examples"
_passed=0
_failed=0
_root=$(mktemp -d "${TMPDIR:-/tmp}/eks-test.XXXXXX")
trap 'rm -rf "$_root"' EXIT
unset VISUAL EDITOR NO_COLOR GIT_DIR GIT_WORK_TREE EKSPERIMENT_TEMPLATES

eks() { "$EKSPERIMENT" "$@"; }

# run CODE COMMAND...: run it, keep stdout in ./out and stderr in ./err,
# and fail unless it exits with CODE.
run() {
	_want=$1; shift
	set +e
	"$@" >out 2>err </dev/null
	_got=$?
	set -e
	if [ "$_got" -ne "$_want" ]; then
		echo "expected exit $_want, got $_got from: $*"
		echo "--- stdout"; cat out
		echo "--- stderr"; cat err
		return 1
	fi
}

# expect_contains FILE TEXT: FILE has TEXT (fixed string) somewhere.
expect_contains() {
	grep -qF -- "$2" "$1" && return 0
	echo "expected '$2' in $1, which has:"; cat "$1"
	return 1
}

expect_not_contains() {
	grep -qF -- "$2" "$1" || return 0
	echo "did not expect '$2' in $1, which has:"; cat "$1"
	return 1
}

# expect_line FILE LINE: FILE has exactly this line.
expect_line() {
	grep -qxF -- "$2" "$1" && return 0
	echo "expected the line '$2' in $1, which has:"; cat "$1"
	return 1
}

expect_empty() {
	[ ! -s "$1" ] && return 0
	echo "expected $1 to be empty, it has:"; cat "$1"
	return 1
}

# expect_same EXPECTED-FILE ACTUAL-FILE
expect_same() {
	diff -u "$1" "$2"
}

# A git identity for the tests' commits.
_setup_home() {
	HOME=$PWD/.home
	export HOME
	mkdir -p "$HOME"
	git config --global user.name "Test Person"
	git config --global user.email "test@kommune.example"
	git config --global init.defaultBranch main
	git config --global advice.detachedHead false
	# the tests' scratch files never count as changes of the repository
	printf '%s\n' out err '*.out' '*.txt' '*.csv' '*.log' names changed 'batch.*' > "$HOME/.gitexcludes"
	git config --global core.excludesFile "$HOME/.gitexcludes"
}

run_test() {
	_name=$1; _fn=$2
	_dir=$(mktemp -d "$_root/t.XXXXXX")
	(
		set -e
		cd "$_dir"
		_setup_home
		mkdir work && cd work
		"$_fn"
	) >"$_dir.log" 2>&1
	if [ $? -eq 0 ]; then
		_passed=$((_passed + 1))
		echo "ok $_name"
	else
		_failed=$((_failed + 1))
		echo "FAIL $_name"
		sed 's/^/    /' "$_dir.log"
	fi
}

finish() {
	[ "$_failed" -eq 0 ]
}

# make_fnr DDMMYY: print a synthetic 11-digit number with that birth date
# whose control digits pass the mod-11 check (SPEC 8.3).  Test data only.
make_fnr() {
	awk -v date="$1" 'BEGIN {
		split("3 7 6 1 8 9 4 5 2", w1, " ")
		split("5 4 3 2 7 6 5 4 3 2", w2, " ")
		for (ind = 100; ind < 1000; ind++) {
			s = date ind
			t = 0
			for (i = 1; i <= 9; i++) t += substr(s, i, 1) * w1[i]
			k1 = 11 - t % 11; if (k1 == 11) k1 = 0; if (k1 == 10) continue
			s = s k1
			t = 0
			for (i = 1; i <= 10; i++) t += substr(s, i, 1) * w2[i]
			k2 = 11 - t % 11; if (k2 == 11) k2 = 0; if (k2 == 10) continue
			print s k2
			exit
		}
	}'
}

# A repository with the two shared examples, committed by plain git.
# uu-molde-outreach is registered, demo-velferdsteknologi is active.
make_example_repo() {
	eks init >/dev/null
	mkdir -p experiments
	cp -r "$EXAMPLES/uu-molde-outreach" "$EXAMPLES/demo-velferdsteknologi" experiments/
	git add experiments && git commit -qm "add the examples"
}

# How many documents (entries) a log has.
count_entries() {
	grep -c '^---' "$1"
}

# The repository is valid: git fsck succeeds and reports nothing but
# dangling objects (which a write killed before its commit leaves, and
# which git's own gc removes).
expect_fsck_clean() {
	git fsck --no-dangling --no-progress > fsck.out 2>&1 || { cat fsck.out; return 1; }
	expect_empty fsck.out
}
