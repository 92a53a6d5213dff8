"""The kitchen-ticket queue on each engine: a new order's ticket is queued in its own transaction, leased to one
printer driver at a time, printed once; a lapsed lease is taken again; an order not for the kitchen yet (or
cancelled) does not print; tickets hours old are given up."""
from dataclasses import replace
from datetime import timedelta

from conftest import T0, new_order, shop_text
from kebabalab.store.print_jobs import PrintQueue


def queue_for(db, *printers):
    db.printers = {"main": printers}
    return PrintQueue(db)


def test_each_shops_order_is_queued_for_its_own_shops_printers_only(db):
    db.printers = {"main": ("escpos",), "north": ("cloudprnt",)}
    mains, norths = PrintQueue(db), PrintQueue(db, "north")
    main_order = db.place_order(new_order(), shop_text)
    north_order = db.place_order(replace(new_order(), shop_id="north", idempotency_key="north-1"), shop_text)
    assert mains.claim("cloudprnt", T0, 60, "t1") is None  # main has no CloudPRNT printer
    assert norths.claim("escpos", T0, 60, "t2") is None
    assert (mains.claim("escpos", T0, 60, "t3").order.id, norths.claim("cloudprnt", T0, 60, "t4").order.id) == (
        main_order.id, north_order.id)


def test_a_new_orders_ticket_is_leased_to_one_driver_and_printed_once(db):
    queue = queue_for(db, "escpos", "cloudprnt")
    order = db.place_order(new_order(), shop_text)
    first = queue.claim("escpos", T0, 60, "token-a")
    assert (first.printer, first.reason, first.attempts, first.order.order_number, first.order.notes) == (
        "escpos", "new", 1, order.order_number, "extra napkins")
    assert queue.claim("escpos", T0, 60, "token-b") is None  # leased: no second driver gets it
    assert queue.claim("cloudprnt", T0, 60, "token-c").order.id == order.id  # each printer has its own ticket

    assert queue.printed(first.id, "token-b", "escpos", T0) is False  # not the lease holder
    assert queue.printed(first.id, "token-a", "escpos", T0) is True
    assert queue.printed(first.id, "token-a", "escpos", T0) is False  # once
    assert queue.claim("escpos", T0 + timedelta(hours=1), 60, "token-d") is None
    [state] = queue.states()
    assert (state.printer, state.state, state.last_printed_order, state.waiting) == (
        "escpos", "online", order.order_number, 0)  # only the printers heard from have a state


def test_a_lapsed_lease_is_taken_again_and_a_retry_waits_its_turn(db):
    queue = queue_for(db, "escpos")
    db.place_order(new_order(), shop_text)
    first = queue.claim("escpos", T0, 60, "token-a")
    again = queue.claim("escpos", T0 + timedelta(seconds=61), 60, "token-b")
    assert (again.id, again.attempts) == (first.id, 2)
    assert queue.printed(first.id, "token-a", "escpos", T0) is False  # the first driver lost it
    queue.retry(again.id, "token-b", "out of paper", T0 + timedelta(seconds=120))
    assert queue.claim("escpos", T0 + timedelta(seconds=119), 60, "token-c") is None
    assert queue.claim("escpos", T0 + timedelta(seconds=120), 60, "token-c").id == first.id


def test_only_orders_for_the_kitchen_print_and_old_tickets_are_given_up(db):
    queue = queue_for(db, "escpos")
    order = db.place_order(new_order(), shop_text)
    with db.transaction(immediate=True) as conn:
        conn.execute("UPDATE orders SET status = 'awaiting' WHERE id = ?", (order.id,))
    assert queue.claim("escpos", T0, 60, "t1") is None  # waits, still queued
    with db.transaction(immediate=True) as conn:
        conn.execute("UPDATE orders SET status = 'new' WHERE id = ?", (order.id,))
    assert queue.claim("escpos", T0, 60, "t2").order.id == order.id
    assert queue.reprint(order.order_number, ("escpos",), "Ali", T0) == "new"
    assert queue.reprint("20261130-999", ("escpos",), "Ali", T0) is None
    assert queue.claim("escpos", T0 + timedelta(hours=2, seconds=1), 60, "t3") is None
    assert [(job["reason"], job["status"], job["requested_by"]) for job in queue.jobs_for_order(order.id)] == [
        ("new", "failed", None), ("reprint", "failed", "Ali")]
