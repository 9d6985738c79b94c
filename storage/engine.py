"""Engines tuned per back end, and translation of connection failures.

SQLite: WAL (readers never block the writer), a busy timeout (several
processes may share one file), foreign keys on, ``synchronous=FULL`` so a
committed batch survives a crash, and write transactions that begin with
``BEGIN IMMEDIATE`` so two writers queue instead of failing with "database is
locked" when both upgrade from reading to writing.
PostgreSQL: pre-ping pooled connections so a restarted server is reconnected to.
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator

import sqlalchemy as sa
from sqlalchemy import event, exc

from .errors import StoreUnavailable, UnsupportedDatabase

SQLITE_BUSY_TIMEOUT_MS = 30_000
IMMEDIATE = "forumcrawl_begin_immediate"
# connection exception, transaction rollback (deadlock, serialization), insufficient
# resources, operator intervention (shutdown, statement timeout), system error
RETRYABLE_SQLSTATE_CLASSES = ("08", "40", "53", "57", "58")
NOT_OUTAGES = ("no such table", "no such column", "has no column", "syntax error", "readonly database")
BACKENDS = ("sqlite", "postgresql")  # the upserts are written for these two


def check_url(url: str) -> sa.URL:
    """``url`` parsed, or UnsupportedDatabase if it is malformed or not SQLite/PostgreSQL."""
    try:
        parsed = sa.make_url(url)
    except exc.ArgumentError:
        raise UnsupportedDatabase(f"cannot read the database URL {url!r}") from None
    backend = parsed.get_backend_name()
    if backend not in BACKENDS:
        shown = parsed.render_as_string(hide_password=True)
        raise UnsupportedDatabase(f"cannot store into {shown}: forumcrawl writes to SQLite or PostgreSQL only")
    return parsed


def make_engine(url: str, *, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS) -> sa.Engine:
    """A SQLAlchemy engine for ``url`` with the settings this module describes."""
    parsed = check_url(url)
    try:
        return _make_engine(url, busy_timeout_ms)
    except (ImportError, exc.NoSuchModuleError) as err:
        raise UnsupportedDatabase(f"no driver {parsed.drivername!r} installed for "
                                  f"{parsed.render_as_string(hide_password=True)} ({err})") from None


def _make_engine(url: str, busy_timeout_ms: int) -> sa.Engine:
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": busy_timeout_ms / 1000})
        _tune_sqlite(engine, busy_timeout_ms)
        return engine
    kwargs: dict = {"pool_pre_ping": True}
    if url.startswith("postgresql"):
        kwargs["connect_args"] = {"connect_timeout": 10}
    return sa.create_engine(url, **kwargs)


def _tune_sqlite(engine: sa.Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_conn, _record):
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cur.execute("PRAGMA foreign_keys = ON")
        mode = cur.execute("PRAGMA journal_mode").fetchone()[0]
        if mode != "wal" and mode != "memory":
            cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = FULL")
        cur.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn):
        immediate = conn.get_execution_options().get(IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextlib.contextmanager
def write_transaction(engine: sa.Engine) -> Iterator[sa.Connection]:
    """One write transaction (SQLite: taken with BEGIN IMMEDIATE); commits or rolls back whole."""
    with translate_errors():
        with engine.connect() as conn:
            conn.execution_options(**{IMMEDIATE: True})
            with conn.begin():
                yield conn


@contextlib.contextmanager
def read_connection(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A connection for reads, with connection failures translated."""
    with translate_errors():
        with engine.connect() as conn:
            yield conn


@contextlib.contextmanager
def translate_errors() -> Iterator[None]:
    """Turn "the database is not there right now" into :class:`StoreUnavailable`."""
    try:
        yield
    except StoreUnavailable:
        raise
    except (exc.OperationalError, exc.InterfaceError, exc.DisconnectionError, exc.TimeoutError) as err:
        if _is_unavailable(err):
            raise StoreUnavailable(f"database unavailable: {_first_line(err)}") from err
        raise


def _is_unavailable(err: Exception) -> bool:
    if isinstance(err, (exc.DisconnectionError, exc.TimeoutError, exc.InterfaceError)):
        return True
    if getattr(err, "connection_invalidated", False):
        return True
    sqlstate = getattr(getattr(err, "orig", None), "sqlstate", None)
    if sqlstate:  # PostgreSQL says what kind of failure it is
        return sqlstate[:2] in RETRYABLE_SQLSTATE_CLASSES or sqlstate == "55P03"
    message = str(getattr(err, "orig", err)).lower()
    if any(sign in message for sign in NOT_OUTAGES):
        return False  # a bug, a missing migration or a read-only file: retrying cannot help
    return True


def _first_line(err: Exception) -> str:
    orig = getattr(err, "orig", None) or err
    text = str(orig).strip().splitlines()
    return text[0] if text else type(orig).__name__
