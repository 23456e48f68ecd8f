#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Issue 20, item 5: `promtool test rules` on contrib/prometheus/ackprof.rules.yml with the
# series real ackprof runs on the double wrote (--metrics): a Critical target, a batch
# whose input file is bad (exit 64), and a run with no successor (stale three hours on).
# Each sample becomes a constant input series; the timestamp series is counted from the
# run's own timestamp, so the test's clock starts when the run ended.
# Prints TAP-style lines and "N passed, N failed".
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
ACKPROF=${ACKPROF:-$top/ackprof}
DOUBLE=$top/tests/double/aliyun
CL=c4f1a9e27b8d34c6a9e0f5b2d7c81a3e6
pass=0 fail=0 n=0
ok() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $1"; }
# promtool comes with the Debian package prometheus (tools/deps --all): missing, the
# test is a skip, and a failure in CI (ACKPROF_CI=1, as tests/skip.sh).
if ! command -v promtool > /dev/null; then
	if [ "${ACKPROF_CI:-}" = 1 ]; then
		notok "promtool is installed (tools/deps --all installs prometheus), and CI must have it"
		echo "$pass passed, $fail failed"
		exit 1
	fi
	echo "ok 1 - promtool test rules # SKIP promtool not installed (tools/deps --all installs prometheus)"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi
d=$(mktemp -d "${TMPDIR:-/tmp}/ackprof-prom.XXXXXX")
trap 'rm -rf "$d"' EXIT
wire=(--aliyun "$DOUBLE" --sdk-venv "$top/tests/double/venv" --scripts-dir "$top/scripts" --poll-interval 0 -q)
env1() { env -u XDG_RUNTIME_DIR HOME=$d XDG_STATE_HOME=$d/state XDG_DATA_HOME=$d/data FAKE_ALIYUN_STATE=$d/fs-$1 \
	FAKE_ALIYUN_SCENARIO=$2 "${@:3}"; }

env1 crit critical "$ACKPROF" diagnose -c $CL -n default -p app-1 --yes "${wire[@]}" --metrics "$d/crit.prom" > /dev/null 2>&1
rc=$?; [ $rc = 2 ] && ok "a Critical target: diagnose exits 2" || notok "a Critical target: exit $rc"
printf '%s default app-1\nthis is not a target line\n' $CL > "$d/targets"
env1 bad default "$ACKPROF" batch "$d/targets" "${wire[@]}" --metrics "$d/bad.prom" > /dev/null 2>&1
rc=$?; [ $rc = 64 ] && ok "a bad input file: batch exits 64" || notok "a bad input file: exit $rc"
env1 ok default "$ACKPROF" diagnose -c $CL -n default -p app-1 --yes "${wire[@]}" --metrics "$d/ok.prom" > /dev/null 2>&1
rc=$?; [ $rc = 0 ] && ok "a healthy run: diagnose exits 0" || notok "a healthy run: exit $rc"

# The series of a .prom file as promtool input series (5 hours, one sample a minute).
series() {
	python3 - "$1" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
ts = float(re.search(r'^ackprof_last_run_timestamp_seconds\{.*\} (\S+)$', text, re.M).group(1))
for line in text.splitlines():
    if not line or line.startswith("#"):
        continue
    name, value = line.rsplit(" ", 1)
    v = float(value) - (ts if name.startswith("ackprof_last_run_timestamp_seconds") else 0)
    print("      - series: '%s'\n        values: '%s+0x300'" % (name, repr(v)))
PY
}
summary_crit="SysOM finds default/app-1 Critical ($CL)"
cat > "$d/test.yml" <<YML
rule_files:
  - $top/contrib/prometheus/ackprof.rules.yml
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
$(series "$d/crit.prom")
    alert_rule_test:
      - eval_time: 5m
        alertname: PodDiagnosisCritical
        exp_alerts:
          - exp_labels: {severity: critical, run: crit, cluster_id: $CL, namespace: default, pod: app-1}
            exp_annotations:
              summary: "$summary_crit"
      - eval_time: 5m
        alertname: AckprofRunFailed
        exp_alerts: []
  - interval: 1m
    input_series:
$(series "$d/bad.prom")
    alert_rule_test:
      - eval_time: 5m
        alertname: AckprofRunFailed
        exp_alerts:
          - exp_labels: {severity: critical, run: bad}
            exp_annotations:
              summary: "ackprof run bad exited 64: bad input (64), state file held (75), credentials (77) or setup (78); nothing was diagnosed"
  - interval: 1m
    input_series:
$(series "$d/ok.prom")
    alert_rule_test:
      - eval_time: 1h
        alertname: AckprofStale
        exp_alerts: []
      - eval_time: 1h
        alertname: AckprofRunFailed
        exp_alerts: []
      - eval_time: 1h
        alertname: PodDiagnosisCritical
        exp_alerts: []
      - eval_time: 4h
        alertname: AckprofStale
        exp_alerts:
          - exp_labels: {severity: warning, run: ok}
            exp_annotations:
              summary: "ackprof run ok has not finished for 3 hours"
YML
if out=$(promtool check rules "$top/contrib/prometheus/ackprof.rules.yml" 2>&1); then ok "promtool check rules"; else notok "promtool check rules"; printf '%s\n' "$out" | sed 's/^/#   /'; fi
if out=$(promtool test rules "$d/test.yml" 2>&1); then
	ok "promtool test rules: Critical, bad input and staleness fire the right alerts"
else
	notok "promtool test rules"
	printf '%s\n' "$out" | sed 's/^/#   /' | head -40
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
