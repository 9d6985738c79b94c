"""A whole-site crawl of a forum with a 150-month archive (tests/sites/months.py): the newest
month lists a thread found nowhere else, every other month is empty. The month pattern gave
something new once, so neither "nothing new" nor a unanimous verdict stops it; its answers
rarely yield anything (``rarely_yields``, crawler/patterns.py), so it is stopped long before
the 150 months, and every post is still stored."""
from __future__ import annotations

import re

import pytest

from tests.sites import norm, run_crawl, stored_posts
from tests.sites.months import MONTHS, serve_months

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    site, server = serve_months()
    database = f"sqlite:///{tmp_path_factory.mktemp('months') / 'forumcrawl.db'}"
    try:
        proc = run_crawl(server.url + "/", database, timeout=240)  # default learning settings
    finally:
        server.stop()
    return {"site": site, "base": server.url, "hits": list(server.hits), "database": database, "log": proc.stderr}


def test_every_post_is_stored_once(crawl) -> None:
    want = crawl["site"].expected(crawl["base"])
    got = sorted((p["thread_url"], p["position"], p["author"], norm(p["text"]))
                 for p in stored_posts(crawl["database"], crawl["base"]))
    assert got == want


def test_the_month_archive_stops_after_its_answers_rarely_yield(crawl) -> None:
    months = [h for h in crawl["hits"] if re.fullmatch(r"/archive/\d+/\d+/", h)]
    print(f"\n{len(crawl['hits'])} GETs, {len(months)} of {MONTHS} month pages")
    assert "/archive/2026/12/" in months  # (the month that lists the hidden thread)
    assert len(months) <= 40, len(months)
    assert re.search(r"Learned: URLs like /archive/#/#/ are not fetched any more \(rarely_yields", crawl["log"])
