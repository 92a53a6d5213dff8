"""The tool registry is the one source of truth: the contract's names, and the generated Vapi file."""
import json
import subprocess
import sys
from pathlib import Path

from kebabalab.__main__ import main
from kebabalab.shop.business import Business
from kebabalab.tools import REGISTRY, vapi_tools
from kebabalab.vapi.transfer import transfer_call_tool

ROOT = Path(__file__).parents[2]
CONTRACT_TOOLS = ["checkOpen", "getCallerSmartContext", "quickAddItem", "addMultipleItemsToCart", "getCartState",
                  "removeCartItem", "editCartItem", "clearCart", "priceCart", "convertItemsToMeals",
                  "getOrderSummary", "setPickupTime", "estimateReadyTime", "createOrder", "sendMenuLink",
                  "sendReceipt", "repeatLastOrder", "endCall"]
# Tools added since, beyond the contract the shops' assistants were set up with.
ADDED_TOOLS = [
    "checkAllergens",  # issue 25: allergens from the shop's facts
    "takeMessage",  # issue 25: a message for the shop when nobody answers the transfer
    "getOrderStatus",  # issue 24: "where's my order?"
]
CONTRACT_ARGS = {
    "quickAddItem": {"description"}, "addMultipleItemsToCart": {"items"}, "removeCartItem": {"itemIndex"},
    "editCartItem": {"itemIndex", "modifications"}, "setPickupTime": {"requestedTime"},
    "convertItemsToMeals": {"itemIndices", "drinkBrand", "chipsSize", "chipsSalt"},
    "createOrder": {"customerName", "customerPhone", "notes"}, "sendMenuLink": {"phoneNumber"},
    "sendReceipt": {"phoneNumber"}, "repeatLastOrder": {"phoneNumber"}, "getOrderStatus": {"orderNumber"},
}


def test_registry_has_exactly_the_contract_tools():
    assert sorted(REGISTRY.names()) == sorted(CONTRACT_TOOLS + ADDED_TOOLS)


def test_contract_argument_names_are_kept():
    for tool in REGISTRY:
        assert CONTRACT_ARGS.get(tool.name, set()) <= set(tool.params), tool.name


def test_edit_modifications_cover_the_contract_fields():
    edit, _ = REGISTRY.lookup("editCartItem")
    assert set(edit.params["modifications"]["properties"]) == {
        "size", "protein", "salads", "sauces", "extras", "cheese", "quantity", "salt_type", "chips_size",
        "drink_brand", "brand"}


def test_every_tool_has_a_description_and_valid_schema():
    for tool in REGISTRY:
        definition = tool.vapi_definition("https://shop.example/webhook")
        assert definition["function"]["description"] == tool.description and len(tool.description) > 10
        assert definition["function"]["parameters"]["type"] == "object"
        assert set(definition["function"]["parameters"].get("required", [])) <= set(tool.params)
        assert definition["server"] == {"url": "https://shop.example/webhook", "timeoutSeconds": 20}


def test_committed_tools_file_matches_the_registry():
    committed = json.loads((ROOT / "config" / "vapi-tools.json").read_text())
    shop = Business.load(str(ROOT / "kebabalab" / "data" / "business.json"))
    assert committed == REGISTRY.vapi_tools(None) + [transfer_call_tool("+61395345588")] == vapi_tools(None, shop)


def test_export_tools_check_fails_on_a_stale_file(tmp_path, capsys):
    stale = tmp_path / "tools.json"
    stale.write_text("[]\n")
    assert main(["export-tools", "--check", "--output", str(stale)]) == 1
    assert main(["export-tools", "--output", str(stale)]) == 0
    assert main(["export-tools", "--check", "--output", str(stale)]) == 0
    assert len(json.loads(stale.read_text())) == 22  # ours, and Vapi's transferCall to the shop


def test_export_tools_check_command_passes_on_the_committed_file():
    done = subprocess.run([sys.executable, "-m", "kebabalab", "export-tools", "--check"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
