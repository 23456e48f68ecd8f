#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# ackprof in Chinese, end to end.  Under zh_CN.UTF-8 (generated into a scratch LOCPATH
# when the system lacks it): the cases of tests/e2e/lang/ assert the Chinese lines,
# and the main outcomes run twice, in English and in Chinese, with -o json: the
# documents and the exit codes must be byte-identical.  Then the ways a language is
# chosen (--lang, LC_ALL/LC_MESSAGES/LANG/LANGUAGE, no locale generated) and a broken
# catalog, which must change nothing but the language.  Prints "N passed, N failed".
#
# usage: tests/e2e/lang.sh        env: ACKPROF (binary), WRAP (as run.sh)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
ACKPROF=${ACKPROF:-$top/ackprof}
DOUBLE=$top/tests/double/aliyun
CL=c4f1a9e27b8d34c6a9e0f5b2d7c81a3e6
WRAP=${WRAP:-}
pass=0 fail=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ackprof-lang.XXXXXX")
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT

ok() { pass=$((pass + 1)); echo "ok - $1"; }
notok() { fail=$((fail + 1)); echo "not ok - $1"; }
check() { if eval "$2"; then ok "$1"; else notok "$1"; fi; }

# zh_CN.UTF-8: the system's, else one generated here (localedef needs the locales
# package's sources, not root).  Without it only the --lang and LANGUAGE paths can run.
have_locale=no
if locale -a 2>/dev/null | grep -qix 'zh_CN\.utf-\?8'; then
	have_locale=yes
elif command -v localedef >/dev/null && mkdir -p "$tmp/locale" &&
    localedef -i zh_CN -f UTF-8 "$tmp/locale/zh_CN.UTF-8" >/dev/null 2>&1; then
	export LOCPATH=$tmp/locale
	have_locale=yes
fi
if [ $have_locale = yes ]; then
	ok "the zh_CN.UTF-8 locale is here${LOCPATH:+ (generated into a scratch LOCPATH)}"
else
	notok "no zh_CN.UTF-8 locale and localedef cannot make one (install the locales package: apt-get install locales; locale-gen zh_CN.UTF-8)"
fi

# The data-driven cases, under LANG=zh_CN.UTF-8.
if [ $have_locale = yes ]; then
	out=$(env -u LC_ALL -u LC_MESSAGES -u LANGUAGE LANG=zh_CN.UTF-8 \
		bash "$top/tests/e2e/run.sh" "$top"/tests/e2e/lang/*.case)
	printf '%s\n' "$out" | grep -v '^[0-9]* passed, [0-9]* failed$' | sed 's/^/  /'
	p=$(printf '%s\n' "$out" | grep -c '^ok ')
	f=$(printf '%s\n' "$out" | grep -c '^not ok ')
	pass=$((pass + p)) fail=$((fail + f))
fi

# run NAME SCENARIO LANGENV... -- ARGS...: ackprof against the double in a scratch HOME;
# stdout to $tmp/NAME.out, stderr to $tmp/NAME.err, the exit code to $tmp/NAME.rc.
run() {
	local name=$1 scenario=$2 home=$tmp/home-$1
	local -a envs=()
	shift 2
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	mkdir -p "$home"
	(
		cd "$home" || exit 2
		unset LC_ALL LC_MESSAGES LANG LANGUAGE XDG_RUNTIME_DIR
		export HOME=$home XDG_STATE_HOME=$home/state XDG_DATA_HOME=$home/data
		export FAKE_ALIYUN_LOG=$home/calls.log FAKE_ALIYUN_SCENARIO=$scenario
		[ "$scenario" = - ] && unset FAKE_ALIYUN_SCENARIO	# batch: by cluster id
		for e in ${envs[@]+"${envs[@]}"}; do export "$e" 2>/dev/null; done
		$WRAP "$ACKPROF" "$@" > "$tmp/$name.out" 2> "$tmp/$name.err" < /dev/null
	)
	echo $? > "$tmp/$name.rc"
}

# Batch: a healthy, a Serverless, a busy, a Warn and a failing cluster (fixtures/clusters.map).
printf '%s\n' c00000000000000000000000000000001 c00000000000000000000000000000002 \
	c00000000000000000000000000000003 c00000000000000000000000000000004 \
	c00000000000000000000000000000006 | sed 's/$/ default app-1/' > "$tmp/batch.in"

# Bad batch input: a past time with no window, a malformed cluster id.
printf '%s\n' "$CL default app-1 yesterday afternoon" "bad x y" > "$tmp/bad.in"

wired() { # the options every diagnosis run needs
	printf '%s\n' --aliyun "$DOUBLE" --sdk-venv "$top/tests/double/venv" \
		--scripts-dir "$top/scripts" --poll-interval 0 --busy-wait 0 --yes
}
mapfile -t W < <(wired)
B=("${W[@]:0:${#W[@]}-1}")	# batch asks nothing: no --yes

# -o json and exit codes: byte-identical in both languages, for each main outcome (the
# batch with --jobs 1, so that its lines come in one order).
# NAME SCENARIO ARGS...
while read -r name scenario args; do
	[ -z "$name" ] && continue
	eval "set -- $args"
	run "$name-en" "$scenario" -- "$@"
	if [ $have_locale = yes ]; then
		run "$name-zh" "$scenario" LANG=zh_CN.UTF-8 -- "$@"
	else
		run "$name-zh" "$scenario" -- --lang zh "$@"
	fi
	check "$name: the exit code is the same in Chinese ($(cat "$tmp/$name-en.rc"))" \
		'cmp -s "$tmp/$name-en.rc" "$tmp/$name-zh.rc"'
	# Only the clock may differ between two runs: each call's duration_ms.
	sed -i -E 's/"duration_ms":[[:space:]]*[0-9]+/"duration_ms":0/g' "$tmp/$name-en.out" "$tmp/$name-zh.out"
	check "$name: -o json is byte-identical in Chinese" \
		'[ -s "$tmp/$name-en.out" ] && cmp -s "$tmp/$name-en.out" "$tmp/$name-zh.out"'
	check "$name: stderr is in Chinese" \
		'! [ -s "$tmp/$name-en.err" ] || ! cmp -s "$tmp/$name-en.err" "$tmp/$name-zh.err"'
done <<EOF
healthy default diagnose ${W[*]} -c $CL -n default -p app-1 -o json
critical critical diagnose ${W[*]} -c $CL -n default -p app-1 -o json
gate not-running diagnose ${W[*]} -c $CL -n default -p app-1 -o json
unsupported acs diagnose ${W[*]} -c $CL -n default -p app-1 -o json
timeout slow diagnose ${W[*]} -c $CL -n default -p app-1 -o json --poll-max 3
busy busy diagnose ${W[*]} -c $CL -n default -p app-1 -o json --busy-retries 1
batch - batch ${B[*]} -o json --jobs 1 --busy-retries 0 $tmp/batch.in
usage default diagnose -c $CL -n default -p app-1 --since bogus -o json
badinput - batch -o json $tmp/bad.in
EOF

# The batch summary in Chinese: classes translated, counts in one column by display width.
run batchzh - -- --lang zh batch "${B[@]}" --busy-retries 0 "$tmp/batch.in"
check "batch in Chinese: the summary line" \
	'grep -qx "汇总：共 5 个目标，分布在 5 个集群" "$tmp/batchzh.out"'
check "batch in Chinese: the classes line up by display width" \
	'[ "$(grep -E "^  (正常|警告|集群忙|任务失败|无法诊断)" "$tmp/batchzh.out" | while IFS= read -r l; do
		python3 -c "import sys, unicodedata as u; s=sys.argv[1]; i=s.index(\" （\"); print(sum(2 if u.east_asian_width(c) in \"WF\" else 1 for c in s[:i]))" "$l"; done | sort -u | wc -l)" = 1 ]'
check "batch in Chinese: the exit code is the worst, as in English ($(cat "$tmp/batch-en.rc"))" \
	'cmp -s "$tmp/batch-en.rc" "$tmp/batchzh.rc"'

# Progress lines (-v): a step name given to a message as its argument is translated too.
run verbose default -- --lang zh diagnose "${W[@]}" -v -c $CL -n default -p app-1
check "progress in Chinese: step names translated" \
	'grep -qx "ackprof: 版本检查……" "$tmp/verbose.err" &&
	grep -qx "ackprof: 查询集群（cs GET /clusters）……" "$tmp/verbose.err" &&
	grep -q "^ackprof: get-diagnosis-result T${CL: -7}：第 2 次查询，共 60 次（Success）" "$tmp/verbose.err"'

# --help in Chinese: headings and texts from the command table; the synopsis stays aligned.
run help default -- --lang zh diagnose --help
check "diagnose --help in Chinese" \
	'head -1 "$tmp/help.out" | grep -q "^用法：ackprof diagnose -c CLUSTER_ID" &&
	sed -n 2p "$tmp/help.out" | grep -q "^                       \[--from TIME" &&
	grep -qx "诊断目标：" "$tmp/help.out" && grep -q "^  -c, --cluster ID          ACK 集群 ID" "$tmp/help.out" &&
	grep -q "^  0 正常（Info）" "$tmp/help.out" && [ "$(cat "$tmp/help.rc")" = 0 ]'

# How the language is chosen.  A usage error shows it with no aliyun call at all.
zh='ackprof: 未知选项 --bogus（参见 ackprof --help）'
en='ackprof: unknown option --bogus (see ackprof --help)'
while IFS='|' read -r want what envs; do
	[ -z "$want" ] && continue
	# shellcheck disable=SC2086
	run choose default $envs -- diagnose --bogus $what
	got=$(cat "$tmp/choose.err")
	[ "$want" = zh ] && w=$zh || w=$en
	check "language ${what:+$what }${envs:-(no locale variable)}: $want" '[ "$got" = "$w" ]'
done <<EOF
en||
zh|--lang zh|
zh|--lang=zh|LANG=C
en|--lang en|LANG=zh_CN.UTF-8
zh||LANG=zh_CN.UTF-8
zh||LC_MESSAGES=zh_CN.UTF-8 LANG=C.UTF-8
zh||LC_ALL=zh_CN.UTF-8 LANG=C
en||LC_ALL=C LANG=zh_CN.UTF-8
zh||LANG=C.UTF-8 LANGUAGE=zh_CN
en||LANG=C LANGUAGE=zh_CN
zh||LANG=zh_CN.UTF-8 LOCPATH=/nonexistent
zh||LANG=zh_CN.GB18030 LOCPATH=/nonexistent
EOF
run badlang default -- --lang fr diagnose
check "--lang fr: one line, exit 64" \
	'[ "$(cat "$tmp/badlang.rc")" = 64 ] && [ "$(cat "$tmp/badlang.err")" = "ackprof: unknown language '"'fr'"' for --lang (zh or en)" ]'

# The catalog of the build tree is found beside the binary; a broken or hostile one
# (wrong directives, garbage) is ignored message by message, never a crash.
bin=$tmp/bin
mkdir -p "$bin/locale/zh_CN/LC_MESSAGES"
cp "$ACKPROF" "$bin/ackprof"
printf 'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "unknown option %%s (see ackprof --help)"\nmsgstr "%%n%%s%%s%%s"\n\nmsgid "missing -c CLUSTER_ID (see ackprof --help)"\nmsgstr "缺 %%s %%s %%d"\n' > "$tmp/bad.po"
msgfmt -o "$bin/locale/zh_CN/LC_MESSAGES/ackprof.mo" "$tmp/bad.po"
ACKPROF=$bin/ackprof run hostile default -- --lang zh diagnose --bogus
check "a translation with other printf directives falls back to English" \
	'[ "$(cat "$tmp/hostile.err")" = "$en" ] && [ "$(cat "$tmp/hostile.rc")" = 64 ]'
ACKPROF=$bin/ackprof run hostile2 default -- --lang zh diagnose -n x -p y
check "a translation that adds an argument falls back to English" \
	'[ "$(cat "$tmp/hostile2.err")" = "ackprof: missing -c CLUSTER_ID (see ackprof --help)" ]'
# Issue 19: a directive may not carry a width or precision larger than the original's
# (a hostile catalog could pad gigabytes): such a translation is English.
printf 'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "unknown option %%s (see ackprof --help)"\nmsgstr "未知选项 %%99999s"\n\nmsgid "missing -c CLUSTER_ID (see ackprof --help)"\nmsgstr "缺 -c"\n' > "$tmp/wide.po"
msgfmt -o "$bin/locale/zh_CN/LC_MESSAGES/ackprof.mo" "$tmp/wide.po"
ACKPROF=$bin/ackprof run wide default -- --lang zh diagnose --bogus
check "a translation with a wider directive than the original's falls back to English" \
	'[ "$(cat "$tmp/wide.err")" = "$en" ] && [ "$(cat "$tmp/wide.rc")" = 64 ]'
head -c 300 /dev/urandom > "$bin/locale/zh_CN/LC_MESSAGES/ackprof.mo"
ACKPROF=$bin/ackprof run garbage default -- --lang zh diagnose --bogus
check "a garbage catalog: English, the same exit code" \
	'[ "$(cat "$tmp/garbage.err")" = "$en" ] && [ "$(cat "$tmp/garbage.rc")" = 64 ]'
rm -rf "$bin/locale"
ACKPROF=$bin/ackprof run nocat default -- --lang zh diagnose --bogus
check "no catalog at all: English" '[ "$(cat "$tmp/nocat.err")" = "$en" ]'

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
