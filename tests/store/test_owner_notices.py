"""The owners' notices and the phone line's figures per shop, on both engines: one notice key is each shop's own
(each owner gets their shop's summary of the day), and a shop's backlog and lost texts are its own."""
from datetime import timedelta

from conftest import T0
from kebabalab.store import OutboxMark, OutboxMessage
from kebabalab.store.owner_notices import Notice, claim_notice, lease_due, notices_with_key
from kebabalab.store.phone_line import backlog, last_sent, oldest_failing, shop_text_lost

KEY = "day-summary:2026-11-30"


def test_each_shop_claims_its_own_notice_once(db):
    main = [Notice("text", "+61411222333", "Kebabalab takings Mon 30 Nov", "3 orders")]
    fitzroy = [Notice("text", "+61411222444", "Kebabalab Fitzroy takings Mon 30 Nov", "1 orders")]
    assert claim_notice(db, KEY, main, T0) is True
    assert claim_notice(db, KEY, fitzroy, T0, "fitzroy") is True  # the same day's summary, another shop's
    assert claim_notice(db, KEY, fitzroy, T0, "fitzroy") is False
    assert [(r["shop_id"], r["to_address"], r["body"]) for r in notices_with_key(db, KEY, "fitzroy")] == [
        ("fitzroy", "+61411222444", "1 orders")]
    assert [(r["shop_id"], r["to_address"], r["body"]) for r in notices_with_key(db, KEY)] == [
        ("main", "+61411222333", "3 orders")]
    assert notices_with_key(db, KEY, "carlton") == []
    assert sorted((n.shop_id, n.to_address) for n in lease_due(db, T0)) == [("fitzroy", "+61411222444"),
                                                                              ("main", "+61411222333")]


def test_a_shops_backlog_and_failing_texts_are_its_own(db):
    ids = db.add_messages([OutboxMessage("customer_confirmation", "+61412345678", "one", shop_id="fitzroy"),
                           OutboxMessage("shop_order", "+61400000002", "two", shop_id="fitzroy"),
                           OutboxMessage("customer_confirmation", "+61412345678", "three")], T0)
    since = T0 - timedelta(hours=1)
    assert (backlog(db, "fitzroy"), backlog(db, "main"), backlog(db, "carlton")) == (2, 1, 0)
    db.record_marks([OutboxMark(ids[0], "retry", error="Twilio 503", at=T0 + timedelta(minutes=1)),
                     OutboxMark(ids[1], "failed", error="Twilio 400"),
                     OutboxMark(ids[2], "sent", provider_sid="SM" + "1" * 32, at=T0)])
    assert (oldest_failing(db, since, "fitzroy")[0], oldest_failing(db, since, "main")) == (ids[0], None)
    assert (shop_text_lost(db, since, "fitzroy").outbox_id, shop_text_lost(db, since, "main")) == (ids[1], None)
    assert (last_sent(db, since, "fitzroy"), last_sent(db, since, "main")) == (None, "2026-11-30T07:30:00.000000+00:00")
