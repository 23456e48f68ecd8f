#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Issue 20, item 7: --save and --state are checked before the first cloud call (a
# directory, a missing parent, no write permission: exit 64, one line, no call at all),
# and a --save that fails at the end (a full disk: /dev/full, whose every write fails
# with ENOSPC) is one line and exit 74, never 0, with the ai-mode cleanup still run.
# TAP-style lines, then "N passed, N failed, N skipped".
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
ACKPROF=${ACKPROF:-$top/ackprof}
DOUBLE=$top/tests/double/aliyun
pass=0 fail=0 n=0 skipped=0
root=$(mktemp -d "${TMPDIR:-/tmp}/ackprof-paths.XXXXXX")
trap 'rm -rf "$root"' EXIT
ok() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $1"; }
check() { if eval "$2"; then ok "$1"; else notok "$1"; fi; }

C1=c00000000000000000000000000000001	# Info
C4=c00000000000000000000000000000004	# Warn
C5=c00000000000000000000000000000005	# Critical

# run HOME [prefix...] -- ackprof args...: in HOME (also the cwd), exit code in $rc.
run() {
	local home=$1; shift
	local pre=()
	while [ "$1" != -- ]; do pre+=("$1"); shift; done
	shift
	local wire=(--aliyun "$DOUBLE" --poll-interval 0)
	[ "$1" = result ] || wire+=(--sdk-venv "$top/tests/double/venv" --scripts-dir "$top/scripts" --busy-wait 0)
	mkdir -p "$home"
	(cd "$home" && HOME=$home XDG_STATE_HOME=$home/state XDG_DATA_HOME=$home/data \
		FAKE_ALIYUN_LOG=$home/calls.log env -u XDG_RUNTIME_DIR -u FAKE_ALIYUN_SCENARIO \
		"${pre[@]}" "$ACKPROF" "$@" "${wire[@]}" > out 2> err)
	rc=$?
}
nocall() { [ ! -s "$1/calls.log" ]; }
oneline() { [ "$(wc -l < "$1/err")" = 1 ] && grep -qF -- "$2" "$1/err"; }

# A directory no one but root may write in; as root, ackprof runs as nobody for these.
ro=$root/ro
mkdir -p "$ro" && chmod 755 "$root" "$ro"
asuser=()
if [ "$(id -u)" = 0 ]; then
	asuser=(setpriv --reuid=65534 --regid=65534 --clear-groups)
else
	chmod 555 "$ro"
fi
echo "$C1 default app-1" > "$root/in"
chmod 644 "$root/in"

for cmd in diagnose result batch; do
	case $cmd in
	diagnose) args=(diagnose -c $C1 -n default -p app-1 -y -q) flag=--save ;;
	result) args=(result T0000001 -q) flag=--save ;;
	batch) args=(batch "$root/in" -q) flag=--state ;;
	esac
	h=$root/$cmd-noparent
	run "$h" -- "${args[@]}" $flag nodir/report
	check "$cmd $flag nodir/report: exit 64, one line, no cloud call" '[ $rc = 64 ] && nocall "$h" && oneline "$h" "$flag nodir/report: no directory nodir"'
	h=$root/$cmd-dir
	run "$h" -- "${args[@]}" $flag "$root"
	check "$cmd $flag DIRECTORY: exit 64, one line, no cloud call" '[ $rc = 64 ] && nocall "$h" && oneline "$h" "$flag $root is a directory"'
	h=$root/$cmd-ro
	mkdir -p "$h" && chmod 777 "$h"
	run "$h" "${asuser[@]}" -- "${args[@]}" $flag "$ro/report"
	check "$cmd $flag in a directory it cannot write: exit 64, one line, no cloud call" '[ $rc = 64 ] && nocall "$h" && oneline "$h" "$flag $ro/report: cannot create a file in $ro: Permission denied"'
done
h=$root/state-ro-file
mkdir -p "$h" && chmod 777 "$h"
: > "$h/fleet.state" && chmod 444 "$h/fleet.state"
run "$h" "${asuser[@]}" -- batch "$root/in" -q --state "$h/fleet.state"
check "batch --state on a file it cannot write: exit 64, one line, no cloud call" '[ $rc = 64 ] && nocall "$h" && oneline "$h" "cannot write it: Permission denied"'

# A full disk at the end: /dev/full (a character device: --save writes it in place, and
# every write fails with ENOSPC).  The report still goes to stdout; the cleanup runs.
for t in "$C1 0 74 Info" "$C4 1 74 Warn" "$C5 2 2 Critical"; do
	set -- $t
	cl=$1 was=$2 want=$3 what=$4
	h=$root/full-$was
	run "$h" -- diagnose -c "$cl" -n default -p app-1 -y -q --save /dev/full
	check "--save /dev/full on a $what diagnosis (exit $was without --save) exits $want" '[ $rc = $want ]'
	check "--save /dev/full, $what: one line naming the file and ENOSPC" 'oneline "$h" "cannot save the report to /dev/full: No space left on device"'
	check "--save /dev/full, $what: the report is still on stdout" 'grep -qE "Status: +$what" "$h/out"'
	check "--save /dev/full, $what: ai-mode disable still runs, last" '[ "$(tail -1 "$h/calls.log")" = "aliyun configure ai-mode disable" ]'
done
h=$root/full-result
run "$h" -- result T0000001 -q --save /dev/full
check "result --save /dev/full on a healthy task exits 74" '[ $rc = 74 ] && oneline "$h" "cannot save the report to /dev/full"'

echo "$pass passed, $fail failed, $skipped skipped"
[ "$fail" -eq 0 ]
