"""What the spider hands the sites and the warm-up, driven without Scrapy: a site's start
requests, the scope middleware's questions to the registry, the end of a warm-up."""
from __future__ import annotations

import asyncio
from collections import Counter

import extractor
from crawler.demo.forum import build_forum
from crawler.extraction import Extraction
from crawler.fetches import PRIORITY_ENTRY
from crawler.journal import Frontier
from crawler.sites import SiteRegistry, SiteSettings, SiteState
from crawler.warmup import begin_learning, held_response, learn_held
from extractor.model import Page, Post


class Tally(Counter):
    def __call__(self, key: str, count: int = 1) -> None:
        self[key] += count


def _registry(tally: Tally, **config) -> SiteRegistry:
    return SiteRegistry(SiteSettings(journal=Frontier(None), count=tally, **config))


def test_a_sites_start_urls_are_taken_on_and_journaled() -> None:
    registry = _registry(Tally())
    site = registry.add("http://f/")
    registry.add("http://f/forum/2")
    fetches = site.start_fetches()
    assert [(f.url, f.priority, f.meta) for f in fetches] == [
        ("http://f/", PRIORITY_ENTRY, {"fc_depth": 0}), ("http://f/forum/2", PRIORITY_ENTRY, {"fc_depth": 0})]
    assert site.policy.taken == 2
    assert {"http://f/", "http://f/forum/2"} <= site.journal.seen


def test_a_redirect_is_judged_by_the_rules_of_its_origins_site() -> None:
    registry = _registry(Tally())
    registry.add("http://h:8000/")
    assert registry.refuse_redirect("http://h:8000/a", "http://h:9000/a") == "offsite"
    assert registry.refuse_redirect("http://h:8000/t/1", "http://h:8000/t/1/slug") is None
    assert registry.refuse_redirect("http://other/a", "http://h:9000/a") is None  # no site of the crawl


def _learn_inert(site: SiteState) -> None:
    """``back`` learned inert on ``site``: the same posts with and without it."""
    page = Page(url="http://f/t.php?tid=1", kind="thread", posts=[Post(position=1, text="hello there", author="a")])
    site.policy.observe_posts("http://f/t.php?tid=1", page)
    assert site.policy.observe_posts("http://f/t.php?back=b&tid=1", page, declared="http://f/t.php?tid=1")


def test_a_queued_request_of_a_page_taken_on_is_refused_and_counted() -> None:
    tally = Tally()
    registry = _registry(tally)
    site = registry.add("http://f/")
    _learn_inert(site)
    site.journal.seen.add("http://f/t.php?tid=2")
    assert registry.refuse_queued("http://f/t.php?back=b&tid=2") == "inert_duplicate"
    assert registry.refuse_queued("http://f/t.php?tid=4") is None
    assert registry.refuse_queued("http://elsewhere/t.php?back=b&tid=2") is None
    assert site.counts["forumcrawl/links_skipped/inert_duplicate"] == 1
    assert tally["forumcrawl/links_skipped/inert_duplicate"] == 1


def test_a_kept_copy_stands_in_once_with_its_body_decoded() -> None:
    from crawler.fetches import Fetch

    tally = Tally()
    registry = _registry(tally)
    site = registry.add("http://f/")
    headers = {"Content-Type": "text/html", "Content-Encoding": "gzip", "Content-Length": "9"}
    for tid in (1, 2):
        site.policy.keep_view(f"http://f/t.php?back=b&tid={tid}", f"http://f/t.php?tid={tid}", b"<html>%d</html>" % tid,
                              headers)
    assert not site.policy.await_verdict("http://f/t.php?back=b&tid=1", Fetch("http://f/t.php?tid=1", 90))  # the judge
    assert site.policy.await_verdict("http://f/t.php?back=b&tid=2", Fetch("http://f/t.php?tid=2", 90))
    assert registry.stand_in("http://f/t.php?tid=1") is None  # not learned inert (yet): fetched
    learned = _registry(Tally()).add("http://f/")
    _learn_inert(learned)
    site.policy.inert = learned.policy.inert  # (as learned from pages of other threads)
    assert [f.url for f in site.policy.judged("http://f/t.php?tid=1")] == ["http://f/t.php?tid=2"]
    assert registry.stand_in("http://f/t.php?tid=2") == (b"<html>2</html>", {"Content-Type": "text/html"})
    assert registry.stand_in("http://f/t.php?tid=2") is None  # used once
    assert registry.stand_in("http://elsewhere/t.php?tid=2") is None
    assert site.counts["forumcrawl/links_skipped/inert_duplicate"] == 1


def _hold_thread_pages(site: SiteState, count: int) -> list[str]:
    """Hold ``count`` thread pages of a demo forum on ``site``'s warm-up; their URLs."""
    forum = build_forum(seed=5, threads_per_board=3)
    paths = [forum.thread_url(board, thread, 1) for board in forum.boards[:count] for thread in board.threads
             if len(thread.posts) >= 2][:count]
    urls = [f"http://f{path}" for path in paths]
    for url, path in zip(urls, paths):
        body = forum.route(path)[2]
        page = extractor.extract(body, url)
        site.warmup.hold(held_response(page, body, url, url, url, {"fc_depth": 1}, {"declared": None}, {}, []),
                         urls[1:])
    return urls


def test_the_end_of_a_warmup_learns_the_template_then_extracts_every_held_page() -> None:
    tally, stats = Tally(), {}
    site = _registry(tally, template_pages=3).add("http://f/")
    urls = _hold_thread_pages(site, 3)
    assert site.warmup.ready()
    begin_learning(site)
    assert site.warmup.learning and not site.learned.is_set()
    assert len(site.sample) == 3
    pairs = asyncio.run(learn_held(site, Extraction(0, timeout=30.0, count=tally), stats.__setitem__))
    assert [held["url"] for held, _ in pairs] == urls
    assert all(page.kind == "thread" and len(page.posts) >= 2 for _, page in pairs)
    assert site.learned.is_set() and not site.warmup.learning and site.sample == []
    assert site.warmup.template is not None
    assert stats["forumcrawl/template_pages"] == site.counts["forumcrawl/template_pages"] == 3
    assert tally["forumcrawl/extracted_in_crawler_process"] == 3
    assert asyncio.run(learn_held(site, Extraction(0, timeout=30.0, count=tally), stats.__setitem__)) == []


def test_a_warmup_without_two_sample_pages_learns_nothing_and_still_hands_its_page_back() -> None:
    tally, stats = Tally(), {}
    site = _registry(tally, template_pages=1).add("http://f/")
    _hold_thread_pages(site, 1)
    begin_learning(site)
    pairs = asyncio.run(learn_held(site, Extraction(0, timeout=30.0, count=tally), stats.__setitem__))
    assert len(pairs) == 1 and site.learned.is_set()
    assert site.warmup.template is None and "forumcrawl/template_pages" not in stats


def test_an_extracted_page_is_counted_for_the_crawl_and_its_site(caplog) -> None:
    tally = Tally()
    site = _registry(tally).add("http://f/")
    site.count_page(Page(url="http://f/t/1", kind="thread", posts=[Post(position=1, text="hi", author="a")]))
    site.count_page(Page(url="http://f/x", kind="listing", warnings=["extraction failed: ValueError"]))
    assert site.counts["forumcrawl/pages"] == tally["forumcrawl/pages"] == 2
    assert site.counts["forumcrawl/pages/thread"] == site.counts["forumcrawl/pages/listing"] == 1
    assert tally["forumcrawl/extraction_failures"] == 1
    assert "Extraction failed for http://f/x" in caplog.text
