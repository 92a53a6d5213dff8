"""Settings, read once from the environment by `create_app` (never at import)."""
from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Mapping

from kebabalab.errors import ConfigError
from kebabalab.hmac_plan import HmacPlan

PACKAGE_DATA = Path(__file__).parent / "data"
MAIN_SHOP = "main"  # the shop of a one-shop deployment: today's settings and files (issue 19)
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOG_LEVEL_ALIASES = {"WARN": "WARNING", "FATAL": "CRITICAL"}  # Python's logging takes these too


def _int(env: Mapping[str, str], name: str, default: int, lo: int, hi: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if not lo <= value <= hi:
        raise ConfigError(f"{name} must be between {lo} and {hi}, not {value}")
    return value


def _flag(env: Mapping[str, str], name: str) -> bool:
    return env.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def _list(env: Mapping[str, str], name: str, default: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in env.get(name, default).split(",") if p.strip())


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str:
    value = (env.get(name) or choices[0]).strip().lower()
    if value not in choices:
        raise ConfigError(f"{name} must be {' or '.join(choices)}, not {value!r}")
    return value


def _hmac_plan(env: Mapping[str, str]) -> HmacPlan:
    """Vapi's HMAC credential's plan, one setting each, Vapi's defaults when unset (see SECURITY.md)."""
    default = HmacPlan()
    return HmacPlan(
        algorithm=(env.get("VAPI_HMAC_ALGORITHM") or default.algorithm).strip().lower(),
        encoding=(env.get("VAPI_HMAC_ENCODING") or default.encoding).strip().lower(),
        signature_header=(env.get("VAPI_HMAC_SIGNATURE_HEADER") or default.signature_header).strip(),
        timestamp_header=(env.get("VAPI_HMAC_TIMESTAMP_HEADER") or default.timestamp_header).strip(),
        signature_prefix=env.get("VAPI_HMAC_SIGNATURE_PREFIX", default.signature_prefix).strip(),
        payload_format=env.get("VAPI_HMAC_PAYLOAD_FORMAT") or default.payload_format,
    ).check()


def _public_url(env: Mapping[str, str]) -> str:
    """PUBLIC_URL without its trailing slash: the address Twilio calls back and signs (not the request's own,
    which is wrong behind a proxy)."""
    value = (env.get("PUBLIC_URL") or "").strip().rstrip("/")
    if value and not value.startswith(("https://", "http://")):
        raise ConfigError(f"PUBLIC_URL must start with https://, not {value!r}")
    return value


@dataclass(frozen=True)
class Settings:
    """Everything the server can be told; `.env.example` lists each with its default."""
    host: str = "127.0.0.1"
    port: int = 5000
    database_url: str = "sqlite:///data/kebabalab.db"
    menu_file: str = str(PACKAGE_DATA / "menu.json")
    hours_file: str = str(PACKAGE_DATA / "hours.json")
    business_file: str = str(PACKAGE_DATA / "business.json")
    shops_dir: str = "data/shops"
    session_ttl: int = 1800
    max_sessions: int = 1000
    allowed_origins: tuple[str, ...] = ("https://api.vapi.ai", "https://vapi.ai")
    redis_url: str = ""
    vapi_webhook_secret: str = ""
    vapi_hmac_secret: str = ""
    vapi_hmac_plan: HmacPlan = HmacPlan()
    vapi_assistant_id: str = ""
    assistant_request_when_closed: str = "say"
    allow_unauthenticated: bool = False
    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    twilio_from_number: str = ""
    twilio_api_base_url: str = ""
    shop_order_to: str = ""
    public_url: str = ""
    max_texts_per_call: int = 3
    tool_calls_per_minute: int = 120
    auth_failures_per_minute: int = 20
    history_days: int = 365
    metrics_token: str = ""
    staff_password: str = ""
    cloudprnt_password: str = ""
    log_level: str = "INFO"
    log_format: str = "text"
    proxy_hops: int = 0
    send_sms_in_background: bool = True
    backup_dir: str = ""
    backup_copy_dir: str = ""
    backup_keep_days: int = 14
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_from: str = ""
    smtp_security: str = "starttls"
    log_file: str = ""
    log_file_max_mb: int = 10
    log_file_count: int = 5

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        env = os.environ if env is None else env
        default = cls()
        log_format = env.get("LOG_FORMAT", "text").lower()
        if log_format not in ("text", "json"):
            raise ConfigError(f"LOG_FORMAT must be text or json, not {log_format!r}")
        given = env.get("LOG_LEVEL", default.log_level)
        log_level = LOG_LEVEL_ALIASES.get(given.strip().upper(), given.strip().upper()) or default.log_level
        if log_level not in LOG_LEVELS:
            raise ConfigError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {given!r}")
        return cls(
            host=env.get("HOST", default.host),
            port=_int(env, "PORT", default.port, 1, 65535),
            database_url=env.get("DATABASE_URL") or default.database_url,
            menu_file=env.get("MENU_FILE") or default.menu_file,
            hours_file=env.get("HOURS_FILE") or default.hours_file,
            business_file=env.get("BUSINESS_FILE") or default.business_file,
            shops_dir=env.get("SHOPS_DIR") or default.shops_dir,
            session_ttl=_int(env, "SESSION_TTL", default.session_ttl, 60, 86400),
            max_sessions=_int(env, "MAX_SESSIONS", default.max_sessions, 1, 1_000_000),
            allowed_origins=_list(env, "ALLOWED_ORIGINS", ",".join(default.allowed_origins)),
            redis_url=env.get("REDIS_URL", ""),
            vapi_webhook_secret=env.get("VAPI_WEBHOOK_SECRET", ""),
            vapi_hmac_secret=env.get("VAPI_HMAC_SECRET", ""),
            vapi_hmac_plan=_hmac_plan(env),
            vapi_assistant_id=env.get("VAPI_ASSISTANT_ID", "").strip(),
            assistant_request_when_closed=_choice(env, "ASSISTANT_REQUEST_WHEN_CLOSED", ("say", "transfer")),
            allow_unauthenticated=_flag(env, "KEBABALAB_ALLOW_UNAUTHENTICATED"),
            twilio_account_sid=env.get("TWILIO_ACCOUNT_SID", ""),
            twilio_auth_token=env.get("TWILIO_AUTH_TOKEN", ""),
            twilio_from_number=env.get("TWILIO_FROM_NUMBER", ""),
            twilio_api_base_url=env.get("TWILIO_API_BASE_URL", ""),
            shop_order_to=env.get("SHOP_ORDER_TO", ""),
            public_url=_public_url(env),
            max_texts_per_call=_int(env, "MAX_TEXTS_PER_CALL", default.max_texts_per_call, 0, 20),
            tool_calls_per_minute=_int(env, "TOOL_CALLS_PER_MINUTE", default.tool_calls_per_minute, 1, 100000),
            auth_failures_per_minute=_int(env, "AUTH_FAILURES_PER_MINUTE", default.auth_failures_per_minute, 1, 100000),
            history_days=_int(env, "HISTORY_DAYS", default.history_days, 1, 36500),
            metrics_token=env.get("METRICS_TOKEN", ""),
            staff_password=env.get("STAFF_PASSWORD", ""),
            cloudprnt_password=env.get("CLOUDPRNT_PASSWORD", ""),
            log_level=log_level,
            log_format=log_format,
            proxy_hops=_int(env, "PROXY_HOPS", default.proxy_hops, 0, 5),
            backup_dir=env.get("BACKUP_DIR", ""),
            backup_copy_dir=env.get("BACKUP_COPY_DIR", ""),
            backup_keep_days=_int(env, "BACKUP_KEEP_DAYS", default.backup_keep_days, 1, 3650),
            smtp_host=env.get("SMTP_HOST", "").strip(),
            smtp_port=_int(env, "SMTP_PORT", default.smtp_port, 1, 65535),
            smtp_username=env.get("SMTP_USERNAME", ""),
            smtp_password=env.get("SMTP_PASSWORD", ""),
            smtp_from=env.get("SMTP_FROM", "").strip(),
            smtp_security=_choice(env, "SMTP_SECURITY", ("starttls", "ssl", "none")),
            log_file=env.get("LOG_FILE", ""),
            log_file_max_mb=_int(env, "LOG_FILE_MAX_MB", default.log_file_max_mb, 1, 1000),
            log_file_count=_int(env, "LOG_FILE_COUNT", default.log_file_count, 1, 100),
        )

    def replace(self, **changes) -> "Settings":
        known = {f.name for f in fields(self)}
        unknown = set(changes) - known
        if unknown:
            raise ConfigError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        return type(self)(**{**{f.name: getattr(self, f.name) for f in fields(self)}, **changes})

    @property
    def twilio_configured(self) -> bool:
        return bool(self.twilio_account_sid and self.twilio_auth_token and self.twilio_from_number)


def load_settings(env_file: str = ".env") -> Settings:
    """The command line's settings: the environment, with `env_file` (if present) filling what it does not set."""
    try:
        from dotenv import load_dotenv
        load_dotenv(env_file, override=False)
    except ImportError:  # pragma: no cover - python-dotenv is a pinned requirement
        pass
    return Settings.from_env()
