#!/bin/sh
# tests/docs.sh ACKPROF: --help, README.md, man/ackprof.1 and man/zh_CN/ackprof.1 name
# every long flag and every exit code.  Prints "N passed, N failed".
set -u
bin=$1
top=$(cd "$(dirname "$0")/.." && pwd)
help=$("$bin" --help)
pass=0 fail=0
flags=$(printf '%s\n' "$help" | grep -oE -- '--[a-z][a-z-]+' | sort -u)
for f in $flags; do
	ok=1
	grep -E -- "^\.(It|Op).*(Fl|,) ${f#-}( |$)" "$top/man/ackprof.1" >/dev/null || { echo "not ok - man page lacks $f"; ok=0; }
	grep -E -- "^\.(It|Op).*(Fl|,) ${f#-}( |$)" "$top/man/zh_CN/ackprof.1" >/dev/null || { echo "not ok - the Chinese man page lacks $f"; ok=0; }
	grep -q -- "$f" "$top/README.md" || { echo "not ok - README.md lacks $f"; ok=0; }
	if [ $ok = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
for code in 0 1 2 3 4 5 64 65 69 77 78 130 143; do
	ok=1
	grep -qE "^\.It ($code\$|$code ,|.* $code ,|.*, $code\$)" "$top/man/ackprof.1" || { echo "not ok - man EXIT STATUS lacks $code"; ok=0; }
	grep -qE "^\.It ($code\$|$code ,|.* $code ,|.*, $code\$)" "$top/man/zh_CN/ackprof.1" || { echo "not ok - the Chinese man page's EXIT STATUS lacks $code"; ok=0; }
	grep -qE "\| $code \|" "$top/README.md" || { echo "not ok - README.md exit table lacks $code"; ok=0; }
	printf '%s\n' "$help" | grep -qE "(^| )$code " || { echo "not ok - --help lacks exit code $code"; ok=0; }
	if [ $ok = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
# README's table of which command takes which flag agrees with each command's --help.
for cmd in diagnose result batch mcp doctor setup-sdk; do
	ok=1
	row=$(grep -E "^\| \`$cmd\` \|" "$top/README.md") || { echo "not ok - README.md lacks a row for $cmd"; ok=0; }
	chelp=$("$bin" "$cmd" --help)
	for f in $(printf '%s\n' "$row" | grep -oE -- '(^|[ `])--?[a-z][a-z-]*' | tr -d ' `' | sort -u); do
		printf '%s\n' "$chelp" | grep -qE -- "(^|[ ,])$f( |,|$)" || { echo "not ok - README says $cmd takes $f, its --help does not"; ok=0; }
	done
	if [ $ok = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
