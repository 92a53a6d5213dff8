"""How soon an order is due, as the kitchen reads it: minutes until its pickup time, 'soon' and 'late': pure policy.

An order still to be made (new, preparing) is 'soon' from DUE_SOON_MINUTES before its pickup time and 'late'
once the time has passed; a ready, collected or cancelled order is neither (the kitchen is done with it).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

DUE_SOON_MINUTES = 5
TO_MAKE = ("new", "preparing")


@dataclass(frozen=True)
class Due:
    minutes: int  # whole minutes until pickup: negative once it has passed
    mark: str | None  # "soon", "late" or None
    text: str  # "in 12 min", "due now", "3 min late"


def due(now: datetime, ready_at: datetime, status: str) -> Due:
    seconds = (ready_at - now).total_seconds()
    minutes = math.ceil(seconds / 60) if seconds >= 0 else -math.ceil(-seconds / 60)
    if minutes > 0:
        text = f"in {minutes} min"
    else:
        text = "due now" if minutes == 0 else f"{-minutes} min late"
    mark = None
    if status in TO_MAKE:
        mark = "late" if seconds < 0 else "soon" if minutes <= DUE_SOON_MINUTES else None
    return Due(minutes, mark, text)
