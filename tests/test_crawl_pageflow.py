"""The spider's decision rooms driven without Scrapy: one page's flow (crawler/pageflow.py),
thread chains (crawler/chains.py), the end of a crawl (crawler/ending.py) and failed
requests (crawler/failures.py)."""
from __future__ import annotations

from collections import Counter

from scrapy.exceptions import IgnoreRequest
from twisted.internet.error import ConnectionRefusedError
from twisted.python.failure import Failure

from crawler.assembly import Reading
from crawler.chains import Chains
from crawler.completion import PageLedger
from crawler.ending import plan_idle, release_orphans
from crawler.failures import classify, fail_site, unreachable
from crawler.fetches import PRIORITY_CHAIN, PRIORITY_FIRST
from crawler.journal import Frontier
from crawler.pageflow import PageFlow
from crawler.relay import ChainRelay
from crawler.sites import SiteSettings, SiteState
from extractor.model import Entry, Link, Page, Post

INFO = {"fetched_at": "2026-01-01T00:00:00+00:00", "status": 200, "etag": None,
        "last_modified": None, "content_hash": "x", "declared": None}
SITE = "http://h"


class Tally(Counter):
    def __call__(self, key: str, count: int = 1) -> None:
        self[key] += count


def _site(tally: Tally | None = None) -> SiteState:
    return SiteState(SITE, SiteSettings(journal=Frontier(None), count=tally if tally is not None else Tally(), template_pages=0),
                     start_urls=[SITE + "/"])


def _flow(site: SiteState) -> PageFlow:
    chains = Chains(site.policy.journal, ChainRelay(lambda: None))
    return PageFlow(chains, lambda s, page, meta, url: s.policy.discover(page, meta, url))


def _thread_page(url: str, texts: list[str], *, next_url: str | None = None, first: str | None = None) -> Page:
    posts = [Post(position=i + 1, text=f"post {t} " * 5, author="a", post_id=f"p{t}") for i, t in enumerate(texts)]
    links = [Link(first, "1", "pagination")] if first else []
    if next_url:
        links.append(Link(next_url, "Next", "pagination"))
    return Page(url=url, kind="thread", title="T", posts=posts, next_page_url=next_url, links=links)


def _posts(step) -> list[tuple[int, str]]:
    return [(i["position"], i["post_id"]) for i in step.reading.items if "text" in i]


def test_a_later_page_reached_first_is_parked_and_its_earlier_page_requested() -> None:
    site = _site()
    flow = _flow(site)
    url2 = SITE + "/t/1?page=2"
    step = flow.step(site, _thread_page(url2, ["c"], first=SITE + "/t/1"), {"fc_depth": 1}, url2, url2, INFO)
    assert step.parked == url2 and step.reading is None and not step.finished
    assert [(f.url, f.priority) for f in step.fetches][:1] == [(SITE + "/t/1", PRIORITY_FIRST)]
    assert list(site.threads.parked) == [url2]
    # the first page arrives: the chain reads on through the parked page, with positions across both
    first = _thread_page(SITE + "/t/1", ["a", "b"], next_url=url2)
    step = flow.step(site, first, {"fc_depth": 1}, first.url, first.url, INFO)
    assert _posts(step) == [(1, "pa"), (2, "pb"), (3, "pc")]
    assert [p[1] for p in step.reading.pages] == [first.url, url2] and not site.threads.parked


def test_a_chain_fetches_the_next_page_of_its_thread() -> None:
    site = _site()
    first = _thread_page(SITE + "/t/2", ["a"], next_url=SITE + "/t/2?page=2")
    step = _flow(site).step(site, first, {}, first.url, first.url, INFO)
    chained = [f for f in step.fetches if f.priority == PRIORITY_CHAIN]
    assert [f.url for f in chained] == [SITE + "/t/2?page=2"]
    assert chained[0].meta["fc_thread"]["offset"] == 1 and chained[0].meta["fc_thread"]["page"] == 2


def test_a_duplicate_thread_page_is_skipped() -> None:
    tally = Tally()
    site = _site(tally)
    flow = _flow(site)
    page = _thread_page(SITE + "/t/3", ["a", "b"])
    assert _posts(flow.step(site, page, {}, page.url, page.url, INFO)) == [(1, "pa"), (2, "pb")]
    again = _thread_page(SITE + "/t/3?page=1", ["a", "b"])
    step = flow.step(site, again, {}, again.url, again.url, INFO)
    assert step.finished and step.reading is None and step.parked is None
    assert tally["forumcrawl/duplicate_thread_pages"] == 1


def test_a_listing_is_recorded_and_its_entries_followed() -> None:
    site = _site()
    listing = Page(url=SITE + "/", kind="listing", title="Board",
                   entries=[Entry(url=SITE + "/t/9", title="A thread")],
                   links=[Link(SITE + "/t/9", "A thread", "entry")])
    step = _flow(site).step(site, listing, {"fc_depth": 0}, listing.url, listing.url, INFO)
    assert step.record and step.finished and step.reading is None
    assert SITE + "/t/9" in [f.url for f in step.fetches]


def test_an_orphan_is_rechained_once_then_stored_after_its_thread() -> None:
    tally = Tally()
    site = _site(tally)
    flow = _flow(site)
    url3 = SITE + "/t/4?page=3"
    flow.step(site, _thread_page(url3, ["e"], first=SITE + "/t/4"), {}, url3, url3, INFO)
    plan = plan_idle([site], shared_frontier=False, awaited=lambda urls: False)
    assert plan.busy and plan.wake == "orphans" and not plan.fetches
    orphans = release_orphans(site, flow.chains)
    assert [f.url for f in orphans.fetches] == [SITE + "/t/4"] and orphans.fetches[0].meta["fc_rechain"]
    orphans = release_orphans(site, flow.chains)  # the re-chain did not reach it: stored anyway
    assert not orphans.fetches and orphans.finished == []
    assert [i["post_id"] for i in orphans.reading.items if "text" in i] == ["pe"]
    assert tally["forumcrawl/thread_pages_orphaned"] == 1 and release_orphans(site, flow.chains) is None


def test_failures_are_classified() -> None:
    refused = classify(Failure(IgnoreRequest("robots")), SITE + "/a")
    assert refused.count == "forumcrawl/skipped/refused" and not refused.error and refused.note is None
    error = classify(Failure(ConnectionRefusedError()), SITE + "/a")
    assert error.count == "forumcrawl/errors/ConnectionRefusedError" and error.error


def test_an_http_4xx_is_an_error_of_its_url_pattern_and_a_5xx_a_refusal() -> None:
    """(HttpError is an IgnoreRequest: a 404 counted as a refusal, and a pattern of pages not
    found was never judged: StartBBS's template links, a sitemap's dead entries.)"""
    from scrapy.http import Response
    from scrapy.spidermiddlewares.httperror import HttpError

    gone = classify(Failure(HttpError(Response(SITE + "/a", status=404), "Ignoring")), SITE + "/a")
    assert gone.count == "forumcrawl/errors/http_404" and gone.error and gone.note is None
    busy = classify(Failure(HttpError(Response(SITE + "/a", status=503), "Ignoring")), SITE + "/a")
    assert busy.count == "forumcrawl/skipped/refused" and not busy.error


def test_a_site_that_never_answered_fails_and_a_lone_site_stops_the_crawl() -> None:
    a, b = _site(), SiteState("http://other", SiteSettings(journal=Frontier(None), count=Tally()))
    failure = Failure(ConnectionRefusedError())
    why = unreachable(a, failure, SITE + "/", host_answered=False, crawl_answered=False)
    assert why and "cannot be reached" in why
    assert unreachable(a, failure, SITE + "/", host_answered=True, crawl_answered=False) is None
    assert unreachable(a, Failure(IgnoreRequest()), SITE + "/", host_answered=False, crawl_answered=False) is None
    assert not fail_site(a, why, [a, b], shared_frontier=False)  # the other site goes on
    assert fail_site(b, why, [a, b], shared_frontier=False)      # none left: the crawl stops
    assert a.failed == why


def test_a_readings_pages_finish_on_commit_or_at_once() -> None:
    journal = Frontier(None)
    ledger = PageLedger(journal, commits_items=True)
    reading = Reading(items=["t", "p1", "p2"], pages=[("http://h/t/1", "k1", 3), ("http://h/t/1?page=2", "k2", 0)])
    assert ledger.emit(reading) == ["t", "p1", "p2"]
    assert journal.is_done("k2") and not journal.is_done("k1")  # (a page without items: at once)
    ledger.committed([{"page_url": "http://h/t/1"}] * 2)
    assert not journal.is_done("k1")
    ledger.committed([{"page_url": "http://h/t/1"}])
    assert journal.is_done("k1")


def test_an_idle_crawl_revalidates_known_threads_no_listing_showed_first() -> None:
    state = {"posts": 3, "replies": 2, "pages": 1, "etag": '"v1"'}
    config = SiteSettings(journal=Frontier(None), count=Tally(), template_pages=0,
                          known_threads=lambda site: {SITE + "/t/1": state})
    site = SiteState(SITE, config, start_urls=[SITE + "/"])
    assert site.recrawl.intercept(SITE + "/t/1", None, 2) == []  # linked, not from a listing entry
    url3 = SITE + "/t/4?page=3"
    _flow(site).step(site, _thread_page(url3, ["e"], first=SITE + "/t/4"), {}, url3, url3, INFO)
    plan = plan_idle([site], shared_frontier=False, awaited=lambda urls: False)
    (planned, (fetch,)), = plan.fetches
    assert planned is site and plan.busy and plan.wake is None  # (the parked page waits for later)
    assert fetch.url == SITE + "/t/1" and fetch.headers == {"If-None-Match": '"v1"'}
    assert SITE + "/t/1" in site.policy.journal.seen            # taken on (journaled)
    plan = plan_idle([site], shared_frontier=False, awaited=lambda urls: False)
    assert not plan.fetches and plan.wake == "orphans"


def test_a_page_naming_its_offset_canonical_is_read_there_and_the_offset_never_fetched() -> None:
    """esoTalk: page 1 /c/9-slug names /c/9-slug/0 canonical, page 2 /c/9-slug/p2 names /c/9-slug/5:
    the same pages in the words of a post offset. Each is read where it is (no second GET), its
    canonical URL counts as fetched (no link takes it on; queued already, it is not fetched), and
    the thread is stored under the URL it was reached by."""
    tally = Tally()
    site = _site(tally)
    flow = _flow(site)
    first_url, p2_url = SITE + "/c/9-slug", SITE + "/c/9-slug/p2"
    first = _thread_page(first_url, ["a", "b"], next_url=p2_url)
    step = flow.step(site, first, {}, first_url, first_url, {**INFO, "declared": first_url + "/0"})
    assert step.reading is not None and _posts(step) == [(1, "pa"), (2, "pb")]
    assert {i["thread_url"] for i in step.reading.items} == {first_url}
    assert [f.url for f in step.fetches if f.priority == PRIORITY_CHAIN] == [p2_url]
    assert first_url + "/0" in site.policy.journal.seen
    assert site.policy.refuse_queued(first_url + "/0") == "canonical_read"
    assert not site.policy.take(first_url + "/0", PRIORITY_FIRST, {})
    p2 = _thread_page(p2_url, ["c"])
    meta = step.fetches[0].meta
    step = flow.step(site, p2, meta, p2_url, p2_url, {**INFO, "declared": SITE + "/c/9-slug/5"})
    assert _posts(step) == [(3, "pc")] and SITE + "/c/9-slug/5" in site.policy.read_elsewhere
    assert tally["forumcrawl/read_for_canonical"] == 2 and not tally["forumcrawl/views_skipped"]


def test_a_view_under_another_path_is_still_skipped_for_its_canonical_page() -> None:
    """A page naming a canonical URL of another path (an archive or print view, a "jump to post"
    window naming its thread's bare URL) is a view: its canonical page is fetched instead."""
    for view, target in ((SITE + "/archive/t-9.html", SITE + "/t/9-slug"),
                         (SITE + "/t/9-slug/45", SITE + "/t/9-slug"),
                         (SITE + "/t/5", SITE + "/t/6")):
        site = _site()
        step = _flow(site).step(site, _thread_page(view, ["a"]), {}, view, view, {**INFO, "declared": target})
        assert step.reading is None and step.finished
        assert [f.url for f in step.fetches][:1] == [target], view


def _titled(page: Page, title: str) -> Page:
    page.title = title
    return page


def test_a_chains_next_page_that_declares_another_threads_page_ends_the_chain() -> None:
    """A forum that gives ``<link rel=next>`` to the next *topic* (``?topic=10.0;prev_next=next``,
    served as topic 8's page 4, declaring ``?topic=8.15`` canonical): the chain of topic 10 ends
    on its own page; the neighbour's posts are never stored under topic 10, and the page it
    declares is fetched (a view). A later page of the chain's own thread that declares another
    URL and keeps the thread's title is still read on the chain."""
    tally = Tally()
    site = _site(tally)
    flow = _flow(site)
    first_url, neighbour = SITE + "/index.php?topic=10.0", SITE + "/index.php?next_topic=11&topic=10.0"
    first = _titled(_thread_page(first_url, ["a", "b"], next_url=neighbour), "Tomatoes on the balcony")
    step = flow.step(site, first, {}, first_url, first_url, {**INFO, "declared": first_url})
    chained = [f for f in step.fetches if f.priority == PRIORITY_CHAIN]
    assert [f.url for f in chained] == [neighbour]
    other = _titled(_thread_page(neighbour, ["x", "y"], first=SITE + "/index.php?topic=8.0"),
                    "Sourdough starter in a cold kitchen - Page 4")
    step = flow.step(site, other, chained[0].meta, neighbour, neighbour,
                     {**INFO, "declared": SITE + "/index.php?topic=8.15"})
    assert step.reading is None or all(i.get("thread_url") != first_url for i in step.reading.items)
    assert SITE + "/index.php?topic=8.15" in [f.url for f in step.fetches]
    assert tally["forumcrawl/chain_next_was_another_thread"] == 1
    # the thread's own page 2, declaring an offset URL of itself under the same title: on the chain
    site = _site()
    flow = _flow(site)
    p2_url = SITE + "/index.php?page=2&topic=10.0"
    first = _titled(_thread_page(first_url, ["a", "b"], next_url=p2_url), "Tomatoes on the balcony")
    step = flow.step(site, first, {}, first_url, first_url, INFO)
    meta = [f for f in step.fetches if f.priority == PRIORITY_CHAIN][0].meta
    p2 = _titled(_thread_page(p2_url, ["c"], first=first_url), "Tomatoes on the balcony - Page 2")
    step = flow.step(site, p2, meta, p2_url, p2_url, {**INFO, "declared": SITE + "/topic/10/tomatoes?page=2"})
    assert _posts(step) == [(3, "pc")] and {i["thread_url"] for i in step.reading.items} == {first_url}


def test_next_pages_of_a_shape_that_were_other_threads_twice_are_not_fetched_any_more() -> None:
    """Each thread's last page links the next topic as its next page (``?next_topic=N+1&topic=N``): once two
    of that shape were other threads' pages and none a chain's own, the chains end without it."""
    site = _site()
    flow = _flow(site)

    def chain_next(n: int) -> list[str]:
        url = SITE + f"/index.php?topic={n}.0"
        first = _titled(_thread_page(url, [f"{n}a"], next_url=SITE + f"/index.php?next_topic={n + 1}&topic={n}.0"), f"Topic number {n}")
        step = flow.step(site, first, {}, url, url, INFO)
        return [f.url for f in step.fetches if f.priority == PRIORITY_CHAIN]

    for n in (3, 4):
        [neighbour] = chain_next(n)
        meta = {"fc_thread": {"thread_url": SITE + f"/index.php?topic={n}.0", "page": 2, "offset": 1,
                              "title": f"Topic number {n}", "depth": 0}}
        other = _titled(_thread_page(neighbour, [f"{n}x"]), f"Another subject {n} - Page 2")
        flow.step(site, other, meta, neighbour, neighbour, {**INFO, "declared": SITE + f"/index.php?topic={n + 50}.5"})
    assert chain_next(5) == []
    # a shape that was a chain's own page once keeps being fetched
    site.policy.next_was(SITE + "/index.php?next_topic=7&topic=6.0", own=True)
    assert chain_next(6) == [SITE + "/index.php?next_topic=7&topic=6.0"]


def test_a_view_whose_declared_page_shows_no_posts_is_read_where_it_is() -> None:
    """A frameset site: each thread page (the frame's content) declares the frameset URL around it
    canonical, a page without posts. The view is skipped for it at first; when the frameset
    arrives without posts, its pattern is learned hollow: the view is fetched again and read
    where it is, and later pages declaring a page of that pattern are read at once."""
    tally = Tally()
    site = _site(tally)
    flow = _flow(site)
    view, frameset = SITE + "/messages.php?msg=5.1", SITE + "/index.php?msg=5.1"
    step = flow.step(site, _thread_page(view, ["a", "b"]), {}, view, view, {**INFO, "declared": frameset})
    assert step.reading is None and [f.url for f in step.fetches][:1] == [frameset]
    shell = Page(url=frameset, kind="other", title="T", links=[Link(view, "", "navigation")])
    step = flow.step(site, shell, {}, frameset, frameset, INFO)
    again = [f for f in step.fetches if f.url == view]
    assert again and again[0].dont_filter and tally["forumcrawl/hollow_patterns_learned"] == 1
    step = flow.step(site, _thread_page(view, ["a", "b"]), again[0].meta, view, view, {**INFO, "declared": frameset})
    assert step.reading is not None and _posts(step) == [(1, "pa"), (2, "pb")]
    other = SITE + "/messages.php?msg=6.1"
    step = flow.step(site, _thread_page(other, ["c"]), {}, other, other, {**INFO, "declared": SITE + "/index.php?msg=6.1"})
    assert step.reading is not None and {i["thread_url"] for i in step.reading.items} == {other}


def test_a_listings_last_post_links_are_windows_once_a_post_range_pager_was_seen() -> None:
    """A thread page's pager of post ranges (pages start at posts 1, 6, 11) teaches its URL pattern's
    grid: a listing's "last post" link (msg=3.2) opens a thread where no page starts, a window over
    posts its first page shows: not fetched, nor when queued before; a page start (msg=4.6) is."""
    tally = Tally()
    site = _site(tally)
    listing = Page(url=SITE + "/thread_list.php", kind="board", title="Threads",
                   links=[Link(SITE + "/messages.php?msg=3.1", "Three", "other"),
                          Link(SITE + "/messages.php?msg=3.2", "last post", "other"),
                          Link(SITE + "/messages.php?msg=4.6", "last post", "other")])
    queued = {f.url for f in site.policy.discover(listing, {}, listing.url)} | site.policy.waiting_urls
    assert SITE + "/messages.php?msg=3.2" in queued  # (nothing learned yet)
    url = SITE + "/messages.php?msg=8.1"
    page = _thread_page(url, ["a", "b"])
    page.links += [Link(SITE + "/messages.php?msg=8.1", "1–5", "pagination"),
                   Link(SITE + "/messages.php?msg=8.6", "6–10", "pagination"),
                   Link(SITE + "/messages.php?msg=8.11", "11–12", "pagination")]
    site.policy.discover(page, {}, url)
    assert site.policy.refuse_queued(SITE + "/messages.php?msg=3.2") == "post_window"
    assert site.policy.refuse_queued(SITE + "/messages.php?msg=4.6") is None
    assert site.policy.grid.window(SITE + "/messages.php?msg=5.7") and not site.policy.grid.window(SITE + "/messages.php?msg=5.1")
    listing.links.append(Link(SITE + "/messages.php?msg=5.7", "last post", "other"))
    again = {f.url for f in site.policy.discover(listing, {}, listing.url)}
    assert SITE + "/messages.php?msg=5.7" not in again | site.policy.waiting_urls

def _site_taught_post_ranges(tally: Tally):
    """A site and its page flow after one thread page's pager of post ranges ("1–5 6–7") taught
    where its pages start (posts 1, 6, ...)."""
    site = _site(tally)
    flow = _flow(site)
    learned = _thread_page(SITE + "/messages.php?msg=8.1", ["x"])
    learned.links += [Link(SITE + "/messages.php?msg=8.1", "1–5", "pagination"),
                      Link(SITE + "/messages.php?msg=8.6", "6–7", "pagination")]
    site.policy.discover(learned, {}, learned.url)
    return site, flow


def test_a_last_post_window_skipped_for_a_hollow_page_is_not_read_again() -> None:
    """Views skipped for a frameset that proves hollow are read where they are, but not a window at a
    post where no page starts (msg=5.2 beside msg=5.1): read first, it was stored as a thread."""
    tally = Tally()
    site, flow = _site_taught_post_ranges(tally)
    frameset = SITE + "/index.php?msg=5.1"
    for view, texts in ((SITE + "/messages.php?msg=5.1", ["a", "b"]), (SITE + "/messages.php?msg=5.2", ["b"])):
        flow.step(site, _thread_page(view, texts), {}, view, view, {**INFO, "declared": frameset})
    shell = Page(url=frameset, kind="other", title="T", links=[])
    again = {f.url for f in flow.step(site, shell, {}, frameset, frameset, INFO).fetches if f.dont_filter}
    assert again == {SITE + "/messages.php?msg=5.1"} and tally["forumcrawl/links_skipped/post_window"] == 1


def test_a_window_at_a_post_where_no_page_starts_is_a_view_of_the_page_holding_that_post() -> None:
    """Once a post-range pager taught the grid (pages at posts 1, 6, 11), a page reached at msg=11.5 (a
    "last post" window of a 5-post thread, its pager "1–5") is a view of msg=11.1, not a thread."""
    tally = Tally()
    site, flow = _site_taught_post_ranges(tally)
    window = SITE + "/messages.php?msg=11.5"
    page = _thread_page(window, ["e"])
    page.links += [Link(SITE + "/messages.php?msg=11.1", "1–5", "pagination")]
    step = flow.step(site, page, {}, window, window, INFO)
    assert step.reading is None and step.parked is None and tally["forumcrawl/views_skipped"] == 1
    assert SITE + "/messages.php?msg=11.1" in [f.url for f in step.fetches]


def test_a_window_read_before_any_grid_is_a_view_of_the_range_its_pager_links() -> None:
    """No pager of two ranges read yet (the first threads read were one page long): a page at msg=11.5
    whose pager's only range "1–5" links msg=11.1 tells by itself that it is a window, not a thread (it was
    stored as one, its thread then stored under two URLs); the thread's own page, linking itself, stays one."""
    tally = Tally()
    site = _site(tally)
    flow = _flow(site)
    window = SITE + "/messages.php?msg=11.5"
    page = _thread_page(window, ["e"])
    page.links += [Link(SITE + "/messages.php?msg=11.1", "1–5", "pagination")]
    step = flow.step(site, page, {}, window, window, INFO)
    assert step.reading is None and tally["forumcrawl/views_skipped"] == 1
    assert SITE + "/messages.php?msg=11.1" in [f.url for f in step.fetches]
    own = SITE + "/messages.php?msg=12.1"
    first = _thread_page(own, ["f"])
    first.links += [Link(own, "1–5", "pagination")]
    assert flow.step(site, first, {}, own, own, INFO).reading is not None


def test_a_view_skipped_for_its_declared_page_still_teaches_its_pagers_grid() -> None:
    """Every thread page of a frameset site is skipped as a view at first: its post-range pager
    teaches the grid all the same, so the windows dropped meanwhile are not revived later."""
    site = _site()
    flow = _flow(site)
    view = SITE + "/messages.php?msg=8.1"
    page = _thread_page(view, ["a"])
    page.links += [Link(SITE + "/messages.php?msg=8.1", "1–5", "pagination"),
                   Link(SITE + "/messages.php?msg=8.6", "6–7", "pagination")]
    step = flow.step(site, page, {}, view, view, {**INFO, "declared": SITE + "/index.php?msg=8.1"})
    assert step.reading is None and site.policy.grid.window(SITE + "/messages.php?msg=3.2")


def test_a_view_skipped_for_a_page_that_proves_hollow_is_read_from_memory_not_fetched_again() -> None:
    """The skipped view's page is kept (a small LRU by URL): when its declared frameset proves
    hollow, the view's revival carries a mark the scope middleware answers from memory, once,
    with the kept body (no second GET); views whose target showed posts are forgotten."""
    from crawler.scope import RedirectScopeMiddleware
    from crawler.sites import SiteRegistry
    from scrapy.http import Request

    tally = Tally()
    registry = SiteRegistry(SiteSettings(journal=Frontier(None), count=tally, template_pages=0))
    site = registry.add(SITE + "/")
    flow = _flow(site)
    headers = {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"}
    read = SITE + "/messages.php?msg=4.1"  # a view whose target shows its posts: not kept
    flow.step(site, _thread_page(read, ["x"]), {}, read, read, {**INFO, "declared": SITE + "/t/4"}, b"<p>4</p>", headers)
    flow.step(site, _thread_page(SITE + "/t/4", ["x"]), {}, SITE + "/t/4", SITE + "/t/4", INFO)
    assert site.policy.view_again(read) is None
    view, frameset = SITE + "/messages.php?msg=5.1", SITE + "/index.php?msg=5.1"
    flow.step(site, _thread_page(view, ["a", "b"]), {}, view, view, {**INFO, "declared": frameset}, b"<p>5</p>", headers)
    shell = Page(url=frameset, kind="other", title="T", links=[Link(view, "", "navigation")])
    again = [f for f in flow.step(site, shell, {}, frameset, frameset, INFO).fetches if f.url == view]
    assert again and again[0].meta.get("fc_kept_view") is True

    class Spider:
        sites = registry

    middleware = RedirectScopeMiddleware(type("Crawler", (), {"spider": Spider()})())
    request = Request(view, meta=dict(again[0].meta), dont_filter=True)
    response = middleware.process_request(request)
    assert response is not None and response.body == b"<p>5</p>" and response.url == view
    assert "Content-Encoding" not in response.headers and tally["forumcrawl/views_read_from_memory"] == 1
    assert middleware.process_request(Request(view, meta=dict(again[0].meta), dont_filter=True)) is None  # once


def test_a_link_into_the_thread_at_a_post_its_range_pager_starts_no_page_at_is_not_fetched() -> None:
    """A pager of post ranges ("1–5  6–10  11–12": msg=8.1, 8.6, 8.11) and, in a post, "In reply to
    8.10" (msg=8.10: the thread shown from post 10, a window over posts of its pages): not fetched."""
    tally = Tally()
    site = _site(tally)
    url = SITE + "/messages.php?msg=8.6"
    page = _thread_page(url, ["f", "g"])
    page.links += [Link(SITE + "/messages.php?msg=8.1", "1–5", "pagination"),
                   Link(SITE + "/messages.php?msg=8.6", "6–10", "pagination"),
                   Link(SITE + "/messages.php?msg=8.11", "11–12", "pagination"),
                   Link(SITE + "/messages.php?msg=8.10", "8.10", "post"),
                   Link(SITE + "/messages.php?msg=9.1", "Another thread", "other")]
    fetched = {f.url for f in site.policy.discover(page, {}, url)}
    assert SITE + "/messages.php?msg=8.10" not in fetched and tally["forumcrawl/links_skipped/post_window"] == 1
    assert SITE + "/messages.php?msg=9.1" in fetched | site.policy.waiting_urls


def _listing_with_last_post_links(site: SiteState, flow: PageFlow) -> list[str]:
    """A listing whose rows link each thread (msg=3.1) and, beside it, its last post (msg=3.2: a window
    over the thread's posts from post 2); the URLs it made fetch."""
    listing = Page(url=SITE + "/thread_list.php", kind="listing", title="Threads",
                   entries=[Entry(url=SITE + "/messages.php?msg=3.1", title="Three"),
                            Entry(url=SITE + "/messages.php?msg=4.3", title="Four")],
                   links=[Link(SITE + "/messages.php?msg=3.1", "Three", "entry"),
                          Link(SITE + "/messages.php?msg=3.2", "]", "other"),
                          Link(SITE + "/messages.php?msg=5.2", "other", "other"),
                          Link(SITE + "/messages.php?msg=4.3", "Four", "entry"),
                          Link(SITE + "/messages.php?msg=4.1", "first", "other")])
    return [f.url for f in flow.step(site, listing, {"fc_depth": 0}, listing.url, listing.url, INFO).fetches]


def test_a_rows_last_post_link_waits_for_its_entrys_chain() -> None:
    """A row's "last post" link (msg=3.2 beside its entry msg=3.1) opens the thread at a later post: read
    first, with no pager of post ranges seen yet, it was stored as a thread of its own, and the thread
    under two URLs. It is held while the entry's chain reads the thread, and fetched at the end only if no
    chain read it (a chain that broke off still reaches the later pages through it); a row's link to
    another thread, or to the entry's URL with a smaller number, is no such link."""
    tally = Tally()
    site = _site(tally)
    flow = _flow(site)
    entry, window = SITE + "/messages.php?msg=3.1", SITE + "/messages.php?msg=3.2"
    fetched = _listing_with_last_post_links(site, flow)
    assert entry in fetched and window not in fetched and tally["forumcrawl/links_held/row_window"] == 1
    assert SITE + "/messages.php?msg=5.2" in fetched + list(site.policy.waiting_urls)
    assert site.policy.row_window_entry(window) == entry
    assert site.policy.row_window_entry(SITE + "/messages.php?msg=4.1") is None
    assert _posts(flow.step(site, _thread_page(entry, ["a", "b"]), {"fc_depth": 1}, entry, entry, INFO)) == \
        [(1, "pa"), (2, "pb")]
    released = [f.url for site_, fetches in plan_idle([site], shared_frontier=False, awaited=lambda u: False).fetches
                for f in fetches]
    assert window in released  # (nothing told it is a window: no pager of post ranges was read)
    step = flow.step(site, _thread_page(window, ["b"]), {"fc_depth": 1}, window, window, INFO)
    assert step.reading is None and tally["forumcrawl/duplicate_thread_pages"] == 1


def test_a_rows_last_post_page_read_before_its_entry_is_parked_for_the_entrys_chain() -> None:
    """Reached some other way before its entry (a view read again), the row's last-post page waits for the
    entry's chain as a later page does; once that chain stored its posts it is a duplicate, not a thread."""
    tally = Tally()
    site = _site(tally)
    flow = _flow(site)
    entry, window = SITE + "/messages.php?msg=3.1", SITE + "/messages.php?msg=3.2"
    _listing_with_last_post_links(site, flow)
    site.policy.journal.seen.add(window)  # (taken on from a view's link)
    step = flow.step(site, _thread_page(window, ["b"]), {"fc_depth": 1}, window, window, INFO)
    assert step.parked == window and step.reading is None and tally["forumcrawl/row_windows_parked"] == 1
    assert _posts(flow.step(site, _thread_page(entry, ["a", "b"]), {"fc_depth": 1}, entry, entry, INFO)) == \
        [(1, "pa"), (2, "pb")]
    assert not [f for _, fetches in plan_idle([site], shared_frontier=False, awaited=lambda u: False).fetches
                for f in fetches]
    ending = release_orphans(site, flow.chains)
    assert ending is not None and not ending.reading.items and not site.threads.parked
    assert tally["forumcrawl/duplicate_thread_pages"] == 1


def test_a_rows_link_to_a_post_path_under_its_entry_is_a_window_too() -> None:
    """``/topic/4/slug/45`` beside the entry ``/topic/4/slug`` ("jump to post 45") opens the thread at a
    later post as well; ``/topic/4/slug/edit`` and another topic's URL do not."""
    from crawler.rows import row_windows
    entry = SITE + "/topic/4/slug"
    page = Page(url=SITE + "/", kind="listing", title="L", entries=[Entry(url=entry, title="Four")],
                links=[Link(entry, "Four", "entry"), Link(entry + "/45", "last", "other"),
                       Link(entry + "/edit", "edit", "other"), Link(SITE + "/topic/5/other", "x", "other")])
    assert row_windows(page) == {entry + "/45": entry}


def test_requests_dropped_for_a_pattern_learned_useless_are_fetched_when_it_is_unlearned() -> None:
    """Three thread pages each skipped as a view of the frameset they declare teach their pattern to
    give nothing new; requests of it still queued are dropped (Beehive's other threads, in Scrapy's queue).
    When the frameset proves hollow the pattern is unlearned and its views are read where they are: the
    dropped requests are fetched too (they were lost, and their threads with them)."""
    tally = Tally()
    site = _site(tally)
    flow = _flow(site)
    for n in (1, 2, 3):
        view = f"{SITE}/messages.php?msg={n}.1"
        site.policy.journal.seen.add(view)
        flow.step(site, _thread_page(view, [str(n)]), {}, view, view, {**INFO, "declared": f"{SITE}/index.php?msg={n}.1"})
    queued = SITE + "/messages.php?msg=8.1"
    assert site.policy.refuse_queued(queued) == "learned_repeats_known_posts"
    shell = Page(url=SITE + "/index.php?msg=1.1", kind="other", title="T", links=[])
    step = flow.step(site, shell, {}, shell.url, shell.url, INFO)
    again = {f.url for f in step.fetches} | site.policy.waiting_urls
    assert tally["forumcrawl/hollow_patterns_learned"] == 1 and queued in again


def test_a_chains_next_page_once_refused_for_its_patterns_verdict_is_fetched_for_the_chain() -> None:
    """A link refused for its URL pattern's verdict (three pages of it repeated known posts) is taken on
    and never fetched; a thread's chain whose next page it is fetches it all the same. (It was claimed as
    if queued, and the thread's last page lost: Beehive's "6" after "1–5".)"""
    site = _site()
    flow = _flow(site)
    for n in (1, 2, 3):
        site.policy.learn(f"{SITE}/x/{n}?page=2", "repeat")
    later = SITE + "/x/5?page=2"
    assert site.policy.patterns.blocked(later) == "repeats_known_posts"
    listing = Page(url=SITE + "/", kind="listing", title="L", links=[Link(later, "last", "other")])
    assert later not in [f.url for f in flow.step(site, listing, {}, listing.url, listing.url, INFO).fetches]
    first = _thread_page(SITE + "/x/5", ["a"], next_url=later)
    step = flow.step(site, first, {}, first.url, first.url, INFO)
    assert later in [f.url for f in step.fetches if f.priority == PRIORITY_CHAIN]


def test_a_member_page_fetched_before_its_script_was_learned_is_no_thread() -> None:
    """A member's page fetched before two authors' links taught the site's member script (it was in the
    template's warm-up) is read once that is known: its fields ("Last Visit: Unknown", "Status: Offline")
    or the member's own posts, read as posts, are not stored as a thread."""
    tally = Tally()
    site = _site(tally)
    flow = _flow(site)
    url = SITE + "/messages.php?msg=2.1"
    thread = Page(url=url, kind="thread", title="T",
                  posts=[Post(1, "My chain slips on every climb. " * 3, author="ann"),
                         Post(2, "Measure the stretch first. " * 3, author="bob")],
                  links=[Link(SITE + "/user_profile.php?uid=4", "ann", "post"),
                         Link(SITE + "/user_profile.php?uid=2", "bob", "post")])
    flow.step(site, thread, {}, url, url, INFO)
    assert tally["forumcrawl/profile_folders_learned"] == 1
    member = SITE + "/user_profile.php?uid=1"
    fields = Page(url=member, kind="thread", title="admin",
                  posts=[Post(1, "Last Visit: Unknown"), Post(2, "Status: Inactive / Offline")])
    step = flow.step(site, fields, {}, member, member, INFO)
    assert step.reading is None and step.record and tally["forumcrawl/member_pages_unstored"] == 1
