"""The menu on the board, for the owner: change a price, hide or show an item, add an item to a category.

    GET  /board/menu           the page (templates/menu.html, static/menu.js)
    GET  /api/menu             the menu in force: version, items (prices in dollars), categories, who changed what
    POST /api/menu/price       {"version", "itemId", "size" (sized items), "price": "12.50"}
    POST /api/menu/hidden      {"version", "itemId", "hidden": true}
    POST /api/menu/items       {"version", "category", "name", "price" or "prices": {"small", "large"},
                                "allergens": [...] or "unconfirmed", "mealDeal": true where the category has one}

Every change is checked as check-menu checks a file, saved as a new menu version with who and when, and is in
force for the next tool call on every worker. `version` is the one the page showed: a change made meanwhile
(another tablet) answers 409 and nothing is saved.
"""
from __future__ import annotations

import logging
from datetime import datetime

from flask import jsonify, render_template, request

from kebabalab.ordering import menu_edits
from kebabalab.ordering.allergens import UNCONFIRMED
from kebabalab.ordering.menu import CATEGORIES
from kebabalab.ordering.menu_edits import MenuEditRefused, cents_from_dollars
from kebabalab.store.menu_versions import MenuMoved
from kebabalab.version import __version__
from kebabalab.web.staff_pages import auth, current_staff, error, owner_required, services, shop_title, \
    staff_blueprint

log = logging.getLogger(__name__)
bp = staff_blueprint("menu_page", __name__)


@bp.get("/board/menu")
@owner_required
def page():
    return render_template("menu.html", shop=shop_title(services()), version=__version__,
                           csrf_token=auth().csrf_token())


def menu_json() -> dict:
    catalog = services().catalog
    current = catalog.current
    items = []
    for raw in current.document["items"]:
        entry = {"id": raw["id"], "name": raw["name"], "category": raw["category"], "hidden": raw.get("hidden") is True,
                 "allergens": raw.get("allergens", UNCONFIRMED)}
        if "sizes_cents" in raw:
            entry["prices"] = {size: cents / 100 for size, cents in raw["sizes_cents"].items()}
        else:
            entry["price"] = raw["price_cents"] / 100
        items.append(entry)
    meals = {}
    for key, meal in current.document.get("meals", {}).items():
        meals.setdefault(meal["main"], []).append(meal.get("name", key))
    history = [{"version": row["id"], "change": row["change"], "by": row["changed_by"],
                "at": _local(row["created_at"])} for row in catalog.versions.history()]
    return {"version": current.version, "categories": list(CATEGORIES), "mealDeals": meals, "items": items,
            "history": history}


def _local(stamp: str) -> str:
    return services().hours.local(datetime.fromisoformat(stamp)).isoformat(timespec="seconds")


@bp.get("/api/menu")
@owner_required
def api_menu():
    return jsonify(menu_json())


def _body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or isinstance(body.get("version"), bool) or not isinstance(body.get("version"), int):
        raise MenuEditRefused('send JSON with the "version" of the menu you are changing')
    return body


def _change(edit) -> tuple:
    """Run one change for the signed-in owner: 200 with the new menu, 400 refused, 409 the menu moved on."""
    try:
        body = _body()
        version, said = services().catalog.change(edit(body), current_staff().name, body["version"])
    except MenuEditRefused as exc:
        return error(400, f"Not changed: {exc}.")
    except MenuMoved:
        return error(409, "The menu was changed on another screen since you opened it; reload to see it.")
    log.info("board: menu version %d by %s: %s", version, current_staff().name, said)
    return jsonify({"changed": said, **menu_json()})


@bp.post("/api/menu/price")
@owner_required
def api_price():
    def edit(body):
        cents = cents_from_dollars(body.get("price"))
        return lambda doc: menu_edits.set_price(doc, body.get("itemId"), body.get("size"), cents)
    return _change(edit)


@bp.post("/api/menu/hidden")
@owner_required
def api_hidden():
    def edit(body):
        if not isinstance(body.get("hidden"), bool):
            raise MenuEditRefused("hidden must be true or false")
        return lambda doc: menu_edits.set_hidden(doc, body.get("itemId"), body["hidden"])
    return _change(edit)


@bp.post("/api/menu/items")
@owner_required
def api_add_item():
    def edit(body):
        given = body.get("prices")
        prices = {size: cents_from_dollars(value) for size, value in given.items()} if isinstance(given, dict) \
            else cents_from_dollars(body.get("price"))
        return lambda doc: menu_edits.add_item(doc, body.get("category"), body.get("name"), prices,
                                               body.get("allergens"), body.get("mealDeal") is True)
    return _change(edit)
