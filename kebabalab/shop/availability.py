"""What the kitchen can make right now: sold-out items and options, paused phone orders, busy minutes.

Sold-out marks last until the end of the shop's day; pause and busy mode until they are lifted
(or the end of the day). The state is a small JSON document so a shared store can hold it (store/availability.py
in memory, store/redis_sessions.py in Redis).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from kebabalab.errors import ToolError
from kebabalab.ordering.cart import say_or

KINDS = ("item", "protein", "salad", "sauce", "brand", "extra", "category")
MAX_BUSY_MINUTES = 120  # busy mode adds at most two hours to every pickup time


@dataclass
class AvailabilityState:
    day: str = ""
    sold_out: list[str] = field(default_factory=list)  # "protein:lamb", "item:CHIPS", "brand:coke"
    paused: bool = False
    busy_minutes: int = 0

    def to_dict(self) -> dict:
        return {"day": self.day, "sold_out": sorted(self.sold_out), "paused": self.paused,
                "busy_minutes": self.busy_minutes}


class Availability:
    def __init__(self, store, clock, hours):
        self._store, self._clock, self._hours = store, clock, hours

    def _today(self) -> str:
        return self._hours.trading_day(self._clock.now())[0].isoformat()

    def state(self) -> AvailabilityState:
        return self._from_doc(self._store.load())

    def in_force(self, prefetched: dict | None = None) -> AvailabilityState:
        """What the phone tools must obey now; when nothing is marked (the usual case) no date is worked out.
        `prefetched`: documents read with the call's session, which the store uses when one is its own."""
        doc = self._store.load(prefetched)
        if not (doc.get("sold_out") or doc.get("paused") or doc.get("busy_minutes")):
            return AvailabilityState()
        return self._from_doc(doc)

    def _from_doc(self, doc: dict) -> AvailabilityState:
        today = self._today()
        if doc.get("day") != today:
            return AvailabilityState(day=today)
        return AvailabilityState(doc["day"], list(doc.get("sold_out", [])), bool(doc.get("paused")),
                                 int(doc.get("busy_minutes", 0)))

    def _change(self, mutate) -> AvailabilityState:
        def change(doc: dict) -> dict:
            state = self._from_doc(doc)
            mutate(state)
            return state.to_dict()
        return self._from_doc(self._store.update(change))

    def set_sold_out(self, kind: str, name: str, sold_out: bool) -> AvailabilityState:
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}")
        key = f"{kind}:{name}"

        def mutate(state: AvailabilityState) -> None:
            marks = [m for m in state.sold_out if m != key]
            state.sold_out = marks + [key] if sold_out else marks
        return self._change(mutate)

    def set_paused(self, paused: bool) -> AvailabilityState:
        return self._change(lambda state: setattr(state, "paused", bool(paused)))

    def set_busy(self, minutes: int) -> AvailabilityState:
        return self._change(lambda state: setattr(state, "busy_minutes", max(0, min(MAX_BUSY_MINUTES, int(minutes)))))

    def is_sold_out(self, kind: str, name: str) -> bool:
        return f"{kind}:{name}" in self.state().sold_out


def sold_out_refusal(menu, state: AvailabilityState, line) -> str | None:
    """A sentence refusing `line` if anything in it is sold out today, offering what is left; else None."""
    marks = set(state.sold_out)
    if not marks:
        return None
    item = menu.item(line.item_id)
    checks = [("item", line.item_id, item.spoken, [i.spoken for i in menu.items_in(line.category)
                                                  if f"item:{i.id}" not in marks]),
              ("category", line.category, item.spoken, [])]
    if line.protein:
        checks.append(("protein", line.protein, line.protein,
                       [p for p in (item.proteins or menu.proteins) if f"protein:{p}" not in marks]))
    brands = [b for b in (line.brand, line.meal.drink_brand if line.meal else None) if b]
    checks += [("brand", b, b, [c for c in menu.can_brands if f"brand:{c}" not in marks]) for b in brands]
    checks += [("salad", s, s, []) for s in line.salads] + [("sauce", s, f"{s} sauce", []) for s in line.sauces]
    checks += [("extra", e, e, []) for e in line.extras]
    if line.cheese and not item.includes_cheese:
        checks.append(("extra", "cheese", "cheese", []))
    if line.meal and line.meal.chips_size:
        checks.append(("item", menu.chips_item().id, "chips", []))
    for kind, name, said, others in checks:
        if f"{kind}:{name}" in marks:
            others = [o for o in others if o != said][:4]
            offer = f"; we have {say_or(others)}" if others else ""
            return f"Sorry, we're out of {said} today{offer}."
    return None


def check_available(menu, kitchen: AvailabilityState, lines) -> None:
    """Refuse the whole request (ToolError) if any line has something the kitchen marked sold out, or an item
    the owner has taken off the menu since it went in the cart."""
    for line in lines:
        hidden = menu.hidden_items.get(line.item_id)
        if hidden is not None:
            raise ToolError(f"Sorry, the {hidden.spoken} is off the menu now; please take it out of the order.")
        refusal = sold_out_refusal(menu, kitchen, line)
        if refusal:
            raise ToolError(refusal)
