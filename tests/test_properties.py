"""Property tests: whatever arrives, the reply is JSON below 500 and every cart stays consistent."""
import json

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from kebabalab.ordering import pricing
from kebabalab.ordering.cart import MAX_QUANTITY
from kebabalab.config import PACKAGE_DATA
from kebabalab.web.app import create_app
from kebabalab.tools import REGISTRY

PROPERTY_SETTINGS = settings(max_examples=150, deadline=None,
                             suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
scalars = st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.floats(allow_nan=False) | st.text(max_size=30)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) |
                           st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=12)
words = st.sampled_from(["large", "small", "lamb", "chicken", "kebab", "hsp", "chips", "coke", "two", "meal",
                         "no", "onion", "garlic", "the lot", "and", "99", "-1", "gozleme", "sprite", "cheese"])
option_values = st.sampled_from(["small", "large", "lamb", "coke", "garlic", "none", "kebabs", "chips", "drinks",
                                 "1", "0", "-3", 3, 0, 150, True, None, [], ["garlic"], {}]) | json_values
argument_dicts = st.dictionaries(
    st.sampled_from(["description", "items", "itemIndex", "modifications", "requestedTime", "customerName",
                     "customerPhone", "notes", "itemIndices", "drinkBrand", "chipsSize", "chipsSalt", "phoneNumber"]),
    option_values | st.lists(words, max_size=6).map(" ".join) |
    st.lists(st.dictionaries(st.sampled_from(["category", "size", "protein", "quantity", "brand", "sauces", "name"]),
                             option_values, max_size=5), max_size=3), max_size=4)
tool_names = st.sampled_from(REGISTRY.names() + ["nope"])
# Orders a customer could really say, so that carts fill up and the price checks have lines to check.
good_orders = st.builds("{} {} {} {} {}".format, st.sampled_from(["a", "two", "3"]),
                        st.sampled_from(["small", "large"]), st.sampled_from(["lamb", "chicken", "mixed", "falafel"]),
                        st.sampled_from(["kebab", "hsp"]),
                        st.sampled_from(["", "with cheese", "with haloumi", "meal", "with extra meat and olives",
                                         "and a coke", "and large chips", "no cheese", "meal with large chips"]))
good_calls = st.lists(st.one_of(
    good_orders.map(lambda words: ("quickAddItem", {"description": words})),
    st.sampled_from([("convertItemsToMeals", {}), ("convertItemsToMeals", {"chipsSize": "large"}),
                     ("editCartItem", {"itemIndex": 0, "modifications": {"chips_size": "large"}}),
                     ("editCartItem", {"itemIndex": 0, "modifications": {"size": "small", "quantity": 2}}),
                     ("removeCartItem", {"itemIndex": 0}), ("getCartState", {}), ("priceCart", {})])),
    min_size=1, max_size=4)


def check_reply(response):
    assert response.status_code < 500
    assert response.is_json
    return response.get_json()


@pytest.fixture
def app(settings, clock):
    """The app without a per-call rate limit: hypothesis sends hundreds of tool calls within one pinned minute."""
    app = create_app(settings.replace(tool_calls_per_minute=1_000_000), clock=clock, start_sender=False)
    yield app
    app.extensions["kebabalab"].stop_background()


def crashes(services) -> float:
    """Tool calls that ended in an unexpected exception (answered politely, but a bug all the same)."""
    return sum(services.metrics.registry.get_sample_value(
        "kebabalab_tool_calls_total", {"shop": "main", "tool": name, "outcome": "crash"}) or 0 for name in REGISTRY.names())


RAW_MENU = json.loads((PACKAGE_DATA / "menu.json").read_text())


def expected_unit_cents(line) -> int:
    """A line's unit price worked out from the menu file itself, apart from kebabalab.ordering.pricing (the oracle)."""
    item = next(i for i in RAW_MENU["items"] if i["id"] == line.item_id)
    if line.meal is not None:
        rows = RAW_MENU["meals"][line.meal.type]["prices"]
        base = next(r["price_cents"] for r in rows if r.get("main_size") == (line.size if "sizes_cents" in item
                                                                              else None)
                    and r.get("chips_size") == line.meal.chips_size)
    else:
        base = item["sizes_cents"][line.size] if "sizes_cents" in item else item["price_cents"]
    extras = sum(RAW_MENU["extras"][name]["price_cents"] for name in line.extras)
    cheese = RAW_MENU["extras"]["cheese"]
    if line.cheese and item["category"] not in cheese["included_in"]:
        extras += cheese["price_cents"]
    return base + extras


def check_carts(services, reply_entries):
    for call_id in ("prop-1", "prop-2"):
        session = services.sessions.get(call_id)
        if session is None:
            continue
        for line in session.cart:
            assert 1 <= line.quantity <= MAX_QUANTITY
        expected = sum(expected_unit_cents(line) * line.quantity for line in session.cart)
        assert pricing.cart_total(services.menu, session.cart) == expected
    for entry in reply_entries:  # every total the assistant was told matches the cart it describes
        result = json.loads(entry.get("result", "{}"))
        if "items" in result and "total" in result:
            assert round(sum(i["lineTotal"] for i in result["items"]), 2) == result["total"]
            for i in result["items"]:
                assert round(i["unitPrice"] * i["quantity"], 2) == i["lineTotal"]


@PROPERTY_SETTINGS
@given(body=json_values)
def test_any_json_body_gets_a_json_reply_below_500(client, body):
    check_reply(client.post("/webhook", data=json.dumps(body), content_type="application/json"))


@PROPERTY_SETTINGS
@given(raw=st.binary(max_size=200))
def test_any_bytes_get_a_json_reply_below_500(client, raw):
    check_reply(client.post("/webhook", data=raw, content_type="application/json"))


@PROPERTY_SETTINGS
@given(calls=st.lists(st.tuples(tool_names, argument_dicts | st.text(max_size=40)), min_size=1, max_size=4),
       real=good_calls, call_id=st.sampled_from(["prop-1", "prop-2"]))
def test_tool_calls_keep_every_cart_consistent(client, services, calls, real, call_id):
    calls = real + calls
    body = {"message": {"type": "tool-calls", "call": {"id": call_id, "customer": {"number": "+61412345678"}},
                        "toolCallList": [{"id": f"t{n}", "function": {"name": name, "arguments": args}}
                                         for n, (name, args) in enumerate(calls)]}}
    reply = check_reply(client.post("/webhook", json=body))
    assert [entry["toolCallId"] for entry in reply["results"]] == [f"t{n}" for n in range(len(calls))]
    for entry in reply["results"]:
        assert ("result" in entry) != ("error" in entry)
        text = entry.get("result", entry.get("error"))
        assert isinstance(text, str) and "\n" not in text and "Traceback" not in text
        if "result" in entry:
            assert json.loads(entry["result"])["ok"] is True
    check_carts(services, reply["results"])
    assert crashes(services) == 0
