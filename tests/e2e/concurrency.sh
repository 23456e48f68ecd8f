#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The ai-mode lease: runs that share one CLI config directory never switch ai-mode off
# under each other, and a holder killed with SIGKILL is noticed and dropped.
# Replays the double's call log (one line per call, in start order) and checks that no
# cloud call (cs, sysom, the Step 7 interpreter) ever started while ai-mode was off.
# Prints TAP-style lines and "N passed, N failed".
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
ACKPROF=${ACKPROF:-$top/ackprof}
DOUBLE=$top/tests/double/aliyun
CL=c4f1a9e27b8d34c6a9e0f5b2d7c81a3e6
pass=0 fail=0 n=0
root=$(mktemp -d "${TMPDIR:-/tmp}/ackprof-conc.XXXXXX")
trap 'rm -rf "$root"' EXIT

ok() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $1"; }

# Replay a call log: prints the first cloud call made while ai-mode was off, if any.
replay() {
	awk '
	/ai-mode enable$/ { on = 1; next }
	/ai-mode disable$/ { on = 0; next }
	/^aliyun (cs|sysom) |^python / { if (!on) { print NR ": " $0; exit } }
	' "$1"
}

run() { # HOME SCENARIO [extra args]
	local home=$1 sc=$2; shift 2
	# exec: in the background, $! is then ackprof itself.
	HOME=$home XDG_STATE_HOME=$home/state XDG_DATA_HOME=$home/data FAKE_ALIYUN_SCENARIO=$sc \
	FAKE_ALIYUN_LOG=$home/calls.log FAKE_ALIYUN_STATE=$home/fake-state-$sc-$RANDOM \
	exec env -u XDG_RUNTIME_DIR "$ACKPROF" diagnose -c $CL -n default -p app-1 -q \
		--aliyun "$DOUBLE" --sdk-venv "$top/tests/double/venv" --scripts-dir "$top/scripts" \
		--poll-interval 0 --busy-wait 0 --yes "$@" > /dev/null 2>&1
}

# 1. Ten diagnoses at once, of different lengths, on one config directory.
home=$root/ten
mkdir -p "$home"
pids=()
for i in 0 1 2 3 4 5 6 7 8 9; do
	case $((i % 3)) in
	0) sc=default ;;
	1) sc=slow-cs ;;
	2) sc=slow-step7 ;;
	esac
	(run "$home" $sc) &
	pids+=($!)
done
codes=""
for p in "${pids[@]}"; do wait "$p"; codes+="$? "; done
if [ "$codes" = "0 0 0 0 0 0 0 0 0 0 " ]; then ok "ten concurrent runs all succeed"; else notok "ten concurrent runs: exit codes $codes"; fi
bad=$(replay "$home/calls.log")
if [ -z "$bad" ]; then ok "no cloud call while ai-mode was off (ten runs)"; else notok "a cloud call ran with ai-mode off: $bad"; fi
if grep -q '"enabled": false' "$home/.aliyun/ai-mode.json"; then ok "ai-mode ends off after ten runs"; else notok "ai-mode left on after ten runs"; fi
nd=$(grep -c 'ai-mode disable$' "$home/calls.log")
if [ "$nd" -ge 1 ] && [ "$nd" -lt 10 ]; then ok "disable ran $nd times, not once per run"; else notok "disable ran $nd times for ten overlapping runs"; fi
if [ "$(tail -1 "$home/calls.log")" = "aliyun configure ai-mode disable" ]; then ok "the last call is ai-mode disable"; else notok "the last call is $(tail -1 "$home/calls.log")"; fi

# 2. A holder killed with SIGKILL is dropped: the next run switches ai-mode off.
home=$root/killed
mkdir -p "$home"
run "$home" hang-cs --cli-timeout 60 &
victim=$!
for _ in $(seq 100); do grep -q 'cs GET' "$home/calls.log" 2>/dev/null && break; sleep 0.05; done
kill -9 "$victim"; wait "$victim" 2>/dev/null
pkill -9 -f "$DOUBLE cs GET" 2>/dev/null	# its orphaned child, as a reboot would
if grep -q '"enabled": true' "$home/.aliyun/ai-mode.json"; then ok "a SIGKILLed run leaves ai-mode on (nothing can run then)"; else notok "ai-mode was not on after the SIGKILL"; fi
(run "$home" default)
rc=$?
if [ $rc = 0 ]; then ok "the next run succeeds"; else notok "the next run exited $rc"; fi
if grep -q '"enabled": false' "$home/.aliyun/ai-mode.json"; then ok "the dead holder was dropped and ai-mode is off"; else notok "ai-mode stayed on: the dead holder was not dropped"; fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
