"""Which popped requests a worker may acknowledge, and when: pure bookkeeping, no Redis.

A request popped from the shared queue is *held* while the engine works on it,
then *finished*; a finished request is acknowledged at once, or (ack on commit)
once the store says its items are committed, or after a grace period when it
had none. A request whose page the spider keeps beyond its callback (parked for
its thread chain, or held for the template) is *deferred*: it moves into the
worker's parked hash (``to_park``) and is acknowledged only on its release.
The scheduler applies these decisions to Redis (:mod:`crawler.frontier.scheduler`).
"""
from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any


class AckLedger:
    """Held, finished and deferred requests of one worker, by frontier id."""

    def __init__(self) -> None:
        self.held: dict[str, Any] = {}      # frontier id -> popped request still in the engine
        self.finished: list[str] = []       # done, waiting to be acknowledged
        self.finished_at: dict[str, float] = {}
        self.deferred: dict[str, str] = {}  # frontier id -> parked URL: the spider still keeps the page
        self.to_park: dict[str, str] = {}   # deferred requests finished by the engine, not yet parked in Redis
        self.last_commit_at = 0.0

    def popped(self, rid: str, request: Any) -> None:
        self.held[rid] = request

    def engine_done(self, done: Iterable[str], now: float | None = None) -> None:
        """The engine finished these held requests: finished, or to be parked if deferred."""
        now = time.monotonic() if now is None else now
        for rid in done:
            del self.held[rid]
            if rid in self.deferred:  # the spider keeps the page: acknowledged on its release
                self.to_park[rid] = self.deferred[rid]
                continue
            self.finished_at[rid] = now
            self.finished.append(rid)

    def not_in(self, live: set[int]) -> list[str]:
        """Held requests the engine no longer works on (``live``: ids of its requests)."""
        return [rid for rid, r in self.held.items() if id(r) not in live]

    def stale(self, grace: float, now: float | None = None) -> list[str]:
        """Finished requests past the grace period (no commit came for them)."""
        limit = (time.monotonic() if now is None else now) - grace
        return [rid for rid in self.finished if self.finished_at.get(rid, 0) <= limit]

    def acked(self, ids: Iterable[str]) -> None:
        gone = set(ids)
        self.finished = [rid for rid in self.finished if rid not in gone]
        for rid in gone:
            self.finished_at.pop(rid, None)

    def parked(self, rid: str) -> None:
        self.to_park.pop(rid, None)

    def defer(self, rid: str, parked_url: str = "") -> bool:
        """The spider keeps this request's page; True when the engine is already done
        with it (so it is to be parked now)."""
        self.deferred[rid] = parked_url or ""
        if rid not in self.held:  # already finished by the engine (a page held for the template)
            self.to_park[rid] = self.deferred[rid]
            return True
        return False

    def release(self, rid: str) -> bool:
        """The spider is done with a deferred request; True when it is to be acknowledged now."""
        if self.deferred.pop(rid, None) is None:
            return False
        self.to_park.pop(rid, None)
        if rid in self.held:  # the engine still has it: acknowledged the usual way
            return False
        self.finished.append(rid)
        self.finished_at[rid] = 0.0  # committed already: no need to wait for a commit
        return True

    def committed(self, taken_at: float | None, now: float | None = None) -> list[str]:
        """Finished requests whose items a commit just made safe. With ``taken_at`` (when
        the pipeline took the batch from its buffer), everything finished before then;
        without it, everything finished before the previous commit (one batch at a time)."""
        now = time.monotonic() if now is None else now
        bound = taken_at if taken_at is not None else self.last_commit_at
        self.last_commit_at = now
        return [rid for rid in self.finished if self.finished_at.get(rid, now) <= bound]

    def closing(self, ending: bool) -> int:
        """Everything held is finished at close, except kept pages on a shutdown (they go
        back to the queue with the rest). At the end of the crawl (``ending``), kept pages
        are finished too; returns how many of them were parked thread pages (orphans)."""
        orphans = sum(1 for url in self.deferred.values() if url) if ending else 0
        self.finished.extend(rid for rid in self.held if ending or rid not in self.deferred)
        self.held.clear()
        if ending:
            self.finished.extend(rid for rid in self.deferred if rid not in self.finished)
            self.deferred.clear()
            self.to_park.clear()
        return orphans

    def known(self) -> set[str]:
        """Every request id this worker still accounts for (held, finished, deferred)."""
        return set(self.held) | set(self.finished) | set(self.deferred) | set(self.to_park)

    @property
    def busy(self) -> bool:
        return bool(self.finished)
