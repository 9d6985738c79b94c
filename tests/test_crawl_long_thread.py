"""A whole-site crawl of the generated forum whose first page links several pages of one long
thread first (tests/sites/longthread.py): the template sample holds three pages of that thread,
whose title, header box and short opening question recur on each of them.

Counted as three pages, what they repeat recurs on half of the sample, as the site's menus do,
and was learned as site furniture: the opening question (shorter than what tells two pages
showing the same posts apart) was masked and lost (47 of 48 posts stored, 2 crawls of 2).
Pages of one chain count once in the template (crawler/warmup.py ``chain_labels``,
``SiteTemplate.learn``): every post is stored, the opening post with its author.
"""
from __future__ import annotations

import pytest

from tests.sites import last_run_stats, norm, run_crawl, stored_posts
from tests.sites.longthread import serve_long_thread

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    site, server = serve_long_thread()
    database = f"sqlite:///{tmp_path_factory.mktemp('longthread') / 'forumcrawl.db'}"
    try:
        proc = run_crawl(server.url + "/", database, "LOG_LEVEL=DEBUG", timeout=120)
        yield {"site": site, "base": server.url, "log": proc.stderr, "database": database}
    finally:
        server.stop()


def test_the_sample_holds_several_pages_of_one_thread(crawl) -> None:
    line = next(x for x in crawl["log"].splitlines() if "Template sample:" in x)
    base = crawl["base"]
    for page in ("/t?id=1", "/t?id=1&page=2", "/t?pid=120"):   # (one chain: one label)
        assert f"('{base}{page}', '{base}/t?id=1')" in line, line
    stats = last_run_stats(crawl["database"])
    assert (stats.get("forumcrawl/template_pages"), stats.get("forumcrawl/template_chains")) == (6, 4)


def test_the_opening_post_of_the_long_thread_is_kept(crawl) -> None:
    site = crawl["site"]
    stored = stored_posts(crawl["database"], crawl["base"])
    opening = site.threads[0]["posts"][0]
    assert [(p["author"], p["position"]) for p in stored if norm(p["text"]) == opening["text"]] == [(opening["author"], 1)]
    want = sorted(norm(p["text"]) for t in site.threads for p in t["posts"])
    got = sorted(norm(p["text"]) for p in stored)
    assert got == want, f"{len(got)} stored of {len(want)}; missing {sorted(set(want) - set(got))[:2]}"
