"""The order database: `Database`, `DatabaseConnection`, `init_database`, the schema and the order records.

One schema and one set of statements for two engines, chosen by DATABASE_URL: `sqlite:///path.db` (the
default, one process) or `postgresql://user@host/name` (psycopg 3 with a connection pool, for several
workers). Timestamps are ISO-8601 UTC text of one fixed width (so text order is time order); money is
integer cents.

  schema.py   MIGRATIONS and SQL          records.py  NewOrder, StoredOrder, OutboxMessage, OutboxRow
  orders.py   Database, init_database     sqlite.py / postgres.py   the two engines
"""
from kebabalab.store.orders import Database, init_database, insert_messages, migrate, open_engine
from kebabalab.store.records import NewOrder, OutboxMark, OutboxMessage, OutboxRow, StoredOrder, order_number_for, utc_text
from kebabalab.store.schema import MIGRATIONS, ORDER_COLUMNS, OUTBOX_KINDS, OUTBOX_STATUSES, SQL
from kebabalab.store.sqlite import DatabaseConnection, database_path

__all__ = ["MIGRATIONS", "ORDER_COLUMNS", "OUTBOX_KINDS", "OUTBOX_STATUSES", "SQL", "Database", "DatabaseConnection",
           "NewOrder", "OutboxMark", "OutboxMessage", "OutboxRow", "StoredOrder", "database_path", "init_database", "insert_messages",
           "migrate", "open_engine", "order_number_for", "utc_text"]
