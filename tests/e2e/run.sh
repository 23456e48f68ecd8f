#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# End-to-end cases: run the built ackprof against the aliyun test double, one scratch
# HOME per case, and compare the exact argv sequence the double received, the exit
# code, stdout patterns and every stderr line.  Prints TAP-style lines and ends with
# "N passed, N failed".
#
# usage: tests/e2e/run.sh [CASE...]        (default: every tests/e2e/cases/*.case)
#        tests/e2e/run.sh --list FILE      (the cases FILE names, e.g. tests/e2e/cli35.list)
# env:   PERSONALITY=3.5.1 runs the double as the CLI 3.5.x (FAKE_ALIYUN_PERSONALITY; each
#        case is then named "NAME@3.5.1"), ACKPROF (binary, default ./ackprof), WRAP (e.g. "valgrind -q --error-exitcode=99
#        --leak-check=full --errors-for-leak-kinds=definite"), KEEP=1 keeps scratch dirs.
#
# Case file format (one key per line; see tests/e2e/README.md):
#   args: diagnose -c @CL@ -n default -p app-1     (shell words; @CL@ = a valid cluster id)
#   wiring: no            (do not append --aliyun/--sdk-venv/--scripts-dir/--poll-interval 0
#                          --busy-wait 0 --yes)
#   scenario: NAME        (FAKE_ALIYUN_SCENARIO; default "default")
#   env: NAME=VALUE       (repeatable; VALUE may use @HOME@)
#   signal: INT at REGEX  (send SIGINT 0.2 s after the double logged a call matching REGEX;
#                          the scenario makes that call slow, so the signal lands inside it)
#   exit: N
#   stdout: REGEX         (repeatable; each must match some line of stdout)
#   stdout-not: REGEX     (must match no line)
#   stdout-json: JQ-FILTER (must print true; needs python3 only, evaluated as a python expr on d)
#   stderr: TEXT          (repeatable: the exact stderr lines, in order; "~REGEX" matches one line)
#   stderr-any: yes       (do not check stderr)
#   pipe: CMD             (stdout goes through "| CMD", e.g. "true" closes it at once)
#   envlog: REGEX         (every line the double logged of its environment must match)
#   aimode: on            (the case leaves ai-mode on: a failed disable; default off;
#                          "untouched": with REAL, ai-mode.json need not exist, e.g. doctor)
#   file: PATH MODE REGEX (PATH, relative to the scratch HOME, exists with octal MODE and
#                          has a line matching REGEX)
#   stdin: FILE           (stdin from FILE, relative to the case's directory; default /dev/null)
#   stdin-cmd: CMD        (stdin from "CMD |" instead; @TOP@ = the project root)
#   seed: PATH FILE       (before the run, copy FILE (relative to the case's directory) to
#                          PATH (relative to the scratch HOME), mode 0600)
#   unchanged: PATH       (PATH, relative to the scratch HOME, is byte-identical after the
#                          run, mode and all; a file that did not exist still does not)
#   calls:                (then the exact argv lines the double logged, until "end")
#   exit@3.5: / stdout@3.5: / stderr@3.5:  under PERSONALITY=3.5*, these replace all
#                          the case's exit, stdout or stderr lines (what the CLI 3.5.x
#                          cannot give, e.g. the AccessDeniedDetail its envelope drops);
#                          without PERSONALITY they are ignored
# With REAL=/path/to/aliyun (tests/real/run.sh), the calls go through the real CLI and
# tests/real/lib.sh adds its keys (config:, plugin:, index:, requests:).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
ACKPROF=${ACKPROF:-$top/ackprof}
DOUBLE=$top/tests/double/aliyun
VENV=$top/tests/double/venv
SCRIPTS=$top/scripts
CL=c4f1a9e27b8d34c6a9e0f5b2d7c81a3e6
TASK=T${CL: -7}
UA=AlibabaCloud-Agent-Skills/alibabacloud-aes-ack-pod-performance-profiling
WRAP=${WRAP:-}
# OWN_PID=0: ACKPROF is a wrapper that runs ackprof in another PID namespace (tests/image.sh),
# so the pid of the process we start is not the pid its calls see as their parent.
OWN_PID=${OWN_PID:-1}
PERSONALITY=${PERSONALITY:-}

for tool in python3 mktemp; do
	command -v "$tool" >/dev/null || { echo "e2e: needs $tool"; exit 2; }
done
[ -x "$ACKPROF" ] || { echo "e2e: $ACKPROF not built (run make)"; exit 2; }
[ -x "$DOUBLE" ] || { echo "e2e: $DOUBLE not built (run make)"; exit 2; }

# --list FILE: the cases named in FILE (one name a line, # comments), e.g. cli35.list.
if [ "${1:-}" = --list ]; then
	[ -r "${2:-}" ] || { echo "e2e: --list needs a readable file"; exit 2; }
	list=$2
	set --
	while read -r c; do
		case $c in ''|'#'*) continue ;; esac
		set -- "$@" "$top/tests/e2e/cases/$c.case"
	done < "$list"
fi
if [ $# -eq 0 ]; then
	set -- "$top"/tests/e2e/cases/*.case
fi

pass=0 fail=0 n=0
# The schema validator runs with the test venv's python (jsonschema), made on first use.
schema_py=$top/build/pytest-venv/bin/python
"$schema_py" -c 'import jsonschema' 2>/dev/null || sh "$top/tests/py/run" --co -q >/dev/null 2>&1
if ! "$schema_py" -c 'import jsonschema' 2>/dev/null; then
	schema_py=
	if [ "${ACKPROF_CI:-}" = 1 ]; then
		echo "not ok - schema validation: no jsonschema in build/pytest-venv, and CI must have it"
		fail=$((fail + 1))
	else
		echo "ok - schema validation # SKIP no jsonschema in build/pytest-venv (sh tests/py/run makes it)"
	fi
fi
scratch_root=$(mktemp -d "${TMPDIR:-/tmp}/ackprof-e2e.XXXXXX")
trap '[ -n "${KEEP:-}" ] || rm -rf "$scratch_root"' EXIT
if [ -n "${REAL:-}" ]; then
	. "$top/tests/real/lib.sh"
	real_init || exit 2
fi

subst() {
	local s=$1
	s=${s//@CL@/$CL}
	s=${s//@TASK@/$TASK}
	s=${s//@UA@/$UA}
	s=${s//@SCRIPTS@/$SCRIPTS}
	s=${s//@VENV@/$VENV}
	s=${s//@HOME@/$home}
	s=${s//@FIX@/$top/fixtures}
	printf '%s' "$s"
}

run_case() {
	local file=$1 name
	name=$(basename "$file" .case)
	home=$scratch_root/$name
	[ -z "$PERSONALITY" ] || name+=@$PERSONALITY
	mkdir -p "$home"
	local args="" wiring=yes scenario=default sig="" sigafter="" want_exit=0 stderr_any=no
	local -a envs=() outs=() outnots=() errs=() jsons=() files=()
	local -a outs35=() errs35=()
	local exit35=""
	local envlog="" pipe="" aimode=off stdin=/dev/null stdin_cmd=""
	local -a seeds=() unchanged=() before=()
	local calls="" requests="" in_calls=0 line key val
	local -A real=()
	while IFS= read -r line || [ -n "$line" ]; do
		if [ $in_calls = 2 ]; then
			if [ "$line" = end ]; then in_calls=0; else requests+=$(subst "$line")$'\n'; fi
			continue
		fi
		if [ $in_calls = 1 ]; then
			if [ "$line" = end ]; then in_calls=0; continue; fi
			if [ "${line%% *}" = @include ]; then
				local inc
				while IFS= read -r inc || [ -n "$inc" ]; do
					calls+=$(subst "$inc")$'\n'
				done < "$top/tests/e2e/chains/${line#@include }"
				continue
			fi
			calls+=$(subst "$line")$'\n'
			continue
		fi
		case $line in ''|'#'*) continue ;; esac
		key=${line%%:*}
		val=${line#*:}
		val=${val# }
		case $key in
		args) args=$val ;;
		wiring) wiring=$val ;;
		scenario) scenario=$val ;;
		env) envs+=("$(subst "$val")") ;;
		signal) sig=${val%% *}; sigafter=${val#* at } ;;
		exit) want_exit=$val ;;
		stdout) outs+=("$(subst "$val")") ;;
		stdout-not) outnots+=("$(subst "$val")") ;;
		stdout-json) jsons+=("$(subst "$val")") ;;
		stderr) errs+=("$(subst "$val")") ;;
		stderr-any) stderr_any=$val ;;
		exit@3.5) exit35=$val ;;
		stdout@3.5) outs35+=("$(subst "$val")") ;;
		stderr@3.5) errs35+=("$(subst "$val")") ;;
		envlog) envlog=$val ;;
		aimode) aimode=$val ;;
		pipe) pipe=$val ;;
		file) files+=("$val") ;;
		seed) seeds+=("$val") ;;
		unchanged) unchanged+=("$val") ;;
		stdin-cmd) stdin_cmd=${val//@TOP@/$top} ;;
		stdin) stdin=$(cd "$(dirname "$file")" && pwd)/$val ;;
		calls) in_calls=1 ;;
		requests) in_calls=2 ;;
		config|plugin|index) real[$key]=$val ;;
		*) echo "# $name: unknown key '$key'"; return 1 ;;
		esac
	done < "$file"

	if [ "${PERSONALITY#3.5}" != "$PERSONALITY" ]; then
		[ -z "$exit35" ] || want_exit=$exit35
		[ ${#outs35[@]} -eq 0 ] || outs=("${outs35[@]}")
		[ ${#errs35[@]} -eq 0 ] || errs=("${errs35[@]}")
	fi
	local -a argv
	eval "argv=($(subst "$args"))"
	# The wiring goes right after the command word, so that a case's own flags win.
	# Each command takes only its own options (src/cmd.c): result never runs Step 7 nor
	# invokes, so it gets no venv, scripts, busy wait or --yes; doctor polls nothing;
	# batch and mcp ask nothing, so they take no --yes.
	if [ "$wiring" = yes ] && [ ${#argv[@]} -gt 0 ]; then
		case ${argv[0]} in
		result) argv=("${argv[0]}" --aliyun "$DOUBLE" --poll-interval 0 --throttle-wait 0 "${argv[@]:1}") ;;
		doctor) argv=("${argv[0]}" --aliyun "$DOUBLE" --sdk-venv "$VENV" --scripts-dir "$SCRIPTS" "${argv[@]:1}") ;;
		batch|mcp) argv=("${argv[0]}" --aliyun "$DOUBLE" --sdk-venv "$VENV" --scripts-dir "$SCRIPTS"
			--poll-interval 0 --busy-wait 0 --throttle-wait 0 "${argv[@]:1}") ;;
		*) argv=("${argv[0]}" --aliyun "$DOUBLE" --sdk-venv "$VENV" --scripts-dir "$SCRIPTS"
			--poll-interval 0 --busy-wait 0 --throttle-wait 0 --yes "${argv[@]:1}") ;;
		esac
	fi
	local out=$home/stdout err=$home/stderr log=$home/calls.log rc
	: > "$log"
	[ -z "${REAL:-}" ] || real_case_setup
	local sp
	for sp in ${seeds[@]+"${seeds[@]}"}; do
		mkdir -p "$(dirname "$home/${sp%% *}")"
		install -m 600 "$(dirname "$file")/${sp#* }" "$home/${sp%% *}"
	done
	for sp in ${unchanged[@]+"${unchanged[@]}"}; do
		before+=("$( { stat -c %a "$home/$sp" && sha256sum < "$home/$sp"; } 2>/dev/null || echo absent)")
	done
	(
		cd "$home" || exit 2
		export HOME=$home XDG_STATE_HOME=$home/state XDG_DATA_HOME=$home/data
		export XDG_CONFIG_HOME=$home/config XDG_CACHE_HOME=$home/cache
		unset XDG_RUNTIME_DIR ACKPROF_ALIYUN ACKPROF_SDK_VENV ACKPROF_SCRIPTS_DIR
		export FAKE_ALIYUN_LOG=$log FAKE_ALIYUN_SCENARIO=$scenario FAKE_ALIYUN_ENVLOG=$home/env.log
		export FAKE_ALIYUN_PPIDLOG=$home/ppid.log
		export NO_COLOR= DEBUG=sdk
		unset NO_COLOR FAKE_ALIYUN_PERSONALITY
		[ -z "$PERSONALITY" ] || export FAKE_ALIYUN_PERSONALITY=$PERSONALITY
		[ -z "${REAL:-}" ] || real_env
		for e in ${envs[@]+"${envs[@]}"}; do export "$e"; done
		if [ -n "$sig" ]; then
			$WRAP "$ACKPROF" "${argv[@]}" > "$out" 2> "$err" < "$stdin" &
			pid=$!
			echo "$pid" > "$home/pid"
			for _ in $(seq 200); do
				grep -Eq -- "$sigafter" "$log" && break
				sleep 0.05
			done
			sleep 0.2
			kill -s "$sig" "$pid"
			wait "$pid"
		elif [ -n "$stdin_cmd" ]; then
			$stdin_cmd | $WRAP "$ACKPROF" "${argv[@]}" > "$out" 2> "$err"
			exit "${PIPESTATUS[1]}"
		elif [ -n "$pipe" ]; then
			# The reader goes away first: ackprof must still clean up, and say so.
			$WRAP "$ACKPROF" "${argv[@]}" 2> "$err" < "$stdin" | $pipe > "$out"
			exit "${PIPESTATUS[0]}"
		else
			$WRAP "$ACKPROF" "${argv[@]}" > "$out" 2> "$err" < "$stdin" &
			pid=$!
			echo "$pid" > "$home/pid"
			wait "$pid"
		fi
	)
	rc=$?
	local why=""
	[ "$rc" = "$want_exit" ] || why+="exit $rc, want $want_exit; "
	local got_calls
	got_calls=$(cat "$log")$'\n'
	[ "$got_calls" = $'\n' ] && got_calls=""
	if [ "$got_calls" != "$calls" ]; then
		why+="calls differ; "
		diff <(printf '%s' "$calls") <(printf '%s' "$got_calls") | sed 's/^/#   /' > "$home/calls.diff"
	fi
	local p
	for p in ${outs[@]+"${outs[@]}"}; do
		grep -Eq -- "$p" "$out" || why+="stdout lacks /$p/; "
	done
	for p in ${outnots[@]+"${outnots[@]}"}; do
		! grep -Eq -- "$p" "$out" || why+="stdout has /$p/; "
	done
	for p in ${jsons[@]+"${jsons[@]}"}; do
		python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' \
			"$out" "$p" 2>/dev/null || why+="json check failed: $p; "
	done
	# Every JSON document on stdout is checked against its kind's schema (schema/*.json);
	# mcp's stdout is JSON-RPC (its structured content is checked by tests/py).
	if [ -n "$schema_py" ] && [ "${argv[0]:-}" != mcp ] && grep -q '^[[:space:]]*{' "$out" 2>/dev/null &&
	    ! "$schema_py" "$top/tests/schema-check.py" "$out" 2> "$home/schema.err"; then
		why+="stdout fails its schema: $(head -1 "$home/schema.err"); "
	fi
	if [ -n "$envlog" ] && grep -Evq -- "$envlog" "$home/env.log" 2>/dev/null; then
		why+="child environment: $(grep -Ev -- "$envlog" "$home/env.log" | head -1); "
	fi
	local fspec fpath fmode fre
	for fspec in ${files[@]+"${files[@]}"}; do
		fpath=${fspec%% *}; fspec=${fspec#* }; fmode=${fspec%% *}; fre=${fspec#* }
		if [ ! -f "$home/$fpath" ]; then
			why+="no file $fpath; "
		else
			[ "$(stat -c %a "$home/$fpath")" = "$fmode" ] || why+="$fpath mode $(stat -c %a "$home/$fpath"), want $fmode; "
			grep -Eq -- "$fre" "$home/$fpath" || why+="$fpath lacks /$fre/; "
		fi
	done
	if [ "$stderr_any" != yes ]; then
		local i=0 got
		local -a lines=()
		mapfile -t lines < "$err"
		if [ ${#lines[@]} -ne ${#errs[@]} ]; then
			why+="stderr has ${#lines[@]} lines, want ${#errs[@]}; "
		else
			for ((i = 0; i < ${#errs[@]}; i++)); do
				got=${lines[$i]}
				p=${errs[$i]}
				if [ "${p:0:1}" = "~" ]; then
					[[ $got =~ ${p:1} ]] || why+="stderr line $((i+1)) does not match /${p:1}/; "
				else
					[ "$got" = "$p" ] || why+="stderr line $((i+1)) differs; "
				fi
			done
		fi
	fi
	local ui=0
	for sp in ${unchanged[@]+"${unchanged[@]}"}; do
		[ "$( { stat -c %a "$home/$sp" && sha256sum < "$home/$sp"; } 2>/dev/null || echo absent)" = "${before[$ui]}" ] ||
			why+="$sp changed; "
		ui=$((ui + 1))
	done
	[ -z "${REAL:-}" ] || real_case_check
	# Secrets from the leaky fixtures must never reach us.
	if grep -Eqs 'LTAI[A-Za-z0-9]{8,}|LTAI5t|fakesecret|Lk9vQ2|CAIS[A-Za-z0-9+/=_-]{20,}|Pw0rdSecret|SiG9xQ|QWxhZGRpbjpPcGVuU2VzYW1l' "$out" "$err" "$home"/*.json "$home"/*.txt "$home"/*.md 2>/dev/null; then
		why+="a credential reached stdout, stderr or a saved file; "
	fi
	# Every byte ackprof writes is UTF-8 (issue 11, item 10): stdout, stderr, saved files.
	local bad
	bad=$(python3 -c 'import sys
for f in sys.argv[1:]:
    try:
        open(f, "rb").read().decode("utf-8")
    except UnicodeDecodeError as e:
        print("%s: %s" % (f.rsplit("/", 1)[-1], e))
    except OSError:
        pass' "$out" "$err" "$home"/*.json "$home"/*.txt "$home"/*.md "$home"/*.prom "$home"/st*)
	[ -z "$bad" ] || why+="not UTF-8: $bad; "
	# No terminal escape and no carriage return reaches the terminal (issue 11, item 11).
	if grep -qs $'[\e\r]' "$out" "$err"; then
		why+="an ESC or CR byte reached stdout or stderr; "
	fi
	# Nothing unknown is ever printed as C's "(null)".
	if grep -Fqs '(null)' "$out" "$err" "$home"/*.json "$home"/*.txt "$home"/*.md "$home"/*.prom 2>/dev/null; then
		why+="(null) in stdout, stderr or a saved file; "
	fi
	# The run's own cleanup disables ai-mode, never only its watchdog (which does it for a
	# run that died holding the lease, after ackprof's exit): whenever the argv log has a
	# disable, one came from ackprof's own pid, and none from another process.  The first
	# check is what kills a missing release deterministically: however late the watchdog's
	# disable is, it never carries ackprof's pid (and without it the call sequence differs).
	if [ "$OWN_PID" = 1 ] && [ -s "$home/pid" ] && grep -qs ' ai-mode disable$' "$log"; then
		local mine
		mine=$(cat "$home/pid")
		grep ' ai-mode disable$' "$home/ppid.log" 2>/dev/null | cut -d' ' -f1 | grep -qx "$mine" ||
			why+="ai-mode disable in the argv log, but not run by ackprof itself (pid $mine; its watchdog's?); "
		grep ' ai-mode disable$' "$home/ppid.log" 2>/dev/null | cut -d' ' -f1 | grep -vqx "$mine" &&
			why+="ai-mode disable run by another process than ackprof (its watchdog?); "
	fi
	# Whenever ai-mode was enabled it must end disabled (unless the case breaks disable).
	if [ "$aimode" = on ]; then
		grep -qs '"enabled": true' "$home/.aliyun/ai-mode.json" || why+="ai-mode not left on as the case expects; "
	elif grep -qs '"enabled": true' "$home/.aliyun/ai-mode.json"; then
		why+="ai-mode left enabled; "
	fi
	n=$((n + 1))
	if [ -z "$why" ]; then
		pass=$((pass + 1))
		echo "ok $n - $name"
	else
		fail=$((fail + 1))
		echo "not ok $n - $name: $why"
		[ -f "$home/calls.diff" ] && cat "$home/calls.diff"
		sed 's/^/#   stderr: /' "$err" | head -20
		[ -n "${VERBOSE:-}" ] && sed 's/^/#   stdout: /' "$out" | head -40
	fi
	return 0
}

for f in "$@"; do
	run_case "$f"
done
[ -z "${REAL:-}" ] || real_finish
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
