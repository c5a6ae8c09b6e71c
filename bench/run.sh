#!/bin/sh
# bench/run.sh <builddir> - the benchmarks of SPEC 7 (`make bench`).
#
# Builds the repository generator (bench/gen.c) and the reindex baseline
# (bench/baseline-reindex.c), creates or reuses synthetic repositories of
# 10, 1 000 and 10 000 experiments, measures each operation and its
# baseline in the same run (median of several runs), and prints a table.
# Rows whose command does not exist yet (`eksperiment help <command>` fails)
# are printed as skipped; they start measuring once the command lands.
# See bench/README.md for what each row means.
#
# Environment (all optional):
#   BENCH_SIZES               sizes to use (default "10 1000 10000")
#   BENCH_OBSERVATIONS        observations per experiment (default 100)
#   BENCH_SEED                generator seed (default 1)
#   BENCH_RUNS                timed runs of eksperiment per row (default 5)
#   BENCH_BASELINE_RUNS       timed runs of a baseline (default 3)
#   BENCH_SLOW_BASELINE_RUNS  runs of yamllint at 10 000 experiments and more
#                             (default 1: one run takes ten minutes or more;
#                             0 leaves yamllint out at that size)
#   BENCH_YAMLLINT_CONFIG     yamllint -d configuration (default '{rules: {}}')
#   BENCH_CACHE               where repositories are kept
#                             (default <builddir>/bench-cache)
#   BENCH_TIMER               hyperfine | loop (default: hyperfine when installed)
#   BENCH_ASSUME              commands to measure even though 'eksperiment help
#                             <command>' fails, e.g. "log query"
#   CC                        compiler for the generator (default cc)
set -u

say() { echo "bench: $*" >&2; }
die() { say "$*"; exit 1; }

[ $# -eq 1 ] || die "usage: sh bench/run.sh <builddir>"
build=$(cd "$1" 2>/dev/null && pwd) || die "there is no build directory '$1'; run 'make' first"
here=$(cd "$(dirname "$0")" && pwd)
eks=$build/eksperiment
[ -x "$eks" ] || die "'$eks' is not built; run 'make' first"

sizes=${BENCH_SIZES:-"10 1000 10000"}
obs=${BENCH_OBSERVATIONS:-100}
seed=${BENCH_SEED:-1}
runs=${BENCH_RUNS:-5}
baseline_runs=${BENCH_BASELINE_RUNS:-3}
slow_runs=${BENCH_SLOW_BASELINE_RUNS:-1}
yamllint_config=${BENCH_YAMLLINT_CONFIG:-"{rules: {}}"}
cache=${BENCH_CACHE:-$build/bench-cache}
author_name=Bench
author_email=bench@kommune.example
gitc="git -c user.name=$author_name -c user.email=$author_email"

top=0
for s in $sizes; do
	[ "$s" -gt "$top" ] && top=$s
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/eksperiment-bench.XXXXXX") || die "cannot create a temporary directory"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
rows=$tmp/rows
notes=$tmp/notes
: > "$rows"
: > "$notes"

# ------------------------------------------------------------------ tools

tools=$build/bench
mkdir -p "$tools" "$cache" || die "cannot create '$tools' or '$cache'"
cc=${CC:-cc}

# build_tool <name> <source> [libraries...]: compile when missing or stale.
build_tool() {
	name=$1 source=$2
	shift 2
	[ -x "$tools/$name" ] && [ ! "$source" -nt "$tools/$name" ] && return 0
	say "building $name"
	$cc -std=c11 -O2 -o "$tools/$name" "$source" "$@"
}
build_tool gen "$here/gen.c" || die "cannot build the generator"
have_baseline_reindex=1
build_tool baseline-reindex "$here/baseline-reindex.c" \
	$(pkg-config --cflags --libs yaml-0.1 sqlite3 2>/dev/null) || {
	have_baseline_reindex=0
	say "cannot build the reindex baseline (needs libyaml-dev and libsqlite3-dev); its rows are skipped"
}

case ${BENCH_TIMER:-} in
hyperfine|loop) timer=$BENCH_TIMER ;;
'') if command -v hyperfine >/dev/null 2>&1; then timer=hyperfine; else timer=loop; fi ;;
*) die "BENCH_TIMER must be hyperfine or loop" ;;
esac
if [ "$timer" = hyperfine ] && ! command -v hyperfine >/dev/null 2>&1; then
	die "hyperfine is not installed (Debian package hyperfine); unset BENCH_TIMER to use the timing loop"
fi
[ "$timer" = loop ] && say "hyperfine is not installed; timing with a shell loop (install the Debian package hyperfine for better figures)"

# GNU time for peak memory (Debian package `time`).
gnu_time=/usr/bin/time
if ! "$gnu_time" -v true >/dev/null 2>&1; then
	if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
		say "installing the Debian package 'time' for peak-memory figures"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null 2>&1 || true
	fi
	if ! "$gnu_time" -v true >/dev/null 2>&1; then
		say "GNU time is missing: peak memory is not measured (install it with: sudo apt-get install time)"
		gnu_time=
	fi
fi

# ------------------------------------------------------------------ helpers

# measure <runs> <warmup> <prepare> <command>
# Runs <command> (a shell command line) <warmup> + <runs> times, running
# <prepare> untimed before each run, and sets M to the median in seconds
# and C to the mean CPU time (user + system; hyperfine only, else empty).
# Returns 1 with the reason in $tmp/err when a run fails.
measure() {
	m_runs=$1 m_warmup=$2 m_prepare=$3 m_command=$4
	M= C=
	if [ "$timer" = hyperfine ]; then
		# --command-name: the command line may hold commas, which would
		# shift the columns of the CSV that awk reads below.
		set -- --style none --runs "$m_runs" --warmup "$m_warmup" --export-csv "$tmp/h.csv" \
			--command-name timed
		[ -n "$m_prepare" ] && set -- "$@" --prepare "$m_prepare"
		hyperfine "$@" "$m_command" > "$tmp/err" 2>&1 || return 1
		M=$(awk -F, 'NR == 2 { print $4 }' "$tmp/h.csv")
		C=$(awk -F, 'NR == 2 { print $5 + $6 }' "$tmp/h.csv")
	else
		: > "$tmp/times"
		m_i=0
		while [ "$m_i" -lt $((m_warmup + m_runs)) ]; do
			if [ -n "$m_prepare" ]; then
				sh -c "$m_prepare" > /dev/null 2> "$tmp/err" || return 1
			fi
			m_t0=$(date +%s.%N)
			sh -c "$m_command" > /dev/null 2> "$tmp/err" || return 1
			m_t1=$(date +%s.%N)
			[ "$m_i" -ge "$m_warmup" ] && echo "$m_t0 $m_t1" |
				awk '{ printf "%.6f\n", $2 - $1 }' >> "$tmp/times"
			m_i=$((m_i + 1))
		done
		M=$(sort -n "$tmp/times" | awk '{ a[NR] = $1 }
			END { print NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')
	fi
	[ -n "$M" ]
}

# peak_kb <command>: sets P to the peak resident memory of one run, in KiB.
peak_kb() {
	P=
	[ -n "$gnu_time" ] || return 1
	"$gnu_time" -v -o "$tmp/time.out" sh -c "$1" > /dev/null 2> "$tmp/err" || return 1
	P=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$tmp/time.out")
	[ -n "$P" ]
}

fmt_time() { awk -v s="$1" 'BEGIN { if (s < 1) printf "%.1f ms", s * 1000; else printf "%.2f s", s }'; }
fmt_mb() { awk -v k="$1" 'BEGIN { printf "%.0f MB", k / 1024 }'; }

# row <operation> <size> <median> <baseline> <baseline median> <ratio> <target> <met>
row() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >> "$rows"; }
# skip <operation> <size> <message>
skip() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >> "$rows"; }
failed() {
	skip "$1" "$2" "failed: $(grep -v '^[[:space:]]*$' "$tmp/err" | head -n 3 | tr '\n' ' ' | sed 's/ *$//')"
}

# has_command <name>: the eksperiment command exists (its manual is there),
# or BENCH_ASSUME names it (to try a row before the manual page lands).
has_command() {
	case " ${BENCH_ASSUME:-} " in *" $1 "*) return 0 ;; esac
	"$eks" help "$1" > /dev/null 2>&1
}

# q <text>: the text in single quotes for a shell command line.
q() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"; }

# The helper that appends one observation entry to a log with the shell, as
# a person editing the file by hand would.  Untimed: it is the "prepare".
cat > "$tmp/append-entry.sh" <<'EOF'
#!/bin/sh
# append-entry.sh <repo> <id> <outcome> <arm> <timepoint>
set -e
cd "$1"
now=$(date -u +%s)
hex=$(od -An -N2 -tx1 /dev/urandom | tr -d ' \n')
{
	echo "---"
	echo "id: $(date -u -d "@$now" +%Y%m%dT%H%M%SZ)-$hex"
	echo "kind: observation"
	echo "recorded_at: $(date -u -d "@$now" +%Y-%m-%dT%H:%M:%SZ)"
	echo "recorded_by: Bench <bench@kommune.example>"
	echo "observations:"
	echo "  - {outcome: $3, arm: $4, timepoint: $5, n: 120, events: 30}"
} >> "experiments/$2/log.yaml"
EOF

# ------------------------------------------------------------------ repositories

gen_key=$(cksum < "$here/gen.c" | cut -d ' ' -f 1)

# repository <size>: sets R to a clean repository of <size> experiments
# (from the cache when possible) and T to "<id> <outcome> <arm> <timepoint>",
# an active experiment to log to.
repository() {
	R=$cache/repo-$1x$obs-seed$seed-gen$gen_key
	if [ -d "$R/.git" ] && [ -s "$R.info" ]; then
		base=$(cut -d ' ' -f 1 "$R.info")
		T=$(cut -d ' ' -f 2- "$R.info")
		# Undo what an earlier run committed (log, incremental index).
		git -C "$R" reset -q --hard "$base" && git -C "$R" clean -q -fdx ||
			die "cannot reset the cached repository '$R'; remove it and run again"
		say "reusing $R"
		return 0
	fi
	for old in "$cache"/repo-"$1"x*; do
		[ -e "$old" ] || continue
		[ -d "$old" ] && say "removing the outdated $old"
		rm -rf "$old"
	done
	say "generating $1 experiments x $obs observations (seed $seed)"
	t0=$(date +%s.%N)
	"$tools/gen" "$R.tmp" "$1" "$obs" "$seed" > "$R.target" || die "the generator failed"
	t1=$(date +%s.%N)
	(
		cd "$R.tmp" &&
		git init -q &&
		git config user.name "$author_name" &&
		git config user.email "$author_email" &&
		git config gc.auto 0 &&
		git add -A &&
		$gitc commit -q -m "Synthetic benchmark repository: $1 experiments" &&
		git gc -q
	) || die "cannot create the git repository in '$R.tmp'"
	t2=$(date +%s.%N)
	base=$(git -C "$R.tmp" rev-parse HEAD)
	mv "$R.tmp" "$R" || die "cannot move '$R.tmp' into place"
	T=$(cat "$R.target")
	echo "$base $T" > "$R.info"
	rm -f "$R.target"
	echo "$1 $t0 $t1 $t2" | awk '{ printf "generated %d experiments in %.1f s; git init, add, commit and gc took %.1f s\n", $1, $3 - $2, $4 - $3 }' >> "$notes"
}

# ------------------------------------------------------------------ rows

# validate: eksperiment validate of the whole work tree vs yamllint on the
# same files (eksperiment.yaml and experiments/*/*.yaml).
bench_validate() {
	size=$1 repo=$2
	op="validate (all files)"
	if ! has_command validate; then
		skip "$op" "$size" "not yet measured: validate does not exist yet"
		return
	fi
	say "validate at $size experiments"
	(cd "$repo" && "$eks" validate) > "$tmp/validate.out" 2>&1
	status=$?
	if [ "$status" -gt 1 ]; then
		cp "$tmp/validate.out" "$tmp/err"
		failed "$op" "$size"
		return
	fi
	if [ "$status" -ne 0 ] || grep -q ': warning: ' "$tmp/validate.out"; then
		{
			echo "validate found problems in the generated repository of $size experiments:"
			grep -E ': (error|warning): ' "$tmp/validate.out" | head -n 10 | sed 's/^/    /'
			tail -n 1 "$tmp/validate.out" | sed 's/^/    /'
		} >> "$notes"
	else
		echo "validate at $size experiments: $(tail -n 1 "$tmp/validate.out")" >> "$notes"
	fi
	# Exit 1 (problems found) still times the work; 2 and 3 are failures.
	cmd="cd $(q "$repo") && $(q "$eks") validate; test \$? -le 1"
	measure "$runs" 1 "" "$cmd" || { failed "$op" "$size"; return; }
	mine=$M mine_cpu=$C

	name="yamllint -d '$yamllint_config'"
	if ! command -v yamllint > /dev/null 2>&1; then
		row "$op" "$size" "$(fmt_time "$mine")" "$name" "n/a (install yamllint)" "-" ">= 20x faster" "?"
		return
	fi
	n=$baseline_runs
	[ "$size" -ge 10000 ] && n=$slow_runs
	if [ "$n" -eq 0 ]; then
		row "$op" "$size" "$(fmt_time "$mine")" "$name" "not run (BENCH_SLOW_BASELINE_RUNS=0)" "-" ">= 20x faster" "?"
		return
	fi
	say "yamllint at $size experiments ($n run(s); at 10 000 experiments one run takes ten minutes or more)"
	# yamllint exits 1 on syntax errors only; the files have none.
	cmd="cd $(q "$repo") && yamllint -d $(q "$yamllint_config") eksperiment.yaml experiments"
	if ! measure "$n" 0 "" "$cmd"; then
		row "$op" "$size" "$(fmt_time "$mine")" "$name" "failed" "-" ">= 20x faster" "?"
		return
	fi
	base=$M
	if [ -n "$C" ] && [ -n "$mine_cpu" ]; then
		awk -v s="$size" -v a="$C" -v b="$mine_cpu" 'BEGIN {
			printf "validate at %s experiments, CPU time (user + system, mean): eksperiment %.3f s, yamllint %.3f s: %.1fx less\n", s, b, a, a / b }' >> "$notes"
	fi
	speedup=$(awk -v a="$base" -v b="$mine" 'BEGIN { printf "%.1f", a / b }')
	met=$(awk -v x="$speedup" 'BEGIN { print (x >= 20 ? "yes" : "NO") }')
	row "$op" "$size" "$(fmt_time "$mine")" "$name" "$(fmt_time "$base")" "${speedup}x faster" ">= 20x faster" "$met"
}

# log: one observation entry with `eksperiment log` vs the same change made
# by hand (appended by the shell, untimed) and committed with git add + git
# commit (timed).
bench_log() {
	size=$1 repo=$2
	op="log one entry"
	if ! has_command log; then
		skip "$op" "$size" "not yet measured: log does not exist yet"
		return
	fi
	set -- $T
	id=$1 outcome=$2 arm=$3 timepoint=$4
	say "log at $size experiments (experiment $id)"
	eks_cmd="cd $(q "$repo") && $(q "$eks") log $(q "$id") --outcome $(q "$outcome") --arm $(q "$arm") --timepoint $(q "$timepoint") --n 120 --events 30"
	if ! sh -c "$eks_cmd" > /dev/null 2> "$tmp/err"; then
		failed "$op" "$size"
		return
	fi
	if [ -n "$(git -C "$repo" status --porcelain --untracked-files=no)" ]; then
		echo "log at $size experiments left uncommitted changes in the work tree" >> "$notes"
	fi
	measure "$runs" 1 "" "$eks_cmd" || { failed "$op" "$size"; return; }
	mine=$M

	prepare="sh $(q "$tmp/append-entry.sh") $(q "$repo") $(q "$id") $(q "$outcome") $(q "$arm") $(q "$timepoint")"
	git_cmd="cd $(q "$repo") && git add $(q "experiments/$id/log.yaml") && $gitc commit -q -m $(q "log $id: 1 observation ($outcome@$timepoint)")"
	name="git add + git commit"
	if ! measure "$baseline_runs" 1 "$prepare" "$git_cmd"; then
		row "$op" "$size" "$(fmt_time "$mine")" "$name" "failed" "-" "<= 0.5x" "?"
		return
	fi
	base=$M
	ratio=$(awk -v a="$mine" -v b="$base" 'BEGIN { printf "%.2f", a / b }')
	met=$(awk -v x="$ratio" 'BEGIN { print (x <= 0.5 ? "yes" : "NO") }')
	row "$op" "$size" "$(fmt_time "$mine")" "$name" "$(fmt_time "$base")" "${ratio}x" "<= 0.5x" "$met"
}

# Incremental index: a commit made with plain git (a hand edit), then the
# first read command, which brings the index up to that commit.  The figure
# includes the query itself, so it is an upper bound.
bench_incremental() {
	size=$1 repo=$2
	op="incremental index, 1 commit"
	if ! has_command query; then
		skip "$op" "$size" "not yet measured: query does not exist yet"
		return
	fi
	set -- $T
	id=$1
	say "incremental index at $size experiments"
	cmd="cd $(q "$repo") && $(q "$eks") query $(q "id = $id")"
	# The first query builds the whole index; it is not timed.
	sh -c "$cmd" > /dev/null 2> "$tmp/err" || { failed "$op" "$size"; return; }
	prepare="sh $(q "$tmp/append-entry.sh") $(q "$repo") $(q "$1") $(q "$2") $(q "$3") $(q "$4") && cd $(q "$repo") && git add -A experiments && $gitc commit -q -m 'hand edit'"
	measure "$runs" 0 "$prepare" "$cmd" || { failed "$op" "$size"; return; }
	met=$(awk -v s="$M" 'BEGIN { print (s <= 0.050 ? "yes" : "NO") }')
	row "$op" "$size" "$(fmt_time "$M")" "-" "-" "-" "<= 50 ms" "$met"
}

# reindex: rebuild the index from scratch vs the baseline program (libyaml
# parse of all files + SQLite bulk insert of the rows); peak memory too.
bench_reindex() {
	size=$1 repo=$2
	op="reindex"
	if ! has_command reindex; then
		skip "$op" "$size" "not yet measured: reindex does not exist yet"
		skip "reindex peak memory" "$size" "not yet measured: reindex does not exist yet"
		return
	fi
	say "reindex at $size experiments"
	cmd="cd $(q "$repo") && $(q "$eks") reindex"
	sh -c "$cmd" > /dev/null 2> "$tmp/err" || { failed "$op" "$size"; return; }
	measure "$runs" 0 "" "$cmd" || { failed "$op" "$size"; return; }
	mine=$M
	name="libyaml parse + SQLite insert"
	base_cmd="$(q "$tools/baseline-reindex") $(q "$repo") $(q "$tmp/baseline.sqlite")"
	if [ "$have_baseline_reindex" = 1 ] && measure "$baseline_runs" 1 "" "$base_cmd"; then
		base=$M
		ratio=$(awk -v a="$mine" -v b="$base" 'BEGIN { printf "%.2f", a / b }')
		met=$(awk -v x="$ratio" 'BEGIN { print (x <= 2 ? "yes" : "NO") }')
		row "$op" "$size" "$(fmt_time "$mine")" "$name" "$(fmt_time "$base")" "${ratio}x" "<= 2x" "$met"
	else
		row "$op" "$size" "$(fmt_time "$mine")" "$name" "n/a" "-" "<= 2x" "?"
	fi
	if peak_kb "$cmd"; then
		mine_kb=$P
		base_mb="-"
		[ "$have_baseline_reindex" = 1 ] && peak_kb "$base_cmd" && base_mb=$(fmt_mb "$P")
		met=$(awk -v k="$mine_kb" 'BEGIN { print (k <= 200 * 1024 ? "yes" : "NO") }')
		row "reindex peak memory" "$size" "$(fmt_mb "$mine_kb")" "$name" "$base_mb" "-" "<= 200 MB" "$met"
	else
		skip "reindex peak memory" "$size" "not measured: GNU time (Debian package time) is missing"
	fi
}

# query: a filter over all experiments, with the index current.
bench_query() {
	size=$1 repo=$2
	op="query"
	if ! has_command query; then
		skip "$op" "$size" "not yet measured: query does not exist yet"
		return
	fi
	say "query at $size experiments"
	cmd="cd $(q "$repo") && $(q "$eks") query 'challenge = demografi and status in (active, completed) and partner = 1506'"
	sh -c "$cmd" > /dev/null 2> "$tmp/err" || { failed "$op" "$size"; return; }
	measure "$runs" 1 "" "$cmd" || { failed "$op" "$size"; return; }
	met=$(awk -v s="$M" 'BEGIN { print (s <= 0.050 ? "yes" : "NO") }')
	row "$op" "$size" "$(fmt_time "$M")" "-" "-" "-" "<= 50 ms" "$met"
}

# evaluate: verdicts on every hypothesis of every experiment.
bench_evaluate() {
	size=$1 repo=$2
	op="evaluate all"
	if ! has_command evaluate; then
		skip "$op" "$size" "not yet measured: evaluate does not exist yet"
		return
	fi
	say "evaluate at $size experiments"
	cmd="cd $(q "$repo") && $(q "$eks") evaluate --format json"
	sh -c "$cmd" > /dev/null 2> "$tmp/err" || { failed "$op" "$size"; return; }
	measure "$runs" 1 "" "$cmd" || { failed "$op" "$size"; return; }
	met=$(awk -v s="$M" 'BEGIN { print (s <= 2 ? "yes" : "NO") }')
	row "$op" "$size" "$(fmt_time "$M")" "-" "-" "-" "<= 2 s" "$met"
}

# ------------------------------------------------------------------ main

started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
load_before=$(cut -d ' ' -f 1-3 /proc/loadavg 2>/dev/null || echo "?")

for size in $sizes; do
	repository "$size"
	repo=$R
	bench_validate "$size" "$repo"
	if [ "$size" -ge 1000 ]; then
		bench_incremental "$size" "$repo"
	fi
	if [ "$size" -eq "$top" ]; then
		bench_query "$size" "$repo"
		bench_evaluate "$size" "$repo"
		bench_reindex "$size" "$repo"
		bench_log "$size" "$repo"
	fi
	# Leave the cache as generated for the next run.
	base=$(cut -d ' ' -f 1 "$R.info")
	if ! git -C "$repo" reset -q --hard "$base"; then
		say "cannot reset '$repo'; it is generated again next time"
		rm -f "$R.info"
	fi
done

# ------------------------------------------------------------------ index
# Added with the index (issue 4/5); the rows above stay as they are.
#  - query at 100 experiments, beside the row at the largest size, to show
#    that its time does not grow with the repository;
#  - the two parts of a read command at each size of 1 000 and more: how
#    long bringing the index up to a hand commit takes inside the command,
#    and how long the check for uncommitted changes (git status of
#    experiments/, which every read command does first) takes.
#    EKSPERIMENT_TRACE=1 makes the command print both on stderr.

# median of the numbers on standard input
median() {
	sort -n | awk '{ a[NR] = $1 } END { if (NR) print NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

bench_index_parts() {
	size=$1 repo=$2
	if ! has_command query; then
		skip "index update, 1 commit (in the command)" "$size" "not yet measured: query does not exist yet"
		return
	fi
	set -- $T
	say "index update and uncommitted-changes check at $size experiments"
	cmd="cd $(q "$repo") && EKSPERIMENT_TRACE=1 $(q "$eks") query $(q "id = $1")"
	prepare="sh $(q "$tmp/append-entry.sh") $(q "$repo") $(q "$1") $(q "$2") $(q "$3") $(q "$4") && cd $(q "$repo") && git add -A experiments && $gitc commit -q -m 'hand edit'"
	sh -c "$cmd" > /dev/null 2> "$tmp/err" || { failed "index update, 1 commit (in the command)" "$size"; return; }
	: > "$tmp/trace"
	i=0
	while [ "$i" -lt "$runs" ]; do
		sh -c "$prepare" > /dev/null 2> "$tmp/err" || { failed "index update, 1 commit (in the command)" "$size"; return; }
		sh -c "$cmd" > /dev/null 2> "$tmp/trace.one" || { cp "$tmp/trace.one" "$tmp/err"; failed "index update, 1 commit (in the command)" "$size"; return; }
		grep 'trace:' "$tmp/trace.one" >> "$tmp/trace"
		i=$((i + 1))
	done
	update=$(sed -n 's/.*index brought to [0-9a-f]* in \([0-9.]*\) ms.*/\1/p' "$tmp/trace" | median)
	check=$(sed -n 's/.*uncommitted-changes check .* in \([0-9.]*\) ms.*/\1/p' "$tmp/trace" | median)
	if [ -z "$update" ]; then
		skip "index update, 1 commit (in the command)" "$size" "not measured: no EKSPERIMENT_TRACE output"
		return
	fi
	met=$(awk -v ms="$update" 'BEGIN { print (ms <= 50 ? "yes" : "NO") }')
	row "index update, 1 commit (in the command)" "$size" "$(fmt_time "$(awk -v ms="$update" 'BEGIN { print ms / 1000 }')")" "-" "-" "-" "<= 50 ms" "$met"
	row "uncommitted-changes check (query)" "$size" "$(fmt_time "$(awk -v ms="$check" 'BEGIN { print ms / 1000 }')")" "-" "-" "-" "-" "-"
}

if has_command query; then
	repository 100
	bench_query 100 "$R"
	git -C "$R" reset -q --hard "$(cut -d ' ' -f 1 "$R.info")" || rm -f "$R.info"
fi
for size in $sizes; do
	[ "$size" -ge 1000 ] || continue
	repository "$size"
	bench_index_parts "$size" "$R"
	base=$(cut -d ' ' -f 1 "$R.info")
	if ! git -C "$R" reset -q --hard "$base"; then
		say "cannot reset '$R'; it is generated again next time"
		rm -f "$R.info"
	fi
done

# ------------------------------------------------------------------ history
# Added with log rewrites (issue 2/9): the history check of validate
# (deviations and log rewrites, SPEC 5) at the largest size, on a history
# of $history_commits hand commits that append to one log, one of which
# rewrites an entry.  EKSPERIMENT_TRACE=1 makes validate print how long
# the check took inside the command.
#  - full walk: the remembered candidates removed first, so every commit
#    is looked at; the baseline is git log listing the same commits with
#    the log and protocol files each changed;
#  - after 1 commit: one more hand commit, so only that commit is walked
#    to find the experiments whose history must be read, set against git
#    reading what one commit changed; reading the history of the one with
#    the rewrite is set against git log of that experiment's directory.
history_commits=${BENCH_HISTORY_COMMITS:-200}

# history_ms <trace file> [find|read]: the median of the history-check
# times in it (whole, finding the experiments to read, or reading them).
history_ms() {
	case ${2:-} in
	find) sed -n 's/.*finding the experiments to read: \([0-9.]*\) ms.*/\1/p' "$1" | median ;;
	read) sed -n 's/.*reading the history of [0-9]* experiments*: \([0-9.]*\) ms.*/\1/p' "$1" | median ;;
	*) sed -n 's/.*history check of [0-9a-f]* in \([0-9.]*\) ms.*/\1/p' "$1" | median ;;
	esac
}

bench_history_check() {
	size=$1 repo=$2
	op="validate history check, full walk"
	if ! has_command disclose; then
		skip "$op" "$size" "not yet measured: log rewrites are not checked yet"
		return
	fi
	set -- $T
	say "history check at $size experiments ($history_commits commits)"
	append="sh $(q "$tmp/append-entry.sh") $(q "$repo") $(q "$1") $(q "$2") $(q "$3") $(q "$4") && cd $(q "$repo") && git add -A experiments && $gitc commit -q -m 'hand edit'"
	i=0
	while [ "$i" -lt "$history_commits" ]; do
		sh -c "$append" > /dev/null 2> "$tmp/err" || { failed "$op" "$size"; return; }
		if [ "$i" -eq 0 ]; then
			# the entry just appended gets another n: a log rewrite
			(cd "$repo" && sed -i '$ s/n: 120, events: 30/n: 119, events: 30/' "experiments/$1/log.yaml" &&
				git add -A experiments && $gitc commit -q -m 'hand rewrite') > /dev/null 2> "$tmp/err" ||
				{ failed "$op" "$size"; return; }
		fi
		i=$((i + 1))
	done
	cmd="cd $(q "$repo") && rm -f .git/eksperiment/candidates && EKSPERIMENT_TRACE=1 $(q "$eks") validate > /dev/null; test \$? -le 1"
	: > "$tmp/trace"
	i=0
	while [ "$i" -lt "$runs" ]; do
		sh -c "$cmd" 2> "$tmp/trace.one" || { cp "$tmp/trace.one" "$tmp/err"; failed "$op" "$size"; return; }
		grep 'trace: history check' "$tmp/trace.one" >> "$tmp/trace"
		i=$((i + 1))
	done
	full=$(history_ms "$tmp/trace")
	if ! grep -q 'log rewrite' "$tmp/trace.one" 2>/dev/null &&
	   ! (cd "$repo" && "$eks" validate 2>/dev/null | grep -q 'log rewrite'); then
		echo "the history check at $size experiments did not find the rewrite it was given" >> "$notes"
	fi
	if [ -z "$full" ]; then
		skip "$op" "$size" "not measured: no EKSPERIMENT_TRACE output"
		return
	fi
	git_cmd="cd $(q "$repo") && git log --raw --format=%H -- 'experiments/*/log.yaml' 'experiments/*/experiment.yaml' > /dev/null"
	if measure "$baseline_runs" 1 "" "$git_cmd"; then
		ratio=$(awk -v a="$full" -v b="$M" 'BEGIN { printf "%.2f", a / 1000 / b }')
		row "$op ($history_commits commits)" "$size" "$(fmt_time "$(awk -v ms="$full" 'BEGIN { print ms / 1000 }')")" \
			"git log --raw of those files" "$(fmt_time "$M")" "${ratio}x" "-" "-"
	else
		row "$op ($history_commits commits)" "$size" "$(fmt_time "$(awk -v ms="$full" 'BEGIN { print ms / 1000 }')")" \
			"git log --raw of those files" "failed" "-" "-" "-"
	fi

	op="validate history check, after 1 commit"
	cmd="cd $(q "$repo") && EKSPERIMENT_TRACE=1 $(q "$eks") validate > /dev/null; test \$? -le 1"
	sh -c "$cmd" > /dev/null 2>&1
	: > "$tmp/trace"
	i=0
	while [ "$i" -lt "$runs" ]; do
		sh -c "$append" > /dev/null 2> "$tmp/err" || { failed "$op" "$size"; return; }
		sh -c "$cmd" 2> "$tmp/trace.one" || { cp "$tmp/trace.one" "$tmp/err"; failed "$op" "$size"; return; }
		grep 'trace: history check' "$tmp/trace.one" >> "$tmp/trace"
		i=$((i + 1))
	done
	one=$(history_ms "$tmp/trace" find)
	git_cmd="cd $(q "$repo") && git log -1 --raw --format=%H > /dev/null"
	if measure "$baseline_runs" 1 "" "$git_cmd"; then
		ratio=$(awk -v a="$one" -v b="$M" 'BEGIN { printf "%.2f", a / 1000 / b }')
		row "$op: finding what to read" "$size" "$(fmt_time "$(awk -v ms="$one" 'BEGIN { print ms / 1000 }')")" \
			"git log -1 --raw" "$(fmt_time "$M")" "${ratio}x" "-" "-"
	else
		row "$op: finding what to read" "$size" "$(fmt_time "$(awk -v ms="$one" 'BEGIN { print ms / 1000 }')")" \
			"git log -1 --raw" "failed" "-" "-" "-"
	fi
	read=$(history_ms "$tmp/trace" read)
	op="validate history check: reading 1 experiment"
	git_cmd="cd $(q "$repo") && git log --raw --format=%H -- $(q "experiments/$1") > /dev/null"
	if measure "$baseline_runs" 1 "" "$git_cmd"; then
		ratio=$(awk -v a="$read" -v b="$M" 'BEGIN { printf "%.2f", a / 1000 / b }')
		met=$(awk -v x="$ratio" 'BEGIN { print (x <= 1 ? "yes" : "NO") }')
		row "$op" "$size" "$(fmt_time "$(awk -v ms="$read" 'BEGIN { print ms / 1000 }')")" \
			"git log --raw of its directory" "$(fmt_time "$M")" "${ratio}x" "<= 1x" "$met"
	else
		row "$op" "$size" "$(fmt_time "$(awk -v ms="$read" 'BEGIN { print ms / 1000 }')")" \
			"git log --raw of its directory" "failed" "-" "<= 1x" "?"
	fi
}

if [ "$top" -gt 0 ]; then
	repository "$top"
	bench_history_check "$top" "$R"
	if ! git -C "$R" reset -q --hard "$(cut -d ' ' -f 1 "$R.info")"; then
		say "cannot reset '$R'; it is generated again next time"
		rm -f "$R.info"
	fi
fi

# ------------------------------------------------------------------ report

echo
echo "eksperiment benchmarks (SPEC 7)"
echo "  started:   $started; binary: $eks ($("$eks" --version 2>/dev/null))"
echo "  machine:   $(nproc 2>/dev/null || echo '?') cpu, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null); load average $load_before at start, $(cut -d ' ' -f 1-3 /proc/loadavg 2>/dev/null || echo '?') at the end"
echo "  data:      $obs observations per experiment, seed $seed; repositories in $cache"
if [ "$timer" = hyperfine ]; then
	echo "  timing:    $(hyperfine --version), median of $runs runs (baselines: $baseline_runs, yamllint at >= 10000 experiments: $slow_runs)"
else
	echo "  timing:    shell loop (date +%s.%N), median of $runs runs (baselines: $baseline_runs, yamllint at >= 10000 experiments: $slow_runs)"
fi
command -v yamllint > /dev/null 2>&1 &&
	echo "  yamllint:  $(yamllint --version) with -d '$yamllint_config'"
echo
awk -F '\t' '
BEGIN {
	h[1] = "operation"; h[2] = "size"; h[3] = "median"; h[4] = "baseline"
	h[5] = "baseline median"; h[6] = "ratio"; h[7] = "target"; h[8] = "met"
	for (i = 1; i <= 8; i++) w[i] = length(h[i])
}
{
	line[NR] = $0
	for (i = 1; i <= (NF == 3 ? 2 : NF); i++) if (length($i) > w[i]) w[i] = length($i)
}
function cell(i, text) { if (i == 8) print text; else printf("%-" w[i] "s  ", text) }
END {
	for (i = 1; i <= 8; i++) cell(i, h[i])
	for (i = 1; i <= 8; i++) { s = ""; for (j = 0; j < w[i]; j++) s = s "-"; cell(i, s) }
	for (r = 1; r <= NR; r++) {
		n = split(line[r], f, "\t")
		if (n == 3) { cell(1, f[1]); cell(2, f[2]); print f[3]; continue }
		for (i = 1; i <= 8; i++) cell(i, f[i])
	}
}' "$rows"
if [ -s "$notes" ]; then
	echo
	sed 's/^/note: /' "$notes"
fi
