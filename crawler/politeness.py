"""Per-host politeness decisions: when the next request to a host may start.

Pure logic, no Scrapy and no Redis, so tests drive it with a fake clock. A host
(``netloc``, the scope of its robots.txt) has three numbers:

* ``delay``: the gap robots.txt asks for (``Crawl-delay``, capped), or the
  configured base delay;
* ``backoff``: the extra gap a host that sheds load has earned. A 429 or 503
  grows it multiplicatively (``start``, then x ``factor``, capped at ``max``);
  each good response shrinks it by ``recovery``, and it is gone below half the
  start. Only a request sent *after* the last growth can grow it again, so the
  several requests in flight when a host got overloaded count as one event;
* ``next_at``: the earliest start of the host's next request. Every request
  reserves its slot (``start = max(now, next_at)``; ``next_at = start +
  max(delay, backoff)``), so N waiting requests go out one gap apart, never in
  a burst. A 429/503 pushes ``next_at`` to ``now + max(Retry-After, backoff)``:
  retries of the refused request wait like every other request to that host.

:class:`LocalSlots` keeps this in the process (the default, one crawler).
``crawler.middlewares.sharedslots.RedisSlots`` keeps the same numbers in Redis
with the same arithmetic, so the gap holds for the sum of all workers of a
shared frontier.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

# Statuses by which a server says "too many requests, come back later" (RFC 9110, RFC 6585).
SHED_STATUSES = frozenset({429, 503})


@dataclass(frozen=True)
class PolitenessConfig:
    """Knobs of the per-host decisions (settings ``FORUMCRAWL_BACKOFF_*`` and friends)."""

    backoff_start: float = 1.0      # seconds after the first 429/503
    backoff_factor: float = 2.0     # growth per further 429/503
    backoff_max: float = 60.0       # cap of the back-off gap
    backoff_recovery: float = 0.8   # shrink factor per good response
    retry_after_max: float = 600.0  # a longer Retry-After is honoured for this long
    crawl_delay_max: float = 60.0   # a longer Crawl-delay is honoured as this
    base_delay: float = 0.0         # gap between requests to any host (shared mode: DOWNLOAD_DELAY)


def sheds_load(status: int) -> bool:
    """True for the answers that mean "slow down" (429, 503)."""
    return status in SHED_STATUSES


def parse_retry_after(value: str | bytes | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delay-seconds or an HTTP-date.

    ``now`` is the Unix time an HTTP-date is measured from (default: now). None
    when the header is missing or unreadable; a date in the past gives 0.
    """
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.tzinfo is None:  # RFC 9110 dates are GMT; a zone-less one is not a date we trust
        return None
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


def effective_crawl_delay(value: float | None, config: PolitenessConfig) -> float:
    """The gap a robots.txt ``Crawl-delay`` gives (0: none), capped, never below the base delay."""
    if value is None or value != value or value < 0:  # None, NaN, negative
        value = 0.0
    return max(config.base_delay, min(float(value), config.crawl_delay_max))


def grown_backoff(current: float, config: PolitenessConfig) -> float:
    """The back-off after one more 429/503."""
    return min(max(current * config.backoff_factor, config.backoff_start), config.backoff_max)


def recovered_backoff(current: float, config: PolitenessConfig) -> float:
    """The back-off after one good response (0 once it is under half the start)."""
    if current <= 0:
        return 0.0
    shrunk = current * config.backoff_recovery
    return shrunk if shrunk >= config.backoff_start / 2 else 0.0


def shed_hold(backoff: float, retry_after: float | None, config: PolitenessConfig) -> float:
    """How long the host gets no request after a 429/503: Retry-After (capped) or the back-off."""
    honoured = min(retry_after, config.retry_after_max) if retry_after is not None else 0.0
    return max(backoff, honoured)


@dataclass
class HostState:
    """What one host's slots need: the earliest next start, its delay and back-off, and when
    the back-off last grew (times in the slots' clock)."""

    next_at: float = 0.0
    delay: float = 0.0
    backoff: float = 0.0
    grown_at: float = float("-inf")


@dataclass(frozen=True)
class Slot:
    """A reserved start: wait ``wait`` seconds; ``start`` is that moment in the slots' clock
    (handed back with a 429/503 so requests sent before the last growth do not grow it again)."""

    wait: float
    start: float


class LocalSlots:
    """The next-allowed time of every host, in this process (``time.monotonic`` clock)."""

    def __init__(self, config: PolitenessConfig, clock=time.monotonic) -> None:
        self.config = config
        self.clock = clock
        self.hosts: dict[str, HostState] = {}

    def state(self, host: str) -> HostState:
        state = self.hosts.get(host)
        if state is None:
            state = self.hosts[host] = HostState(delay=self.config.base_delay)
        return state

    def set_delay(self, host: str, delay: float) -> None:
        """Record the host's gap (its robots.txt Crawl-delay, see :func:`effective_crawl_delay`)."""
        self.state(host).delay = delay

    def reserve(self, host: str, token: str = "") -> Slot:
        """Reserve the host's next start for one request (``token``: unused here; the
        shared slots name a concurrency lease with it)."""
        state = self.state(host)
        now = self.clock()
        start = max(now, state.next_at)
        state.next_at = start + max(state.delay, state.backoff)
        return Slot(start - now, start)

    def shed(self, host: str, retry_after: float | None, sent_at: float | None,
             grow: bool = True) -> tuple[float, float]:
        """The host answered 429/503 to a request started at ``sent_at``: grow the back-off
        (once per overload: not for requests sent before the last growth; not at all with
        ``grow=False``) and hold the host. Returns (back-off, hold seconds from now)."""
        state = self.state(host)
        now = self.clock()
        if grow and (sent_at is None or sent_at > state.grown_at):
            state.backoff = grown_backoff(state.backoff, self.config)
            state.grown_at = now
        hold = shed_hold(state.backoff, retry_after, self.config)
        state.next_at = max(state.next_at, now + hold)
        return state.backoff, hold

    def ok(self, host: str) -> None:
        """A good response: the back-off shrinks."""
        state = self.hosts.get(host)
        if state is not None and state.backoff:
            state.backoff = recovered_backoff(state.backoff, self.config)

    def sent(self, host: str) -> None:
        """The request reserved earlier goes out only now (its wait overran: a busy process):
        keep a full gap after this moment, not after the reserved one."""
        state = self.state(host)
        state.next_at = max(state.next_at, self.clock() + max(state.delay, state.backoff))

    def done(self, host: str, token: str, ok: bool) -> None:
        """A request's response or error came (``ok``: a good response)."""
        if ok:
            self.ok(host)

    def idle(self, host: str) -> bool:
        """True when a request to ``host`` may start now without any reservation
        (no delay, no back-off, no hold): the fast path of a crawl without Crawl-delay."""
        state = self.hosts.get(host)
        if state is None:
            return self.config.base_delay <= 0
        return state.delay <= 0 and state.backoff <= 0 and state.next_at <= self.clock()
