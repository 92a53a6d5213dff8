"""Many shops on one deployment: which shop a Vapi message is for, and everything of a call kept to that shop
(menu and prices, hours and time zone, order numbers, texts, sold-out marks, returning callers, the assistant).

The messages are the samples in tests/fixtures/vapi/ with the shop's number set where Vapi's published schema
puts it (VapiAI/docs fern/apis/api/openapi.json, commit eabfa53: ServerMessageToolCalls.phoneNumber and
ServerMessageAssistantRequest.phoneNumber, "the phone number that the message is associated with", a
CreateTwilioPhoneNumberDTO with `number`; Call.phoneNumberId; Call.assistantId; Chat.assistantId).
"""
from __future__ import annotations

import copy
import json
import logging
from pathlib import Path

import pytest

from conftest import FRIDAY_6PM, vapi_fixture
from kebabalab.service.shops import RETIRED, UNKNOWN_NUMBER
from kebabalab.store.calls import find_call
from kebabalab.store.offers import offer_for_call
from kebabalab.web.app import create_app

DATA = Path(__file__).resolve().parents[2] / "kebabalab" / "data"
MAIN_NUMBER, MAIN_NUMBER_ID = "+61395345588", "4a5a04dc-dcbe-45b1-8f64-fd32a253d136"
FITZROY_NUMBER, FITZROY_NUMBER_ID = "+61394170000", "9c1f3e7a-5b2d-4e8f-a6c4-2d7b8e9f0a13"
MAIN_ASSISTANT, FITZROY_ASSISTANT = "5b0a4a08-133c-4146-9315-0984f8c6be80", "d3e4f5a6-7b8c-4d9e-8f01-23456789abcd"
CALLER = "+61412345678"


def write_shop(folder: Path, shop: dict, *, menu_change=None, business_change=None, hours=None) -> None:
    folder.mkdir(parents=True)
    (folder / "shop.json").write_text(json.dumps(shop))
    menu = json.loads((DATA / "menu.json").read_text())
    business = json.loads((DATA / "business.json").read_text())
    (menu_change or (lambda m: None))(menu)
    (business_change or (lambda b: None))(business)
    (folder / "menu.json").write_text(json.dumps(menu))
    (folder / "business.json").write_text(json.dumps(business))
    (folder / "hours.json").write_text(hours or (DATA / "hours.json").read_text())


def dearer_kebabs(menu: dict) -> None:
    kebab = next(item for item in menu["items"] if item["id"] == "KEBAB")
    kebab["sizes_cents"] = {"small": 1100, "large": 1700}


@pytest.fixture
def shops_dir(tmp_path) -> Path:
    root = tmp_path / "shops"
    (root / "main").mkdir(parents=True)
    (root / "main" / "shop.json").write_text(json.dumps({
        "numbers": [MAIN_NUMBER], "phoneNumberIds": [MAIN_NUMBER_ID], "assistantIds": [MAIN_ASSISTANT]}))
    write_shop(root / "fitzroy", {
        "numbers": [FITZROY_NUMBER], "phoneNumberIds": [FITZROY_NUMBER_ID], "assistantIds": [FITZROY_ASSISTANT],
        "orderTextsTo": "+61400000002", "textsFrom": "+61480000002"},
        menu_change=dearer_kebabs,
        business_change=lambda b: b.update(name="Kebabalab Fitzroy", branch="Fitzroy", phone="+61394170000"))
    write_shop(root / "glenhuntly", {"numbers": ["+61395550000"], "retired": True})
    return root


@pytest.fixture
def app(settings, clock, shops_dir):
    app = create_app(settings.replace(shops_dir=str(shops_dir), vapi_assistant_id=MAIN_ASSISTANT), clock=clock,
                     start_sender=False)
    yield app
    app.extensions["kebabalab"].stop_background()


def tool_message(call_id: str, calls: list[tuple[str, dict]], *, number: str | None = None,
                 number_id: str | None = None, assistant: str | None = None, caller: str | None = CALLER) -> dict:
    """tests/fixtures/vapi/tool-calls.json with this call's id, tool calls and numbers."""
    body = copy.deepcopy(vapi_fixture("tool-calls.json"))
    msg = body["message"]
    entries = [{"id": f"{call_id}-{n}", "type": "function", "function": {"name": name, "arguments": args}}
               for n, (name, args) in enumerate(calls)]
    msg["toolCallList"] = entries
    msg.pop("toolCalls", None)
    msg.pop("toolWithToolCallList", None)
    msg["call"]["id"] = call_id
    for key, value in (("phoneNumberId", number_id), ("assistantId", assistant)):
        if value is None:
            msg["call"].pop(key, None)
        else:
            msg["call"][key] = value
    if number is None:
        msg.pop("phoneNumber", None)
    else:
        msg["phoneNumber"] = {"id": number_id or "", "number": number, "provider": "twilio"}
    for holder in (msg, msg["call"]):
        if caller is None:
            holder.pop("customer", None)
        else:
            holder["customer"] = {"number": caller}
    return body


def results(client, body) -> list[dict]:
    response = client.post("/webhook", json=body)
    assert response.status_code == 200
    return [{**e, "result": json.loads(e["result"])} if "result" in e else e for e in response.get_json()["results"]]


def order_at(client, call_id: str, name: str = "Sam Nguyen", **where) -> dict:
    [added, pickup, placed] = results(client, tool_message(call_id, [
        ("quickAddItem", {"description": "large lamb kebab with garlic sauce"}),
        ("setPickupTime", {"requestedTime": "in 30 minutes"}),
        ("createOrder", {"customerName": name, "customerPhone": CALLER})], **where))
    assert "result" in placed, placed
    return {"added": added["result"], "placed": placed["result"]}


def test_each_number_gets_its_own_shops_menu_order_numbers_and_texts(app, client):
    services = app.extensions["kebabalab"]
    main = order_at(client, "call-main", number=MAIN_NUMBER, number_id=MAIN_NUMBER_ID, assistant=MAIN_ASSISTANT)
    fitzroy = order_at(client, "call-fitz", number=FITZROY_NUMBER, number_id=FITZROY_NUMBER_ID,
                       assistant=MAIN_ASSISTANT)  # one assistant on both numbers: the number decides
    assert (main["added"]["total"], fitzroy["added"]["total"]) == (15.0, 17.0)
    # each call's one offer (a meal for the lone kebab) is kept under the call's own id and its shop
    assert [(offer.call_id, offer.shop_id, offer.kind) for offer in (
        offer_for_call(services.db, "call-main"), offer_for_call(services.db, "call-fitz"))] == [
        ("call-main", "main", "meal"), ("call-fitz", "fitzroy", "meal")]
    assert (main["placed"]["orderNumber"], fitzroy["placed"]["orderNumber"]) == ("20261127-001", "20261127-001")
    main_order = services.for_shop("main").db.find_order("20261127-001")
    fitz_order = services.for_shop("fitzroy").db.find_order("20261127-001")
    assert (main_order.shop_id, main_order.total, fitz_order.shop_id, fitz_order.total) == (
        "main", 1500, "fitzroy", 1700)
    texts = {(row.shop_id, row.kind, row.to_phone) for row in services.db.outbox_for_order(fitz_order.id)}
    assert texts == {("fitzroy", "shop_order", "+61400000002"), ("fitzroy", "customer_confirmation", CALLER)}
    assert {row.to_phone for row in services.db.outbox_for_order(main_order.id) if row.kind == "shop_order"} == {
        "+61400000001"}
    assert services.shops.texts_from("fitzroy") == "+61480000002"
    assert (find_call(services.db, "call-main", "main").shop_id,
            find_call(services.db, "call-fitz", "fitzroy").shop_id,
            find_call(services.db, "call-fitz", "main")) == ("main", "fitzroy", None)  # each call in its own shop's log


def test_a_chat_or_web_call_without_a_number_goes_by_its_assistant(app, client):
    body = tool_message("web-1", [("quickAddItem", {"description": "large lamb kebab"})], assistant=FITZROY_ASSISTANT,
                        caller=None)
    body["message"]["call"]["type"] = "webCall"
    [added] = results(client, body)
    assert added["result"]["total"] == 17.0
    chat = vapi_fixture("tool-calls-chat.json")
    chat["message"]["chat"]["assistantId"] = FITZROY_ASSISTANT
    chat["message"]["toolCallList"] = [{"id": "chat-tc-1", "type": "function",
                                        "function": {"name": "quickAddItem", "arguments": {"description": "small lamb kebab"}}}]
    [chat_added] = results(client, chat)
    assert chat_added["result"]["total"] == 11.0


def test_a_number_no_shop_owns_is_refused_with_a_sentence_and_a_log_line(app, client, caplog):
    services = app.extensions["kebabalab"]
    body = tool_message("call-stray", [("quickAddItem", {"description": "large lamb kebab"}),
                                       ("createOrder", {"customerName": "Sam", "customerPhone": CALLER})],
                        number="+61398887777", number_id="0f0f0f0f-0000-4000-8000-000000000000",
                        assistant=MAIN_ASSISTANT)  # even with a shop's assistant: the number decides
    with caplog.at_level(logging.WARNING, logger="kebabalab.service.shops"):
        replies = results(client, body)
    assert replies == [{"toolCallId": "call-stray-0", "name": "quickAddItem", "error": UNKNOWN_NUMBER},
                       {"toolCallId": "call-stray-1", "name": "createOrder", "error": UNKNOWN_NUMBER}]
    assert [r.getMessage() for r in caplog.records] == [
        "webhook: tool-calls for +613••••7777 (number id 0f0f0f0f-0000-4000-8000-000000000000, assistant "
        f"{MAIN_ASSISTANT}): no shop owns it; refused"]
    assert services.sessions.count() == 0 and services.db.outbox_counts()["pending"] == 0
    request = copy.deepcopy(vapi_fixture("assistant-request.json"))
    request["message"]["phoneNumber"]["number"] = "+61398887777"
    request["message"]["phoneNumber"]["id"] = "0f0f0f0f-0000-4000-8000-000000000000"
    assert client.post("/webhook", json=request).get_json() == {"error": UNKNOWN_NUMBER}


def test_a_retired_shops_number_is_refused(app, client):
    [reply] = results(client, tool_message("call-old", [("quickAddItem", {"description": "large lamb kebab"})],
                                           number="+61395550000"))
    assert reply == {"toolCallId": "call-old-0", "name": "quickAddItem", "error": RETIRED}


def test_a_retired_shops_number_is_refused_when_main_alone_takes_every_call(settings, clock, tmp_path):
    """main listing no number (today's settings) and the branch it opened retired: main takes the calls that
    name nobody, but the retired branch's number is still refused, never answered with main's menu."""
    write_shop(tmp_path / "shops" / "fitzroy", {"numbers": [FITZROY_NUMBER], "retired": True})
    app = create_app(settings.replace(shops_dir=str(tmp_path / "shops")), clock=clock, start_sender=False)
    client = app.test_client()
    [old] = results(client, tool_message("c-old", [("quickAddItem", {"description": "large lamb kebab"})],
                                         number=FITZROY_NUMBER))
    [other] = results(client, tool_message("c-main", [("quickAddItem", {"description": "large lamb kebab"})],
                                           number="+61398887777"))
    app.extensions["kebabalab"].stop_background()
    assert old == {"toolCallId": "c-old-0", "name": "quickAddItem", "error": RETIRED}
    assert (other["result"]["cartSize"], other["result"]["total"]) == (1, 15.0)


def test_sold_out_and_pause_are_each_shops_own(app, client):
    services = app.extensions["kebabalab"]
    services.for_shop("fitzroy").availability.set_sold_out("protein", "lamb", True)
    services.for_shop("fitzroy").availability.set_paused(True)
    [fitz] = results(client, tool_message("c1", [("quickAddItem", {"description": "large lamb kebab"})],
                                          number=FITZROY_NUMBER))
    [main] = results(client, tool_message("c2", [("quickAddItem", {"description": "large lamb kebab"})],
                                          number=MAIN_NUMBER))
    assert "error" in fitz and "lamb" in fitz["error"].lower()
    assert main["result"]["total"] == 15.0
    assert (services.for_shop("main").availability.state().sold_out,
            services.for_shop("fitzroy").availability.state().sold_out) == ([], ["protein:lamb"])


def test_the_same_call_id_on_two_shops_never_shares_a_cart(app, client):
    results(client, tool_message("same", [("quickAddItem", {"description": "large lamb kebab"})], number=MAIN_NUMBER))
    [fitz] = results(client, tool_message("same", [("quickAddItem", {"description": "small lamb kebab"})],
                                          number=FITZROY_NUMBER))
    assert (fitz["result"]["cartSize"], fitz["result"]["total"]) == (1, 11.0)


def test_assistant_request_answers_with_the_dialled_shops_assistant_and_its_own_returning_callers(app, client):
    order_at(client, "call-main", number=MAIN_NUMBER)
    request = copy.deepcopy(vapi_fixture("assistant-request.json"))
    main = client.post("/webhook", json=request).get_json()
    request["message"]["phoneNumber"] = {"id": FITZROY_NUMBER_ID, "number": FITZROY_NUMBER, "provider": "twilio"}
    fitz = client.post("/webhook", json=request).get_json()
    assert (main["assistantId"], fitz["assistantId"]) == (MAIN_ASSISTANT, FITZROY_ASSISTANT)
    main_values, fitz_values = main["assistantOverrides"]["variableValues"], fitz["assistantOverrides"]["variableValues"]
    assert (main_values["shopName"], main_values["customerFirstName"], main_values["lastOrderTotal"]) == (
        "Kebabalab", "Sam", "$15")
    assert (fitz_values["shopName"], fitz_values["customerFirstName"], fitz_values["lastOrder"]) == (
        "Kebabalab Fitzroy", "", "")


def test_a_one_shop_deployment_needs_no_shops_folder(settings, clock, tmp_path):
    app = create_app(settings.replace(shops_dir=str(tmp_path / "none")), clock=clock, start_sender=False)
    services = app.extensions["kebabalab"]
    assert services.shops.ids() == ["main"]
    [added] = results(app.test_client(), tool_message("c", [("quickAddItem", {"description": "large lamb kebab"})],
                                                       number="+61398887777"))
    assert added["result"]["total"] == 15.0  # the only shop, listing no number, takes every call as before
    assert services.for_shop("main").settings.shop_order_to == "+61400000001"


def test_a_shops_texts_come_from_its_own_number_through_one_twilio_account(settings, clock, shops_dir):
    from tests.fakes.twilio_server import FakeTwilio
    with FakeTwilio() as fake:
        app = create_app(settings.replace(shops_dir=str(shops_dir), twilio_account_sid="AC" + "0" * 32,
                                          twilio_auth_token="secret-token", twilio_from_number="+61480000001",
                                          twilio_api_base_url=fake.base_url), clock=clock, start_sender=False)
        services = app.extensions["kebabalab"]
        try:
            order_at(app.test_client(), "call-main", number=MAIN_NUMBER)
            order_at(app.test_client(), "call-fitz", number=FITZROY_NUMBER)
            services.sender.run_once()
        finally:
            services.stop_background()
        assert sorted((r.to, r.from_) for r in fake.sent) == [
            ("+61400000001", "+61480000001"), ("+61400000002", "+61480000002"),
            (CALLER, "+61480000001"), (CALLER, "+61480000002")]


def test_forget_at_one_shop_or_at_every_shop(app, client):
    from kebabalab.service.privacy import forget_customer
    services = app.extensions["kebabalab"]
    order_at(client, "call-main", number=MAIN_NUMBER)
    order_at(client, "call-fitz", number=FITZROY_NUMBER)

    def names() -> tuple:
        return tuple(services.for_shop(shop).db.find_order("20261127-001").customer_name for shop in ("main", "fitzroy"))

    done = forget_customer(services.db, "0412 345 678", "fitzroy")
    assert (done.orders, done.carts, names()) == (1, 0, ("Sam Nguyen", None))
    assert services.for_shop("main").db.orders_for_phone(CALLER)[0].customer_name == "Sam Nguyen"
    assert forget_customer(services.db, "0412 345 678").orders == 1
    assert names() == (None, None)


def test_a_counter_order_is_never_answered_with_another_shops_order_of_the_same_form_key(app):
    """The till's form key (or a call's cart key) is only unique within its shop: the same key at another shop is a
    new order of that shop, never the first shop's order (its customer's name and number) handed back."""
    from dataclasses import replace

    from kebabalab.service.counter import CounterOrder, take_counter_order
    services = app.extensions["kebabalab"]
    walk_in = CounterOrder("walk-in", "Priya Main", None, ("2 cans of coke",), "asap", "", "form-key-1")
    first = take_counter_order(services.for_shop("main"), walk_in, "Owner")
    again = take_counter_order(services.for_shop("main"), walk_in, "Owner")  # a second tap on Place
    other = take_counter_order(services.for_shop("fitzroy"), replace(walk_in, name="Sam Fitz"), "Owner")
    assert [(p.order.shop_id, p.order.order_number, p.order.customer_name, p.order.created)
            for p in (first, again, other)] == [
        ("main", "20261127-001", "Priya Main", True), ("main", "20261127-001", "Priya Main", False),
        ("fitzroy", "20261127-001", "Sam Fitz", True)]
    assert services.for_shop("fitzroy").db.find_order("20261127-001").customer_name == "Sam Fitz"


def test_every_shops_menu_is_brought_up_to_date_in_one_statement_per_request(app, client, monkeypatch):
    services = app.extensions["kebabalab"]
    engine = services.db.engine
    asked, read = [], engine.read
    monkeypatch.setattr(engine, "read", lambda sql, *args, **kw: (asked.append(sql) if "menu_versions" in sql
                                                                  else None) or read(sql, *args, **kw))
    results(client, tool_message("call-menus", [("quickAddItem", {"description": "large lamb kebab"})],
                                 number=FITZROY_NUMBER))
    assert asked == ["SELECT shop_id, MAX(id) AS id FROM menu_versions GROUP BY shop_id"]  # three shops, one read
