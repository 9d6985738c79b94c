"""A worker's heartbeat, kept from a thread of its own.

Other workers re-queue the work of a worker whose heartbeat lapses
(``FRONTIER_WORKER_TIMEOUT``). Beating from the reactor made a *busy* worker look
dead: learning the site template and extracting the pages held meanwhile run in
the reactor thread and can stall it for seconds. The worker then went on with
work already handed to others - two copies of the same requests, which broke
thread chains (docs/scale.md, "False deaths"). Here the heartbeat says "this
process is alive and its reactor has run in the last ``stall_limit`` seconds":
a stall shorter than that is no death, a reactor stuck longer is one.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

logger = logging.getLogger("crawler.frontier")


class Pulse:
    """Beats ``queue`` every ``every`` seconds (TTL ``ttl``) from a daemon thread while the
    reactor has ticked (:meth:`tick`) within ``stall_limit`` seconds."""

    def __init__(self, queue, *, ttl: float, every: float, stall_limit: float,
                 epoch: Callable[[], bytes | None], errors: tuple[type[BaseException], ...]) -> None:
        self.queue, self.ttl, self.every, self.stall_limit = queue, ttl, every, stall_limit
        self.epoch = epoch
        self.errors = errors
        self.ticked_at = time.monotonic()
        self.stalled = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="forumcrawl-frontier-pulse")

    def start(self) -> None:
        self._thread.start()

    def tick(self) -> None:
        """The reactor is running (called from its heartbeat loop)."""
        self.ticked_at = time.monotonic()
        if self.stalled:
            self.stalled = False
            logger.warning("Worker %s: its reactor runs again; heartbeats resume", self.queue.worker_id)

    def stop(self) -> None:
        """Stop beating (before the worker leaves the frontier, so it is not re-registered)."""
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=max(1.0, self.every * 2))

    def beat(self) -> int | None:
        """One heartbeat now: what :meth:`ReliableQueue.pulse` says, None when the reactor has
        stalled too long (no beat) or Redis did not answer."""
        if time.monotonic() - self.ticked_at > self.stall_limit:
            if not self.stalled:
                self.stalled = True
                logger.error("Worker %s: its reactor has not run for %.0fs (FRONTIER_STALL_LIMIT); heartbeats "
                             "stop, so other workers take its work over", self.queue.worker_id, self.stall_limit)
            return None
        try:
            state = self.queue.pulse(self.ttl, self.epoch())
        except self.errors:
            return None  # the reactor's next beat logs the outage
        if state == 0:
            logger.warning("Worker %s had been presumed dead (no heartbeat for %.0fs); its requests were "
                           "re-queued and may be fetched twice", self.queue.worker_id, self.ttl)
        return state

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.beat()
