"""A trading day's takings for the board, the CSV and the end-of-day summary (the sums in shop/takings.py)."""
from __future__ import annotations

from datetime import date

from kebabalab.shop.takings import Takings, tally


def day_takings(services, day: date) -> Takings:
    """The takings of one trading day (its orders from 5 am to 5 am in the shop's time zone)."""
    return tally(day.isoformat(), services.db.orders_on_day(day.isoformat()), services.menu, services.hours)


def today(services) -> date:
    """The shop's trading day now."""
    return services.hours.trading_day(services.clock.now())[0]
