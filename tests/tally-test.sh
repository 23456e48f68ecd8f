#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# tests/tally-test.sh: tests/tally reads every suite's closing line (each form make check
# meets) and counts skipped apart; a suite with no closing line is one failure.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ackprof-tally.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
t() { # t NAME WANT-LAST-LINE LOG-TEXT
	printf '%s\n' "$3" > "$tmp/log"
	got=$(sh "$top/tests/tally" "$tmp/log" | tail -n 1)
	if [ "$got" = "$2" ]; then pass=$((pass + 1)); echo "ok - tally: $1"
	else fail=$((fail + 1)); echo "not ok - tally: $1: got '$got', want '$2'"; fi
}
t "every suite's form" "162 passed, 6 failed, 4 skipped" "== check-unit
[  PASSED  ] 28 test(s).
[  FAILED  ] 1 test(s), listed below:
[  SKIPPED ] 1 test(s), listed below:
== check-double
56 passed, 0 failed
== check-py
2 failed, 30 passed, 2 skipped in 12.34s
== check-py
===== 40 passed, 1 error in 3.2s =====
== check-real
0 passed, 0 failed, 1 skipped
== check-fuzz
8 passed, 2 failed"
t "a suite with no closing line fails" "5 passed, 1 failed, 0 skipped" "== check-e2e
5 passed, 0 failed
== check-valgrind
Segmentation fault"
t "pytest with only passes" "30 passed, 0 failed, 0 skipped" "== check-py
30 passed in 5.12s"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
