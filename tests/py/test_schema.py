# SPDX-License-Identifier: Apache-2.0
"""The versioned JSON contract (issue 20, items 1 to 4).

-o jsonl writes each document on one line; every document carries kind, schema_version,
ackprof_version, started_at and finished_at; a window that does not exist is null; url is
absolute with the relative form under url_path; schema/KIND.schema.json (draft 2020-12)
accepts what ackprof writes and is the MCP diagnosis tools' outputSchema byte for byte
(as parsed); `ackprof version -o json` gives the build.
"""

import json
import os
import re
import subprocess
from pathlib import Path

import jsonschema
import pytest

from test_mcp import Client

REPO = Path(__file__).resolve().parents[2]
ACKPROF = Path(os.environ.get("ACKPROF", REPO / "ackprof"))
DOUBLE = REPO / "tests" / "double" / "aliyun"
CLUSTER = "c4f1a9e27b8d34c6a9e0f5b2d7c81a3e6"
KINDS = ["diagnosis", "error", "dry_run", "batch_summary", "version"]
RFC3339_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

pytestmark = pytest.mark.skipif(not (ACKPROF.exists() and DOUBLE.exists()),
                                reason="build ackprof and the double first (make)")


def schema(kind):
    return json.loads((REPO / "schema" / ("%s.schema.json" % kind)).read_text())


def validate(doc):
    jsonschema.Draft202012Validator(schema(doc["kind"])).validate(doc)


def run(tmp_path, *args, scenario="default", stdin=None):
    tmp_path.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("FAKE_ALIYUN_", "ACKPROF_", "XDG_RUNTIME_DIR"))}
    env.update(HOME=str(tmp_path), XDG_STATE_HOME=str(tmp_path / "state"),
               XDG_DATA_HOME=str(tmp_path / "data"), FAKE_ALIYUN_LOG=str(tmp_path / "calls.log"),
               FAKE_ALIYUN_SCENARIO=scenario)
    wiring = ["--aliyun", str(DOUBLE), "--sdk-venv", str(REPO / "tests/double/venv"),
              "--scripts-dir", str(REPO / "scripts"), "--poll-interval", "0"]
    argv = [str(ACKPROF)] + list(args)
    if args and args[0] in ("diagnose", "batch"):
        argv += wiring + ["--busy-wait", "0"] + (["--yes"] if args[0] == "diagnose" else [])
    elif args and args[0] == "result":
        argv += ["--aliyun", str(DOUBLE), "--poll-interval", "0"]
    return subprocess.run(argv, env=env, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=120)


def one_line(out):
    lines = out.splitlines()
    assert len(lines) == 1, out
    return json.loads(lines[0])


@pytest.mark.parametrize("kind", KINDS)
def test_schemas_are_draft_2020_12(kind):
    s = schema(kind)
    assert s["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(s)
    assert s["properties"]["kind"]["const"] == kind
    assert s["properties"]["schema_version"]["const"] == 1


def test_schema_header_is_current(tmp_path):
    out = tmp_path / "schema_doc.h"
    subprocess.run(["sh", str(REPO / "tools" / "schema-h"), str(out)], check=True)
    assert out.read_text() == (REPO / "src" / "schema_doc.h").read_text(), \
        "src/schema_doc.h is stale: run sh tools/schema-h"


def contract(doc, kind):
    assert doc["kind"] == kind
    assert doc["schema_version"] == 1
    assert doc["ackprof_version"] == subprocess.run([str(ACKPROF), "--version"], stdout=subprocess.PIPE,
                                                    universal_newlines=True).stdout.split()[1]
    assert RFC3339_UTC.match(doc["started_at"]) and RFC3339_UTC.match(doc["finished_at"])
    assert doc["started_at"] <= doc["finished_at"]
    validate(doc)


def test_diagnose_jsonl_one_line_with_contract(tmp_path):
    r = run(tmp_path, "diagnose", "-c", CLUSTER, "-n", "default", "-p", "app-1", "-o", "jsonl")
    assert r.returncode == 0, r.stderr
    d = one_line(r.stdout)
    contract(d, "diagnosis")
    # A real-time diagnosis has no window: null, not 0.
    assert d["mode"] == "realtime" and d["start_time"] is None and d["end_time"] is None
    assert d["url"] == "https://alinux.console.aliyun.com/diagnose/detail/%s" % d["task_id"]
    assert d["url_path"] == "/diagnose/detail/%s" % d["task_id"]
    # -o json is the same document, indented.
    j = run(tmp_path, "diagnose", "-c", CLUSTER, "-n", "default", "-p", "app-1", "-o", "json")
    assert len(j.stdout.splitlines()) > 1
    contract(json.loads(j.stdout), "diagnosis")


def test_historical_window_is_numbers(tmp_path):
    r = run(tmp_path, "diagnose", "-c", CLUSTER, "-n", "default", "-p", "app-1", "--since", "1h",
            "-o", "jsonl", scenario="warn")
    d = one_line(r.stdout)
    contract(d, "diagnosis")
    assert d["mode"] == "historical" and d["end_time"] - d["start_time"] == 3600


def test_failure_and_usage_error_documents(tmp_path):
    r = run(tmp_path, "diagnose", "-c", CLUSTER, "-n", "default", "-p", "app-1", "-o", "jsonl",
            scenario="not-found")
    assert r.returncode == 65
    d = one_line(r.stdout)
    contract(d, "diagnosis")
    assert d["exit_code"] == 65 and d["error"] and d["url"] is None and d["start_time"] is None
    u = run(tmp_path, "diagnose", "-c", "nope", "-o", "jsonl")
    assert u.returncode == 64
    e = one_line(u.stdout)
    contract(e, "error")
    assert e["exit_code"] == 64 and e["error"]
    # -o json: the usage document indented, the same kind.
    contract(json.loads(run(tmp_path, "diagnose", "-c", "nope", "-o", "json").stdout), "error")


def test_dry_run_documents(tmp_path):
    for fmt, lines in (("jsonl", 1), ("json", None)):
        r = run(tmp_path, "diagnose", "-c", CLUSTER, "-n", "default", "-p", "app-1", "--dry-run", "-o", fmt)
        assert r.returncode == 0
        if lines:
            assert len(r.stdout.splitlines()) == 1
        d = json.loads(r.stdout)
        contract(d, "dry_run")
        assert d["dry_run"] is True and d["chain"]


def test_result_jsonl(tmp_path):
    r = run(tmp_path, "result", "Tc81a3e6", "-o", "jsonl")
    d = one_line(r.stdout)
    contract(d, "diagnosis")
    assert d["task_id"] == "Tc81a3e6"


def test_batch_jsonl_is_json(tmp_path):
    lines = "%s default a-1\n%s default b-1\n" % (CLUSTER, CLUSTER)
    a = run(tmp_path / "a", "batch", "-o", "jsonl", stdin=lines)
    b = run(tmp_path / "b", "batch", "-o", "json", stdin=lines)
    assert a.returncode == b.returncode == 0, a.stderr
    da = [json.loads(x) for x in a.stdout.splitlines()]
    db = [json.loads(x) for x in b.stdout.splitlines()]
    assert [d["kind"] for d in da] == [d["kind"] for d in db] == ["diagnosis", "diagnosis", "batch_summary"]
    for d in da + db:
        contract(d, d["kind"])


def test_version_command(tmp_path):
    first = subprocess.run([str(ACKPROF), "--version"], stdout=subprocess.PIPE, universal_newlines=True).stdout
    assert re.match(r"^ackprof \d+\.\d+\.\d+\n$", first)
    text = subprocess.run([str(ACKPROF), "version"], stdout=subprocess.PIPE, universal_newlines=True)
    assert text.returncode == 0 and text.stdout.splitlines()[0] == first.strip()
    r = subprocess.run([str(ACKPROF), "version", "-o", "json"], stdout=subprocess.PIPE, universal_newlines=True)
    assert r.returncode == 0
    d = json.loads(r.stdout)
    contract(d, "version")
    assert d["version"] == first.split()[1]
    for k in ("git_commit", "build_date", "compiler", "cjson_version", "pcre2_version"):
        assert isinstance(d[k], str) and d[k], k
    assert re.match(r"^\d+\.\d+\.\d+$", d["cjson_version"]) and re.match(r"^\d+\.\d+", d["pcre2_version"])
    assert re.match(r"^(gcc|clang) ", d["compiler"])
    # In a git checkout, the commit is HEAD's (or an older build's: the binary may predate a commit).
    assert re.match(r"^([0-9a-f]{7,40}|unknown)$", d["git_commit"])


def test_mcp_output_schema_is_the_published_one(tmp_path):
    c = Client(tmp_path)
    c.call(0, "initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                             "clientInfo": {"name": "pytest", "version": "1"}})
    c.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
    tools = {t["name"]: t for t in c.call(1, "tools/list")["result"]["tools"]}
    for name in ("diagnose_pod", "get_diagnosis_result"):
        assert tools[name]["outputSchema"] == schema("diagnosis"), name
    r = c.tool(2, "diagnose_pod", {"cluster_id": CLUSTER, "namespace": "default", "pod": "app-1"})
    doc = r["structuredContent"]
    jsonschema.Draft202012Validator(tools["diagnose_pod"]["outputSchema"]).validate(doc)
    assert doc["kind"] == "diagnosis" and doc["state"] == "finished"
    assert c.close() == 0
