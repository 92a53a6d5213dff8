"""Pickup times: what the caller asked for, the earliest the kitchen can do, and whether it fits.

`parse_requested_time` returns None for "as soon as possible" (and "now", "whenever"), and
`check_pickup` turns None into the earliest time. Arithmetic is on UTC instants, so "in 30
minutes" on a DST night is 30 real minutes; results are aware datetimes in the shop's time zone.
"""
from __future__ import annotations

import math
import re
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from kebabalab.errors import ToolError
from kebabalab.shop.hours import Hours, spoken_day_time, spoken_time

ASK_AGAIN = "I didn't catch the time; how many minutes from now, or what time?"
IN_THE_PAST = "That time has already passed; how many minutes from now, or what time?"
TOO_FAR = "That's too far ahead; how many minutes from now, or what time?"
ANOTHER_DAY = "We only take orders for pickup today; what time would suit?"
MAX_TEXT = 100
MAX_AHEAD_MINUTES = 12 * 60  # a relative request past this is surely misheard
ROUND_TO_MINUTES = 5

_ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen "
         "fourteen fifteen sixteen seventeen eighteen nineteen").split()
_NUMBERS = {word: n for n, word in enumerate(_ONES)} | {
    "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60}
_NUMBER_WORD = re.compile(r"\b(" + "|".join(sorted(_NUMBERS, key=len, reverse=True)) + r")\b")
_COMPOUND = re.compile(r"\b(20|30|40|50) ([1-9])\b")
_EARLIEST = re.compile(r"\b(asap|a s a p|as soon as (possible|you can|it'?s ready)|(right )?now|"
                       r"straight ?away|immediately|whenever|earliest|soonest)\b")
_AM_WORDS = re.compile(r"\b(in the morning|this morning)\b")
_PM_WORDS = re.compile(r"\b(in the (afternoon|evening)|this (afternoon|evening)|at night)\b")
_FILLERS = frozenset("please thanks thank um umm uh er erm like maybe about around approximately "
                     "roughly say just ish today tonight pickup pick up it make lets let's ok okay "
                     "yeah so mate for by ready".split())
_NEGATIVE = re.compile(r"(^|\s)-\s*\d|\bminus\b|\bago\b")

_MIN = r"(?:minutes?|mins?|m)"
_FRAC = r"(?:a half|half|a quarter|quarter|3 quarters)"
_FRACTIONS = {"a half": 30, "half": 30, "a quarter": 15, "quarter": 15, "3 quarters": 45}
_PART_HOUR = re.compile(rf"(?:an? )?(?P<f>{_FRAC}) (?:of )?(?:an? )?hour")
_HOURS = re.compile(rf"(?:(?P<n>\d+(?:\.\d+)?) ?|an? )?(?:and (?P<f1>{_FRAC}) )?(?:hours?|hrs?|h)"
                    rf"(?: and (?P<f2>{_FRAC}))?(?: (?:and )?(?P<m>\d+) ?{_MIN})?")
_MINUTES = re.compile(rf"(?P<m>\d+) ?{_MIN}")

_NAMED = {"noon": (12, 0, "pm"), "12 noon": (12, 0, "pm"), "midday": (12, 0, "pm"),
          "midnight": (12, 0, "am"), "12 midnight": (12, 0, "am")}
_PAST_TO = re.compile(r"(?P<m>\d+|a quarter|quarter|half) (?:minutes? )?(?P<dir>past|after|to|til|till|before) "
                      r"(?P<h>\d+)(?: ?(?P<mer>am|pm))?")
_HALF_HOUR = re.compile(r"half (?P<h>\d+)(?: ?(?P<mer>am|pm))?")
_HH_MM = re.compile(r"(?P<h>\d{1,2})(?:[:. ](?P<m>\d{2}))? ?(?P<mer>am|pm)?")
_HHMM_MER = re.compile(r"(?P<h>\d{1,2})(?P<m>\d{2}) ?(?P<mer>am|pm)")


def parse_requested_time(text: str, now: datetime, tz: tzinfo | str) -> datetime | None:
    """The caller's pickup time in the shop's zone, or None for "as soon as possible".

    Relative times ("in 20 mins", "an hour and a half", a bare "45") are real minutes after
    `now`, rounded up to the minute. Clock times without am/pm ("6.30", "quarter to 8", a bare
    "1".."12") are the soonest coming occurrence of h:mm or (h+12):mm; three or four bare digits
    ("1830") are a clock time. Raises ToolError with a sentence asking again.
    """
    tz = ZoneInfo(tz) if isinstance(tz, str) else tz
    now = _utc(now)
    words, meridiem = _clean(text)
    if words is None:
        return None
    hint = None
    if words.split(" ", 1)[0] in ("in", "at"):
        hint, _, words = words.partition(" ")
    if _NEGATIVE.search(words):
        raise ToolError(IN_THE_PAST)
    minutes = _duration(words, hint, meridiem)
    if minutes is not None:
        return _after(now, minutes, tz)
    clock = _clock(words, hint)
    if clock is None:
        raise ToolError(ASK_AGAIN)
    hour, minute, said = clock
    return _next_clock(now, tz, hour, minute, said or meridiem)


def earliest_pickup(hours: Hours, now: datetime, lead_minutes: int | None = None) -> datetime:
    """now + lead (never less than hours.min_lead_minutes), rounded up to 5 minutes, if taking orders.

    Raises ToolError when closed, past the last order, or when the order cannot be ready by close.
    """
    current = hours.current_interval(now)
    if current is None:
        raise ToolError(f"We're closed right now; {_opens_again(hours, now, now)}.")
    if not hours.taking_orders(now):
        raise ToolError(f"We've stopped taking orders for tonight; {_opens_again(hours, current[1], now)}.")
    lead = max(lead_minutes or 0, hours.min_lead_minutes)
    ready = _round_up(_utc(now) + timedelta(minutes=lead), hours.tz, ROUND_TO_MINUTES)
    if _utc(ready) > _utc(current[1]):
        raise ToolError("We're about to close and can't have a new order ready in time; "
                        f"{_opens_again(hours, current[1], now)}.")
    return ready


def check_pickup(hours: Hours, now: datetime, requested: datetime | None,
                 lead_minutes: int | None = None, slack_minutes: int = 0) -> datetime:
    """The requested time (rounded up to the minute) if it is in the current opening, between
    the earliest pickup and close inclusive; None means the earliest. A request less than `slack_minutes`
    before the earliest (the earliest's rounding up to 5 minutes, when a caller asks "in 15 minutes") is the
    earliest. Raises ToolError otherwise."""
    earliest = earliest_pickup(hours, now, lead_minutes)
    if requested is None:
        return earliest
    wanted = _round_up(requested, hours.tz, 1)
    closes = hours.current_interval(now)[1]
    if _utc(wanted) > _utc(closes):
        raise ToolError(f"We close at {spoken_time(closes)} tonight; "
                        f"the earliest I can do is {spoken_time(earliest)}.")
    if _utc(wanted) < _utc(earliest):
        if _utc(earliest) - _utc(wanted) < timedelta(minutes=slack_minutes):
            return earliest
        raise ToolError(f"The earliest I can do is {spoken_time(earliest)}.")
    return wanted


def _clean(text) -> tuple[str | None, str | None]:
    """Lower-case words with numbers as digits and fillers gone, and any am/pm the words imply.

    Returns (None, None) for "as soon as possible"."""
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT:
        raise ToolError(ASK_AGAIN)
    s = text.lower().replace("\u2019", "'")
    s = re.sub(r"(?<![a-z])([ap])\.? ?m\b\.?", r"\1m", s)
    s = re.sub(r"[?!,;\"]|\.(?!\d)|(?<=[a-z])-(?=[a-z])", " ", s)
    s = re.sub(r"\bo ?'? ?clock\b|\bfrom now\b|(?<=[a-z])'?s?'? time\b|(?<=\d)ish\b", " ", s)
    s = _NUMBER_WORD.sub(lambda m: str(_NUMBERS[m[1]]), " ".join(s.split()))
    s = _COMPOUND.sub(lambda m: str(int(m[1]) + int(m[2])), s)
    s = re.sub(r"\b(\d{1,2}) (?:oh|o) (\d)\b", r"\1:0\2", s)
    if _EARLIEST.search(s) and not re.search(r"\d", s):
        return None, None
    if "tomorrow" in s:
        raise ToolError(ANOTHER_DAY)
    meridiem = "am" if _AM_WORDS.search(s) else "pm" if _PM_WORDS.search(s) else None
    s = _PM_WORDS.sub(" ", _AM_WORDS.sub(" ", s))
    words = [w for w in s.split() if w not in _FILLERS]
    if not words:
        raise ToolError(ASK_AGAIN)
    return " ".join(words), meridiem


def _duration(words: str, hint: str | None, meridiem: str | None) -> int | None:
    """Minutes from now for a relative request, or None if the words are not one."""
    if match := _PART_HOUR.fullmatch(words):
        return _FRACTIONS[match["f"]]
    if match := _HOURS.fullmatch(words):
        hours = float(match["n"]) if match["n"] else 1
        extra = _FRACTIONS.get(match["f1"] or match["f2"], 0) + int(match["m"] or 0)
        return math.ceil(hours * 60) + extra
    if match := _MINUTES.fullmatch(words):
        return int(match["m"])
    if words.isdigit() and (hint == "in" or len(words) <= 2 and hint is None and meridiem is None
                            and not 1 <= int(words) <= 12):
        return int(words)
    return None


def _clock(words: str, hint: str | None) -> tuple[int, int, str | None] | None:
    """(hour, minute, "am"/"pm"/None) for a clock time, or None if the words are not one."""
    if words in _NAMED:
        return _NAMED[words]
    if match := _PAST_TO.fullmatch(words):
        minutes = _FRACTIONS.get(match["m"]) or int(match["m"])
        hour = int(match["h"])
        if match["dir"] in ("past", "after"):
            return _checked(hour, minutes, match["mer"])
        if match["m"] == "half" or not 1 <= hour:
            raise ToolError(ASK_AGAIN)
        return _checked(hour - 1 if hour != 1 else 12, 60 - minutes, match["mer"])
    if match := _HALF_HOUR.fullmatch(words):
        return _checked(int(match["h"]), 30, match["mer"])
    if words.isdigit() and len(words) in (3, 4) and hint != "in":
        return _checked(int(words[:-2]), int(words[-2:]), None)
    if match := _HH_MM.fullmatch(words) or _HHMM_MER.fullmatch(words):
        return _checked(int(match["h"]), int(match["m"] or 0), match["mer"])
    return None


def _checked(hour: int, minute: int, meridiem: str | None) -> tuple[int, int, str | None]:
    top = 12 if meridiem else 23
    if not (1 if meridiem else 0) <= hour <= top or not 0 <= minute <= 59:
        raise ToolError(ASK_AGAIN)
    return hour, minute, meridiem


def _next_clock(now: datetime, tz: tzinfo, hour: int, minute: int, meridiem: str | None) -> datetime:
    """The soonest h:mm (or (h+12):mm for a bare 1..12) at or after now's minute, today or tomorrow."""
    if meridiem:
        hours = [hour % 12 + (12 if meridiem == "pm" else 0)]
    elif 1 <= hour <= 12:
        hours = [hour % 12, hour % 12 + 12]
    else:
        hours = [hour]
    floor = now.replace(second=0, microsecond=0)
    today = now.astimezone(tz).date()
    candidates = [_wall(tz, today + timedelta(days=d), h, minute) for d in (0, 1) for h in hours]
    return min((c for c in candidates if _utc(c) >= floor), key=_utc)


def _after(now: datetime, minutes: int, tz: tzinfo) -> datetime | None:
    if minutes > MAX_AHEAD_MINUTES:
        raise ToolError(TOO_FAR)
    if minutes == 0:
        return None
    return _round_up(now + timedelta(minutes=minutes), tz, 1)


def next_opening_said(hours: Hours, now: datetime) -> str:
    """"we open again tomorrow at 11 am": the next opening after the current one (or after now when closed)."""
    current = hours.current_interval(now)
    return _opens_again(hours, current[1] if current else now, now)


def _opens_again(hours: Hours, after: datetime, now: datetime) -> str:
    upcoming = hours.next_interval(after)
    if upcoming is None:
        return "I don't have our next opening time"
    when = spoken_day_time(upcoming[0], now)
    if when[0].isdigit():
        return f"we open again at {when}"
    return f"we open again {'' if when.startswith('tomorrow') else 'on '}{when}"


def _round_up(at: datetime, tz: tzinfo, step: int) -> datetime:
    """Up to the whole minute, then up to a multiple of `step` minutes on the shop's clock."""
    at = _utc(at)
    if at.second or at.microsecond:
        at = at.replace(second=0, microsecond=0) + timedelta(minutes=1)
    at += timedelta(minutes=-at.astimezone(tz).minute % step)
    return at.astimezone(tz)


def _wall(tz: tzinfo, day: date, hour: int, minute: int) -> datetime:
    naive = datetime.combine(day, time(hour, minute))
    return naive.replace(tzinfo=tz).astimezone(timezone.utc).astimezone(tz)


def _utc(dt: datetime) -> datetime:
    if not isinstance(dt, datetime) or dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"pickup times need an aware datetime, not {dt!r}")
    return dt.astimezone(timezone.utc)


def recheck_pickup(hours: Hours, now: datetime, wanted: datetime) -> datetime:
    """A pickup time chosen earlier, checked again as the order is placed (the kitchen's queue may have grown):
    the time, or a ToolError that says it no longer works and why."""
    try:
        return check_pickup(hours, now, wanted, hours.min_lead_minutes)
    except ToolError as err:
        raise ToolError(f"The pickup time {spoken_time(hours.local(wanted))} no longer works. {err.message} "
                        "Please set the pickup time again.") from None


def recheck_asap(hours: Hours, now: datetime, lead_minutes: int, promised: datetime) -> datetime:
    """An ASAP pickup estimated again against the kitchen's lead now: never earlier than `promised`; a ToolError
    (with what still works) when the kitchen can no longer have it ready before close."""
    try:
        fresh = earliest_pickup(hours, now, lead_minutes)
    except ToolError as err:
        raise ToolError(f"The pickup time {spoken_time(hours.local(promised))} no longer works. {err.message}") \
            from None
    return max(promised, fresh)
