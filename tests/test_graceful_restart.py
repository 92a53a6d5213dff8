"""A graceful restart under systemd socket activation, with the real `serve` process (gunicorn and waitress):
the test holds the listening socket as systemd does and hands it to each server (LISTEN_FDS, fd 3), builds
carts on many calls, stops the first server with SIGTERM while tool calls keep arriving, and starts the
next. No request is refused, and every call's next tool call sees its own cart."""
from __future__ import annotations

import itertools
import json
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from tests.servers import always_open_hours, wait_until
from tests.cli.test_serve_cli import SECRET, environment

pytestmark = pytest.mark.slow
CALLS = 40
SENDERS = 4
# What systemd does for an activated service: the socket on fd 3, LISTEN_FDS, and LISTEN_PID set to the
# pid of the process that runs the server (exec keeps it).
ACTIVATE = ("import os, sys; os.dup2(int(sys.argv[1]), 3); os.close(int(sys.argv[1])); "
            "os.environ.update(LISTEN_PID=str(os.getpid()), LISTEN_FDS='1'); "
            "os.execv(sys.executable, [sys.executable, '-m', 'kebabalab', 'serve', *sys.argv[2:]])")


def activated(listener: socket.socket, env: dict, log: Path, args: tuple, cwd: Path) -> subprocess.Popen:
    with log.open("w") as sink:
        return subprocess.Popen([sys.executable, "-c", ACTIVATE, str(listener.fileno()), *args], env=env, cwd=cwd,
                                pass_fds=(listener.fileno(),), stdout=sink, stderr=subprocess.STDOUT)


def cokes(n: int) -> int:
    return 1 + n % 9  # each call its own cart: 1 to 9 cans


def tool(url: str, call_id: str, name: str, **arguments) -> dict:
    """One tool call on a new connection (a connection refused or reset raises)."""
    body = {"message": {"type": "tool-calls", "call": {"id": call_id, "customer": {"number": "+61412345678"}},
                        "toolCallList": [{"id": "t", "function": {"name": name, "arguments": arguments}}]}}
    answer = requests.post(f"{url}/webhook", json=body, headers={"X-Vapi-Secret": SECRET, "Connection": "close"},
                           timeout=60)
    assert answer.status_code == 200, answer.text
    return json.loads(answer.json()["results"][0]["result"])


class Traffic:
    """SENDERS threads asking every call's summary in turn until stopped; each answer is kept."""

    def __init__(self, url: str):
        self.url = url
        self.seen: list[tuple[float, str, object]] = []  # (sent at, call id, total or the error)
        self.stop = threading.Event()
        self.next = itertools.count()
        self.threads = [threading.Thread(target=self.send) for _ in range(SENDERS)]

    def send(self) -> None:
        while not self.stop.is_set():
            n = next(self.next) % CALLS
            sent = time.monotonic()
            try:
                outcome = tool(self.url, f"restart-{n}", "getOrderSummary")["total"]
            except Exception as exc:  # refused, reset, timed out, or a 500: all are failures here
                outcome = repr(exc)
            self.seen.append((sent, f"restart-{n}", outcome))

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(90)


@pytest.mark.parametrize("args", [(), ("--server", "waitress")], ids=["gunicorn", "waitress"])
def test_a_graceful_restart_refuses_nothing_and_every_call_keeps_its_cart(tmp_path, args):
    env = environment(tmp_path, VAPI_WEBHOOK_SECRET=SECRET, HOURS_FILE=str(always_open_hours(tmp_path)),
                      LOG_FORMAT="json", TOOL_CALLS_PER_MINUTE="100000")
    with socket.create_server(("127.0.0.1", 0), backlog=512) as listener:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        first = activated(listener, env, tmp_path / "first.log", args, tmp_path)
        try:
            assert requests.get(f"{url}/health", timeout=60).status_code == 200  # waits in the socket's queue
            for n in range(CALLS):
                assert tool(url, f"restart-{n}", "quickAddItem", description=f"{cokes(n)} cokes")["total"] == \
                    cokes(n) * 3.5
            with Traffic(url) as traffic:
                time.sleep(1)
                stopping = time.monotonic()
                first.send_signal(signal.SIGTERM)
                assert first.wait(60) == 0
                second = activated(listener, env, tmp_path / "second.log", args, tmp_path)
                wait_until(lambda: any(sent > stopping for sent, _, total in traffic.seen), 60, "an answer")
                time.sleep(1)
            after = {f"restart-{n}": tool(url, f"restart-{n}", "getOrderSummary")["total"] for n in range(CALLS)}
        finally:
            for server in (first, locals().get("second")):
                if server is not None and server.poll() is None:
                    server.terminate()
                    server.wait(60)
    wrong = [(call, total) for _, call, total in traffic.seen if total != cokes(int(call.split("-")[1])) * 3.5]
    assert wrong == []  # nothing refused, reset or lost: every answer had the call's own cart
    assert after == {f"restart-{n}": cokes(n) * 3.5 for n in range(CALLS)}
    across = [sent for sent, _, _ in traffic.seen if sent > stopping]
    assert len(across) >= SENDERS  # calls kept arriving through the restart and were answered
    saved = [json.loads(line) for line in (tmp_path / "first.log").read_text().splitlines() if line.startswith("{")]
    assert [e["message"] for e in saved if "saved for the next server" in e["message"]] == \
        [f"sessions: {CALLS} calls in progress saved for the next server"]
