#!/bin/sh
# check-r.sh - cross-check the statistics engine against R (make check-r).
#
#   sh tests/r/check-r.sh <builddir>
#
# Builds tests/r/stats-driver.c against <builddir>/libeksperiment.a and runs
# tests/r/check-r.R, which generates random cases of every method, computes
# them with our code and with R, and reports the largest relative
# difference.  Then tests/r/check-r-edges.R checks <builddir>/eksperiment end
# to end: it writes experiments at the statistical edges into a temporary
# repository, runs `eksperiment evaluate --format csv` and compares every
# field with its own R reference.  CHECK_R_SEED (both) and CHECK_R_CASES
# (per method, check-r.R) change the run.  Both always run; the exit status
# is the first failure's.
set -eu

build=${1:?usage: check-r.sh <builddir>}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

command -v Rscript >/dev/null 2>&1 || {
	echo "check-r: Rscript not found; install R (r-base-core)" >&2
	exit 3
}
[ -f "$build/libeksperiment.a" ] || {
	echo "check-r: $build/libeksperiment.a not found; run make first" >&2
	exit 3
}
[ -x "$build/eksperiment" ] || {
	echo "check-r: $build/eksperiment not found; run make first" >&2
	exit 3
}

${CC:-cc} -std=c11 -O2 -I"$top/include" -o "$build/stats-driver" \
	"$here/stats-driver.c" "$build/libeksperiment.a" \
	$(pkg-config --libs libgit2 yaml-0.1 sqlite3 libRmath) -lm -lpthread

status=0
Rscript "$here/check-r.R" "$build/stats-driver" "${CHECK_R_SEED:-20260115}" \
	"${CHECK_R_CASES:-25}" || status=$?

echo "check-r: evaluate end to end at the edges (check-r-edges.R)"
Rscript "$here/check-r-edges.R" "$build/eksperiment" "${CHECK_R_SEED:-20260115}" ||
	{ rc=$?; [ "$status" -ne 0 ] || status=$rc; }
exit "$status"
