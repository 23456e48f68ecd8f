#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/pkg-meta.sh: who the package and the image say they come from, without building
# either.  tools/mkdeb --prepare (the source tree make deb would build) takes the
# Maintainer from DEB_MAINTAINER into debian/control and the changelog, refuses a
# malformed one before doing anything, and keeps debian/control's default otherwise;
# tools/source-url (the image's org.opencontainers.image.source) takes ACKPROF_SOURCE_URL,
# else the git remote origin as https without user or password, else its default, and
# refuses a URL with a user in it without echoing it.
# Ends with "N passed, N failed, N skipped".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/skip.sh"
ok() { pass=$((pass + 1)); echo "ok - $1"; }
no() { fail=$((fail + 1)); echo "not ok - $1"; [ -z "${2-}" ] || printf '%s\n' "$2" | sed 's/^/#   /'; }
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
version=$(sed -n 's/^VERSION[[:space:]]*=[[:space:]]*//p' "$top/Makefile")

if ! command -v dpkg-parsechangelog >/dev/null 2>&1; then
	skip "tools/mkdeb --prepare and DEB_MAINTAINER" "no dpkg-parsechangelog (dpkg-dev)" tool
else
	out=$(DEB_MAINTAINER='jane@example.org' sh "$top/tools/mkdeb" --prepare "$t/bad" 2>&1); rc=$?
	if [ $rc = 1 ] && [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] && grep -q "DEB_MAINTAINER must read 'Name <user@example.org>'" <<<"$out" &&
	    [ ! -e "$t/bad/ackprof-$version" ]; then
		ok "a malformed DEB_MAINTAINER: one line, exit 1, nothing prepared"
	else
		no "a malformed DEB_MAINTAINER (exit $rc)" "$out"
	fi
	m='Jane Doe <jane.doe@example.org>'
	out=$(DEB_MAINTAINER=$m sh "$top/tools/mkdeb" --prepare "$t/jane" 2>&1); rc=$?
	d=$t/jane/ackprof-$version/debian
	if [ $rc = 0 ] && [ "$(sed -n 's/^Maintainer: //p' "$d/control" 2>/dev/null)" = "$m" ] &&
	    [ "$(dpkg-parsechangelog -l "$d/changelog" -S Maintainer 2>&1)" = "$m" ]; then
		ok "DEB_MAINTAINER goes into debian/control and the changelog's trailer"
	else
		no "DEB_MAINTAINER into control and changelog (exit $rc)" "$out"$'\n'"$(grep -h '^Maintainer\|^ -- ' "$d/control" "$d/changelog" 2>&1)"
	fi
	out=$(env -u DEB_MAINTAINER sh "$top/tools/mkdeb" --prepare "$t/def" 2>&1); rc=$?
	d=$t/def/ackprof-$version
	if [ $rc = 0 ] && cmp -s "$d/debian/control" "$top/debian/control" && cmp -s "$d/debian/changelog" "$top/debian/changelog" &&
	    [ -f "$d/Makefile" ] && [ ! -e "$d/build" ] && [ ! -e "$d/.git" ]; then
		ok "without DEB_MAINTAINER the prepared tree keeps debian/ as it is, and holds no build/ nor .git"
	else
		no "without DEB_MAINTAINER (exit $rc)" "$out"
	fi
fi

url() { # url ORIGIN|- : tools/source-url in a scratch git tree with that origin
	r=$t/repo-$RANDOM; mkdir -p "$r/tools"; cp "$top/tools/source-url" "$r/tools/"
	git -C "$r" init -q 2>/dev/null
	[ "$1" = - ] || git -C "$r" remote add origin "$1"
	env -u ACKPROF_SOURCE_URL sh "$r/tools/source-url" 2>&1
}
default=$(sed -n 's/^default=//p' "$top/tools/source-url")
if ! command -v git >/dev/null 2>&1; then
	skip "tools/source-url from the git remote" "no git" tool
else
	bad=
	while IFS='|' read -r origin want; do
		got=$(url "$origin")
		[ "$got" = "$want" ] || bad+="origin $origin: got $got, want $want"$'\n'
	done <<EOF
git@github.com:someone/ackprof.git|https://github.com/someone/ackprof
https://user:s3cret@git.example.org/team/ackprof.git|https://git.example.org/team/ackprof
ssh://git@git.example.org:2222/team/ackprof|https://git.example.org:2222/team/ackprof
/srv/git/ackprof.git|$default
-|$default
EOF
	[ -z "$bad" ] && ok "the source label from the git remote: https, no user or password, .git cut; else the default" ||
	    no "the source label from the git remote" "$bad"
fi
out=$(ACKPROF_SOURCE_URL=https://example.org/ackprof sh "$top/tools/source-url" 2>&1)
[ "$out" = https://example.org/ackprof ] && ok "ACKPROF_SOURCE_URL is taken as given" || no "ACKPROF_SOURCE_URL" "$out"
bad=
for u in 'https://u:s3cret@example.org/x' 'ftp://example.org/x' 'https://example.org/a b' 'example.org'; do
	out=$(ACKPROF_SOURCE_URL=$u sh "$top/tools/source-url" 2>&1) && bad+="$u: accepted"$'\n'
	grep -q s3cret <<<"$out" && bad+="$u: echoed"$'\n'
	[ "$(printf '%s\n' "$out" | wc -l)" = 1 ] || bad+="$u: $out"$'\n'
done
[ -z "$bad" ] && ok "a URL with a user, another scheme or a space is refused in one line that does not echo it" ||
    no "bad ACKPROF_SOURCE_URL" "$bad"
echo "$pass passed, $fail failed, $skipped skipped"
[ $fail = 0 ]
