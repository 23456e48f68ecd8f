#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# fuzz/run.sh MODE SECONDS JOBS HARNESS...: what `make check`, `make fuzz` and
# `make pending` run, from fuzz/ (the Makefile builds first).
#   check    replay regressions/<h>/ (plain execution), then fuzz SECONDS on a fresh
#            copy of corpus/<h> in build/, JOBS harnesses at a time; one TAP line
#            per harness, in order, then a tally
#   fuzz     fuzz SECONDS with JOBS forked workers on build/corpus/<h> (kept between
#            runs); crashes, timeouts and OOMs are copied to pending/<h>/
#   pending  replay pending/<h>/ with the gated checks on (ACKPROF_FUZZ_PENDING=1):
#            inputs of findings not fixed yet; one that runs clean is fixed
set -u
mode=$1 secs=$2 jobs=$3
shift 3
B=build
# Sanitizer reports must reach libFuzzer as crashes; leaks are findings too.
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:symbolize=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
common="-rss_limit_mb=2048 -timeout=10"
n=0 pass=0 fail=0

# The files under a directory, one per line, sorted (README files are notes).
inputs() {
	[ -d "$1" ] && find "$1" -type f ! -name 'README*' | LC_ALL=C sort
}

# The executions of a run, from its log: the final stats, else the last status line.
execs() {
	e=$(sed -n 's/^stat::number_of_executed_units: *//p' "$1" | tail -n 1)
	[ -n "$e" ] || e=$(sed -n 's/^#\([0-9][0-9]*\).*/\1/p' "$1" | tail -n 1)
	echo "${e:-0}"
}

dict() {
	[ -f "dict/$1.dict" ] && echo "-dict=dict/$1.dict"
}

report() {	# ok|not-ok text
	n=$((n + 1))
	if [ "$1" = ok ]; then
		pass=$((pass + 1))
		echo "ok $n - $2"
	else
		fail=$((fail + 1))
		echo "not ok $n - $2"
	fi
}

# check, one harness: writes "ok|not-ok TEXT" to $B/results/$h.
check_one() {
	h=$1 bin=$B/$1 art=$B/artifacts/$1/
	rm -rf "$art"
	mkdir -p "$art"
	# 1. Every input that once crashed must run clean.
	regs=$(inputs "regressions/$h")
	if [ -n "$regs" ]; then
		# shellcheck disable=SC2086
		if ! ./$bin $common -artifact_prefix="$art" $regs >$B/logs/$h.regressions.log 2>&1; then
			echo "not-ok $h: a regression fails again (see fuzz/$B/logs/$h.regressions.log)" >$B/results/$h
			return
		fi
	fi
	# 2. Fuzz on a copy: the tree's corpus must not grow.
	rm -rf "$B/check-corpus/$h"
	mkdir -p "$B/check-corpus/$h"
	[ -d "corpus/$h" ] && cp corpus/$h/* "$B/check-corpus/$h/" 2>/dev/null
	# shellcheck disable=SC2046
	./$bin $common -max_total_time="$secs" -print_final_stats=1 \
	    -artifact_prefix="$art" $(dict $h) "$B/check-corpus/$h" >$B/logs/$h.log 2>&1
	rc=$?
	e=$(execs $B/logs/$h.log)
	found=$(inputs "$art" | wc -l)
	nregs=$(echo "$regs" | grep -c .)
	if [ $rc -eq 0 ] && [ "$found" -eq 0 ]; then
		echo "ok $h: $e execs, $nregs regressions replayed" >$B/results/$h
	else
		echo "not-ok $h: $e execs, exit $rc, finding(s) in fuzz/$art (log fuzz/$B/logs/$h.log)" >$B/results/$h
	fi
}

mkdir -p $B/logs $B/results
if [ "$mode" = check ]; then
	# JOBS harnesses at a time, each on one core; results printed in order.
	i=0
	for h in "$@"; do
		rm -f "$B/results/$h"
		check_one "$h" &
		i=$((i + 1))
		if [ $i -ge "$jobs" ]; then
			wait
			i=0
		fi
	done
	wait
	for h in "$@"; do
		if [ -f "$B/results/$h" ]; then
			read -r verdict text <"$B/results/$h"
		else
			verdict=not-ok text="$h: no result"
		fi
		report "$verdict" "$text"
	done
	echo "$pass passed, $fail failed"
	[ $fail -eq 0 ]
	exit
fi
for h in "$@"; do
	bin=$B/$h
	art=$B/artifacts/$h/
	rm -rf "$art"
	mkdir -p "$art"
	case $mode in
	fuzz)
		mkdir -p "$B/corpus/$h"
		[ -d "corpus/$h" ] && cp -n corpus/$h/* "$B/corpus/$h/" 2>/dev/null
		# shellcheck disable=SC2046
		./$bin $common -max_total_time="$secs" -fork="$jobs" -ignore_crashes=1 \
		    -ignore_timeouts=1 -ignore_ooms=1 -print_final_stats=1 \
		    -artifact_prefix="$art" $(dict $h) "$B/corpus/$h" >$B/logs/$h.fuzz.log 2>&1
		e=$(execs $B/logs/$h.fuzz.log)
		found=$(inputs "$art" | wc -l)
		if [ "$found" -eq 0 ]; then
			report ok "$h: $e execs, corpus $(ls "$B/corpus/$h" | wc -l) inputs"
		else
			mkdir -p "pending/$h"
			cp "$art"* "pending/$h/"
			report not-ok "$h: $e execs, $found finding(s) copied to fuzz/pending/$h/ (log fuzz/$B/logs/$h.fuzz.log)"
		fi
		;;
	pending)
		# The checks of unfixed findings are on only here (fuzz.h, fuzz_pending).
		for f in $(inputs "pending/$h"); do
			if ACKPROF_FUZZ_PENDING=1 ./$bin $common -artifact_prefix="$art" "$f" >$B/logs/$h.pending.log 2>&1; then
				report ok "$h: $f runs clean now: move it to regressions/$h/ and drop its gate"
			else
				report not-ok "$h: $f still fails # TODO unfixed finding, see README.md"
			fi
		done
		;;
	*)
		echo "usage: run.sh check|fuzz|pending SECONDS JOBS HARNESS..." >&2
		exit 64
		;;
	esac
done
if [ "$mode" = pending ]; then
	echo "$pass fixed, $fail still failing"
	exit 0
fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
