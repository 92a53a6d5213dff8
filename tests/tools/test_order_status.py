"""'Where's my order?' through the webhook: the caller's own order today, by the number they call from, never
anyone else's; a hidden number is told why it cannot be looked up."""
from datetime import timedelta

from conftest import FRIDAY_6PM, VapiCall, melbourne
from kebabalab.service.status import change_status
from kebabalab.tools.order_status_tools import WITHHELD

SAM, ALI = "+61412345678", "+61498765432"


def place(client, call_id: str, number: str | None, name: str = "Sam", **order) -> str:
    call = VapiCall(client, call_id=call_id, number=number)
    call.ok("quickAddItem", description="a large lamb kebab with garlic sauce")
    call.ok("setPickupTime", requestedTime="in 30 minutes")
    return call.ok("createOrder", customerName=name, **order)["orderNumber"]


def test_the_caller_hears_the_status_and_pickup_time_of_their_order(client, services, clock):
    number = place(client, "call-order", SAM)
    clock.set(FRIDAY_6PM + timedelta(minutes=10))
    asking = VapiCall(client, call_id="call-where", number=SAM)
    assert asking.ok("getOrderStatus") == {
        "ok": True, "message": "Order #001 has been received and is in the queue; it's due for pickup at 6:30 pm.",
        "found": True, "ordersToday": 1, "orderNumber": number, "displayOrderNumber": "#001", "status": "new",
        "total": 15.0, "readyAt": "2026-11-27T18:30:00+11:00", "readyAtIso": "2026-11-27T18:30:00+11:00",
        "readyAtSpoken": "6:30 pm", "minutesFromNow": 20}
    change_status(services, number, "preparing")
    assert asking.ok("getOrderStatus")["message"] == ("Order #001 is being made right now; it's due for pickup at "
                                                      "6:30 pm.")
    change_status(services, number, "ready")
    assert asking.ok("getOrderStatus")["message"] == "Order #001 is ready to pick up."


def test_another_caller_never_hears_someone_elses_order_even_naming_its_number_and_phone(client):
    place(client, "call-order", SAM)
    other = VapiCall(client, call_id="call-other", number=ALI)
    assert other.ok("getOrderStatus", orderNumber="1", customerPhone=SAM, phoneNumber=SAM) == {
        "ok": True, "message": "I can't find an order placed today from the number you're calling from.",
        "found": False, "ordersToday": 0}


def test_a_hidden_number_is_told_why_no_order_can_be_looked_up(client):
    place(client, "call-order", SAM)
    hidden = VapiCall(client, call_id="call-hidden", number=None)
    assert hidden.error("getOrderStatus", orderNumber="001", phoneNumber=SAM) == WITHHELD


def test_yesterdays_order_is_not_todays(client, clock):
    place(client, "call-order", SAM)
    clock.set(melbourne(2026, 11, 28, 18, 0))
    assert VapiCall(client, call_id="call-next-day", number=SAM).ok("getOrderStatus")["found"] is False


def test_two_orders_today_the_latest_first_and_one_by_its_number(client, clock):
    first = place(client, "call-first", SAM)
    clock.set(FRIDAY_6PM + timedelta(minutes=5))
    place(client, "call-second", SAM)
    asking = VapiCall(client, call_id="call-where", number=SAM)
    latest = asking.ok("getOrderStatus")
    assert (latest["displayOrderNumber"], latest["ordersToday"], latest["message"]) == (
        "#002", 2, "Order #002 has been received and is in the queue; it's due for pickup at 6:35 pm. "
                   "You placed 2 orders today; that's the latest.")
    for said in ("#001", "1", first):
        chosen = asking.ok("getOrderStatus", orderNumber=said)
        assert (chosen["orderNumber"], chosen["message"]) == (
            first, "Order #001 has been received and is in the queue; it's due for pickup at 6:30 pm.")
    assert asking.error("getOrderStatus", orderNumber="#7") == (
        "I can't find that order number among today's orders from your number; you have #002, #001.")


def test_an_order_left_under_another_number_is_found_from_the_number_that_called(client):
    number = place(client, "call-order", SAM, customerPhone="0498 765 432")
    found = VapiCall(client, call_id="call-where", number=SAM).ok("getOrderStatus")
    assert (found["found"], found["orderNumber"]) == (True, number)
    assert VapiCall(client, call_id="call-ali", number=ALI).ok("getOrderStatus")["orderNumber"] == number
