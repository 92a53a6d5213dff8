"""What a tool gets: the shop's services, the call's session, and who is calling."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from datetime import datetime
from typing import TYPE_CHECKING

from kebabalab.ordering import pricing
from kebabalab.ordering.cart import CartLine, line_result, spoken_line
from kebabalab.service.offers import offer_for
from kebabalab.shop.hours import spoken_time

if TYPE_CHECKING:  # pragma: no cover
    from kebabalab.service.wiring import Services
    from kebabalab.store.sessions import Session


@dataclass
class ToolContext:
    services: "Services"
    session: "Session"
    call_id: str
    caller: str | None  # E.164, or None on a web call or a withheld number
    tool_call_id: str

    @cached_property
    def in_force(self):
        """The menu in force when this tool call began (a board change takes effect at the next call), with its
        parser words."""
        return self.services.catalog.current

    @property
    def menu(self):
        return self.in_force.menu

    @property
    def lexicon(self):
        return self.in_force.lexicon

    @cached_property
    def kitchen(self):
        """What the kitchen has marked (sold out, orders paused, busy minutes): read once per tool call; with
        REDIS_URL it came with the session, in the same round trip."""
        return self.services.availability.in_force(self.session.prefetched)

    def now(self) -> datetime:
        return self.services.clock.now()

    def reply(self, message: str, **fields) -> dict:
        return {"ok": True, "message": message, **fields}

    def total(self) -> int:
        return pricing.cart_total(self.menu, self.session.cart)

    def cart_fields(self) -> dict:
        return {"cartSize": len(self.session.cart), "total": pricing.dollars(self.total())}

    def line(self, line: CartLine, index: int) -> dict:
        return line_result(self.menu, line, index)

    def lines(self) -> list[dict]:
        return [self.line(line, i) for i, line in enumerate(self.session.cart)]

    def added(self, lines: list[CartLine], start: int, note: str = "") -> dict:
        """The reply to lines just added to the cart at `start`: what they are, and the cart's new total."""
        added = [self.line(line, start + n) for n, line in enumerate(lines)]
        said = "; ".join(self.spoken(line) for line in lines)
        return self.reply(f"Added {said}. The total is now {pricing.spoken_money(self.total())}.{note}",
                          added=added, **self.cart_fields())

    def with_offer(self, result: dict) -> dict:
        """`result` with the call's one offer, when the cart calls for it now: asked once, in the offer's words."""
        offer = offer_for(self.services, self.session, self.call_id)
        if offer is None:
            return result
        return {**result, "message": f"{result['message']} Ask once, in these words: {offer['say']}", "offer": offer}

    def pickup_fields(self, ready: datetime) -> dict:
        """A pickup time as the tools report it: ISO in the shop's zone, spoken, and minutes from now."""
        local = ready.astimezone(self.services.hours.tz)
        minutes = max(0, round((ready - self.now()).total_seconds() / 60))
        iso = local.isoformat(timespec="seconds")
        return {"readyAt": iso, "readyAtIso": iso, "readyAtSpoken": spoken_time(local), "minutesFromNow": minutes}

    def spoken(self, line: CartLine) -> str:
        return spoken_line(self.menu, line)

    def item_count(self) -> int:
        return sum(line.quantity for line in self.session.cart)
