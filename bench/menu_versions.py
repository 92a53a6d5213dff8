"""Menu versions benchmark: what the per-request check for a newer menu costs, and what taking a new version costs.

    .venv/bin/python bench/menu_versions.py --requests 20000

Every request asks the database for the newest menu version's number (MenuCatalog.refresh); when it is new,
that worker builds the menu and the parser's words once. Prints microseconds per unchanged check (SQLite, this
process) and milliseconds per new version taken.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kebabalab.clock import SystemClock  # noqa: E402
from kebabalab.config import PACKAGE_DATA  # noqa: E402
from kebabalab.service.menu_catalog import MenuCatalog  # noqa: E402
from kebabalab.store import Database  # noqa: E402
from kebabalab.store.menu_versions import MenuVersions  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--versions", type=int, default=20)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="kebabalab-menu-bench-")
    db = Database(f"sqlite:///{folder}/bench.db")
    db.init()
    catalog = MenuCatalog(MenuVersions(db), SystemClock())
    catalog.load_file(PACKAGE_DATA / "menu.json")
    started = time.perf_counter()
    for _ in range(args.requests):
        catalog.refresh()
    per_check = (time.perf_counter() - started) / args.requests * 1e6
    document = json.loads((PACKAGE_DATA / "menu.json").read_text())
    taken = 0.0
    for n in range(args.versions):
        document["items"][0]["sizes_cents"]["large"] = 1500 + n + 1
        catalog.versions.add(json.dumps(document), "bench", "bench", SystemClock().now(),
                             on_top_of=catalog.current.version)
        started = time.perf_counter()
        catalog.refresh()
        taken += time.perf_counter() - started
    db.close()
    print(f"unchanged menu check: {per_check:.1f} us per request ({args.requests} requests, SQLite)")
    print(f"new version taken: {taken / args.versions * 1000:.1f} ms per worker per change ({args.versions} changes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
