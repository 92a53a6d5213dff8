"""deployment/install.sh and the systemd units, run for real as root inside a mount namespace (tests/sandbox.py).

This machine has no systemd as PID 1, so what systemd would do is done by hand from the installed unit file:
its ExecStart runs as its User (setpriv), with its EnvironmentFile and WorkingDirectory, the release read-only
and the state directory writable (as ProtectSystem=strict and StateDirectory= leave them), until /health answers.
One install (pip from PyPI into the release's venv) serves the whole module.
"""
from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.sandbox import Sandbox, unavailable
from tests.servers import free_port, wait_until

# CI runs as root with unshare: there a missing tool fails these tests rather than skipping them silently.
pytestmark = [pytest.mark.slow, pytest.mark.skipif(bool(unavailable()) and not os.environ.get("CI"),
                                                   reason=unavailable() or "ok")]

ROOT = Path(__file__).resolve().parent.parent
INSTALL = str(ROOT / "deployment" / "install.sh")
UNITS = ("kebabalab.socket", "kebabalab.service", "kebabalab-doctor.service", "kebabalab-doctor.timer", "kebabalab-backup.service",
         "kebabalab-backup.timer")
SNAPSHOT = ("find /etc/kebabalab /etc/systemd/system /var/lib/kebabalab /usr/local/bin/kebabalab /opt/kebabalab "
            "-path '*/venv' -prune -o ! -name 'kebabalab.db*' ! -type d -exec stat -c '%n %U:%G %a %s %Y' {} +")


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """One sandbox with install.sh run twice: (sandbox, first run, second run, files before, files after)."""
    box = Sandbox(tmp_path_factory.mktemp("sandbox"))
    try:
        first = box.run("sh", INSTALL, "--no-apt", cwd="/")
        before = box.run("sh", "-c", SNAPSHOT).stdout
        time.sleep(1.1)  # a rewritten file would get a new mtime
        second = box.run("sh", INSTALL, "--no-apt", cwd="/")
        after = box.run("sh", "-c", SNAPSHOT).stdout
        yield box, first, second, before, after
    finally:
        box.close()


def settings_of(text: str) -> dict[str, str]:
    """KEY=VALUE lines as systemd's EnvironmentFile= reads them (comments and blank lines skipped)."""
    pairs = (line.split("=", 1) for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}


def unit_of(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines() if re.match(r"^[A-Za-z]+=", line))


def test_first_run_makes_user_settings_state_and_units(installed):
    box, first, _, _, _ = installed
    assert box.run("id", "-un", "kebabalab").stdout == "kebabalab\n"
    assert box.run("getent", "passwd", "kebabalab").stdout.split(":")[5:] == ["/var/lib/kebabalab", "/usr/sbin/nologin\n"]
    env = settings_of(box.read("/etc/kebabalab/kebabalab.env"))
    assert box.run("stat", "-c", "%U:%G %a", "/etc/kebabalab/kebabalab.env").stdout == "root:kebabalab 640\n"
    assert len(env["VAPI_WEBHOOK_SECRET"]) == 43 and len(env["METRICS_TOKEN"]) == 43
    assert env["VAPI_WEBHOOK_SECRET"] != env["METRICS_TOKEN"]
    assert f"board password (shown once; it is STAFF_PASSWORD in /etc/kebabalab/kebabalab.env): " \
           f"{env['STAFF_PASSWORD']}\n" in first.stdout
    assert len(env["STAFF_PASSWORD"]) == 16
    assert env["DATABASE_URL"] == "sqlite:////var/lib/kebabalab/kebabalab.db"
    assert [env["MENU_FILE"], env["HOURS_FILE"], env["BUSINESS_FILE"]] == [
        "/var/lib/kebabalab/menu.json", "/var/lib/kebabalab/hours.json", "/var/lib/kebabalab/business.json"]
    state = box.run("stat", "-c", "%n %U:%G %a", "/var/lib/kebabalab", "/var/lib/kebabalab/backups",
                    "/var/lib/kebabalab/menu.json", "/var/lib/kebabalab/kebabalab.db").stdout.splitlines()
    assert state == ["/var/lib/kebabalab kebabalab:kebabalab 750", "/var/lib/kebabalab/backups kebabalab:kebabalab 750",
                     "/var/lib/kebabalab/menu.json kebabalab:kebabalab 644",
                     "/var/lib/kebabalab/kebabalab.db kebabalab:kebabalab 644"]
    assert box.read("/var/lib/kebabalab/menu.json") == (ROOT / "kebabalab/data/menu.json").read_text()
    assert "install: database ready (schema version" in first.stdout
    version = re.search(r"release (\S+) in /opt", first.stdout).group(1)
    assert box.run("readlink", "/opt/kebabalab/current").stdout == f"releases/{version}\n"
    assert box.run("stat", "-c", "%U %a", f"/opt/kebabalab/releases/{version}").stdout == "root 755\n"
    for unit in UNITS:
        assert box.read(f"/etc/systemd/system/{unit}") == (ROOT / "deployment/systemd" / unit).read_text()


def test_second_run_changes_nothing_and_prints_no_password(installed):
    _, first, second, before, after = installed
    assert after == before
    assert "board password" in first.stdout and "board password" not in second.stdout
    assert "install: release" in second.stdout and "is installed" in second.stdout
    assert "wrote" not in second.stdout and "generated" not in second.stdout


def test_units_pass_systemd_analyze_verify(installed):
    box = installed[0]
    result = box.run("systemd-analyze", "verify", *(f"/etc/systemd/system/{u}" for u in UNITS), check=False)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    unit = unit_of(box.read("/etc/systemd/system/kebabalab.service"))
    from gunicorn.config import Config
    assert int(unit["TimeoutStopSec"]) > Config().graceful_timeout  # serving.py keeps gunicorn's default
    assert (unit["KillMode"], unit["Requires"]) == ("mixed", "kebabalab.socket")  # a restart loses no call
    assert unit["TimeoutStopSec"] == "45"  # deployment/README: the old server exits within 45 seconds
    socket_unit = unit_of(box.read("/etc/systemd/system/kebabalab.socket"))
    assert socket_unit["ListenStream"] == "127.0.0.1:5000"  # loopback only: the HTTPS proxy faces the internet
    assert unit["ExecStart"] == "/opt/kebabalab/current/venv/bin/kebabalab serve"
    timer = unit_of(box.read("/etc/systemd/system/kebabalab-doctor.timer"))
    assert timer["OnCalendar"] == "*-*-* 08:30:00" and timer["Persistent"] == "true"
    backup = unit_of(box.read("/etc/systemd/system/kebabalab-backup.timer"))  # deployment/README: nightly, 03:30
    assert (backup["OnCalendar"], backup["Persistent"]) == ("*-*-* 03:30:00", "true")


def test_the_units_start_command_serves_as_the_service_user_with_the_code_read_only(installed):
    box = installed[0]
    unit = unit_of(box.read("/etc/systemd/system/kebabalab.service"))
    env = settings_of(box.read(unit["EnvironmentFile"]))
    env.update(dict([unit["Environment"].split("=", 1)]), PATH="/usr/bin:/bin", PORT=str(port := free_port()))
    as_systemd = (  # ProtectSystem=strict: the code and settings read-only; StateDirectory= writable
        "set -e; for d in /opt/kebabalab /etc/kebabalab; do mount --bind $d $d; mount -o remount,bind,ro $d; done; "
        f"cd {unit['WorkingDirectory']}; exec setpriv --reuid {unit['User']} --regid {unit['Group']} --init-groups "
        f"--no-new-privs -- env -i " + " ".join(shlex.quote(f"{k}={v}") for k, v in env.items()) + f" {unit['ExecStart']}")
    server = subprocess.Popen(box.command("unshare", "-m", "sh", "-c", as_systemd), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    try:
        wait_until(lambda: _health(port) is not None or server.poll() is not None, 60, "/health to answer")
        assert _health(port) == {"server": "kebabalab", "status": "healthy", "version": "1.0.0"}
        user = box.run("ps", "-o", "user=", "-p", str(server.pid)).stdout.strip()
        assert user == "kebabalab"
        server.send_signal(signal.SIGTERM)  # systemctl stop
        assert server.wait(timeout=int(unit["TimeoutStopSec"])) == 0  # inside the unit's stop time, or TimeoutExpired
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    log = server.stdout.read()
    assert "Read-only file system" not in log and "Shutting down: Master" in log


def test_the_kebabalab_command_reads_the_shops_settings_as_the_service_user(installed):
    box = installed[0]
    result = box.run("/usr/local/bin/kebabalab", "orders", "--json", cwd="/")
    assert json.loads(result.stdout) == []
    assert result.stderr == "database: /var/lib/kebabalab/kebabalab.db\n"
    owner = box.run("sh", "-c", "/usr/local/bin/kebabalab init-db >/dev/null && stat -c %U "
                    "/var/lib/kebabalab/kebabalab.db").stdout
    assert owner == "kebabalab\n"


def test_a_given_staff_password_replaces_only_that_setting(installed):
    box = installed[0]
    before = settings_of(box.read("/etc/kebabalab/kebabalab.env"))
    result = box.run("sh", INSTALL, "--no-apt", "--staff-password", "Doner-Dec-2026", cwd="/")
    after = settings_of(box.read("/etc/kebabalab/kebabalab.env"))
    assert after == {**before, "STAFF_PASSWORD": "Doner-Dec-2026"}
    assert "install: set STAFF_PASSWORD to the one given\n" in result.stdout
    refused = box.run("sh", INSTALL, "--no-apt", "--public-url", "http://orders.example.com", check=False, cwd="/")
    assert (refused.returncode, refused.stderr) == (
        1, "install: --public-url must start with https:// (Vapi calls HTTPS only)\n")


def _health(port: int) -> dict | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as response:
            return json.loads(response.read())
    except OSError:
        return None


def test_install_refuses_to_run_as_anyone_but_root():
    result = subprocess.run(["setpriv", "--reuid", "nobody", "--regid", "nogroup", "--clear-groups", "sh", INSTALL],
                            capture_output=True, text=True, timeout=30, cwd="/")
    assert (result.returncode, result.stdout, result.stderr) == (
        1, "", "install: run me as root: sudo sh deployment/install.sh\n")
