"""Extraction in worker processes, for machines with cores to spare.

``extractor.extract`` is pure CPU work and Python runs one thread at a time, so a
single crawler process uses one core. With ``FORUMCRAWL_EXTRACT_PROCESSES=N``
the spider sends response bodies to N worker processes (started with
``forkserver``, the learned site template installed once per worker) and awaits
the resulting :class:`~extractor.model.Page` while the reactor keeps downloading.
``-1`` (the default) sizes the pool from the machine: one worker per core, at most
:data:`AUTO_MAX`, none on one core or under a shared Redis frontier (there, more
crawler processes are the way to more cores). As many workers as cores, not one
fewer: the crawler process waits on the network part of the time, and a second
worker fills that time (2 cores: 89-96 pages/s with 2 workers against 76-82 with 1,
``bench/throughput.py --threads 600 --only generic``).

Each page gets ``timeout`` seconds (``FORUMCRAWL_EXTRACT_TIMEOUT``, 30) of a worker: a
page still being extracted then is abandoned, its worker processes are replaced (a
running task cannot be cancelled, only its process killed), and the page comes back as
a failed extraction (no posts, no links) so the crawl goes on. Pages wait for a free
worker here, not in the executor's queue, so the limit counts extraction time only.
"""
from __future__ import annotations

import asyncio
import multiprocessing
import os
import pickle
import threading
import time
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

AUTO_MAX = 2  # workers chosen by -1: beyond two, the crawler process is the bottleneck
DEFAULT_TIMEOUT = 30.0  # seconds of a worker one page may take (FORUMCRAWL_EXTRACT_TIMEOUT)
TIMEOUT_WARNING = "extraction failed: timed out"  # start of the warning of an abandoned page
PARENT_POLL_SECONDS = 1.0

_template: Any = None
_loaded: dict[int, Any] = {}  # templates learned after the worker started, by version (one per site)
NO_TEMPLATE = (0, "")  # the ref of "no template" (a site whose template is not learned yet)
_POOL = object()  # extract()'s default ref: the pool's own (its latest set_template)
# Windows has no forkserver: workers are spawned there (and not started by default)
_HAS_FORKSERVER = "forkserver" in multiprocessing.get_all_start_methods()


def pool_size(setting: int, *, shared_frontier: bool = False, cores: int | None = None) -> int:
    """Worker processes for FORUMCRAWL_EXTRACT_PROCESSES=``setting`` (-1: from the core count)."""
    if setting >= 0:
        return setting
    if shared_frontier or not _HAS_FORKSERVER:
        return 0
    if cores is None:
        try:
            cores = len(os.sched_getaffinity(0))
        except (AttributeError, OSError):
            cores = os.cpu_count() or 1
    return 0 if cores < 2 else min(AUTO_MAX, cores)


def _install(template_pickle: bytes | None, crawler: tuple[int, str | None]) -> None:
    global _template
    _template = pickle.loads(template_pickle) if template_pickle else None
    threading.Thread(target=_exit_with_crawler, args=crawler, daemon=True,
                     name="forumcrawl-crawler-watch").start()


def _identity(pid: int) -> str | None:
    """A process's start time (Linux /proc), so a recycled pid is not taken for it."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def _alive(pid: int, identity: str | None) -> bool:
    if identity is not None:
        return _identity(pid) == identity
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _exit_with_crawler(pid: int, identity: str | None) -> None:
    """A worker whose crawler was killed (SIGKILL: no shutdown message) would wait on its
    task queue forever, and so would the forkserver that started it (the worker's parent,
    not the crawler); the worker leaves as soon as the crawler process is gone."""
    while _alive(pid, identity):
        time.sleep(PARENT_POLL_SECONDS)
    os._exit(0)


def _extract(body: bytes, url: str, headers: Mapping | None, ref: tuple[int, str] | None = None):
    import extractor

    template = _template
    if ref is not None:
        # a template learned after this worker started: loaded once per worker from its file
        # (a crawl of several sites has one per site, each under its own version)
        template = _loaded.get(ref[0]) if ref[1] else None
        if template is None and ref[1]:
            with open(ref[1], "rb") as fh:
                template = _loaded[ref[0]] = pickle.load(fh)
    return extractor.extract(body, url, headers=headers, template=template)


def _learn(pages: list[tuple[bytes, str]]):
    import extractor

    template_cls = getattr(extractor, "SiteTemplate", None)
    return template_cls.learn(pages) if template_cls is not None else None


def prestart() -> None:
    """Start the forkserver now, with the extractor imported in it: the pool is made only
    once the site template is learned, and its workers then fork ready to work instead of
    spending the crawl's first second importing numpy and lxml."""
    if not _HAS_FORKSERVER:
        return
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["extractor", "crawler.extractpool"])
    from multiprocessing import forkserver

    forkserver.ensure_running()


def _timed_out(url: str, limit: float | None):
    """The page of an extraction abandoned over the time limit: no posts, no links."""
    from extractor.model import Page

    return Page(url=url, warnings=[f"{TIMEOUT_WARNING} after {limit:g}s (worker process replaced)"])


class ExtractPool:
    """A pool of extractor processes sharing one site template, with a time limit per page."""

    def __init__(self, processes: int, template: Any, timeout: float | None = DEFAULT_TIMEOUT) -> None:
        self._ref: tuple[int, str] | None = None
        self._dir: str | None = None
        self.processes = processes
        self.timeout = timeout if timeout and timeout > 0 else None  # None: no limit
        self.timeouts = 0  # pages abandoned over the limit
        self._abandoned: set[str] = set()  # their URLs: not tried again (a held warm-up page is re-extracted)
        self.replaced = 0  # executors replaced (after a timeout or a dead worker)
        self.retried = 0  # pages extracted again after their pool was replaced under them
        self._blob = pickle.dumps(template) if template is not None else None
        self._slots: asyncio.Semaphore | None = None
        self._executor = self._new_executor()

    def _new_executor(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.processes,
            mp_context=multiprocessing.get_context("forkserver" if _HAS_FORKSERVER else "spawn"),
            initializer=_install, initargs=(self._blob, (os.getpid(), _identity(os.getpid()))),
        )

    async def extract(self, body: bytes, url: str, headers: Mapping | None, ref: Any = _POOL):
        """The extracted page; over the time limit, a failed page (``TIMEOUT_WARNING``).
        ``ref``: the template to use, as :meth:`set_template` returned it (default: the latest)."""
        ref = self._ref if ref is _POOL else ref
        if url in self._abandoned:
            return _timed_out(url, self.timeout)
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.processes)
        async with self._slots:  # submitted only with a worker free: the limit times extraction alone
            for attempt in range(2):
                executor = self._executor
                future = asyncio.wrap_future(executor.submit(_extract, body, url, headers, ref))
                try:
                    return await asyncio.wait_for(future, self.timeout)
                except asyncio.TimeoutError:
                    self.timeouts += 1
                    self._abandoned.add(url)
                    self._replace(executor)
                    return _timed_out(url, self.timeout)
                except BrokenProcessPool:
                    # another page's timeout killed this worker's pool (or a worker died): once more
                    self._replace(executor)
                    if attempt:
                        raise
                    self.retried += 1
        raise AssertionError("unreachable")

    def _replace(self, executor: ProcessPoolExecutor) -> None:
        """Kill the workers of ``executor`` (one is stuck) and start fresh ones, once."""
        if executor is not self._executor:
            return
        self._executor = self._new_executor()
        self.replaced += 1
        for process in list((getattr(executor, "_processes", None) or {}).values()):
            process.kill()
        # (not cancel_futures: every task of the old pool fails with BrokenProcessPool, so is retried)
        executor.shutdown(wait=False)

    def set_template(self, template: Any) -> tuple[int, str]:
        """Workers use ``template`` from now on (the one learned after the warm-up): written
        once to a file that each worker reads at its next page, so the pool is not replaced.
        Returns its ref, for :meth:`extract` (a crawl of several sites keeps one per site)."""
        import tempfile

        if self._dir is None:
            self._dir = tempfile.mkdtemp(prefix="forumcrawl-template-")
        version = (self._ref[0] if self._ref else 0) + 1
        path = os.path.join(self._dir, f"template-{version}.pickle")
        with open(path, "wb") as fh:
            pickle.dump(template, fh)
        self._ref = (version, path)
        return self._ref

    async def learn(self, pages: list[tuple[bytes, str]]):
        """``SiteTemplate.learn(pages)`` in a worker: the reactor thread keeps crawling."""
        executor = self._executor
        try:
            return await asyncio.wrap_future(executor.submit(_learn, pages))
        except BrokenProcessPool:  # a page's timeout replaced the workers meanwhile: once more
            self._replace(executor)
            return await asyncio.wrap_future(self._executor.submit(_learn, pages))

    def cpu_seconds(self) -> float:
        """CPU time the live workers have used (Linux /proc; 0.0 elsewhere), for the stats."""
        total = 0
        for pid in list(getattr(self._executor, "_processes", None) or ()):
            try:
                with open(f"/proc/{pid}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks
            except (OSError, IndexError, ValueError):
                continue
        return total / os.sysconf("SC_CLK_TCK") if total else 0.0

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
        if self._dir is not None:
            import shutil

            shutil.rmtree(self._dir, ignore_errors=True)
