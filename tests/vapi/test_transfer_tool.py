"""The exported transferCall tool is what Vapi's published schema accepts, and hands the call over warm, with a
one-line summary for the staff member and a message taken when nobody answers."""
import copy
import json
from pathlib import Path

import jsonschema
import pytest

from kebabalab.vapi.transfer import FALLBACK, SUMMARY_INSTRUCTION

ROOT = Path(__file__).parents[2]
# CreateTransferCallToolDTO and the schemas it references, from VapiAI/docs fern/apis/api/openapi.json (the file
# cites the commit).
SCHEMA = json.loads((ROOT / "tests" / "fixtures" / "vapi" / "transfer-call-tool.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def exported_transfer() -> dict:
    tools = json.loads((ROOT / "config" / "vapi-tools.json").read_text())
    [transfer] = [tool for tool in tools if tool["type"] == "transferCall"]
    return transfer


def problems(tool: dict) -> list[str]:
    """Every error, with those inside a oneOf (why each destination type did not fit)."""
    def messages(errors):
        for error in errors:
            yield error.message
            yield from messages(error.context or ())
    return sorted(messages(VALIDATOR.iter_errors(tool)))


def test_the_exported_transfer_tool_is_valid_for_vapis_schema():
    assert problems(exported_transfer()) == []


def test_it_transfers_to_the_shops_landline_warm_with_a_one_line_summary_and_a_fallback():
    [destination] = exported_transfer()["destinations"]
    plan = destination["transferPlan"]
    assert (destination["type"], destination["number"]) == ("number", "+61395345588")  # business.json's phone
    assert plan["mode"] == "warm-transfer-experimental"  # hold, dial, brief a person, else the fallback
    assert plan["summaryPlan"]["messages"] == [
        {"role": "system", "content": SUMMARY_INSTRUCTION},
        {"role": "user", "content": "Here is the transcript:\n\n{{transcript}}"}]
    assert "ONE short line" in SUMMARY_INSTRUCTION
    assert plan["fallbackPlan"] == {"message": FALLBACK, "endCallEnabled": False}  # the assistant stays to take it
    for when in ("asks for a person", "severe allergy", "complaint", "refund", "offer a person"):
        assert when in destination["description"]


@pytest.mark.parametrize("change, expected", [
    (lambda t: t["destinations"][0]["transferPlan"].update(mode="warm-transfer-with-summary"),
     "'warm-transfer-with-summary' is not one of"),
    (lambda t: t["destinations"][0].pop("number"), "'number' is a required property"),
    (lambda t: t["destinations"][0]["transferPlan"]["fallbackPlan"].pop("message"),
     "'message' is a required property"),
    (lambda t: t.update(type="transfer"), "'transfer' is not one of ['transferCall']"),
], ids=["a mode Vapi does not have", "no number", "a fallback with nothing to say", "the wrong type"])
def test_the_schema_check_refuses_what_vapi_would(change, expected):
    tool = copy.deepcopy(exported_transfer())
    change(tool)
    assert any(expected in message for message in problems(tool)), problems(tool)
