"""What the call log keeps of Vapi's `end-of-call-report` and `status-update` messages, read without I/O.

Read from Vapi's published schema (VapiAI/docs fern/apis/api/openapi.json): ServerMessageEndOfCallReport,
ServerMessageStatusUpdate, Artifact, Analysis, Recording, Mono, TransferArtifact, Call. Both shapes are read:
the older one (summary and structured data in `analysis`, `artifact.recordingUrl`, a top-level `summary`,
`durationSeconds`, a text `timestamp`) and the current one (`artifact.structuredOutputs` keyed by id with
`name` and `result`, `artifact.recording.mono.combinedUrl` and `stereoUrl`, `artifact.transfers`). Every field
may be missing or of the wrong type: it is then left out (None), never an error.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

# TransferArtifact.status: the person picked up
ANSWERED = frozenset({"connected", "completed"})
# endedReason when a transfer to a person was tried and nobody took the call
NOT_ANSWERED_REASONS = frozenset({"call.forwarding.operator-busy", "call.forwarding.no-answer",
                                  "customer-ended-call-before-warm-transfer", "customer-ended-call-during-transfer",
                                  "customer-ended-call-after-warm-transfer-attempt"})
FORWARDED_REASONS = frozenset({"assistant-forwarded-call"})
MAX_TEXT = 200_000  # a transcript longer than this is cut (the body is at most 1 MB)


@dataclass(frozen=True)
class CallReport:
    """The call-log fields of one message; None where the message did not say."""
    status: str | None = None  # ServerMessageStatusUpdate.status ('in-progress', 'forwarding', 'ended', ...)
    ended_reason: str | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    duration_seconds: int | None = None
    cost_cents: int | None = None  # Vapi's cost in US cents, rounded
    summary: str | None = None
    structured: str | None = None  # JSON text: analysis.structuredData, or the structured outputs by name
    success_evaluation: str | None = None
    recording_url: str | None = None
    stereo_recording_url: str | None = None
    transcript: str | None = None
    transferred: bool = False
    transfer_answered: bool | None = None  # None: no transfer, or nobody says


def read_call_report(msg: dict) -> CallReport:
    """The call-log fields of a `message` object (an end-of-call report or a status update)."""
    call = _dict(msg.get("call"))
    artifact = _dict(msg.get("artifact")) or _dict(call.get("artifact"))
    analysis = _dict(msg.get("analysis")) or _dict(call.get("analysis"))
    recording = _dict(artifact.get("recording"))
    status = _text(msg.get("status"))
    reason = _text(msg.get("endedReason")) or _text(call.get("endedReason"))
    started = _time(msg.get("startedAt")) or _time(call.get("startedAt"))
    ended = _time(msg.get("endedAt")) or _time(call.get("endedAt"))
    transfers = [t for t in artifact.get("transfers") or [] if isinstance(t, dict)] \
        if isinstance(artifact.get("transfers"), list) else []
    transferred, answered = _transfer(status, reason, transfers, msg.get("destination"))
    return CallReport(
        status=status, ended_reason=reason, started_at=started, ended_at=ended,
        duration_seconds=_duration(msg, started, ended),
        cost_cents=_cents(msg.get("cost") if msg.get("cost") is not None else call.get("cost")),
        summary=_text(analysis.get("summary")) or _text(msg.get("summary")),
        structured=_structured(analysis, artifact),
        success_evaluation=_text(analysis.get("successEvaluation")),
        recording_url=_text(_dict(recording.get("mono")).get("combinedUrl")) or _text(artifact.get("recordingUrl"))
        or _text(msg.get("recordingUrl")),
        stereo_recording_url=_text(recording.get("stereoUrl")) or _text(artifact.get("stereoRecordingUrl"))
        or _text(msg.get("stereoRecordingUrl")),
        transcript=(_text(artifact.get("transcript")) or _text(msg.get("transcript")) or "")[:MAX_TEXT] or None,
        transferred=transferred, transfer_answered=answered)


def _transfer(status, reason, transfers: list[dict], destination) -> tuple[bool, bool | None]:
    """(a transfer to a person was tried, did someone answer: True, False or None when nobody says)."""
    if transfers:
        return True, any(t.get("status") in ANSWERED for t in transfers) \
            if any(isinstance(t.get("status"), str) for t in transfers) else None
    if reason in NOT_ANSWERED_REASONS:
        return True, False
    if reason in FORWARDED_REASONS:
        return True, True
    return status == "forwarding" or isinstance(destination, dict), None


def _structured(analysis: dict, artifact: dict) -> str | None:
    """The structured outputs as {name: result} (current), else analysis.structuredData (older), as JSON."""
    outputs = _dict(artifact.get("structuredOutputs"))
    if outputs:
        value: Any = {(_text(o.get("name")) or key): o.get("result") for key, o in outputs.items()
                      if isinstance(o, dict)}
    else:
        value = _dict(analysis.get("structuredData"))
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True) if value else None


def _duration(msg: dict, started: datetime | None, ended: datetime | None) -> int | None:
    given = msg.get("durationSeconds")
    if isinstance(given, (int, float)) and not isinstance(given, bool) and 0 <= given < 86400:
        return round(given)
    if started and ended and ended >= started:
        return round((ended - started).total_seconds())
    return None


def _cents(cost: Any) -> int | None:
    if isinstance(cost, bool) or not isinstance(cost, (int, float)) or not 0 <= cost < 1e9:  # nan fails too
        return None
    return int((Decimal(str(cost)) * 100).quantize(Decimal(1), ROUND_HALF_UP))


def _time(value: Any) -> datetime | None:
    """An ISO-8601 date-time ('2026-11-27T07:59:42.000Z') as an aware datetime; naive ones are UTC."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}
