# SPDX-License-Identifier: Apache-2.0
"""scripts/setup-sdk.sh: a fresh venv, a second run that changes nothing, repairs,
and the one-line errors.  The tests marked slow install from the package index
(through pip's cache); the others never reach it."""

import os
import re
import shutil
import stat
import subprocess
import sys

import pytest

from conftest import SETUP

SH = shutil.which("sh")

PIN_RE = re.compile(r"^([A-Za-z0-9_]+)==([0-9.]+)$", re.M)


def run_setup(*args, env=None, timeout=600):
    e = {k: v for k, v in os.environ.items() if k != "PYTHON"}
    e.update(env or {})
    return subprocess.run([SH, str(SETUP)] + [str(a) for a in args], env=e, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, universal_newlines=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def pins():
    """The pinned set, as written in the script."""
    text = SETUP.read_text()
    block = text[text.index('PINS="') + 6:]
    return dict(PIN_RE.findall(block[:block.index('"')]))


def snapshot(venv):
    """Every path under venv with its type, size and mtime: any change shows."""
    out = {}
    for root, dirs, files in os.walk(str(venv)):
        for name in dirs + files:
            p = os.path.join(root, name)
            st = os.lstat(p)
            out[os.path.relpath(p, str(venv))] = (stat.S_IFMT(st.st_mode), st.st_size, st.st_mtime_ns)
    return out


def sdk_imports(venv):
    code = ("import sys; from importlib.metadata import version; "
            "import alibabacloud_sysom20231230.client, alibabacloud_tea_openapi.utils_models, "
            "alibabacloud_credentials.client; print(version('alibabacloud_sysom20231230'))")
    r = subprocess.run([str(venv / "bin" / "python"), "-B", "-c", code], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, universal_newlines=True)
    return r.stdout.strip() if r.returncode == 0 else None


def one_error(r, code=1):
    assert r.returncode == code, (r.stdout, r.stderr)
    lines = r.stderr.splitlines()
    assert lines and lines[-1].startswith("ERROR: "), r.stderr
    return lines[-1]


def fake_python(tmp_path, version, venv_ok=True):
    """A stand-in interpreter that reports version and, unless venv_ok, lacks venv/ensurepip."""
    p = tmp_path / "fakepython"
    p.write_text("#!/bin/sh\n"
                 "case \"$*\" in\n"
                 "*ensurepip*) exit %d ;;\n"
                 "*version_info*) printf '%s' ;;\n"
                 "*) exit 1 ;;\n"
                 "esac\n" % (0 if venv_ok else 1, version))
    p.chmod(0o755)
    return p


# The slow part: one real install, then what later runs do with it.

@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    venv = tmp_path_factory.mktemp("setup") / "venv"
    return venv, run_setup(venv)


@pytest.mark.slow
def test_a_fresh_run_creates_a_venv_with_the_pinned_sdk(fresh):
    venv, r = fresh
    assert r.returncode == 0 and r.stderr == "", r.stderr
    assert "SDK venv created at %s" % venv in r.stdout
    assert sdk_imports(venv) == pins()["alibabacloud_sysom20231230"]
    freeze = subprocess.run([str(venv / "bin" / "python"), "-B", "-m", "pip", "freeze"],
                            stdout=subprocess.PIPE, universal_newlines=True).stdout.lower()
    freeze = freeze.replace("-", "_")
    for name, version in pins().items():
        assert "%s==%s" % (name, version) in freeze


@pytest.mark.slow
def test_a_second_run_changes_nothing_and_says_so(fresh):
    venv, _ = fresh
    before = snapshot(venv)
    r = run_setup(venv, timeout=60)
    assert r.returncode == 0 and r.stderr == ""
    assert r.stdout.startswith("SDK venv %s is already OK (" % venv)
    assert r.stdout.rstrip().endswith("nothing to do.")
    assert len(r.stdout.splitlines()) == 1
    assert snapshot(venv) == before


@pytest.mark.slow
def test_a_venv_missing_the_sdk_package_is_repaired(fresh):
    venv, _ = fresh
    [pkg] = venv.glob("lib/python3*/site-packages/alibabacloud_sysom20231230")
    shutil.rmtree(str(pkg))
    assert sdk_imports(venv) is None
    r = run_setup(venv)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    assert "is not usable (ModuleNotFoundError: No module named 'alibabacloud_sysom20231230'); recreating" in r.stdout
    assert "SDK venv repaired at %s" % venv in r.stdout
    assert sdk_imports(venv) == pins()["alibabacloud_sysom20231230"]


@pytest.mark.slow
def test_a_venv_missing_its_interpreter_is_repaired(fresh):
    venv, _ = fresh
    (venv / "bin" / "python").unlink()
    r = run_setup(venv)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    assert "bin/python is missing); recreating" in r.stdout
    assert sdk_imports(venv) == pins()["alibabacloud_sysom20231230"]


# The fast part: every refusal happens before pip runs, or pip is kept offline.

def test_every_pin_is_exact_and_the_sdk_and_its_alibaba_dependencies_are_pinned():
    text = SETUP.read_text()
    block = text[text.index('PINS="') + 6:]
    lines = block[:block.index('"')].splitlines()
    assert lines and all(PIN_RE.match(line) for line in lines), lines
    for name in ("alibabacloud_sysom20231230", "alibabacloud_tea_openapi", "alibabacloud_credentials",
                 "darabonba_core"):
        assert name in pins()


def test_no_python_at_all_is_one_error(tmp_path):
    bindir = tmp_path / "bin"
    bindir.mkdir()
    for tool in ("ls", "dirname", "mkdir", "sed", "tail"):
        os.symlink(shutil.which(tool), str(bindir / tool))
    r = run_setup(tmp_path / "venv", env={"PATH": str(bindir)})
    line = one_error(r)
    assert "no Python interpreter found" in line and "3.8" in line
    assert len(r.stderr.splitlines()) == 1
    assert not (tmp_path / "venv").exists()


def test_a_python_that_is_too_old_is_refused(tmp_path):
    r = run_setup(tmp_path / "venv", env={"PYTHON": str(fake_python(tmp_path, "3.7"))})
    assert "Python 3.7" in one_error(r) and "too old" in r.stderr and ">= 3.8" in r.stderr
    assert not (tmp_path / "venv").exists()


def test_a_python_without_venv_says_apt_get_install_python3_venv(tmp_path):
    r = run_setup(tmp_path / "venv", env={"PYTHON": str(fake_python(tmp_path, "3.11", venv_ok=False))})
    assert "apt-get install python3-venv" in one_error(r)
    assert not (tmp_path / "venv").exists()


def test_a_python_that_does_not_exist_is_refused(tmp_path):
    r = run_setup(tmp_path / "venv", env={"PYTHON": str(tmp_path / "nosuch")})
    assert "PYTHON=" in one_error(r)


def test_a_directory_that_is_not_a_venv_is_never_touched(tmp_path):
    d = tmp_path / "precious"
    d.mkdir()
    (d / "data").write_text("keep me")
    r = run_setup(d)
    assert "is not a Python venv; refusing" in one_error(r)
    assert sorted(os.listdir(str(d))) == ["data"] and (d / "data").read_text() == "keep me"


def test_the_default_venv_dir_is_under_xdg_data_home_then_home(tmp_path):
    # A non-venv directory in the default place makes the script name the
    # path it chose, and stop before doing anything.
    xdg = tmp_path / "xdg" / "ackprof" / ".sysom-sdk-venv"
    home = tmp_path / "home" / ".local" / "share" / "ackprof" / ".sysom-sdk-venv"
    for d in (xdg, home):
        d.mkdir(parents=True)
        (d / "data").write_text("x")
    r = run_setup(env={"XDG_DATA_HOME": str(tmp_path / "xdg"), "HOME": str(tmp_path / "home")})
    assert str(xdg) in one_error(r)
    env = {k: v for k, v in os.environ.items() if k not in ("XDG_DATA_HOME", "PYTHON")}
    env["HOME"] = str(tmp_path / "home")
    r = subprocess.run([SH, str(SETUP)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True, timeout=60)
    assert str(home) in one_error(r)


def test_a_pip_failure_is_one_error_line(tmp_path):
    # No index and an empty find-links directory: pip fails at once, offline.
    empty = tmp_path / "nowheels"
    empty.mkdir()
    r = run_setup(tmp_path / "venv", env={"PYTHON": sys.executable, "PIP_NO_INDEX": "1",
                                          "PIP_FIND_LINKS": str(empty)}, timeout=300)
    line = one_error(r)
    assert line.startswith("ERROR: pip could not install the SysOM SDK")
    assert "Creating the SDK venv" in r.stdout


def test_usage(tmp_path):
    r = run_setup(tmp_path / "a", tmp_path / "b")
    assert r.returncode == 2 and r.stderr == "usage: setup-sdk.sh [VENV_DIR]\n"
    r = run_setup("--help")
    assert r.returncode == 0 and r.stdout == "usage: setup-sdk.sh [VENV_DIR]\n"
