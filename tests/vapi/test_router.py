"""The Vapi message router: one handler per message type, routers combined in one place, the webhook's table."""
import pytest

from conftest import vapi_fixture
from kebabalab.vapi.protocol import parse_server_message
from kebabalab.vapi.router import Router
from kebabalab.web.app import ROUTER


def message(name: str):
    return parse_server_message(vapi_fixture(name))  # recorded Vapi server messages (tests/fixtures/vapi/)


def test_a_message_goes_to_the_handler_of_its_type_with_the_dispatch_arguments():
    router = Router()
    seen = []

    @router.register("status-update")
    def status(msg, who):
        seen.append((msg.type, msg.status, who))
        return {"handled": who}

    assert router.dispatch(message("status-update-ended.json"), "board") == {"handled": "board"}
    assert seen == [("status-update", "ended", "board")]


def test_a_type_nobody_handles_gets_an_empty_reply():
    assert Router().dispatch(message("transcript.json")) == {}


def test_routers_combine_and_a_type_routed_twice_is_refused():
    calls, ends = Router(), Router()
    calls.add(lambda msg: {"from": "calls"}, "tool-calls")
    ends.add(lambda msg: None, "end-of-call-report")
    both = Router(calls, ends)
    assert both.types() == ["end-of-call-report", "tool-calls"]
    assert both.dispatch(message("tool-calls.json")) == {"from": "calls"}
    with pytest.raises(ValueError, match="'tool-calls' routed twice"):
        Router(calls, calls)


def test_the_webhook_routes_exactly_the_types_it_answers():
    assert ROUTER.types() == ["assistant-request", "end-of-call-report", "function-call", "status-update", "tool-calls"]
