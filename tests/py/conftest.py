# SPDX-License-Identifier: Apache-2.0
"""Shared fixtures for the Step 7 tests: the SDK venv, a scratch HOME, the fake SysOM.

The venv comes from ACKPROF_TEST_VENV when set; otherwise scripts/setup-sdk.sh
builds it once into tests/py/.venv-cache, where later runs find it good and
leave it alone (setup-sdk.sh is idempotent), so `make check` twice installs once.
"""

import json
import os
import subprocess
from pathlib import Path

import pytest

from fake_sysom import FakeSysom

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "create-cluster-vpc-endpoint-connection.py"
SETUP = REPO / "scripts" / "setup-sdk.sh"
VENV_CACHE = Path(__file__).resolve().parent / ".venv-cache"

UA = "AlibabaCloud-Agent-Skills/alibabacloud-aes-ack-pod-performance-profiling"
OK_LINE = "[OK] Cluster VPC endpoint connection created successfully.\n"
# Two fake AK profiles, shaped like real ones, so the scrubbing is exercised.
PROFILES = {
    "default": ("LTAI5tTESTFAKEKEY00000001", "fakesecretfakesecretfakesecret12"),
    "second": ("LTAI5tTESTFAKEKEY00000002", "othersecretothersecretothersec34"),
}
SECRETS = dict(PROFILES.values())
# Variables the credential chain, the SDK or requests would read: none may leak
# in from the machine running the tests.
SCRUBBED_ENV_PREFIXES = ("ALIBABA_CLOUD_", "ALIBABACLOUD_", "ALICLOUD_", "ACKPROF_")
SCRUBBED_ENV = {"DEBUG", "PYTHONPATH", "PYTHONHOME", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY",
                "NO_PROXY", "http_proxy", "https_proxy", "all_proxy", "no_proxy"}


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: installs the SDK from the package index (deselect with -m 'not slow')")


@pytest.fixture(scope="session")
def sdk_python():
    """The venv interpreter that has the pinned SDK."""
    given = os.environ.get("ACKPROF_TEST_VENV")
    venv = Path(given) if given else VENV_CACHE
    if not given:
        r = subprocess.run(["sh", str(SETUP), str(venv)], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, universal_newlines=True, timeout=600)
        if r.returncode != 0:
            pytest.fail("scripts/setup-sdk.sh %s failed:\n%s" % (venv, r.stdout), pytrace=False)
    python = venv / "bin" / "python"
    if not python.exists():
        pytest.fail("ACKPROF_TEST_VENV=%s has no bin/python" % venv, pytrace=False)
    return str(python)


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items()
           if k not in SCRUBBED_ENV and not k.startswith(SCRUBBED_ENV_PREFIXES)}
    # Belt and braces: the script switches the ECS metadata provider off in
    # test mode itself, but a test must never reach 100.100.100.200 whatever
    # the script does.
    env["ALIBABA_CLOUD_ECS_METADATA_DISABLED"] = "true"
    env.update(extra)
    return env


def write_cli_config(home, current="default"):
    """HOME/.aliyun/config.json as the aliyun CLI writes it, with the PROFILES."""
    profiles = [{"name": name, "mode": "AK", "access_key_id": ak, "access_key_secret": secret,
                 "region_id": "cn-hangzhou", "output_format": "json", "language": "en"}
                for name, (ak, secret) in PROFILES.items()]
    d = Path(home) / ".aliyun"
    d.mkdir(parents=True, exist_ok=True)
    (d / "config.json").write_text(json.dumps({"current": current, "profiles": profiles,
                                               "meta_path": ""}, indent="\t"))
    (d / "config.json").chmod(0o600)


@pytest.fixture
def home(tmp_path):
    h = tmp_path / "home"
    h.mkdir()
    write_cli_config(h)
    return h


@pytest.fixture
def fake():
    with FakeSysom() as f:
        yield f


@pytest.fixture
def run_script(sdk_python, home, fake):
    """Run the Step 7 script against the fake; returns the CompletedProcess."""
    def run(*args, python=None, env=None, timeout=60):
        e = clean_env(HOME=str(home), ACKPROF_SYSOM_TEST_ENDPOINT=fake.endpoint)
        e.update(env or {})
        for k in [k for k, v in e.items() if v is None]:
            del e[k]
        return subprocess.run([python or sdk_python, str(SCRIPT)] + list(args), env=e,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True, timeout=timeout, stdin=subprocess.DEVNULL)
    return run


def assert_no_secrets(result):
    """No AccessKey id or secret of any profile in either stream."""
    for ak, secret in PROFILES.values():
        for stream in (result.stdout, result.stderr):
            assert ak not in stream
            assert secret not in stream

