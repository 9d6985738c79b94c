"""Once-per-run jobs of a shared crawl: which worker does a job (a site's sitemaps) in this run.

Under a shared frontier any worker may meet a site's start page, and several may (N
workers each started with the same ``-a url=``, a site enqueued under two URLs). A job
that must be done once per crawl, not once per worker, is claimed here first. Claims
live in one Redis hash per run epoch (``key:jobs:<epoch>``, see
:func:`crawler.frontier.scheduler.mark_epoch`), so the next crawl of the same frontier
(``enqueue --reset``, or a Redis that lost its data) claims afresh.

A claim is held by the frontier id of the request that made it (the start page's),
not by a worker: when that worker dies before the job's own requests are queued, the
start page's request is re-queued with the same id (dead-worker reaping), and the
worker that fetches it again takes the job over. Once a job's requests are queued
they outlive any worker themselves (the shared queue and processing hashes).
"""
from __future__ import annotations

import logging

import redis
from scrapy_redis.connection import get_redis_from_settings

from crawler.frontier.keys import frontier_key

log = logging.getLogger("crawler.frontier")

# KEYS: the frontier's epoch key; ARGV: key prefix, job, holder, expiry (seconds).
# Returns 1 when the job is this holder's: new in this run, or already this holder's.
_CLAIM = """
local epoch = redis.call('GET', KEYS[1]) or 'none'
local jobs = ARGV[1] .. ':jobs:' .. epoch
local holder = redis.call('HGET', jobs, ARGV[2])
if holder and holder ~= ARGV[3] then return 0 end
redis.call('HSET', jobs, ARGV[2], ARGV[3])
redis.call('EXPIRE', jobs, tonumber(ARGV[4]))
return 1
"""

JOBS_TTL = 30 * 86400  # seconds a run's claims are kept (a crawl longer than that claims again)


class RunJobs:
    """Claims of once-per-run jobs in a shared frontier (see the module docstring)."""

    def __init__(self, server: redis.Redis, key: str, ttl: int = JOBS_TTL) -> None:
        self.server, self.key, self.ttl = server, key, ttl
        self._claim = server.register_script(_CLAIM)

    @classmethod
    def from_settings(cls, settings, spider_name: str) -> RunJobs:
        return cls(get_redis_from_settings(settings), frontier_key(settings, spider_name))

    def claim(self, job: str, holder: str) -> bool:
        """True when ``job`` is ``holder``'s to do in this run (first claim, or ``holder``
        claiming again). False when another holder has it, or Redis cannot be reached
        (the job is then skipped by this worker: its pages are found through links)."""
        try:
            return bool(self._claim(keys=[f"{self.key}:epoch"], args=[self.key, job, holder, self.ttl]))
        except (redis.ConnectionError, redis.TimeoutError, OSError) as exc:
            log.warning("Could not claim %r in Redis (%s): skipped by this worker", job, exc)
            return False

    def holder(self, job: str) -> str | None:
        """Who holds ``job`` in the current run (tests, diagnostics)."""
        epoch = self.server.get(f"{self.key}:epoch") or b"none"
        value = self.server.hget(f"{self.key}:jobs:{epoch.decode()}", job)
        return value.decode() if value is not None else None
