"""`kebabalab doctor`: every check a live shop needs, one line each, ok or a problem with its fix.

Exit 0 when all is well, 1 on any problem. `--text-owner` (the daily kebabalab-doctor.timer) also texts the
shop's mobile (SHOP_ORDER_TO) a one-line summary when something is wrong.
"""
from __future__ import annotations

import logging
import os
import sys

from kebabalab.cli.doctor_checks import Context, Finding, check_allergens, check_backups, check_clock, check_database, \
    check_settings, check_shops, check_staff_password
from kebabalab.cli.doctor_remote import check_public_url, check_twilio, check_vapi

# Clock last: it compares with the Date headers the remote checks saw.
CHECKS = (check_shops, check_database, check_allergens, check_staff_password, check_twilio, check_vapi, check_public_url,
          check_backups, check_clock)


def run_checks(ctx: Context) -> list[Finding]:
    """Settings first; without valid settings the other checks cannot run, and say so."""
    findings = check_settings(ctx)
    if ctx.settings is None:
        return findings
    for check in CHECKS:
        findings += check(ctx)
    return findings


def render(findings: list[Finding]) -> list[str]:
    lines = []
    for finding in findings:
        label = "PROBLEM" if not finding.ok else "warning" if finding.fix else "ok"
        lines.append(f"{label:<8} {finding.check:<15} {finding.detail}")
        if finding.fix:
            lines.append(f"{'':<8} {'':<15} fix: {finding.fix}")
    problems = sum(1 for f in findings if not f.ok)
    lines.append("All checks passed: the shop is ready." if not problems else
                 f"{problems} problem{'s' if problems > 1 else ''}: fix {'them' if problems > 1 else 'it'} and run "
                 "kebabalab doctor again.")
    return lines


def owner_text(findings: list[Finding]) -> str:
    """One SMS: which checks failed, and where to look."""
    names = ", ".join(dict.fromkeys(f.check for f in findings if not f.ok))
    return f"Kebabalab phone orders: the daily check found a problem with {names}. " \
           "Run `kebabalab doctor` on the server for the fix."


def text_owner(ctx: Context, findings: list[Finding]) -> str:
    """Text SHOP_ORDER_TO through Twilio; returns the line to print (never raises)."""
    from kebabalab.service.wiring import make_transport
    from kebabalab.messaging.sms import SmsError
    settings = ctx.settings
    if settings is None or not settings.twilio_configured or not settings.shop_order_to:
        return "not texted: Twilio or SHOP_ORDER_TO is not set up"
    try:
        make_transport(settings).send(settings.shop_order_to, owner_text(findings))
    except SmsError as exc:
        return f"could not text the shop's mobile: {exc}"
    return "texted the shop's mobile about it"


def cmd_doctor(args) -> int:
    from kebabalab.config import load_settings
    from kebabalab.errors import ConfigError
    try:
        load_settings()  # reads .env like every command (KEBABALAB_ENV is already read)
    except ConfigError:  # check_settings reports it, with the fix
        pass
    logging.getLogger("kebabalab").setLevel(logging.ERROR)  # its warnings repeat what the report says
    ctx = Context(env=dict(os.environ))
    findings = run_checks(ctx)
    print("\n".join(render(findings)))
    if all(f.ok for f in findings):
        return 0
    if args.text_owner:
        print(text_owner(ctx, findings), file=sys.stderr)
    return 1


def register(sub) -> None:
    parser = sub.add_parser("doctor", help="check everything a live shop needs; exit 1 on a problem")
    parser.add_argument("--text-owner", action="store_true",
                        help="on a problem, text the shop's mobile (SHOP_ORDER_TO); the daily timer uses this")
    parser.set_defaults(func=cmd_doctor)


COMMANDS: list = [register]
