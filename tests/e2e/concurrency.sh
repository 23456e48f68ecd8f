#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The ai-mode lease: runs that share one CLI config directory never switch ai-mode off
# under each other, and a holder killed with SIGKILL is dropped by its watchdog, which
# switches ai-mode off when it was the last holder.
# Replays the double's call log (one line per call, in start order) and checks that no
# cloud call (cs, sysom, the Step 7 interpreter) ever started while ai-mode was off.
# Prints TAP-style lines and "N passed, N failed, N skipped".
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
ACKPROF=${ACKPROF:-$top/ackprof}
DOUBLE=$top/tests/double/aliyun
CL=c4f1a9e27b8d34c6a9e0f5b2d7c81a3e6
# shellcheck source=tests/skip.sh
. "$top/tests/skip.sh"
n=0
root=$(mktemp -d "${TMPDIR:-/tmp}/ackprof-conc.XXXXXX")
[ -n "${KEEP:-}" ] || trap 'rm -rf "$root"' EXIT

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
	FAKE_ALIYUN_LOG=$home/calls.log FAKE_ALIYUN_STATE=${STATE:-$home/fake-state-$sc-$RANDOM} \
	exec ${WRAP:-} env -u XDG_RUNTIME_DIR "$ACKPROF" diagnose -c $CL -n default -p app-1 -q \
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

# 2. A holder killed with SIGKILL (issue 20, item 9): its watchdog, which outlives it,
#    kills the children and, the dead run being the last holder, runs ai-mode disable
#    itself, exactly once, and drops the dead holder from the lease.
holders() { grep -c . "$1/.aliyun/ackprof/aimode.holders" 2>/dev/null || true; }
# wait_for TRIES COMMAND...: poll (never a timed assertion: up to TRIES x 0.1 s)
wait_for() { local t=$1; shift; for _ in $(seq "$t"); do "$@" && return 0; sleep 0.1; done; return 1; }
ndisable() { grep -c 'ai-mode disable$' "$1/calls.log" 2>/dev/null || true; }
polling() { grep -q get-diagnosis-result "$1/calls.log" 2>/dev/null; }
home=$root/killed
mkdir -p "$home"
(FAKE_ALIYUN_TASK_MS=600000 run "$home" default --poll-interval 0.2 --poll-max 100000) &
victim=$!
wait_for 300 polling "$home" || notok "the run never reached polling"
kill -9 "$victim"; wait "$victim" 2>/dev/null
if wait_for 300 eval '[ "$(ndisable "$home")" -ge 1 ]'; then ok "after kill -9 during polling, ai-mode disable ran"; else notok "no ai-mode disable after kill -9"; fi
wait_for 50 eval '[ "$(holders "$home")" = 0 ]'
sleep 1	# a second disable, were one coming, has had its chance
if [ "$(ndisable "$home")" = 1 ]; then ok "... exactly once"; else notok "... $(ndisable "$home") times"; fi
if [ "$(tail -1 "$home/calls.log")" = "aliyun configure ai-mode disable" ]; then ok "... as the last call (the poll child died first)"; else notok "the last call is $(tail -1 "$home/calls.log")"; fi
if [ "$(holders "$home")" = 0 ]; then ok "... and the lease is released (no holder left)"; else notok "the lease still lists $(holders "$home") holder(s)"; fi
if grep -q '"enabled": false' "$home/.aliyun/ai-mode.json"; then ok "... and ai-mode is off"; else notok "ai-mode stayed on after kill -9"; fi
(run "$home" default)
rc=$?
if [ $rc = 0 ]; then ok "the next run succeeds"; else notok "the next run exited $rc"; fi

# 3. Not the last holder: a run killed while another still polls leaves ai-mode on for
#    it (its watchdog only drops it from the lease); the other's kill then switches it off.
home=$root/killed2
mkdir -p "$home"
# Each its own double state ($RANDOM repeats in subshells): b's invoke must not meet a's task.
(STATE=$home/state-a FAKE_ALIYUN_TASK_MS=600000 run "$home" default --poll-interval 0.2 --poll-max 100000) &
a=$!
wait_for 300 polling "$home"
(STATE=$home/state-b FAKE_ALIYUN_TASK_MS=600000 run "$home" default --poll-interval 0.2 --poll-max 100000) &
b=$!
wait_for 300 eval '[ "$(holders "$home")" = 2 ]'
# ... and past its own ai-mode enable (Step 3 runs after it): killed while the CLI rewrites
# ai-mode.json (truncate, then write, as the real CLI's os.WriteFile does), the file could
# be left empty, which is not what this section tests.
wait_for 300 eval '[ "$(grep -c "configure list$" "$home/calls.log")" -ge 2 ]'
kill -9 "$b"; wait "$b" 2>/dev/null
if wait_for 300 eval '[ "$(holders "$home")" = 1 ]'; then ok "the killed run's watchdog dropped it from the lease"; else notok "the lease lists $(holders "$home") holders after one was killed"; fi
if [ "$(ndisable "$home")" = 0 ] && grep -q '"enabled": true' "$home/.aliyun/ai-mode.json"; then ok "... and left ai-mode on for the run still polling"; else notok "ai-mode was switched off under a live holder (the other run $(kill -0 "$a" 2>/dev/null && echo lives || echo ended))"; fi
# doctor sees the live holder, and so does not call the ai-mode that is on an orphan.
dout=$(HOME=$home XDG_STATE_HOME=$home/state XDG_DATA_HOME=$home/data FAKE_ALIYUN_LOG=$home/doctor.log \
	env -u XDG_RUNTIME_DIR "$ACKPROF" doctor --aliyun "$DOUBLE" --sdk-venv "$top/tests/double/venv" \
	--scripts-dir "$top/scripts" 2>&1)
if grep -q '^\[ok\]   ai-mode on, held by running ackprof runs: 1$' <<< "$dout"; then ok "doctor: ai-mode on, held by the one run still polling"; else notok "doctor said: $(grep ai-mode <<< "$dout" | head -1)"; fi
kill -9 "$a"; wait "$a" 2>/dev/null
wait_for 300 eval '[ "$(ndisable "$home")" -ge 1 ]'
wait_for 50 eval '[ "$(holders "$home")" = 0 ]'
sleep 1
if [ "$(ndisable "$home")" = 1 ] && grep -q '"enabled": false' "$home/.aliyun/ai-mode.json"; then ok "the last holder's kill switched ai-mode off, once"; else notok "after the last holder's kill: $(ndisable "$home") disables"; fi

# 4. Across PID namespaces (issue 19, item 6): a run in a container that shares the
#    config directory (its own PID namespace and /proc) and a run on the host each see
#    the other as a live holder, and a holder killed there is dropped here.  Its pid means
#    nothing across the namespaces; the flock on its lock file does.
NS="unshare --pid --fork --mount-proc --kill-child"
holder_files() { find "$1/.aliyun/ackprof" -maxdepth 1 -name 'aimode.holder.*' | wc -l; }
if ! $NS true 2> /dev/null; then
	skip "the lease across PID namespaces" "unshare --pid is not permitted here (needs root or user namespaces)"
else
	home=$root/pidns
	mkdir -p "$home"
	(WRAP=$NS STATE=$home/state-a FAKE_ALIYUN_TASK_MS=600000 run "$home" default --poll-interval 0.2 --poll-max 100000) &
	a=$!
	wait_for 300 polling "$home"
	(STATE=$home/state-b run "$home" default)
	rc=$?
	if [ $rc = 0 ] && [ "$(ndisable "$home")" = 0 ] && grep -q '"enabled": true' "$home/.aliyun/ai-mode.json"; then ok "pidns: a host run leaves ai-mode on for a holder in another PID namespace"; else notok "pidns: the host run (exit $rc) switched ai-mode off under the holder in the other namespace: $(ndisable "$home") disables"; fi
	kill -9 "$a"; wait "$a" 2> /dev/null
	wait_for 50 eval '[ "$(holders "$home")" = 0 ]'
	(STATE=$home/state-c run "$home" default)
	rc=$?
	if [ $rc = 0 ] && [ "$(tail -1 "$home/calls.log")" = "aliyun configure ai-mode disable" ] && grep -q '"enabled": false' "$home/.aliyun/ai-mode.json"; then ok "pidns: the holder killed there is dropped, and the next host run, the last holder, switches ai-mode off"; else notok "pidns: after the other namespace's holder was killed: exit $rc, last call $(tail -1 "$home/calls.log")"; fi
	if [ "$(holders "$home")" = 0 ] && [ "$(holder_files "$home")" = 0 ]; then ok "pidns: ... the lease lists no holder and keeps no lock file"; else notok "pidns: $(holders "$home") holder lines, $(holder_files "$home") lock files left"; fi
	home=$root/pidns2
	mkdir -p "$home"
	(STATE=$home/state-a FAKE_ALIYUN_TASK_MS=600000 run "$home" default --poll-interval 0.2 --poll-max 100000) &
	a=$!
	wait_for 300 polling "$home"
	(WRAP=$NS STATE=$home/state-b run "$home" default)
	rc=$?
	if [ $rc = 0 ] && [ "$(ndisable "$home")" = 0 ] && grep -q '"enabled": true' "$home/.aliyun/ai-mode.json"; then ok "pidns: a run in another PID namespace leaves ai-mode on for the host's holder"; else notok "pidns: the run in the other namespace (exit $rc) switched ai-mode off under the host's holder: $(ndisable "$home") disables"; fi
	kill -9 "$a"; wait "$a" 2> /dev/null
	wait_for 300 eval '[ "$(ndisable "$home")" -ge 1 ]'
	wait_for 50 eval '[ "$(holders "$home")" = 0 ]'
	if [ "$(ndisable "$home")" = 1 ] && grep -q '"enabled": false' "$home/.aliyun/ai-mode.json" && [ "$(holder_files "$home")" = 0 ]; then ok "pidns: the host holder's kill then switched ai-mode off, once, and left no lock file"; else notok "pidns: after the host holder's kill: $(ndisable "$home") disables, $(holder_files "$home") lock files"; fi
fi

# 5. Killed while the CLI rewrites ai-mode.json.  The CLI truncates the file, then writes
#    it (os.WriteFile); killed in between, it leaves the file empty, which the CLI reads
#    as "off, no user agent", under a run that still needs it on.  So a configure call is
#    let finish: by the watchdog after a SIGKILL, and by ackprof itself on SIGINT.  The
#    double sleeps in that window (FAKE_ALIYUN_AIMODE_WRITE_MS), the test waits until the
#    file is empty, then kills.
aimode_whole() { # HOME: ai-mode.json is JSON, on, with the user agent Step 0 set
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d.get("enabled") is True and d.get("user_agent") else 1)' \
		"$1/.aliyun/ai-mode.json" 2> /dev/null
}
nenable() { grep -c 'ai-mode enable$' "$1/calls.log" 2>/dev/null || true; }
nua() { grep -c 'ai-mode set-user-agent' "$1/calls.log" 2>/dev/null || true; }
for sig in KILL INT; do
	home=$root/midwrite-$sig
	mkdir -p "$home"
	(STATE=$home/state-a FAKE_ALIYUN_TASK_MS=600000 run "$home" default --poll-interval 0.2 --poll-max 100000) &
	a=$!
	wait_for 300 polling "$home"
	(STATE=$home/state-b FAKE_ALIYUN_AIMODE_WRITE_MS=2000 run "$home" default) &
	b=$!
	if wait_for 300 eval '[ "$(nenable "$home")" = 2 ] && [ -e "$home/.aliyun/ai-mode.json" ] && [ ! -s "$home/.aliyun/ai-mode.json" ]'; then
		kill -$sig "$b"; wait "$b"; rc=$?
		wait_for 300 eval '[ "$(holders "$home")" = 1 ]'
		if aimode_whole "$home" && [ "$(ndisable "$home")" = 0 ]; then ok "SIG$sig in the middle of ai-mode enable: the CLI finished writing ai-mode.json (on, with its user agent) for the run still polling"; else notok "SIG$sig in the middle of ai-mode enable left ai-mode.json as: $(head -c 200 "$home/.aliyun/ai-mode.json"); $(ndisable "$home") disables"; fi
		if [ "$(holders "$home")" = 1 ]; then ok "... and the killed run left the lease"; else notok "... the lease lists $(holders "$home") holders"; fi
		if [ $sig = INT ]; then
			if [ $rc = 130 ] && [ "$(nua "$home")" = 1 ]; then ok "... SIGINT: exit 130, and no set-user-agent after the interrupted enable"; else notok "... SIGINT: exit $rc, $(nua "$home") set-user-agent calls"; fi
		fi
	else
		notok "SIG$sig: the second run never reached its ai-mode enable's write"
	fi
	kill -9 "$b" 2> /dev/null; kill -9 "$a"; wait "$a" 2> /dev/null
	wait_for 300 eval '[ "$(holders "$home")" = 0 ]'
	wait_for 100 eval '[ "$(ndisable "$home")" -ge 1 ]'
done

# 6. The same for config.json, which `configure set --auto-plugin-install true` rewrites
#    on every run (SaveConfiguration: truncate, then write): it holds every profile, and
#    an empty one loses them all.  Killed (-9, -INT) inside the double's window
#    (FAKE_ALIYUN_CONFIG_WRITE_MS), the run lets the call finish: the file ends as it was.
for sig in KILL INT; do
	home=$root/config-$sig
	mkdir -p "$home/.aliyun"
	printf '{\n\t"current": "default",\n\t"profiles": [{"name": "default", "mode": "EcsRamRole", "ram_role_name": "ackprof-test"}]\n}' > "$home/.aliyun/config.json"
	cp "$home/.aliyun/config.json" "$root/config-$sig.orig"
	(STATE=$home/state FAKE_ALIYUN_CONFIG_WRITE_MS=2000 run "$home" default) &
	b=$!
	if wait_for 300 eval '[ ! -s "$home/.aliyun/config.json" ]'; then
		kill -$sig "$b"; wait "$b"; rc=$?
		wait_for 300 eval '[ "$(holders "$home")" = 0 ] && [ "$(ndisable "$home")" -ge 1 ]'
		if cmp -s "$home/.aliyun/config.json" "$root/config-$sig.orig"; then ok "SIG$sig in the middle of configure set: config.json ends whole"; else notok "SIG$sig in the middle of configure set left config.json as: $(head -c 200 "$home/.aliyun/config.json")"; fi
		if [ "$(tail -1 "$home/calls.log")" = "aliyun configure ai-mode disable" ]; then ok "... and ai-mode disable ran last"; else notok "... the last call is $(tail -1 "$home/calls.log")"; fi
		if [ $sig = INT ]; then
			if [ $rc = 130 ] && ! grep -q 'configure list$' "$home/calls.log"; then ok "... SIGINT: exit 130, and no call after configure set but the cleanup"; else notok "... SIGINT: exit $rc; calls: $(tr '\n' '|' < "$home/calls.log")"; fi
		fi
	else
		notok "SIG$sig: the run never reached configure set's write"
		kill -9 "$b" 2> /dev/null; wait "$b" 2> /dev/null
	fi
done

# 7. A call let finish says so at the first Ctrl-C, and a second Ctrl-C stops it after all
#    (the user's choice: config.json is then left as the CLI left it).
home=$root/hold
mkdir -p "$home/.aliyun"
printf '{"current": "default", "profiles": [{"name": "default", "mode": "EcsRamRole", "ram_role_name": "r"}]}' > "$home/.aliyun/config.json"
(HOME=$home XDG_STATE_HOME=$home/state XDG_DATA_HOME=$home/data FAKE_ALIYUN_SCENARIO=default \
	FAKE_ALIYUN_LOG=$home/calls.log FAKE_ALIYUN_STATE=$home/fs FAKE_ALIYUN_CONFIG_WRITE_MS=20000 \
	exec env -u XDG_RUNTIME_DIR "$ACKPROF" diagnose -c $CL -n default -p app-1 \
	--aliyun "$DOUBLE" --sdk-venv "$top/tests/double/venv" --scripts-dir "$top/scripts" \
	--poll-interval 0 --busy-wait 0 --yes > /dev/null 2> "$home/err") &
b=$!
held() { grep -q "^ackprof: waiting for .[^ ]*aliyun configure set --auto-plugin-install true. to finish rewriting its file" "$home/err"; }
if wait_for 300 eval '[ ! -s "$home/.aliyun/config.json" ]'; then
	kill -INT "$b"
	if wait_for 300 held; then ok "the first Ctrl-C during configure set: one line says ackprof waits for it, and why"; else notok "no line about the call let finish: $(cat "$home/err")"; fi
	kill -INT "$b"; wait "$b"; rc=$?
	if [ $rc = 130 ] && [ ! -s "$home/.aliyun/config.json" ] && [ "$(tail -1 "$home/calls.log")" = "aliyun configure ai-mode disable" ]; then ok "... a second Ctrl-C stops it: exit 130, ai-mode disable last"; else notok "... after a second Ctrl-C: exit $rc, last call $(tail -1 "$home/calls.log")"; fi
else
	notok "the run never reached configure set's write"
	kill -9 "$b" 2> /dev/null; wait "$b" 2> /dev/null
fi
echo "$pass passed, $fail failed, $skipped skipped"
[ "$fail" -eq 0 ]
