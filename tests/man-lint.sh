#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# tests/man-lint.sh PAGE...: mandoc -Tlint on each manual page, one TAP-style line a page,
# then "N passed, N failed".
set -u
pass=0 fail=0 n=0
for page in "$@"; do
	n=$((n + 1))
	if out=$(mandoc -Tlint "$page" 2>&1) && [ -z "$out" ]; then
		pass=$((pass + 1)); echo "ok $n - mandoc -Tlint $page"
	else
		fail=$((fail + 1)); echo "not ok $n - mandoc -Tlint $page"
		printf '%s\n' "$out" | sed 's/^/#   /'
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
