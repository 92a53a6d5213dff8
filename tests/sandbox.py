"""A private view of this machine for install tests: deployment/install.sh runs as root for real, changing nothing.

`Sandbox` holds a mount namespace (`unshare -m`) open with one sleeping process; every command runs inside it
through `nsenter`. Inside, /etc is a copy (so the service user, /etc/kebabalab and /etc/systemd/system land in
the copy), /opt and /var/lib are empty tmpfs, and /usr/local/bin is an overlay. When the holder ends, all of it
goes. Needs root and unshare; tests skip otherwise.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

SETUP = """set -e
cp -a /etc "$1/etc"
mount --bind "$1/etc" /etc
mount -t tmpfs tmpfs /opt
mount -t tmpfs tmpfs /var/lib
mkdir -p "$1/bin-upper" "$1/bin-work"
mount -t overlay overlay -o "lowerdir=/usr/local/bin,upperdir=$1/bin-upper,workdir=$1/bin-work" /usr/local/bin
echo ready
exec sleep 86400
"""


def unavailable() -> str:
    """Why this machine cannot hold a sandbox ('' when it can)."""
    if os.geteuid() != 0:
        return "install.sh tests need root (they run it for real inside a mount namespace)"
    for tool in ("unshare", "nsenter", "setpriv", "useradd"):
        if shutil.which(tool) is None:
            return f"{tool} is missing"
    if subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode != 0:
        return "unshare -m is not allowed here"
    return ""


class Sandbox:
    def __init__(self, folder: Path):
        self.folder = folder
        self.holder = subprocess.Popen(["unshare", "-m", "sh", "-c", SETUP, "sh", str(folder)],
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.holder.stdout.readline().strip()
        if line != "ready":
            self.close()
            raise RuntimeError(f"the sandbox did not start: {line} {self.holder.stderr.read()}")

    def command(self, *argv: str) -> list[str]:
        return ["nsenter", "-t", str(self.holder.pid), "-m", "--", *argv]

    def run(self, *argv: str, check: bool = True, timeout: float = 600, **kwargs) -> subprocess.CompletedProcess:
        result = subprocess.run(self.command(*argv), capture_output=True, text=True, timeout=timeout, **kwargs)
        if check and result.returncode != 0:
            raise AssertionError(f"{' '.join(argv)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
        return result

    def read(self, path: str) -> str:
        return self.run("cat", path).stdout

    def close(self) -> None:
        if self.holder.poll() is None:
            self.holder.kill()
        self.holder.wait()
