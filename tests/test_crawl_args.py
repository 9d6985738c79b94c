"""End to end: the spider arguments that narrow a crawl (max_depth, deny, allow, max_pages)."""
from __future__ import annotations

import pytest

from crawler.demo.forum import build_forum
from crawler.urls import canonicalize
from tests.sites import LiveForum, run_crawl

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def live():
    forum = LiveForum(build_forum(seed=2, threads_per_board=3))
    yield forum
    forum.stop()


def _fetched(live, since: int) -> list[str]:
    return [p for p in live.server.hits[since:] if p not in ("/robots.txt", "/sitemap.xml")]  # (not pages)


def test_max_depth_and_deny(live, tmp_path) -> None:
    since = len(live.server.hits)
    run_crawl(live.url, f"sqlite:///{tmp_path / 'a.db'}", args=("max_depth=1", "deny=/vb/"))
    fetched = {canonicalize(live.server.url + p) for p in _fetched(live, since)}
    home = canonicalize(live.url)
    boards = {canonicalize(live.server.url + live.forum.board_url(b)) for b in live.forum.boards}
    vb = {u for u in boards if "/vb/" in u}
    assert fetched == {home} | (boards - vb)  # the start page and what it links to, minus denied


def test_allow_and_max_pages(live, tmp_path) -> None:
    since = len(live.server.hits)
    run_crawl(live.url, f"sqlite:///{tmp_path / 'b.db'}", args=(r"allow=/community/|:\d+/$", "max_pages=6"))
    fetched = _fetched(live, since)
    assert len(fetched) == 6 == len(set(fetched))
    assert all(p == "/" or p.startswith("/community/") for p in fetched)
