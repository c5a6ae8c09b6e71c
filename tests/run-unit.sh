#!/bin/sh
# Run the cmocka unit test programs and sum up their results.
passed=0 failed=0
for t in "$@"; do
	out=$("$t" 2>&1); rc=$?
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p')
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p')
	passed=$((passed + ${p:-0}))
	if [ "$rc" -ne 0 ]; then
		printf '%s\n' "$out"
		failed=$((failed + ${f:-1}))
		echo "FAIL $(basename "$t")"
	else
		echo "ok   $(basename "$t") (${p:-0} tests)"
	fi
done
echo "unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
