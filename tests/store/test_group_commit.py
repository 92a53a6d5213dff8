"""Group commit: orders waiting together are saved in one transaction, one bad order never sinks the others,
and nothing a caller was told is lost (GroupCommit alone, then through Database on both engines)."""
from __future__ import annotations

import threading
from dataclasses import replace

import pytest

from conftest import T0, new_order, shop_text
from kebabalab.clock import FixedClock
from kebabalab.store import Database, OutboxMessage
from kebabalab.store.group_commit import GroupCommit
from kebabalab.errors import StoreError
from tests.servers import wait_until


class Gate:
    """A write_batch that records each batch and holds the first one until `open()`."""

    def __init__(self, fail_on=None):
        self.batches: list[list] = []
        self.entered = threading.Event()
        self.gate = threading.Event()
        self.fail_on = fail_on

    def __call__(self, items):
        self.batches.append(list(items))
        self.entered.set()
        self.gate.wait(5)
        if self.fail_on is not None and self.fail_on in items:
            raise ValueError(f"bad item {self.fail_on}")
        return [item * 10 for item in items]

    def open(self):
        self.gate.set()


def submit_in_threads(writer, items, results, timeout=5):
    def run(item):
        try:
            results[item] = writer.submit(item, timeout=timeout)
        except Exception as exc:  # noqa: BLE001 - the test looks at what each caller got
            results[item] = exc
    threads = [threading.Thread(target=run, args=(item,)) for item in items]
    for thread in threads:
        thread.start()
    return threads


def hold_one_and_queue(writer, gate, queued, results):
    """Item 1 is written and held at the gate; `queued` items then wait behind it. Returns the threads."""
    threads = submit_in_threads(writer, [1], results)
    assert gate.entered.wait(5)
    if queued:
        threads += submit_in_threads(writer, queued, results)
        wait_until(lambda: writer.waiting() == len(queued))
    return threads


def test_items_that_wait_while_a_batch_is_written_share_the_next_batch():
    gate = Gate()
    writer = GroupCommit(gate)
    results: dict = {}
    threads = hold_one_and_queue(writer, gate, [2, 3, 4, 5, 6], results)
    gate.open()
    for thread in threads:
        thread.join(5)
    assert gate.batches[0] == [1] and sorted(gate.batches[1]) == [2, 3, 4, 5, 6] and len(gate.batches) == 2
    assert results == {i: i * 10 for i in range(1, 7)}  # each caller gets its own result
    writer.close()


def test_a_failing_batch_is_written_again_one_by_one_so_only_the_bad_item_fails():
    gate = Gate(fail_on=3)
    writer = GroupCommit(gate)
    results: dict = {}
    threads = hold_one_and_queue(writer, gate, [2, 3, 4], results)
    gate.open()
    for thread in threads:
        thread.join(5)
    assert (results[1], results[2], results[4]) == (10, 20, 40)
    assert isinstance(results[3], ValueError) and str(results[3]) == "bad item 3"
    assert sorted(gate.batches[1]) == [2, 3, 4] and sorted(map(tuple, gate.batches[2:])) == [(2,), (3,), (4,)]
    writer.close()


def test_a_caller_that_gives_up_before_its_turn_leaves_the_queue_and_nothing_of_it_is_written():
    gate = Gate()
    writer = GroupCommit(gate)
    results: dict = {}
    threads = hold_one_and_queue(writer, gate, [], results)  # the first, held in its write
    with pytest.raises(StoreError, match="taking too long"):
        writer.submit(7, timeout=0.05)
    assert writer.waiting() == 0
    gate.open()
    threads[0].join(5)
    assert writer.submit(8) == 80  # the lead passed on; the next caller writes at once
    assert gate.batches == [[1], [8]] and results == {1: 10}  # 7 was never written
    writer.close()


def test_a_lone_caller_writes_on_its_own_thread_and_queued_items_go_to_the_writer_thread():
    gate = Gate()
    threads_seen = []
    writer = GroupCommit(lambda items: threads_seen.append(threading.current_thread().name) or gate(items),
                         name="order-writer")
    gate.open()
    assert writer.submit(1) == 10
    assert threads_seen == [threading.current_thread().name] and not writer._worker.alive  # no thread started
    gate.gate.clear()
    results: dict = {}
    threads = submit_in_threads(writer, [2], results)
    wait_until(lambda: len(gate.batches) == 2)
    threads += submit_in_threads(writer, [3, 4], results)
    wait_until(lambda: writer.waiting() == 2)
    gate.open()
    for thread in threads:
        thread.join(5)
    assert results == {2: 20, 3: 30, 4: 40} and gate.batches[2:] == [[3, 4]]
    assert threads_seen[1] != "order-writer" and threads_seen[2] == "order-writer"
    writer.close()


def test_close_refuses_new_items_and_what_is_queued_is_still_written():
    gate = Gate()
    writer = GroupCommit(gate)
    results: dict = {}
    threads = hold_one_and_queue(writer, gate, [2], results)
    closing = threading.Thread(target=writer.close)  # close waits for the queue to be written
    closing.start()
    wait_until(lambda: writer._closed)
    with pytest.raises(StoreError, match="closed"):
        writer.submit(3)
    gate.open()
    closing.join(5)
    for thread in threads:
        thread.join(5)
    assert results == {1: 10, 2: 20} and not closing.is_alive() and not writer._worker.alive


def test_one_batch_saves_each_order_once_and_a_repeated_key_returns_the_first(db):
    batch = [(new_order(key="a", call_id="call-a"), shop_text), (new_order(key="b", call_id="call-b"), shop_text),
             (new_order(key="a", call_id="call-a"), shop_text), (new_order(key=None, call_id="call-c"), shop_text)]
    first, second, again, keyless = db.place_orders(batch)
    assert [o.order_number for o in (first, second, keyless)] == ["20261130-001", "20261130-002", "20261130-003"]
    assert (again.order_number, again.created, first.created, keyless.created) == ("20261130-001", False, True, True)
    assert [o.call_id for o in (first, second, keyless)] == ["call-a", "call-b", "call-c"]
    for order in (first, second, keyless):  # each order's text, tied to it, saved in the same transaction
        assert [row.body for row in db.outbox_for_order(order.id)] == [f"NEW ORDER {order.display_number}"]
    assert db.outbox_counts()["pending"] == 3
    # a later batch with an already-saved key gets the saved order back, numbers carry on
    saved, fresh = db.place_orders([(new_order(key="b"), shop_text), (new_order(key="d"), shop_text)])
    assert (saved.order_number, saved.created, fresh.order_number) == ("20261130-002", False, "20261130-004")


def test_a_batch_of_five_orders_takes_as_many_statements_as_one(tmp_path):
    """Each statement inside the write is a turn at the GIL for the writer (README: a fixed number)."""
    db = Database(f"sqlite:///{tmp_path}/orders.db", clock=FixedClock(T0))
    db.init()
    counts = []
    try:
        for size in (1, 5):
            statements: list[str] = []
            db.engine._connection().set_trace_callback(statements.append)
            db.place_orders([(new_order(key=f"k{size}-{n}"), shop_text) for n in range(size)])
            db.engine._connection().set_trace_callback(None)
            counts.append(len(statements))
    finally:
        db.close()
    assert counts == [6, 6]  # BEGIN, the key look-up, the day's numbers, the orders, their texts, COMMIT


def test_a_batch_across_two_shop_days_numbers_each_day_on_its_own(db):
    results = db.place_orders([(new_order(key="x1"), shop_text), (new_order(key="y1", day="2026-12-01"), shop_text),
                               (new_order(key="x2"), shop_text)])
    assert [o.order_number for o in results] == ["20261130-001", "20261201-001", "20261130-002"]


def test_one_bad_order_among_orders_saved_together_fails_alone(tmp_path):
    db = Database(f"sqlite:///{tmp_path}/orders.db")
    db.init()
    try:
        def broken(order):
            raise ValueError("the shop's text could not be written")
        results: dict = {}

        def place(key, compose):
            try:
                results[key] = db.place_order(new_order(key=key, call_id=key), compose)
            except ValueError as exc:
                results[key] = exc
        with db.engine._write_lock:  # the first caller leads and waits here; the rest queue behind it
            threads = [threading.Thread(target=place, args=("k1", shop_text))]
            threads[0].start()
            wait_until(lambda: db._group_commit._writing)
            for key, compose in (("k2", broken), ("k3", shop_text)):
                threads.append(threading.Thread(target=place, args=(key, compose)))
                threads[-1].start()
            wait_until(lambda: db._group_commit.waiting() == 2)
        for thread in threads:
            thread.join(10)
        assert isinstance(results["k2"], ValueError)
        assert db.find_order_by_key("k2") is None and db.outbox_counts()["pending"] == 2  # nothing half-saved
        assert sorted(results[k].order_number for k in ("k1", "k3")) == ["20261130-001", "20261130-002"]
    finally:
        db.close()


def test_a_closed_database_refuses_orders(tmp_path):
    db = Database(f"sqlite:///{tmp_path}/orders.db")
    db.init()
    db.place_order(new_order(), shop_text)
    db.close()
    with pytest.raises(StoreError, match="closed"):
        db.place_order(new_order(key="late"), lambda o: [OutboxMessage("shop_order", "+61395345588", "x")])


def test_the_orders_handed_back_are_the_rows_as_saved(db):
    """place_orders builds each StoredOrder without reading it back: it must equal what a read returns."""
    db.place_order(new_order(key="first"), shop_text)  # ids no longer start at 1
    batch = [(new_order(key=f"same-{i}", call_id=f"call-{i}", name=f"Caller {i}",
                        day="2026-12-01" if i == 2 else "2026-11-30"), shop_text) for i in range(4)]
    for placed in db.place_orders(batch):
        assert placed.created
        assert db.find_order(placed.order_number) == replace(placed, created=False)
        assert [row.order_id for row in db.outbox_for_order(placed.id)] == [placed.id]


def test_a_database_that_is_busy_fails_the_batch_once_not_order_by_order():
    calls = []

    def busy(items):
        calls.append(list(items))
        if items != [1]:
            raise StoreError("The order database is busy right now; please try again in a moment.")
        gate.gate.wait(5)
        return [10]
    gate = Gate()
    writer = GroupCommit(busy)
    results: dict = {}
    threads = submit_in_threads(writer, [1], results)
    wait_until(lambda: calls == [[1]])
    threads += submit_in_threads(writer, [2, 3], results)
    wait_until(lambda: writer.waiting() == 2)
    gate.open()
    for thread in threads:
        thread.join(5)
    assert calls == [[1], [2, 3]]  # no retries one at a time: they would only wait for the same lock
    assert results[1] == 10 and all(isinstance(results[i], StoreError) for i in (2, 3))
    assert results[2] is not results[3] and results[2].__cause__ is results[3].__cause__  # each its own, one cause
    writer.close()


class Interrupted(threading.Event):
    def wait(self, timeout=None):
        raise KeyboardInterrupt


def test_ctrl_c_while_queued_takes_the_order_out_of_the_queue(monkeypatch):
    from kebabalab.store import group_commit

    class InterruptedTicket(group_commit._Ticket):
        def __init__(self, item):
            super().__init__(item)
            self.done = Interrupted()
    gate = Gate()
    writer = GroupCommit(gate)
    results: dict = {}
    threads = hold_one_and_queue(writer, gate, [2], results)
    monkeypatch.setattr(group_commit, "_Ticket", InterruptedTicket)
    with pytest.raises(KeyboardInterrupt):
        writer.submit(7)
    monkeypatch.undo()
    assert writer.waiting() == 1  # 2 still waits; 7 left the queue
    gate.open()
    for thread in threads:
        thread.join(5)
    assert results == {1: 10, 2: 20} and gate.batches == [[1], [2]]  # 7 was never written
    writer.close()


def test_ctrl_c_during_a_lone_write_leaves_the_writer_free_for_the_next_order():
    def interrupted_once(items, state={"first": True}):
        if state.pop("first", False):
            raise KeyboardInterrupt
        return [i * 10 for i in items]
    writer = GroupCommit(interrupted_once)
    with pytest.raises(KeyboardInterrupt):
        writer.submit(1)
    assert writer.submit(2, timeout=1) == 20
    writer.close()
