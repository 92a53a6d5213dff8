"""Lost orders called back: the day's calls that left items in the cart or asked for a person nobody answered,
what they were worth, and staff recording that they called back and what came of it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from kebabalab.messaging.texts import callback_lines
from kebabalab.service.call_log import LoggedCall, calls_on_day, logged_call
from kebabalab.shop.call_outcome import CALL_BACK, CALLBACK_RESULTS
from kebabalab.shop.hours import spoken_time
from kebabalab.store.calls import find_call, record_callback


class CallbackRefused(ValueError):
    """The callback cannot be recorded; the message says why, for the person who tapped."""


@dataclass(frozen=True)
class Callback:
    logged: LoggedCall
    ordered_later: bool  # the same number placed an order on a later call today: nothing to call back for


@dataclass(frozen=True)
class CallbackList:
    day: date
    callbacks: list[Callback]  # newest first

    @property
    def lost_cents(self) -> int:
        """What the carts left came to, but those ordered after all (on a later call or when called back)."""
        return sum(c.logged.call.cart_total for c in self.callbacks
                   if not c.ordered_later and c.logged.call.callback_outcome != "ordered")

    @property
    def waiting(self) -> list[Callback]:
        """Those nobody has called back yet, and that did not order later (a hidden number cannot be called)."""
        return [c for c in self.callbacks if not c.ordered_later and c.logged.call.called_back_at is None
                and c.logged.call.caller]


def callbacks_on_day(services, now: datetime) -> CallbackList:
    """The trading day's callback list at `now`."""
    day = calls_on_day(services, now)
    orders_at: dict[str, list[datetime]] = {}
    for logged in day.calls:
        if logged.outcome == "ordered" and logged.call.caller:
            orders_at.setdefault(logged.call.caller, []).append(logged.started)
    callbacks = [Callback(logged, any(at > logged.started for at in orders_at.get(logged.call.caller or "", ())))
                 for logged in day.calls if logged.outcome in CALL_BACK]
    return CallbackList(day.day, callbacks)


def called_back(services, call_id: str, outcome: str, by: str) -> LoggedCall:
    """Record that `by` called back the caller of `call_id` now, and what came of it; CallbackRefused when the
    outcome is unknown or the call is not on a callback list."""
    if outcome not in CALLBACK_RESULTS:
        raise CallbackRefused(f"Say what came of the call back: one of {', '.join(CALLBACK_RESULTS)}.")
    call = find_call(services.db, call_id, services.shop.id)
    if call is None or logged_call(services, call).outcome not in CALL_BACK:
        raise CallbackRefused("That call is not on the callback list.")
    if not call.caller:
        raise CallbackRefused("That caller's number was hidden, so they cannot be called back.")
    record_callback(services.db, call_id, outcome, by, services.clock.now(), services.shop.id)
    return logged_call(services, find_call(services.db, call_id, services.shop.id))


def callback_summary(services, now: datetime) -> list[str]:
    """The end-of-day summary's lost orders of the trading day at `now`: the value of the carts left and who still
    waits for a call back (one of service/closing_summary.py's SUMMARY_PARTS)."""
    callbacks = callbacks_on_day(services, now)
    waiting = [(spoken_time(c.logged.started), c.logged.call.caller, c.logged.call.cart_summary or "",
                c.logged.call.cart_total, c.logged.outcome) for c in callbacks.waiting]
    return callback_lines(callbacks.lost_cents, waiting)
