"""Extraction in worker processes, for machines with cores to spare.

``extractor.extract`` is pure CPU work and Python runs one thread at a time, so a
single crawler process uses one core. With ``FORUMCRAWL_EXTRACT_PROCESSES=N``
the spider sends response bodies to N worker processes (started with
``forkserver``, the learned site template installed once per worker) and awaits
the resulting :class:`~extractor.model.Page` while the reactor keeps downloading.
Each worker has its own pipe, read by the event loop: no thread in the crawler
process, so the reactor never waits for the GIL to come back from one.
``-1`` (the default) sizes the pool from the machine: one worker per core, at most
:data:`AUTO_MAX`, none on one core or under a shared Redis frontier (there, more
crawler processes are the way to more cores). As many workers as cores, not one
fewer: the crawler process waits on the network part of the time, and a second
worker fills that time (2 cores: 89-96 pages/s with 2 workers against 76-82 with 1,
``bench/throughput.py --threads 600 --only generic``).

Each page gets ``timeout`` seconds (``FORUMCRAWL_EXTRACT_TIMEOUT``, 30) of a worker: a
page still being extracted then is abandoned, its worker process is killed and
replaced (a running task cannot be cancelled), and the page comes back as a failed
extraction (no posts, no links) so the crawl goes on; pages in the other workers are
not disturbed, and a page whose worker died under it is extracted once more. A worker holds at
most :data:`DEPTH` pages (the one in hand and the next, already in its pipe, so it never waits for
the crawler process between two pages); the others wait here, and a page's limit starts when its
worker begins it, so it counts extraction time only.
"""
from __future__ import annotations

import asyncio
import multiprocessing
import os
import pickle
import struct
import threading
import time
from collections import deque
from collections.abc import Mapping
from typing import Any

AUTO_MAX = 2  # workers chosen by -1: beyond two, the crawler process is the bottleneck
DEFAULT_TIMEOUT = 30.0  # seconds of a worker one page may take (FORUMCRAWL_EXTRACT_TIMEOUT)
TIMEOUT_WARNING = "extraction failed: timed out"  # start of the warning of an abandoned page
PARENT_POLL_SECONDS = 1.0
# Tasks a worker is given at once: the one in hand, and the next waiting in its pipe, so it
# starts on the next page as soon as it sends a result, without waiting for the crawl process
# (busy with another page's items, or not scheduled) to read that result and send the next.
DEPTH = 2

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


def _extract(body: bytes, url: str, headers: Mapping | None, ref: tuple[int, str] | None = None,
             slim: bool = False):
    """The page of ``body``; ``slim``: without ``page.text`` (the page's whole text, as large
    as its posts together) but an article's, which the spider reads only to tell an article
    copying stored posts (crawler/assembly.py): a third of the pickled result less to send
    back, and to unpickle in the crawler process."""
    import extractor

    template = _template
    if ref is not None:
        # a template learned after this worker started: loaded once per worker from its file
        # (a crawl of several sites has one per site, each under its own version)
        template = _loaded.get(ref[0]) if ref[1] else None
        if template is None and ref[1]:
            with open(ref[1], "rb") as fh:
                template = _loaded[ref[0]] = pickle.load(fh)
    page = extractor.extract(body, url, headers=headers, template=template)
    if slim and page.kind != "article":
        page.text = ""
    return page


def _learn(pages: list[tuple[bytes, str, str | None]]):
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


class WorkerDied(RuntimeError):
    """A worker process ended (killed, crashed) with a page in hand."""


class _NotStarted(WorkerDied):
    """A worker was replaced before it began this task (queued behind the one in hand):
    the task goes to another worker, and it is no retry."""


def _serve(conn, template_pickle: bytes | None, crawler: tuple[int, str | None]) -> None:
    """A worker's loop: one task in, one pickled ``(ok, result)`` out, until the crawler's
    end of the pipe closes (the crawler exited or was killed: EOF)."""
    _install(template_pickle, crawler)
    while True:
        try:
            kind, args = pickle.loads(conn.recv_bytes())
        except (EOFError, OSError):
            os._exit(0)
        try:
            result = (True, _extract(*args) if kind == "extract" else _learn(*args))
        except Exception as exc:  # the crawl goes on: the caller sees the exception
            result = (False, exc)
        try:
            data = pickle.dumps(result, pickle.HIGHEST_PROTOCOL)
        except Exception as exc:
            data = pickle.dumps((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
        try:
            send_frame(conn, data)
        except OSError:
            os._exit(0)


_WRITEV = getattr(os, "writev", None)


def send_frame(conn, data: bytes) -> None:
    """``conn.send_bytes(data)`` in one system call: the same frame (4-byte length, then the
    data), but ``Connection`` writes a large message's length and its data separately, so the
    reader woke on the length alone and then blocked in its read until the writer was scheduled
    again for the rest (the crawl process's reactor blocked so, once per page, on a busy machine;
    and each frame cost two wake-ups instead of one)."""
    if _WRITEV is None or len(data) > 0x7FFFFFFF:
        conn.send_bytes(data)
        return
    fd = conn.fileno()
    parts = [struct.pack("!i", len(data)), memoryview(data)]
    while parts:
        written = _WRITEV(fd, parts)
        while parts and written >= len(parts[0]):
            written -= len(parts[0])
            parts.pop(0)
        if parts and written:
            parts[0] = parts[0][written:]


PIPE_BUFFER = 4 * 1024 * 1024  # bytes a pipe may hold (the kernel caps it: net.core.wmem_max)


def _roomy(conn) -> None:
    """Let a whole page (or its extracted result) sit in the socket at once: a write then
    never waits for the other process to be scheduled and read (on a busy machine the
    reactor waited milliseconds per page on a 200 KB default buffer)."""
    import socket

    try:
        sock = socket.socket(fileno=os.dup(conn.fileno()))
    except (OSError, AttributeError):
        return
    try:
        for option in (socket.SO_SNDBUF, socket.SO_RCVBUF):
            sock.setsockopt(socket.SOL_SOCKET, option, PIPE_BUFFER)
    except OSError:
        pass
    finally:
        sock.close()


class _Worker:
    """One worker process and the crawler's end of its pipe."""

    def __init__(self, context, template_pickle: bytes | None) -> None:
        mine, theirs = context.Pipe(duplex=True)
        _roomy(mine), _roomy(theirs)
        self.process = context.Process(target=_serve, daemon=True, name="forumcrawl-extractor",
                                       args=(theirs, template_pickle, (os.getpid(), _identity(os.getpid()))))
        self.process.start()
        theirs.close()
        self.conn = mine
        # its tasks in the order sent, the one in hand first: (result, started) futures each
        self.tasks: deque[tuple[asyncio.Future, asyncio.Future]] = deque()
        self.loop: asyncio.AbstractEventLoop | None = None

    @property
    def future(self) -> asyncio.Future | None:
        """The result of the task in hand (None: idle)."""
        return self.tasks[0][0] if self.tasks else None

    def fail(self, exc: BaseException | None = None) -> None:
        """Its tasks end: the one in hand with ``exc`` (cancelled without one), the waiting
        ones as not started (cancelled without ``exc``)."""
        tasks, self.tasks = self.tasks, deque()
        for i, (future, started) in enumerate(tasks):
            if not started.done():
                if exc is None:
                    started.cancel()
                else:
                    started.set_exception(_NotStarted(str(exc)))
            elif not future.done():
                if exc is None:
                    future.cancel()
                else:
                    future.set_exception(exc)

    def watch(self, loop: asyncio.AbstractEventLoop, callback) -> None:
        """Results are read by the event loop when the pipe is readable: no thread."""
        if self.loop is not loop:
            self.unwatch()
            loop.add_reader(self.conn.fileno(), callback, self)
            self.loop = loop

    def unwatch(self) -> None:
        if self.loop is not None and not self.loop.is_closed():
            try:
                self.loop.remove_reader(self.conn.fileno())
            except (OSError, ValueError):
                pass
        self.loop = None

    def stop(self, kill: bool = False) -> None:
        self.unwatch()
        try:
            self.conn.close()  # an idle worker sees EOF and exits
        except OSError:
            pass
        if kill and self.process.is_alive():
            self.process.kill()


class ExtractPool:
    """A pool of extractor processes sharing one site template, with a time limit per page.

    No thread in the crawler process: each worker has a pipe, a task is written to it
    from the reactor thread and the result is read by the event loop when the pipe is
    readable. (``concurrent.futures.ProcessPoolExecutor`` runs a manager and a feeder
    thread, and every page then crossed the GIL between them and the reactor: on a busy
    machine the reactor waited several milliseconds per page for the GIL to come back.)
    """

    def __init__(self, processes: int, template: Any, timeout: float | None = DEFAULT_TIMEOUT,
                 slim: bool = False) -> None:
        self.slim = slim  # pages come back without page.text (see _extract)
        self._ref: tuple[int, str] | None = None
        self._dir: str | None = None
        self.processes = processes
        self.timeout = timeout if timeout and timeout > 0 else None  # None: no limit
        self.timeouts = 0  # pages abandoned over the limit
        self._abandoned: set[str] = set()  # their URLs: not tried again (a held warm-up page is re-extracted)
        self.replaced = 0  # workers replaced (after a timeout or a death)
        self.retried = 0  # pages extracted again after their worker died under them
        self._blob = pickle.dumps(template) if template is not None else None
        self._context = multiprocessing.get_context("forkserver" if _HAS_FORKSERVER else "spawn")
        prestart()  # (once per process: a replaced worker too forks with the extractor imported,
        #           so its first page's time limit is not spent importing numpy and lxml)
        self._workers: list[_Worker] = []
        self._idle: asyncio.Queue | None = None  # a worker once per task it can take (DEPTH at most)
        self._idle_loop: asyncio.AbstractEventLoop | None = None
        self._cpu_gone = 0.0  # CPU seconds of workers already replaced
        self._closed = False

    def pids(self) -> list[int]:
        """The live workers' process ids."""
        return [w.process.pid for w in self._workers]

    def _start(self) -> None:
        loop = asyncio.get_running_loop()
        if self._idle is None or self._idle_loop is not loop:  # (a new event loop: tests)
            self._idle, self._idle_loop = asyncio.Queue(), loop
            for worker in self._workers:
                for _ in range(DEPTH - len(worker.tasks)):
                    self._idle.put_nowait(worker)
        while len(self._workers) < self.processes:
            worker = _Worker(self._context, self._blob)
            self._workers.append(worker)
            for _ in range(DEPTH):
                self._idle.put_nowait(worker)
        for worker in self._workers:
            worker.watch(loop, self._readable)

    def _readable(self, worker: _Worker) -> None:
        """The worker's pipe has its answer (or the worker is gone)."""
        try:
            ok, value = pickle.loads(worker.conn.recv_bytes())
        except (EOFError, OSError, pickle.UnpicklingError) as exc:
            self._retire(worker, exc=WorkerDied(f"extractor process {worker.process.pid} ended: {exc!r}"))
            return
        future = worker.tasks.popleft()[0] if worker.tasks else None
        if worker.tasks:  # the worker is at its next task now: its time limit starts
            started = worker.tasks[0][1]
            if not started.done():
                started.set_result(None)
        if self._idle is not None and not self._closed:
            self._idle.put_nowait(worker)
        if future is None or future.done():
            return
        if ok:
            future.set_result(value)
        else:
            future.set_exception(value)

    def _retire(self, worker: _Worker, kill: bool = False, exc: BaseException | None = None) -> None:
        """Take ``worker`` out (dead, or stuck and killed) and start a fresh one in its place;
        its task in hand ends with ``exc``, those waiting go to other workers."""
        worker.fail(exc or WorkerDied(f"extractor process {worker.process.pid} replaced"))
        if worker not in self._workers:
            return
        self._cpu_gone += _cpu_of(worker.process.pid)
        self._workers.remove(worker)
        loop = worker.loop
        worker.stop(kill=kill)
        self.replaced += 1
        if not self._closed:
            fresh = _Worker(self._context, self._blob)
            self._workers.append(fresh)
            if loop is not None and not loop.is_closed():
                fresh.watch(loop, self._readable)
                if self._idle is not None and self._idle_loop is loop:
                    for _ in range(DEPTH):
                        self._idle.put_nowait(fresh)

    async def _run(self, kind: str, args: tuple, timeout: float | None):
        """Run one task in a worker with room for it (idle, or busy with one task: this one
        waits in its pipe, DEPTH); the time limit starts when the worker begins the task, so
        it counts the work alone."""
        self._start()
        while True:
            worker = await self._idle.get()
            if worker in self._workers:
                break
        loop = asyncio.get_running_loop()
        task = (loop.create_future(), loop.create_future())
        future, started = task
        if not worker.tasks:
            started.set_result(None)
        worker.tasks.append(task)
        try:
            send_frame(worker.conn, pickle.dumps((kind, args), pickle.HIGHEST_PROTOCOL))
        except OSError as exc:
            worker.tasks.remove(task)
            self._retire(worker)
            raise WorkerDied(f"extractor process {worker.process.pid} ended: {exc!r}") from exc
        await started   # (_NotStarted: the worker was replaced before it began this task)
        try:
            return await asyncio.wait_for(asyncio.shield(future), timeout)
        except asyncio.TimeoutError:
            if task in worker.tasks:
                worker.tasks.remove(task)
            self._retire(worker, kill=True)  # a running task cannot be cancelled, only its process killed
            raise

    async def extract(self, body: bytes, url: str, headers: Mapping | None, ref: Any = _POOL):
        """The extracted page; over the time limit, a failed page (``TIMEOUT_WARNING``).
        ``ref``: the template to use, as :meth:`set_template` returned it (default: the latest)."""
        ref = self._ref if ref is _POOL else ref
        if url in self._abandoned:
            return _timed_out(url, self.timeout)
        attempt = moved = 0
        while True:
            try:
                return await self._run("extract", (body, url, headers, ref, self.slim), self.timeout)
            except asyncio.TimeoutError:
                self.timeouts += 1
                self._abandoned.add(url)
                return _timed_out(url, self.timeout)
            except _NotStarted:
                # waiting behind a page whose worker was replaced: sent to another worker
                moved += 1
                if moved > 2 * DEPTH * max(1, self.processes):
                    raise
            except WorkerDied:
                # the worker died with the page in hand (killed, crashed): once more, in a fresh one
                if attempt:
                    raise
                attempt = 1
                self.retried += 1

    def set_template(self, template: Any) -> tuple[int, str]:
        """Workers use ``template`` from now on (the one learned after the warm-up): written
        once to a file that each worker reads at its next page, so no worker is replaced.
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

    async def learn(self, pages: list[tuple[bytes, str, str | None]]):
        """``SiteTemplate.learn(pages)`` in a worker: the reactor thread keeps crawling."""
        try:
            return await self._run("learn", (pages,), None)
        except WorkerDied:
            self.retried += 1
            return await self._run("learn", (pages,), None)

    def cpu_seconds(self) -> float:
        """CPU time the workers have used (Linux /proc; 0.0 elsewhere), for the stats."""
        return self._cpu_gone + sum(_cpu_of(pid) for pid in self.pids())

    def close(self) -> None:
        self._closed = True
        for worker in self._workers:
            worker.stop(kill=worker.future is not None)
            worker.fail()
        self._workers = []
        if self._dir is not None:
            import shutil

            shutil.rmtree(self._dir, ignore_errors=True)


def _cpu_of(pid: int) -> float:
    """A process's CPU seconds (utime + stime) from /proc; 0.0 when unknown."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0
