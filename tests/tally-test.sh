#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# tests/tally-test.sh: tests/tally reads every suite's closing line (each form make check
# meets) and counts skipped apart; a suite with no closing line is one failure.  Then
# the tally per script, through tests/script and make as `make check` runs them: a
# script that crashes, one that exits 0 silently, one that prints only "ok" lines, one
# that says "0 failed" but exits 1, and a failed make with nothing counted.
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

# The same forms, marked per script by tests/script as make runs them (SHELL and
# .SHELLFLAGS as the top Makefile sets them on its check targets).  A check target
# runs its lines in order and stops at the first that fails, as make does.
mkdir -p "$tmp/s"
cat > "$tmp/s/good.sh" <<'EOS'
echo "ok 1 - fine"; echo "ok 2 - fine # SKIP no tool"; echo "1 passed, 0 failed, 1 skipped"
EOS
cat > "$tmp/s/crash.sh" <<'EOS'
set -u; echo "ok 1 - first"; echo "$undefined_variable"; echo "1 passed, 0 failed"
EOS
printf 'exit 0\n' > "$tmp/s/silent.sh"
printf 'echo "ok 1 - a"; echo "ok 2 - b"\n' > "$tmp/s/oklines.sh"
printf 'echo "2 passed, 0 failed"; exit 1\n' > "$tmp/s/liar.sh"
cat > "$tmp/Makefile" <<EOS
CHECKS = check-a check-b check-c check-d check-e
\$(CHECKS): private SHELL := $top/tests/script
\$(CHECKS): private .SHELLFLAGS = \$@ -c
check-a:
	sh $tmp/s/good.sh
	sh $tmp/s/crash.sh
	sh $tmp/s/good.sh
check-b:
	sh $tmp/s/good.sh
	sh $tmp/s/silent.sh
check-c:
	RUNS=1 WRAP='a b' sh $tmp/s/oklines.sh
check-d:
	sh $tmp/s/liar.sh
check-e:
	sh $tmp/s/good.sh
EOS
# mk TARGET...: run each target as make check does, into $tmp/mk.log; status in $st.
mk() {
	: > "$tmp/mk.log"; st=0
	for tg in "$@"; do
		echo "== $tg" >> "$tmp/mk.log"
		make -s --no-print-directory -C "$tmp" "$tg" >> "$tmp/mk.log" 2>&1 || st=1
	done
}
u() { # u NAME WANT-LAST-LINE WANT-NAMED-LINE (a grep -E pattern, or "")
	sh "$top/tests/tally" "$tmp/mk.log" "$st" > "$tmp/tally.out"
	got=$(tail -n 1 "$tmp/tally.out")
	if [ "$got" = "$2" ] && { [ -z "$3" ] || grep -qE "$3" "$tmp/tally.out"; }; then
		pass=$((pass + 1)); echo "ok - tally per script: $1"
	else
		fail=$((fail + 1)); echo "not ok - tally per script: $1: got:"; sed 's/^/#   /' "$tmp/tally.out"
	fi
}
mk check-a
u "a script that crashes after a good one is one failure, named; make stops the target" "1 passed, 1 failed, 1 skipped" \
	"^tally: check-a: sh .*/crash.sh exited 2 without a closing line \\(counted as 1 failed\\)$"
mk check-b
u "a script that exits 0 silently is one failure, named" "1 passed, 1 failed, 1 skipped" \
	"^tally: check-b: sh .*/silent.sh exited 0 without a closing line"
mk check-c
u "a script with only ok lines is one failure, named without its VAR=value words" "0 passed, 1 failed, 0 skipped" \
	"^tally: check-c: sh .*/oklines.sh exited 0 without a closing line"
mk check-d
u "a script that says 0 failed but exits 1 is one failure" "2 passed, 1 failed, 0 skipped" \
	"^tally: check-d: sh .*/liar.sh exited 1 and counted no failure"
mk check-e check-c check-e
u "later suites still count after a failed one" "2 passed, 1 failed, 2 skipped" ""
mk check-e
u "a clean run: nothing added" "1 passed, 0 failed, 1 skipped" "^2 checks, 0 reruns"
st=2
u "make failed with nothing counted as failed: never 0 failed" "1 passed, 1 failed, 1 skipped" \
	"^tally: make exited 2 but no test counted a failure"
printf '%s\n' "== check-unit" "== script unit-a" "[  PASSED  ] 3 test(s)." "== end unit-a: exit 0" \
	"== check-sanitize" "== script make unit" "== script unit-a" "[  PASSED  ] 3 test(s)." \
	"== end unit-a: exit 0" "== script unit-b" "Segmentation fault" "== end unit-b: exit 139" \
	"unit: FAILED: unit-b" "== end make unit: exit 2" "== script e2e" "4 passed, 0 failed" > "$tmp/mk.log"
st=1
u "nested scripts: the one that crashed is named, its parent adds nothing; one cut short fails" \
	"10 passed, 2 failed, 0 skipped" "^tally: unit-b exited 139 without a closing line"
grep -q "^tally: e2e never finished" "$tmp/tally.out" && grep -q "^3 checks, 9 reruns under ASan+UBSan and valgrind$" "$tmp/tally.out" &&
	{ pass=$((pass + 1)); echo "ok - tally: an unfinished script is named; reruns counted apart"; } ||
	{ fail=$((fail + 1)); echo "not ok - tally: an unfinished script is named; reruns counted apart"; sed 's/^/#   /' "$tmp/tally.out"; }
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
