"""Run the Alembic migrations from code, so no alembic.ini is needed anywhere.

Several crawler processes may open the same database at once; the upgrade runs
inside one transaction that first takes a lock (SQLite: BEGIN IMMEDIATE;
PostgreSQL: an advisory transaction lock), so exactly one of them migrates and
the others find the schema at head.
"""
from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from .engine import write_transaction

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
ADVISORY_LOCK_KEY = 0x66637261776C  # "fcrawl"


SEARCH_OBJECT_PREFIXES = (
    "posts_fts", "ix_posts_text_trgm", "posts_cjk", "ix_posts_cjk", "posts_terms", "ix_posts_terms",
    "ix_posts_published_newest", "posts_search", "posts_trigram", "posts_match",
    "ix_posts_site_newest",  # not a search object, but like ix_posts_published_newest it differs by dialect (0009)
)


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Autogenerate filter: the full-text search objects live only in migrations, not in models."""
    return not (name or "").startswith(SEARCH_OBJECT_PREFIXES)


def alembic_config(connection: sa.Connection | None = None) -> Config:
    """An Alembic Config pointing at storage/migrations (optionally bound to a connection)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    """The newest migration's revision id."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


@contextmanager
def _alembic_quiet() -> Iterator[None]:
    """Alembic logs a few INFO lines per database opened and one per migration step: a crawl's
    log gets one line of ours instead (warnings still show)."""
    alembic_log = logging.getLogger("alembic")
    level = alembic_log.level
    if alembic_log.getEffectiveLevel() < logging.WARNING:
        alembic_log.setLevel(logging.WARNING)
    try:
        yield
    finally:
        alembic_log.setLevel(level)


def current_revision(connection: sa.Connection) -> str | None:
    """The revision the database is at, or None when it was never migrated."""
    with _alembic_quiet():
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: sa.Engine, revision: str = "head") -> None:
    """Bring the database to ``revision``; a no-op (one cheap read) when already there."""
    head = head_revision()
    if revision == "head":
        with engine.connect() as conn:
            if current_revision(conn) == head:
                return
    with write_transaction(engine) as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": ADVISORY_LOCK_KEY})
        before = current_revision(conn)
        with _alembic_quiet():
            command.upgrade(alembic_config(conn), revision)
        after = current_revision(conn)
    if after != before:
        where = engine.url.render_as_string(hide_password=True)
        if before is None:
            log.info("Database %s created (schema %s)", where, after)
        else:
            log.info("Database %s upgraded from schema %s to %s", where, before, after)


def downgrade(engine: sa.Engine, revision: str = "base") -> None:
    """Step the schema back (used by tests and for undoing a failed upgrade)."""
    with write_transaction(engine) as conn:
        command.downgrade(alembic_config(conn), revision)
