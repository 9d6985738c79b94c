"""Whole-site crawls of the generated "shapes" forum (tests/sites/shapes.py): every URL
shape of a thread joins it, each post is stored once, action links and useless URL
patterns are not fetched, an infinite calendar stops by itself under default settings,
and a redirect to another port of the host is not followed."""
from __future__ import annotations

import re
from collections import Counter

import pytest

from tests.sites import last_run_stats, norm, run_crawl, stored_posts
from tests.sites.shapes import serve_shapes

pytestmark = pytest.mark.slow


def _crawl(tmp_path_factory, canonical: bool):
    site, server, other = serve_shapes(canonical=canonical)
    database = f"sqlite:///{tmp_path_factory.mktemp('shapes') / 'forumcrawl.db'}"
    # default settings, except the test-speed ones of run_crawl (no throttle, 8 concurrent)
    proc = run_crawl(server.url + "/", database, timeout=240)
    result = {"site": site, "base": server.url, "hits": list(server.hits), "other_hits": list(other.hits),
              "database": database, "log": proc.stderr}
    server.stop()
    other.stop()
    return result


@pytest.fixture(scope="module", params=[True, False], ids=["declared", "undeclared"])
def crawl(request, tmp_path_factory):
    return _crawl(tmp_path_factory, request.param)


def _shape(path: str) -> str:
    return re.sub(r"\d+", "#", path.split("?")[0])


def _thread_of(url: str, declared: bool) -> str:
    """Without declarations, a thread's slug-less URL (its pages linked that way from the
    board) is as good a name for it as the slugged one: both are the same thread."""
    return url if declared else re.sub(r"(/topic/\d+)/[^/?]+$", r"\1", url)


def test_every_post_once_under_its_thread(crawl) -> None:
    declared = crawl["site"].canonical
    want = sorted((_thread_of(t, declared), *rest) for t, *rest in crawl["site"].expected(crawl["base"]))
    stored = stored_posts(crawl["database"], crawl["base"])
    got = sorted((_thread_of(p["thread_url"], declared), p["position"], p["author"], norm(p["text"]))
                 for p in stored)
    assert len(got) == len(set(got))
    assert got == want, f"missing {sorted(set(want) - set(got))[:3]}; extra {sorted(set(got) - set(want))[:3]}"


def test_action_links_are_not_fetched(crawl) -> None:
    hits = Counter(_shape(h) for h in crawl["hits"])
    for action in ("/reply", "/topic/#/quote/#", "/post/#/report", "/topic/#/rate", "/print/#", "/login"):
        assert hits[action] == 0, (action, hits)


def test_useless_patterns_are_learned_and_stopped(crawl) -> None:
    hits = Counter(_shape(h) for h in crawl["hits"])
    # an unknown action that redirects to the login page, archive views, "jump to post"
    # windows and the infinite calendar: judged one at a time, stopped after three unanimous
    # tries (views: after two, once they showed which page they stand for)
    for shape in ("/topic/#/bump", "/days/#/#/#"):
        assert 1 <= hits[shape] <= 3, (shape, hits)
    for shape in ("/archive/t-#.html", "/topic/#/topic-number-#/#"):
        assert 1 <= hits[shape] <= 2, (shape, hits)
    assert "Learned: URLs like /days/#/#/# are not fetched any more" in crawl["log"]
    assert "Learned: URLs like /topic/#/bump are not fetched any more (login_wall" in crawl["log"]


def test_posts_own_permalinks_are_not_fetched(crawl) -> None:
    """Each post's "#N" link (``/post/ID``: a page showing that one post) names the post's own
    page, a copy of a post its thread page stores: never fetched (it was, up to three times,
    until the pattern was learned useless)."""
    hits = Counter(_shape(h) for h in crawl["hits"])
    assert hits["/post/#"] == 0, hits
    assert last_run_stats(crawl["database"])["forumcrawl/links_skipped/permalink"] >= 12


def test_gets_per_thread_page_reported(crawl) -> None:
    stats = last_run_stats(crawl["database"])
    assert stats["forumcrawl/thread_pages"] == 12
    # 12 thread pages, the front page and robots.txt are needed: 14 GETs; was 49 (4.1 per
    # thread page) with five trials per useless URL pattern, now 30 (2.5)
    assert stats["forumcrawl/gets_per_thread_page"] <= 3
    assert stats["forumcrawl/gets_per_post"] <= 0.8
    final = [line for line in crawl["log"].splitlines() if "Stopped (finished)" in line]
    assert final and "per thread page" in final[0] and "per post" in final[0]


def test_page_jumps_and_views_of_known_pages_are_not_fetched(crawl) -> None:
    """A listing row's page-jump link (slug-less ``/topic/5?page=4``) is left to the thread's
    chain, and the slug-less aliases it would lead to are never fetched."""
    hits = Counter(_shape(h) for h in crawl["hits"])
    assert hits["/topic/#"] == 0, hits
    stats = last_run_stats(crawl["database"])
    assert stats["forumcrawl/links_skipped/page_jump"] >= 3  # (counted per page showing them)
    assert stats.get("forumcrawl/posts_duplicate", 0) == 0


def test_redirect_to_another_port_is_not_followed(crawl) -> None:
    assert crawl["other_hits"] == []
    stats = last_run_stats(crawl["database"])
    assert stats["forumcrawl/redirects_refused/offsite"] == 1


def test_no_extraction_in_the_crawler_process_with_a_pool(crawl) -> None:
    """With extractor workers (the default on 2+ cores), warm-up pages and the template's
    learning go through them too: the reactor thread never runs the extractor."""
    stats = last_run_stats(crawl["database"])
    if not stats.get("forumcrawl/extract_processes"):
        pytest.skip("no extractor workers on this machine (one core)")
    assert stats["forumcrawl/template_pages"] >= 2
    assert stats.get("forumcrawl/extracted_in_crawler_process", 0) == 0
    assert stats["forumcrawl/pages"] >= 18
