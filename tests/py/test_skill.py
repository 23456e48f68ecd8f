# SPDX-License-Identifier: Apache-2.0
"""skill/ackprof-ack-pod-diagnosis/SKILL.md: it passes the Agent Skills reference validator
(skills-ref's `agentskills validate`) in the tree and as `make install` puts it, every
ackprof command in it runs on the simulator (the aliyun double) with the outcome it
documents (its `# exit A|B` comment), the bounded loop it teaches follows a task longer
than the first bound to its end, and it states its own rules and each exit code's meaning."""

import json
import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ACKPROF = Path(os.environ.get("ACKPROF", REPO / "ackprof"))
DOUBLE = REPO / "tests" / "double" / "aliyun"
SKILL_NAME = "ackprof-ack-pod-diagnosis"
SKILL_DIR = REPO / "skill" / SKILL_NAME
SKILL = SKILL_DIR / "SKILL.md"
AGENTSKILLS = Path(sys.executable).parent / "agentskills"   # skills-ref, in the test venv
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


def validate(path):
    assert AGENTSKILLS.exists(), "skills-ref is in tests/py/requirements.txt: rerun tests/py/run"
    return subprocess.run([str(AGENTSKILLS), "validate", str(path)], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, universal_newlines=True, timeout=60)


def test_the_reference_validator_accepts_the_skill_in_the_tree():
    r = validate(SKILL_DIR)
    assert r.returncode == 0 and "Valid skill" in r.stdout, r.stdout
    assert front_matter(SKILL.read_text())["name"] == SKILL_DIR.name


def test_the_reference_validator_accepts_the_installed_skill(tmp_path):
    r = subprocess.run(["make", "-s", "--no-print-directory", "-C", str(REPO), "install-skill",
                        "DESTDIR=" + str(tmp_path), "PREFIX=/opt/ackprof"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, timeout=60)
    assert r.returncode == 0, r.stdout
    installed = tmp_path / "opt/ackprof/share/ackprof/skills" / SKILL_NAME
    assert (installed / "SKILL.md").read_bytes() == SKILL.read_bytes()
    r = validate(installed)
    assert r.returncode == 0 and "Valid skill" in r.stdout, r.stdout


def test_the_validator_refuses_a_skill_in_a_misnamed_directory(tmp_path):
    """What the skill was before issue 21: skill/SKILL.md, the directory not its name."""
    bad = tmp_path / "skill"
    bad.mkdir()
    (bad / "SKILL.md").write_bytes(SKILL.read_bytes())
    r = validate(bad)
    assert r.returncode != 0 and "must match skill name" in r.stdout, r.stdout


def sim_env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FAKE_ALIYUN_", "ACKPROF_", "XDG_"))}
    env.update(HOME=str(tmp_path), XDG_STATE_HOME=str(tmp_path / "state"), ACKPROF_ALIYUN=str(DOUBLE),
               ACKPROF_SDK_VENV=str(REPO / "tests/double/venv"), ACKPROF_SCRIPTS_DIR=str(REPO / "scripts"),
               FAKE_ALIYUN_LOG=str(tmp_path / "calls.log"), **extra)
    return env


def test_every_command_runs_with_its_documented_outcome(tmp_path):
    text = SKILL.read_text()
    cmds = commands(text)
    assert any(c.startswith("ackprof diagnose") for c, _ in cmds)
    assert any(c.startswith("ackprof result") for c, _ in cmds)
    assert any(c.startswith("ackprof mcp") for c, _ in cmds)
    env = sim_env(tmp_path)
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


def test_every_diagnose_and_result_call_is_bounded():
    """An agent's shell tool stops a command after about 2 minutes: every call the skill
    teaches that polls carries --poll-max 9 (about 90 s at the default 10 s interval)."""
    polling = [c for c, codes in commands(SKILL.read_text())
               if c.startswith(("ackprof diagnose", "ackprof result")) and 64 not in codes]
    assert polling
    for c in polling:
        assert "--poll-max 9" in c, c


def test_the_bounded_loop_follows_a_task_longer_than_the_first_bound(tmp_path):
    """The loop the skill teaches, on the simulator: the first bounded call exits 4 with the
    task id in the JSON and on stderr; `ackprof result TASK_ID`, bounded the same way, is
    called until it is no longer 4; one task was invoked in all.  The skill's ~90 s bound is
    scaled down with --poll-interval (9 polls of 0.2 s), the live task runs 4 s."""
    cmds = commands(SKILL.read_text())
    first = next(c for c, _ in cmds if c.startswith("ackprof diagnose") and "--realtime" in c)
    follow = next(c for c, _ in cmds if c.startswith("ackprof result"))
    env = sim_env(tmp_path, FAKE_ALIYUN_TASK_MS="4000", FAKE_ALIYUN_STATE=str(tmp_path / "fs"))
    values = {"CLUSTER_ID": WARN, "NAMESPACE": "default", "POD": "app-1", "DESCRIPTION": "high load"}

    def run(cmd):
        for k, v in values.items():
            cmd = cmd.replace(k, v)
        argv = shlex.split(cmd) + ["--poll-interval", "0.2"]
        argv[0] = str(ACKPROF)
        return subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, universal_newlines=True, timeout=120)

    r = run(first)
    assert r.returncode == 4, r.stderr
    doc = json.loads(r.stdout)
    task = doc["task_id"]
    assert re.fullmatch(r"[A-Za-z0-9]+", task) and doc["polls"] == 9
    assert f"resume with: ackprof result {task}" in r.stderr
    values["TASK_ID"] = task
    for calls in range(1, 30):
        r = run(follow)
        if r.returncode != 4:
            break
        assert json.loads(r.stdout)["task_id"] == task
    assert r.returncode == 1, r.stderr     # the warn cluster: finished, Warn
    doc = json.loads(r.stdout)
    assert doc["task_id"] == task and doc["status"] == "Success" and doc["overall_status"] == "Warn"
    assert calls >= 1
    log = (tmp_path / "calls.log").read_text().splitlines()
    invokes = [line for line in log if "invoke-diagnosis" in line]
    assert len(invokes) == 1, invokes
    assert any(f"--task-id {task}" in line for line in log)


def section(text, title):
    m = re.search(r"^## " + re.escape(title) + r".*?$(.*?)(?=^## |\Z)", text, re.S | re.M)
    assert m, f"no section '## {title}'"
    return m.group(1)


def test_the_skill_states_its_own_rules():
    rules = " ".join(section(SKILL.read_text(), "The rules of this skill").split())
    assert re.search(r"Confirm the target .* before running", rules, re.S)
    assert re.search(r"Never act on SysOM's suggestions .* without the user's approval", rules, re.S)
    assert re.search(r"root cause and suggestions in the user's language", rules, re.S)


def test_each_exit_code_says_what_an_agent_does():
    table = section(SKILL.read_text(), "Read the exit code")
    rows = {}
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and re.fullmatch(r"[0-9, ]+", cells[0]):
            for code in cells[0].split(","):
                rows[int(code)] = cells[1] + " " + cells[2]
    for code in (0, 1, 2, 3, 4, 5, 64, 65, 69, 77, 78, 129, 130, 137, 143):
        assert code in rows, f"exit {code} is not in the table"
    for code in (129, 130, 143, 137):
        assert "interrupted" in rows[code] or "killed" in rows[code]
    assert "`aliyun configure ai-mode show`" in rows[137]
    assert "`aliyun configure ai-mode disable`" in rows[69] and "ai-mode disable` failed" in rows[69]
    assert "Wait" in rows[5] and "Never invoke" in rows[5]
    assert "Do not retry" in rows[64] and "Do not retry" in rows[65]
    assert "ackprof result TASK_ID" in rows[4] and "--poll-max" in rows[4]
