# SPDX-License-Identifier: Apache-2.0
"""A fake SysOM endpoint on 127.0.0.1 for the Step 7 script's tests.

It records every request it receives and answers with a canned reply: a JSON
body and a status, raw bytes, or no answer at all (it reads the request, then
holds the connection open until it is stopped).  verify_signature() checks an
ACS3-HMAC-SHA256 Authorization header the way the service does, from the
secret of the AccessKey id it names, so a test can tell that the SDK signed
the request with the profile's key and not merely that some header was sent.
Standard library only: it runs in the outer interpreter, not in the SDK venv.
"""

import hashlib
import hmac
import http.server
import json
import re
import threading

ALGORITHM = "ACS3-HMAC-SHA256"
AUTH_RE = re.compile(ALGORITHM + r" Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]+)$")


class Request:
    """One request as the fake saw it; header names are lowercase."""

    def __init__(self, method, path, headers, body):
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body.decode("utf-8"))


class FakeSysom:
    """Use as a context manager; .endpoint is HOST:PORT for ACKPROF_SYSOM_TEST_ENDPOINT."""

    def __init__(self):
        self.requests = []
        self._status = 200
        self._body = b"{}"
        self._content_type = "application/json"
        self._hang = False
        self._stop = threading.Event()
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def endpoint(self):
        return "127.0.0.1:%d" % self._server.server_address[1]

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()  # releases a hanging handler
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def reply(self, body, status=200, content_type="application/json"):
        """Answer every request with body (a dict or list becomes JSON; bytes go as they are)."""
        if not isinstance(body, bytes):
            body = json.dumps(body).encode("utf-8")
        self._status, self._body, self._content_type = status, body, content_type
        self._hang = False

    def hang(self):
        """Read each request, then never answer."""
        self._hang = True

    def _handler(self):
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                fake.requests.append(Request(self.command, self.path, headers, body))
                if fake._hang:
                    fake._stop.wait(60)
                    self.close_connection = True
                    return
                self.send_response(fake._status)
                self.send_header("Content-Type", fake._content_type)
                self.send_header("Content-Length", str(len(fake._body)))
                self.end_headers()
                self.wfile.write(fake._body)

            do_GET = do_PUT = do_DELETE = do_POST

            def log_message(self, *args):
                pass

        return Handler


def verify_signature(request, secrets):
    """The AccessKey id that validly signed request, or an AssertionError saying why not.

    secrets maps AccessKey id -> secret.  The canonical request is rebuilt from
    what arrived on the wire: method, path, (empty) query, the signed headers
    with their received values, and the payload hash, which must match the body.
    """
    auth = request.headers.get("authorization", "")
    m = AUTH_RE.match(auth)
    assert m, "no %s Authorization header: %r" % (ALGORITHM, auth[:40])
    ak_id, signed, signature = m.groups()
    assert ak_id in secrets, "signed with an unknown AccessKey id"
    payload_hash = hashlib.sha256(request.body).hexdigest()
    assert request.headers.get("x-acs-content-sha256") == payload_hash, "payload hash mismatch"
    names = signed.split(";")
    assert names == sorted(names) and "host" in names and "x-acs-date" in names, signed
    path, _, query = request.path.partition("?")
    assert query == "", "unexpected query %r" % query
    canonical_headers = "".join("%s:%s\n" % (n, request.headers.get(n, "").strip()) for n in names)
    canonical = "\n".join([request.method, path, "", canonical_headers, signed, payload_hash])
    to_sign = ALGORITHM + "\n" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    want = hmac.new(secrets[ak_id].encode("utf-8"), to_sign.encode("utf-8"), hashlib.sha256).hexdigest()
    assert hmac.compare_digest(want, signature), "bad signature"
    return ak_id
