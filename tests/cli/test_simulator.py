"""`python -m kebabalab call`: commands, Vapi-shaped messages, scripts, interactive mode, a real server."""
from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from kebabalab import __main__ as cli
from kebabalab.cli import call, simulator, simulator_script, staff as staff_cli
from kebabalab.web.security import signature_matches
from kebabalab.cli.simulator import CommandError, Conversation, parse_command
from kebabalab.vapi.protocol import parse_server_message
from tests.servers import always_open_hours

ROOT = Path(__file__).parents[2]
CALLS = Path(__file__).parents[1] / "calls"


@pytest.fixture
def shop(tmp_path, monkeypatch) -> dict:
    """An always-open shop with its database in tmp_path, and `call` on the command line."""
    monkeypatch.chdir(tmp_path)
    env = {"HOURS_FILE": str(always_open_hours(tmp_path)),
           "DATABASE_URL": f"sqlite:///{tmp_path}/orders.db"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for name in ("VAPI_WEBHOOK_SECRET", "VAPI_HMAC_SECRET", "REDIS_URL", "MENU_FILE", "BUSINESS_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(staff_cli, "COMMANDS", [call.register])
    return env


def script(tmp_path: Path, text: str) -> str:
    path = tmp_path / "check.call"
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize("line, tool, args", [
    ("add large lamb kebab no onion", "quickAddItem", {"description": "large lamb kebab no onion"}),
    ("meal", "convertItemsToMeals", {}),
    ("meal large chips", "convertItemsToMeals", {"chipsSize": "large"}),
    ("meal small chips sprite", "convertItemsToMeals", {"chipsSize": "small", "drinkBrand": "sprite"}),
    ("meal no chips coke zero", "convertItemsToMeals", {"chipsSize": "none", "drinkBrand": "coke zero"}),
    ("total", "priceCart", {}),
    ("cart", "getCartState", {}),
    ("remove 2", "removeCartItem", {"itemIndex": 2}),
    ("edit 0 size=small sauces=garlic,chilli quantity=2 cheese=true drink_brand='coke zero'", "editCartItem",
     {"itemIndex": 0, "modifications": {"size": "small", "sauces": ["garlic", "chilli"], "quantity": 2,
                                        "cheese": True, "drink_brand": "coke zero"}}),
    ("pickup in 20 minutes", "setPickupTime", {"requestedTime": "in 20 minutes"}),
    ("order Sam", "createOrder", {"customerName": "Sam"}),
    ("order 'Sam Lee' extra napkins", "createOrder", {"customerName": "Sam Lee", "notes": "extra napkins"}),
    ("who", "getCallerSmartContext", {}),
    ("menu-link", "sendMenuLink", {}),
    ("bye", "endCall", {}),
    ('removeCartItem {"itemIndex": 1}', "removeCartItem", {"itemIndex": 1}),
    ("checkOpen", "checkOpen", {}),
    ("transfer", "transferCall", {"answered": False}),
    ("transfer answered", "transferCall", {"answered": True}),
    ('message Sam "call me about a refund"', "takeMessage", {"callerName": "Sam", "message": "call me about a refund"}),
], ids=lambda v: v if isinstance(v, str) and " " in v else None)
def test_commands_map_to_tools(line, tool, args):
    assert parse_command(line) == (tool, args)


@pytest.mark.parametrize("line, message", [
    ("fly me to the moon", "unknown command 'fly me to the moon'; type help for the list"),
    ("add", "add needs more words, e.g. add large lamb kebab no onion"),
    ("remove first", "expected an item number from the cart (0, 1, ...), not 'first'"),
    ("edit 0 size", "edit takes key=value pairs, not 'size'"),
    ("priceCart [1]", "the arguments must be a JSON object"),
    ("total please", "unknown command 'total please'; type help for the list"),
    ("transfer now please", "unknown command 'transfer now please'; type help for the list"),
    ("message", 'message needs more words, e.g. message Sam "please call me about a refund"'),
])
def test_bad_commands_say_why(line, message):
    with pytest.raises(CommandError) as err:
        parse_command(line)
    assert str(err.value) == message


def test_a_transfer_is_played_without_sending_anything_answered_or_not():
    recorder = Recorder()
    transfer = call._transfer_tool(call._shop({}, "main"))
    conversation = Conversation(recorder, transfer=transfer)
    answered = conversation.send("transferCall", {"answered": True})
    assert answered.result == {"message": "I'll put you through to someone at the shop now; please hold for a moment.",
                               "answered": True, "destination": "+613••••5588", "mode": "warm-transfer-experimental",
                               "assistantStaysOnCall": False}
    unanswered = conversation.send("transferCall", {"answered": False})
    assert (unanswered.result["message"], unanswered.result["assistantStaysOnCall"]) == (
        transfer["destinations"][0]["transferPlan"]["fallbackPlan"]["message"], True)
    assert Conversation(recorder).send("transferCall", {}).error == (
        "The shop has no landline to transfer to (the phone in business.json).")
    assert recorder.sent == []  # Vapi runs the transfer, not the webhook


class Recorder:
    """A transport that keeps what it was sent and answers like the webhook."""

    def __init__(self):
        self.sent = []

    def post(self, body: bytes, headers: dict):
        self.sent.append((json.loads(body), headers, body))
        return 200, {"results": [{"toolCallId": "x", "name": "priceCart", "result": '{"ok":true,"message":"hi"}'}]}


def test_each_command_is_a_vapi_tool_calls_message():
    recorder = Recorder()
    call = Conversation(recorder, "+61491570156", secret="s3cret")
    call.send("priceCart", {})
    call.send("quickAddItem", {"description": "coke"})
    first, second = (parse_server_message(body) for body, _, _ in recorder.sent)
    assert (first.type, first.call_id, first.caller_number) == ("tool-calls", call.call_id, "+61491570156")
    assert second.call_id == call.call_id
    assert [(c.name, c.arguments) for c in second.tool_calls] == [("quickAddItem", {"description": "coke"})]
    assert first.tool_calls[0].id != second.tool_calls[0].id
    assert recorder.sent[0][1] == {"X-Vapi-Secret": "s3cret"}
    assert Conversation(recorder).call_id != call.call_id


def test_hmac_credential_and_web_call():
    recorder = Recorder()
    Conversation(recorder, "", hmac_secret="hkey").send("checkOpen", {})
    body, headers, raw = recorder.sent[0]
    assert signature_matches(headers, raw, "hkey", time.time())
    assert body["message"]["call"] == {"id": body["message"]["call"]["id"], "type": "webCall"}


@pytest.mark.parametrize("name", ["whole-order.call", "meal-upgrade.call", "person-fallback.call"])
def test_shipped_scripts_pass_in_process(shop, capsys, name):
    code = cli.main(["call", "--in-process", "--script", str(CALLS / name)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert out.splitlines()[-1].startswith("PASS: ")


@pytest.mark.parametrize("name", ["original-simple-asap.call", "original-meal-upgrade.call",
                                  "original-returning-caller.call", "original-named-pickup.call",
                                  "system-prompt-flow.call"])
def test_prompt_flows_pass_at_friday_dinner_time(shop, capsys, monkeypatch, name):
    """The original prompt's flows in its exact tool order, and our prompt's, with the shop's real hours."""
    monkeypatch.delenv("HOURS_FILE")
    code = cli.main(["call", "--in-process", "--at", "2026-11-27T18:00", "--script", str(CALLS / name)])
    out = capsys.readouterr().out
    assert (code, out.splitlines()[-1].split(":")[0]) == (0, "PASS"), out


def test_pinned_clock_uses_the_real_hours(shop, capsys, monkeypatch):
    monkeypatch.delenv("HOURS_FILE")
    whole = str(CALLS / "whole-order.call")
    assert cli.main(["call", "--in-process", "--at", "2026-11-27T18:00", "--script", whole]) == 0
    assert cli.main(["call", "--in-process", "--at", "2026-11-27T05:00", "--script", whole]) == 1
    assert capsys.readouterr().out.splitlines()[-1] == "FAIL line 9: expected field isOpen true, got false"


@pytest.mark.parametrize("argv, message", [
    (["--in-process", "--at", "six pm"], "call: --at must be an ISO time like 2026-11-27T18:00, not 'six pm'"),
    (["--at", "2026-11-27T18:00"], "call: --at and --database-url work only with --in-process"),
    (["--in-process", "--script", "missing.call"], "call: cannot read missing.call: No such file or directory"),
])
def test_bad_options_exit_2(shop, capsys, argv, message):
    assert cli.main(["call", *argv]) == 2
    assert capsys.readouterr().err == message + "\n"


def test_pinned_clock_with_an_offset(shop, capsys, monkeypatch):
    monkeypatch.delenv("HOURS_FILE")
    assert cli.main(["call", "--in-process", "--at", "2026-11-27T07:00:00+00:00",  # 6 pm in Melbourne
                     "--script", str(CALLS / "whole-order.call")]) == 0


def test_wrong_expectation_exits_1_naming_the_line(shop, tmp_path, capsys):
    path = script(tmp_path, "# one kebab\nadd large lamb kebab\n> expect ok\n> expect total 99.00\ncart\n")
    assert cli.main(["call", "--in-process", "--script", path]) == 1
    out = capsys.readouterr().out
    assert out.splitlines()[-1] == "FAIL line 4: expected total 99.00, got total 15.0"
    assert "> cart" not in out


@pytest.mark.parametrize("kind, arg, reply, problem", [
    ("ok", "", simulator.Reply("t", error="No."), "error: No."),
    ("error", "", simulator.Reply("t", result={"message": "Yes."}), "ok: Yes."),
    ("contains", "LAMB", simulator.Reply("t", result={"message": "large lamb kebab"}), None),
    ("contains", "closed", simulator.Reply("t", error="We're closed."), None),
    ("contains", "beef", simulator.Reply("t", result={"message": "lamb"}), "'lamb'"),
    ("total", "22.5", simulator.Reply("t", result={"total": 22.5}), None),
    ("field", 'items.0.meal.chipsSize "large"',
     simulator.Reply("t", result={"items": [{"meal": {"chipsSize": "large"}}]}), None),
    ("field", "items.1.size small", simulator.Reply("t", result={"items": [{}]}), "no field items.1.size"),
    ("field", "count 1", simulator.Reply("t", result={"count": True}), "true"),
])
def test_expectations(kind, arg, reply, problem):
    assert simulator_script.check(kind, arg, reply) == problem


@pytest.mark.parametrize("text, line", [
    ("> expect ok\nadd large lamb kebab\n", "line 1: an expectation needs a command before it"),
    ("add large lamb kebab\nfly me to the moon\n", "line 2: unknown command 'fly me to the moon'"),
    ("total\n> expect totl 3\n", "line 2: cannot read the expectation '> expect totl 3'"),
    ("total\n\n# x\n> expect total lots\n", "line 4: cannot read the expectation"),
    ("total\n> expect field items.0\n", "line 2: cannot read the expectation"),
])
def test_bad_script_is_refused_before_anything_is_sent(shop, tmp_path, capsys, text, line):
    path = script(tmp_path, text)
    assert cli.main(["call", "--in-process", "--script", path]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"call: {path} {line}")


def test_interactive_mode_prints_readable_results(shop, capsys, monkeypatch):
    typed = "add large lamb kebab\n\ncart\nmeal large chips\nremove 7\nfly\ntotal\nquit\nadd never sent\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO(typed))
    assert cli.main(["call", "--in-process"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Call ") and lines[0].endswith("Type help for commands, quit to hang up.")
    assert lines[1:] == [
        "Added large lamb kebab. The total is now $15. Ask once, in these words: Would you like to make that a "
        "meal, with small chips and a can, for $7 more?",  # the call's one offer (issue 25)
        "  [0] 1 x large lamb kebab  $15.00",
        "  total $15.00",
        "large lamb kebab. Total $15.",
        "  [0] 1 x large lamb kebab  $15.00",
        "  total $15.00",
        "Made into meals: large lamb kebab meal, with large chips (chicken salt) and a coke. The total is now $25.",
        "  [0] 1 x large lamb kebab meal, with large chips (chicken salt) and a coke  $25.00",
        "  total $25.00",
        "ERROR: There's no item 7 in the cart; items are numbered 0 to 0.",
        "ERROR: unknown command 'fly'; type help for the list",
        "That comes to $25, including GST.",
        "  total $25.00 (GST $2.27)",
    ]


def test_json_flag_prints_the_raw_reply(shop, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("add large lamb kebab\n"))
    assert cli.main(["call", "--in-process", "--json"]) == 0
    reply = json.loads(capsys.readouterr().out.splitlines()[1])
    assert (reply["name"], reply["result"]["total"], reply["result"]["added"][0]["lineTotal"]) == \
        ("quickAddItem", 15.0, 15.0)


def test_unreachable_server(shop, tmp_path, capsys, monkeypatch):
    url = f"http://127.0.0.1:{free_port()}/webhook"
    monkeypatch.setattr(sys, "stdin", io.StringIO("total\n"))
    assert cli.main(["call", "--url", url]) == 0
    assert capsys.readouterr().out.splitlines()[1] == f"ERROR: cannot reach {url} (ConnectionError)"
    assert cli.main(["call", "--url", url, "--script", str(CALLS / "meal-upgrade.call")]) == 1
    last = capsys.readouterr().out.splitlines()[-1]
    assert last == f"FAIL line 4: add large lamb kebab with garlic sauce: cannot reach {url} (ConnectionError)"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(shop, tmp_path):
    """`python -m kebabalab serve` in a subprocess, with a webhook secret; yields its base URL."""
    port = free_port()
    env = {**os.environ, **shop, "KEBABALAB_ALLOW_UNAUTHENTICATED": "1", "VAPI_WEBHOOK_SECRET": "s3cret",
           "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "kebabalab", "serve", "--port", str(port)], cwd=tmp_path,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"server exited: {proc.stderr.read().decode()[-500:]}")
            try:
                if requests.get(base + "/health", timeout=5).status_code == 200:
                    break
            except (requests.ConnectionError, requests.Timeout):  # still starting, or a loaded machine
                time.sleep(0.1)
        else:
            pytest.fail("server did not answer /health within 30 s")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stderr.close()


@pytest.mark.slow
def test_whole_order_over_http_against_a_real_server(server, capsys):
    whole = str(CALLS / "whole-order.call")
    assert cli.main(["call", "--url", server + "/webhook", "--secret", "s3cret", "--script", whole]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("PASS: ")
    assert cli.main(["call", "--url", server + "/webhook", "--secret", "wrong", "--script", whole]) == 1
    assert capsys.readouterr().out.splitlines()[-1] == \
        "FAIL line 5: who: the server answered HTTP 401: missing or wrong webhook credential"


def test_shop_dials_that_shops_number_and_hears_its_prices(shop, tmp_path, capsys, monkeypatch):
    data = ROOT / "kebabalab" / "data"
    folder = tmp_path / "shops" / "fitzroy"
    folder.mkdir(parents=True)
    (folder / "shop.json").write_text(json.dumps({"numbers": ["+61394170000"]}))
    menu = json.loads((data / "menu.json").read_text())
    next(item for item in menu["items"] if item["id"] == "KEBAB")["sizes_cents"] = {"small": 1100, "large": 1700}
    (folder / "menu.json").write_text(json.dumps(menu))
    (folder / "business.json").write_text((data / "business.json").read_text())
    (folder / "hours.json").write_text(Path(shop["HOURS_FILE"]).read_text())
    (tmp_path / "shops" / "main").mkdir()
    (tmp_path / "shops" / "main" / "shop.json").write_text(json.dumps({"numbers": ["+61395345588"]}))
    monkeypatch.setenv("SHOPS_DIR", str(tmp_path / "shops"))
    def kebab(total: str) -> str:
        return script(tmp_path, f"add large lamb kebab\n> expect ok\n> expect total {total}\n")
    assert cli.main(["call", "--in-process", "--shop", "fitzroy", "--script", kebab("17.00")]) == 0
    assert cli.main(["call", "--in-process", "--script", kebab("15.00")]) == 0  # main's
    capsys.readouterr()
    assert cli.main(["call", "--in-process", "--shop", "carlton", "--script", kebab("15")]) == 2
    assert capsys.readouterr().err == "call: there is no shop 'carlton'; `kebabalab shops` lists them\n"


def test_without_url_the_call_goes_to_the_port_make_run_serves_on(shop, capsys, monkeypatch):
    port = free_port()  # nothing listens there: the error names the URL it tried
    monkeypatch.setenv("PORT", str(port))
    monkeypatch.setattr(sys, "stdin", io.StringIO("add large lamb kebab\n"))
    assert cli.main(["call"]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == [
        f"ERROR: cannot reach http://127.0.0.1:{port}/webhook (ConnectionError)"]


def test_a_typed_call_names_the_shop_it_dialled_and_json_plays_a_transfer(shop, tmp_path, capsys, monkeypatch):
    data = ROOT / "kebabalab" / "data"
    folder = tmp_path / "shops" / "fitzroy"
    folder.mkdir(parents=True)
    (folder / "shop.json").write_text(json.dumps({"numbers": ["+61394170000"]}))
    for name in ("menu.json", "business.json", "hours.json"):
        (folder / name).write_text((data / name).read_text())
    monkeypatch.setenv("SHOPS_DIR", str(tmp_path / "shops"))
    monkeypatch.setattr(sys, "stdin", io.StringIO("transfer\n"))
    assert cli.main(["call", "--in-process", "--shop", "fitzroy", "--json"]) == 0
    header, line = capsys.readouterr().out.splitlines()
    assert header.split(" from ", 1)[1] == ("+61491570156 to shop fitzroy on +613••••0000. "
                                            "Type help for commands, quit to hang up.")
    fallback = call._transfer_tool(call._shop(dict(os.environ), "fitzroy"))["destinations"][0]["transferPlan"]
    assert json.loads(line) == {"name": "transferCall", "result": {
        "message": fallback["fallbackPlan"]["message"], "answered": False, "destination": "+613••••5588",
        "mode": "warm-transfer-experimental", "assistantStaysOnCall": True}}
