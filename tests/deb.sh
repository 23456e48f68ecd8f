#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/deb.sh: the Debian package as a user gets it.  `apt-get install ./build/ackprof_*.deb`,
# then the installed /usr/bin/ackprof, run from a scratch directory away from the tree with
# a scratch HOME: --version, doctor, a full diagnose on the simulator (the test double as
# the CLI; the Step 7 script must come from /usr/share/ackprof/scripts), man ackprof, bash
# completion through bash-completion's loader.  Then `apt-get purge` and no file of the
# package may be left.  Needs root and apt-get (CI has both); skipped, and counted so,
# otherwise.  Ends with "N passed, N failed, N skipped".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
pass=0 fail=0 skip=0 n=0
ok()   { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n - $1"; }
no()   { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $1"; [ -z "${2-}" ] || printf '%s\n' "$2" | sed 's/^/#   /'; }
sk()   { n=$((n + 1)); skip=$((skip + 1)); echo "ok $n - $1 # SKIP $2"; }
done_() { echo "$pass passed, $fail failed, $skip skipped"; [ $fail = 0 ]; exit $?; }
steps="install;--version;doctor;diagnose;step 7 from /usr/share;man;bash completion;purge;nothing left"

deb=$(ls "$top"/build/ackprof_*_"$(dpkg --print-architecture 2>/dev/null)".deb 2>/dev/null | tail -n 1)
why=
[ "$(id -u)" = 0 ] || why="needs root"
command -v apt-get >/dev/null 2>&1 || why="needs apt-get"
[ -n "$deb" ] || why="no build/ackprof_*.deb (make deb)"
[ -x "$top/tests/double/aliyun" ] || why="no test double (make tests/double/aliyun)"
if [ -n "$why" ] && [ "${ACKPROF_CI:-}" = 1 ]; then
	no "the package test: $why, and CI must have it (tools/deps --pkg, make deb)"; done_
fi
if [ -n "$why" ]; then
	IFS=';'; for s in $steps; do sk "$s" "$why"; done; done_
fi
if dpkg -s ackprof >/dev/null 2>&1; then
	echo "# ackprof is already installed here: purging it first"
	apt-get purge -y -qq ackprof >/dev/null 2>&1
fi

scratch=$(mktemp -d /tmp/ackprof-deb.XXXXXX)
trap 'rm -rf "$scratch"; dpkg -s ackprof >/dev/null 2>&1 && apt-get purge -y -qq ackprof >/dev/null 2>&1' EXIT
cp "$deb" "$scratch/"
cd "$scratch" || exit 1
if out=$(DEBIAN_FRONTEND=noninteractive apt-get install -y -q "./$(basename "$deb")" 2>&1) && [ -x /usr/bin/ackprof ]; then
	ok "apt-get install ./$(basename "$deb")"
else
	no "apt-get install ./$(basename "$deb")" "$out"; done_
fi
dpkg -L ackprof > "$scratch/files"

mkdir -p "$scratch/home" "$scratch/work"
cd "$scratch/work" || exit 1
run() { env -i PATH=/usr/bin:/bin LANG=C.UTF-8 HOME="$scratch/home" XDG_STATE_HOME="$scratch/home/state" \
	XDG_DATA_HOME="$scratch/home/data" FAKE_ALIYUN_LOG="$scratch/calls.log" FAKE_ALIYUN_SCENARIO=critical "$@"; }
version=$(sed -n 's/^VERSION[[:space:]]*=[[:space:]]*//p' "$top/Makefile")
out=$(run /usr/bin/ackprof --version 2>&1)
case $out in "ackprof $version"*) ok "/usr/bin/ackprof --version says $version" ;; *) no "--version" "$out" ;; esac
# Issue 20, items 3 and 4: the schemas are in the package, and version -o json names the build.
if grep -qx /usr/share/ackprof/schema/diagnosis.schema.json "$scratch/files"; then
	ok "the JSON schemas are in /usr/share/ackprof/schema"
else
	no "the JSON schemas are in /usr/share/ackprof/schema" "$(grep schema "$scratch/files")"
fi
out=$(run /usr/bin/ackprof version -o json 2>&1)
case $out in *'"kind":'*'"version"'*'"cjson_version":'*) ok "ackprof version -o json names the build" ;; *) no "version -o json" "$out" ;; esac

wire=(--aliyun "$top/tests/double/aliyun" --sdk-venv "$top/tests/double/venv")
out=$(run /usr/bin/ackprof doctor "${wire[@]}" 2>&1); rc=$?
[ $rc = 0 ] && ok "doctor exits 0 with the double as the CLI" || no "doctor exits 0 (got $rc)" "$out"

CL=c4f1a9e27b8d34c6a9e0f5b2d7c81a3e6
: > "$scratch/calls.log"
out=$(run /usr/bin/ackprof diagnose -c $CL -n default -p test-app-64cdcb7b98-gchks --yes "${wire[@]}" \
	--poll-interval 0 --busy-wait 0 2>&1); rc=$?
if [ $rc = 2 ] && grep -q 'Container OOM kill' <<<"$out" && tail -n 1 "$scratch/calls.log" | grep -qx 'aliyun configure ai-mode disable'; then
	ok "a full diagnose on the simulator: Critical (exit 2), the report, ai-mode disabled at the end"
else
	no "a full diagnose on the simulator (exit $rc)" "$out"$'\n'"$(cat "$scratch/calls.log")"
fi
if grep -qx "python /usr/share/ackprof/scripts/create-cluster-vpc-endpoint-connection.py --region cn-hangzhou --cluster-id $CL" "$scratch/calls.log"; then
	ok "Step 7 runs the installed script from /usr/share/ackprof/scripts"
else
	no "Step 7 runs the installed script" "$(cat "$scratch/calls.log")"
fi

out=$(MANPAGER=cat MANWIDTH=80 man ackprof 2>&1)
grep -q 'SysOM' <<<"$out" && grep -q '^NAME' <<<"$out" && ok "man ackprof shows the installed page" || no "man ackprof" "$out"

out=$(bash --norc --noprofile -c '
	source /usr/share/bash-completion/bash_completion || exit 3
	__load_completion ackprof || exit 4
	f=$(complete -p ackprof | sed -n "s/.*-F \([^ ]*\) .*/\1/p"); [ -n "$f" ] || exit 5
	COMP_WORDS=(ackprof dia); COMP_CWORD=1; COMP_LINE="ackprof dia"; COMP_POINT=${#COMP_LINE}; COMPREPLY=()
	"$f" ackprof dia ackprof; printf "%s\n" "${COMPREPLY[@]}"' 2>&1)
[ "$out" = diagnose ] && ok "bash-completion loads the installed completion: ackprof dia<TAB> gives diagnose" ||
    no "bash completion" "$out"

cd /
if out=$(DEBIAN_FRONTEND=noninteractive apt-get purge -y -q ackprof 2>&1) && ! dpkg -s ackprof >/dev/null 2>&1; then
	ok "apt-get purge ackprof"
else
	no "apt-get purge ackprof" "$out"
fi
left=
while IFS= read -r f; do
	[ "$f" = /. ] && continue
	# a directory another package owns, or one that holds others' files, may stay
	[ -d "$f" ] && { dpkg -S "$f" >/dev/null 2>&1 || [ -n "$(ls -A "$f" 2>/dev/null)" ]; } && continue
	[ -e "$f" ] || [ -L "$f" ] && left="$left $f"
done < "$scratch/files"
[ -z "$left" ] && ok "no file of the package is left after the purge ($(wc -l < "$scratch/files") paths checked)" ||
    no "files left after the purge:$left"
done_
