"""`python -m kebabalab vapi sync`: create or update the shop's tools on its Vapi assistant.

Reads VAPI_API_KEY, VAPI_ASSISTANT_ID and VAPI_WEBHOOK_SECRET (environment or `.env`) when the command runs.
Each tool's `server` carries the webhook URL and the credential: `headers: {"X-Vapi-Secret": <secret>}` (Vapi's
current Server object has `url`, `headers`, `credentialId`, `timeoutSeconds`; the old `server.secret` field is
gone from it), or `credentialId` with `--credential-id` for a credential made in Vapi's dashboard (e.g. HMAC).
Without --apply it only reads (GET) and prints the plan; an unchanged tool is never written.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field

import requests

from kebabalab.web.security import configured
from kebabalab.cli.shop_option import add_shop_option
from kebabalab.cli.vapi_phone import phone_number_changes, render_phone_plan

DEFAULT_BASE_URL = "https://api.vapi.ai"
TIMEOUT_SECONDS = 15
SECRET_HEADER = "X-Vapi-Secret"


class VapiError(Exception):
    """A failure worth one line to the person running the command."""


class VapiClient:
    """The few Vapi REST calls the sync needs; `session` is injectable, every call has a timeout."""

    def __init__(self, base_url: str, api_key: str, session: requests.Session | None = None):
        self.base_url = base_url.rstrip("/")
        self._session = session or requests.Session()
        self._headers = {"Authorization": f"Bearer {api_key}", "Accept": "application/json"}

    def request(self, method: str, path: str, body: dict | None = None, what: str = "") -> object:
        try:
            response = self._session.request(method, self.base_url + path, json=body, headers=self._headers,
                                             timeout=TIMEOUT_SECONDS)
        except requests.RequestException as exc:
            raise VapiError(f"cannot reach Vapi at {self.base_url} ({type(exc).__name__})") from None
        if response.status_code in (401, 403):
            raise VapiError(f"Vapi refused the API key (HTTP {response.status_code}); check VAPI_API_KEY")
        if response.status_code == 404 and what:
            raise VapiError(f"{what} not found on Vapi (HTTP 404)")
        if response.status_code >= 400:
            raise VapiError(f"Vapi answered HTTP {response.status_code} to {method} {path}: {_reason(response)}")
        try:
            return response.json()
        except ValueError:
            raise VapiError(f"Vapi sent a reply that is not JSON to {method} {path}") from None

    def list_tools(self) -> list[dict]:
        data = self.request("GET", "/tool?limit=1000")
        return data if isinstance(data, list) else list((data or {}).get("results") or [])

    def create_tool(self, body: dict) -> dict:
        return self.request("POST", "/tool", body)

    def update_tool(self, tool_id: str, body: dict) -> dict:
        return self.request("PATCH", f"/tool/{tool_id}", body, what=f"tool {tool_id}")

    def get_assistant(self, assistant_id: str) -> dict:
        return self.request("GET", f"/assistant/{assistant_id}", what=f"assistant {assistant_id} (VAPI_ASSISTANT_ID)")

    def update_assistant(self, assistant_id: str, body: dict) -> dict:
        return self.request("PATCH", f"/assistant/{assistant_id}", body, what=f"assistant {assistant_id}")


def _reason(response: requests.Response) -> str:
    try:
        message = response.json().get("message")
    except (ValueError, AttributeError):
        message = None
    if isinstance(message, list):
        message = "; ".join(str(m) for m in message)
    return " ".join(str(message or response.reason or "error").split())[:200]


@dataclass
class ToolAction:
    name: str
    kind: str                       # create | update | unchanged
    desired: dict
    tool_id: str | None = None
    changes: list[str] = field(default_factory=list)


@dataclass
class Plan:
    actions: list[ToolAction]
    tool_ids: list[str]             # the assistant's model.toolIds now
    warnings: list[str] = field(default_factory=list)

    def count(self, kind: str) -> int:
        return sum(1 for a in self.actions if a.kind == kind)

    @property
    def missing_ids(self) -> list[str]:
        """Ids of existing tools not yet attached (created tools are attached too, once they have an id)."""
        return [a.tool_id for a in self.actions if a.tool_id and a.tool_id not in self.tool_ids]

    @property
    def attaches(self) -> int:
        return len(self.missing_ids) + self.count("create")

    @property
    def empty(self) -> bool:
        return not self.attaches and all(a.kind == "unchanged" for a in self.actions)


def desired_tools(server_url: str, secret: str = "", credential_id: str = "", business=None) -> list[dict]:
    """The registry's tools as Vapi definitions, each with the webhook credential; with the shop's `business`,
    also Vapi's transferCall to its landline (run by Vapi: no server, no credential)."""
    from kebabalab.tools import REGISTRY, vapi_tools
    tools = vapi_tools(server_url, business) if business is not None else REGISTRY.vapi_tools(server_url)
    for tool in tools:
        if "server" not in tool:
            continue
        if credential_id:
            tool["server"]["credentialId"] = credential_id
        else:
            tool["server"]["headers"] = {SECRET_HEADER: secret}
    return tools


def tool_name(tool: dict) -> str | None:
    """What a tool is matched by: its function's name, or the type of one of Vapi's own tools (transferCall)."""
    if tool.get("type") == "function":
        return (tool.get("function") or {}).get("name")
    return tool.get("type") if tool.get("type") == "transferCall" else None


def _shaped(have, want):
    """`have` cut to the keys `want` sets, all the way down (Vapi fills in defaults of its own)."""
    if isinstance(want, dict) and isinstance(have, dict):
        return {key: _shaped(have.get(key), value) for key, value in want.items()}
    if isinstance(want, list) and isinstance(have, list) and len(want) == len(have):
        return [_shaped(h, w) for h, w in zip(have, want)]
    return have


def _managed(tool: dict, desired: dict | None = None) -> dict:
    """The fields the sync owns, normalised (Vapi adds ids, dates and defaults of its own)."""
    if tool.get("type") == "transferCall":
        want = (desired or tool).get("destinations") or []
        return {"type": tool.get("type"), "destinations": _shaped(tool.get("destinations") or [], want)}
    function = tool.get("function") or {}
    server = tool.get("server") or {}
    return {
        "type": tool.get("type"),
        "async": bool(tool.get("async", False)),
        "function.name": function.get("name"),
        "function.description": function.get("description") or "",
        "function.parameters": function.get("parameters") or {},
        "server.url": server.get("url"),
        "server.timeoutSeconds": float(server.get("timeoutSeconds") or 20),
        "server.headers": {str(k).lower(): v for k, v in (server.get("headers") or {}).items()},
        "server.credentialId": server.get("credentialId") or None,
    }


def differences(desired: dict, existing: dict) -> list[str]:
    """Names of the managed fields that differ (never their values: a header holds the secret)."""
    want, have = _managed(desired), _managed(existing, desired)
    return [key for key in want if want[key] != have[key]]


def make_plan(desired: list[dict], existing: list[dict], assistant: dict) -> Plan:
    """Match existing tools by function name; create, update or leave each of ours."""
    model = assistant.get("model") or {}
    tool_ids = list(model.get("toolIds") or [])
    by_name: dict[str, dict] = {}
    for tool in existing:
        name = tool_name(tool)
        if name and (name not in by_name or tool.get("id") in tool_ids):
            by_name[name] = tool
    actions = []
    for tool in desired:
        name = tool_name(tool)
        found = by_name.get(name)
        if found is None:
            actions.append(ToolAction(name, "create", tool))
        else:
            changes = differences(tool, found)
            actions.append(ToolAction(name, "update" if changes else "unchanged", tool, found.get("id"), changes))
    ours = {a.name for a in actions}
    warnings = [f"the assistant also has an inline tool {t['function']['name']} in model.tools; remove it "
                "in the dashboard so the model sees one" for t in model.get("tools") or []
                if isinstance(t, dict) and (t.get("function") or {}).get("name") in ours]
    return Plan(actions, tool_ids, warnings)


def apply_plan(client: VapiClient, plan: Plan, assistant: dict) -> int:
    """Make the plan's writes; returns how many requests changed something."""
    writes = 0
    for action in plan.actions:
        if action.kind == "create":
            action.tool_id = client.create_tool(action.desired)["id"]
            writes += 1
        elif action.kind == "update":  # Vapi's update body has no `type`
            client.update_tool(action.tool_id, {k: v for k, v in action.desired.items() if k != "type"})
            writes += 1
    missing = plan.missing_ids
    if missing:
        model = dict(assistant["model"])
        model["toolIds"] = plan.tool_ids + missing
        client.update_assistant(assistant["id"], {"model": model})
        writes += 1
    return writes


def render_plan(plan: Plan, assistant_id: str, server_url: str) -> list[str]:
    lines = [f"Vapi tools for assistant {assistant_id} -> {server_url}"]
    for action in plan.actions:
        detail = f" ({', '.join(action.changes)})" if action.changes else ""
        lines.append(f"  {action.kind:<10} {action.name}{detail}")
    attach = plan.attaches
    lines.append("  assistant  model.toolIds: " + (f"attach {attach} tool(s)" if attach else "unchanged"))
    lines += [f"  warning    {w}" for w in plan.warnings]
    lines.append(f"Plan: {plan.count('create')} to create, {plan.count('update')} to update, "
                 f"{plan.count('unchanged')} unchanged; assistant toolIds "
                 + ("change." if attach else "unchanged."))
    return lines


def _environment() -> dict:
    try:
        from dotenv import load_dotenv
        load_dotenv(".env", override=False)
    except ImportError:  # pragma: no cover - python-dotenv is a pinned requirement
        pass
    return dict(os.environ)


def _redact(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "•••")
    return text


def cmd_sync(args) -> int:
    """Print the plan; with --apply make it; exit 1 with one line on any failure."""
    env = _environment()
    key, secret = env.get("VAPI_API_KEY", ""), env.get("VAPI_WEBHOOK_SECRET", "")
    try:
        return _sync(args, env, key, secret)
    except VapiError as exc:
        print(f"vapi sync: {_redact(str(exc), [key, secret])}", file=sys.stderr)
        return 1


def _sync(args, env: dict, key: str, secret: str) -> int:
    from kebabalab.config import Settings
    from kebabalab.shop.business import Business
    from kebabalab.cli.shop_option import NoSuchShop, find_shop
    try:
        shop = find_shop(Settings.from_env(env), args.shop)
    except NoSuchShop as exc:
        raise VapiError(str(exc)) from None
    assistant_id = args.assistant_id or shop.assistant_id  # main's is VAPI_ASSISTANT_ID
    if not key:
        raise VapiError("VAPI_API_KEY is not set (Vapi dashboard -> API Keys, the private key)")
    if not assistant_id:
        raise VapiError("VAPI_ASSISTANT_ID is not set (or pass --assistant-id)" if shop.id == "main" else
                        f"shop {shop.id} has no assistant (assistantId or assistantIds in its shop.json; or pass "
                        "--assistant-id)")
    if not secret and not args.credential_id:
        raise VapiError("VAPI_WEBHOOK_SECRET is not set: Vapi would call the webhook without a credential "
                        "(set it, or pass --credential-id)")
    if not args.server_url.startswith(("https://", "http://")):
        raise VapiError("--server-url must be the webhook's full URL, e.g. https://orders.example.com/webhook")
    client = VapiClient(env.get("VAPI_API_BASE_URL") or DEFAULT_BASE_URL, key)
    assistant = client.get_assistant(assistant_id)
    if not isinstance(assistant.get("model"), dict):
        raise VapiError(f"assistant {assistant_id} has no model; choose one in the Vapi dashboard first")
    # During a rotation VAPI_WEBHOOK_SECRET is "new,old": the server accepts both, Vapi is given the new one.
    current = configured(secret)[0] if configured(secret) else ""
    business = Business.load(shop.business_file)  # the shop's landline, for Vapi's transferCall
    tools = desired_tools(args.server_url, current, args.credential_id, business)
    plan = make_plan(tools, client.list_tools(), assistant)
    print("\n".join(render_plan(plan, assistant_id, args.server_url)))
    phone, phone_changes = None, {}
    if args.phone_number_id:
        phone = client.request("GET", f"/phone-number/{args.phone_number_id}",
                               what=f"phone number {args.phone_number_id} (--phone-number-id)")
        phone_changes = phone_number_changes(phone, tools[0]["server"])
        print("\n".join(render_phone_plan(phone, phone_changes)))
    if plan.empty and not phone_changes:
        print("Nothing to change: every tool is up to date and attached.")
    elif not args.apply:
        print("Dry run: nothing was changed. Run again with --apply to make these changes.")
    else:
        writes = apply_plan(client, plan, assistant)
        if phone_changes:
            client.request("PATCH", f"/phone-number/{phone['id']}", phone_changes, what=f"phone number {phone['id']}")
            writes += 1
        print(f"Applied: {writes} change(s) made on Vapi.")
    return 0


def register(subparsers) -> None:
    """Add `vapi sync` to the command line."""
    vapi = subparsers.add_parser("vapi", help="manage the shop's Vapi assistant")
    commands = vapi.add_subparsers(dest="vapi_command", required=True)
    sync = commands.add_parser("sync", help="create or update the tools on the assistant (dry run without --apply)")
    sync.add_argument("--server-url", required=True, help="the public URL of this server's /webhook")
    sync.add_argument("--apply", action="store_true", help="make the changes (default: only print the plan)")
    add_shop_option(sync, "the shop whose assistant and landline (default main; `kebabalab shops` lists them)")
    sync.add_argument("--assistant-id", default="", help="default: the shop's (VAPI_ASSISTANT_ID for main)")
    sync.add_argument("--credential-id", default="",
                      help="use this Vapi credential instead of sending VAPI_WEBHOOK_SECRET as X-Vapi-Secret")
    sync.add_argument("--phone-number-id", default="",
                      help="also set this Vapi number up to ask the server for its assistant on each call "
                           "(assistant-request: greeting variables, closed-shop answer); see deployment/README.md")
    sync.set_defaults(func=cmd_sync)
