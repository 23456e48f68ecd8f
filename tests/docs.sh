#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# tests/docs.sh ACKPROF: --help, README.md, man/ackprof.1 and man/zh_CN/ackprof.1 name
# every long flag and every exit code.  Prints "N passed, N failed, N skipped".
set -u
bin=$1
top=$(cd "$(dirname "$0")/.." && pwd)
help=$("$bin" --help)
. "$top/tests/skip.sh"
flags=$(printf '%s\n' "$help" | grep -oE -- '--[a-z][a-z-]+' | sort -u)
for f in $flags; do
	ok=1
	grep -E -- "^\.(It|Op).*(Fl|,) ${f#-}( |$)" "$top/man/ackprof.1" >/dev/null || { echo "not ok - man page lacks $f"; ok=0; }
	grep -E -- "^\.(It|Op).*(Fl|,) ${f#-}( |$)" "$top/man/zh_CN/ackprof.1" >/dev/null || { echo "not ok - the Chinese man page lacks $f"; ok=0; }
	grep -q -- "$f" "$top/README.md" || { echo "not ok - README.md lacks $f"; ok=0; }
	if [ $ok = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
for code in 0 1 2 3 4 5 64 65 69 75 77 78 130 143; do
	ok=1
	grep -qE "^\.It ($code\$|$code ,|.* $code ,|.*, $code\$)" "$top/man/ackprof.1" || { echo "not ok - man EXIT STATUS lacks $code"; ok=0; }
	grep -qE "^\.It ($code\$|$code ,|.* $code ,|.*, $code\$)" "$top/man/zh_CN/ackprof.1" || { echo "not ok - the Chinese man page's EXIT STATUS lacks $code"; ok=0; }
	grep -qE "\| $code \|" "$top/README.md" || { echo "not ok - README.md exit table lacks $code"; ok=0; }
	printf '%s\n' "$help" | grep -qE "(^| )$code " || { echo "not ok - --help lacks exit code $code"; ok=0; }
	if [ $ok = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
# README's table of which command takes which flag agrees with each command's --help.
for cmd in diagnose result batch mcp doctor setup-sdk; do
	ok=1
	row=$(grep -E "^\| \`$cmd\` \|" "$top/README.md") || { echo "not ok - README.md lacks a row for $cmd"; ok=0; }
	chelp=$("$bin" "$cmd" --help)
	for f in $(printf '%s\n' "$row" | grep -oE -- '(^|[ `])--?[a-z][a-z-]*' | tr -d ' `' | sort -u); do
		printf '%s\n' "$chelp" | grep -qE -- "(^|[ ,])$f( |,|$)" || { echo "not ok - README says $cmd takes $f, its --help does not"; ok=0; }
	done
	if [ $ok = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
# COMMAND --help lists only the exit codes that command can return (issue 20).
ex() { "$bin" "$1" --help | sed -n '/^Exit status:/,$p' | grep -oE '(^| )[0-9]+ ' | tr -d ' ' | sort -n | tr '\n' ' '; }
for t in "completion:0 64 78 " "batch:0 1 2 3 4 5 64 65 69 74 75 77 78 129 130 143 " \
	"diagnose:0 1 2 3 4 5 64 65 69 74 77 78 129 130 143 " "mcp:0 64 78 129 130 143 "; do
	got=$(ex "${t%%:*}")
	if [ "$got" = "${t#*:}" ]; then pass=$((pass + 1)); echo "ok - ${t%%:*} --help lists its own exit codes"; else fail=$((fail + 1)); echo "not ok - ${t%%:*} --help lists exit codes '$got', want '${t#*:}'"; fi
done
# README's package lists are tools/deps's: the base list for `make demo`, --all's for
# `make check` (issue 20: gettext and locales were missing).
deps_base=$(awk '/^if \[ \$all = 1 \]/ { exit } /^need / { print $2 }' "$top/tools/deps" | sort -u | tr '\n' ' ')
deps_all=$(awk '/^if \[ \$all = 1 \]/ { on = 1; next } on && /^fi/ { exit }
	on { for (i = 1; i < NF; i++) if ($i == "need") { print $(i + 1); break } }' "$top/tools/deps" |
	sed 's/^"libclang-rt-.*/libclang-rt-NN-dev/' | sort -u | tr '\n' ' ')
para=$(sed -n '/^`sh tools\/demo doctor`/,/^$/p' "$top/README.md" | tr '\n' ' ')
rd_base=$(printf '%s' "$para" | sed -n 's/.*needs only the build tools (`\([^`]*\)`).*/\1/p' | tr ' ' '\n' | grep . | sort -u | tr '\n' ' ')
rd_all=$(printf '%s' "$para" | sed -n 's/.*also needs `\([^`]*\)`.*/\1/p' | tr ' ' '\n' | grep . | sort -u | tr '\n' ' ')
if [ -n "$deps_base" ] && [ "$rd_base" = "$deps_base" ]; then pass=$((pass + 1)); echo "ok - README's make demo packages are tools/deps's"; else fail=$((fail + 1)); echo "not ok - README's make demo packages ($rd_base) differ from tools/deps ($deps_base)"; fi
if [ -n "$deps_all" ] && [ "$rd_all" = "$deps_all" ]; then pass=$((pass + 1)); echo "ok - README's make check packages are tools/deps --all's"; else fail=$((fail + 1)); echo "not ok - README's make check packages ($rd_all) differ from tools/deps --all ($deps_all)"; fi
# README's Monitoring blocks (<!-- file: NAME --> then a fenced block) are real.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ackprof-docs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
awk -v dir="$tmp" '/^<!-- file: .* -->$/ { name = $3; next }
	name != "" && /^```/ { if (out) { close(out); out = ""; name = "" } else out = dir "/" name; next }
	out { print > out }' "$top/README.md"
binabs=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
t() { if eval "$2"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "not ok - $1"; fi; }
# The cron line: five time fields, then a command ackprof accepts (run with --dry-run).
# cron's PATH is /usr/bin:/bin: the example sets one that finds ackprof and aliyun.
t "README crontab sets PATH with /usr/local/bin" 'grep -qE "^PATH=([^ ]*:)?/usr/local/bin(:|$)" "$tmp/crontab"'
cronline=$(grep -v '^[A-Z_]*=' "$tmp/crontab" 2>/dev/null)
cmd=$(printf '%s\n' "$cronline" | sed -E 's/^([^ ]+ +){5}//; s/ >>.*//; s|/var/lib/prometheus/node-exporter|'"$tmp"'|g; s/^ackprof /'"$(printf '%s' "$binabs" | sed 's/[\/&|]/\\&/g')"' /')
t "README cron line has five time fields" 'printf "%s\n" "$cronline" | grep -qE "^([^ ]+ +){5}ackprof "'
t "README cron line runs (with --dry-run)" 'eval "$cmd --dry-run" > /dev/null'
# Issue 20, item 1: the cron line as written, redirections and all, on the double: a
# diagnosis, a cluster not found, a usage error (a bad cluster id).  The .jsonl file is
# then read line by line by a real JSON reader, each line one document of its schema, and
# the stderr lines are in the separate log only.
cronhome=$tmp/cronhome
mkdir -p "$cronhome"
cronrun() { # SCENARIO CLUSTER: the cron line's command, as sh runs it from cron
	(cd "$cronhome" && HOME=$cronhome XDG_STATE_HOME=$cronhome/state XDG_DATA_HOME=$cronhome/data \
	    XDG_CONFIG_HOME=$cronhome/config XDG_CACHE_HOME=$cronhome/cache FAKE_ALIYUN_SCENARIO=$1 \
	    FAKE_ALIYUN_LOG=$cronhome/calls.log ACKPROF_ALIYUN=$top/tests/double/aliyun \
	    ACKPROF_SDK_VENV=$top/tests/double/venv ACKPROF_SCRIPTS_DIR=$top/scripts \
	    sh -c "$(printf '%s\n' "$cronline" | sed -E 's/^([^ ]+ +){5}//; s|/var/lib/prometheus/node-exporter|'"$tmp"'|g; s/ -c c[0-9a-f]{32} / -c '"$2"' /; s/^ackprof /'"$(printf '%s' "$binabs" | sed 's/[\/&|]/\\&/g')"' /')")
}
if [ -x "$top/tests/double/aliyun" ]; then
	cl=c4f1a9e27b8d34c6a9e0f5b2d7c81a3e6
	t "README cron line, a diagnosis, exits 1 (Warn)" 'cronrun warn $cl; [ $? = 1 ]'
	t "README cron line, a cluster not found, exits 65" 'cronrun not-found $cl; [ $? = 65 ]'
	t "README cron line, a usage error, exits 64" 'cronrun warn not-a-cluster; [ $? = 64 ]'
	jl=$cronhome/ackprof-api-0.jsonl
	t "README cron .jsonl: 3 lines, each one JSON document (python json, line by line)" \
		'python3 -c "import json,sys
lines = open(sys.argv[1], encoding=\"utf-8\").read().splitlines()
docs = [json.loads(l) for l in lines]
assert [d[\"exit_code\"] for d in docs] == [1, 65, 64], docs
assert [d[\"kind\"] for d in docs] == [\"diagnosis\", \"diagnosis\", \"error\"]" "$jl"'
	if command -v jq > /dev/null; then
		t "README cron .jsonl: jq -c . reads it, a line a run" '[ "$(jq -c . < "$jl" | wc -l)" = 3 ]'
	else
		skip "README cron .jsonl with jq" "jq not installed (tools/deps --all installs it)" tool
	fi
	t "README cron stderr log: the two error lines, none in the .jsonl" \
		'[ "$(grep -c "^ackprof: " "$cronhome/ackprof-api-0.log")" = 2 ] && ! grep -q "^ackprof: " "$jl"'
	if "$top/build/pytest-venv/bin/python" -c "import jsonschema" 2> /dev/null; then
		t "README cron .jsonl: every line valid against its schema" \
			'"$top/build/pytest-venv/bin/python" "$top/tests/schema-check.py" "$jl"'
	else
		skip "README cron .jsonl schemas" "no jsonschema in build/pytest-venv (sh tests/py/run makes it)"
	fi
else
	skip "README cron line on the double" "tests/double/aliyun not built (make)"
fi
# The systemd units: systemd-analyze verify, no warning at all (tools/deps --all installs
# systemd: a missing systemd-analyze is a skip, and a failure in CI).
unit=$tmp/ackprof-fleet.service
if command -v systemd-analyze > /dev/null; then
	sed -i "s|/usr/local/bin/ackprof|$binabs|" "$unit"
	t "README systemd units pass systemd-analyze verify" \
		'out=$(cd "$tmp" && systemd-analyze verify --man=no ./ackprof-fleet.service ./ackprof-fleet.timer 2>&1) && [ -z "$out" ] || { echo "$out"; false; }'
else
	skip "README systemd units" "systemd-analyze not installed (tools/deps --all installs systemd)" tool
fi
t "README's timer starts the service that runs batch --state" \
	'grep -q "^ExecStart=.* batch .*--state .*--metrics " "$unit"'
# Issue 20, item 8: a deadline and the standard hardening, as a user of its own.
for d in '^User=ackprof$' '^TimeoutStartSec=' '^ProtectSystem=strict$' '^ProtectHome=read-only$' \
    '^ReadWritePaths=/var/lib/prometheus/node-exporter$' '^NoNewPrivileges=yes$' '^PrivateTmp=yes$'; do
	t "README's unit has $d" 'grep -qE "$d" "$unit"'
done
t "README documents the venv set up as the service's user" 'grep -q "^sudo -u ackprof ackprof setup-sdk" "$top/README.md"'
# The state file stays while tasks still run (exit 4, 5), after a failure and a kill;
# it goes when every task ended.  The unit's own ExecStopPost line, run as systemd would
# ($$ is a literal $; EXIT_STATUS is a number, or a signal's name).
post=$(sed -n 's/^ExecStopPost=//p' "$unit" | sed 's/\$\$/$/g; s|/var/lib/ackprof/fleet.state|'"$tmp"'/fleet.state|g')
stopped() { : > "$tmp/fleet.state"; (export EXIT_STATUS="$1"; eval "$post"); [ -e "$tmp/fleet.state" ]; }
for st in 4 5 64 75 TERM KILL; do
	t "README's unit keeps the state file after exit status $st" 'stopped $st'
done
for st in 0 1 2 3 65 69 77 78; do
	t "README's unit removes the state file after exit status $st" '! stopped $st'
done
# The alert rules use only series ackprof writes, and README shows the shipped file as it is.
t "README's rules block is contrib/prometheus/ackprof.rules.yml" 'cmp -s "$tmp/ackprof.rules.yml" "$top/contrib/prometheus/ackprof.rules.yml"'
for m in $(grep -oE 'ackprof_[a-z_]+' "$tmp/ackprof.rules.yml" 2>/dev/null | sort -u) none; do
	[ "$m" = none ] && break
	t "README alert rule series $m is one ackprof writes" 'grep -q "\"$m\"" "$top/src/metrics.c"'
done
t "README has alert rules" '[ -s "$tmp/ackprof.rules.yml" ]'
# Issue 20, item 10: on the bundled simulator's healthy world, doctor is all [ok].
t "tools/demo doctor: every check [ok]" 'out=$(SCENARIO=default sh "$top/tools/demo" doctor 2>&1) && printf "%s\n" "$out" | grep -q "^\[ok\]" && ! printf "%s\n" "$out" | grep -qE "^\[(warn|FAIL|done)" || { printf "%s\n" "$out"; false; }'
# --help fits an 80-column terminal, in English and in Chinese (a CJK character is two columns).
helpwidth() {
	python3 -c 'import sys, unicodedata
bad = [l for l in sys.stdin.read().splitlines()
       if sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in l) > 80]
print(*bad, sep="\n") if bad else None
sys.exit(1 if bad else 0)'
}
for lang in en zh; do
	for cmd in "" diagnose result batch mcp doctor setup-sdk completion version; do
		t "--lang $lang $cmd --help fits 80 columns" '"$bin" --lang $lang $cmd --help 2>&1 | helpwidth'
	done
done
# README's count of the mutation check's bugs is the number of tests/mutations/*.mut.
nmut=$(ls "$top"/tests/mutations/*.mut | wc -l)
t "README names the $nmut mutations of tests/mutations" 'grep -q "tests/mutations/README.md): $nmut deliberate" "$top/README.md"'
echo "$pass passed, $fail failed, $skipped skipped"
[ $fail -eq 0 ]
