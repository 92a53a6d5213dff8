"""Real Redis and PostgreSQL servers for the tests, on free loopback ports in a temp folder.

Each server starts once per test session, on first use, and stops at the end. `scripts/test-services.sh`
installs them from Debian's packages (`make test` runs it); where one is missing its tests skip, or fail
under CI. PostgreSQL refuses to run as root, so as root it runs as the `postgres` user (made if missing).

  redis_url             session: redis://127.0.0.1:PORT/0
  fresh_redis_url       each test: the same server, emptied first
  postgres_url          session: the server's maintenance database
  postgres_database_url each test: a new empty database of its own, dropped afterwards
  unused_port           a loopback port nothing listens on (for "cannot be reached" tests)

and, for tests and the benchmark that run the app itself against the real clock:

  always_open_hours     an hours file open all day, in a zone where it is about noon now
  HttpClient            the part of Flask's test client that VapiCall uses, over real HTTP
  serving               the app on a loopback HTTP server on a thread (for a browser)
  wait_until            poll until something is true (another thread, process or browser caught up)
"""
from __future__ import annotations

import glob
import itertools
import json
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import pytest

START_SECONDS = 30
_databases = itertools.count(1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def always_open_hours(folder: Path) -> Path:
    """An hours file (hours.json format) open 00:00-24:00 every day, in a zone where it is about noon now, so
    a test run at any time of day never meets a closing time ('in 30 minutes' at 23:50 would)."""
    offset = (12 - datetime.now(timezone.utc).hour + 12) % 24 - 12  # local = UTC + offset, about 12:00
    zone = "Etc/GMT" + (f"{-offset:+d}" if offset else "")  # Etc/GMT-10 is UTC+10
    week = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    path = folder / "always-open-hours.json"
    path.write_text(json.dumps({"timezone": zone, "notes": "tests against the real clock: open all day",
                                "weekly": {day: [{"open": "00:00", "close": "24:00"}] for day in week},
                                "closed_dates": [], "special_hours": {}, "min_lead_minutes": 10,
                                "last_order_before_close_minutes": 15}))
    return path


class HttpClient:
    """The part of Flask's test client that VapiCall uses, over real HTTP to a server on loopback."""

    def __init__(self, base_url: str, timeout: float = 30):
        self.base_url, self.timeout = base_url, timeout

    def post(self, path: str, json=None, headers=None):
        import requests
        response = requests.post(self.base_url + path, json=json, headers=headers, timeout=self.timeout)
        response.get_json = response.json
        response.get_data = lambda as_text=False: response.text if as_text else response.content
        return response


@pytest.fixture
def unused_port() -> int:
    return free_port()


def _missing(what: str) -> None:
    message = f"{what} is not installed: run scripts/test-services.sh (make test does)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@contextmanager
def serving(app, name: str = "test-app"):
    """The app on a real loopback HTTP server (threaded werkzeug) for a browser; yields its base URL."""
    from werkzeug.serving import make_server
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)


def wait_until(check, seconds: float = 5, what: str = "the condition"):
    """Poll `check()` until it returns something true and return that; the test fails after `seconds`."""
    deadline = time.monotonic() + seconds
    while not (value := check()):
        if time.monotonic() > deadline:
            pytest.fail(f"not within {seconds} s: {what}")
        time.sleep(0.005)
    return value


class DidNotStart(RuntimeError):
    """A server's check still failed when its start-up time ran out."""


def wait_started(check, what: str, seconds: float = START_SECONDS) -> None:
    """Call `check()` until it stops raising; DidNotStart (with the last error) after `seconds`. Also used by
    bench/capacity.py, outside pytest."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            check()
            return
        except Exception as exc:  # not up yet
            if time.monotonic() > deadline:
                raise DidNotStart(f"{what} did not start in {seconds:g}s ({exc})") from exc
            time.sleep(0.05)


def _wait_for(check, what: str, log: Path) -> None:
    try:
        wait_started(check, what)
    except DidNotStart as exc:
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        pytest.fail(f"{exc}:\n{tail}")


@pytest.fixture(scope="session")
def redis_url():
    import redis

    binary = shutil.which("redis-server")
    if binary is None:
        _missing("redis-server")
    folder = Path(tempfile.mkdtemp(prefix="kebabalab-redis-"))
    port, log = free_port(), folder / "redis.log"
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--dir", str(folder), "--logfile", str(log)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=folder)
    client = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=1)
    try:
        _wait_for(client.ping, "redis-server", log)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        client.close()
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def fresh_redis_url(redis_url):
    import redis

    with redis.Redis.from_url(redis_url) as client:
        client.flushdb()
    return redis_url


def postgres_bin() -> Path | None:
    """The folder with initdb, pg_ctl and postgres: on PATH (/usr/local/bin) or Debian's newest version."""
    found = shutil.which("initdb")
    if found:
        return Path(os.path.realpath(found)).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                      key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    return Path(versions[-1]).parent if versions else None


def _postgres_user() -> pwd.struct_passwd | None:
    """Root may not run PostgreSQL: the `postgres` user, made if this machine has none."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        subprocess.run(["useradd", "--system", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin",
                        "postgres"], check=True)
        return pwd.getpwnam("postgres")


def _run_as(user: pwd.struct_passwd | None, args: list, folder: Path, log: Path) -> None:
    switch = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []} if user else {}
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "HOME": str(folder)}
    with log.open("ab") as out:
        done = subprocess.run([str(a) for a in args], cwd=folder, env=env, stdin=subprocess.DEVNULL,
                              stdout=out, stderr=out, timeout=START_SECONDS * 2, **switch)
    if done.returncode != 0:
        pytest.fail(f"{Path(args[0]).name} failed ({done.returncode}):\n{log.read_text(errors='replace')[-2000:]}")


@pytest.fixture(scope="session")
def postgres_url():
    import psycopg

    bindir = postgres_bin()
    if bindir is None:
        _missing("PostgreSQL (initdb)")
    user = _postgres_user()
    folder = Path(tempfile.mkdtemp(prefix="kebabalab-pg-"))
    if user:
        os.chown(folder, user.pw_uid, user.pw_gid)
    port, data, log = free_port(), folder / "data", folder / "postgres.log"
    _run_as(user, [bindir / "initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C",
                   "--no-sync"], folder, folder / "initdb.log")
    options = (f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
               "-c full_page_writes=off -c max_connections=200")
    url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    try:
        _run_as(user, [bindir / "pg_ctl", "-D", data, "-l", log, "-o", options, "-w", "-t", START_SECONDS, "start"],
                folder, folder / "pg_ctl.log")
        _wait_for(lambda: psycopg.connect(url, connect_timeout=1).close(), "PostgreSQL", log)
        yield url
    finally:
        if (data / "postmaster.pid").exists():
            _run_as(user, [bindir / "pg_ctl", "-D", data, "-m", "fast", "-w", "stop"], folder, folder / "pg_ctl.log")
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def postgres_database_url(postgres_url):
    """A new empty database for one test; dropped afterwards even if a connection was left open."""
    import psycopg

    name = f"kebabalab_test_{os.getpid()}_{next(_databases)}"
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield postgres_url.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
