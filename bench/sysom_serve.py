#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""bench/sysom_serve.py PORTFILE: tests/py's fake SysOM on 127.0.0.1, answering every
request with CreateClusterVpcEndpointConnection's Success body, until killed.  The
port goes to PORTFILE.  For bench/run's real chain (the real Step 7 script)."""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "py"))
from fake_sysom import FakeSysom  # noqa: E402

with FakeSysom() as fake:
    fake.reply({"code": "Success", "message": "success",
                "data": {"endpointConnectionId": "ep-bp1d7s9k2x4c6v8n0m3q"},
                "requestId": "2D693121-C925-5154-8DF6-C09A8B369822"})
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write(fake.endpoint.split(":")[1] + "\n")
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    while True:
        time.sleep(3600)
