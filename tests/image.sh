#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/image.sh: the OCI image (build/ackprof-image.oci.tar, make image) as a user runs it,
# under buildah (vfs storage of its own in build/image-test, chroot isolation).
#  - its config: user 10001, entrypoint ackprof, the org.opencontainers.image.* labels;
#  - README's load lines: skopeo inspect/copy oci-archive:, podman load -i (scratch storage);
#  - what it holds (tests/image-contents.py, run inside it): small (no apt lists, caches,
#    compilers, foreign docs), the SDK venv compiled, NOTICE true to the venv's packages;
#  - it runs as that non-root user; `ackprof --version` and the bundled `aliyun version`
#    say what the host's build and the host's real CLI say;
#  - doctor and full diagnoses (tests/real/cases: doctor, healthy, warn, critical, json)
#    run inside the image through the image's real aliyun CLI, with the aliyun test double
#    mounted in (the tree at its own path) as the CLI's sysom plugin and as the logging
#    shim that points cs calls at tests/real/fake_server.py on loopback: each case must
#    pass, and print the same stdout, as the same case run on the host with the host's
#    build and the same real CLI.
# Needs root, buildah and the real CLI (../shared/realcli or ALIYUN_REAL); skipped, and
# counted so, otherwise.  Ends with "N passed, N failed, N skipped".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
img=$top/build/ackprof-image.oci.tar
pass=0 fail=0 skip=0 n=0
ok() { n=$((n + 1)); pass=$((pass + 1)); echo "ok $n - $1"; }
no() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $1"; [ -z "${2-}" ] || printf '%s\n' "$2" | sed 's/^/#   /'; }
finish() { echo "$pass passed, $fail failed, $skip skipped"; [ $fail = 0 ]; exit $?; }
cases="doctor healthy warn critical json"

why=
[ "$(id -u)" = 0 ] || why="needs root"
command -v buildah >/dev/null 2>&1 || why="needs buildah"
[ -f "$img" ] || why="no $img (make image)"
[ -x "$top/ackprof" ] && [ -x "$top/tests/double/aliyun" ] || why="needs the host build (make)"
hostreal=$("$top/tests/real/locate" 2>/dev/null) || why="no real aliyun CLI (../shared/realcli or ALIYUN_REAL)"
if [ -n "$why" ] && [ "${ACKPROF_CI:-}" = 1 ]; then
	no "the image test: $why, and CI must have it (tools/deps --pkg, make image)"; finish
fi
if [ -n "$why" ]; then
	for c in config "skopeo inspect and copy" "podman load" non-root --version "aliyun version" "setup-sdk" "image contents" $cases "same stdout"; do
		n=$((n + 1)); skip=$((skip + 1)); echo "ok $n - $c # SKIP $why"
	done
	finish
fi

s=$(mktemp -d /tmp/ackprof-image.XXXXXX)
store=$top/build/image-test
export STORAGE_DRIVER=vfs BUILDAH_ISOLATION=chroot
b() { buildah --root "$store/storage" --runroot "$store/run" --storage-driver vfs "$@"; }
ctr=
cleanup() { [ -z "$ctr" ] || b rm "$ctr" >/dev/null 2>&1; b rmi --all >/dev/null 2>&1; rm -rf "$s" "$store"; }
trap cleanup EXIT
rm -rf "$store"
ctr=$(b from --quiet "oci-archive:$img" 2>"$s/err") || { no "buildah from oci-archive:$img" "$(cat "$s/err")"; finish; }

# The config.
cfg=$(b inspect --format '{{.OCIv1.Config.User}}|{{.OCIv1.Config.Entrypoint}}|{{index .OCIv1.Config.Labels "org.opencontainers.image.licenses"}}|{{index .OCIv1.Config.Labels "org.opencontainers.image.version"}}|{{if index .OCIv1.Config.Labels "org.opencontainers.image.revision"}}rev{{end}}|{{if index .OCIv1.Config.Labels "org.opencontainers.image.source"}}src{{end}}' "$ctr" 2>&1)
version=$(sed -n 's/^VERSION[[:space:]]*=[[:space:]]*//p' "$top/Makefile")
want="10001:10001|[/usr/bin/ackprof]|Apache-2.0|$version|rev|src"
[ "$cfg" = "$want" ] && ok "config: user 10001, entrypoint ackprof, OCI labels (licenses, version, revision, source)" ||
    no "config" "got  $cfg"$'\n'"want $want"

rev=$(b inspect --format '{{index .OCIv1.Config.Labels "org.opencontainers.image.revision"}}' "$ctr" 2>/dev/null)
head=$(git -C "$top" rev-parse HEAD 2>/dev/null)
[ -z "$head" ] || [ "$rev" = "$head" ] ||
    echo "# note: the image was built at revision $rev, the tree is at $head: make image to test this one"

# README "Install": the archive is an OCI layout that its two load lines take, under the
# name README gives (scratch storage; skopeo and podman only load, they run nothing here).
sk() { [ "${ACKPROF_CI:-}" = 1 ] && no "$1: $2, and CI must have it (tools/deps --pkg)" ||
	{ n=$((n + 1)); skip=$((skip + 1)); echo "ok $n - $1 # SKIP $2"; }; }
if command -v skopeo >/dev/null 2>&1; then
	out=$(skopeo inspect --format '{{index .Labels "org.opencontainers.image.version"}} {{.Os}}/{{.Architecture}}' "oci-archive:$img" 2>&1)
	[ "$out" = "$version linux/$(dpkg --print-architecture)" ] && ok "skopeo inspect oci-archive: the archive is an OCI image ($out)" ||
	    no "skopeo inspect oci-archive:$img" "$out"
	out=$(skopeo copy --quiet "oci-archive:$img" "containers-storage:[vfs@$store/sk+$store/skrun]localhost/ackprof:$version" 2>&1) &&
	    out=$(skopeo inspect --format '{{.Name}}' "containers-storage:[vfs@$store/sk+$store/skrun]localhost/ackprof:$version" 2>&1) &&
	    [ "$out" = localhost/ackprof ] && ok "README's skopeo copy oci-archive:... containers-storage:localhost/ackprof:$version" ||
	    no "README's skopeo copy line" "$out"
else
	sk "skopeo inspect and README's skopeo copy line" "no skopeo"
fi
if command -v podman >/dev/null 2>&1; then
	out=$(podman --root "$store/pm" --runroot "$store/pmrun" --storage-driver vfs load -i "$img" 2>&1)
	grep -qx "Loaded image: localhost/ackprof:$version" <<<"$out" && ok "README's podman load -i: Loaded image: localhost/ackprof:$version" ||
	    no "README's podman load -i line" "$out"
	podman --root "$store/pm" --runroot "$store/pmrun" --storage-driver vfs rmi --all >/dev/null 2>&1
else
	sk "README's podman load line" "no podman"
fi

run() { b run --network host "$ctr" -- "$@"; }
out=$(run id -u 2>&1)
[ "$out" = 10001 ] && ok "it runs as the non-root user 10001" || no "non-root" "$out"

out=$(run ackprof --version 2>&1); host=$("$top/ackprof" --version 2>&1)
[ "$out" = "$host" ] && ok "ackprof --version in the image says what the host build says ($out)" ||
    no "ackprof --version" "image: $out"$'\n'"host:  $host"

h=$(mktemp -d); out=$(run aliyun version 2>&1); host=$(HOME=$h "$hostreal" version 2>&1); rm -rf "$h"
[ -n "$out" ] && [ "$out" = "$host" ] && ok "the bundled aliyun version says $out, as the host's real CLI" ||
    no "aliyun version" "image: $out"$'\n'"host:  $host"

# The SDK venv the image carries is whole for ackprof: setup-sdk, as the image's user, finds
# it good and changes nothing (no pip call, no network).
out=$(run ackprof setup-sdk 2>&1); rc=$?
[ $rc = 0 ] && grep -q '^SDK venv /opt/ackprof/sdk-venv is already OK (alibabacloud-sysom20231230 ' <<<"$out" &&
    ok "ackprof setup-sdk in the image: the SDK venv is already OK" || no "ackprof setup-sdk in the image (exit $rc)" "$out"

# What the image holds (small, bytecode compiled, the licences): tests/image-contents.py,
# run inside it as root by the SDK venv's python, one "ok - "/"not ok - " line per check.
out=$(b run --user 0:0 --network host --volume "$top:$top:ro" "$ctr" -- \
	/opt/ackprof/sdk-venv/bin/python -I "$top/tests/image-contents.py" 2>&1)
rc=$?
grep -qx '# image-contents: done' <<<"$out" || no "tests/image-contents.py ran to its end in the image (exit $rc)" "$(tail -n 15 <<<"$out")"
what= detail=
flush() { [ -z "$what" ] || no "image contents: $what" "$detail"; what= detail=; }
while IFS= read -r l; do
	case $l in
	"ok - "*) flush; ok "image contents: ${l#ok - }" ;;
	"not ok - "*) flush; what=${l#not ok - } ;;
	"#   "*) detail+="${detail:+$'\n'}${l#\#   }" ;;
	esac
done <<<"$out"
flush

# ackprof inside the image: the tree (the double, the fixtures) and the scratch root
# mounted at their own paths; the case's scratch HOME handed to the image's user.
cat > "$s/ackprof-in-image" <<WRAP
#!/usr/bin/env bash
args=()
while IFS= read -r -d '' kv; do
	case \${kv%%=*} in
	FAKE_ALIYUN_* | ALIBABA_CLOUD_* | HTTPS_PROXY | HTTP_PROXY | NO_PROXY | https_proxy | http_proxy | no_proxy | \\
	HOME | TMPDIR | LANG | LANGUAGE | LC_* | XDG_* | ACKPROF_* | NO_COLOR | DEBUG) args+=(--env "\$kv") ;;
	esac
done < <(env -0)
case \$HOME in $s/*)
	chown -R 10001:10001 "\$HOME"
	d=\$(dirname "\$HOME"); while [ "\$d" != "$s" ] && [ "\$d" != / ]; do chmod o+x "\$d"; d=\$(dirname "\$d"); done ;;
esac
# buildah's own words on a non-zero exit ("subprocess exited with status N", "Error: exit
# status N") are dropped from stderr; the rest, and the exit status, are ackprof's.
err=\$(mktemp "$s/err.XXXXXX")
buildah --root "$store/storage" --runroot "$store/run" --storage-driver vfs run --network host \\
	--volume "$top:$top:ro" --volume "$s:$s" --workingdir "\$PWD" "\${args[@]}" "$ctr" -- /usr/bin/ackprof "\$@" 2> "\$err"
rc=\$?
grep -Ev '^(subprocess exited with status [0-9]+|Error: exit status [0-9]+)\$' "\$err" >&2
rm -f "\$err"
exit \$rc
WRAP
chmod 755 "$s/ackprof-in-image"
chmod 711 "$s"
files=(); for c in $cases; do files+=("$top/tests/real/cases/$c.case"); done
mkdir -p "$s/host" "$s/image"
TMPDIR=$s/host KEEP=1 REAL=$hostreal ACKPROF=$top/ackprof bash "$top/tests/e2e/run.sh" "${files[@]}" > "$s/host.log" 2>&1
TMPDIR=$s/image KEEP=1 REAL=/usr/local/bin/aliyun OWN_PID=0 ACKPROF=$s/ackprof-in-image bash "$top/tests/e2e/run.sh" "${files[@]}" > "$s/image.log" 2>&1
for c in $cases; do
	if grep -q "^ok .*\b$c\b" "$s/image.log" && ! grep -q "^not ok .*\b$c\b" "$s/image.log"; then
		ok "in the image, through its real CLI and the double as the sysom plugin: $c"
	else
		no "in the image: $c" "$(grep -A12 "\b$c\b" "$s/image.log" | head -n 30)"
	fi
done
# The same bytes, once the scratch root and the measured durations are masked.
# The run's own clock (the report's "Report at" line, the JSON's started_at and finished_at)
# differs between the two runs by design.
norm() {
	sed -E "s|$2|ROOT|g; s/(\"[a-z_]*_ms\":[[:space:]]*)[0-9]+/\1N/g; s/^(  Report at: +).*/\1T/;
	    s/(\"(started|finished)_at\":[[:space:]]*)\"[^\"]*\"/\1T/g" "$1" 2>&1
}
same=1 diffs=
for c in $cases; do
	hs=$(ls "$s"/host/ackprof-e2e.*/"$c"/stdout 2>/dev/null); is=$(ls "$s"/image/ackprof-e2e.*/"$c"/stdout 2>/dev/null)
	hr=${hs%/"$c"/stdout}; ir=${is%/"$c"/stdout}
	if [ -z "$hs" ] || [ -z "$is" ] || ! cmp -s <(norm "$hs" "$hr") <(norm "$is" "$ir"); then
		same=0; diffs+="$c: $(diff <(norm "$hs" "$hr") <(norm "$is" "$ir") | head -n 10)"$'\n'
	fi
done
grep -q '^5 passed, 0 failed' "$s/host.log" || { same=0; diffs+="host run: $(tail -n 20 "$s/host.log")"; }
[ $same = 1 ] && ok "each case prints the same stdout in the image as on the host" || no "same stdout as the host" "$diffs"
finish
