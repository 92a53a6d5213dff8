"""The one offer a call hears, through the webhook: made by the server once, answered through `offerAnswer`, and
recorded for the call log (Vapi tool-calls messages as conftest.VapiCall builds them from Vapi's ServerMessage
schema)."""
from conftest import VapiCall
from kebabalab.store.offers import offer_for_call, record_answer, record_offer
from conftest import T0

MEAL = "Would you like to make that a meal, with small chips and a can, for $7 more?"


def test_a_lone_kebab_hears_the_meal_once_and_a_yes_is_recorded(client, services):
    call = VapiCall(client, call_id="call-offer-yes")
    added = call.ok("quickAddItem", description="a large lamb kebab with garlic")
    assert added["offer"] == {"kind": "meal", "itemIndex": 0, "extra": 7.0, "say": MEAL,
                              "ifYes": "convertItemsToMeals with itemIndices [0]", "answerWith": "offerAnswer"}
    assert added["message"] == ("Added large lamb kebab, garlic sauce. The total is now $15. "
                                f"Ask once, in these words: {MEAL}")
    meal = call.ok("convertItemsToMeals", itemIndices=[0], offerAnswer="yes")
    assert (meal["total"], "offer" in meal) == (22.0, False)
    summary = call.ok("getOrderSummary")
    assert "offer" not in summary and "Ask once" not in summary["message"]
    stored = offer_for_call(services.db, "call-offer-yes")
    assert (stored.kind, stored.item_index, stored.extra_cents, stored.said, stored.answer, stored.shop_id) == (
        "meal", 0, 700, MEAL, "yes", "main")
    assert stored.answered_at == "2026-11-27T07:00:00.000000+00:00"


def test_after_a_no_nothing_else_is_offered_in_that_call(client, services):
    call = VapiCall(client, call_id="call-offer-no")
    hsp = call.ok("quickAddItem", description="a small mixed hsp")
    assert hsp["offer"]["say"] == "Would you like a can with that, for $2 more?"
    summary = call.ok("getOrderSummary", offerAnswer="no")
    assert "offer" not in summary
    call.ok("clearCart")
    again = call.ok("quickAddItem", description="a large lamb kebab")  # a lone kebab now, but the call said no
    assert "offer" not in again and again["message"] == "Added large lamb kebab. The total is now $15."
    call.ok("setPickupTime", requestedTime="in 30 minutes", offerAnswer="yes")  # a late change of mind: first stands
    assert offer_for_call(services.db, "call-offer-no").answer == "no"


def test_another_call_hears_its_own_offer(client, services):
    VapiCall(client, call_id="call-1").ok("quickAddItem", description="a large lamb kebab")
    other = VapiCall(client, call_id="call-2").ok("quickAddItem", description="a large lamb kebab")
    assert other["offer"]["say"] == MEAL


def test_an_answer_that_is_neither_yes_nor_no_changes_nothing(client, services):
    call = VapiCall(client, call_id="call-offer-bad")
    call.ok("quickAddItem", description="a large lamb kebab")
    error = call.error("convertItemsToMeals", itemIndices=[0], offerAnswer="ask me later")
    assert error == "offerAnswer must be yes or no: what the caller said to the offer."
    assert call.ok("getCartState")["total"] == 15.0
    assert offer_for_call(services.db, "call-offer-bad").answer is None


def test_an_answer_without_an_offer_is_ignored(client, services):
    call = VapiCall(client, call_id="call-no-offer")
    added = call.ok("quickAddItem", description="a large lamb kebab and a coke", offerAnswer="no")
    assert "offer" not in added
    assert offer_for_call(services.db, "call-no-offer") is None


def test_one_offer_per_call_in_the_store_whoever_asks(db):
    """Two workers with copies of one call: the call id lets only the first offer in; the first answer stands."""
    assert record_offer(db, "call-9", "meal", 0, 700, MEAL, T0, "main") is True
    assert record_offer(db, "call-9", "drink", 0, 200, "a can?", T0, "main") is False
    assert record_answer(db, "call-9", "no", T0) is True
    assert record_answer(db, "call-9", "yes", T0) is False
    assert record_answer(db, "call-unknown", "yes", T0) is False
    stored = offer_for_call(db, "call-9")
    assert (stored.kind, stored.answer) == ("meal", "no")
