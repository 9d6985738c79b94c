"""The crawler's rooms driven without Scrapy: thread assembly, URL policy, recrawl
planning, template warm-up and the shared frontier's acknowledgement ledger."""
from __future__ import annotations

from collections import Counter
from datetime import datetime

from crawler.assembly import ThreadAssembly
from crawler.fetches import PRIORITY_ENTRY, Fetch
from crawler.frontier.acks import AckLedger
from crawler.journal import Frontier
from crawler.patterns import PatternLearner, url_pattern
from crawler.policy import UrlPolicy
from crawler.recrawl import RecrawlPlanner
from crawler.warmup import TemplateWarmup
from extractor.model import Entry, Link, Page, Post

INFO = {"fetched_at": "2026-01-01T00:00:00+00:00", "status": 200, "etag": None,
        "last_modified": None, "content_hash": "x"}


class Tally(Counter):
    """A stats stand-in: what the rooms counted."""

    def __call__(self, key: str, count: int = 1) -> None:
        self[key] += count


def _thread_page(url: str, texts: list[str], next_url: str | None = None) -> Page:
    posts = [Post(position=i + 1, text=t, author="a", post_id=f"p{t}") for i, t in enumerate(texts)]
    return Page(url=url, kind="thread", title="T", posts=posts, next_page_url=next_url)


def _next_of(page: Page, url: str) -> str | None:
    return page.next_page_url


def test_parked_later_page_is_read_when_its_chain_arrives() -> None:
    tally = Tally()
    threads = ThreadAssembly("http://h", count=tally)
    p2 = _thread_page("http://h/t/1?page=2", ["c", "d"], "http://h/t/1?page=3")
    p3 = _thread_page("http://h/t/1?page=3", ["e"])
    threads.park(p3, "k3", p3.url, INFO)
    threads.park(p2, "k2", p2.url, INFO, rid="r2")
    first = _thread_page("http://h/t/1", ["a", "b"], p2.url)
    reading = threads.read(first, "k1", first.url, INFO, threads.start(first, {}, first.url), _next_of)
    posts = [(i["thread_url"], i["page_number"], i["position"], i["text"]) for i in reading.items if "text" in i]
    assert posts == [("http://h/t/1", 1, 1, "a"), ("http://h/t/1", 1, 2, "b"), ("http://h/t/1", 2, 3, "c"),
                     ("http://h/t/1", 2, 4, "d"), ("http://h/t/1", 3, 5, "e")]
    assert reading.next is None and not threads.parked
    assert [p[1] for p in reading.pages] == ["k1", "k2", "k3"]
    assert [k[:2] for k in reading.kept] == [(p2.url, "r2")]
    assert tally["forumcrawl/posts"] == 5 and tally["forumcrawl/threads"] == 1


def test_chain_stops_at_a_page_not_yet_fetched() -> None:
    threads = ThreadAssembly("http://h")
    first = _thread_page("http://h/t/2", ["a"], "http://h/t/2?page=2")
    reading = threads.read(first, "k", first.url, INFO, threads.start(first, {}, first.url), _next_of)
    url, ctx = reading.next
    assert url == "http://h/t/2?page=2" and (ctx["page"], ctx["offset"]) == (2, 1)


def test_a_chain_of_pages_that_copy_other_threads_posts_ends() -> None:
    """ElkArte's "recent posts" (``?action=recent&start=10``...): read as a thread, each of its pages
    showed posts stored under their own threads, and its chain fetched all eight pages."""
    tally = Tally()
    threads = ThreadAssembly("http://h", count=tally)
    for n, texts in ((1, ["a", "b"]), (2, ["c", "d"]), (3, ["e", "f"])):
        page = _thread_page(f"http://h/t/{n}", texts)
        threads.read(page, "k", page.url, INFO, threads.start(page, {}, page.url), _next_of)
    recent = _thread_page("http://h/recent", ["f", "e"], "http://h/recent?start=2")
    reading = threads.read(recent, "r", recent.url, INFO, threads.start(recent, {}, recent.url), _next_of)
    assert reading.items == [] and reading.next[0] == "http://h/recent?start=2"  # one page may be a late copy
    second = _thread_page("http://h/recent?start=2", ["d", "c"], "http://h/recent?start=4")
    reading = threads.read(second, "r2", second.url, INFO, reading.next[1], _next_of)
    assert reading.items == [] and reading.next is None
    assert tally["forumcrawl/chains_ended/copies"] == 1
    # a thread whose page 1 was copied (read first under another URL) goes on to its new page 2
    copy = _thread_page("http://h/t/1?print", ["a", "b"], "http://h/t/1?page=2")
    reading = threads.read(copy, "c", copy.url, INFO, threads.start(copy, {}, copy.url), _next_of)
    assert reading.next[0] == "http://h/t/1?page=2"


def test_an_article_made_of_stored_posts_lines_copies_them() -> None:
    """ElkArte's "recent posts": its last page, holding the two oldest posts, read as an article,
    and counted new for its URL pattern, so the pattern (its other pages all copies) was never
    judged and every page of it was fetched."""
    threads = ThreadAssembly("http://h")
    long_a, long_b = "The first reply, long enough to tell.", "A second reply with words of its own."
    page = _thread_page("http://h/t/1", [long_a, long_b])
    threads.read(page, "k", page.url, INFO, threads.start(page, {}, page.url), _next_of)
    assert threads.copies_posts(f"Recent posts\nRe: Topic one\n{long_b}\nby a\nRe: Topic one\n{long_a}")
    assert not threads.copies_posts(f"An article of its own, with a paragraph nobody posted.\n{long_a}\n"
                                    "And a second paragraph, also its own words entirely.")
    assert not threads.copies_posts("")


def test_a_page_seen_under_another_url_is_a_duplicate() -> None:
    threads = ThreadAssembly("http://h")
    page = _thread_page("http://h/t/3", ["a", "b"])
    threads.read(page, "k", page.url, INFO, threads.start(page, {}, page.url), _next_of)
    assert threads.already_emitted(_thread_page("http://h/t/3?page=1", ["a", "b"]))
    assert not threads.already_emitted(_thread_page("http://h/t/4", ["a", "z"]))


def test_a_copy_whose_opening_post_has_no_id_is_a_duplicate() -> None:
    """An opening post often has no anchor of its own (Phorum): its author, time and text tell it."""
    def page(url: str) -> Page:
        return Page(url=url, kind="thread", title="T", posts=[
            Post(position=1, text="opening words", author="ann", published_raw="May 1, 10:00"),
            Post(position=2, text="a reply", author="bob", post_id="37")])
    threads = ThreadAssembly("http://h")
    first = page("http://h/read.php?2,36")
    threads.read(first, "k", first.url, INFO, threads.start(first, {}, first.url), _next_of)
    assert threads.already_emitted(page("http://h/read.php?2,36,printview,page=1"))
    other = page("http://h/read.php?2,40")
    other.posts[0].author = "cid"
    assert not threads.already_emitted(other)


def test_a_chain_reads_on_at_the_page_its_next_page_was_a_view_of() -> None:
    """esoTalk: page 2 (/c/9/p2) names its offset /c/9/5 canonical; reached before the chain it was
    skipped as a view, /c/9/5 read and parked: the chain from page 1 goes on there, not stopping at
    a page already answered, and a page parked behind a view joins that view's thread at the end."""
    threads = ThreadAssembly("http://h")
    threads.note_view("http://h/c/9/p2", "http://h/c/9/5")
    p2 = _thread_page("http://h/c/9/5", ["c", "d"], "http://h/c/9/p3")
    threads.park(p2, "k2", p2.url, INFO, earlier="http://h/c/9/p1")
    first = _thread_page("http://h/c/9/0", ["a", "b"], "http://h/c/9/p2")
    reading = threads.read(first, "k1", first.url, INFO, threads.start(first, {}, first.url), _next_of)
    posts = [(i["thread_url"], i["position"], i["text"]) for i in reading.items if "text" in i]
    assert posts == [("http://h/c/9/0", 1, "a"), ("http://h/c/9/0", 2, "b"),
                     ("http://h/c/9/0", 3, "c"), ("http://h/c/9/0", 4, "d")]
    assert reading.next[0] == "http://h/c/9/p3" and not threads.parked
    # left over at the end: its earlier page was skipped as a view of the thread's first page
    threads.note_view("http://h/c/9/p1", "http://h/c/9/0")
    threads.park(_thread_page("http://h/c/9/18", ["q"]), "k3", "http://h/c/9/18", INFO, earlier="http://h/c/9/p1")
    _, rescued, late, _ = threads.leftovers()
    assert rescued == ["http://h/c/9/18"] and late.items[-1]["thread_url"] == "http://h/c/9/0"


def test_a_chain_takes_its_next_page_out_of_the_wait_for_a_verdict() -> None:
    """A link of a URL pattern on trial waits for the verdict (and is dropped if the pattern is
    learned useless): a thread's chain that needs it takes it out of the wait."""
    policy = UrlPolicy(Frontier(None), start_url="http://h/")
    policy.waiting[url_pattern("http://h/c/9/p3")] = [Fetch("http://h/c/9/p3", PRIORITY_ENTRY, {})]
    policy.waiting_urls.add("http://h/c/9/p3")
    assert not policy.claim_waiting("http://h/c/9/p4")
    assert policy.claim_waiting("http://h/c/9/p3")
    assert "http://h/c/9/p3" not in policy.waiting_urls and not policy.waiting


def test_orphans_and_duplicates_are_told_apart() -> None:
    threads = ThreadAssembly("http://h")
    page = _thread_page("http://h/t/5", ["a"])
    threads.read(page, "k", page.url, INFO, threads.start(page, {}, page.url), _next_of)
    threads.park(_thread_page("http://h/t/5?page=1", ["a"]), "k1", "http://h/t/5?page=1", INFO)
    threads.park(_thread_page("http://h/t/6?page=2", ["q"]), "k2", "http://h/t/6?page=2", INFO)
    duplicates, rescued, reading, parked = threads.leftovers()
    assert duplicates == ["http://h/t/5?page=1"] and rescued == ["http://h/t/6?page=2"]
    assert len(parked) == 2 and not threads.parked
    assert [(i["thread_url"], i["text"]) for i in reading.items if "text" in i] == [("http://h/t/6?page=2", "q")]


def test_policy_scope_budget_and_reasons(tmp_path) -> None:
    tally = Tally()
    policy = UrlPolicy(Frontier(None), start_url="http://h:8000/", deny="/private", max_pages=3, count=tally)
    assert policy.allowed("http://h:8000/t/1")
    assert not policy.allowed("http://h:9000/t/1")          # another port is another site
    assert not policy.allowed("http://h:8000/login")
    assert not policy.allowed("http://h:8000/private/x")
    assert tally["forumcrawl/links_skipped/offsite"] == 1
    assert tally["forumcrawl/links_skipped/action"] == 1
    assert tally["forumcrawl/links_skipped/denied"] == 1
    assert policy.take("http://h:8000/a", 0, {}) and policy.take("http://h:8000/b", 0, {})
    assert not policy.take("http://h:8000/a", 0, {})        # known already
    assert policy.take("http://h:8000/c", 0, {})
    assert not policy.take("http://h:8000/d", 0, {})         # over max_pages
    assert tally["forumcrawl/links_skipped/max_pages"] == 1


def test_policy_discovers_entries_first_and_respects_depth() -> None:
    policy = UrlPolicy(Frontier(None), start_url="http://h/", max_depth=1)
    page = Page(url="http://h/", kind="listing",
                links=[Link("http://h/about", "About", "navigation"), Link("http://h/t/1", "Hello", "other")],
                entries=[Entry(title="Hello", url="http://h/t/1", replies=3)])
    fetches = {f.url: f for f in policy.discover(page, {"fc_depth": 0}, "http://h/")}
    assert fetches["http://h/t/1"].priority == PRIORITY_ENTRY
    assert fetches["http://h/t/1"].meta["fc_entry"]["replies"] == 3
    assert fetches["http://h/about"].priority < PRIORITY_ENTRY
    assert policy.discover(page, {"fc_depth": 1}, "http://h/t/1") == []   # depth 2 > max_depth


def test_recrawl_skips_unchanged_threads_and_resumes_changed_ones() -> None:
    when = datetime(2026, 1, 2, 3, 4)
    state = {"posts": 12, "replies": 11, "last_activity": when.isoformat(), "pages": 2,
             "last_page_url": "http://h/t/1?page=2", "last_page_offset": 10, "etag": '"v1"'}
    planner = RecrawlPlanner({"http://h/t/1": state})
    assert planner.intercept("http://h/t/9", None, 1) is None           # not known: ordinary rules
    assert planner.intercept("http://h/t/1", Entry("t", "http://h/t/1", when, replies=11), 1) == []
    planner = RecrawlPlanner({"http://h/t/1": state})
    fetch, = planner.intercept("http://h/t/1", Entry("t", "http://h/t/1", when, replies=12), 1)
    assert fetch.url == "http://h/t/1?page=2" and fetch.headers == {"If-None-Match": '"v1"'}
    assert (fetch.meta["fc_thread"]["page"], fetch.meta["fc_thread"]["offset"]) == (2, 10)
    planner = RecrawlPlanner({"http://h/t/1": state})
    assert planner.intercept("http://h/t/1", None, 2) == []              # linked, not listed
    assert planner.take_unlisted() == [("http://h/t/1", 2)] and planner.take_unlisted() == []


def test_warmup_learns_once_the_sample_is_in() -> None:
    warmup = TemplateWarmup(3)
    page = b"<html><body><div id=nav>Home Forum</div><p>%s</p></body></html>"
    warmup.hold({"key": "http://h/", "url": "http://h/", "body": page % b"one", "title": "Home"},
                ["http://h/a", "http://h/b", "http://h/c"])
    assert warmup.sample == ["http://h/", "http://h/a", "http://h/b"] and not warmup.ready()
    warmup.hold({"key": "http://h/a", "url": "http://h/a", "body": page % b"two", "title": "A", "thread": True}, [])
    warmup.settle("http://h/b")   # failed: not waited for
    assert not warmup.ready()     # one thread page held: a second is waited for (half the sample)
    warmup.hold({"key": "http://h/t", "url": "http://h/t", "body": page % b"six", "title": "T", "thread": True}, [])
    assert warmup.ready()
    held = warmup.finish()
    assert [h["key"] for h in held] == ["http://h/", "http://h/a", "http://h/t"] and warmup.warmed and not warmup.ready()


def test_ack_ledger_defers_kept_pages_until_released() -> None:
    acks = AckLedger()
    a, b = object(), object()
    acks.popped("ra", a)
    acks.popped("rb", b)
    assert not acks.defer("rb", "http://h/t/1?page=2")    # engine still has it
    acks.engine_done(acks.not_in({id(x) for x in ()}), now=10.0)
    assert acks.finished == ["ra"] and acks.to_park == {"rb": "http://h/t/1?page=2"}
    assert acks.committed(taken_at=11.0, now=12.0) == ["ra"]
    acks.acked(["ra"])
    assert acks.release("rb") and acks.finished == ["rb"]
    assert acks.closing(ending=True) == 0


def test_a_parked_page_no_chain_reached_fetches_its_chain_again() -> None:
    """Issue 9 item 4: a later page whose chain broke (its first or a middle page failed) is
    not only reported: its thread is read again from the page it points back to, the pages
    not parked here are fetched by that re-chain, and the parked page gets its position."""
    tally = Tally()
    threads = ThreadAssembly("http://h", count=tally)
    p3 = _thread_page("http://h/t/1?page=3", ["e"], "http://h/t/1?page=4")
    threads.park(p3, "k3", p3.url, INFO, rid="r3", earlier="http://h/t/1")
    assert threads.rechain_starts() == ["http://h/t/1"]
    assert threads.rechain_starts() == []  # once per parked page
    first = _thread_page("http://h/t/1", ["a", "b"], "http://h/t/1?page=2")
    ctx = threads.start(first, {}, first.url)
    threads.rechain("http://h/t/1", first.url)
    reading = threads.read(first, "k1", first.url, INFO, ctx, _next_of)
    nxt, ctx2 = reading.next
    assert threads.fetch_ahead(nxt, ctx2)            # page 2 is not parked here: fetched by the re-chain
    assert not threads.fetch_ahead(nxt, ctx2)        # (a page visited twice ends it)
    p2 = _thread_page("http://h/t/1?page=2", ["c", "d"], p3.url)
    reading = threads.read(p2, "k2", p2.url, INFO, ctx2, _next_of)
    posts = [(i["position"], i["text"]) for i in reading.items if "text" in i]
    assert posts == [(3, "c"), (4, "d"), (5, "e")] and not threads.parked
    nxt, ctx4 = reading.next
    assert nxt == "http://h/t/1?page=4"
    assert not threads.fetch_ahead(nxt, ctx4)        # past its parked pages: handed over as usual
    assert tally["forumcrawl/rechains"] == 1


def test_a_duplicate_parked_page_is_not_rechained() -> None:
    threads = ThreadAssembly("http://h")
    first = _thread_page("http://h/t/5", ["a", "b"])
    threads.read(first, "k", first.url, INFO, threads.start(first, {}, first.url), _next_of)
    threads.park(_thread_page("http://h/t/5?page=1", ["a", "b"]), "k2", "http://h/t/5?page=1", INFO,
                 earlier="http://h/t/5")
    assert threads.rechain_starts() == []
    duplicates, rescued, _, _ = threads.leftovers()
    assert duplicates == ["http://h/t/5?page=1"] and rescued == []


def test_a_query_routed_site_learns_its_routing_key_and_skips_action_routes() -> None:
    """One script serving every page (``index.php?qa=<page>``): the key holding a registration
    route routes the site, and its member, feed and ask-a-question routes are skipped like
    ``/user/ann`` or ``/feed`` would be; its questions and listings are fetched."""
    from crawler.urls import RouteKeys

    routes = RouteKeys()
    assert routes.refusal("http://h/index.php?qa=user&qa_1=ann") is None   # nothing learned yet
    routes.learn("http://h/index.php?qa=register&to=index.php%3Fqa%3Dquestions")
    for url in ("http://h/index.php?qa=user&qa_1=ann&qa_2=wall", "http://h/index.php?qa=users",
                "http://h/index.php?qa=feed&qa_1=qa.rss", "http://h/index.php?cat=2&qa=ask",
                "http://h/index.php?qa=login&to=x"):
        assert routes.refusal(url) == "action", url
    for url in ("http://h/index.php?qa=questions", "http://h/index.php?qa=52&qa_1=ask-about-rye",
                "http://h/index.php?qa=tag&qa_1=user", "http://h/index.php?to=users"):
        assert routes.refusal(url) is None, url

    policy = UrlPolicy(Frontier(None), start_url="http://h/")
    page = Page(url="http://h/", kind="listing",
                links=[Link("http://h/index.php?qa=questions", "Questions", "navigation"),
                       Link("http://h/index.php?qa=user&qa_1=ann", "ann", "other"),
                       Link("http://h/index.php?qa=feed&qa_1=qa.rss", "RSS", "other"),
                       Link("http://h/index.php?qa=register&to=index.php", "Register", "navigation")])
    assert [f.url for f in policy.discover(page, {"fc_depth": 0}, "http://h/")] == ["http://h/index.php?qa=questions"]


def test_a_routing_keys_path_value_is_judged_as_the_path_it_is() -> None:
    """A front controller reading a whole path from a key (``index.php?p=/profile/3/ann``): once the
    key is learned from its sign-in route (``?p=/entry/signin``), its value is judged segment by
    segment as a URL's path would be: member pages and forms (action), the terms of service
    (boilerplate), a feed file (file-type) are skipped; discussions, their pages, boards are kept."""
    from crawler.urls import RouteKeys

    routes = RouteKeys()
    assert routes.refusal("http://h/index.php?p=/profile/3/ann") is None   # nothing learned yet
    routes.learn("http://h/index.php?Target=discussions&p=/entry/signin")
    assert routes.keys == {"p"}
    for url, why in (("http://h/index.php?p=/profile/3/ann", "action"),
                     ("http://h/index.php?p=/profile/comments/3/%E9%99%88%E4%BC%9F", "action"),
                     ("http://h/index.php?p=%2Fprofile%2Fdiscussions%2F3%2Fann", "action"),
                     ("http://h/index.php?Target=discussions&p=/entry/register", "action"),
                     ("http://h/index.php?p=/home/termsofservice", "boilerplate"),
                     ("http://h/index.php?p=/categories/general/feed.rss", "file-type")):
        assert routes.refusal(url) == why, url
    for url in ("http://h/index.php?p=/discussion/8/sourdough-starter", "http://h/index.php?p=/discussion/8/x/p2",
                "http://h/index.php?p=/categories/general", "http://h/index.php?p=/discussions",
                "http://h/index.php?p=/", "http://h/index.php?Target=/profile/3&p=/discussions"):
        assert routes.refusal(url) is None, url

    policy = UrlPolicy(Frontier(None), start_url="http://h/")
    page = Page(url="http://h/", kind="listing",
                links=[Link("http://h/index.php?p=/discussion/8/sourdough-starter", "Sourdough", "other"),
                       Link("http://h/index.php?p=/profile/3/ann", "ann", "other"),
                       Link("http://h/index.php?p=/home/termsofservice", "Terms", "other"),
                       Link("http://h/index.php?p=/entry/signin", "Sign In", "navigation")])
    assert [f.url for f in policy.discover(page, {"fc_depth": 0}, "http://h/")] == [
        "http://h/index.php?p=/discussion/8/sourdough-starter"]


def test_a_thread_pages_author_links_teach_the_sites_member_folder() -> None:
    """Each post's author name links the author's page, in a folder the engine names as it likes
    (``/participant/ann/``: no skip word); that page and the member's activity pages under it repeat
    posts stored from their threads. Two authors' links in one folder teach it: its pages are not
    fetched, nor those queued before; the site's boards and threads, and a folder a single name
    links, are."""
    tally: dict[str, int] = {}
    policy = UrlPolicy(Frontier(None), start_url="http://h/",
                       count=lambda key, n=1: tally.__setitem__(key, tally.get(key, 0) + n))
    board = Page(url="http://h/community/", kind="listing",
                 links=[Link("http://h/participant/ann/activity/", "ann's activity", "other"),
                        Link("http://h/community/repairs/", "Repairs", "navigation")])
    got = [f.url for f in policy.discover(board, {"fc_depth": 0}, board.url)]
    assert "http://h/participant/ann/activity/" in got      # nothing learned yet
    url = "http://h/community/repairs/chain-slipping/"
    thread = Page(url=url, kind="thread",
                  posts=[Post(1, "My chain slips on every climb.", author="ann"),
                         Post(2, "Measure the stretch first.", author="王小明"),
                         Post(3, "A worn chain, most likely.", author="ann")],
                  links=[Link("http://h/participant/ann/", "ann", "post"),
                         Link("http://h/participant/member1/", "王小明", "post"),
                         Link("http://h/participant/member1/activity/", "Activity", "post"),
                         Link("http://h/community/repairs/ann/", "ann", "post"),   # (the thread's own folder)
                         Link("http://h/club/ann/", "ann", "other"),               # (one name only)
                         Link(url + "paged/2/", "2", "pagination"),
                         Link("http://h/community/repairs/", "Repairs", "navigation")])
    got = [f.url for f in policy.discover(thread, {"fc_depth": 1}, url)]
    assert not [u for u in got if "/participant/" in u]
    assert url + "paged/2/" in got and "http://h/community/repairs/ann/" in got and "http://h/club/ann/" in got
    assert tally["forumcrawl/profile_folders_learned"] == 1 and tally["forumcrawl/links_skipped/profile"] == 3
    assert policy.refuse_queued("http://h/participant/ann/activity/") == "profile"
    assert policy.refuse_queued("http://h/community/repairs/") is None


def test_member_folders_are_learned_in_a_route_read_from_the_query() -> None:
    """ThinkPHP's compatibility-mode URLs carry the whole route in ``?s=`` (``index.php?s=/ucenter/index/
    index/uid/104.html``, a pseudo-static ``.html`` after the member id): the route's folders are
    learned as a path's are, and the member's other pages under them are not fetched. (Here under
    ``/home/``: ``ucenter`` is itself a member-list word, refused before any folder is learned.)"""
    tally: dict[str, int] = {}
    policy = UrlPolicy(Frontier(None), start_url="http://h/",
                       count=lambda key, n=1: tally.__setitem__(key, tally.get(key, 0) + n))
    route = "http://h/index.php?s={}"
    url = route.format("/forum/index/detail/id/32.html")
    thread = Page(url=url, kind="thread",
                  posts=[Post(1, "周末去哪里爬山比较好？", author="张丽"), Post(2, "早上六点出发人比较少。", author="lihua")],
                  links=[Link(route.format("/home/index/index/uid/104.html"), "张丽", "post"),
                         Link(route.format("/home/index/index/uid/101.html"), "lihua", "post"),
                         Link(route.format("/forum/index/detail/id/32/page/2.html"), "2", "pagination"),
                         Link(route.format("/forum/index/forum/id/4.html"), "技术交流", "navigation")])
    got = [f.url for f in policy.discover(thread, {"fc_depth": 1}, url)]
    assert got == [route.format("/forum/index/detail/id/32/page/2.html"), route.format("/forum/index/forum/id/4.html")]
    assert tally["forumcrawl/profile_folders_learned"] == 1
    assert policy.refuse_queued(route.format("/home/index/index/uid/103.html")) == "profile"
    assert policy.refuse_queued(route.format("/forum/index/detail/id/33.html")) is None
    # the member's other pages: the same controller's other actions over the same member key
    assert policy.refuse_queued(route.format("/home/index/fans/uid/1.html")) == "profile"
    assert policy.refuse_queued(route.format("/home/index/applist/type/weibo/uid/103.html")) == "profile"
    assert policy.refuse_queued(route.format("/home/member/login.html")) != "profile"
    assert policy.refuse_queued(route.format("/home/index/rank.html")) is None


def test_a_route_in_the_query_is_judged_as_a_path_once_it_names_the_login() -> None:
    """``?s=/ucenter/member/login.html`` (a pseudo-static suffix after the login word) teaches that ``s``
    routes the site: its action routes (``dobookmark``: ThinkPHP names actions ``doX``) and its lists
    sorted another way (``/order/ctime``, a name/value pair of the route) are not fetched."""
    from crawler.urls import RouteKeys

    keys = RouteKeys()
    keys.learn("http://h/index.php?s=/ucenter/member/login.html")
    assert keys.keys == {"s"}
    route = "http://h/index.php?s={}"
    assert keys.refusal(route.format("/forum/index/dobookmark/post_id/31.html")) == "action"
    assert keys.refusal(route.format("/forum/index/forum/id/4/order/ctime.html")) == "variant"
    assert keys.refusal(route.format("/forum/index/forum/id/4.html")) is None
    assert keys.refusal(route.format("/forum/index/detail/id/31/page/2.html")) is None
    assert keys.refusal(route.format("/shop/order/view/id/5.html")) is None   # (an order page: no sort value)


def test_a_listing_rows_link_to_one_post_of_its_thread_is_not_fetched() -> None:
    """"answered 2 hours ago" beside a question: the question's URL with a parameter more and an
    anchor (``&show=9#a9``) opens the page holding that answer, which the thread's chain reads."""
    tally: dict[str, int] = {}
    policy = UrlPolicy(Frontier(None), start_url="http://h/",
                       count=lambda key, n=1: tally.__setitem__(key, tally.get(key, 0) + n))
    thread = "http://h/index.php?qa=5&qa_1=rye-or-wheat"
    page = Page(url="http://h/index.php?qa=questions", kind="listing",
                links=[Link(thread, "Rye or wheat?", "entry"),
                       Link(thread + "&show=9#a9", "answered", "other"),
                       Link("http://h/index.php?qa=6&qa_1=hooch&show=12#c12", "commented", "other")],
                entries=[Entry(title="Rye or wheat?", url=thread, replies=3)])
    got = [f.url for f in policy.discover(page, {"fc_depth": 0}, page.url)]
    # (the second row's question is not an entry here: its link is followed as before)
    assert sorted(got) == [thread, "http://h/index.php?qa=6&qa_1=hooch&show=12"]
    assert tally["forumcrawl/links_skipped/permalink"] == 1


def test_the_opening_post_shown_again_on_later_pages_is_stored_once() -> None:
    # (HYBBS shows the topic above every page's replies, dated "40秒前" then "41秒前": no post id,
    # a raw date that differs from page to page)
    tally = Tally()
    threads = ThreadAssembly("http://h", count=tally)

    def page(url: str, texts: list[str], shown: str, next_url: str | None = None) -> Page:
        posts = [Post(position=i + 1, text=t, author="ann", published_raw=shown) for i, t in enumerate(texts)]
        return Page(url=url, kind="thread", title="T", posts=posts, next_page_url=next_url)

    opener = "周末去哪里爬山？早上六点出发人比较少。"
    p2 = page("http://h/?t/1/2.html", [opener, "c", "d"], "41秒前")
    threads.park(p2, "k2", p2.url, INFO)
    first = page("http://h/?t/1.html", [opener, "a", "b"], "40秒前", p2.url)
    reading = threads.read(first, "k1", first.url, INFO, threads.start(first, {}, first.url), _next_of)
    texts = [i["text"] for i in reading.items if "text" in i]
    assert texts == [opener, "a", "b", "c", "d"]
    # the repeated opener takes no place: the replies go on at 4, 5 (no gap where it stood)
    assert [i["position"] for i in reading.items if "text" in i] == [1, 2, 3, 4, 5]
    assert tally["forumcrawl/posts_opener_repeated"] == 1
    # a later page opening with another post of the same author is kept
    other = ThreadAssembly("http://h")
    first = page("http://h/?t/2.html", [opener, "a"], "40秒前", "http://h/?t/2/2.html")
    other.park(page("http://h/?t/2/2.html", ["e", "f"], "41秒前"), "k", "http://h/?t/2/2.html", INFO)
    reading = other.read(first, "k1", first.url, INFO, other.start(first, {}, first.url), _next_of)
    assert [i["text"] for i in reading.items if "text" in i] == [opener, "a", "e", "f"]


def test_the_opening_post_shown_again_without_its_author_is_stored_once() -> None:
    # (HadSky leaves the topic's author name empty on pages past the first)
    threads = ThreadAssembly("http://h")
    opener = "补充一点，书店里能找到旧版本，第一次失败很正常。"
    first = Page(url="http://h/?id=8&page=1", kind="thread", title="T", next_page_url="http://h/?id=8&page=2",
                 posts=[Post(position=1, text=opener, author="王小明"), Post(position=2, text="a", author="bo")])
    p2 = Page(url="http://h/?id=8&page=2", kind="thread", title="T",
              posts=[Post(position=1, text=opener, author=None), Post(position=2, text="b", author="cy")])
    threads.park(p2, "k2", p2.url, INFO)
    reading = threads.read(first, "k1", first.url, INFO, threads.start(first, {}, first.url), _next_of)
    assert [(i["position"], i["text"]) for i in reading.items if "text" in i] == [(1, opener), (2, "a"), (3, "b")]
    # another author's post with the same text is no repeat of the opener
    other = ThreadAssembly("http://h")
    p2.posts[0].author = "cy"
    other.park(p2, "k2", p2.url, INFO)
    first.posts[0].text = opener
    reading = other.read(first, "k1", first.url, INFO, other.start(first, {}, first.url), _next_of)
    assert len([i for i in reading.items if "text" in i]) == 4


def test_a_thread_pages_author_links_teach_a_query_routed_member_script() -> None:
    """Author names linking ``user_profile.php?uid=N`` (a script at the site root: no folder to learn):
    two authors' links reach it under one numeric key, so its pages are not fetched, nor queued
    ones; the thread's own script with a user key, and other scripts, are."""
    tally: dict[str, int] = {}
    policy = UrlPolicy(Frontier(None), start_url="http://h/",
                       count=lambda key, n=1: tally.__setitem__(key, tally.get(key, 0) + n))
    url = "http://h/messages.php?msg=5.1"
    thread = Page(url=url, kind="thread",
                  posts=[Post(1, "My chain slips on every climb.", author="ann"),
                         Post(2, "Measure the stretch first.", author="王小明")],
                  links=[Link("http://h/user_profile.php?uid=4&webtag=X", "ann", "post"),
                         Link("http://h/user_profile.php?uid=2&webtag=X", "王小明", "post"),
                         Link("http://h/messages.php?u=4", "ann", "post"),        # (the thread's own script)
                         Link("http://h/links.php?fid=1", "Links", "navigation")])
    got = [f.url for f in policy.discover(thread, {"fc_depth": 1}, url)]
    assert not [u for u in got if "user_profile" in u]
    assert "http://h/links.php?fid=1" in got + list(policy.waiting_urls)
    assert "http://h/messages.php?u=4" in got + list(policy.waiting_urls)
    assert tally["forumcrawl/profile_folders_learned"] == 1
    assert policy.refuse_queued("http://h/user_profile.php?uid=6&webtag=X") == "profile"


def test_a_next_topic_link_given_as_the_next_page_steps_nowhere() -> None:
    """ElkArte's last page of a topic names ``?prev_next=next&topic=7.0`` its next page: the next
    topic, answered by another thread's first page. Every chain fetched one, all at once."""
    from crawler.policy import _no_step

    assert _no_step("http://h/index.php?topic=7.5", "http://h/index.php?prev_next=next&topic=7.0")
    assert _no_step("http://h/index.php?topic=7.0", "http://h/index.php?prev_next=next&topic=7.0")
    assert not _no_step("http://h/index.php?topic=7.0", "http://h/index.php?topic=7.5")
    assert not _no_step("http://h/t/slug", "http://h/t/slug?page=2")
    assert not _no_step("http://h/t/9?before=500", "http://h/t/9?before=480")
    assert not _no_step("http://h/t/9", "http://h/t/9?cursor=eyJpZCI6IHNldmVufQ")
    assert not _no_step("http://h/t/9", "http://h/t/10?go=next")


def test_declared_targets_of_an_unjudged_pattern_are_fetched_one_at_a_time() -> None:
    """Beehive: every thread's message frame declares its frameset canonical; the views all came in
    at once and 8 to 11 framesets were fetched before the first one showed no posts. Now one target
    of a pattern none of whose pages showed posts is fetched at a time: a frameset (hollow) drops
    the others, a page with posts lets them all go."""
    from crawler.hollow import HollowViews

    views = HollowViews()
    frames = [Fetch(f"http://h/index.php?frame=1&msg={n}.1", PRIORITY_ENTRY, {}) for n in range(1, 4)]
    assert [views.hold_target(f) for f in frames] == [False, True, True]
    views.skipped("http://h/messages.php?msg=2.1", frames[1].url, 1)
    revived, dropped = views.learn(frames[0].url)  # the first showed no posts: hollow
    assert [f.url for f in dropped] == [frames[1].url, frames[2].url]
    assert revived == [("http://h/messages.php?msg=2.1", 1)]
    pages = [Fetch(f"http://h/topic.php?t={n}", PRIORITY_ENTRY, {}) for n in range(1, 4)]
    assert [views.hold_target(f) for f in pages] == [False, True, True]
    assert views.answered("http://h/topic.php?t=1") == [pages[1]]  # failed: the next one judges
    assert [f.url for f in views.target_read(pages[1].url)] == [pages[2].url]  # posts: the rest go
    assert views.hold_target(Fetch("http://h/topic.php?t=9", PRIORITY_ENTRY, {})) is False


def test_views_revived_for_a_hollow_page_are_fetched_again_one_at_a_time() -> None:
    """Views skipped for a frameset that proves hollow are read where they are: kept ones from
    memory, the others fetched again through their pattern's trial. Beehive's "larger font" links
    declare the frameset canonical too; all five were fetched again at once, each showing nothing."""
    policy = UrlPolicy(Frontier(None), start_url="http://h/", patterns=PatternLearner(min_samples=5))
    fonts = [f"http://h/user_font.php?fontsize=larger&msg={n}.1" for n in range(4)]
    for n, view in enumerate(fonts):
        policy.skipped_view(view, f"http://h/index.php?msg={n}.1", 1)
    kept = "http://h/messages.php?msg=0.1"
    policy.skipped_view(kept, "http://h/index.php?msg=0.1", 1, b"<p>kept</p>", {})
    again = policy.learn_hollow("http://h/index.php?msg=0.1", "a test")
    assert sorted(f.url for f in again) == sorted([kept, fonts[0]])
    assert policy.waiting_urls == set(fonts[1:])
    assert [f.url for f in policy.learn(fonts[0], "empty")] == [fonts[1]]
