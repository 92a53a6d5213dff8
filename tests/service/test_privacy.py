"""Forgetting a customer on request, and history older than HISTORY_DAYS, on both engines."""
from dataclasses import replace
from datetime import timedelta

from conftest import T0, VapiCall, new_order
from kebabalab.__main__ import main
from kebabalab.clock import FixedClock
from kebabalab.store import OutboxMark, OutboxMessage
from kebabalab.service.privacy import HistoryJanitor
from kebabalab.store.privacy import FORGOTTEN, anonymise_before, forget_phone


def place(db, phone, name, at, key):
    order = replace(new_order(key=key, phone=phone, name=name, at=at, day=at.date().isoformat()),
                    subtotal=1500, gst=136, total=1500, notes="ring 0412 345 678")  # a number in the notes too
    return db.place_order(order, lambda o: [OutboxMessage("customer_confirmation", phone, f"Thanks {name}")])


def rows(db, sql):
    with db.transaction() as conn:
        return [tuple(r.values()) if hasattr(r, "values") and not hasattr(r, "keys") else tuple(r[k] for k in r.keys())
                for r in conn.execute(sql).fetchall()]


def test_forget_removes_name_number_and_notes_but_keeps_the_order(db):
    sam = place(db, "+61412345678", "Sam", T0, "a")
    other = place(db, "+61498765432", "Alex", T0, "b")
    db.record_abandoned_cart("c", "+61412345678", "2 x coke can", 700, T0)
    done = forget_phone(db, "+61412345678")
    assert (done.orders, done.texts, done.carts) == (1, 1, 1)
    kept = db.find_order(sam.order_number)
    assert (kept.customer_name, kept.customer_phone, kept.notes, kept.total) == (None, None, None, 1500)
    assert db.orders_for_phone("+61412345678") == []
    assert db.find_order(other.order_number).customer_name == "Alex"
    [text] = db.outbox_for_order(sam.id)
    assert (text.to_phone, text.body, text.status, text.last_error) == (FORGOTTEN, "", "failed", "customer forgotten")
    assert db.outbox_for_order(other.id)[0].to_phone == "+61498765432"
    assert rows(db, "SELECT phone, masked_phone FROM abandoned_carts") == [(None, None)]


def test_history_older_than_the_limit_is_anonymised(db):
    old = place(db, "+61412345678", "Sam", T0 - timedelta(days=400), "old")
    recent = place(db, "+61412345678", "Sam", T0 - timedelta(days=10), "new")
    db.record_marks([OutboxMark(db.outbox_for_order(old.id)[0].id, "sent", provider_sid="SM1",
                                at=T0 - timedelta(days=400))])
    janitor = HistoryJanitor(db, FixedClock(T0), history_days=365)
    assert janitor.run_once().orders == 1
    assert db.find_order(old.order_number).customer_phone is None
    assert db.outbox_for_order(old.id)[0].status == "sent"  # what happened stays; who it was goes
    assert db.outbox_for_order(old.id)[0].to_phone == FORGOTTEN
    assert db.find_order(recent.order_number).customer_name == "Sam"
    assert anonymise_before(db, T0 - timedelta(days=365)).orders == 0  # a second run finds nothing


def test_the_daily_job_runs_in_the_background(db):
    place(db, "+61412345678", "Sam", T0 - timedelta(days=400), "old")
    janitor = HistoryJanitor(db, FixedClock(T0), history_days=365, interval_seconds=3600)
    janitor.start()
    try:
        import time
        deadline = time.monotonic() + 10
        while db.orders_for_phone("+61412345678") and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        janitor.stop()
    assert db.orders_for_phone("+61412345678") == []


def test_forget_command_accepts_any_form_of_the_number(settings, clock, monkeypatch, tmp_path, capsys):
    from kebabalab.web.app import create_app
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    app = create_app(settings, clock=clock, start_sender=False)
    call = VapiCall(app.test_client())
    call.ok("quickAddItem", description="a coke")
    call.ok("setPickupTime", requestedTime="asap")
    call.ok("createOrder", customerName="Sam")
    assert main(["forget", "0412 345 678"]) == 0
    assert capsys.readouterr().out.startswith("Forgot 0412 345 678: 1 orders anonymised (kept for the books)")
    context = VapiCall(app.test_client(), call_id="next").ok("getCallerSmartContext")
    assert context["isReturningCustomer"] is False
    assert main(["forget", "not a number"]) == 2


def test_after_forget_the_sqlite_files_on_disk_hold_neither_the_name_nor_the_number(tmp_path):
    from kebabalab.store import Database
    path = tmp_path / "orders.db"
    db = Database(f"sqlite:///{path}", clock=FixedClock(T0))
    db.init()
    try:
        for n in range(30):  # the forgotten customer's orders among others', on pages that stay in use
            place(db, "+61412345678", "Zebediah", T0 + timedelta(minutes=n), f"z{n}")
            place(db, f"+614987654{n:02d}", "Alex", T0 + timedelta(minutes=n), f"a{n}")
        assert b"Zebediah" in path.read_bytes() + (tmp_path / "orders.db-wal").read_bytes()
        forget_phone(db, "+61412345678")
        on_disk = b"".join(f.read_bytes() for f in tmp_path.iterdir() if f.name.startswith("orders.db"))
    finally:
        db.close()
    assert (b"Zebediah" in on_disk, b"+61412345678" in on_disk) == (False, False)
    assert b"Alex" in on_disk  # the file was read: the customer not forgotten is still there
