"""Group commit: one thread writes the new orders, and orders that arrive while it writes share its next
transaction.

Why (SQLite): one writer at a time, and every statement inside a write gives the GIL away and must win it
back while the request threads run Python, so under load a write transaction held the writer lock for
10-13 ms and orders queued behind each other. Here each transaction costs the same few statements whether
it saves one order or thirty, so the writer keeps up as orders arrive faster, and no lock passes from
thread to thread between orders.
"""
from __future__ import annotations

import logging
import os
import queue
import threading
from typing import Callable, Generic, TypeVar

from ..errors import StoreError

log = logging.getLogger(__name__)
T = TypeVar("T")
R = TypeVar("R")
WAIT_SECONDS = 20.0  # Vapi gives a tool call about 20 s; an answer later than that reaches nobody
BUSY = "Saving the order is taking too long right now; please try again in a moment."


class _Ticket(Generic[T, R]):
    __slots__ = ("item", "done", "result", "error")

    def __init__(self, item: T):
        self.item = item
        self.done = threading.Event()
        self.result: R | None = None
        self.error: BaseException | None = None


class GroupCommit(Generic[T, R]):
    """`submit(item)` from any thread; `write_batch(items) -> results` (one transaction, results in order)
    runs on this object's own thread with every item waiting at that moment, up to `max_batch`.

    When a batch fails, each of its items is written again on its own, so one bad order gets its own error
    and never sinks the others. A caller that gives up waiting gets StoreError; its order may still be
    saved, and placing it again returns that order (the idempotency key)."""

    def __init__(self, write_batch: Callable[[list[T]], list[R]], *, max_batch: int = 32,
                 name: str = "order-writer"):
        self._write_batch = write_batch
        self._max_batch = max(1, int(max_batch))
        self._name = name
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._start_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._closed = False

    def submit(self, item: T, timeout: float = WAIT_SECONDS) -> R:
        if self._closed:
            raise StoreError("The order database is closed.")
        self._ensure_thread()
        ticket: _Ticket[T, R] = _Ticket(item)
        self._queue.put(ticket)
        if not ticket.done.wait(timeout):
            log.error("%s: an order waited over %.0f s to be saved", self._name, timeout)
            raise StoreError(BUSY)
        if ticket.error is not None:
            raise ticket.error
        return ticket.result  # type: ignore[return-value]

    def close(self, timeout: float = 10) -> None:
        """Write what is queued, then stop the thread."""
        self._closed = True
        thread = self._thread
        if thread is not None and thread.is_alive() and self._pid == os.getpid():
            self._queue.put(None)
            thread.join(timeout)

    def _ensure_thread(self) -> None:
        # A forked worker (gunicorn) inherits the object but not the thread: start one in each process.
        if self._thread is not None and self._thread.is_alive() and self._pid == os.getpid():
            return
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive() or self._pid != os.getpid():
                if self._pid != os.getpid():
                    self._queue = queue.SimpleQueue()
                self._pid = os.getpid()
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            stop = False
            while len(batch) < self._max_batch:
                try:
                    ticket = self._queue.get_nowait()
                except queue.Empty:
                    break
                if ticket is None:
                    stop = True
                    break
                batch.append(ticket)
            self._write(batch)
            if stop:
                return

    def _write(self, batch: list[_Ticket[T, R]]) -> None:
        try:
            results = self._write_batch([ticket.item for ticket in batch])
            if len(results) != len(batch):
                raise StoreError("The order was not saved; please try again.")
        except Exception as exc:  # noqa: BLE001 - handed to the waiting caller, never lost
            if len(batch) == 1:
                batch[0].error = exc
                batch[0].done.set()
                return
            log.warning("%s: a batch of %d orders failed (%s); saving each on its own", self._name, len(batch),
                        type(exc).__name__)
            for ticket in batch:
                self._write([ticket])
            return
        for ticket, result in zip(batch, results):
            ticket.result = result
            ticket.done.set()
