"""A caller's words are cleaned the same way wherever they go: on arrival, on the board, on a ticket, in a text."""
import pytest

from conftest import new_order
from kebabalab.web.board import order_json
from kebabalab.messaging.texts import sanitize_for_sms
from kebabalab.cli.staff import _order_text
from kebabalab.ordering.validation import clean_text

DIRTY_NAME = "Jos\u00e9\u200b \u202eNguy\u1ec5n\x1b[8m"
DIRTY_NOTES = "no\u00a0onion\r\n\x1b]0;pwned\x07cut\u2066 in half"


@pytest.mark.parametrize("text,expected", [
    ("José", "José"), ("Nguyễn Văn An", "Nguyễn Văn An"), ("李小龙", "李小龙"), ("Ōtsuka Zoë", "Ōtsuka Zoë"),
    ("محمد", "محمد"), ("Søren O’Brien-Łukasz", "Søren O’Brien-Łukasz"),
    ("Jose\u0301", "José"),  # a decomposed accent, composed: one form in the database
    ("Sam\u200b\u200c\u200d\u2060\ufeff", "Sam"),  # zero-width space, non-joiner, joiner, word joiner, BOM
    ("\u202eSam\u202c \u2067Lee\u2069", "Sam Lee"),  # bidi overrides and isolates
    ("\u3164Sam\u115f", "Sam"),  # Hangul fillers: letters by category, shown as nothing
    ("Sam\x00\x07\x7f\x9b", "Sam"), ("Sam\x1b[31m Lee\x1b[0m", "Sam Lee"), ("\x1b]0;title\x07Sam", "Sam"),
    ("  Sam \t\n\r  Lee\u2028Jr  ", "Sam Lee Jr"), ("\u3000Sam\u00a0Lee", "Sam Lee"),
    ("\u200b\u202e\x00", ""), (None, ""), (42, "42"),
])
def test_clean_text(text, expected):
    assert clean_text(text) == expected


def stored_with_stray_characters(services):
    """An order whose words came in before cleaning (an older server, an import)."""
    dirty = new_order(name=DIRTY_NAME)
    dirty = dirty.__class__(**{**vars(dirty), "notes": DIRTY_NOTES, "items": [
        {"description": "large lamb kebab,\u200b garlic sauce\x1b[2J", "quantity": 1, "line_total_cents": 2200}]})
    return services.db.place_order(dirty, lambda order: [])


def test_the_board_shows_the_cleaned_words_with_every_letter(services):
    shown = order_json(stored_with_stray_characters(services), services.hours)
    assert (shown["customerName"], shown["notes"], shown["items"]) == (
        "José Nguyễn", "no onion cut in half", [{"quantity": 1, "description": "large lamb kebab, garlic sauce"}])


def test_the_printed_ticket_shows_the_cleaned_words(services):
    ticket = _order_text(stored_with_stray_characters(services), services.hours)
    assert ticket.splitlines()[1:] == ["      1 x large lamb kebab, garlic sauce", "      notes: no onion cut in half"]
    assert "José Nguyễn" in ticket.splitlines()[0] and "\x1b" not in ticket


def test_a_text_folds_the_cleaned_words_to_gsm7():
    assert (sanitize_for_sms(DIRTY_NAME), sanitize_for_sms(DIRTY_NOTES)) == ("Jose Nguyen", "no onion cut in half")


def test_an_unknown_tool_name_reaches_the_log_cleaned(vapi, caplog):
    caplog.set_level("INFO", logger="kebabalab.tools")
    assert vapi.error("getCart\x1b[2JState\u202e") == "There's no tool called that; please use one of the listed tools."
    assert [r.fields["tool"] for r in caplog.records if hasattr(r, "fields")] == ["getCartState"]
