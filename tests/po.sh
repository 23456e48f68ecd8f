#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# tests/po.sh: every catalog po/LANG.po passes msgfmt --check, and translates every
# message of the sources (po/ackprof.pot, made afresh by `make pot`): a message that is
# missing, untranslated or fuzzy fails.  The check is shown to fail on a message the
# catalogs cannot know.  Prints "N passed, N failed".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ackprof-po.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
notok() { fail=$((fail + 1)); echo "not ok - $1"; }

make -s -C "$top" --no-print-directory po/ackprof.pot >/dev/null || { notok "make pot"; echo "$pass passed, $fail failed"; exit 1; }
pot=$top/po/ackprof.pot

# msgids [msgattrib options]: the msgids of $tmp/merged.po the options select, one a
# line (continuation lines joined), without the header.
msgids() {
	msgattrib --no-obsolete "$@" "$tmp/merged.po" | awk '
		/^msgid / { m = 1; s = substr($0, 7); next }
		m && /^"/ { s = s $0; next }
		m { if (s != "\"\"") print "msgid " s; m = 0 }'
}

# untranslated PO POT: the count of POT's messages, then those that PO lacks, leaves
# untranslated or marks fuzzy, one a line.
untranslated() {
	msgmerge -q --no-fuzzy-matching -o "$tmp/merged.po" "$1" "$2" 2>/dev/null || return 1
	msgids | wc -l
	msgids --untranslated
	msgids --only-fuzzy
	return 0
}

for po in "$top"/po/*.po; do
	l=$(basename "$po" .po)
	if msgfmt --check -o /dev/null "$po" 2> "$tmp/err"; then
		ok "$l: msgfmt --check"
	else
		notok "$l: msgfmt --check: $(head -3 "$tmp/err" | tr '\n' ' ')"
	fi
	untranslated "$po" "$pot" > "$tmp/u" || { notok "$l: msgmerge"; continue; }
	total=$(head -1 "$tmp/u")
	missing=$(sed 1d "$tmp/u" | wc -l)
	sed 1d "$tmp/u" | sed "s/^/# $l: no translation: /"
	if [ "$missing" -eq 0 ] && [ "$total" -gt 0 ]; then
		ok "$l: all $total messages of the sources translated"
	else
		notok "$l: $missing of $total messages of the sources not translated (make update-po, then translate them)"
	fi

	# The same check must fail when the sources gain a message.
	{ cat "$pot"; printf '\n#, c-format\nmsgid "a message no catalog knows %%s"\nmsgstr ""\n'; } > "$tmp/new.pot"
	untranslated "$po" "$tmp/new.pot" > "$tmp/u2"
	if sed 1d "$tmp/u2" | grep -q 'a message no catalog knows'; then
		ok "$l: a new untranslated message is caught"
	else
		notok "$l: a new untranslated message is not caught"
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
