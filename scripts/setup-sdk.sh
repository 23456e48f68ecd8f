#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# setup-sdk.sh: build, check or repair the Python venv in which Step 7's
# create-cluster-vpc-endpoint-connection.py runs over the official SysOM SDK.
#
# usage: setup-sdk.sh [VENV_DIR]
#   VENV_DIR defaults to ${XDG_DATA_HOME:-$HOME/.local/share}/ackprof/.sysom-sdk-venv.
#   The interpreter is $PYTHON if set, else python3, else python (>= 3.8).
#   pip is configured the usual way (PIP_INDEX_URL, PIP_CERT, pip.conf, ...).
#
# A venv that already imports the pinned SDK at the pinned versions is left as
# it is (no pip call at all).  Anything else that is a venv (a missing or broken
# bin/python, a deleted package, other versions) is recreated from scratch: that
# is the one repair that always works, and it costs one install.  A directory
# that is not a venv is never touched.  Progress goes to stdout, errors to
# stderr as one "ERROR:" line; the exit status is 0 on success, 1 on failure,
# 2 on bad usage.
set -eu

# The pinned set.  Why these versions:
# - The published skill pinned alibabacloud_sysom20231230==1.18.0 with
#   alibabacloud_tea_openapi==0.3.12; pip cannot resolve that pair
#   (ResolutionImpossible): sysom 1.18.0 needs tea-openapi >= 0.4, and its
#   client imports alibabacloud_tea_openapi.utils_models and darabonba.core,
#   which only the 0.4 line (the darabonba rewrite) has.
# - So we take the current line, which resolves and imports together on
#   CPython 3.8 to 3.13: sysom20231230 3.1.0 (needs tea-openapi >=0.4.5,<1 and
#   darabonba-core >=1,<2), tea-openapi 0.4.6, credentials 1.0.12 (its
#   CLIProfileCredentialsProvider reads ~/.aliyun/config.json and honours
#   ALIBABA_CLOUD_PROFILE), and the Alibaba packages they pull in, each pinned:
#   credentials-api 1.0.1, gateway-spi 0.0.4, tea 0.4.3, tea-util 0.3.15,
#   darabonba-core 1.0.9.
# - Third-party dependencies (requests, aiohttp, cryptography, APScheduler,
#   aiofiles, ...) are left to pip within the ranges these packages declare:
#   pinning them would tie the venv to one Python (cryptography, aiohttp and
#   others drop old Pythons), and nothing of ours depends on their versions.
# Names are written with underscores, as in the installed .dist-info
# directories, so that importlib.metadata finds them on every Python >= 3.8.
PINS="alibabacloud_sysom20231230==3.1.0
alibabacloud_tea_openapi==0.4.6
alibabacloud_credentials==1.0.12
alibabacloud_credentials_api==1.0.1
alibabacloud_gateway_spi==0.0.4
alibabacloud_tea==0.4.3
alibabacloud_tea_util==0.3.15
darabonba_core==1.0.9"

# Run by the venv's python with the pins as arguments: what the Step 7 script
# imports must import, and every pin must be installed at its version.
CHECK='import sys
from importlib.metadata import version
import alibabacloud_sysom20231230.client, alibabacloud_sysom20231230.models
import alibabacloud_tea_openapi, alibabacloud_tea_openapi.utils_models
import alibabacloud_credentials, alibabacloud_credentials.client
for pin in sys.argv[1:]:
    name, want = pin.split("==")
    have = version(name)
    if have != want:
        sys.exit("%s is %s, not %s" % (name, have, want))'

# Messages come from ackprof's catalog through gettext(1) when it is installed (ackprof
# sets TEXTDOMAINDIR and the language for it); else in English.  t FORMAT [ARG...]:
# FORMAT translated, then printf'd with ARGs.  xgettext reads FORMAT (keyword t, say, die).
TEXTDOMAIN=ackprof
export TEXTDOMAIN
t() {
	fmt=$1
	shift
	if command -v gettext >/dev/null 2>&1; then
		fmt=$(gettext "$fmt") || fmt=$1
	fi
	# shellcheck disable=SC2059 # the format is ours, from the catalog
	printf -- "$fmt" "$@"
}
say() { printf '%s\n' "$(t "$@")"; }
die() { printf '%s\n' "$(t "$@")" >&2; exit 1; }
usage() { printf 'usage: setup-sdk.sh [VENV_DIR]\n' >&2; exit 2; }

# venv_check prints why the venv is not usable and fails, or succeeds quietly.
# -I keeps PYTHONPATH and the user site out; -B writes no .pyc, so a check
# never changes the venv.
venv_check() {
	if [ ! -x "$VENV_DIR/bin/python" ]; then
		say "%s/bin/python is missing" "$VENV_DIR"
		return 1
	fi
	# shellcheck disable=SC2086 # PINS is a list of words on purpose
	if out=$("$VENV_DIR/bin/python" -I -B -c "$CHECK" $PINS 2>&1); then
		return 0
	fi
	if [ -n "$out" ]; then printf '%s\n' "$out" | tail -n 1; else say "its python does not run"; fi
	return 1
}

sdk_version() { "$VENV_DIR/bin/python" -I -B -c 'import sys; from importlib.metadata import version; sys.stdout.write("alibabacloud-sysom20231230 %s, Python %d.%d" % ((version("alibabacloud_sysom20231230"),) + sys.version_info[:2]))'; }

case $# in
0)
	if [ -n "${XDG_DATA_HOME:-}" ] && [ "${XDG_DATA_HOME#/}" != "$XDG_DATA_HOME" ]; then
		base=$XDG_DATA_HOME
	elif [ -n "${HOME:-}" ]; then
		base=$HOME/.local/share
	else
		die "ERROR: neither XDG_DATA_HOME nor HOME is set; pass VENV_DIR"
	fi
	VENV_DIR=$base/ackprof/.sysom-sdk-venv
	;;
1)
	case $1 in
	-h|--help) printf 'usage: setup-sdk.sh [VENV_DIR]\n'; exit 0 ;;
	-*|'') usage ;;
	esac
	VENV_DIR=$1
	;;
*) usage ;;
esac

# 1. A good venv stays as it is.
if reason=$(venv_check); then
	say "SDK venv %s is already OK (%s); nothing to do." "$VENV_DIR" "$(sdk_version)"
	exit 0
fi

# 2. Decide what to do with what is there, before touching anything.
if [ -f "$VENV_DIR/pyvenv.cfg" ]; then
	action=repaired
	todo=$(t "SDK venv %s is not usable (%s); recreating it." "$VENV_DIR" "$reason")
elif [ ! -e "$VENV_DIR" ] || { [ -d "$VENV_DIR" ] && [ -z "$(ls -A "$VENV_DIR")" ]; }; then
	action=created
	todo=$(t "Creating the SDK venv in %s." "$VENV_DIR")
else
	die "ERROR: %s exists and is not a Python venv; refusing to replace it (remove it, or pass another VENV_DIR)" "$VENV_DIR"
fi

# 3. An interpreter: $PYTHON, else python3, else python; at least 3.8.
if [ -n "${PYTHON:-}" ]; then
	command -v "$PYTHON" >/dev/null 2>&1 || die "ERROR: PYTHON=%s is not an executable: point it at a Python >= 3.8." "$PYTHON"
	py=$PYTHON
elif command -v python3 >/dev/null 2>&1; then
	py=python3
elif command -v python >/dev/null 2>&1; then
	py=python
else
	die "ERROR: no Python interpreter found (tried python3, python); install Python >= 3.8 (Debian: apt-get install python3 python3-venv) or set PYTHON"
fi
ver=$("$py" -c 'import sys; sys.stdout.write("%d.%d" % sys.version_info[:2])' 2>/dev/null) ||
	die "ERROR: %s does not run: install Python >= 3.8, or set PYTHON." "$py"
major=${ver%%.*}
minor=${ver#*.}
if [ "$major" -lt 3 ] || { [ "$major" -eq 3 ] && [ "$minor" -lt 8 ]; }; then
	die "ERROR: Python %s (%s) is too old: the SysOM SDK needs Python >= 3.8; install one, or set PYTHON to it." "$ver" "$py"
fi
printf '%s\n' "$todo"
say "Using %s (Python %s)." "$py" "$ver"
"$py" -c 'import venv, ensurepip' >/dev/null 2>&1 ||
	die "ERROR: %s has no working venv module (Debian/Ubuntu: apt-get install python3-venv)." "$py"

# 4. Build the venv (--clear empties a broken one) and install the pins.
mkdir -p "$(dirname "$VENV_DIR")" || die "ERROR: cannot create the parent directory of %s." "$VENV_DIR"
"$py" -m venv --clear "$VENV_DIR" ||
	die "ERROR: could not create the venv %s with %s (Debian/Ubuntu: apt-get install python3-venv)." "$VENV_DIR" "$py"
vpy=$VENV_DIR/bin/python
# pip older than 21 cannot install the manylinux wheels of the SDK's
# dependencies (it would try to compile cryptography); the venv of an old
# Python 3.8 starts with such a pip.
pipmajor=$("$vpy" -m pip --version 2>/dev/null | sed -n 's/^pip \([0-9]*\).*/\1/p')
[ -n "$pipmajor" ] || die "ERROR: the venv %s has no pip (Debian/Ubuntu: apt-get install python3-venv)." "$VENV_DIR"
if [ "$pipmajor" -lt 21 ]; then
	say "Upgrading pip %s in the venv." "$pipmajor"
	"$vpy" -m pip install --quiet --disable-pip-version-check 'pip>=21' ||
		die "ERROR: pip could not upgrade itself in %s: check access to the package index (PIP_INDEX_URL, proxy)." "$VENV_DIR"
fi
say "Installing the SysOM SDK (pinned versions) with pip."
# shellcheck disable=SC2086
"$vpy" -m pip install --quiet --disable-pip-version-check --no-input $PINS ||
	die "ERROR: pip could not install the SysOM SDK into %s: see pip's messages above, and check access to the package index (PIP_INDEX_URL, proxy)." "$VENV_DIR"

# Bytecode for every module, even where pip was told not to compile (no-compile in pip.conf):
# without it each Step 7 run compiles the SDK again, about 1 s of CPU (bench/run 6).
# Best effort: a file that does not compile is the import check's business below.
"$vpy" -m compileall -q -j 0 "$("$vpy" -c 'import sysconfig; print(sysconfig.get_path("purelib"))')" \
	>/dev/null 2>&1 || true

# 5. Check what was built, the same way a later run will.
reason=$(venv_check) || die "ERROR: the SDK was installed into %s but does not import: %s" "$VENV_DIR" "$reason"
if [ $action = created ]; then
	say "SDK venv created at %s (%s)." "$VENV_DIR" "$(sdk_version)"
else
	say "SDK venv repaired at %s (%s)." "$VENV_DIR" "$(sdk_version)"
fi
here=$(cd "$(dirname "$0")" && pwd) || here=scripts
say "Step 7 runs: %s" "$vpy $here/create-cluster-vpc-endpoint-connection.py --region REGION --cluster-id CLUSTER_ID"
