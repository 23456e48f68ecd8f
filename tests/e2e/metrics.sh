#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# --metrics FILE end to end: diagnose and batch write the Prometheus text format, a real
# prometheus-node-exporter (textfile collector only, on 127.0.0.1) scrapes the
# directory, and the series, their labels (escaped, redacted) and
# node_textfile_scrape_error 0 are checked.  Also the file's mode, the refusals
# (symbolic link, special file), and a second batch on a busy state file (75).
# Prints "N passed, N failed".
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
ACKPROF=${ACKPROF:-$top/ackprof}
DOUBLE=$top/tests/double/aliyun
NODE_EXPORTER=${NODE_EXPORTER:-prometheus-node-exporter}
CL=c4f1a9e27b8d34c6a9e0f5b2d7c81a3e6
C2=c00000000000000000000000000000002	# Serverless: stops at Step 5
pass=0 fail=0 ne=
root=$(mktemp -d "${TMPDIR:-/tmp}/ackprof-metrics.XXXXXX")
trap '[ -n "$ne" ] && kill "$ne" 2>/dev/null; wait 2>/dev/null; rm -rf "$root"' EXIT
ok() { pass=$((pass + 1)); echo "ok - $1"; }
notok() { fail=$((fail + 1)); echo "not ok - $1"; }
check() { if eval "$2"; then ok "$1"; else notok "$1"; fi; }

# run HOME ARGS...: ackprof with the double in a scratch HOME; exit code in $rc.
run() {
	local home=$1; shift
	mkdir -p "$home"
	env -u XDG_RUNTIME_DIR HOME=$home XDG_STATE_HOME=$home/state XDG_DATA_HOME=$home/data \
		FAKE_ALIYUN_LOG=$home/calls.log "$ACKPROF" "$@" --aliyun "$DOUBLE" \
		--sdk-venv "$top/tests/double/venv" --scripts-dir "$top/scripts" --poll-interval 0 \
		--busy-wait 0 > "$home/out" 2> "$home/err"
	rc=$?
}

tf=$root/textfile
mkdir -p "$tf"
# 1. diagnose: one target, its issues by (severity, subsystem), the run's series.
FAKE_ALIYUN_SCENARIO=metrics-odd run "$root/d" diagnose -c $CL -n default -p app-1 --yes -q \
	--metrics "$tf/pod.prom"
check "diagnose: exit 2 (Critical)" '[ $rc = 2 ]'
check "diagnose: the file is mode 0644" '[ "$(stat -c %a "$tf/pod.prom")" = 644 ]'
check "diagnose: no temporary file is left" '[ "$(ls -A "$tf")" = pod.prom ]'
check "diagnose: every family has HELP and TYPE gauge" \
	'[ $(grep -c "^# HELP ackprof_" "$tf/pod.prom") = 6 ] && [ $(grep -c "^# TYPE ackprof_[a-z_]* gauge$" "$tf/pod.prom") = 6 ]'
check "diagnose: a label value is escaped (quote, backslash, newline)" \
	'grep -qF "subsystem=\"net \\\"eth0\\\" \\\\ rx\\nerrors\"} 1" "$tf/pod.prom"'
check "diagnose: no credential reaches a label" '! grep -q "LTAI5tQmExAmPlEkEy12345" "$tf/pod.prom"'
check "diagnose: a repeated (severity, subsystem) pair is counted once, as 2" \
	'grep -qE "severity=\"Warn\",subsystem=\"CPU\"\} 2$" "$tf/pod.prom"'
check "diagnose: a missing severity is unknown" 'grep -qE "severity=\"unknown\",subsystem=\"内存\"\} 1$" "$tf/pod.prom"'

# 2. batch: three targets (one not diagnosable), the worst exit code.
printf '%s default a-1\n%s default a-2\n%s default b-1\n' $CL $CL $C2 > "$root/in"
run "$root/b" batch "$root/in" --metrics "$tf/fleet.prom" --state "$root/b/st"
check "batch: exit 65 (the worst)" '[ $rc = 65 ]'
check "batch: three target series" '[ $(grep -c "^ackprof_target_status{" "$tf/fleet.prom") = 3 ]'
check "batch: the Serverless target is 6 (not diagnosed), exit code 65" \
	'grep -q "^ackprof_target_status{run=\"fleet\",cluster_id=\"$C2\",namespace=\"default\",pod=\"b-1\"} 6$" "$tf/fleet.prom" &&
	 grep -q "^ackprof_target_exit_code{run=\"fleet\",cluster_id=\"$C2\",namespace=\"default\",pod=\"b-1\"} 65$" "$tf/fleet.prom"'
check "batch: ackprof_exit_code is the worst" 'grep -q "^ackprof_exit_code{run=\"fleet\"} 65$" "$tf/fleet.prom"'
run "$root/b" batch "$root/in" --metrics "$tf/fleet.prom" --state "$root/b/st"
check "batch rerun with --state: the finished targets are still reported" \
	'[ $rc = 65 ] && [ $(grep -c "^ackprof_target_status{" "$tf/fleet.prom") = 3 ]'

# 3. What --metrics refuses, before any call.
ln -s "$root/elsewhere.prom" "$root/link.prom"
run "$root/r" diagnose -c $CL -n default -p app-1 --yes -q --metrics "$root/link.prom"
check "a symbolic link is refused (64, one line, no call, nothing written through it)" \
	'[ $rc = 64 ] && [ $(wc -l < "$root/r/err") = 1 ] && [ ! -s "$root/r/calls.log" ] && [ ! -e "$root/elsewhere.prom" ]'
mkfifo "$root/fifo.prom"
run "$root/r" batch "$root/in" --metrics "$root/fifo.prom"
check "a special file is refused (64), and stays" '[ $rc = 64 ] && [ -p "$root/fifo.prom" ]'
run "$root/r" diagnose -c $CL -n default -p app-1 --yes -q --metrics "$root/no/such/dir/x.prom"
check "a missing directory is refused (64)" '[ $rc = 64 ]'

# 4. A second batch on the state file of a running one: 75 and one line.
h=$root/lock
mkdir -p "$h"
(
	exec env -u XDG_RUNTIME_DIR HOME=$h XDG_STATE_HOME=$h/state FAKE_ALIYUN_LOG=$h/calls.log \
		FAKE_ALIYUN_TASK_MS=600000 "$ACKPROF" batch "$root/in" --state "$h/st" --aliyun "$DOUBLE" \
		--sdk-venv "$top/tests/double/venv" --scripts-dir "$top/scripts" --poll-interval 0.2 \
		--metrics "$h/first.prom" > "$h/out1" 2> "$h/err1"
) &
first=$!
for _ in $(seq 200); do grep -q 'get-diagnosis-result' "$h/calls.log" 2>/dev/null && break; sleep 0.05; done
cp "$h/calls.log" "$h/calls.before"
run "$h/second" batch "$root/in" --state "$h/st" --metrics "$h/first.prom"
check "a second batch on a busy state file exits 75" '[ $rc = 75 ]'
check "... with one line naming the state file" \
	'[ $(wc -l < "$h/second/err") = 1 ] && grep -q "^ackprof: another ackprof batch is using the state file $h/st: " "$h/second/err"'
check "... without a call, and without writing the first one's metrics" \
	'[ ! -s "$h/second/calls.log" ] && [ ! -e "$h/first.prom" ]'
kill -INT "$first"; wait "$first"
check "the first batch, interrupted, still writes its metrics (exit 130)" \
	'grep -q "^ackprof_exit_code{run=\"first\"} 130$" "$h/first.prom"'

# 5. A real node_exporter scrapes the directory.
if ! command -v "$NODE_EXPORTER" > /dev/null; then
	notok "node_exporter: $NODE_EXPORTER is not installed (tools/deps --all installs it)"
else
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	"$NODE_EXPORTER" --web.listen-address=127.0.0.1:$port --collector.disable-defaults \
		--collector.textfile --collector.textfile.directory="$tf" > "$root/ne.log" 2>&1 &
	ne=$!
	for _ in $(seq 100); do
		curl -fsS "http://127.0.0.1:$port/metrics" > "$root/scrape" 2>/dev/null && break
		sleep 0.1
	done
	check "node_exporter: node_textfile_scrape_error 0" 'grep -q "^node_textfile_scrape_error 0$" "$root/scrape"'
	check "node_exporter: both files read (mtime series for pod.prom and fleet.prom)" \
		'[ $(grep -c "^node_textfile_mtime_seconds{file=\".*\(pod\|fleet\)\.prom\"}" "$root/scrape") = 2 ]'
	check "node_exporter: ackprof_target_status of the pod is 2" \
		'grep -q "^ackprof_target_status{cluster_id=\"$CL\",namespace=\"default\",pod=\"app-1\",run=\"pod\"} 2$" "$root/scrape"'
	check "node_exporter: the escaped label arrives as sent" \
		'grep -qF "subsystem=\"net \\\"eth0\\\" \\\\ rx\\nerrors\"} 1" "$root/scrape"'
	check "node_exporter: the run series of both runs" \
		'[ $(grep -cE "^ackprof_(exit_code|last_run_timestamp_seconds|run_duration_seconds)\{run=\"(pod|fleet)\"\}" "$root/scrape") = 6 ]'
	check "node_exporter: the HELP text arrives" 'grep -q "^# HELP ackprof_target_status Outcome of the target" "$root/scrape"'
	kill "$ne"; wait "$ne" 2>/dev/null; ne=
fi
check "no (null) in any output or metrics file" \
	'! grep -rFqs "(null)" "$root" --include=out\* --include=err\* --include=\*.prom --include=scrape'
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
