#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/bench-check-test.sh: bench/check (make bench-check), the instruction-count gate
# of issue 25, must pass on an unchanged build and fail on a deliberate ~10 % slowdown,
# naming the runs that rose.  The slow copy is ackprof's own objects relinked with
# tests/bench/delay.c (-Wl,--wrap=posix_spawnp: a delay loop before each aliyun call's
# spawn, sized to 10 % of the healthy diagnose); it is built only here.  The baseline is made from this tree, in a scratch file,
# so the test does not depend on bench/baseline.txt being current.  Ends with
# "N passed, N failed, N skipped".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
pass=0 fail=0 skipped=0 n=0
ok() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $1"; }
check() { if eval "$2"; then ok "$1"; else notok "$1"; fi; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ackprof-benchtest.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

if ! command -v valgrind >/dev/null 2>&1; then
	# tools/deps --all installs valgrind: in CI this is a failure, not a skip
	if [ -n "${ACKPROF_CI:-}" ]; then notok "valgrind is missing (tools/deps --all installs it)"
	else n=$((n + 1)); skipped=$((skipped + 1)); echo "ok $n - bench/check gate # SKIP valgrind is missing"; fi
	echo "$pass passed, $fail failed, $skipped skipped"
	[ "$fail" = 0 ]; exit
fi
make --no-print-directory -s all >/dev/null || { notok "make all"; echo "$pass passed, $fail failed, $skipped skipped"; exit 1; }

export BENCH_BASELINE=$tmp/baseline.txt
nice bench/check --baseline >"$tmp/base.out" 2>&1
check "bench/check --baseline writes a baseline of 8 runs" '[ $(grep -vc "^#" "$BENCH_BASELINE") = 8 ]'
check "--baseline says to commit it with the reason" 'grep -q "commit it with the reason" "$tmp/base.out"'

# The delay is sized to this tree: 10 % of the healthy diagnose's count, spread over its
# 13 spawns, at 6 instructions a turn of the loop (load, add, store, increment, compare,
# branch).  A fixed number of turns would drift as ackprof gets cheaper (4,400 turns
# were +10 % at 3.4 M instructions, +28 % at 1.24 M).
base_healthy=$(awk '$1 == "healthy" { print $2 }' "$BENCH_BASELINE")
iters=$(awk -v h="${base_healthy:-0}" 'BEGIN { printf "%d", h * 0.10 / (13 * 6) }')
cc -std=c11 -O2 -Wall -Wextra -DDELAY_ITERS="$iters" -c -o "$tmp/delay.o" tests/bench/delay.c &&
	cc -o "$tmp/ackprof-slow" src/*.o "$tmp/delay.o" -Wl,--wrap=posix_spawnp \
		$(pkg-config --libs libcjson libpcre2-8) -lm
check "the slow copy builds ($iters turns of the delay loop a spawn)" '[ "$iters" -gt 0 ] && [ -x "$tmp/ackprof-slow" ]'

nice bench/check >"$tmp/same.out" 2>&1; rc=$?
check "the same build passes (exit 0: run-to-run noise is under the 5 % tolerance)" '[ $rc = 0 ]'
check "it prints the table" 'grep -q "^run  *baseline  *now  *ratio" "$tmp/same.out" && grep -q "^healthy " "$tmp/same.out"'

ACKPROF=$tmp/ackprof-slow nice bench/check >"$tmp/slow.out" 2>&1; rc=$?
cat "$tmp/slow.out" | sed 's/^/# /'
check "the slowed build fails (exit 1)" '[ $rc = 1 ]'
check "the failure names the healthy diagnose" 'grep -q "^healthy .*FAIL: healthy rose" "$tmp/slow.out"'
check "the failure names the batch" 'grep -q "FAIL: batch-100 rose" "$tmp/slow.out"'
check "the last line lists the runs that rose" 'tail -1 "$tmp/slow.out" | grep -q "^bench/check: regression in: healthy"'
check "a run without spawns (MCP pings) is not named" '! grep -q "FAIL: mcp-1000-pings" "$tmp/slow.out"'
healthy_ratio=$(awk '$1 == "healthy" { print $4 }' "$tmp/slow.out")
check "the healthy run's injected slowdown is about 10 % (ratio $healthy_ratio in [1.08, 1.12])" \
	'awk -v r="$healthy_ratio" "BEGIN { exit !(r >= 1.08 && r <= 1.12) }"'

echo "$pass passed, $fail failed, $skipped skipped"
[ "$fail" = 0 ]
