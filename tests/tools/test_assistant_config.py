"""The assistant's prompt and old tool names agree with the registry."""
import re
from pathlib import Path

from conftest import VapiCall
from kebabalab.tools import REGISTRY

ROOT = Path(__file__).parents[2]
PROMPT = (ROOT / "config" / "system-prompt.md").read_text()


def named_tools(text: str) -> set[str]:
    """Backticked camelCase words in the prompt: the tools it tells the assistant to call."""
    return {w for w in re.findall(r"`([a-z]+[A-Z][A-Za-z]+)`", text)}


def test_prompt_names_only_tools_the_registry_has():
    assert named_tools(PROMPT) - set(REGISTRY.names()) == {"transferCall"}  # Vapi's own, exported beside ours


def test_prompt_mentions_every_tool():
    assert set(REGISTRY.names()) - named_tools(PROMPT) == set()


def test_archive_lists_every_accepted_old_name():
    archive = (ROOT / "archive" / "README.md").read_text()
    for old, new in REGISTRY.old_names().items():
        assert f"| `{old}` | `{new}` | accepted" in archive


def test_old_names_still_work_and_are_logged_as_deprecated(client, caplog):
    call = VapiCall(client)
    call.ok("quickAddItem", description="a large lamb kebab")
    changed = call.ok("modifyCartItem", itemIndex=0, modifications={"size": "small"})
    assert changed["total"] == 10.0
    assert call.ok("getDetailedCart")["items"][0]["size"] == "small"
    assert any("deprecated tool name modifyCartItem" in r.getMessage() for r in caplog.records)


def test_production_env_example_lists_the_credentials():
    text = (ROOT / "config" / ".env.production.example").read_text()
    for name in ("VAPI_WEBHOOK_SECRET", "TWILIO_ACCOUNT_SID", "SHOP_ORDER_TO", "DATABASE_URL", "METRICS_TOKEN"):
        assert re.search(rf"^{name}=", text, re.M), name
    assert "KEBABALAB_ALLOW_UNAUTHENTICATED=1" not in text


def test_prompt_variables_are_the_ones_assistant_request_fills_in(services):
    from kebabalab.service.assistant_request import variable_values
    filled = variable_values(services, None, services.clock.now(), 0)
    assert set(re.findall(r"\{\{(\w+)\}\}", PROMPT)) == set(filled)
