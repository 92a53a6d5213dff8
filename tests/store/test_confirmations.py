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
    assert known_customer(db, PHONE, "main") is False  # cancelled and unconfirmed orders make nobody a known customer


def test_a_yes_confirms_the_newest_and_queues_its_texts_once(db):
    older, newer = awaiting(db, "call-a:1", 10), awaiting(db, "call-b:1", 2)
    def texts(order):
        return [OutboxMessage("shop_order", "+61400000001", f"NEW ORDER {order.display_number}")]

    answered = confirm_newest(db, PHONE, at=T0, placed_after=T0 - timedelta(minutes=15), texts=texts)
    assert (answered.order.order_number, answered.order.status, answered.confirmed) == (newer.order_number, "new",
                                                                                         True)
    assert [(t.kind, t.body) for t in db.outbox_for_order(newer.id)] == [("shop_order", "NEW ORDER #002")]
    assert db.find_order(older.order_number).status == "awaiting"
    assert known_customer(db, PHONE, "main") is True


def test_stop_and_start(db):
    assert opted_out(db, PHONE, "main") is False
    opt_out(db, PHONE, T0)
    opt_out(db, PHONE, T0)  # Twilio may deliver a STOP twice
    assert (opted_out(db, PHONE, "main"), opted_out(db, "+61498765432", "main")) == (True, False)
    opt_in(db, PHONE)
    assert opted_out(db, PHONE, "main") is False


def test_a_yes_confirms_only_at_the_shops_texting_from_the_number_it_answered(db):
    fitzroy = db.place_order(replace(new_order(key="call-f:1", at=T0 - timedelta(minutes=4)), status="awaiting",
                                     shop_id="fitzroy"), lambda stored: [])
    main = awaiting(db, "call-m:1", 2)  # newer, at the shop that texts from another number
    def texts(order):
        return [OutboxMessage("shop_order", "+61400000002", f"NEW ORDER {order.display_number}")]

    answered = confirm_newest(db, PHONE, at=T0, placed_after=T0 - timedelta(minutes=15), texts=texts,
                              shop_ids=["fitzroy", "carlton"])
    assert (answered.order.shop_id, answered.order.order_number, answered.confirmed) == (
        "fitzroy", fitzroy.order_number, True)
    assert [(t.kind, t.body, t.shop_id) for t in db.outbox_for_order(fitzroy.id)] == [
        ("shop_order", "NEW ORDER #001", "fitzroy")]  # the shop's own text, sent from its own number
    assert (db.find_order(fitzroy.order_number, "fitzroy").status, db.find_order(main.order_number).status) == (
        "new", "awaiting")
    assert confirm_newest(db, PHONE, at=T0, placed_after=T0 - timedelta(minutes=15), texts=texts,
                          shop_ids=["fitzroy"]) is None
    assert (known_customer(db, PHONE, "fitzroy"), known_customer(db, PHONE, "main")) == (True, False)


def test_stop_to_a_number_several_shops_text_from_stops_each_of_them(db):
    opt_out(db, PHONE, T0, ["main", "carlton"])
    assert [opted_out(db, PHONE, shop) for shop in ("main", "carlton", "fitzroy")] == [True, True, False]
    opt_in(db, PHONE, ["carlton"])
    assert [opted_out(db, PHONE, shop) for shop in ("main", "carlton", "fitzroy")] == [True, False, False]
