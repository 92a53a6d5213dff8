"""Parser accuracy on the two phrase tables (tests/parser_tables/): each row's words sent as quickAddItem through
the webhook on a fresh call, as tests/ordering/test_parser_tables.py does, with the figures printed.

    .venv/bin/python bench/parser_tables.py            # accuracy and silent wrong orders per table
    .venv/bin/python bench/parser_tables.py --show     # and every row that is not right, with what happened

A row is right when the reply is what it expects; a silent wrong order is ok: true with a line, quantity or
total the row does not expect (or where it expects a question or a refusal). Rows disputed in
tests/parser_tables/disputed.json are counted apart.
"""
from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from kebabalab.clock import FixedClock  # noqa: E402
from kebabalab.config import Settings  # noqa: E402
from kebabalab.web.app import create_app  # noqa: E402
from tests.conftest import FRIDAY_6PM  # noqa: E402
from tests.parser_tables.judge import TABLES, adjudicated, judge, rows  # noqa: E402


def main() -> int:
    logging.disable(logging.INFO)  # one log line per tool call would bury the figures
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", action="store_true", help="print every row that is not right")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(database_url=f"sqlite:///{tmp}/orders.db", allow_unauthenticated=True,
                            shop_order_to="+61400000001", send_sms_in_background=False)
        app = create_app(settings, clock=FixedClock(FRIDAY_6PM), start_sender=False)
        client, menu = app.test_client(), app.extensions["kebabalab"].menu
        silent_total = 0
        for table in TABLES:
            table_rows, disputed = rows(table), adjudicated(table)
            verdicts = [(row, judge(client, menu, row)) for row in table_rows]
            counted = [(r, v) for r, v in verdicts if r["id"] not in disputed]
            right = sum(v.right for _, v in counted)
            silent = sum(v.silent_wrong for _, v in counted)
            silent_total += silent
            asked = sum(not v.right and not v.silent_wrong for _, v in counted)
            print(f"{table}: rows {len(table_rows)}  judged {len(counted)}  right {right}  "
                  f"accuracy {right / len(counted):.1%}  silent wrong {silent}  asked or refused instead {asked}  "
                  f"disputed {len(verdicts) - len(counted)}")
            if args.show:
                for row, verdict in verdicts:
                    if not verdict.right:
                        mark = "SILENT" if verdict.silent_wrong else "asked "
                        mark = "disputed" if row["id"] in disputed else mark
                        print(f"  {mark} {row['id']}: {row['says']!r} -> {verdict.detail}")
        app.extensions["kebabalab"].stop_background()
    return 0


if __name__ == "__main__":
    sys.exit(main())
