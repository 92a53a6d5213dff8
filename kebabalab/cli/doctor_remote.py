"""`kebabalab doctor`'s checks of the services the shop depends on: Twilio, Vapi and the public HTTPS address.

Twilio is asked about the account and the sender number (two look-ups through the twilio library; never a
text). Vapi is asked for the assistant and the tools, compared as `vapi sync` would. Every request has a timeout.
"""
from __future__ import annotations

from email.utils import parsedate_to_datetime

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException

from kebabalab.cli.doctor_checks import Context, Finding, ok, problem
from kebabalab.web.security import configured

TIMEOUT_SECONDS = 10
SERVER_MESSAGES = ("end-of-call-report", "status-update")  # what the webhook acts on (kebabalab/web/messages.py)


def check_twilio(ctx: Context) -> list[Finding]:
    """The credentials open the account, the sender number is on it and can send SMS; a trial account is a
    problem for a live shop (it texts only verified numbers)."""
    from kebabalab.messaging.sms import TwilioTransport
    settings = ctx.settings
    if not settings.twilio_configured:
        return [problem("twilio", "TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN or TWILIO_FROM_NUMBER is not set: "
                        "texts only go to the log", "copy them from the Twilio console into the settings file")]
    client = TwilioTransport(settings.twilio_account_sid, settings.twilio_auth_token, settings.twilio_from_number,
                             api_base_url=settings.twilio_api_base_url or None, timeout=TIMEOUT_SECONDS).client
    sender = settings.twilio_from_number
    try:
        account = client.api.v2010.accounts(settings.twilio_account_sid).fetch()
        numbers = client.incoming_phone_numbers.list(phone_number=sender, limit=1)
        verified = account.type == "Trial" and bool(settings.shop_order_to) and bool(
            client.outgoing_caller_ids.list(phone_number=settings.shop_order_to, limit=1))
    except TwilioRestException as exc:
        if exc.status == 401:
            return [problem("twilio", f"Twilio refused the credentials (HTTP 401, error {exc.code})",
                            "copy the Account SID and Auth Token again from the Twilio console")]
        return [problem("twilio", f"Twilio answered HTTP {exc.status}, error {exc.code}", "try again later")]
    except (TwilioException, requests.RequestException) as exc:
        return [problem("twilio", f"cannot reach Twilio ({type(exc).__name__})", "check this server's internet")]
    if account.status != "active":
        return [problem("twilio", f"the Twilio account is {account.status}", "reactivate it in the Twilio console")]
    if not numbers:
        return [problem("twilio", f"TWILIO_FROM_NUMBER {sender} is not a number on this Twilio account",
                        "set it to one of the account's numbers (Console, Phone Numbers, Active numbers)")]
    if not (numbers[0].capabilities or {}).get("sms"):
        return [problem("twilio", f"{sender} cannot send SMS", "buy an SMS-capable number for TWILIO_FROM_NUMBER")]
    if account.type == "Trial":
        shop = "the shop's mobile is verified" if verified else "the shop's mobile (SHOP_ORDER_TO) is not verified"
        return [problem("twilio", f"trial account: texts go only to verified numbers ({shop}) and start with "
                        "'Sent from your Twilio trial account'",
                        "upgrade the account (Twilio console, Billing) before customers call")]
    return [ok("twilio", f"account active, {sender} can send SMS")]


def check_vapi(ctx: Context) -> list[Finding]:
    """The assistant exists; its server URL, server messages and our tools match this server."""
    from kebabalab.cli.vapi_sync import DEFAULT_BASE_URL, VapiClient, VapiError, desired_tools, make_plan
    from kebabalab.shop.business import Business
    key, assistant_id = ctx.env.get("VAPI_API_KEY", ""), ctx.env.get("VAPI_ASSISTANT_ID", "")
    public_url = ctx.env.get("PUBLIC_URL", "").rstrip("/")
    if not (key and assistant_id and public_url):
        return [problem("vapi", "VAPI_API_KEY, VAPI_ASSISTANT_ID or PUBLIC_URL is not set",
                        "set them (deployment/README.md, step 4) to let doctor check the assistant")]
    webhook = public_url + "/webhook"
    session = _dated_session(ctx, "Vapi")
    client = VapiClient(ctx.env.get("VAPI_API_BASE_URL") or DEFAULT_BASE_URL, key, session=session)
    secrets = configured(ctx.settings.vapi_webhook_secret)
    try:
        assistant = client.get_assistant(assistant_id)
        business = Business.load(ctx.settings.business_file)
        plan = make_plan(desired_tools(webhook, secrets[0] if secrets else "", business=business), client.list_tools(),
                         assistant)
    except VapiError as exc:
        return [problem("vapi", str(exc), "check VAPI_API_KEY and VAPI_ASSISTANT_ID in the Vapi dashboard")]
    findings = []
    server = assistant.get("server") or {}
    if server.get("url") != webhook:
        findings.append(problem("vapi", f"the assistant's Server URL is {server.get('url') or 'not set'}, "
                                f"not {webhook}", f"set it to {webhook} (assistant, Advanced, Server URL)"))
    missing = [m for m in SERVER_MESSAGES if m not in (assistant.get("serverMessages") or [])]
    if missing:
        findings.append(problem("vapi", f"the assistant does not send {', '.join(missing)} to the server",
                                "tick them under the assistant's Advanced, Server Messages"))
    stale = [a.name for a in plan.actions if a.kind != "unchanged"]
    if stale or plan.attaches:
        detail = f"tools missing or different: {', '.join(stale)}" if stale else "tools not attached"
        findings.append(problem("vapi", detail, f"run: kebabalab vapi sync --server-url {webhook} --apply"))
    return findings or [ok("vapi", f"assistant {assistant_id}: server URL, server messages and "
                                   f"{len(plan.actions)} tools match")]


def check_public_url(ctx: Context) -> list[Finding]:
    """PUBLIC_URL/health answers over HTTPS with a certificate this machine trusts (REQUESTS_CA_BUNDLE)."""
    url = ctx.env.get("PUBLIC_URL", "").rstrip("/")
    if not url.startswith("https://"):
        return [problem("https", f"PUBLIC_URL is {url or 'not set'}: Vapi calls only https:// addresses",
                        "set PUBLIC_URL to the shop's https:// address (deployment/README.md, step 2)")]
    try:
        response = requests.get(url + "/health", timeout=TIMEOUT_SECONDS)
        health = response.json() if response.status_code == 200 else {}
    except requests.exceptions.SSLError:
        return [problem("https", f"{url}: the certificate is not trusted", "check the proxy's certificate "
                        "(Caddy fetches one itself when the DNS name points here)")]
    except (requests.RequestException, ValueError) as exc:
        return [problem("https", f"{url}/health does not answer ({type(exc).__name__})",
                        "start the HTTPS proxy and the service, and check the DNS name points here")]
    if health.get("status") != "healthy":
        return [problem("https", f"{url}/health answered HTTP {response.status_code}, not healthy",
                        "check `systemctl status kebabalab` and the proxy's reverse_proxy address")]
    return [ok("https", f"{url}/health answers healthy")]


def _dated_session(ctx: Context, who: str) -> requests.Session:
    """A session that notes the server's Date header, so the clock check has another clock to compare with."""
    session = requests.Session()

    def note_date(response, *args, **kwargs):
        if "Date" in response.headers and not any(w == who for w, _ in ctx.remote_dates):
            try:
                ctx.remote_dates.append((who, parsedate_to_datetime(response.headers["Date"])))
            except (TypeError, ValueError):
                pass
    session.hooks["response"].append(note_date)
    return session
