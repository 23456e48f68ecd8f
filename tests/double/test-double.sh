#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# test-double.sh BINARY: byte-exact checks of the aliyun test double.
# Builds nothing.  Prints "ok N - ..." / "not ok N - ..." and, last, one line
# "N passed, N failed"; exits non-zero when anything failed.
set -u

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
	echo "usage: test-double.sh BINARY" >&2
	exit 2
fi
case $1 in
/*) bin=$1 ;;
*) bin=$PWD/$1 ;;
esac
for tool in cmp diff env grep mktemp od sort wc; do
	command -v "$tool" >/dev/null 2>&1 || { echo "test-double.sh: needs $tool" >&2; exit 2; }
done
here=$(cd "$(dirname "$0")" && pwd)
fixtures=${FAKE_ALIYUN_FIXTURES:-$here/../../fixtures}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# A clean environment for every run: only what a test sets on purpose.
unset NO_COLOR DEBUG FAKE_ALIYUN_SCENARIO FAKE_ALIYUN_LOG FAKE_ALIYUN_ENVLOG \
    FAKE_ALIYUN_DELAY_MS ALIBABA_CLOUD_PROFILE FAKE_ALIYUN_TASK_MS \
    FAKE_ALIYUN_TASK_MS_MAP FAKE_ALIYUN_PERSONALITY ALIBABA_CLOUD_CLI_AI_MODE \
    ALIBABA_CLOUD_CLI_AGENT_INTEGRATION
export FAKE_ALIYUN_FIXTURES=$fixtures

n=0 k=0 passed=0 failed=0
red=$'\e[1;31m' yellow=$'\e[1;33m' reset=$'\e[0m'
tab=$'\t'

# Each group of tests gets a fresh HOME and state directory.
fresh() {
	k=$((k + 1))
	export HOME=$tmp/home.$k FAKE_ALIYUN_STATE=$tmp/state.$k
	mkdir -p "$HOME"
}

pass() {
	n=$((n + 1))
	passed=$((passed + 1))
	echo "ok $n - $1"
}

flunk() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
	shift
	for f in "$@"; do
		sed 's/^/# /' "$f"
	done
}

# expect DESC RC STDOUT STDERR CMD...: runs CMD and compares all three exactly.
expect() {
	local desc=$1 want_rc=$2 want_out=$3 want_err=$4 rc
	shift 4
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	printf '%s' "$want_out" >"$tmp/out.want"
	printf '%s' "$want_err" >"$tmp/err.want"
	if [ "$rc" -eq "$want_rc" ] && cmp -s "$tmp/out" "$tmp/out.want" &&
	    cmp -s "$tmp/err" "$tmp/err.want"; then
		pass "$desc"
	else
		echo "exit $rc, want $want_rc" >"$tmp/why"
		diff "$tmp/out.want" "$tmp/out" >"$tmp/why.out" 2>&1
		diff "$tmp/err.want" "$tmp/err" >"$tmp/why.err" 2>&1
		flunk "$desc" "$tmp/why" "$tmp/why.out" "$tmp/why.err"
	fi
}

# same DESC WANT GOT: two strings must be equal.
same() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		printf 'want: %s\n got: %s\n' "$2" "$3" >"$tmp/why"
		flunk "$1" "$tmp/why"
	fi
}

# scenario NAME KEY CONTENT: a throw-away scenario for one test; prints its path.
scenario() {
	mkdir -p "$tmp/scen/$1"
	printf '%s' "$3" >"$tmp/scen/$1/$2"
	echo "$tmp/scen/$1"
}

fresh
expect "version prints 3.4.11" 0 $'3.4.11\n' "" "$bin" version

fresh
expect "configure list is the tabwriter table" 0 \
"Profile   | Credential         | Valid   | Region           | Language
--------- | ------------------ | ------- | ---------------- | --------
default * | AK:***7Qx          | Valid   | cn-hangzhou      | en
" "" env LANG=C.UTF-8 "$bin" configure list

fresh
expect "configure list takes the current profile's Language from LANG" 0 \
"Profile   | Credential         | Valid   | Region           | Language
--------- | ------------------ | ------- | ---------------- | --------
default * | AK:***7Qx          | Valid   | cn-hangzhou      | zh
" "" env LANG=zh_CN.UTF-8 LC_ALL=C "$bin" configure list

fresh
s=$(scenario sorted cs-get 'kind: builtin
---
{"zeta":1.50,"alpha":{"y":[],"x":{}},"big":12345678901234567890,"neg":-0.0e+10,
 "str":"<&> \u2028 é \u0001 \b\f \/","arr":[true,false,null],"dup":1,"dup":2,"Upper":"A"} trailing words
')
expect "a built-in answer is re-indented: tabs, sorted keys, literal numbers" 0 \
"{
${tab}\"Upper\": \"A\",
${tab}\"alpha\": {
${tab}${tab}\"x\": {},
${tab}${tab}\"y\": []
${tab}},
${tab}\"arr\": [
${tab}${tab}true,
${tab}${tab}false,
${tab}${tab}null
${tab}],
${tab}\"big\": 12345678901234567890,
${tab}\"dup\": 2,
${tab}\"neg\": -0.0e+10,
${tab}\"str\": \"<&> \\u2028 é \\u0001 \\b\\f /\",
${tab}\"zeta\": 1.50
}
" "" env FAKE_ALIYUN_SCENARIO="$s" "$bin" cs GET /clusters/c1

fresh
s=$(scenario badutf8 cs-get "$(printf 'kind: builtin\n---\n["a\377b","\345\206","\300\257","\355\240\200","\\ud800x","\\ud83d\\ude00"]')")
expect "invalid UTF-8 becomes U+FFFD, one per bad byte" 0 \
"$(printf '[\n\t"a\357\277\275b",\n\t"\357\277\275\357\277\275",\n\t"\357\277\275\357\277\275",\n\t"\357\277\275\357\277\275\357\277\275",\n\t"\357\277\275x",\n\t"\360\237\230\200"\n]')
" "" env FAKE_ALIYUN_SCENARIO="$s" "$bin" cs GET /clusters/c1

fresh
expect "a built-in body that is not JSON is printed unchanged" 0 \
$'<html><body><h1>502 Bad Gateway</h1></body></html>\n' "" \
    env FAKE_ALIYUN_SCENARIO=cs-garbage "$bin" cs GET /clusters/c1

fresh
forbidden="ERROR: SDK.ServerError
ErrorCode: Forbidden.RAM
Recommend: https://api.aliyun.com/troubleshoot?q=Forbidden.RAM&product=CS&requestId=B1F0C2D3-E4A5-5B6C-8D7E-9F0A1B2C3D4E
RequestId: B1F0C2D3-E4A5-5B6C-8D7E-9F0A1B2C3D4E
Message: User not authorized to operate on the specified resource, or this API doesn't support RAM.
RespHeaders: map[Content-Type:[application/json;charset=utf-8] Date:[Tue, 10 Jun 2026 01:31:02 GMT] X-Acs-Request-Id:[B1F0C2D3-E4A5-5B6C-8D7E-9F0A1B2C3D4E]]
AccessDeniedDetail: map[AuthAction:cs:DescribeClusterDetail AuthPrincipalDisplayName:ops-bot AuthPrincipalOwnerId:1968132000123456 AuthPrincipalType:SubUser NoPermissionType:ImplicitDeny PolicyType:AccountLevelIdentityBasedPolicy]
"
expect "SDK.ServerError block in red, reset after the newline" 1 "" \
    "$red$forbidden$reset" env FAKE_ALIYUN_SCENARIO=forbidden "$bin" cs GET /clusters/c1

fresh
expect "SDK.ServerError block plain with NO_COLOR=1" 1 "" "$forbidden" \
    env NO_COLOR=1 FAKE_ALIYUN_SCENARIO=forbidden "$bin" cs GET /clusters/c1

fresh
expect "NO_COLOR=yes is not NO_COLOR" 1 "" "$red$forbidden$reset" \
    env NO_COLOR=yes FAKE_ALIYUN_SCENARIO=forbidden "$bin" cs GET /clusters/c1

fresh
id=c00000000000000000000000000000042
expect "lowercase error keys: empty ErrorCode, Message is the raw body" 1 "" \
"ERROR: SDK.ServerError
ErrorCode: 
Recommend: 
RequestId: 
Message: {\"code\":\"ErrorClusterNotFound\",\"message\":\"cluster ($id) not found in our records\",\"requestId\":\"5A1C3E2B-7D4F-5B6A-9C8E-0F1D2E3A4B5C\",\"status\":404}
RespHeaders: map[Content-Type:[application/json;charset=utf-8] Date:[Tue, 10 Jun 2026 01:31:02 GMT] X-Acs-Request-Id:[5A1C3E2B-7D4F-5B6A-9C8E-0F1D2E3A4B5C]]
" env NO_COLOR=true FAKE_ALIYUN_SCENARIO=not-found "$bin" cs GET "/clusters/$id"

fresh
expect "plugin error: the tea SDKError block, not coloured" 1 "" \
"Error: SDKError:
   StatusCode: 400
   Code: Sysom.TaskInProgress
   Message: code: 400, A diagnosis task is already running on instance ack-$id: ocd(qT7mYx2L). request id: 8C1F0B52-6D3E-5B7A-9E21-44D0C6A1F7B3
   Data: {\"Code\":\"Sysom.TaskInProgress\",\"HostId\":\"sysom.aliyuncs.com\",\"Message\":\"A diagnosis task is already running on instance ack-$id: ocd(qT7mYx2L).\",\"Recommend\":\"https://api.aliyun.com/troubleshoot?q=Sysom.TaskInProgress&product=SysOM&requestId=8C1F0B52-6D3E-5B7A-9E21-44D0C6A1F7B3\",\"RequestId\":\"8C1F0B52-6D3E-5B7A-9E21-44D0C6A1F7B3\",\"statusCode\":400}
" env FAKE_ALIYUN_SCENARIO=busy "$bin" sysom invoke-diagnosis --service-name ocd \
    --channel ecs --params "{\"cluster_id\":\"$id\"}"

fresh
s=$(scenario plugin-html result 'kind: plugin
status: 502
---
<html>Bad Gateway</html>
')
expect "plugin error with a body that is not JSON" 1 "" \
    $'Error: invalid character \'<\' looking for beginning of value\n' \
    env FAKE_ALIYUN_SCENARIO="$s" "$bin" sysom get-diagnosis-result --task-id t1

fresh
expect "configuration error: red message, yellow tip, exit 3" 3 "" \
"${red}ERROR: region can't be empty
$reset$yellow
Configuration failed, use \`aliyun configure\` to configure it
$reset" env FAKE_ALIYUN_SCENARIO=no-profile "$bin" cs GET /clusters/c1

fresh
expect "no config file: configure list names \$HOME" 1 "" \
    "ERROR: load configure failed: stat $HOME/.aliyun/config.json: no such file or directory
" env NO_COLOR=1 FAKE_ALIYUN_SCENARIO=no-profile "$bin" configure list

fresh
got=""
for i in 1 2 3; do
	got="$got$("$bin" sysom get-diagnosis-result --task-id qT7mYx2L |
	    grep '"status"' | tr -d ' ,')"
done
same "result sequence: Running, then Success, then Success" \
    '"status":"Running""status":"Success""status":"Success"' "$got"
same "the counter lives in the state directory" 3 \
    "$(tr -d '\n' <"$FAKE_ALIYUN_STATE/count.default.result")"

fresh
"$bin" sysom invoke-diagnosis --params "{\"cluster_id\":\"$id\"}" >/dev/null 2>&1
a=$?
FAKE_ALIYUN_SCENARIO=busy-then-ok "$bin" sysom invoke-diagnosis \
    --params "{\"cluster_id\":\"$id\"}" >/dev/null 2>&1
b=$?
FAKE_ALIYUN_SCENARIO=busy-then-ok "$bin" sysom invoke-diagnosis \
    --params "{\"cluster_id\":\"$id\"}" >"$tmp/out" 2>&1
c=$?
same "busy-then-ok: counted per scenario, busy then accepted" "0 1 0 T0000042" \
    "$a $b $c $(grep -o 'T0000042' "$tmp/out")"

fresh
s=$(scenario par result 'kind: plugin
---
plain
')
for i in $(seq 1 30); do
	printf 'kind: plugin\n---\n%d\n' "$i" >"$s/result.$i"
done
for i in $(seq 1 20); do
	FAKE_ALIYUN_SCENARIO=$s "$bin" sysom get-diagnosis-result --task-id t >"$tmp/par.$i" &
done
wait
same "20 parallel calls take 20 distinct sequence numbers" "$(seq 1 20 | tr '\n' ' ')" \
    "$(cat "$tmp"/par.* | sort -n | tr '\n' ' ')"

fresh
FAKE_ALIYUN_SCENARIO=critical "$bin" sysom invoke-diagnosis \
    --params "{\"cluster_id\":\"$id\"}" >/dev/null
"$bin" sysom get-diagnosis-result --task-id T0000042 >"$tmp/out"
same "a task id answers in the scenario that gave it out" '"overall_status":"Critical"' \
    "$(grep -o '"overall_status": "[A-Za-z]*"' "$tmp/out" | tr -d ' ')"

fresh
"$bin" cs GET /clusters/c00000000000000000000000000000002 >"$tmp/out"
same "clusters.map picks the scenario by cluster id" '"profile": "Serverless",' \
    "$(grep -o '"profile": .*' "$tmp/out")"

fresh
export FAKE_ALIYUN_LOG=$tmp/log FAKE_ALIYUN_ENVLOG=$tmp/envlog
"$bin" sysom invoke-diagnosis --params '{"product":"ACK","pod":"p"}' "a b" \
    "$(printf 'x\ty\nz')" "" 'back\slash' "$(printf '\001\177')" "é" \
    --user-agent AlibabaCloud-Agent-Skills/alibabacloud-aes-ack-pod-performance-profiling \
    >/dev/null 2>&1
NO_COLOR=1 ALIBABA_CLOUD_PROFILE="" DEBUG="x y" ALIBABA_CLOUD_CLI_AI_MODE=0 \
    ALIBABA_CLOUD_CLI_AGENT_INTEGRATION=1 "$bin" version >/dev/null
unset FAKE_ALIYUN_LOG FAKE_ALIYUN_ENVLOG
same "the call log escapes each argument" \
"${bin##*/} sysom invoke-diagnosis --params {\"product\":\"ACK\",\"pod\":\"p\"} a\\sb x\\ty\\nz \\e back\\\\slash \\x01\\x7f é --user-agent AlibabaCloud-Agent-Skills/alibabacloud-aes-ack-pod-performance-profiling
${bin##*/} version" "$(cat "$tmp/log")"
same "the environment log" "NO_COLOR=- DEBUG=- ALIBABA_CLOUD_PROFILE=- ALIBABA_CLOUD_CLI_AI_MODE=- ALIBABA_CLOUD_CLI_AGENT_INTEGRATION=-
NO_COLOR=1 DEBUG=x\\sy ALIBABA_CLOUD_PROFILE=\\e ALIBABA_CLOUD_CLI_AI_MODE=0 ALIBABA_CLOUD_CLI_AGENT_INTEGRATION=1" "$(cat "$tmp/envlog")"

fresh
mkdir -p "$tmp/venv/bin" "$tmp/scripts"
ln -sf "$bin" "$tmp/venv/bin/python"
script=$tmp/scripts/create-cluster-vpc-endpoint-connection.py
: >"$script"
export FAKE_ALIYUN_LOG=$tmp/pylog
expect "python stand-in: Step 7 succeeds on stderr, nothing on stdout" 0 "" \
    $'[OK] Cluster VPC endpoint connection created successfully.\n' \
    "$tmp/venv/bin/python" "$script" --region cn-hangzhou --cluster-id "$id"
unset FAKE_ALIYUN_LOG
same "python stand-in logs as python" \
    "python $script --region cn-hangzhou --cluster-id $id" "$(cat "$tmp/pylog")"

fresh
expect "python stand-in: Step 7 by cluster id in clusters.map fails" 1 "" \
'ERROR: Creation failed: Sysom.ClusterNotFound - The specified ACK cluster was not found.
{
  "code": "Sysom.ClusterNotFound",
  "message": "The specified ACK cluster was not found.",
  "data": null,
  "requestId": "7E3B5D9F-1A2C-5E4B-8D6F-0A2C4E6B8D0F"
}
' "$tmp/venv/bin/python" "$script" --region cn-hangzhou \
    --cluster-id c00000000000000000000000000000009

fresh
expect "python stand-in: argparse rejects --dry-run false" 2 "" \
"usage: create-cluster-vpc-endpoint-connection.py [-h] --region REGION
                                                 --cluster-id CLUSTER_ID
                                                 [--dry-run]
create-cluster-vpc-endpoint-connection.py: error: unrecognized arguments: false
" "$tmp/venv/bin/python" "$script" --region r --cluster-id "$id" --dry-run false

fresh
"$bin" configure ai-mode enable
"$bin" configure ai-mode set-user-agent --user-agent "AlibabaCloud-Agent-Skills/a<b"
same "ai-mode writes ai-mode.json with tabs, Go's HTML escaping, no final newline" \
"{
${tab}\"enabled\": true,
${tab}\"user_agent\": \"AlibabaCloud-Agent-Skills/a\\u003cb\"
}x" "$(cat "$HOME/.aliyun/ai-mode.json"; echo x)"
expect "ai-mode set-user-agent without a value" 1 "" \
    $'ERROR: --user-agent is required for set-user-agent\n' \
    env NO_COLOR=1 "$bin" configure ai-mode set-user-agent
expect "ai-mode status is not a command" 2 "" \
    $'ERROR: \'status\' is not a valid command\n' \
    env NO_COLOR=1 "$bin" configure ai-mode status
FAKE_ALIYUN_SCENARIO=ai-mode-fail "$bin" configure ai-mode disable
FAKE_ALIYUN_SCENARIO=ai-mode-fail "$bin" configure ai-mode enable 2>/dev/null
same "a failing ai-mode fixture changes nothing" '"enabled": false,' \
    "$(grep -o '"enabled": [a-z]*,' "$HOME/.aliyun/ai-mode.json")"

fresh
expect "an unknown sysom subcommand is not a valid command" 2 "" \
    "$red"$'ERROR: \'list-pods-of-instance\' is not a valid command\n'"$reset" \
    "$bin" sysom list-pods-of-instance --user-agent x

fresh
expect "DEBUG=sdk corrupts stdout with an SDK trace" 0 "> GET /clusters/c1 HTTP/1.1" "" \
    sh -c 'DEBUG=sdk "$1" cs GET /clusters/c1 | head -n 1 | tr -d "\n"' sh "$bin"

fresh
# A subshell that waits (no exec) reports the kill into /dev/null, not here.
(FAKE_ALIYUN_SCENARIO=dies-cs "$bin" cs GET /clusters/c1 >/dev/null; exit $?) 2>/dev/null
same "kind signal dies by the signal" 137 "$?"

fresh
s=$(scenario flood result 'kind: plugin
flood_bytes: 123457
---
')
same "flood_bytes writes that many bytes" 123457 \
    "$(FAKE_ALIYUN_SCENARIO=$s "$bin" sysom get-diagnosis-result --task-id t | wc -c | tr -d ' ')"

fresh
FAKE_ALIYUN_SCENARIO=$tmp/scen/nowhere "$bin" version >/dev/null 2>&1
same "an unknown scenario is the double's own failure (99)" 99 "$?"

# ---- live task mode: one task per cluster, for a while ----------------------
# invoke CLUSTER: invoke-diagnosis as ackprof calls it.
invoke() {
	"$bin" sysom invoke-diagnosis --service-name ocd --channel ecs \
	    --params "{\"cluster_id\":\"$1\"}"
}
# result TASK
result() {
	"$bin" sysom get-diagnosis-result --task-id "$1"
}
# body SCENARIO/KEY TASK CLUSTER: a plugin fixture's body as printed, tokens filled.
body() {
	sed -e '1,/^---$/d' -e "s/{{task_id}}/$2/g" -e "s/{{auto_task_id}}/$2/g" \
	    -e "s/{{cluster_id}}/$3/g" "$fixtures/scenarios/$1"
}
# busy CLUSTER TASK: the TaskInProgress block naming TASK.
busy() {
	printf '%s\n' 'Error: SDKError:' '   StatusCode: 400' '   Code: Sysom.TaskInProgress' \
	    "   Message: code: 400, A diagnosis task is already running on instance ack-$1: ocd($2). request id: 8C1F0B52-6D3E-5B7A-9E21-44D0C6A1F7B3" \
	    "   Data: {\"Code\":\"Sysom.TaskInProgress\",\"HostId\":\"sysom.aliyuncs.com\",\"Message\":\"A diagnosis task is already running on instance ack-$1: ocd($2).\",\"Recommend\":\"https://api.aliyun.com/troubleshoot?q=Sysom.TaskInProgress&product=SysOM&requestId=8C1F0B52-6D3E-5B7A-9E21-44D0C6A1F7B3\",\"RequestId\":\"8C1F0B52-6D3E-5B7A-9E21-44D0C6A1F7B3\",\"statusCode\":400}"
}
# status FILE: data.status and summary.overall_status of a printed result.
status() {
	grep -o '"\(status\|overall_status\)": "[A-Za-z]*"' "$1" | tr -d ' "' | tr '\n' ' '
}
c1=c00000000000000000000000000000001 c4=c00000000000000000000000000000004
c10=c00000000000000000000000000000010 c11=c00000000000000000000000000000011

fresh
export FAKE_ALIYUN_TASK_MS=1000
expect "live: invoke starts a task, id 'L' + 7 base-62 digits" 0 \
    "$(body default/invoke L0000001 "$c1")"$'\n' "" invoke "$c1"
expect "live: the result while the task runs is Running" 0 \
    "$(body default/result-running L0000001 "$c1")"$'\n' "" result L0000001
expect "live: a second invoke on the cluster is TaskInProgress naming the task" 1 "" \
    "$(busy "$c1" L0000001)"$'\n' invoke "$c1"
expect "live: another cluster is independent (its own id)" 0 \
    "$(body default/invoke L0000002 "$c4")"$'\n' "" invoke "$c4"
same "live: the cluster is marked busy" "L0000001 1000" \
    "$(cut -d' ' -f1,3 "$FAKE_ALIYUN_STATE/live/busy-$c1")"
sleep 1.1
expect "live: after the duration, the scenario's final result (Success)" 0 \
    "$(body default/result.2 L0000001 "$c1")"$'\n' "" result L0000001
same "live: the final result clears the busy mark" "" \
    "$(cat "$FAKE_ALIYUN_STATE/live/busy-$c1")"
invoke "$c1" >"$tmp/out" 2>&1
same "live: after the duration a new invoke on the cluster succeeds, new id" \
    '0 "task_id": "L0000003"' "$? $(grep -o '"task_id": .*' "$tmp/out")"
invoke "$c4" >"$tmp/out" 2>&1
same "live: a task that ended frees its cluster even if never polled" \
    '0 "task_id": "L0000004"' "$? $(grep -o '"task_id": .*' "$tmp/out")"
result L0000002 >"$tmp/out"
same "live: the other cluster's task ends in its scenario's result (warn)" \
    "status:Success overall_status:Warn " "$(status "$tmp/out")"
same "live: an old task's final result leaves the newer task's busy mark" \
    "L0000004" "$(cut -d' ' -f1 "$FAKE_ALIYUN_STATE/live/busy-$c4")"
result T0000099 >"$tmp/out"
result T0000099 >>"$tmp/out"
same "live: an unknown task id answers as before (counted result.N)" \
    "status:Running status:Success overall_status:Info 2" \
    "$(status "$tmp/out")$(cat "$FAKE_ALIYUN_STATE/count.default.result")"

fresh
FAKE_ALIYUN_SCENARIO=invoke-invalid invoke "$c1" >/dev/null 2>&1
a=$?
invoke "$c1" >"$tmp/out" 2>&1
same "live: an invoke that fails starts no task" \
    '1 0 "task_id": "L0000001"' "$a $? $(grep -o '"task_id": .*' "$tmp/out")"
unset FAKE_ALIYUN_TASK_MS
result L0000001 >"$tmp/out"
result L0000001 >>"$tmp/out"
same "live: with the mode off, a live task's id answers as before" \
    "status:Running status:Success overall_status:Info " "$(status "$tmp/out")"

fresh
for i in $(seq 1 20); do
	FAKE_ALIYUN_TASK_MS=60000 invoke "$(printf 'c%032x' $((0x100 + i)))" \
	    >"$tmp/par.$i" 2>&1 &
done
wait
same "live: 20 parallel invokes on 20 clusters get 20 distinct ids" 20 \
    "$(cat "$tmp"/par.* | grep -o '"task_id": "L[0-9A-Za-z]\{7\}"' | sort -u | wc -l | tr -d ' ')"

fresh
for i in 1 2 3 4 5; do
	(FAKE_ALIYUN_TASK_MS=60000 invoke "$c1" >"$tmp/one.$i" 2>&1; echo $? >"$tmp/rc.$i") &
done
wait
id=$(cat "$tmp"/one.* | grep -o '"task_id": "[^"]*"' | cut -d'"' -f4)
busy "$c1" "$id" >"$tmp/busy.want"
nbusy=0
for i in 1 2 3 4 5; do
	cmp -s "$tmp/one.$i" "$tmp/busy.want" && nbusy=$((nbusy + 1))
done
same "live: 5 parallel invokes on one cluster: one task, four TaskInProgress" \
    "0 1 1 1 1 4" "$(cat "$tmp"/rc.* | sort -n | tr '\n' ' ')$nbusy"

fresh
expect "live: task.conf (scenario live, via clusters.map) turns the mode on" 0 \
    "$(body default/invoke L0000001 "$c10")"$'\n' "" invoke "$c10"
result L0000001 >"$tmp/out"
sleep 0.3
result L0000001 >>"$tmp/out"
same "live: scenario live runs 200 ms, then finishes Warn" \
    "status:Running status:Success overall_status:Warn " "$(status "$tmp/out")"
FAKE_ALIYUN_TASK_MS=0 invoke "$c11" >/dev/null
result L0000002 >"$tmp/out"
same "live: FAKE_ALIYUN_TASK_MS wins over task.conf" \
    "status:Success overall_status:Warn " "$(status "$tmp/out")"

fresh
printf '# uneven fleet\n%s 60000\n' "$c1" >"$tmp/ms.map"
export FAKE_ALIYUN_TASK_MS=0 FAKE_ALIYUN_TASK_MS_MAP=$tmp/ms.map
invoke "$c1" >/dev/null
invoke "$c4" >/dev/null
result L0000001 >"$tmp/out"
result L0000002 >>"$tmp/out"
invoke "$c1" >/dev/null 2>&1
a=$?
invoke "$c4" >/dev/null 2>&1
same "live: FAKE_ALIYUN_TASK_MS_MAP gives a cluster its own duration" \
    "status:Running status:Success overall_status:Warn 1 0" "$(status "$tmp/out")$a $?"
unset FAKE_ALIYUN_TASK_MS FAKE_ALIYUN_TASK_MS_MAP

fresh
expect "live: a bad FAKE_ALIYUN_TASK_MS is the double's own failure" 99 "" \
    "fake-aliyun: FAKE_ALIYUN_TASK_MS: bad milliseconds '-5'"$'\n' \
    env FAKE_ALIYUN_TASK_MS=-5 "$bin" sysom invoke-diagnosis --params "{\"cluster_id\":\"$c1\"}"

# The 3.5.1 personality (README "The 3.5.x personality").
cl=c4f1a9e27b8d34c6a9e0f5b2d7c81a3e6
fresh
expect "3.5: version prints 3.5.1" 0 "3.5.1"$'\n' "" \
    env FAKE_ALIYUN_PERSONALITY=3.5.1 "$bin" version
expect "3.5: an older version fixture stays as it is" 0 "3.3.14"$'\n' "" \
    env FAKE_ALIYUN_PERSONALITY=3.5.1 FAKE_ALIYUN_SCENARIO=old-cli "$bin" version
"$bin" configure ai-mode enable >/dev/null
env NO_COLOR=1 FAKE_ALIYUN_PERSONALITY=3.5.1 FAKE_ALIYUN_SCENARIO=forbidden \
    "$bin" cs GET /clusters/$cl >"$tmp/out" 2>"$tmp/err"
same "3.5: AI mode on, a cs server error is the compact envelope and exit 2" \
    '2 {"schemaVersion":"v1","message":"User not authorized to operate on the specified resource, or this API doesn'"'"'t support RAM.","error_code":"Forbidden.RAM","status_code":403,"request_id":"B1F0C2D3-E4A5-5B6C-8D7E-9F0A1B2C3D4E","recovery":{"action":"lookup_error_code","hint":"Look up diagnostic solutions for error code Forbidden.RAM."}}' \
    "$? $(cat "$tmp/err")"
env NO_COLOR=1 FAKE_ALIYUN_PERSONALITY=3.5.1 FAKE_ALIYUN_SCENARIO=busy \
    "$bin" sysom invoke-diagnosis --params "{\"cluster_id\":\"$cl\"}" >"$tmp/out" 2>"$tmp/err"
same "3.5: a plugin server error is the envelope too, exit 2" \
    '2 Sysom.TaskInProgress 400' \
    "$? $(grep -o '"error_code":"[^"]*","status_code":[0-9]*' "$tmp/err" | sed 's/"error_code":"//; s/","status_code":/ /')"
env NO_COLOR=1 FAKE_ALIYUN_PERSONALITY=3.5.1 FAKE_ALIYUN_SCENARIO=forbidden \
    ALIBABA_CLOUD_CLI_AI_MODE=0 "$bin" cs GET /clusters/$cl >"$tmp/out" 2>"$tmp/err"
same "3.5: ALIBABA_CLOUD_CLI_AI_MODE=0 wins over ai-mode.json: the 3.4 text, exit 1" \
    "1 ERROR: SDK.ServerError" "$? $(head -1 "$tmp/err")"
env NO_COLOR=1 FAKE_ALIYUN_SCENARIO=forbidden "$bin" cs GET /clusters/$cl >"$tmp/out" 2>"$tmp/err"
same "3.4.11 (no personality): AI mode on changes no error text" \
    "1 ERROR: SDK.ServerError" "$? $(head -1 "$tmp/err")"
"$bin" configure ai-mode disable >/dev/null
env NO_COLOR=1 FAKE_ALIYUN_PERSONALITY=3.5.1 FAKE_ALIYUN_SCENARIO=forbidden \
    "$bin" cs GET /clusters/$cl >"$tmp/out" 2>"$tmp/err"
same "3.5: AI mode off: the 3.4 text, exit 1" "1 ERROR: SDK.ServerError" "$? $(head -1 "$tmp/err")"
env NO_COLOR=1 FAKE_ALIYUN_PERSONALITY=3.5.1 FAKE_ALIYUN_SCENARIO=forbidden \
    ALIBABA_CLOUD_CLI_AI_MODE=1 "$bin" cs GET /clusters/$cl >"$tmp/out" 2>"$tmp/err"
same "3.5: ALIBABA_CLOUD_CLI_AI_MODE=1 switches it on without the file" \
    "2 Forbidden.RAM" "$? $(grep -o '"error_code":"[^"]*"' "$tmp/err" | cut -d'"' -f4)"
env NO_COLOR=1 FAKE_ALIYUN_PERSONALITY=3.5.1 FAKE_ALIYUN_SCENARIO=corrupt-config \
    ALIBABA_CLOUD_CLI_AI_MODE=1 "$bin" configure list >"$tmp/out" 2>"$tmp/err"
a=$?
env NO_COLOR=1 FAKE_ALIYUN_SCENARIO=corrupt-config "$bin" configure list >"$tmp/out2" 2>"$tmp/err2"
same "3.5: a failure with a CLI tip keeps its text and status" "$? $(cat "$tmp/err2")" "$a $(cat "$tmp/err")"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
