"""The call log through the webhook: Vapi's end-of-call reports (older and current shapes) and status updates,
late, twice or never; forgetting a caller and the history janitor; the Calls page's API."""
from dataclasses import asdict, replace
from datetime import date, timedelta

import pytest

from conftest import FRIDAY_6PM, VapiCall, melbourne, vapi_fixture
from kebabalab.service.callbacks import callback_summary
from kebabalab.service.closing_summary import summary_notices
from kebabalab.service.privacy import forget_customer
from kebabalab.store.calls import find_call
from tests.web.test_board import settings, sign_in  # noqa: F401  (settings is a fixture: the board on)

TRANSCRIPT_2024 = vapi_fixture("end-of-call-report-2024.json")["message"]["artifact"]["transcript"]
TRANSCRIPT_NOW = vapi_fixture("end-of-call-report-current.json")["message"]["artifact"]["transcript"]
ARRIVED = "2026-11-27T07:00:00.000000+00:00"  # FRIDAY_6PM in UTC: when the test clock has messages arrive


def post(client, body) -> None:
    response = client.post("/webhook", json=body)
    assert (response.status_code, response.get_json()) == (200, {})


def status_update(call_id: str, status: str, number: str | None = "+61412345678", **fields) -> dict:
    """A ServerMessageStatusUpdate (VapiAI/docs fern/apis/api/openapi.json: required type and status; `call` a
    Call), as tests/fixtures/vapi/status-update-ended.json but for this call."""
    body = vapi_fixture("status-update-ended.json")
    message = body["message"]
    message["status"] = status
    message["call"]["id"] = call_id
    if number:
        message["call"]["customer"]["number"] = number
    else:
        del message["call"]["customer"]
    message.pop("endedReason")
    message.update(fields)
    return body


def test_an_older_report_of_a_call_that_ordered_is_stored_and_linked_to_its_order(client, services):
    call = VapiCall(client, call_id="call-ordered-2024", number="+61412345678")
    call.ok("quickAddItem", description="a large lamb kebab with garlic sauce")
    call.ok("setPickupTime", requestedTime="in 30 minutes")
    number = call.ok("createOrder", customerName="Sam")["orderNumber"]
    post(client, vapi_fixture("end-of-call-report-2024.json"))
    assert asdict(find_call(services.db, "call-ordered-2024", "main")) == {
        "call_id": "call-ordered-2024", "shop_id": "main", "caller": "+61412345678",
        "started_at": "2026-11-27T07:01:05.000000+00:00", "ended_at": "2026-11-27T07:05:40.000000+00:00",
        "ended_reason": "customer-ended-call", "duration_seconds": 275, "cost_cents": 32,
        "summary": "The caller ordered a large lamb kebab with garlic sauce for pickup in 30 minutes.",
        "structured": {"items": ["large lamb kebab, garlic sauce"], "orderPlaced": True},
        "success_evaluation": "true",
        "recording_url": "https://storage.vapi.example.invalid/call-ordered-2024-mono.wav",
        "stereo_recording_url": "https://storage.vapi.example.invalid/call-ordered-2024-stereo.wav",
        "transcript": TRANSCRIPT_2024, "transferred": False, "transfer_answered": None,
        "cart_lines": 0, "cart_summary": None, "cart_total": 0, "report_at": ARRIVED, "updated_at": ARRIVED,
        "called_back_at": None, "called_back_by": None, "callback_outcome": None,
        "order_number": number, "order_total": 1500, "messages_left": 0}


def test_a_current_report_of_a_call_that_left_its_cart_keeps_the_cart_and_the_structured_outputs(client, services):
    call = VapiCall(client, call_id="call-abandoned-current", number="+61498765432")
    call.ok("quickAddItem", description="two cokes and a small chicken kebab")
    post(client, vapi_fixture("end-of-call-report-current.json"))
    assert services.sessions.get("call-abandoned-current") is None
    assert asdict(find_call(services.db, "call-abandoned-current", "main")) == {
        "call_id": "call-abandoned-current", "shop_id": "main", "caller": "+61498765432",
        "started_at": "2026-11-27T07:12:03.250000+00:00", "ended_at": "2026-11-27T07:13:35.750000+00:00",
        "ended_reason": "customer-ended-call", "duration_seconds": 92, "cost_cents": 12,
        "summary": "The caller asked for two cokes and a small chicken kebab, then hung up before ordering.",
        "structured": {"callerMood": "in a hurry", "orderPlaced": False}, "success_evaluation": "false",
        "recording_url": "https://storage.vapi.example.invalid/call-abandoned-current-mono.wav",
        "stereo_recording_url": "https://storage.vapi.example.invalid/call-abandoned-current-stereo.wav",
        "transcript": TRANSCRIPT_NOW, "transferred": False, "transfer_answered": None,
        "cart_lines": 2, "cart_summary": "2 x coke can; small chicken kebab", "cart_total": 1700,
        "report_at": ARRIVED, "updated_at": ARRIVED, "called_back_at": None, "called_back_by": None,
        "callback_outcome": None, "order_number": None, "order_total": 0, "messages_left": 0}


def test_a_report_that_comes_late_and_twice_is_one_row_kept_from_its_first_arrival(client, services, clock):
    call = VapiCall(client, call_id="call-abandoned-current", number="+61498765432")
    call.ok("quickAddItem", description="two cokes")
    post(client, status_update("call-abandoned-current", "ended", "+61498765432",
                               endedReason="customer-ended-call"))
    ended = find_call(services.db, "call-abandoned-current", "main")
    assert (ended.ended_at, ended.ended_reason, ended.report_at, ended.cart_lines, ended.cart_total) == (
        ARRIVED, "customer-ended-call", None, 1, 700)
    clock.set(FRIDAY_6PM + timedelta(minutes=3))
    post(client, vapi_fixture("end-of-call-report-current.json"))
    clock.set(FRIDAY_6PM + timedelta(minutes=9))
    post(client, vapi_fixture("end-of-call-report-current.json"))
    rows = services.db.engine.read("SELECT call_id, report_at, ended_at, cart_lines FROM calls")
    assert [dict(row) for row in rows] == [{"call_id": "call-abandoned-current",
                                            "report_at": "2026-11-27T07:03:00.000000+00:00",
                                            "ended_at": "2026-11-27T07:13:35.750000+00:00", "cart_lines": 1}]
    assert [dict(r) for r in services.db.engine.read("SELECT call_id, summary, total FROM abandoned_carts")] == [
        {"call_id": "call-abandoned-current", "summary": "2 x coke can", "total": 700}]


def test_a_call_without_a_report_is_logged_from_its_tool_calls_and_status_updates(client, services, clock):
    call = VapiCall(client, call_id="call-no-report", number="+61412345678")
    call.ok("checkOpen")
    seen = find_call(services.db, "call-no-report", "main")
    assert (seen.caller, seen.started_at, seen.ended_at, seen.report_at) == ("+61412345678", ARRIVED, None, None)
    clock.set(FRIDAY_6PM + timedelta(minutes=1))
    post(client, status_update("call-no-report", "forwarding"))
    clock.set(FRIDAY_6PM + timedelta(minutes=2))
    post(client, status_update("call-no-report", "ended", endedReason="assistant-forwarded-call"))
    ended = find_call(services.db, "call-no-report", "main")
    assert (ended.started_at, ended.ended_at, ended.ended_reason, ended.transferred, ended.transfer_answered,
            ended.report_at, ended.transcript) == (
        ARRIVED, "2026-11-27T07:02:00.000000+00:00", "assistant-forwarded-call", True, True, None, None)


def test_a_status_update_alone_puts_a_call_in_the_log(client, services):
    post(client, status_update("call-hung-up", "ended", endedReason="customer-ended-call"))
    only = find_call(services.db, "call-hung-up", "main")
    assert (only.caller, only.started_at, only.ended_at, only.ended_reason) == (
        "+61412345678", ARRIVED, ARRIVED, "customer-ended-call")


def test_a_transfer_nobody_answered_is_noted(client, services):
    post(client, vapi_fixture("end-of-call-report-transfer-no-answer.json"))
    call = find_call(services.db, "call-person-no-answer", "main")
    assert (call.caller, call.ended_reason, call.transferred, call.transfer_answered, call.duration_seconds) == (
        "+61455501234", "customer-ended-call-after-warm-transfer-attempt", True, False, 162)


def test_a_report_without_a_call_id_changes_nothing_and_is_answered(client, services):
    body = vapi_fixture("end-of-call-report-current.json")
    del body["message"]["call"]
    post(client, body)
    assert services.db.engine.read("SELECT COUNT(*) AS n FROM calls")[0]["n"] == 0


def test_forget_removes_the_callers_transcripts_and_recording_links(client, services):
    post(client, vapi_fixture("end-of-call-report-2024.json"))
    post(client, vapi_fixture("end-of-call-report-current.json"))  # another caller: kept
    done = forget_customer(services.db, "0412 345 678")
    assert done.calls == 1
    gone = find_call(services.db, "call-ordered-2024", "main")
    assert (gone.caller, gone.transcript, gone.recording_url, gone.stereo_recording_url, gone.summary,
            gone.structured, gone.ended_reason, gone.duration_seconds, gone.cost_cents) == (
        None, None, None, None, None, None, "customer-ended-call", 275, 32)
    kept = find_call(services.db, "call-abandoned-current", "main")
    assert (kept.caller, kept.transcript) == ("+61498765432", TRANSCRIPT_NOW)


def test_the_history_janitor_drops_transcripts_older_than_history_days(client, services, clock):
    post(client, vapi_fixture("end-of-call-report-2024.json"))
    clock.set(FRIDAY_6PM + timedelta(days=services.settings.history_days, hours=1))
    fresh = vapi_fixture("end-of-call-report-transfer-no-answer.json")
    del fresh["message"]["startedAt"], fresh["message"]["endedAt"]  # so it is dated by its arrival: now
    post(client, fresh)
    done = services.janitor.run_once()
    assert done.calls == 1
    old = find_call(services.db, "call-ordered-2024", "main")
    assert (old.caller, old.transcript, old.recording_url, old.summary, old.duration_seconds) == (
        None, None, None, None, 275)
    assert find_call(services.db, "call-person-no-answer", "main").transcript.startswith("User: Can I just talk")


# -- the Calls page's API -------------------------------------------------------------------------------------

def test_api_calls_needs_a_staff_session(client):
    response = client.get("/api/calls")
    assert (response.status_code, response.get_json()) == (401, {"error": "sign in to the board first"})
    assert client.get("/board/calls").status_code == 302


def test_api_calls_counts_todays_calls_by_what_became_of_them(client, services, clock):
    call = VapiCall(client, call_id="call-ordered-2024", number="+61412345678")
    call.ok("quickAddItem", description="a large lamb kebab with garlic sauce")
    call.ok("setPickupTime", requestedTime="in 30 minutes")
    number = call.ok("createOrder", customerName="Sam")["orderNumber"]
    post(client, vapi_fixture("end-of-call-report-2024.json"))
    VapiCall(client, call_id="call-abandoned-current", number="+61498765432").ok(
        "quickAddItem", description="two cokes")
    post(client, vapi_fixture("end-of-call-report-current.json"))
    post(client, vapi_fixture("end-of-call-report-transfer-no-answer.json"))
    post(client, status_update("call-hung-up", "ended", number=None, endedReason="customer-ended-call"))
    clock.set(melbourne(2026, 11, 28, 2, 30))  # after closing, still Friday's trading day
    post(client, status_update("call-after-hours", "ended", endedReason="customer-ended-call"))
    clock.set(melbourne(2026, 11, 27, 4, 59))  # Thursday's trading day: not today
    post(client, status_update("call-yesterday", "ended", endedReason="customer-ended-call"))
    clock.set(melbourne(2026, 11, 28, 2, 40))

    assert sign_in(client).status_code == 200
    data = client.get("/api/calls").get_json()
    assert (data["day"], data["total"], data["orderedPercent"]) == ("2026-11-27", 5, 20)
    assert data["counts"] == {"ordered": 1, "transferred": 0, "no-answer": 1, "abandoned": 1, "after-hours": 1,
                              "hung-up-early": 1, "in-progress": 0, "other": 0}
    assert [(c["callId"], c["outcome"], c["startedSpoken"], c["caller"]) for c in data["calls"]] == [
        ("call-after-hours", "after-hours", "2:30 am", "+614••••5678"),
        ("call-person-no-answer", "no-answer", "6:17 pm", "+614••••1234"),
        ("call-abandoned-current", "abandoned", "6:12 pm", "+614••••5432"),
        ("call-ordered-2024", "ordered", "6:01 pm", "+614••••5678"),
        ("call-hung-up", "hung-up-early", "6 pm", None)]
    ordered = data["calls"][3]
    assert (ordered["orderNumber"], ordered["orderTotal"], ordered["durationSeconds"], ordered["recordingUrl"],
            ordered["transcript"], ordered["reported"]) == (
        number, 15.0, 275, "https://storage.vapi.example.invalid/call-ordered-2024-mono.wav", TRANSCRIPT_2024, True)
    abandoned = data["calls"][2]
    assert (abandoned["cart"], abandoned["cartTotal"], abandoned["outcomeLabel"]) == (
        "2 x coke can", 7.0, "Left items in the cart")


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,hi"])
def test_a_recording_link_that_is_not_a_web_address_is_not_shown(client, url):
    body = vapi_fixture("end-of-call-report-2024.json")
    body["message"]["artifact"]["recordingUrl"] = url
    post(client, body)
    assert sign_in(client).status_code == 200
    assert client.get("/api/calls").get_json()["calls"][0]["recordingUrl"] is None


# -- lost orders called back ----------------------------------------------------------------------------------

def a_busy_evening(client, clock) -> str:
    """An order, a cart left (then ordered on a later call), another cart left, a person nobody answered, a
    hidden number that left a cart; returns the order's number."""
    call = VapiCall(client, call_id="call-ordered-2024", number="+61412345678")
    call.ok("quickAddItem", description="a large lamb kebab with garlic sauce")
    call.ok("setPickupTime", requestedTime="in 30 minutes")
    number = call.ok("createOrder", customerName="Sam")["orderNumber"]
    post(client, vapi_fixture("end-of-call-report-2024.json"))
    VapiCall(client, call_id="call-abandoned-current", number="+61498765432").ok(
        "quickAddItem", description="two cokes and a small chicken kebab")
    post(client, vapi_fixture("end-of-call-report-current.json"))
    post(client, vapi_fixture("end-of-call-report-transfer-no-answer.json"))
    hidden = VapiCall(client, call_id="call-hidden", number=None)
    hidden.ok("quickAddItem", description="a small chips")
    post(client, status_update("call-hidden", "ended", number=None, endedReason="customer-ended-call"))
    early = VapiCall(client, call_id="call-changed-mind", number="+61412345678")  # at 6 pm, before the order
    early.ok("quickAddItem", description="a can of fanta")
    post(client, status_update("call-changed-mind", "ended", endedReason="customer-ended-call"))
    clock.set(FRIDAY_6PM + timedelta(minutes=30))
    return number


def test_the_callback_list_has_the_carts_left_and_the_person_nobody_answered(client, clock):
    a_busy_evening(client, clock)
    assert sign_in(client).status_code == 200
    data = client.get("/api/callbacks").get_json()
    assert (data["day"], data["lostValue"], data["waiting"]) == ("2026-11-27", 22.0, 2)
    assert [(c["callId"], c["phone"], c["reason"], c["cart"], c["cartTotal"], c["orderedLater"], c["calledBackAt"])
            for c in data["callbacks"]] == [
        ("call-person-no-answer", "+61455501234", "no-answer", "", 0.0, False, None),
        ("call-abandoned-current", "+61498765432", "abandoned", "2 x coke can; small chicken kebab", 17.0, False,
         None),
        ("call-changed-mind", "+61412345678", "abandoned", "fanta can", 3.5, True, None),
        ("call-hidden", None, "abandoned", "small chips, chicken salt", 5.0, False, None)]


def test_one_tap_records_who_called_back_when_and_what_came_of_it(client, clock):
    a_busy_evening(client, clock)
    assert sign_in(client).status_code == 200
    token = client.get("/api/session").get_json()["csrfToken"]
    clock.set(melbourne(2026, 11, 27, 18, 52))
    response = client.post("/api/calls/call-abandoned-current/callback", json={"outcome": "ordered"},
                           headers={"X-CSRF-Token": token})
    assert response.status_code == 200
    done = next(c for c in response.get_json()["callbacks"] if c["callId"] == "call-abandoned-current")
    assert (done["calledBackAt"], done["calledBackBy"], done["outcome"], done["outcomeLabel"]) == (
        "6:52 pm", "Owner", "ordered", "Ordered")
    assert (response.get_json()["lostValue"], response.get_json()["waiting"]) == (5.0, 1)


@pytest.mark.parametrize("call_id, body, error", [
    ("call-abandoned-current", {"outcome": "maybe"},
     "Say what came of the call back: one of ordered, call-later, not-wanted, no-answer, left-message."),
    ("call-abandoned-current", ["ordered"],
     'send JSON: {"outcome": one of ordered, call-later, not-wanted, no-answer, left-message}'),
    ("call-ordered-2024", {"outcome": "ordered"}, "That call is not on the callback list."),
    ("call-nobody-made", {"outcome": "ordered"}, "That call is not on the callback list."),
    ("call-hidden", {"outcome": "no-answer"}, "That caller's number was hidden, so they cannot be called back."),
], ids=["unknown-outcome", "not-an-object", "ordered-call", "no-such-call", "hidden-number"])
def test_a_callback_that_cannot_be_recorded_says_why_and_changes_nothing(client, clock, services, call_id, body,
                                                                        error):
    a_busy_evening(client, clock)
    assert sign_in(client).status_code == 200
    token = client.get("/api/session").get_json()["csrfToken"]
    response = client.post(f"/api/calls/{call_id}/callback", json=body, headers={"X-CSRF-Token": token})
    assert (response.status_code, response.get_json()) == (400, {"error": error})
    assert services.db.engine.read("SELECT COUNT(*) AS n FROM calls WHERE called_back_at IS NOT NULL")[0]["n"] == 0


def test_a_callback_needs_the_csrf_token(client, clock):
    a_busy_evening(client, clock)
    assert sign_in(client).status_code == 200
    response = client.post("/api/calls/call-abandoned-current/callback", json={"outcome": "ordered"})
    assert response.status_code == 403


def test_the_end_of_day_summary_gives_the_lost_value_and_who_to_call_back(client, clock, services):
    a_busy_evening(client, clock)
    assert callback_summary(services, clock.now()) == [
        "Lost orders: $22.00 left in carts.",
        "To call back (2):",
        "6:17 pm +61455501234 - asked for a person, no answer: nothing in the cart",
        "6:12 pm +61498765432 - left the cart: 2 x coke can; small chicken kebab $17.00"]


def test_a_message_left_when_nobody_answered_puts_the_call_on_the_callback_list(client, clock):
    call = VapiCall(client, call_id="call-left-message", number="+61455501234")
    call.ok("takeMessage", callerName="Priya", message="Can someone ring me about a big order for Saturday?")
    post(client, status_update("call-left-message", "ended", "+61455501234", endedReason="assistant-ended-call"))
    assert sign_in(client).status_code == 200
    data = client.get("/api/callbacks").get_json()
    assert [(c["callId"], c["phone"], c["reason"], c["reasonLabel"]) for c in data["callbacks"]] == [
        ("call-left-message", "+61455501234", "no-answer", "Asked for a person, no answer")]


def test_the_owners_end_of_day_summary_carries_the_lost_orders(client, clock, services):
    a_busy_evening(client, clock)
    services.business = replace(services.business, owner_phone="+61400000009")
    [notice] = summary_notices(services, date(2026, 11, 27))
    assert notice.body.split("\n")[-4:] == [
        "Lost orders: $22.00 left in carts.",
        "To call back (2):",
        "6:17 pm +61455501234 - asked for a person, no answer: nothing in the cart",
        "6:12 pm +61498765432 - left the cart: 2 x coke can; small chicken kebab $17.00"]
