"""Staff commands beside serve: the day's orders, forgetting a customer, and the sync and simulator commands."""
from __future__ import annotations

import json
import sys
from datetime import date

from kebabalab.cli.shop_option import add_shop_option
from kebabalab.clock import SystemClock
from kebabalab.store.existing import describe, open_existing
from kebabalab.config import load_settings
from kebabalab.shop.hours import Hours, spoken_time
from kebabalab.ordering.pricing import spoken_money
from kebabalab.ordering.validation import clean_text


def _settings():
    return load_settings()


def cmd_orders(args) -> int:
    from kebabalab.cli.shop_option import NoSuchShop, find_shop
    settings = _settings()
    try:
        shop = find_shop(settings, args.shop)
    except NoSuchShop as exc:
        print(exc.sentence)
        return 2
    hours = Hours.load(shop.hours_file)
    day = args.day or hours.trading_day(SystemClock().now())[0].isoformat()
    try:
        date.fromisoformat(day)
    except ValueError:
        print(f"--day must be YYYY-MM-DD, not {day!r}")
        return 2
    db = _open_database(settings.database_url)
    orders = db.orders_on_day(day, shop.id)
    if args.json:
        print(json.dumps([_order_json(o) for o in orders], ensure_ascii=False, indent=2))
        return 0
    if not orders:
        print(f"No orders on {day}.")
        return 0
    for order in orders:
        print(_order_text(order, hours))
    count = f"{len(orders)} order" + ("" if len(orders) == 1 else "s")
    print(f"{count}, {spoken_money(sum(o.total for o in orders))} on {day}.")
    return 0


def _open_database(url: str):
    """The existing, migrated database, named on stderr first (stdout stays the command's own output)."""
    print(f"database: {describe(url)}", file=sys.stderr)
    return open_existing(url)


def _order_json(order) -> dict:
    return {"orderNumber": order.order_number, "displayOrderNumber": order.display_number,
            "status": order.status, "customerName": order.customer_name, "customerPhone": order.customer_phone,
            "readyAt": order.ready_at, "total": order.total / 100, "notes": order.notes,
            "items": [{"description": i["description"], "quantity": i["quantity"]} for i in order.items]}


def _order_text(order, hours) -> str:
    from datetime import datetime
    ready = spoken_time(hours.local(datetime.fromisoformat(order.ready_at))) if order.ready_at else "?"
    lines = [f"{order.display_number}  {ready:>8}  {order.status:<9} {clean_text(order.customer_name) or '-'}  "
             f"{order.customer_phone or ''}  {spoken_money(order.total)}"]
    lines += [f"      {i['quantity']} x {clean_text(i['description'])}" for i in order.items]
    if order.notes:
        lines.append(f"      notes: {clean_text(order.notes)}")
    return "\n".join(lines)


def cmd_forget(args) -> int:
    from kebabalab.errors import ToolError
    from kebabalab.ordering.phones import normalise_phone
    from kebabalab.service.privacy import forget_customer
    try:
        phone = normalise_phone(args.phone)  # before the database is opened: a wrong number touches nothing
    except ToolError:
        print("That is not a phone number; give it as 0412 345 678 or +61412345678.")
        return 2
    db = _open_database(_settings().database_url)
    done = forget_customer(db, phone, args.shop)
    where = f" at shop {args.shop}" if args.shop else ""
    print(f"Forgot {args.phone}{where}: {done.orders} orders anonymised (kept for the books), {done.texts} texts blanked, "
          f"{done.carts} abandoned carts cleared, {done.calls} calls' transcripts and recordings removed.")
    return 0


def cmd_sign_out_tablets(args) -> int:
    from kebabalab.web.staff_auth import SESSION_LIFETIME
    from kebabalab.store.staff_sessions import StaffSessions
    db = _open_database(_settings().database_url)  # never creates one: a wrong DATABASE_URL is an error
    try:
        ended = StaffSessions(db, SystemClock(), SESSION_LIFETIME).end_all(args.shop)
    finally:
        db.close()
    which = f" of shop {args.shop}" if args.shop else ""
    print(f"Signed out every tablet and till{which} ({ended} signed in); staff sign in again with the password.")
    return 0


def register_sign_out_tablets(sub) -> None:
    parser = sub.add_parser("sign-out-tablets", help="end every staff session on the order board (a lost tablet)")
    parser.add_argument("--shop", help="one shop's tablets only (default: every shop's)")
    parser.set_defaults(func=cmd_sign_out_tablets)


def register_forget(sub) -> None:
    parser = sub.add_parser("forget", help="remove a customer's name and number from stored orders and history")
    parser.add_argument("phone", help="the customer's number, in any form")
    parser.add_argument("--shop", help="forget them at one shop only (default: at every shop)")
    parser.set_defaults(func=cmd_forget)


def register_orders(sub) -> None:
    parser = sub.add_parser("orders", help="list the day's orders (default: today in the shop's time zone)")
    parser.add_argument("--today", action="store_true", help="today's orders (the default)")
    parser.add_argument("--day", help="another day, YYYY-MM-DD")
    parser.add_argument("--json", action="store_true")
    add_shop_option(parser)
    parser.set_defaults(func=cmd_orders)


def _vapi_sync(sub) -> None:
    from kebabalab.cli.vapi_sync import register
    register(sub)


def _simulator(sub) -> None:
    from kebabalab.cli.call import register
    register(sub)


COMMANDS: list = [register_orders, register_forget, register_sign_out_tablets, _vapi_sync, _simulator]
