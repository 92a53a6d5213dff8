"""The owner's takings: today's (or any day's) orders, total and GST, items sold, orders by hour, phone against
counter; and the day's orders as CSV for the accountant.

    GET /board/takings[?day=YYYY-MM-DD]  the page (owner only; under /board, where the staff session lives)
    GET /api/takings[?day=YYYY-MM-DD]    the same figures as JSON, money in dollars
    GET /board/takings.csv?day=...       the day's orders, one row per order
"""
from __future__ import annotations

import re
from datetime import date, datetime

from flask import Response, jsonify, render_template, request

from kebabalab.ordering import pricing
from kebabalab.service.takings import day_takings, today
from kebabalab.shop.hours import spoken_time
from kebabalab.version import __version__
from kebabalab.web.staff_pages import error, owner_required, services as _services, shop_title, \
    staff_blueprint
from kebabalab.web.takings_csv import orders_csv

bp = staff_blueprint("takings", __name__)
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class BadDay(ValueError):
    pass


def _day(services) -> date:
    """?day=YYYY-MM-DD, or the trading day now; BadDay with a sentence when it is not a date."""
    given = request.args.get("day")
    if not given:
        return today(services)
    try:
        if not DAY.fullmatch(given):
            raise ValueError
        return date.fromisoformat(given)
    except ValueError:
        raise BadDay(f"day must be a date like 2026-11-27, not {given[:20]!r}") from None


@bp.errorhandler(BadDay)
def _bad_day(exc: BadDay):
    return error(400, str(exc))


def _hour_label(hour: int) -> str:
    """17 -> '5 pm'."""
    return spoken_time(datetime(2000, 1, 1, hour))


def takings_json(takings) -> dict:
    money = pricing.dollars
    return {"day": takings.day, "orders": takings.orders, "total": money(takings.total), "gst": money(takings.gst),
            "cancelled": takings.cancelled,
            "items": [{"name": i.name, "quantity": i.quantity, "total": money(i.total)} for i in takings.items],
            "byHour": [{"hour": hour, "label": _hour_label(hour), "orders": t.orders, "total": money(t.total)}
                       for hour, t in takings.by_hour],
            "phone": {"orders": takings.phone.orders, "total": money(takings.phone.total)},
            "counter": {"orders": takings.counter.orders, "total": money(takings.counter.total)}}


@bp.get("/board/takings")
@owner_required
def page():
    services = _services()
    day = _day(services)
    figures = takings_json(day_takings(services, day))
    return render_template("takings.html", shop=shop_title(services), version=__version__, t=figures,
                           today=today(services).isoformat())


@bp.get("/api/takings")
@owner_required
def api_takings():
    services = _services()
    return jsonify(takings_json(day_takings(services, _day(services))))


@bp.get("/board/takings.csv")
@owner_required
def csv_download():
    services = _services()
    day = _day(services)
    body = orders_csv(services.db.orders_on_day(day.isoformat()), services.hours)
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="takings-{day.isoformat()}.csv"'})


def init_app(app) -> None:
    app.register_blueprint(bp)
