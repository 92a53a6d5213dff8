"""Minutes until an order is due, and its 'soon' and 'late' marks, as the kitchen reads them."""
from datetime import timedelta

import pytest

from conftest import FRIDAY_6PM
from kebabalab.shop.due import Due, due


@pytest.mark.parametrize("offset, status, expected", [
    (timedelta(minutes=30), "new", Due(30, None, "in 30 min")),
    (timedelta(minutes=5, seconds=30), "new", Due(6, None, "in 6 min")),
    (timedelta(minutes=5), "preparing", Due(5, "soon", "in 5 min")),
    (timedelta(seconds=20), "new", Due(1, "soon", "in 1 min")),
    (timedelta(0), "preparing", Due(0, "soon", "due now")),
    (timedelta(seconds=-20), "preparing", Due(-1, "late", "1 min late")),
    (timedelta(minutes=-12), "new", Due(-12, "late", "12 min late")),
    (timedelta(minutes=-12), "ready", Due(-12, None, "12 min late")),
    (timedelta(minutes=2), "collected", Due(2, None, "in 2 min")),
])
def test_due(offset, status, expected):
    assert due(FRIDAY_6PM, FRIDAY_6PM + offset, status) == expected
