"""A person when needed, through the webhook: two failures in a row make the reply say to offer a person (a
question is not a failure), and the message taken when nobody answers lands on the board and the shop's text."""
import pytest

from conftest import VapiCall
from kebabalab.config import Settings
from kebabalab.store.call_messages import call_messages_for_call

OFFER = (" That has failed twice in a row: apologise and offer to put the caller through to someone at the shop "
         "(transferCall).")
UNREADABLE = "{\"description\": \"a large lamb kebab\""  # arguments cut off mid-way: not JSON
PASSWORD = "kebab-2468"


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path}/orders.db", allow_unauthenticated=True,
                    shop_order_to="+61400000001", send_sms_in_background=False, staff_password=PASSWORD)


def unreadable(call: VapiCall) -> str:
    """quickAddItem with arguments nothing can read, as a tool-calls message is published (ToolCallFunction)."""
    response = call.post(call.message([("quickAddItem", UNREADABLE)]))
    assert response.status_code == 200
    return response.get_json()["results"][0]["error"]


def test_the_second_failure_in_a_row_says_to_offer_a_person(vapi):
    first = unreadable(vapi)
    assert not first.endswith(OFFER)
    assert unreadable(vapi) == first + OFFER
    assert vapi.error("orderPizza") == "There's no tool called orderPizza; please use one of the listed tools." + OFFER


def test_a_clarifying_question_is_not_a_failure_and_ends_the_run(vapi):
    first = unreadable(vapi)
    assert vapi.error("quickAddItem", description="a lamb kebab") == (
        "Which size for the kebab: small ($10) or large ($15)?")
    assert unreadable(vapi) == first  # one failure since the question: no offer yet
    assert unreadable(vapi) == first + OFFER


def test_a_call_that_works_ends_the_run(vapi):
    first = unreadable(vapi)
    vapi.ok("quickAddItem", description="a large lamb kebab")
    assert unreadable(vapi) == first
    other_call = VapiCall(vapi.client, call_id="call-2")  # counted per call
    assert other_call.error("orderPizza") == "There's no tool called orderPizza; please use one of the listed tools."


def test_a_server_failure_counts_and_the_person_is_offered(vapi, services, monkeypatch):
    vapi.ok("quickAddItem", description="a large lamb kebab")

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")
    monkeypatch.setattr("kebabalab.tools.cart_tools.pricing.cart_total", broken)
    generic = "Sorry, something went wrong on our side; please try that again in a moment."
    assert vapi.error("priceCart") == generic
    assert vapi.error("priceCart") == generic + OFFER


def test_the_message_taken_lands_on_the_board_and_is_texted_to_the_shop(client, vapi, services):
    result = vapi.ok("takeMessage", callerName="Sam", message="Wants a refund: the chips were cold on order 12",
                     reason="refund")
    assert result == {"ok": True, "message": "I've passed your message to the shop; they'll call you back on the "
                      "number you're calling from.", "messageId": 1, "textedToShop": True}
    [saved] = call_messages_for_call(services.db, "call-1")
    assert (saved.caller_name, saved.phone, saved.reason, saved.allergy) == ("Sam", "+61412345678", "refund", False)
    [text] = [row for row in outbox(services) if row["call_id"] == "call-1"]
    assert (text["kind"], text["to_phone"], text["body"]) == (
        "shop_order", "+61400000001",
        "CALL BACK Sam (+61412345678) - refund\nWants a refund: the chips were cold on order 12")
    assert services.sender.run_once()["logged"] == 1

    token = signed_in(client)
    listed = client.get("/api/call-messages").get_json()
    assert listed == {"waiting": 1, "messages": [{
        "id": 1, "callerName": "Sam", "phone": "+61412345678", "phoneMasked": "+614••••5678", "reason": "refund",
        "message": "Wants a refund: the chips were cold on order 12", "allergy": False,
        "takenAt": "2026-11-27T18:00:00+11:00", "handled": False, "handledBy": None}]}
    done = client.post("/api/call-messages/1/handled", headers={"X-CSRF-Token": token})
    assert (done.status_code, done.get_json()["handled"], done.get_json()["handledBy"]) == (200, True, "Owner")
    assert client.get("/api/call-messages").get_json()["waiting"] == 0
    missing = client.post("/api/call-messages/9/handled", headers={"X-CSRF-Token": token})
    assert (missing.status_code, missing.get_json()) == (404, {"error": "there is no message 9"})


def test_an_allergy_message_is_flagged_and_another_number_can_be_given(vapi, services):
    vapi.ok("takeMessage", callerName="Priya", message="Coeliac, wants to know if the gozleme has gluten",
            callbackNumber="0412 999 888")
    [saved] = call_messages_for_call(services.db, "call-1")
    assert (saved.phone, saved.reason, saved.allergy) == ("+61412999888", "person", True)
    [text] = [row for row in outbox(services) if row["call_id"] == "call-1"]
    assert text["body"].split("\n")[:2] == ["ALLERGY", "CALL BACK Priya (+61412999888) - person"]


def test_a_message_needs_a_name_a_number_and_a_known_reason_and_three_a_call_at_most(client, services):
    withheld = VapiCall(client, call_id="call-w", number=None)
    assert withheld.error("takeMessage", callerName="Sam", message="call me") == (
        "What number should the shop call you back on?")
    call = VapiCall(client)
    assert call.error("takeMessage", message="call me") == "I need the customer's name."
    assert call.error("takeMessage", callerName="Sam", message="call me", reason="pizza") == (
        "The reason must be one of person, allergy, complaint, refund, failure, other.")
    for _ in range(3):
        call.ok("takeMessage", callerName="Sam", message="call me")
    assert call.error("takeMessage", callerName="Sam", message="call me again") == (
        "I've already passed the shop your messages from this call; they'll call you back.")
    assert len(call_messages_for_call(services.db, "call-1")) == 3


def outbox(services) -> list[dict]:
    return [dict(row) for row in services.db.engine.read(
        "SELECT call_id, kind, to_phone, body FROM outbox ORDER BY id")]


def signed_in(client) -> str:
    """Sign the test client in to the board; returns the session's CSRF token."""
    token = client.get("/api/session").get_json()["csrfToken"]
    signed = client.post("/board/login", json={"password": PASSWORD}, headers={"X-CSRF-Token": token})
    assert signed.status_code == 200
    return signed.get_json()["csrfToken"]


def test_forgetting_the_caller_blanks_their_message_and_its_text(vapi, services):
    from kebabalab.store.privacy import forget_phone
    vapi.ok("takeMessage", callerName="Sam", message="Call me about my order", reason="complaint")
    forgotten = forget_phone(services.db, "+61412345678")
    assert forgotten.texts == 1
    [saved] = call_messages_for_call(services.db, "call-1")
    assert (saved.caller_name, saved.phone, saved.message, saved.reason) == (None, None, "", "complaint")
    assert [(t["to_phone"], t["body"]) for t in outbox(services)] == [("(forgotten)", "")]
