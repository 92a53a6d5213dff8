"""Every statement of the kitchen-ticket queue: jobs queued with a new order or a reprint, claimed by one printer
driver at a time (like the outbox), confirmed printed once; and each printer's last known state.

A job is claimed with a lease and a token: the network printer's thread or the CloudPRNT printer's poll takes it,
and only the holder of the token marks it printed. A driver that dies leaves the job to be claimed again when the
lease runs out. Only orders the kitchen should make print (`PRINTABLE_STATUSES`): an order waiting for something
(a confirmation) keeps its job pending until it moves on; a cancelled one never prints.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from kebabalab.store.records import StoredOrder, utc_text
from kebabalab.store.schema import ORDER_COLUMNS

PRINTERS = ("escpos", "cloudprnt")
PRINTABLE_STATUSES = ("new", "preparing", "ready", "collected")
_PRINTABLE = ", ".join(f"'{status}'" for status in PRINTABLE_STATUSES)
_ORDER_COLUMNS = ", ".join(f"orders.{name.strip()}" for name in ORDER_COLUMNS.split(","))
_JOB_COLUMNS = ("print_jobs.id AS job_id, print_jobs.printer, print_jobs.reason, print_jobs.requested_by, "
                "print_jobs.attempts, print_jobs.created_at AS queued_at")
_DUE = (f"SELECT {_JOB_COLUMNS}, {_ORDER_COLUMNS} FROM print_jobs JOIN orders ON orders.id = print_jobs.order_id "
        f"WHERE print_jobs.shop_id = ? AND print_jobs.printer = ? AND orders.status IN ({_PRINTABLE}) AND "
        "((print_jobs.status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= ?)) OR "
        "(print_jobs.status = 'printing' AND claimed_until <= ?)) ORDER BY print_jobs.id LIMIT 1")

SQL = {
    "add": "INSERT INTO print_jobs (shop_id, order_id, printer, reason, requested_by, created_at) "
           "VALUES (?, ?, ?, ?, ?, ?)",
    "due": _DUE,
    "due_skip_locked": _DUE + " FOR UPDATE OF print_jobs SKIP LOCKED",
    "claim": "UPDATE print_jobs SET status = 'printing', claimed_until = ?, claim_token = ?, "
             "attempts = attempts + 1 WHERE id = ?",
    # Jobs of orders too old to be worth printing (the printer was off for hours) are given up, not printed late.
    "expire": "UPDATE print_jobs SET status = 'failed', last_error = ?, claimed_until = NULL "
              "WHERE shop_id = ? AND printer = ? AND status IN ('pending', 'printing') AND created_at < ?",
    "by_token": f"SELECT {_JOB_COLUMNS}, {_ORDER_COLUMNS} FROM print_jobs JOIN orders ON orders.id = "
                "print_jobs.order_id WHERE print_jobs.shop_id = ? AND print_jobs.printer = ? AND "
                "print_jobs.status = 'printing' AND claim_token = ?",
    "printed": "UPDATE print_jobs SET status = 'printed', printed_at = ?, claimed_until = NULL, last_error = NULL "
               "WHERE id = ? AND claim_token = ? AND status = 'printing' RETURNING order_id",
    "retry": "UPDATE print_jobs SET status = 'pending', last_error = ?, next_attempt_at = ?, claimed_until = NULL "
             "WHERE id = ? AND claim_token = ? AND status = 'printing'",
    "order_id": "SELECT id, status FROM orders WHERE order_number = ? AND shop_id = ?",  # numbers are per shop
    "order_number": "SELECT order_number FROM orders WHERE id = ?",
    "state_set": "INSERT INTO printer_states (shop_id, printer, state, detail, seen_at) VALUES (?, ?, ?, ?, ?) "
                 "ON CONFLICT (shop_id, printer) DO UPDATE SET state = excluded.state, detail = excluded.detail, "
                 "seen_at = excluded.seen_at",
    "state_printed": "INSERT INTO printer_states (shop_id, printer, state, seen_at, last_printed_at, "
                     "last_printed_order) VALUES (?, ?, 'online', ?, ?, ?) ON CONFLICT (shop_id, printer) DO UPDATE "
                     "SET state = 'online', detail = NULL, seen_at = excluded.seen_at, "
                     "last_printed_at = excluded.last_printed_at, last_printed_order = excluded.last_printed_order",
    "states": "SELECT printer, state, detail, seen_at, last_printed_at, last_printed_order FROM printer_states "
              "WHERE shop_id = ? ORDER BY printer",
    "waiting": "SELECT printer, COUNT(*) AS n FROM print_jobs WHERE shop_id = ? AND status IN ('pending', 'printing') "
               "GROUP BY printer",
    "jobs_for_order": "SELECT printer, reason, requested_by, status, attempts, last_error, created_at, printed_at "
                      "FROM print_jobs WHERE order_id = ? ORDER BY id",
}


@dataclass(frozen=True)
class PrintJob:
    """A claimed job: the order to print, why (a new order or a reprint, by whom) and the claim's token."""
    id: int
    printer: str
    reason: str
    requested_by: str | None
    attempts: int
    token: str
    order: StoredOrder


@dataclass(frozen=True)
class PrinterState:
    printer: str
    state: str  # online, offline, out_of_paper, error
    detail: str | None
    seen_at: str | None
    last_printed_at: str | None
    last_printed_order: str | None
    waiting: int = 0


def queue_new_orders(conn, order_ids: list[int], printers: tuple[str, ...], at: str, shop_id: str = "main") -> None:
    """Inside the orders' own transaction: one job per new order and printer (so an order saved is a ticket due)."""
    for order_id in order_ids:
        for printer in printers:
            conn.execute(SQL["add"], (shop_id, order_id, printer, "new", None, at))


class PrintQueue:
    """The print jobs and printer states of one shop, on the app's Database (either engine)."""

    def __init__(self, db, shop_id: str = "main", keep_hours: int = 2):
        self.db, self.shop_id, self.keep = db, shop_id, timedelta(hours=keep_hours)

    def reprint(self, order_number: str, printers: tuple[str, ...], by: str, at: datetime) -> str | None:
        """Queue the shop's order again on every printer; the order's status, or None when the shop has no order
        with that number (another shop's order of the same number is never queued here)."""
        with self.db.transaction(immediate=True) as conn:
            row = conn.execute(SQL["order_id"], (order_number, self.shop_id)).fetchone()
            if row is None:
                return None
            if row["status"] in PRINTABLE_STATUSES:
                for printer in printers:
                    conn.execute(SQL["add"], (self.shop_id, row["id"], printer, "reprint", by, utc_text(at)))
            return row["status"]

    def claim(self, printer: str, now: datetime, lease_seconds: int, token: str) -> PrintJob | None:
        """Lease the oldest due job of this printer to the caller (`token`), or None. Jobs queued more than
        `keep_hours` ago are given up first."""
        now_text = utc_text(now)
        due = "due_skip_locked" if self.db.engine.row_locks else "due"
        with self.db.transaction(immediate=True) as conn:
            conn.execute(SQL["expire"], ("not printed within the hour it was due; reprint it from the board",
                                         self.shop_id, printer, utc_text(now - self.keep)))
            row = conn.execute(SQL[due], (self.shop_id, printer, now_text, now_text)).fetchone()
            if row is None:
                return None
            until = utc_text(now + timedelta(seconds=lease_seconds))
            conn.execute(SQL["claim"], (until, token, row["job_id"]))
        return _job(row, token, attempts=row["attempts"] + 1)

    def held(self, printer: str, token: str) -> PrintJob | None:
        """The job leased with `token` (CloudPRNT: the printer fetches what its poll was offered)."""
        rows = self.db.engine.read(SQL["by_token"], (self.shop_id, printer, token))
        return _job(rows[0], token) if rows else None

    def printed(self, job_id: int, token: str, printer: str, at: datetime) -> bool:
        """The job printed: marked once (False when the token no longer holds it), and the printer's last print."""
        stamp = utc_text(at)
        with self.db.transaction(immediate=True) as conn:
            row = conn.execute(SQL["printed"], (stamp, job_id, token)).fetchone()
            if row is None:
                return False
            number = conn.execute(SQL["order_number"], (row["order_id"],)).fetchone()["order_number"]
            conn.execute(SQL["state_printed"], (self.shop_id, printer, stamp, stamp, number))
        return True

    def retry(self, job_id: int, token: str, error: str, at: datetime) -> None:
        """Not printed: the job waits until `at` (or the next poll), still only once."""
        with self.db.transaction(immediate=True) as conn:
            conn.execute(SQL["retry"], (error, utc_text(at), job_id, token))

    def set_state(self, printer: str, state: str, detail: str | None, at: datetime) -> None:
        with self.db.transaction(immediate=True) as conn:
            conn.execute(SQL["state_set"], (self.shop_id, printer, state, detail, utc_text(at)))

    def states(self) -> list[PrinterState]:
        waiting = {row["printer"]: row["n"] for row in self.db.engine.read(SQL["waiting"], (self.shop_id,))}
        return [PrinterState(**dict(row), waiting=waiting.get(row["printer"], 0))
                for row in self.db.engine.read(SQL["states"], (self.shop_id,))]

    def jobs_for_order(self, order_id: int) -> list[dict]:
        return [dict(row) for row in self.db.engine.read(SQL["jobs_for_order"], (order_id,))]


def _job(row, token: str, attempts: int | None = None) -> PrintJob:
    values = dict(row)
    job = {key: values.pop(key) for key in ("job_id", "printer", "reason", "requested_by", "attempts", "queued_at")}
    return PrintJob(job["job_id"], job["printer"], job["reason"], job["requested_by"],
                    job["attempts"] if attempts is None else attempts, token, StoredOrder.from_row(values))
