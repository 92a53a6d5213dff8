"""The board's sign-in guard: tries counted in the order database, checked and counted in one step.

A try is counted *before* the password is checked (scrypt takes a while) and given back only when the
password was right. So 50 sign-ins sent at once from one address get 5 checks, however many workers serve
them: each takes its turn on the address's row (SQLite: one writer at a time; PostgreSQL: the row is locked
with FOR UPDATE), and a worker restarting forgets nothing. Two counts, both per shop (each shop's board has its
own password and PINs, so a guess at one shop's tells nothing of another's):

- per address at one shop (the client's, through PROXY_HOPS): `failures` tries within `window`; the
  `failures`-th wrong one locks the address out of that shop's board for `lock_for`. Another shop's tablets
  behind the same address (one brand's office network) still sign in to theirs;
- shop-wide: at most `shop_tries` tries at one shop within `window` from every address together. It slows a
  guesser who has many addresses; it never touches a tablet that is already signed in (only sign-in is guarded).

The rows' keys: 'main' keeps the address and SHOP_KEY as they were before there were shops; another shop's are
`<address>@<shop>` and `*shop*@<shop>`.
"""
from __future__ import annotations

import math
from datetime import datetime, timedelta

from kebabalab.config import MAIN_SHOP
from kebabalab.store import utc_text

FAILURES = 5
WINDOW = timedelta(minutes=15)
LOCK_FOR = timedelta(minutes=15)
SHOP_TRIES = 30
SHOP_KEY = "*shop*"  # never a client's address
PRUNE_EVERY = timedelta(minutes=15)

_ADD = "INSERT INTO login_guards (key, tries, window_start, locked_until) VALUES (?, 0, ?, NULL) " \
       "ON CONFLICT (key) DO NOTHING"
_GET = "SELECT tries, window_start, locked_until FROM login_guards WHERE key = ?"
_SET = "UPDATE login_guards SET tries = ?, window_start = ?, locked_until = ? WHERE key = ?"
_GIVE_BACK = "UPDATE login_guards SET tries = tries - 1 WHERE key = ? AND tries > 0"
_LOCK = "UPDATE login_guards SET locked_until = ? WHERE key = ? AND tries >= ?"
_PRUNE = "DELETE FROM login_guards WHERE window_start < ? AND (locked_until IS NULL OR locked_until < ?)"


def guard_keys(address: str, shop: str) -> tuple[str, str]:
    """The rows that count `address`'s tries at `shop` and the shop's tries from every address."""
    if shop == MAIN_SHOP:
        return address, SHOP_KEY
    return f"{address}@{shop}", f"{SHOP_KEY}@{shop}"


def _seconds(delta: timedelta) -> int:
    return max(1, math.ceil(delta.total_seconds()))


class LoginGuard:
    """`reserve(address, shop)` before checking a password (0, or the seconds to wait), then `failed` or
    `succeeded`."""

    def __init__(self, db, clock, *, failures: int = FAILURES, window: timedelta = WINDOW,
                 lock_for: timedelta = LOCK_FOR, shop_tries: int = SHOP_TRIES):
        self.db, self.clock = db, clock
        self.failures, self.window, self.lock_for, self.shop_tries = failures, window, lock_for, shop_tries
        self._pruned_at: datetime | None = None

    def reserve(self, address: str, shop: str = MAIN_SHOP) -> int:
        """Count one try for `address` at `shop` and the shop's, or none: then the whole seconds to wait."""
        now = self.clock.now()
        self._prune(now)
        mine, shop_key = guard_keys(address, shop)
        with self.db.transaction(immediate=True) as conn:
            wait = self._take(conn, mine, self.failures, now)
            if not wait:
                wait = self._take(conn, shop_key, self.shop_tries, now)
                if wait:  # not this time after all: the address's try is not spent
                    conn.execute(_GIVE_BACK, (mine,))
        return wait

    def failed(self, address: str, shop: str = MAIN_SHOP) -> None:
        """The password was wrong: the try stays counted; the address's last allowed one locks it out of the shop's
        board."""
        with self.db.transaction(immediate=True) as conn:
            conn.execute(_LOCK, (utc_text(self.clock.now() + self.lock_for), guard_keys(address, shop)[0],
                                 self.failures))

    def succeeded(self, address: str, shop: str = MAIN_SHOP) -> None:
        """The password was right: the address starts afresh at the shop and the shop gets its try back."""
        mine, shop_key = guard_keys(address, shop)
        with self.db.transaction(immediate=True) as conn:
            conn.execute("DELETE FROM login_guards WHERE key = ?", (mine,))
            conn.execute(_GIVE_BACK, (shop_key,))

    def _take(self, conn, key: str, limit: int, now: datetime) -> int:
        conn.execute(_ADD, (key, utc_text(now)))
        row = conn.execute(_GET + (" FOR UPDATE" if self.db.engine.row_locks else ""), (key,)).fetchone()
        tries, start = row["tries"], datetime.fromisoformat(row["window_start"])
        locked = datetime.fromisoformat(row["locked_until"]) if row["locked_until"] else None
        if locked is not None and locked > now:
            return _seconds(locked - now)
        if locked is not None or now - start >= self.window:
            tries, start = 0, now
        if tries >= limit:  # the address's last tries are being checked right now, or the shop's are spent
            return _seconds(start + self.window - now)
        conn.execute(_SET, (tries + 1, utc_text(start), None, key))
        return 0

    def _prune(self, now: datetime) -> None:
        """Forget addresses whose window and lock are over (every PRUNE_EVERY, in this process)."""
        if self._pruned_at is not None and now - self._pruned_at < PRUNE_EVERY:
            return
        self._pruned_at = now
        with self.db.transaction(immediate=True) as conn:
            conn.execute(_PRUNE, (utc_text(now - self.window), utc_text(now)))
