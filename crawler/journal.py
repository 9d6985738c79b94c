"""The spider's memory of which URLs it has taken on and which are finished,
with an optional crash-safe journal in ``JOBDIR``.

Why a journal: Scrapy's own ``JOBDIR`` state (disk queues, ``active.json``) is
only consistent after a graceful shutdown. After a SIGKILL the queue index is
stale and ``requests.seen`` holds requests that were popped but whose items
never reached the database, so a plain resume would lose them. Here every URL
the spider accepts is appended to ``frontier.journal`` (``A`` record, with the
request's priority and the meta needed to rebuild it) and marked finished
(``D`` record) only once its items are *committed* to the store (or, for pages
without items, once all its outgoing links are journaled). A resume re-queues
every URL with an ``A`` and no ``D``: nothing committed is fetched again except
pages whose items were lost, and nothing is lost.

Invariant that makes this safe: a page's ``D`` is written after the ``A``
records of everything it discovered (``done`` flushes the buffer first), so a
page whose children were not journaled is still pending and will rediscover
them.
"""
from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

JOURNAL_NAME = "frontier.journal"


class Frontier:
    """Seen URLs, finished URLs, and (with a job directory) the journal."""

    def __init__(self, jobdir: str | os.PathLike | None = None) -> None:
        self.seen: set[str] = set()
        self.finished: set[str] = set()
        self._requests: dict[str, tuple[int, dict[str, Any]]] = {}
        self._buffer: list[bytes] = []
        self._fd: int | None = None
        self.resumed_pending: list[tuple[str, int, dict[str, Any]]] = []
        if jobdir:
            path = Path(jobdir)
            path.mkdir(parents=True, exist_ok=True)
            self.path = path / JOURNAL_NAME
            self._replay()
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        else:
            self.path = None

    @property
    def journaled(self) -> bool:
        return self._fd is not None

    def _replay(self) -> None:
        if not self.path.exists():
            return
        requests: dict[str, tuple[int, dict[str, Any]]] = {}
        finished: set[str] = set()
        with self.path.open("rb") as fh:
            for raw in fh:
                if not raw.endswith(b"\n"):
                    break  # a record cut by the kill: everything after it is unwritten
                try:
                    rec = json.loads(raw)
                except ValueError:
                    break
                if "a" in rec:
                    requests[rec["a"]] = (int(rec.get("p", 0)), rec.get("m") or {})
                elif "d" in rec:
                    finished.add(rec["d"])
        self.seen.update(requests)
        self.seen.update(finished)
        self.finished = finished
        self.resumed_pending = [
            (url, prio, meta) for url, (prio, meta) in requests.items() if url not in finished
        ]
        # Highest priority first, so thread chains resume before discovery.
        self.resumed_pending.sort(key=lambda r: -r[1])
        self._requests = {u: requests[u] for u, _, _ in self.resumed_pending}
        log.info(
            "Frontier journal %s: %d URLs known, %d finished, %d to fetch again",
            self.path, len(self.seen), len(finished), len(self.resumed_pending),
        )

    def add(self, url: str, priority: int = 0, meta: dict[str, Any] | None = None) -> bool:
        """Take on ``url``; False when it was already taken on (nothing recorded)."""
        if url in self.seen:
            return False
        self.seen.add(url)
        if self._fd is not None:
            self._buffer.append(_record({"a": url, "p": priority, "m": meta or {}}))
        return True

    def update(self, url: str, priority: int, meta: dict[str, Any]) -> None:
        """Record new meta for a pending URL (a thread chain claimed it), for a resume."""
        if self._fd is not None and url not in self.finished:
            self._buffer.append(_record({"a": url, "p": priority, "m": meta}))

    def done(self, url: str) -> None:
        """Mark ``url`` finished: its items are committed and its links journaled."""
        if url in self.finished:
            return
        self.finished.add(url)
        if self._fd is not None:
            self._buffer.append(_record({"d": url}))
            self.flush()

    def is_done(self, url: str) -> bool:
        return url in self.finished

    def flush(self) -> None:
        """Write buffered records (one ``write`` call: survives a SIGKILL once returned)."""
        if self._fd is not None and self._buffer:
            data = b"".join(self._buffer)
            self._buffer.clear()
            view = memoryview(data)
            while view:
                written = os.write(self._fd, view)
                view = view[written:]

    def close(self) -> None:
        self.flush()
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _record(obj: dict[str, Any]) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
