"""Logs: LOG_FORMAT=json|text, LOG_LEVEL, one structured line per tool call, phone numbers always masked."""
from __future__ import annotations

import json
import logging

import pytest

from conftest import VapiCall
from kebabalab.web.logs import configure_logging, escape_controls, mask_numbers
from kebabalab.web.app import create_app

CALLER = "+61412345678"
FULL_FORMS = ["+61412345678", "61412345678", "0412345678", "0412 345 678", "+61 412 345 678", "0412-345-678"]
ORDER_CALL = [("getCallerSmartContext", {}), ("quickAddItem", {"description": "a large lamb kebab with garlic"}),
              ("setPickupTime", {"requestedTime": "8pm"}),
              ("createOrder", {"customerName": "Sam", "customerPhone": "0412 345 678", "notes": "ring 0412 345 678"}),
              ("sendReceipt", {"phoneNumber": "0412-345-678"}), ("sendMenuLink", {"phoneNumber": "+61 412 345 678"}),
              ("nopeTool", {}), ("removeCartItem", {"itemIndex": 7}), ("endCall", {})]


@pytest.fixture
def make(settings, clock):
    apps = []

    def build(**changes):
        app = create_app(settings.replace(**changes), clock=clock, start_sender=False)
        apps.append(app)
        return app
    yield build
    for app in apps:
        app.extensions["kebabalab"].stop_background()
    configure_logging()  # back to text on the current stderr for the tests that follow


def place_an_order(app) -> None:
    call = VapiCall(app.test_client(), call_id="log-call", number=CALLER)
    for name, args in ORDER_CALL:
        call.run(name, **args)
    app.extensions["kebabalab"].sender.run_once()  # the texts go to the log (no Twilio credentials)


def output_lines(capfd) -> list[str]:
    out, err = capfd.readouterr()
    return [line for line in (out + err).splitlines() if line.strip()]


def test_json_format_every_line_is_one_json_object(make, capfd):
    place_an_order(make(log_format="json"))
    lines = output_lines(capfd)
    assert len(lines) >= len(ORDER_CALL) + 3  # the tool calls, the texts and the database set-up
    for line in lines:
        entry = json.loads(line)
        assert isinstance(entry, dict) and {"time", "level", "logger", "message"} <= set(entry)
        assert entry["logger"].startswith("kebabalab")


def test_one_line_per_tool_call_with_call_id_tool_outcome_and_milliseconds(make, capfd):
    place_an_order(make(log_format="json"))
    entries = [json.loads(line) for line in output_lines(capfd)]
    calls = [e for e in entries if e.get("event") == "tool_call"]
    assert [(e["call_id"], e["tool"], e["outcome"]) for e in calls] == [
        ("log-call", "getCallerSmartContext", "ok"), ("log-call", "quickAddItem", "ok"),
        ("log-call", "setPickupTime", "ok"), ("log-call", "createOrder", "ok"), ("log-call", "sendReceipt", "ok"),
        ("log-call", "sendMenuLink", "ok"), ("log-call", "nopeTool", "unknown-tool"),
        ("log-call", "removeCartItem", "refused"), ("log-call", "endCall", "ok")]
    for entry in calls:
        assert isinstance(entry["ms"], float) and 0 <= entry["ms"] < 10_000
        assert entry["caller"] == "+614••••5678"
        assert entry["message"].startswith(f"tool call=log-call tool={entry['tool']} outcome={entry['outcome']} ms=")


def test_the_callers_full_number_never_appears_in_the_logs_of_a_whole_order_call(make, capfd, caplog):
    caplog.set_level(logging.DEBUG)
    for log_format in ("json", "text"):
        place_an_order(make(log_format=log_format, log_level="DEBUG"))
    captured = "\n".join(output_lines(capfd))
    messages = "\n".join(record.getMessage() for record in caplog.records)
    assert "+614••••5678" in captured and len(caplog.records) > 20
    for text in (captured, messages, caplog.text):
        assert [form for form in FULL_FORMS if form in text] == []


def test_text_format_is_one_line_per_record_even_with_hostile_ids(make, capfd):
    app = make(log_format="text")
    call = VapiCall(app.test_client(), call_id="evil\nINFO kebabalab.forged: order paid\u202e")
    call.run("bad\r\nname", description="x")
    lines = output_lines(capfd)
    tool_lines = [line for line in lines if "tool call=" in line]
    assert len(tool_lines) == 1 and len(lines) == len([line for line in lines if " kebabalab." in line])
    assert "evil\\u000aINFO kebabalab.forged: order paid\\u202e" in tool_lines[0]
    assert not any(line.startswith("INFO kebabalab.forged") for line in lines)


def test_an_unexpected_error_is_one_json_line_with_its_traceback_masked(make, capfd, monkeypatch):
    def boom(*args):
        raise RuntimeError(f"pricing failed for {CALLER}")

    app = make(log_format="json")
    monkeypatch.setattr("kebabalab.ordering.pricing.cart_total", boom)
    VapiCall(app.test_client(), call_id="crashy").run("priceCart")
    entries = [json.loads(line) for line in output_lines(capfd)]
    [crash] = [e for e in entries if "exception" in e]
    assert crash["level"] == "ERROR" and crash["message"] == "tool priceCart call crashy: unexpected error"
    assert "RuntimeError: pricing failed for +614••••5678" in crash["exception"]
    assert CALLER not in json.dumps(entries)
    assert [e["outcome"] for e in entries if e.get("event") == "tool_call"] == ["crash"]


@pytest.mark.parametrize("level,tool_lines", [("DEBUG", 1), ("INFO", 1), ("WARNING", 0)])
def test_log_level_filters_the_package_lines(make, capfd, level, tool_lines):
    VapiCall(make(log_level=level, log_format="json").test_client()).run("checkOpen")
    entries = [json.loads(line) for line in output_lines(capfd)]
    assert len([e for e in entries if e.get("event") == "tool_call"]) == tool_lines


def test_a_later_logging_basic_config_adds_no_second_unmasked_handler(capfd):
    """waitress calls logging.basicConfig(): it must not add a root handler that prints lines unmasked."""
    root = logging.getLogger()
    saved = root.handlers[:]
    root.handlers = []
    try:
        configure_logging("INFO", "json")
        logging.basicConfig()
        assert [getattr(h, "_kebabalab", False) for h in root.handlers] == [True]
        logging.getLogger("kebabalab.test").info("caller %s", CALLER)
        logging.getLogger("waitress").warning("queue depth 5 from %s", "0412 345 678")
        lines = output_lines(capfd)
    finally:
        root.handlers = saved
        configure_logging()
    assert [json.loads(line)["message"] for line in lines] == ["caller +614••••5678", "queue depth 5 from 0412••••5678"]


@pytest.mark.parametrize("text,expected", [
    ("+61412345678", "+614••••5678"),
    ("61412345678", "6141••••5678"),
    ("0412 345 678", "0412••••5678"),
    ("0412-345-678", "0412••••5678"),
    ("call +61 412 345 678 now", "call +614••••5678 now"),
    ("(03) 9534 5588", "0395••••5588"),
    ("03 9534 5588", "0395••••5588"),
    ("+1 415 555 2671", "+141••••2671"),
    ("order 20261127-001 at 18:30 on 2026-11-27 for $15.00", "order 20261127-001 at 18:30 on 2026-11-27 for $15.00"),
    ("ms=12.5 total=2200", "ms=12.5 total=2200"),
])
def test_mask_numbers(text, expected):
    assert mask_numbers(text) == expected


def test_escape_controls_keeps_letters_and_escapes_the_rest():
    assert escape_controls("Zoë 🥙 محمد") == "Zoë 🥙 محمد"
    assert escape_controls("a\nb\r\x1b[2J\u202e\u200bc") == "a\\u000ab\\u000d\\u001b[2J\\u202e\\u200bc"


def test_log_file_gets_every_masked_line_and_rotates_keeping_the_count_asked(make, tmp_path):
    log_file = tmp_path / "logs" / "kebabalab.log"
    app = make(log_file=str(log_file), log_file_max_mb=1, log_file_count=2, log_format="json")
    place_an_order(app)
    first = [json.loads(line) for line in log_file.read_text(encoding="utf-8").splitlines()]
    assert [line["tool"] for line in first if "tool" in line] == [name for name, _ in ORDER_CALL]
    shop = logging.getLogger("kebabalab.shop")
    for n in range(3 * 1024):  # 3 MB more: the first file is rotated out and dropped
        shop.warning("padding %04d %s", n, "x" * 1000)
    shop.warning("last line, caller %s", CALLER)
    configure_logging()  # lets the file go
    files = sorted(log_file.parent.iterdir())
    assert [p.name for p in files] == ["kebabalab.log", "kebabalab.log.1", "kebabalab.log.2"]
    assert json.loads(log_file.read_text(encoding="utf-8").splitlines()[-1])["message"] == \
        "last line, caller +614••••5678"
    assert all(p.stat().st_size <= 1024 * 1024 for p in files)
    text = "".join(p.read_text(encoding="utf-8") for p in files) + json.dumps(first, ensure_ascii=False)
    assert not any(form in text for form in FULL_FORMS)
