#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# check-real: the RRSA profile of deploy/kubernetes through the real aliyun CLI (REAL).
# scripts/rrsa-profile.sh turns the pod identity webhook's three variables into a CLI
# profile of mode OIDC; the real CLI must show it Valid in `aliyun configure list`, hold
# no secret in config.json, and take a second run (a restarted container) without a
# second profile.  Offline: every proxy points at a closed port, and no call here needs
# the network (the STS exchange itself is tests/py/test_kubernetes.py's, in-process).
# TAP-style lines, then "N passed, N failed, N skipped".
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
REAL=${REAL:?REAL=/path/to/the/real/aliyun}
pass=0 fail=0 n=0
root=$(mktemp -d "${TMPDIR:-/tmp}/ackprof-rrsa.XXXXXX")
trap '[ -n "${KEEP:-}" ] || rm -rf "$root"' EXIT
ok() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $1"; }
check() { if eval "$2"; then ok "$1"; else notok "$1"; fi; }

role=acs:ram::1234567890123456:role/ackprof-fleet
provider=acs:ram::1234567890123456:oidc-provider/ack-rrsa-c0123456789abcdef0123456789abcdef
token=$root/token
printf 'eyJhbGciOiJSUzI1NiJ9.c2VjcmV0LXRva2VuLWJvZHk.c2ln' > "$token"
mkdir -p "$root/home"
# pod ARGS...: as in the Pod: HOME an empty directory, the webhook's variables, the
# real CLI, offline.
pod() {
	env -i PATH="$PATH" HOME="$root/home" TMPDIR="$root" LANG=C NO_COLOR=1 \
		HTTPS_PROXY=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 NO_PROXY= \
		ALIBABA_CLOUD_ROLE_ARN="$role" ALIBABA_CLOUD_OIDC_PROVIDER_ARN="$provider" \
		ALIBABA_CLOUD_OIDC_TOKEN_FILE="$token" ALIBABA_CLOUD_REGION_ID=cn-hangzhou \
		ACKPROF_ALIYUN="$REAL" "$@"
}

pod sh "$top/scripts/rrsa-profile.sh" > "$root/out" 2> "$root/err"
rc=$?
check "rrsa-profile.sh with the real CLI exits 0, silent" '[ $rc = 0 ] && [ ! -s "$root/out" ] && [ ! -s "$root/err" ]'
cfg=$root/home/.aliyun/config.json
check "the profile: mode OIDC, the two ARNs, the token file's path, region, session name" \
    'python3 - "$cfg" "$role" "$provider" "$token" <<EOF
import json, sys
c = json.load(open(sys.argv[1]))
[p] = c["profiles"]
want = {"name": "default", "mode": "OIDC", "ram_role_arn": sys.argv[2], "oidc_provider_arn": sys.argv[3],
        "oidc_token_file": sys.argv[4], "region_id": "cn-hangzhou", "ram_session_name": "ackprof"}
sys.exit(any(p.get(k) != v for k, v in want.items()))
EOF'
check "config.json holds no secret: no key, no STS token, not the token itself" \
    'python3 - "$cfg" <<EOF
import json, sys
[p] = json.load(open(sys.argv[1]))["profiles"]
sys.exit(any(p.get(k) for k in ("access_key_id", "access_key_secret", "sts_token")))
EOF
    ! grep -q "c2VjcmV0LXRva2VuLWJvZHk" "$cfg"'
pod "$REAL" configure list > "$root/list" 2> "$root/list.err"
rc=$?
check "aliyun configure list shows the profile Valid (OIDC, cn-hangzhou)" \
    '[ $rc = 0 ] && grep -Eq "^default( \*)? +\| OIDC:[^ ]+ +\| Valid +\| cn-hangzhou" "$root/list"'

# A restarted container (its emptyDir HOME kept): the same profile, not a second one.
pod sh "$top/scripts/rrsa-profile.sh" > "$root/out" 2> "$root/err"
rc=$?
check "a second run exits 0 and leaves one profile" \
    '[ $rc = 0 ] && [ "$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))[\"profiles\"]))" "$cfg")" = 1 ]'

# The command after it runs in its place, with the profile made.
pod sh "$top/scripts/rrsa-profile.sh" sh -c 'echo "ran $0 $1"' a b > "$root/out" 2> "$root/err"
rc=$?
check "rrsa-profile.sh COMMAND execs COMMAND with its arguments" '[ $rc = 0 ] && [ "$(cat "$root/out")" = "ran a b" ]'

# A token file the pod cannot read: 78, one line, no profile written.
rm -rf "$root/home"; mkdir -p "$root/home"
rm -f "$token"
pod sh "$top/scripts/rrsa-profile.sh" > "$root/out" 2> "$root/err"
rc=$?
check "no token file: exit 78 in one line, the CLI not run" \
    '[ $rc = 78 ] && [ $(wc -l < "$root/err") = 1 ] && grep -q "^rrsa-profile: cannot read the token file" "$root/err" && [ ! -e "$cfg" ]'

echo "$pass passed, $fail failed, 0 skipped"
[ $fail = 0 ]
