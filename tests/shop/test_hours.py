"""Opening hours from the shop's own hours.json: after-midnight Fridays, holidays, DST nights."""
import copy
import json
from datetime import date, datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kebabalab.errors import ConfigError
from kebabalab.shop.hours import Hours, spoken_day_time, spoken_time

MEL = ZoneInfo("Australia/Melbourne")
HOURS_FILE = Path(__file__).resolve().parents[2] / "kebabalab" / "data" / "hours.json"
DATA = json.loads(HOURS_FILE.read_text(encoding="utf-8"))


def mel(y, mo, d, h=0, mi=0, fold=0):
    return datetime(y, mo, d, h, mi, tzinfo=MEL, fold=fold)


def iso(interval):
    return None if interval is None else tuple(dt.isoformat() for dt in interval)


def with_weekly(**days):
    """The shop's file with some weekdays replaced, e.g. monday=[("18:00", "24:00")]."""
    data = copy.deepcopy(DATA)
    for day, periods in days.items():
        data["weekly"][day] = [{"open": o, "close": c} for o, c in periods]
    return Hours.from_dict(data)


@pytest.fixture(scope="module")
def hours():
    return Hours.load(HOURS_FILE)


def test_load_reads_the_shop_file(hours):
    assert (hours.tz.key, hours.min_lead_minutes, hours.last_order_before_close_minutes) == (
        "Australia/Melbourne", 10, 15)


@pytest.mark.parametrize("at, expected", [
    (mel(2026, 11, 27, 23, 30), True),
    (mel(2026, 11, 28, 1, 30), True),
    (mel(2026, 11, 28, 1, 59), True),
    (mel(2026, 11, 28, 2, 0), False),
    (mel(2026, 11, 28, 10, 59), False),
    (mel(2026, 11, 29, 21, 59), True),
    (mel(2026, 11, 29, 22, 30), False),
    (mel(2026, 11, 30, 10, 59), False),
    (mel(2026, 11, 30, 11, 0), True),
    (mel(2026, 11, 26, 23, 58), True),
    (mel(2026, 11, 26, 23, 59), False),
    (mel(2026, 11, 27, 0, 30), False),
    (mel(2026, 12, 25, 12, 0), False),
    (mel(2026, 12, 26, 1, 0), False),
    (mel(2026, 12, 26, 11, 0), True),
    (mel(2026, 12, 27, 1, 0), True),
    (mel(2026, 12, 24, 17, 0), True),
    (mel(2026, 12, 24, 18, 30), False),
    (mel(2026, 12, 31, 20, 30), False),
    (mel(2027, 1, 1, 12, 0), False),
    (mel(2027, 1, 2, 1, 0), False),
    (datetime(2026, 11, 27, 14, 30, tzinfo=timezone.utc), True),
    (datetime(2026, 11, 27, 15, 0, tzinfo=timezone.utc), False),
], ids=[
    "friday 23:30 open", "saturday 01:30 on friday's late hours", "saturday 01:59 open",
    "saturday 02:00 closed", "saturday 10:59 closed", "sunday 21:59 open", "sunday 22:30 closed",
    "monday 10:59 closed", "monday 11:00 open", "thursday 23:58 open", "thursday 23:59 closed",
    "friday 00:30 closed (thursday shut at 23:59)", "christmas day closed",
    "boxing day 01:00 closed: no christmas-friday carry-over", "boxing day 11:00 open",
    "sunday 01:00 on boxing day's late hours", "christmas eve 17:00 open (special hours)",
    "christmas eve 18:30 closed (special hours)", "new year's eve 20:30 closed (special hours)",
    "new year's day closed", "2 january 01:00 closed: no new year's day carry-over",
    "utc 14:30 is saturday 01:30 local, open", "utc 15:00 is saturday 02:00 local, closed",
])
def test_is_open(hours, at, expected):
    assert hours.is_open(at) is expected


@pytest.mark.parametrize("day, expected", [
    (date(2026, 11, 27), [("2026-11-27T11:00:00+11:00", "2026-11-28T02:00:00+11:00")]),
    (date(2026, 11, 26), [("2026-11-26T11:00:00+11:00", "2026-11-26T23:59:00+11:00")]),
    (date(2026, 12, 25), []),
    (date(2026, 12, 24), [("2026-12-24T11:00:00+11:00", "2026-12-24T18:00:00+11:00")]),
    (date(2026, 10, 3), [("2026-10-03T11:00:00+10:00", "2026-10-04T03:00:00+11:00")]),
    (date(2026, 10, 4), [("2026-10-04T11:00:00+11:00", "2026-10-04T22:00:00+11:00")]),
    (date(2026, 4, 4), [("2026-04-04T11:00:00+11:00", "2026-04-05T02:00:00+11:00")]),
    (date(2026, 4, 5), [("2026-04-05T11:00:00+10:00", "2026-04-05T22:00:00+10:00")]),
], ids=[
    "friday runs to 2 am saturday", "thursday to 23:59", "christmas day none", "christmas eve special",
    "dst start night: 2 am is the moment clocks jump to 3", "dst start sunday in daylight time",
    "dst end night: 2 am is its first occurrence", "dst end sunday in standard time",
])
def test_intervals_on(hours, day, expected):
    assert [iso(i) for i in hours.intervals_on(day)] == expected


@pytest.mark.parametrize("day, real_hours", [
    (date(2026, 10, 3), 15), (date(2026, 4, 4), 15), (date(2026, 11, 27), 15), (date(2026, 10, 4), 11),
], ids=["dst start night", "dst end night", "ordinary friday", "dst start sunday"])
def test_interval_length_in_real_hours(hours, day, real_hours):
    [(opens, closes)] = hours.intervals_on(day)
    assert closes.astimezone(timezone.utc) - opens.astimezone(timezone.utc) == (
        datetime(2000, 1, 1, real_hours) - datetime(2000, 1, 1))


@pytest.mark.parametrize("at, expected", [
    (mel(2026, 10, 4, 1, 59), True),
    (datetime(2026, 10, 3, 15, 59, tzinfo=timezone.utc), True),
    (mel(2026, 10, 4, 3, 0), False),
    (mel(2026, 4, 5, 1, 59), True),
    (mel(2026, 4, 5, 2, 30, fold=0), False),
    (mel(2026, 4, 5, 2, 30, fold=1), False),
    (datetime(2026, 4, 4, 14, 59, tzinfo=timezone.utc), True),
    (datetime(2026, 4, 4, 15, 0, tzinfo=timezone.utc), False),
    (mel(2026, 10, 4, 2, 30), False),
], ids=[
    "october 01:59 standard time open", "october utc 15:59 open", "october 03:00 daylight closed",
    "april 01:59 daylight open", "april first 02:30 closed", "april second 02:30 closed",
    "april utc 14:59 open", "april utc 15:00 closed", "october skipped 02:30 is after the jump, closed",
])
def test_is_open_on_dst_nights(hours, at, expected):
    assert hours.is_open(at) is expected


@pytest.mark.parametrize("at, expected", [
    (mel(2026, 11, 28, 1, 30), ("2026-11-27T11:00:00+11:00", "2026-11-28T02:00:00+11:00")),
    (mel(2026, 11, 28, 11, 0), ("2026-11-28T11:00:00+11:00", "2026-11-29T02:00:00+11:00")),
    (mel(2026, 11, 28, 2, 0), None),
    (mel(2026, 10, 4, 1, 0), ("2026-10-03T11:00:00+10:00", "2026-10-04T03:00:00+11:00")),
], ids=["saturday 01:30 is friday's", "saturday 11:00 is saturday's", "saturday 02:00 none",
        "dst start night 01:00 is saturday's"])
def test_current_interval(hours, at, expected):
    assert iso(hours.current_interval(at)) == expected


@pytest.mark.parametrize("at, expected", [
    (mel(2026, 11, 27, 23, 30), ("2026-11-27T11:00:00+11:00", "2026-11-28T02:00:00+11:00")),
    (mel(2026, 11, 30, 9, 0), ("2026-11-30T11:00:00+11:00", "2026-11-30T23:00:00+11:00")),
    (mel(2026, 11, 29, 22, 30), ("2026-11-30T11:00:00+11:00", "2026-11-30T23:00:00+11:00")),
    (mel(2026, 12, 24, 19, 0), ("2026-12-26T11:00:00+11:00", "2026-12-27T02:00:00+11:00")),
    (mel(2026, 12, 25, 12, 0), ("2026-12-26T11:00:00+11:00", "2026-12-27T02:00:00+11:00")),
    (mel(2026, 12, 31, 21, 0), ("2027-01-02T11:00:00+11:00", "2027-01-03T02:00:00+11:00")),
], ids=["open now gives the current one", "monday morning gives monday", "sunday night gives monday",
        "christmas eve night skips christmas day", "christmas day gives boxing day",
        "new year's eve night skips new year's day"])
def test_next_interval(hours, at, expected):
    assert iso(hours.next_interval(at)) == expected


def test_next_interval_none_when_closed_for_two_weeks():
    shut = with_weekly(**{day: [] for day in DATA["weekly"]})
    assert shut.next_interval(mel(2026, 11, 27, 12, 0)) is None


@pytest.mark.parametrize("at, expected", [
    (mel(2026, 11, 27, 12, 0), "2026-11-28T01:45:00+11:00"),
    (mel(2026, 10, 4, 1, 0), "2026-10-04T01:45:00+10:00"),
    (mel(2026, 4, 5, 1, 0), "2026-04-05T01:45:00+11:00"),
    (mel(2026, 12, 24, 12, 0), "2026-12-24T17:45:00+11:00"),
], ids=["friday", "dst start night: 15 real minutes before the jump", "dst end night", "christmas eve"])
def test_last_order_at(hours, at, expected):
    assert hours.last_order_at(hours.current_interval(at)).isoformat() == expected


@pytest.mark.parametrize("at, expected", [
    (mel(2026, 11, 27, 23, 30), True),
    (mel(2026, 11, 28, 1, 45), True),
    (mel(2026, 11, 28, 1, 46), False),
    (mel(2026, 11, 29, 21, 45), True),
    (mel(2026, 11, 29, 21, 46), False),
    (mel(2026, 10, 4, 1, 45), True),
    (mel(2026, 10, 4, 1, 46), False),
    (mel(2026, 11, 29, 23, 0), False),
], ids=["friday 23:30", "saturday 01:45 last order", "saturday 01:46 too late", "sunday 21:45",
        "sunday 21:46 too late", "dst start 01:45 standard", "dst start 01:46 standard too late",
        "closed"])
def test_taking_orders(hours, at, expected):
    assert hours.taking_orders(at) is expected


def test_local_and_local_date_convert_from_utc(hours):
    at = datetime(2026, 11, 27, 14, 30, tzinfo=timezone.utc)
    assert (hours.local(at).isoformat(), hours.local_date(at)) == (
        "2026-11-28T01:30:00+11:00", date(2026, 11, 28))


def test_naive_datetime_is_refused(hours):
    with pytest.raises(ValueError):
        hours.is_open(datetime(2026, 11, 27, 12, 0))


@pytest.mark.parametrize("monday, at, expected", [
    ([("18:00", "24:00")], mel(2026, 11, 30, 23, 59), ("2026-11-30T18:00:00+11:00", "2026-12-01T00:00:00+11:00")),
    ([("18:00", "00:00")], mel(2026, 11, 30, 23, 59), ("2026-11-30T18:00:00+11:00", "2026-12-01T00:00:00+11:00")),
    ([("18:00", "24:00")], mel(2026, 12, 1, 0, 0), None),
    ([("00:00", "24:00")], mel(2026, 11, 30, 0, 0), ("2026-11-30T00:00:00+11:00", "2026-12-01T00:00:00+11:00")),
    ([("11:00", "11:00")], mel(2026, 12, 1, 10, 59), ("2026-11-30T11:00:00+11:00", "2026-12-01T11:00:00+11:00")),
    ([("11:00", "14:00"), ("17:00", "21:00")], mel(2026, 11, 30, 15, 0), None),
    ([("11:00", "14:00"), ("17:00", "21:00")], mel(2026, 11, 30, 17, 0),
     ("2026-11-30T17:00:00+11:00", "2026-11-30T21:00:00+11:00")),
], ids=["24:00 is the end of monday", "00:00 close means the same", "tuesday 00:00 is closed",
        "open all day 00:00-24:00", "open equal to close runs 24 hours", "between split shifts closed",
        "second split shift open"])
def test_custom_weekly_hours(monday, at, expected):
    custom = with_weekly(monday=monday, tuesday=[("11:00", "23:00")])
    assert iso(custom.current_interval(at)) == expected


@pytest.mark.parametrize("at, expected", [
    (mel(2026, 4, 5, 2, 15, fold=0), ("2026-04-04T11:00:00+11:00", "2026-04-05T02:30:00+11:00")),
    (mel(2026, 4, 5, 2, 15, fold=1), None),
], ids=["first 02:15 is before a 02:30 close", "second 02:15 is after it"])
def test_close_inside_the_repeated_april_hour(at, expected):
    late = with_weekly(saturday=[("11:00", "02:30")])
    assert iso(late.current_interval(at)) == expected


def test_next_interval_reads_a_skipped_time_as_daylight_time():
    data = copy.deepcopy(DATA)
    data["special_hours"]["2026-10-04"] = [{"open": "03:15", "close": "03:20"}, {"open": "11:00", "close": "22:00"}]
    skipped = mel(2026, 10, 4, 2, 30)  # never on the wall: it is 03:30 daylight time
    assert iso(Hours.from_dict(data).next_interval(skipped)) == (
        "2026-10-04T11:00:00+11:00", "2026-10-04T22:00:00+11:00")


def broken(change):
    data = copy.deepcopy(DATA)
    change(data)
    return data


@pytest.mark.parametrize("data, message", [
    (broken(lambda d: d["weekly"]["friday"][0].update(close="25:00")),
     "hours: weekly.friday[0].close '25:00' is not a time"),
    (broken(lambda d: d["weekly"]["monday"][0].update(open="11")),
     "hours: weekly.monday[0].open '11' is not a time"),
    (broken(lambda d: d["weekly"]["monday"][0].update(open="11:60")),
     "hours: weekly.monday[0].open '11:60' is not a time"),
    (broken(lambda d: d["weekly"]["monday"][0].update(open="24:00")),
     "hours: weekly.monday[0].open '24:00' is not an opening time (use '00:00')"),
    (broken(lambda d: d["weekly"]["monday"][0].update(close=2300)),
     "hours: weekly.monday[0].close 2300 is not a time"),
    (broken(lambda d: d["weekly"]["monday"][0].pop("close")),
     "hours: weekly.monday[0] must be an object with open and close"),
    (broken(lambda d: d["weekly"].update(monday={"open": "11:00", "close": "23:00"})),
     "hours: weekly.monday must be a list of periods with open and close"),
    (broken(lambda d: d["weekly"].update(funday=[])), "hours: weekly.funday is not a day of the week"),
    (broken(lambda d: d["weekly"].pop("sunday")), "hours: weekly.sunday is missing (use [] for a closed day)"),
    (broken(lambda d: d["weekly"]["tuesday"].append({"open": "22:00", "close": "23:30"})),
     "hours: weekly.tuesday has overlapping periods"),
    (broken(lambda d: d.update(closed_dates=["2026-02-30"])), "hours: closed_dates[0] '2026-02-30' is not a date"),
    (broken(lambda d: d.update(closed_dates=["2026-12-25", "25/12/2026"])),
     "hours: closed_dates[1] '25/12/2026' is not a date"),
    (broken(lambda d: d["special_hours"].update({"24/12/2026": []})),
     "hours: special_hours '24/12/2026' is not a date"),
    (broken(lambda d: d["special_hours"]["2026-12-24"][0].update(close="6pm")),
     "hours: special_hours.2026-12-24[0].close '6pm' is not a time"),
    (broken(lambda d: d["closed_dates"].append("2026-12-24")),
     "hours: 2026-12-24 is in both closed_dates and special_hours"),
    (broken(lambda d: d.update(timezone="Mars/Olympus_Mons")),
     "hours: timezone 'Mars/Olympus_Mons' is not a known time zone"),
    (broken(lambda d: d.pop("timezone")), "hours: timezone None is not a known time zone"),
    (broken(lambda d: d.update(min_lead_minutes=-5)),
     "hours: min_lead_minutes must be a whole number of minutes from 0 to 1440, not -5"),
    (broken(lambda d: d.update(last_order_before_close_minutes="15")),
     "hours: last_order_before_close_minutes must be a whole number of minutes from 0 to 1440, not '15'"),
    ([], "hours: the file must be a JSON object"),
], ids=[
    "close 25:00", "open without minutes", "open 11:60", "open 24:00", "close as a number", "close missing",
    "a day not a list", "unknown weekday", "missing weekday", "overlapping periods", "30 february",
    "closed date not iso", "special date not iso", "special close 6pm", "closed and special both",
    "unknown time zone", "no time zone", "negative lead", "last order as a string", "not an object",
])
def test_config_errors_name_the_entry(data, message):
    with pytest.raises(ConfigError) as caught:
        Hours.from_dict(data)
    assert str(caught.value) == message


@pytest.mark.parametrize("content, message", [
    (None, "cannot be read (No such file or directory)"),
    ("{\n  \"timezone\": ", "not valid JSON (line 2)"),
], ids=["missing file", "truncated json"])
def test_load_errors(tmp_path, content, message):
    path = tmp_path / "hours.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        Hours.load(path)
    assert str(caught.value) == f"hours file {path}: {message}"


@pytest.mark.parametrize("at, expected", [
    (mel(2026, 11, 27, 18, 30), "6:30 pm"),
    (mel(2026, 11, 27, 18, 5), "6:05 pm"),
    (mel(2026, 11, 27, 18, 0), "6 pm"),
    (mel(2026, 11, 27, 11, 0), "11 am"),
    (mel(2026, 11, 27, 12, 0), "12 pm"),
    (mel(2026, 11, 27, 12, 45), "12:45 pm"),
    (mel(2026, 11, 27, 0, 0), "12 am"),
    (mel(2026, 11, 27, 0, 15), "12:15 am"),
    (mel(2026, 11, 27, 1, 0), "1 am"),
    (mel(2026, 11, 27, 9, 0), "9 am"),
    (mel(2026, 11, 27, 23, 59), "11:59 pm"),
], ids=["half six evening", "five past six", "six on the hour", "eleven", "noon", "quarter to one",
        "midnight", "quarter past midnight", "one am", "nine am", "one minute to midnight"])
def test_spoken_time(at, expected):
    assert spoken_time(at) == expected


@pytest.mark.parametrize("at, now, expected", [
    (mel(2026, 11, 27, 18, 30), mel(2026, 11, 27, 17, 0), "6:30 pm"),
    (mel(2026, 11, 28, 11, 0), mel(2026, 11, 27, 17, 0), "tomorrow at 11 am"),
    (mel(2026, 11, 28, 11, 0), datetime(2026, 11, 27, 13, 30, tzinfo=timezone.utc), "11 am"),
    (mel(2026, 11, 30, 11, 0), mel(2026, 11, 27, 17, 0), "Monday at 11 am"),
    (mel(2026, 12, 7, 11, 0), mel(2026, 11, 27, 17, 0), "Monday 7 December at 11 am"),
], ids=["same day", "next day", "utc now is already saturday locally", "later this week",
        "more than a week away"])
def test_spoken_day_time(at, now, expected):
    assert spoken_day_time(at, now) == expected


@pytest.mark.parametrize("local,day", [
    ((2026, 11, 27, 18, 0), "2026-11-27"), ((2026, 11, 28, 1, 30), "2026-11-27"), ((2026, 11, 28, 4, 59), "2026-11-27"),
    ((2026, 11, 28, 5, 0), "2026-11-28"), ((2026, 10, 4, 3, 30), "2026-10-03"),
], ids=["friday-evening", "after-midnight", "just-before-5am", "5am", "dst-start-night"])
def test_trading_day_runs_from_5am_to_5am(local, day):
    hours = Hours.load(Path(__file__).parents[2] / "kebabalab" / "data" / "hours.json")
    at = datetime(*local, tzinfo=ZoneInfo("Australia/Melbourne"))
    trading, start, end = hours.trading_day(at)
    assert trading.isoformat() == day
    assert (start.hour, end.hour) == (5, 5)
    assert start.astimezone(timezone.utc) <= at.astimezone(timezone.utc) < end.astimezone(timezone.utc)
