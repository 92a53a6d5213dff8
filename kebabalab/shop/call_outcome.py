"""What became of a call, as the Calls page counts it: pure policy over what the call log holds.

One outcome per call, the first that fits:
    ordered        it placed an order
    transferred    a person took the call
    no-answer      it asked for a person and nobody answered, or left a message for the shop (goes on the
                   callback list)
    abandoned      it ended with items in the cart and no order (goes on the callback list)
    after-hours    it came while the shop was not taking orders
    hung-up-early  the caller hung up before anything went in the cart
    in-progress    nothing says it has ended yet
    other          it ended otherwise (a question answered, the assistant said goodbye)
"""
from __future__ import annotations

OUTCOMES = ("ordered", "transferred", "no-answer", "abandoned", "after-hours", "hung-up-early", "in-progress",
            "other")
CALL_BACK = frozenset({"no-answer", "abandoned"})
LABELS = {"ordered": "Ordered", "transferred": "Transferred to a person", "no-answer": "Asked for a person, no answer",
          "abandoned": "Left items in the cart", "after-hours": "After hours", "hung-up-early": "Hung up early",
          "in-progress": "On the line (or no end report)", "other": "No order"}


def call_outcome(*, ordered: bool, transferred: bool, transfer_answered: bool | None, cart_lines: int,
                 ended: bool, ended_reason: str | None, after_hours: bool, message_left: bool = False) -> str:
    """The one outcome of a call (see the module's list)."""
    if ordered:
        return "ordered"
    if (transferred and transfer_answered is False) or message_left:
        return "no-answer"
    if transferred:
        return "transferred"
    if cart_lines > 0:
        return "abandoned"
    if after_hours:
        return "after-hours"
    if not ended:
        return "in-progress"
    if ended_reason is not None and ended_reason.startswith("customer-ended-call"):
        return "hung-up-early"
    return "other"

# What came of calling a caller back (one tap on the board records one of these, who and when)
CALLBACK_RESULTS = {"ordered": "Ordered", "call-later": "Will call again", "not-wanted": "Didn't want it",
                    "no-answer": "No answer", "left-message": "Left a message"}
