"""The house in layers (docs/architecture.md): every import of the package points down, read from the code itself.

web, cli -> tools -> service -> ordering, shop, store, messaging (vapi beside tools). ordering/ and shop/ are pure:
no Flask, no store, no messaging, no I/O library. The package root holds only the ground floor (errors, clock,
config, metrics, version, hmac_plan, background), which imports nothing of the layers.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "kebabalab"
GROUND = {"errors", "clock", "config", "metrics", "version", "hmac_plan", "background"}
BOTTOM = {"ordering", "shop", "store", "messaging"}
# What each layer may import of the package, beside itself and the ground floor.
MAY_IMPORT = {
    "ordering": set(),
    "shop": {"ordering"},
    "store": {"ordering"},
    "messaging": {"ordering", "shop", "store"},
    "vapi": set(),
    "service": BOTTOM,
    "tools": BOTTOM | {"service", "vapi"},
    "web": BOTTOM | {"service", "vapi", "tools"},
    "cli": BOTTOM | {"service", "vapi", "tools", "web"},
}
# Libraries that mean I/O or a framework: a pure layer imports none of them.
IO_LIBRARIES = {"flask", "flask_cors", "werkzeug", "psycopg", "psycopg_pool", "sqlite3", "redis", "twilio",
                "requests", "waitress", "gunicorn", "prometheus_client", "socket", "threading", "subprocess"}
FORBIDDEN_LIBRARIES = {"ordering": IO_LIBRARIES, "shop": IO_LIBRARIES, "vapi": IO_LIBRARIES,
                       "store": {"flask", "flask_cors", "werkzeug", "twilio", "requests"},
                       "messaging": {"flask", "flask_cors", "werkzeug"},
                       "service": {"flask", "flask_cors", "werkzeug"},
                       "tools": {"flask", "flask_cors", "werkzeug"}}


def modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        if "__pycache__" not in path.parts:
            yield path


def layer_of(path: Path) -> str:
    """The layer a module stands in: its folder under kebabalab/, or 'ground' for the package root."""
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else "ground"


def imports(path: Path) -> list[tuple[str, int]]:
    """Every module a file imports (absolute names), with its line, type-checking imports included."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}:{node.lineno}: a relative import; write it absolute"
            found += [(f"{node.module}.{alias.name}" if node.module == "kebabalab" else node.module, node.lineno)
                      for alias in node.names]
    return found


def target_layer(name: str) -> str | None:
    parts = name.split(".")
    if parts[0] != "kebabalab" or len(parts) == 1:
        return None
    return "ground" if parts[1] in GROUND or parts[1] == "__version__" else parts[1]


def test_every_module_stands_in_a_known_layer():
    strays = [str(p.relative_to(PACKAGE)) for p in modules() if layer_of(p) not in MAY_IMPORT
              and not (layer_of(p) == "ground" and (p.stem in GROUND or p.stem in {"__init__", "__main__"}))]
    assert strays == []


@pytest.mark.parametrize("path", list(modules()), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down_only(path):
    layer = layer_of(path)
    if path.relative_to(PACKAGE).parts in (("__init__.py",), ("__main__.py",)):
        return  # the package's face and the command line's entry stand on top of everything
    allowed = {layer, "ground"} | MAY_IMPORT.get(layer, set())
    wrong = [f"line {line}: {name}" for name, line in imports(path)
             if target_layer(name) is not None and target_layer(name) not in allowed]
    assert wrong == [], f"{layer}/ may import only {sorted(allowed)}"


@pytest.mark.parametrize("path", [p for p in modules() if layer_of(p) in FORBIDDEN_LIBRARIES],
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_pure_layers_import_no_framework_or_io(path):
    forbidden = FORBIDDEN_LIBRARIES[layer_of(path)]
    wrong = [f"line {line}: {name}" for name, line in imports(path) if name.split(".")[0] in forbidden]
    assert wrong == []


def test_tools_never_import_each_other():
    tool_modules = [p for p in (PACKAGE / "tools").glob("*.py") if p.stem not in {"__init__", "registry", "context"}]
    names = {f"kebabalab.tools.{p.stem}" for p in tool_modules}
    sideways = {p.stem: sorted({n for n, _ in imports(p) if n in names}) for p in tool_modules}
    assert {stem: found for stem, found in sideways.items() if found} == {}


def test_the_check_sees_a_forbidden_import(tmp_path):
    """The rule can fail: a shop module importing the store is caught."""
    bad = tmp_path / "shop" / "bad.py"
    bad.parent.mkdir()
    bad.write_text("from kebabalab.store import Database\nimport flask\n")
    names = [name for name, _ in imports(bad)]
    assert [target_layer(n) for n in names] == ["store", None]
    assert [n for n in names if n.split(".")[0] in FORBIDDEN_LIBRARIES["shop"]] == ["flask"]
