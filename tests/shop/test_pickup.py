"""Pickup times: the caller's words, the earliest the kitchen can do, and the checks on a request."""
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kebabalab.errors import ToolError
from kebabalab.shop.hours import Hours
from kebabalab.shop.pickup import check_pickup, earliest_pickup, parse_requested_time

MEL = ZoneInfo("Australia/Melbourne")
HOURS_FILE = Path(__file__).resolve().parents[2] / "kebabalab" / "data" / "hours.json"
FRIDAY_5PM = datetime(2026, 11, 27, 17, 0, tzinfo=MEL)
ASK_AGAIN = "I didn't catch the time; how many minutes from now, or what time?"


def mel(y, mo, d, h=0, mi=0, s=0, fold=0):
    return datetime(y, mo, d, h, mi, s, tzinfo=MEL, fold=fold)


@pytest.fixture(scope="module")
def hours():
    return Hours.load(HOURS_FILE)


FRIDAY_5PM_WORDS = [
    ("in 30 minutes", "2026-11-27T17:30:00+11:00"),
    ("30 minutes", "2026-11-27T17:30:00+11:00"),
    ("half an hour", "2026-11-27T17:30:00+11:00"),
    ("in half an hour", "2026-11-27T17:30:00+11:00"),
    ("an hour", "2026-11-27T18:00:00+11:00"),
    ("in an hour and a half", "2026-11-27T18:30:00+11:00"),
    ("one and a half hours", "2026-11-27T18:30:00+11:00"),
    ("1.5 hours", "2026-11-27T18:30:00+11:00"),
    ("an hour and 20 minutes", "2026-11-27T18:20:00+11:00"),
    ("three quarters of an hour", "2026-11-27T17:45:00+11:00"),
    ("20 mins", "2026-11-27T17:20:00+11:00"),
    ("20 min", "2026-11-27T17:20:00+11:00"),
    ("20m", "2026-11-27T17:20:00+11:00"),
    ("twenty minutes", "2026-11-27T17:20:00+11:00"),
    ("twenty-five minutes", "2026-11-27T17:25:00+11:00"),
    ("forty five minutes", "2026-11-27T17:45:00+11:00"),
    ("about 20 minutes", "2026-11-27T17:20:00+11:00"),
    ("30 minutes from now", "2026-11-27T17:30:00+11:00"),
    ("in 30 minutes' time", "2026-11-27T17:30:00+11:00"),
    ("45", "2026-11-27T17:45:00+11:00"),
    ("in 5", "2026-11-27T17:05:00+11:00"),
    ("in 120", "2026-11-27T19:00:00+11:00"),
    ("6pm", "2026-11-27T18:00:00+11:00"),
    ("6 pm", "2026-11-27T18:00:00+11:00"),
    ("6 p.m.", "2026-11-27T18:00:00+11:00"),
    ("6.30", "2026-11-27T18:30:00+11:00"),
    ("6:30", "2026-11-27T18:30:00+11:00"),
    ("6:30 PM", "2026-11-27T18:30:00+11:00"),
    ("6:30pm", "2026-11-27T18:30:00+11:00"),
    ("630pm", "2026-11-27T18:30:00+11:00"),
    ("18:30", "2026-11-27T18:30:00+11:00"),
    ("1830", "2026-11-27T18:30:00+11:00"),
    ("six thirty", "2026-11-27T18:30:00+11:00"),
    ("six oh five", "2026-11-27T18:05:00+11:00"),
    ("quarter past 7", "2026-11-27T19:15:00+11:00"),
    ("half past six", "2026-11-27T18:30:00+11:00"),
    ("half six", "2026-11-27T18:30:00+11:00"),
    ("quarter to 8", "2026-11-27T19:45:00+11:00"),
    ("ten past seven", "2026-11-27T19:10:00+11:00"),
    ("twenty to nine", "2026-11-27T20:40:00+11:00"),
    ("at 7", "2026-11-27T19:00:00+11:00"),
    ("seven o'clock", "2026-11-27T19:00:00+11:00"),
    ("make it 7 tonight please", "2026-11-27T19:00:00+11:00"),
    ("around 6ish", "2026-11-27T18:00:00+11:00"),
    ("noon", "2026-11-28T12:00:00+11:00"),
    ("midnight", "2026-11-28T00:00:00+11:00"),
    ("11am", "2026-11-28T11:00:00+11:00"),
    ("7 in the morning", "2026-11-28T07:00:00+11:00"),
    ("asap", None),
    ("ASAP", None),
    ("a.s.a.p.", None),
    ("as soon as possible", None),
    ("now", None),
    ("right now please", None),
    ("whenever", None),
    ("whenever it's ready", None),
    ("in 0 minutes", None),
]


@pytest.mark.parametrize("text, expected", FRIDAY_5PM_WORDS, ids=[text for text, _ in FRIDAY_5PM_WORDS])
def test_parse_requested_time_friday_5pm(text, expected):
    got = parse_requested_time(text, FRIDAY_5PM, MEL)
    assert (got if got is None else got.isoformat()) == expected


@pytest.mark.parametrize("text, now, expected", [
    ("6.30", mel(2026, 11, 27, 17, 0), "2026-11-27T18:30:00+11:00"),
    ("1", mel(2026, 11, 27, 23, 0), "2026-11-28T01:00:00+11:00"),
    ("12:30", mel(2026, 11, 27, 23, 0), "2026-11-28T00:30:00+11:00"),
    ("quarter to 1", mel(2026, 11, 27, 23, 0), "2026-11-28T00:45:00+11:00"),
    ("quarter to 1", mel(2026, 11, 27, 11, 30), "2026-11-27T12:45:00+11:00"),
    ("1:30", mel(2026, 11, 28, 1, 0), "2026-11-28T01:30:00+11:00"),
    ("11:15", mel(2026, 11, 27, 11, 30), "2026-11-27T23:15:00+11:00"),
    ("18:30", mel(2026, 11, 27, 20, 0), "2026-11-28T18:30:00+11:00"),
    ("6:30 pm", mel(2026, 11, 27, 20, 0), "2026-11-28T18:30:00+11:00"),
    ("5", mel(2026, 11, 27, 17, 0, 40), "2026-11-27T17:00:00+11:00"),
    ("in 30 minutes", mel(2026, 11, 27, 17, 0, 20), "2026-11-27T17:31:00+11:00"),
    ("in 30 minutes", datetime(2026, 11, 27, 6, 0, tzinfo=timezone.utc), "2026-11-27T17:30:00+11:00"),
    ("in 30 minutes", mel(2026, 10, 4, 1, 50), "2026-10-04T03:20:00+11:00"),
    ("in 2 hours", mel(2026, 4, 5, 1, 30), "2026-04-05T02:30:00+10:00"),
    ("2:30", mel(2026, 10, 4, 1, 50), "2026-10-04T03:30:00+11:00"),
], ids=[
    "6.30 at 5 pm is this evening", "1 at 11 pm friday is 1 am", "12:30 at 11 pm is after midnight",
    "quarter to 1 late at night", "quarter to 1 at lunchtime", "1:30 at 1 am is in half an hour",
    "11:15 at 11:30 am is tonight", "18:30 at 8 pm is tomorrow's", "6:30 pm at 8 pm is tomorrow's",
    "5 within the current minute is now", "relative rounds seconds up", "utc now answered in shop time",
    "dst start: 30 real minutes from 01:50", "dst end: two real hours from 01:30 is the second 2:30",
    "dst start: a skipped 2:30 reads as 3:30 daylight",
])
def test_parse_requested_time_resolves_against_now(text, now, expected):
    assert parse_requested_time(text, now, MEL).isoformat() == expected


@pytest.mark.parametrize("text, message", [
    ("", ASK_AGAIN),
    ("   ", ASK_AGAIN),
    ("x" * 10_000, ASK_AGAIN),
    ("banana", ASK_AGAIN),
    ("um", ASK_AGAIN),
    ("25:00", ASK_AGAIN),
    ("6:75", ASK_AGAIN),
    ("13pm", ASK_AGAIN),
    ("at 45", ASK_AGAIN),
    (None, ASK_AGAIN),
    ("-5 minutes", "That time has already passed; how many minutes from now, or what time?"),
    ("minus 5 minutes", "That time has already passed; how many minutes from now, or what time?"),
    ("10 minutes ago", "That time has already passed; how many minutes from now, or what time?"),
    ("in 900 minutes", "That's too far ahead; how many minutes from now, or what time?"),
    ("25 hours", "That's too far ahead; how many minutes from now, or what time?"),
    ("tomorrow at 11", "We only take orders for pickup today; what time would suit?"),
], ids=[
    "empty", "blank", "ten thousand characters", "banana", "only a filler", "25 o'clock", "75 minutes past",
    "13 pm", "at 45", "not text", "minus sign", "minus word", "ago", "in 900 minutes", "25 hours",
    "tomorrow",
])
def test_parse_requested_time_errors(text, message):
    with pytest.raises(ToolError) as caught:
        parse_requested_time(text, FRIDAY_5PM, MEL)
    assert str(caught.value) == message


def test_parse_requested_time_accepts_a_zone_name():
    assert parse_requested_time("6pm", FRIDAY_5PM, "Australia/Melbourne").isoformat() == "2026-11-27T18:00:00+11:00"


def test_parse_requested_time_refuses_naive_now():
    with pytest.raises(ValueError):
        parse_requested_time("6pm", datetime(2026, 11, 27, 17, 0), MEL)


@pytest.mark.parametrize("now, lead, expected", [
    (mel(2026, 11, 27, 17, 0), 10, "2026-11-27T17:10:00+11:00"),
    (mel(2026, 11, 27, 17, 1), 10, "2026-11-27T17:15:00+11:00"),
    (mel(2026, 11, 27, 17, 5, 30), 10, "2026-11-27T17:20:00+11:00"),
    (mel(2026, 11, 27, 17, 0), 15, "2026-11-27T17:15:00+11:00"),
    (mel(2026, 11, 27, 17, 0), 25, "2026-11-27T17:25:00+11:00"),
    (mel(2026, 11, 27, 17, 0), 5, "2026-11-27T17:10:00+11:00"),
    (mel(2026, 11, 27, 17, 0), None, "2026-11-27T17:10:00+11:00"),
    (mel(2026, 11, 28, 1, 45), 10, "2026-11-28T01:55:00+11:00"),
    (datetime(2026, 11, 27, 6, 2, tzinfo=timezone.utc), 10, "2026-11-27T17:15:00+11:00"),
    (mel(2026, 10, 4, 1, 40), 10, "2026-10-04T01:50:00+10:00"),
    (mel(2026, 10, 4, 1, 40), 20, "2026-10-04T03:00:00+11:00"),
    (mel(2026, 4, 5, 1, 42, fold=0), 10, "2026-04-05T01:55:00+11:00"),
], ids=[
    "on the hour", "one past rounds to quarter past", "seconds round up too", "lead 15 minutes",
    "lead 25 minutes", "never below the shop's 10 minutes", "default lead", "last order saturday 01:45",
    "utc now", "dst start night standard time", "dst start: ready exactly at the 2 am jump (the close)",
    "dst end night daylight time",
])
def test_earliest_pickup(hours, now, lead, expected):
    assert earliest_pickup(hours, now, lead).isoformat() == expected


@pytest.mark.parametrize("now, lead, message", [
    (mel(2026, 11, 30, 9, 0), 10, "We're closed right now; we open again at 11 am."),
    (mel(2026, 11, 29, 22, 30), 10, "We're closed right now; we open again tomorrow at 11 am."),
    (mel(2026, 12, 24, 19, 0), 10, "We're closed right now; we open again on Saturday at 11 am."),
    (mel(2026, 11, 28, 1, 50), 10, "We've stopped taking orders for tonight; we open again at 11 am."),
    (mel(2026, 11, 26, 23, 50), 10, "We've stopped taking orders for tonight; we open again tomorrow at 11 am."),
    (mel(2026, 12, 24, 17, 50), 10,
     "We've stopped taking orders for tonight; we open again on Saturday at 11 am."),
    (mel(2026, 11, 29, 21, 45), 25,
     "We're about to close and can't have a new order ready in time; we open again tomorrow at 11 am."),
], ids=[
    "monday morning", "sunday night", "christmas eve night skips christmas", "saturday 01:50 after last order",
    "thursday 23:50 after last order", "christmas eve after last order", "busy lead runs past sunday's close",
])
def test_earliest_pickup_refuses(hours, now, lead, message):
    with pytest.raises(ToolError) as caught:
        earliest_pickup(hours, now, lead)
    assert str(caught.value) == message


@pytest.mark.parametrize("now, requested, expected", [
    (mel(2026, 11, 27, 17, 0), mel(2026, 11, 27, 18, 30), "2026-11-27T18:30:00+11:00"),
    (mel(2026, 11, 27, 17, 0), mel(2026, 11, 27, 17, 10), "2026-11-27T17:10:00+11:00"),
    (mel(2026, 11, 27, 17, 0), mel(2026, 11, 28, 2, 0), "2026-11-28T02:00:00+11:00"),
    (mel(2026, 11, 27, 17, 0), None, "2026-11-27T17:10:00+11:00"),
    (mel(2026, 11, 27, 17, 0), mel(2026, 11, 27, 18, 30, 20), "2026-11-27T18:31:00+11:00"),
    (mel(2026, 11, 27, 17, 0), datetime(2026, 11, 27, 7, 30, tzinfo=timezone.utc), "2026-11-27T18:30:00+11:00"),
    (mel(2026, 10, 4, 1, 0), datetime(2026, 10, 3, 16, 0, tzinfo=timezone.utc), "2026-10-04T03:00:00+11:00"),
], ids=[
    "this evening", "exactly the earliest", "exactly at close after midnight", "none means earliest",
    "seconds round up", "utc request answered in shop time", "dst start: pickup at the jump is the close",
])
def test_check_pickup_accepts(hours, now, requested, expected):
    assert check_pickup(hours, now, requested, 10).isoformat() == expected


@pytest.mark.parametrize("now, requested, message", [
    (mel(2026, 11, 30, 18, 30), mel(2026, 11, 30, 18, 35), "The earliest I can do is 6:40 pm."),
    (mel(2026, 11, 30, 18, 30), mel(2026, 11, 30, 23, 30),
     "We close at 11 pm tonight; the earliest I can do is 6:40 pm."),
    (mel(2026, 11, 27, 17, 0), mel(2026, 11, 28, 2, 1),
     "We close at 2 am tonight; the earliest I can do is 5:10 pm."),
    (mel(2026, 11, 27, 17, 0), mel(2026, 11, 28, 12, 0),
     "We close at 2 am tonight; the earliest I can do is 5:10 pm."),
    (mel(2026, 10, 4, 1, 0), mel(2026, 10, 4, 3, 1),
     "We close at 3 am tonight; the earliest I can do is 1:10 am."),
    (mel(2026, 11, 29, 22, 30), mel(2026, 11, 30, 12, 0), "We're closed right now; we open again tomorrow at 11 am."),
], ids=[
    "before the earliest", "after monday's close", "a minute after friday's close",
    "tomorrow lunch is a pre-order", "dst start: a minute after the jump is past close",
    "closed now, even for tomorrow",
])
def test_check_pickup_refuses(hours, now, requested, message):
    with pytest.raises(ToolError) as caught:
        check_pickup(hours, now, requested, 10)
    assert str(caught.value) == message


@pytest.mark.parametrize("requested, expected", [
    (mel(2026, 11, 27, 17, 13), "2026-11-27T17:15:00+11:00"),  # "in 10 minutes" at 5:03: the earliest, rounded
    (mel(2026, 11, 27, 17, 11), "2026-11-27T17:15:00+11:00"),
], ids=["misses only by the rounding", "four minutes short"])
def test_a_request_short_of_the_earliest_only_by_its_rounding_is_the_earliest(hours, requested, expected):
    assert check_pickup(hours, mel(2026, 11, 27, 17, 3), requested, 10, slack_minutes=5).isoformat() == expected
    with pytest.raises(ToolError, match=r"^The earliest I can do is 5:15 pm\.$"):
        check_pickup(hours, mel(2026, 11, 27, 17, 3), requested, 10)  # createOrder's re-check has no slack
    with pytest.raises(ToolError, match=r"^The earliest I can do is 5:15 pm\.$"):  # five minutes short is not
        check_pickup(hours, mel(2026, 11, 27, 17, 3), mel(2026, 11, 27, 17, 10), 10, slack_minutes=5)


def test_caller_words_to_a_checked_pickup(hours):
    requested = parse_requested_time("quarter past 7", FRIDAY_5PM, hours.tz)
    assert check_pickup(hours, FRIDAY_5PM, requested, 15).isoformat() == "2026-11-27T19:15:00+11:00"
