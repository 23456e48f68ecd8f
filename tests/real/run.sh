#!/usr/bin/env bash
# make check-real: ackprof end to end through the real aliyun CLI (tests/real/cases/,
# run by tests/e2e/run.sh with tests/real/lib.sh), then the double against the real CLI
# byte for byte (tests/real/drift.sh).  The CLI is ALIYUN_REAL=/path/to/aliyun (>= 3.3.15),
# else the one in ../shared/realcli, unpacked into build/real (never into the tree).
# With neither, one line says the suite was skipped and why, and the tally counts it.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
shared=$top/../shared/realcli
real=${ALIYUN_REAL:-}
if [ -z "$real" ] && [ -x "$shared/unpack" ]; then
	real=$top/build/real/aliyun
	if [ ! -x "$real" ] || [ "$shared/aliyun-3.4.11-linux-amd64.xz" -nt "$real" ]; then
		"$shared/unpack" "$top/build/real" > /dev/null || { echo "check-real: cannot unpack $shared"; exit 1; }
	fi
fi
if [ -z "$real" ]; then
	echo "check-real: skipped: no real aliyun CLI (neither ../shared/realcli nor ALIYUN_REAL=/path/to/aliyun)"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi
[ -x "$real" ] || { echo "check-real: $real is not an executable file (ALIYUN_REAL)"; echo "0 passed, 1 failed"; exit 1; }
v=$(HOME=$(mktemp -d) "$real" version 2>/dev/null)
echo "# the real CLI: $real, version ${v:-unknown}"
status=0
REAL=$real bash "$top/tests/e2e/run.sh" ${CASES:-"$top"/tests/real/cases/*.case} || status=1
REAL=$real bash "$top/tests/real/drift.sh" || status=1
exit $status
