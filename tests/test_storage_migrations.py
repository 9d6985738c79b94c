"""Alembic migrations: from empty to head, idempotent, reversible, concurrent opens, models in sync."""
from __future__ import annotations

import threading

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from storage import Store, migrate
from storage.models import Base

def table_names(store: Store) -> set[str]:
    return set(sa.inspect(store.engine).get_table_names())


def test_migrations_from_empty_are_idempotent_and_reversible(database_url):
    with Store(database_url) as store:
        tables = table_names(store)
        assert {"sites", "threads", "posts", "pages", "crawl_runs", "post_annotations", "schedules"} <= tables
        with store.engine.connect() as conn:
            assert migrate.current_revision(conn) == migrate.head_revision()
    with Store(database_url) as again:  # second open: nothing to do, nothing changes
        assert table_names(again) == tables
        migrate.downgrade(again.engine, "base")
        assert not (table_names(again) & {"posts", "threads", "sites"})
        migrate.upgrade(again.engine)
        assert table_names(again) == tables


def test_models_match_the_migrated_schema(database_url):
    with Store(database_url) as store, store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": migrate.include_object})
        assert compare_metadata(context, Base.metadata) == []


def test_concurrent_first_opens_migrate_once(database_url):
    errors = []

    def open_store():
        try:
            Store(database_url).close()
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    workers = [threading.Thread(target=open_store) for _ in range(3)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=60)
    assert errors == []
    with Store(database_url) as store, store.engine.connect() as conn:
        assert migrate.current_revision(conn) == migrate.head_revision()


def test_opening_an_older_database_upgrades_it_and_keeps_its_posts(database_url, monkeypatch):
    from storage import query
    from storage.engine import make_engine
    from test_storage_items import thread_with_posts

    with monkeypatch.context() as patch:  # write as the code of revision 0001 did: no bigram index
        patch.setattr(Store, "_index_search", lambda *args: None)
        with Store(database_url) as old:
            old.write_batch(*thread_with_posts(1, 3, text="北京天气预报"))
    engine = make_engine(database_url)   # then back to 0001 (today's code writes today's columns)
    migrate.downgrade(engine, "0001")
    with engine.connect() as conn:
        assert migrate.current_revision(conn) == "0001"
        assert conn.execute(sa.text("SELECT count(*) FROM posts")).scalar_one() == 3
    engine.dispose()
    with Store(database_url) as store, store.engine.connect() as conn:
        assert migrate.current_revision(conn) == migrate.head_revision() != "0001"
        assert conn.execute(sa.text("SELECT count(*) FROM posts_view")).scalar_one() == 3
        assert len(query.posts(store, search="天气")) == 3  # 0003 (PostgreSQL) / 0004 (SQLite) indexed the posts already stored
        if store.dialect == "sqlite":
            assert conn.execute(sa.text("SELECT count(*) FROM posts_fts WHERE posts_fts MATCH '天气'")).scalar_one() == 3


def test_migration_0009_site_order_indexes_keep_posts_run_twice_and_go_back(database_url, monkeypatch):
    from storage import query
    from storage.engine import make_engine
    from test_storage_items import SITE, thread_with_posts

    def post_indexes(conn) -> set[str]:
        return {ix["name"] for ix in sa.inspect(conn).get_indexes("posts")}

    engine = make_engine(database_url)
    migrate.upgrade(engine, "0008")
    with engine.connect() as conn:
        assert "ix_posts_site_id" in post_indexes(conn) and "ix_posts_site_newest" not in post_indexes(conn)
    engine.dispose()
    with monkeypatch.context() as patch, Store(database_url, migrate_schema=False) as old:   # posts written at 0008
        patch.setattr(Store, "_index_search", lambda *args: None)  # (today's search index is 0010's)
        old.write_batch(*thread_with_posts(1, 3))
    with Store(database_url) as store:   # 0009
        with store.engine.begin() as conn:
            assert {"ix_posts_site_thread_order", "ix_posts_site_newest"} <= post_indexes(conn)
            assert "ix_posts_site_id" not in post_indexes(conn)
            conn.execute(sa.text("UPDATE alembic_version SET version_num = '0008'"))
    with Store(database_url) as store, store.engine.connect() as conn:   # 0009 again over its own indexes
        assert migrate.current_revision(conn) == migrate.head_revision()
        assert [r["position"] for r in query.posts(store, site=SITE, order="newest")] == [3, 2, 1]
    engine = make_engine(database_url)
    migrate.downgrade(engine, "0008")
    with engine.connect() as conn:
        indexes = post_indexes(conn)
        assert "ix_posts_site_id" in indexes and not indexes & {"ix_posts_site_thread_order", "ix_posts_site_newest"}
    engine.dispose()


def test_a_new_database_logs_one_line_and_a_second_open_none(tmp_path, caplog):
    """Alembic's own INFO lines (a few per open, one per step) would bury a crawl's first screen."""
    url = f"sqlite:///{tmp_path / 'posts.db'}"
    with caplog.at_level("INFO"):
        Store(url).close()
    ours = [r.getMessage() for r in caplog.records if r.name == "storage.migrate"]
    assert len(ours) == 1 and "created (schema " + migrate.head_revision() + ")" in ours[0]
    assert not [r for r in caplog.records if r.name.startswith("alembic") and r.levelno < 30]
    caplog.clear()
    with caplog.at_level("INFO"):
        Store(url).close()
    assert not [r for r in caplog.records if r.name.startswith(("alembic", "storage.migrate"))]
    migrate.downgrade(sa.create_engine(url), "0007")
    with caplog.at_level("INFO"):
        Store(url).close()
    ours = [r.getMessage() for r in caplog.records if r.name == "storage.migrate"]
    assert ours and "upgraded from schema 0007 to " + migrate.head_revision() in ours[0]
