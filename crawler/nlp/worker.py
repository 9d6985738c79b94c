"""A consumer-group reader of the posts stream that calls a handler per batch.

Delivery is at-least-once: entries are acknowledged (XACK) only after the
handler returned. After a crash, the worker first re-reads its own pending
entries (same ``--consumer`` name), and every worker periodically re-claims
(XAUTOCLAIM) entries other consumers left pending longer than ``claim_idle``,
so a dead worker's batch is finished by whoever is alive. Handlers must
therefore be idempotent (the default handler upserts one row per post).

A failing batch is retried entry by entry so one bad post cannot block the
rest; an entry that failed ``max_deliveries`` times goes to the dead-letter
stream ``<stream>:dead`` (with the error) and is acknowledged. SIGTERM/SIGINT
finish the current batch, acknowledge it and exit; a lost Redis connection is
logged once and retried until Redis is back.
"""
from __future__ import annotations

import importlib
import logging
import os
import signal
import socket
import time
from collections import Counter
from collections.abc import Callable

import redis

from .stream import DEFAULT_STREAM

logger = logging.getLogger(__name__)

Handler = Callable[[list[dict]], object]
_REDIS_DOWN = (redis.ConnectionError, redis.TimeoutError, ConnectionError, OSError)


def load_handler(spec: str) -> Handler:
    """``package.module:function`` -> the function."""
    module_name, sep, attr = spec.partition(":")
    if not sep or not module_name or not attr:
        raise ValueError(f"handler must look like module:function, not {spec!r}")
    target = importlib.import_module(module_name)
    for part in attr.split("."):
        target = getattr(target, part)
    if not callable(target):
        raise TypeError(f"{spec} is not callable")
    return target


class StreamWorker:
    """Reads ``stream`` as ``consumer`` of ``group`` and feeds ``handler`` batches."""

    def __init__(
        self,
        redis_url: str,
        group: str,
        handler: Handler,
        *,
        consumer: str | None = None,
        stream: str = DEFAULT_STREAM,
        batch: int = 100,
        block_ms: int = 2000,
        claim_idle_ms: int = 60_000,
        max_deliveries: int = 5,
        start_id: str = "0",
        exit_when_idle: bool = False,
        retry_delay: float = 1.0,
    ):
        self.redis_url = redis_url
        self.client = redis.Redis.from_url(
            redis_url, decode_responses=True, socket_connect_timeout=5,
            socket_timeout=block_ms / 1000 + 10, health_check_interval=30,
        )
        self.group, self.handler, self.stream = group, handler, stream
        self.consumer = consumer or f"{socket.gethostname()}-{os.getpid()}"
        self.batch, self.block_ms, self.claim_idle_ms = batch, block_ms, claim_idle_ms
        self.max_deliveries, self.start_id = max_deliveries, start_id
        self.exit_when_idle, self.retry_delay = exit_when_idle, retry_delay
        self.dead_stream = f"{stream}:dead"
        self.stopping = False
        self.failures: Counter[str] = Counter()  # entry id -> failed handler calls here
        self.unacked: list[str] = []  # handled, acknowledgement not yet through
        self.read_own_pending = True
        self.claim_cursor = "0-0"
        self.next_claim = 0.0
        self.group_ready = False
        self.down_since: float | None = None
        self.stats = Counter()

    # -- public ------------------------------------------------------------------------
    def install_signal_handlers(self) -> None:
        """First SIGTERM/SIGINT: finish the batch and exit; a second one: exit now."""

        def graceful(signum, frame):
            if self.stopping:
                raise SystemExit(128 + signum)
            logger.info("Signal %s: finishing the current batch, then exiting", signal.Signals(signum).name)
            self.stopping = True

        signal.signal(signal.SIGTERM, graceful)
        signal.signal(signal.SIGINT, graceful)

    def run(self) -> int:
        """Process until stopped (or, with ``exit_when_idle``, until nothing is left)."""
        logger.info("nlp-worker %s: group %s on %s %s, batch %d",
                    self.consumer, self.group, self.redis_url, self.stream, self.batch)
        started, last_report = time.monotonic(), time.monotonic()
        while not self.stopping:
            try:
                busy = self.step()
            except _REDIS_DOWN as exc:
                self._redis_down(exc)
                continue
            except redis.ResponseError as exc:
                if "NOGROUP" not in str(exc):
                    raise
                logger.warning("Group %s vanished (Redis restarted without persistence?); recreating", self.group)
                self.group_ready = False
                continue
            self._redis_up()
            if time.monotonic() - last_report >= 10:
                last_report = time.monotonic()
                self._report(started)
            if not busy and self.exit_when_idle and self._drained():
                logger.info("Nothing left to process: exiting")
                break
        self._flush_acks(final=True)
        self._report(started)
        return 0

    def step(self) -> bool:
        """One read-handle-acknowledge round; False when there was nothing to do."""
        if not self.group_ready:
            self._ensure_group()
        self._flush_acks()
        entries = self._next_entries()
        if not entries:
            return False
        self._process(entries)
        return True

    # -- reading -----------------------------------------------------------------------
    def _ensure_group(self) -> None:
        try:
            self.client.xgroup_create(self.stream, self.group, id=self.start_id, mkstream=True)
            logger.info("Created consumer group %s on %s (from %s)", self.group, self.stream, self.start_id)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        self.group_ready = True
        self.read_own_pending = True

    def _next_entries(self) -> list[tuple[str, dict]]:
        if self.read_own_pending:  # delivered to this consumer earlier and never acknowledged
            entries = self._read("0", block=None)
            if entries:
                self.stats["redelivered"] += len(entries)
                return entries
            self.read_own_pending = False
        if time.monotonic() >= self.next_claim:
            entries = self._claim()
            if entries:
                return entries
        return self._read(">", block=self.block_ms)

    def _read(self, start: str, block: int | None) -> list[tuple[str, dict]]:
        reply = self.client.xreadgroup(self.group, self.consumer, {self.stream: start},
                                       count=self.batch, block=block)
        entries = reply[0][1] if reply else []
        gone = [eid for eid, fields in entries if not fields]  # trimmed while pending
        if gone:
            self.client.xack(self.stream, self.group, *gone)
        return [(eid, fields) for eid, fields in entries if fields]

    def _claim(self) -> list[tuple[str, dict]]:
        """Take over entries idle in other (presumably dead) consumers."""
        cursor, entries, deleted = self._xautoclaim()
        if deleted:
            self.client.xack(self.stream, self.group, *deleted)
        self.claim_cursor = cursor
        if cursor == "0-0":  # scanned the whole pending list: wait before the next scan
            self.next_claim = time.monotonic() + max(self.claim_idle_ms / 4000, 0.2)
        entries = [(eid, fields) for eid, fields in entries if fields]
        if entries:
            self.stats["claimed"] += len(entries)
            logger.info("Re-claimed %d entries left pending by other consumers", len(entries))
        return entries

    def _xautoclaim(self):
        reply = self.client.xautoclaim(self.stream, self.group, self.consumer, self.claim_idle_ms,
                                       start_id=self.claim_cursor, count=self.batch)
        cursor, entries = reply[0], reply[1]
        deleted = reply[2] if len(reply) > 2 else []
        return cursor, entries, deleted

    def _drained(self) -> bool:
        """No entry undelivered to the group and none pending anywhere in it."""
        info = {g["name"]: g for g in self.client.xinfo_groups(self.stream)}.get(self.group)
        if info is None:
            return False
        lag = info.get("lag")
        return int(info.get("pending", 0)) == 0 and (lag is None or int(lag) == 0)

    # -- handling ----------------------------------------------------------------------
    def _process(self, entries: list[tuple[str, dict]]) -> None:
        entries = self._drop_poison(entries)
        if not entries:
            return
        posts = [{**fields, "id": eid} for eid, fields in entries]
        try:
            self.handler(posts)
        except Exception as exc:  # noqa: BLE001 - a handler may fail in any way
            if len(posts) == 1:
                self._failed(posts[0]["id"], exc)
                return
            logger.warning("Handler failed on a batch of %d (%s: %s); retrying one by one",
                           len(posts), type(exc).__name__, exc)
            for post in posts:
                if self.stopping:
                    break
                try:
                    self.handler([post])
                except Exception as one_exc:  # noqa: BLE001
                    self._failed(post["id"], one_exc)
                else:
                    self._ack([post["id"]])
            return
        self._ack([p["id"] for p in posts])

    def _failed(self, entry_id: str, exc: Exception) -> None:
        self.failures[entry_id] += 1
        self.stats["failed"] += 1
        logger.error("Handler failed on entry %s (attempt %d of %d): %s: %s", entry_id,
                     self.failures[entry_id], self.max_deliveries, type(exc).__name__, exc)
        self.last_error = f"{type(exc).__name__}: {exc}"
        self.read_own_pending = True  # retry it from this consumer's pending list
        time.sleep(min(self.retry_delay * self.failures[entry_id], 30))

    def _drop_poison(self, entries: list[tuple[str, dict]]) -> list[tuple[str, dict]]:
        """Dead-letter entries that failed too often here or were delivered too often overall."""
        keep = []
        delivered = {}
        if any(self.failures.get(eid) for eid, _ in entries) or self.stats["claimed"] or self.stats["redelivered"]:
            for item in self.client.xpending_range(self.stream, self.group, min=entries[0][0],
                                                   max=entries[-1][0], count=len(entries) * 2):
                delivered[item["message_id"]] = int(item["times_delivered"])
        for eid, fields in entries:
            if self.failures.get(eid, 0) >= self.max_deliveries or delivered.get(eid, 0) > self.max_deliveries * 2:
                error = getattr(self, "last_error", "delivered too often")
                self.client.xadd(self.dead_stream, {**fields, "entry_id": eid, "group": self.group, "error": error})
                self.client.xack(self.stream, self.group, eid)
                self.failures.pop(eid, None)
                self.stats["dead_lettered"] += 1
                logger.error("Entry %s moved to %s after repeated failures", eid, self.dead_stream)
            else:
                keep.append((eid, fields))
        return keep

    # -- acknowledging -----------------------------------------------------------------
    def _ack(self, ids: list[str]) -> None:
        self.unacked.extend(ids)
        self.stats["processed"] += len(ids)
        for eid in ids:
            self.failures.pop(eid, None)
        self._flush_acks()

    def _flush_acks(self, final: bool = False) -> None:
        if not self.unacked:
            return
        try:
            self.client.xack(self.stream, self.group, *self.unacked)
            self.unacked.clear()
        except _REDIS_DOWN as exc:
            if not final:
                raise
            logger.error("Could not acknowledge %d handled entries (%s); they will be handled again",
                         len(self.unacked), exc)

    # -- Redis outages -----------------------------------------------------------------
    def _redis_down(self, exc: Exception) -> None:
        now = time.monotonic()
        if self.down_since is None:
            self.down_since = now
            logger.error("Redis unreachable at %s: %s. Retrying until it is back; %d handled entries "
                         "wait for acknowledgement", self.redis_url, exc, len(self.unacked))
        self.stats["redis_errors"] += 1
        time.sleep(min(0.5 * 2 ** min(self.stats["redis_errors"], 4), 5) if not self.stopping else 0)
        self.group_ready = False

    def _redis_up(self) -> None:
        if self.down_since is not None:
            logger.warning("Redis at %s is back after %.1fs; resuming", self.redis_url,
                           time.monotonic() - self.down_since)
            self.down_since = None
            self.stats["redis_errors"] = 0

    def _report(self, started: float) -> None:
        elapsed = max(time.monotonic() - started, 1e-9)
        logger.info("processed %d entries (%.1f/s); failed %d, dead-lettered %d, re-claimed %d, redelivered %d",
                    self.stats["processed"], self.stats["processed"] / elapsed, self.stats["failed"],
                    self.stats["dead_lettered"], self.stats["claimed"], self.stats["redelivered"])
