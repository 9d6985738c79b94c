"""The store pipeline's NLP hook end to end: a crawl with the stream on puts exactly
its new posts on the Redis Stream, once each; a full re-crawl after one post was
edited publishes exactly that post (unchanged posts are not re-sent)."""
from __future__ import annotations

import uuid

import pytest
import redis

from crawler.demo.forum import build_forum
from storage import post_key
from tests.sites import LiveForum, last_run_stats, norm, run_crawl, stored_posts

pytestmark = [pytest.mark.redis, pytest.mark.slow]


def entries(client, stream, after="-"):
    return [{k.decode(): v.decode() for k, v in fields.items()} for _, fields in client.xrange(stream, min=after)]


def test_crawl_publishes_new_posts_then_only_the_edited_one(redis_url, sqlite_url):
    stream = f"fctest:posts:{uuid.uuid4().hex[:10]}"
    client = redis.Redis.from_url(redis_url)
    live = LiveForum(build_forum(seed=5, threads_per_board=2))
    hook = (f"FORUMCRAWL_NLP_REDIS_URL={redis_url}", f"FORUMCRAWL_NLP_STREAM_KEY={stream}")
    try:
        run_crawl(live.url, sqlite_url, *hook)
        first = entries(client, stream)
        stored = stored_posts(sqlite_url, live.server.url)
        stats = last_run_stats(sqlite_url)
        assert stored and sorted(e["post_key"] for e in first) == sorted(post_key(p) for p in stored)
        assert stats["forumcrawl/nlp_published"] == len(first) == stats["forumcrawl/db_posts_inserted"]
        sample = first[0]
        assert sample["site"] == live.server.url and sample["text"] and sample["thread_url"].startswith(sample["site"])

        board, thread = next((b, t) for b, t in live.forum.all_threads() if len(t.posts) >= 3)
        live.mutate(lambda f: f.edit_post(thread.id, 2, "This answer was edited after the first crawl."))
        last_id = client.xrevrange(stream, count=1)[0][0].decode()
        run_crawl(live.url, sqlite_url, *hook, args=("full=1",))
        later = [e for e in entries(client, stream, after=f"({last_id}")]
    finally:
        live.stop()
        client.delete(stream)
    assert len(later) == 1
    assert norm(later[0]["text"]) == "This answer was edited after the first crawl."
    assert later[0]["position"] == "2" and later[0]["thread_title"] == thread.title
    assert last_run_stats(sqlite_url)["forumcrawl/db_posts_updated"] == 1


def test_without_redis_the_handler_runs_in_process(sqlite_url):
    import sqlalchemy as sa

    from storage.models import PostAnnotation

    live = LiveForum(build_forum(seed=6, threads_per_board=1))
    try:
        run_crawl(live.url, sqlite_url, "FORUMCRAWL_NLP_IN_PROCESS=True")
        stored = stored_posts(sqlite_url, live.server.url)
    finally:
        live.stop()
    engine = sa.create_engine(sqlite_url)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(PostAnnotation.post_key, PostAnnotation.language,
                                      PostAnnotation.tokens)).all()
    engine.dispose()
    assert stored and sorted(r.post_key for r in rows) == sorted(post_key(p) for p in stored)
    languages = {r.language for r in rows}
    assert {"en", "zh"} <= languages and all(r.tokens for r in rows)
