# SPDX-License-Identifier: Apache-2.0
"""`ackprof mcp` driven by real MCP clients, against the aliyun double.

The official MCP Python SDK (`mcp` from PyPI, pinned in requirements.txt) does the
handshake, lists the tools, calls every tool (it validates structuredContent against
each tool's outputSchema itself), follows progress, cancels a call, reads a reply in
Chinese, and sees a diagnosis longer than the answer bound come back as a running task
that get_diagnosis_result then completes.  Where npm is available, the MCP Inspector's
CLI mode (TypeScript SDK, pinned) lists the tools and calls one.

Two SDK releases run this file (tests/py/run): the pinned one of requirements.txt (1.x)
and the newest (requirements-mcp-latest.txt, 2.x).  The tests speak 1.x; Session and
Compat below carry them over 2.x's changes: attributes in snake_case
(InitializeResult.protocol_version, CallToolResult.structured_content, ...),
read_timeout_seconds a float, ClientNotification a union (no wrapper), and a request the
caller abandons cancelled by the SDK itself (notifications/cancelled).
"""

import importlib.metadata
import inspect
import json
import os
import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import anyio
import jsonschema
import pydantic
import pytest
from mcp import ClientSession, StdioServerParameters, types
from mcp.client.stdio import stdio_client

REPO = Path(__file__).resolve().parents[2]
ACKPROF = Path(os.environ.get("ACKPROF", REPO / "ackprof"))
DOUBLE = REPO / "tests" / "double" / "aliyun"
HEALTHY = "c4f1a9e27b8d34c6a9e0f5b2d7c81a3e6"
WARN = "c00000000000000000000000000000004"
SERVERLESS = "c00000000000000000000000000000002"
SLOW = "c00000000000000000000000000000008"          # always Running
INSPECTOR = "0.15.0"                                 # the last without engines node >= 22

SDK_MAJOR = int(importlib.metadata.version("mcp").split(".")[0])
# The version a handshake agrees on: the newest both speak (2.x knows a newer one that has no handshake).
try:
    from mcp.types.version import LATEST_HANDSHAKE_VERSION as HANDSHAKE
except ImportError:
    HANDSHAKE = types.LATEST_PROTOCOL_VERSION


def _snake(name):
    return re.sub(r"(?<!^)([A-Z])", lambda m: "_" + m.group(1).lower(), name)


def compat(v):
    """A result of either SDK, read with 1.x's names."""
    if isinstance(v, list):
        return [compat(x) for x in v]
    return Compat(v) if isinstance(v, pydantic.BaseModel) else v


class Compat:
    def __init__(self, o):
        self._o = o

    def __getattr__(self, name):
        try:
            return compat(getattr(self._o, name))
        except AttributeError:
            return compat(getattr(self._o, _snake(name)))


class Session:
    """A ClientSession of either SDK, called as 1.x is (read_timeout_seconds in seconds)."""
    def __init__(self, s):
        self._s = s

    async def call_tool(self, name, args, read_timeout_seconds=None, progress_callback=None):
        t = read_timeout_seconds
        if t is not None and SDK_MAJOR < 2:
            t = timedelta(seconds=t)
        return compat(await self._s.call_tool(name, args, read_timeout_seconds=t,
                                              progress_callback=progress_callback))

    def next_request_id(self):
        """The id the next request gets (1.x); 2.x's abandoned call is cancelled by the SDK."""
        return self._s._request_id if SDK_MAJOR < 2 else None

    async def cancel(self, rid):
        if SDK_MAJOR < 2:
            await self._s.send_notification(types.ClientNotification(types.CancelledNotification(
                params=types.CancelledNotificationParams(requestId=rid, reason="user"))))

    def __getattr__(self, name):
        f = getattr(self._s, name)
        if not inspect.iscoroutinefunction(f):
            return f

        async def call(*a, **k):
            return compat(await f(*a, **k))
        return call


pytestmark = pytest.mark.skipif(not (ACKPROF.exists() and DOUBLE.exists()),
                                reason="build ackprof and the double first (make)")


def server(home, *flags, env=None):
    e = {"HOME": str(home), "XDG_STATE_HOME": str(home / "state"), "XDG_DATA_HOME": str(home / "data"),
         "XDG_RUNTIME_DIR": "", "FAKE_ALIYUN_LOG": str(home / "calls.log"), "PATH": os.environ["PATH"]}
    e.update(env or {})
    args = ["mcp", "--aliyun", str(DOUBLE), "--sdk-venv", str(REPO / "tests/double/venv"),
            "--scripts-dir", str(REPO / "scripts"), "--poll-interval", "0", "--busy-wait", "0"] + list(flags)
    return StdioServerParameters(command=str(ACKPROF), args=args, env=e)


def calls(home):
    log = home / "calls.log"
    return log.read_text().splitlines() if log.exists() else []


def run(home, body, *flags, env=None):
    """Run body(session) inside a fresh server and session."""
    async def main():
        with open(home / "stderr.log", "w") as err:
            async with stdio_client(server(home, *flags, env=env), errlog=err) as (r, w):
                async with ClientSession(r, w) as s:
                    init = compat(await s.initialize())
                    return await body(Session(s), init)
    return anyio.run(main)


def doc(result):
    """The structured document; the second text block carries the same JSON."""
    assert result.structuredContent is not None
    assert json.loads(result.content[1].text) == result.structuredContent
    return result.structuredContent


def test_handshake_and_tools(tmp_path):
    async def body(s, init):
        tools = (await s.list_tools()).tools
        return init, tools
    init, tools = run(tmp_path, body)
    assert init.protocolVersion == HANDSHAKE
    assert init.serverInfo.name == "ackprof"
    by = {t.name: t for t in tools}
    assert sorted(by) == ["diagnose_pod", "diagnose_pods", "doctor", "get_diagnosis_result"]
    for t in tools:
        assert t.outputSchema["type"] == "object" and "state" in t.outputSchema["properties"]
        jsonschema.Draft202012Validator.check_schema(t.outputSchema)
        jsonschema.Draft202012Validator.check_schema(t.inputSchema)
        a = t.annotations
        # Honest: every tool but doctor switches ai-mode and updates plugins, none deletes anything.
        assert a.readOnlyHint is (t.name == "doctor") and a.destructiveHint is False and a.openWorldHint is True
    assert by["get_diagnosis_result"].annotations.idempotentHint is True
    assert by["doctor"].annotations.idempotentHint is True
    assert by["diagnose_pod"].annotations.idempotentHint is False
    assert "changes nothing" in by["doctor"].description and "plugins are updated" not in by["doctor"].description
    assert "plugins are updated" in by["diagnose_pod"].description
    since = by["diagnose_pod"].inputSchema["properties"]["since"]["pattern"]
    assert all(re.search(since, s) for s in ["2h", "90m", "1h30m", "1d2h3m4s"])
    assert not any(re.search(since, s) for s in ["90", "1h30", "", "2x", "h"])
    # Linear: an exponential pattern would not return from this in any reasonable time.
    assert re.search(since, "1" * 5000 + "x") is None


def test_every_tool_with_progress_and_issues(tmp_path):
    progress = []

    async def on_progress(p, total, message):
        progress.append((p, message))

    async def body(s, init):
        await s.list_tools()   # so that the SDK validates structuredContent against outputSchema
        d = await s.call_tool("diagnose_pod", {"cluster_id": WARN, "namespace": "default", "pod": "app-1",
                                               "description": "cpu throttled"}, progress_callback=on_progress)
        task = d.structuredContent["task_id"]
        g = await s.call_tool("get_diagnosis_result", {"task_id": task})
        b = await s.call_tool("diagnose_pods", {"targets": [
            {"cluster_id": HEALTHY, "namespace": "default", "pod": "a-1"},
            {"cluster_id": SERVERLESS, "namespace": "default", "pod": "b-1"}]})
        dr = await s.call_tool("doctor", {})
        return d, g, b, dr
    d, g, b, dr = run(tmp_path, body)
    s = doc(d)
    assert d.isError is False and s["state"] == "finished" and s["overall_status"] == "Warn"
    text = d.content[0].text
    assert text.startswith("Overall status: Warn (exit 1).")
    assert "Issues:" in text and "CPU throttling" in text          # the issues, for content-only hosts
    assert progress and [p for p, _ in progress] == sorted(p for p, _ in progress)
    assert doc(g)["state"] == "finished" and doc(g)["task_id"] == s["task_id"]
    sb = doc(b)
    assert b.isError is True and sb["exit_code"] == 65
    assert sorted(r["index"] for r in sb["results"]) == [0, 1]
    assert "targets[0] default/a-1: Info (exit 0)" in b.content[0].text
    assert "targets[1] default/b-1: exit 65: cluster c00000000000000000000000000000002 has profile 'Serverless'" \
        in b.content[0].text
    sd = doc(dr)
    assert dr.isError is False and sd["state"] == "finished"
    assert any(c["ok"] and c["check"].startswith("profile 'default' is valid") for c in sd["checks"])


def test_a_reply_in_chinese(tmp_path):
    async def body(s, init):
        return await s.call_tool("diagnose_pod", {"cluster_id": HEALTHY, "namespace": "default", "pod": "p",
                                                  "description": "昨天下午内存高"})
    r = run(tmp_path, body)
    assert r.isError is True
    assert "'昨天', '下午'" in r.content[0].text and "Ask the user" in r.content[0].text
    assert calls(tmp_path) == []


def test_cancellation_runs_cleanup_once(tmp_path):
    async def body(s, init):
        seen = anyio.Event()

        async def on_progress(p, total, message):
            if message and "poll 2" in message:
                seen.set()

        rid = s.next_request_id()
        async with anyio.create_task_group() as tg:
            async def call():
                await s.call_tool("diagnose_pod", {"cluster_id": SLOW, "namespace": "default", "pod": "p"},
                                  progress_callback=on_progress)
            tg.start_soon(call)
            with anyio.fail_after(60):
                await seen.wait()
            await s.cancel(rid)
            await s.send_ping()
            tg.cancel_scope.cancel()
        with anyio.fail_after(30):
            while not calls(tmp_path) or calls(tmp_path)[-1] != "aliyun configure ai-mode disable":
                await anyio.sleep(0.05)
        return await s.send_ping()
    run(tmp_path, body, "--poll-interval", "0.2")
    assert calls(tmp_path).count("aliyun configure ai-mode disable") == 1


def test_a_diagnosis_longer_than_the_bound(tmp_path):
    """The double's live mode: the task runs 3 s; every call answers within 1 s."""
    async def body(s, init):
        t = 30
        first = await s.call_tool("diagnose_pod", {"cluster_id": HEALTHY, "namespace": "default", "pod": "p"},
                                  read_timeout_seconds=t)
        again = await s.call_tool("diagnose_pod", {"cluster_id": HEALTHY, "namespace": "default", "pod": "p"},
                                  read_timeout_seconds=t)
        task = first.structuredContent["task_id"]
        results = []
        for _ in range(40):
            r = await s.call_tool("get_diagnosis_result", {"task_id": task}, read_timeout_seconds=t)
            results.append(r)
            if r.structuredContent["state"] != "running":
                break
        return first, again, results
    first, again, results = run(tmp_path, body, "--reply-within", "1", "--poll-interval", "0.1",
                                env={"FAKE_ALIYUN_TASK_MS": "3000", "FAKE_ALIYUN_STATE": str(tmp_path / "fs")})
    s = doc(first)
    assert first.isError is False and s["state"] == "running" and s["exit_code"] == 4
    # The "still running" document names its target and says where it stands (issue 21,
    # item 4); its next is the call itself, its hint beside it.
    assert s["task_id"] and s["next"] == {"tool": "get_diagnosis_result", "arguments": {"task_id": s["task_id"]}}
    assert s["next_hint"] == f"call get_diagnosis_result with task_id {s['task_id']}"
    assert (s["cluster_id"], s["namespace"], s["pod"]) == (HEALTHY, "default", "p")
    assert s["elapsed_seconds"] >= 1 and isinstance(s["polls"], int) and s["polls"] >= 0
    assert f"call get_diagnosis_result with task_id {s['task_id']}" in first.content[0].text
    # The same pod again while its task runs: that task is resumed, none is invoked.
    assert doc(again)["resumed"] is True and doc(again)["task_id"] == s["task_id"]
    last = doc(results[-1])
    assert last["state"] == "finished" and last["task_id"] == s["task_id"] and last["status"] == "Success"
    assert len([c for c in calls(tmp_path) if "invoke-diagnosis" in c]) == 1


def inspector():
    """The pinned MCP Inspector under build/, installed with npm; None without npm."""
    npm = shutil.which("npm")
    if npm is None:
        return None
    root = REPO / "build" / "inspector"
    cli = root / "node_modules" / ".bin" / "mcp-inspector"
    pkg = root / "node_modules" / "@modelcontextprotocol" / "inspector" / "package.json"
    if not cli.exists() or json.loads(pkg.read_text())["version"] != INSPECTOR:
        root.mkdir(parents=True, exist_ok=True)
        r = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--loglevel=error", "--prefix", str(root),
                            f"@modelcontextprotocol/inspector@{INSPECTOR}"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, timeout=600)
        assert r.returncode == 0, r.stdout
    return cli


def test_mcp_inspector_cli(tmp_path):
    cli = inspector()
    if cli is None:
        pytest.skip("npm not found: the MCP Inspector (TypeScript SDK) test is skipped")
    env = dict(os.environ, HOME=str(tmp_path), XDG_STATE_HOME=str(tmp_path / "state"),
               FAKE_ALIYUN_LOG=str(tmp_path / "calls.log"))
    env.pop("XDG_RUNTIME_DIR", None)
    base = [str(cli), "--cli", str(ACKPROF), "mcp", "--aliyun", str(DOUBLE), "--sdk-venv",
            str(REPO / "tests/double/venv"), "--scripts-dir", str(REPO / "scripts"), "--poll-interval", "0"]
    r = subprocess.run(base + ["--method", "tools/list"], env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, universal_newlines=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert sorted(t["name"] for t in json.loads(r.stdout)["tools"]) == \
        ["diagnose_pod", "diagnose_pods", "doctor", "get_diagnosis_result"]
    r = subprocess.run(base + ["--method", "tools/call", "--tool-name", "diagnose_pod",
                               "--tool-arg", f"cluster_id={HEALTHY}", "--tool-arg", "namespace=default",
                               "--tool-arg", "pod=app-1"], env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, universal_newlines=True, timeout=120)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["isError"] is False and out["structuredContent"]["overall_status"] == "Info"
    assert calls(tmp_path)[-1] == "aliyun configure ai-mode disable"


def test_the_bound_never_loses_a_task_in_flight(tmp_path):
    """invoke-diagnosis takes 1.5 s, the bound is 1 s: whatever the bound cuts, the pod gets one task."""
    async def body(s, init):
        args = {"cluster_id": HEALTHY, "namespace": "default", "pod": "p"}
        answers = []
        for _ in range(40):
            r = await s.call_tool("diagnose_pod", args, read_timeout_seconds=30)
            answers.append(r.structuredContent)
            if r.structuredContent["state"] == "finished":
                break
            with anyio.fail_after(30):   # the first worker has stopped (cleanup ran)
                while calls(tmp_path).count("aliyun configure ai-mode disable") < len(answers):
                    await anyio.sleep(0.05)
        return answers
    answers = run(tmp_path, body, "--reply-within", "1", env={"FAKE_ALIYUN_SCENARIO": "slow-invoke"})
    assert answers[-1]["state"] == "finished"
    assert answers[0]["state"] in ("not_started", "running")
    assert len([c for c in calls(tmp_path) if "invoke-diagnosis" in c]) == 1


def test_diagnose_pods_at_the_bound_then_again(tmp_path):
    """A bound of 2 s; one task of 2.5 s, one of 7 s.  diagnose_pods called again with the same
    targets follows the tasks it started: the short one's result, even once an answer at the
    bound carried it, comes back from its task, never from a second one; the long one is
    followed until it ends.  The argv log holds exactly two invokes, however slow the host."""
    short, long_ = HEALTHY, "c00000000000000000000000000000001"
    targets = [{"cluster_id": short, "namespace": "default", "pod": "a-1"},
               {"cluster_id": long_, "namespace": "default", "pod": "b-1"}]
    (tmp_path / "durations").write_text(f"{short} 2500\n{long_} 7000\n")

    async def body(s, init):
        answers = []
        for _ in range(40):
            r = await s.call_tool("diagnose_pods", {"targets": targets}, read_timeout_seconds=30)
            answers.append(doc(r))
            if r.structuredContent["state"] != "running":
                break
            with anyio.fail_after(30):   # the worker has stopped (cleanup ran)
                while calls(tmp_path).count("aliyun configure ai-mode disable") < len(answers):
                    await anyio.sleep(0.05)
        return answers
    answers = run(tmp_path, body, "--reply-within", "2", "--poll-interval", "0.1",
                  env={"FAKE_ALIYUN_TASK_MS": "7000", "FAKE_ALIYUN_TASK_MS_MAP": str(tmp_path / "durations"),
                       "FAKE_ALIYUN_STATE": str(tmp_path / "fs")})
    first, last = answers[0], answers[-1]
    assert first["state"] == "running" and first["next"].startswith("call diagnose_pods again with the same targets")
    assert first["running"] and all(r["task_id"] and r["index"] in (0, 1) for r in first["running"])
    assert last["state"] == "finished" and sorted(r["index"] for r in last["results"]) == [0, 1]
    invokes = [c for c in calls(tmp_path) if "invoke-diagnosis" in c]
    assert len(invokes) == 2 and ['"pod":"a-1"' in invokes[0] + invokes[1], '"pod":"b-1"' in invokes[0] + invokes[1]] \
        == [True, True]
    started = {r["task_id"] for a in answers for r in a["results"] + a.get("running", [])}
    assert started == {r["task_id"] for r in last["results"]} and len(started) == 2
    # Every task id an answer named is one of the two started, each followed by polls only.
    for t in started:
        assert any(c.startswith(f"aliyun sysom get-diagnosis-result --task-id {t} ") for c in calls(tmp_path))
