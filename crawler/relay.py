"""Thread chains across workers (shared frontier): the spider's side of the chain board.

Wraps :class:`crawler.frontier.ChainBoard` with what a worker decides from it:
fetch a thread's next page itself (no worker has seen it) or hand the chain's
context over; find the context another worker left for a page parked here. An
unreachable Redis never stops a chain: the page is fetched here, or waits.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from crawler.fetches import PRIORITY_CHAIN, Fetch

log = logging.getLogger("crawler.spiders.generic")

PARKED_POLL_INTERVAL = 0.25  # seconds between looks for chains reaching pages parked here

Count = Callable[..., None]


def redis_errors() -> tuple[type[BaseException], ...]:
    """Exceptions of an unreachable Redis (imported lazily: Redis is optional)."""
    import redis

    return (redis.RedisError, ConnectionError, OSError)


class ChainRelay:
    """A worker's use of the shared chain board (made on first use by ``board_factory``)."""

    def __init__(self, board_factory: Callable[[], Any], *, count: Count | None = None) -> None:
        self._factory = board_factory
        self._board = None
        self.count = count or (lambda *a, **k: None)
        self.polled_at = 0.0

    @property
    def board(self):
        if self._board is None:
            self._board = self._factory()
        return self._board

    def claim(self, url: str) -> bool:
        """True when this worker takes ``url`` (or Redis is away: then it fetches it anyway)."""
        try:
            return self.board.claim(url)
        except redis_errors():
            return True

    def continue_chain(self, nxt: str, meta: dict[str, Any]) -> list[Fetch]:
        """The next page of a thread. The shared scheduler decides, atomically, when the
        request arrives (``fc_claim``): fetch it here if no worker has seen it (held in
        Redis from that instant), else leave the chain's context for the worker that has
        it. (Claiming here, before the request was held, lost the page when the worker
        died in between: another worker re-reading this page found it seen, handed its
        context to nobody.)"""
        return [Fetch(nxt, PRIORITY_CHAIN, {**meta, "fc_claim": True}, dont_filter=True)]

    def context_for(self, key: str, url: str, rid: str) -> dict[str, Any] | None:
        """The context another worker's chain left for this later thread page, if any
        (kept in Redis under the page's request ``rid`` until it is acknowledged)."""
        try:
            found = self.board.take_many({key: rid, url: rid})
        except redis_errors() as exc:
            log.error("Redis unavailable while looking up a thread chain (%s); %s waits", exc, url)
            return None
        return next(iter(found.values()), None)

    def keep(self, url: str, rid: str, ctx: dict[str, Any]) -> None:
        """So that a parked page reads on from here if it is fetched again after a crash."""
        try:
            self.board.keep(url, rid, ctx)
        except redis_errors():
            pass

    def poll(self, parked: dict[str, str], force: bool = False) -> dict[str, dict[str, Any]]:
        """Contexts chains left for pages parked here (``parked``: URL -> request id), at
        most every :data:`PARKED_POLL_INTERVAL` seconds unless ``force``."""
        if not parked:
            return {}
        now = time.monotonic()
        if not force and now - self.polled_at < PARKED_POLL_INTERVAL:
            return {}
        self.polled_at = now
        try:
            return self.board.take_many(parked)
        except redis_errors():
            return {}

    def awaited(self, urls: list[str]) -> bool:
        """Whether a chain's context waits on the board for any of ``urls``."""
        try:
            return any(v is not None for v in self.board.server.hmget(self.board.key, urls))
        except redis_errors():
            return False
