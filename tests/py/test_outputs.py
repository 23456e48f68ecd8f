# SPDX-License-Identifier: Apache-2.0
"""Everything ackprof writes, over every output path: no credential in any leak shape, valid
JSON, valid UTF-8, no terminal escape (issue 11, items 4, 5, 10 and 11).

test_no_leak_shape_reaches_any_output is the table: every shape the adversarial review
found, placed where the CLI puts text (a result, a busy message, an error message, the
Step 7 script's stderr), times every path: text stderr, -o text/json/markdown, --save,
batch lines, batch JSON Lines, the --state file, and MCP.

test_every_fixture_in_every_format_is_utf8_and_json runs every fixture scenario through
every format and checks what came out.
"""

import json
import os
import select
import subprocess
import time
from pathlib import Path

import jsonschema
import pytest

REPO = Path(__file__).resolve().parents[2]
ACKPROF = Path(os.environ.get("ACKPROF", REPO / "ackprof"))
DOUBLE = REPO / "tests" / "double" / "aliyun"
SCENARIOS = REPO / "fixtures" / "scenarios"
CLUSTER = "c4f1a9e27b8d34c6a9e0f5b2d7c81a3e6"

pytestmark = pytest.mark.skipif(not (ACKPROF.exists() and DOUBLE.exists()),
                                reason="build ackprof and the double first (make)")

AKID = "LTAI5tLeakyKeyLeakyKey99"
SECRET = "Lk9vQ2xRt7mB4nW8pZ3cY6hJ1sD5fG0a"
TOKEN = "CAIS8gF1q6Ft5B2yfSjIr5bLeakyStsTokenQWERTYuiop1234567890abcdefGhIjKlMnOpQrStUvWxYz"
BASIC = "TFRBSTV0TGVha3lLZXlMZWFreUtleTk5OkxrOXZRMnhSdDdtQjRuVzhwWjNjWTZoSjFzRDVmRzBh"  # id:secret
# No piece of a credential may be seen: heads and tails of each.
PIECES = ["LTAI5t", "LeakyKey99", "Lk9vQ2", "sD5fG0a", "CAIS8g", "QWERTYuiop", "StUvWxYz",
          "TFRBSTV0", "WTZoSjFzRDVmRzBh"]

SHAPES = {
    "python-repr": "{'AccessKeySecret': '%s', 'AccessKeyId': '%s'}" % (SECRET, AKID),
    "url-encoded": "AccessKeySecret%%3D%s&RegionId=cn-hangzhou" % SECRET,
    "url-encoded-json": "%%7B%%22access_key_secret%%22%%3A%%22%s%%22%%7D" % SECRET,
    "hyphenated": "access-key-secret: %s" % SECRET,
    "flags": "aliyun --access-key-id %s --access-key-secret %s --sts-token %s" % (AKID, SECRET, TOKEN),
    "alicloud-env": "ALICLOUD_SECRET_KEY=%s ALICLOUD_ACCESS_KEY=%s" % (SECRET, AKID),
    "access-secret": "AccessSecret=%s" % SECRET,
    "basic-auth": "Authorization: Basic %s" % BASIC,
    "id-split": "the id LTAI5tLeakyKey\nLeakyKey99 is not found",
    "token-split": "SecurityToken: CAIS8gF1q6Ft5B2yfSjIr5bLeaky\nStsTokenQWERTYuiop1234567890abcdefGh\nIjKlMnOpQrStUvWxYz\n",
    "key-newline": "AccessKeySecret:\n%s" % SECRET,
    "tab-separated": "access_key_secret\t%s\tAccessKeyId:\t%s" % (SECRET, AKID),
    "json-escaped": '{"access_key_secret": "%s", "sts_token": "%s"}' % (SECRET, TOKEN),
    # Cut at 700 bytes, this message used to end with the head of the id ("LTAI5tLe").
    "long-cut": "x" * 691 + " " + AKID + " is rotated",
    "plain": "Caller AccessKeyId=%s SecurityToken=%s access_key_secret=%s" % (AKID, TOKEN, SECRET),
    # Issue 19: two shapes masked nowhere before, and the weaker ones seen with them.
    "xml": "<Error><AccessKeySecret>%s</AccessKeySecret><AccessKeyId>%s</AccessKeyId></Error>" % (SECRET, AKID),
    "k8s-env-json": '{"name": "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "value": "%s"}' % SECRET,
    "k8s-env-yaml": "env:\n- name: ALIBABA_CLOUD_ACCESS_KEY_SECRET\n  value: %s\n" % SECRET,
    "fat-arrow": "AccessKeySecret => %s" % SECRET,
    "yaml-block": "credentials:\n  accessKeySecret: |\n    %s\n  region: cn-hangzhou\n" % SECRET,
    "bare-secret": '{"secret": "%s"}' % SECRET,
}

# Issue 19: a structure, not text: a Kubernetes env entry inside the SysOM result.
ENV_ENTRY = {"name": "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "value": SECRET}


# Environment given to every ackprof run (the value-based case sets a credential here).
EXTRA_ENV = {}


def fixture(kind, body=None, status=None, exit_code=None, stderr=None, body_from=None):
    lines = ["kind: %s" % kind]
    if status is not None:
        lines.append("status: %d" % status)
    if exit_code is not None:
        lines.append("exit: %d" % exit_code)
    if stderr is not None:
        esc = stderr.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")
        lines.append("stderr: " + esc)
    if body_from is not None:
        lines.append("body_from: " + body_from)
    return "\n".join(lines) + "\n---\n" + (body or "")


def result_body(text):
    result = {"diagnose_mode": "realtime",
              "summary": {"overall_status": "Warn", "root_cause": "Throttled. " + text,
                          "suggestions": ["Rotate: " + text]},
              "issues": [{"subsystem": "Runtime", "severity": "Warn", "title": "Leak " + text,
                          "detail": text, "raw": text, "password": text,
                          "env": [{"name": "PATH", "value": "/usr/bin"}, ENV_ENTRY]}]}
    return json.dumps({"code": "Success", "message": "", "request_id": "5D2C7A1E",
                       "data": {"task_id": "{{task_id}}", "status": "Success", "err_msg": "",
                                "url": "/diagnose/detail/{{task_id}}", "result": result}})


def error_body(code, text):
    return json.dumps({"RequestId": "8C1F0B52", "HostId": "sysom.aliyuncs.com", "Code": code,
                       "Message": text})


def make_scenario(root, variant, text):
    """A scenario directory: the text where the CLI would carry it."""
    d = root / ("scen-" + variant)
    d.mkdir()
    if variant == "result":
        # A busy answer first (its message is shown with -v), then a task whose result leaks.
        busy = "A diagnosis task is already running on instance ack-x: ocd(qT7mYx2L). " + text
        (d / "invoke.1").write_text(fixture("plugin", error_body("Sysom.TaskInProgress", busy), status=400))
        (d / "invoke.2").write_text(fixture("plugin", status=200, body_from="default/invoke"))
        (d / "result").write_text(fixture("plugin", result_body(text), status=200))
    elif variant == "invoke-error":
        (d / "invoke").write_text(fixture("plugin", error_body("Sysom.InvalidParameter", text), status=400))
    elif variant == "step7-error":
        (d / "step7").write_text(fixture("raw", exit_code=1, stderr="ERROR: " + text + "\n"))
    return d


def run(home, scenario, *args, stdin=None):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("FAKE_ALIYUN_", "ACKPROF_", "XDG_RUNTIME_DIR", "ALIBABA_CLOUD_"))}
    env.update(HOME=str(home), XDG_STATE_HOME=str(home / "state"), XDG_DATA_HOME=str(home / "data"),
               FAKE_ALIYUN_SCENARIO=str(scenario), FAKE_ALIYUN_LOG=str(home / "calls.log"))
    env.update(EXTRA_ENV)
    cmd, rest = args[0], list(args[1:])
    argv = [str(ACKPROF), cmd, "--aliyun", str(DOUBLE), "--sdk-venv", str(REPO / "tests/double/venv"),
            "--scripts-dir", str(REPO / "scripts"), "--poll-interval", "0", "--busy-wait", "0",
            "--cli-timeout", "0.5", "--poll-max", "3"] + rest
    if cmd == "diagnose":
        argv.append("--yes")
    return subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=120, input=stdin, cwd=str(home))


def mcp_session(home, scenario, calls):
    """Run tool calls through `ackprof mcp`; every byte it wrote on stdout, and its stderr."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("FAKE_ALIYUN_", "ACKPROF_", "XDG_RUNTIME_DIR", "ALIBABA_CLOUD_"))}
    env.update(HOME=str(home), XDG_STATE_HOME=str(home / "state"), XDG_DATA_HOME=str(home / "data"),
               FAKE_ALIYUN_SCENARIO=str(scenario))
    env.update(EXTRA_ENV)
    argv = [str(ACKPROF), "mcp", "--aliyun", str(DOUBLE), "--sdk-venv", str(REPO / "tests/double/venv"),
            "--scripts-dir", str(REPO / "scripts"), "--poll-interval", "0", "--busy-wait", "0",
            "--cli-timeout", "0.5", "--poll-max", "3"]
    msgs = [{"jsonrpc": "2.0", "id": 0, "method": "initialize",
             "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                        "clientInfo": {"name": "pytest", "version": "1"}}},
            {"jsonrpc": "2.0", "method": "notifications/initialized"}]
    for i, (name, args) in enumerate(calls, 1):
        msgs.append({"jsonrpc": "2.0", "id": i, "method": "tools/call",
                     "params": {"name": name, "arguments": args, "_meta": {"progressToken": i}}})
    p = subprocess.Popen(argv, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    for m in msgs:
        p.stdin.write(json.dumps(m).encode() + b"\n")
    p.stdin.flush()
    out, want, end = b"", {i for i in range(len(calls) + 1)}, time.time() + 120
    while want and time.time() < end:
        r, _, _ = select.select([p.stdout], [], [], end - time.time())
        if not r:
            break
        chunk = os.read(p.stdout.fileno(), 65536)
        if not chunk:
            break
        out += chunk
        for line in out.split(b"\n")[:-1]:
            m = json.loads(line)
            if m.get("id") in want and ("result" in m or "error" in m):
                want.discard(m["id"])
    p.stdin.close()
    rest = p.stdout.read()
    err = p.stderr.read()
    p.wait(timeout=60)
    assert not want, "no answer to tools/call %s" % sorted(want)
    return out + rest, err


def check_bytes(where, data):
    """UTF-8, no ESC or CR: what every output must be."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as e:
        pytest.fail("%s is not UTF-8: %s" % (where, e))
    assert b"\x1b" not in data and b"\r" not in data, "%s holds an ESC or CR byte" % where


def check_no_pieces(where, data):
    text = data.decode("utf-8", "replace")
    for p in PIECES:
        assert p not in text, "%s holds %r:\n%s" % (where, p, text[:2000])


def outputs(home, scenario, mcp=True):
    """Run every path once; yield (where, bytes, is_json_kind)."""
    target = ["-c", CLUSTER, "-n", "default", "-p", "app-1"]
    (home / "in").write_text("%s default app-1\n" % CLUSTER)
    for fmt, ext in (("text", "txt"), ("json", "json"), ("markdown", "md")):
        r = run(home, scenario, "diagnose", *target, "-v", "-o", fmt, "--save", "saved." + ext)
        yield "diagnose -o %s stdout" % fmt, r.stdout, "doc" if fmt == "json" else None
        yield "diagnose -o %s stderr" % fmt, r.stderr, None
        saved = home / ("saved." + ext)
        if saved.exists():
            yield "--save saved.%s" % ext, saved.read_bytes(), "doc" if fmt == "json" else None
            saved.unlink()
    for fmt in ("text", "json"):
        st = home / ("st." + fmt)
        r = run(home, scenario, "batch", str(home / "in"), "-v", "-o", fmt, "--state", str(st))
        yield "batch -o %s stdout" % fmt, r.stdout, "lines" if fmt == "json" else None
        yield "batch -o %s stderr" % fmt, r.stderr, None
        if st.exists():
            yield "batch --state (%s)" % fmt, st.read_bytes(), "lines"
            st.unlink()
    if mcp:
        out, err = mcp_session(home, scenario, [
            ("diagnose_pod", {"cluster_id": CLUSTER, "namespace": "default", "pod": "app-1"}),
            ("diagnose_pods", {"targets": [{"cluster_id": CLUSTER, "namespace": "default", "pod": "app-1"}]}),
        ])
        yield "mcp stdout", out, "lines"
        yield "mcp stderr", err, None


def check_schema(doc):
    """A document that names its kind is valid against schema/KIND.schema.json (issue 20)."""
    if isinstance(doc, dict) and "kind" in doc:
        path = REPO / "schema" / ("%s.schema.json" % doc["kind"])
        if path not in SCHEMAS:
            SCHEMAS[path] = jsonschema.Draft202012Validator(json.loads(path.read_text()))
        SCHEMAS[path].validate(doc)


SCHEMAS = {}


def check_json(where, data, kind):
    if kind == "doc" and data.strip():
        d = json.loads(data)
        assert "kind" in d, where
        check_schema(d)
    elif kind == "lines":
        for line in data.decode("utf-8").splitlines():
            if line.strip():
                check_schema(json.loads(line))


@pytest.mark.parametrize("variant", ["result", "invoke-error", "step7-error"])
@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_no_leak_shape_reaches_any_output(tmp_path, shape, variant):
    scen = make_scenario(tmp_path, variant, SHAPES[shape])
    home = tmp_path / "home"
    home.mkdir()
    seen = 0
    for where, data, kind in outputs(home, scen):
        check_no_pieces("%s (%s in %s)" % (where, shape, variant), data)
        check_bytes(where, data)
        try:
            check_json(where, data, kind)
        except ValueError as e:
            pytest.fail("%s is not JSON (%s in %s): %s\n%s" % (where, shape, variant, e, data[:2000]))
        seen += len(data)
    assert seen > 0


# Scenarios that only differ in timing are run with a short --cli-timeout; all are run.
@pytest.mark.parametrize("scenario", sorted(p.name for p in SCENARIOS.iterdir() if p.is_dir()))
def test_every_fixture_in_every_format_is_utf8_and_json(tmp_path, scenario):
    home = tmp_path / "home"
    home.mkdir()
    for where, data, kind in outputs(home, SCENARIOS / scenario, mcp=scenario in MCP_SCENARIOS):
        check_bytes("%s [%s]" % (where, scenario), data)
        check_no_pieces("%s [%s]" % (where, scenario), data)
        try:
            check_json(where, data, kind)
        except ValueError as e:
            pytest.fail("%s [%s] is not JSON: %s\n%s" % (where, scenario, e, data[:2000]))


# MCP over the fixtures that carry hostile text (the rest only repeats -o json).
MCP_SCENARIOS = {"leaky", "leaky-error", "leaky-step7", "result-bad-utf8", "result-json-hostile",
                 "invoke-long-zh", "step7-bad-bytes", "cjk-name", "critical-string", "summary-string"}


# Issue 19: masking by value.  No pattern catches a secret inside a base64 blob; ackprof
# knows the secret from its own environment and masks it in every form, at each of the
# three alignments base64 can give it.
VALUE_ONLY = {
    "base64-blob": " ".join(__import__("base64").b64encode(p.encode() + SECRET.encode() + b"|tail").decode()
                            for p in ("", "a", "ab")),
    "url-encoded-value": "blob=" + "".join("%%%02X" % ord(c) for c in SECRET),
    "bare-value": "opaque %s here" % SECRET,
}


@pytest.mark.parametrize("variant", ["result", "invoke-error", "step7-error"])
@pytest.mark.parametrize("shape", sorted(VALUE_ONLY))
def test_known_credential_masked_by_value(tmp_path, monkeypatch, shape, variant):
    monkeypatch.setitem(EXTRA_ENV, "ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET)
    scen = make_scenario(tmp_path, variant, VALUE_ONLY[shape])
    home = tmp_path / "home"
    home.mkdir()
    b64 = __import__("base64").b64encode
    # The value's own base64 at every alignment, and its middle: none may be seen.
    pieces = [b64(p.encode() + SECRET.encode()).decode()[4:16] for p in ("", "a", "ab")] + [SECRET[8:20]]
    seen = 0
    for where, data, kind in outputs(home, scen, mcp=(variant == "result")):
        text = data.decode("utf-8", "replace")
        for p in pieces:
            assert p not in text, "%s holds %r (%s in %s):\n%s" % (where, p, shape, variant, text[:2000])
        check_bytes(where, data)
        check_json(where, data, kind)
        seen += len(data)
    assert seen > 0
