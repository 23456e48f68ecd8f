#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/completion.sh ACKPROF: the completion scripts written from the command table.
# bash: the real bash runs the script and its registered completion function is driven
# with COMP_WORDS, as bash does on TAB.  zsh and fish: parsed when installed.
# Prints "N passed, N failed, N skipped".
set -u
bin=$1
. "$(dirname "$0")/skip.sh"
check() { if [ "$2" = "$3" ]; then pass=$((pass + 1)); echo "ok - $1"; else fail=$((fail + 1)); echo "not ok - $1: got '$2', want '$3'"; fi; }

# complete WORD...: what bash offers for the last word (sorted, one line).
complete_words() {
	bash --norc --noprofile -c '
		bin=$1; shift
		source <("$bin" completion bash) || exit 3
		f=$(complete -p ackprof | sed -n "s/.*-F \([^ ]*\) .*/\1/p")
		[ -n "$f" ] || exit 4
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		COMPREPLY=()
		"$f" ackprof "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " " | sed "s/ $//"' sh "$bin" "$@"
}

check "ackprof dia<TAB> completes the command" "$(complete_words ackprof dia)" diagnose
check "ackprof diagnose --fr<TAB> completes --from" "$(complete_words ackprof diagnose --fr)" --from
check "ackprof diagnose -o <TAB> offers the formats" "$(complete_words ackprof diagnose -o '')" "json jsonl markdown text"
check "ackprof batch -o <TAB> offers only what batch takes (no markdown)" "$(complete_words ackprof batch -o '')" "json jsonl text"
check "ackprof batch --fail-on <TAB> offers the levels" "$(complete_words ackprof batch --fail-on '')" "critical error never warn"
check "ackprof batch --help offers no markdown, which batch refuses" "$("$bin" batch --help | grep -c markdown)" 0
check "ackprof --lang zh di<TAB> completes the command after a global option" "$(complete_words ackprof --lang zh di)" diagnose
check "ackprof --lang zh diagnose --fr<TAB> completes its options" "$(complete_words ackprof --lang zh diagnose --fr)" --from
check "ackprof --lang zh batch -o <TAB> offers batch's formats" "$(complete_words ackprof --lang zh batch -o '')" "json jsonl text"
check "ackprof version -o <TAB> offers text and json" "$(complete_words ackprof version -o '')" "json text"
check "ackprof completion <TAB> offers the shells" "$(complete_words ackprof completion '')" "bash fish zsh"
check "ackprof doctor --jo<TAB> offers nothing doctor does not take" "$(complete_words ackprof doctor --jo)" ""
# Each command: completing "-" offers exactly the long options of its --help.
for cmd in diagnose result batch mcp doctor setup-sdk completion version; do
	want=$("$bin" "$cmd" --help | grep -oE -- '^  (-., )?    ?--[a-z-]+|^  -., --[a-z-]+' | grep -oE -- '--[a-z-]+' | sort | tr '\n' ' ' | sed 's/ $//')
	check "ackprof $cmd -<TAB> offers what ackprof $cmd --help lists" "$(complete_words ackprof "$cmd" -)" "$want"
done
# fish completes from its own engine (complete -C), when installed.
fishc() { fish -c 'source $argv[1]; complete -C $argv[2] | cut -f1 | sort | string join " "' "$fishfile" "$1"; }
if command -v fish > /dev/null; then
	fishfile=$(mktemp); "$bin" completion fish > "$fishfile"
	check "fish: ackprof dia<TAB>" "$(fishc 'ackprof dia')" diagnose
	check "fish: ackprof diagnose --fr<TAB>" "$(fishc 'ackprof diagnose --fr')" --from
	check "fish: ackprof doctor --jo<TAB> offers nothing" "$(fishc 'ackprof doctor --jo')" ""
	check "fish: ackprof batch -o <TAB> offers only what batch takes" "$(fishc 'ackprof batch -o ')" "json jsonl text"
	check "fish: ackprof --lang zh di<TAB>" "$(fishc 'ackprof --lang zh di')" diagnose
	rm -f "$fishfile"
else
	skip "fish completion" "fish not installed" tool
fi
# zsh completes through its own completion system (compinit), driven in a zsh/zpty
# pseudo-terminal; each "got" line is what the terminal showed after TAB.
if command -v zsh > /dev/null; then
	zdir=$(mktemp -d); "$bin" completion zsh > "$zdir/_ackprof"
	bindir=$(cd "$(dirname "$bin")" && pwd)
	zout=$(cd "$zdir" && PATH="$bindir:$PATH" timeout 30 zsh -f -c '
		zmodload zsh/zpty
		zpty z zsh -f -i
		zpty -w z "PS1=\"P> \"; fpath=($1 \$fpath); autoload -Uz compinit; compinit -u -D; print RE\"\"ADY"
		zpty -r -m z out "*READY*"
		zpty -n -w z $'"'"'ackprof dia\t'"'"'
		zpty -r -m z out "*diagnose*" && print got-command
		zpty -n -w z $'"'"'\C-u'"'"'
		zpty -n -w z $'"'"'ackprof diagnose --fr\t'"'"'
		zpty -r -m z out "*--from*" && print got-option
		zpty -n -w z $'"'"'\C-u'"'"'
		zpty -n -w z $'"'"'ackprof doctor --jo\tX\n'"'"'
		zpty -r -m z out "*unknown option --jo*see*" && print -r -- "got-${${out##*unknown option }%% *}"
		zpty -d z' zsh "$zdir" 2>&1 | tr -d '\r')
	rm -rf "$zdir"
	check "zsh: ackprof dia<TAB>" "$(printf '%s\n' "$zout" | grep -c '^got-command$')" 1
	check "zsh: ackprof diagnose --fr<TAB>" "$(printf '%s\n' "$zout" | grep -c '^got-option$')" 1
	check "zsh: ackprof doctor --jo<TAB> offers nothing" "$(printf '%s\n' "$zout" | grep -o '^got---jo[A-Za-z]*' | head -1)" "got---joX"
else
	skip "zsh completion" "zsh not installed" tool
fi
"$bin" completion tcsh > /dev/null 2>&1
check "an unknown shell is a usage error" $? 64
for sh in zsh fish; do
	"$bin" completion "$sh" > /dev/null
	check "ackprof completion $sh writes a script" $? 0
	if command -v "$sh" > /dev/null; then
		if [ "$sh" = zsh ]; then zsh -n <("$bin" completion zsh); else fish --no-execute <("$bin" completion fish); fi
		check "$sh parses the script" $? 0
	else
		skip "$sh parses the script" "$sh not installed" tool
	fi
done
echo "$pass passed, $fail failed, $skipped skipped"
[ "$fail" -eq 0 ]
