"""`kebabalab update` as a shop runs it: a real wheel into a new venv beside the running release, a backup, the
migrations, the `current` switch, a real server restarted from it and its /health, and the switch back.

The old release's venv is this checkout's .venv. The new release is the wheel built from this checkout, installed
with --no-deps (no network): its dependencies come from .venv's site-packages through PYTHONPATH, which
holds no kebabalab module (the editable install is a .pth that only .venv's own Python reads), so the new
release runs the code installed from the wheel. tests/fakes/restart_service.py stands in for systemctl.
"""
from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from kebabalab import __version__
from kebabalab.__main__ import main
from kebabalab.store.backup import check_backup
from kebabalab.store import MIGRATIONS, SQL, Database
from kebabalab.store.heartbeat import live_servers
from kebabalab.cli.update import Layout, UpdateError, healthy, install, release_name
from servers import free_port, wait_until

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[1].parent
RESTART = Path(__file__).resolve().parents[1] / "fakes" / "restart_service.py"
OFFLINE = ("--pip-arg=--no-deps", "--pip-arg=--ignore-installed")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """This checkout built as a wheel, as a release would be (from a copy: the build leaves files behind)."""
    src, out = tmp_path_factory.mktemp("src"), tmp_path_factory.mktemp("wheels")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, src / name)
    shutil.copytree(REPO / "kebabalab", src / "kebabalab", ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(src)],
                   check=True, capture_output=True)
    [built] = out.glob("kebabalab-*.whl")
    return built


@pytest.fixture
def shop(tmp_path, monkeypatch):
    """/opt/kebabalab with release 0.9.0 (this checkout's .venv) current and serving."""
    root, state = tmp_path / "opt", tmp_path / "state"
    (root / "releases" / "0.9.0").mkdir(parents=True)
    state.mkdir()
    (root / "releases" / "0.9.0" / "venv").symlink_to(sys.prefix, target_is_directory=True)
    Layout(root).switch(root / "releases" / "0.9.0")
    port = free_port()
    for name, value in {"DATABASE_URL": f"sqlite:///{state}/orders.db", "PORT": str(port),
                        "KEBABALAB_ALLOW_UNAUTHENTICATED": "1", "BACKUP_DIR": str(state / "backups"),
                        "BACKUP_COPY_DIR": "", "PYTHONPATH": sysconfig.get_paths()["purelib"]}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(state)
    restart = f"{sys.executable} {RESTART} {root} {state}"
    subprocess.run(restart.split(), check=True)
    assert healthy(f"http://127.0.0.1:{port}/health", 30) == ""
    yield {"root": root, "state": state, "restart": restart, "health": f"http://127.0.0.1:{port}/health"}
    _stop(state / "server.pid")


def _stop(pid_file: Path) -> None:
    import os
    import signal
    try:
        os.kill(int(pid_file.read_text()), signal.SIGTERM)
    except (FileNotFoundError, ProcessLookupError):
        pass


# The shop here has no Twilio, Vapi or HTTPS, so the release's real doctor would fail every update: the checks
# run the new release's own code on the shop's menu instead (test_the_default_check_is_the_releases_doctor).
CHECK = "{release}/venv/bin/kebabalab check-menu"


def run_update(shop, version, *extra) -> int:
    return main(["update", str(version), "--root", str(shop["root"]), "--restart-command", shop["restart"],
                 "--health-url", shop["health"], "--health-seconds", "30", *OFFLINE, "--check-command", CHECK,
                 *extra])


def schema_version(shop) -> int:
    with sqlite3.connect(shop["state"] / "orders.db") as conn:
        return conn.execute(SQL["version"]).fetchone()[0]


def test_an_update_installs_beside_the_old_release_migrates_switches_and_serves(shop, wheel, capsys):
    assert run_update(shop, wheel) == 0
    root = shop["root"]
    out = capsys.readouterr().out.splitlines()
    [backup] = (shop["state"] / "backups").glob("orders-*.db")
    assert out == [f"Installing {wheel} into {root}/releases/{__version__} ...", "Backing up the order database ...",
                   "Migrating the database with the new code ...", f"Switched to {__version__}; restarting ...",
                   f"Updated to {__version__} (from 0.9.0); backup {backup}."]
    assert Layout(root).active() == root / "releases" / __version__
    assert (root / "releases" / "0.9.0" / "venv").is_symlink()  # the old release is still there to go back to
    assert (shop["state"] / "restarts.log").read_text().split() == ["0.9.0", __version__]
    assert healthy(shop["health"], 5) == ""
    assert schema_version(shop) == len(MIGRATIONS)
    check_backup(f"sqlite:///{shop['state']}/orders.db", backup)  # a whole order database
    # the new release's server beats: a restore of that backup is refused while it runs
    db = Database(f"sqlite:///{shop['state']}/orders.db")
    try:
        [beat] = wait_until(lambda: live_servers(db), 10, "the new server's heartbeat")
    finally:
        db.close()
    parent = Path(f"/proc/{beat.pid}/stat").read_text().rsplit(")", 1)[1].split()[1]
    assert int(parent) == int((shop["state"] / "server.pid").read_text())  # gunicorn's worker; the old one's is gone
    assert main(["restore", str(backup)]) == 1
    assert capsys.readouterr().err.startswith(f"Not restored: a running server holds this database: {beat.host} "
                                              f"(process {beat.pid}, last seen ")
    imported = subprocess.run([str(root / "current" / "venv" / "bin" / "python"), "-c",
                               "import kebabalab; print(kebabalab.__file__)"], capture_output=True, text=True)
    assert imported.stdout.strip().startswith(str(root / "current" / "venv" / "lib"))


def test_a_release_that_fails_its_check_is_switched_back(shop, wheel, capsys):
    doctor = ("sh -c 'test $(basename {release}) = 0.9.0 || { echo TWILIO_AUTH_TOKEN was refused by Twilio; "
              "exit 1; }'")  # the new release's doctor finds what the old one did not use
    assert run_update(shop, wheel, "--check-command", doctor) == 1
    root = shop["root"]
    assert Layout(root).active() == root / "releases" / "0.9.0"
    assert (shop["state"] / "restarts.log").read_text().split() == ["0.9.0", __version__, "0.9.0"]
    assert healthy(shop["health"], 5) == ""
    assert capsys.readouterr().err == (
        f"Update stopped: {__version__} failed its checks (sh -c 'test $(basename {shop['root']}/releases/1.0.0) = "
        "0.9.0 || { echo TWILIO_AUTH_TOKEN was refused by Twilio; exit 1; }' exited with 1: "
        f"TWILIO_AUTH_TOKEN was refused by Twilio); 0.9.0 is running again. The database keeps the new migrations, "
        "which the old code runs on (they only add).\n")
    assert schema_version(shop) == len(MIGRATIONS)  # the old code runs on it (tests/store/test_migrations.py)


def test_the_default_check_is_the_releases_doctor(shop, wheel, capsys):
    assert main(["update", str(wheel), "--root", str(shop["root"]), "--restart-command", shop["restart"],
                 "--health-url", shop["health"], "--health-seconds", "30", *OFFLINE]) == 1
    doctor = f"{shop['root']}/releases/{__version__}/venv/bin/kebabalab doctor exited with 1: "
    assert capsys.readouterr().err.startswith(f"Update stopped: {__version__} failed its checks ({doctor}")
    assert Layout(shop["root"]).active() == shop["root"] / "releases" / "0.9.0"


def test_the_running_release_again_is_restarted_and_checked_not_refused(shop, capsys):
    # setup-windows.ps1 run a second time (after fixing .env) asks for the release that is already current
    assert run_update(shop, "0.9.0") == 0
    assert capsys.readouterr().out == ("0.9.0 is already the running release: restarting it and checking ...\n"
                                       "0.9.0 restarted and healthy.\n")
    assert (shop["state"] / "restarts.log").read_text().split() == ["0.9.0", "0.9.0"]
    assert Layout(shop["root"]).active() == shop["root"] / "releases" / "0.9.0"


def test_a_wheel_pip_refuses_leaves_no_release_behind_and_nothing_switched(shop, tmp_path, capsys):
    broken = tmp_path / "kebabalab-2.0.0-py3-none-any.whl"
    with zipfile.ZipFile(broken, "w") as wheel:  # a zip, but no package and no .dist-info in it
        wheel.writestr("README.txt", "not a package")
    assert run_update(shop, broken) == 1
    assert capsys.readouterr().err.startswith("Update stopped: installing the wheel failed (")
    assert sorted(p.name for p in (shop["root"] / "releases").iterdir()) == ["0.9.0"]
    assert Layout(shop["root"]).active() == shop["root"] / "releases" / "0.9.0"
    assert (shop["state"] / "restarts.log").read_text().split() == ["0.9.0"]
    assert not (shop["state"] / "backups").exists()


def test_a_wheel_cut_short_is_refused_before_anything_is_made(tmp_path):
    broken = tmp_path / "kebabalab-2.0.0-py3-none-any.whl"
    broken.write_bytes(b"PK\x03\x04 downloaded half way")
    with pytest.raises(UpdateError, match=r"kebabalab-2\.0\.0-py3-none-any\.whl is not a whole wheel \(a wheel is a "
                                          r"zip file\): download it again$"):
        install(Layout(tmp_path / "opt"), str(broken))
    assert not (tmp_path / "opt").exists()


@pytest.mark.parametrize("source, name", [("/srv/wheels/kebabalab-1.2.0-py3-none-any.whl", "1.2.0"),
                                          ("v1.2.0", "v1.2.0")], ids=["a wheel", "a git tag"])
def test_release_names(source, name):
    assert release_name(source) == name


@pytest.mark.parametrize("source, message", [
    ("/tmp/flask-3.0.0-py3-none-any.whl", "/tmp/flask-3.0.0-py3-none-any.whl is not a kebabalab wheel"),
    ("../../etc", "'../../etc' is neither a wheel file nor a git tag"),
], ids=["another package's wheel", "a path"])
def test_what_is_not_a_version_is_refused(source, message):
    with pytest.raises(UpdateError, match=f"^{message}"):
        release_name(source)


def test_a_tag_on_a_machine_without_git_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no git here, as on a Windows PC nobody installed it on
    with pytest.raises(UpdateError) as refused:
        install(Layout(tmp_path), "v1.2.0", repo="https://example.invalid/kebabalab.git")
    assert str(refused.value) == "fetching v1.2.0 failed: git is not installed (or not on the PATH)"
    assert not (tmp_path / "releases" / "v1.2.0").exists()


def test_a_tag_without_a_repository_asks_for_one(tmp_path):
    with pytest.raises(UpdateError, match=r"^a git tag needs the repository: pass --repo URL \(or give a wheel "
                                          r"file\)$"):
        install(Layout(tmp_path), "v1.2.0")
