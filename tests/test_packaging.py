"""Packaging: requirements.txt pins exactly the dependencies pyproject.toml declares, and the console script's
entry point exists, so `make`, install.sh and `pip install .` install the same thing."""
from __future__ import annotations

import importlib
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_names(text: str) -> dict[str, str]:
    """name (with extras) -> the whole line, for every pinned requirement in a requirements file."""
    pins = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        name = re.match(r"[A-Za-z0-9_.\-]+(\[[^\]]*\])?", line).group(0)
        pins[canonical(name)] = line
    return pins


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def test_requirements_pin_exactly_the_declared_dependencies():
    declared = {canonical(re.match(r"[A-Za-z0-9_.\-]+(\[[^\]]*\])?", d).group(0)) for d in project()["dependencies"]}
    pinned = requirement_names((ROOT / "requirements.txt").read_text())
    assert set(pinned) == declared


def test_every_requirement_is_pinned_to_one_version():
    for path in ("requirements.txt", "requirements-dev.txt"):
        loose = [line for line in requirement_names((ROOT / path).read_text()).values()
                 if not re.fullmatch(r"[^=<>!~ ]+==[0-9][^ ;,]*", line)]
        assert loose == [], path


def test_dev_requirements_include_the_runtime_ones():
    assert "-r requirements.txt" in (ROOT / "requirements-dev.txt").read_text().splitlines()


def test_the_console_script_names_a_function_that_exists():
    module, _, function = project()["scripts"]["kebabalab"].partition(":")
    assert callable(getattr(importlib.import_module(module), function))


def test_package_data_covers_the_templates_and_static_files():
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["*"]
    package = ROOT / "kebabalab"
    shipped = {p for pattern in patterns for folder in [package, *package.rglob("*")] if folder.is_dir()
               for p in folder.glob(pattern)}
    needed = {p for p in package.rglob("*") if p.is_file() and p.suffix in {".html", ".css", ".js", ".json"}}
    assert needed - shipped == set()
