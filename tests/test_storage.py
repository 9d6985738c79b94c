"""The SQL store on real SQLite and PostgreSQL: idempotent upserts, keys, runs, migrations."""
from __future__ import annotations

import sqlalchemy as sa

from storage import Store, StoreUnavailable, post_key, resolve_database_url
from storage.models import Post, Thread
from test_storage_items import SITE, post_item, thread_item, thread_with_posts


def count(store: Store, model) -> int:
    with store.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def test_write_batch_inserts_then_rewrite_is_a_no_op(database_url):
    with Store(database_url) as store:
        threads, posts = thread_with_posts(1, 12)
        first = store.write_batch(threads, posts)
        assert first.inserted == [post_key(p) for p in posts]  # in the batch's order
        assert first.updated == [] and first.unchanged == 0
        again = store.write_batch(threads, posts)
        assert again.inserted == [] and again.updated == [] and again.unchanged == 12
        assert count(store, Post) == 12 and count(store, Thread) == 1


def test_edit_one_and_add_one_gives_one_update_one_insert(database_url):
    with Store(database_url) as store:
        threads, posts = thread_with_posts(1, 4)
        store.write_batch(threads, posts)
        with store.engine.connect() as conn:
            before = conn.execute(sa.select(Post.first_seen, Post.last_seen).where(Post.position == 2)).one()
        posts[1] = dict(posts[1], text="Edited text", html="<p>Edited text</p>")
        posts.append(post_item(1, 5))
        result = store.write_batch(threads, posts)
        assert result.updated == [post_key(posts[1])]
        assert result.inserted == [post_key(posts[4])]
        assert result.unchanged == 3
        with store.engine.connect() as conn:
            row = conn.execute(sa.select(Post).where(Post.position == 2)).mappings().one()
        assert row["text"] == "Edited text"
        assert row["first_seen"] == before.first_seen
        assert row["last_seen"] >= before.last_seen and row["updated_at"] is not None
        assert count(store, Post) == 5


def test_posts_without_post_id_are_keyed_by_position(database_url):
    with Store(database_url) as store:
        threads, posts = thread_with_posts(2, 3, post_id=None)
        assert post_key(posts[0]) == f"{SITE}/t/2#pos=1"
        store.write_batch(threads, posts)
        moved = [dict(p, text=p["text"] + " (edited)") if p["position"] == 3 else p for p in posts]
        result = store.write_batch(threads, moved)
        assert result.inserted == [] and result.updated == [f"{SITE}/t/2#pos=3"]
        assert count(store, Post) == 3


def test_posts_alone_create_their_thread_and_pages_record_validators(database_url):
    with Store(database_url) as store:
        posts = [post_item(3, 1), post_item(3, 2, page=2)]
        store.write_batch([], posts, [{"site": SITE, "url": f"{SITE}/board", "status": 200, "kind": "listing",
                                       "etag": '"b1"', "last_modified": "Wed, 01 May 2024 10:00:00 GMT",
                                       "content_hash": "h", "fetched_at": "2024-05-01T12:00:00+00:00"}])
        assert count(store, Thread) == 1
        assert store.page_validators(f"{SITE}/board") == ('"b1"', "Wed, 01 May 2024 10:00:00 GMT")
        assert store.page_validators(f"{SITE}/nowhere") is None


def test_thread_states_keep_listing_facts_and_last_page(database_url):
    with Store(database_url) as store:
        store.write_batch([thread_item(4, replies=7, last_activity="2024-05-02T10:00:00+02:00")],
                          [post_item(4, 1)])
        store.write_batch([thread_item(4, page=2)], [post_item(4, 21, page=2)])
        state = store.thread_states(SITE)[f"{SITE}/t/4"]
        assert state["replies"] == 7  # a page without listing facts keeps the old ones
        assert state["last_activity"] == "2024-05-02T08:00:00+00:00"
        assert state["pages"] == 2 and state["etag"] == '"t4p2"' and state["posts"] == 2
        assert store.thread_states("http://other.test") == {}


def test_runs_record_args_stats_and_status(database_url):
    from datetime import datetime, timezone

    from storage.models import CrawlRun

    with Store(database_url) as store:
        run = store.start_run(SITE, {"url": SITE, "max_pages": 10})
        store.finish_run(run, stats={"item_scraped_count": 3, "start_time": datetime.now(timezone.utc)},
                         status="interrupted")
        with store.engine.connect() as conn:
            row = conn.execute(sa.select(CrawlRun).where(CrawlRun.id == run)).mappings().one()
        assert row["status"] == "interrupted" and row["args"]["max_pages"] == 10
        assert row["stats"]["item_scraped_count"] == 3 and row["finished_at"] >= row["started_at"]


def test_annotations_one_row_per_post_and_handler(database_url):
    with Store(database_url) as store:
        threads, posts = thread_with_posts(5, 2)
        store.write_batch(threads, posts)
        key = post_key(posts[0])
        rows = [{"post_key": key, "handler": "default", "language": "en", "keywords": ["a"], "tokens": 4},
                {"post_key": "missing#pos=1", "handler": "default"}]
        assert store.save_annotations(rows) == 1
        assert store.save_annotations([dict(rows[0], keywords=["b", "c"], tokens=5)]) == 1
        saved = store.annotations(key)
        assert len(saved) == 1 and saved[0]["keywords"] == ["b", "c"] and saved[0]["tokens"] == 5


def test_schedules_add_due_start_remove(database_url):
    from datetime import timedelta

    from storage.timeutil import utcnow

    with Store(database_url) as store:
        sid = store.add_schedule(SITE + "/", 3600, {"max_pages": 5})
        due = store.schedules(due_at=utcnow() + timedelta(seconds=1))
        assert [s["id"] for s in due] == [sid] and due[0]["args"] == {"max_pages": 5}
        run = store.start_run(SITE, {})
        store.schedule_started(sid, run)
        assert store.schedules(due_at=utcnow()) == []
        assert store.schedules()[0]["last_run_id"] == run
        assert store.remove_schedule(sid) and not store.remove_schedule(sid)


def test_unreachable_database_raises_store_unavailable():
    import pytest

    with pytest.raises(StoreUnavailable):
        Store("postgresql+psycopg://postgres@127.0.0.1:1/nowhere")


def test_database_url_resolution(monkeypatch):
    monkeypatch.delenv("FORUMCRAWL_DATABASE_URL", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert resolve_database_url() == "sqlite:///forumcrawl.db"
    monkeypatch.setenv("DATABASE_URL", "postgres://u@h/db")
    assert resolve_database_url() == "postgresql+psycopg://u@h/db"
    monkeypatch.setenv("FORUMCRAWL_DATABASE_URL", "sqlite:///a.db")
    assert resolve_database_url() == "sqlite:///a.db"
    assert resolve_database_url("b.db") == "sqlite:///b.db"


def test_connection_killed_mid_batch_raises_store_unavailable_and_retry_is_clean(postgres_url):
    """PostgreSQL drops the connection inside a batch: nothing is half-written, the retry succeeds."""
    import pytest
    from sqlalchemy import event

    with Store(postgres_url) as store:
        threads, posts = thread_with_posts(6, 20)
        admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
        killed = []

        @event.listens_for(store.engine, "commit")
        def kill_own_backend(conn):
            if not killed:
                pid = conn.exec_driver_sql("select pg_backend_pid()").scalar_one()
                with admin.connect() as other:
                    other.execute(sa.text("select pg_terminate_backend(:p)"), {"p": pid})
                killed.append(pid)

        with pytest.raises(StoreUnavailable):
            store.write_batch(threads, posts)
        admin.dispose()
        assert count(store, Post) == 0
        retry = store.write_batch(threads, posts)  # the pool reconnects by itself
        assert len(retry.inserted) == 20 and count(store, Post) == 20


def test_locked_sqlite_file_raises_store_unavailable(sqlite_url):
    import pytest

    from storage.engine import write_transaction

    Store(sqlite_url).close()
    with Store(sqlite_url, sqlite_busy_timeout=0.2) as store:
        holder = Store(sqlite_url)
        with write_transaction(holder.engine):  # another writer holds the lock
            with pytest.raises(StoreUnavailable):
                store.write_batch(*thread_with_posts(7, 2))
        holder.close()
        assert len(store.write_batch(*thread_with_posts(7, 2)).inserted) == 2


def test_unchanged_posts_move_last_seen_and_follow_a_new_page_without_counting_an_edit(database_url):
    import time

    with Store(database_url) as store:
        threads, posts = thread_with_posts(8, 3)
        store.write_batch(threads, posts)
        with store.engine.connect() as conn:
            before = dict(conn.execute(sa.select(Post.position, Post.last_seen)).all())
        time.sleep(0.01)
        moved = [dict(p, page_url=f"{SITE}/t/8?page=2", page_number=2) if p["position"] == 3 else p for p in posts]
        result = store.write_batch(threads, moved)
        assert (result.inserted, result.updated, result.unchanged) == ([], [], 3)
        with store.engine.connect() as conn:
            rows = {r.position: r for r in conn.execute(sa.select(Post.position, Post.last_seen, Post.page_url,
                                                                  Post.updated_at))}
        assert all(rows[n].last_seen > before[n] for n in (1, 2, 3))
        assert rows[3].page_url == f"{SITE}/t/8?page=2" and rows[1].page_url == f"{SITE}/t/8"
        assert all(r.updated_at is None for r in rows.values())


def test_read_only_sqlite_database_is_an_error_not_an_outage(sqlite_url):
    """Retrying cannot fix a read-only database, so it must not look like StoreUnavailable."""
    import pytest
    from sqlalchemy import event

    with Store(sqlite_url) as store:
        store.engine.dispose()
        event.listen(store.engine, "connect", lambda dbapi, _rec: dbapi.execute("PRAGMA query_only = ON"))
        with pytest.raises(Exception) as caught:
            store.write_batch(*thread_with_posts(9, 1))
        assert "readonly" in str(caught.value) and not isinstance(caught.value, StoreUnavailable)


def test_unstorable_items_are_skipped_and_reported_not_fatal(database_url):
    with Store(database_url) as store:
        threads, posts = thread_with_posts(10, 3)
        bad = [
            dict(posts[0], thread_url=None),
            dict(posts[0], post_id=None, position=None),
            dict(posts[0], post_id="x", thread_url=f"{SITE}/t/" + "9" * 3000),
        ]
        result = store.write_batch(threads, posts + bad, [{"site": SITE, "url": None}])
        assert len(result.inserted) == 3 and len(result.skipped) == 4
        assert any("longer than" in reason for reason in result.skipped)
        assert count(store, Post) == 3


def test_oversized_fields_are_cut_to_what_the_columns_hold(database_url):
    with Store(database_url) as store:
        threads, posts = thread_with_posts(11, 1, author="名" * 3000, language="x" * 40)
        result = store.write_batch(threads, posts)
        assert len(result.inserted) == 1
        with store.engine.connect() as conn:
            author, language = conn.execute(sa.select(Post.author, Post.language)).one()
        assert author == "名" * 500 and language == "x" * 16
