"""Vapi's own `transferCall` tool, set up to hand the call to the shop's landline: when, how, and what if nobody
answers. Vapi runs it (no tool call reaches the webhook); the exported tools carry it beside ours.

Shapes from Vapi's OpenAPI document (VapiAI/docs fern/apis/api/openapi.json): CreateTransferCallToolDTO with one
TransferDestinationNumber whose TransferPlan is `warm-transfer-experimental`: the caller is held while the shop is
dialled; a person who answers hears a one-line summary (SummaryPlan) and is connected; when nobody answers
(unreachable, busy, voicemail) the caller hears the TransferFallbackPlan's message and the assistant stays on the
call (`endCallEnabled: false`) to take a message with `takeMessage`.
"""
from __future__ import annotations

TOOL_NAME = "transferCall"
WHEN = ("The shop's landline, staffed by a person. Transfer when the caller asks for a person, mentions a severe "
        "allergy, a complaint or a refund, or when a tool's answer says to offer a person and the caller agrees.")
SAY_TO_CALLER = "I'll put you through to someone at the shop now; please hold for a moment."
FALLBACK = ("Sorry, nobody at the shop could pick up just now. I can take a message and they'll call you back: "
            "what name and message should I leave?")
SUMMARY_INSTRUCTION = ("You brief a kebab shop's staff member who is picking up a call transferred from the phone "
                       "assistant. In ONE short line, say who is calling (first name if known), why they want a "
                       "person (asked for one, severe allergy, complaint, refund, or the ordering system failing), "
                       "and what they have ordered so far. Return only that line.")


def transfer_call_tool(landline: str) -> dict:
    """The transferCall tool for `landline` (E.164), as Vapi's API takes it (POST /tool)."""
    return {
        "type": TOOL_NAME,
        "destinations": [{
            "type": "number",
            "number": landline,
            "description": WHEN,
            "message": SAY_TO_CALLER,
            "transferPlan": {
                "mode": "warm-transfer-experimental",
                "summaryPlan": {
                    "enabled": True,
                    "timeoutSeconds": 5,
                    "messages": [{"role": "system", "content": SUMMARY_INSTRUCTION},
                                 {"role": "user", "content": "Here is the transcript:\n\n{{transcript}}"}],
                },
                "fallbackPlan": {"message": FALLBACK, "endCallEnabled": False},
            },
        }],
    }
