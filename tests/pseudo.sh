#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/pseudo.sh: nothing English is left on a Chinese screen (issue 24).  ackprof runs
# with a pseudo-translation catalog (tools/pseudo-po: every msgstr is its msgid with each
# line in ⟦…⟧) as zh_CN, over every e2e case (tests/e2e/cases: diagnose, result, batch,
# doctor, usage errors, signals) and the runs below (batch, setup-sdk, bad input).  A
# line written for people with an English word outside ⟦…⟧ bypassed gettext: it fails,
# named with its case, stream and line number, and with the source line that holds the
# English (tests/pseudo/check.py; exempt: JSON, ids, names, paths, SysOM's content).
# The cases' own assertions are not checked here (their expected lines are English).
#
# usage: tests/pseudo.sh [CASE...]
# env:   ACKPROF (binary), PSEUDO_MO (the pseudo catalog, made by `make pseudo`)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
ACKPROF=${ACKPROF:-$top/ackprof}
PSEUDO_MO=${PSEUDO_MO:-$top/pseudo/ackprof.mo}
DOUBLE=$top/tests/double/aliyun
VENV=$top/tests/double/venv
CL=c4f1a9e27b8d34c6a9e0f5b2d7c81a3e6
pass=0 fail=0 n=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ackprof-pseudo.XXXXXX")
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT

[ -r "$PSEUDO_MO" ] || { echo "not ok 1 - no pseudo catalog $PSEUDO_MO (make pseudo)"; echo "0 passed, 1 failed, 0 skipped"; exit 1; }
# The binary finds its catalog beside itself (i18n.c): a copy, with the pseudo one there.
mkdir -p "$tmp/bin/locale/zh_CN/LC_MESSAGES"
cp "$ACKPROF" "$tmp/bin/ackprof"
cp "$PSEUDO_MO" "$tmp/bin/locale/zh_CN/LC_MESSAGES/ackprof.mo"
P=$tmp/bin/ackprof

# zh_CN.UTF-8: the system's, else generated into a scratch LOCPATH (as tests/e2e/lang.sh).
if ! locale -a 2>/dev/null | grep -qix 'zh_CN\.utf-\?8'; then
	if command -v localedef >/dev/null && mkdir -p "$tmp/locale" &&
	    localedef -i zh_CN -f UTF-8 "$tmp/locale/zh_CN.UTF-8" >/dev/null 2>&1; then
		export LOCPATH=$tmp/locale
	fi
fi
export LANG=zh_CN.UTF-8
unset LC_ALL LC_MESSAGES LANGUAGE

# The catalog is in use at all: else every line would be English and the test void.
if "$P" --help 2>&1 | grep -q '⟦'; then
	pass=$((pass + 1)); n=$((n + 1)); echo "ok $n - the pseudo catalog is in use"
else
	fail=$((fail + 1)); n=$((n + 1)); echo "not ok $n - the pseudo catalog is not in use (LANG=zh_CN.UTF-8, $P --help)"
fi

# The judge itself: a message that bypassed the catalog is caught and named with its
# source; translated text, ids, paths and flags pass.
printf '%s\n' "ackprof: ⟦cannot save the report to %s⟧ /tmp/x --save c4f1a9e27b8d34c6a9e0f5b2d7c81a3e6" > "$tmp/good"
printf '%s\n' "ackprof: ⟦收到⟧ SIGTERM: no new diagnosis was started and ai-mode was cleaned up" > "$tmp/bad"
if [ -z "$(python3 "$top/tests/pseudo/check.py" "$top" self "$tmp/good" /dev/null)" ] &&
    python3 "$top/tests/pseudo/check.py" "$top" self /dev/null "$tmp/bad" | grep -q 'src/batch.c:'; then
	pass=$((pass + 1)); n=$((n + 1)); echo "ok $n - the judge flags English outside ⟦…⟧ and names its source line"
else
	fail=$((fail + 1)); n=$((n + 1)); echo "not ok $n - the judge does not flag English outside ⟦…⟧, or names no source"
fi

# judge NAME OUT ERR: one TAP line for the run.
judge() {
	local bad
	bad=$(python3 "$top/tests/pseudo/check.py" "$top" "$1" "$2" "$3")
	n=$((n + 1))
	if [ -z "$bad" ]; then
		pass=$((pass + 1)); echo "ok $n - $1"
	else
		fail=$((fail + 1)); echo "not ok $n - $1: English outside ⟦…⟧"
		printf '%s\n' "$bad" | awk -F'\t' '{ printf "#   %s: %s\n#     words: %s\n#     source: %s\n", $2, $3, $4, $5 }'
	fi
}

# 1. Every e2e case, run by tests/e2e/run.sh into scratch dirs kept for the judge.
if [ $# -eq 0 ]; then set -- "$top"/tests/e2e/cases/*.case; fi
mkdir -p "$tmp/e2e"
TMPDIR=$tmp/e2e KEEP=1 ACKPROF=$P bash "$top/tests/e2e/run.sh" "$@" > "$tmp/e2e.log" 2>&1
skipped=0
for c in "$@"; do
	name=$(basename "$c" .case)
	d=$(echo "$tmp"/e2e/ackprof-e2e.*/"$name")
	if grep -Eq -- '--lang[ =]en|^env: (LC_ALL|LC_MESSAGES|LANG|LANGUAGE)=(C|POSIX|en)' "$c"; then
		n=$((n + 1)); skipped=$((skipped + 1))
		echo "ok $n - case $name # SKIP it asks for English"
	elif [ -d "$d" ]; then
		judge "case $name" "$d/stdout" "$d/stderr"
	else
		n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - case $name: no output kept"
	fi
done

# 2. Runs no case covers: batch (text), setup-sdk, bad input.
# run NAME [ENV=V...] -- ARGS...: the pseudo ackprof against the double in a scratch HOME.
run() {
	local name=$1 home=$tmp/run/$1
	shift
	mkdir -p "$home"
	(
		cd "$home" || exit 2
		export HOME=$home XDG_STATE_HOME=$home/state XDG_DATA_HOME=$home/data
		export FAKE_ALIYUN_LOG=$home/calls.log
		while [ "$1" != -- ]; do export "$1"; shift; done
		shift
		"$P" "$@" > "$home/out" 2> "$home/err" < /dev/null
	)
	judge "run $name" "$home/out" "$home/err"
}
wire=(--aliyun "$DOUBLE" --sdk-venv "$VENV" --scripts-dir "$top/scripts" --poll-interval 0 --busy-wait 0 --throttle-wait 0)
printf '%s\n' c00000000000000000000000000000001 c00000000000000000000000000000002 \
	c00000000000000000000000000000003 c00000000000000000000000000000004 \
	c00000000000000000000000000000006 | sed 's/$/ default app-1/' > "$tmp/batch.in"
printf '%s\n' "$CL default app-1 yesterday afternoon" "bad x y" > "$tmp/bad.in"
run batch-text -- batch "${wire[@]}" "$tmp/batch.in"
run batch-state -- batch "${wire[@]}" --state "$tmp/b.state" "$tmp/batch.in"
run batch-bad-input -- batch "${wire[@]}" "$tmp/bad.in"
run batch-markdown-refused -- batch "${wire[@]}" -o markdown "$tmp/batch.in"
mkdir -p "$tmp/notavenv" && : > "$tmp/notavenv/x"
run setup-sdk-not-a-venv -- setup-sdk --sdk-venv "$tmp/notavenv" --scripts-dir "$top/scripts"
run setup-sdk-ok -- setup-sdk --sdk-venv "$VENV" --scripts-dir "$top/scripts"
run setup-sdk-script -- bash "$top/scripts/setup-sdk.sh" "$tmp/notavenv"
for s in 90 40d 0m; do
	run "since-$s" -- diagnose "${wire[@]}" --yes -c $CL -n default -p app-1 --since $s
done
ln -s /etc/hostname "$tmp/link"
mkdir -p "$tmp/adir"
run metrics-no-dir -- diagnose "${wire[@]}" --yes -c $CL -n default -p app-1 --metrics /nonexistent/m.prom
run metrics-symlink -- diagnose "${wire[@]}" --yes -c $CL -n default -p app-1 --metrics "$tmp/link"
run metrics-not-regular -- diagnose "${wire[@]}" --yes -c $CL -n default -p app-1 --metrics "$tmp/adir"
run save-a-directory -- diagnose "${wire[@]}" --yes -c $CL -n default -p app-1 --save "$tmp/adir"
for c in "" diagnose result batch mcp doctor setup-sdk completion; do
	run "help-${c:-top}" -- $c --help
done
run no-command --
run unknown-option -- diagnose --frob

echo "$pass passed, $fail failed, $skipped skipped"
[ $fail -eq 0 ]
