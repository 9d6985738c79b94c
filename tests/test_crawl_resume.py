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


@pytest.fixture(scope="module")
def forum_and_reference(tmp_path_factory):
    """The forum, with what one uninterrupted crawl of it stores and how many pages it fetches."""
    live = LiveForum(build_forum(seed=5, threads_per_board=6))
    reference = f"sqlite:///{tmp_path_factory.mktemp('reference') / 'reference.db'}"
    before = len(live.server.hits)
    run_crawl(live.url, reference)
    fetched = len(live.server.hits) - before
    yield live, _rows(stored_posts(reference, live.server.url)), fetched
    live.stop()


def test_sigkill_then_resume_loses_and_duplicates_nothing(database_url, tmp_path, forum_and_reference) -> None:
    live, want, full_crawl_hits = forum_and_reference
    jobdir = tmp_path / "job"
    expected = live.expected_posts()
    slow = ("CONCURRENT_REQUESTS=2", "DOWNLOAD_DELAY=0.05", "FORUMCRAWL_BATCH_SIZE=15",
            "FORUMCRAWL_FLUSH_INTERVAL=30")
    log = (tmp_path / "killed.log").open("w")
    proc = subprocess.Popen(
        crawl_command(live.url, database_url, f"JOBDIR={jobdir}", *slow), cwd=REPO, env=_env(),
        stdout=subprocess.DEVNULL, stderr=log,
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and proc.poll() is None and _count(database_url) < 40:
            time.sleep(0.05)
        assert proc.poll() is None, "the crawl ended before it could be killed: " + _tail(tmp_path / "killed.log")
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()
    before = post_row_count(database_url)
    assert 0 < before < len(expected), "the kill should land mid-crawl"
    hits_before = len(live.server.hits)

    run_crawl(live.url, database_url, f"JOBDIR={jobdir}")
    resumed_hits = live.server.hits[hits_before:]

    # The same as one uninterrupted crawl stores (the extractor's quality is tested elsewhere).
    got = _rows(stored_posts(database_url, live.server.url))
    assert len(want) >= len(expected) // 2, "the reference crawl found too few posts"
    assert len(got) == len(set(got)), "duplicated posts"
    assert got == want
    # A resume, not a restart: the pages finished before the kill were not fetched again.
    assert 0 < len(resumed_hits) < full_crawl_hits
    # ... and a resume is the same crawl going on: no page twice (the store already holding the
    # site must not turn it into an incremental re-crawl that re-validates the threads read so far)
    assert len(resumed_hits) == len(set(resumed_hits)), sorted(u for u in set(resumed_hits)
                                                               if resumed_hits.count(u) > 1)


def _rows(posts: list[dict]) -> list[tuple]:
    return sorted((p["thread_url"], p["position"], p["author"], norm(p["text"]), p["published"]) for p in posts)


def _tail(path) -> str:
    return path.read_text(errors="replace")[-2000:]


def _count(database_url: str) -> int:
    try:
        return post_row_count(database_url)
    except Exception:  # the schema may not exist yet
        return 0
