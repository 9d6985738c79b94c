"""Scrapy's scheduler, minus its disk queues: the frontier journal replaces them.

Scrapy's disk queues under ``JOBDIR`` are only consistent after a graceful
shutdown; after a SIGKILL their index is stale. The generic spider keeps a
crash-safe journal of its frontier instead (:mod:`crawler.journal`) and
re-queues unfinished URLs itself on resume, so this scheduler keeps requests in
memory even when ``JOBDIR`` is set (which still persists the dupefilter and the
spider state as usual).
"""
from __future__ import annotations

from scrapy.core.scheduler import Scheduler


class JournalScheduler(Scheduler):
    """The default scheduler with memory queues only; see the module docstring."""

    #: The generic spider re-queues journaled work only under a scheduler that says so.
    replays_journal = True

    def _dqdir(self, jobdir: str | None) -> str | None:
        return None
