"""A shop's phone line health, for its board's banner, /metrics and its owner's alerts: when Vapi last reached the
server (one webhook for the deployment, so one mark for every shop), whether the shop's texts go out, its outbox
backlog; and the two problems its owner is alerted to, once each (by text and by email): the shop's own order text
not delivered, and the shop's texts failing for FAILING_MINUTES."""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from kebabalab.messaging.texts import (owner_alert_text, phone_line_alert_subject, shop_text_lost_sentence,
                                       texts_failing_sentence)
from kebabalab.store.owner_notices import Notice, claim_notice
from kebabalab.store.phone_line import (LostText, backlog, last_sent, mark, oldest_failing, set_mark,
                                        shop_text_lost)

log = logging.getLogger(__name__)
FAILING_MINUTES = 10
VAPI_MARK = "vapi_last_seen"


class VapiSeen:
    """When Vapi last reached this worker (in memory, set on every authenticated webhook); `save` writes it to
    the database for the other workers, at most once per background round."""

    def __init__(self):
        self._lock = threading.Lock()
        self._at: datetime | None = None
        self._saved: datetime | None = None

    def seen(self, at: datetime) -> None:
        with self._lock:
            self._at = at

    def save(self, db) -> None:
        with self._lock:
            at, saved = self._at, self._saved
        if at is not None and at != saved:
            set_mark(db, VAPI_MARK, at)
            with self._lock:
                self._saved = at

    @property
    def here(self) -> datetime | None:
        with self._lock:
            return self._at


@dataclass(frozen=True)
class Problem:
    key: str  # one incident: the owner is alerted once per key
    sentence: str


@dataclass(frozen=True)
class Health:
    vapi_last_seen: datetime | None
    last_text_sent: datetime | None
    backlog: int
    texts_failing_since: datetime | None  # failing for FAILING_MINUTES or more
    shop_text_lost: LostText | None
    problems: tuple[Problem, ...]

    @property
    def texts_going_out(self) -> bool:
        return self.texts_failing_since is None


def _latest(*stamps) -> datetime | None:
    found = [datetime.fromisoformat(s) if isinstance(s, str) else s for s in stamps if s]
    return max(found) if found else None


def phone_line_health(services, now: datetime) -> Health:
    """The shop's health now (`services`: its ShopServices); problems only within its trading day (a night's
    trouble is not the next day's)."""
    db, hours, shop_id = services.db, services.hours, services.shop.id
    since = hours.trading_day(now)[1]
    sent = _latest(last_sent(db, since, shop_id))
    failing = oldest_failing(db, sent or since, shop_id)  # an older failure before a text went out is not this one
    failing_since = None
    if failing is not None:
        first = datetime.fromisoformat(failing[1])
        if now - first >= timedelta(minutes=FAILING_MINUTES):
            failing_since = first
    lost = shop_text_lost(db, since, shop_id)
    problems = []
    if lost is not None:
        problems.append(Problem(f"shop-text-lost:{lost.outbox_id}", shop_text_lost_sentence(lost.day_seq,
                                                                                              lost.error_code)))
    if failing_since is not None:
        problems.append(Problem(f"texts-failing:{failing[0]}",
                                texts_failing_sentence(hours.local(failing_since))))
    return Health(_latest(mark(db, VAPI_MARK), services.vapi_seen.here), sent, backlog(db, shop_id), failing_since,
                  lost, tuple(problems))


def alert_owner(services, now: datetime) -> list[str]:
    """The shop's owner alerted (by text and by email) to each new problem of its line (`services`: its
    ShopServices); returns the keys this call claimed. The Vapi mark is saved apart, once a round (VapiSeen)."""
    business = services.business
    if not (business.owner_phone or business.owner_email):
        return []
    claimed, several = [], len(services.shops.ids()) > 1
    for problem in phone_line_health(services, now).problems:
        subject = phone_line_alert_subject(business)
        text = owner_alert_text(business, problem.sentence, name_the_shop=several)
        notices = [Notice("text", business.owner_phone, subject, text)] if business.owner_phone else []
        if business.owner_email and services.mailer is not None:
            notices.append(Notice("email", business.owner_email, subject, problem.sentence))
        if notices and claim_notice(services.db, problem.key, notices, now, services.shop.id):
            log.warning("phone line: owner of shop %s alerted (%s)", services.shop.id, problem.key)
            claimed.append(problem.key)
    return claimed
