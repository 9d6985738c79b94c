"""End to end: a crawl killed with SIGKILL under ``-s JOBDIR=...`` and then resumed
stores every post exactly once, and the resume does not start over.

The first run writes small batches rarely (so items sit in the pipeline's buffer
when the kill comes) and is slowed down so the kill lands mid-crawl.
"""
from __future__ import annotations

import signal
import subprocess
import time

import pytest

from crawler.demo.forum import build_forum
from tests.sites import REPO, LiveForum, _env, crawl_command, norm, post_row_count, run_crawl, stored_posts

pytestmark = pytest.mark.slow


def test_sigkill_then_resume_loses_and_duplicates_nothing(database_url, tmp_path) -> None:
    live = LiveForum(build_forum(seed=5, threads_per_board=6))
    jobdir = tmp_path / "job"
    expected = live.expected_posts()
    slow = ("CONCURRENT_REQUESTS=2", "DOWNLOAD_DELAY=0.05", "FORUMCRAWL_BATCH_SIZE=15",
            "FORUMCRAWL_FLUSH_INTERVAL=30")
    try:
        proc = subprocess.Popen(
            crawl_command(live.url, database_url, f"JOBDIR={jobdir}", *slow), cwd=REPO, env=_env(),
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        try:
            deadline = time.monotonic() + 90
            committed = 0
            while time.monotonic() < deadline and proc.poll() is None:
                committed = _count(database_url)
                if committed >= 40:
                    break
                time.sleep(0.05)
            assert proc.poll() is None, "the crawl ended before it could be killed: " + proc.stderr.read().decode()[-2000:]
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        before = post_row_count(database_url)
        assert 0 < before < len(expected), "the kill should land mid-crawl"
        hits_before = len(live.server.hits)

        run_crawl(live.url, database_url, f"JOBDIR={jobdir}")
        resumed_hits = live.server.hits[hits_before:]

        # The same as one uninterrupted crawl stores (the extractor's quality is tested elsewhere).
        reference = f"sqlite:///{tmp_path / 'reference.db'}"
        hits_resumed = len(live.server.hits)
        run_crawl(live.url, reference)
        full_crawl_hits = len(live.server.hits) - hits_resumed
        want = _rows(stored_posts(reference, live.server.url))
        got = _rows(stored_posts(database_url, live.server.url))
        assert len(want) >= len(expected) // 2, "the reference crawl found too few posts"
        assert len(got) == len(set(got)), "duplicated posts"
        assert got == want
        # A resume, not a restart: the pages finished before the kill were not fetched again.
        assert 0 < len(resumed_hits) < full_crawl_hits
    finally:
        live.stop()


def _rows(posts: list[dict]) -> list[tuple]:
    return sorted((p["thread_url"], p["position"], p["author"], norm(p["text"]), p["published"]) for p in posts)


def _count(database_url: str) -> int:
    try:
        return post_row_count(database_url)
    except Exception:  # the schema may not exist yet
        return 0
