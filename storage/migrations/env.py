"""Alembic environment: runs on the connection storage.migrate hands over."""
from __future__ import annotations

from alembic import context

from storage.migrate import include_object
from storage.models import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:  # plain `alembic` use with -x url=... or sqlalchemy.url
        import sqlalchemy as sa

        url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            _migrate(conn)
        engine.dispose()
        return
    _migrate(connection)


def _migrate(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("forumcrawl migrations run online only (storage.migrate.upgrade)")
run()
