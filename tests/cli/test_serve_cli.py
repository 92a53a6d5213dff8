"""`python -m kebabalab serve` as a real process: it refuses to start without a webhook credential, and with
KEBABALAB_ALLOW_UNAUTHENTICATED=1 it warns and serves; with a secret, the real server refuses strangers."""
from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from conftest import VapiCall
from tests.fakes import FakeTwilio
from tests.servers import HttpClient, always_open_hours, free_port, wait_until

ROOT = Path(__file__).parents[2]
START_SECONDS = 20
SECRET = "serve-cli-secret-93b1"
pytestmark = pytest.mark.slow


def environment(tmp_path: Path, **extra: str) -> dict:
    """The process environment without any of the app's settings, plus `extra`."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("VAPI_", "KEBABALAB_", "LOG_", "TWILIO_", "REDIS_", "DATABASE_", "HOST", "PORT"))}
    return {**env, "PYTHONPATH": str(ROOT), "DATABASE_URL": f"sqlite:///{tmp_path}/serve.db", **extra}


def serve(tmp_path: Path, env: dict, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """`python -m kebabalab serve *args` run to its end (these tests expect a refusal)."""
    # cwd is an empty folder, so no .env file can supply a credential
    return subprocess.run([sys.executable, "-m", "kebabalab", "serve", *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("extra", [{}, {"KEBABALAB_ALLOW_UNAUTHENTICATED": "0"},
                                   {"KEBABALAB_ALLOW_UNAUTHENTICATED": "no"}, {"VAPI_WEBHOOK_SECRET": ""}],
                         ids=["nothing-set", "allow-0", "allow-no", "empty-secret"])
def test_serve_refuses_to_start_without_a_credential(tmp_path, extra):
    done = serve(tmp_path, environment(tmp_path, **extra))
    assert done.returncode == 2
    assert done.stderr.startswith("Refusing to start: set VAPI_WEBHOOK_SECRET or VAPI_HMAC_SECRET (see SECURITY.md)")
    assert done.stdout == ""
    assert not (tmp_path / "serve.db").exists()  # refused before touching anything


class Server:
    """The serve command on a free loopback port; its stderr goes to a file, read after it stops."""

    def __init__(self, tmp_path: Path, *args: str, **extra: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tmp_path / "serve.log"
        env = environment(tmp_path, HOST="127.0.0.1", PORT=str(self.port), LOG_FORMAT="json", **extra)
        with self.log.open("w") as sink:
            self.process = subprocess.Popen([sys.executable, "-m", "kebabalab", "serve", *args], cwd=tmp_path, env=env,
                                            stdout=sink, stderr=subprocess.STDOUT)

    def wait_healthy(self) -> requests.Response:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"serve exited with {self.process.returncode}:\n{self.log.read_text()}")
            try:  # a loaded machine may take seconds to answer the first request: still starting, not failed
                return requests.get(f"{self.url}/health", timeout=5)
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.05)
        pytest.fail(f"serve did not answer /health within {START_SECONDS}s:\n{self.log.read_text()}")

    def stop(self) -> list[str]:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        return [line for line in self.log.read_text().splitlines() if line.strip()]


@pytest.fixture
def start(tmp_path):
    servers = []

    def starter(*args: str, **extra: str) -> Server:
        servers.append(Server(tmp_path, *args, **extra))
        return servers[-1]
    yield starter
    for server in servers:
        server.stop()


def tool_call_body(call_id: str) -> dict:
    return {"message": {"type": "tool-calls", "call": {"id": call_id, "customer": {"number": "+61412345678"}},
                        "toolCallList": [{"id": "t1", "function": {"name": "quickAddItem",
                                                                    "arguments": {"description": "two cokes"}}}]}}


def test_serve_with_unauthenticated_allowed_warns_and_serves_health(start):
    server = start(KEBABALAB_ALLOW_UNAUTHENTICATED="1")
    health = server.wait_healthy()
    assert (health.status_code, health.json()["status"]) == (200, "healthy")
    assert requests.post(f"{server.url}/webhook", json=tool_call_body("c1"), timeout=5).status_code == 200
    lines = server.stop()
    banner = [line for line in lines if line.startswith("WARNING: the webhook accepts unauthenticated requests")]
    assert len(banner) == 1
    entries = [json.loads(line) for line in lines if line not in banner]  # LOG_FORMAT=json: every log line
    warnings = [e for e in entries if e["level"] == "WARNING" and e["logger"] == "kebabalab.web.app"]
    assert len(warnings) == 1 and "accepts unauthenticated requests" in warnings[0]["message"]
    assert [e["outcome"] for e in entries if e.get("event") == "tool_call"] == ["ok"]
    assert "+61412345678" not in "\n".join(lines)


def test_log_level_warning_quiets_gunicorns_own_lines_too(start):
    server = start(KEBABALAB_ALLOW_UNAUTHENTICATED="1", LOG_LEVEL="WARNING")
    assert server.wait_healthy().status_code == 200
    banner = "WARNING: the webhook accepts unauthenticated requests"  # printed, not logged
    entries = [json.loads(line) for line in server.stop() if not line.startswith(banner)]  # gunicorn's lines too
    assert entries and {e["level"] for e in entries} <= {"WARNING", "ERROR", "CRITICAL"}, entries
    assert not any(e["logger"].startswith("gunicorn") and e["level"] == "INFO" for e in entries)


def server_home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return home


@pytest.mark.parametrize("args, server_name", [((), "gunicorn"), (("--server", "waitress"), "waitress")],
                         ids=["default-gunicorn", "waitress"])
def test_serve_with_a_secret_refuses_strangers_on_the_real_server(start, tmp_path, args, server_name):
    server = start(*args, VAPI_WEBHOOK_SECRET=SECRET, HOME=str(server_home(tmp_path)), XDG_RUNTIME_DIR="")
    assert server.wait_healthy().status_code == 200
    url = f"{server.url}/webhook"
    refused = requests.post(url, json=tool_call_body("c2"), headers={"X-Vapi-Secret": "guess"}, timeout=5)
    assert (refused.status_code, refused.json()) == (401, {"error": "missing or wrong webhook credential"})
    # the same call, now with the credential, starts from an empty cart: the refused request added nothing
    accepted = requests.post(url, json=tool_call_body("c2"), headers={"Authorization": f"Bearer {SECRET}"},
                             timeout=5)
    assert accepted.status_code == 200
    assert json.loads(accepted.json()["results"][0]["result"])["cartSize"] == 1
    too_big = requests.post(url, data=b" " * (1024 * 1024 + 1), headers={"X-Vapi-Secret": SECRET}, timeout=5)
    assert too_big.status_code == 413
    lines = server.stop()
    assert not any("accepts unauthenticated" in line for line in lines)
    assert SECRET not in "\n".join(lines)
    entries = [json.loads(line) for line in lines]  # LOG_FORMAT=json: the server's own lines too
    started = [e["message"] for e in entries if e["message"].startswith("serving on")]
    assert len(started) == 1 and f"({server_name}," in started[0]
    assert started[0].endswith(("1 worker(s) x 16 threads)", "waitress, 16 threads)")), started[0]  # as README says
    assert list(server_home(tmp_path).iterdir()) == []  # no gunicorn control socket for others to find


@pytest.mark.parametrize("args, message", [
    (("--workers", "0"), "Refusing to start: --workers must be 1 or more."),
    (("--server", "waitress", "--workers", "2", ), "Refusing to start: more than one worker needs shared sessions"),
])
def test_serve_refuses_what_cannot_work(tmp_path, args, message):
    done = serve(tmp_path, environment(tmp_path, VAPI_WEBHOOK_SECRET=SECRET), *args)
    assert (done.returncode, done.stderr.startswith(message)) == (2, True), done.stderr


def test_choose_server_picks_gunicorn_where_it_runs_and_refuses_waitress_with_workers(monkeypatch):
    from kebabalab.cli import serving
    monkeypatch.setattr(serving, "gunicorn_available", lambda: True)
    assert serving.choose_server("auto", 1) == "gunicorn"
    assert serving.choose_server("waitress", 1) == "waitress"
    with pytest.raises(ValueError, match="several workers need gunicorn"):
        serving.choose_server("waitress", 4)
    monkeypatch.setattr(serving, "gunicorn_available", lambda: False)  # Windows
    assert serving.choose_server("auto", 1) == "waitress"
    with pytest.raises(ValueError, match="gunicorn does not run on this system"):
        serving.choose_server("gunicorn", 1)
    with pytest.raises(ValueError, match="--server must be one of auto, gunicorn, waitress"):
        serving.choose_server("flask-dev", 1)


@pytest.mark.parametrize("args", [(), ("--server", "waitress")], ids=["default-gunicorn", "waitress"])
@pytest.mark.parametrize("variable, what", [("MENU_FILE", "menu"), ("HOURS_FILE", "hours"),
                                            ("BUSINESS_FILE", "business")])
def test_a_broken_shop_file_is_refused_in_one_line_by_either_server(tmp_path, args, variable, what):
    (tmp_path / "broken.json").write_text("{not json")
    env = environment(tmp_path, VAPI_WEBHOOK_SECRET=SECRET, **{variable: str(tmp_path / "broken.json")})
    done = serve(tmp_path, env, *args)
    assert done.returncode == 2, done.stderr
    last = done.stderr.strip().splitlines()[-1]  # after any warnings logged on the way
    assert last.startswith(f"configuration error: {what} file") and "not valid JSON" in last
    assert "Traceback" not in done.stderr and "Worker failed to boot" not in done.stderr


@pytest.mark.parametrize("variable, url", [("DATABASE_URL", "postgresql://postgres@127.0.0.1:{port}/kebabalab"),
                                           ("REDIS_URL", "redis://127.0.0.1:{port}/0")], ids=["postgresql", "redis"])
def test_an_unreachable_database_or_session_store_is_refused_before_gunicorn_starts(tmp_path, unused_port,
                                                                                    variable, url):
    env = environment(tmp_path, VAPI_WEBHOOK_SECRET=SECRET, **{variable: url.format(port=unused_port)})
    done = serve(tmp_path, env)
    assert done.returncode == 3, done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("database or session store unavailable:")
    assert "Traceback" not in done.stderr and "serving on" not in done.stderr


@pytest.mark.parametrize("host, bind", [("127.0.0.1", "127.0.0.1:5000"), ("::1", "[::1]:5000"),
                                        ("::", "[::]:5000"), ("[::1]", "[::1]:5000"), ("localhost", "localhost:5000")])
def test_gunicorn_binds_ipv6_addresses_in_brackets(host, bind):
    from kebabalab.cli.serving import bind_address
    assert bind_address(host, 5000) == bind


def test_stopping_the_server_lets_texts_being_sent_finish_and_be_saved(start, tmp_path):
    with FakeTwilio() as twilio:
        twilio.delay = 1.5  # the texts are still on their way when the stop comes
        server = start(VAPI_WEBHOOK_SECRET=SECRET, HOURS_FILE=str(always_open_hours(tmp_path)),
                       TWILIO_ACCOUNT_SID="AC" + "0" * 32, TWILIO_AUTH_TOKEN="token", TWILIO_FROM_NUMBER="+61400000000",
                       TWILIO_API_BASE_URL=twilio.base_url, SHOP_ORDER_TO="+61400000001")
        assert server.wait_healthy().status_code == 200
        call = VapiCall(HttpClient(server.url, timeout=10), call_id="stop-1", headers={"X-Vapi-Secret": SECRET})
        call.ok("quickAddItem", description="a large lamb kebab")
        call.ok("setPickupTime", requestedTime="in 40 minutes")
        call.ok("createOrder", customerName="Sam")
        wait_until(lambda: len(twilio.requests) >= 2, 10, "both texts handed to Twilio, neither answered yet")
        server.stop()
    with sqlite3.connect(tmp_path / "serve.db") as conn:
        statuses = sorted(status for (status,) in conn.execute("SELECT status FROM outbox"))
    assert statuses == ["sent", "sent"]  # not left 'sending', to be sent again after the lease


def serve_on_a_taken_port(tmp_path, serve_args: list[str], reuse_port: bool = False, **env_extra):
    """Run `serve` on a port another socket listens on; it must exit 2 with one line that names the port."""
    with socket.socket() as taken:
        if reuse_port:
            taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = environment(tmp_path, VAPI_WEBHOOK_SECRET=SECRET, HOST="127.0.0.1", PORT=str(port), **env_extra)
        done = serve(tmp_path, env, *serve_args)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines()[-1] == (
        f"configuration error: cannot listen on 127.0.0.1:{port}: Address already in use "
        "(is another server using this port?)")
    return done


@pytest.mark.parametrize("workers, reuse_port", [("1", False), ("2", True)],
                         ids=["one-worker-plain-listener", "two-workers-listener-with-SO_REUSEPORT"])
def test_a_port_already_listened_on_is_refused_in_one_line(tmp_path, unused_port, workers, reuse_port):
    """Two workers bind with SO_REUSEPORT, which on its own would let this server share a port with another
    one that does too (and take half its calls): serve checks first, before it makes the database."""
    # REDIS_URL only has to be set for two workers: the port is checked before Redis is asked
    done = serve_on_a_taken_port(tmp_path, ["--workers", workers], reuse_port=reuse_port,
                                 REDIS_URL=f"redis://127.0.0.1:{unused_port}/0")
    assert "Traceback" not in done.stderr and "Booting worker" not in done.stderr
    assert not (tmp_path / "serve.db").exists()


def test_the_port_check_names_what_is_wrong_without_guessing_a_busy_port():
    from kebabalab.errors import ConfigError
    from kebabalab.cli.serving import check_port_free
    check_port_free("127.0.0.1", free_port())  # a free port: nothing raised
    with pytest.raises(ConfigError, match=r"^cannot listen on 192\.0\.2\.1:\d+: \w+ assign requested address$"):
        check_port_free("192.0.2.1", free_port())  # an address this machine does not have (TEST-NET-1)
    with pytest.raises(ConfigError, match=r"^HOST 'bad\.\.host' is not an address to listen on"):
        check_port_free("bad..host", 5000)  # refused before any name look-up: no traffic off loopback


def test_localhost_is_checked_where_gunicorn_binds_it():
    """gunicorn binds a name such as localhost over IPv4 (127.0.0.1), even where /etc/hosts lists ::1 first."""
    from kebabalab.errors import ConfigError
    from kebabalab.cli.serving import check_port_free
    with socket.socket() as taken:
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(ConfigError, match="Address already in use"):
            check_port_free("localhost", taken.getsockname()[1])


def test_waitress_on_a_port_already_listened_on_says_so_in_one_line(tmp_path):
    done = serve_on_a_taken_port(tmp_path, ["--server", "waitress"])
    assert "Traceback" not in done.stderr and "serving on" not in done.stderr
