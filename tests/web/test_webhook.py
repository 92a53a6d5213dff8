"""The webhook as Vapi meets it: recorded payloads through the test client."""
import json

import pytest

from conftest import VapiCall, vapi_fixture


def results(response):
    assert response.status_code == 200
    assert response.is_json
    return response.get_json()["results"]


def test_sample_tool_call_adds_large_lamb_kebab(client, services):
    body = vapi_fixture("tool-calls.json")
    [entry] = results(client.post("/webhook", json=body))
    assert entry["toolCallId"] == "call_fzEwCjWnJsuwoeGQGbITcnpw"
    assert entry["name"] == "quickAddItem"
    assert "\n" not in entry["result"]
    result = json.loads(entry["result"])
    assert result["ok"] is True
    assert [(a["size"], a["protein"], a["category"], a["sauces"], a["lineTotal"]) for a in result["added"]] == [
        ("large", "lamb", "kebab", ["garlic"], 15.0)]
    assert result["total"] == 15.0 and result["cartSize"] == 1
    session = services.sessions.get("6b38c32e-6d5c-4d10-bce5-951581ddcd77")
    assert [line.item_id for line in session.cart] == ["KEBAB"]


def test_two_calls_with_string_arguments_answer_in_order(client):
    [first, second] = results(client.post("/webhook", json=vapi_fixture("tool-calls-two-string-args.json")))
    assert (first["toolCallId"], second["toolCallId"]) == ("call_A1", "call_B2")
    assert json.loads(first["result"])["added"][0]["brand"] == "coke"
    priced = json.loads(second["result"])
    assert (priced["total"], priced["gst"], priced["itemCount"]) == (7.0, 0.64, 2)


def test_tool_with_tool_call_list_only(client):
    body = vapi_fixture("tool-calls.json")
    del body["message"]["toolCallList"], body["message"]["toolCalls"]
    [entry] = results(client.post("/webhook", json=body))
    assert entry["toolCallId"] == "call_fzEwCjWnJsuwoeGQGbITcnpw"
    assert json.loads(entry["result"])["total"] == 15.0


def test_legacy_tool_calls_only(client):
    body = vapi_fixture("tool-calls.json")
    del body["message"]["toolCallList"], body["message"]["toolWithToolCallList"]
    [entry] = results(client.post("/webhook", json=body))
    assert json.loads(entry["result"])["cartSize"] == 1


def test_legacy_function_call_gets_a_plain_result(client):
    response = client.post("/webhook", json=vapi_fixture("function-call-legacy.json"))
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"result"}
    assert json.loads(body["result"])["isOpen"] is True


def test_web_call_without_number_gets_a_new_caller_context(client):
    [entry] = results(client.post("/webhook", json=vapi_fixture("tool-calls-web-call.json")))
    result = json.loads(entry["result"])
    assert (result["isReturningCustomer"], result["phone"], result["orderCount"]) == (False, None, 0)


@pytest.mark.parametrize("name", ["hang.json", "transcript.json"])
def test_fire_and_forget_messages_get_empty_object(client, name):
    response = client.post("/webhook", json=vapi_fixture(name))
    assert (response.status_code, response.get_json()) == (200, {})


@pytest.mark.parametrize("name", ["status-update-ended.json", "end-of-call-report.json"])
def test_call_end_frees_the_session(client, services, name):
    call = VapiCall(client, call_id="6b38c32e-6d5c-4d10-bce5-951581ddcd77")
    call.ok("quickAddItem", description="2 cokes")
    assert services.sessions.get(call.call_id) is not None
    response = client.post("/webhook", json=vapi_fixture(name))
    assert (response.status_code, response.get_json()) == (200, {})
    assert services.sessions.get(call.call_id) is None


def test_two_calls_from_one_number_have_two_carts(client):
    first = VapiCall(client, call_id="a", number="+61412345678")
    second = VapiCall(client, call_id="b", number="+61412345678")
    first.ok("quickAddItem", description="a large lamb kebab")
    second.ok("quickAddItem", description="2 cokes")
    assert first.ok("getCartState")["total"] == 15.0
    assert second.ok("getCartState")["total"] == 7.0


@pytest.mark.parametrize("body,status", [
    (b"{not json", 400), (b"[]", 400), (b'{"message": 5}', 400), (b'{"message": {}}', 400),
    (b"\xff\xfe", 400),
])
def test_malformed_bodies_get_400_json(client, body, status):
    response = client.post("/webhook", data=body, content_type="application/json")
    assert response.status_code == status
    assert response.is_json and "error" in response.get_json()


def test_body_over_one_megabyte_gets_413_json(client):
    response = client.post("/webhook", data=b"x" * (1024 * 1024 + 1), content_type="application/json")
    assert response.status_code == 413
    assert response.get_json() == {"error": "body too large (1 MB at most)"}


def test_unknown_routes_and_methods_answer_json(client):
    assert client.get("/nope").is_json
    response = client.get("/webhook")
    assert response.status_code == 405 and response.is_json


def test_health_says_exactly_what_it_should(client):
    from kebabalab import __version__
    response = client.get("/health")
    assert response.get_json() == {"status": "healthy", "server": "kebabalab", "version": __version__}


def test_unknown_tool_is_an_error_for_that_call_only(vapi):
    assert "no tool called" in vapi.error("orderPizza")
    assert vapi.ok("getCartState")["isEmpty"] is True


def test_bad_json_arguments_are_that_calls_error(client):
    body = {"message": {"type": "tool-calls", "call": {"id": "c"}, "toolCallList": [
        {"id": "t1", "function": {"name": "quickAddItem", "arguments": "{oops"}},
        {"id": "t2", "function": {"name": "getCartState", "arguments": ""}}]}}
    first, second = results(client.post("/webhook", json=body))
    assert first["error"] == "The tool's arguments were not valid JSON; please try again."
    assert json.loads(second["result"])["isEmpty"] is True


def test_a_crashing_tool_answers_a_safe_sentence(vapi, services, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("secret /path/to/db SELECT * FROM orders")
    monkeypatch.setattr(services.db, "orders_for_phone", explode)
    error = vapi.error("getCallerSmartContext")
    assert error == "Sorry, something went wrong on our side; please try that again in a moment."
