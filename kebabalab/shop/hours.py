"""Opening hours: when the shop is open and taking orders, in its own time zone.

Built from the hours.json format and checked once at load. A period's times are local wall
times; a close at or before the open runs past midnight into the next day, and "24:00" is the
end of the day. Endpoints are made aware with ZoneInfo and every comparison is done in UTC, so
DST nights are right: a wall time the clocks skip is read with the offset before the change
(02:30 on the October night is 03:30 daylight time), an ambiguous one as its first occurrence.

Aware datetimes that share a ZoneInfo compare and subtract by wall time, not by instant; compare
the values returned here after `.astimezone(timezone.utc)` when the night may be a DST change.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kebabalab.errors import ConfigError, read_json_file

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
DAY_MINUTES = 24 * 60
TRADING_DAY_STARTS_AT_HOUR = 5  # a night's orders after midnight belong to the day the shop opened
SEARCH_DAYS = 14
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

Interval = tuple[datetime, datetime]


@dataclass(frozen=True)
class Period:
    """Minutes after local midnight of the day the period starts; `close` may pass 1440."""

    open: int
    close: int


class Hours:
    """The weekly hours with their closed dates and special days, in the shop's time zone."""

    def __init__(self, tz: ZoneInfo, weekly: dict[str, tuple[Period, ...]],
                 closed_dates: frozenset[date], special_hours: dict[date, tuple[Period, ...]],
                 min_lead_minutes: int, last_order_before_close_minutes: int):
        self.tz = tz
        self.weekly = weekly
        self.closed_dates = closed_dates
        self.special_hours = special_hours
        self.min_lead_minutes = min_lead_minutes
        self.last_order_before_close_minutes = last_order_before_close_minutes

    @classmethod
    def load(cls, path: str | Path) -> "Hours":
        return cls.from_dict(read_json_file(path, "hours"))

    @classmethod
    def from_dict(cls, data: dict) -> "Hours":
        if not isinstance(data, dict):
            raise ConfigError("hours: the file must be a JSON object")
        closed = frozenset(_date(d, f"closed_dates[{i}]") for i, d in enumerate(_list(data, "closed_dates")))
        special = _special(data.get("special_hours", {}))
        both = sorted(closed & special.keys())
        if both:
            raise ConfigError(f"hours: {both[0].isoformat()} is in both closed_dates and special_hours")
        return cls(
            tz=_zone(data.get("timezone")),
            weekly=_weekly(data.get("weekly")),
            closed_dates=closed,
            special_hours=special,
            min_lead_minutes=_minutes_setting(data, "min_lead_minutes"),
            last_order_before_close_minutes=_minutes_setting(data, "last_order_before_close_minutes"),
        )

    def periods_for(self, day: date) -> tuple[Period, ...]:
        """The periods starting on a local date: closed dates and special days replace the week."""
        if day in self.closed_dates:
            return ()
        if day in self.special_hours:
            return self.special_hours[day]
        return self.weekly[WEEKDAYS[day.weekday()]]

    def intervals_on(self, local_date: date) -> list[Interval]:
        """The (open, close) intervals that start on a local date, in shop time."""
        if isinstance(local_date, datetime):
            local_date = self.local_date(local_date)
        out = []
        for period in self.periods_for(local_date):
            opens, closes = self._wall(local_date, period.open), self._wall(local_date, period.close)
            if _utc(closes) > _utc(opens):  # a period wholly inside a skipped DST hour is empty
                out.append((opens, closes))
        return out

    def current_interval(self, at: datetime) -> Interval | None:
        """The interval with open <= at < close, counting last night's after-midnight hours."""
        instant, today = _utc(at), self.local_date(at)
        for day in (today - timedelta(days=1), today):
            for opens, closes in self.intervals_on(day):
                if _utc(opens) <= instant < _utc(closes):
                    return opens, closes
        return None

    def is_open(self, at: datetime) -> bool:
        return self.current_interval(at) is not None

    def next_interval(self, at: datetime) -> Interval | None:
        """The current interval if open, else the next to start within SEARCH_DAYS days."""
        current = self.current_interval(at)
        if current is not None:
            return current
        instant, today = _utc(at), self.local_date(at)
        for offset in range(SEARCH_DAYS + 1):
            for opens, closes in self.intervals_on(today + timedelta(days=offset)):
                if _utc(opens) > instant:
                    return opens, closes
        return None

    def last_order_at(self, interval: Interval) -> datetime:
        """The last moment an order is taken: close less last_order_before_close_minutes, in real minutes."""
        cutoff = _utc(interval[1]) - timedelta(minutes=self.last_order_before_close_minutes)
        return cutoff.astimezone(self.tz)

    def taking_orders(self, at: datetime) -> bool:
        current = self.current_interval(at)
        return current is not None and _utc(at) <= _utc(self.last_order_at(current))

    def trading_day(self, at: datetime) -> tuple[date, datetime, datetime]:
        """The shop's trading day at `at`: its date, start and end (5 am to 5 am shop time, so Friday night's
        1:30 am order is Friday's: one order sequence, one board, one sold-out list per night)."""
        day = (self.local(at) - timedelta(hours=TRADING_DAY_STARTS_AT_HOUR)).date()
        return (day, self.wall_time(day, TRADING_DAY_STARTS_AT_HOUR, 0),
                self.wall_time(day + timedelta(days=1), TRADING_DAY_STARTS_AT_HOUR, 0))

    def local(self, at: datetime) -> datetime:
        return _aware(at).astimezone(self.tz)

    def local_date(self, at: datetime) -> date:
        return self.local(at).date()

    def wall_time(self, day: date, hour: int, minute: int) -> datetime:
        """The instant the shop's clock reads hour:minute on a local date (DST read as described above)."""
        return self._wall(day, hour * 60 + minute)

    def _wall(self, day: date, minutes: int) -> datetime:
        day = day + timedelta(days=minutes // DAY_MINUTES)
        minutes %= DAY_MINUTES
        naive = datetime.combine(day, time(minutes // 60, minutes % 60))
        return naive.replace(tzinfo=self.tz).astimezone(timezone.utc).astimezone(self.tz)


def spoken_time(dt: datetime) -> str:
    """A clock time as said aloud: "6 pm", "6:05 pm", "12 pm" for noon, "12 am" for midnight."""
    hour = dt.hour % 12 or 12
    suffix = "am" if dt.hour < 12 else "pm"
    if dt.minute:
        return f"{hour}:{dt.minute:02d} {suffix}"
    return f"{hour} {suffix}"


def spoken_day_time(dt: datetime, now: datetime) -> str:
    """ "6:30 pm" today, "tomorrow at 11 am", "Saturday at 11 am" within the week, else with the date."""
    dt = _aware(dt)
    days = (dt.date() - _aware(now).astimezone(dt.tzinfo).date()).days
    if days <= 0:  # today, or the opening of the night still going on after midnight
        return spoken_time(dt)
    if days == 1:
        return f"tomorrow at {spoken_time(dt)}"
    weekday = WEEKDAYS[dt.weekday()].capitalize()
    if 1 < days < 7:
        return f"{weekday} at {spoken_time(dt)}"
    return f"{weekday} {dt.day} {MONTHS[dt.month - 1]} at {spoken_time(dt)}"


def _aware(dt: datetime) -> datetime:
    if not isinstance(dt, datetime) or dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"hours need an aware datetime, not {dt!r}")
    return dt


def _utc(dt: datetime) -> datetime:
    return _aware(dt).astimezone(timezone.utc)


def _zone(name) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ConfigError(f"hours: timezone {name!r} is not a known time zone") from None


def _list(data: dict, key: str) -> list:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise ConfigError(f"hours: {key} must be a list")
    return value


def _date(value, where: str) -> date:
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ConfigError(f"hours: {where} {value!r} is not a date")


def _clock(value, where: str, *, closing: bool) -> int:
    """Minutes after midnight for "HH:MM"; "24:00" only as a close."""
    match = _CLOCK.fullmatch(value) if isinstance(value, str) else None
    if match:
        hour, minute = int(match[1]), int(match[2])
        if hour < 24 and minute < 60:
            return hour * 60 + minute
        if (hour, minute) == (24, 0):
            if closing:
                return DAY_MINUTES
            raise ConfigError(f"hours: {where} '24:00' is not an opening time (use '00:00')")
    raise ConfigError(f"hours: {where} {value!r} is not a time")


def _periods(raw, where: str) -> tuple[Period, ...]:
    if not isinstance(raw, list):
        raise ConfigError(f"hours: {where} must be a list of periods with open and close")
    periods = []
    for i, entry in enumerate(raw):
        if not isinstance(entry, dict) or "open" not in entry or "close" not in entry:
            raise ConfigError(f"hours: {where}[{i}] must be an object with open and close")
        opens = _clock(entry["open"], f"{where}[{i}].open", closing=False)
        closes = _clock(entry["close"], f"{where}[{i}].close", closing=True)
        periods.append(Period(opens, closes if closes > opens else closes + DAY_MINUTES))
    periods.sort(key=lambda p: p.open)
    for earlier, later in zip(periods, periods[1:]):
        if later.open < earlier.close:
            raise ConfigError(f"hours: {where} has overlapping periods")
    return tuple(periods)


def _weekly(raw) -> dict[str, tuple[Period, ...]]:
    if not isinstance(raw, dict):
        raise ConfigError("hours: weekly must map each day of the week to its periods")
    for name in raw:
        if name not in WEEKDAYS:
            raise ConfigError(f"hours: weekly.{name} is not a day of the week")
    for name in WEEKDAYS:
        if name not in raw:
            raise ConfigError(f"hours: weekly.{name} is missing (use [] for a closed day)")
    return {name: _periods(raw[name], f"weekly.{name}") for name in WEEKDAYS}


def _special(raw) -> dict[date, tuple[Period, ...]]:
    if not isinstance(raw, dict):
        raise ConfigError("hours: special_hours must map dates to their periods")
    return {_date(key, "special_hours"): _periods(periods, f"special_hours.{key}")
            for key, periods in raw.items()}


def _minutes_setting(data: dict, key: str) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= DAY_MINUTES:
        raise ConfigError(f"hours: {key} must be a whole number of minutes from 0 to 1440, not {value!r}")
    return value
