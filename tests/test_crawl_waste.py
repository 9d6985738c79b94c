"""A whole-site crawl of the generated forum of tests/sites/waste.py (issue 9, part 3: where the
remaining GETs went on the PHP engines, docs/crawl-engines.md).

- A thread's page 2 names its page 1 by another URL than the one the chain read it under
  (``?part=1`` beside ``/topic/N/``; Asgaros Forum's ``?part=1``, Phorum's ``,page=1``): that
  URL is the first page again and is not fetched (before: once per thread, 8 GETs).
- "Older/newer topic" links redirect to first pages the board listed already (Phorum's
  ``read.php?2,N,newer``): the redirect dropped as a duplicate teaches its URL pattern a repeat,
  so the pattern is learned useless after three (before: all 16 were fetched, at the end of the
  crawl, none of them judged).
"""
from __future__ import annotations

import re
from collections import Counter

import pytest

from tests.sites import last_run_stats, norm, run_crawl, stored_posts
from tests.sites.waste import serve_waste

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    site, server = serve_waste()
    database = f"sqlite:///{tmp_path_factory.mktemp('waste') / 'forumcrawl.db'}"
    try:
        proc = run_crawl(server.url + "/", database, timeout=120)  # (8 concurrent requests)
        yield {"site": site, "base": server.url, "log": proc.stderr, "database": database,
               "hits": list(server.hits)}
    finally:
        server.stop()


def test_every_post_once(crawl) -> None:
    want = sorted(norm(p["text"]) for t in crawl["site"].threads for p in t["posts"])
    got = sorted(norm(p["text"]) for p in stored_posts(crawl["database"], crawl["base"]))
    assert got == want, f"{len(got)} stored of {len(want)}"
    stats = last_run_stats(crawl["database"])
    assert stats["forumcrawl/thread_pages"] == crawl["site"].thread_pages()


def test_page_one_under_a_second_url_is_not_fetched(crawl) -> None:
    """Learned from the first page 2 read on its chain (a page 2 read during the template's
    warm-up has its links followed at once: that thread's ``?part=1`` may be fetched)."""
    again = [h for h in crawl["hits"] if h.endswith("?part=1")]
    assert len(again) <= 3, again  # (of 8; 1 in 24 of 25 runs)
    assert last_run_stats(crawl["database"])["forumcrawl/first_page_alias_learned"] >= 5
    assert "Learned: a thread's URL followed by '?part=1' is its first page again" in crawl["log"]


def test_redirects_to_known_pages_teach_their_pattern(crawl) -> None:
    hits = Counter(re.sub(r"\d+", "#", h) for h in crawl["hits"])
    # judged one at a time: three repeats decide each (one more may be in flight)
    for shape in ("/goto/#/newer", "/goto/#/older"):
        assert 3 <= hits[shape] <= 4, hits
        assert f"Learned: URLs like {shape} are not fetched any more (repeats_known_posts" in crawl["log"]
