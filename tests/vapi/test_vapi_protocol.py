"""Vapi's protocol as Vapi publishes it: chats, malformed calls inside a message, every message type,
assistant-request, and HMAC as an HMAC credential's plan allows.

Fixtures follow Vapi's OpenAPI document (VapiAI/docs, fern/apis/api/openapi.json) and its Python server SDK's types
(VapiAI/server-sdk-python, src/vapi/types/); each fixture file names the schema it follows.
"""
import base64
import hashlib
import hmac
import json

import pytest

from conftest import VapiCall, melbourne, vapi_fixture
from kebabalab.config import Settings
from kebabalab.errors import ConfigError
from kebabalab.hmac_plan import HmacPlan
from kebabalab.web.security import signature_matches
from kebabalab.service.handover import OFFER_PERSON as OFFER
from kebabalab.web.app import create_app
from kebabalab.vapi.protocol import MAX_TOOL_CALLS

ASSISTANT = "5b0a4a08-133c-4146-9315-0984f8c6be80"

# ServerMessage.message's oneOf in the OpenAPI document: the `type` enum of each ServerMessage* schema.
PUBLISHED_TYPES = [
    "conversation-update", "end-of-call-report", "handoff-destination-request", "hang", "knowledge-base-request",
    "model-output", "phone-call-control", "speech-update", "status-update", "transfer-destination-request",
    "transfer-update", "transcript", 'transcript[transcriptType="final"]', "user-interrupted",
    "language-change-detected", "voice-input", "assistant.speechStarted", "voice-request",
    "call.endpointing.request", "chat.created", "chat.deleted", "session.created", "session.updated",
    "session.deleted", "call.deleted", "call.delete.failed", "call.artifact.upload", "campaign.predial",
]


def results(response) -> list[dict]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["results"]


# -- chats ---------------------------------------------------------------------------------------------------
def test_a_chat_tool_call_keys_the_cart_by_the_chat_id(client, services):
    body = vapi_fixture("tool-calls-chat.json")
    [entry] = results(client.post("/webhook", json=body))
    assert (entry["toolCallId"], entry["name"], json.loads(entry["result"])["total"]) == (
        "call_chat_quick_1", "quickAddItem", 15.0)
    session = services.sessions.get("5f0e3b8e-chat-4c1d-9a7e-2b7f61c0aa01")
    assert (len(session.cart), session.caller) == (1, "+61412345678")


def test_a_chat_without_a_customer_number_still_orders_by_its_id(client, services):
    body = vapi_fixture("tool-calls-chat.json")
    del body["message"]["customer"]
    results(client.post("/webhook", json=body))
    body["message"]["toolCallList"][0]["id"] = "call_chat_quick_2"
    [entry] = results(client.post("/webhook", json=body))
    assert json.loads(entry["result"])["total"] == 30.0  # the same chat, the same cart
    assert services.sessions.get("5f0e3b8e-chat-4c1d-9a7e-2b7f61c0aa01").caller is None


# -- malformed tool calls inside a message ---------------------------------------------------------------------
def test_each_malformed_call_gets_its_own_error_and_the_good_one_runs(client, services):
    entries = results(client.post("/webhook", json=vapi_fixture("tool-calls-malformed.json")))
    # from the second failure in a row on, the error also says to offer the caller a person
    assert [(e["toolCallId"], e["name"], e.get("error")) for e in entries[1:]] == [
        ("", "getCartState", "This tool call had no id, so its answer could not be matched; please make it again."),
        ("call_no_name", "", "This tool call did not name a tool; please use one of the listed tools." + OFFER),
        ("call_unknown", "orderPizza", "There's no tool called orderPizza; please use one of the listed tools."
         + OFFER),
        ("call_bad_json", "quickAddItem", "The tool's arguments were not valid JSON; please try again." + OFFER),
        ("call_list_args", "quickAddItem", "The tool's arguments must be an object of named values." + OFFER),
        ("", "", "This tool call was not an object; please make it again." + OFFER),
    ]
    assert (entries[0]["toolCallId"], json.loads(entries[0]["result"])["total"]) == ("call_good", 7.0)
    assert len(services.sessions.get("c0ffee00-call-4bad-8a11-000000000001").cart) == 1


def test_calls_past_the_limit_are_answered_not_run(client):
    assert MAX_TOOL_CALLS == 20  # README: a message's calls past the 20th each get an error entry
    call = VapiCall(client)
    entries = results(call.post(call.message([("quickAddItem", {"description": "a coke"})] * (MAX_TOOL_CALLS + 2))))
    assert len(entries) == MAX_TOOL_CALLS + 2
    assert json.loads(entries[MAX_TOOL_CALLS - 1]["result"])["cartSize"] == MAX_TOOL_CALLS
    past = f"Only {MAX_TOOL_CALLS} tool calls are run from one message; please make this one again."
    assert [e["error"] for e in entries[MAX_TOOL_CALLS:]] == [past, past + OFFER]
    assert call.ok("getCartState")["itemCount"] == MAX_TOOL_CALLS


def test_tool_calls_with_neither_call_nor_chat_are_answered_with_errors(client):
    body = VapiCall(client).message([("getCartState", {})])
    del body["message"]["call"]
    [entry] = results(client.post("/webhook", json=body))
    assert entry["error"] == "This message has neither a call nor a chat, so there is no order to work on."


def test_an_empty_tool_call_list_is_an_empty_answer(client):
    response = client.post("/webhook", json={"message": {"type": "tool-calls", "toolCallList": [],
                                                         "toolWithToolCallList": [], "call": {"id": "x"}}})
    assert (response.status_code, response.get_json()) == (200, {})


@pytest.mark.parametrize("body", [b"{not json", b"[]", b'{"message": 5}', b'{"message": {}}',
                                  b'{"message": {"type": 7}}', b'{"event": "tool-calls"}'])
def test_only_a_body_that_is_not_a_vapi_message_is_400(client, body):
    response = client.post("/webhook", data=body, content_type="application/json")
    assert response.status_code == 400


# -- every message type ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", PUBLISHED_TYPES + ["some-type-vapi-adds-next-year"])
def test_every_published_and_future_message_type_gets_200(client, kind):
    body = {"message": {"type": kind, "timestamp": 1764230400123,
                        "call": {"id": "9d1f2c3b-0000-4000-8000-00000000abcd", "type": "inboundPhoneCall"}}}
    response = client.post("/webhook", json=body)
    assert (response.status_code, response.get_json()) == (200, {})


# -- assistant-request ----------------------------------------------------------------------------------------
@pytest.fixture
def shop(tmp_path, clock):
    """An app with the shop's assistant configured; `make(**settings)` for other settings."""
    apps = []

    def make(**changes):
        settings = Settings(database_url=f"sqlite:///{tmp_path}/orders.db", allow_unauthenticated=True,
                            send_sms_in_background=False, vapi_assistant_id=ASSISTANT).replace(**changes)
        app = create_app(settings, clock=clock, start_sender=False)
        apps.append(app)
        return app
    yield make
    for app in apps:
        app.extensions["kebabalab"].stop_background()


def ask(app) -> dict:
    response = app.test_client().post("/webhook", json=vapi_fixture("assistant-request.json"))
    assert response.status_code == 200
    return response.get_json()


def test_assistant_request_names_the_assistant_and_what_it_knows_of_a_new_caller(shop):
    assert ask(shop()) == {"assistantId": ASSISTANT, "assistantOverrides": {"variableValues": {
        "shopName": "Kebabalab", "customerFirstName": "", "lastOrder": "", "lastOrderTotal": "", "isOpen": "yes",
        "closesAt": "2 am", "nextOpening": "tomorrow at 11 am", "pickupLeadMinutes": 15}}}


def test_assistant_request_greets_a_returning_caller_by_first_name_with_the_last_order(shop):
    app = shop()
    call = VapiCall(app.test_client())
    call.ok("quickAddItem", description="a large lamb kebab with garlic sauce and 2 cokes")
    call.ok("estimateReadyTime")
    call.ok("createOrder", customerName="Nguyễn Văn\u200b An")
    values = ask(app)["assistantOverrides"]["variableValues"]
    assert (values["customerFirstName"], values["lastOrder"], values["lastOrderTotal"]) == (
        "Nguyễn", "large lamb kebab, garlic sauce; 2 x coke can", "$22")
    assert values["pickupLeadMinutes"] == 17  # the order just placed is in the kitchen's queue


def test_assistant_request_when_closed_says_when_we_open(shop, clock):
    clock.set(melbourne(2026, 11, 30, 9, 0))  # Monday 9 am: opens at 11
    assert ask(shop()) == {"error": "Thanks for calling Kebabalab. We're not taking orders right now; "
                                    "we open again at 11 am."}


def test_assistant_request_when_closed_can_transfer_to_the_shop(shop, clock):
    clock.set(melbourne(2026, 11, 30, 9, 0))
    assert ask(shop(assistant_request_when_closed="transfer")) == {"destination": {
        "type": "number", "number": "+61395345588",
        "message": "Thanks for calling Kebabalab. We're not taking orders right now; we open again at 11 am."}}


def test_assistant_request_when_orders_are_paused(shop):
    app = shop()
    app.extensions["kebabalab"].availability.set_paused(True)
    assert ask(app) == {"error": "Thanks for calling Kebabalab. The kitchen has paused phone orders for a few "
                                 "minutes; please call back shortly."}


def test_assistant_request_without_an_assistant_configured_reaches_the_shop(shop):
    assert ask(shop(vapi_assistant_id="")) == {"destination": {
        "type": "number", "number": "+61395345588", "message": "Sorry, our phone orders aren't working right now."}}


def test_assistant_request_when_closed_setting_is_checked_at_start():
    with pytest.raises(ConfigError, match="ASSISTANT_REQUEST_WHEN_CLOSED must be say or transfer, not 'hangup'"):
        Settings.from_env({"ASSISTANT_REQUEST_WHEN_CLOSED": "hangup"})


# -- HMAC as Vapi's HMACAuthenticationPlan allows ----------------------------------------------------------------
BODY = json.dumps(vapi_fixture("tool-calls.json")).encode()
NOW = 1764230400.0


def sign(key: str, payload: bytes, algorithm: str, encoding: str) -> str:
    raw = hmac.new(key.encode(), payload, getattr(hashlib, algorithm)).digest()
    return raw.hex() if encoding == "hex" else base64.b64encode(raw).decode()


@pytest.mark.parametrize("env,headers", [
    ({}, lambda: {"x-signature": sign("k", b"1764230400." + BODY, "sha256", "hex"), "x-timestamp": "1764230400"}),
    ({"VAPI_HMAC_ALGORITHM": "sha512", "VAPI_HMAC_ENCODING": "base64"},
     lambda: {"x-signature": sign("k", b"1764230400." + BODY, "sha512", "base64"), "x-timestamp": "1764230400"}),
    ({"VAPI_HMAC_ALGORITHM": "sha1"},
     lambda: {"X-Signature": sign("k", b"1764230400000." + BODY, "sha1", "hex"), "X-Timestamp": "1764230400000"}),
    ({"VAPI_HMAC_SIGNATURE_PREFIX": "sha256=", "VAPI_HMAC_SIGNATURE_HEADER": "X-Hub-Signature-256"},
     lambda: {"X-Hub-Signature-256": "sha256=" + sign("k", b"1764230400." + BODY, "sha256", "hex"),
              "x-timestamp": "1764230400"}),
    ({"VAPI_HMAC_PAYLOAD_FORMAT": "v1:{timestamp}:{body}", "VAPI_HMAC_TIMESTAMP_HEADER": "x-vapi-time"},
     lambda: {"x-signature": sign("k", b"v1:1764230400:" + BODY, "sha256", "hex"), "x-vapi-time": "1764230400"}),
    ({"VAPI_HMAC_PAYLOAD_FORMAT": "{body}"}, lambda: {"x-signature": sign("k", BODY, "sha256", "hex")}),
], ids=["vapi-defaults", "sha512-base64", "sha1-milliseconds", "github-style-prefix", "custom-format", "body-only"])
def test_each_hmac_plan_verifies_what_vapi_signs_and_nothing_else(env, headers):
    plan = Settings.from_env({"VAPI_HMAC_SECRET": "k", **env}).vapi_hmac_plan
    good = headers()
    assert signature_matches(good, BODY, "k", NOW, plan) is True
    assert signature_matches(good, BODY + b" ", "k", NOW, plan) is False
    assert signature_matches(good, BODY, "other-key", NOW, plan) is False
    if plan.signs_timestamp:
        assert signature_matches(good, BODY, "k", NOW + 301, plan) is False


def test_a_signature_without_the_configured_prefix_is_refused():
    plan = HmacPlan(signature_prefix="v1=").check()
    bare = sign("k", b"1764230400." + BODY, "sha256", "hex")
    assert signature_matches({"x-signature": bare, "x-timestamp": "1764230400"}, BODY, "k", NOW, plan) is False
    assert signature_matches({"x-signature": "v1=" + bare, "x-timestamp": "1764230400"}, BODY, "k", NOW, plan)


def test_the_webhook_uses_the_configured_plan(clock, tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/orders.db", "VAPI_HMAC_SECRET": "k",
           "VAPI_HMAC_ALGORITHM": "sha512", "VAPI_HMAC_ENCODING": "base64"}
    app = create_app(Settings.from_env(env).replace(send_sms_in_background=False), clock=clock, start_sender=False)
    stamp = str(int(clock.now().timestamp()))
    good = {"x-signature": sign("k", stamp.encode() + b"." + BODY, "sha512", "base64"), "x-timestamp": stamp}
    wrong = {"x-signature": sign("k", stamp.encode() + b"." + BODY, "sha256", "hex"), "x-timestamp": stamp}
    client = app.test_client()
    assert client.post("/webhook", data=BODY, content_type="application/json", headers=good).status_code == 200
    assert client.post("/webhook", data=BODY, content_type="application/json", headers=wrong).status_code == 401
    app.extensions["kebabalab"].stop_background()


@pytest.mark.parametrize("env,message", [
    ({"VAPI_HMAC_ALGORITHM": "md5"}, "VAPI_HMAC_ALGORITHM must be sha256, sha512 or sha1, not 'md5'"),
    ({"VAPI_HMAC_ENCODING": "base32"}, "VAPI_HMAC_ENCODING must be hex or base64, not 'base32'"),
    ({"VAPI_HMAC_SIGNATURE_HEADER": "x signature"},
     "VAPI_HMAC_SIGNATURE_HEADER must be an HTTP header name like x-signature, not 'x signature'"),
    ({"VAPI_HMAC_TIMESTAMP_HEADER": "x-time:"},
     "VAPI_HMAC_TIMESTAMP_HEADER must be an HTTP header name like x-signature, not 'x-time:'"),
    ({"VAPI_HMAC_PAYLOAD_FORMAT": "{timestamp}"},
     "VAPI_HMAC_PAYLOAD_FORMAT must contain {body} and may contain {timestamp}, nothing else in braces, "
     "not '{timestamp}'"),
    ({"VAPI_HMAC_PAYLOAD_FORMAT": "{method}.{url}.{body}"},
     "VAPI_HMAC_PAYLOAD_FORMAT must contain {body} and may contain {timestamp}, nothing else in braces, "
     "not '{method}.{url}.{body}'"),
])
def test_an_hmac_plan_this_server_cannot_verify_is_refused_at_start(env, message):
    with pytest.raises(ConfigError) as refused:
        Settings.from_env(env)
    assert str(refused.value) == message
