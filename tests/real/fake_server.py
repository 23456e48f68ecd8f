#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The loopback servers the real aliyun CLI talks to in tests/real: the CS API
(`cs GET /clusters/ID`, reached through `--endpoint 127.0.0.1:PORT --insecure`) and
the plugin index (ALIBABA_CLOUD_CLI_PLUGIN_SOURCE_BASE).  One process, one port.

What it answers is read from CASE (a JSON file the runner rewrites before each case)
on every request, so one server serves a whole suite:
  {"scenario": "NAME",            # cs answers come from fixtures/scenarios/NAME/cs-get
                                  # ("": the cluster's line in fixtures/clusters.map)
   "index": "ok" | "missing",     # the plugin index files, or 404 for them
   "index_version": "0.3.2"}      # the version the index offers (0.3.3: an update)
The runner compares LOG with the requests the case expects, so any other request fails it.
CS answers are the double's own fixtures (kind builtin: status and body; kind hang:
no answer), sent with the three headers the double prints in its ServerError block
(Content-Type, a fixed Date, X-Acs-Request-Id) and nothing else, as HTTP/1.0 with no
Content-Length, so that Go's header map holds exactly those three.  A download of a
plugin package is always 404.  Any other request is answered 599 and logged with
UNEXPECTED, so the case fails.

Each request appends "METHOD PATH" to LOG; its User-Agent goes to LOG.ua.
usage: fake_server.py FIXTURES CASE LOG PORTFILE     (stdlib only)
"""

import http.server
import json
import os
import re
import sys
import time

FIXTURES, CASE, LOG, PORTFILE = sys.argv[1:5]
DATE = "Tue, 10 Jun 2026 01:31:02 GMT"
FIXED_ID = "0C5C46D6-7B35-5D1F-8A3B-6F2E1C9D0A47"  # the double's fixed id
CLUSTER_RE = re.compile(r"^/clusters/(c[0-9a-f]{32})$")


def fixture(scenario, key):
    """(headers dict, body bytes) of a double fixture, scenario first, then default."""
    for scen in (scenario, "default"):
        path = os.path.join(FIXTURES, "scenarios", scen, key)
        if os.path.exists(path):
            with open(path, "rb") as f:
                text = f.read()
            head, _, body = text.partition(b"\n---\n")
            fields = {}
            for line in head.decode().splitlines():
                line = line.split("#", 1)[0].strip()
                if ":" in line:
                    k, v = line.split(":", 1)
                    fields[k.strip()] = v.strip()
            if "body_from" in fields:
                return fields, fixture(*fields["body_from"].split("/", 1))[1]
            return fields, body[:-1] if body.endswith(b"\n") else body
    return None, None


def mapped(cluster):
    """The scenario fixtures/clusters.map gives a cluster (as the double does), or default."""
    with open(os.path.join(FIXTURES, "clusters.map")) as f:
        for line in f:
            words = line.split("#", 1)[0].split()
            if len(words) == 2 and words[0] == cluster:
                return words[1]
    return "default"


def index(port, version):
    url = "http://127.0.0.1:%d/aliyun-cli-sysom-%s-linux-amd64.tar.gz" % (port, version)
    plugin = {"name": "aliyun-cli-sysom", "description": "SysOM plugin",
              "productName": {"en": "SysOM", "zh": "SysOM"}, "productCode": "sysom",
              "homepage": "", "command": "sysom",
              "versions": {version: {"linux-amd64": {"url": url, "checksum": "0" * 64}}}}
    return json.dumps({"plugins": [plugin]}).encode()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, *args):
        pass

    def answer(self, status, body, request_id=FIXED_ID, ctype="application/json;charset=utf-8"):
        self.wfile.write(("HTTP/1.0 %d %s\r\nContent-Type: %s\r\nDate: %s\r\n"
                          "X-Acs-Request-Id: %s\r\n\r\n" % (status, self.responses.get(status, ("X",))[0],
                                                          ctype, DATE, request_id)).encode())
        self.wfile.write(body)

    def do_GET(self):
        with open(CASE) as f:
            case = json.load(f)
        line = "%s %s" % (self.command, self.path)
        m = CLUSTER_RE.match(self.path)
        ok = True
        if m:
            fields, body = fixture(case["scenario"] or mapped(m.group(1)), "cs-get")
            if fields is None or fields.get("kind") not in ("builtin", "hang"):
                ok = False
        elif self.path in ("/plugin_pkg_index.json", "/plugin_search_index.json"):
            pass
        elif self.path.endswith(".tar.gz"):
            pass
        else:
            ok = False
        with open(LOG, "a") as f:
            f.write(("" if ok else "UNEXPECTED ") + line + "\n")
        with open(LOG + ".ua", "a") as f:
            f.write(self.headers.get("User-Agent", "-") + "\n")
        if not ok:
            return self.answer(599, b'{"Code":"Unexpected"}')
        if m:
            if fields["kind"] == "hang":
                time.sleep(3600)
            body = body.replace(b"{{cluster_id}}", m.group(1).encode())
            rid = FIXED_ID
            try:
                doc = json.loads(body)
                for k in ("RequestId", "requestId", "request_id"):
                    if isinstance(doc, dict) and isinstance(doc.get(k), str):
                        rid = doc[k]
                        break
            except ValueError:
                pass
            return self.answer(int(fields.get("status", "200")), body, rid)
        if self.path.endswith(".tar.gz") or case.get("index", "ok") != "ok":
            return self.answer(404, b"not found", ctype="text/plain")
        if self.path == "/plugin_search_index.json":
            # The command index: a map from "product subcommand" to the plugin's name.
            return self.answer(200, json.dumps({"sysom " + c: "aliyun-cli-sysom" for c in
                                                ("initial-sysom", "invoke-diagnosis",
                                                 "get-diagnosis-result")}).encode())
        return self.answer(200, index(self.server.server_address[1], case.get("index_version", "0.3.2")))

    do_POST = do_PUT = do_DELETE = do_GET


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
with open(PORTFILE + ".tmp", "w") as f:
    f.write("%d\n" % server.server_address[1])
os.rename(PORTFILE + ".tmp", PORTFILE)
server.serve_forever()
