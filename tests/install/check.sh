#!/bin/sh
# check.sh <prefix>: what `make install PREFIX=<prefix>` put there works:
# the program runs, and hello.c builds against libeksperiment with
# pkg-config alone, shared and static, and reads an example protocol.
set -eu
prefix=$1
here=$(cd "$(dirname "$0")" && pwd)
example=$here/../data/examples/uu-molde-outreach/experiment.yaml
out=$prefix/hello-test
fail() { echo "FAIL install: $*"; exit 1; }

"$prefix/bin/eksperiment" --version > /dev/null || fail "the installed program does not run"
for f in lib/libeksperiment.a lib/libeksperiment.so lib/libeksperiment.so.0 \
	 include/eksperiment.h include/eksperiment/store.h lib/pkgconfig/eksperiment.pc \
	 share/man/man1/eksperiment.1 share/eksperiment/templates/two-arm-proportion.yaml; do
	[ -e "$prefix/$f" ] || fail "$f is not installed"
done
soname=$(objdump -p "$prefix/lib/libeksperiment.so" 2>/dev/null | awk '/SONAME/ { print $2 }')
[ -z "$soname" ] || [ "$soname" = libeksperiment.so.0 ] || fail "the soname is '$soname'"

export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
cflags=$(pkg-config --cflags eksperiment) || fail "pkg-config does not know eksperiment"
libs=$(pkg-config --libs eksperiment)
static_libs=$(pkg-config --static --libs eksperiment)
mkdir -p "$out"
# shared: only -leksperiment; the libraries it needs come with it
${CC:-cc} $cflags -o "$out/hello" "$here/hello.c" $libs ${LDFLAGS:-} ||
	fail "hello.c does not build against the shared library"
LD_LIBRARY_PATH="$prefix/lib" "$out/hello" "$example" > "$out/shared.out" ||
	fail "hello (shared) failed: $(cat "$out/shared.out")"
grep -q ': [0-9]* hypotheses$' "$out/shared.out" || fail "hello (shared) said: $(cat "$out/shared.out")"
# static
${CC:-cc} $cflags -o "$out/hello-static" "$here/hello.c" "$prefix/lib/libeksperiment.a" \
	$(echo "$static_libs" | sed 's/-leksperiment//') ${LDFLAGS:-} ||
	fail "hello.c does not build against the static library"
"$out/hello-static" "$example" > "$out/static.out" || fail "hello (static) failed"
cmp -s "$out/shared.out" "$out/static.out" || fail "the shared and static builds disagree"
echo "ok   install: program, man pages, library (static and shared), headers, eksperiment.pc: $(cat "$out/shared.out")"
