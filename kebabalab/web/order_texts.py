"""An order's texts as the board reads them: each text's status and delivery receipt, and one sentence when one
did not reach its phone (the card shows it)."""
from __future__ import annotations

from kebabalab.store.receipts import TextState, texts_of_orders

TEXT_NAMES = {"shop_order": "The shop's order text", "customer_confirmation": "The customer's confirmation text",
              "ready": "The 'ready' text", "receipt": "The receipt text", "menu_link": "The menu link text"}


def text_json(text: TextState) -> dict:
    return {"kind": text.kind, "status": text.status, "delivery": text.delivery, "errorCode": text.error_code}


def text_problem(texts: list[TextState]) -> str | None:
    """'The shop's order text was not delivered (Twilio error 30003).' for the first text that did not arrive."""
    for text in texts:
        if text.delivery in ("undelivered", "failed") or text.status == "failed":
            code = f" (Twilio error {text.error_code})" if text.error_code else ""
            return f"{TEXT_NAMES.get(text.kind, 'A text')} was not delivered{code}."
    return None


def texts_fields(db, order_ids: list[int]) -> dict[int, dict]:
    """For each order id: {"texts": [...], "textProblem": sentence or None}, read in one query."""
    found = texts_of_orders(db, order_ids)
    return {order_id: {"texts": [text_json(t) for t in found.get(order_id, [])],
                       "textProblem": text_problem(found.get(order_id, []))} for order_id in order_ids}
