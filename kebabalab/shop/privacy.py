"""How long the shop keeps who ordered: HISTORY_DAYS, as pure policy (the statements are in store/privacy.py, the
daily job in service/privacy.py)."""
from __future__ import annotations

from datetime import datetime, timedelta

DAY_SECONDS = 24 * 3600


def history_cutoff(now: datetime, history_days: int) -> datetime:
    """Orders, texts and abandoned carts created before this instant lose the customer's name and number."""
    return now - timedelta(days=history_days)
