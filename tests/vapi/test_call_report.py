"""Reading the call log's fields from Vapi's end-of-call reports and status updates (both shapes), tolerating
anything missing or of the wrong type."""
from datetime import datetime, timezone

import pytest

from conftest import vapi_fixture
from kebabalab.vapi.call_report import CallReport, read_call_report
from kebabalab.vapi.protocol import parse_server_message


def test_the_shared_sample_report_with_a_top_level_summary_and_duration():
    report = parse_server_message(vapi_fixture("end-of-call-report.json")).report
    assert report == CallReport(
        status=None, ended_reason="customer-ended-call",
        started_at=datetime(2026, 11, 27, 7, 59, 42, tzinfo=timezone.utc),
        ended_at=datetime(2026, 11, 27, 8, 4, 58, tzinfo=timezone.utc), duration_seconds=316, cost_cents=41,
        summary="Order placed.", structured=None, success_evaluation="true", recording_url=None,
        stereo_recording_url=None,
        transcript="AI: Thanks for calling Kebabalab...\nUser: Large lamb kebab with garlic sauce please...",
        transferred=False, transfer_answered=None)


def test_a_status_update_says_its_status_and_reason():
    report = parse_server_message(vapi_fixture("status-update-ended.json")).report
    assert (report.status, report.ended_reason, report.started_at, report.transferred) == (
        "ended", "customer-ended-call", None, False)


def test_fields_of_the_wrong_type_are_left_out_not_refused():
    report = read_call_report({
        "type": "end-of-call-report", "endedReason": 42, "startedAt": "yesterday-ish", "endedAt": None,
        "durationSeconds": "long", "cost": float("nan"), "summary": ["no"], "artifact": "none",
        "analysis": {"structuredData": "not an object", "successEvaluation": 7}})
    assert report == CallReport()


@pytest.mark.parametrize("transfers, reason, answered", [
    ([{"destination": {"type": "number", "number": "+61395345588"}, "status": "connected"}], "assistant-forwarded-call",
     True),
    ([{"destination": {"type": "number", "number": "+61395345588"}, "status": "busy"},
      {"destination": {"type": "number", "number": "+61395345599"}, "status": "completed"}], "customer-ended-call",
     True),
    ([{"destination": {"type": "number", "number": "+61395345588"}, "status": "voicemail"}], "customer-ended-call",
     False),
    ([{"destination": {"type": "number", "number": "+61395345588"}}], "customer-ended-call", None),
    ([], "call.forwarding.operator-busy", False),
    ([], "assistant-forwarded-call", True),
], ids=["answered", "second-tried-answered", "voicemail", "no-status", "operator-busy", "forwarded"])
def test_a_transfer_and_whether_a_person_answered(transfers, reason, answered):
    report = read_call_report({"type": "end-of-call-report", "endedReason": reason,
                               "artifact": {"transfers": transfers}, "analysis": {}})
    assert (report.transferred, report.transfer_answered) == (True, answered)


def test_a_forwarding_status_update_is_a_transfer_whose_answer_nobody_knows_yet():
    report = read_call_report({"type": "status-update", "status": "forwarding",
                               "destination": {"type": "number", "number": "+61395345588"}})
    assert (report.transferred, report.transfer_answered) == (True, None)


@pytest.mark.parametrize("cost, cents", [(0.005, 1), (0.0049, 0), (1, 100), (12.345, 1235), (-1, None),
                                         (True, None), ("0.4", None)])
def test_vapis_cost_in_us_dollars_becomes_whole_cents(cost, cents):
    assert read_call_report({"cost": cost}).cost_cents == cents
