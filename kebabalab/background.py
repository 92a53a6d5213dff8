"""Background work, one way for every job (the outbox sender, the history janitor, the order writer, the server's
heartbeat): a daemon thread that runs one step at a time.

`start()` is idempotent and fork-safe: a child process (a gunicorn worker forked after the app was built) has
none of its parent's threads, so `start()` there begins a thread of its own, with fresh events. `wake()` runs
the next step now; `stop(timeout)` ends the loop and says whether the thread has ended. A step that raises is
logged with the job's name and counted, and the loop goes on: a background job never dies of one bad step.
"""
from __future__ import annotations

import logging
import os
import threading
from typing import Callable


class BackgroundThread:
    """Runs `step()` on a daemon thread named `name`, again at once while it returns True (more work waiting),
    otherwise after `interval` seconds or a `wake()`."""

    def __init__(self, name: str, step: Callable[[], bool | None], interval: float, log: logging.Logger):
        self.name, self._step, self.interval, self._log = name, step, interval, log
        self.iterations = 0  # steps completed, failed ones included
        self.failures = 0
        self._pid = 0
        self._thread: threading.Thread | None = None
        self._wake = threading.Event()
        self._stopping = threading.Event()

    @property
    def alive(self) -> bool:
        """The thread runs in this process (after a fork the parent's thread is not the child's)."""
        return self._thread is not None and self._pid == os.getpid() and self._thread.is_alive()

    def start(self) -> None:
        if self.alive:
            return
        if self._pid != os.getpid():  # a fork copied the events in whatever state they were: start clean
            self._wake, self._stopping = threading.Event(), threading.Event()
        self._stopping.clear()
        self._pid = os.getpid()
        self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float | None = 5.0) -> bool:
        """Stop the loop (the step in progress finishes) and wait for it; True when the thread has ended."""
        self._stopping.set()
        self._wake.set()
        thread = self._thread if self._pid == os.getpid() else None
        self._thread = None
        if thread is None or thread is threading.current_thread():
            return True
        thread.join(timeout)
        return not thread.is_alive()

    def _loop(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()
            busy = False
            try:
                busy = bool(self._step())
            except Exception:
                self.failures += 1
                self._log.exception("%s: a step failed; it will try again", self.name)
            self.iterations += 1
            if not busy:
                self._wake.wait(self.interval)
