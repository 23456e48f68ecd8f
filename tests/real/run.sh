#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# make check-real: ackprof end to end through the real aliyun CLI (tests/real/cases/,
# run by tests/e2e/run.sh with tests/real/lib.sh), then the double against the real CLI
# byte for byte (tests/real/drift.sh).  The CLI is ALIYUN_REAL=/path/to/aliyun (>= 3.3.15),
# else the one in ../shared/realcli, unpacked into build/real (never into the tree).
# Last, the RRSA profile of deploy/kubernetes through that CLI (tests/real/rrsa.sh).
# With neither, one line says the suite was skipped and why, and the tally counts it.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$top/build"
real=$("$top/tests/real/locate" 2> "$top/build/real.why")
case $? in
0) ;;
1)
	echo "check-real: skipped: $(cat "$top/build/real.why")"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0 ;;
*)
	echo "check-real: $(cat "$top/build/real.why")"
	echo "0 passed, 1 failed"
	exit 1 ;;
esac
h=$(mktemp -d "${TMPDIR:-/tmp}/ackprof-real.XXXXXX")
v=$(HOME=$h "$real" version 2>/dev/null)
rm -rf "$h"
echo "# the real CLI: $real, version ${v:-unknown}"
status=0
REAL=$real sh "$top/tests/script" "check-real: tests/e2e/run.sh" \
	bash "$top/tests/e2e/run.sh" ${CASES:-"$top"/tests/real/cases/*.case} || status=1
# The double imitates 3.4.11: another CLI's texts may differ (its version line does).
if [ "$v" = 3.4.11 ]; then
	REAL=$real sh "$top/tests/script" "check-real: tests/real/drift.sh" bash "$top/tests/real/drift.sh" || status=1
else
	echo "check-real: drift test skipped: the double imitates aliyun 3.4.11, this is ${v:-unknown}"
	echo "0 passed, 0 failed, 1 skipped"
fi
# deploy/kubernetes' RRSA profile (scripts/rrsa-profile.sh), as the real CLI sees it.
REAL=$real sh "$top/tests/script" "check-real: tests/real/rrsa.sh" bash "$top/tests/real/rrsa.sh" || status=1
exit $status
