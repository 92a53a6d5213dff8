"""`python -m kebabalab call`: the command that runs a simulated call (see simulator.py), scripted or typed.

It stands above both the simulator (messages and transports) and the scripts (replay and interactive mode), so
neither of those imports the other back.
"""
from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from datetime import datetime, timezone

from kebabalab.cli import simulator_script
from kebabalab.cli.shop_option import add_shop_option
from kebabalab.cli.simulator import (DEFAULT_NUMBER, DEFAULT_URL, AppTransport, Conversation, HttpTransport,
                                     SimulatorError)


def _environment() -> dict:
    with contextlib.suppress(ImportError):
        from dotenv import load_dotenv
        load_dotenv(".env", override=False)
    return dict(os.environ)


@contextlib.contextmanager
def _in_process(env: dict, database_url: str | None, at: str | None):
    """The app in this process: the environment's menu and hours, a throwaway database, texts never sent."""
    from zoneinfo import ZoneInfo

    from kebabalab.clock import FixedClock
    from kebabalab.config import Settings
    from kebabalab.web.app import create_app
    pinned = _parse_time(at) if at else None
    with tempfile.TemporaryDirectory(prefix="kebabalab-call-") as tmp:
        settings = Settings.from_env(env).replace(
            database_url=database_url or f"sqlite:///{tmp}/call.db", redis_url="", log_level="ERROR",
            twilio_account_sid="", twilio_auth_token="", twilio_from_number="", send_sms_in_background=False)
        if not settings.vapi_webhook_secret and not settings.vapi_hmac_secret:
            settings = settings.replace(allow_unauthenticated=True)
        clock = FixedClock(pinned if pinned and pinned.tzinfo else datetime.now(timezone.utc)) if pinned else None
        app = create_app(settings, clock=clock, start_sender=False)
        if pinned and pinned.tzinfo is None:  # a plain time is the shop's local time
            clock.set(pinned.replace(tzinfo=ZoneInfo(app.extensions["kebabalab"].business.timezone)))
        try:
            yield AppTransport(app)
        finally:
            app.extensions["kebabalab"].db.close()


def _shop(env: dict, shop_id: str):
    """The shop the call is for (its directory entry); SimulatorError for a shop there is not."""
    from kebabalab.cli.shop_option import NoSuchShop, find_shop
    from kebabalab.config import Settings
    try:
        return find_shop(Settings.from_env(env), shop_id)
    except NoSuchShop as exc:
        raise SimulatorError(str(exc)) from None


def _called(shop) -> str:
    """Who the call is for, as the header says it: the shop, and its number (masked as `kebabalab shops` does)."""
    from kebabalab.ordering.phones import mask_phone
    if shop.numbers:
        return f" to shop {shop.id} on {mask_phone(shop.numbers[0])}"
    return f" to shop {shop.id}" + (f" through its assistant {shop.assistant_id}" if shop.assistant_id else "")


def _transfer_tool(shop) -> dict | None:
    """The shop's transferCall tool as exported (its landline from its business.json), for `transfer`."""
    from kebabalab.shop.business import Business
    from kebabalab.tools import vapi_tools
    tools = vapi_tools(None, Business.load(shop.business_file))
    return next((tool for tool in tools if tool["type"] == "transferCall"), None)


def _parse_time(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise SimulatorError(f"--at must be an ISO time like 2026-11-27T18:00, not {text!r}") from None


def cmd_call(args, stdin=None, out=None) -> int:
    """Run a script (exit 1 on the first failed expectation) or an interactive conversation."""
    stdin, out = stdin or sys.stdin, out or sys.stdout
    env = _environment()
    secret = env.get("VAPI_WEBHOOK_SECRET", "") if args.secret is None else args.secret
    hmac_secret = env.get("VAPI_HMAC_SECRET", "") if args.secret is None else ""
    try:
        if not args.in_process and (args.at or args.database_url):
            raise SimulatorError("--at and --database-url work only with --in-process")
        steps = simulator_script.load(args.script) if args.script else None
        with contextlib.ExitStack() as stack:
            transport = stack.enter_context(_in_process(env, args.database_url, args.at)) if args.in_process \
                else HttpTransport(args.url or DEFAULT_URL.format(port=env.get("PORT") or 5000))
            shop = _shop(env, args.shop)
            conversation = Conversation(transport, args.number, secret, hmac_secret, _transfer_tool(shop),
                                        dialled=shop.numbers[0] if shop.numbers else "",
                                        assistant_id="" if shop.numbers else shop.assistant_id)
            if steps is not None:
                return simulator_script.run(steps, conversation, out, args.json)
            return simulator_script.interact(conversation, stdin, out, args.json, _called(shop))
    except (SimulatorError, simulator_script.ScriptError) as exc:
        print(f"call: {exc}", file=sys.stderr)
        return 2


def register(subparsers) -> None:
    """Add `call` to the command line."""
    call = subparsers.add_parser("call", help="talk to the webhook as Vapi would (typed or scripted)")
    call.add_argument("--url", default="", help="the webhook URL (default http://127.0.0.1:PORT/webhook, PORT from the "
                      "settings or .env, else 5000)")
    call.add_argument("--secret", default=None, help="sent as X-Vapi-Secret (default: VAPI_WEBHOOK_SECRET)")
    call.add_argument("--in-process", action="store_true", help="run the app here instead of posting to --url")
    call.add_argument("--database-url", default=None, help="in-process: the database (default: a throwaway file)")
    call.add_argument("--at", default=None, help="in-process: pin the shop's clock, e.g. 2026-11-27T18:00")
    call.add_argument("--script", default=None, help="replay this script; exit 1 on a failed expectation")
    call.add_argument("--number", default=DEFAULT_NUMBER, help="the caller's number ('' for a web call)")
    call.add_argument("--json", action="store_true", help="print each raw reply as JSON")
    add_shop_option(call, "the shop called: its first number is dialled, or its assistant named (default main)")
    call.set_defaults(func=cmd_call)
