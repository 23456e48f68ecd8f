# SPDX-License-Identifier: Apache-2.0
"""scripts/create-cluster-vpc-endpoint-connection.py, run with the real SDK
against the fake SysOM: what the service would receive, and what the caller sees."""

import subprocess
import sys
import time

from conftest import OK_LINE, PROFILES, SCRIPT, SECRETS, UA, assert_no_secrets, clean_env
from fake_sysom import verify_signature

PATH = "/api/v1/k8sProxy/access/createClusterVpcEndpointConnection"
CLUSTER = "c8a1b2c3d4e5f60718293a4b5c6d7e8f9"
ARGS = ("--region", "cn-hangzhou", "--cluster-id", CLUSTER)
SUCCESS = {"code": "Success", "message": "success",
           "data": {"endpointConnectionId": "ep-bp1d7s9k2x4c6v8n0m3q"},
           "requestId": "2D693121-C925-5154-8DF6-C09A8B369822"}


def gateway_error(code, message):
    """The body of an HTTP 4xx/5xx from the API gateway (PascalCase keys)."""
    return {"RequestId": "5E3F1C2B-0A9D-4E8F-B7C6-1D2E3F4A5B6C", "HostId": "sysom.aliyuncs.com",
            "Code": code, "Message": message,
            "Recommend": "https://api.aliyun.com/troubleshoot?q=%s" % code}


def one_error_line(result):
    assert result.returncode == 1, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("ERROR: "), result.stderr
    assert_no_secrets(result)
    return lines[0]


def test_success_sends_a_signed_post_with_cluster_and_region(run_script, fake):
    fake.reply(SUCCESS)
    r = run_script(*ARGS)
    assert (r.returncode, r.stdout, r.stderr) == (0, "", OK_LINE)
    assert_no_secrets(r)
    [req] = fake.requests
    assert req.method == "POST"
    assert req.path == PATH
    assert req.json() == {"clusterId": CLUSTER, "region": "cn-hangzhou"}
    assert req.headers["content-type"].startswith("application/json")
    assert req.headers["x-acs-action"] == "CreateClusterVpcEndpointConnection"
    assert req.headers["x-acs-version"] == "2023-12-30"
    assert UA in req.headers["user-agent"].split(" "), req.headers["user-agent"]  # a whole token
    assert verify_signature(req, SECRETS) == PROFILES["default"][0]


def test_dry_run_adds_dry_run_true_to_the_body(run_script, fake):
    fake.reply(SUCCESS)
    r = run_script(*ARGS, "--dry-run")
    assert (r.returncode, r.stdout, r.stderr) == (0, "", OK_LINE)
    [req] = fake.requests
    assert req.json() == {"clusterId": CLUSTER, "region": "cn-hangzhou", "dryRun": True}


def test_business_error_code_in_a_200_fails_with_code_and_message(run_script, fake):
    fake.reply({"code": "Sysom.ClusterNotFound", "message": "cluster %s not found" % CLUSTER,
                "requestId": "9B1C2D3E-4F5A-6B7C-8D9E-0F1A2B3C4D5E"})
    line = one_error_line(run_script(*ARGS))
    assert line == "ERROR: Creation failed: Sysom.ClusterNotFound - cluster %s not found" % CLUSTER


def test_200_without_a_code_is_a_failure(run_script, fake):
    fake.reply({"message": "odd"})
    assert one_error_line(run_script(*ARGS)) == "ERROR: Creation failed: (no code) - odd"


def test_http_400_names_the_gateway_code(run_script, fake):
    fake.reply(gateway_error("Sysom.InvalidParameter", "clusterId is invalid"), status=400)
    line = one_error_line(run_script(*ARGS))
    assert "HTTP 400 Sysom.InvalidParameter - clusterId is invalid" in line
    assert "5E3F1C2B-0A9D-4E8F-B7C6-1D2E3F4A5B6C" in line
    assert len(fake.requests) == 1  # no retries


def test_http_403_hints_at_the_ram_permission(run_script, fake):
    fake.reply(gateway_error("Forbidden.RAM", "User not authorized to operate on the specified resource."),
               status=403)
    line = one_error_line(run_script(*ARGS))
    assert "HTTP 403 Forbidden.RAM" in line
    assert "sysom:CreateClusterVpcEndpointConnection" in line


def test_http_500_names_the_gateway_code(run_script, fake):
    fake.reply(gateway_error("Sysom.ServerError", "internal error"), status=500)
    line = one_error_line(run_script(*ARGS))
    assert "HTTP 500 Sysom.ServerError - internal error" in line
    assert "retry later" in line


def test_a_body_that_is_not_json_fails_cleanly(run_script, fake):
    fake.reply(b"<html><body>502 Bad Gateway</body></html>", content_type="text/html")
    assert "not JSON" in one_error_line(run_script(*ARGS))


def test_an_error_status_with_a_body_that_is_not_json_fails_cleanly(run_script, fake):
    fake.reply(b"<html><body>502 Bad Gateway</body></html>", status=502, content_type="text/html")
    assert "not JSON" in one_error_line(run_script(*ARGS))


def test_a_server_that_never_answers_is_given_up_on_after_the_read_timeout(run_script, fake):
    fake.hang()
    started = time.monotonic()
    r = run_script(*ARGS, env={"ACKPROF_SYSOM_TEST_READ_TIMEOUT_MS": "1500"}, timeout=30)
    elapsed = time.monotonic() - started
    line = one_error_line(r)
    assert "network error" in line and "(connect timeout 10 s, read timeout 1.5 s)" in line, line
    assert 1.4 < elapsed < 15
    assert len(fake.requests) == 1


def test_a_bad_test_read_timeout_is_refused(run_script, fake):
    line = one_error_line(run_script(*ARGS, env={"ACKPROF_SYSOM_TEST_READ_TIMEOUT_MS": "0"}))
    assert "ACKPROF_SYSOM_TEST_READ_TIMEOUT_MS" in line
    assert fake.requests == []


def test_no_credentials_at_all_says_run_aliyun_configure(run_script, fake, home):
    (home / ".aliyun" / "config.json").unlink()
    line = one_error_line(run_script(*ARGS))
    assert "credentials" in line and "aliyun configure" in line
    assert fake.requests == []


class CredentialsURI:
    """A loopback credentials URI (ALIBABA_CLOUD_CREDENTIALS_URI) that fails: 404
    with a multi-line body, the way a metadata service without a RAM role answers."""

    def __init__(self):
        import http.server
        import threading
        owner = self
        self.requests = 0

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                owner.requests += 1
                body = b"<html>\n<h1>404 Not Found</h1>\nno role\n</html>\n"
                self.send_response(404)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.uri = "http://127.0.0.1:%d/latest/meta-data/ram/security-credentials/" % self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def test_a_provider_failing_through_the_refresh_path_still_gives_one_line(run_script, fake, home):
    """Issue 11, item 13: the credentials library logs a traceback through its own
    `credentials` logger when a provider's refresh fails; none of it may reach stderr."""
    (home / ".aliyun" / "config.json").unlink()
    uri = CredentialsURI()
    try:
        r = run_script(*ARGS, env={"ALIBABA_CLOUD_CREDENTIALS_URI": uri.uri,
                                   "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true"})
    finally:
        uri.close()
    assert uri.requests >= 1, "the URI provider was not tried: the test proves nothing"
    line = one_error_line(r)
    assert "Traceback" not in r.stderr
    assert "credentials" in line and "aliyun configure" in line
    assert fake.requests == []


def test_an_unknown_profile_is_a_credentials_error(run_script, fake):
    line = one_error_line(run_script(*ARGS, env={"ALIBABA_CLOUD_PROFILE": "nosuch"}))
    assert "nosuch" in line and "aliyun configure" in line
    assert fake.requests == []


def test_alibaba_cloud_profile_selects_the_second_profile(run_script, fake):
    fake.reply(SUCCESS)
    r = run_script(*ARGS, env={"ALIBABA_CLOUD_PROFILE": "second"})
    assert (r.returncode, r.stderr) == (0, OK_LINE)
    assert_no_secrets(r)
    [req] = fake.requests
    assert verify_signature(req, SECRETS) == PROFILES["second"][0]


def test_the_cli_profile_aliases_select_a_profile_too(run_script, fake):
    # The aliyun CLI reads ALIBABACLOUD_PROFILE before ALIBABA_CLOUD_PROFILE;
    # the SDK must sign with the same profile the CLI would use.
    fake.reply(SUCCESS)
    r = run_script(*ARGS, env={"ALIBABACLOUD_PROFILE": "second", "ALIBABA_CLOUD_PROFILE": "default"})
    assert (r.returncode, r.stderr) == (0, OK_LINE)
    assert verify_signature(fake.requests[0], SECRETS) == PROFILES["second"][0]


def test_environment_access_keys_come_first_in_the_chain(run_script, fake, home):
    (home / ".aliyun" / "config.json").unlink()
    ak, secret = PROFILES["second"]
    fake.reply(SUCCESS)
    r = run_script(*ARGS, env={"ALIBABA_CLOUD_ACCESS_KEY_ID": ak, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": secret})
    assert (r.returncode, r.stderr) == (0, OK_LINE)
    assert_no_secrets(r)
    assert verify_signature(fake.requests[0], SECRETS) == ak


def test_sdk_debug_logging_cannot_leak_the_signed_request(run_script, fake):
    # DEBUG=sdk makes the SDK log every request with its Authorization header.
    fake.reply(gateway_error("Sysom.InvalidParameter", "bad"), status=400)
    one_error_line(run_script(*ARGS, env={"DEBUG": "sdk"}))
    fake.reply(SUCCESS)
    r = run_script(*ARGS, env={"DEBUG": "sdk"})
    assert (r.returncode, r.stdout, r.stderr) == (0, "", OK_LINE)


def test_secrets_in_a_service_message_are_masked(run_script, fake):
    ak, secret = PROFILES["default"]
    fake.reply({"code": "Sysom.Odd", "message": "echo %s %s AccessKeySecret=%s" % (ak, secret, secret)})
    line = one_error_line(run_script(*ARGS))
    assert line.startswith("ERROR: Creation failed: Sysom.Odd - echo LTAI****")


def test_nothing_listens_means_a_network_error(run_script, fake):
    port = fake.endpoint.rsplit(":", 1)[1]
    fake.__exit__(None, None, None)  # free the port: connections are now refused
    line = one_error_line(run_script(*ARGS, env={"ACKPROF_SYSOM_TEST_ENDPOINT": "127.0.0.1:" + port}))
    assert "network error" in line and "connection refused" in line


def test_non_loopback_test_endpoints_are_refused(run_script, fake):
    # Each of these would be a real connection if the guard failed, so they
    # point at the loopback range or at the fake itself: nothing can leave the
    # machine whatever the script does.
    port = fake.endpoint.rsplit(":", 1)[1]
    fake.reply(SUCCESS)
    for value in ("127.0.0.2:" + port, "0.0.0.0:" + port, "127.0.0.1", "127.0.0.1:" + port + "/x",
                  "user@127.0.0.1:" + port, "localhost.localdomain:" + port, "http://127.0.0.1:" + port):
        line = one_error_line(run_script(*ARGS, env={"ACKPROF_SYSOM_TEST_ENDPOINT": value}))
        assert "refusing" in line and "ACKPROF_SYSOM_TEST_ENDPOINT" in line, value
    assert fake.requests == []


def test_localhost_is_an_accepted_test_endpoint(run_script, fake):
    fake.reply(SUCCESS)
    port = fake.endpoint.rsplit(":", 1)[1]
    r = run_script(*ARGS, env={"ACKPROF_SYSOM_TEST_ENDPOINT": "localhost:" + port})
    assert (r.returncode, r.stderr) == (0, OK_LINE)
    assert len(fake.requests) == 1


def test_a_missing_sdk_is_one_line_that_names_setup_sdk():
    # -S: no site-packages, so the SDK cannot be importable whatever is installed.
    r = subprocess.run([sys.executable, "-S", str(SCRIPT)] + list(ARGS), env=clean_env(),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                       stdin=subprocess.DEVNULL, timeout=60)
    assert (r.returncode, r.stdout) == (1, "")
    assert r.stderr == ("ERROR: SysOM SDK is not installed. Run: ackprof setup-sdk "
                        "(or: bash scripts/setup-sdk.sh VENV_DIR)\n")


def test_bad_arguments_exit_2_without_a_call(run_script, fake):
    for args in ((), ("--region", "cn-hangzhou"), ARGS + ("--dry-run", "false"), ARGS + ("--bogus",),
                 ("--region", "", "--cluster-id", CLUSTER)):
        r = run_script(*args)
        assert r.returncode == 2 and r.stdout == "" and "usage:" in r.stderr, args
    assert fake.requests == []


def test_help_goes_to_stderr_too(run_script, fake):
    r = run_script("--help")
    assert (r.returncode, r.stdout) == (0, "")
    assert "--cluster-id" in r.stderr and "--dry-run" in r.stderr


def test_the_sdk_loads_without_its_async_only_libraries(sdk_python):
    """The import cut (bench/run part 6): aiohttp and aiofiles are stood in for, the SDK
    still imports, and a stand-in used by mistake fails loudly."""
    code = (
        "import importlib.util, sys\n"
        "spec = importlib.util.spec_from_file_location('step7', sys.argv[1])\n"
        "m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)\n"
        "m.defer_async_only()\n"
        "import alibabacloud_credentials.client, alibabacloud_sysom20231230.client\n"
        "assert all(type(sys.modules[n]).__name__ == 'AsyncOnly' for n in m.ASYNC_ONLY)\n"
        "assert not any(k.startswith('aiohttp.') for k in sys.modules)\n"
        "try:\n"
        "    sys.modules['aiohttp'].ClientSession()\n"
        "except RuntimeError as e:\n"
        "    print(e)\n")
    r = subprocess.run([sdk_python, "-c", code, str(SCRIPT)], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, universal_newlines=True, env=clean_env(), timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout == ("aiohttp.ClientSession is not loaded: this script uses only the SDK's "
                        "synchronous API\n")


class RefusingProxy:
    """A loopback HTTPS proxy (HTTPS_PROXY) that notes the first request line, answers
    403 and closes: where the script would connect, with nothing leaving the machine."""

    def __init__(self):
        import socket
        import threading
        self.lines = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.url = "http://127.0.0.1:%d" % self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                self.lines.append(data.split(b"\r\n", 1)[0].decode("latin-1"))
                conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")

    def close(self):
        self.sock.close()


def test_without_the_test_hook_the_call_goes_to_sysom_over_https(run_script, fake):
    """The real endpoint and protocol (mutmut found no test of them): with no test
    endpoint the script tunnels to sysom.aliyuncs.com:443 through HTTPS_PROXY, which here
    is a loopback proxy that refuses; HTTP_PROXY is the same proxy, so that plain http
    (the bug) leaves nothing on the network either."""
    proxy = RefusingProxy()
    try:
        r = run_script(*ARGS, env={"ACKPROF_SYSOM_TEST_ENDPOINT": None, "HTTPS_PROXY": proxy.url,
                                   "HTTP_PROXY": proxy.url}, timeout=60)
    finally:
        proxy.close()
    assert proxy.lines and proxy.lines[0].startswith("CONNECT sysom.aliyuncs.com:443 HTTP/"), proxy.lines
    line = one_error_line(r)
    assert "network error calling SysOM at sysom.aliyuncs.com" in line, line
    assert fake.requests == []


def test_http_429_says_throttled(run_script, fake):
    fake.reply(gateway_error("Throttling.User", "Request was denied due to user flow control."), status=429)
    line = one_error_line(run_script(*ARGS))
    assert line == ("ERROR: SysOM API error: HTTP 429 Throttling.User - Request was denied due to "
                    "user flow control. (RequestId 5E3F1C2B-0A9D-4E8F-B7C6-1D2E3F4A5B6C) "
                    "(throttled; retry later)")


def test_http_401_hints_at_the_ram_permission_and_camel_case_keys_are_read(run_script, fake):
    # A body with the service's camelCase keys instead of the gateway's PascalCase ones.
    fake.reply({"code": "InvalidAccessKeyId.NotFound", "message": "Specified access key is not found.",
                "requestId": "1A2B3C4D-0000-1111-2222-333344445555"}, status=401)
    line = one_error_line(run_script(*ARGS))
    assert line == ("ERROR: SysOM API error: HTTP 401 InvalidAccessKeyId.NotFound - Specified access "
                    "key is not found. (RequestId 1A2B3C4D-0000-1111-2222-333344445555) (check the "
                    "credentials and the RAM permission sysom:CreateClusterVpcEndpointConnection)")


def test_http_400_says_check_the_region_and_cluster_id(run_script, fake):
    fake.reply(gateway_error("Sysom.InvalidParameter", "clusterId is invalid"), status=400)
    line = one_error_line(run_script(*ARGS))
    assert line.endswith("(RequestId 5E3F1C2B-0A9D-4E8F-B7C6-1D2E3F4A5B6C) (the request was "
                         "rejected; check the region and cluster id)"), line


def test_a_long_body_that_is_not_json_is_cut_at_200_characters(run_script, fake):
    fake.reply(b"<html>" + b"x" * 400 + b"</html>", content_type="text/html")
    line = one_error_line(run_script(*ARGS))
    assert "... (retry later;" in line, line
    text = line.split("not JSON: ", 1)[1].split("... (retry later;", 1)[0]
    assert len(text) == 200 and text.endswith("x" * 50), line


def test_bad_test_hooks_are_refused(run_script, fake):
    port = fake.endpoint.rsplit(":", 1)[1]
    fake.reply(SUCCESS)
    for value in ("127.0.0.1:0", "127.0.0.1:%s?x=1" % port, "127.0.0.1:%s#f" % port, "127.0.0.1:99999"):
        line = one_error_line(run_script(*ARGS, env={"ACKPROF_SYSOM_TEST_ENDPOINT": value}))
        assert "refusing" in line, value
    for value in ("600001", "x", "-1"):
        line = one_error_line(run_script(*ARGS, env={"ACKPROF_SYSOM_TEST_READ_TIMEOUT_MS": value}))
        assert line == ("ERROR: ACKPROF_SYSOM_TEST_READ_TIMEOUT_MS must be 1..600000, not %r" % value), line
    assert fake.requests == []
    # Loopback, as in the test above: nothing leaves the machine if the guard fails.
    line = one_error_line(run_script(*ARGS, env={"ACKPROF_SYSOM_TEST_ENDPOINT": "127.0.0.2:" + port}))
    assert line == ("ERROR: ACKPROF_SYSOM_TEST_ENDPOINT is for tests only and must be 127.0.0.1:PORT, "
                    "localhost:PORT or [::1]:PORT; refusing '127.0.0.2:%s'" % port)
    r = run_script(*ARGS, env={"ACKPROF_SYSOM_TEST_READ_TIMEOUT_MS": "600000"})
    assert (r.returncode, r.stderr) == (0, OK_LINE)
    # The lower bound is accepted too: the call is made (1 ms may or may not be enough).
    r = run_script(*ARGS, env={"ACKPROF_SYSOM_TEST_READ_TIMEOUT_MS": "1"})
    assert "must be 1..600000" not in r.stderr and len(fake.requests) == 2, r.stderr


def test_sigint_while_waiting_is_one_line_and_exit_130(sdk_python, home, fake):
    """Ctrl-C (ackprof passes it on to its children) during the call: one line, 130."""
    import signal
    fake.hang()
    env = clean_env(HOME=str(home), ACKPROF_SYSOM_TEST_ENDPOINT=fake.endpoint)
    p = subprocess.Popen([sdk_python, str(SCRIPT)] + list(ARGS), env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, universal_newlines=True, stdin=subprocess.DEVNULL)
    try:
        for _ in range(600):  # until the request is in (a bound, not a timing claim)
            if fake.requests or p.poll() is not None:
                break
            time.sleep(0.05)
        assert fake.requests, "the request never came"
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
            p.communicate()
    assert (p.returncode, out, err) == (130, "", "ERROR: interrupted\n")


def test_a_permission_code_on_any_status_hints_at_the_ram_permission(run_script, fake):
    for code in ("Forbidden.NoRole", "NoPermission"):
        fake.reply(gateway_error(code, "not allowed"), status=400)
        line = one_error_line(run_script(*ARGS))
        assert line.endswith("(check the credentials and the RAM permission "
                             "sysom:CreateClusterVpcEndpointConnection)"), line
