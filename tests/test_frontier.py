"""The shared Redis frontier: exclusive pops, recovery of a dead worker's
requests, global termination, compact dedup, and crawls by several real
``scrapy`` processes (tests/frontier_support.py)."""
from __future__ import annotations

import subprocess
import threading
import time
import uuid

import pytest
import redis
from scrapy import Request

from crawler.frontier import CompactDupeFilter, ReliableQueue, seed
from frontier_support import CountingSite, PrivateRedis, start_worker, write_spider

pytestmark = pytest.mark.redis


class _Spider:
    name = "frontier_test"


@pytest.fixture
def rkey(redis_url):
    """A unique key prefix in the test database; its keys are deleted afterwards."""
    client = redis.Redis.from_url(redis_url)
    key = f"fctest:{uuid.uuid4().hex[:10]}"
    yield client, key
    for k in client.scan_iter(match=f"{key}*"):
        client.delete(k)


def _queue(client, key, worker):
    return ReliableQueue(client, _Spider(), key, worker_id=worker)


def test_two_consumers_never_get_the_same_request(rkey, redis_url):
    client, key = rkey
    producer = _queue(client, key, "producer")
    urls = [f"http://example.invalid/{i}" for i in range(300)]
    for url in urls:
        producer.push(Request(url))
    got: dict[str, list[str]] = {"a": [], "b": []}

    def consume(name):
        q = _queue(redis.Redis.from_url(redis_url), key, name)  # its own connection
        while (r := q.pop()) is not None:
            got[name].append(r.url)

    threads = [threading.Thread(target=consume, args=(n,)) for n in got]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not set(got["a"]) & set(got["b"])
    assert sorted(got["a"] + got["b"]) == sorted(urls)
    assert len(got["a"]) + len(got["b"]) == len(urls)


def test_popped_request_of_a_dead_worker_comes_back(rkey):
    client, key = rkey
    dead, live = _queue(client, key, "dead"), _queue(client, key, "live")
    for i in range(5):
        dead.push(Request(f"http://example.invalid/{i}", priority=i))
    dead.heartbeat(ttl=0.2)
    live.heartbeat(ttl=60)
    taken = [dead.pop().url for _ in range(3)]
    dead.ack([])  # nothing finished
    assert live.status() == (2, 3, 2)
    while client.exists(dead.alive_key):  # the dead worker's heartbeat lapses
        time.sleep(0.05)
    assert live.reap() == 3
    assert live.status() == (5, 0, 1)
    again = [live.pop().url for _ in range(5)]
    assert set(taken) <= set(again)
    assert again[0] == "http://example.invalid/4"  # priority order survives the re-queue


def test_a_worker_never_reaps_its_own_work(rkey):
    """Back from a Redis outage longer than its heartbeat's TTL, a worker's own reaping must
    not hand out the requests it is fetching; another worker's reaping does."""
    client, key = rkey
    worker, other = _queue(client, key, "w"), _queue(client, key, "o")
    for i in range(3):
        worker.push(Request(f"http://example.invalid/{i}"))
    worker.heartbeat(ttl=0.2)
    other.heartbeat(ttl=60)
    taken = [worker.pop().url for _ in range(2)]
    while client.exists(worker.alive_key):  # its heartbeat lapses (Redis was away)
        time.sleep(0.05)
    assert worker.reap(spare_self=True) == 0
    assert worker.status() == (1, 2, 2)
    assert other.reap(spare_self=True) == 2
    again = [other.pop().url for _ in range(3)]
    assert set(taken) < set(again) and len(set(again)) == 3


def test_acknowledged_requests_do_not_come_back(rkey):
    client, key = rkey
    worker, other = _queue(client, key, "w"), _queue(client, key, "o")
    worker.push(Request("http://example.invalid/a"))
    worker.push(Request("http://example.invalid/b"))
    worker.heartbeat(ttl=0.2)
    other.heartbeat(ttl=60)
    first = worker.pop()
    worker.ack([first.meta["frontier_id"]])
    second = worker.pop()
    while client.exists(worker.alive_key):
        time.sleep(0.05)
    assert other.reap() == 1
    assert other.pop().url == second.url
    assert other.pop() is None


def test_compact_dupefilter_is_exact_and_small(rkey):
    client, key = rkey
    df = CompactDupeFilter(client, key, capacity=20_000)
    urls = [f"http://example.invalid/thread/{i}?page=2" for i in range(2000)]
    assert not any(df.request_seen(Request(u)) for u in urls)
    assert all(df.request_seen(Request(u)) for u in urls)
    other = CompactDupeFilter(client, key, capacity=5)  # a second worker agrees on the buckets
    assert other.buckets == df.buckets
    assert other.request_seen(Request(urls[7]))
    encodings = {client.object("encoding", k) for k in client.scan_iter(match=f"{key}:seen:*")}
    assert encodings == {b"listpack"}
    df.clear()
    assert not df.request_seen(Request(urls[0]))


@pytest.mark.slow
def test_two_workers_share_one_crawl_and_exit_when_done(rkey, redis_url, tmp_path):
    client, key = rkey
    site = CountingSite(pages=80, delay=0.01, meet=2)
    try:
        spider = write_spider(tmp_path)
        workers = [start_worker(spider, redis_url, key, tmp_path / f"w{i}.log", "-s", "CONCURRENT_REQUESTS=1")
                   for i in range(2)]
        seed(client, key, [f"{site.url}/p/1"])
        codes = [w.wait(timeout=120) for w in workers]
        logs = [(tmp_path / f"w{i}.log").read_text() for i in range(2)]
    finally:
        site.close()
    assert codes == [0, 0], logs
    hits = site.page_hits()
    assert set(hits) == {f"/p/{n}" for n in range(1, 81)}
    assert max(hits.values()) == 1, [p for p, c in hits.items() if c > 1]
    assert all("no worker holds work: finishing" in log for log in logs)
    assert all("'item_scraped_count'" in log for log in logs)  # both workers took part
    assert client.zcard(f"{key}:queue") == 0
    assert client.scard(f"{key}:workers") == 0


@pytest.mark.slow
def test_killed_worker_requests_are_finished_by_the_other(rkey, redis_url, tmp_path):
    import signal

    client, key = rkey
    site = CountingSite(pages=60, delay=0.15)
    try:
        spider = write_spider(tmp_path)
        victim = start_worker(spider, redis_url, key, tmp_path / "victim.log")
        seed(client, key, [f"{site.url}/p/1"])
        while len(site.page_hits()) < 8:  # the victim is mid-crawl, holding requests
            time.sleep(0.05)
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        held = sum(client.hlen(k) for k in client.scan_iter(match=f"{key}:processing:*"))
        survivor = start_worker(spider, redis_url, key, tmp_path / "survivor.log",  # acks wait for commits
                                "-s", "FRONTIER_ACK_ON_COMMIT=True", "-s", "FRONTIER_COMMIT_GRACE=0.5")
        code = survivor.wait(timeout=120)
        log = (tmp_path / "survivor.log").read_text()
    finally:
        site.close()
    assert held > 0
    assert code == 0, log
    assert set(site.page_hits()) == {f"/p/{n}" for n in range(1, 61)}
    assert "Re-queued" in log


@pytest.mark.slow
def test_redis_outage_is_reported_and_the_crawl_resumes(tmp_path):
    client_dir = tmp_path / "redis"
    client_dir.mkdir()
    server = PrivateRedis(client_dir)
    server.start()
    site = CountingSite(pages=40, delay=0.1)
    try:
        client = redis.Redis.from_url(server.url)
        spider = write_spider(tmp_path)
        worker = start_worker(spider, server.url, "fc", tmp_path / "w.log")
        seed(client, "fc", [f"{site.url}/p/1"])
        while len(site.page_hits()) < 5:
            time.sleep(0.05)
        server.kill()
        log = tmp_path / "w.log"
        while "Redis unreachable" not in log.read_text():
            assert worker.poll() is None, log.read_text()
            time.sleep(0.1)
        time.sleep(1)
        assert worker.poll() is None  # still waiting, not exited
        server.start()
        try:
            code = worker.wait(timeout=120)
        except subprocess.TimeoutExpired:  # say where it hung: the worker's own log
            worker.kill()
            pytest.fail("worker still running 120 s after Redis came back; its log:\n" + log.read_text()[-6000:])
        text = log.read_text()
    finally:
        server.kill()
        site.close()
    assert code == 0, text
    assert "is back after" in text
    assert set(site.page_hits()) == {f"/p/{n}" for n in range(1, 41)}


def test_a_pop_whose_reply_was_lost_goes_back_to_the_queue(rkey):
    """Redis ran a pop, then went away before its reply: the request sat in this live worker's
    processing hash, fetched by no one and returned by no reaper, and the crawl never ended
    (a CI run: 33 of 40 pages, then idle for ever)."""
    import heapq

    from crawler.frontier.acks import AckLedger
    from crawler.frontier.scheduler import FrontierScheduler

    client, key = rkey
    queue = _queue(client, key, "w")
    for n in range(4):
        queue.push(Request(f"http://example.invalid/p/{n}", priority=-n))
    lost = queue.pop()  # its reply never reached the scheduler
    got = queue.pop()
    own = queue.hold(Request("http://example.invalid/thread?page=2", dont_filter=True))
    scheduler = FrontierScheduler.__new__(FrontierScheduler)
    scheduler.queue, scheduler.acks, scheduler.stats = queue, AckLedger(), None
    scheduler.acks.popped(got.meta["frontier_id"], got)
    scheduler.local = []
    heapq.heappush(scheduler.local, (0, 1, Request("http://example.invalid/thread?page=2", meta={"frontier_id": own})))
    scheduler.orphans_due, scheduler.redis_down_since = True, None
    assert scheduler._give_back_orphans() == 1
    assert queue.held_ids() == {got.meta["frontier_id"], own}
    assert scheduler.orphans_due is False
    assert queue.pop().url == lost.url  # its priority kept: first again
    assert scheduler._give_back_orphans() == 1  # that pop was not recorded either


def test_a_held_continuation_is_not_shared_but_survives_its_worker(rkey):
    client, key = rkey
    owner, other = _queue(client, key, "owner"), _queue(client, key, "other")
    owner.heartbeat(ttl=0.2)
    other.heartbeat(ttl=60)
    owner.hold(Request("http://example.invalid/thread?page=2", dont_filter=True, priority=5))
    assert other.pop() is None  # kept by its owner: never handed to another worker
    assert other.status() == (0, 1, 2)
    while client.exists(owner.alive_key):
        time.sleep(0.05)
    assert other.reap() == 1
    back = other.pop()
    assert back.url == "http://example.invalid/thread?page=2" and back.dont_filter and back.priority == 5


def test_a_parked_request_survives_its_worker_but_does_not_hold_the_crawl_open(rkey):
    from crawler.frontier import ChainBoard

    client, key = rkey
    owner, other = _queue(client, key, "owner"), _queue(client, key, "other")
    owner.heartbeat(ttl=0.3)
    other.heartbeat(ttl=60)
    page = "http://example.invalid/thread?page=3"
    owner.push(Request(page, priority=20))
    request = owner.pop()
    rid = request.meta["frontier_id"]
    assert owner.park(rid, page)  # the engine is done with it; the spider keeps the page parked
    assert other.status() == (0, 0, 2)  # no chain waits for it: it does not keep anyone open
    board = ChainBoard(client, CompactDupeFilter(client, key), key)
    board.put(page, {"thread_url": "http://example.invalid/thread", "page": 3, "offset": 20})
    assert other.status() == (0, 1, 2)  # now its chain is waiting: the crawl is not over
    assert board.take(page, rid) == {"thread_url": "http://example.invalid/thread", "page": 3, "offset": 20}
    assert board.take(page, rid) is None  # handed out once
    while client.exists(owner.alive_key):  # the owner dies before the page's items are committed
        time.sleep(0.05)
    assert other.reap() == 1
    again = other.pop()
    assert again.url == page and again.meta["frontier_id"] == rid
    # The context it had taken is back on the board, for whoever reads the page now.
    assert board.take(page, again.meta["frontier_id"])["offset"] == 20
    other.ack([rid])
    assert client.hlen(f"{key}:taken") == 0 and other.status() == (0, 0, 1)


def test_an_acknowledged_parked_request_is_gone_and_orphans_are_dropped(rkey):
    client, key = rkey
    worker = _queue(client, key, "w")
    worker.heartbeat(ttl=0.3)
    for n in (2, 3):
        worker.push(Request(f"http://example.invalid/t?page={n}"))
    first, second = worker.pop(), worker.pop()
    worker.park(first.meta["frontier_id"], first.url)
    worker.park(second.meta["frontier_id"], "")  # held for the site template: never counted
    worker.ack([first.meta["frontier_id"]])  # its items were committed
    assert client.hlen(worker.parked_key) == 1
    assert worker.drop_parked() == 1  # the end of the crawl: no chain reached it
    while client.exists(worker.alive_key):
        time.sleep(0.05)
    assert worker.reap() == 0 and worker.status() == (0, 0, 0)


def test_a_finished_crawl_clears_stale_chain_contexts(rkey):
    client, key = rkey
    worker = _queue(client, key, "w")
    worker.heartbeat(ttl=60)
    client.hset(f"{key}:chain", "http://example.invalid/t?page=2", "{}")
    assert worker.status(finishing=True) == (0, 0, 1)
    assert not client.exists(f"{key}:chain")
    worker.push(Request("http://example.invalid/t?page=9"))
    client.hset(f"{key}:chain", "http://example.invalid/t?page=2", "{}")
    assert worker.status(finishing=True) == (1, 0, 1)  # work left: the contexts stay
    assert client.exists(f"{key}:chain")


def test_heartbeats_come_from_a_thread_and_stop_only_after_a_long_stall(rkey):
    """A busy reactor is no death: the pulse thread beats while the reactor has run within
    the stall limit, stops beating after it (other workers then take the work over), and
    never registers a worker into a frontier whose run epoch changed."""
    from crawler.frontier.pulse import Pulse

    client, key = rkey
    queue = _queue(client, key, "busy")
    client.set(f"{key}:epoch", b"run-1")
    epoch = [b"run-1"]
    pulse = Pulse(queue, ttl=0.3, every=0.05, stall_limit=0.6, epoch=lambda: epoch[0], errors=(redis.RedisError,))
    pulse.start()
    try:
        time.sleep(0.5)  # no tick from the reactor for 0.5 s, longer than the TTL: still alive
        assert client.exists(queue.alive_key) and client.sismember(f"{key}:workers", "busy")
        deadline = time.monotonic() + 3
        while client.exists(queue.alive_key):  # past the stall limit the beats stop, the key lapses
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert pulse.stalled
        pulse.tick()  # the reactor runs again
        time.sleep(0.2)
        assert client.exists(queue.alive_key) and not pulse.stalled
        client.delete(queue.alive_key, f"{key}:workers")
        client.set(f"{key}:epoch", b"run-2")  # the frontier was reset meanwhile
        time.sleep(0.2)
        assert pulse.beat() == -1
        assert not client.exists(queue.alive_key) and not client.exists(f"{key}:workers")
    finally:
        pulse.stop()


def test_a_claimed_chain_page_is_held_in_the_same_step_and_survives_its_worker(rkey):
    """A thread chain's claim of its next page marks the URL seen and holds the request in
    the claimer's processing hash in one step: a worker dying right after its claim leaves
    a request that is re-queued, not a URL seen that nobody holds (the chain was lost then,
    tests/test_frontier_kill.py). A second claim leaves its context on the chain board."""
    client, key = rkey
    df = CompactDupeFilter(client, key)
    claimer, other = _queue(client, key, "claimer"), _queue(client, key, "other")
    claimer.heartbeat(ttl=0.2)
    other.heartbeat(ttl=60)
    url = "http://example.invalid/t/1?page=2"
    ctx = {"thread_url": "http://example.invalid/t/1", "page": 2, "offset": 2}
    page2 = Request(url, meta={"fc_thread": ctx}, dont_filter=True)
    slot = df.slot_of(df.fingerprint_bytes(page2))
    assert claimer.claim(page2, slot, url, ctx)
    assert df.request_seen(Request(url)) and client.hlen(claimer.processing_key) == 1
    again = Request(url, meta={"fc_thread": {**ctx, "offset": 9}}, dont_filter=True)
    assert not other.claim(again, slot, url, again.meta["fc_thread"])
    assert "frontier_id" not in again.meta and client.hlen(other.processing_key) == 0
    assert client.hget(f"{key}:chain", url) is not None
    while client.exists(claimer.alive_key):  # the claimer dies before fetching the page
        time.sleep(0.05)
    assert other.reap() == 1
    back = other.pop()
    assert back.url == url and back.meta["fc_thread"] == ctx


def test_a_link_is_marked_seen_and_queued_in_one_step(rkey):
    client, key = rkey
    df = CompactDupeFilter(client, key)
    queue = _queue(client, key, "w")
    link = Request("http://example.invalid/x")
    slot = df.slot_of(df.fingerprint_bytes(link))
    assert queue.push_new(link, slot)
    assert not queue.push_new(Request("http://example.invalid/x"), slot)
    assert queue.push_new(Request("http://example.invalid/x", dont_filter=True), slot, force=True)
    assert len(queue) == 2 and df.request_seen(Request("http://example.invalid/x"))
