"""The end-of-day summary: at each shop's closing time, its owner (its business.json `owner`) gets its takings by
text (and by email when the deployment has an SMTP server and the owner an address), once, however many workers
see closing time pass. `services` is the shop's ShopServices: its hours, orders, calls and owner only.

The summary is its parts in order: each part is a function (services, takings) -> lines; a new figure (issue 24's
lost value) is one more function in SUMMARY_PARTS.
"""
from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from kebabalab.messaging.texts import compose_day_summary, day_summary_subject, takings_lines
from kebabalab.service.callbacks import callback_summary
from kebabalab.service.takings import day_takings
from kebabalab.store.owner_notices import Notice, claim_notice, notices_with_key

log = logging.getLogger(__name__)
LATE_HOURS = 12  # a server that was down at closing time still sends the summary within this many hours


def _takings_part(services, takings) -> list[str]:
    return takings_lines(takings)


def _lost_orders_part(services, takings) -> list[str]:
    """Issue 24: the value left in carts and who still waits for a call back (noon is inside the trading day)."""
    return callback_summary(services, services.hours.wall_time(date.fromisoformat(takings.day), 12, 0))


SUMMARY_PARTS = (_takings_part, _lost_orders_part)


def closing_time(hours, day: date) -> datetime | None:
    """When the trading day `day` closes: the end of its last opening (None on a closed day)."""
    intervals = hours.intervals_on(day)
    return max(closes for _, closes in intervals) if intervals else None


def summary_key(day: date) -> str:
    return f"day-summary:{day.isoformat()}"


def summary_notices(services, day: date) -> list[Notice]:
    """The summary of `day` on each channel the owner has: a text to owner.phone, a mail to owner.email."""
    takings = day_takings(services, day)
    lines = [line for part in SUMMARY_PARTS for line in part(services, takings)]
    business = services.business
    body, subject = compose_day_summary(business, day, lines), day_summary_subject(business, day)
    notices = []
    if business.owner_phone:
        notices.append(Notice("text", business.owner_phone, subject, body))
    if business.owner_email and services.mailer is not None:
        notices.append(Notice("email", business.owner_email, subject, body))
    return notices


def queue_due_summary(services, now: datetime) -> list[date]:
    """Claim the summary of each trading day (today's, yesterday's) whose closing time has passed and that no
    worker has claimed yet; returns the days this call claimed."""
    if not (services.business.owner_phone or services.business.owner_email):
        return []
    today = services.hours.trading_day(now)[0]
    claimed = []
    for day in (today - timedelta(days=1), today):
        closes = closing_time(services.hours, day)
        if closes is None or not closes <= now < closes + timedelta(hours=LATE_HOURS):
            continue
        if notices_with_key(services.db, summary_key(day), services.shop.id):
            continue  # read first: a claimed day costs no write every round
        notices = summary_notices(services, day)
        if notices and claim_notice(services.db, summary_key(day), notices, now, services.shop.id):
            log.info("end-of-day summary of %s queued for the owner of shop %s", day.isoformat(), services.shop.id)
            claimed.append(day)
    return claimed
