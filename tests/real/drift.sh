#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The double cannot drift: every core-CLI call the double simulates (all but the
# plugin's) runs once through the real CLI (REAL=/path/to/aliyun, reached through the
# shim for cs calls, set up by tests/real/lib.sh) and once through the double with the
# matching scenario, with NO_COLOR unset and with NO_COLOR=1; stdout, stderr, the exit
# status and, for ai-mode calls, the bytes and mode of ai-mode.json must be equal.
# The one rewrite: the shim sends cs calls to 127.0.0.1:PORT, so the real CLI's
# "http://127.0.0.1:PORT" and "dial tcp 127.0.0.1:9" read as the fixtures' production
# endpoint.  TAP-style lines, then "N passed, N failed".
#
# Not compared, on purpose (tests/double/README.md, QUIRKS): the double's fault
# scenarios (hang, signal, flood, garbage), its refusals of calls ackprof never makes
# (QUIRKS 5), the made-up DEBUG=sdk trace (QUIRKS 8), old and odd version strings.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
DOUBLE=$top/tests/double/aliyun
: "${REAL:?usage: REAL=/path/to/aliyun tests/real/drift.sh}"
[ -x "$DOUBLE" ] || { echo "drift: $DOUBLE not built (run make)"; exit 2; }
REAL=$(realpath "$REAL")
CL=c4f1a9e27b8d34c6a9e0f5b2d7c81a3e6
UA=AlibabaCloud-Agent-Skills/alibabacloud-aes-ack-pod-performance-profiling
scratch_root=$(mktemp -d "${TMPDIR:-/tmp}/ackprof-drift.XXXXXX")
trap '[ -n "${KEEP:-}" ] || rm -rf "$scratch_root"' EXIT
. "$top/tests/real/lib.sh"
real_init || exit 2

# scenario | real-side setup (lib.sh keys, plus cs=refused) | the call
table=$(cat <<EOF
default | | version
default | | configure list
two-profiles | config=two | configure list
invalid-profile | config=no-region | configure list
no-profile | config=none | configure list
default | | configure set --auto-plugin-install true
no-profile | config=none | configure set --auto-plugin-install true
invalid-profile | config=no-region | configure set --auto-plugin-install true
default | | configure ai-mode enable
default | | configure ai-mode disable
default | | configure ai-mode set-user-agent --user-agent $UA
default | | plugin update
plugin-update-fail | index=newer | plugin update
plugin-update-offline | index=offline | plugin update
no-plugin | plugin=none | plugin update
default | | cs GET /clusters/$CL --user-agent $UA
not-found | | cs GET /clusters/$CL --user-agent $UA
not-found-upper | | cs GET /clusters/$CL --user-agent $UA
forbidden | | cs GET /clusters/$CL --user-agent $UA
serverless | | cs GET /clusters/$CL --user-agent $UA
not-running | | cs GET /clusters/$CL --user-agent $UA
cjk-name | | cs GET /clusters/$CL --user-agent $UA
cs-garbage | | cs GET /clusters/$CL --user-agent $UA
cs-no-region | | cs GET /clusters/$CL --user-agent $UA
cs-500-html | | cs GET /clusters/$CL --user-agent $UA
leaky-error | | cs GET /clusters/$CL --user-agent $UA
neterror | cs=refused | cs GET /clusters/$CL --user-agent $UA
cs-timeout | config=read-timeout-1 scenario=hang-cs | cs GET /clusters/$CL --user-agent $UA
no-profile | config=none | cs GET /clusters/$CL --user-agent $UA
invalid-profile | config=no-region | cs GET /clusters/$CL --user-agent $UA
corrupt-config | config=corrupt | version
corrupt-config | config=corrupt | configure list
corrupt-config | config=corrupt | configure set --auto-plugin-install true
corrupt-config | config=corrupt | plugin update
corrupt-config | config=corrupt | cs GET /clusters/$CL --user-agent $UA
plugin-missing | config=auto-install plugin=none | sysom initial-sysom --check-only false --source aes-skills --user-agent $UA
plugin-missing | config=auto-install plugin=none | sysom invoke-diagnosis --service-name ocd --channel ecs --params {} --user-agent $UA
plugin-missing | config=auto-install plugin=none | sysom get-diagnosis-result --task-id T0000001 --user-agent $UA
EOF
)

pass=0 fail=0 n=0

# side real|double NO_COLOR-value DIR: run the call in a fresh HOME, keep what it printed.
side() {
	local which=$1 nc=$2 dir=$3
	rm -rf "$home"
	mkdir -p "$home" "$dir"
	[ "$which" = double ] || real_case_setup
	(
		cd "$home" || exit 99
		export HOME=$home LANG=C.UTF-8
		unset NO_COLOR DEBUG FAKE_ALIYUN_LOG FAKE_ALIYUN_ENVLOG
		[ -z "$nc" ] || export NO_COLOR=$nc
		if [ "$which" = real ]; then
			real_env
			[ "$refused" = no ] || export FAKE_ALIYUN_CS_ENDPOINT=127.0.0.1:9
		else
			export FAKE_ALIYUN_SCENARIO=$dscen FAKE_ALIYUN_STATE=$dir/state
		fi
		"$DOUBLE" "${argv[@]}" > "$dir/out" 2> "$dir/err" < /dev/null
	)
	echo $? > "$dir/rc"
	if [ "$which" = real ]; then
		sed -i -e "s#http://127\.0\.0\.1:$real_port/#https://cs.cn-hangzhou.aliyuncs.com/#g" \
			-e "s#http://127\.0\.0\.1:9/clusters/#https://cs.cn-hangzhou.aliyuncs.com/clusters/#g" \
			-e "s#http://127\.0\.0\.1:9/plugin_#https://aliyuncli.alicdn.com/plugins/plugin_#g" \
			-e 's#dial tcp 127\.0\.0\.1:9: connect#dial tcp 47.0.0.1:443: connect#g' "$dir/out" "$dir/err"
	fi
	if [ -f "$home/.aliyun/ai-mode.json" ]; then
		cp "$home/.aliyun/ai-mode.json" "$dir/ai-mode.json"
		stat -c %a "$home/.aliyun/ai-mode.json" > "$dir/ai-mode.mode"
	fi
}

while IFS='|' read -r dscen setup call; do
	dscen=$(echo $dscen)
	local_setup=$setup
	for nc in "" 1; do
		declare -A real=()
		scenario=$dscen refused=no
		for kv in $local_setup; do
			case $kv in
			cs=refused) refused=yes ;;
			scenario=*) scenario=${kv#scenario=} ;;
			*) real[${kv%%=*}]=${kv#*=} ;;
			esac
		done
		read -r -a argv <<< "$call"
		name="${call% --user-agent*} [$dscen${nc:+, NO_COLOR=1}]"
		home=$scratch_root/home
		d=$scratch_root/$n
		side real "$nc" "$d/real"
		side double "$nc" "$d/double"
		why=""
		for f in rc out err ai-mode.json ai-mode.mode; do
			[ -e "$d/real/$f" ] || [ -e "$d/double/$f" ] || continue
			if ! cmp -s "$d/real/$f" "$d/double/$f"; then
				why+="$f differs; "
				diff <(cat -A "$d/real/$f" 2>&1) <(cat -A "$d/double/$f" 2>&1) | head -8 | sed 's/^/#   /' >> "$d/diff"
			fi
		done
		n=$((n + 1))
		if [ -z "$why" ]; then
			pass=$((pass + 1))
			echo "ok $n - drift: $name"
		else
			fail=$((fail + 1))
			echo "not ok $n - drift: $name: $why(< real, > double)"
			cat "$d/diff"
		fi
		unset real
	done
done <<< "$table"
real_finish
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
