"""SMS: sanitizing, composing, the Twilio transport against a fake Twilio on loopback, and the outbox sender."""
import logging
import re
import threading
from concurrent.futures import wait
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest

from kebabalab.messaging import outbox
from kebabalab.clock import FixedClock
from kebabalab.store import Database, NewOrder, OutboxMark, OutboxMessage, StoredOrder
from kebabalab.errors import StoreError
from kebabalab.messaging.outbox import OutboxSender
from kebabalab.messaging.texts import (compose_customer_confirmation, compose_menu_link, compose_ready, compose_receipt,
                                       compose_shop_order, messages_for_new_order, messages_for_order, sanitize_for_sms,
                                       segments)
from kebabalab.messaging.sms import LogTransport, PermanentSmsError, TemporarySmsError, TwilioTransport
from kebabalab.shop.business import Business
from kebabalab.shop.hours import Hours
from tests.fakes import FakeTwilio
from tests.servers import wait_until

BUSINESS = Business.load(str(Path(__file__).parents[2] / "kebabalab" / "data" / "business.json"))
HOURS = Hours.load(Path(__file__).parents[2] / "kebabalab" / "data" / "hours.json")
T0 = datetime(2026, 11, 30, 7, 30, tzinfo=timezone.utc)
SID = "AC" + "0" * 32
SHOP_PHONE, CUSTOMER_PHONE, FROM = "+61395345588", "+61412345678", "+61480000000"
FULL_NUMBERS = (SHOP_PHONE, CUSTOMER_PHONE, "0412345678", "412345678", "95345588")
ITEMS = [{"description": "large lamb kebab, lettuce and onion, garlic sauce", "quantity": 1, "line_total_cents": 1500},
         {"description": "can of coke", "quantity": 2, "line_total_cents": 700}]


def stored(**changes):
    values = dict(id=7, order_number="20261130-042", order_day="2026-11-30", day_seq=42, call_id="call-1",
                  idempotency_key="k", customer_name="Sam", customer_phone=CUSTOMER_PHONE, items=ITEMS, subtotal=2200,
                  gst=200, total=2200, ready_at="2026-11-30T07:30:00.000000+00:00", notes="No onion please",
                  status="new", created_at="2026-11-30T07:00:00.000000+00:00")
    return StoredOrder(**{**values, **changes})


@pytest.mark.parametrize("text, expected", [
    ("José", "Jose"),
    ("Nguyễn Văn Đức", "Nguyen Van Duc"),
    ("Søren Straße", "Soren Strasse"),
    ("Sam 🌯🔥 👨‍👩‍👧", "Sam"),
    ("\u202egnp.exe\u202c \u2066x\u2069", "gnp.exe x"),
    ("Z\u200bero\u200dwidth\ufeff", "Zerowidth"),
    ("a\x00b\x07c\td\n\re\x1b[31m", "abc d e"),
    ("“Hi” it’s – fine — ok…", '"Hi" it\'s - fine - ok...'),
    ("win at https://evil.example/x or HTTP://b.example", "win at evil.example/x or b.example"),
    ("  lots \n\n of   space  ", "lots of space"),
    ("{curly} [square] back\\slash pipe| tilde~ caret^ `tick`", "(curly) (square) back/slash pipe/ tilde- caret 'tick'"),
    (None, ""),
], ids=["José", "Nguyễn", "Nordic and German", "emoji", "bidi overrides", "zero-width", "control chars",
        "smart quotes and dashes", "links", "whitespace", "GSM extension chars", "None"])
def test_sanitize_for_sms(text, expected):
    assert sanitize_for_sms(text) == expected


def test_sanitize_truncates_long_text_with_an_ellipsis():
    assert sanitize_for_sms("a" * 10_000, max_length=40) == "a" * 37 + "..."
    assert sanitize_for_sms("a" * 10_000) == "a" * 10_000
    assert sanitize_for_sms("Sam Smith", max_length=40) == "Sam Smith"


@pytest.mark.parametrize("body, parts", [
    ("", 0), ("a" * 160, 1), ("a" * 161, 2), ("a" * 306, 2), ("a" * 307, 3),
    ("€" * 80, 1), ("€" * 81, 2), ("Привет", 1), ("П" * 71, 2),
], ids=["empty", "160", "161", "306", "307", "80 euro", "81 euro", "cyrillic", "71 cyrillic"])
def test_segments(body, parts):
    assert segments(body) == parts


def test_compose_shop_order():
    assert compose_shop_order(stored(), "6:30 pm") == (
        "NEW ORDER #042\nSam (+61412345678)\nPickup 6:30 pm\n"
        "1x large lamb kebab, lettuce and onion, garlic sauce $15.00\n2x can of coke $7.00\n"
        "Notes: No onion please\nTotal $22.00 (incl GST $2.00)")


def test_compose_shop_order_cleans_customer_text_and_skips_empty_notes():
    order = stored(customer_name="José\u202e 🌯", customer_phone=None, notes="", items=[ITEMS[1]])
    assert compose_shop_order(order, "6:30 pm") == (
        "NEW ORDER #042\nJose (no number)\nPickup 6:30 pm\n2x can of coke $7.00\nTotal $22.00 (incl GST $2.00)")


def test_customer_confirmation_fits_one_segment():
    body = compose_customer_confirmation(stored(), BUSINESS, "6:30 pm")
    assert body == ("Kebabalab: order #042 confirmed, $22.00, ready 6:30 pm at 1/99 Carlisle St, St Kilda. "
                    "Thanks Sam!")
    assert segments(body) == 1


@pytest.mark.parametrize("address, expected", [
    ("Shop 1, 99-101 Carlisle Street, St Kilda East, upstairs in the Carlisle Street food court VIC 3183",
     "Kebabalab: order #042 confirmed, $22.00, ready 6:30 pm at Shop 1, 99-101 Carlisle Street, St Kilda East, "
     "upstairs in the Carlisle Street food court. Thanks!"),
    ("Shop 1, 99-101 Carlisle Street, St Kilda East, upstairs in the Carlisle Street food court, next to the tram "
     "stop VIC 3183", "Kebabalab: order #042 confirmed, $22.00, ready 6:30 pm. Thanks!"),
], ids=["drops the name", "then the address"])
def test_customer_confirmation_shortens_to_one_segment(address, expected):
    body = compose_customer_confirmation(stored(customer_name="Maximiliana Smith"),
                                         replace(BUSINESS, address=address), "6:30 pm")
    assert (body, segments(body)) == (expected, 1)


def test_receipt_menu_link_and_ready_texts():
    assert compose_receipt(stored(), BUSINESS) == (
        "Kebabalab receipt, order #042 (30/11/2026)\n"
        "1x large lamb kebab, lettuce and onion, garlic sauce $15.00\n2x can of coke $7.00\n"
        "Total $22.00 (incl GST $2.00)\n1/99 Carlisle St, St Kilda VIC 3182")
    assert compose_menu_link(BUSINESS) == (
        "Kebabalab menu: https://www.kebabalab.com.au/menu.html - call +61 3 9534 5588 to order.")
    assert compose_ready(stored(), BUSINESS) == "Kebabalab: order #042 is ready for pickup."


def test_messages_for_new_order():
    order = stored()
    assert messages_for_new_order(order, BUSINESS, "6:30 pm", SHOP_PHONE) == [
        OutboxMessage("shop_order", SHOP_PHONE, compose_shop_order(order, "6:30 pm"), call_id="call-1", order_id=7),
        OutboxMessage("customer_confirmation", CUSTOMER_PHONE,
                      compose_customer_confirmation(order, BUSINESS, "6:30 pm"), call_id="call-1", order_id=7)]
    assert [m.kind for m in messages_for_new_order(stored(customer_phone=None), BUSINESS, "6 pm", SHOP_PHONE)] == [
        "shop_order"]



def test_messages_for_order_say_the_stored_pickup_time_as_the_shops_clock_reads_it():
    """The order as saved holds its pickup in UTC (07:30): the texts say 6:30 pm, Melbourne's summer time. Awaiting
    the customer's YES, the request alone goes; the shop's text waits for the YES."""
    order = stored()
    assert messages_for_order(order, BUSINESS, HOURS, SHOP_PHONE, awaiting=False) == [
        OutboxMessage("shop_order", SHOP_PHONE, compose_shop_order(order, "6:30 pm"), call_id="call-1", order_id=7),
        OutboxMessage("customer_confirmation", CUSTOMER_PHONE,
                      compose_customer_confirmation(order, BUSINESS, "6:30 pm"), call_id="call-1", order_id=7)]
    assert messages_for_order(stored(status="awaiting"), BUSINESS, HOURS, SHOP_PHONE, awaiting=True) == [
        OutboxMessage("customer_confirmation", CUSTOMER_PHONE,
                      "Kebabalab: reply YES within 15 min to confirm order #042, $22.00, pickup 6:30 pm. Not yours? "
                      "Ignore this text and it is cancelled.", call_id="call-1", order_id=7)]


# --- Twilio through the fake ---------------------------------------------------------------------------------

@pytest.fixture
def fake():
    with FakeTwilio() as server:
        yield server


@pytest.fixture
def twilio(fake):
    return TwilioTransport(SID, "secret-token", FROM, api_base_url=fake.base_url)


def test_twilio_transport_delivers_to_from_and_body(fake, twilio):
    sid = twilio.send(CUSTOMER_PHONE, "Kebabalab: order #042 is ready for pickup.")
    [request] = fake.requests
    assert re.fullmatch(r"SM[0-9a-f]{32}", sid)
    assert (request.status, request.sid, request.account_sid, request.auth_user) == (201, sid, SID, SID)
    assert request.form == {"To": CUSTOMER_PHONE, "From": FROM, "Body": "Kebabalab: order #042 is ready for pickup."}


@pytest.mark.parametrize("status, error, text", [
    (400, PermanentSmsError, "Twilio HTTP 400, error 21211: Unable to create record: Invalid 'To' Phone Number"),
    (429, TemporarySmsError, "Twilio HTTP 429, error 20429: Unable to create record: Too Many Requests"),
    (500, TemporarySmsError, "Twilio HTTP 500, error 20500: Unable to create record: Internal Server Error"),
    (503, TemporarySmsError, "Twilio HTTP 503, error 20503: Unable to create record: Service Unavailable"),
], ids=["bad number", "rate limited", "server error", "unavailable"])
def test_twilio_errors_are_permanent_or_temporary(fake, twilio, status, error, text):
    fake.script([status])
    with pytest.raises(error) as caught:
        twilio.send(CUSTOMER_PHONE, "hi")
    assert type(caught.value) is error and str(caught.value) == text


def test_twilio_timeout_and_refused_connection_are_temporary(fake):
    fake.delay = 0.5
    slow = TwilioTransport(SID, "secret-token", FROM, api_base_url=fake.base_url, timeout=0.1)
    with pytest.raises(TemporarySmsError, match="^Twilio did not answer in time$"):
        slow.send(CUSTOMER_PHONE, "hi")
    closed = FakeTwilio().start()
    base_url = closed.base_url
    closed.stop()
    with pytest.raises(TemporarySmsError, match=r"^Twilio unreachable \(ConnectionError\)$"):
        TwilioTransport(SID, "secret-token", FROM, api_base_url=base_url).send(CUSTOMER_PHONE, "hi")


# --- the outbox sender ---------------------------------------------------------------------------------------

@pytest.fixture
def clock():
    return FixedClock(T0)


@pytest.fixture
def db(tmp_path, clock):
    database = Database(f"sqlite:///{tmp_path}/orders.db", clock=clock)
    database.init()
    return database


def place(db, customer_phone=CUSTOMER_PHONE):
    new = NewOrder(call_id="call-1", idempotency_key="call-1:1", customer_name="Sam", customer_phone=customer_phone,
                   items=ITEMS, subtotal=2200, gst=200, total=2200, ready_at="2026-11-30T18:30:00+11:00", notes="",
                   order_day="2026-11-30", created_at=T0.isoformat())
    return db.place_order(new, lambda order: messages_for_new_order(order, BUSINESS, "6:30 pm", SHOP_PHONE))


NOTHING = {"sent": 0, "logged": 0, "retry": 0, "failed": 0}


def test_sender_retries_after_server_errors_then_succeeds(db, clock, fake, twilio):
    fake.script([500, 500])
    [text_id] = db.add_messages([OutboxMessage("receipt", CUSTOMER_PHONE, "receipt body", call_id="call-1")])
    sender = OutboxSender(db, twilio, clock)
    assert sender.run_once() == {**NOTHING, "retry": 1}
    row = db.outbox_row(text_id)
    assert (row.status, row.attempts, row.next_attempt_at, row.last_error) == (
        "pending", 1, "2026-11-30T07:30:05.000000+00:00",
        "Twilio HTTP 500, error 20500: Unable to create record: Internal Server Error")
    assert sender.run_once() == NOTHING  # not due yet
    clock.advance(seconds=5)
    assert sender.run_once() == {**NOTHING, "retry": 1}
    assert db.outbox_row(text_id).next_attempt_at == "2026-11-30T07:30:35.000000+00:00"
    clock.advance(seconds=30)
    assert sender.run_once() == {**NOTHING, "sent": 1}
    row = db.outbox_row(text_id)
    assert (row.status, row.attempts, row.provider_sid, row.sent_at) == (
        "sent", 3, fake.sent[0].sid, "2026-11-30T07:30:35.000000+00:00")
    assert [r.status for r in fake.requests] == [500, 500, 201]


def test_sender_does_not_retry_a_refused_text(db, clock, fake, twilio):
    fake.script([400])
    [text_id] = db.add_messages([OutboxMessage("menu_link", CUSTOMER_PHONE, "menu")])
    sender = OutboxSender(db, twilio, clock)
    assert sender.run_once() == {**NOTHING, "failed": 1}
    clock.advance(hours=2)
    assert sender.run_once() == NOTHING
    row = db.outbox_row(text_id)
    assert (row.status, row.attempts, len(fake.requests)) == ("failed", 1, 1)


def test_sender_gives_up_after_max_attempts(db, clock, fake, twilio, caplog):
    fake.fail_next(5, status=503)
    [text_id] = db.add_messages([OutboxMessage("receipt", CUSTOMER_PHONE, "receipt")])
    sender = OutboxSender(db, twilio, clock, max_attempts=2)
    assert sender.run_once() == {**NOTHING, "retry": 1}
    clock.advance(seconds=5)
    assert sender.run_once() == {**NOTHING, "failed": 1}
    assert (db.outbox_row(text_id).status, len(fake.requests)) == ("failed", 2)
    assert [r.levelname for r in caplog.records if r.name == "kebabalab.messaging.outbox"] == ["WARNING", "WARNING"]


def test_failed_shop_text_is_an_error_naming_the_order_and_no_full_number_is_logged(db, clock, fake, twilio, caplog):
    caplog.set_level(logging.DEBUG)
    fake.script([400])  # the shop's copy is queued first
    order = place(db)
    assert OutboxSender(db, twilio, clock).run_once() == {**NOTHING, "sent": 1, "failed": 1}
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == ["SHOP NOT TOLD about order 20261130-001: text 1 to +613••••5588 failed for good: Twilio HTTP "
                      "400, error 21211: Unable to create record: Invalid 'To' Phone Number"]
    assert [(m.kind, m.status) for m in db.outbox_for_order(order.id)] == [
        ("shop_order", "failed"), ("customer_confirmation", "sent")]
    assert [r.to for r in fake.requests] == [SHOP_PHONE, CUSTOMER_PHONE]
    assert [n for n in FULL_NUMBERS if n in caplog.text] == []


def test_log_transport_rows_end_logged(db, clock, caplog):
    caplog.set_level(logging.INFO)
    order = place(db)
    assert OutboxSender(db, LogTransport(), clock).run_once() == {**NOTHING, "logged": 2}
    rows = db.outbox_for_order(order.id)
    assert [row.status for row in rows] == ["logged", "logged"]
    assert all(re.fullmatch(r"log-[0-9a-f-]{36}", row.provider_sid) for row in rows)
    previews = [r.getMessage() for r in caplog.records if r.name == "kebabalab.messaging.sms"]
    assert previews == ["SMS (log only) to +613••••5588: NEW ORDER #001 / Sam (+614••••5678) / Pi",
                        "SMS (log only) to +614••••5678: Kebabalab: order #001 confirmed, $22.00,"]
    assert [n for n in FULL_NUMBERS if n in caplog.text] == []


def test_a_text_leased_by_a_crashed_sender_is_sent_after_the_lease(db, clock, fake, twilio):
    [text_id] = db.add_messages([OutboxMessage("ready", CUSTOMER_PHONE, "ready")])
    db.claim_due(clock.now())  # a sender that died before sending
    sender = OutboxSender(db, twilio, clock)
    assert sender.run_once() == NOTHING
    clock.advance(seconds=60)
    assert sender.run_once() == {**NOTHING, "sent": 1}
    assert (db.outbox_row(text_id).attempts, len(fake.requests)) == (2, 1)


def test_texts_queued_without_a_time_go_out_whatever_the_senders_clock(tmp_path, fake, twilio):
    db = Database(f"sqlite:///{tmp_path}/real-clock.db")  # the database keeps real time
    db.init()
    [text_id] = db.add_messages([OutboxMessage("menu_link", CUSTOMER_PHONE, "menu")])
    sender = OutboxSender(db, twilio, FixedClock(datetime(2020, 1, 1, tzinfo=timezone.utc)))
    assert sender.run_once() == {**NOTHING, "sent": 1}
    assert db.outbox_row(text_id).status == "sent"


def test_background_sender_delivers_at_once_after_wake(db, clock, fake, twilio):
    sender = OutboxSender(db, twilio, clock, poll_seconds=60)
    sender.start()
    try:
        wait_until(lambda: sender.iterations >= 1)  # now sleeping for up to a minute
        order = place(db)
        sender.wake()
        wait_until(lambda: db.outbox_counts()["sent"] == 2)
    finally:
        assert sender.stop(timeout=5) is True
    assert [m.status for m in db.outbox_for_order(order.id)] == ["sent", "sent"]
    assert sorted(r.to for r in fake.sent) == sorted([SHOP_PHONE, CUSTOMER_PHONE])


class FlakyDatabase(Database):
    """Fails its first claim, as a locked or unreachable database would."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.claims = 0

    def claim_due(self, *args, **kwargs):
        self.claims += 1
        if self.claims == 1:
            raise RuntimeError("database went away")
        return super().claim_due(*args, **kwargs)


def test_background_loop_survives_a_failed_iteration(tmp_path, clock, caplog):
    db = FlakyDatabase(f"sqlite:///{tmp_path}/flaky.db", clock=clock)
    db.init()
    db.add_messages([OutboxMessage("menu_link", CUSTOMER_PHONE, "menu")])
    sender = OutboxSender(db, LogTransport(), clock, poll_seconds=60)
    sender.start()
    try:
        wait_until(lambda: sender.iterations >= 1)
        sender.wake()
        wait_until(lambda: db.outbox_counts()["logged"] == 1)
    finally:
        assert sender.stop(timeout=5) is True
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == [
        "outbox-sender: a step failed; it will try again"]


def test_several_texts_go_out_at_once_each_exactly_once(db, clock, fake, twilio):
    fake.delay = 0.2
    db.add_messages([OutboxMessage("menu_link", f"+6141234567{n}", f"menu {n}") for n in range(8)])
    in_flight, most = [0], [0]
    lock = threading.Lock()
    send = twilio.send

    def counting_send(to, body):
        with lock:
            in_flight[0] += 1
            most[0] = max(most[0], in_flight[0])
        try:
            return send(to, body)
        finally:
            with lock:
                in_flight[0] -= 1

    twilio.send = counting_send
    assert OutboxSender(db, twilio, clock, concurrency=4).run_once() == {**NOTHING, "sent": 8}
    assert sorted(r.body for r in fake.sent) == [f"menu {n}" for n in range(8)]
    assert most[0] > 1  # overlapping sends, at most the four leased at a time
    assert most[0] <= 4


def hold_menu_0(twilio) -> threading.Event:
    """The text 'menu 0' waits to be sent until the returned event is set; the others go at once."""
    release, send = threading.Event(), twilio.send

    def held(to, body):
        if body == "menu 0":
            assert release.wait(5)
        return send(to, body)
    twilio.send = held
    return release


def test_a_text_that_went_out_is_saved_as_sent_while_a_slower_one_is_still_sending(db, clock, fake, twilio):
    [slow, *fast] = db.add_messages([OutboxMessage("menu_link", f"+6141234567{n}", f"menu {n}") for n in range(4)])
    release = hold_menu_0(twilio)
    done = {}
    sender = threading.Thread(target=lambda: done.update(OutboxSender(db, twilio, clock, concurrency=4).run_once()))
    sender.start()
    wait_until(lambda: [db.outbox_row(i).status for i in fast] == ["sent"] * 3)  # saved before the slow one ends
    assert db.outbox_row(slow).status == "sending"  # a crash now would resend only this one
    release.set()
    sender.join(5)
    assert done == {**NOTHING, "sent": 4} and db.outbox_counts()["sent"] == 4


def test_a_failed_save_is_tried_again_with_the_next_group_and_no_text_is_left_sending(db, clock, fake, twilio,
                                                                                        monkeypatch):
    [slow, fast] = db.add_messages([OutboxMessage("menu_link", f"+6141234567{n}", f"menu {n}") for n in range(2)])
    first_save_failed = hold_menu_0(twilio)
    saves, record = [], db.record_marks

    def fail_the_first_save(marks):
        saves.append(sorted(mark.id for mark in marks))
        if len(saves) == 1:
            first_save_failed.set()
            raise StoreError("The order database is busy.")
        record(marks)
    monkeypatch.setattr(db, "record_marks", fail_the_first_save)
    assert OutboxSender(db, twilio, clock, concurrency=2).run_once() == {**NOTHING, "sent": 2}
    assert saves == [[fast], sorted([slow, fast])]  # the failed group is saved again with the next one
    assert db.outbox_counts()["sent"] == 2 and len(fake.sent) == 2


def test_when_every_save_of_a_round_fails_it_says_so_after_waiting_for_every_send(db, clock, fake, twilio,
                                                                                   monkeypatch):
    db.add_messages([OutboxMessage("menu_link", f"+6141234567{n}", f"menu {n}") for n in range(3)])
    def database_busy(marks):
        raise StoreError("The order database is busy.")
    monkeypatch.setattr(db, "record_marks", database_busy)
    with pytest.raises(StoreError, match="outcomes of 3 texts could not be saved"):
        OutboxSender(db, twilio, clock, concurrency=3).run_once()
    assert len(fake.sent) == 3 and db.outbox_counts()["sending"] == 3  # kept, to be saved before anything else


def test_outcomes_left_unsaved_are_saved_before_the_next_text_is_claimed(db, clock, fake, twilio, monkeypatch):
    db.add_messages([OutboxMessage("menu_link", f"+6141234567{n}", f"menu {n}") for n in range(3)])
    sender = OutboxSender(db, twilio, clock, concurrency=3)
    record = db.record_marks
    monkeypatch.setattr(db, "record_marks", lambda marks: (_ for _ in ()).throw(StoreError("busy")))
    with pytest.raises(StoreError):
        sender.run_once()
    db.add_messages([OutboxMessage("menu_link", "+61412345679", "menu 9")])
    steps, claim = [], db.claim_due
    monkeypatch.setattr(db, "record_marks", lambda marks: steps.append(("save", len(marks))) or record(marks))
    monkeypatch.setattr(db, "claim_due", lambda *a, **k: steps.append(("claim",)) or claim(*a, **k))
    clock.advance(seconds=61)  # past the first three texts' lease
    assert sender.run_once() == {**NOTHING, "sent": 4}
    assert steps == [("save", 3), ("claim",), ("save", 1), ("claim",)]
    assert (sorted(r.body for r in fake.sent), db.outbox_counts()["sent"]) == (
        ["menu 0", "menu 1", "menu 2", "menu 9"], 4)  # none of the first three went out twice


def test_the_lease_is_renewed_while_twilio_is_slow_so_no_other_sender_sends_the_text_again(db, clock, fake,
                                                                                            twilio):
    [text_id] = db.add_messages([OutboxMessage("menu_link", "+61412345670", "menu 0")])
    release = hold_menu_0(twilio)
    first = OutboxSender(db, twilio, clock, lease_seconds=60, renew_seconds=0.02)
    done = {}
    sending = threading.Thread(target=lambda: done.update(first.run_once()))
    sending.start()
    try:
        wait_until(lambda: db.outbox_row(text_id).status == "sending")
        leased = db.outbox_row(text_id).claimed_until
        clock.advance(seconds=50)
        wait_until(lambda: db.outbox_row(text_id).claimed_until > leased, what="the lease renewed")
        clock.advance(seconds=50)  # past the first lease: Twilio is still answering
        assert OutboxSender(db, twilio, clock).run_once() == NOTHING  # another worker's sender takes nothing
    finally:
        release.set()
        sending.join(5)
    assert (done, len(fake.sent), db.outbox_row(text_id).status) == ({**NOTHING, "sent": 1}, 1, "sent")


def test_every_outcome_of_a_round_is_saved_retry_included(db, clock, fake, twilio, monkeypatch):
    fake.fail_next(1, status=500)  # the first text to reach Twilio gets a server error: a retry among the sends
    db.add_messages([OutboxMessage("menu_link", f"+6141234567{n}", f"menu {n}") for n in range(4)])
    writes = []
    record = db.record_marks
    monkeypatch.setattr(db, "record_marks", lambda marks: writes.append([m.status for m in marks]) or record(marks))
    assert OutboxSender(db, twilio, clock, concurrency=4).run_once() == {**NOTHING, "sent": 3, "retry": 1}
    assert sorted(status for write in writes for status in write) == ["retry", "sent", "sent", "sent"]
    assert db.outbox_counts() == {"pending": 1, "sending": 0, "sent": 3, "logged": 0, "failed": 0}


def test_texts_that_finish_together_are_saved_in_one_write(db, clock, fake, twilio, monkeypatch):
    db.add_messages([OutboxMessage("menu_link", f"+6141234567{n}", f"menu {n}") for n in range(4)])
    monkeypatch.setattr(outbox, "wait", lambda futures, return_when: wait(futures))  # all finish at once
    writes, record = [], db.record_marks
    monkeypatch.setattr(db, "record_marks", lambda marks: writes.append(len(marks)) or record(marks))
    assert OutboxSender(db, twilio, clock, concurrency=4).run_once() == {**NOTHING, "sent": 4}
    assert writes == [4]  # one write for the four, not one per text


def test_record_marks_refuses_an_unknown_outcome_and_writes_none_of_the_round(db, clock):
    [first, second] = db.add_messages([OutboxMessage("menu_link", "+61412345670", f"m{n}") for n in range(2)])
    db.claim_due(clock.now())
    with pytest.raises(ValueError, match="sent, logged, retry or failed"):
        db.record_marks([OutboxMark(first, "sent", provider_sid="SM1", at=clock.now()), OutboxMark(second, "lost")])
    assert db.outbox_counts()["sending"] == 2
