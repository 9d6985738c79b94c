"""A whole-site crawl of the generated forum whose pager links carry a context parameter
(tests/sites/contextpager.py; issue 9, Discuz GBK: 57 of 82 posts in 1 crawl of 40).

Copies of thread pages answer under the shorter URL shape (the parameter dropped) before
any thread's later page was read under it; once the parameter is learned inert, that
shape is where every thread's next pages are. It must not be learned useless: every
post is stored once (before the fix: 100 of 121, ``/t?id&page`` blocked, 3 crawls of 3).
"""
from __future__ import annotations

import pytest

from tests.sites import norm, run_crawl, stored_posts
from tests.sites.contextpager import serve_context_pager

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    site, server = serve_context_pager()
    database = f"sqlite:///{tmp_path_factory.mktemp('contextpager') / 'forumcrawl.db'}"
    try:
        proc = run_crawl(server.url + "/", database, timeout=120)  # (8 concurrent requests)
        yield {"site": site, "base": server.url, "log": proc.stderr, "database": database}
    finally:
        server.stop()


def test_every_thread_page_is_read_once_the_parameter_is_dropped(crawl) -> None:
    want = sorted(norm(p["text"]) for t in crawl["site"].threads for p in t["posts"])
    got = sorted(norm(p["text"]) for p in stored_posts(crawl["database"], crawl["base"]))
    assert "the parameter 'back' of /t changes nothing" in crawl["log"]  # (the shape did change)
    assert "Learned: URLs like /t?id&page are not" not in crawl["log"]
    assert got == want, f"{len(got)} stored of {len(want)}; missing {sorted(set(want) - set(got))[:2]}"
