# SPDX-License-Identifier: Apache-2.0
# tests/skip.sh: sourced by the test scripts that may skip (tests/docs.sh,
# tests/completion.sh); they keep pass, fail and skipped counters.
pass=0 fail=0 skipped=0
# skip DESCRIPTION REASON [tool]: "ok - DESCRIPTION # SKIP REASON", counted as skipped,
# never as passed.  A skip for a missing tool that tools/deps --all installs is a failure
# under ACKPROF_CI=1 (.ci/run sets it): CI has every tool, so it must run the test.
skip() {
	if [ "${3:-}" = tool ] && [ "${ACKPROF_CI:-}" = 1 ]; then
		fail=$((fail + 1)); echo "not ok - $1: $2, and CI must have it (tools/deps --all)"
	else
		skipped=$((skipped + 1)); echo "ok - $1 # SKIP $2"
	fi
}
