"""Only Vapi gets in: the webhook's credentials, limits, CORS and error replies (issue #4, SECURITY.md).

A refused request must change nothing: every refusal test checks that the call's session does not exist
and that no order or outbox row was written, and a control test shows the very same body with the right
credential does change them (so the refusal tests can fail).
"""
from __future__ import annotations

import hashlib
import hmac
import io
import json
import re
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st

from conftest import VapiCall
from test_properties import good_calls
from kebabalab.config import Settings
from kebabalab.store import database_path
from kebabalab.errors import StoreError
from kebabalab.store.rate_limits import RateLimiter
from kebabalab.web.security import timestamp_seconds
from kebabalab.web.app import MAX_BODY_BYTES, create_app
from kebabalab.tools import GENERIC_ERROR

ROOT = Path(__file__).parents[2]
SECRET = "s3cret-4f9a2c7d0e1b"
HMAC_KEY = "hmac-key-8d2e6a1f3c"
CALL_ID = "call-auth-1"


# -- helpers --------------------------------------------------------------------------------
def make_app(settings: Settings, clock, **changes):
    return create_app(settings.replace(allow_unauthenticated=False, **changes), clock=clock, start_sender=False)


@pytest.fixture
def secured(settings, clock):
    """An app that wants the shared secret (X-Vapi-Secret or Bearer) or the HMAC signature."""
    app = make_app(settings, clock, vapi_webhook_secret=SECRET, vapi_hmac_secret=HMAC_KEY)
    yield app
    app.extensions["kebabalab"].stop_background()


@pytest.fixture
def secured_client(secured):
    return secured.test_client()


def stored_rows(services) -> tuple[list, list]:
    """Every order row and every outbox row, straight from the database file."""
    with sqlite3.connect(database_path(services.settings.database_url)) as conn:
        return (conn.execute("SELECT * FROM orders").fetchall(), conn.execute("SELECT * FROM outbox").fetchall())


def state_changing_body(call_id: str = CALL_ID) -> bytes:
    """A message that, accepted, creates the call's session, a cart line and an outbox row (the menu text)."""
    calls = [{"id": "tc_add", "type": "function", "function": {"name": "quickAddItem", "arguments": {
        "description": "a large lamb kebab with garlic sauce"}}},
        {"id": "tc_text", "type": "function", "function": {"name": "sendMenuLink", "arguments": {}}}]
    body = {"message": {"type": "tool-calls", "toolCallList": calls,
                        "call": {"id": call_id, "customer": {"number": "+61412345678"}}}}
    return json.dumps(body, separators=(",", ":")).encode()


def signed(body: bytes, stamp: str, key: str = HMAC_KEY) -> dict:
    digest = hmac.new(key.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return {"X-Timestamp": stamp, "X-Signature": digest}


def now_seconds(clock) -> int:
    return int(clock.now().timestamp())


def post(client, body: bytes, headers: dict, **kwargs):
    return client.post("/webhook", data=body, headers=headers, content_type="application/json", **kwargs)


def assert_nothing_changed(services, call_id: str = CALL_ID) -> None:
    assert services.sessions.get(call_id) is None
    assert stored_rows(services) == ([], [])


def assert_refused(response, status: int = 401) -> None:
    assert response.status_code == status
    assert response.is_json
    if status == 401:
        assert response.get_json() == {"error": "missing or wrong webhook credential"}


# -- 1. authentication ------------------------------------------------------------------------
def test_the_right_secret_changes_state_which_is_what_the_refusal_tests_rule_out(secured_client, secured):
    services = secured.extensions["kebabalab"]
    response = post(secured_client, state_changing_body(), {"X-Vapi-Secret": SECRET})
    assert response.status_code == 200
    added, texted = response.get_json()["results"]
    assert json.loads(added["result"])["total"] == 15.0
    assert json.loads(texted["result"])["sentTo"] == "+614••••5678"
    assert [line.item_id for line in services.sessions.get(CALL_ID).cart] == ["KEBAB"]
    orders, outbox = stored_rows(services)
    assert (len(orders), len(outbox)) == (0, 1)


@pytest.mark.parametrize("headers", [
    {"X-Vapi-Secret": SECRET},
    {"Authorization": f"Bearer {SECRET}"},
    {"Authorization": f"bearer   {SECRET}  "},
    {"X-Vapi-Secret": "wrong", "Authorization": f"Bearer {SECRET}"},
], ids=["x-vapi-secret", "bearer", "bearer-lowercase-spaces", "bearer-beside-a-wrong-header"])
def test_shared_secret_is_accepted_as_vapi_sends_it(secured_client, headers):
    response = post(secured_client, state_changing_body(), headers)
    assert response.status_code == 200
    assert len(response.get_json()["results"]) == 2


@pytest.mark.parametrize("headers", [
    {},
    {"X-Vapi-Secret": "wrong-secret"},
    {"X-Vapi-Secret": SECRET[:-1]},
    {"X-Vapi-Secret": SECRET + "x"},
    {"X-Vapi-Secret": ""},
    {"Authorization": "Bearer wrong-secret"},
    {"Authorization": f"Basic {SECRET}"},
    {"Authorization": SECRET},
    {"X-Signature": "0" * 64},
], ids=["none", "wrong", "prefix", "longer", "empty", "wrong-bearer", "basic-scheme", "no-scheme",
        "signature-without-timestamp"])
def test_unauthenticated_and_wrong_secret_requests_change_nothing(secured_client, secured, headers):
    response = post(secured_client, state_changing_body(), headers)
    assert_refused(response)
    assert_nothing_changed(secured.extensions["kebabalab"])


def test_a_wrong_secret_with_a_malformed_body_is_401_before_the_body_is_parsed(secured_client, monkeypatch):
    parsed = []
    monkeypatch.setattr("kebabalab.web.app.parse_server_message", lambda body: parsed.append(body))
    response = post(secured_client, b'{"message": {not json', {"X-Vapi-Secret": "wrong"})
    assert_refused(response)
    assert parsed == []


def test_the_right_secret_with_a_malformed_body_is_400(secured_client):
    response = post(secured_client, b'{"message": {not json', {"X-Vapi-Secret": SECRET})
    assert (response.status_code, response.get_json()) == (400, {"error": "body is not valid JSON"})


@pytest.mark.parametrize("unit", ["seconds", "milliseconds"])
def test_hmac_signature_is_accepted_with_seconds_or_milliseconds(secured_client, secured, clock, unit):
    stamp = str(now_seconds(clock) * (1000 if unit == "milliseconds" else 1))
    body = state_changing_body()
    response = post(secured_client, body, signed(body, stamp))
    assert response.status_code == 200
    assert secured.extensions["kebabalab"].sessions.get(CALL_ID) is not None


@pytest.mark.parametrize("offset,accepted", [(-299, True), (299, True), (-301, False), (301, False),
                                             (-86400, False)],
                         ids=["299s-old", "299s-ahead", "stale-301s", "future-301s", "a-day-old"])
@pytest.mark.parametrize("unit", [1, 1000], ids=["s", "ms"])
def test_hmac_timestamp_must_be_within_five_minutes(secured_client, secured, clock, offset, accepted, unit):
    body = state_changing_body()
    stamp = str((now_seconds(clock) + offset) * unit)
    response = post(secured_client, body, signed(body, stamp))
    if accepted:
        assert response.status_code == 200
    else:
        assert_refused(response)
        assert_nothing_changed(secured.extensions["kebabalab"])


def tampered(body: bytes) -> bytes:
    return body.replace(b"a large lamb kebab", b"99 large lamb kebabs")


def reserialised(body: bytes) -> bytes:
    return json.dumps(json.loads(body), indent=1).encode()  # same JSON value, different bytes


@pytest.mark.parametrize("change", [tampered, reserialised, lambda b: b + b" ", lambda b: b[:-1] + b" }"],
                         ids=["tampered-body", "re-serialised-body", "trailing-space", "respaced"])
def test_hmac_covers_the_raw_body_exactly_as_sent(secured_client, secured, clock, change):
    body = state_changing_body()
    headers = signed(body, str(now_seconds(clock)))
    sent = change(body)
    assert sent != body and json.loads(sent)["message"]["call"]["id"] == CALL_ID
    assert_refused(post(secured_client, sent, headers))
    assert_nothing_changed(secured.extensions["kebabalab"])


@pytest.mark.parametrize("headers", [
    lambda body, now: signed(body, str(now), key="another-key"),
    lambda body, now: {**signed(body, str(now)), "X-Timestamp": str(now + 1)},
    lambda body, now: {"X-Timestamp": str(now), "X-Signature": "zz" * 32},
    lambda body, now: {**signed(body, str(now)), "X-Timestamp": "²"},
    lambda body, now: {**signed(body, str(now)), "X-Timestamp": "١٧٩٨٣٤٥٦٠٠"},
    lambda body, now: {**signed(body, str(now)), "X-Timestamp": f"{now}.5"},
    lambda body, now: {**signed(body, str(now)), "X-Timestamp": "9" * 40},
    lambda body, now: {**signed(body, str(now)), "X-Timestamp": ""},
], ids=["wrong-key", "timestamp-changed-after-signing", "not-hex", "superscript-digit", "arabic-digits",
        "fractional", "huge", "empty"])
def test_bad_hmac_headers_are_401_never_500(secured_client, secured, clock, headers):
    body = state_changing_body()
    assert_refused(post(secured_client, body, headers(body, now_seconds(clock))))
    assert_nothing_changed(secured.extensions["kebabalab"])


@pytest.mark.parametrize("stamp,seconds", [("1798345600", 1798345600.0), ("1798345600123", 1798345600.123),
                                           ("0", 0.0), ("12a", None), ("", None), ("-5", None), ("²", None)])
def test_timestamps_in_seconds_or_milliseconds(stamp, seconds):
    assert timestamp_seconds(stamp) == seconds


@pytest.mark.parametrize("path", ["secret", "bearer", "hmac"])
def test_credentials_are_compared_with_hmac_compare_digest(secured_client, clock, monkeypatch, path):
    """Constant time by inspection: the decision is hmac.compare_digest's, so when it says no, nothing passes."""
    calls = []
    real = hmac.compare_digest

    def recording(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", recording)
    body = state_changing_body()
    headers = {"secret": {"X-Vapi-Secret": SECRET}, "bearer": {"Authorization": f"Bearer {SECRET}"},
               "hmac": signed(body, str(now_seconds(clock)))}[path]
    assert post(secured_client, body, headers).status_code == 200
    assert calls and any(real(a, b) for a, b in calls)
    monkeypatch.setattr(hmac, "compare_digest", lambda a, b: False)
    assert_refused(post(secured_client, body, headers))


def test_during_a_rotation_the_new_and_the_old_secret_both_work(settings, clock):
    app = make_app(settings, clock, vapi_webhook_secret="new-secret-1, old-secret-0",
                   vapi_hmac_secret="new-key-1,old-key-0")
    client, body = app.test_client(), state_changing_body()
    stamp = str(now_seconds(clock))
    for headers in ({"X-Vapi-Secret": "new-secret-1"}, {"Authorization": "Bearer old-secret-0"},
                    signed(body, stamp, key="new-key-1"), signed(body, stamp, key="old-key-0")):
        assert post(client, body, headers).status_code == 200
    for headers in ({"X-Vapi-Secret": "new-secret-1, old-secret-0"}, {"X-Vapi-Secret": "new-secret-1,"},
                    {"X-Vapi-Secret": ","}, signed(body, stamp, key="new-key-1,old-key-0")):
        assert_refused(post(client, body, headers))
    app.extensions["kebabalab"].stop_background()


def test_hmac_signature_may_carry_a_sha256_prefix(secured_client, clock):
    body = state_changing_body()
    headers = signed(body, str(now_seconds(clock)))
    headers["X-Signature"] = "sha256=" + headers["X-Signature"].upper()
    assert post(secured_client, body, headers).status_code == 200


def test_no_credential_configured_refuses_everything_unless_allowed(settings, clock):
    app = make_app(settings, clock)
    client = app.test_client()
    assert_refused(post(client, state_changing_body(), {"X-Vapi-Secret": ""}))
    assert_nothing_changed(app.extensions["kebabalab"])
    app.extensions["kebabalab"].stop_background()


def test_allowing_unauthenticated_requests_logs_a_warning_at_every_start(settings, clock, caplog):
    app = create_app(settings, clock=clock, start_sender=False)
    app.extensions["kebabalab"].stop_background()
    warnings = [r.getMessage() for r in caplog.records if r.name == "kebabalab.web.app" and r.levelname == "WARNING"]
    assert len(warnings) == 1 and "accepts unauthenticated requests" in warnings[0]
    caplog.clear()
    make_app(settings, clock, vapi_webhook_secret=SECRET).extensions["kebabalab"].sender.stop()
    assert [r for r in caplog.records if "unauthenticated" in r.getMessage()] == []


def test_neither_secret_appears_in_logs_or_replies(secured_client, clock, caplog, capfd):
    body = state_changing_body()
    replies = [post(secured_client, body, {"X-Vapi-Secret": SECRET}).get_data(as_text=True),
               post(secured_client, body, {"X-Vapi-Secret": SECRET + "-guess"}).get_data(as_text=True),
               post(secured_client, body, signed(body, str(now_seconds(clock)))).get_data(as_text=True)]
    out, err = capfd.readouterr()
    for text in [*replies, out, err, caplog.text]:
        assert SECRET not in text and HMAC_KEY not in text


# -- 3. limits --------------------------------------------------------------------------------
def test_a_body_over_one_megabyte_is_413_before_authentication(secured_client, secured):
    response = post(secured_client, b" " * (MAX_BODY_BYTES + 1), {"X-Vapi-Secret": SECRET})
    assert (response.status_code, response.get_json()) == (413, {"error": "body too large (1 MB at most)"})
    response = post(secured_client, state_changing_body() + b" " * MAX_BODY_BYTES, {})
    assert response.status_code == 413
    assert_nothing_changed(secured.extensions["kebabalab"])


def test_a_chunked_body_over_one_megabyte_is_413_not_cut_short(secured_client, secured):
    """No Content-Length (Transfer-Encoding: chunked): the limit still holds, and the body is not truncated."""
    body = state_changing_body() + b" " * MAX_BODY_BYTES
    response = secured_client.post("/webhook", input_stream=io.BytesIO(body),
                                   headers={"Transfer-Encoding": "chunked", "X-Vapi-Secret": SECRET},
                                   environ_overrides={"wsgi.input_terminated": True})
    assert (response.status_code, response.get_json()) == (413, {"error": "body too large (1 MB at most)"})
    assert_nothing_changed(secured.extensions["kebabalab"])


def test_a_body_of_exactly_one_megabyte_is_served(secured_client):
    body = state_changing_body()
    body += b" " * (MAX_BODY_BYTES - len(body))
    assert len(body) == MAX_BODY_BYTES
    assert post(secured_client, body, {"X-Vapi-Secret": SECRET}).status_code == 200


def tool_message(call_id: str, count: int) -> dict:
    calls = [("quickAddItem", {"description": "a coke"})] * count
    return VapiCall(None, call_id=call_id).message(calls)


def test_tool_calls_are_limited_per_call_id_counting_each_tool_call(settings, clock):
    app = create_app(settings.replace(tool_calls_per_minute=5), clock=clock, start_sender=False)
    client, services = app.test_client(), app.extensions["kebabalab"]
    assert client.post("/webhook", json=tool_message("busy", 3)).status_code == 200
    refused = client.post("/webhook", json=tool_message("busy", 3))  # 3 + 3 > 5: refused whole
    assert (refused.status_code, refused.get_json()) == (429, {"error": "too many tool calls for this call"})
    assert refused.headers["Retry-After"] == "60"
    assert len(services.sessions.get("busy").cart) == 3
    assert client.post("/webhook", json=tool_message("busy", 2)).status_code == 200  # 5 of 5
    clock.advance(seconds=30)
    again = client.post("/webhook", json=tool_message("busy", 1))
    assert (again.status_code, again.headers["Retry-After"]) == (429, "30")
    assert client.post("/webhook", json=tool_message("other-call", 5)).status_code == 200  # per call, not per IP
    clock.advance(seconds=30)
    assert client.post("/webhook", json=tool_message("busy", 3)).status_code == 200  # the window has passed
    assert sum(line.quantity for line in services.sessions.get("busy").cart) == 8
    app.extensions["kebabalab"].stop_background()


def test_a_call_end_is_never_rate_limited(settings, clock):
    app = create_app(settings.replace(tool_calls_per_minute=1), clock=clock, start_sender=False)
    client = app.test_client()
    assert client.post("/webhook", json=tool_message("c", 1)).status_code == 200
    assert client.post("/webhook", json=tool_message("c", 1)).status_code == 429
    VapiCall(client, call_id="c").end()
    assert app.extensions["kebabalab"].sessions.get("c") is None
    app.extensions["kebabalab"].stop_background()


def test_failed_authentications_are_limited_per_ip_and_never_lock_out_vapi(settings, clock):
    app = make_app(settings, clock, vapi_webhook_secret=SECRET, auth_failures_per_minute=3)
    client, body = app.test_client(), state_changing_body()
    attacker = {"REMOTE_ADDR": "203.0.113.9"}
    for _ in range(3):
        assert_refused(post(client, body, {"X-Vapi-Secret": "guess"}, environ_base=attacker))
    limited = post(client, body, {"X-Vapi-Secret": "guess"}, environ_base=attacker)
    assert (limited.status_code, limited.get_json()) == (429, {"error": "too many failed authentications"})
    assert limited.headers["Retry-After"] == "60"
    assert_refused(post(client, body, {"X-Vapi-Secret": "guess"}, environ_base={"REMOTE_ADDR": "198.51.100.7"}))
    assert_nothing_changed(app.extensions["kebabalab"])
    assert post(client, body, {"X-Vapi-Secret": SECRET}, environ_base=attacker).status_code == 200
    clock.advance(seconds=60)
    assert_refused(post(client, body, {"X-Vapi-Secret": "guess"}, environ_base=attacker))
    app.extensions["kebabalab"].stop_background()


def test_texts_per_call_are_capped(settings, clock):
    app = create_app(settings.replace(max_texts_per_call=2), clock=clock, start_sender=False)
    call = VapiCall(app.test_client(), call_id="texty")
    assert call.ok("sendMenuLink")["sentTo"] == "+614••••5678"
    assert call.ok("sendMenuLink", phoneNumber="0412 999 888")["sentTo"] == "+614••••9888"
    assert call.error("sendMenuLink", phoneNumber="0412 777 666") == \
        "I've already sent 2 texts on this call; I can't send more."
    _, outbox = stored_rows(app.extensions["kebabalab"])
    assert len(outbox) == 2
    app.extensions["kebabalab"].stop_background()


@pytest.mark.parametrize("limit,costs,waits", [
    (5, [3, 3, 2, 1], [0, 60, 0, 60]),
    (2, [3], [60]),
    (4, [1, 1, 1, 1, 1], [0, 0, 0, 0, 60]),
])
def test_rate_limiter_spends_costs_and_refuses_whole(clock, limit, costs, waits):
    limiter = RateLimiter(clock, limit)
    assert [limiter.hit("k", cost) for cost in costs] == waits


def test_rate_limiter_retry_after_counts_down_to_the_oldest_hit(clock):
    limiter = RateLimiter(clock, 2)
    assert limiter.hit("k") == 0
    clock.advance(seconds=20)
    assert limiter.hit("k") == 0
    assert limiter.hit("k") == 40
    clock.advance(seconds=40)
    assert limiter.hit("k") == 0
    assert limiter.hit("k") == 20


# -- 2. CORS ----------------------------------------------------------------------------------
def preflight(client, path: str, origin: str):
    return client.options(path, headers={"Origin": origin, "Access-Control-Request-Method": "POST",
                                         "Access-Control-Request-Headers": "content-type,x-vapi-secret"})


@pytest.mark.parametrize("origin", ["https://api.vapi.ai", "https://vapi.ai"])
def test_cors_preflight_from_vapi_is_allowed_on_the_webhook(secured_client, secured, origin):
    response = preflight(secured_client, "/webhook", origin)
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == origin
    assert_nothing_changed(secured.extensions["kebabalab"])


@pytest.mark.parametrize("origin", ["https://evil.example", "https://api.vapi.ai.evil.example", "null"])
def test_cors_preflight_from_another_origin_gets_no_allow_origin(secured_client, origin):
    response = preflight(secured_client, "/webhook", origin)
    assert "Access-Control-Allow-Origin" not in response.headers


def test_cors_is_a_browser_rule_not_the_protection(secured_client, secured):
    """A request from an allowed origin without the credential is still 401: CORS does not let it in."""
    response = post(secured_client, state_changing_body(), {"Origin": "https://api.vapi.ai"})
    assert_refused(response)
    assert_nothing_changed(secured.extensions["kebabalab"])


def test_health_is_public_to_any_origin(secured_client):
    response = secured_client.get("/health", headers={"Origin": "https://evil.example"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "https://evil.example"  # any origin, reflected
    assert response.get_json()["status"] == "healthy"


def test_allowed_origins_come_from_the_environment(tmp_path, clock):
    settings = Settings.from_env({"ALLOWED_ORIGINS": "https://shop.example, https://other.example",
                                  "DATABASE_URL": f"sqlite:///{tmp_path}/o.db", "VAPI_WEBHOOK_SECRET": SECRET})
    assert settings.allowed_origins == ("https://shop.example", "https://other.example")
    assert Settings.from_env({}).allowed_origins == ("https://api.vapi.ai", "https://vapi.ai")
    app = create_app(settings, clock=clock, start_sender=False)
    client = app.test_client()
    assert preflight(client, "/webhook", "https://shop.example").headers["Access-Control-Allow-Origin"] == \
        "https://shop.example"
    assert "Access-Control-Allow-Origin" not in preflight(client, "/webhook", "https://api.vapi.ai").headers
    app.extensions["kebabalab"].stop_background()


# -- 4. errors ----------------------------------------------------------------------------------
LEAKY = "/srv/kebabalab/kebabalab/db/orders.py: SELECT * FROM orders WHERE customer_phone = '+61412345678'"


@pytest.mark.parametrize("error", [RuntimeError(LEAKY), StoreError(LEAKY), sqlite3.OperationalError(LEAKY),
                                   KeyError(LEAKY)], ids=["runtime", "store", "sqlite", "key"])
def test_no_exception_text_path_or_sql_reaches_a_tool_reply(vapi, monkeypatch, error):
    def boom(*args, **kwargs):
        raise error

    monkeypatch.setattr("kebabalab.ordering.pricing.cart_total", boom)
    response = vapi.post(vapi.message([("priceCart", {})]))
    assert response.status_code == 200
    [entry] = response.get_json()["results"]
    assert entry == {"toolCallId": entry["toolCallId"], "name": "priceCart", "error": GENERIC_ERROR}
    for leak in ("/srv", "SELECT", "orders.py", "+61412345678", "Traceback"):
        assert leak not in response.get_data(as_text=True)


def test_an_unexpected_error_outside_a_tool_is_a_500_json_sentence(client, monkeypatch):
    def boom(body):
        raise OSError(LEAKY)

    monkeypatch.setattr("kebabalab.web.app.parse_server_message", boom)
    response = client.post("/webhook", json={"message": {"type": "tool-calls"}})
    assert (response.status_code, response.get_json()) == (500, {"error": "internal error"})
    assert "SELECT" not in response.get_data(as_text=True)


@pytest.mark.parametrize("method,path,status", [("get", "/nope", 404), ("get", "/webhook", 405),
                                                ("put", "/health", 405), ("get", "/metrics", 401)])
def test_other_requests_get_json_errors_not_html(client, method, path, status):
    response = getattr(client, method)(path)
    assert response.status_code == status
    assert response.is_json and set(response.get_json()) == {"error"}


def test_an_unknown_tool_name_is_not_echoed_when_it_holds_control_characters(vapi):
    assert vapi.error("evil\x1b[2J\u202eTool") == "There's no tool called that; please use one of the listed tools."
    assert VapiCall(vapi.client, call_id="call-2").error("placeOrderNow") == \
        "There's no tool called placeOrderNow; please use one of the listed tools."  # a call's first failure


# -- properties: authenticated and not --------------------------------------------------------
PROPERTY_SETTINGS = hypothesis_settings(max_examples=80, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture
def roomy(settings, clock):
    """The secured app with limits high enough that hypothesis's many examples are never rate-limited."""
    app = make_app(settings, clock, vapi_webhook_secret=SECRET, tool_calls_per_minute=100_000,
                   auth_failures_per_minute=100_000)
    yield app
    app.extensions["kebabalab"].stop_background()


def property_strategies():
    from test_properties import argument_dicts, json_values, tool_names
    return argument_dicts, json_values, tool_names


_arguments, _json_values, _tool_names = property_strategies()


@PROPERTY_SETTINGS
@given(calls=st.lists(st.tuples(_tool_names, _arguments | st.text(max_size=40)), min_size=1, max_size=4),
       headers=st.sampled_from([{}, {"X-Vapi-Secret": "nope"}, {"Authorization": "Bearer nope"},
                                {"X-Timestamp": "1798345600", "X-Signature": "0" * 64}]))
def test_any_payload_without_the_credential_is_401_and_stores_nothing(roomy, calls, headers):
    client, services = roomy.test_client(), roomy.extensions["kebabalab"]
    body = {"message": {"type": "tool-calls", "call": {"id": "prop-1", "customer": {"number": "+61412345678"}},
                        "toolCallList": [{"id": f"t{n}", "function": {"name": name, "arguments": args}}
                                         for n, (name, args) in enumerate(calls)]}}
    assert_refused(client.post("/webhook", json=body, headers=headers))
    assert_nothing_changed(services, "prop-1")


@PROPERTY_SETTINGS
@given(calls=st.lists(st.tuples(_tool_names, _arguments | st.text(max_size=40)), min_size=1, max_size=4),
       real=good_calls, call_id=st.sampled_from(["prop-1", "prop-2"]))
def test_authenticated_tool_calls_never_5xx_and_keep_carts_consistent(roomy, calls, real, call_id):
    from test_properties import check_carts, crashes
    calls = real + calls
    client, services = roomy.test_client(), roomy.extensions["kebabalab"]
    body = {"message": {"type": "tool-calls", "call": {"id": call_id, "customer": {"number": "+61412345678"}},
                        "toolCallList": [{"id": f"t{n}", "function": {"name": name, "arguments": args}}
                                         for n, (name, args) in enumerate(calls)]}}
    response = client.post("/webhook", json=body, headers={"X-Vapi-Secret": SECRET})
    assert response.status_code == 200 and response.is_json
    for entry in response.get_json()["results"]:
        text = entry.get("result", entry.get("error"))
        assert isinstance(text, str) and "\n" not in text and "Traceback" not in text
    check_carts(services, response.get_json()["results"])
    assert crashes(services) == 0


@PROPERTY_SETTINGS
@given(body=_json_values)
def test_any_authenticated_json_body_gets_a_json_reply_below_500(roomy, body):
    response = roomy.test_client().post("/webhook", data=json.dumps(body), content_type="application/json",
                                        headers={"X-Vapi-Secret": SECRET})
    assert response.status_code < 500 and response.is_json


# -- 7. SECURITY.md cannot drift from the tests --------------------------------------------------
TEST_REFERENCE = re.compile(r"`(tests/(?:\w+/)?test_\w+\.py)::(test_\w+)`")


def security_md_references() -> list[tuple[str, str]]:
    return TEST_REFERENCE.findall((ROOT / "SECURITY.md").read_text(encoding="utf-8"))


def test_every_test_named_in_security_md_exists():
    references = security_md_references()
    assert len(references) >= 25
    missing = [f"{path}::{name}" for path, name in references
               if not (ROOT / path).exists()
               or not re.search(rf"^def {name}\(", (ROOT / path).read_text(encoding="utf-8"), re.M)]
    assert missing == []


def test_the_checklists_run_command_runs_every_file_it_names():
    """'Run `python -m pytest ...`. If every box's test passes, the claim holds': only if the command runs them."""
    text = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    checklist = text.split("## Audit checklist", 1)[1].split("\n## ", 1)[0]
    command = re.search(r"Run `python -m pytest ([^`]*)`", checklist).group(1).split()
    named = {path for path, _ in TEST_REFERENCE.findall(checklist)}
    assert len(named) >= 10 and sorted(named - set(command)) == []


def test_every_checklist_line_of_security_md_names_a_test():
    text = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    checklist = text.split("## Audit checklist", 1)[1].split("\n## ", 1)[0]
    items = [line for line in checklist.splitlines() if line.startswith("- [")]
    assert len(items) >= 15
    assert [line for line in items if not TEST_REFERENCE.search(line)] == []


def test_the_gate_before_the_body_lets_a_request_signed_in_the_configured_header_through(settings, clock):
    """A plan with its own signature header (VAPI_HMAC_SIGNATURE_HEADER): the gate that refuses strangers before
    their body is read must wait for the body of a request signed in that header, not refuse it as unsigned."""
    from kebabalab.cli.request_framing import Head
    from kebabalab.config import _hmac_plan
    from kebabalab.web.webhook_gate import refusal_before_body

    plan = _hmac_plan({"VAPI_HMAC_SIGNATURE_HEADER": "X-Hub-Signature-256", "VAPI_HMAC_SIGNATURE_PREFIX": "sha256="})
    app = make_app(settings, clock, vapi_hmac_secret=HMAC_KEY, vapi_hmac_plan=plan)
    services = app.extensions["kebabalab"]
    try:
        signed = Head("POST", "/webhook", {"x-hub-signature-256": "sha256=" + "ab" * 32,
                                           "x-timestamp": str(int(clock.now().timestamp()))}, 0, "length")
        unsigned = Head("POST", "/webhook", {"x-timestamp": str(int(clock.now().timestamp()))}, 0, "length")
        assert (refusal_before_body(services, signed, ("127.0.0.1", 5000)),
                refusal_before_body(services, unsigned, ("127.0.0.1", 5000))) == \
            (None, (401, "missing or wrong webhook credential"))
    finally:
        services.stop_background()
