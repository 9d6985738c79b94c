"""``forumcrawl nlp-worker`` against the real Redis: at-least-once delivery
across a SIGKILL, re-claiming a dead consumer's entries, poison messages, and a
Redis server that goes away and comes back."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa

from crawler.nlp.stream import publish_posts
from crawler.nlp.worker import StreamWorker
from frontier_support import PrivateRedis
from nlp_support import forum
from storage import Store, post_key
from storage.models import PostAnnotation

pytestmark = pytest.mark.redis
TESTS = Path(__file__).resolve().parent
FORUMCRAWL = Path(sys.executable).with_name("forumcrawl")


@pytest.fixture
def stream(redis_url):
    """A unique stream key in the test database, deleted afterwards."""
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    key = f"fctest:{uuid.uuid4().hex[:10]}:posts"
    yield client, key
    client.delete(key, f"{key}:dead")


def run_worker(redis_url: str, stream: str, log: Path, *args: str, env: dict | None = None) -> subprocess.Popen:
    environ = {**os.environ, "PYTHONPATH": str(TESTS), **(env or {})}
    cmd = [str(FORUMCRAWL), "nlp-worker", "--redis", redis_url, "--stream", stream, "--group", "g",
           "--exit-when-idle", *args]
    return subprocess.Popen(cmd, env=environ, stdout=subprocess.DEVNULL, stderr=open(log, "wb"))


def logged_keys(path: Path) -> list[str]:
    if not path.exists():
        return []
    return [k for line in path.read_text().splitlines() for k in json.loads(line)]


@pytest.mark.slow
def test_worker_killed_mid_batch_then_restarted_processes_everything_once_stored(database_url, redis_url,
                                                                                 stream, tmp_path):
    client, key = stream
    with Store(database_url) as store:
        threads, posts = forum(40)
        store.write_batch(threads, posts)
    keys = {post_key(p) for p in posts}
    publish_posts(client, posts, stream=key)
    hung, log1, log2 = tmp_path / "hung.json", tmp_path / "run1.jsonl", tmp_path / "run2.jsonl"
    common = ("--consumer", "c1", "--batch", "10", "--database", database_url,
              "--handler", "nlp_support:recording_handler")
    first = run_worker(redis_url, key, tmp_path / "w1.log", *common,
                       env={"NLP_TEST_LOG": str(log1), "NLP_TEST_HANG_BATCH": "2", "NLP_TEST_HUNG": str(hung)})
    while not hung.exists():  # the second batch is saved and not yet acknowledged
        assert first.poll() is None, (tmp_path / "w1.log").read_text()
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait()
    unacked = set(json.loads(hung.read_text()))
    assert client.xpending(key, "g")["pending"] >= len(unacked)

    second = run_worker(redis_url, key, tmp_path / "w2.log", *common, env={"NLP_TEST_LOG": str(log2)})
    assert second.wait(timeout=120) == 0, (tmp_path / "w2.log").read_text()
    assert set(logged_keys(log1)) | set(logged_keys(log2)) == keys  # every post at least once
    assert unacked <= set(logged_keys(log2))  # the killed batch was delivered again
    assert client.xpending(key, "g")["pending"] == 0
    with Store(database_url) as store, store.engine.connect() as conn:
        rows = conn.execute(sa.select(PostAnnotation.post_key, PostAnnotation.handler)).all()
    assert sorted(k for k, _ in rows) == sorted(keys)  # exactly one annotation per post
    assert {h for _, h in rows} == {"default"}


def test_entries_pending_in_a_dead_consumer_are_reclaimed(redis_url, stream):
    client, key = stream
    _, posts = forum(12)
    publish_posts(client, posts, stream=key)
    client.xgroup_create(key, "g", id="0")
    taken = client.xreadgroup("g", "dead", {key: ">"}, count=7)[0][1]  # ...and the consumer dies
    assert len(taken) == 7
    seen: list[str] = []
    worker = StreamWorker(redis_url, "g", lambda batch: seen.extend(p["post_key"] for p in batch),
                          consumer="alive", stream=key, batch=5, block_ms=100, claim_idle_ms=200,
                          exit_when_idle=True)
    assert worker.run() == 0
    assert sorted(seen) == sorted(post_key(p) for p in posts)
    assert worker.stats["claimed"] == 7
    assert client.xpending(key, "g")["pending"] == 0


def test_a_poison_entry_is_dead_lettered_and_the_rest_processed(redis_url, stream):
    client, key = stream
    _, posts = forum(6)
    posts[3] = dict(posts[3], text="POISON")
    publish_posts(client, posts, stream=key)
    done: list[str] = []

    def handler(batch):
        if any(p["text"] == "POISON" for p in batch):
            raise ValueError("cannot digest this post")
        done.extend(p["post_key"] for p in batch)

    worker = StreamWorker(redis_url, "g", handler, consumer="c", stream=key, batch=10, block_ms=100,
                          max_deliveries=2, exit_when_idle=True, retry_delay=0.01)
    assert worker.run() == 0
    assert sorted(done) == sorted(post_key(p) for i, p in enumerate(posts) if i != 3)
    dead = client.xrange(f"{key}:dead")
    assert [d[1]["post_key"] for d in dead] == [post_key(posts[3])]
    assert "cannot digest" in dead[0][1]["error"]
    assert client.xpending(key, "g")["pending"] == 0


@pytest.mark.slow
def test_redis_going_away_is_reported_and_work_resumes(tmp_path):
    data = tmp_path / "redis"
    data.mkdir()
    server = PrivateRedis(data)
    server.start()
    try:
        client = redis.Redis.from_url(server.url, decode_responses=True)
        _, posts = forum(30)
        publish_posts(client, posts, stream="posts")
        log, out = tmp_path / "w.log", tmp_path / "seen.jsonl"
        worker = run_worker(server.url, "posts", log, "--batch", "3", "--handler", "nlp_support:slow_recorder",
                            env={"NLP_TEST_LOG": str(out), "NLP_TEST_SLEEP": "0.1"})
        while len(logged_keys(out)) < 6:
            assert worker.poll() is None, log.read_text()
            time.sleep(0.05)
        server.kill()
        while "Redis unreachable" not in log.read_text():
            assert worker.poll() is None, log.read_text()
            time.sleep(0.1)
        server.start()
        assert worker.wait(timeout=120) == 0, log.read_text()
        text = log.read_text()
        assert "is back after" in text
        assert set(logged_keys(out)) == {post_key(p) for p in posts}
        assert client.xpending("posts", "g")["pending"] == 0
    finally:
        server.kill()


def _pending(client, key) -> int:
    """Entries pending in group g; 0 while the worker has not created the group yet."""
    try:
        return client.xpending(key, "g")["pending"]
    except redis.ResponseError:
        return 0


def test_sigterm_finishes_the_current_batch_then_exits(redis_url, stream, tmp_path):
    client, key = stream
    _, posts = forum(20)
    publish_posts(client, posts, stream=key)
    log, out = tmp_path / "w.log", tmp_path / "seen.jsonl"
    worker = run_worker(redis_url, key, log, "--batch", "4", "--handler", "nlp_support:slow_recorder",
                        env={"NLP_TEST_LOG": str(out), "NLP_TEST_SLEEP": "0.5"})
    while "nlp-worker" not in log.read_text():  # started and reading
        assert worker.poll() is None, log.read_text()
        time.sleep(0.05)
    while _pending(client, key) == 0:  # a batch is in the handler
        time.sleep(0.02)
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=60) == 0, log.read_text()
    assert "finishing the current batch" in log.read_text()
    handled = logged_keys(out)
    assert handled and len(handled) < len(posts)  # stopped early...
    assert client.xpending(key, "g")["pending"] == 0  # ...with everything it handled acknowledged
    assert sorted(handled) == sorted(post_key(p) for p in posts[: len(handled)])
