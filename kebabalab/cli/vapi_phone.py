"""`vapi sync --phone-number-id`: set the shop's Vapi number up so each call asks this server for its assistant.

A number with no `assistantId`, `squadId` or `workflowId` makes Vapi send `assistant-request` to the number's
`server` (UpdateTwilioPhoneNumberDTO and its siblings in Vapi's OpenAPI document); the server answers with
VAPI_ASSISTANT_ID and the caller's variables, or turns the call away when the shop is closed.
"""
from __future__ import annotations

FIXED_ASSISTANT = ("assistantId", "squadId", "workflowId")


def phone_number_changes(phone: dict, server: dict) -> dict:
    """The PATCH body that makes `phone` send assistant-request to `server`; empty when it already does."""
    changes: dict = {key: None for key in FIXED_ASSISTANT if phone.get(key)}
    have = phone.get("server") or {}
    wanted = {key: value for key, value in server.items() if key != "headers"}
    same_headers = {str(k).lower(): v for k, v in (have.get("headers") or {}).items()} == \
        {str(k).lower(): v for k, v in (server.get("headers") or {}).items()}
    if any(have.get(key) != value for key, value in wanted.items()) or not same_headers:
        changes["server"] = server
    return changes


def render_phone_plan(phone: dict, changes: dict) -> list[str]:
    """What will change, never the credential's value."""
    number = phone.get("number") or phone.get("id")
    if not changes:
        return [f"  phone      {number}: already asks this server for its assistant (assistant-request)"]
    said = [f"clear {key}" for key in FIXED_ASSISTANT if key in changes]
    if "server" in changes:
        said.append(f"server.url -> {changes['server']['url']}")
    return [f"  phone      {number}: {', '.join(said)} (calls will send assistant-request)"]
