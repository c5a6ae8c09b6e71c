#!/bin/sh
# Run the command-line test scripts and sum up their results.
# Each script prints one "ok"/"FAIL" line per test and exits non-zero when
# any failed (see tests/cli/lib.sh).
passed=0 failed=0
for t in "$@"; do
	out=$(sh "$t" 2>&1); rc=$?
	p=$(printf '%s\n' "$out" | grep -c '^ok ')
	f=$(printf '%s\n' "$out" | grep -c '^FAIL ')
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$rc" -ne 0 ]; then
		printf '%s\n' "$out"
		[ "$f" -eq 0 ] && failed=$((failed + 1))
		echo "FAIL $(basename "$t")"
	else
		echo "ok   $(basename "$t") ($p tests)"
	fi
done
echo "cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
