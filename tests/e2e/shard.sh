#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# ackprof batch --shard K/N and --push URL end to end on the simulator: the shards of
# one input are disjoint, together are the input, start one task per target and do
# not depend on the input's order; %K paths; a typo fails every shard alike; --push
# reaches a real Prometheus Pushgateway on 127.0.0.1 (Debian's prometheus-pushgateway)
# and never puts the URL's password in an argv.  TAP-style lines, then
# "N passed, N failed, N skipped".
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
ACKPROF=${ACKPROF:-$top/ackprof}
DOUBLE=$top/tests/double/aliyun
pass=0 fail=0 skip=0 n=0
root=$(mktemp -d "${TMPDIR:-/tmp}/ackprof-shard.XXXXXX")
# curl's config files go to TMPDIR: one of the script's own, so that "none is left"
# cannot see another run's.
mkdir "$root/tmp"
export TMPDIR=$root/tmp
gw=
trap '[ -n "$gw" ] && kill "$gw" 2>/dev/null; rm -rf "$root"' EXIT
ok() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $1"; }
# A skip for a tool tools/deps --all installs fails under ACKPROF_CI=1 (tests/skip.sh).
skipped() {
	n=$((n + 1))
	if [ "${ACKPROF_CI:-}" = 1 ]; then
		fail=$((fail + 1)); echo "not ok $n - $1: $2, and CI must have it"
	else
		skip=$((skip + 1)); echo "ok $n - $1 # SKIP $2"
	fi
}
check() { if eval "$2"; then ok "$1"; else notok "$1"; fi; }

# ab HOME [args...]: ackprof batch with the double, in HOME; exit code in $rc.
ab() {
	local home=$1; shift
	mkdir -p "$home"
	HOME=$home XDG_STATE_HOME=$home/state XDG_DATA_HOME=$home/data \
	FAKE_ALIYUN_LOG=$home/calls.log FAKE_ALIYUN_STATE=$home/double \
	env -u XDG_RUNTIME_DIR -u FAKE_ALIYUN_SCENARIO "$ACKPROF" batch --aliyun "$DOUBLE" \
		--sdk-venv "$top/tests/double/venv" --scripts-dir "$top/scripts" \
		--poll-interval 0 --busy-wait 0 "$@" > "$home/out" 2> "$home/err"
	rc=$?
}
# ab_bg HOME ARGS...: ab in the background; $pid is ackprof itself (exec).
ab_bg() {
	local home=$1; shift
	mkdir -p "$home"
	(HOME=$home XDG_STATE_HOME=$home/state XDG_DATA_HOME=$home/data \
	FAKE_ALIYUN_LOG=$home/calls.log FAKE_ALIYUN_STATE=$home/double \
	exec env -u XDG_RUNTIME_DIR -u FAKE_ALIYUN_SCENARIO "$ACKPROF" batch --aliyun "$DOUBLE" \
		--sdk-venv "$top/tests/double/venv" --scripts-dir "$top/scripts" \
		--busy-wait 0 "$@" > "$home/out" 2> "$home/err") &
	pid=$!
}
# invoked HOME: "CLUSTER POD" of every invoke ackprof sent, from the double's argv log.
invoked() {
	grep -o '"cluster_id":"c[0-9a-f]*","namespace":"[^"]*","pod":"[^"]*"' "$1/calls.log" 2>/dev/null |
	    sed 's/"cluster_id":"\([^"]*\)","namespace":"[^"]*","pod":"\([^"]*\)"/\1 \2/'
}

# 24 targets on 12 clusters (ids of the real shape, mapped to the default scenario).
in=$root/in
for i in $(seq 1 12); do
	id=$(printf 'c%08x%024x' $((i * 2654435761 % 4294967296)) "$i")
	echo "$id default app-$i-a"
	echo "$id default app-$i-b"
done > "$in"
awk '{ print $1, $3 }' "$in" | sort > "$root/want"
tac "$in" > "$root/in.rev"

# 1. --shard and its paths are validated before anything runs.
u=$root/usage
for bad in 3/3 a/b 0/0 1 -1/2 1/2x 1/0 /2 2/ 0/1025 99999999999999999999/2; do
	ab "$u" "$in" --shard "$bad"
	check "--shard $bad: exit 64, one line" '[ $rc = 64 ] && [ $(wc -l < "$u/err") = 1 ] && grep -q "^ackprof: bad --shard '"'$bad'"'" "$u/err"'
done
ab "$u" "$in" --shard 0/2 --state "$u/one.state"
check "two shards on one --state path: 64" '[ $rc = 64 ] && grep -q "must hold %K" "$u/err"'
ab "$u" "$in" --shard 0/2 --metrics "$u/one.prom"
check "two shards on one --metrics path: 64" '[ $rc = 64 ] && grep -q "must hold %K" "$u/err"'
ab "$u" "$in" --state "$u/s-%K.state"
check "%K without --shard: 64" '[ $rc = 64 ] && grep -q "there is no --shard" "$u/err"'
ab "$u" "$in" --shard 0/2 --metrics "$u/nodir/m-%K.prom"
check "a %K metrics path in no directory: 64" '[ $rc = 64 ] && grep -q "no directory" "$u/err"'
ab "$u" "$in" --push http://127.0.0.1:9
check "--push without --metrics: 64" '[ $rc = 64 ] && grep -q "give --metrics FILE too" "$u/err"'
ab "$u" "$in" --push ftp://127.0.0.1 --metrics "$u/m.prom"
check "--push with a scheme other than http(s): 64" '[ $rc = 64 ] && grep -q "must start with http" "$u/err"'
ab "$u" "$in" --shard 0/2 --metrics "$u/m-%N.prom"
check "two shards on one --metrics path through %N alone: 64" '[ $rc = 64 ] && grep -q "must hold %K" "$u/err"'
ab "$u" "$in" --shard 0/2 --state "$u/s-%N.state"
check "two shards on one --state path through %N alone: 64" '[ $rc = 64 ] && grep -q "must hold %K" "$u/err"'
for bad in 0 -1 abc 3601 1e9; do
	ab "$u" "$in" --metrics "$u/m.prom" --push http://127.0.0.1:9 --push-timeout "$bad"
	check "--push-timeout $bad: exit 64, one line" \
	    '[ $rc = 64 ] && [ $(wc -l < "$u/err") = 1 ] && grep -q "^ackprof: bad --push-timeout '"'$bad'"'" "$u/err"'
done
ab "$u" "$in" --metrics "$u/m.prom" --push-timeout 5
check "--push-timeout without --push: 64" '[ $rc = 64 ] && grep -q "give --push URL too" "$u/err"'
check "no usage error made a call" '[ ! -e "$u/calls.log" ]'

# 2. Three shards over one input: disjoint, complete, one task per target.
: > "$root/got"
for k in 0 1 2; do
	ab "$root/s$k" "$in" --shard $k/3 --state "$root/s$k/fleet-%K.state" --metrics "$root/m-%K.prom" -o json
	check "shard $k/3 exits 0" '[ $rc = 0 ]'
	invoked "$root/s$k" | sort > "$root/s$k/targets"
	cat "$root/s$k/targets" >> "$root/got"
	check "shard $k/3: its --state is fleet-$k.state" '[ -s "$root/s$k/fleet-$k.state" ]'
	check "shard $k/3: its metrics are m-$k.prom" '[ -s "$root/m-$k.prom" ]'
	check "shard $k/3: every JSON document names the shard" \
	    'python3 -c "import json,sys; d=[json.loads(l) for l in open(sys.argv[1])]; sys.exit(not d or any(x.get(\"shard\") != {\"index\": $k, \"count\": 3} for x in d))" "$root/s$k/out"'
done
# Every document a shard writes is valid against its kind's schema, which declares "shard".
schema_py=$top/build/pytest-venv/bin/python
"$schema_py" -c 'import jsonschema' 2>/dev/null || sh "$top/tests/py/run" --co -q >/dev/null 2>&1
if "$schema_py" -c 'import jsonschema' 2>/dev/null; then
	check "the shards' JSON documents are valid against schema/" \
	    '"$schema_py" "$top/tests/schema-check.py" "$root/s0/out" "$root/s1/out" "$root/s2/out"'
	check "schema/: diagnosis, batch_summary and error declare shard {index, count}" \
	    'python3 -c "import json,sys; sys.exit(any(json.load(open(\"$top/schema/%s.schema.json\" % k))[\"properties\"][\"shard\"] != {\"\$ref\": \"#/\$defs/shard\"} for k in (\"diagnosis\", \"batch_summary\", \"error\")))"'
else
	skipped "the shards' JSON documents are valid against schema/" "no jsonschema (sh tests/py/run builds build/pytest-venv)"
	skipped "schema/ declares shard" "no jsonschema (sh tests/py/run builds build/pytest-venv)"
fi
sort "$root/got" > "$root/got.sorted"
check "the shards together invoked every target" 'cmp -s "$root/want" "$root/got.sorted"'
check "no target was invoked twice (invoke argv)" '[ -z "$(uniq -d "$root/got.sorted")" ]'
check "a cluster's targets are all in one shard" \
    '[ "$(for k in 0 1 2; do cut -d" " -f1 "$root/s$k/targets" | sort -u; done | sort | uniq -d)" = "" ]'
check "every shard has work (12 clusters over 3)" \
    '[ -s "$root/s0/targets" ] && [ -s "$root/s1/targets" ] && [ -s "$root/s2/targets" ]'

# 3. The split does not depend on the input's order.
same=1
for k in 0 1 2; do
	ab "$root/r$k" "$root/in.rev" --shard $k/3
	invoked "$root/r$k" | sort | cmp -s - "$root/s$k/targets" || same=0
done
check "reversed input: every shard gets the same targets" '[ $same = 1 ]'

# 4. A typo anywhere fails every shard the same way, before any call.
sed '5s/default/Bad_NS/' "$in" > "$root/typo"
for k in 0 1 2; do
	ab "$root/t$k" "$root/typo" --shard $k/3
	check "typo on line 5: shard $k/3 exits 64 and makes no call" '[ $rc = 64 ] && [ ! -e "$root/t$k/calls.log" ]'
done
check "typo: every shard says the same" 'cmp -s "$root/t0/err" "$root/t1/err" && cmp -s "$root/t0/err" "$root/t2/err" && grep -q "line 5" "$root/t0/err"'

# 5. A shard with no target: exit 0, one note, its metrics say so.
printf '%s\n' "$(head -1 "$in")" > "$root/one"
empty=
for k in 0 1 2 3 4 5 6 7; do
	ab "$root/e$k" "$root/one" --shard $k/8 --metrics "$root/e-%K.prom"
	[ ! -e "$root/e$k/calls.log" ] && { empty=$k; break; }
done
check "an empty shard exits 0 and makes no call" '[ -n "$empty" ] && [ $rc = 0 ]'
check "an empty shard says so in one line" '[ -n "$empty" ] && grep -q "none of the 1 targets falls in this shard" "$root/e$empty/err"'
check "an empty shard writes its metrics (exit 0)" '[ -n "$empty" ] && grep -qx "ackprof_exit_code{run=\"e-$empty\"} 0" "$root/e-$empty.prom"'
all64=1
for k in 0 1 2 3; do
	ab "$root/n$k" "$root/one" --shard $k/4 --state "$root/nodir/s-%K.state"
	{ [ $rc = 64 ] && [ ! -e "$root/n$k/calls.log" ] && grep -q "^ackprof: --state $root/nodir/s-$k.state: no directory" "$root/n$k/err"; } || all64=0
done
check "a %K --state in no directory: every shard exits 64, the empty ones too, before any call" '[ $all64 = 1 ]'

# 6. --push to a real Pushgateway on loopback; curl is watched through a logging shim.
shim=$root/bin
mkdir -p "$shim"
real_curl=$(command -v curl || true)
cat > "$shim/curl" <<SHIM
#!/bin/sh
printf '%s\n' "\$*" >> "$root/curl.argv"
for a; do case \$a in */ackprof-push.*) cp "\$a" "$root/curl.conf.seen"; ls -l "\$a" > "$root/curl.conf.mode";; esac; done
exec "$real_curl" "\$@"
SHIM
chmod 755 "$shim/curl"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
if ! command -v prometheus-pushgateway >/dev/null 2>&1 || [ -z "$real_curl" ]; then
	for t in "push reaches the gateway" "the gateway serves the series with job and shard" \
	    "the URL's password is in no argv" "a failed push makes a healthy run exit 74"; do
		skipped "$t" "prometheus-pushgateway or curl is not installed (tools/deps --all installs them)"
	done
else
	prometheus-pushgateway --web.listen-address=127.0.0.1:$port --persistence.file= \
	    > "$root/gw.log" 2>&1 &
	gw=$!
	for i in $(seq 1 100); do
		"$real_curl" -s -o /dev/null "http://127.0.0.1:$port/-/ready" && break
		sleep 0.1
	done
	k=$(for k in 0 1 2; do [ -s "$root/s$k/targets" ] && { echo $k; break; }; done)
	PATH=$shim:$PATH ab "$root/p" "$in" --shard $k/3 --metrics "$root/p-%K.prom" \
	    --push "http://pusher:s3cr3tPW@127.0.0.1:$port/"
	check "push reaches the gateway (exit 0)" '[ $rc = 0 ] && grep -q -- "--config" "$root/curl.argv"'
	"$real_curl" -s "http://127.0.0.1:$port/metrics" > "$root/scrape"
	check "the gateway serves the series with job and shard" \
	    'grep -Eq "^ackprof_exit_code\{(.*,)?job=\"ackprof\"(,.*)?,shard=\"$k\"(,.*)?\} 0$" "$root/scrape" &&
	     grep -Eq "^ackprof_target_status\{.*job=\"ackprof\".*shard=\"$k\".*\} 0$" "$root/scrape"'
	check "the URL's password is in no argv, output, or leftover file" \
	    '! grep -q s3cr3tPW "$root/curl.argv" "$root/p/out" "$root/p/err" && grep -q s3cr3tPW "$root/curl.conf.seen" &&
	     grep -q "^-rw------- " "$root/curl.conf.mode" && [ -z "$(ls "$TMPDIR" | grep "^ackprof-push\.")" ]'
	# A hostile --metrics path: a newline in it must not end curl's config line (and
	# start an option of its own), and a relative "-" is a file, not curl's stdin.
	nl='
'
	mkdir -p "$root/pn"
	ab "$root/pn" "$in" --shard $k/3 --metrics "$root/pn/m-%K${nl}globoff" --push "http://127.0.0.1:$port"
	"$real_curl" -s "http://127.0.0.1:$port/metrics" > "$root/scrape.nl"
	check "a --metrics path with a newline is pushed as that file" \
	    '[ $rc = 0 ] && grep "^ackprof_exit_code{" "$root/scrape.nl" | grep -F "run=\"m-$k\\ngloboff\"" | grep -q "shard=\"$k\"} 0$"'
	mkdir -p "$root/pd"
	(cd "$root/pd" && ab "$root/pd" "$in" --metrics - --push "http://127.0.0.1:$port/" < /dev/null)
	"$real_curl" -s "http://127.0.0.1:$port/metrics" > "$root/scrape.dash"
	check "--metrics - (a file named -) is pushed as that file, not curl's stdin" \
	    '[ -s "$root/pd/-" ] && grep -q "^ackprof_exit_code{.*run=\"-\"} 0$" "$root/scrape.dash"'
	kill "$gw"; wait "$gw" 2>/dev/null; gw=
	PATH=$shim:$PATH ab "$root/pf" "$in" --shard $k/3 --metrics "$root/pf-%K.prom" \
	    --push "http://pusher:s3cr3tPW@127.0.0.1:$port"
	check "a failed push makes a healthy run exit 74, in one line without the password" \
	    '[ $rc = 74 ] && [ $(grep -c "^ackprof: --push: the metrics did not reach http://\*\*\*@127.0.0.1:$port/metrics/job/ackprof/shard/$k: " "$root/pf/err") = 1 ] && ! grep -q s3cr3tPW "$root/pf/err"'
fi

# A TMPDIR where curl's config cannot be written: one line, 74, nothing half-sent.
TMPDIR=$root/no-such-dir ab "$root/pt" "$in" --metrics "$root/pt.prom" --push http://127.0.0.1:9
check "curl's config cannot be written: exit 74, one line naming TMPDIR" \
    '[ $rc = 74 ] && [ $(grep -c "^ackprof: --push: cannot write curl.s config in $root/no-such-dir: No such file or directory (set TMPDIR" "$root/pt/err") = 1 ]'

# 7. The push's bound: a gateway that takes the connection and never answers, and a
# curl that hangs itself; either way one line, exit 74, and the run ends.
if [ -z "$real_curl" ]; then
	skipped "a silent gateway: curl gives up at --push-timeout" "curl is not installed"
else
	python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
print(s.getsockname()[1], flush=True)
conns = []
while True:
    conns.append(s.accept()[0])
' > "$root/silent.port" &
	silent=$!
	for i in $(seq 1 100); do [ -s "$root/silent.port" ] && break; sleep 0.1; done
	ab "$root/ps" "$in" --metrics "$root/ps.prom" --push "http://127.0.0.1:$(cat "$root/silent.port")" --push-timeout 1
	kill "$silent"; wait "$silent" 2>/dev/null
	check "a silent gateway: curl gives up at --push-timeout, exit 74 in one line" \
	    '[ $rc = 74 ] && [ $(grep -c "^ackprof: --push: the metrics did not reach .*: curl exit 28: " "$root/ps/err") = 1 ]'
fi
mkdir -p "$root/hang"
cat > "$root/hang/curl" <<HANG
#!/bin/sh
echo \$\$ > "$root/hang.pid"
exec sleep 600
HANG
chmod 755 "$root/hang/curl"
PATH=$root/hang:$PATH ab "$root/ph" "$in" --metrics "$root/ph.prom" --push http://127.0.0.1:9 --push-timeout 0.5
check "a curl that hangs is killed 5 s past --push-timeout: exit 74, one line" \
    '[ $rc = 74 ] && [ $(grep -c "^ackprof: --push: the metrics did not reach http://127.0.0.1:9/metrics/job/ackprof: curl did not finish within 5.5 s " "$root/ph/err") = 1 ]'
check "the hung curl is gone" '[ -s "$root/hang.pid" ] && ! kill -0 "$(cat "$root/hang.pid")" 2>/dev/null'

# Ctrl-C while curl is at it: the run keeps its own code (130), one line says the
# metrics were not sent and where they are, and no "did not reach" line blames the gateway.
rm -f "$root/hang.pid"
home=$root/pint
PATH=$root/hang:$PATH ab_bg "$home" --poll-interval 0 "$in" --metrics "$root/pint.prom" \
	--push http://127.0.0.1:9 --push-timeout 60
for i in $(seq 1 300); do [ -s "$root/hang.pid" ] && break; sleep 0.1; done
kill -INT "$pid"; wait "$pid"; rc=$?
check "SIGINT during the push: exit 130, one line that says the metrics were not sent" \
    '[ $rc = 130 ] && [ $(grep -c "^ackprof: warning: --push: stopped by a signal before http://127.0.0.1:9/metrics/job/ackprof answered (the metrics are in $root/pint.prom)" "$home/err") = 1 ] && ! grep -q "did not reach" "$home/err"'
check "... and curl is gone" '[ -s "$root/hang.pid" ] && ! kill -0 "$(cat "$root/hang.pid")" 2>/dev/null'
# Ctrl-C before the push (while polling): no curl is started at all.
rm -f "$root/hang.pid"
home=$root/pint2
PATH=$root/hang:$PATH FAKE_ALIYUN_TASK_MS=600000 ab_bg "$home" --poll-interval 0.2 --poll-max 100000 \
	"$in" --metrics "$root/pint2.prom" --push http://127.0.0.1:9
for i in $(seq 1 300); do grep -q get-diagnosis-result "$home/calls.log" 2>/dev/null && break; sleep 0.1; done
kill -INT "$pid"; wait "$pid"; rc=$?
check "SIGINT before the push: exit 130, no curl started, one line that says so" \
    '[ $rc = 130 ] && [ ! -e "$root/hang.pid" ] && [ $(grep -c "^ackprof: warning: --push: not sent, the run was interrupted (the metrics are in $root/pint2.prom)" "$home/err") = 1 ]'
# The gateway's password from ~/.netrc (curl's netrc-optional), never on ackprof's command
# line, where `ps` shows it: a gateway that wants Basic auth takes the PUT with HOME's
# .netrc, and refuses it (74) without one.
if [ -z "$real_curl" ]; then
	skipped "--push: the password from ~/.netrc" "curl is not installed"
else
	python3 -c '
import base64, http.server, sys
want = "Basic " + base64.b64encode(b"pusher:s3cr3t-pw").decode()
class H(http.server.BaseHTTPRequestHandler):
    def do_PUT(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        ok = self.headers.get("Authorization") == want
        self.send_response(200 if ok else 401); self.end_headers()
        with open(sys.argv[1], "a") as f: f.write(("ok" if ok else "refused") + "\n")
    def log_message(self, *a): pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
' "$root/auth.log" > "$root/auth.port" &
	authd=$!
	for i in $(seq 1 100); do [ -s "$root/auth.port" ] && break; sleep 0.1; done
	port=$(cat "$root/auth.port")
	mkdir -p "$root/pn"
	printf 'machine 127.0.0.1 login pusher password s3cr3t-pw\n' > "$root/pn/.netrc"
	chmod 600 "$root/pn/.netrc"
	ab "$root/pn" "$in" --metrics "$root/pn.prom" --push "http://127.0.0.1:$port"
	rc_netrc=$rc
	ab "$root/pn2" "$in" --metrics "$root/pn2.prom" --push "http://127.0.0.1:$port"
	kill "$authd"; wait "$authd" 2>/dev/null
	check "--push: the password comes from ~/.netrc (exit 0, the gateway took it)" \
	    '[ $rc_netrc = 0 ] && [ "$(sed -n 1p "$root/auth.log")" = ok ]'
	check "--push: without ~/.netrc the gateway refuses it: exit 74, one line" \
	    '[ $rc = 74 ] && [ "$(sed -n 2p "$root/auth.log")" = refused ] && [ $(grep -c "^ackprof: --push: the metrics did not reach" "$root/pn2/err") = 1 ]'
	check "... and the password is in no output" '! grep -rq "s3cr3t-pw" "$root/pn/out" "$root/pn/err" "$root/pn2/out" "$root/pn2/err"'
fi
echo "$pass passed, $fail failed, $skip skipped"
[ $fail = 0 ]
