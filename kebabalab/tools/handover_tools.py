"""The message tool: what the assistant does when the caller wanted a person and nobody at the shop answered."""
from __future__ import annotations

from kebabalab.errors import ToolError
from kebabalab.ordering.validation import coerce_text, validate_customer_name, validate_phone_number
from kebabalab.service.handover import REASONS, take_message as save_message
from kebabalab.store.call_messages import call_messages_for_call
from kebabalab.tools.registry import Registry, string

TOOLS = Registry()
MESSAGES_PER_CALL = 3


@TOOLS.tool("takeMessage", params={
    "callerName": string("The name to call back"),
    "message": string("What the caller wants the shop to know, in a sentence (300 characters at most)"),
    "reason": string("Why they wanted a person", enum=list(REASONS)),
    "callbackNumber": string("Only if the caller wants to be called back on another number; default is the "
                             "number they are calling from"),
}, required=("callerName", "message"))
def take_message(ctx, args):
    """Leave a message for the shop when the caller wanted a person and the transfer was not answered (or the
    caller would rather not wait): it goes on the order board and is texted to the shop, who call back."""
    name = validate_customer_name(args.get("callerName"))
    message = coerce_text(args.get("message"), "message", max_length=300)
    reason = coerce_text(args.get("reason"), "reason", max_length=20, required=False) or "person"
    if reason not in REASONS:
        raise ToolError(f"The reason must be one of {', '.join(REASONS)}.")
    phone = validate_phone_number(args["callbackNumber"]) if args.get("callbackNumber") else ctx.caller
    if phone is None:
        raise ToolError("What number should the shop call you back on?")
    if len(call_messages_for_call(ctx.services.db, ctx.call_id)) >= MESSAGES_PER_CALL:
        raise ToolError("I've already passed the shop your messages from this call; they'll call you back.")
    message_id = save_message(ctx.services, ctx.call_id, name, phone, reason, message)
    said = "the number you're calling from" if phone == ctx.caller else "the number you gave me"
    return ctx.reply(f"I've passed your message to the shop; they'll call you back on {said}.",
                     messageId=message_id, textedToShop=bool(ctx.services.settings.shop_order_to))
