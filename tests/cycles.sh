#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# tests/cycles.sh [OBJDIR]: the link-level dependency graph of src/*.o has no cycle
# (tools/cycles, nm), and the check finds a cycle that is planted, names it, honours a
# documented exemption and refuses a stale one.  Prints "N passed, N failed".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
objdir=${1:-$top/src}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ackprof-cycles.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass + 1)); echo "ok - $1"; else fail=$((fail + 1)); echo "not ok - $1"; fi; }
cycles=$top/tools/cycles

out=$(python3 "$cycles" "$objdir"/*.o 2>&1); rc=$?
printf '%s\n' "$out" | sed 's/^/# /'
check "src/*.o: no cycle in the link-level dependency graph" '[ $rc -eq 0 ] && printf "%s\n" "$out" | grep -q "no cycle"'

# A planted cycle: a.o -> b.o -> c.o -> a.o, beside d.o that only uses a.o.
printf 'int b_fn(void);\nint a_fn(void) { return b_fn(); }\n' > "$tmp/a.c"
printf 'int c_fn(void);\nint b_fn(void) { return c_fn(); }\n' > "$tmp/b.c"
printf 'int a_fn(void);\nint c_fn(void) { return a_fn() + 1; }\n' > "$tmp/c.c"
printf 'int a_fn(void);\nint d_fn(void) { return a_fn(); }\n' > "$tmp/d.c"
for f in a b c d; do cc -c -o "$tmp/$f.o" "$tmp/$f.c" || exit 2; done
: > "$tmp/none"
out=$(python3 "$cycles" --exempt "$tmp/none" "$tmp"/a.o "$tmp"/b.o "$tmp"/c.o "$tmp"/d.o 2>&1); rc=$?
check "a planted cycle fails the check" '[ $rc -eq 1 ]'
check "the cycle is named, with the symbols on each edge" \
	'printf "%s\n" "$out" | grep -qx "cycle: a.o -> b.o -> c.o -> a.o" && printf "%s\n" "$out" | grep -q "c.o -> a.o: a_fn"'
check "an object outside the cycle is not named in it" '! printf "%s\n" "$out" | grep "^cycle:" | grep -q d.o'

printf '# c.o may call a.o: a test of the exemption\nc.o a.o\n' > "$tmp/exempt"
out=$(python3 "$cycles" --exempt "$tmp/exempt" "$tmp"/a.o "$tmp"/b.o "$tmp"/c.o "$tmp"/d.o 2>&1); rc=$?
check "a documented exemption breaks the cycle" '[ $rc -eq 0 ]'
printf 'd.o c.o\n' > "$tmp/stale"
out=$(python3 "$cycles" --exempt "$tmp/stale" "$tmp"/a.o "$tmp"/b.o "$tmp"/d.o 2>&1); rc=$?
check "an exemption for an edge that is not there is an error" '[ $rc -eq 1 ] && printf "%s\n" "$out" | grep -q "d.o -> c.o is not in the objects"'
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
