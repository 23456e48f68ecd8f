#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Issue 11 (Hardening II), end to end with the built binary and the double: the lease
# as a hostile local user leaves it, --save onto special files, a CLI that leaves a
# process holding its stdout, ackprof stopped past --cli-timeout, closed standard
# descriptors.  TAP-style lines, then "N passed, N failed".
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
ACKPROF=${ACKPROF:-$top/ackprof}
DOUBLE=$top/tests/double/aliyun
CL=c4f1a9e27b8d34c6a9e0f5b2d7c81a3e6
pass=0 fail=0 n=0 skipped=0
root=$(mktemp -d "${TMPDIR:-/tmp}/ackprof-hard.XXXXXX")
trap 'rm -rf "$root"' EXIT
ok() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $1"; }
skip() { n=$((n + 1)); skipped=$((skipped + 1)); echo "ok $n - $1 # SKIP $2"; }
check() { if eval "$2"; then ok "$1"; else notok "$1"; fi; }

# diag HOME [args...]: one diagnose on the double in HOME; exit code in $rc.
diag() {
	local home=$1; shift
	mkdir -p "$home"
	HOME=$home XDG_STATE_HOME=$home/state XDG_DATA_HOME=$home/data FAKE_ALIYUN_LOG=$home/calls.log \
	env -u XDG_RUNTIME_DIR -u FAKE_ALIYUN_SCENARIO "$ACKPROF" diagnose -c $CL -n default -p app-1 \
		--aliyun "${ALIYUN:-$DOUBLE}" --sdk-venv "$top/tests/double/venv" --scripts-dir "$top/scripts" \
		--poll-interval 0 --busy-wait 0 --yes -q "$@" > "$home/out" 2> "$home/err"
	rc=$?
}

# 1. The lease directory left writable by others (item 1): refused, 78, one line, no call.
h=$root/lease0777
mkdir -p "$h/.aliyun/ackprof"
chmod 777 "$h/.aliyun/ackprof"
diag "$h"
check "lease dir 0777: exit 78" '[ $rc = 78 ]'
check "lease dir 0777: one line naming it" '[ $(wc -l < "$h/err") = 1 ] && grep -q "^ackprof: refusing the ai-mode lease directory .*/.aliyun/ackprof: .*mode 777" "$h/err"'
check "lease dir 0777: no aliyun call" '[ ! -s "$h/calls.log" ]'

# 2. --save onto special files (item 3): written in place, never replaced.
h=$root/save
mkdir -p "$h"
mkfifo "$h/fifo"
timeout 20 cat "$h/fifo" > "$h/fifo.got" &	# bounded: a FIFO replaced leaves it waiting
reader=$!
diag "$h" --save "$h/fifo"
wait $reader
check "--save onto a FIFO: exit 0, the reader got the report, the FIFO is still one" '[ $rc = 0 ] && grep -q "Status: *Info" "$h/fifo.got" && [ -p "$h/fifo" ]'
mkfifo "$h/lonely"
diag "$h" --save "$h/lonely"
# Issue 20, item 7: the report was lost, so the run does not exit 0 (74).
check "--save onto a FIFO nobody reads: refused in one line, not waited on, still a FIFO, exit 74" '[ $rc = 74 ] && [ $(wc -l < "$h/err") = 1 ] && grep -q "a FIFO with no reader" "$h/err" && [ -p "$h/lonely" ]'
if mknod "$h/null" c 1 3 2>/dev/null; then
	diag "$h" --save "$h/null"
	check "--save onto a character device (/dev/null's): still that device" '[ $rc = 0 ] && [ -c "$h/null" ] && [ "$(stat -c %t:%T "$h/null")" = 1:3 ] && [ ! -s "$h/err" ]'
	# A block device with no driver (major 240, local use): refused, never opened for writing.
	mknod "$h/blk" b 240 0
	rm -f "$h/calls.log"
	diag "$h" --save "$h/blk"
	# Refused before the first cloud call (issue 20, item 7): 64, one line, no call.
	check "--save onto a block device: refused in one line before any call, still that device" '[ -b "$h/blk" ] && [ $rc = 64 ] && [ $(wc -l < "$h/err") = 1 ] && grep -q "^ackprof: --save $h/blk is not a regular file" "$h/err" && [ ! -s "$h/calls.log" ]'
else
	skip "--save onto a character device" "mknod needs root"
	skip "--save onto a block device" "mknod needs root"
fi
echo old > "$h/target.txt"
ln -s "$h/target.txt" "$h/link.txt"
diag "$h" --save "$h/link.txt"
check "--save onto a link: the link stays, what it names gets the report" '[ $rc = 0 ] && [ -L "$h/link.txt" ] && grep -q "Status: *Info" "$h/target.txt"'

# 3. A CLI that exits but leaves a process holding its stdout (item 9): no timeout,
#    and the leftover process is gone with the call.
h=$root/bg
mkdir -p "$h"
cat > "$h/aliyun" <<EOS
#!/bin/sh
"$DOUBLE" "\$@"
rc=\$?
sleep 300 &
echo \$! >> "$h/sleepers"
exit \$rc
EOS
chmod +x "$h/aliyun"
ALIYUN=$h/aliyun diag "$h" --cli-timeout 3
check "a CLI leaving a sleeper on its stdout: the run succeeds (exit 0, no timeout)" '[ $rc = 0 ] && ! grep -q "no answer" "$h/err"'
# live PID: running, not a zombie waiting for a reaper
live() { [ -r "/proc/$1/stat" ] && [ "$(sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f1)" != Z ]; }
alive=0
for p in $(cat "$h/sleepers"); do live "$p" && alive=$((alive + 1)) && kill "$p"; done
check "a CLI leaving a sleeper: no sleeper outlives its call ($alive left)" '[ $alive = 0 ]'

# 4. ackprof stopped (SIGSTOP) longer than --cli-timeout while a call answers (item 9).
h=$root/stop
mkdir -p "$h"
(
	export HOME=$h XDG_STATE_HOME=$h/state FAKE_ALIYUN_LOG=$h/calls.log FAKE_ALIYUN_SCENARIO=slow-cs
	exec env -u XDG_RUNTIME_DIR "$ACKPROF" diagnose -c $CL -n default -p app-1 --aliyun "$DOUBLE" \
		--sdk-venv "$top/tests/double/venv" --scripts-dir "$top/scripts" --poll-interval 0 \
		--busy-wait 0 --yes -q --cli-timeout 2.5 > "$h/out" 2> "$h/err"
) &
pid=$!
for _ in $(seq 200); do grep -q "cs GET" "$h/calls.log" 2>/dev/null && break; sleep 0.05; done
kill -STOP $pid
sleep 4		# the 1.5 s answer comes while ackprof is stopped, past its 2.5 s deadline
kill -CONT $pid
wait $pid
rc=$?
check "stopped past --cli-timeout while cs answered: exit 0, no false timeout" '[ $rc = 0 ] && [ ! -s "$h/err" ]'

# 5. Closed standard descriptors (item 12): results never land in the --state file.
h=$root/closed
mkdir -p "$h"
echo "$CL default app-1" > "$h/in"
HOME=$h XDG_STATE_HOME=$h/state env -u XDG_RUNTIME_DIR -u FAKE_ALIYUN_SCENARIO "$ACKPROF" batch "$h/in" \
	--state "$h/st" --aliyun "$DOUBLE" --sdk-venv "$top/tests/double/venv" --scripts-dir "$top/scripts" \
	--poll-interval 0 --busy-wait 0 -q >&-
rc=$?
check "batch >&-: exit 0" '[ $rc = 0 ]'
check "batch >&-: the state file holds state records only" 'python3 -c "import json,sys; [json.loads(l)[\"key\"] for l in open(sys.argv[1])]" "$h/st" && ! grep -q "^Info\|Summary" "$h/st"'

echo "$pass passed, $fail failed, $skipped skipped"
[ "$fail" -eq 0 ]
