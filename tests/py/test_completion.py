# SPDX-License-Identifier: Apache-2.0
"""Shell completion as a person meets it: an interactive bash under a pseudo-terminal,
with the script `ackprof completion bash` writes, completes what is typed before TAB."""

import os
import pty
import select
import shutil
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ACKPROF = Path(os.environ.get("ACKPROF", REPO / "ackprof"))

pytestmark = pytest.mark.skipif(not ACKPROF.exists() or shutil.which("bash") is None,
                                reason="build ackprof first (make); needs bash")


class Bash:
    """bash -i on a pty, with ackprof on PATH and its completion loaded."""

    def __init__(self, home):
        (home / "rc").write_text('PS1="READY> "\nsource <(ackprof completion bash)\n')
        env = {"HOME": str(home), "TERM": "dumb", "PATH": "%s:/usr/bin:/bin" % ACKPROF.parent,
               "INPUTRC": "/dev/null"}
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execve("/bin/bash", ["bash", "--noprofile", "--rcfile", str(home / "rc"), "-i"], env)
        self.seen = b""
        self.expect("READY> ")

    def expect(self, text, timeout=15):
        end = time.time() + timeout
        while text.encode() not in self.seen:
            left = end - time.time()
            assert left > 0, "did not see %r in %r" % (text, self.seen[-300:])
            r, _, _ = select.select([self.fd], [], [], left)
            if r:
                chunk = os.read(self.fd, 4096)
                assert chunk, "bash ended; saw %r" % self.seen[-300:]
                self.seen += chunk

    def type(self, keys):
        self.seen = b""
        os.write(self.fd, keys.encode())

    def close(self):
        os.write(self.fd, b"\x15exit\r")
        os.waitpid(self.pid, 0)


@pytest.fixture
def bash(tmp_path):
    b = Bash(tmp_path)
    yield b
    b.close()


def test_tab_completes_the_command(bash):
    bash.type("ackprof dia\t")
    bash.expect("diagnose ")


def test_tab_completes_an_option_of_the_command(bash):
    bash.type("ackprof diagnose --fr\t")
    bash.expect("--from ")


def test_tab_does_not_offer_an_option_the_command_does_not_take(bash):
    # Had TAB completed --jobs, the line would read "--jobs X"; it stays "--joX".
    bash.type("ackprof doctor --jo\tX\r")
    bash.expect("unknown option --joX")
