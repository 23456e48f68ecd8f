# SPDX-License-Identifier: Apache-2.0
"""ackprof end to end with the real Step 7: the aliyun test double for the CLI, but the
real SDK venv, the real create-cluster-vpc-endpoint-connection.py and the fake SysOM
server, ending in a report.  Also `ackprof doctor` and `ackprof setup-sdk` on that venv.
"""

import json
import os
import subprocess
from pathlib import Path

import pytest

from conftest import REPO, UA, clean_env, assert_no_secrets

ACKPROF = Path(os.environ.get("ACKPROF", REPO / "ackprof"))
DOUBLE = REPO / "tests" / "double" / "aliyun"
CLUSTER = "c4f1a9e27b8d34c6a9e0f5b2d7c81a3e6"

pytestmark = pytest.mark.skipif(not (ACKPROF.exists() and DOUBLE.exists()),
                                reason="build ackprof and the double first (make)")


def ackprof(home, fake, *args, scenario="default", venv=None, extra_env=None):
    env = clean_env(HOME=str(home), XDG_STATE_HOME=str(home / "state"),
                    XDG_DATA_HOME=str(home / "data"),
                    ACKPROF_SYSOM_TEST_ENDPOINT=fake.endpoint,
                    FAKE_ALIYUN_SCENARIO=scenario, FAKE_ALIYUN_LOG=str(home / "calls.log"))
    env.pop("XDG_RUNTIME_DIR", None)
    env.update(extra_env or {})
    # Each command takes only its own options (the command table): setup-sdk runs no aliyun.
    argv = [str(ACKPROF)] + list(args) + ["--scripts-dir", str(REPO / "scripts")]
    if args[0] != "setup-sdk":
        argv += ["--aliyun", str(DOUBLE)]
    if args[0] == "diagnose":
        argv += ["--poll-interval", "0", "--busy-wait", "0", "--yes"]
    if venv:
        argv += ["--sdk-venv", str(venv)]
    return subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=120, stdin=subprocess.DEVNULL)


def venv_of(sdk_python):
    return Path(sdk_python).parent.parent


def test_diagnose_with_the_real_step7_ends_in_a_report(sdk_python, home, fake):
    fake.reply({"code": "Success", "message": "success",
                "data": {"endpointConnectionId": "ep-bp1d7s9k2x4c6v8n0m3q"}, "requestId": "2D69"})
    r = ackprof(home, fake, "diagnose", "-c", CLUSTER, "-n", "default", "-p", "app-1", "-o", "json",
                scenario="critical", venv=venv_of(sdk_python))
    assert r.returncode == 2, r.stderr
    doc = json.loads(r.stdout)
    assert doc["overall_status"] == "Critical"
    step7 = [c for c in doc["calls"] if c["step"].startswith("VPC endpoint")]
    assert len(step7) == 1 and step7[0]["exit_code"] == 0
    # The fake SysOM saw exactly one signed CreateClusterVpcEndpointConnection for this cluster.
    assert len(fake.requests) == 1
    req = fake.requests[0]
    assert req.path == "/api/v1/k8sProxy/access/createClusterVpcEndpointConnection"
    assert req.json() == {"clusterId": CLUSTER, "region": "cn-hangzhou"}
    assert UA in req.headers.get("user-agent", "")
    # The CLI calls around it are the ones of the chain, in order.
    calls = (home / "calls.log").read_text().splitlines()
    assert calls[0] == "aliyun configure ai-mode enable"
    assert calls[-1] == "aliyun configure ai-mode disable"
    assert not any(c.startswith("python") for c in calls)  # the real interpreter ran, not the double
    assert_no_secrets(r)


def test_diagnose_stops_with_69_when_sysom_refuses_step7(sdk_python, home, fake):
    fake.reply({"code": "Sysom.ClusterNotFound", "message": "The specified ACK cluster was not found.",
                "requestId": "1E0D"}, status=200)
    r = ackprof(home, fake, "diagnose", "-c", CLUSTER, "-n", "default", "-p", "app-1", "-q",
                venv=venv_of(sdk_python))
    assert r.returncode == 69, r.stderr
    assert r.stderr.startswith("ackprof: Step 7: the VPC endpoint connection was not created (exit 1): "
                               "ERROR: Creation failed: Sysom.ClusterNotFound")
    calls = (home / "calls.log").read_text().splitlines()
    assert not any("invoke-diagnosis" in c for c in calls)
    assert calls[-1] == "aliyun configure ai-mode disable"


def test_diagnose_stops_with_77_naming_the_action_when_ram_refuses_step7(sdk_python, home, fake):
    fake.reply({"Code": "Forbidden.RAM", "Message": "User not authorized to operate on the specified resource.",
                "RequestId": "2A4C"}, status=403)
    r = ackprof(home, fake, "diagnose", "-c", CLUSTER, "-n", "default", "-p", "app-1", "-q",
                venv=venv_of(sdk_python))
    assert r.returncode == 77, r.stderr
    assert r.stderr.startswith("ackprof: Step 7: permission denied: ERROR: SysOM API error: HTTP 403 Forbidden.RAM")
    assert r.stderr.endswith("(grant the RAM user sysom:CreateClusterVpcEndpointConnection, then run again)\n")
    assert r.stderr.count("sysom:CreateClusterVpcEndpointConnection") == 1
    calls = (home / "calls.log").read_text().splitlines()
    assert not any("invoke-diagnosis" in c for c in calls)
    assert calls[-1] == "aliyun configure ai-mode disable"


def test_diagnose_with_a_missing_venv_stops_before_any_call(home, fake, tmp_path):
    r = ackprof(home, fake, "diagnose", "-c", CLUSTER, "-n", "default", "-p", "app-1",
                venv=tmp_path / "no-venv")
    assert r.returncode == 78
    assert "run: ackprof setup-sdk" in r.stderr
    assert not (home / "calls.log").exists() or (home / "calls.log").read_text() == ""
    assert fake.requests == []


def test_setup_sdk_through_ackprof_is_idempotent(sdk_python, home, fake):
    r = ackprof(home, fake, "setup-sdk", venv=venv_of(sdk_python))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "nothing to do" in r.stdout


def test_doctor_reports_every_check_on_a_good_setup(sdk_python, home, fake):
    r = ackprof(home, fake, "doctor", venv=venv_of(sdk_python))
    assert "SysOM SDK importable" in r.stdout
    assert "[FAIL] SysOM SDK" not in r.stdout
    assert "[ok]   profile 'default' is valid" in r.stdout
    assert r.returncode == 0, r.stdout + r.stderr
    assert "LTAI" not in r.stdout


def test_doctor_says_setup_sdk_when_the_venv_is_broken(home, fake, tmp_path):
    broken = tmp_path / "venv"
    (broken / "bin").mkdir(parents=True)
    (broken / "bin" / "python").symlink_to("/nonexistent/python3")
    r = ackprof(home, fake, "doctor", venv=broken)
    assert r.returncode == 78
    assert "[FAIL] SysOM SDK importable" in r.stdout
    assert "fix: run: ackprof setup-sdk" in r.stdout
