"""A running server's heartbeat: one row in server_heartbeats, written every HEARTBEAT_SECONDS while it serves.

A restore reads it to refuse replacing a database that a server still holds (SQLite keeps no lock between
transactions, and PostgreSQL's connections may come from another machine). A clean stop deletes the row; a
crash leaves it, and it goes stale after STALE_AFTER_BEATS missed beats.
"""
from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass
from datetime import timedelta

from kebabalab.background import BackgroundThread
from kebabalab.store import SQL, utc_text

log = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 20.0
STALE_AFTER_BEATS = 3


@dataclass(frozen=True)
class Beat:
    server_id: str
    host: str
    pid: int
    beat_at: str


def live_servers(db, interval: float = HEARTBEAT_SECONDS) -> list[Beat]:
    """The servers that beat within the last STALE_AFTER_BEATS intervals."""
    since = utc_text(db.clock.now() - timedelta(seconds=interval * STALE_AFTER_BEATS))
    return [Beat(row["server_id"], row["host"], int(row["pid"]), row["beat_at"])
            for row in db.engine.read(SQL["heartbeats_since"], (since,))]


class Heartbeat:
    """Beats at start and then every `interval` seconds, on a background thread; `stop` removes the row."""

    def __init__(self, db, clock, interval: float = HEARTBEAT_SECONDS):
        self.db, self.clock, self.interval = db, clock, interval
        self.host = socket.gethostname()
        self.server_id = f"{self.host}:{os.getpid()}"
        self._worker = BackgroundThread("kebabalab-heartbeat", self._step, interval, log)
        self._started = False

    def beat(self) -> None:
        with self.db.transaction(immediate=True) as conn:  # in turn with the order writers
            conn.execute(SQL["heartbeat_beat"], (self.server_id, self.host, os.getpid(), utc_text(self.clock.now())))

    def start(self) -> None:
        self._started = True
        self._worker.start()

    def _step(self) -> bool:
        try:
            self.beat()
        except Exception:  # a busy database misses one beat; the next one comes
            log.warning("heartbeat: could not write this server's beat", exc_info=True)
        return False

    def stop(self, timeout: float = 5) -> None:
        if not self._started:
            return
        self._started = False
        self._worker.stop(timeout)
        try:
            with self.db.transaction(immediate=True) as conn:  # in turn with the order writers
                conn.execute(SQL["heartbeat_end"], (self.server_id,))
        except Exception:  # the row goes stale by itself
            log.warning("heartbeat: could not remove this server's beat", exc_info=True)
