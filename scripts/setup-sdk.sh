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

say() { printf '%s\n' "$*"; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }
usage() { printf 'usage: setup-sdk.sh [VENV_DIR]\n' >&2; exit 2; }

# venv_check prints why the venv is not usable and fails, or succeeds quietly.
# -I keeps PYTHONPATH and the user site out; -B writes no .pyc, so a check
# never changes the venv.
venv_check() {
	if [ ! -x "$VENV_DIR/bin/python" ]; then
		say "$VENV_DIR/bin/python is missing"
		return 1
	fi
	# shellcheck disable=SC2086 # PINS is a list of words on purpose
	if out=$("$VENV_DIR/bin/python" -I -B -c "$CHECK" $PINS 2>&1); then
		return 0
	fi
	printf '%s\n' "${out:-its python does not run}" | tail -n 1
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
		die "neither XDG_DATA_HOME nor HOME is set; pass VENV_DIR"
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
	say "SDK venv $VENV_DIR is already OK ($(sdk_version)); nothing to do."
	exit 0
fi

# 2. Decide what to do with what is there, before touching anything.
if [ -f "$VENV_DIR/pyvenv.cfg" ]; then
	action=repaired
	todo="SDK venv $VENV_DIR is not usable ($reason); recreating it."
elif [ ! -e "$VENV_DIR" ] || { [ -d "$VENV_DIR" ] && [ -z "$(ls -A "$VENV_DIR")" ]; }; then
	action=created
	todo="Creating the SDK venv in $VENV_DIR."
else
	die "$VENV_DIR exists and is not a Python venv; refusing to replace it (remove it, or pass another VENV_DIR)"
fi

# 3. An interpreter: $PYTHON, else python3, else python; at least 3.8.
if [ -n "${PYTHON:-}" ]; then
	command -v "$PYTHON" >/dev/null 2>&1 || die "PYTHON=$PYTHON is not an executable (point it at a Python >= 3.8)"
	py=$PYTHON
elif command -v python3 >/dev/null 2>&1; then
	py=python3
elif command -v python >/dev/null 2>&1; then
	py=python
else
	die "no Python interpreter found (tried python3, python); install Python >= 3.8 (Debian: apt-get install python3 python3-venv) or set PYTHON"
fi
ver=$("$py" -c 'import sys; sys.stdout.write("%d.%d" % sys.version_info[:2])' 2>/dev/null) ||
	die "$py does not run; install Python >= 3.8 or set PYTHON"
major=${ver%%.*}
minor=${ver#*.}
if [ "$major" -lt 3 ] || { [ "$major" -eq 3 ] && [ "$minor" -lt 8 ]; }; then
	die "Python $ver ($py) is too old: the SysOM SDK needs Python >= 3.8 (install one, or set PYTHON to it)"
fi
say "$todo"
say "Using $py (Python $ver)."
"$py" -c 'import venv, ensurepip' >/dev/null 2>&1 ||
	die "$py has no working venv module (Debian/Ubuntu: apt-get install python3-venv)"

# 4. Build the venv (--clear empties a broken one) and install the pins.
mkdir -p "$(dirname "$VENV_DIR")" || die "cannot create the parent directory of $VENV_DIR"
"$py" -m venv --clear "$VENV_DIR" ||
	die "could not create the venv $VENV_DIR with $py (Debian/Ubuntu: apt-get install python3-venv)"
vpy=$VENV_DIR/bin/python
# pip older than 21 cannot install the manylinux wheels of the SDK's
# dependencies (it would try to compile cryptography); the venv of an old
# Python 3.8 starts with such a pip.
pipmajor=$("$vpy" -m pip --version 2>/dev/null | sed -n 's/^pip \([0-9]*\).*/\1/p')
[ -n "$pipmajor" ] || die "the venv $VENV_DIR has no pip (Debian/Ubuntu: apt-get install python3-venv)"
if [ "$pipmajor" -lt 21 ]; then
	say "Upgrading pip $pipmajor in the venv."
	"$vpy" -m pip install --quiet --disable-pip-version-check 'pip>=21' ||
		die "pip could not upgrade itself in $VENV_DIR (check access to the package index: PIP_INDEX_URL, proxy)"
fi
say "Installing the SysOM SDK (pinned versions) with pip."
# shellcheck disable=SC2086
"$vpy" -m pip install --quiet --disable-pip-version-check --no-input $PINS ||
	die "pip could not install the SysOM SDK into $VENV_DIR (see pip's messages above; check access to the package index: PIP_INDEX_URL, proxy)"

# Bytecode for every module, even where pip was told not to compile (no-compile in pip.conf):
# without it each Step 7 run compiles the SDK again, about 1 s of CPU (bench/run 6).
# Best effort: a file that does not compile is the import check's business below.
"$vpy" -m compileall -q -j 0 "$("$vpy" -c 'import sysconfig; print(sysconfig.get_path("purelib"))')" \
	>/dev/null 2>&1 || true

# 5. Check what was built, the same way a later run will.
reason=$(venv_check) || die "the SDK was installed into $VENV_DIR but does not import: $reason"
say "SDK venv $action at $VENV_DIR ($(sdk_version))."
here=$(cd "$(dirname "$0")" && pwd) || here=scripts
say "Step 7 runs: $vpy $here/create-cluster-vpc-endpoint-connection.py --region REGION --cluster-id CLUSTER_ID"
