"""Per-host politeness decisions without Scrapy (crawler/politeness.py), in process with a
fake clock, and shared through the real Redis (crawler/middlewares/redisslots.py), also by
four processes at once."""
from __future__ import annotations

import multiprocessing
import time
import uuid
from email.utils import formatdate

import pytest

from crawler.politeness import (
    LocalSlots,
    PolitenessConfig,
    effective_crawl_delay,
    grown_backoff,
    parse_retry_after,
    recovered_backoff,
    sheds_load,
)

CONFIG = PolitenessConfig(backoff_start=1.0, backoff_factor=2.0, backoff_max=8.0, backoff_recovery=0.5,
                          retry_after_max=30.0, crawl_delay_max=10.0)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_retry_after_reads_seconds_and_http_dates():
    now = 1_700_000_000.0
    assert parse_retry_after("5") == 5.0
    assert parse_retry_after(b" 120 ") == 120.0
    assert parse_retry_after(formatdate(now + 7, usegmt=True), now=now) == pytest.approx(7.0)
    assert parse_retry_after(formatdate(now - 60, usegmt=True), now=now) == 0.0  # already past
    for bad in (None, "", "soon", "-3", "1.5e3", "Fri, 99 Foo 2026 00:00:00 GMT"):
        assert parse_retry_after(bad, now=now) is None, bad
    assert sheds_load(429) and sheds_load(503)
    assert not any(sheds_load(s) for s in (200, 404, 500, 502, 504))


def test_crawl_delay_is_capped_and_backoff_grows_and_recovers():
    assert effective_crawl_delay(None, CONFIG) == 0.0
    assert effective_crawl_delay(2.5, CONFIG) == 2.5
    assert effective_crawl_delay(3600, CONFIG) == 10.0
    assert effective_crawl_delay(-1, CONFIG) == 0.0
    steps = [0.0]
    for _ in range(5):
        steps.append(grown_backoff(steps[-1], CONFIG))
    assert steps == [0.0, 1.0, 2.0, 4.0, 8.0, 8.0]  # multiplicative, capped
    assert recovered_backoff(8.0, CONFIG) == 4.0
    assert recovered_backoff(1.0, CONFIG) == 0.5
    assert recovered_backoff(0.4, CONFIG) == 0.0  # under half the start: gone


def test_local_slots_space_requests_by_the_crawl_delay():
    clock = Clock()
    slots = LocalSlots(CONFIG, clock)
    assert slots.idle("a:1")
    slots.set_delay("a:1", 1.0)
    assert not slots.idle("a:1")
    waits = [slots.reserve("a:1").wait for _ in range(4)]  # four requests at once
    assert waits == [0.0, 1.0, 2.0, 3.0]  # one a second, not a burst
    assert slots.reserve("b:1").wait == 0.0 and slots.idle("b:1")  # other hosts are not held
    clock.now += 10
    assert slots.reserve("a:1").wait == 0.0
    clock.now += 0.3  # that request went out late (a busy process): the next waits a full gap from now
    slots.sent("a:1")
    assert slots.reserve("a:1").wait == pytest.approx(1.0)


def test_a_503_holds_the_host_for_retry_after_and_grows_the_backoff_once_per_overload():
    clock = Clock()
    slots = LocalSlots(CONFIG, clock)
    sent = [slots.reserve("h").start for _ in range(3)]  # three requests in flight at 100.0
    clock.now = 100.5
    assert slots.shed("h", 5.0, sent[0]) == (1.0, 5.0)  # Retry-After 5 beats the 1 s back-off
    assert slots.shed("h", None, sent[1]) == (1.0, 1.0)  # sent before that growth: same overload
    assert slots.shed("h", None, sent[2])[0] == 1.0
    slot = slots.reserve("h")
    assert slot.wait == pytest.approx(5.0)  # the retry waits for Retry-After, not at once
    clock.now += slot.wait
    assert slots.shed("h", None, slot.start) == (2.0, 2.0)  # sent after the growth: a new overload
    assert slots.reserve("h").wait == pytest.approx(2.0)
    assert slots.reserve("h").wait == pytest.approx(4.0)  # back-off 2 s between requests
    clock.now += 100
    slots.ok("h")
    assert slots.state("h").backoff == 1.0
    slots.ok("h")
    assert slots.state("h").backoff == 0.5 and not slots.idle("h")
    slots.ok("h")
    assert slots.state("h").backoff == 0.0 and slots.idle("h")
    clock.now += 1
    assert slots.shed("h", 3600.0, None) == (1.0, 30.0)  # Retry-After capped
    assert slots.shed("h", 1.0, None, grow=False) == (1.0, 1.0)  # (robots.txt: Retry-After only)


# -- shared through Redis ---------------------------------------------------------------------


@pytest.fixture
def redis_slots(redis_url):
    import redis

    from crawler.middlewares.redisslots import RedisSlots

    client = redis.Redis.from_url(redis_url)
    prefix = f"fctest-polite:{uuid.uuid4().hex[:10]}"

    def make(**kw):
        return RedisSlots(client, CONFIG, prefix=prefix, **kw)

    yield make
    for key in client.scan_iter(match=f"{prefix}*"):
        client.delete(key)


@pytest.mark.redis
def test_two_workers_share_the_crawl_delay_and_a_retry_after(redis_slots):
    a, b = redis_slots(), redis_slots()
    a.set_delay("h", 0.5)
    assert a.reserve("h").wait == 0.0
    # b has not read robots.txt: the delay a read is in Redis, so b is spaced too
    assert b.reserve("h").wait == pytest.approx(0.5, abs=0.05)
    assert b.reserve("h").wait == pytest.approx(1.0, abs=0.05)
    a.set_delay("late", 0.5)
    assert a.reserve("late").wait == 0.0
    time.sleep(0.3)
    a.sent("late")  # that request went out only now, 0.3 s late: a full gap from now
    assert b.reserve("late").wait == pytest.approx(0.5, abs=0.05)
    first = a.reserve("other")
    assert first.wait == 0.0
    assert a.shed("other", 2.0, first.start) == (1.0, 2.0)
    assert b.reserve("other").wait == pytest.approx(2.0, abs=0.05)  # b waits for a's Retry-After
    assert b.shed("other", None, first.start)[0] == 1.0  # sent before the growth: not grown again
    b.done("other", "", True)
    assert a.shed("other", None, None)[0] == 1.0  # shrunk to 0.5, then grown back to the start
    for _ in range(2):
        b.done("other", "", True)
    assert b.backoffs["other"] == 0.0


@pytest.mark.redis
def test_shared_concurrency_per_host_holds_for_all_workers(redis_slots):
    a, b = redis_slots(limit=2, lease=0.3), redis_slots(limit=2, lease=0.3)
    t1, t2, t3 = (a.new_token() for _ in range(3))
    assert a.reserve("h", t1) is not None and b.reserve("h", t2) is not None
    assert b.reserve("h", t3) is None  # two in flight across both workers
    a.done("h", t1, True)
    assert b.reserve("h", t3) is not None
    assert a.reserve("h", a.new_token()) is None
    time.sleep(0.2)
    assert b.renew() == 2  # b is alive: its two leases are extended, a's one is not
    time.sleep(0.15)  # a (killed) held one lease: it lapsed; b's two still count
    assert a.reserve("h", a.new_token()) is None
    b.held.clear()  # b killed too
    time.sleep(0.35)
    assert a.reserve("h", a.new_token()) is not None


def _worker(redis_url: str, prefix: str, n: int, delay: float, out) -> None:
    import redis

    from crawler.middlewares.redisslots import RedisSlots

    slots = RedisSlots(redis.Redis.from_url(redis_url), CONFIG, prefix=prefix, limit=8, lease=30)
    slots.set_delay("h", delay)
    for _ in range(n):
        token = slots.new_token()
        slot = slots.reserve("h", token)
        time.sleep(slot.wait)
        out.put((slot.start, time.time()))
        slots.done("h", token, True)


@pytest.mark.redis
def test_four_processes_sharing_redis_keep_one_gap(redis_url):
    prefix = f"fctest-polite:{uuid.uuid4().hex[:10]}"
    delay, per_worker = 0.25, 3
    queue = multiprocessing.get_context("spawn").Queue()
    procs = [multiprocessing.get_context("spawn").Process(target=_worker, args=(redis_url, prefix, per_worker, delay, queue))
             for _ in range(4)]
    for p in procs:
        p.start()
    got = [queue.get(timeout=30) for _ in range(4 * per_worker)]
    for p in procs:
        p.join(timeout=10)
    import redis

    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(match=f"{prefix}*"):
        client.delete(key)
    starts = sorted(start for start, _woke in got)  # the reserved slots, in Redis's clock
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    assert min(gaps) >= delay - 0.001, gaps  # 12 slots of 4 processes, one gap apart
    woke = sorted(w for _start, w in got)  # and the processes really waited for them
    assert woke[-1] - woke[0] >= (len(woke) - 1) * delay - 0.1, woke
