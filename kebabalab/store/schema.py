"""The schema, its migrations and every statement, written once for SQLite and PostgreSQL.

Statements use `?` placeholders and portable syntax (`INSERT ... RETURNING`, `ON CONFLICT ... DO UPDATE`:
SQLite 3.35+ and PostgreSQL). Every selected expression that is not a plain column has a name, so rows are
read by name on both engines. The PostgreSQL backend changes only two things: the placeholders, and
`INTEGER PRIMARY KEY` (SQLite's automatic row id) into an identity column.
"""
from __future__ import annotations

OUTBOX_KINDS = ("shop_order", "customer_confirmation", "menu_link", "receipt", "ready")
OUTBOX_STATUSES = ("pending", "sending", "sent", "logged", "failed")

MIGRATIONS: list[list[str]] = [
    [  # 1: orders, outbox, abandoned carts, order events
        """CREATE TABLE orders (
            id INTEGER PRIMARY KEY, order_number TEXT NOT NULL UNIQUE, order_day TEXT NOT NULL,
            day_seq INTEGER NOT NULL, call_id TEXT, idempotency_key TEXT UNIQUE, customer_name TEXT,
            customer_phone TEXT, items TEXT NOT NULL, subtotal INTEGER NOT NULL, gst INTEGER NOT NULL,
            total INTEGER NOT NULL, ready_at TEXT, notes TEXT, status TEXT NOT NULL DEFAULT 'new',
            created_at TEXT NOT NULL, UNIQUE (order_day, day_seq))""",
        "CREATE INDEX ix_orders_customer_phone ON orders (customer_phone)",
        "CREATE INDEX ix_orders_created_at ON orders (created_at)",
        "CREATE INDEX ix_orders_status ON orders (status)",
        "CREATE INDEX ix_orders_call_id ON orders (call_id)",
        """CREATE TABLE outbox (
            id INTEGER PRIMARY KEY, order_id INTEGER REFERENCES orders (id), call_id TEXT,
            kind TEXT NOT NULL CHECK (kind IN ('shop_order', 'customer_confirmation', 'menu_link',
                'receipt', 'ready')),
            to_phone TEXT NOT NULL, body TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent',
                'logged', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at TEXT, last_error TEXT, provider_sid TEXT,
            created_at TEXT NOT NULL, sent_at TEXT, claimed_until TEXT)""",
        "CREATE INDEX ix_outbox_due ON outbox (status, next_attempt_at)",
        "CREATE INDEX ix_outbox_call_id ON outbox (call_id)",
        "CREATE INDEX ix_outbox_order_id ON outbox (order_id)",
        """CREATE TABLE abandoned_carts (
            id INTEGER PRIMARY KEY, call_id TEXT, masked_phone TEXT, phone TEXT, summary TEXT,
            total INTEGER, created_at TEXT NOT NULL)""",
        """CREATE TABLE order_events (
            id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL REFERENCES orders (id), from_status TEXT,
            to_status TEXT NOT NULL, actor TEXT, created_at TEXT NOT NULL)""",
        "CREATE INDEX ix_order_events_order_id ON order_events (order_id)",
    ],
    [  # 2: one counter row per shop day, so order numbers never come from MAX + 1 (a race on PostgreSQL)
        "CREATE TABLE order_counters (order_day TEXT PRIMARY KEY, last_seq INTEGER NOT NULL)",
        "INSERT INTO order_counters (order_day, last_seq) SELECT order_day, MAX(day_seq) FROM orders "
        "GROUP BY order_day",
    ],
    [  # 3: the kitchen's queue (open orders due in the next half hour) is read on every pickup time; without
       # this it read every order ever taken
        "CREATE INDEX ix_orders_ready_at ON orders (ready_at)",
    ],
    [  # 4: the board's sign-in guard (tries per address and shop-wide, shared by every worker, kept across
       # restarts) and staff sessions that sign-out can end
        """CREATE TABLE login_guards (
            key TEXT PRIMARY KEY, tries INTEGER NOT NULL, window_start TEXT NOT NULL, locked_until TEXT)""",
        """CREATE TABLE staff_sessions (
            id TEXT PRIMARY KEY, created_at TEXT NOT NULL, expires_at TEXT NOT NULL)""",
    ],
    [  # 5: forgotten customers (by a hash of the number), re-applied after a restore so a backup never brings
       # one back; and each running server's heartbeat, so a restore sees a database still in use
        "CREATE TABLE forgotten_phones (phone_hash TEXT PRIMARY KEY, forgotten_at TEXT NOT NULL)",
        "CREATE TABLE server_heartbeats (server_id TEXT PRIMARY KEY, host TEXT NOT NULL, pid INTEGER NOT NULL, "
        "beat_at TEXT NOT NULL)",
    ],
    [  # 6: the carts of calls in progress, saved by a server that stops gracefully and taken back by the next
        "CREATE TABLE saved_sessions (call_id TEXT PRIMARY KEY, session TEXT NOT NULL, saved_at TEXT NOT NULL)",
    ],
    [  # 7: the call log: one row per call, from its tool calls, status updates and end-of-call report (any of
       # them late, twice or missing); the cart a call left without an order; the order it placed is
       # orders.call_id
        """CREATE TABLE calls (
            call_id TEXT PRIMARY KEY, shop_id TEXT NOT NULL DEFAULT 'main', caller TEXT, started_at TEXT NOT NULL,
            ended_at TEXT, ended_reason TEXT, duration_seconds INTEGER, cost_cents INTEGER, summary TEXT,
            structured TEXT, success_evaluation TEXT, recording_url TEXT, stereo_recording_url TEXT,
            transcript TEXT, transferred INTEGER NOT NULL DEFAULT 0, transfer_answered INTEGER,
            cart_lines INTEGER NOT NULL DEFAULT 0, cart_summary TEXT, cart_total INTEGER NOT NULL DEFAULT 0,
            report_at TEXT, updated_at TEXT NOT NULL)""",
        "CREATE INDEX ix_calls_started_at ON calls (shop_id, started_at)",
        "CREATE INDEX ix_calls_caller ON calls (caller)",
    ],
    [  # 8: messages the assistant took when the caller wanted a person and nobody at the shop answered
        """CREATE TABLE call_messages (
            id INTEGER PRIMARY KEY, shop_id TEXT NOT NULL DEFAULT 'main', call_id TEXT, caller_name TEXT,
            phone TEXT, reason TEXT NOT NULL, message TEXT NOT NULL, allergy INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL, handled_at TEXT, handled_by TEXT)""",
        "CREATE INDEX ix_call_messages_created_at ON call_messages (created_at)",
    ],
    [  # 9: Twilio's delivery receipts, one row per text (by its message sid), so a text the carrier rejects is
       # not taken for delivered; a receipt may come before the sender has saved the sid, so it is a table of
       # its own, joined to the outbox on the sid, rather than a column the receipt would have to find
        """CREATE TABLE text_receipts (
            provider_sid TEXT PRIMARY KEY, shop_id TEXT NOT NULL DEFAULT 'main', status TEXT NOT NULL,
            error_code TEXT, received_at TEXT NOT NULL)""",
        "CREATE INDEX ix_text_receipts_received_at ON text_receipts (received_at)",
        "CREATE INDEX ix_outbox_provider_sid ON outbox (provider_sid)",
    ],
    [  # 10: what the owner is told (the end-of-day summary, alerts) by text and email, each notice claimed once by
       # its key however many workers see it due. Not the outbox: its CHECK on kind takes no new kind without a
       # rebuilt table, and an email is not a text
        """CREATE TABLE owner_notices (
            id INTEGER PRIMARY KEY, shop_id TEXT NOT NULL DEFAULT 'main', notice_key TEXT NOT NULL,
            channel TEXT NOT NULL, to_address TEXT NOT NULL, subject TEXT NOT NULL, body TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT,
            claimed_until TEXT, created_at TEXT NOT NULL, sent_at TEXT,
            UNIQUE (shop_id, notice_key, channel))""",
        "CREATE INDEX ix_owner_notices_status ON owner_notices (status)",
    ],
    [  # 11: the phone line's health marks shared by every worker (when Vapi last reached the server), each
       # written at most once a round by a background job, never on a caller's request
        """CREATE TABLE health_marks (
            shop_id TEXT NOT NULL DEFAULT 'main', name TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY (shop_id, name))""",
        "CREATE INDEX ix_outbox_created_at ON outbox (created_at)",
    ],
    [  # 12: the one offer a call heard (issue 25), and the caller's answer; keyed by the call, so the call log can
       # show it and a second worker's offer on the same call is refused by the key
        """CREATE TABLE call_offers (
            call_id TEXT PRIMARY KEY, shop_id TEXT NOT NULL DEFAULT 'main', kind TEXT NOT NULL,
            item_index INTEGER NOT NULL, extra_cents INTEGER NOT NULL, said TEXT NOT NULL, offered_at TEXT NOT NULL,
            answer TEXT CHECK (answer IN ('yes', 'no')), answered_at TEXT)""",
    ],
    [  # 13: numbers that texted STOP (issue 25): the outbox sends them nothing until they text START
        """CREATE TABLE sms_opt_outs (
            shop_id TEXT NOT NULL DEFAULT 'main', phone TEXT NOT NULL, opted_out_at TEXT NOT NULL,
            PRIMARY KEY (shop_id, phone))""",
    ],
    [  # 14: staff members with their own PIN (only its scrypt hash), so every change on the board says who made
       # it; a staff session knows whose it is (removing a member ends their sessions); an order's event can say
       # what changed beside its status (an edited order's old and new total)
        """CREATE TABLE staff_members (
            id INTEGER PRIMARY KEY, shop_id TEXT NOT NULL DEFAULT 'main', name TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('owner', 'staff')), pin_hash TEXT NOT NULL,
            created_at TEXT NOT NULL, UNIQUE (shop_id, name))""",
        "ALTER TABLE staff_sessions ADD COLUMN staff_id INTEGER",
        "ALTER TABLE order_events ADD COLUMN detail TEXT",
    ],
    [  # 15: the callback list: who called back a call that left its cart or found nobody to talk to, when, and
       # what came of it
        "ALTER TABLE calls ADD COLUMN called_back_at TEXT",
        "ALTER TABLE calls ADD COLUMN called_back_by TEXT",
        "ALTER TABLE calls ADD COLUMN callback_outcome TEXT",
    ],
    [  # 16: kitchen tickets: a print queue claimed like the outbox (one printer gets each job once, across workers
       # and restarts; a new order's job is written in the order's transaction), and each printer's last state
        """CREATE TABLE print_jobs (
            id INTEGER PRIMARY KEY, shop_id TEXT NOT NULL DEFAULT 'main',
            order_id INTEGER NOT NULL REFERENCES orders (id), printer TEXT NOT NULL,
            reason TEXT NOT NULL CHECK (reason IN ('new', 'reprint')), requested_by TEXT,
            status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'printing', 'printed', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at TEXT, claimed_until TEXT, claim_token TEXT,
            last_error TEXT, created_at TEXT NOT NULL, printed_at TEXT)""",
        "CREATE INDEX ix_print_jobs_due ON print_jobs (shop_id, printer, status)",
        "CREATE INDEX ix_print_jobs_order_id ON print_jobs (order_id)",
        """CREATE TABLE printer_states (
            shop_id TEXT NOT NULL DEFAULT 'main', printer TEXT NOT NULL, state TEXT NOT NULL, detail TEXT,
            seen_at TEXT, last_printed_at TEXT, last_printed_order TEXT, PRIMARY KEY (shop_id, printer))""",
    ],
    [  # 17: the menu in the database, one row per version (the menu file seeds the first; each change on the board
       # is a new version, with who and when), so every worker serves the newest without a restart; each version
       # names the one it was made from (0: the first), once, so two changes made to one version cannot both land
        """CREATE TABLE menu_versions (
            id INTEGER PRIMARY KEY, shop_id TEXT NOT NULL DEFAULT 'main', menu TEXT NOT NULL,
            change TEXT NOT NULL, changed_by TEXT NOT NULL, created_at TEXT NOT NULL, file_hash TEXT,
            parent_id INTEGER NOT NULL, UNIQUE (shop_id, parent_id))""",
        "CREATE INDEX ix_menu_versions_shop ON menu_versions (shop_id, id)",
    ],
    [  # 18: many shops on one deployment (issue 19): every order, text and abandoned cart carries its shop, and
       # order numbers run per shop per trading day. A REBUILT TABLE, and why: orders' inline UNIQUE
       # (order_number) and UNIQUE (order_day, day_seq) would refuse a second shop's '#001' of the same day, and
       # SQLite cannot drop an inline constraint, so SQLite copies orders into a new table (the 12 steps of
       # sqlite.org/lang_altertable.html; migrate() turns foreign keys off around it and checks them before the
       # commit). PostgreSQL drops and adds the constraints in place (dropping orders there would take the
       # outbox's and order events' foreign keys with it). Nothing else is changed: rolled-back code still
       # inserts 'main' orders (the default) and still counts them in order_counters (order_day its key), so
       # the other shops count in their own table.
        {"sqlite": """CREATE TABLE orders_rebuilt (
            id INTEGER PRIMARY KEY, order_number TEXT NOT NULL, order_day TEXT NOT NULL,
            day_seq INTEGER NOT NULL, call_id TEXT, idempotency_key TEXT UNIQUE, customer_name TEXT,
            customer_phone TEXT, items TEXT NOT NULL, subtotal INTEGER NOT NULL, gst INTEGER NOT NULL,
            total INTEGER NOT NULL, ready_at TEXT, notes TEXT, status TEXT NOT NULL DEFAULT 'new',
            created_at TEXT NOT NULL, shop_id TEXT NOT NULL DEFAULT 'main', UNIQUE (shop_id, order_number),
            UNIQUE (shop_id, order_day, day_seq))"""},
        {"sqlite": "INSERT INTO orders_rebuilt (id, order_number, order_day, day_seq, call_id, idempotency_key, "
                   "customer_name, customer_phone, items, subtotal, gst, total, ready_at, notes, status, created_at) "
                   "SELECT id, order_number, order_day, day_seq, call_id, idempotency_key, customer_name, "
                   "customer_phone, items, subtotal, gst, total, ready_at, notes, status, created_at FROM orders"},
        {"sqlite": "DROP TABLE orders"},
        {"sqlite": "ALTER TABLE orders_rebuilt RENAME TO orders"},
        {"sqlite": "CREATE INDEX ix_orders_customer_phone ON orders (customer_phone)"},
        {"sqlite": "CREATE INDEX ix_orders_created_at ON orders (created_at)"},
        {"sqlite": "CREATE INDEX ix_orders_status ON orders (status)"},
        {"sqlite": "CREATE INDEX ix_orders_call_id ON orders (call_id)"},
        {"sqlite": "CREATE INDEX ix_orders_ready_at ON orders (ready_at)"},
        {"postgresql": "ALTER TABLE orders ADD COLUMN shop_id TEXT NOT NULL DEFAULT 'main'"},
        {"postgresql": "ALTER TABLE orders DROP CONSTRAINT orders_order_number_key"},
        {"postgresql": "ALTER TABLE orders DROP CONSTRAINT orders_order_day_day_seq_key"},
        {"postgresql": "ALTER TABLE orders ADD CONSTRAINT orders_shop_order_number_key UNIQUE (shop_id, order_number)"},
        {"postgresql": "ALTER TABLE orders ADD CONSTRAINT orders_shop_day_seq_key UNIQUE (shop_id, order_day, day_seq)"},
        # the kitchen's queue (every pickup time) and the board's day (every 3 s) are read per shop
        "CREATE INDEX ix_orders_shop_ready_at ON orders (shop_id, ready_at)",
        "CREATE INDEX ix_orders_shop_created_at ON orders (shop_id, created_at)",
        "CREATE TABLE shop_order_counters (shop_id TEXT NOT NULL, order_day TEXT NOT NULL, "
        "last_seq INTEGER NOT NULL, PRIMARY KEY (shop_id, order_day))",
        "ALTER TABLE outbox ADD COLUMN shop_id TEXT NOT NULL DEFAULT 'main'",
        "ALTER TABLE abandoned_carts ADD COLUMN shop_id TEXT NOT NULL DEFAULT 'main'",
    ],
    [  # 19: each shop's board (issue 19): a staff session is one shop's, so its tablet sees that shop only and
       # "sign out all tablets" ends that shop's
        "ALTER TABLE staff_sessions ADD COLUMN shop_id TEXT NOT NULL DEFAULT 'main'",
    ],
]


def statements_for(migration: list, engine: str) -> list[str]:
    """A migration's statements on one engine ('sqlite' or 'postgresql'): a plain string runs on both, a
    {engine: statement} only on that engine."""
    return [s if isinstance(s, str) else s[engine] for s in migration if isinstance(s, str) or engine in s]


ORDER_COLUMNS = ("id, order_number, order_day, day_seq, call_id, idempotency_key, customer_name, customer_phone, "
                  "items, subtotal, gst, total, ready_at, notes, status, created_at, shop_id")
ORDER_FIELDS = tuple(name.strip() for name in ORDER_COLUMNS.split(","))
_OUTBOX_COLUMNS = ("outbox.id, outbox.order_id, outbox.call_id, kind, to_phone, body, outbox.status, attempts, "
                   "next_attempt_at, last_error, provider_sid, outbox.created_at, sent_at, claimed_until, "
                   "orders.order_number, outbox.shop_id")
_OUTBOX_FROM = "FROM outbox LEFT JOIN orders ON orders.id = outbox.order_id"
_OUTBOX_DUE = (f"SELECT {_OUTBOX_COLUMNS} {_OUTBOX_FROM} WHERE (outbox.status = 'pending' AND "
               "(next_attempt_at IS NULL OR next_attempt_at <= ?)) OR (outbox.status = 'sending' AND "
               "claimed_until <= ?) ORDER BY outbox.id LIMIT ?")

ORDER_ROW = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
OUTBOX_ROW = "(?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)"

SQL = {
    "version_table": "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at TEXT NOT NULL)",
    "version": "SELECT COALESCE(MAX(version), 0) AS version FROM schema_version",
    "version_add": "INSERT INTO schema_version (version, applied_at) VALUES (?, ?)",
    "order_by_key": f"SELECT {ORDER_COLUMNS} FROM orders WHERE idempotency_key = ?",
    "order_by_number": f"SELECT {ORDER_COLUMNS} FROM orders WHERE shop_id = ? AND order_number = ?",
    "orders_for_phone": f"SELECT {ORDER_COLUMNS} FROM orders WHERE shop_id = ? AND customer_phone = ? "
                        "ORDER BY created_at DESC, id DESC LIMIT ?",
    "orders_on_day": f"SELECT {ORDER_COLUMNS} FROM orders WHERE shop_id = ? AND order_day = ? ORDER BY day_seq",
    "open_orders_due": "SELECT COUNT(*) AS n FROM orders WHERE shop_id = ? AND "
                       "status NOT IN ('ready', 'collected', 'cancelled', 'awaiting') AND ready_at >= ? AND ready_at <= ?",
    # The counter row is locked by the update until the order's transaction ends, so two orders of one day
    # queue here for a moment instead of both reading the same MAX; a rolled-back order gives its number back.
    # Takes the next n numbers of a day at once (n orders saved in one transaction); returns the last of them.
    "next_day_seqs": "INSERT INTO order_counters (order_day, last_seq) VALUES (?, ?) ON CONFLICT (order_day) "
                     "DO UPDATE SET last_seq = order_counters.last_seq + excluded.last_seq RETURNING last_seq",
    # The same for every shop but 'main' ('main' keeps order_counters, which rolled-back code still uses)
    "next_shop_day_seqs": "INSERT INTO shop_order_counters (shop_id, order_day, last_seq) VALUES (?, ?, ?) "
                          "ON CONFLICT (shop_id, order_day) DO UPDATE SET "
                          "last_seq = shop_order_counters.last_seq + excluded.last_seq RETURNING last_seq",
    # "{marks}": one "?" per key
    "orders_by_keys": f"SELECT {ORDER_COLUMNS} FROM orders WHERE idempotency_key IN ({{marks}})",
    # "{rows}": one ORDER_ROW per order; the engine's insert_ids() learns the new ids
    "orders_add": "INSERT INTO orders (order_number, order_day, day_seq, call_id, idempotency_key, customer_name, "
                  "customer_phone, items, subtotal, gst, total, ready_at, notes, status, created_at, shop_id) "
                  "VALUES {rows}",
    # "{rows}": one OUTBOX_ROW per text
    "outbox_add": "INSERT INTO outbox (order_id, call_id, kind, to_phone, body, status, attempts, next_attempt_at, "
                  "created_at, shop_id) VALUES {rows}",
    "outbox_due": _OUTBOX_DUE,
    # PostgreSQL: rows another sender has locked are passed over, not waited for (SQLite's BEGIN IMMEDIATE
    # already lets one sender at a time in).
    "outbox_due_skip_locked": _OUTBOX_DUE + " FOR UPDATE OF outbox SKIP LOCKED",
    # "{marks}": one "?" per text
    "outbox_claim": "UPDATE outbox SET status = 'sending', claimed_until = ?, attempts = attempts + 1 "
                    "WHERE id IN ({marks})",
    # "{marks}": one "?" per text. Only while the text is still ours (its lease unchanged since we took or renewed it)
    "outbox_renew": "UPDATE outbox SET claimed_until = ? WHERE status = 'sending' AND claimed_until = ? "
                    "AND id IN ({marks})",
    "outbox_sent": "UPDATE outbox SET status = ?, provider_sid = ?, sent_at = ?, claimed_until = NULL WHERE id = ?",
    "outbox_retry": "UPDATE outbox SET status = 'pending', last_error = ?, next_attempt_at = ?, claimed_until = NULL "
                    "WHERE id = ? AND status NOT IN ('sent', 'logged')",
    "outbox_failed": "UPDATE outbox SET status = 'failed', last_error = ?, claimed_until = NULL "
                     "WHERE id = ? AND status NOT IN ('sent', 'logged')",
    "outbox_by_id": f"SELECT {_OUTBOX_COLUMNS} {_OUTBOX_FROM} WHERE outbox.id = ?",
    "outbox_for_order": f"SELECT {_OUTBOX_COLUMNS} {_OUTBOX_FROM} WHERE outbox.order_id = ? ORDER BY outbox.id",
    "outbox_counts": "SELECT status, COUNT(*) AS n FROM outbox GROUP BY status",
    "texts_for_call": "SELECT COUNT(*) AS n FROM outbox WHERE call_id = ?",
    "requested_texts_for_call": "SELECT COUNT(*) AS n FROM outbox WHERE call_id = ? "
                                "AND kind IN ('menu_link', 'receipt')",
    "phones_not_e164": "SELECT id, customer_phone FROM orders WHERE customer_phone IS NOT NULL "
                       "AND (customer_phone NOT LIKE '+%' OR customer_phone LIKE '% %' OR customer_phone LIKE '%-%' "
                       "OR customer_phone LIKE '%(%')",
    "phone_set": "UPDATE orders SET customer_phone = ? WHERE id = ?",
    "forgotten_add": "INSERT INTO forgotten_phones (phone_hash, forgotten_at) VALUES (?, ?) "
                     "ON CONFLICT (phone_hash) DO NOTHING",
    "forgotten_all": "SELECT phone_hash, forgotten_at FROM forgotten_phones",
    "known_phones": "SELECT customer_phone AS phone FROM orders WHERE customer_phone IS NOT NULL UNION "
                    "SELECT to_phone AS phone FROM outbox UNION "
                    "SELECT phone FROM abandoned_carts WHERE phone IS NOT NULL UNION "
                    "SELECT caller AS phone FROM calls WHERE caller IS NOT NULL UNION "
                    "SELECT phone FROM call_messages WHERE phone IS NOT NULL",
    "heartbeat_beat": "INSERT INTO server_heartbeats (server_id, host, pid, beat_at) VALUES (?, ?, ?, ?) "
                      "ON CONFLICT (server_id) DO UPDATE SET beat_at = excluded.beat_at",
    "heartbeat_end": "DELETE FROM server_heartbeats WHERE server_id = ?",
    "heartbeats_clear": "DELETE FROM server_heartbeats",
    "heartbeats_since": "SELECT server_id, host, pid, beat_at FROM server_heartbeats WHERE beat_at >= ? "
                        "ORDER BY beat_at DESC",
    "session_save": "INSERT INTO saved_sessions (call_id, session, saved_at) VALUES (?, ?, ?) ON CONFLICT (call_id) "
                    "DO UPDATE SET session = excluded.session, saved_at = excluded.saved_at",
    "sessions_saved": "SELECT call_id, session FROM saved_sessions ORDER BY saved_at, call_id",
    "sessions_saved_clear": "DELETE FROM saved_sessions",
    "abandoned_add": "INSERT INTO abandoned_carts (call_id, masked_phone, phone, summary, total, created_at, "
                     "shop_id) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
}
