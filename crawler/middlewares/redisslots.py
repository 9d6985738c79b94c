"""Per-host slots in Redis: the politeness of :mod:`crawler.politeness` for the sum of all
workers that share one Redis.

The same numbers as :class:`crawler.politeness.LocalSlots` (next start, delay, back-off,
when it last grew), kept in one hash per host, ``<prefix>:<netloc>``, and changed only by
one Lua script with Redis's own clock (``TIME``), so workers on several machines agree
without synchronised clocks. The hash also carries the host's Crawl-delay once any worker
has read it, so a worker that has not read robots.txt yet is spaced too.

It adds what the processes cannot do alone: a per-host concurrency limit for all workers
together, as leases in a sorted set ``<prefix>:<netloc>:inflight`` (member: a request
token, score: when the lease lapses). A live worker renews its leases (:meth:`RedisSlots.renew`,
every third of the lease), so a slow download stays counted, while a killed worker's leases
lapse within ``lease`` seconds instead of blocking the host.

No Scrapy here; the middleware calls it from the reactor thread (one round trip per
request and one per response, like the shared frontier's own calls).
"""
from __future__ import annotations

import uuid

from crawler.politeness import PolitenessConfig, Slot

DEFAULT_PREFIX = "forumcrawl:polite"
KEEP_MS = 3_600_000  # a host's hash outlives its last reservation by an hour

_SCRIPT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local op = ARGV[1]
local h = redis.call('HMGET', KEYS[1], 'next', 'delay', 'backoff', 'grown')
local nxt = tonumber(h[1]) or 0
local delay = tonumber(h[2]) or 0
local backoff = tonumber(h[3]) or 0
local grown = tonumber(h[4]) or -1
if op == 'reserve' then
  local known = tonumber(ARGV[2])
  if known >= 0 then delay = known end
  local limit = tonumber(ARGV[3])
  if limit > 0 then
    redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
    if redis.call('ZCARD', KEYS[2]) >= limit then return {-1, now, backoff} end
  end
  local start = math.max(now, nxt)
  nxt = start + math.max(delay, backoff)
  redis.call('HSET', KEYS[1], 'next', nxt, 'delay', delay)
  redis.call('PEXPIRE', KEYS[1], nxt - now + tonumber(ARGV[6]))
  if limit > 0 then
    local lease = tonumber(ARGV[4])
    redis.call('ZADD', KEYS[2], start + lease, ARGV[5])
    redis.call('PEXPIRE', KEYS[2], start - now + lease)
  end
  return {start - now, start, backoff}
elseif op == 'shed' then
  local retry_after, sent_at, grow = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
  local b_start, factor, b_max = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
  if grow == 1 and (sent_at < 0 or sent_at > grown) then
    backoff = math.min(math.max(math.floor(backoff * factor), b_start), b_max)
    grown = now
  end
  local hold = backoff
  if retry_after > hold then hold = retry_after end
  nxt = math.max(nxt, now + hold)
  redis.call('HSET', KEYS[1], 'next', nxt, 'backoff', backoff, 'grown', grown)
  redis.call('PEXPIRE', KEYS[1], nxt - now + tonumber(ARGV[8]))
  return {backoff, hold}
elseif op == 'done' then
  if ARGV[2] ~= '' then redis.call('ZREM', KEYS[2], ARGV[2]) end
  if tonumber(ARGV[3]) == 1 and backoff > 0 then
    backoff = math.floor(backoff * tonumber(ARGV[4]))
    if backoff < tonumber(ARGV[5]) / 2 then backoff = 0 end
    redis.call('HSET', KEYS[1], 'backoff', backoff)
  end
  return {backoff}
elseif op == 'sent' then
  nxt = math.max(nxt, now + math.max(delay, backoff))
  redis.call('HSET', KEYS[1], 'next', nxt)
  redis.call('PEXPIRE', KEYS[1], nxt - now + tonumber(ARGV[2]))
  return {nxt - now}
elseif op == 'renew' then
  local until_ms = now + tonumber(ARGV[2])
  local n = 0
  for i = 3, #ARGV do n = n + redis.call('ZADD', KEYS[2], 'XX', 'GT', 'CH', until_ms, ARGV[i]) end
  if n > 0 then redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[2])) end
  return {n}
end
return redis.error_reply('unknown op ' .. op)
"""


def _ms(seconds: float) -> int:
    return int(round(seconds * 1000))


class RedisSlots:
    """:class:`crawler.politeness.LocalSlots`'s interface on a shared Redis, plus a
    concurrency limit per host for all workers together (``limit``; 0: none)."""

    def __init__(self, client, config: PolitenessConfig, prefix: str = DEFAULT_PREFIX,
                 limit: int = 0, lease: float = 10.0) -> None:
        self.client = client
        self.config = config
        self.prefix = prefix
        self.limit = limit
        self.lease = lease
        self.delays: dict[str, float] = {}   # Crawl-delays this worker read (sent with each reservation)
        self.backoffs: dict[str, float] = {}  # the host's back-off as last seen (seconds)
        self.held: dict[str, set[str]] = {}   # this worker's leases per host
        self._script = client.register_script(_SCRIPT)

    def _keys(self, host: str) -> list[str]:
        key = f"{self.prefix}:{host}"
        return [key, key + ":inflight"]

    def set_delay(self, host: str, delay: float) -> None:
        self.delays[host] = delay

    def reserve(self, host: str, token: str = "") -> Slot | None:
        """Reserve the host's next start (None: ``limit`` requests to the host are in flight
        across all workers; try again shortly). ``token`` names the lease to release."""
        delay = self.delays.get(host)
        wait, start, backoff = self._script(keys=self._keys(host), args=[
            "reserve", _ms(delay) if delay is not None else -1, self.limit if token else 0,
            _ms(self.lease), token, KEEP_MS])
        self.backoffs[host] = backoff / 1000
        if wait < 0:
            return None
        if token and self.limit:
            self.held.setdefault(host, set()).add(token)
        return Slot(wait / 1000, start / 1000)

    def shed(self, host: str, retry_after: float | None, sent_at: float | None,
             grow: bool = True) -> tuple[float, float]:
        c = self.config
        retry = _ms(min(retry_after, c.retry_after_max)) if retry_after is not None else -1
        backoff, hold = self._script(keys=self._keys(host), args=[
            "shed", retry, _ms(sent_at) if sent_at is not None else -1, int(grow),
            _ms(c.backoff_start), c.backoff_factor, _ms(c.backoff_max), KEEP_MS])
        self.backoffs[host] = backoff / 1000
        return backoff / 1000, hold / 1000

    def sent(self, host: str) -> None:
        """See :meth:`crawler.politeness.LocalSlots.sent` (one round trip, only for late requests)."""
        self._script(keys=self._keys(host), args=["sent", KEEP_MS])

    def done(self, host: str, token: str, ok: bool) -> None:
        """The request's response (or error) came: release its lease; a good response
        shrinks the back-off. No round trip when there is nothing to do."""
        recover = ok and self.backoffs.get(host, 0) > 0
        if token:
            self.held.get(host, set()).discard(token)
        if not token and not recover:
            return
        (backoff,) = self._script(keys=self._keys(host), args=[
            "done", token, int(recover), self.config.backoff_recovery, _ms(self.config.backoff_start)])
        self.backoffs[host] = backoff / 1000

    def renew(self) -> int:
        """Extend this worker's leases (call every third of ``lease``); returns how many."""
        renewed = 0
        for host, tokens in list(self.held.items()):
            if not tokens:
                del self.held[host]
                continue
            (n,) = self._script(keys=self._keys(host), args=["renew", _ms(self.lease), *tokens])
            renewed += n
        return renewed

    def ok(self, host: str) -> None:
        self.done(host, "", True)

    @staticmethod
    def new_token() -> str:
        return uuid.uuid4().hex
