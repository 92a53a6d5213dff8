"""The production settings file for one machine, made from the production example (`kebabalab setup-env`).

The example is written for the Linux layout (/var/lib/kebabalab, /etc/kebabalab); setup-windows.ps1 asks for
the same file with this machine's folders (C:/Kebabalab/state, ...) and a rotating LOG_FILE, as Windows has
no journald. An existing file is never overwritten: it holds the shop's secrets.
"""
from __future__ import annotations

import re
from pathlib import Path

from kebabalab.errors import ConfigError

EXAMPLES = (Path("deployment/kebabalab.env.example"), Path("config/.env.production.example"))
LINUX_STATE, LINUX_CONFIG = "/var/lib/kebabalab", "/etc/kebabalab"
SHOP_FILES = ("menu.json", "hours.json", "business.json")  # under the state dir on Linux, the config dir here


def find_example(folder: Path) -> Path:
    for name in EXAMPLES:
        if (folder / name).is_file():
            return folder / name
    raise ConfigError(f"no production settings example in {folder} ({' or '.join(map(str, EXAMPLES))}): run this "
                      "from the project folder")


def for_this_machine(example: str, state_dir: str, config_dir: str, log_file: str = "") -> str:
    """The example with its Linux folders replaced by these (forward slashes, which Python takes on Windows too);
    the shop's own files (menu, hours, details) go in `config_dir`, where setup-windows.ps1 puts them."""
    state, config, log_file = (_slashes(p) for p in (state_dir, config_dir, log_file))
    text = example.replace(f"sqlite:///{LINUX_STATE}", f"sqlite:///{state}")  # sqlite:////var -> sqlite:///C:/
    for name in SHOP_FILES:
        text = text.replace(f"{LINUX_STATE}/{name}", f"{config}/{name}")
    text = text.replace(LINUX_STATE, state).replace(LINUX_CONFIG, config)
    if log_file:
        text, found = re.subn(r"^LOG_FILE=.*$", lambda _: f"LOG_FILE={log_file}", text, flags=re.M)
        text += "" if found else f"LOG_FILE={log_file}\n"
    return text


def _slashes(path: str) -> str:
    """C:\\Kebabalab\\state -> C:/Kebabalab/state (a backslash in a .env value would be read as an escape)."""
    return path.replace("\\", "/").rstrip("/") if len(path) > 1 else path


def write_new(target: Path, text: str) -> bool:
    """Write `text` to `target` unless it exists (False then: the shop's settings stay as they are)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(target, "x", encoding="utf-8") as out:
            out.write(text)
    except FileExistsError:
        return False
    return True
