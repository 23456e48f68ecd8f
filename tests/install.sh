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
check "the agent skill is in PREFIX/share/ackprof/skill" 'cmp -s "$r/share/ackprof/skill/SKILL.md" "$top/skill/SKILL.md"'
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
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
