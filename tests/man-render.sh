#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# tests/man-render.sh PAGE...: each manual page rendered as a reader sees it, by mandoc
# (-Tutf8) and by groff (man -l), under C.UTF-8 (no zh_CN locale needed).  A rendering
# fails on an unbalanced quote (‘ without ’, “ without ”, or nested, per paragraph; an
# apostrophe between letters is no quote), on a '-' or '，' standing alone between blanks (a flag
# macro given punctuation, a broken enclosure), and the page on mandoc lint at warning
# level or above (style notes pass); groff's own errors too (not its "can't break line").  One TAP line each; "N passed, N failed, N skipped".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/skip.sh"
n=0
ok() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $1"; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ackprof-man.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# judge FILE: the faults of a rendering, one a line, with their line numbers.
judge() {
	python3 - "$1" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
text = re.sub(r".\x08", "", text)          # overstrike (bold, underline)
lines = text.split("\n")
para, start = [], 1
def check(para, start):
    s = "\n".join(para)
    s2 = re.sub(r"(?<=[A-Za-z])’(?=[A-Za-z])", "", s)    # it’s, SysOM’s
    for o, c in (("‘", "’"), ("“", "”")):
        depth, why = 0, None
        for ch in s2:
            if ch == o:
                depth += 1
                if depth > 1:
                    why = "%s inside %s%s" % (o, o, c)
            elif ch == c:
                depth -= 1
                if depth < 0:
                    why = "%s without %s" % (c, o)
            if why:
                break
        if why is None and depth:
            why = "%s without %s" % (o, c)
        if why:
            print("line %d: unbalanced quotes (%s): %s" % (start, why,
                  " ".join(x.strip() for x in para)[:160]))
for i, l in enumerate(lines, 1):
    if re.search(r"(^|\s)(-|，)(\s|$|[，、。；：）])", l):
        print("line %d: a lone '-' or '，': %s" % (i, l.strip()))
    if l.strip():
        if not para:
            start = i
        para.append(l)
    else:
        if para:
            check(para, start)
        para = []
if para:
    check(para, start)
PY
}

for page in "$@"; do
	if out=$(mandoc -Tlint -Wwarning "$page" 2>&1) && [ -z "$out" ]; then
		ok "mandoc lint (warning and above) $page"
	else
		notok "mandoc lint (warning and above) $page"
		printf '%s\n' "$out" | sed 's/^/#   /'
	fi
	if command -v mandoc >/dev/null; then
		LANG=C.UTF-8 LC_ALL=C.UTF-8 mandoc -Tutf8 "$page" > "$tmp/mandoc" 2>&1
		bad=$(judge "$tmp/mandoc")
		if [ -z "$bad" ]; then ok "mandoc -Tutf8 $page renders cleanly"
		else notok "mandoc -Tutf8 $page"; printf '%s\n' "$bad" | sed 's/^/#   /'; fi
	else
		skip "mandoc -Tutf8 $page" "no mandoc" tool
	fi
	if command -v man >/dev/null && command -v groff >/dev/null; then
		LANG=C.UTF-8 LC_ALL=C.UTF-8 MANWIDTH=80 MAN_KEEP_FORMATTING= man -l "$page" > "$tmp/groff" 2> "$tmp/groff.err"
		bad=$(judge "$tmp/groff"; grep -v -e '^$' -e "can't break line" "$tmp/groff.err" | sed 's/^/groff: /')
		if [ -z "$bad" ]; then ok "man -l (groff) $page renders cleanly"
		else notok "man -l (groff) $page"; printf '%s\n' "$bad" | sed 's/^/#   /'; fi
	else
		skip "man -l (groff) $page" "no man or groff" tool
	fi
done
echo "$pass passed, $fail failed, $skipped skipped"
[ "$fail" -eq 0 ]
