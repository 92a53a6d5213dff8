"""The guard's statements on both engines: an order awaiting its YES is confirmed or cancelled once, whichever
workers (separate connection pools on one database) try at the same moment."""
from dataclasses import replace
from datetime import timedelta

from conftest import T0, new_order
from kebabalab.clock import FixedClock
from kebabalab.store import Database, OutboxMessage
from kebabalab.store.confirmations import cancel_unconfirmed, confirm_newest, known_customer, opt_in, opt_out, opted_out
from kebabalab.store.status import order_events
from tests.store.test_engines import all_at_once

PHONE = "+61412345678"


def awaiting(db, key: str, minutes_ago: int):
    order = replace(new_order(key=key, at=T0 - timedelta(minutes=minutes_ago)), status="awaiting")
    return db.place_order(order, lambda stored: [])


def test_two_workers_cancel_each_unconfirmed_order_once(db, database_url):
    numbers = {awaiting(db, f"call-{n}:1", 20).order_number for n in range(3)}
    fresh = awaiting(db, "call-fresh:1", 5).order_number
    other = Database(database_url, clock=FixedClock(T0))
    try:
        swept = all_at_once(2, lambda i: cancel_unconfirmed((db, other)[i], placed_before=T0 - timedelta(minutes=15),
                                                            at=T0))
    finally:
        other.close()
    assert sorted(o.order_number for batch in swept for o in batch) == sorted(numbers)
    for number in numbers:
        order = db.find_order(number)
        assert (order.status, [e["actor"] for e in order_events(db, order.id)]) == ("cancelled", ["no YES in time"])
    assert db.find_order(fresh).status == "awaiting"
    assert known_customer(db, PHONE) is False  # cancelled and unconfirmed orders make nobody a known customer


def test_a_yes_confirms_the_newest_and_queues_its_texts_once(db):
    older, newer = awaiting(db, "call-a:1", 10), awaiting(db, "call-b:1", 2)
    def texts(order):
        return [OutboxMessage("shop_order", "+61400000001", f"NEW ORDER {order.display_number}")]

    answered = confirm_newest(db, PHONE, at=T0, placed_after=T0 - timedelta(minutes=15), texts=texts)
    assert (answered.order.order_number, answered.order.status, answered.confirmed) == (newer.order_number, "new",
                                                                                         True)
    assert [(t.kind, t.body) for t in db.outbox_for_order(newer.id)] == [("shop_order", "NEW ORDER #002")]
    assert db.find_order(older.order_number).status == "awaiting"
    assert known_customer(db, PHONE) is True


def test_stop_and_start(db):
    assert opted_out(db, PHONE) is False
    opt_out(db, PHONE, T0)
    opt_out(db, PHONE, T0)  # Twilio may deliver a STOP twice
    assert (opted_out(db, PHONE), opted_out(db, "+61498765432")) == (True, False)
    opt_in(db, PHONE)
    assert opted_out(db, PHONE) is False
