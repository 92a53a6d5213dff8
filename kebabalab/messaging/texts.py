"""Texts: every word the shop and the customer are sent, made safe for SMS (one line of GSM-7), and the one money
formatter they use. Queued in the database outbox with the order (see `store.Database.place_order`) and sent by
`outbox.OutboxSender`, never on a request thread.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from typing import Any, Mapping

from kebabalab.ordering.phones import can_receive_texts
from kebabalab.ordering.validation import clean_text
from kebabalab.shop.business import Business
from kebabalab.shop.hours import Hours, spoken_time
from kebabalab.shop.order_guard import CONFIRM_MINUTES
from kebabalab.store import OutboxMessage

__all__ = ["sanitize_for_sms", "segments", "money", "compose_shop_order", "compose_customer_confirmation",
           "compose_receipt", "compose_menu_link", "compose_ready", "compose_cancelled", "customer_text",
           "messages_for_new_order", "compose_call_message", "compose_confirm_request", "messages_for_awaiting_order",
           "messages_for_order"]

GSM_BASIC = frozenset("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
                      "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM_EXTENSION = frozenset("\f^{}\\[~]|€")
# What sanitize_for_sms lets through: the printable ASCII part of the GSM-7 basic set, one septet each.
_SMS_SAFE = frozenset(c for c in GSM_BASIC if " " <= c <= "~")
_TRANSLIT = str.maketrans({
    **dict.fromkeys("‘’‚‛′`", "'"), **dict.fromkeys("“”„‟″«»", '"'), **dict.fromkeys("‐‑‒–—―−•·~", "-"),
    **dict.fromkeys("[{", "("), **dict.fromkeys("]}", ")"), **dict.fromkeys("\\|⁄", "/"), "^": "", "…": "...",
    "€": "EUR", "ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ł": "l", "Ł": "L",
    "þ": "th", "Þ": "Th", "ð": "d", "Ð": "D", "œ": "oe", "Œ": "OE", "ı": "i", "ħ": "h",
})
_LINK_SCHEME = re.compile(r"(?i)\b(?:https?|ftp)://")
_STATE_POSTCODE = re.compile(r",?\s+[A-Z]{2,3}\s+\d{4}$")


def sanitize_for_sms(text: Any, max_length: int | None = None) -> str:
    """Customer text made safe for one-septet GSM-7: cleaned as on arrival (clean_text), then ASCII only, one
    line, no links' schemes, at most max_length. Only texts are folded like this; the board keeps every letter."""
    if text is None:
        return ""
    decomposed = unicodedata.normalize("NFKD", clean_text(text)).translate(_TRANSLIT)
    # Accents (combining marks), emoji, control, bidi and zero-width characters are simply dropped.
    kept = "".join(c if c in _SMS_SAFE else " " if c.isspace() else "" for c in decomposed)
    clean = " ".join(_LINK_SCHEME.sub("", " ".join(kept.split())).split())
    if max_length is not None and len(clean) > max_length:
        clean = clean[:max_length - 3].rstrip() + "..." if max_length >= 3 else clean[:max_length]
    return clean


def segments(body: str) -> int:
    """How many SMS parts a body costs: GSM-7 160 / 153 per part, otherwise UCS-2 70 / 67."""
    if not body:
        return 0
    if all(c in GSM_BASIC or c in GSM_EXTENSION for c in body):
        units, single, part = len(body) + sum(c in GSM_EXTENSION for c in body), 160, 153
    else:
        units, single, part = len(body.encode("utf-16-le")) // 2, 70, 67
    return 1 if units <= single else -(-units // part)


def money(cents: int) -> str:
    """2200 -> '$22.00'."""
    sign, cents = ("-", -cents) if cents < 0 else ("", cents)
    return f"{sign}${cents // 100}.{cents % 100:02d}"


def _item_line(item: Mapping[str, Any]) -> str:
    quantity = int(item.get("quantity") or 1)
    description = sanitize_for_sms(item.get("description") or "item", 120)
    return f"{quantity}x {description} {money(item['line_total_cents'])}"


def _shop(business: Business) -> str:
    return sanitize_for_sms(business.name) or "Kebabalab"


def compose_shop_order(order, ready_spoken: str) -> str:
    """The text that tells the shop about a new order: an allergy first, then who, when, every line, notes and
    total."""
    name = sanitize_for_sms(order.customer_name, 40) or "No name given"
    allergy = sanitize_for_sms(order.allergy_note, 200)
    lines = [*([f"ALLERGY: {allergy}"] if allergy else []),
             f"NEW ORDER {order.display_number}", f"{name} ({order.customer_phone or 'no number'})",
             f"Pickup {sanitize_for_sms(ready_spoken, 40)}", *(_item_line(item) for item in order.items)]
    notes = sanitize_for_sms(order.notes, 300)
    if notes:
        lines.append(f"Notes: {notes}")
    lines.append(f"Total {money(order.total)} (incl GST {money(order.gst)})")
    return "\n".join(lines)


def compose_customer_confirmation(order, business: Business, ready_spoken: str) -> str:
    """One segment where possible; to fit, drop the customer's name, then the shop's address."""
    address = _STATE_POSTCODE.sub("", sanitize_for_sms(business.address))
    first_name = sanitize_for_sms(order.customer_name, 40).split(" ")[0][:20]
    head = (f"{_shop(business)}: order {order.display_number} confirmed, {money(order.total)}, "
            f"ready {sanitize_for_sms(ready_spoken, 40)}")
    where = f" at {address}." if address else "."
    thanks = f" Thanks {first_name}!" if first_name else " Thanks!"
    for body in (head + where + thanks, head + where + " Thanks!", head + ". Thanks!"):
        if segments(body) == 1:
            return body
    return sanitize_for_sms(head, 160)


def compose_receipt(order, business: Business) -> str:
    """An itemised receipt with GST, the date and the shop's address."""
    year, month, day = order.order_day.split("-")
    lines = [f"{_shop(business)} receipt, order {order.display_number} ({day}/{month}/{year})",
             *(_item_line(item) for item in order.items),
             f"Total {money(order.total)} (incl GST {money(order.gst)})"]
    address = sanitize_for_sms(business.address)
    if address:
        lines.append(address)
    return "\n".join(lines)


def compose_menu_link(business: Business) -> str:
    """The menu's address (our own data, so the link is kept) and the number to call."""
    url = business.menu_url or business.website
    phone = sanitize_for_sms(business.phone, 20)
    return f"{_shop(business)} menu: {url}" + (f" - call {phone} to order." if phone else "")


def customer_text(kind: str, order, body: str) -> list[OutboxMessage]:
    """A text to the order's customer, or none when the number cannot take one (no number, a landline, a
    premium-rate or toll number): the one rule for every text the shop sends on its own."""
    if not order.customer_phone or not can_receive_texts(order.customer_phone):
        return []
    return [OutboxMessage(kind, order.customer_phone, body, call_id=order.call_id, order_id=order.id)]


def compose_ready(order, business: Business) -> str:
    return f"{_shop(business)}: order {order.display_number} is ready for pickup."


def compose_cancelled(order, business: Business) -> str:
    phone = sanitize_for_sms(business.phone, 20)
    return (f"{_shop(business)}: sorry, order {order.display_number} has been cancelled."
            + (f" Questions? Call {phone}." if phone else ""))


def messages_for_new_order(order, business: Business, ready_spoken: str,
                           shop_phone: str | None) -> list[OutboxMessage]:
    """The texts `Database.place_order` queues: the shop's copy and, with a number, the customer's."""
    messages = []
    if shop_phone:
        messages.append(OutboxMessage("shop_order", shop_phone, compose_shop_order(order, ready_spoken),
                                      call_id=order.call_id, order_id=order.id))
    return messages + customer_text("customer_confirmation", order,
                                    compose_customer_confirmation(order, business, ready_spoken))


def callback_lines(lost_cents: int, waiting: list[tuple[str, str, str, int, str]]) -> list[str]:
    """The end-of-day summary's lost orders: what the carts left came to, and each caller still to call back as
    (time said, number, cart, cart value in cents, 'abandoned' or 'no-answer')."""
    lines = [f"Lost orders: {money(lost_cents)} left in carts." if lost_cents else "Lost orders: none."]
    if waiting:
        lines.append(f"To call back ({len(waiting)}):")
    for at, phone, cart, value, why in waiting:
        wanted = f"{sanitize_for_sms(cart, 80)} {money(value)}" if cart else "nothing in the cart"
        reason = "asked for a person, no answer" if why == "no-answer" else "left the cart"
        lines.append(f"{at} {phone} - {reason}: {wanted}")
    return lines


def day_summary_subject(business: Business, day: date) -> str:
    return f"{_shop(business)} takings {day.strftime('%a')} {day.day} {day.strftime('%b')}"


def takings_lines(takings) -> list[str]:
    """The end-of-day summary's takings (shop/takings.py Takings): orders, money, phone against counter, top
    items. Other lines (issue 24's lost value) come from service/closing_summary.py's SUMMARY_PARTS."""
    lines = [f"{takings.orders} orders, {money(takings.total)} (incl GST {money(takings.gst)})",
             f"Phone {takings.phone.orders} ({money(takings.phone.total)}), counter {takings.counter.orders} "
             f"({money(takings.counter.total)})"]
    if takings.cancelled:
        lines.append(f"Cancelled {takings.cancelled}")
    if takings.items:
        lines.append("Top: " + ", ".join(f"{sanitize_for_sms(i.name, 40)} x{i.quantity}" for i in takings.items[:3]))
    return lines


def compose_day_summary(business: Business, day: date, lines: list[str]) -> str:
    """The text the owner gets at closing time: the subject line, then one line per part."""
    return "\n".join([day_summary_subject(business, day), *lines])


def phone_line_alert_subject(business: Business) -> str:
    return f"{_shop(business)} phone line: needs a look"


def owner_alert_text(business: Business, sentence: str, *, name_the_shop: bool) -> str:
    """The owner's text about a problem of the phone line: the sentence, after the shop's name when the
    deployment serves several shops (one owner may run more than one)."""
    return f"{_shop(business)}: {sentence}" if name_the_shop else sentence


def shop_text_lost_sentence(day_seq: int | None, error_code: str | None) -> str:
    """The board's banner and the owner's alert when the shop's own order text did not arrive."""
    order = f"order #{day_seq:03d}" if day_seq else "an order"
    code = f" (Twilio error {error_code})" if error_code else ""
    return f"The shop's text for {order} was not delivered{code}: check the board for it."


def texts_failing_sentence(since) -> str:
    """`since`: the shop's local time the first failing text was queued."""
    return f"Texts have been failing since {spoken_time(since)}: customers and the shop may not get them."


def compose_call_message(message) -> str:
    """The shop's text about a message the assistant took (nobody answered the transfer): call back whom, why."""
    name = sanitize_for_sms(message.caller_name, 40) or "No name given"
    lines = [*(["ALLERGY"] if message.allergy else []),
             f"CALL BACK {name} ({message.phone or 'no number'}) - {sanitize_for_sms(message.reason, 20)}",
             sanitize_for_sms(message.message, 300)]
    return "\n".join(lines)


def compose_confirm_request(order, business: Business, ready_spoken: str) -> str:
    """The text that asks a first-time caller to confirm a big order by replying YES (shop/order_guard.py)."""
    return (f"{_shop(business)}: reply YES within {CONFIRM_MINUTES} min to confirm order {order.display_number}, "
            f"{money(order.total)}, pickup {sanitize_for_sms(ready_spoken, 40)}. Not yours? Ignore this text and it "
            "is cancelled.")


def messages_for_awaiting_order(order, business: Business, ready_spoken: str) -> list[OutboxMessage]:
    """The one text `Database.place_order` queues for an order awaiting the customer's YES: the request (kind
    customer_confirmation: the outbox's kinds are fixed by its table); the shop's text waits for the YES."""
    return customer_text("customer_confirmation", order, compose_confirm_request(order, business, ready_spoken))


def messages_for_order(order, business: Business, hours: Hours, shop_phone: str | None,
                       awaiting: bool) -> list[OutboxMessage]:
    """The texts `Database.place_order` queues with a new order, its pickup time said in the shop's time: the YES
    request alone when it awaits the customer's YES (the shop hears of it then, service/incoming_texts.py); else
    the shop's and the customer's."""
    ready_spoken = spoken_time(hours.local(datetime.fromisoformat(order.ready_at)))
    if awaiting:
        return messages_for_awaiting_order(order, business, ready_spoken)
    return messages_for_new_order(order, business, ready_spoken, shop_phone)
