# SPDX-License-Identifier: Apache-2.0
"""skill/SKILL.md: the front matter parses, and every ackprof command in it runs on the
simulator (the aliyun double) with the outcome it documents (its `# exit A|B` comment)."""

import json
import os
import re
import shlex
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ACKPROF = Path(os.environ.get("ACKPROF", REPO / "ackprof"))
DOUBLE = REPO / "tests" / "double" / "aliyun"
SKILL = REPO / "skill" / "SKILL.md"
WARN = "c00000000000000000000000000000004"     # finishes at the first poll: no 10 s waits

pytestmark = pytest.mark.skipif(not (ACKPROF.exists() and DOUBLE.exists()),
                                reason="build ackprof and the double first (make)")


def front_matter(text):
    m = re.match(r"\A---\n(.*?)\n---\n", text, re.S)
    assert m, "SKILL.md must open with a --- front matter block"
    fields = {}
    for line in m.group(1).splitlines():
        k, sep, v = line.partition(":")
        assert sep and re.fullmatch(r"[a-z_]+", k), f"not a key: value line: {line!r}"
        fields[k] = v.strip()
    return fields


def commands(text):
    """(command, {exit codes}) for each ackprof line of the sh blocks, in order."""
    out = []
    for block in re.findall(r"```sh\n(.*?)```", text, re.S):
        for line in block.splitlines():
            if not line.startswith("ackprof "):
                continue
            m = re.fullmatch(r"(ackprof .*?)\s+# exit ([0-9|]+)", line)
            assert m, f"a command without its documented exit code: {line!r}"
            out.append((m.group(1), {int(x) for x in m.group(2).split("|")}))
    return out


def test_front_matter():
    f = front_matter(SKILL.read_text())
    assert set(f) == {"name", "description"}
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", f["name"]) and len(f["name"]) <= 64
    assert 0 < len(f["description"]) <= 1024 and "Use when" in f["description"]


def test_every_command_runs_with_its_documented_outcome(tmp_path):
    text = SKILL.read_text()
    cmds = commands(text)
    assert any(c.startswith("ackprof diagnose") for c, _ in cmds)
    assert any(c.startswith("ackprof result") for c, _ in cmds)
    assert any(c.startswith("ackprof mcp") for c, _ in cmds)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FAKE_ALIYUN_", "ACKPROF_", "XDG_"))}
    env.update(HOME=str(tmp_path), XDG_STATE_HOME=str(tmp_path / "state"), ACKPROF_ALIYUN=str(DOUBLE),
               ACKPROF_SDK_VENV=str(REPO / "tests/double/venv"), ACKPROF_SCRIPTS_DIR=str(REPO / "scripts"),
               FAKE_ALIYUN_LOG=str(tmp_path / "calls.log"))
    now = time.time()
    fmt = lambda t: time.strftime("%Y-%m-%d %H:%M", time.localtime(t))  # noqa: E731
    values = {"CLUSTER_ID": WARN, "NAMESPACE": "default", "POD": "app-1", "DESCRIPTION": "high load",
              "START": fmt(now - 7200), "END": fmt(now - 3600)}
    for cmd, codes in cmds:
        for k, v in values.items():
            cmd = cmd.replace(k, v)
        assert "TASK_ID" not in cmd or "TASK_ID" in values, "run a diagnosis before resuming its task"
        argv = shlex.split(cmd)
        argv[0] = str(ACKPROF)
        r = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, universal_newlines=True, timeout=120)
        assert r.returncode in codes, f"{cmd}: exit {r.returncode}, documented {codes}\n{r.stderr}"
        if "-o json" in cmd and r.returncode != 64:
            doc = json.loads(r.stdout)
            if doc.get("task_id"):
                values["TASK_ID"] = doc["task_id"]
        if r.returncode == 64:
            assert "names a past time ('yesterday afternoon')" in r.stderr
