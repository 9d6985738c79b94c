"""The extraction worker pool: its size from the machine, and no orphans after a SIGKILL."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from crawler.extractpool import AUTO_MAX, pool_size


def test_explicit_size_is_kept():
    assert pool_size(0, cores=8) == 0
    assert pool_size(3, cores=2) == 3


def test_auto_size_follows_the_cores():
    assert pool_size(-1, cores=1) == 0  # one core: extraction in the crawler process, no IPC
    assert pool_size(-1, cores=2) == 2
    assert pool_size(-1, cores=64) == AUTO_MAX


def test_auto_size_is_zero_under_a_shared_frontier():
    assert pool_size(-1, shared_frontier=True, cores=8) == 0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead for our purpose
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.slow
def test_workers_leave_when_the_crawler_is_killed(tmp_path):
    script = textwrap.dedent("""
        import asyncio, sys, time
        from crawler.extractpool import ExtractPool
        pool = ExtractPool(2, None)
        async def run():
            body = b"<html><body><p>hello there</p></body></html>"
            return await asyncio.gather(*(pool.extract(body, "http://x/", None) for _ in range(4)))
        assert all(page.kind is not None for page in asyncio.run(run()))
        print(" ".join(str(p) for p in pool.pids()), flush=True)
        time.sleep(120)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                            cwd=os.path.dirname(os.path.dirname(__file__)))
    try:
        workers = [int(p) for p in proc.stdout.readline().split()]
        assert len(workers) == 2 and all(_alive(p) for p in workers)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        deadline = time.monotonic() + 10
        while any(_alive(p) for p in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(p) for p in workers), "extractor workers outlived their crawler"
    finally:
        if proc.poll() is None:
            proc.kill()


def _big_page(posts: int = 20000) -> bytes:
    """About 2.7 MB of posts: a second of extraction, far over a 0.05 s limit."""
    rows = "".join(f'<div class="post"><span class="author">user{i}</span><p>Message number {i} with some '
                   "words about the weather and crawling.</p></div>" for i in range(posts))
    return f"<html><body>{rows}</body></html>".encode()


def test_a_page_over_the_time_limit_is_abandoned_and_the_pool_goes_on():
    import asyncio

    from crawler.extractpool import TIMEOUT_WARNING, ExtractPool

    small_page = b"<html><body><p>hello there, a small page</p></body></html>"
    pool = ExtractPool(1, None, timeout=30)
    try:
        async def run():
            await pool.extract(small_page, "http://x/", None)  # the worker is started
            first = set(pool.pids())
            pool.timeout = 0.05
            big = await pool.extract(_big_page(), "http://x/big", None)
            pool.timeout = 30  # a limit the small page is far below
            small = await pool.extract(small_page, "http://x/", None)
            again = await pool.extract(_big_page(), "http://x/big", None)  # not tried again
            return big, small, first, again

        big, small, first, again = asyncio.run(run())
        assert big.url == "http://x/big" and big.posts == [] and big.links == []
        assert big.warnings and big.warnings[0].startswith(TIMEOUT_WARNING), big.warnings
        assert pool.timeouts == 1 and pool.replaced == 1
        # the stuck worker was killed; the small page was extracted by a fresh one
        assert len(first) == 1 and not any(_alive(p) for p in first)
        assert set(pool.pids()) and set(pool.pids()).isdisjoint(first)
        assert "hello there" in small.text and small.warnings == []
        assert again.warnings[0].startswith(TIMEOUT_WARNING) and pool.timeouts == 1 and pool.replaced == 1
    finally:
        pool.close()


def test_a_page_whose_worker_dies_is_extracted_again():
    import asyncio

    from crawler.extractpool import ExtractPool

    pool = ExtractPool(2, None, timeout=60)
    try:
        async def run():
            task = asyncio.ensure_future(pool.extract(_big_page(), "http://x/big", None))  # seconds of work
            while not pool.pids():
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.3)
            busy = [w for w in pool._workers if w.future is not None]
            assert len(busy) == 1
            busy[0].process.kill()  # a worker killed (out of memory...) with the page in hand
            return await task

        page = asyncio.run(run())
        assert pool.replaced == 1 and pool.retried == 1 and pool.timeouts == 0 and len(pool.pids()) == 2
        assert page.url == "http://x/big" and page.text and not any(w.startswith("extraction failed")
                                                                     for w in page.warnings)
    finally:
        pool.close()


def test_no_limit_when_the_timeout_is_zero():
    from crawler.extractpool import ExtractPool

    pool = ExtractPool(1, None, timeout=0)
    try:
        assert pool.timeout is None
    finally:
        pool.close()


def test_a_slim_pool_leaves_out_the_page_text_and_nothing_else():
    import asyncio

    from crawler.extractpool import ExtractPool

    body = (b"<html><head><title>T</title></head><body><a href='/next'>next</a>"
            b"<p>hello there, a small page with a link</p></body></html>")
    full, slim = ExtractPool(1, None), ExtractPool(1, None, slim=True)
    try:
        async def run():
            return (await full.extract(body, "http://x/", None), await slim.extract(body, "http://x/", None))

        whole, trimmed = asyncio.run(run())
        assert whole.text and trimmed.text == ""
        whole.text = ""
        assert trimmed == whole  # title, links, posts, kind... as extracted
    finally:
        full.close()
        slim.close()


def test_a_page_waiting_behind_one_that_times_out_is_extracted_in_full():
    """A worker is given its next page while it works (DEPTH): that page's time limit starts
    when the worker begins it, and when the page in hand is abandoned (the worker killed), the
    waiting page goes to a fresh worker, neither timed out nor counted as a retry."""
    import asyncio

    from crawler.extractpool import DEPTH, TIMEOUT_WARNING, ExtractPool

    assert DEPTH >= 2
    small_page = b"<html><body><p>hello there, a small page</p></body></html>"
    pool = ExtractPool(1, None, timeout=30)
    try:
        async def run():
            await pool.extract(small_page, "http://x/", None)  # the worker is started
            # far above the small page's time on a fresh worker forked ready (before the pool made
            # its forkserver import the extractor, the worker did: over 0.5 s on a busy CI machine),
            # far below the big one's
            # (about 1 s of CPU: the extractor's tag budget caps it)
            pool.timeout = 0.5
            return await asyncio.gather(pool.extract(_big_page(), "http://x/big", None),
                                        pool.extract(small_page, "http://x/small", None))

        big, small = asyncio.run(run())
        assert big.warnings and big.warnings[0].startswith(TIMEOUT_WARNING)
        assert small.url == "http://x/small" and "hello there" in small.text and small.warnings == []
        assert pool.timeouts == 1 and pool.replaced == 1 and pool.retried == 0
    finally:
        pool.close()
