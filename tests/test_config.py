"""Settings read from the environment, and what start-up makes of them."""
import json
import re

import pytest

from kebabalab.config import Settings
from kebabalab.errors import ConfigError
from kebabalab.web.app import create_app


@pytest.mark.parametrize("env,message", [
    ({"PORT": "http"}, "PORT must be a whole number, not 'http'"),
    ({"PORT": "70000"}, "PORT must be between 1 and 65535, not 70000"),
    ({"SESSION_TTL": "5"}, "SESSION_TTL must be between 60 and 86400, not 5"),
    ({"LOG_FORMAT": "xml"}, "LOG_FORMAT must be text or json, not 'xml'"),
    ({"LOG_LEVEL": "verbose"}, "LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, not 'verbose'"),
    ({"PROXY_HOPS": "9"}, "PROXY_HOPS must be between 0 and 5, not 9"),
])
def test_bad_settings_name_themselves(env, message):
    with pytest.raises(ConfigError) as err:
        Settings.from_env(env)
    assert str(err.value) == message


@pytest.mark.parametrize("given, level", [("warn", "WARNING"), (" info ", "INFO"), ("Fatal", "CRITICAL"),
                                          ("", "INFO"), ("DEBUG", "DEBUG")])
def test_log_level_takes_the_names_python_logging_takes(given, level):
    assert Settings.from_env({"LOG_LEVEL": given}).log_level == level


def test_defaults_from_an_empty_environment():
    settings = Settings.from_env({})
    assert (settings.port, settings.session_ttl, settings.max_sessions, settings.allowed_origins,
            settings.max_texts_per_call, settings.history_days, settings.proxy_hops) == (
        5000, 1800, 1000, ("https://api.vapi.ai", "https://vapi.ai"), 3, 365, 0)


def test_shop_number_is_stored_in_e164(settings, clock):
    app = create_app(settings.replace(shop_order_to="0412 999 888"), clock=clock, start_sender=False)
    assert app.extensions["kebabalab"].settings.shop_order_to == "+61412999888"


def test_a_shop_number_that_is_not_a_number_stops_start_up(settings, clock):
    with pytest.raises(ConfigError, match="SHOP_ORDER_TO is not a phone number: 'the shop'"):
        create_app(settings.replace(shop_order_to="the shop"), clock=clock, start_sender=False)


def test_no_shop_number_is_a_warning(settings, clock, caplog):
    create_app(settings.replace(shop_order_to=""), clock=clock, start_sender=False)
    assert "SHOP_ORDER_TO is not set: orders are saved but the shop is not texted about them" in caplog.text


def test_behind_a_proxy_each_client_has_its_own_failed_sign_in_count(settings, clock):
    """With PROXY_HOPS=1 the lock-out follows X-Forwarded-For, so a stranger cannot lock the staff out."""
    app = create_app(settings.replace(proxy_hops=1, vapi_webhook_secret="s3cret", allow_unauthenticated=False,
                                      auth_failures_per_minute=2), clock=clock, start_sender=False)
    client = app.test_client()

    def attempt(ip):
        return client.post("/webhook", json={}, headers={"X-Forwarded-For": ip}).status_code

    assert [attempt("203.0.113.9") for _ in range(3)] == [401, 401, 429]
    assert attempt("198.51.100.7") == 401  # another client behind the same proxy is not locked out


def test_without_proxy_hops_forwarded_headers_are_ignored(settings, clock):
    app = create_app(settings.replace(vapi_webhook_secret="s3cret", allow_unauthenticated=False,
                                      auth_failures_per_minute=2), clock=clock, start_sender=False)
    client = app.test_client()
    codes = [client.post("/webhook", json={}, headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code
             for n in range(3)]
    assert codes == [401, 401, 429]  # a client cannot dodge the limit by inventing addresses


@pytest.mark.parametrize("ordering, message", [
    ({"default_lead_minutes": "soon"}, "'ordering.default_lead_minutes' must be a whole number from 0"),
    ({"max_items_per_order": 0}, "'ordering.max_items_per_order' must be a whole number from 1"),
    ({"max_items_per_order": True}, "'ordering.max_items_per_order' must be a whole number from 1"),
    ([], "'ordering' must be a JSON object"),
])
def test_business_ordering_settings_are_checked_at_load(tmp_path, ordering, message):
    from kebabalab.shop.business import Business
    path = tmp_path / "business.json"
    path.write_text(json.dumps({"name": "Kebabalab", "timezone": "Australia/Melbourne", "ordering": ordering}))
    with pytest.raises(ConfigError, match=re.escape(message)):
        Business.load(str(path))


def test_business_ordering_defaults_fill_what_the_file_leaves_out(tmp_path):
    from kebabalab.shop.business import Business
    path = tmp_path / "business.json"
    path.write_text(json.dumps({"name": "Kebabalab", "timezone": "Australia/Melbourne"}))
    business = Business.load(str(path))
    assert (business.default_lead_minutes, business.max_items_per_order) == (15, 30)
