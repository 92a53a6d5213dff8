"""Hostile input at every entry: each gets a clear, single-line error and stores nothing.

Control and escape characters, right-to-left overrides, 10 000-character strings, SQL and HTML fragments,
emoji, negative and enormous numbers, and objects where strings belong, sent as Vapi sends tool arguments.
"""
from __future__ import annotations

import sqlite3
import unicodedata

import pytest

from conftest import VapiCall
from kebabalab.store import database_path
from kebabalab.errors import ToolError
from kebabalab.messaging.texts import sanitize_for_sms
from kebabalab.ordering.validation import (validate_customer_name, validate_customization, validate_menu_item,
                                  validate_notes, validate_phone_number, validate_price, validate_quantity)

LONG = "x" * 10_000
SQL = "'; DROP TABLE orders;--"
HTML = "<script>alert(1)</script>"
RLO = "\u202e"
KEBAB = {"category": "kebabs", "size": "large", "protein": "lamb", "sauces": ["garlic"]}
CART = (("quickAddItem", {"description": "a large lamb kebab with garlic sauce"}),)
READY = CART + (("setPickupTime", {"requestedTime": "8pm"}),)
NOT_A_NAME = "That doesn't sound like a name; what name should I put the order under?"
BAD_NUMBER = "That phone number doesn't look right; could you say it again, digit by digit?"
ASK_NUMBER = "What's the best phone number for the order?"
WHOLE = "must be a whole number."
QUANTITY = "The quantity must be between 1 and 99."
NO_ITEM = "I couldn't find a menu item in that; what would you like?"


def row(tool, args, fragment, setup=(), *, id):
    return pytest.param(tool, args, fragment, setup, id=id)


HOSTILE = [
    # quickAddItem.description: the customer's own words
    row("quickAddItem", {"description": "\u200b\u202e\x00 \x1b[2J"}, "I need the order description.",
        id="quick-nothing-left-after-cleaning"),
    row("createOrder", {"customerName": "\u200b\u3164\x1b[8m"}, "I need the customer's name.", READY,
        id="name-nothing-left-after-cleaning"),
    row("quickAddItem", {"description": LONG}, "order description is too long; please keep it under 500",
        id="quick-10000-chars"),
    row("quickAddItem", {"description": SQL}, "Sorry, we don't have drop table, so I haven't added anything.",
        id="quick-sql"),
    row("quickAddItem", {"description": HTML}, "Sorry, we don't have script alert and script, so I haven't added",
        id="quick-html"),
    row("quickAddItem", {"description": "🥙🥙🥙"}, NO_ITEM, id="quick-emoji"),
    row("quickAddItem", {"description": {"$ne": ""}}, "The order description must be text.", id="quick-object"),
    row("quickAddItem", {"description": ["a large lamb kebab"]}, "The order description must be text.",
        id="quick-list"),
    row("quickAddItem", {"description": True}, "The order description must be text.", id="quick-boolean"),
    row("quickAddItem", {"description": "100 cokes"}, "How many cokes? I can take 1 to 99 on one line,",
        id="quick-enormous-quantity"),
    row("quickAddItem", {"description": "1000000000000 cokes"}, "I can take 1 to 99 on one line,",
        id="quick-trillion-quantity"),
    row("quickAddItem", {"description": "-5 cokes"}, "How many would you like? I can take 1 to 99 of an item.",
        id="quick-negative-quantity"),
    # addMultipleItemsToCart.items[*]: structured fields from the assistant
    row("addMultipleItemsToCart", {"items": [{**KEBAB, "quantity": -1}]}, f"Item 1: {QUANTITY}",
        id="items-negative-quantity"),
    row("addMultipleItemsToCart", {"items": [{**KEBAB, "quantity": 10**30}]}, f"Item 1: {QUANTITY}",
        id="items-enormous-quantity"),
    row("addMultipleItemsToCart", {"items": [{**KEBAB, "quantity": 0}]}, f"Item 1: {QUANTITY}",
        id="items-zero-quantity"),
    row("addMultipleItemsToCart", {"items": [{**KEBAB, "quantity": "1e3"}]}, f"Item 1: The quantity {WHOLE}",
        id="items-exponent-quantity"),
    row("addMultipleItemsToCart", {"items": [{**KEBAB, "quantity": 2.5}]}, f"Item 1: The quantity {WHOLE}",
        id="items-fractional-quantity"),
    row("addMultipleItemsToCart", {"items": [{**KEBAB, "quantity": True}]}, f"Item 1: The quantity {WHOLE}",
        id="items-boolean-quantity"),
    row("addMultipleItemsToCart", {"items": [{**KEBAB, "size": LONG}]}, "size is too long; please keep it under 40",
        id="items-10000-char-size"),
    row("addMultipleItemsToCart", {"items": [{**KEBAB, "size": "🥙"}]},
        "Item 1: The kebab comes small ($10) or large ($15); which size?", id="items-emoji-size"),
    row("addMultipleItemsToCart", {"items": [{"name": "<img src=x onerror=alert(1)>"}]}, "on the menu",
        id="items-html-name"),
    row("addMultipleItemsToCart", {"items": [{**KEBAB, "sauces": [SQL]}]}, "as a sauce; we have garlic",
        id="items-sql-sauce"),
    row("addMultipleItemsToCart", {"items": [{**KEBAB, "protein": {"$gt": ""}}]}, "The protein must be text.",
        id="items-object-protein"),
    row("addMultipleItemsToCart", {"items": "[{not json"}, "The items must be a list of objects.",
        id="items-broken-json-text"),
    row("addMultipleItemsToCart", {"items": [KEBAB, {**KEBAB, "size": "huge"}]}, "Nothing was added. Item 2:",
        id="items-second-bad-adds-nothing"),
    row("addMultipleItemsToCart", {"items": [KEBAB] * 31}, "too many items for one go", id="items-31-items"),
    row("addMultipleItemsToCart", {"items": [42]}, "Each item must be an object",
        id="items-number-item"),  # a string item is words, read as quickAddItem reads them
    row("addMultipleItemsToCart", {"items": ["large lamb kebab with pineapple"]}, "pineapple",
        id="items-words-with-an-unsold-word"),
    # editCartItem: a line of the cart, and what to change
    row("editCartItem", {"itemIndex": -2, "modifications": {"size": "small"}},
        "The itemIndex counts from 0, or is -1 for the last item.", CART, id="edit-negative-index"),
    row("editCartItem", {"itemIndex": 10**30, "modifications": {"size": "small"}}, "items are numbered 0 to 0.",
        CART, id="edit-enormous-index"),
    row("editCartItem", {"itemIndex": 0, "modifications": {"quantity": 0}}, QUANTITY, CART, id="edit-zero-quantity"),
    row("editCartItem", {"itemIndex": 0, "modifications": {"quantity": -99}}, QUANTITY, CART,
        id="edit-negative-quantity"),
    row("editCartItem", {"itemIndex": 0, "modifications": {"quantity": 10**12}}, QUANTITY, CART,
        id="edit-enormous-quantity"),
    row("editCartItem", {"itemIndex": 0, "modifications": {"size": LONG}}, "size is too long", CART,
        id="edit-10000-char-size"),
    row("editCartItem", {"itemIndex": 0, "modifications": {"price": 0.01}}, "I can't change price;", CART,
        id="edit-set-price"),
    row("editCartItem", {"itemIndex": 0, "modifications": {"unitPrice": 1, "total": 1}}, "I can't change total;",
        CART, id="edit-set-unit-price"),
    row("editCartItem", {"itemIndex": 0, "modifications": SQL},
        "The modifications must be an object of properties to change.", CART, id="edit-sql-text"),
    row("editCartItem", {"itemIndex": 0, "modifications": ["size", "small"]}, "What should I change?", CART,
        id="edit-list"),
    row("editCartItem", {"itemIndex": 0, "modifications": {"\x1b[31mprice": 1}}, "I can't change that; I can change",
        CART, id="edit-escape-in-key"),
    row("editCartItem", {"itemIndex": 0, "modifications": '{"quantity": ' + "9" * 5000 + "}"},
        "The modifications must be an object of properties to change.", CART, id="edit-5000-digit-number"),
    # removeCartItem.itemIndex
    row("removeCartItem", {"itemIndex": "0; DROP TABLE orders"}, f"The itemIndex {WHOLE}", CART,
        id="remove-sql-index"),
    row("removeCartItem", {"itemIndex": -7}, "The itemIndex counts from 0, or is -1 for the last item.", CART,
        id="remove-negative"),
    row("removeCartItem", {"itemIndex": 99}, "There's no item 99 in the cart; items are numbered 0 to 0.", CART,
        id="remove-out-of-range"),
    row("removeCartItem", {"itemIndex": {"index": 0}}, f"The itemIndex {WHOLE}", CART, id="remove-object"),
    row("removeCartItem", {"itemIndex": 0.5}, f"The itemIndex {WHOLE}", CART, id="remove-fraction"),
    row("removeCartItem", {"itemIndex": True}, f"The itemIndex {WHOLE}", CART, id="remove-boolean"),
    row("removeCartItem", {"itemIndex": "٠"}, f"The itemIndex {WHOLE}", CART, id="remove-arabic-digit"),
    # setPickupTime.requestedTime
    row("setPickupTime", {"requestedTime": LONG}, "pickup time is too long; please keep it under 100", CART,
        id="pickup-10000-chars"),
    row("setPickupTime", {"requestedTime": "in -30 minutes"}, "That time has already passed", CART,
        id="pickup-negative-minutes"),
    row("setPickupTime", {"requestedTime": "in 99999999999 minutes"}, "That's too far ahead", CART,
        id="pickup-enormous-minutes"),
    row("setPickupTime", {"requestedTime": SQL}, "I didn't catch the time", CART, id="pickup-sql"),
    row("setPickupTime", {"requestedTime": {"hour": 20}}, "The pickup time must be text.", CART,
        id="pickup-object"),
    # createOrder.customerName / customerPhone / notes
    row("createOrder", {"customerName": "Robert'); DROP TABLE orders;--"}, NOT_A_NAME, READY, id="name-sql"),
    row("createOrder", {"customerName": "<b>Sam</b>"}, NOT_A_NAME, READY, id="name-html"),
    row("createOrder", {"customerName": "Sam\r\nBcc: all"}, NOT_A_NAME, READY, id="name-newline-header"),
    row("createOrder", {"customerName": "S" * 10_000}, "customer's name is too long; please keep it under 60",
        READY, id="name-10000-chars"),
    row("createOrder", {"customerName": "🥙"}, NOT_A_NAME, READY, id="name-emoji"),
    row("createOrder", {"customerName": "Visit www.evil.com"}, NOT_A_NAME, READY, id="name-link"),
    row("createOrder", {"customerName": {"first": "Sam"}}, "The customer's name must be text.", READY,
        id="name-object"),
    row("createOrder", {"customerName": -1}, NOT_A_NAME, READY, id="name-number"),
    row("createOrder", {"customerName": "Sam", "customerPhone": "1" * 10_000}, ASK_NUMBER, READY,
        id="phone-10000-digits"),
    row("createOrder", {"customerName": "Sam", "customerPhone": SQL}, BAD_NUMBER, READY, id="phone-sql"),
    row("createOrder", {"customerName": "Sam", "customerPhone": ["0412345678"]}, ASK_NUMBER, READY,
        id="phone-list"),
    row("createOrder", {"customerName": "Sam", "customerPhone": 10**30}, BAD_NUMBER, READY, id="phone-enormous"),
    row("createOrder", {"customerName": "Sam", "notes": LONG}, "notes is too long; please keep it under 200",
        READY, id="notes-10000-chars"),
    row("createOrder", {"customerName": "Sam", "notes": "pay at https://evil.example/pay"},
        "I can't put links in the order notes", READY, id="notes-link"),
    row("createOrder", {"customerName": "Sam", "notes": {"kitchen": "x"}}, "The notes must be text.", READY,
        id="notes-object"),
    # sendMenuLink.phoneNumber: who gets a text
    row("sendMenuLink", {"phoneNumber": "0412345678\n0499999999"}, BAD_NUMBER, id="menu-two-numbers"),
    row("sendMenuLink", {"phoneNumber": SQL}, BAD_NUMBER, id="menu-sql"),
    row("sendMenuLink", {"phoneNumber": LONG}, ASK_NUMBER, id="menu-10000-chars"),
    row("sendMenuLink", {"phoneNumber": {"number": "0412345678"}}, ASK_NUMBER, id="menu-object"),
    row("sendMenuLink", {"phoneNumber": -61412345678}, BAD_NUMBER, id="menu-negative"),
    row("sendMenuLink", {"phoneNumber": "000"}, BAD_NUMBER, id="menu-emergency-number"),
]


def stored_rows(services) -> tuple[list, list]:
    with sqlite3.connect(database_path(services.settings.database_url)) as conn:
        return (conn.execute("SELECT * FROM orders").fetchall(), conn.execute("SELECT * FROM outbox").fetchall())


def snapshot(session) -> tuple | None:
    if session is None:
        return None
    return (session.cart, session.pickup_at, session.order_number, session.orders_placed, session.caller)


def has_control(text: str) -> bool:
    return any(unicodedata.category(ch) in ("Cc", "Cf") for ch in text)


@pytest.mark.parametrize("tool,args,fragment,setup", HOSTILE)
def test_hostile_input_gets_a_clear_error_and_stores_nothing(client, services, tool, args, fragment, setup):
    call = VapiCall(client, call_id="hostile")
    for name, arguments in setup:
        call.ok(name, **arguments)
    before, rows = snapshot(services.sessions.get("hostile")), stored_rows(services)
    error = call.error(tool, **args)
    assert fragment in error
    assert error == " ".join(error.split()) and not has_control(error) and len(error) <= 300
    assert "Traceback" not in error and "sqlite" not in error.lower()
    assert snapshot(services.sessions.get("hostile")) == before
    assert stored_rows(services) == rows


CLEANED = [  # the assistant's transcription, not the caller, put these characters in: removed, never refused
    pytest.param("quickAddItem", {"description": "large lamb kebab\x00"}, (), "added.0.description",
                 "large lamb kebab", id="quick-nul"),
    pytest.param("quickAddItem", {"description": "large lamb kebab\x1b[2J"}, (), "added.0.description",
                 "large lamb kebab", id="quick-ansi-escape"),
    pytest.param("quickAddItem", {"description": f"large lamb kebab {RLO}garlic"}, (), "added.0.description",
                 "large lamb kebab, garlic sauce", id="quick-rtl-override"),
    pytest.param("quickAddItem", {"description": "large lamb\u200b kebab"}, (), "added.0.description",
                 "large lamb kebab", id="quick-zero-width-space"),
    pytest.param("addMultipleItemsToCart", {"items": [{**KEBAB, "category": f"kebabs{RLO}"}]}, (),
                 "added.0.description", "large lamb kebab, garlic sauce", id="items-rtl-category"),
    pytest.param("addMultipleItemsToCart", {"items": [{**KEBAB, "sauces": ["garlic\x00"]}]}, (),
                 "added.0.sauces", ["garlic"], id="items-nul-sauce"),
    pytest.param("editCartItem", {"itemIndex": 0, "modifications": {"sauces": f"garlic{RLO}"}}, CART,
                 "updatedItem.sauces", ["garlic"], id="edit-rtl-sauce"),
    pytest.param("sendMenuLink", {"phoneNumber": f"0412 345 678{RLO}"}, (), "sentTo", "+614••••5678",
                 id="menu-rtl"),
    pytest.param("setPickupTime", {"requestedTime": "8pm\x00"}, CART, "readyAtSpoken", "8 pm", id="pickup-nul"),
    pytest.param("createOrder", {"customerName": f"Sam{RLO}"}, READY, "customer_name", "Sam", id="name-rtl"),
    pytest.param("createOrder", {"customerName": "Sam\x1b[8m"}, READY, "customer_name", "Sam", id="name-escape"),
    pytest.param("createOrder", {"customerName": "Jos\u00e9\u200d \u00a0Nguy\u1ec5n\u2066"}, READY, "customer_name",
                 "José Nguyễn", id="name-zero-width-joiner-and-isolate"),
    pytest.param("createOrder", {"customerName": "李\ufeff小龙"}, READY, "customer_name", "李小龙", id="name-bom"),
    pytest.param("createOrder", {"customerName": "Sam", "customerPhone": "0412 345 678\x00"}, READY,
                 "customer_phone", "+61412345678", id="phone-nul"),
    pytest.param("createOrder", {"customerName": "Sam", "customerPhone": f"0412 345 678{RLO}"}, READY,
                 "customer_phone", "+61412345678", id="phone-rtl"),
    pytest.param("createOrder", {"customerName": "Sam", "notes": "\x1b]0;pwned\x07no  onion"}, READY, "notes",
                 "no onion", id="notes-terminal-escape"),
    pytest.param("createOrder", {"customerName": "Sam", "notes": f"no onion{RLO}\r\n\tplease"}, READY, "notes",
                 "no onion please", id="notes-rtl-and-line-breaks"),
]


def _at(value, path: str):
    for part in path.split("."):
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


@pytest.mark.parametrize("tool,args,setup,path,expected", CLEANED)
def test_stray_characters_are_cleaned_on_arrival_not_refused(client, services, tool, args, setup, path, expected):
    call = VapiCall(client, call_id="cleaned")
    for name, arguments in setup:
        call.ok(name, **arguments)
    result = call.ok(tool, **args)
    if tool == "createOrder":  # what the database, the board and the ticket will show
        result = vars(services.db.find_order(result["orderNumber"]))
    assert _at(result, path) == expected


def test_the_table_covers_every_entry_the_issue_names():
    covered = {(p.values[0], key) for p in HOSTILE for key in p.values[1]}
    for entry in [("quickAddItem", "description"), ("addMultipleItemsToCart", "items"),
                  ("editCartItem", "modifications"), ("editCartItem", "itemIndex"),
                  ("setPickupTime", "requestedTime"), ("createOrder", "customerName"),
                  ("createOrder", "customerPhone"), ("createOrder", "notes"), ("sendMenuLink", "phoneNumber"),
                  ("removeCartItem", "itemIndex")]:
        assert entry in covered
    assert len(HOSTILE) >= 30


def test_sql_and_html_in_notes_are_kept_as_plain_text_and_texted_safely(client, services):
    """Notes are free text: a fragment of SQL or HTML is data (bound parameters), never code, and the
    shop's text carries it as plain GSM-safe ASCII."""
    call = VapiCall(client, call_id="notes")
    for name, arguments in READY:
        call.ok(name, **arguments)
    notes = f"{SQL} {HTML} extra napkins 🥙"
    placed = call.ok("createOrder", customerName="Zoë O'Brien-Nguyễn", notes=notes)
    order = services.db.find_order(placed["orderNumber"])
    assert (order.customer_name, order.notes) == ("Zoë O'Brien-Nguyễn", notes)
    orders, outbox = stored_rows(services)
    assert len(orders) == 1 and len(outbox) == 2  # the tables are still there, with one order and its two texts
    shop_text = next(r.body for r in services.db.outbox_for_order(order.id) if r.kind == "shop_order")
    assert f"{SQL} {HTML} extra napkins" in shop_text and "🥙" not in shop_text
    assert all(" " <= ch <= "~" or ch == "\n" for ch in shop_text)


def test_prices_and_totals_from_the_assistant_are_ignored(vapi, services):
    """The server owns prices: a price, total or category in the arguments changes nothing that is charged."""
    result = vapi.ok("addMultipleItemsToCart", items=[{**KEBAB, "price": 0.01, "unitPrice": 0, "lineTotal": 0,
                                                       "total": -15, "price_cents": 1}])
    assert (result["added"][0]["unitPrice"], result["total"]) == (15.0, 15.0)
    assert vapi.ok("priceCart", total=0.01, subtotal=0)["total"] == 15.0


# -- the report's validators, directly --------------------------------------------------------
@pytest.mark.parametrize("value,expected", [(1, 1), ("99", 99), (" 7 ", 7), (3.0, 3)])
def test_validate_quantity_accepts_1_to_99(value, expected):
    assert validate_quantity(value) == expected


@pytest.mark.parametrize("value", [0, 100, -1, 10**30, "1e3", 2.5, True, None, "", [], {}, "٣", "NaN",
                                   float("inf")])
def test_validate_quantity_refuses_everything_else(value):
    with pytest.raises(ToolError):
        validate_quantity(value)


@pytest.mark.parametrize("name", ["Sam", "Zoë", "O'Brien", "Mary-Jane", "Nguyễn Văn An", "José", "محمد",
                                  "J. R.", "Anaïs"])
def test_validate_customer_name_accepts_real_names(name):
    assert validate_customer_name(name) == name


@pytest.mark.parametrize("value", [SQL, HTML, "", "  ", "S" * 61, "Sam2", "🥙", f"{RLO}\u200b", "sam@example.com",
                                   "bit.ly", None, 5, {}, ["Sam"], True])
def test_validate_customer_name_refuses_hostile_values(value):
    with pytest.raises(ToolError):
        validate_customer_name(value)


@pytest.mark.parametrize("value,expected", [("0412 345 678", "+61412345678"), ("+61412345678", "+61412345678"),
                                            ("oh four one two three four five six seven eight", "+61412345678"),
                                            (412345678, "+61412345678"), ("(03) 9534 5588", "+61395345588"),
                                            (f"0412345678{RLO}", "+61412345678"), ("0412345678\x00", "+61412345678")])
def test_validate_phone_number_gives_e164(value, expected):
    assert validate_phone_number(value) == expected


@pytest.mark.parametrize("value", ["", "000", "112", "1" * 65, f"{RLO}\x00", 1.5, True,
                                   None, {}, ["0412345678"]])
def test_validate_phone_number_refuses_hostile_values(value):
    with pytest.raises(ToolError):
        validate_phone_number(value)


@pytest.mark.parametrize("value,expected", [(1, 1), (1500, 1500), ("99999", 99999)])
def test_validate_price_accepts_whole_cents_up_to_1000_dollars(value, expected):
    assert validate_price(value) == expected


@pytest.mark.parametrize("value", [0, -1, 100_000, 10**30, 15.5, "15.00", True, None, "free"])
def test_validate_price_refuses_everything_else(value):
    with pytest.raises(ToolError):
        validate_price(value)


def test_validate_menu_item_and_customization_accept_only_the_menu(menu):
    assert validate_menu_item(menu, "KEBAB") == "KEBAB"
    assert validate_customization(menu, "sauce", "Garlic") == "garlic"
    assert validate_customization(menu, "brand", "coke") == "coke"
    for item in ["kebab", SQL, "", None, {"id": "KEBAB"}, ["KEBAB"]]:
        with pytest.raises(ToolError, match="That isn't on our menu."):
            validate_menu_item(menu, item)
    for kind, value in [("sauce", SQL), ("sauce", HTML), ("salad", "🥙"), ("protein", f"{RLO}"),
                        ("extra", LONG), ("brand", {"$ne": ""})]:
        with pytest.raises(ToolError):
            validate_customization(menu, kind, value)


def test_validate_notes_cleans_controls_and_refuses_links():
    assert validate_notes("  no onion,\tcut in half ") == "no onion, cut in half"
    assert validate_notes(None) == ""
    assert (validate_notes("\x07"), validate_notes(f"a{RLO}b"), validate_notes("ไม่ใส่หัวหอม\u200b")) == (
        "", "ab", "ไม่ใส่หัวหอม")
    for value in ["www.evil.com", "see http://x.io", "n" * 201, {"a": 1}]:
        with pytest.raises(ToolError):
            validate_notes(value)


@pytest.mark.parametrize("text,expected", [
    ("Zoë\x00\x1b[31m O'Brien", "Zoe O'Brien"),
    (f"Sam{RLO}\u200b 🥙", "Sam"),
    ("line\r\nBcc: all", "line Bcc: all"),
    ("visit https://evil.example", "visit evil.example"),
    (LONG, "x" * 57 + "..."),
])
def test_sanitize_for_sms_leaves_one_safe_ascii_line(text, expected):
    assert sanitize_for_sms(text, 60) == expected
