# SPDX-License-Identifier: Apache-2.0
# tests/real/lib.sh: sourced by tests/e2e/run.sh when REAL=/path/to/aliyun, so that the
# e2e runner drives ackprof through the real CLI.  The binary ackprof runs is the test
# double in its shim mode (FAKE_ALIYUN_REAL): it logs the argv byte for byte, as in
# every e2e case, then runs the real CLI, adding `--endpoint 127.0.0.1:PORT --insecure`
# to cs calls only.  The real CLI reaches tests/real/fake_server.py (CS API and plugin
# index) and nothing else: HTTPS_PROXY/HTTP_PROXY name a closed loopback port.  The sysom
# plugin is tests/real/plugin (the double again), installed through the real manifest.
#
# Extra case keys:
#   config: corrupt | none | read-timeout-1 | no-region | two | auto-install
#                              (default: one valid AK profile with fake keys; two adds
#                               a second, prod)
#   plugin: none               (default: the double installed as aliyun-cli-sysom 0.3.2)
#   index: ok | newer | missing | offline
#                              (the loopback plugin index: current version, a newer one
#                               whose download fails, 404, or no server at all)
#   requests:                  (then the exact "METHOD PATH" lines the servers saw, "end")
# Checked after every case besides the runner's own checks: the requests, that the
# plugin got exactly the shim's sysom calls and the AccessKey in its environment but
# never printed it, that DEBUG reached no child, and that no SDK trace
# ("Authorization: acs") appears in anything ackprof or the plugin printed.

REAL_AK=LTAI5tFakeDoubleKey7Qx
REAL_SK=FakeDoubleSecretNeverPrintMe0

real_init() {
	real_dir=$scratch_root/real
	mkdir -p "$real_dir"
	echo '{"scenario":"default"}' > "$real_dir/case.json"
	: > "$real_dir/requests"
	python3 "$top/tests/real/fake_server.py" "$top/fixtures" "$real_dir/case.json" \
		"$real_dir/requests" "$real_dir/port" &
	real_server=$!
	trap 'kill "$real_server" 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$scratch_root"' EXIT
	for _ in $(seq 100); do
		[ -s "$real_dir/port" ] && break
		sleep 0.05
	done
	[ -s "$real_dir/port" ] || { echo "real: the fake server did not start"; return 1; }
	real_port=$(cat "$real_dir/port")
}

real_finish() {
	kill "$real_server" 2>/dev/null
	wait "$real_server" 2>/dev/null
	return 0
}

# real_profile NAME REGION AK [EXTRA]: one AK profile's JSON; real_profiles P,...: config.json.
real_profile() {
	printf '{"name":"%s","mode":"AK","access_key_id":"%s","access_key_secret":"%s",%s"output_format":"json"%s}' \
		"$1" "$3" "$REAL_SK" "$([ -z "$2" ] || printf '"region_id":"%s",' "$2")" "${4:-}"
}
real_profiles() {
	printf '{"current":"default","profiles":[%s],"meta_path":""}' "$1" > "$cfg/config.json"
}

real_case_setup() {
	local cfg=$home/.aliyun version=0.3.2 index=${real[index]:-ok}
	mkdir -p "$cfg/plugins" "$home/plugin"
	case ${real[config]:-ok} in
	ok) real_profiles "$(real_profile default cn-hangzhou "$REAL_AK")" ;;
	# The profile's read_timeout (seconds) cut to 1, for a server that never answers.
	read-timeout-1) real_profiles "$(real_profile default cn-hangzhou "$REAL_AK" ',"read_timeout":1')" ;;
	# As after ackprof's `configure set --auto-plugin-install true`.
	auto-install) real_profiles "$(real_profile default cn-hangzhou "$REAL_AK" ',"auto_plugin_install":true')" ;;
	no-region) real_profiles "$(real_profile default "" "$REAL_AK")" ;;
	two) real_profiles "$(real_profile default cn-hangzhou "$REAL_AK"),$(real_profile prod cn-hangzhou LTAI5tFakeProdKeyP9d)" ;;
	corrupt) printf '{"current":"default","profiles":[' > "$cfg/config.json" ;;
	none) ;;
	esac
	[ ! -f "$cfg/config.json" ] || chmod 600 "$cfg/config.json"
	if [ "${real[plugin]:-yes}" != none ]; then
		ln -sf "$top/tests/real/plugin" "$home/plugin/aliyun-cli-sysom"
		printf '{"plugins":{"aliyun-cli-sysom":{"name":"aliyun-cli-sysom","version":"0.3.2","path":"%s","productCode":"sysom","command":"sysom","cmdNames":["invoke-diagnosis","get-diagnosis-result","initial-sysom"],"shortDescription":"","description":""}}}' \
			"$home/plugin" > "$cfg/plugins/manifest.json"
	fi
	[ "$index" = newer ] && version=0.3.3
	printf '{"scenario":"%s","index":"%s","index_version":"%s"}\n' "$scenario" \
		"$([ "$index" = missing ] && echo missing || echo ok)" "$version" > "$real_dir/case.json"
	: > "$real_dir/requests"
	: > "$real_dir/requests.ua"
	: > "$home/plugin.log"
}

# Inside the case's subshell, before the case's own env: lines.
real_env() {
	local base=http://127.0.0.1:$real_port
	[ "${real[index]:-ok}" = offline ] && base=http://127.0.0.1:9
	export FAKE_ALIYUN_REAL=$REAL FAKE_ALIYUN_CS_ENDPOINT=127.0.0.1:$real_port
	export FAKE_ALIYUN_DOUBLE=$DOUBLE FAKE_ALIYUN_PLUGIN_LOG=$home/plugin.log
	export ALIBABA_CLOUD_CLI_PLUGIN_SOURCE_BASE=$base ALIBABA_CLOUD_CLI_PLUGIN_NO_CACHE=1
	export HTTPS_PROXY=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 NO_PROXY=127.0.0.1,localhost
	export https_proxy=$HTTPS_PROXY http_proxy=$HTTP_PROXY no_proxy=$NO_PROXY
	export TMPDIR=$home LANG=C.UTF-8
	unset LC_ALL LANGUAGE ALIBABA_CLOUD_ACCESS_KEY_ID ALIBABA_CLOUD_ACCESS_KEY_SECRET
}

real_case_check() {
	local got plugin_calls
	got=$(cat "$real_dir/requests")$'\n'
	[ "$got" = $'\n' ] && got=""
	if [ "$got" != "$requests" ]; then
		why+="server requests differ; "
		diff <(printf '%s' "$requests") <(printf '%s' "$got") | sed 's/^/#   requests /' >> "$home/calls.diff"
	fi
	# The host routes each sysom call to the plugin with its argv unchanged.
	if [ "${real[plugin]:-yes}" != none ]; then
		plugin_calls=$(grep '^aliyun sysom ' "$home/calls.log")
		[ "$plugin_calls" = "$(cat "$home/plugin.log")" ] || why+="the plugin's argv differ from the sysom calls; "
	elif [ -s "$home/plugin.log" ]; then
		why+="a plugin ran that is not installed; "
	fi
	if [ -s "$home/plugin.log" ] && grep -qv '^ak_id=set ak_secret=set debug=-$' "$home/plugin.log.env"; then
		why+="the plugin lacked its AccessKey variables or got DEBUG; "
	fi
	if grep -Fqs -e "$REAL_AK" -e "$REAL_SK" "$home/plugin.log.out" "$out" "$err"; then
		why+="the AccessKey reached the plugin's output or ours; "
	fi
	if grep -Fqs 'Authorization: acs' "$out" "$err" "$home/plugin.log.out"; then
		why+="an SDK trace (DEBUG) reached the output; "
	fi
	# env.log has a line per calls.log line (the plugin logs neither); the CLI's own.
	if paste -d '\n' "$home/calls.log" "$home/env.log" 2>/dev/null | paste - - | grep '^aliyun ' | grep -qv ' DEBUG=- '; then
		why+="DEBUG reached the CLI; "
	fi
	# (aimode: untouched: a case that must not switch ai-mode at all, e.g. doctor.)
	if [ "${real[config]:-ok}" != corrupt ] && [ "$aimode" != untouched ] &&
	    ! grep -qs '"enabled": false' "$home/.aliyun/ai-mode.json"; then
		why+="ai-mode.json does not say disabled; "
	fi
}
