#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# ackprof batch end to end on the simulator: bad input, the exact call order, live
# tasks over parallel clusters, kill -9 and resume with --state, JSON Lines, SIGINT,
# and 1,000 targets (correctness and memory, not time).  TAP-style lines, then
# "N passed, N failed".  With FAKE_ALIYUN_PERSONALITY=3.5.1 in the environment the double
# is the CLI 3.5.x for every call (check-e2e runs it so too: the batch's throttled,
# busy, Serverless and failing targets through 3.5's envelope and exit statuses).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
ACKPROF=${ACKPROF:-$top/ackprof}
DOUBLE=$top/tests/double/aliyun
UA=AlibabaCloud-Agent-Skills/alibabacloud-aes-ack-pod-performance-profiling
pass=0 fail=0 n=0 skipped=0
root=$(mktemp -d "${TMPDIR:-/tmp}/ackprof-batch.XXXXXX")
trap 'rm -rf "$root"' EXIT
ok() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $1"; }
skip() { n=$((n + 1)); skipped=$((skipped + 1)); echo "ok $n - $1 # SKIP $2"; }
check() { if eval "$2"; then ok "$1"; else notok "$1"; fi; }

C1=c00000000000000000000000000000001	# default
C2=c00000000000000000000000000000002	# serverless
C3=c00000000000000000000000000000003	# busy
C4=c00000000000000000000000000000004	# warn
C6=c00000000000000000000000000000006	# fail
L0=c00000000000000000000000000000010	# live
L1=c00000000000000000000000000000011	# live
L2=c00000000000000000000000000000012	# live

# ab HOME [args...]: run ackprof batch with the double, in HOME, exit code in $rc, its
# pid in $pid (HOME/ppid.log names the process that ran each call).
ab() {
	local home=$1; shift
	mkdir -p "$home"
	HOME=$home XDG_STATE_HOME=$home/state XDG_DATA_HOME=$home/data \
	FAKE_ALIYUN_LOG=$home/calls.log FAKE_ALIYUN_PPIDLOG=$home/ppid.log \
	env -u XDG_RUNTIME_DIR -u FAKE_ALIYUN_SCENARIO "$ACKPROF" batch --aliyun "$DOUBLE" \
		--sdk-venv "$top/tests/double/venv" --scripts-dir "$top/scripts" \
		--poll-interval 0 --busy-wait 0 "$@" > "$home/out" 2> "$home/err" &
	pid=$!
	wait "$pid"
	rc=$?
	# Every JSON document batch writes is valid against its kind's schema (schema/).
	if grep -q '^{' "$home/out" 2>/dev/null; then
		if [ -n "$schema_py" ]; then
			check "schema: the documents of ${home##*/} are valid" \
				'"$schema_py" "$top/tests/schema-check.py" "$home/out"'
		else
			skip_schema "${home##*/}"
		fi
	fi
}
# The schema validator: the test venv's python (jsonschema), made by tests/py/run.
schema_py=$top/build/pytest-venv/bin/python
"$schema_py" -c 'import jsonschema' 2>/dev/null || sh "$top/tests/py/run" --co -q >/dev/null 2>&1
"$schema_py" -c 'import jsonschema' 2>/dev/null || schema_py=
skip_schema() {
	n=$((n + 1))
	if [ "${ACKPROF_CI:-}" = 1 ]; then
		fail=$((fail + 1)); echo "not ok $n - schema: $1: no jsonschema in build/pytest-venv, and CI must have it"
	else
		skipped=$((skipped + 1)); echo "ok $n - schema: $1 # SKIP no jsonschema in build/pytest-venv"
	fi
}

# own_disable HOME: ackprof itself (pid $pid), not its watchdog, ran the run's one
# `ai-mode disable`.  The watchdog's disable for a run that died holding the lease comes
# after ackprof's exit, so it is waited for a moment before the count is taken.
own_disable() {
	sleep 0.3
	[ "$(grep -c " ai-mode disable$" "$1/ppid.log")" = 1 ] &&
		[ "$(grep " ai-mode disable$" "$1/ppid.log" | cut -d' ' -f1)" = "$pid" ]
}

# 1. Bad input: exit 64, every bad line named with its number, nothing run.
h=$root/bad
mkdir -p "$h"
printf '%s\n' "# header" "$C1 default app-1" "nonsense" "$C1 Bad_NS app-2" \
	'{"cluster_id":"'$C1'","namespace":"default"}' "$C1 default app-1" \
	"$C1 default app-3 oom yesterday afternoon" > "$h/in"
ab "$h" "$h/in"
check "bad input exits 64" '[ $rc = 64 ]'
check "bad input runs nothing" '[ ! -s "$h/calls.log" ]'
for l in 3 4 5 6 7; do
	check "bad input names line $l" 'grep -q "^ackprof: batch input line $l: " "$h/err"'
done
check "bad input: a bad namespace gets diagnose's rule hint" 'grep -qF "batch input line 4: namespace: '"'"'Bad_NS'"'"' is not a Kubernetes namespace (lowercase letters, digits and '"'"'-'"'"', at most 63)" "$h/err"'
check "bad input: one line per bad line and a last line" '[ $(wc -l < "$h/err") = 6 ] && tail -1 "$h/err" | grep -q "5 bad lines in .*: nothing was run"'

# 1b. Issue 19, item 4: a JSON line whose string holds \u0000 is refused naming the member
#     (cJSON would read the cluster id cut at the NUL, a valid one); nothing is run.
h=$root/nul
mkdir -p "$h"
printf '%s\n' '{"cluster_id":"'$C1'\u0000junk","namespace":"default","pod":"app-1"}' > "$h/in"
ab "$h" "$h/in"
check "a NUL in a JSON line exits 64" '[ $rc = 64 ]'
check "a NUL in a JSON line runs nothing" '[ ! -s "$h/calls.log" ]'
check "a NUL in a JSON line names the member" 'grep -q "^ackprof: batch input line 1: cluster_id holds a NUL character" "$h/err"'

# 2. The exact call sequence with --jobs 1: shared steps once, per cluster cs GET and
#    Step 7 once, targets one at a time; a non-Default cluster fails its own targets.
h=$root/order
mkdir -p "$h"
printf '%s\n' "$C1 default a-1" "$C2 default b-1" "$C1 default a-2" "$C6 default f-1" > "$h/in"
ab "$h" "$h/in" --jobs 1
params() { printf '{"product":"ACK","region":"cn-hangzhou","instance":"ack-%s","cluster_id":"%s","namespace":"default","pod":"%s","description":"","start_time":0,"end_time":0,"enable_diagnosis":true}' "$1" "$1" "$2"; }
{
	echo "aliyun configure ai-mode enable"
	echo "aliyun configure ai-mode set-user-agent --user-agent $UA"
	echo "aliyun plugin update"
	echo "aliyun version"
	echo "aliyun configure set --auto-plugin-install true"
	echo "aliyun configure list"
	echo "aliyun cs GET /clusters/$C1 --user-agent $UA"
	echo "aliyun sysom initial-sysom --check-only false --source aes-skills --user-agent $UA"
	echo "python $top/scripts/create-cluster-vpc-endpoint-connection.py --region cn-hangzhou --cluster-id $C1"
	echo "aliyun sysom invoke-diagnosis --service-name ocd --channel ecs --params $(params $C1 a-1) --user-agent $UA"
	echo "aliyun sysom get-diagnosis-result --task-id T0000001 --user-agent $UA"
	echo "aliyun sysom get-diagnosis-result --task-id T0000001 --user-agent $UA"
	echo "aliyun sysom invoke-diagnosis --service-name ocd --channel ecs --params $(params $C1 a-2) --user-agent $UA"
	echo "aliyun sysom get-diagnosis-result --task-id T0000001 --user-agent $UA"
	echo "aliyun cs GET /clusters/$C2 --user-agent $UA"
	echo "aliyun cs GET /clusters/$C6 --user-agent $UA"
	echo "python $top/scripts/create-cluster-vpc-endpoint-connection.py --region cn-hangzhou --cluster-id $C6"
	echo "aliyun sysom invoke-diagnosis --service-name ocd --channel ecs --params $(params $C6 f-1) --user-agent $UA"
	echo "aliyun sysom get-diagnosis-result --task-id T0000006 --user-agent $UA"
	echo "aliyun configure ai-mode disable"
} > "$h/want"
if diff "$h/want" "$h/calls.log" > "$h/diff"; then ok "--jobs 1: the exact call sequence"; else notok "--jobs 1: the exact call sequence"; sed 's/^/#   /' "$h/diff"; fi
check "--jobs 1: ackprof itself disables ai-mode at its end, once (not its watchdog)" 'own_disable "$h"'
check "--jobs 1: worst exit is 65 (the Serverless cluster)" '[ $rc = 65 ]'
check "--jobs 1: four result lines, one per target" '[ $(grep -cE "^(Info|Warn|Critical|exit [0-9]+) +c0" "$h/out") = 4 ]'
check "--jobs 1: the Serverless target fails with 65" 'grep -qE "^exit 65 +$C2 default/b-1: cluster $C2 has profile .Serverless." "$h/out"'
check "--jobs 1: the failed task is 65 (pod not found)" 'grep -qE "^exit 65 +$C6 default/f-1 task T0000006: diagnosis task T0000006 failed" "$h/out"'
check "--jobs 1: summary, worst first (failures before Info)" '[ "$(sed -n "/^Summary: 4 targets over 3 clusters/,/^Per cluster/p" "$h/out" | grep -oE "not diagnosable|Info" | tr "\n" " ")" = "not diagnosable Info " ]'

# 3. Live tasks, three clusters in parallel, four pods each, plus a busy cluster:
#    never two tasks of one cluster at once, shared steps once.
h=$root/live
mkdir -p "$h"
: > "$h/in"
for c in $L0 $L1 $L2; do for p in p-1 p-2 p-3 p-4; do echo "$c default $p" >> "$h/in"; done; done
echo "$C3 default busy-1" >> "$h/in"
# Polls 20 ms apart: sixty of them outlast a 60 ms task on a loaded machine.
FAKE_ALIYUN_TASK_MS=60 ab "$h" "$h/in" --jobs 4 --busy-retries 2 --poll-interval 0.02
check "live: exit 5 (the busy cluster is the worst)" '[ $rc = 5 ]'
check "live: twelve Warn results" '[ $(grep -c "^Warn " "$h/out") = 12 ]'
check "live: the busy cluster gives up after 3 invokes" '[ $(grep -c "invoke-diagnosis.*$C3" "$h/calls.log") = 3 ] && grep -qE "^exit 5 +$C3 default/busy-1" "$h/out"'
for w in "ai-mode enable" "plugin update" "aliyun version" "configure list" "initial-sysom" "ai-mode disable"; do
	check "live: '$w' runs once" '[ $(grep -c "$w" "$h/calls.log") = 1 ]'
done
check "live: ai-mode disable is the last call" '[ "$(tail -1 "$h/calls.log")" = "aliyun configure ai-mode disable" ]'
check "live: ackprof itself disables ai-mode, once (not its watchdog)" 'own_disable "$h"'
check "live: one cs GET and one Step 7 per cluster" '[ $(grep -c "cs GET" "$h/calls.log") = 4 ] && [ $(grep -c "^python" "$h/calls.log") = 4 ]'
check "live: no TaskInProgress on the live clusters (one task at a time)" '[ $(grep -c "invoke-diagnosis.*c0000000000000000000000000000001[012]" "$h/calls.log") = 12 ]'
check "live: twelve distinct tasks, each polled, each reported" '[ $(grep -oE "get-diagnosis-result --task-id L[0-9A-Za-z]{7}" "$h/calls.log" | sort -u | wc -l) = 12 ] && [ $(grep -oE "task L[0-9A-Za-z]{7}" "$h/out" | sort -u | wc -l) = 12 ]'

# 4. JSON Lines: one document a line, each valid, the summary last.
h=$root/jsonl
printf '%s\n' "$C1 default a-1" "$C2 default b-1" > "$root/jsonl.in"
ab "$h" "$root/jsonl.in" -o json
check "json: every line is a JSON document" 'python3 -c "import json,sys; [json.loads(l) for l in open(sys.argv[1])]" "$h/out"'
check "json: the summary comes last with exit 65" 'tail -1 "$h/out" | python3 -c "import json,sys; d=json.load(sys.stdin)[\"summary\"]; sys.exit(0 if d[\"exit_code\"]==65 and d[\"targets\"]==2 else 1)"'
check "json: a result carries the task and calls" 'head -3 "$h/out" | python3 -c "import json,sys; ds=[json.loads(l) for l in sys.stdin]; sys.exit(0 if any(d.get(\"task_id\")==\"T0000001\" and d.get(\"calls\") for d in ds) else 1)"'

# 4a. -o jsonl is -o json (issue 20, item 1): the same lines, each document compact; every
#     line carries the contract (kind, schema_version, the times), the summary last.
h=$root/jsonl2
ab "$h" "$root/jsonl.in" -o jsonl
check "jsonl: the same exit code as -o json (65)" '[ $rc = 65 ]'
check "jsonl: three lines, each a JSON document, kinds diagnosis then batch_summary" 'python3 -c "import json,sys
ds = [json.loads(l) for l in open(sys.argv[1])]
assert [d[\"kind\"] for d in ds] == [\"diagnosis\", \"diagnosis\", \"batch_summary\"], ds
assert all(d[\"schema_version\"] == 1 and d[\"started_at\"].endswith(\"Z\") and d[\"finished_at\"] for d in ds)" "$h/out"'
check "jsonl: the lines are -o json's but for the times" 'diff <(sed -E "s/\"(started|finished)_at\":\"[^\"]*\"//g; s/\"duration_ms\":[0-9]+//g" "$root/jsonl/out" | sort) \
	<(sed -E "s/\"(started|finished)_at\":\"[^\"]*\"//g; s/\"duration_ms\":[0-9]+//g" "$h/out" | sort) > /dev/null'

# 4b. A state file whose task id would be read as a flag (issue 11, item 6): refused
#     with 64 and one line naming the line, and no call made with it.
h=$root/flagstate
mkdir -p "$h"
echo "$C1 default a-1" > "$h/in"
printf '%s\n' '{"key":"'$C1' default a-1","task_id":"--help"}' > "$h/st"
ab "$h" "$h/in" --state "$h/st"
check "state: a task id starting with '-' exits 64" '[ $rc = 64 ]'
check "state: ... with one line naming the file and line" '[ $(wc -l < "$h/err") = 1 ] && grep -q "^ackprof: state file .*/st, line 1: '"'"'--help'"'"' is not a SysOM task id" "$h/err"'
check "state: ... and no call is made with it" '! grep -q -- "--task-id --help" "$h/calls.log" 2>/dev/null && ! grep -q "get-diagnosis-result" "$h/calls.log" 2>/dev/null'

# 5. kill -9 in the middle, rerun with the same state file: no task invoked twice,
#    every target reported once.
h=$root/kill
mkdir -p "$h"
: > "$h/in"
for c in $L0 $L1; do for p in k-1 k-2 k-3; do echo "$c default $p" >> "$h/in"; done; done
(
	export HOME=$h XDG_STATE_HOME=$h/state FAKE_ALIYUN_LOG=$h/calls.log FAKE_ALIYUN_TASK_MS=1500
	exec env -u XDG_RUNTIME_DIR -u FAKE_ALIYUN_SCENARIO "$ACKPROF" batch "$h/in" --state "$h/st" \
		--aliyun "$DOUBLE" --sdk-venv "$top/tests/double/venv" --scripts-dir "$top/scripts" \
		--poll-interval 0.1 --busy-wait 0.2 > "$h/out1" 2> "$h/err1"
) &
pid=$!
for _ in $(seq 200); do [ "$(grep -c task_id "$h/st" 2>/dev/null || true)" -ge 2 ] 2>/dev/null && break; sleep 0.05; done
sleep 0.3
kill -9 $pid
wait $pid 2>/dev/null
check "kill: the first run was killed mid-batch" '[ $(grep -c "\"done\"" "$h/st") -lt 6 ]'
HOME=$h XDG_STATE_HOME=$h/state FAKE_ALIYUN_LOG=$h/calls.log FAKE_ALIYUN_TASK_MS=1500 \
	env -u XDG_RUNTIME_DIR -u FAKE_ALIYUN_SCENARIO "$ACKPROF" batch "$h/in" --state "$h/st" \
	--aliyun "$DOUBLE" --sdk-venv "$top/tests/double/venv" --scripts-dir "$top/scripts" \
	--poll-interval 0.1 --busy-wait 0.2 > "$h/out2" 2> "$h/err2"
rc=$?
check "kill: the rerun exits 1 (Warn)" '[ $rc = 1 ]'
# What ackprof sent (the argv log of both runs), not the double's task counter.
invokes_of() { grep -c "^aliyun sysom invoke-diagnosis .*\"cluster_id\":\"$1\".*\"pod\":\"$2\"" "$3"; }
check "kill: six invokes in all (argv log of both runs)" '[ $(grep -c "^aliyun sysom invoke-diagnosis " "$h/calls.log") = 6 ]'
for c in $L0 $L1; do for p in k-1 k-2 k-3; do
	check "kill: $p on ${c: -2} invoked exactly once over both runs" '[ $(invokes_of $c $p "$h/calls.log") = 1 ]'
done; done
check "kill: every target reported exactly once" '[ $(cat "$h/out1" "$h/out2" | grep -cE "^(Warn|Info) ") = 6 ] && [ $(cat "$h/out1" "$h/out2" | grep -E "^(Warn|Info) " | awk "{print \$2, \$3}" | sort -u | wc -l) = 6 ]'
check "kill: ai-mode ends off (the rerun's last call disables it)" 'grep -q "\"enabled\": false" "$h/.aliyun/ai-mode.json" && [ "$(tail -1 "$h/calls.log")" = "aliyun configure ai-mode disable" ]'

# 5b. kill -9 during an invoke (issue 11, item 7): the invoke child dies with ackprof
#     (it would have created its task 1.5 s later), the state file says "invoking",
#     and the rerun starts exactly one task for the target.
h=$root/killinv
mkdir -p "$h/sc"
printf 'task_ms: 300\n' > "$h/sc/task.conf"
printf 'kind: plugin\nstatus: 200\ndelay_ms: 1500\nbody_from: default/invoke\n---\n' > "$h/sc/invoke"
printf 'kind: plugin\nstatus: 200\nbody_from: warn/result\n---\n' > "$h/sc/result"
echo "$L0 default inv-1" > "$h/in"
kbatch() { # OUT ERR
	HOME=$h XDG_STATE_HOME=$h/state FAKE_ALIYUN_LOG=$h/calls.log FAKE_ALIYUN_SCENARIO=$h/sc \
	exec env -u XDG_RUNTIME_DIR -u FAKE_ALIYUN_TASK_MS "$ACKPROF" batch "$h/in" --state "$h/st" \
		--aliyun "$DOUBLE" --sdk-venv "$top/tests/double/venv" --scripts-dir "$top/scripts" \
		--poll-interval 0.05 --busy-wait 0.2 --busy-retries 20 > "$1" 2> "$2"
}
(kbatch "$h/out1" "$h/err1") &
pid=$!
for _ in $(seq 200); do grep -q invoke-diagnosis "$h/calls.log" 2>/dev/null && break; sleep 0.05; done
sleep 0.3
kill -9 $pid
wait $pid 2>/dev/null
sleep 2	# past the invoke's delay: an orphaned invoke would have made its task by now
check "kill during invoke: the state file recorded the invoke before it started" 'grep -q "\"invoking\":true" "$h/st"'
check "kill during invoke: the first run sent one invoke" '[ $(grep -c "^aliyun sysom invoke-diagnosis " "$h/calls.log") = 1 ]'
cp "$h/calls.log" "$h/calls1.log"
(kbatch "$h/out2" "$h/err2")
rc=$?
tail -n +$(($(wc -l < "$h/calls1.log") + 1)) "$h/calls.log" > "$h/calls2.log"
check "kill during invoke: the rerun exits 1 (Warn)" '[ $rc = 1 ]'
check "kill during invoke: the rerun sent exactly one invoke, and its task is the result" '[ $(grep -c "^aliyun sysom invoke-diagnosis " "$h/calls2.log") = 1 ] && [ $(grep -c "^Warn .*inv-1 task L0000001" "$h/out2") = 1 ]'
# What ackprof sent, not the double's task counter: an orphaned invoke that lived on
# would have made the first task (L0000001), so the rerun's invoke would have got
# another id, or been told L0000001 runs and adopted it, with no invoke of its own.
check "kill during invoke: the orphaned invoke died with ackprof (no task made: the rerun's own invoke got the first task, the only one it polled)" \
	'grep -q "^aliyun sysom get-diagnosis-result --task-id L0000001" "$h/calls2.log" && ! grep "get-diagnosis-result" "$h/calls.log" | grep -qv "L0000001"'

# 5c. The invoke reached SysOM before the kill (its task runs, no id recorded): the
#     rerun waits that task out and adopts it (its params name the target), rather
#     than starting a second one.  The double's results echo pod test-app-64cdcb7b98-gchks.
# preset HOME POD TASK_MS TARGET_POD: a state saying TARGET_POD's invoke was cut short,
# a task of POD already running on $L1, then the batch; exit code in $rc.
preset() {
	local h=$1 p=$2 ms=$3 t=$4
	mkdir -p "$h"
	echo "$L1 default $t" > "$h/in"
	echo "{\"key\":\"$L1 default $t\",\"invoking\":true}" > "$h/st"
	HOME=$h FAKE_ALIYUN_TASK_MS=$ms env -u FAKE_ALIYUN_SCENARIO "$DOUBLE" sysom invoke-diagnosis \
		--params "{\"cluster_id\":\"$L1\",\"namespace\":\"default\",\"pod\":\"$p\"}" > /dev/null
	HOME=$h XDG_STATE_HOME=$h/state FAKE_ALIYUN_LOG=$h/calls.log FAKE_ALIYUN_TASK_MS=$ms \
		env -u XDG_RUNTIME_DIR -u FAKE_ALIYUN_SCENARIO "$ACKPROF" batch "$h/in" --state "$h/st" \
		--aliyun "$DOUBLE" --sdk-venv "$top/tests/double/venv" --scripts-dir "$top/scripts" \
		--poll-interval 0.05 --busy-wait 0.2 --busy-retries 20 > "$h/out" 2> "$h/err"
	rc=$?
}
P=test-app-64cdcb7b98-gchks
h=$root/adopt
preset "$h" $P 800 $P
check "adopt: exit 1 (the task's Warn)" '[ $rc = 1 ]'
# The one invoke ackprof sends is refused (TaskInProgress); it then polls the running task only.
check "adopt: no second task was started (one invoke, refused; only L0000001 polled)" '[ $(grep -c "invoke-diagnosis" "$h/calls.log") = 1 ] && [ "$(grep -oE "get-diagnosis-result --task-id [^ ]+" "$h/calls.log" | sort -u)" = "get-diagnosis-result --task-id L0000001" ]'
check "adopt: the running task is the target's result and is recorded" 'grep -q "^Warn .*$P task L0000001" "$h/out" && grep -q "\"task_id\":\"L0000001\"" "$h/st"'
# Someone else's task (other params) is waited out, then the target gets its own.
h=$root/foreign
preset "$h" $P 300 other-pod
check "foreign task: waited out, then the target's own task (exit 1)" '[ $rc = 1 ] && grep -q "^Warn .*other-pod task L0000002" "$h/out"'

# 5e. Issue 19, item 1: the state file ends in a torn record (no newline: a crash or a
#     full disk).  A batch is killed -9 during an invoke that had reached SysOM (its task
#     runs, made here by the double as SysOM would).  The "invoking" record must be a line
#     of its own, so that the rerun adopts that task instead of starting a second one.
h=$root/torn
mkdir -p "$h/sc"
printf 'kind: plugin\nstatus: 200\ndelay_ms: 1500\nbody_from: default/invoke\n---\n' > "$h/sc/invoke"
echo "$L1 default $P" > "$h/in"
printf '{"key":"%s default other","task_' "$L1" > "$h/st"
HOME=$h XDG_STATE_HOME=$h/state FAKE_ALIYUN_LOG=$h/calls1.log FAKE_ALIYUN_SCENARIO=$h/sc \
	env -u XDG_RUNTIME_DIR -u FAKE_ALIYUN_TASK_MS "$ACKPROF" batch "$h/in" --state "$h/st" \
	--aliyun "$DOUBLE" --sdk-venv "$top/tests/double/venv" --scripts-dir "$top/scripts" \
	--poll-interval 0.05 > "$h/out1" 2> "$h/err1" &
pid=$!
for _ in $(seq 200); do grep -q invoke-diagnosis "$h/calls1.log" 2>/dev/null && break; sleep 0.05; done
kill -9 $pid
wait $pid 2>/dev/null
check "torn state: the first run said the torn line was set aside" 'grep -q "^ackprof: warning: state file .*line 1: cut short" "$h/err1"'
check "torn state: the invoke record is a line of its own" 'grep -qx "{\"key\":\"$L1 default $P\",\"invoking\":true}" "$h/st"'
HOME=$h FAKE_ALIYUN_TASK_MS=800 env -u FAKE_ALIYUN_SCENARIO "$DOUBLE" sysom invoke-diagnosis \
	--params "{\"cluster_id\":\"$L1\",\"namespace\":\"default\",\"pod\":\"$P\"}" > /dev/null
HOME=$h XDG_STATE_HOME=$h/state FAKE_ALIYUN_LOG=$h/calls.log FAKE_ALIYUN_TASK_MS=800 \
	env -u XDG_RUNTIME_DIR -u FAKE_ALIYUN_SCENARIO "$ACKPROF" batch "$h/in" --state "$h/st" \
	--aliyun "$DOUBLE" --sdk-venv "$top/tests/double/venv" --scripts-dir "$top/scripts" \
	--poll-interval 0.05 --busy-wait 0.2 --busy-retries 20 > "$h/out" 2> "$h/err"
rc=$?
check "torn state: the rerun exits 1 (the task's Warn)" '[ $rc = 1 ]'
check "torn state: exactly one task, the running one (argv: only L0000001 polled)" \
	'grep -q "get-diagnosis-result --task-id L0000001" "$h/calls.log" && ! grep "get-diagnosis-result" "$h/calls.log" | grep -qv "L0000001" &&
	[ $(grep -c "task L0000001" "$h/out") = 1 ]'

# 5f. A short write (the disk full: here a file size limit, SIGXFSZ ignored) is an error
#     for its record: the batch starts no task it could not record, keeps nothing half
#     done, and exits 74 with one line.
h=$root/short
mkdir -p "$h"
printf '%s\n' "$C1 default s-1" "$C1 default s-2" > "$h/in"
# 30 bytes short of the limit (ulimit -f counts 1024-byte blocks in bash): the first
# record is cut short.
head -c $((101 * 1024 - 31)) /dev/zero | tr '\0' ' ' > "$h/st"; echo >> "$h/st"
bash -c 'trap "" XFSZ; ulimit -f 101; "$@"' _ env HOME=$h XDG_STATE_HOME=$h/state XDG_DATA_HOME=$h/data \
	FAKE_ALIYUN_LOG=$h/calls.log env -u XDG_RUNTIME_DIR -u FAKE_ALIYUN_SCENARIO "$ACKPROF" batch \
	"$h/in" --state "$h/st" --jobs 1 --aliyun "$DOUBLE" --sdk-venv "$top/tests/double/venv" \
	--scripts-dir "$top/scripts" --poll-interval 0 --busy-wait 0 > "$h/out" 2> "$h/err"
rc=$?
check "short write: exit 74" '[ $rc = 74 ]'
check "short write: no task was started (argv: no invoke-diagnosis)" '! grep -q invoke-diagnosis "$h/calls.log"'
check "short write: cleanup still ran (argv ends with ai-mode disable)" '[ "$(tail -1 "$h/calls.log")" = "aliyun configure ai-mode disable" ]'
check "short write: one line says why and what to do" '[ $(grep -c "^ackprof: the state file .* could not be written" "$h/err") = 1 ] && [ $(grep -c "cannot write the state file" "$h/err") = 1 ]'

# 5g. A state line longer than 1 MiB is corrupt, set aside (never held whole); the
#     records after it still count.
h=$root/huge
mkdir -p "$h"
printf '%s\n' "$C1 default h-1" > "$h/in"
{ printf '{"key":"x","pad":"'; head -c $((2 * 1024 * 1024)) /dev/zero | tr '\0' a; printf '"}\n'
  echo "{\"key\":\"$C1 default h-1\",\"done\":true,\"exit_code\":0}"; } > "$h/st"
ab "$h" "$h/in" --state "$h/st"
check "a 2 MiB state line: set aside with one line, the next record believed (nothing run)" \
	'[ $rc = 0 ] && grep -q "^ackprof: warning: state file .*line 1: longer than 1 MiB" "$h/err" && [ ! -s "$h/calls.log" ]'

# 5d. A state line with an absurd exit code is not believed (issue 11, item 12).
h=$root/absurd
mkdir -p "$h"
printf '%s\n' "$C1 default a-1" > "$h/in"
echo "{\"key\":\"$C1 default a-1\",\"done\":true,\"exit_code\":1e300}" > "$h/st"
ab "$h" "$h/in" --state "$h/st"
check "state exit_code 1e300: not believed, the target runs (exit 0, not 255)" '[ $rc = 0 ] && grep -q "^Info .*a-1" "$h/out"'

# 5e. Rerunning a finished batch with the same --state: no cloud call at all (the argv
#     log stays empty), one line says so, and the exit code is the recorded worst.
h=$root/rerun
mkdir -p "$h"
printf '%s\n' "$C1 default a-1" "$C4 default w-1" > "$h/in"
ab "$h" "$h/in" --state "$h/st"
first=$rc
mv "$h/calls.log" "$h/calls1.log"
ab "$h" "$h/in" --state "$h/st"
check "rerun: the first run diagnosed both targets (exit 1, two invokes)" '[ $first = 1 ] && [ $(grep -c "^aliyun sysom invoke-diagnosis " "$h/calls1.log") = 2 ]'
check "rerun of a finished batch: no cloud call at all (argv log empty)" '[ ! -s "$h/calls.log" ]'
check "rerun of a finished batch: says every target is done already" 'grep -q "every target is done already (per $h/st)" "$h/err"'
check "rerun of a finished batch: exits with the recorded worst (1)" '[ $rc = 1 ]'

# 5h. Issue 20: a resumed batch's per-cluster counts include the targets finished in the
#     earlier run (4 of 6 here): "6 / 0 of 6", not "2 / 0 of 6".
h=$root/resumecount
mkdir -p "$h"
: > "$h/st"
for p in r-1 r-2 r-3 r-4 r-5 r-6; do echo "$C1 default $p" >> "$h/in"; done
for p in r-1 r-2 r-3 r-4; do echo "{\"key\":\"$C1 default $p\",\"done\":true,\"exit_code\":0}" >> "$h/st"; done
ab "$h" "$h/in" --state "$h/st"
check "resume: two invokes, for the two targets not done" '[ $(grep -c "^aliyun sysom invoke-diagnosis " "$h/calls.log") = 2 ]'
check "resume: the cluster's count includes the 4 finished earlier (6 / 0 of 6)" 'grep -qE "^  $C1  6 / 0 of 6$" "$h/out"'
check "resume: the summary says 4 were done in an earlier run" 'grep -q "^Summary: 6 targets over 1 cluster, 4 done in an earlier run" "$h/out"'

# 5f. Redaction on batch's own output paths: a cloud answer carrying an AccessKey id, a
#     secret and an STS token (scenario leaky, plus one target that fails with them in
#     its error) never reaches the text lines, the JSON Lines or the state file.
h=$root/leaky
mkdir -p "$h"
printf '%s\n' "$L0 default lk-1" > "$h/in"
leaky_batch() { # OUT [args...]
	local out=$1; shift
	HOME=$h XDG_STATE_HOME=$h/state FAKE_ALIYUN_LOG=$h/calls.log FAKE_ALIYUN_SCENARIO=leaky \
	env -u XDG_RUNTIME_DIR "$ACKPROF" batch "$h/in" --aliyun "$DOUBLE" \
		--sdk-venv "$top/tests/double/venv" --scripts-dir "$top/scripts" \
		--poll-interval 0 --busy-wait 0 "$@" > "$h/$out" 2> "$h/$out.err"
}
leaky_batch text --state "$h/st"
leaky_batch json -o json --state "$h/st2"
secrets='LTAI5tLeakyKeyLeakyKey99|Lk9vQ2xRt7mB4nW8pZ3cY6hJ1sD5fG0a|LeakyStsToken'
check "leaky: the run saw the credentials (the test is live)" 'grep -qE "$secrets" "$top/fixtures/scenarios/leaky/result"'
check "leaky: no credential in the text lines or stderr" '[ -s "$h/text" ] && ! grep -qE "$secrets" "$h/text" "$h/text.err"'
check "leaky: no credential in the JSON Lines" '[ -s "$h/json" ] && ! grep -qE "$secrets" "$h/json"'
check "leaky: no credential in the state files" '[ -s "$h/st" ] && ! grep -qE "$secrets" "$h/st" "$h/st2"'

# 6. SIGINT: no new work, state written, cleanup, 130.
h=$root/int
mkdir -p "$h"
: > "$h/in"
for p in i-1 i-2 i-3 i-4; do echo "$L2 default $p" >> "$h/in"; done
(
	export HOME=$h XDG_STATE_HOME=$h/state FAKE_ALIYUN_LOG=$h/calls.log FAKE_ALIYUN_TASK_MS=3000
	exec env -u XDG_RUNTIME_DIR -u FAKE_ALIYUN_SCENARIO "$ACKPROF" batch "$h/in" --state "$h/st" \
		--aliyun "$DOUBLE" --sdk-venv "$top/tests/double/venv" --scripts-dir "$top/scripts" \
		--poll-interval 0.1 > "$h/out" 2> "$h/err"
) &
pid=$!
for _ in $(seq 200); do grep -q task_id "$h/st" 2>/dev/null && break; sleep 0.05; done
kill -INT $pid
wait $pid
rc=$?
check "sigint: exit 130" '[ $rc = 130 ]'
check "sigint: one task started, recorded, none after" '[ $(grep -c invoke-diagnosis "$h/calls.log") = 1 ] && grep -q "\"task_id\":\"L" "$h/st"'
check "sigint: ai-mode disable is the last call" '[ "$(tail -1 "$h/calls.log")" = "aliyun configure ai-mode disable" ]'
check "sigint: the last stderr line says how to resume" 'tail -1 "$h/err" | grep -q "rerun with the same --state to resume"'

# 7. 1,000 targets over 100 clusters, zero latency: all reported, memory flat.
gen() { # N CLUSTERS
	local i
	for ((i = 0; i < $1; i++)); do printf 'c%032x default pod-%d\n' $((0x100 + i % $2)) "$i"; done
}
h=$root/k1
mkdir -p "$h"
gen 1000 100 > "$h/in"
gen 100 100 > "$root/small.in"
rss() { # HOME INPUT -> peak RSS in kB of ackprof itself
	local home=$1 in=$2
	mkdir -p "$home"
	HOME=$home XDG_STATE_HOME=$home/state FAKE_ALIYUN_SCENARIO=default \
	env -u XDG_RUNTIME_DIR /usr/bin/time -f %M -o "$home/rss" "$ACKPROF" batch "$in" --jobs 16 \
		--aliyun "$DOUBLE" --sdk-venv "$top/tests/double/venv" --scripts-dir "$top/scripts" \
		--poll-interval 0 --busy-wait 0 -q > "$home/out" 2> "$home/err"
	echo $? > "$home/rc"
}
rss "$h" "$h/in"
check "1000: exit 0" '[ "$(cat "$h/rc")" = 0 ]'
check "1000: 1000 result lines" '[ $(grep -c "^Info " "$h/out") = 1000 ]'
rss "$root/k100" "$root/small.in"
big=$(cat "$h/rss"); small=$(cat "$root/k100/rss")
echo "# peak RSS: 100 targets ${small} kB, 1000 targets ${big} kB"
# A sanitizer's allocator keeps freed memory on purpose: memory is judged on a plain build.
if [ -n "${NO_RSS:-}" ]; then
	skip "1000: peak RSS grows by less than 2 MB over 100 targets" "not judged under a sanitizer (NO_RSS)"
else
	check "1000: peak RSS grows by less than 2 MB over 100 targets" '[ $((big - small)) -lt 2048 ]'
fi

# Throttling in a batch: a refused cs GET, invoke or poll is sent again after a backoff
# (--throttle-wait 0 here: no waiting), each cluster on its own; one that stays
# throttled fails its targets with 69 and a line naming the cloud's code.
T0=c00000000000000000000000000000020 T1=c00000000000000000000000000000021
T2=c00000000000000000000000000000022 T3=c00000000000000000000000000000023
# The second run of check-e2e: ackprof really talked to the CLI 3.5.x.
if [ -n "${FAKE_ALIYUN_PERSONALITY:-}" ]; then
	h=$root/personality
	mkdir -p "$h"
	printf '%s\n' "$C1 default a-1" > "$h/in"
	ab "$h" "$h/in" -v
	check "personality: ackprof saw aliyun $FAKE_ALIYUN_PERSONALITY" \
		'[ $rc = 0 ] && grep -qx "ackprof: aliyun $FAKE_ALIYUN_PERSONALITY" "$h/err"'
fi

h=$root/throttle
mkdir -p "$h"
printf '%s\n' "$T0 default t-0" "$T1 default t-1" "$T2 default t-2" "$T3 default t-3" > "$h/in"
ab "$h" "$h/in" --jobs 4 --throttle-wait 0
check "throttle: worst exit is 69 (the cluster that stays throttled)" '[ $rc = 69 ]'
check "throttle: three targets diagnosed" '[ $(grep -c "^Info " "$h/out") = 3 ]'
check "throttle: invoke sent three times on $T0" '[ $(grep -c "invoke-diagnosis.*$T0" "$h/calls.log") = 3 ]'
check "throttle: cs GET sent twice on $T1" '[ $(grep -c "cs GET /clusters/$T1" "$h/calls.log") = 2 ]'
check "throttle: three polls of $T2 (one refused)" '[ $(grep -c "get-diagnosis-result --task-id T0000022" "$h/calls.log") = 3 ]'
check "throttle: cs GET sent six times on $T3, then 69 naming Throttling.User" '[ $(grep -c "cs GET /clusters/$T3" "$h/calls.log") = 6 ] && grep -qE "^exit 69 +$T3 default/t-3: cluster lookup \(cs GET /clusters\): still throttled after 5 retries: Throttling.User: " "$h/out"'
check "throttle: initial-sysom once, ai-mode disable last" '[ $(grep -c "initial-sysom" "$h/calls.log") = 1 ] && [ "$(tail -1 "$h/calls.log")" = "aliyun configure ai-mode disable" ]'

# Issue 20, item 6: the exit order.  A Critical target exits 2 whatever else failed; then
# the highest failure code; then 1 (Warn); then 0.  --fail-on narrows what counts; the
# per-target codes stay in the JSON Lines and the metrics whatever the policy.
C5=c00000000000000000000000000000005	# critical
h=$root/order6
mkdir -p "$h"
printf '%s\n' "$C5 default crit-1" "$C2 default srv-1" "$C4 default warn-1" "$C1 default ok-1" > "$h/mixed"
printf '%s\n' "$C4 default warn-1" "$C1 default ok-1" > "$h/warn"
printf '%s\n' "$C2 default srv-1" "$C4 default warn-1" > "$h/failwarn"
printf '%s\n' "$C5 default crit-1" "$C1 default ok-1" > "$h/crit"
for t in "mixed warn 2" "mixed critical 2" "mixed error 65" "mixed never 0" \
	"warn warn 1" "warn critical 0" "warn error 0" "warn never 0" \
	"failwarn warn 65" "failwarn critical 65" "failwarn error 65" "failwarn never 0" \
	"crit warn 2" "crit critical 2" "crit error 0" "crit never 0"; do
	set -- $t
	in=$1 lv=$2 want=$3
	ab "$h/$in-$lv" "$h/$in" --jobs 1 --fail-on "$lv" -o json --metrics "$h/$in-$lv.prom"
	check "exit order: $in targets with --fail-on $lv exit $want" '[ $rc = $want ]'
	check "exit order: $in --fail-on $lv: the summary's exit_code is $want" '[ "$(tail -1 "$h/$in-$lv/out" | jq .summary.exit_code)" = $want ]'
done
ab "$h/default" "$h/mixed" --jobs 1
check "exit order: a Critical and a failure exit 2 without --fail-on (65 before)" '[ $rc = 2 ]'
check "exit order: the failure stays in the report" 'grep -qE "^exit 65 +$C2 default/srv-1" "$h/default/out"'
check "exit order: --fail-on never keeps the failed target's 65 in the JSON" '[ "$(grep -F "\"srv-1\"" "$h/mixed-never/out" | jq .exit_code)" = 65 ]'
check "exit order: --fail-on never keeps the Critical target's 2 in the metrics" 'grep -qE "^ackprof_target_exit_code\{.*pod=\"crit-1\".*\} 2$" "$h/mixed-never.prom"'
check "exit order: ackprof_exit_code is the run's exit under the policy" 'grep -qE "^ackprof_exit_code\{run=\"[^\"]*\"\} 65$" "$h/mixed-error.prom"'
ab "$h/badlevel" "$h/mixed" --fail-on sometimes
check "--fail-on sometimes: exit 64, one line, no call" '[ $rc = 64 ] && [ ! -s "$h/badlevel/calls.log" ] && [ $(wc -l < "$h/badlevel/err") = 1 ] && grep -q "bad --fail-on .sometimes. (warn, critical, error or never)" "$h/badlevel/err"'

# Nothing unknown is ever printed as C's "(null)", in any output of any case above.
check "no (null) in any output" '! grep -rFqs "(null)" "$root" --include=out\* --include=err\* --include=\*.prom'
echo "$pass passed, $fail failed, $skipped skipped"
[ "$fail" -eq 0 ]
