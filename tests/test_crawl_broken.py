"""Broken answers fetched again (crawler/brokenpages.py), driven without Scrapy: a thread page
answered as an error page or half a page, a page of its own ("no such topic"), the bounds."""
from __future__ import annotations

from collections import Counter

import pytest

from crawler.brokenpages import NOT_BEFORE, REFETCH, BrokenPages
from crawler.fetches import PRIORITY_CHAIN
from crawler.journal import Frontier
from crawler.pageflow import PageFlow
from crawler.chains import Chains
from crawler.relay import ChainRelay
from crawler.sites import SiteSettings, SiteState
from extractor.model import Link, Page, Post

SITE = "http://h"
FURNITURE = [Link(SITE + "/", "Home", "navigation"), Link(SITE + "/forum/1", "Board", "navigation"),
             Link(SITE + "/login", "Log in", "other"), Link(SITE + "/help", "Help", "other")]
INFO = {"fetched_at": "2026-01-01T00:00:00+00:00", "status": 200, "etag": None,
        "last_modified": None, "content_hash": "x", "declared": None}


class Tally(Counter):
    def __call__(self, key: str, count: int = 1) -> None:
        self[key] += count


def _thread(n: int, posts: int = 5) -> Page:
    return Page(url=f"{SITE}/t/{n}", kind="thread", text="",
                posts=[Post(position=i + 1, text=f"post {n}.{i} " * 20, author="a") for i in range(posts)],
                links=list(FURNITURE))


def _broken(n: int, *, links: list[Link] | None = None, text: str = "Fatal error in template.php") -> Page:
    return Page(url=f"{SITE}/t/{n}", kind="article", text=text, links=links or [])


def _room(tally: Tally | None = None, **kwargs) -> BrokenPages:
    return BrokenPages(count=tally if tally is not None else Tally(), clock=lambda: 1000.0, **kwargs)


def _learned(room: BrokenPages, pages: int = 3) -> None:
    for n in range(pages):
        assert room.observe(f"{SITE}/t/{n}", _thread(n), 45_000) == []


def test_a_thread_page_answered_as_an_error_page_is_fetched_again_later() -> None:
    tally = Tally()
    room = _room(tally)
    _learned(room)
    meta = {"fc_depth": 1, "fc_entry": {"title": "T"}, "download_slot": "h", "fc_key": SITE + "/t/9"}
    fetch = room.check(SITE + "/t/9", SITE + "/t/9", _broken(9), 16_000, meta)
    assert fetch is not None and fetch.url == SITE + "/t/9" and fetch.dont_filter
    assert fetch.priority == PRIORITY_CHAIN
    assert fetch.meta == {"fc_depth": 1, "fc_entry": {"title": "T"}, REFETCH: 1, NOT_BEFORE: 1002.0, "dont_cache": True}
    assert tally["forumcrawl/refetched_broken"] == 1
    # broken again: a second try, later; then no more (two per URL)
    again = room.check(SITE + "/t/9", SITE + "/t/9", _broken(9), 16_000, fetch.meta)
    assert again is not None and again.meta[NOT_BEFORE] == 1004.0 and again.meta[REFETCH] == 2
    assert room.check(SITE + "/t/9", SITE + "/t/9", _broken(9), 16_000, again.meta) is None
    assert tally["forumcrawl/refetched_broken"] == 2


def test_a_page_of_its_own_in_the_sites_template_is_not_fetched_again() -> None:
    """"This topic was deleted": small, no posts, but the whole template around it."""
    room = _room()
    _learned(room)
    gone = _broken(9, links=list(FURNITURE), text="This topic does not exist.")
    assert room.check(SITE + "/t/9", SITE + "/t/9", gone, 12_000, {}) is None


def test_a_page_as_large_as_thread_pages_or_of_another_shape_is_not_fetched_again() -> None:
    room = _room()
    _learned(room)
    assert room.check(SITE + "/t/9", SITE + "/t/9", _broken(9, text="x" * 5000), 40_000, {}) is None
    assert room.check(SITE + "/forum/2", SITE + "/forum/2", _broken(2), 1_000, {}) is None


def test_too_few_thread_pages_judge_nothing_and_a_page_with_posts_is_never_broken() -> None:
    room = _room()
    _learned(room, pages=2)
    assert room.check(SITE + "/u/9", SITE + "/u/9", _broken(9), 1_000, {}) is None  # (another shape: no suspect)
    one_post = _thread(9, posts=1)
    assert room.check(SITE + "/t/9", SITE + "/t/9", one_post, 9_000, {}) is None


def test_a_broken_answer_met_before_its_shape_was_known_is_fetched_again_once_it_is() -> None:
    tally = Tally()
    room = _room(tally)
    assert room.check(SITE + "/t/9", SITE + "/t/9", _broken(9), 16_000, {"fc_depth": 1}) is None
    assert room.check(SITE + "/t/8", SITE + "/t/8", _broken(8, links=list(FURNITURE)), 16_000, {}) is None
    assert room.observe(SITE + "/t/1", _thread(1), 45_000) == []
    assert room.observe(SITE + "/t/2", _thread(2), 45_000) == []
    fetches = room.observe(SITE + "/t/3", _thread(3), 45_000)
    assert [f.url for f in fetches] == [SITE + "/t/9"]  # (t/8 has the template: a page of its own)
    assert fetches[0].meta["fc_depth"] == 1 and tally["forumcrawl/refetched_broken"] == 1
    assert room.observe(SITE + "/t/4", _thread(4), 45_000) == []


def test_refetches_are_capped_per_site_and_can_be_turned_off() -> None:
    room = _room(per_site=2)
    _learned(room)
    got = [room.check(f"{SITE}/t/{n}", f"{SITE}/t/{n}", _broken(n), 16_000, {}) for n in range(10, 14)]
    assert [f is not None for f in got] == [True, True, False, False]
    off = _room(per_url=0)
    _learned(off)
    assert off.check(SITE + "/t/9", SITE + "/t/9", _broken(9), 16_000, {}) is None


def test_page_flow_fetches_a_broken_answer_again_and_leaves_its_page_unfinished() -> None:
    tally = Tally()
    site = SiteState(SITE, SiteSettings(journal=Frontier(None), count=tally, template_pages=0), start_urls=[SITE + "/"])
    flow = PageFlow(Chains(site.policy.journal, ChainRelay(lambda: None)),
                    lambda s, page, meta, url: s.policy.discover(page, meta, url))
    for n in range(3):
        url = f"{SITE}/t/{n}"
        step = flow.step(site, _thread(n), {"fc_depth": 1}, url, url, dict(INFO, url=url), b"x" * 45_000)
        assert step.reading is not None
    url = SITE + "/t/9"
    step = flow.step(site, _broken(9), {"fc_depth": 1}, url, url, dict(INFO, url=url), b"x" * 16_000)
    assert [(f.url, f.dont_filter) for f in step.fetches] == [(url, True)]
    assert not step.finished and not step.record and step.reading is None
    assert tally["forumcrawl/refetched_broken"] == 1
    assert "empty" not in site.policy.patterns.records.get("/t/#", type("R", (), {"outcomes": {}})).outcomes
    # the good copy is read as the thread's first page
    step = flow.step(site, _thread(9), step.fetches[0].meta, url, url, dict(INFO, url=url), b"x" * 45_000)
    assert step.reading is not None and len(step.reading.items) == 6  # the thread and its 5 posts


# -- a whole crawl of a site that answers some thread pages broken -----------------------------
BROKEN_PATHS = {"/community/viewtopic.php?t=5": 1, "/community/viewtopic.php?start=10&t=9": 1,
                "/vb/showthread.php?t=15": 2, "/xf/threads/my-tomato-plants-are-wilting-part-20.20/": 1,
                "/bbs/forum.php?mod=viewthread&tid=24": 1}


@pytest.mark.slow
def test_a_crawl_stores_every_post_of_thread_pages_answered_broken_at_first(sqlite_url) -> None:
    """Thread pages (first pages, a later page) answered as an error page once or twice are
    fetched again, and their threads stored whole; no other page is fetched twice."""
    from crawler.demo.forum import build_forum
    from tests.sites import last_run_stats, run_crawl, stored_posts
    from tests.sites.brokenanswers import BrokenAnswersForum

    forum = build_forum(seed=11, threads_per_board=5)
    live = BrokenAnswersForum(forum, BROKEN_PATHS)
    try:
        proc = run_crawl(live.url, sqlite_url)
        stats = last_run_stats(sqlite_url)
        posts = stored_posts(sqlite_url, live.url.rstrip("/"))
    finally:
        live.stop()
    assert len(posts) == len(forum.expected_posts()), proc.stderr[-3000:]
    hits = Counter(path for path, _ in live.hits)
    assert {p: n for p, n in hits.items() if n > 1} == {p: n + 1 for p, n in BROKEN_PATHS.items()}
    assert stats["forumcrawl/refetched_broken"] == sum(BROKEN_PATHS.values())
    assert "a broken answer" in proc.stderr


def test_a_chains_page_answered_broken_is_read_on_its_chain_when_fetched_again() -> None:
    """A thread's next page, claimed by its chain while it was queued (its context left in the
    assembly, not in its request): the refetch carries the context."""
    site = SiteState(SITE, SiteSettings(journal=Frontier(None), count=Tally(), template_pages=0), start_urls=[SITE + "/"])
    flow = PageFlow(Chains(site.policy.journal, ChainRelay(lambda: None)),
                    lambda s, page, meta, url: s.policy.discover(page, meta, url))
    for n in range(3):
        url = f"{SITE}/t/{n}"
        flow.step(site, _thread(n), {"fc_depth": 1}, url, url, dict(INFO, url=url), b"x" * 45_000)
    later = SITE + "/t/2?page=2"
    site.threads.claim(later, {"thread_url": SITE + "/t/2", "page": 1, "offset": 5, "title": "T",
                               "replies": None, "last_activity": None, "depth": 1})
    for n in range(3):  # (pages of the later pages' shape)
        url = f"{SITE}/t/{n + 10}?page=2"
        site.broken.observe(url, _thread(n + 10), 45_000)
    step = flow.step(site, _broken(2), {"fc_depth": 1}, later, later, dict(INFO, url=later), b"x" * 16_000)
    assert [f.url for f in step.fetches] == [later]
    assert step.fetches[0].meta["fc_thread"]["thread_url"] == SITE + "/t/2"
    step = flow.step(site, _thread(20), step.fetches[0].meta, later, later, dict(INFO, url=later), b"x" * 45_000)
    posts = [i for i in step.reading.items if "text" in i]
    assert [p["position"] for p in posts] == [6, 7, 8, 9, 10] and {p["thread_url"] for p in posts} == {SITE + "/t/2"}


def test_pages_remembered_before_their_shape_is_known_are_bounded_per_shape_and_in_all() -> None:
    room = _room(max_suspects=15)
    for n in range(30):  # a listing's pages: a shape that never shows posts
        room.check(f"{SITE}/forum/{n}", f"{SITE}/forum/{n}", _broken(n), 1_000, {})
    for n in range(8):
        room.check(f"{SITE}/t/{n + 10}", f"{SITE}/t/{n + 10}", _broken(n), 1_000, {})
    assert len(room.suspects["/forum/#"]) == 10 and len(room.suspects["/t/#"]) == 5 and room.held == 15
    fetches = [f for n in range(3) for f in room.observe(f"{SITE}/t/{n}", _thread(n), 45_000)]
    assert len(fetches) == 5 and room.held == 10
