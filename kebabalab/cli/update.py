"""`kebabalab update VERSION`: a new release beside the old one, switched to only once it answers.

The layout (deployment/README.md): <root>/releases/<version>/venv, one per release, and <root>/current, a
symlink to the one the service runs. An update installs the version (a wheel file, or a git tag cloned and
installed with its pinned requirements) into its own venv, takes a backup, runs the new code's migrations,
switches the symlink, restarts the service, and checks /health and `kebabalab doctor`. If either fails it
switches back and restarts the old code. Rollback is code only: migrations only add tables and nullable
columns (tests/store/test_migrations.py holds it), so the old code runs on the new schema.
"""
from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from kebabalab.errors import KebabalabError

ROOT = Path("C:/Kebabalab") if sys.platform == "win32" else Path("/opt/kebabalab")
TASK = "Kebabalab Orders"
RESTART = (f'powershell -NoProfile -Command "Stop-ScheduledTask -TaskName \'{TASK}\'; '
           f'Start-ScheduledTask -TaskName \'{TASK}\'"' if sys.platform == "win32"
           else "systemctl restart kebabalab")
BIN = "Scripts" if sys.platform == "win32" else "bin"
NO_DOCTOR = "invalid choice: 'doctor'"
INSTALLED = ".installed"  # written last: the release's venv is whole


class UpdateError(KebabalabError):
    """An update that stopped; the message says at which step, and whether the old code is back."""


@dataclass(frozen=True)
class Layout:
    root: Path

    @property
    def releases(self) -> Path:
        return self.root / "releases"

    @property
    def current(self) -> Path:
        return self.root / "current"

    def active(self) -> Path | None:
        """The release `current` points at (None before the first)."""
        return Path(os.path.realpath(self.current)) if os.path.lexists(self.current) else None

    def switch(self, release: Path) -> None:
        """Point `current` at `release`: a new link renamed over the old one, so it is never missing."""
        link = self.root / "current.switching"
        if os.path.lexists(link):
            os.unlink(link)
        os.symlink(release, link, target_is_directory=True)
        if sys.platform == "win32" and os.path.lexists(self.current):  # Windows will not rename over a link
            os.unlink(self.current)
        os.replace(link, self.current)


@dataclass(frozen=True)
class Checks:
    """How the service is restarted and judged; each overridable for tests and other set-ups."""
    restart: str = RESTART
    health_url: str = "http://127.0.0.1:5000/health"
    health_seconds: float = 60.0
    check: str = ""  # default: the release's `kebabalab doctor`, skipped where it has none; {release}: its folder


@dataclass(frozen=True)
class Updated:
    release: Path
    previous: Path | None
    backup: Path | None
    notes: tuple[str, ...]


def release_name(source: str) -> str:
    """kebabalab-1.2.0-py3-none-any.whl -> 1.2.0; a project folder -> its __version__; a git tag (v1.2.0) -> itself."""
    if _is_project(source):
        package = Path(source) / "kebabalab"
        where = package / "version.py" if (package / "version.py").is_file() else package / "__init__.py"  # older
        found = re.search(r'^__version__ = "([^"]+)"', where.read_text(), re.M)
        if not found:
            raise UpdateError(f"{where} names no __version__")
        return found.group(1)
    if source.endswith(".whl"):
        parts = Path(source).name.split("-")
        if len(parts) < 5 or parts[0] != "kebabalab":
            raise UpdateError(f"{source} is not a kebabalab wheel (kebabalab-VERSION-py3-none-any.whl)")
        return parts[1]
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", source):
        raise UpdateError(f"{source!r} is neither a wheel file nor a git tag")
    return source


def _is_project(source: str) -> bool:
    """A checkout of this project (setup-windows.ps1 installs the folder it runs from)."""
    return (Path(source) / "pyproject.toml").is_file() and (Path(source) / "kebabalab" / "__init__.py").is_file()


def venv_bin(release: Path, program: str) -> Path:
    return release / "venv" / BIN / (program + (".exe" if sys.platform == "win32" else ""))


def _run(command: list[str], step: str, **kwargs) -> subprocess.CompletedProcess:
    try:
        done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)
    except FileNotFoundError:  # e.g. git, which a Windows PC does not have unless someone installed it
        raise UpdateError(f"{step} failed: {command[0]} is not installed (or not on the PATH)") from None
    if done.returncode != 0:
        last = (done.stderr.strip() or done.stdout.strip() or "no message").splitlines()[-1]
        raise UpdateError(f"{step} failed ({shlex.join(command)} exited with {done.returncode}): {last}")
    return done


def install(layout: Layout, source: str, *, repo: str = "", python: str = sys.executable,
            pip_args: tuple[str, ...] = ()) -> Path:
    """releases/<version> with its own venv, built in place (a venv cannot be moved) and marked whole at the end,
    so an install that failed half way is built again, never used."""
    release = layout.releases / release_name(source)
    done = release / INSTALLED
    if done.exists():
        return release  # installed before (an update that was rolled back, or rolled back to)
    if source.endswith(".whl") and not Path(source).is_file():
        raise UpdateError(f"there is no wheel at {source}")
    if source.endswith(".whl") and not zipfile.is_zipfile(source):
        raise UpdateError(f"{source} is not a whole wheel (a wheel is a zip file): download it again")
    repo = repo or ("" if source.endswith(".whl") or _is_project(source) else _origin(layout))
    shutil.rmtree(release, ignore_errors=True)
    release.mkdir(parents=True)
    try:
        _run([python, "-m", "venv", str(release / "venv")], "creating the venv")
        pip = [str(venv_bin(release, "python")), "-m", "pip", "install", "--quiet", *pip_args]
        if source.endswith(".whl"):
            _run(pip + [str(Path(source).resolve())], "installing the wheel")
        else:
            src = Path(source).resolve() if _is_project(source) else release / "src"
            if not _is_project(source):
                _run(["git", "clone", "--quiet", "--depth", "1", "--branch", source, repo, str(src)],
                     f"fetching {source}")
            pins = src / "requirements.txt"
            _run(pip + (["-r", str(pins)] if pins.exists() else []) + [str(src)], "installing")
    except BaseException:
        shutil.rmtree(release, ignore_errors=True)
        raise
    done.write_text(source + "\n", encoding="utf-8")
    return release


def _origin(layout: Layout) -> str:
    """The repository the running release was cloned from, for a tag given without --repo."""
    active = layout.active()
    src = active / "src" if active else None
    if src and (src / ".git").exists():
        return _run(["git", "-C", str(src), "remote", "get-url", "origin"], "finding the repository").stdout.strip()
    raise UpdateError("a git tag needs the repository: pass --repo URL (or give a wheel file)")


def healthy(url: str, seconds: float) -> str:
    """Wait until `url` answers {"status": "healthy"}; '' then, else what it last said."""
    deadline, last = time.monotonic() + seconds, "no answer"
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                body = json.loads(response.read().decode("utf-8") or "{}")
                if body.get("status") == "healthy":
                    return ""
                last = f"it answered {body}"
        except (OSError, ValueError) as exc:
            last = f"no answer ({getattr(exc, 'reason', exc)})"
        if time.monotonic() >= deadline:
            return f"{url}: {last} after {seconds:g} s"
        time.sleep(0.25)


def run_check(checks: Checks, release: Path) -> str:
    """The doctor (or the given check command): '' when it passes or this release has none; else why not."""
    command = (shlex.split(checks.check.replace("{release}", str(release))) if checks.check
               else [str(venv_bin(release, "kebabalab")), "doctor"])
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if done.returncode == 0 or (not checks.check and NO_DOCTOR in done.stderr):
        return ""
    last = (done.stdout.strip() + "\n" + done.stderr.strip()).strip().splitlines() or ["no message"]
    return f"{shlex.join(command)} exited with {done.returncode}: {last[-1]}"


def restart_and_check(checks: Checks, release: Path) -> str:
    """Restart the service on `release`; '' when /health and the check pass, else why not."""
    done = subprocess.run(shlex.split(checks.restart), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if done.returncode != 0:
        return f"the restart ({checks.restart}) exited with {done.returncode}: {done.stdout.strip()[-300:]}"
    return healthy(checks.health_url, checks.health_seconds) or run_check(checks, release)


def update(layout: Layout, source: str, checks: Checks, backup: Callable[[], Path | None], *,
           say: Callable[[str], None] = print, **install_options) -> Updated:
    """Install, back up, migrate, switch, restart and check; switch back when the new code fails its checks."""
    previous = layout.active()
    release = layout.releases / release_name(source)
    if previous == release.resolve():  # setup-windows.ps1 run again, e.g. after fixing the settings
        say(f"{release.name} is already the running release: restarting it and checking ...")
        problem = restart_and_check(checks, release)
        if problem:
            raise UpdateError(f"{release.name} is running but failed its checks: {problem}")
        return Updated(release, previous, None, ())
    say(f"Installing {source} into {release} ...")
    release = install(layout, source, **install_options)
    say("Backing up the order database ...")
    saved = backup()
    say("Migrating the database with the new code ...")
    _run([str(venv_bin(release, "kebabalab")), "init-db"], "migrating the database (nothing was switched)")
    layout.switch(release)
    say(f"Switched to {release.name}; restarting ...")
    problem = restart_and_check(checks, release)
    if not problem:
        return Updated(release, previous, saved, ())
    if previous is None:
        raise UpdateError(f"{release.name} failed its checks and there is no earlier release to go back to: {problem}")
    say(f"{release.name} failed its checks ({problem}); switching back to {previous.name} ...")
    layout.switch(previous)
    back = restart_and_check(checks, previous)
    state = f"{previous.name} is running again" if not back else f"{previous.name} is back but also failed: {back}"
    raise UpdateError(f"{release.name} failed its checks ({problem}); {state}. The database keeps the new "
                      "migrations, which the old code runs on (they only add).")
