"""What the kitchen can make right now: sold-out items and options, paused phone orders, busy minutes.

Sold-out marks last until the end of the shop's day; pause and busy mode until they are lifted
(or the end of the day). The state is a small JSON document so a shared store can hold it (store/availability.py
in memory, store/redis_sessions.py in Redis). A cart line is checked against the marks in ordering/sold_out.py.
"""
from __future__ import annotations

from dataclasses import dataclass, field

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

