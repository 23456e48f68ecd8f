#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# tests/install.sh: `make install` honours PREFIX and DESTDIR, and the installed binary
# looks for its scripts where they were installed.  Prints "N passed, N failed".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ackprof-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass + 1)); echo "ok - $1"; else fail=$((fail + 1)); echo "not ok - $1"; fi; }
# A copy of the tree, so that the PREFIX rebuild does not touch the tree's objects.
git -C "$top" ls-files -z | (cd "$top" && xargs -0 tar cf -) | (mkdir -p "$tmp/src" && cd "$tmp/src" && tar xf -)
make -C "$tmp/src" --no-print-directory -s ackprof >/dev/null 2>&1
make -C "$tmp/src" --no-print-directory -s install PREFIX=/opt/ackprof DESTDIR="$tmp/root" >/dev/null 2>&1
r=$tmp/root/opt/ackprof
check "the binary is in PREFIX/bin" '[ -x "$r/bin/ackprof" ]'
check "the manual is in PREFIX/share/man/man1" '[ -f "$r/share/man/man1/ackprof.1" ]'
check "the scripts are in PREFIX/share/ackprof/scripts" '[ -x "$r/share/ackprof/scripts/setup-sdk.sh" ] && [ -f "$r/share/ackprof/scripts/create-cluster-vpc-endpoint-connection.py" ]'
check "the JSON schemas are in PREFIX/share/ackprof/schema, one per kind" 'for k in diagnosis error dry_run batch_summary version; do cmp -s "$r/share/ackprof/schema/$k.schema.json" "$top/schema/$k.schema.json" || exit 1; done'
check "the agent skill is in PREFIX/share/ackprof/skills/NAME" 'cmp -s "$r/share/ackprof/skills/ackprof-ack-pod-diagnosis/SKILL.md" "$top/skill/ackprof-ack-pod-diagnosis/SKILL.md"'
check "the completions are in the usual directories" '[ -f "$r/share/bash-completion/completions/ackprof" ] && [ -f "$r/share/zsh/site-functions/_ackprof" ] && [ -f "$r/share/fish/vendor_completions.d/ackprof.fish" ]'
check "the installed bash completion is the binary's" '"$r/bin/ackprof" completion bash | cmp -s - "$r/share/bash-completion/completions/ackprof"'
out=$(env -u ACKPROF_SCRIPTS_DIR "$r/bin/ackprof" diagnose -c c4f1a9e27b8d34c6a9e0f5b2d7c81a3e6 -n default -p p --dry-run --yes -q 2>&1)
check "--scripts-dir defaults to where the scripts were installed" 'printf "%s\n" "$out" | grep -q " /opt/ackprof/share/ackprof/scripts/create-cluster-vpc-endpoint-connection.py "'
check "the Chinese catalog is in PREFIX/share/locale" '[ -f "$r/share/locale/zh_CN/LC_MESSAGES/ackprof.mo" ]'
check "the Chinese manual is in PREFIX/share/man/zh_CN/man1" '[ -f "$r/share/man/zh_CN/man1/ackprof.1" ]'
# Installed for real (no DESTDIR), the binary finds its catalog under PREFIX/share/locale.
make -C "$tmp/src" --no-print-directory -s install PREFIX="$tmp/prefix" >/dev/null 2>&1
out=$("$tmp/prefix/bin/ackprof" --lang zh --bogus 2>&1)
check "the installed binary finds its catalog under PREFIX/share/locale" \
	'[ "$out" = "ackprof: 未知选项 --bogus（参见 ackprof --help）" ]'
make -C "$tmp/src" --no-print-directory -s uninstall PREFIX=/opt/ackprof DESTDIR="$tmp/root" >/dev/null 2>&1
check "uninstall removes them" '[ ! -e "$r/bin/ackprof" ] && [ ! -e "$r/share/ackprof" ] && [ ! -e "$r/share/bash-completion/completions/ackprof" ] && [ ! -e "$r/share/fish/vendor_completions.d/ackprof.fish" ] &&
	[ ! -e "$r/share/locale/zh_CN/LC_MESSAGES/ackprof.mo" ] && [ ! -e "$r/share/man/zh_CN/man1/ackprof.1" ]'

# Issue 19, item 5: a DESTDIR and a PREFIX holding a space, a quote and a '$' (each a
# character, nothing expanded).  Nothing is created or removed outside DESTDIR: the
# listing of the scratch directory (the source copy's build products aside: the new
# PREFIX rebuilds cmd.o and i18n.o) is the same before install, after it and after
# uninstall.
odd=$tmp/"st age'q\$x"
pfx="/opt/a b'c\$d"
r=$odd/root$pfx
mkdir -p "$odd/keep" && : > "$odd/keep/file"
listing() { (cd "$tmp" && find . -path "./st age'q\$x/root" -prune -o -print | grep -v '^\./src/.*\.\(o\|stamp\)$' | grep -v '^\./src/ackprof$' | LC_ALL=C sort); }
: > "$tmp/odd.log"
before=$(listing)
make -C "$tmp/src" --no-print-directory -s install PREFIX="$pfx" DESTDIR="$odd/root" >"$tmp/odd.log" 2>&1
rc=$?
after=$(listing)
check "install with a space, a quote and a \$ in DESTDIR and PREFIX succeeds" '[ $rc = 0 ] && [ -x "$r/bin/ackprof" ]'
check "... puts every file under DESTDIR/PREFIX" '[ -f "$r/share/man/man1/ackprof.1" ] && [ -f "$r/share/ackprof/scripts/create-cluster-vpc-endpoint-connection.py" ] &&
	[ -f "$r/share/locale/zh_CN/LC_MESSAGES/ackprof.mo" ] && [ -f "$r/share/fish/vendor_completions.d/ackprof.fish" ]'
check "... creates nothing outside DESTDIR" '[ "$after" = "$before" ] && [ ! -e "/opt/a b'"'"'c" ] && [ ! -e "/opt/a b'"'"'c\$d" ]'
if [ "$after" != "$before" ]; then
	printf "%s\n" "$before" > "$tmp/before"; printf "%s\n" "$after" > "$tmp/after"
	diff "$tmp/before" "$tmp/after" | sed 's/^/# /' | head -20
fi
# (the dry run shows it shell-quoted)
want="'/opt/a b'\\''c\$d/share/ackprof/scripts/create-cluster-vpc-endpoint-connection.py'"
out=$(env -u ACKPROF_SCRIPTS_DIR "$r/bin/ackprof" diagnose -c c4f1a9e27b8d34c6a9e0f5b2d7c81a3e6 -n default -p p --dry-run --yes -q 2>&1)
check "... and the binary's scripts directory is PREFIX's, character for character" \
	'printf "%s\n" "$out" | grep -qF -- "$want"'
make -C "$tmp/src" --no-print-directory -s uninstall PREFIX="$pfx" DESTDIR="$odd/root" >>"$tmp/odd.log" 2>&1
check "uninstall removes them there" '[ ! -e "$r/bin/ackprof" ] && [ ! -e "$r/share/ackprof" ] && [ ! -e "$r/share/locale/zh_CN/LC_MESSAGES/ackprof.mo" ]'
check "... and removes nothing outside DESTDIR" '[ -f "$odd/keep/file" ] && [ "$(listing)" = "$before" ]'
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
