"""The counter's orders on the board: a walk-in or a customer who phoned the shop, and changing an order after
the call. The same menu, prices and saving as the phone line (service/counter.py, service/order_edit.py).

    POST /api/counter/quote                {"said": ["2 large lamb kebabs with garlic", ...]}: lines and total
    POST /api/counter/orders               {"kind": "walk-in"|"phone", "name", "phone", "said", "pickup",
                                            "notes", "key"}: place it (201); a second tap with the same key
                                            answers the first order (200)
    POST /api/orders/<number>/lines        {"add": [...], "remove": [0, ...], "textCustomer": false,
                                            "seen": [the lines' descriptions as shown]}: change it (refused
                                            if the lines are no longer those seen)
"""
from __future__ import annotations

import logging

from flask import jsonify, request

from kebabalab.errors import ToolError
from kebabalab.ordering import pricing
from kebabalab.ordering.validation import validate_customer_name, validate_notes, validate_phone_number
from kebabalab.service.counter import KINDS, CounterOrder, quote, take_counter_order
from kebabalab.service.order_edit import edit_order
from kebabalab.shop.order_status import OrderNotFound
from kebabalab.store.status import events_of_orders
from kebabalab.web.board_view import order_json
from kebabalab.web.order_texts import texts_fields
from kebabalab.web.staff_pages import current_staff, error, services as _services, staff_blueprint

log = logging.getLogger(__name__)

bp = staff_blueprint("counter", __name__)
MAX_PHRASES = 30


def _phrases(value) -> list[str]:
    if not isinstance(value, list) or len(value) > MAX_PHRASES or \
            not all(isinstance(v, str) and v.strip() for v in value):
        raise ToolError(f"Send what they want as a list of 1 to {MAX_PHRASES} lines of words.")
    return [v.strip() for v in value]


def _body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ToolError("Send JSON.")
    return body


def _shown(services, order) -> dict:
    events = events_of_orders(services.db, [order.id])[order.id]
    return order_json(order, services.hours, events, now=services.hours.local(services.clock.now()),
                      menu=services.menu, texts=texts_fields(services.db, [order.id])[order.id])


@bp.post("/api/counter/quote")
def api_quote():
    services = _services()
    try:
        lines = quote(services, _phrases(_body().get("said")))
    except ToolError as exc:
        return error(400, exc.message)
    return jsonify({"lines": [{**line, "lineTotal": pricing.dollars(line["lineTotal"])} for line in lines],
                    "total": pricing.dollars(sum(line["lineTotal"] for line in lines))})


def _counter_order(body: dict) -> CounterOrder:
    kind = body.get("kind")
    if kind not in KINDS:
        raise ToolError(f"Say whether it is a {' or a '.join(KINDS)} order.")
    name = body.get("name") or ("Walk-in" if kind == "walk-in" else None)
    phone = body.get("phone") if kind == "phone" else None  # a walk-in is standing there: no texts
    key = body.get("key")
    if not isinstance(key, str) or not 8 <= len(key) <= 100:
        raise ToolError("The form has no key; reload the board.")
    pickup = body.get("pickup") or "asap"
    if not isinstance(pickup, str):
        raise ToolError("Give the pickup time in words: asap, in 20 minutes, 6.30.")
    return CounterOrder(kind, validate_customer_name(name), validate_phone_number(phone) if phone else None,
                        tuple(_phrases(body.get("said"))), pickup, validate_notes(body.get("notes")), key)


@bp.post("/api/counter/orders")
def api_counter_order():
    services = _services()
    staff = current_staff()
    try:
        placed = take_counter_order(services, _counter_order(_body()), staff.name)
    except ToolError as exc:
        return error(400, exc.message)
    order = placed.order
    log.info("board: counter order %s (%s) taken by %s", order.order_number, "new" if order.created else "again",
             staff.name)
    response = jsonify({"order": _shown(services, order), "created": order.created})
    response.status_code = 201 if order.created else 200
    return response


@bp.post("/api/orders/<number>/lines")
def api_change_lines(number: str):
    services = _services()
    try:
        body = _body()
        add = _phrases(body["add"]) if body.get("add") else []
        remove = body.get("remove") or []
        text, seen = body.get("textCustomer", False), body.get("seen")
        if not isinstance(remove, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in remove) \
                or not isinstance(text, bool) or not (seen is None or isinstance(seen, list) and
                                                      all(isinstance(d, str) for d in seen)):
            raise ToolError('Send {"add": [words, ...], "remove": [line numbers], "textCustomer": true or false}.')
        edited = edit_order(services, number, add, remove, current_staff().name, text, seen)
    except OrderNotFound:
        return error(404, f"no order {number}")
    except ToolError as exc:
        return error(400, exc.message)
    log.info("board: order %s changed by %s: %s", number, current_staff().name, edited.detail)
    return jsonify({"order": _shown(services, edited.order), "oldTotal": pricing.dollars(edited.old_total),
                    "newTotal": pricing.dollars(edited.new_total), "customerTexted": edited.texted})
