# SPDX-License-Identifier: Apache-2.0
"""Step 4 on a terminal: ackprof under a pseudo-terminal asks for what is missing, asks
for the window when the description names a past time, and shows the resolved
parameters for a y/N before any aliyun call.
"""

import os
import pty
import select
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ACKPROF = Path(os.environ.get("ACKPROF", REPO / "ackprof"))
DOUBLE = REPO / "tests" / "double" / "aliyun"
CL = "c4f1a9e27b8d34c6a9e0f5b2d7c81a3e6"

pytestmark = pytest.mark.skipif(not (ACKPROF.exists() and DOUBLE.exists()),
                                reason="build ackprof and the double first (make)")


class Tty:
    def __init__(self, home, *args):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("FAKE_ALIYUN_", "ACKPROF_"))}
        env.update(HOME=str(home), XDG_STATE_HOME=str(home / "state"), FAKE_ALIYUN_LOG=str(home / "calls.log"),
                   TERM="dumb")
        env.pop("XDG_RUNTIME_DIR", None)
        argv = [str(ACKPROF)] + list(args) + ["--aliyun", str(DOUBLE), "--sdk-venv",
                                              str(REPO / "tests/double/venv"), "--scripts-dir",
                                              str(REPO / "scripts"), "--poll-interval", "0", "--busy-wait", "0"]
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execve(argv[0], argv, env)
        self.seen = b""
        self.home = home

    def expect(self, text, timeout=15):
        end = time.time() + timeout
        while text.encode() not in self.seen:
            left = end - time.time()
            assert left > 0, "did not see %r in %r" % (text, self.seen[-500:])
            r, _, _ = select.select([self.fd], [], [], left)
            if r:
                try:
                    chunk = os.read(self.fd, 4096)
                except OSError:
                    chunk = b""
                assert chunk, "ackprof ended before %r; saw %r" % (text, self.seen[-500:])
                self.seen += chunk

    def send(self, line):
        os.write(self.fd, line.encode() + b"\r")

    def wait(self, timeout=30):
        end = time.time() + timeout
        while True:
            r, _, _ = select.select([self.fd], [], [], max(0, end - time.time()))
            if not r:
                os.kill(self.pid, 9)
                os.waitpid(self.pid, 0)
                pytest.fail("ackprof did not end within %ds; saw %r" % (timeout, self.seen[-500:]))
            try:
                chunk = os.read(self.fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            self.seen += chunk
        _, status = os.waitpid(self.pid, 0)
        return os.waitstatus_to_exitcode(status)

    def calls(self):
        log = self.home / "calls.log"
        return log.read_text().splitlines() if log.exists() else []


def test_missing_values_are_asked_and_the_run_is_confirmed(tmp_path):
    t = Tty(tmp_path, "diagnose", "-c", CL, "-d", "pod oom")
    t.expect("namespace: ")
    t.send("Not_Valid")
    t.expect("is not a valid namespace")
    t.expect("namespace: ")
    t.send("default")
    t.expect("pod: ")
    t.send("app-1")
    t.expect("Proceed? [y/N] ")
    assert b"pod_oom" in t.seen and b"real-time" in t.seen
    assert t.calls() == []          # nothing ran before the answer
    t.send("y")
    assert t.wait() == 0
    assert t.calls()[0] == "aliyun configure ai-mode enable"
    assert t.calls()[-1] == "aliyun configure ai-mode disable"


def test_no_at_the_confirmation_runs_nothing(tmp_path):
    t = Tty(tmp_path, "diagnose", "-c", CL, "-n", "default", "-p", "app-1")
    t.expect("Proceed? [y/N] ")
    t.send("n")
    assert t.wait() == 64
    assert t.calls() == []


def test_a_past_time_asks_for_the_window(tmp_path):
    t = Tty(tmp_path, "diagnose", "-c", CL, "-n", "default", "-p", "app-1", "-d", "oom this morning")
    t.expect("the description mentions a past time ('this morning')")
    t.expect("From: ")
    t.send("1700000000")
    t.expect("To: ")
    t.send("1700003600")
    t.expect("Proceed? [y/N] ")
    assert b"historical" in t.seen
    t.send("y")
    assert t.wait() == 0
    inv = [c for c in t.calls() if "invoke-diagnosis" in c][0]
    assert '"start_time":1700000000,"end_time":1700003600,"enable_diagnosis":false' in inv


def test_yes_asks_nothing(tmp_path):
    t = Tty(tmp_path, "diagnose", "-c", CL, "-n", "default", "-p", "app-1", "--yes")
    assert t.wait() == 0
    assert b"Proceed?" not in t.seen


def test_ctrl_c_at_the_confirmation_exits_130(tmp_path):
    """Issue 11, item 12: Ctrl-C at the prompt is an interrupt (130), not a usage error."""
    t = Tty(tmp_path, "diagnose", "-c", CL, "-n", "default", "-p", "app-1")
    t.expect("Proceed? [y/N] ")
    os.write(t.fd, b"\x03")         # the terminal's VINTR: SIGINT to the foreground group
    assert t.wait() == 130
    assert b"interrupted at the prompt; nothing done" in t.seen
    assert t.calls() == []


def test_ctrl_c_at_a_question_exits_130(tmp_path):
    t = Tty(tmp_path, "diagnose", "-c", CL, "-n", "default")
    t.expect("pod: ")
    os.write(t.fd, b"\x03")
    assert t.wait() == 130
    assert t.calls() == []


def test_in_chinese_the_questions_and_the_confirmation_line_up(tmp_path):
    t = Tty(tmp_path, "diagnose", "--lang", "zh", "-c", CL, "-d", "今天早上 高负载")
    t.expect("命名空间：")
    t.send("Not_Valid")
    t.expect("'Not_Valid' 不是合法的命名空间（Kubernetes 名称：小写字母、数字和 '-'）")
    t.send("default")
    t.expect("Pod：")
    t.send("app-1")
    t.expect("ackprof: 问题描述中提到了过去的时间（'今天早上'）。")
    t.expect("开始时间：")
    t.send("1700000000")
    t.expect("结束时间：")
    t.send("1700003600")
    t.expect("是否继续？[y/N] ")
    lines = t.seen.decode().replace("\r", "").split("\n")
    head = [l for l in lines if l.startswith("  ") and l.split()[0] in ("集群", "Pod", "问题描述", "诊断模式")]
    assert len(head) == 4, lines
    # The values start in one column by display width (a CJK character is two columns).
    starts = set()
    for l in head:
        label = l[2:].split(" ", 1)[0]
        rest = l[2 + len(label):]
        pad = len(rest) - len(rest.lstrip(" "))
        starts.add(2 + sum(2 if ord(c) > 0x2e7f else 1 for c in label) + pad)
    assert len(starts) == 1, head
    assert "历史诊断" in t.seen.decode() and "high_load" in t.seen.decode()
    assert t.calls() == []
    t.send("是")
    assert t.wait() == 0
    assert t.calls()[-1] == "aliyun configure ai-mode disable"


def _day(days_back):
    return time.strftime("%Y-%m-%d", time.localtime(time.time() - days_back * 86400))


def test_yesterday_afternoon_takes_a_bare_time_on_yesterday(tmp_path):
    """Issue 20, item 11: the prompts offer the day the words name; 14:00 resolves on it."""
    t = Tty(tmp_path, "diagnose", "-c", CL, "-n", "default", "-p", "app-1", "-d", "oom yesterday afternoon")
    y = _day(1)
    t.expect("A bare HH:MM is taken on %s" % y)
    t.expect("From (on %s): " % y)
    t.send("14:00")
    t.expect("To (on %s): " % y)
    t.send("15:00")
    t.expect("Proceed? [y/N] ")
    assert ("historical, %s 14:00:00 to %s 15:00:00" % (y, y)).encode() in t.seen
    t.send("n")
    assert t.wait() == 64
    assert t.calls() == []


def test_chinese_last_friday_offers_that_friday(tmp_path):
    t = Tty(tmp_path, "diagnose", "-c", CL, "-n", "default", "-p", "app-1", "-d", "上周五 内存高")
    now = time.localtime()
    back = (now.tm_wday % 7) + 7 - 4      # tm_wday: Monday 0; Friday of the previous week
    fri = _day(back)
    t.expect("From (on %s): " % fri)
    t.send("09:30")
    t.expect("To (on %s): " % fri)
    t.send("10:00")
    t.expect("Proceed? [y/N] ")
    assert ("%s 09:30:00 to %s 10:00:00" % (fri, fri)).encode() in t.seen
    t.send("n")
    assert t.wait() == 64


def test_each_answer_is_checked_as_typed(tmp_path):
    """A bad From: is refused before To: is asked, and asked again."""
    t = Tty(tmp_path, "diagnose", "-c", CL, "-n", "default", "-p", "app-1", "-d", "oom this morning")
    t.expect("From: ")
    t.send("yesterday 14:00")
    t.expect("bad time 'yesterday 14:00'")
    assert b"To: " not in t.seen
    t.expect("From: ")
    t.send("1700000000")
    t.expect("To: ")
    t.send("1700003600")
    t.expect("Proceed? [y/N] ")
    t.send("n")
    assert t.wait() == 64


HINT = ("ackprof: ackprof mcp speaks the Model Context Protocol on stdin/stdout; register it in your "
        "MCP client (see README), or press Ctrl-D to end it")


def test_mcp_on_a_terminal_prints_one_hint_line(tmp_path):
    """Issue 21, item 6: started by hand, `ackprof mcp` says what it is, once, on stderr."""
    t = Tty(tmp_path, "mcp")
    t.expect("press Ctrl-D to end it")
    os.write(t.fd, b"\x04")             # end of input: the server ends
    assert t.wait() == 0
    lines = [x for x in t.seen.decode().replace("\r", "").split("\n") if x]
    assert lines == [HINT]


def test_mcp_on_pipes_prints_nothing_extra(tmp_path):
    import json
    import subprocess
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FAKE_ALIYUN_", "ACKPROF_"))}
    env.update(HOME=str(tmp_path), XDG_STATE_HOME=str(tmp_path / "state"))
    ping = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "ping"}) + "\n"
    r = subprocess.run([str(ACKPROF), "mcp", "--aliyun", str(DOUBLE)], input=ping, env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=30)
    assert r.returncode == 0 and r.stderr == ""
    assert json.loads(r.stdout) == {"jsonrpc": "2.0", "id": 1, "result": {}}
