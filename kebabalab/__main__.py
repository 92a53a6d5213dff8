"""The command line: python -m kebabalab serve | init-db | export-tools | check-menu | orders | forget | call | vapi."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from kebabalab.config import load_settings
from kebabalab.errors import ConfigError, StoreError
from kebabalab.cli.serving import SERVERS

TOOLS_FILE = Path("config/vapi-tools.json")


_settings = load_settings  # the commands' settings: the environment, with .env beneath it

def _load_settings_file() -> None:
    """KEBABALAB_ENV names the shop's settings file (/etc/kebabalab/kebabalab.env on a server): every command
    reads it as the service does; what the environment already sets wins."""
    import os
    path = os.environ.get("KEBABALAB_ENV")
    if not path:
        return
    try:
        with open(path, encoding="utf-8") as stream:
            from dotenv import load_dotenv
            load_dotenv(stream=stream, override=False)
    except OSError as exc:
        raise ConfigError(f"KEBABALAB_ENV={path} cannot be read ({exc.strerror}); run the command as root or "
                          "as the service user, or unset KEBABALAB_ENV") from None


def cmd_serve(args) -> int:
    settings = _settings()
    if args.host:
        settings = settings.replace(host=args.host)
    if args.port:
        settings = settings.replace(port=args.port)
    if not settings.vapi_webhook_secret and not settings.vapi_hmac_secret:
        if not settings.allow_unauthenticated:
            print("Refusing to start: set VAPI_WEBHOOK_SECRET or VAPI_HMAC_SECRET (see SECURITY.md), or "
                  "KEBABALAB_ALLOW_UNAUTHENTICATED=1 for a local trial.", file=sys.stderr)
            return 2
        print("WARNING: the webhook accepts unauthenticated requests (KEBABALAB_ALLOW_UNAUTHENTICATED=1). "
              "Never run a shop's phone line like this.", file=sys.stderr)
    if args.workers < 1:
        print("Refusing to start: --workers must be 1 or more.", file=sys.stderr)
        return 2
    if args.workers > 1 and not settings.redis_url:
        print("Refusing to start: more than one worker needs shared sessions; set REDIS_URL.", file=sys.stderr)
        return 2
    from kebabalab.cli.serving import choose_server, serve_gunicorn, serve_waitress
    try:
        server = choose_server(args.server, args.workers)
    except ValueError as exc:
        print(f"Refusing to start: {exc}.", file=sys.stderr)
        return 2
    if server == "waitress":
        return serve_waitress(settings)
    return serve_gunicorn(settings, args.workers)


def cmd_init_db(args) -> int:
    from kebabalab.store import init_database
    settings = _settings()
    version = init_database(settings.database_url)
    print(f"database ready (schema version {version})")
    return 0


def cmd_export_tools(args) -> int:
    from kebabalab.shop.business import Business
    from kebabalab.tools import vapi_tools
    tools = vapi_tools(args.server_url, Business.load(_settings().business_file))
    data = json.dumps(tools, indent=2, ensure_ascii=False) + "\n"
    target = Path(args.output)
    if args.check:
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current != data:
            print(f"{target} is stale: run `python -m kebabalab export-tools` and commit it.", file=sys.stderr)
            return 1
        print(f"{target} matches the tool registry ({len(tools)} tools)")
        return 0
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(data, encoding="utf-8")
    print(f"wrote {target} ({len(tools)} tools)")
    return 0


def cmd_check_menu(args) -> int:
    from kebabalab.ordering.menu import Menu
    settings = _settings()
    from kebabalab.ordering.allergens import allergens_warning
    menu = Menu.load(args.file or settings.menu_file)
    print(f"menu OK: {len(menu.items)} items, {len(menu.extras)} extras, {len(menu.meals)} meals")
    warning = allergens_warning(menu)
    if warning:
        print(f"warning: {warning}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m kebabalab", description="Kebabalab Orders")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the webhook server (production WSGI server)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--server", default="auto", choices=SERVERS,
                       help="auto: gunicorn on Linux and macOS, waitress on Windows")
    serve.set_defaults(func=cmd_serve)
    sub.add_parser("init-db", help="create or migrate the database").set_defaults(func=cmd_init_db)
    export = sub.add_parser("export-tools", help="write config/vapi-tools.json from the tool registry")
    export.add_argument("--server-url", default=None)
    export.add_argument("--output", default=str(TOOLS_FILE))
    export.add_argument("--check", action="store_true", help="exit 1 when the file is stale")
    export.set_defaults(func=cmd_export_tools)
    check = sub.add_parser("check-menu", help="validate a menu file")
    check.add_argument("file", nargs="?")
    check.set_defaults(func=cmd_check_menu)
    for extra in _extra_commands():
        extra(sub)
    return parser


def _extra_commands():
    from kebabalab.cli import doctor as doctor_cli, staff as staff_cli, upkeep as upkeep_cli
    from kebabalab.cli import menu as menu_cli, shops as shops_cli, staff_members as staff_members_cli
    return staff_cli.COMMANDS + doctor_cli.COMMANDS + upkeep_cli.COMMANDS + staff_members_cli.COMMANDS + \
        menu_cli.COMMANDS + shops_cli.COMMANDS


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        _load_settings_file()
        return args.func(args)
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    except StoreError as exc:
        print(f"database or session store unavailable: {exc}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
