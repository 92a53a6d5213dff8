"""`python -m kebabalab vapi sync` against a fake Vapi API on 127.0.0.1."""
from __future__ import annotations

import socket

import pytest

from kebabalab import __main__ as cli
from kebabalab.cli import staff as staff_cli, vapi_sync
from kebabalab.tools import REGISTRY
from tests.fakes.vapi_api import FakeVapi

API_KEY = "vapi-private-key-123"
SECRET = "webhook-secret-s3cr3t-value"
URL = "https://orders.example.com/webhook"
TOOL_NAMES = REGISTRY.names()
SYNCED = TOOL_NAMES + ["transferCall"]  # and Vapi's own transferCall to the shop's landline (business.json)


@pytest.fixture
def fake(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setattr(staff_cli, "COMMANDS", [vapi_sync.register])
    with FakeVapi(api_key=API_KEY) as server:
        monkeypatch.setenv("VAPI_API_BASE_URL", server.base_url)
        monkeypatch.setenv("VAPI_API_KEY", API_KEY)
        monkeypatch.setenv("VAPI_ASSISTANT_ID", server.assistant["id"])
        monkeypatch.setenv("VAPI_WEBHOOK_SECRET", SECRET)
        yield server


def sync(capsys, *extra) -> tuple[int, str, str]:
    code = cli.main(["vapi", "sync", "--server-url", URL, *extra])
    out, err = capsys.readouterr()
    assert SECRET not in out + err and API_KEY not in out + err
    return code, out, err


def test_plan_without_apply_only_reads(fake, capsys):
    code, out, _ = sync(capsys)
    assert code == 0
    assert fake.writes == []
    assert {r.method for r in fake.requests} == {"GET"}
    assert out.count("  create ") == len(SYNCED) == 22
    assert "assistant  model.toolIds: attach 22 tool(s)" in out
    assert "Dry run: nothing was changed" in out
    assert fake.tools == {}


def test_apply_creates_every_tool_and_attaches_them(fake, capsys):
    before = fake.assistant["model"]
    code, out, _ = sync(capsys, "--apply")
    assert code == 0
    assert [(r.method, r.path) for r in fake.writes] == [("POST", "/tool")] * 22 + \
        [("PATCH", f"/assistant/{fake.assistant['id']}")]
    assert sorted(vapi_sync.tool_name(t) for t in fake.tools.values()) == sorted(SYNCED)
    tool = fake.tool_named("quickAddItem")
    assert tool["server"] == {"url": URL, "timeoutSeconds": 20, "headers": {"X-Vapi-Secret": SECRET}}
    assert tool["function"]["parameters"] == REGISTRY.lookup("quickAddItem")[0].schema()
    model = fake.assistant["model"]
    created = [fake.tool_named(name)["id"] for name in SYNCED]
    assert model["toolIds"] == ["tool-endcall-builtin"] + created
    assert {k: v for k, v in model.items() if k != "toolIds"} == \
        {k: v for k, v in before.items() if k != "toolIds"}
    assert "Applied: 23 change(s)" in out
    transfer = fake.tool_named("transferCall")
    assert "server" not in transfer  # Vapi runs it: no webhook, no credential
    assert transfer["destinations"][0]["number"] == "+61395345588"


def test_second_apply_changes_nothing(fake, capsys):
    assert sync(capsys, "--apply")[0] == 0
    writes = len(fake.writes)
    code, out, _ = sync(capsys, "--apply")
    assert code == 0
    assert len(fake.writes) == writes
    assert out.count("  unchanged ") == 22  # Vapi's defaults in the transfer's destination are not a change
    assert "Nothing to change: every tool is up to date and attached." in out


def test_changed_description_is_patched_once(fake, capsys):
    sync(capsys, "--apply")
    stale = fake.tool_named("priceCart")
    stale["function"]["description"] = "An old description."
    writes = len(fake.writes)
    code, out, _ = sync(capsys, "--apply")
    assert code == 0
    new = fake.writes[writes:]
    assert [(r.method, r.path) for r in new] == [("PATCH", f"/tool/{stale['id']}")]
    assert "type" not in new[0].json
    assert new[0].json["function"]["description"] == REGISTRY.lookup("priceCart")[0].description
    assert "update     priceCart (function.description)" in out
    assert "Applied: 1 change(s)" in out


def test_new_server_url_updates_every_tool_without_reattaching(fake, capsys):
    sync(capsys, "--apply")
    writes = len(fake.writes)
    code = cli.main(["vapi", "sync", "--server-url", "https://new.example.com/webhook", "--apply"])
    out = capsys.readouterr().out
    assert code == 0
    assert [r.method for r in fake.writes[writes:]] == ["PATCH"] * 21  # not transferCall: it has no URL
    assert "update     checkOpen (server.url)" in out
    assert {t["server"]["url"] for t in fake.tools.values() if "server" in t} == {"https://new.example.com/webhook"}


def test_detached_tool_is_reattached(fake, capsys):
    sync(capsys, "--apply")
    fake.assistant["model"]["toolIds"] = fake.assistant["model"]["toolIds"][:-1]
    code, out, _ = sync(capsys, "--apply")
    assert code == 0
    assert "assistant  model.toolIds: attach 1 tool(s)" in out
    assert fake.writes[-1].path == f"/assistant/{fake.assistant['id']}"
    assert fake.assistant["model"]["toolIds"][-1] == fake.tool_named(SYNCED[-1])["id"]


def test_credential_id_replaces_the_secret_header(fake, capsys):
    code, _, _ = sync(capsys, "--apply", "--credential-id", "cred-123")
    assert code == 0
    assert fake.tool_named("endCall")["server"] == {"url": URL, "timeoutSeconds": 20, "credentialId": "cred-123"}


def test_bad_key_is_one_line_and_exit_1(fake, capsys, monkeypatch):
    monkeypatch.setenv("VAPI_API_KEY", "wrong-key")
    code, out, err = sync(capsys, "--apply")
    assert code == 1
    assert err == "vapi sync: Vapi refused the API key (HTTP 401); check VAPI_API_KEY\n"
    assert "Traceback" not in out + err and "wrong-key" not in err
    assert fake.writes == []


def test_unknown_assistant(fake, capsys, monkeypatch):
    monkeypatch.setenv("VAPI_ASSISTANT_ID", "asst-missing")
    code, _, err = sync(capsys)
    assert code == 1
    assert err == "vapi sync: assistant asst-missing (VAPI_ASSISTANT_ID) not found on Vapi (HTTP 404)\n"


def test_network_error(fake, capsys, monkeypatch):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("VAPI_API_BASE_URL", f"http://127.0.0.1:{port}")
    code, _, err = sync(capsys)
    assert code == 1
    assert err == f"vapi sync: cannot reach Vapi at http://127.0.0.1:{port} (ConnectionError)\n"


@pytest.mark.parametrize("missing, message", [
    ("VAPI_API_KEY", "VAPI_API_KEY is not set"),
    ("VAPI_ASSISTANT_ID", "VAPI_ASSISTANT_ID is not set"),
    ("VAPI_WEBHOOK_SECRET", "VAPI_WEBHOOK_SECRET is not set"),
])
def test_missing_settings(fake, capsys, monkeypatch, missing, message):
    monkeypatch.delenv(missing)
    code, _, err = sync(capsys)
    assert code == 1
    assert err.startswith(f"vapi sync: {message}")
    assert fake.requests == []


def test_vapi_error_message_is_redacted(fake, capsys, monkeypatch):
    """A Vapi error that echoes the secret back is printed without it."""
    def echo(self, method, path, auth, body):
        return 400, {"message": [f"server.headers.X-Vapi-Secret {SECRET} is odd"], "statusCode": 400}
    monkeypatch.setattr(FakeVapi, "answer", echo)
    code, _, err = sync(capsys)
    assert code == 1
    assert err.startswith("vapi sync: Vapi answered HTTP 400 to GET /assistant/")
    assert "•••" in err


def test_vapi_defaults_and_header_case_count_as_unchanged():
    desired = vapi_sync.desired_tools(URL, SECRET)[0]
    stored = {**desired, "id": "t1", "orgId": "o", "createdAt": "x", "updatedAt": "y", "messages": [],
              "server": {"url": URL, "timeoutSeconds": 20.0, "headers": {"x-vapi-secret": SECRET}}}
    assert vapi_sync.differences(desired, stored) == []
    stored["server"]["headers"] = {"x-vapi-secret": "old"}
    assert vapi_sync.differences(desired, stored) == ["server.headers"]


def test_plan_prefers_the_attached_duplicate_and_warns_about_inline_tools():
    desired = vapi_sync.desired_tools(URL, SECRET)[:1]
    name = desired[0]["function"]["name"]
    existing = [{**desired[0], "id": "a"}, {**desired[0], "id": "b"}]
    assistant = {"id": "asst", "model": {"toolIds": ["b"], "tools": [{"type": "function", "function": {"name": name}}]}}
    plan = vapi_sync.make_plan(desired, existing, assistant)
    assert [(a.kind, a.tool_id) for a in plan.actions] == [("unchanged", "b")]
    assert plan.empty
    assert plan.warnings == [f"the assistant also has an inline tool {name} in model.tools; remove it in the "
                             "dashboard so the model sees one"]


def test_during_a_rotation_vapi_is_given_only_the_new_secret(fake, capsys, monkeypatch):
    monkeypatch.setenv("VAPI_WEBHOOK_SECRET", f"{SECRET}-new, {SECRET}")  # SECURITY.md's "new,old"
    code, out, err = sync(capsys, "--apply")
    assert code == 0
    assert fake.tool_named("endCall")["server"]["headers"] == {"X-Vapi-Secret": f"{SECRET}-new"}


def test_phone_number_id_sets_the_number_up_for_assistant_request(fake, capsys):
    phone_id = fake.phone_number["id"]
    code, out, _ = sync(capsys, "--phone-number-id", phone_id)
    assert code == 0 and fake.writes == []
    assert f"  phone      +61395345588: clear assistantId, server.url -> {URL} (calls will send assistant-request)" \
        in out.splitlines()
    code, out, _ = sync(capsys, "--phone-number-id", phone_id, "--apply")
    assert code == 0
    assert [(r.method, r.path, r.json) for r in fake.writes if "phone" in r.path] == [
        ("PATCH", f"/phone-number/{phone_id}",
         {"assistantId": None, "server": {"url": URL, "timeoutSeconds": 20, "headers": {"X-Vapi-Secret": SECRET}}})]
    assert (fake.phone_number["assistantId"], fake.phone_number["server"]["url"]) == (None, URL)
    code, out, _ = sync(capsys, "--phone-number-id", phone_id)
    assert "  phone      +61395345588: already asks this server for its assistant (assistant-request)" in out
    assert "Nothing to change" in out


def test_an_unknown_phone_number_id_is_one_line(fake, capsys):
    code, _, err = sync(capsys, "--phone-number-id", "pn-missing")
    assert (code, err) == (1, "vapi sync: phone number pn-missing (--phone-number-id) not found on Vapi (HTTP 404)\n")


def test_a_changed_landline_updates_the_transfer_tool_only(fake, capsys):
    sync(capsys, "--apply")
    transfer = fake.tool_named("transferCall")
    transfer["destinations"][0]["number"] = "+61390000000"  # changed in the dashboard
    writes = len(fake.writes)
    code, out, _ = sync(capsys, "--apply")
    assert code == 0
    assert [(r.method, r.path) for r in fake.writes[writes:]] == [("PATCH", f"/tool/{transfer['id']}")]
    assert "update     transferCall (destinations)" in out
    assert fake.tool_named("transferCall")["destinations"][0]["number"] == "+61395345588"


def test_shop_syncs_that_shops_assistant_with_its_own_landline(fake, capsys, monkeypatch, tmp_path):
    import json
    from pathlib import Path
    data = Path(__file__).resolve().parents[2] / "kebabalab" / "data"
    folder = tmp_path / "shops" / "fitzroy"
    folder.mkdir(parents=True)
    (folder / "shop.json").write_text(json.dumps({"numbers": ["+61394170000"],
                                                  "assistantIds": [fake.assistant["id"]]}))
    business = json.loads((data / "business.json").read_text()) | {"phone": "+61394170000"}
    (folder / "business.json").write_text(json.dumps(business))
    for name in ("menu.json", "hours.json"):
        (folder / name).write_text((data / name).read_text())
    monkeypatch.setenv("SHOPS_DIR", str(tmp_path / "shops"))
    monkeypatch.setenv("VAPI_ASSISTANT_ID", "asst-of-main")  # not the one synced
    code, out, _ = sync(capsys, "--shop", "fitzroy", "--apply")
    assert code == 0
    assert fake.tool_named("transferCall")["destinations"][0]["number"] == "+61394170000"
    attached = set(fake.assistant["model"]["toolIds"])
    assert {fake.tool_named(name)["id"] for name in SYNCED} <= attached  # on fitzroy's assistant
    assert sync(capsys, "--shop", "carlton") == (1, "", "vapi sync: there is no shop 'carlton'; `kebabalab shops` "
                                                      "lists them\n")
    folder.joinpath("shop.json").write_text(json.dumps({"numbers": ["+61394170000"]}))
    assert sync(capsys, "--shop", "fitzroy") == (1, "", "vapi sync: shop fitzroy has no assistant (assistantId or "
                                                      "assistantIds in its shop.json; or pass --assistant-id)\n")
