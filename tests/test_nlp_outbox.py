"""At least once to the NLP stream across crashes: the transactional outbox.

A post is marked "not yet published" in the transaction that stores it; the mark
goes only once the stream has that version. A crawler SIGKILLed between its
commit and its publish therefore loses nothing downstream: the resumed crawl, or
``forumcrawl nlp-publish --pending``, publishes what was left marked.
"""
from __future__ import annotations

import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa

from crawler.demo.forum import build_forum
from crawler.nlp.stream import PostPublisher, redis_client
from nlp_support import forum
from storage import Store, post_key
from storage.models import Post
from tests.sites import REPO, LiveForum, _env, crawl_command, run_crawl
from tests.sites.stub import SilentServer

pytestmark = pytest.mark.redis


@pytest.fixture
def stream(redis_url):
    key = f"fctest:outbox:{uuid.uuid4().hex[:10]}"
    yield key
    redis.Redis.from_url(redis_url).delete(key)


def stream_keys(redis_url: str, stream: str) -> list[str]:
    client = redis.Redis.from_url(redis_url)
    return [fields[b"post_key"].decode() for _, fields in client.xrange(stream)]


def stored_keys(database_url: str) -> set[str]:
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            return set(conn.execute(sa.select(Post.post_key)).scalars())
    finally:
        engine.dispose()


def outbox_rows(store: Store) -> int:
    return store.outbox_size()


Tarpit = SilentServer  # a Redis that hangs the publisher right after the crawl's commit, so a SIGKILL lands there


# -- the store and the publisher -------------------------------------------------------------

def test_outbox_marks_new_and_edited_posts_in_the_same_write(database_url):
    threads, posts = forum(6)
    with Store(database_url) as store:
        result = store.write_batch(threads, posts[:3])                 # the hook off: no marks
        assert result.outbox == {} and outbox_rows(store) == 0
        result = store.write_batch(threads, posts, outbox=True)
        assert sorted(result.outbox) == sorted(post_key(p) for p in posts[3:])   # only the new ones
        edited = dict(posts[0], text="edited " + posts[0]["text"])
        result = store.write_batch(threads, [edited, *posts[1:]], outbox=True)
        assert list(result.outbox) == [post_key(edited)] and outbox_rows(store) == 4
        pending = store.pending_posts()
        assert sorted(p["post_key"] for p in pending) == sorted(post_key(p) for p in [edited, *posts[3:]])
        ids = [p["outbox_mark"][0] for p in pending]
        assert ids == sorted(ids) and store.pending_posts(after=ids[1]) == pending[2:]
        by_key = {p["post_key"]: p for p in pending}
        assert by_key[post_key(edited)]["text"] == edited["text"]
        assert by_key[post_key(posts[3])]["published"] == "2024-05-01T10:00:00+08:00"
        assert by_key[post_key(posts[3])]["thread_title"] == "Thread 1" and by_key[post_key(posts[3])]["site"]
        # Clearing a version that was edited again since leaves the newer mark.
        old_mark = result.outbox[post_key(edited)]
        again = dict(edited, text="edited twice")
        store.write_batch(threads, [again], outbox=True)
        store.clear_outbox([old_mark])
        assert outbox_rows(store) == 4
        store.clear_outbox([p["outbox_mark"] for p in store.pending_posts()])
        assert outbox_rows(store) == 0
        # Marks cleared in the transaction of the next batch.
        result = store.write_batch(threads, [dict(posts[5], text="new text")], outbox=True)
        assert outbox_rows(store) == 1
        store.write_batch(threads, [], [], clear_outbox=result.outbox.values())
        assert outbox_rows(store) == 0


def test_publisher_keeps_marks_while_redis_is_away_and_drains_them_later(sqlite_url, redis_url, stream):
    threads, posts = forum(12)
    with Store(sqlite_url) as store:
        down = PostPublisher(client=redis.Redis.from_url("redis://127.0.0.1:1/0"), stream=stream, retry_after=0)
        assert down.publish(posts[:8], store.write_batch(threads, posts[:8], outbox=True)) == 0
        assert down.failed == 8 and down.backlog and outbox_rows(store) == 8
        assert down.drain(store) == 0 and outbox_rows(store) == 8
        up = PostPublisher(client=redis_client(redis_url), stream=stream)
        result = store.write_batch(threads, posts, outbox=True)
        assert up.publish(posts, result) == 4
        assert outbox_rows(store) == 12                 # published marks are cleared with the next write
        assert up.drain(store) == 8                     # the 8 Redis missed; not the 4 just sent
        store.write_batch(threads, [], clear_outbox=up.take_marks())
        assert outbox_rows(store) == 0 and not up.backlog
    assert sorted(stream_keys(redis_url, stream)) == sorted(post_key(p) for p in posts)


# -- SIGKILL end to end ----------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("recovery", ["resumed crawl", "nlp-publish --pending"])
def test_sigkill_between_commit_and_publish_loses_nothing_downstream(recovery, tmp_path, redis_url, stream):
    database = f"sqlite:///{tmp_path / 'killed.db'}"
    jobdir = tmp_path / "job"
    tarpit = Tarpit()
    live = LiveForum(build_forum(seed=7, threads_per_board=4))
    first = ("CONCURRENT_REQUESTS=2", "FORUMCRAWL_BATCH_SIZE=15", "FORUMCRAWL_FLUSH_INTERVAL=0.3",
             f"FORUMCRAWL_NLP_REDIS_URL=redis://127.0.0.1:{tarpit.port}/0", f"FORUMCRAWL_NLP_STREAM_KEY={stream}",
             f"JOBDIR={jobdir}")
    log = (tmp_path / "killed.log").open("w")
    proc = subprocess.Popen(crawl_command(live.url, database, *first), cwd=REPO, env=_env(),
                            stdout=subprocess.DEVNULL, stderr=log)
    try:
        # The first batch is committed; its publish hangs on the tarpit: kill the crawler there.
        assert tarpit.accepted.wait(90), (tmp_path / "killed.log").read_text()[-2000:]
        time.sleep(0.5)
        assert proc.poll() is None
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()
        tarpit.close()
    committed = stored_keys(database)
    assert committed, "nothing was committed before the kill"
    assert stream_keys(redis_url, stream) == []

    try:
        if recovery == "resumed crawl":
            run_crawl(live.url, database, f"JOBDIR={jobdir}", f"FORUMCRAWL_NLP_REDIS_URL={redis_url}",
                      f"FORUMCRAWL_NLP_STREAM_KEY={stream}")
        else:
            forumcrawl = str(Path(sys.executable).with_name("forumcrawl"))
            done = subprocess.run([forumcrawl, "nlp-publish", "--pending", "--database", database, "--redis",
                                   redis_url, "--stream", stream], env=_env(), capture_output=True, text=True,
                                  timeout=120)
            assert done.returncode == 0, done.stderr
            assert f"published {len(committed)} pending posts" in done.stdout
    finally:
        live.stop()
    published = stream_keys(redis_url, stream)
    stored = stored_keys(database)
    assert stored >= committed
    assert set(published) >= stored, f"{len(stored - set(published))} of {len(stored)} stored posts never published"
    with Store(database) as store:
        assert outbox_rows(store) == 0


@pytest.mark.slow
def test_sigkill_at_a_random_moment_then_resume_publishes_every_stored_post(tmp_path, redis_url, stream):
    database = f"sqlite:///{tmp_path / 'killed.db'}"
    jobdir = tmp_path / "job"
    live = LiveForum(build_forum(seed=8, threads_per_board=4))
    hook = (f"FORUMCRAWL_NLP_REDIS_URL={redis_url}", f"FORUMCRAWL_NLP_STREAM_KEY={stream}", f"JOBDIR={jobdir}")
    slow = ("CONCURRENT_REQUESTS=2", "DOWNLOAD_DELAY=0.02", "FORUMCRAWL_BATCH_SIZE=15")
    proc = subprocess.Popen(crawl_command(live.url, database, *hook, *slow), cwd=REPO, env=_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and proc.poll() is None and len(_safe_keys(database)) < 40:
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        run_crawl(live.url, database, *hook)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        live.stop()
    stored = stored_keys(database)
    assert stored and set(stream_keys(redis_url, stream)) >= stored


def _safe_keys(database: str) -> set[str]:
    try:
        return stored_keys(database)
    except Exception:  # noqa: BLE001 - the schema may not exist yet
        return set()
