# SPDX-License-Identifier: Apache-2.0
"""`ackprof mcp` driven by a scripted MCP client over stdio, against the aliyun double.

Covers initialize, tools/list, a healthy diagnosis, a non-Default cluster, bad input (no
aliyun call), the temporal-word rule, cancellation mid-poll (cleanup ran once), a
timeout then resume, diagnose_pods, doctor, and malformed JSON-RPC that must never kill
the server.
"""

import json
import os
import select
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ACKPROF = Path(os.environ.get("ACKPROF", REPO / "ackprof"))
DOUBLE = REPO / "tests" / "double" / "aliyun"
HEALTHY = "c4f1a9e27b8d34c6a9e0f5b2d7c81a3e6"       # not in clusters.map: the default world
SERVERLESS = "c00000000000000000000000000000002"
SLOW = "c00000000000000000000000000000008"          # always Running
UA = "AlibabaCloud-Agent-Skills/alibabacloud-aes-ack-pod-performance-profiling"

pytestmark = pytest.mark.skipif(not (ACKPROF.exists() and DOUBLE.exists()),
                                reason="build ackprof and the double first (make)")


class Client:
    def __init__(self, home, *flags, env=None):
        e = {k: v for k, v in os.environ.items()
             if not k.startswith(("FAKE_ALIYUN_", "ACKPROF_", "XDG_RUNTIME_DIR"))}
        e.update(HOME=str(home), XDG_STATE_HOME=str(home / "state"), XDG_DATA_HOME=str(home / "data"),
                 FAKE_ALIYUN_LOG=str(home / "calls.log"))
        e.update(env or {})
        argv = [str(ACKPROF), "mcp", "--aliyun", str(DOUBLE), "--sdk-venv", str(REPO / "tests/double/venv"),
                "--scripts-dir", str(REPO / "scripts"), "--poll-interval", "0", "--busy-wait", "0"] + list(flags)
        self.p = subprocess.Popen(argv, env=e, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
        self.buf = b""
        self.notes = []
        self.home = home

    def send(self, obj):
        data = obj if isinstance(obj, bytes) else json.dumps(obj).encode()
        self.p.stdin.write(data + b"\n")
        self.p.stdin.flush()

    def read(self, timeout=30):
        end = time.time() + timeout
        while b"\n" not in self.buf:
            left = end - time.time()
            assert left > 0, "no message from the server in time"
            r, _, _ = select.select([self.p.stdout], [], [], left)
            if r:
                chunk = os.read(self.p.stdout.fileno(), 65536)
                assert chunk, "the server closed stdout"
                self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def response(self, rid, timeout=30):
        """The response to request rid; notifications seen on the way are kept."""
        while True:
            m = self.read(timeout)
            if "id" in m and m.get("id") == rid and ("result" in m or "error" in m):
                return m
            self.notes.append(m)

    def call(self, rid, method, params=None, timeout=30):
        msg = {"jsonrpc": "2.0", "id": rid, "method": method}
        if params is not None:
            msg["params"] = params
        self.send(msg)
        return self.response(rid, timeout)

    def tool(self, rid, name, args, token=None, timeout=30):
        params = {"name": name, "arguments": args}
        if token is not None:
            params["_meta"] = {"progressToken": token}
        return self.call(rid, "tools/call", params, timeout)["result"]

    def close(self):
        self.p.stdin.close()
        rc = self.p.wait(timeout=30)
        self.p.stdout.close()
        self.p.stderr.close()
        return rc

    def calls(self):
        log = self.home / "calls.log"
        return log.read_text().splitlines() if log.exists() else []


@pytest.fixture
def client(tmp_path):
    clients = []

    def make(*flags, env=None):
        c = Client(tmp_path, *flags, env=env)
        c.call(0, "initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                                 "clientInfo": {"name": "pytest", "version": "1"}})
        c.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        clients.append(c)
        return c
    yield make
    for c in clients:
        if c.p.poll() is None:
            c.close()


def test_initialize_and_list_tools(client):
    c = client()
    tools = c.call(1, "tools/list")["result"]["tools"]
    names = sorted(t["name"] for t in tools)
    assert names == ["diagnose_pod", "diagnose_pods", "doctor", "get_diagnosis_result"]
    d = next(t for t in tools if t["name"] == "diagnose_pod")["inputSchema"]
    assert d["required"] == ["cluster_id", "namespace", "pod"]
    assert d["properties"]["cluster_id"]["pattern"] == "^c[0-9a-f]{32}$"
    assert d["additionalProperties"] is False
    assert c.close() == 0


def test_a_healthy_diagnosis_with_progress(client):
    c = client()
    r = c.tool(1, "diagnose_pod", {"cluster_id": HEALTHY, "namespace": "default", "pod": "app-1",
                                   "description": "pod oom"}, token="tok")
    assert r["isError"] is False
    assert r["structuredContent"]["overall_status"] == "Info"
    assert r["structuredContent"]["description"] == "pod_oom"
    assert r["content"][0]["text"].startswith("Overall status: Info (exit 0).")
    progress = [n for n in c.notes if n.get("method") == "notifications/progress"]
    assert progress and all(n["params"]["progressToken"] == "tok" for n in progress)
    values = [n["params"]["progress"] for n in progress]
    assert values == sorted(values) and len(set(values)) == len(values)
    calls = c.calls()
    assert calls[0] == "aliyun configure ai-mode enable"
    assert calls[-1] == "aliyun configure ai-mode disable"
    assert any(x.startswith("aliyun sysom invoke-diagnosis") and x.endswith(UA) for x in calls)


def test_a_result_with_credential_fields_of_every_type_is_a_result(client):
    # Issue 11, item 4: the worker's -o json was redacted as text, came out invalid, and
    # the tool answered "no result".
    c = client(env={"FAKE_ALIYUN_SCENARIO": "result-json-hostile"})
    r = c.tool(1, "diagnose_pod", {"cluster_id": HEALTHY, "namespace": "default", "pod": "app-1"})
    assert r["isError"] is False
    issue = r["structuredContent"]["issues"][0]
    assert issue["password"] == "****" and issue["authorization"] == "****"
    assert issue["signature"] is None and issue["path"].endswith("\\")
    assert r["content"][0]["text"].startswith("Overall status: Warn (exit 1).")
    assert "Pw0rdSecret" not in json.dumps(r)


def test_a_non_default_cluster_stops_at_step_5(client):
    c = client()
    r = c.tool(1, "diagnose_pod", {"cluster_id": SERVERLESS, "namespace": "default", "pod": "app-1"})
    assert r["isError"] is True
    assert "profile 'Serverless'" in r["content"][0]["text"]
    assert "Unsupported cluster type" in r["content"][0]["text"]
    assert r["structuredContent"]["exit_code"] == 65
    assert not any("sysom" in x for x in c.calls())
    assert c.calls()[-1] == "aliyun configure ai-mode disable"


@pytest.mark.parametrize("args,field", [
    ({"cluster_id": "C123", "namespace": "default", "pod": "p"}, "cluster_id:"),
    ({"cluster_id": HEALTHY, "namespace": "Bad_NS", "pod": "p"}, "namespace:"),
    ({"cluster_id": HEALTHY, "namespace": "default"}, "pod: missing"),
    ({"cluster_id": 5, "namespace": "default", "pod": "p"}, "cluster_id: must be a string"),
    ({"cluster_id": HEALTHY, "namespace": "default", "pod": "p", "extra": 1}, "extra: unknown argument"),
    ({"cluster_id": HEALTHY, "namespace": "default", "pod": "p", "since": "2x"}, "since:"),
    ({"cluster_id": HEALTHY, "namespace": "default", "pod": "p", "realtime": "yes"}, "realtime: must be a boolean"),
])
def test_bad_input_is_a_tool_error_naming_the_field_and_calls_nothing(client, args, field):
    c = client()
    r = c.tool(1, "diagnose_pod", args)
    assert r["isError"] is True
    assert r["content"][0]["text"].startswith(field)
    assert c.calls() == []


@pytest.mark.parametrize("task_id", ["--help", "-x", "_x", "a b", "x\n"])
def test_a_task_id_that_is_not_one_is_a_tool_error_and_calls_nothing(client, task_id):
    # Issue 11, item 6: "--help" became `aliyun ... --task-id --help`.
    c = client()
    r = c.tool(1, "get_diagnosis_result", {"task_id": task_id})
    assert r["isError"] is True
    assert r["content"][0]["text"].startswith("task_id: not a SysOM task id")
    assert c.calls() == []


def test_past_time_words_ask_for_the_window(client):
    c = client()
    r = c.tool(1, "diagnose_pod", {"cluster_id": HEALTHY, "namespace": "default", "pod": "p",
                                   "description": "slow since yesterday afternoon"})
    assert r["isError"] is True
    text = r["content"][0]["text"]
    assert "yesterday afternoon" in text and "Ask the user" in text
    assert c.calls() == []
    r = c.tool(2, "diagnose_pod", {"cluster_id": HEALTHY, "namespace": "default", "pod": "p",
                                   "description": "slow since yesterday afternoon", "since": "3h"})
    assert r["isError"] is False
    assert r["structuredContent"]["mode"] == "historical"


def test_cancellation_mid_poll_runs_cleanup_once(client):
    c = client("--poll-interval", "0.2")
    c.send({"jsonrpc": "2.0", "id": 7, "method": "tools/call",
            "params": {"name": "diagnose_pod", "arguments": {"cluster_id": SLOW, "namespace": "default", "pod": "p"},
                       "_meta": {"progressToken": 1}}})
    while True:
        m = c.read()
        if m.get("method") == "notifications/progress" and "poll 2" in m["params"]["message"]:
            break
    c.send({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 7, "reason": "user"}})
    assert c.call(8, "ping")["result"] == {}
    end = time.time() + 10
    while time.time() < end and (not c.calls() or c.calls()[-1] != "aliyun configure ai-mode disable"):
        time.sleep(0.05)
    calls = c.calls()
    assert calls[-1] == "aliyun configure ai-mode disable"
    assert calls.count("aliyun configure ai-mode disable") == 1
    assert c.close() == 0
    assert not any(m.get("id") == 7 for m in c.notes)  # no response for a cancelled request


def test_a_timeout_then_resume(client):
    c = client("--poll-interval", "0.1", "--poll-max", "3", env={"FAKE_ALIYUN_TASK_MS": "1500"})
    r = c.tool(1, "diagnose_pod", {"cluster_id": HEALTHY, "namespace": "default", "pod": "p"})
    assert r["isError"] is False  # a task still running is an answer, not an error
    assert r["structuredContent"]["exit_code"] == 4
    assert r["structuredContent"]["state"] == "running"
    task = r["structuredContent"]["task_id"]
    assert f"call get_diagnosis_result with task_id {task}" in r["content"][0]["text"]
    time.sleep(1.6)
    r = c.tool(2, "get_diagnosis_result", {"task_id": task})
    assert r["isError"] is False
    assert r["structuredContent"]["task_id"] == task
    assert r["structuredContent"]["status"] == "Success"
    invokes = [x for x in c.calls() if "invoke-diagnosis" in x]
    assert len(invokes) == 1  # resuming never starts a second task


def test_a_running_answer_names_its_target_and_the_next_call(client):
    """Issue 21, item 4: "still running" (after --reply-within, or --poll-max) carries the
    target, the task, the time taken and the polls; next is the call to make, structured."""
    c = client("--poll-interval", "0.5", "--reply-within", "1")
    r = c.tool(1, "diagnose_pod", {"cluster_id": SLOW, "namespace": "default", "pod": "p"})
    s = r["structuredContent"]
    assert r["isError"] is False and s["state"] == "running" and s["exit_code"] == 4
    task = s["task_id"]
    assert (s["cluster_id"], s["namespace"], s["pod"]) == (SLOW, "default", "p")
    assert s["elapsed_seconds"] > 0 and isinstance(s["polls"], int)
    assert s["next"] == {"tool": "get_diagnosis_result", "arguments": {"task_id": task}}
    assert s["next_hint"] == f"call get_diagnosis_result with task_id {task}"
    assert f"pod default/p of cluster {SLOW}" in r["content"][0]["text"]
    # Following the task by its id alone: the server knows whose task it started.
    r = c.tool(2, s["next"]["tool"], s["next"]["arguments"])
    s = r["structuredContent"]
    assert s["state"] == "running" and s["task_id"] == task
    assert (s["cluster_id"], s["namespace"], s["pod"]) == (SLOW, "default", "p")
    assert s["next"] == {"tool": "get_diagnosis_result", "arguments": {"task_id": task}}
    assert len([x for x in c.calls() if "invoke-diagnosis" in x]) == 1


def test_diagnose_pods(client):
    c = client()
    r = c.tool(1, "diagnose_pods", {"targets": [
        {"cluster_id": HEALTHY, "namespace": "default", "pod": "a-1"},
        {"cluster_id": SERVERLESS, "namespace": "default", "pod": "b-1"}]})
    s = r["structuredContent"]
    assert len(s["results"]) == 2
    assert s["summary"]["exit_code"] == 65
    assert r["isError"] is True
    r = c.tool(2, "diagnose_pods", {"targets": [{"cluster_id": HEALTHY, "namespace": "default", "pod": "BAD"}]})
    assert r["isError"] is True and r["content"][0]["text"].startswith("targets[0].pod:")


def test_doctor(client):
    c = client()
    r = c.tool(1, "doctor", {})
    assert "[ok]   profile 'default' is valid" in r["content"][0]["text"]
    assert "LTAI" not in json.dumps(r)


def test_malformed_messages_never_kill_the_server(client):
    c = client()
    c.send(b"{not json")
    assert c.read()["error"]["code"] == -32700
    c.send(b"[1,2,3]")
    assert c.read()["error"]["code"] == -32600
    assert c.call(2, "no/such/method")["error"]["code"] == -32601
    c.send({"jsonrpc": "2.0", "id": {"x": 1}, "method": "ping"})
    assert c.read()["error"]["code"] == -32600
    assert c.call(3, "tools/call", 5)["error"]["code"] == -32602
    assert c.call(4, "tools/call", {"name": "rm_rf"})["error"]["code"] == -32602
    # Found by fuzz_mcp: arguments that are not an object freed an unset target.
    r = c.call(10, "tools/call", {"name": "diagnose_pod", "arguments": 5})["result"]
    assert r["isError"] is True and r["content"][0]["text"] == "arguments: must be an object"
    c.send(b'{"jsonrpc":"2.0","id":5,"method":"ping","params":{"x":"' + b"a" * (5 << 20) + b'"}}')
    assert c.read()["error"]["code"] == -32600
    c.send({"jsonrpc": "1.0", "id": 6, "method": "ping"})
    assert c.read()["error"]["code"] == -32600
    c.send({"jsonrpc": "2.0", "method": "notifications/whatever"})  # ignored
    assert c.call(9, "ping")["result"] == {}
    assert c.close() == 0


# ---- issue 13: what real agent runtimes broke ----------------------------------------

def raw_client(tmp_path, *flags, env=None):
    return Client(tmp_path, *flags, env=env)


def init(c, version="2025-06-18"):
    return c.call(0, "initialize", {"protocolVersion": version, "capabilities": {},
                                    "clientInfo": {"name": "pytest", "version": "1"}})


def read_raw(c, timeout=30):
    """The next line exactly as written; it must be valid UTF-8."""
    c.read  # noqa: B018 (same buffering as read())
    end = time.time() + timeout
    while b"\n" not in c.buf:
        r, _, _ = select.select([c.p.stdout], [], [], max(0, end - time.time()))
        assert r, "no message from the server in time"
        chunk = os.read(c.p.stdout.fileno(), 65536)
        assert chunk, "the server closed stdout"
        c.buf += chunk
    line, c.buf = c.buf.split(b"\n", 1)
    line.decode("utf-8")    # strict: raises on any invalid byte
    return line


def test_invalid_utf8_in_is_a_parse_error_naming_nothing_raw(client):
    c = client()
    c.send(b'{"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":"\xff"}}')
    line = read_raw(c)
    m = json.loads(line)
    assert m["error"]["code"] == -32700 and m["id"] is None
    c.send(b'{"jsonrpc":"2.0","id":2,"method":"tools/\xfflist"}')
    line = read_raw(c)
    assert json.loads(line)["error"]["code"] == -32700 and b"tools/" not in line
    assert c.call(3, "ping")["result"] == {}


def test_every_message_out_is_valid_utf8_even_from_a_bad_result(client):
    """The double's result-bad-utf8 scenario answers with invalid bytes; the reply stays valid."""
    c = client(env={"FAKE_ALIYUN_SCENARIO": "result-bad-utf8"})
    c.send({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
            "params": {"name": "diagnose_pod", "arguments": {"cluster_id": HEALTHY, "namespace": "default",
                                                             "pod": "p"}, "_meta": {"progressToken": "t"}}})
    while True:
        m = json.loads(read_raw(c))
        if m.get("id") == 1:
            break
    assert "result" in m


def test_ids_are_echoed_exactly(client):
    c = client()
    for rid in [b"9007199254740993", b"-12345678901234567890123", b'"abc"', b'"\\u4e2d"', b"0", b"1.5e3"]:
        c.send(b'{"jsonrpc":"2.0","id":' + rid + b',"method":"ping"}')
        line = read_raw(c)
        assert line == b'{"jsonrpc":"2.0","id":' + (b'"\xe4\xb8\xad"' if rid == b'"\\u4e2d"' else rid) + \
            b',"result":{}}'


def test_lifecycle(tmp_path):
    c = raw_client(tmp_path)
    assert c.call(1, "tools/call", {"name": "doctor", "arguments": {}})["error"]["code"] == -32600
    assert c.call(2, "tools/list")["error"]["code"] == -32600
    assert c.call(3, "ping")["result"] == {}
    assert c.call(4, "initialize", {"capabilities": {}})["error"]["code"] == -32602
    r = c.call(5, "initialize", {"protocolVersion": "2025-11-25", "capabilities": {}})["result"]
    assert r["protocolVersion"] == "2025-11-25"
    assert c.call(6, "initialize", {"protocolVersion": "2025-11-25"})["error"]["code"] == -32600
    assert c.calls() == []      # nothing ran before initialize
    c.send([{"jsonrpc": "2.0", "id": 7, "method": "ping"}])     # batches are 2025-03-26 only
    assert c.read()["error"]["code"] == -32600
    assert c.close() == 0


def test_batches_after_2025_03_26(tmp_path):
    c = raw_client(tmp_path)
    assert init(c, "2025-03-26")["result"]["protocolVersion"] == "2025-03-26"
    c.send([{"jsonrpc": "2.0", "id": 1, "method": "ping"},
            {"jsonrpc": "2.0", "method": "notifications/initialized"},
            {"jsonrpc": "2.0", "id": 2, "method": "tools/call",
             "params": {"name": "diagnose_pod", "arguments": {"cluster_id": HEALTHY, "namespace": "default",
                                                              "pod": "p"}}},
            {"jsonrpc": "2.0", "id": 3, "method": "no/such"}])
    line = read_raw(c)
    batch = json.loads(line)
    assert isinstance(batch, list) and sorted(m["id"] for m in batch) == [1, 2, 3]
    by = {m["id"]: m for m in batch}
    assert by[1]["result"] == {} and by[3]["error"]["code"] == -32601
    assert by[2]["result"]["isError"] is False
    assert "structuredContent" not in by[2]["result"]          # 2025-06-18 brought it
    assert json.loads(by[2]["result"]["content"][1]["text"])["overall_status"] == "Info"
    c.send([{"jsonrpc": "2.0", "method": "notifications/initialized"}])   # notifications only: no answer
    c.send(b"[]")
    assert c.read()["error"]["code"] == -32600
    assert c.close() == 0


def test_stdout_stays_blocking_on_a_shared_socket(tmp_path):
    """stdin and stdout one socket: 20,000 requests, 20,000 responses, flags as they were."""
    import fcntl
    import socket
    import threading
    ours, theirs = socket.socketpair()
    e = {k: v for k, v in os.environ.items() if not k.startswith(("FAKE_ALIYUN_", "ACKPROF_"))}
    e.update(HOME=str(tmp_path), XDG_STATE_HOME=str(tmp_path / "state"))
    p = subprocess.Popen([str(ACKPROF), "mcp", "--aliyun", str(DOUBLE)], stdin=theirs, stdout=theirs,
                         stderr=subprocess.PIPE, env=e)
    before = fcntl.fcntl(theirs.fileno(), fcntl.F_GETFL)
    n = 20000
    msgs = [json.dumps({"jsonrpc": "2.0", "id": 0, "method": "initialize",
                        "params": {"protocolVersion": "2025-06-18", "capabilities": {}}}).encode() + b"\n"]
    msgs += [b'{"jsonrpc":"2.0","id":%d,"method":"ping"}\n' % i for i in range(1, n + 1)]

    def feed():
        ours.sendall(b"".join(msgs))
        ours.shutdown(socket.SHUT_WR)
    t = threading.Thread(target=feed)
    t.start()
    got = b""
    ours.settimeout(60)
    while got.count(b"\n") < n + 1:   # we hold the server's end too: no EOF to wait for
        chunk = ours.recv(1 << 16)
        assert chunk, "the server closed the socket early"
        got += chunk
    t.join()
    assert p.wait(timeout=60) == 0
    after = fcntl.fcntl(theirs.fileno(), fcntl.F_GETFL)
    theirs.close()
    lines = got.splitlines()
    assert len(lines) == n + 1
    assert sorted(json.loads(x)["id"] for x in lines) == list(range(n + 1))
    assert after == before and not (after & os.O_NONBLOCK)
    p.stderr.close()
    ours.close()


def test_since_needs_a_unit(client):
    c = client()
    r = c.tool(1, "diagnose_pod", {"cluster_id": HEALTHY, "namespace": "default", "pod": "p", "since": "90"})
    assert r["isError"] is True
    assert r["content"][0]["text"] == "since: bad since '90': a bare number has no unit (say 90s, 90m, 90h or 90d)"
    r = c.tool(2, "diagnose_pod", {"cluster_id": HEALTHY, "namespace": "default", "pod": "p", "since": "1h30"})
    assert r["isError"] is True and r["content"][0]["text"].startswith("since: bad since '1h30'")
    assert c.calls() == []


def test_errors_speak_the_tools_language(client):
    c = client()
    r = c.tool(1, "diagnose_pod", {"cluster_id": HEALTHY, "namespace": "default", "pod": "p",
                                   "from": "2026-01-01 10:00"})
    text = r["content"][0]["text"]
    assert r["isError"] is True and "--" not in text and "from and to go together (or use since)" in text
    c2 = client("--poll-interval", "0", "--poll-max", "1", env={"FAKE_ALIYUN_TASK_MS": "60000"})
    r = c2.tool(1, "diagnose_pod", {"cluster_id": HEALTHY, "namespace": "default", "pod": "p"})
    s = r["structuredContent"]
    assert s["state"] == "running" and "ackprof result" not in json.dumps(r)
    assert f"get_diagnosis_result with task_id {s['task_id']}" in s["error"]


def test_duplicate_targets_are_named_by_index_and_value(client):
    c = client()
    t = {"cluster_id": HEALTHY, "namespace": "default", "pod": "a-1"}
    r = c.tool(1, "diagnose_pods", {"targets": [t, {**t, "pod": "b-1"}, dict(t, description="x")]})
    assert r["isError"] is True
    assert r["content"][0]["text"] == ("targets[2] repeats targets[0]: cluster_id %s, namespace default, "
                                       "pod a-1 (each pod once)" % HEALTHY)
    assert c.calls() == []


def test_diagnose_pods_writes_no_temporary_file(client, tmp_path):
    """The targets reach the worker on a memory file: nothing under TMPDIR or /tmp."""
    tmpdir = tmp_path / "tmpdir"
    tmpdir.mkdir()
    c = client("--poll-interval", "0.2", env={"TMPDIR": str(tmpdir)})
    c.send({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
            "params": {"name": "diagnose_pods", "arguments": {"targets": [
                {"cluster_id": SLOW, "namespace": "default", "pod": "a-1"}]}, "_meta": {"progressToken": 1}}})
    m = c.read()
    assert m.get("method") == "notifications/progress"
    kids = Path(f"/proc/{c.p.pid}/task/{c.p.pid}/children").read_text().split()
    assert kids
    assert os.readlink(f"/proc/{kids[0]}/fd/0").startswith("/memfd:ackprof-mcp-targets")
    assert list(tmpdir.iterdir()) == []
    c.send({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 1}})
    assert c.call(2, "ping")["result"] == {}


def test_mcp_tasks_of_2025_11_25(tmp_path):
    """A tools/call with a task answers at once; tasks/get, tasks/result, tasks/list, tasks/cancel."""
    c = raw_client(tmp_path, "--poll-interval", "0.2")
    caps = init(c, "2025-11-25")["result"]["capabilities"]
    assert caps["tasks"]["requests"]["tools"]["call"] == {}
    tools = c.call(1, "tools/list")["result"]["tools"]
    assert all(t["execution"]["taskSupport"] == "optional" for t in tools)
    r = c.call(2, "tools/call", {"name": "diagnose_pod", "task": {"ttl": 60000},
                                 "arguments": {"cluster_id": HEALTHY, "namespace": "default", "pod": "p"}})
    task = r["result"]["task"]
    assert task["status"] == "working" and task["ttl"] == 60000
    res = c.call(3, "tasks/result", {"taskId": task["taskId"]})["result"]   # answered when it ends
    assert res["structuredContent"]["overall_status"] == "Info"
    assert res["_meta"]["io.modelcontextprotocol/related-task"]["taskId"] == task["taskId"]
    assert c.call(4, "tasks/get", {"taskId": task["taskId"]})["result"]["status"] == "completed"
    slow = c.call(5, "tools/call", {"name": "diagnose_pod", "task": {},
                                    "arguments": {"cluster_id": SLOW, "namespace": "default", "pod": "p"}})
    sid = slow["result"]["task"]["taskId"]
    assert c.call(6, "tasks/get", {"taskId": sid})["result"]["status"] == "working"
    assert {t["taskId"] for t in c.call(7, "tasks/list")["result"]["tasks"]} == {task["taskId"], sid}
    assert c.call(8, "tasks/cancel", {"taskId": sid})["result"]["status"] == "cancelled"
    assert c.call(9, "tasks/cancel", {"taskId": sid})["error"]["code"] == -32602
    assert c.call(10, "tasks/get", {"taskId": "nope"})["error"]["code"] == -32602
    end = time.time() + 30
    while time.time() < end and c.calls().count("aliyun configure ai-mode disable") < 2:
        time.sleep(0.05)
    assert c.calls().count("aliyun configure ai-mode disable") == 2     # the cancelled one cleaned up
    assert c.close() == 0


def test_no_tasks_before_2025_11_25(client):
    c = client()    # 2025-06-18
    assert c.call(1, "tasks/list")["error"]["code"] == -32601
    r = c.call(2, "tools/call", {"name": "doctor", "arguments": {}, "task": {}})["result"]
    assert "task" not in r and "content" in r     # the field is not of this version: a plain call


@pytest.mark.parametrize("desc,found", [("slow since Monday", "since Monday"), ("周一开始慢", "周一"),
                                        ("星期三卡", "星期三"), ("上周慢", "上周"), ("前天oom", "前天"),
                                        ("oom on 2026-11-20", "2026-11-20")])
def test_weekdays_and_dates_are_past_time_words_here_too(client, desc, found):
    c = client()
    r = c.tool(1, "diagnose_pod", {"cluster_id": HEALTHY, "namespace": "default", "pod": "p", "description": desc})
    assert r["isError"] is True and f"names a past time ('{found}')" in r["content"][0]["text"]
    assert c.calls() == []


# Issue 19, item 4: cJSON decodes \u0000 into a NUL byte that cuts the C string.  A string
# holding one is refused naming its member, never read cut short; an id holding one is not
# echoed changed (id null); nothing reaches the CLI.
NUL_CASES = [
    (b'{"jsonrpc":"2.0","id":"a\\u0000b","method":"ping"}', None, -32600, "id"),
    (b'{"jsonrpc":"2.0","id":7,"method":"ping\\u0000x"}', 7, -32600, "method"),
    (b'{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"diagnose_pod","arguments":'
     b'{"cluster_id":"' + HEALTHY.encode() + b'\\u0000junk","namespace":"default","pod":"p"}}}',
     8, -32602, "cluster_id"),
    (b'{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"diagnose_pod\\u0000","arguments":{}}}',
     9, -32602, "name"),
]


@pytest.mark.parametrize("raw,rid,code,member", NUL_CASES)
def test_a_string_with_nul_is_refused_naming_the_member(client, raw, rid, code, member):
    c = client()
    c.send(raw)
    m = json.loads(read_raw(c))
    assert m["id"] == rid and m["error"]["code"] == code, m
    assert m["error"]["message"].endswith("member: " + member), m
    # An escaped backslash before u0000 is no NUL: echoed byte-exact.
    c.send(b'{"jsonrpc":"2.0","id":"x\\\\u0000","method":"ping"}')
    assert read_raw(c) == b'{"jsonrpc":"2.0","id":"x\\\\u0000","result":{}}'
    assert c.calls() == []


def test_a_nul_in_a_batch_element_is_refused_there(tmp_path):
    c = raw_client(tmp_path)
    assert init(c, "2025-03-26")["result"]["protocolVersion"] == "2025-03-26"
    c.send(b'[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","id":2,"method":"ping\\u0000"}]')
    by = {m["id"]: m for m in json.loads(read_raw(c))}
    assert by[1]["result"] == {} and by[2]["error"]["code"] == -32600
    assert c.close() == 0


def disables(c):
    return c.calls().count("aliyun configure ai-mode disable")


def wait_disables(c, n):
    """Until n workers have cleaned up (an answer at the bound leaves its worker stopping)."""
    end = time.time() + 30
    while disables(c) < n:
        assert time.time() < end, "a worker did not clean up"
        time.sleep(0.05)


def business(calls, verb):
    return [x for x in calls if x.startswith(f"aliyun {verb}")]


def test_a_call_s_profile_reaches_every_cloud_call(client, tmp_path):
    """Issue 21, item 5: profile is per call, passed where the CLI takes --profile (the cloud
    calls; Step 7 gets ALIBABA_CLOUD_PROFILE), as `ackprof diagnose --profile prod` does."""
    c = client(env={"FAKE_ALIYUN_SCENARIO": "two-profiles", "FAKE_ALIYUN_ENVLOG": str(tmp_path / "env.log")})
    r = c.tool(1, "diagnose_pod", {"cluster_id": HEALTHY, "namespace": "default", "pod": "app-1", "profile": "prod"})
    assert r["isError"] is False and r["structuredContent"]["overall_status"] == "Info"
    calls = c.calls()
    cloud = business(calls, "cs ") + business(calls, "sysom ")
    verbs = [" ".join(x.split()[1:3]) for x in cloud]
    assert verbs[:3] == ["cs GET", "sysom initial-sysom", "sysom invoke-diagnosis"]
    assert verbs[3:] and set(verbs[3:]) == {"sysom get-diagnosis-result"}
    assert cloud and all(f" --profile prod --user-agent {UA}" in x for x in cloud)
    assert not any("--profile" in x for x in calls if x not in cloud)
    assert "ALIBABA_CLOUD_PROFILE=prod" in (tmp_path / "env.log").read_text()   # Step 7's SDK
    n = len(calls)
    r = c.tool(2, "diagnose_pods", {"targets": [{"cluster_id": HEALTHY, "namespace": "default", "pod": "a-1"}],
                                    "profile": "prod"})
    assert r["isError"] is False and r["structuredContent"]["state"] == "finished"
    calls = c.calls()[n:]
    cloud = business(calls, "cs ") + business(calls, "sysom ")
    assert any("invoke-diagnosis" in x for x in cloud)
    assert cloud and all(f" --profile prod --user-agent {UA}" in x for x in cloud)
    r = c.tool(3, "diagnose_pod", {"cluster_id": HEALTHY, "namespace": "default", "pod": "app-1"})
    assert r["isError"] is False
    assert not any("--profile" in x for x in c.calls()[len(calls) + n:])   # none given: none passed
    assert c.close() == 0


@pytest.mark.parametrize("tool,args", [
    ("diagnose_pod", {"cluster_id": HEALTHY, "namespace": "default", "pod": "p"}),
    ("diagnose_pods", {"targets": [{"cluster_id": HEALTHY, "namespace": "default", "pod": "p"}]}),
    ("get_diagnosis_result", {"task_id": "T1"}),
])
@pytest.mark.parametrize("profile,what", [
    ("a b", "'a b' is not a profile name"), ("", "'' is not a profile name"), ("x" * 65, "is not a profile name"),
    ("a/b", "'a/b' is not a profile name"), ("--help", "'--help' is not a profile name"), (5, "profile: must be a string"),
])
def test_a_bad_profile_is_one_clear_error_and_calls_nothing(client, tool, args, profile, what):
    c = client()
    r = c.tool(1, tool, dict(args, profile=profile))
    text = r["content"][0]["text"]
    assert r["isError"] is True and r["structuredContent"]["state"] == "refused"
    assert r["structuredContent"]["exit_code"] == 64
    assert text.startswith("profile: ") and what in text and "\n" not in text
    assert c.calls() == []


def test_a_profile_in_a_target_is_unknown_there(client):
    c = client()
    r = c.tool(1, "diagnose_pods", {"targets": [{"cluster_id": HEALTHY, "namespace": "default", "pod": "p",
                                                 "profile": "prod"}]})
    assert r["isError"] is True and r["content"][0]["text"].startswith("targets[0].profile: unknown argument")
    assert c.calls() == []


def test_two_profiles_never_share_a_remembered_task(client, tmp_path):
    """The same pod under two profiles (two RAM users of one account, say): a call under one
    never follows the other's task; the argv log shows the profile of each invoke."""
    c = client("--poll-interval", "0.2", "--reply-within", "1",
               env={"FAKE_ALIYUN_SCENARIO": "two-profiles", "FAKE_ALIYUN_TASK_MS": "60000",
                    "FAKE_ALIYUN_STATE": str(tmp_path / "fs")})
    pod = {"cluster_id": HEALTHY, "namespace": "default", "pod": "p"}
    r1 = c.tool(1, "diagnose_pod", pod)["structuredContent"]
    wait_disables(c, 1)
    r2 = c.tool(2, "diagnose_pod", dict(pod, profile="prod"))["structuredContent"]
    wait_disables(c, 2)
    before = len(c.calls())
    r3 = c.tool(3, "diagnose_pod", pod)["structuredContent"]
    wait_disables(c, 3)
    assert r1["state"] == "running" and r1["resumed"] is False and r1["task_id"]
    # prod has no task of its own: it invokes (SysOM then says the cluster is busy with r1's).
    assert r2["resumed"] is False and r2["state"] == "cluster_busy"
    assert r3["resumed"] is True and r3["task_id"] == r1["task_id"] and r3["state"] == "running"
    invokes = [x for x in c.calls() if "invoke-diagnosis" in x]
    assert "--profile" not in invokes[0] and len(invokes) >= 2   # then prod's, retried while busy
    assert all(x.endswith(f" --profile prod --user-agent {UA}") for x in invokes[1:])
    assert not any("invoke-diagnosis" in x for x in c.calls()[before:])
    polls = [x for x in c.calls()[before:] if "get-diagnosis-result" in x]
    assert polls and all(f"--task-id {r1['task_id']} --user-agent" in x for x in polls)
    assert c.close() == 0


def test_a_remembered_task_is_not_followed_past_its_horizon(client, tmp_path):
    """A client cut off at the bound that never comes back: its task is followed only while a
    run of it could still last (the busy waits, every poll at the longest jittered wait, the
    bound either side): here 1.5 x 0.1 s x 10 + 0 + 2 x 1 s = 3.5 s after its invoke.  Past
    that, a call for the pod starts a new diagnosis instead of returning the old result; within
    it, the call follows the task."""
    c = client("--poll-interval", "0.1", "--poll-max", "10", "--reply-within", "1", "--busy-wait", "0",
               env={"FAKE_ALIYUN_TASK_MS": "1500", "FAKE_ALIYUN_STATE": str(tmp_path / "fs")})
    pod = {"cluster_id": HEALTHY, "namespace": "default", "pod": "p"}
    r1 = c.tool(1, "diagnose_pod", pod)["structuredContent"]
    wait_disables(c, 1)
    time.sleep(4)   # past the horizon: the invoke was before r1's answer
    r2 = c.tool(2, "diagnose_pod", pod)["structuredContent"]
    wait_disables(c, 2)
    r3 = c.tool(3, "diagnose_pod", pod)["structuredContent"]
    wait_disables(c, 3)
    assert r1["state"] == "running" and r1["resumed"] is False and r1["task_id"]
    assert r2["resumed"] is False and r2["task_id"] and r2["task_id"] != r1["task_id"]
    assert r3["resumed"] is True and r3["task_id"] == r2["task_id"]
    assert len([x for x in c.calls() if "invoke-diagnosis" in x]) == 2
    assert c.close() == 0


def test_a_call_while_an_invoke_is_in_flight_starts_no_second_task(client, tmp_path):
    """invoke-diagnosis takes 4 s, the bound is 2 s: the first answer comes while the worker
    still waits for the invoke.  A second call for the pod then is refused with one line that
    says to call again (it would have invoked a second task); once the first invoke has answered,
    a call follows the task that invoke started.  The argv log holds one invoke."""
    c = client("--reply-within", "2", "--poll-interval", "0.1",
               env={"FAKE_ALIYUN_SCENARIO": "invoke-4s", "FAKE_ALIYUN_STATE": str(tmp_path / "fs")})
    pod = {"cluster_id": HEALTHY, "namespace": "default", "pod": "p"}
    r1 = c.tool(1, "diagnose_pod", pod)
    r2 = c.tool(2, "diagnose_pod", pod)
    wait_disables(c, 1)
    r3 = c.tool(3, "diagnose_pod", pod)["structuredContent"]
    s1 = r1["structuredContent"]
    assert s1["state"] == "not_started" and "being started" in s1["error"], s1
    text = r2["content"][0]["text"]
    assert r2["isError"] is True and "an earlier call for this pod is starting its diagnosis task" in text
    assert "\n" not in text
    assert r3["resumed"] is True and r3["task_id"] and r3["state"] in ("running", "finished")
    assert len([x for x in c.calls() if "invoke-diagnosis" in x]) == 1
    assert c.close() == 0


def test_get_diagnosis_result_keeps_the_task_s_profile_past_the_horizon(client, tmp_path):
    """The horizon is for following a pod's task unasked; a task named by its id keeps the
    profile it was started under however late the call comes (1.5 x 0.1 s x 10 + 2 x 1 s
    = 3.5 s here)."""
    c = client("--poll-interval", "0.1", "--poll-max", "10", "--reply-within", "1",
               env={"FAKE_ALIYUN_SCENARIO": "two-profiles", "FAKE_ALIYUN_TASK_MS": "60000",
                    "FAKE_ALIYUN_STATE": str(tmp_path / "fs")})
    pod = {"cluster_id": HEALTHY, "namespace": "default", "pod": "p", "profile": "prod"}
    r1 = c.tool(1, "diagnose_pod", pod)["structuredContent"]
    wait_disables(c, 1)
    assert r1["state"] == "running" and r1["task_id"]
    time.sleep(4)
    before = len(c.calls())
    c.tool(2, "get_diagnosis_result", {"task_id": r1["task_id"]})
    wait_disables(c, 2)
    polls = [x for x in c.calls()[before:] if "get-diagnosis-result" in x]
    assert polls and all(x.endswith(f" --profile prod --user-agent {UA}") for x in polls), polls
    assert c.close() == 0


def test_diagnose_pods_while_another_call_invokes_the_pod_starts_no_second_task(client, tmp_path):
    """The same for diagnose_pods: its worker, answered at the bound, still waits for the pod's
    invoke (4 s; the bound is 2 s).  A diagnose_pods or diagnose_pod naming that pod then is
    refused with one line naming the target; once the invoke has answered, diagnose_pods
    follows the task it started.  One invoke in the argv log."""
    c = client("--reply-within", "2", "--poll-interval", "0.1",
               env={"FAKE_ALIYUN_SCENARIO": "invoke-4s", "FAKE_ALIYUN_STATE": str(tmp_path / "fs")})
    pod = {"cluster_id": HEALTHY, "namespace": "default", "pod": "p"}
    other = {"cluster_id": HEALTHY, "namespace": "default", "pod": "q"}
    r1 = c.tool(1, "diagnose_pods", {"targets": [pod]})
    r2 = c.tool(2, "diagnose_pods", {"targets": [other, pod]})
    r3 = c.tool(3, "diagnose_pod", pod)
    wait_disables(c, 1)
    r4 = c.tool(4, "diagnose_pods", {"targets": [pod]}, timeout=60)
    assert r1["structuredContent"]["state"] == "running"
    t2 = r2["content"][0]["text"]
    assert r2["isError"] is True and t2.startswith("targets[1]: an earlier call is starting the diagnosis task "
                                                   "of pod default/p") and "\n" not in t2
    assert r3["isError"] is True and "an earlier call for this pod is starting" in r3["content"][0]["text"]
    s4 = r4["structuredContent"]
    assert len([x for x in c.calls() if "invoke-diagnosis" in x]) == 1
    assert s4["state"] in ("running", "finished"), s4
    started = [x for x in c.calls() if "get-diagnosis-result" in x]
    assert started, "the task the first invoke started is followed"
    assert c.close() == 0
