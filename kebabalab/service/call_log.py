"""The call log read back: a trading day's calls, each with what became of it, and the day's counts."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from kebabalab.shop.call_outcome import OUTCOMES, call_outcome
from kebabalab.store.calls import CallRow, calls_between


@dataclass(frozen=True)
class LoggedCall:
    call: CallRow
    outcome: str  # one of shop.call_outcome.OUTCOMES
    started: datetime  # in the shop's time zone


@dataclass(frozen=True)
class CallDay:
    day: date
    calls: list[LoggedCall]  # newest first
    counts: dict[str, int]  # every outcome, zeros included

    @property
    def ordered_percent(self) -> int | None:
        """The share of the day's calls that became orders, in whole percent; None before the first call."""
        return round(100 * self.counts["ordered"] / len(self.calls)) if self.calls else None


def logged_call(services, call: CallRow) -> LoggedCall:
    started = services.hours.local(datetime.fromisoformat(call.started_at))
    outcome = call_outcome(ordered=call.order_number is not None, transferred=call.transferred,
                           transfer_answered=call.transfer_answered, cart_lines=call.cart_lines,
                           ended=call.ended_at is not None, ended_reason=call.ended_reason,
                           after_hours=not services.hours.taking_orders(started),
                           message_left=call.messages_left > 0)
    return LoggedCall(call, outcome, started)


def calls_on_day(services, now: datetime) -> CallDay:
    """The trading day's calls (5 am to 5 am in the shop's time zone) at `now`."""
    day, start, end = services.hours.trading_day(now)
    calls = [logged_call(services, call) for call in calls_between(services.db, start, end, services.shop.id)]
    counts = dict.fromkeys(OUTCOMES, 0)
    for call in calls:
        counts[call.outcome] += 1
    return CallDay(day, calls, counts)
