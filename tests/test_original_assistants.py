"""Assistants set up for the original keep working: its ASAP flow, its result names, its -1 index.

The flows are those of the original's prompt (nottechincal/Claude at 337cbcd,
`Claude Latest/config/system-prompt-simplified.md`): "as soon as possible" → estimateReadyTime → createOrder.
"""
from tests.conftest import melbourne


def test_asap_estimate_is_the_pickup_create_order_needs(vapi):
    vapi.ok("quickAddItem", description="large chicken kebab with garlic sauce")
    estimate = vapi.ok("estimateReadyTime")
    assert {k: estimate[k] for k in ("asap", "estimatedMinutes", "readyAt", "readyAtIso", "readyAtSpoken")} == {
        "asap": True, "estimatedMinutes": 15, "readyAt": "2026-11-27T18:15:00+11:00",
        "readyAtIso": "2026-11-27T18:15:00+11:00", "readyAtSpoken": "6:15 pm"}
    order = vapi.ok("createOrder", customerName="John")
    assert (order["readyAt"], order["readyAtSpoken"], order["pickupMoved"]) == (
        "2026-11-27T18:15:00+11:00", "6:15 pm", False)
    assert order["message"] == "Your order is placed. Order number #001, $15, ready at 6:15 pm."


def test_asap_is_never_earlier_than_promised(vapi, clock):
    vapi.ok("quickAddItem", description="large chicken kebab with garlic sauce")
    vapi.ok("estimateReadyTime")
    clock.set(melbourne(2026, 11, 27, 18, 4))  # the queue is as it was: 6:19 would round to 6:20, later
    order = vapi.ok("createOrder", customerName="John")
    assert (order["readyAtSpoken"], order["pickupMoved"]) == ("6:20 pm", True)
    assert order["message"] == ("Your order is placed. Order number #001, $15, ready at 6:20 pm. The kitchen got "
                                "busier, so that's later than the 6:15 pm I said.")


def test_asap_keeps_the_promise_when_the_queue_is_no_longer(vapi, clock, services):
    services.availability.set_busy(20)
    vapi.ok("quickAddItem", description="large chicken kebab with garlic sauce")
    assert vapi.ok("estimateReadyTime")["readyAtSpoken"] == "6:35 pm"
    services.availability.set_busy(0)  # the rush is over: 6:15 would do, but 6:35 was promised
    order = vapi.ok("createOrder", customerName="John")
    assert (order["readyAtSpoken"], order["pickupMoved"]) == ("6:35 pm", False)


def test_asap_moved_past_closing_is_refused_and_keeps_the_cart(vapi, clock, services):
    clock.set(melbourne(2026, 11, 29, 21, 30))  # Sunday: open until 10 pm, last orders at 9:45
    vapi.ok("quickAddItem", description="large chicken kebab with garlic sauce")
    assert vapi.ok("estimateReadyTime")["readyAtSpoken"] == "9:45 pm"
    services.availability.set_busy(30)
    assert vapi.error("createOrder", customerName="John") == (
        "The pickup time 9:45 pm no longer works. We're about to close and can't have a new order ready in time; "
        "we open again tomorrow at 11 am.")
    assert vapi.ok("getCartState")["itemCount"] == 1


def test_set_pickup_time_replaces_the_asap_estimate(vapi, clock):
    vapi.ok("quickAddItem", description="large chicken kebab with garlic sauce")
    vapi.ok("estimateReadyTime")
    named = vapi.ok("setPickupTime", requestedTime="7pm")
    assert (named["asap"], named["readyAtIso"]) == (False, "2026-11-27T19:00:00+11:00")
    clock.set(melbourne(2026, 11, 27, 18, 30))
    order = vapi.ok("createOrder", customerName="John")
    assert (order["readyAtSpoken"], order["pickupMoved"]) == ("7 pm", False)


def test_the_originals_result_names_beside_ours(vapi):
    opened = vapi.ok("checkOpen")
    assert (opened["openTime"], opened["closeTime"]) == (opened["opensAt"], opened["closesAt"])
    added = vapi.ok("quickAddItem", description="large lamb kebab with garlic sauce")
    assert added["item"] == added["added"][0]
    vapi.ok("quickAddItem", description="small chips")
    vapi.ok("quickAddItem", description="coke")
    cart = vapi.ok("getCartState")
    assert cart["cart"] == cart["items"]
    meals = vapi.ok("convertItemsToMeals", drinkBrand="coke", chipsSize="small")
    assert meals["convertedCount"] == 1
    summary = vapi.ok("getOrderSummary")
    assert (summary["itemCount"], summary["total"]) == (1, 22.0)
    vapi.ok("estimateReadyTime")
    vapi.ok("createOrder", customerName="John")
    receipt = vapi.ok("sendReceipt")
    assert receipt["order"] == "#001"


def test_a_returning_caller_gets_the_originals_history_fields(client, vapi):
    from tests.conftest import VapiCall
    vapi.ok("quickAddItem", description="large lamb kebab with garlic sauce and 2 cokes")
    vapi.ok("estimateReadyTime")
    vapi.ok("createOrder", customerName="John Citizen")
    again = VapiCall(client, call_id="call-2")
    context = again.ok("getCallerSmartContext")
    assert (context["mostOrderedItem"], context["favouriteItem"]) == ("coke can", "coke can")
    assert context["orderHistory"] == [{"orderNumber": "#001", "total": 22.0, "date": "2026-11-27", "itemCount": 3}]
    repeated = again.ok("repeatLastOrder")
    assert (repeated["itemCount"], repeated["lastTotal"], repeated["total"]) == (3, 22.0, 22.0)


def test_a_new_caller_has_empty_history_fields(vapi):
    context = vapi.ok("getCallerSmartContext")
    assert (context["mostOrderedItem"], context["orderHistory"]) == (None, [])


def test_the_contract_doc_names_every_tool_and_the_two_kept_names():
    from pathlib import Path
    from kebabalab.tools import REGISTRY
    doc = (Path(__file__).parents[1] / "docs" / "tool-contract.md").read_text()
    assert [name for name in REGISTRY.names() if f"| {name} |" not in doc] == []
    assert ("`readyAt` is ISO 8601" in doc, "`currentTime` in checkOpen is spoken" in doc) == (True, True)


def test_add_multiple_items_takes_the_originals_items_in_words(vapi):
    """The original's live suite sends addMultipleItemsToCart items as {"description": ...}: read as quickAddItem
    reads words, beside structured items, with a separate quantity in front."""
    reply = vapi.ok("addMultipleItemsToCart", items=[
        {"description": "large lamb wrap with garlic"}, {"description": "coke", "quantity": 2},
        {"category": "chips", "size": "small"}])
    assert [(line["name"], line["quantity"]) for line in reply["added"]] == [
        ("Kebab", 1), ("Soft Drink Can (375ml)", 2), ("Chips", 1)]
    assert reply["total"] == 27.0  # $15 + 2 x $3.50 + $5


def test_add_multiple_items_in_words_refuses_the_whole_list_for_one_unsold_word(vapi):
    error = vapi.error("addMultipleItemsToCart", items=[{"description": "large lamb kebab"},
                                                         {"description": "a thickshake"}])
    assert error.startswith("Nothing was added. Item 2: ") and "thickshake" in error
    assert vapi.ok("getCartState")["isEmpty"] is True
