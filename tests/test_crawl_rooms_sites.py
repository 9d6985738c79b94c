"""What the spider hands the sites, driven without Scrapy: a site's start requests, the scope
middleware's questions to the registry."""
from __future__ import annotations

from collections import Counter

from crawler.fetches import PRIORITY_ENTRY
from crawler.journal import Frontier
from crawler.sites import SiteRegistry, SiteSettings, SiteState
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
