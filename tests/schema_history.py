"""Each schema version that has shipped, its migrations and every statement of the code that ran on it, read
from the git history of the schema's file (kebabalab/store/schema.py; before it kebabalab/db/schema.py and
kebabalab/db.py).

tests/store/test_migrations.py reads it from git when this is a git checkout, else from the copy kept in
tests/fixtures/schema_history.json (for a source tree without .git). Refresh the copy after a release:

  .venv/bin/python tests/schema_history.py
"""
from __future__ import annotations

import argparse
import ast
import json
import subprocess
import sys
from pathlib import Path

FILES = ("kebabalab/store/schema.py", "kebabalab/db/schema.py", "kebabalab/db.py")  # db.py held the schema before db/ was a package
TARGET = Path(__file__).resolve().parent / "fixtures" / "schema_history.json"
REPO = Path(__file__).resolve().parent.parent


def _git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(REPO), *args], check=True, capture_output=True, text=True).stdout


def constants(source: str) -> dict:
    """The module's top-level assignments that need nothing imported (MIGRATIONS, SQL and the strings they use)."""
    namespace: dict = {}
    for node in ast.parse(source).body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            try:
                exec(compile(ast.Module([node], []), "<schema>", "exec"), namespace)
            except Exception:  # a logger, a compiled regex...: not data
                pass
    return namespace


def history(ref: str) -> list[dict]:
    """[{version, commits, changed_at, migrations, statements}] for every schema version in `ref`'s history."""
    versions: dict[int, dict] = {}
    # --first-parent: what landed on the main line shipped; a merged branch's own steps never did, nor do a
    # branch's own steps before it lands (a branch that renumbered its migration after merging main)
    landed = _on_main()
    for line in _git("log", "--first-parent", "--reverse", "--format=%H", ref, "--", *FILES).split():
        if landed is not None and line not in landed:
            continue
        for path in FILES:
            try:
                source = _git("show", f"{line}:{path}")
            except subprocess.CalledProcessError:
                continue
            found = constants(source)
            if "MIGRATIONS" not in found:
                continue
            migrations, sql = found["MIGRATIONS"], found.get("SQL", {})
            entry = versions.setdefault(len(migrations), {"version": len(migrations), "commits": [],
                                                          "changed_at": [], "migrations": migrations,
                                                          "statements": {}})
            entry["commits"].append(line[:10])
            if migrations != entry["migrations"]:  # a shipped migration edited afterwards: the test names it
                entry["changed_at"].append(line[:10])
            for name, statement in sql.items():
                entry["statements"].setdefault(statement, name)
            break
    return [{**v, "statements": [{"name": n, "sql": s} for s, n in v["statements"].items()]}
            for _, v in sorted(versions.items())]


def _on_main() -> set[str] | None:
    """Every commit on the main branch, or None when there is no main branch to tell by."""
    try:
        return set(_git("rev-list", "main").split())
    except subprocess.CalledProcessError:
        return None


def _shipped_ref() -> str:
    """On a branch, the main line as far as the branch has merged it (main's later versions arrived through merge
    commits, off the branch's first-parent line); on main, HEAD itself."""
    try:
        return _git("merge-base", "HEAD", "main").strip() or "HEAD"
    except subprocess.CalledProcessError:  # no branch called main to tell by
        return "HEAD"


def load() -> list[dict]:
    """From git when it can (always current), else the kept copy."""
    try:
        return history(_shipped_ref())
    except (OSError, subprocess.CalledProcessError):
        return json.loads(TARGET.read_text())["versions"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ref", default="HEAD", help="the history to read (default HEAD)")
    args = parser.parse_args()
    TARGET.write_text(json.dumps({"ref": args.ref, "versions": history(args.ref)}, indent=1) + "\n")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
