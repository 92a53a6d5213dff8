"""The shop's services, built once per app by `create_app` and handed to every tool call."""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field

from kebabalab.shop.availability import Availability
from kebabalab.shop.business import Business
from kebabalab.store.availability import MemoryAvailabilityStore
from kebabalab.clock import SystemClock
from kebabalab.config import MAIN_SHOP, Settings
from kebabalab.store import Database
from kebabalab.errors import ConfigError, StoreError
from kebabalab.store.heartbeat import Heartbeat
from kebabalab.shop.hours import Hours
from kebabalab.ordering.menu import Menu
from kebabalab.metrics import Metrics
from kebabalab.messaging.outbox import OutboxSender
from kebabalab.messaging.ticket_printer import TicketPrinter
from kebabalab.ordering.phones import can_receive_texts, mask_phone, try_normalise
from kebabalab.ordering.phrases import Lexicon
from kebabalab.service.menu_catalog import MenuCatalog
from kebabalab.service.order_guard import UnconfirmedJanitor
from kebabalab.service.privacy import HistoryJanitor
from kebabalab.service.shops import Shops
from kebabalab.store.menu_versions import MenuVersions, newest_versions
from kebabalab.store.print_jobs import PrintQueue
from kebabalab.store.replay import ReplayGuard, make_replay_guard
from kebabalab.store.rate_limits import RateLimiter
from kebabalab.store.sessions import MemorySessionStore, Session
from kebabalab.messaging.email import SmtpMailer
from kebabalab.service.closing_summary import queue_due_summary
from kebabalab.service.owner_notices import OwnerNotices
from kebabalab.service.phone_line import VapiSeen, alert_owner
from kebabalab.messaging.sms import LogTransport, TwilioTransport, delivery_receipts_url

log = logging.getLogger(__name__)


def shop_number(settings: Settings) -> str:
    """SHOP_ORDER_TO in E.164 (a ConfigError if it is not a phone number); a warning when it is empty."""
    if not settings.shop_order_to:
        log.warning("SHOP_ORDER_TO is not set: orders are saved but the shop is not texted about them")
        return ""
    number = try_normalise(settings.shop_order_to)
    if number is None:
        raise ConfigError(f"SHOP_ORDER_TO is not a phone number: {settings.shop_order_to!r}")
    if not can_receive_texts(number):
        log.warning("SHOP_ORDER_TO (%s) is not a mobile: texts to it will fail", mask_phone(number))
    return number


def make_transport(settings: Settings):
    if settings.twilio_configured:
        if not settings.public_url:
            log.warning("PUBLIC_URL is not set: texts go out without a delivery receipt, so a text the carrier "
                        "rejects is not seen")
        return TwilioTransport(settings.twilio_account_sid, settings.twilio_auth_token,
                               settings.twilio_from_number, api_base_url=settings.twilio_api_base_url or None,
                               status_callback=delivery_receipts_url(settings.public_url))
    return LogTransport()


def make_mailer(settings: Settings) -> SmtpMailer | None:
    """The shop's SMTP server (SMTP_HOST), for the owner's email; None when it is not set."""
    if not settings.smtp_host:
        return None
    return SmtpMailer(settings.smtp_host, settings.smtp_port, settings.smtp_from or f"kebabalab@{settings.smtp_host}",
                      username=settings.smtp_username, password=settings.smtp_password,
                      security=settings.smtp_security)


def make_session_store(settings: Settings, clock):
    if settings.redis_url:
        from kebabalab.store.redis_sessions import RedisSessionStore
        return RedisSessionStore(settings.redis_url, clock, settings.session_ttl, settings.max_sessions,
                                 with_availability=True)  # make_availability_store's document
    return MemorySessionStore(clock, settings.session_ttl, settings.max_sessions)


def make_availability_store(settings: Settings, shop_id: str = MAIN_SHOP):
    """A shop's sold-out marks, pause and busy mode: in Redis when REDIS_URL is set, so every worker sees them."""
    if settings.redis_url:
        from kebabalab.store.redis_sessions import RedisAvailabilityStore
        return RedisAvailabilityStore(settings.redis_url, shop_id=shop_id)
    return MemoryAvailabilityStore()


@dataclass(frozen=True)
class ShopFiles:
    """The shop's files, loaded and checked, and the settings with SHOP_ORDER_TO in E.164."""
    settings: Settings
    business: Business
    hours: Hours
    menu: Menu  # the menu file, checked (the menu in force comes from the database: MenuCatalog)

    @classmethod
    def load(cls, settings: Settings) -> "ShopFiles":
        settings = settings.replace(shop_order_to=shop_number(settings))
        return cls(settings, Business.load(settings.business_file), Hours.load(settings.hours_file),
                   Menu.load(settings.menu_file))


def check_before_serving(settings: Settings) -> None:
    """What `Services.build` would refuse, checked without starting anything (no threads, no open pools), so
    a server that forks workers can refuse in one line before it forks: ConfigError or StoreError."""
    files = ShopFiles.load(settings)
    make_transport(files.settings)
    Shops.build(_NoStores(), settings, ShopFiles.load, lambda entry, shop_files: {}, files)
    from kebabalab.store import init_database
    init_database(settings.database_url)
    if settings.redis_url:
        from kebabalab.store.redis_sessions import ping
        ping(settings.redis_url)


def shop_parts(app, entry, files: ShopFiles) -> dict:
    """A shop's own parts on the app's stores: its availability, menu versions (its menu file loaded when it
    changed), print queue and network printer."""
    printing = files.business.printing
    catalog = MenuCatalog(MenuVersions(app.db, entry.id), app.clock)
    catalog.load_file(files.settings.menu_file)
    catalog.refresh()
    queue = PrintQueue(app.db, entry.id)
    printer = TicketPrinter(queue, app.clock, files.hours, files.business.name, printing.escpos_host,
                            printing.escpos_port) if printing.escpos_host else None
    if printing.cloudprnt and not files.settings.cloudprnt_password:
        log.warning("shop %s: printing.cloudprnt is on but %s is not set: the printer cannot fetch tickets until "
                    "it is", entry.id, "CLOUDPRNT_PASSWORD" if entry.id == MAIN_SHOP else "cloudprntPassword in its "
                    "shop.json")
    return {"availability": Availability(make_availability_store(app.settings, entry.id), app.clock, files.hours),
            "catalog": catalog, "print_queue": queue, "ticket_printer": printer}


class _NoStores:
    """What `Shops.build` is given to check every shop's files before serving: no database, no sessions."""
    db = sessions = clock = None


@dataclass
class Services:
    settings: Settings
    catalog: MenuCatalog  # the menu in force (menu versions in the database, changed on the board)
    hours: Hours
    business: Business
    clock: object
    sessions: object
    db: Database
    sender: OutboxSender
    metrics: Metrics
    call_limiter: RateLimiter
    auth_limiter: RateLimiter
    availability: Availability
    janitor: HistoryJanitor
    replays: ReplayGuard
    heartbeat: Heartbeat
    mailer: SmtpMailer | None
    unconfirmed: UnconfirmedJanitor
    notices: OwnerNotices | None = None  # built on the services: its checks read them
    vapi_seen: VapiSeen = field(default_factory=VapiSeen)
    print_queue: PrintQueue | None = None  # 'main's, as every shop's own is on its ShopServices
    ticket_printer: TicketPrinter | None = None
    shops: Shops | None = None  # every shop's services by id (set by build: they need the app's stores)

    @property
    def menu(self) -> Menu:
        """'main's menu in force now (a tool call keeps the one it began with: ToolContext.in_force)."""
        return self.catalog.current.menu

    @property
    def lexicon(self) -> Lexicon:
        return self.catalog.current.lexicon

    def refresh_menus(self) -> None:
        """Every shop's menu in force brought up to its newest version; a database that does not answer keeps the
        menus in force (logged), never fails the request."""
        try:
            newest = newest_versions(self.db)
        except StoreError as exc:
            log.warning("menu: could not check for newer menus (%s); serving those in force", exc)
            return
        self.shops.refresh_menus(newest)

    def for_shop(self, shop_id: str = MAIN_SHOP):
        """The shop's services (ShopServices), or None when there is no such shop."""
        return self.shops.get(shop_id)

    def start_background(self) -> None:
        """The SMS sender, the daily history job, the heartbeat, the owner's notices, the cancelling of orders
        left unconfirmed and the ticket printer (not in tests that drive them by hand)."""
        self.sender.start()
        self.janitor.start()
        self.heartbeat.start()
        self.notices.start()
        self.unconfirmed.start()
        for printer in self.shops.ticket_printers():
            printer.start()

    def stop_background(self) -> None:
        self.sender.stop()
        self.janitor.stop()
        self.heartbeat.stop()
        self.notices.stop()
        self.unconfirmed.stop()
        for printer in self.shops.ticket_printers():
            printer.stop()

    def save_sessions(self) -> int:
        """A graceful stop, once its last request is answered: the calls in progress (memory sessions) go to
        the database for the next server to restore. Redis keeps them by itself. Returns how many."""
        if not isinstance(self.sessions, MemorySessionStore):
            return 0
        live = self.sessions.snapshot()
        self.db.save_sessions([(s.call_id, json.dumps(s.to_dict(), separators=(",", ":"))) for s in live])
        log.info("sessions: %d calls in progress saved for the next server", len(live))
        return len(live)

    def restore_sessions(self) -> int:
        """`serve`, before it answers: take back the calls in progress a gracefully stopped server saved (only
        the server: a CLI command on the same database must not take them)."""
        if not isinstance(self.sessions, MemorySessionStore):
            return 0
        saved = self.db.take_saved_sessions()
        restored = self.sessions.restore([Session.from_dict(json.loads(data)) for _, data in saved])
        if saved:
            log.info("sessions: %d calls in progress restored (%d past their TTL left out)", restored,
                     len(saved) - restored)
        return restored

    @classmethod
    def build(cls, settings: Settings, *, clock=None, transport=None) -> "Services":
        clock = clock or SystemClock()
        files = ShopFiles.load(settings)
        settings = files.settings
        db = Database(settings.database_url, clock=clock)
        db.init()
        metrics = Metrics()
        transport = transport or make_transport(settings)
        sender = OutboxSender(db, transport, clock, concurrency=4, metrics=metrics)
        services = cls(settings, None, files.hours, files.business, clock,
                       make_session_store(settings, clock), db, sender, metrics,
                       RateLimiter(clock, settings.tool_calls_per_minute),
                       RateLimiter(clock, settings.auth_failures_per_minute), None,
                       HistoryJanitor(db, clock, settings.history_days), make_replay_guard(settings, clock),
                       Heartbeat(db, clock), make_mailer(settings), UnconfirmedJanitor(db, clock))
        services.shops = Shops.build(services, settings, ShopFiles.load,
                                     lambda entry, shop_files: shop_parts(services, entry, shop_files), files)
        main = services.shops.main  # the app's own menu, hours... are 'main's (a shops/main/ folder may set them)
        services.catalog, services.hours, services.business = main.catalog, main.hours, main.business
        services.availability, services.print_queue, services.ticket_printer = (main.availability, main.print_queue,
                                                                                 main.ticket_printer)
        db.printers = {view.shop.id: view.business.printing.printers for view in services.shops.views()}
        sender.from_number = services.shops.texts_from
        services.notices = OwnerNotices(db, clock, transport, services.mailer, owner_checks(services),
                                        from_number=services.shops.texts_from)
        return services


def owner_checks(services: Services) -> list:
    """The owners' notices job's checks: this worker's Vapi mark saved (one for the deployment), then each shop's
    end-of-day summary and phone line alerts, for its own owner (a retired shop's owner is told nothing more)."""
    checks = [lambda now: services.vapi_seen.save(services.db)]
    for view in (view for view in services.shops.views() if not view.shop.retired):
        checks += [lambda now, view=view: queue_due_summary(view, now), lambda now, view=view: alert_owner(view, now)]
    return checks
