#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Create the VPC endpoint connection between SysOM and an ACK cluster (Step 7).

usage: create-cluster-vpc-endpoint-connection.py --region R --cluster-id ID [--dry-run]

Calls SysOM 2023-12-30 CreateClusterVpcEndpointConnection through the official
SDK (alibabacloud-sysom20231230), i.e. POST
/api/v1/k8sProxy/access/createClusterVpcEndpointConnection with the JSON body
{"clusterId", "region"} and "dryRun": true only with --dry-run.  The call is
idempotent on the service side.  Run it with the interpreter of the venv that
scripts/setup-sdk.sh builds.

Credentials come from the SDK's default chain (alibabacloud_credentials):
ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET/_SECURITY_TOKEN, then the aliyun CLI's
~/.aliyun/config.json (the profile named by ALIBABA_CLOUD_PROFILE, else its
"current" one), then ~/.alibabacloud/credentials.ini, then the ECS RAM role.
The aliyun CLI also selects a profile with ALIBABACLOUD_PROFILE (before
ALIBABA_CLOUD_PROFILE) and ALICLOUD_PROFILE (after it); the library reads only
ALIBABA_CLOUD_PROFILE, so the first non-empty of the three is handed to it under
that name, and the SDK signs with the same profile the CLI uses.

Output: nothing on stdout, ever.  On stderr, one line:
  [OK] Cluster VPC endpoint connection created successfully.      exit 0
  ERROR: Creation failed: CODE - MESSAGE   (body code != Success)  exit 1
  ERROR: ... (what failed, and a hint)     (any other failure)     exit 1
Bad arguments exit 2 (argparse).  AccessKey ids, secrets and STS tokens are
never printed: every message is scrubbed before it is written.

Test hooks, for the test suite only (tests/py):
  ACKPROF_SYSOM_TEST_ENDPOINT=HOST:PORT  sends the call over plain http to
      HOST:PORT instead of https://sysom.aliyuncs.com.  HOST must be 127.0.0.1,
      localhost or [::1] and PORT must be given; anything else is refused with
      an ERROR line and exit 1, so a stray value can never send a signed request
      to another host.  While it is set the ECS metadata credential provider is
      switched off, so nothing leaves the machine.
  ACKPROF_SYSOM_TEST_READ_TIMEOUT_MS=N  the read timeout in milliseconds
      (1..600000); honoured only together with ACKPROF_SYSOM_TEST_ENDPOINT and
      ignored otherwise.
"""

import argparse
import contextlib
import json
import logging
import os
import re
import signal
import sys
import types
import urllib.parse
import warnings

ENDPOINT = "sysom.aliyuncs.com"
USER_AGENT = "AlibabaCloud-Agent-Skills/alibabacloud-aes-ack-pod-performance-profiling"
CONNECT_TIMEOUT_MS = 10000  # TCP connect to the endpoint
READ_TIMEOUT_MS = 30000     # waiting for the response once connected
OK_LINE = "[OK] Cluster VPC endpoint connection created successfully."
SDK_MISSING = ("ERROR: SysOM SDK is not installed. "
               "Run: ackprof setup-sdk (or: bash scripts/setup-sdk.sh VENV_DIR)")
CONFIGURE_HINT = "run 'aliyun configure', or select a profile with ALIBABA_CLOUD_PROFILE"
TEST_HOSTS = ("127.0.0.1", "localhost", "::1")
PROFILE_VARS = ("ALIBABACLOUD_PROFILE", "ALIBABA_CLOUD_PROFILE", "ALICLOUD_PROFILE")
SDK_LOGGERS = ("darabonba-core", "alibabacloud-tea", "credentials")
# Libraries the SDK imports at load time for its asynchronous API only: aiohttp (async
# HTTP, ~40 % of the SDK's import time) and aiofiles (async file reads).  This script
# makes one synchronous call, so they are stood in for (see AsyncOnly); bench/run's
# "real chain" part measures the import before and after.
ASYNC_ONLY = ("aiohttp", "aiofiles")


class AsyncOnly(types.ModuleType):
    """Stands in for a library of the SDK's async API that this script never calls.

    Every name imported from it at load time (as in `from aiohttp import
    ClientResponse`, or annotations) is a placeholder class that refuses to be used,
    so that a code path that does need the real library fails loudly instead of
    quietly misbehaving.
    """

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        module = self.__name__

        def refuse(*args, **kwargs):
            raise RuntimeError("%s.%s is not loaded: this script uses only the SDK's "
                               "synchronous API" % (module, name))
        placeholder = type(name, (), {"__init__": refuse, "__call__": refuse})
        setattr(self, name, placeholder)
        return placeholder


def defer_async_only():
    """Put AsyncOnly stand-ins in sys.modules for ASYNC_ONLY unless already loaded."""
    for name in ASYNC_ONLY:
        if name not in sys.modules:
            module = AsyncOnly(name)
            module.__path__ = []  # a package: submodule imports fail, as if absent
            sys.modules[name] = module

# What requests/urllib3 say, deep inside a long message, and the short cause
# we print instead; the first marker found wins.
NETWORK_CAUSES = (
    ("Read timed out", "no answer in time"),
    ("timed out", "timed out"),
    ("Connection refused", "connection refused"),
    ("Failed to resolve", "cannot resolve the host name"),
    ("Name or service not known", "cannot resolve the host name"),
    ("CERTIFICATE_VERIFY_FAILED", "TLS certificate verification failed"),
    ("ProxyError", "the proxy failed"),
    ("Connection reset", "connection reset"),
    ("RemoteDisconnected", "the server closed the connection without answering"),
    ("Connection aborted", "the connection was aborted"),
)

# Patterns of credential material, masked in every line we print.  SDK
# exceptions can carry the signed request (Authorization: ... Credential=LTAI...)
# and the credential chain's messages can quote what it read.
SCRUB = (
    (re.compile(r"LTAI[A-Za-z0-9]{8,}"), "LTAI****"),
    (re.compile(r"STS\.[A-Za-z0-9]{8,}"), "STS.****"),
    (re.compile(r"CAIS[A-Za-z0-9+/=_-]{16,}"), "****"),
    (re.compile(r"(?i)((?<![a-z])(?:access[_-]?key[_-]?(?:id|secret)|secret|security[_-]?token"
                r"|sts[_-]?token|token|password|signature|authorization)"
                r"['\"]?\s*[:=]\s*['\"]?)([^\s'\",;}]+)"), r"\1****"),
    # A run of 30+ letters and digits with both in it and not plain hex (cluster
    # and request ids are hex): the shape of an AccessKey secret.
    (re.compile(r"\b(?=[A-Za-z0-9]*[0-9])(?=[A-Za-z0-9]*[g-zG-Z])[A-Za-z0-9]{30,}\b"), "****"),
)


def scrub(text):
    """One line of text with credential-looking material masked."""
    text = " ".join(str(text).split())
    for pattern, repl in SCRUB:
        text = pattern.sub(repl, text)
    return text


def error(text):
    print("ERROR: " + scrub(text), file=sys.stderr)
    return 1


def nonempty(value):
    if not value.strip():
        raise argparse.ArgumentTypeError("must not be empty")
    return value


def parse_args(argv):
    p = argparse.ArgumentParser(
        description="Create the SysOM VPC endpoint connection of an ACK cluster (idempotent).")
    p.add_argument("--region", required=True, type=nonempty, help="region id, e.g. cn-hangzhou")
    p.add_argument("--cluster-id", required=True, type=nonempty, help="ACK cluster id")
    p.add_argument("--dry-run", action="store_true", help="ask the service for a dry run only")
    return p.parse_args(argv)


def test_endpoint(env):
    """(endpoint, read timeout ms) from the test hooks, or None; ValueError if refused."""
    raw = env.get("ACKPROF_SYSOM_TEST_ENDPOINT", "")
    if not raw:
        return None
    bad = ValueError("ACKPROF_SYSOM_TEST_ENDPOINT is for tests only and must be "
                     "127.0.0.1:PORT, localhost:PORT or [::1]:PORT; refusing %r" % raw)
    try:
        parts = urllib.parse.urlsplit("//" + raw)
        port = parts.port
    except ValueError:
        raise bad from None
    if (parts.hostname not in TEST_HOSTS or port is None or port == 0
            or parts.username is not None or parts.path or parts.query or parts.fragment):
        raise bad
    read_ms = READ_TIMEOUT_MS
    if env.get("ACKPROF_SYSOM_TEST_READ_TIMEOUT_MS"):
        value = env["ACKPROF_SYSOM_TEST_READ_TIMEOUT_MS"]
        if not value.isdigit() or not 1 <= int(value) <= 600000:
            raise ValueError("ACKPROF_SYSOM_TEST_READ_TIMEOUT_MS must be 1..600000, not %r" % value)
        read_ms = int(value)
    return raw, read_ms


def describe(exc, endpoint, read_ms=READ_TIMEOUT_MS):
    """One line for an exception raised by the SDK: what failed and what to do."""
    # Errors that are not the service's answer come wrapped (Tea's
    # UnretryableException); the cause is its inner_exception.
    inner = getattr(exc, "inner_exception", None) or exc
    kind = type(inner).__name__
    module = type(inner).__module__ or ""
    status = getattr(inner, "status_code", None)
    if isinstance(status, int):
        data = getattr(inner, "data", None)
        data = data if isinstance(data, dict) else {}
        code = data.get("Code") or data.get("code") or getattr(inner, "code", None) or "unknown"
        message = data.get("Message") or data.get("message") or getattr(inner, "message", "")
        request_id = data.get("RequestId") or data.get("requestId") or ""
        if status in (401, 403) or "Forbidden" in str(code) or "NoPermission" in str(code):
            hint = "check the credentials and the RAM permission sysom:CreateClusterVpcEndpointConnection"
        elif status == 429 or "Throttling" in str(code):
            hint = "throttled; retry later"
        elif status >= 500:
            hint = "the service failed; retry later"
        else:
            hint = "the request was rejected; check the region and cluster id"
        rid = " (RequestId %s)" % request_id if request_id else ""
        return "SysOM API error: HTTP %d %s - %s%s (%s)" % (status, code, message, rid, hint)
    if kind == "CredentialException" or module.startswith("alibabacloud_credentials"):
        return "no usable Alibaba Cloud credentials: %s (%s)" % (inner, CONFIGURE_HINT)
    if kind == "RetryError" or isinstance(inner, OSError):
        text = str(getattr(inner, "message", None) or inner)
        cause = next((c for marker, c in NETWORK_CAUSES if marker in text), text)
        if "timed out" in text:
            cause += " (connect timeout %g s, read timeout %g s)" % (
                CONNECT_TIMEOUT_MS / 1000, read_ms / 1000)
        return ("network error calling SysOM at %s: %s (check network connectivity, "
                "proxy settings and DNS)" % (endpoint, cause))
    # darabonba raises RuntimeError("Failed to parse the value as json format,
    # Value: ...") for a body that is not JSON, whatever the HTTP status.
    if (isinstance(inner, (json.JSONDecodeError, UnicodeDecodeError))
            or (isinstance(inner, RuntimeError) and "as json" in str(inner))):
        text = " ".join(str(inner).split())
        return ("SysOM at %s answered with something that is not JSON: %s "
                "(retry later; check that no proxy between here and the endpoint rewrites "
                "responses)" % (endpoint, text if len(text) <= 200 else text[:200] + "..."))
    return "API call failed: %s: %s (retry; if it persists, report it)" % (kind, inner)


# The signals that arrived: a failure after one of them is the interruption, not
# whatever a library made of it (a request cut off in its retry loop, say).
SIGNALLED = []


def on_sigint(signum, frame):
    SIGNALLED.append(signum)
    raise KeyboardInterrupt


def run(args, env):
    try:
        test = test_endpoint(env)
    except ValueError as e:
        return error(str(e))
    endpoint, protocol, read_ms = ENDPOINT, "https", READ_TIMEOUT_MS
    if test is not None:
        endpoint, read_ms = test
        protocol = "http"
        # The library reads its switches from the environment when it is first
        # imported, so they are set here, before the import below.
        os.environ["ALIBABA_CLOUD_ECS_METADATA_DISABLED"] = "true"
    profile = next((env[v] for v in PROFILE_VARS if env.get(v)), None)
    if profile:
        os.environ["ALIBABA_CLOUD_PROFILE"] = profile

    # The caller reads one line on stderr; library warnings (e.g. cryptography's
    # deprecation notice on Python 3.8) are not for it, nor is any library's
    # logging: the credentials library attaches its own stderr handler to its
    # `credentials` logger and logs a traceback for each provider of the chain
    # that fails to refresh (an ECS instance without a RAM role, a credentials
    # URI that answers 404).  This script logs nothing itself, so every logging
    # call is off, whatever logger and handler a library sets up.
    warnings.simplefilter("ignore")
    logging.disable(logging.CRITICAL)
    defer_async_only()
    try:
        from alibabacloud_credentials.client import Client as CredentialClient
        from alibabacloud_sysom20231230 import models as sysom_models
        from alibabacloud_sysom20231230.client import Client as SysomClient
        from alibabacloud_tea_openapi.utils_models import Config
    except ImportError:
        print(SDK_MISSING, file=sys.stderr)
        return 1
    # DEBUG=sdk makes the SDK log every request, signed headers included, to
    # stderr; keep its loggers quiet whatever the environment says.
    for name in SDK_LOGGERS:
        logging.getLogger(name).disabled = True

    try:
        config = Config(
            credential=CredentialClient(),  # the default chain, see the docstring
            endpoint=endpoint,
            protocol=protocol,
            region_id=args.region,
            user_agent=USER_AGENT,
            connect_timeout=CONNECT_TIMEOUT_MS,
            read_timeout=read_ms,
        )
        client = SysomClient(config)
        request = sysom_models.CreateClusterVpcEndpointConnectionRequest(
            cluster_id=args.cluster_id,
            region=args.region,
            dry_run=True if args.dry_run else None,  # None leaves dryRun out of the body
        )
        response = client.create_cluster_vpc_endpoint_connection(request)
    except Exception as e:  # any SDK failure becomes one scrubbed line
        if SIGNALLED:
            raise KeyboardInterrupt from None
        return error(describe(e, endpoint, read_ms))

    body = response.body
    code = getattr(body, "code", None)
    if code == "Success":
        print(OK_LINE, file=sys.stderr)
        return 0
    message = getattr(body, "message", None)
    return error("Creation failed: %s - %s" % (code or "(no code)", message or "(no message)"))


def main(argv=None):
    # Nothing may reach stdout, not even --help or a stray print inside a
    # library: the caller treats stdout as empty.
    with contextlib.redirect_stdout(sys.stderr):
        args = parse_args(sys.argv[1:] if argv is None else argv)
        signal.signal(signal.SIGINT, on_sigint)
        try:
            return run(args, dict(os.environ))
        except KeyboardInterrupt:
            error("interrupted")
            return 130
        except Exception as e:  # never a traceback: one line, whatever went wrong
            if SIGNALLED:
                error("interrupted")
                return 130
            return error("unexpected failure: %s: %s (report it; run `ackprof doctor`)"
                         % (type(e).__name__, e))


if __name__ == "__main__":
    sys.exit(main())
