#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# tests/spdx.sh: every source file carries "SPDX-License-Identifier: Apache-2.0"
# (tools/spdx --check), and the checker itself fails on a source file without it.
set -u
cd "$(dirname "$0")/.."
pass=0 fail=0 n=0
ok() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n - $1"; }
no() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $1"; }

if sh tools/spdx --check; then ok "every source file of the tree has the SPDX line"
else no "every source file of the tree has the SPDX line"; fi

t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
printf '/* x.c */\nint x;\n' > "$t/x.c"
printf '#!/bin/sh\necho hi\n' > "$t/run"; chmod 755 "$t/run"
printf '.Dd May 1, 2026\n' > "$t/x.1"
printf 'just data\n' > "$t/data.txt"
mkdir -p "$t/.ci" "$t/deploy"
printf '#!/usr/bin/env bash\nmake check\n' > "$t/.ci/run"
printf 'groups: []\n' > "$t/deploy/rules.yml"
printf '# x.mut\nfile: src/x.c\n' > "$t/x.mut"
printf 'msgid ""\nmsgstr ""\n' > "$t/zh_CN.po"
printf '#!/bin/sh\n# names the tag, "SPDX-License-Identifier: Apache-2.0", in a sentence\n' > "$t/prose"
printf '{"x": 1}\n' > "$t/data.json"
if sh tools/spdx --check "$t" 2>"$t/err"; then no "--check fails on a .c file without the line"
elif grep -q 'x.c: no' "$t/err" && ! grep -q 'data\.' "$t/err"; then ok "--check fails on a .c file without the line, names it, not data"
else no "--check names the file"; cat "$t/err"; fi
miss=
for f in .ci/run deploy/rules.yml x.mut zh_CN.po prose; do grep -q "spdx: $f: no" "$t/err" || miss="$miss $f"; done
if [ -z "$miss" ]; then ok "--check covers a script in a dotted directory, YAML, .mut, .po, and a tag named only in prose"
else no "--check misses:$miss"; cat "$t/err"; fi
sh tools/spdx "$t" >/dev/null
if sh tools/spdx --check "$t" 2>/dev/null && [ "$(head -n 1 "$t/run")" = '#!/bin/sh' ] &&
    [ "$(sed -n 2p "$t/run")" = '# SPDX-License-Identifier: Apache-2.0' ] && [ -x "$t/run" ] &&
    [ "$(head -n 1 "$t/x.c")" = '/* SPDX-License-Identifier: Apache-2.0 */' ] &&
    [ "$(head -n 1 "$t/x.1")" = '.\" SPDX-License-Identifier: Apache-2.0' ] &&
    [ "$(cat "$t/data.txt")" = 'just data' ] && [ "$(sed -n 2p "$t/.ci/run")" = '# SPDX-License-Identifier: Apache-2.0' ] &&
    [ "$(head -n 1 "$t/deploy/rules.yml")" = '# SPDX-License-Identifier: Apache-2.0' ]; then
	ok "tools/spdx adds the line as each language's comment, after #!, keeping the mode"
else no "tools/spdx adds the line as each language's comment"; fi
echo "$pass passed, $fail failed, 0 skipped"
[ $fail = 0 ]
