"""The new decisions of the crawler's rooms, without Scrapy: URL patterns learned per
site, views of a thread under other URLs, one post one row, pages reached from outside."""
from __future__ import annotations

from crawler.assembly import ThreadAssembly
from crawler.fetches import PRIORITY_OTHER
from crawler.journal import Frontier
from crawler.patterns import PatternLearner, url_pattern
from crawler.policy import UrlPolicy
from crawler.urls import canonicalize
from crawler.views import declared_url, view_target
from extractor.model import Entry, Link, Page, Post
from tests.test_crawl_rooms import Tally

INFO = {"fetched_at": "2026-01-01T00:00:00+00:00", "status": 200, "etag": None,
        "last_modified": None, "content_hash": "x"}


def _page(url, texts, links=(), next_url=None, title="Fixing the tap - Board"):
    posts = [Post(position=i + 1, text=t, author="ann", published_raw="1 May") for i, t in enumerate(texts)]
    return Page(url=url, kind="thread", title=title, posts=posts, next_page_url=next_url,
                links=[Link(u, t, r) for u, t, r in links])


def test_page_placeholder_values_mean_the_first_page() -> None:
    assert canonicalize("http://h/t/5/x?page=None") == "http://h/t/5/x"
    assert canonicalize("http://h/t?page=undefined&id=3") == "http://h/t?id=3"
    assert canonicalize("http://h/t?page=3") == "http://h/t?page=3"


def test_patterns_generalise_ids_slugs_and_query_values() -> None:
    assert url_pattern("http://h/days/2025/03/01") == url_pattern("http://h/days/1999/12/31") == "/days/#/#/#"
    assert url_pattern("http://h/topic/4/some-slug?page=2") == "/topic/#/*?page"
    assert url_pattern("http://h/topic/4/bump") != url_pattern("http://h/topic/4/some-slug")
    # a bare query word stands where a path would (Discuz's archive): its digits vary too
    assert url_pattern("http://h/archiver/?tid-8.html") == url_pattern("http://h/archiver/?tid-10.html") \
        == "/archiver/?tid-#.html"
    # comma-separated arguments before a named one ("read.php?forum,thread,printview,page=N"): one shape
    # for every thread, so three print views that repeat known posts stop the fourth
    assert url_pattern("http://h/read.php?2,24,printview,page=1") == url_pattern("http://h/read.php?2,36,printview,page=3") \
        == "/read.php?#,#,printview,page"
    assert url_pattern("http://h/read.php?2,24,page=2") != url_pattern("http://h/read.php?2,24,printview,page=2")


def test_a_route_in_a_query_value_is_part_of_the_pattern() -> None:
    """A front controller's route in a query value (ThinkPHP's ``index.php?s=/forum/index/detail/id/32.html``)
    names the kind of page as a path does: three pages of other kinds that gave nothing new (the home
    page, a micro-blog, a member list) stop neither the forum nor its threads."""
    route = "http://h/index.php?s={}"
    assert url_pattern(route.format("/forum/index/detail/id/32.html")) \
        == url_pattern(route.format("%2Fforum%2Findex%2Fdetail%2Fid%2F5.html")) == "/index.php?s=/forum/index/detail/id/#.html"
    assert url_pattern(route.format("/forum/index/detail/id/32/page/2.html")) == "/index.php?s=/forum/index/detail/id/#/page/#.html"
    assert url_pattern("http://h/index.php?s=abc&t=5") == "/index.php?s&t"  # (a value that is no path: its key only)
    learner = PatternLearner(min_samples=5)
    for page in ("/home/index/index.html", "/weibo/index/index.html", "/people/index/index.html"):
        learner.record(route.format(page), "empty")
    assert learner.blocked(route.format("/forum/index/index.html")) is None
    assert learner.blocked(route.format("/forum/index/detail/id/32.html")) is None


def test_pages_named_by_a_word_in_a_named_folder_are_one_pattern() -> None:
    """A site's tags, badges and sections (``/tag/crash/``, ``/b/view/teacher/``): each word was a
    pattern of its own, never judged, and all 17 tags of a Q&A site were fetched. A word after
    a number stays (``/topic/4/bump``), and so does a script's name with a query."""
    assert url_pattern("http://h/tag/crash/") == url_pattern("http://h/tag/rna-seq/") == "/tag/*/"
    assert url_pattern("http://h/b/view/teacher/") == url_pattern("http://h/b/view/good-answer/") == "/b/view/*/"
    assert url_pattern("http://h/info/about") == "/info/*"
    assert url_pattern("http://h/t/") == "/t/" and url_pattern("http://h/p/955/") == "/p/#/"
    assert url_pattern("http://h/topic/4/bump") == "/topic/#/bump"
    assert url_pattern("http://h/forum/viewtopic?id=5") != url_pattern("http://h/forum/viewforum?id=5")


def test_entries_of_an_unjudged_pattern_are_fetched_a_few_at_a_time() -> None:
    """A listing's entries of a pattern that gave nothing new yet: ``unanimous`` at a time, the
    rest wait. A board's threads all go at the first new page; a badge list's badges stop
    after three empty ones (22 were fetched, each entry skipping the trial)."""
    def listing(path: str, n: int, first: int = 0) -> Page:
        entries = [Entry(title=f"Item number {i}", url=f"http://h/{path}/{i}-x", replies=i) for i in range(first, first + n)]
        return Page(url=f"http://h/{path}", kind="listing", entries=entries,
                    links=[Link(e.url, e.title, "entry") for e in entries])

    policy = UrlPolicy(Frontier(None), start_url="http://h/", patterns=PatternLearner(min_samples=5))
    got = policy.discover(listing("topic", 6), {"fc_depth": 0}, "http://h/topic")
    assert [f.url for f in got] == [f"http://h/topic/{i}-x" for i in range(3)]
    released = policy.learn("http://h/topic/0-x", "new")
    assert [f.url for f in released] == [f"http://h/topic/{i}-x" for i in range(3, 6)]
    assert all(f.meta["fc_entry"]["title"].startswith("Item") for f in released)
    # proven: the next listing's entries go at once
    assert len(policy.discover(listing("topic", 5, first=10), {"fc_depth": 1}, "http://h/topic?page=2")) == 5

    got = policy.discover(listing("badge", 8), {"fc_depth": 0}, "http://h/badge")
    assert len(got) == 3
    for fetch in got:
        assert policy.learn(fetch.url, "empty") == []
    assert policy.patterns.blocked("http://h/badge/7-x") == "nothing_new" and not policy.waiting


def test_entries_dropped_for_a_pattern_learned_useless_are_fetched_once_it_gives_new() -> None:
    """Answers' links redirecting to their question (a repeat each) can block the questions'
    own pattern while the questions are on trial: the ones left waiting are fetched when one
    of them shows new posts after all."""
    policy = UrlPolicy(Frontier(None), start_url="http://h/", patterns=PatternLearner(min_samples=5))
    entries = [Entry(title=f"Question number {i}", url=f"http://h/p/{i}/", replies=2) for i in range(5)]
    page = Page(url="http://h/", kind="listing", entries=entries, links=[Link(e.url, e.title, "entry") for e in entries])
    assert [f.url for f in policy.discover(page, {"fc_depth": 0}, "http://h/")] == [f"http://h/p/{i}/" for i in range(3)]
    for answer in (90, 91, 92):
        policy.learn(f"http://h/p/{answer}/", "repeat")
    assert policy.patterns.blocked("http://h/p/3/") == "repeats_known_posts" and not policy.waiting
    again = policy.learn("http://h/p/0/", "new")
    assert sorted(f.url for f in again) == ["http://h/p/3/", "http://h/p/4/"] and all(f.dont_filter for f in again)
    assert policy.learn("http://h/p/1/", "new") == []  # (once)


def test_a_link_titled_as_a_listed_entry_is_not_fetched() -> None:
    """A "recent replies" box beside the question list: "Answer: <a listed question's title>" links
    the answer's own URL, which redirects into the question's page (15 GETs on Biostar)."""
    policy = UrlPolicy(Frontier(None), start_url="http://h/", patterns=PatternLearner(min_samples=5))
    entries = [Entry(title="How many replicates do I need", url="http://h/p/955/", replies=4),
               Entry(title="Which workflow manager to use", url="http://h/p/939/", replies=2)]
    links = [Link(e.url, e.title, "entry") for e in entries] + [
        Link("http://h/p/959/", "Answer: How many replicates do I need", "other"),
        Link("http://h/p/957/", "Comment:  how many replicates do I need", "other"),
        Link("http://h/p/800/", "Answer: Something else entirely here", "other")]
    page = Page(url="http://h/", kind="listing", entries=entries, links=links)
    got = {f.url for f in policy.discover(page, {"fc_depth": 0}, "http://h/")}
    assert got == {"http://h/p/955/", "http://h/p/939/"}  # (/p/800/ is on trial behind them)
    assert "http://h/p/959/" in policy.journal.seen and "http://h/p/800/" in policy.waiting_urls
    # the same box on a question page, without the listing: decided already
    thread = Page(url="http://h/p/955/", kind="other", links=links[2:])
    assert policy.discover(thread, {"fc_depth": 1}, "http://h/p/955/") == []


def test_opaque_ids_and_addresses_are_names_in_a_pattern() -> None:
    """A hash id (base32: letters and digits) and an address (a mailing list's) name a thing,
    not a kind of page: every message page of every list is one pattern, so what three of
    them taught holds for the others (each was a pattern of its own, never judged)."""
    msg = "http://h/list/{}/message/{}/"
    assert url_pattern(msg.format("dev@lists.example.org", "U6RXVYRBNSLLFVBXAEXM2F5TZCLFPRNK")) \
        == url_pattern(msg.format("zh@lists.example.org", "5SVANMHCIIRPZUM4K7TUKARNQVFR7YYQ")) == "/list/*/message/*/"
    assert url_pattern("http://h/list/dev@lists.example.org/2026/12/") == "/list/*/#/#/"
    # words, short ids and slugs with extensions keep their shape
    assert url_pattern("http://h/internationalization/") == "/internationalization/"
    assert url_pattern("http://h/t/abc123") == "/t/abc#"
    assert url_pattern("http://h/thread-12-1-1.html") == "/*.html"
    learner = PatternLearner(min_samples=5)
    for h in ("U6RXVYRBNSLLFVBXAEXM2F5TZCLFPRNK", "5SVANMHCIIRPZUM4K7TUKARNQVFR7YYQ", "DNVZEU7RYMHGU3MCQBSDYHJ4T3T5XYCP"):
        learner.record(msg.format("dev@lists.example.org", h), "repeat")
    assert learner.blocked(msg.format("zh@lists.example.org", "JP2IECAYQOZURG2KMQXKVY35DI7DM6AN")) \
        == "repeats_known_posts"


def test_a_thread_pages_links_to_its_posts_own_pages_are_not_fetched() -> None:
    """Each post's permalink (a page of that one post) is a copy of a post the thread page
    stores: not fetched. A digest's posts (most linking a post anchor on another page) are
    stored from those pages: its posts' links are no copies of anything stored here."""
    from crawler.policy import _post_permalinks

    policy = UrlPolicy(Frontier(None), start_url="http://h/", patterns=PatternLearner(min_samples=0))
    page = _page("http://h/thread/7/", ["First post text here.", "Second post text here."],
                 links=[("http://h/message/A1/", "", "post"), ("http://h/message/B2/", "", "post"),
                        ("http://h/latest", "All threads", "navigation")])
    page.posts[0].url, page.posts[1].url = "http://h/message/A1/", "http://h/message/B2/"
    got = [f.url for f in policy.discover(page, {"fc_depth": 0}, "http://h/thread/7/")]
    assert got == ["http://h/latest"]
    assert policy.journal.seen.isdisjoint({"http://h/message/A1/", "http://h/message/B2/"})
    digest = _page("http://h/recent", ["One.", "Two.", "Three."])
    for post, link in zip(digest.posts, ["http://h/t/8/#p1", "http://h/t/9/#p2", "http://h/post/5"]):
        post.url = link
    assert _post_permalinks(digest, "http://h/recent") == set()


def test_a_pattern_blocked_for_repeats_is_fetched_again_once_a_page_of_it_gives_new_posts() -> None:
    """A Q&A site's answer links (/p/<answer>/, redirecting to their question) answer "repeat"
    first; the questions' own pages share the pattern and, fetched before that verdict as a
    listing's entries, give new posts: the pattern is useful, and questions found later (a
    listing's page 2) must still be fetched."""
    learner = PatternLearner(min_samples=5)
    for n in (959, 958, 957):
        learner.record(f"http://h/p/{n}/", "repeat")
    assert learner.blocked("http://h/p/1001/") == "repeats_known_posts"
    learner.record("http://h/p/955/", "new")
    assert learner.blocked("http://h/p/1001/") is None
    for n in (956, 954, 953, 952):
        learner.record(f"http://h/p/{n}/", "repeat")
    assert learner.blocked("http://h/p/1001/") is None    # useful once: not blocked as useless again


def test_a_pattern_is_blocked_after_nothing_new_and_kept_when_useful() -> None:
    learner = PatternLearner(min_samples=3)
    for day in range(1, 4):
        assert learner.blocked(f"http://h/days/2025/01/0{day}") is None
        learner.record(f"http://h/days/2025/01/0{day}", "empty")
    assert learner.blocked("http://h/days/2030/01/01") == "nothing_new"
    for n in range(3):
        learner.record(f"http://h/t/{n}/bump", "wall")
    assert learner.blocked("http://h/t/9/bump") == "login_wall"
    learner.record("http://h/t/1/a-b", "repeat")
    learner.record("http://h/t/2/a-b", "new")
    for n in range(5):
        learner.record(f"http://h/t/{n}/a-b", "repeat")
    assert learner.blocked("http://h/t/9/a-b") is None


def test_a_trap_is_stopped_even_when_a_few_pages_gave_something() -> None:
    learner = PatternLearner(min_samples=3, trap_samples=50, trap_ratio=0.05, rare_samples=0)
    learner.record("http://h/d/1", "new")
    for n in range(2, 50):
        learner.record(f"http://h/d/{n}", "empty")
    assert learner.blocked("http://h/d/99") is None
    learner.record("http://h/d/50", "empty")
    assert learner.blocked("http://h/d/99") == "trap"


def test_a_pattern_whose_answers_rarely_yield_is_stopped_after_one_useful_answer() -> None:
    # A month archive: the current month listed a new thread, every other month is empty.
    learner = PatternLearner(min_samples=5, rare_samples=20, rare_ratio=0.1)
    learner.record("http://h/list/a/2026/12/", "new")
    for month in range(1, 19):
        learner.record(f"http://h/list/a/2020/{month}/", "empty")
    assert learner.blocked("http://h/list/a/2019/1/") is None  # 19 answers: not judged yet
    learner.record("http://h/list/a/2019/2/", "empty")
    assert learner.blocked("http://h/list/a/2019/1/") == "rarely_yields"


def test_listings_and_thread_pages_of_a_recrawl_are_not_rarely_yielding() -> None:
    # A re-crawl: one board page lists a changed thread, the others list only known threads
    # (``listed``); one thread page gives a new reply, the others show known posts.
    learner = PatternLearner(min_samples=5, rare_samples=20, rare_ratio=0.1)
    learner.record("http://h/board/1/page/1", "new")
    learner.record("http://h/topic/1/page/1", "new")
    for n in range(2, 60):
        learner.record(f"http://h/board/1/page/{n}", "listed" if n % 4 else "empty")
        learner.record(f"http://h/topic/1/page/{n}", "repeat" if n % 4 else "error")
    assert learner.blocked("http://h/board/1/page/99") is None
    assert learner.blocked("http://h/topic/1/page/99") is None


def test_a_pattern_useful_once_is_fetched_no_faster_than_its_verdict_needs() -> None:
    # 150 month links: the first answer lists a new thread; the next ones are fetched only as
    # many at a time as the "rarely yields" verdict still needs, which then drops the rest.
    journal = Frontier(None)
    learner = PatternLearner(min_samples=5, rare_samples=6, rare_ratio=0.5)
    policy = UrlPolicy(journal, start_url="http://h/", patterns=learner)
    months = [f"http://h/archive/{2000 + n // 12}/{n % 12 + 1}/" for n in range(150)]
    page = Page(url="http://h/", kind="listing", links=[Link(u, "m", "other") for u in months])
    assert [f.url for f in policy.discover(page, {"fc_depth": 0}, "http://h/")] == months[:1]
    released = policy.learn(months[0], "new")
    assert [f.url for f in released] == months[1:6]  # 6 answers decide: 5 more
    for url in months[1:5]:
        assert policy.learn(url, "empty") == []
    assert policy.learn(months[5], "empty") == []  # 1 of 6 yielded: blocked, the rest dropped
    assert learner.blocked(months[99]) == "rarely_yields"
    assert not policy.waiting and journal.is_done(months[149])
    # a pattern whose verdict is in is fetched at once
    other = PatternLearner(min_samples=5, rare_samples=2, rare_ratio=0.5)
    policy = UrlPolicy(Frontier(None), start_url="http://h/", patterns=other)
    page = Page(url="http://h/", kind="listing", links=[Link(f"http://h/tag/{n}", "t", "other") for n in range(9)])
    policy.discover(page, {"fc_depth": 0}, "http://h/")
    assert len(policy.learn("http://h/tag/0", "new")) == 1
    assert len(policy.learn("http://h/tag/1", "listed")) == 7


def test_known_entries_decide_a_pattern_as_empty_pages_did() -> None:
    learner = PatternLearner(min_samples=5, unanimous=3)
    for n, outcome in enumerate(("listed", "empty", "listed")):
        learner.record(f"http://h/tag/{n}", outcome)
    assert learner.blocked("http://h/tag/9") == "nothing_new"


def test_links_of_a_pattern_on_trial_wait_for_its_verdict() -> None:
    journal = Frontier(None)
    policy = UrlPolicy(journal, start_url="http://h/", patterns=PatternLearner(min_samples=2))
    links = [Link(f"http://h/post/{n}", f"#{n}", "other") for n in range(6)]
    page = Page(url="http://h/", kind="listing", links=links)
    first = policy.discover(page, {"fc_depth": 0}, "http://h/")
    assert [f.url for f in first] == ["http://h/post/0"]           # judged one at a time
    assert first[0].priority == PRIORITY_OTHER
    assert [f.url for f in policy.learn("http://h/post/0", "repeat")] == ["http://h/post/1"]
    assert policy.learn("http://h/post/1", "repeat") == []      # blocked: the waiting four are dropped
    assert not policy.waiting and journal.is_done("http://h/post/5")
    assert not policy.allowed("http://h/post/77")
    # a pattern that proves useful releases its waiting links at once
    page = Page(url="http://h/b", kind="listing", links=[Link(f"http://h/art/{n}", "a", "other") for n in range(4)])
    assert len(policy.discover(page, {"fc_depth": 0}, "http://h/b")) == 1
    assert [f.url for f in policy.learn("http://h/art/0", "new")] == ["http://h/art/1", "http://h/art/2", "http://h/art/3"]


def test_unanimous_evidence_decides_after_three() -> None:
    learner = PatternLearner(min_samples=5)
    for n in range(2):
        learner.record(f"http://h/t/{n}/bump", "wall")
    assert learner.blocked("http://h/t/9/bump") is None
    learner.record("http://h/t/2/bump", "wall")
    assert learner.blocked("http://h/t/9/bump") == "login_wall"
    # mixed outcomes still need five
    for n, outcome in enumerate(["empty", "form", "empty", "empty"]):
        learner.record(f"http://h/x/{n}", outcome)
    assert learner.blocked("http://h/x/9") is None
    learner.record("http://h/x/5", "empty")
    assert learner.blocked("http://h/x/9") == "nothing_new"


def test_views_teach_which_page_a_url_stands_for() -> None:
    from crawler.views import ViewMap, signature

    views = ViewMap()
    assert not views.learn("http://h/archive/t-4.html", "http://h/topic/4/fixing-the-tap")
    assert views.predict("http://h/archive/t-9.html") is None       # one view proves nothing
    assert views.learn("http://h/archive/t-7.html", "http://h/topic/7/a-new-bike")
    assert views.predict("http://h/archive/t-9.html") == signature("http://h/topic/9/any-slug")
    # a first page's alias teaches about the bare URL, which then also speaks for its query
    views.learn("http://h/topic/4?page=1", "http://h/topic/4/fixing-the-tap")
    views.learn("http://h/topic/7", "http://h/topic/7/a-new-bike")
    assert views.predict("http://h/topic/9?page=3") == signature("http://h/topic/9/any-slug?page=3")
    # permalinks whose number is not the thread's never predict
    views.learn("http://h/post/102", "http://h/topic/1/a-b")
    views.learn("http://h/post/109", "http://h/topic/2/a-b?page=2")
    assert views.predict("http://h/post/110") is None


def test_links_that_are_views_of_known_pages_are_not_fetched() -> None:
    journal = Frontier(None)
    policy = UrlPolicy(journal, start_url="http://h/", patterns=PatternLearner(min_samples=5))
    entries = [Link(f"http://h/topic/{n}/slug-{n}", f"Topic {n}", "entry") for n in range(1, 4)]
    windows = [Link(f"http://h/topic/{n}/slug-{n}/{n + 5}", "Jump to latest", "other") for n in range(1, 5)]
    page = Page(url="http://h/", kind="listing", links=entries + windows)
    got = [f.url for f in policy.discover(page, {"fc_depth": 0}, "http://h/")]
    assert got == [e.url for e in entries] + ["http://h/topic/1/slug-1/6"]     # one window on trial
    policy.learn_view("http://h/topic/1/slug-1/6", "http://h/topic/1/slug-1")
    assert [f.url for f in policy.learn("http://h/topic/1/slug-1/6", "repeat")] == ["http://h/topic/2/slug-2/7"]
    policy.learn_view("http://h/topic/2/slug-2/7", "http://h/topic/2/slug-2")
    # the pattern now predicts: windows of threads taken on are dropped, topic 4's is tried
    assert [f.url for f in policy.learn("http://h/topic/2/slug-2/7", "repeat")] == ["http://h/topic/4/slug-4/9"]
    assert journal.is_done("http://h/topic/3/slug-3/8") and not policy.waiting
    later = Page(url="http://h/b", kind="listing", links=[Link("http://h/topic/3/slug-3/99", "x", "other")])
    assert policy.discover(later, {"fc_depth": 0}, "http://h/b") == []


def test_a_listing_rows_page_jump_is_left_to_the_threads_chain() -> None:
    policy = UrlPolicy(Frontier(None), start_url="http://h/")
    links = [Link("http://h/topic/5/meadow", "Meadow", "entry"), Link("http://h/topic/5?page=4", "4", "pagination"),
             Link("http://h/topic/6/copper", "Copper", "entry"), Link("http://h/board?page=2", "2", "pagination")]
    page = Page(url="http://h/", kind="listing", links=links,
                entries=[Entry(title=link.text, url=link.url) for link in links if link.role == "entry"])
    got = sorted(f.url for f in policy.discover(page, {"fc_depth": 0}, "http://h/"))
    assert got == ["http://h/board?page=2", "http://h/topic/5/meadow", "http://h/topic/6/copper"]


def test_an_earlier_page_alias_of_a_known_page_is_the_known_page() -> None:
    journal = Frontier(None)
    policy = UrlPolicy(journal, start_url="http://h/")
    journal.seen.add("http://h/t/5")
    assert policy.seen_alias("http://h/t/5?page=1") == "http://h/t/5"
    assert policy.seen_alias("http://h/t/6?page=1") == "http://h/t/6?page=1"


def test_redirects_follow_the_rules_of_links() -> None:
    policy = UrlPolicy(Frontier(None), start_url="http://h:8000/", patterns=PatternLearner(min_samples=1))
    assert policy.refuse_redirect("http://h:8000/a", "http://h:9000/a") == "offsite"
    assert policy.refuse_redirect("http://h:8000/t/1/bump", "http://h:8000/login?next=/t/1") == "action"
    assert policy.patterns.blocked("http://h:8000/t/2/bump") == "login_wall"
    assert policy.refuse_redirect("http://h:8000/t/1", "http://h:8000/t/1/slug") is None


def test_a_redirect_to_a_login_route_teaches_the_routing_key() -> None:
    # (HadSky: its login form is linked only from scripts; forms and profiles redirect to
    # "index.php?c=login&referer=...": "c" routes the site, and "c=user" is a member page)
    tally = Tally()
    policy = UrlPolicy(Frontier(None), start_url="http://h/", count=tally)
    assert policy.refusal("http://h/index.php?c=user&id=2&page=1") is None
    assert policy.refuse_redirect("http://h/index.php?c=edit&type=read",
                                  "http://h/index.php?c=login&referer=index.php%3Fc%3Dedit") == "action"
    assert policy.refusal("http://h/index.php?c=user&id=2&page=1") == "action"
    # a profile taken on before the redirect told the key is not fetched after all
    assert policy.refuse_queued("http://h/index.php?c=user&id=3&page=1") == "routing_action"
    assert policy.refuse_queued("http://h/index.php?c=read&id=3&page=1") is None


def test_a_page_1_url_reached_first_is_its_threads_first_page() -> None:
    journal = Frontier(None)
    policy = UrlPolicy(journal, start_url="http://h/")
    # its bare alias not taken on: read here, and the alias is never fetched
    assert policy.first_page_here("http://h/index.php?c=read&id=8&page=1", "http://h/index.php?c=read&id=8")
    assert "http://h/index.php?c=read&id=8" in journal.seen
    assert not policy.take("http://h/index.php?c=read&id=8", PRIORITY_OTHER, {})
    # taken on already: the page joins it (parked), as before
    journal.seen.add("http://h/t/5")
    assert not policy.first_page_here("http://h/t/5?page=1", "http://h/t/5")
    # an earlier page that is no first-page alias (a pager's previous page) is never skipped
    assert not policy.first_page_here("http://h/t/6?page=3", "http://h/t/6?page=2")


def test_declared_canonical_and_full_version_links_name_the_real_page() -> None:
    body = b'<html><head><title>x</title><link href="/topic/4/slug?page=2" rel="canonical"></head><body>'
    assert declared_url(body, "http://h/topic/4?page=2") == "http://h/topic/4/slug?page=2"
    # HTML-escaped as it must be (FluxBB): read as a browser reads it, not as "?id=9&amp;p=2"
    escaped = b'<head><link rel="canonical" href="viewtopic.php?id=9&amp;p=2" title="Page 2"></head>'
    assert declared_url(escaped, "http://h/viewtopic.php?id=9&p=2") == "http://h/viewtopic.php?id=9&p=2"
    page = _page("http://h/topic/4?page=2", ["a"])
    assert view_target(page, "http://h/topic/4?page=2", "http://h/topic/4/slug?page=2",
                       lambda u: True) == "http://h/topic/4/slug?page=2"
    lite = _page("http://h/archive/t-4.html", ["a"], [("http://h/topic/4/slug", "View Full Version : Tap", "other")])
    assert view_target(lite, "http://h/archive/t-4.html", None, lambda u: True) == "http://h/topic/4/slug"


def test_declarations_that_are_not_copies_are_ignored() -> None:
    later = _page("http://h/t?id=4&page=3", ["c"], [("http://h/t?id=4", "1", "pagination")])
    assert view_target(later, "http://h/t?id=4&page=3", "http://h/t?id=4", lambda u: True) is None  # page 1
    own = _page("http://h/t/4", ["a"])
    assert view_target(own, "http://h/t/4", "http://h/t/4", lambda u: True) is None
    assert view_target(own, "http://h/t/4", "http://h/", lambda u: True) is None          # front page
    assert view_target(own, "http://h/t/4", "http://other/t/4", lambda u: False) is None  # another site


def test_post_index_window_names_its_thread_but_a_board_does_not() -> None:
    window = _page("http://h/topic/4/fixing-the-tap/45", ["w"],
                   [("http://h/topic/4/fixing-the-tap", "Fixing the tap", "other")])
    assert view_target(window, "http://h/topic/4/fixing-the-tap/45", None, lambda u: True) \
        == "http://h/topic/4/fixing-the-tap"
    thread = _page("http://h/forums/plumbing/45", ["t"], [("http://h/forums/plumbing", "Plumbing", "navigation")])
    assert view_target(thread, "http://h/forums/plumbing/45", None, lambda u: True) is None


def test_one_post_one_row_across_threads() -> None:
    threads = ThreadAssembly("http://h")
    full = _page("http://h/t/1", ["first post of the thread", "second post"])
    reading = threads.read(full, "k", full.url, INFO, threads.start(full, {}, full.url), lambda p, u: None)
    assert reading.new_posts == 2
    copy = _page("http://h/lite/1", ["first post of the thread", "second post", "a third, only here"])
    reading = threads.read(copy, "k2", copy.url, INFO, threads.start(copy, {}, copy.url), lambda p, u: None)
    assert reading.new_posts == 1
    assert [i["text"] for i in reading.items if "text" in i] == ["a third, only here"]


def test_a_page_no_chain_reached_is_stored_after_its_thread() -> None:
    threads = ThreadAssembly("http://h")
    first = _page("http://h/t/1", ["a", "b"])
    threads.read(first, "k1", first.url, INFO, threads.start(first, {}, first.url), lambda p, u: None)
    threads.park(_page("http://h/t/1?page=2&x=1", ["c"]), "k2", "http://h/t/1?page=2&x=1", INFO, earlier="http://h/t/1")
    threads.park(_page("http://h/t/1?page=1&x=1", ["a", "b"]), "k3", "http://h/t/1?page=1&x=1", INFO,
                 earlier="http://h/t/1")
    duplicates, rescued, reading, parked = threads.leftovers()
    assert duplicates == ["http://h/t/1?page=1&x=1"] and rescued == ["http://h/t/1?page=2&x=1"]
    posts = [(i["thread_url"], i["position"], i["text"]) for i in reading.items if "text" in i]
    assert posts == [("http://h/t/1", 3, "c")]


def test_template_sample_never_holds_two_copies_of_the_same_posts() -> None:
    from crawler.warmup import TemplateWarmup

    warmup = TemplateWarmup(3)
    page = b"<html><body><div id=nav>Home Forum</div><p>%s</p></body></html>"
    posts = {"http://h/t/1": {1, 2}, "http://h/lite/1": {1, 2}, "http://h/t/2": {3}, "http://h/t/3": {4}}
    urls = list(posts)
    for i, url in enumerate(urls):
        warmup.hold({"key": url, "url": url, "body": page % str(i).encode(), "title": url, "posts": posts[url]},
                    urls[1:] if i == 0 else [])
    sample = warmup.begin()
    assert [h["key"] for h in sample] == ["http://h/t/1", "http://h/t/2"]   # not the lite copy of thread 1


def test_a_waiting_link_found_as_a_listing_entry_is_fetched_as_one() -> None:
    from extractor.model import Entry

    policy = UrlPolicy(Frontier(None), start_url="http://h/", patterns=PatternLearner(min_samples=5))
    links = [Link(f"http://h/t/{n}", "latest", "other") for n in range(3)]
    assert len(policy.discover(Page(url="http://h/", kind="other", links=links), {"fc_depth": 0}, "http://h/")) == 1
    board = Page(url="http://h/b", kind="listing", entries=[Entry(title="Tap", url="http://h/t/2", replies=4)])
    fetch, = policy.discover(board, {"fc_depth": 1}, "http://h/b")
    assert fetch.url == "http://h/t/2" and fetch.meta["fc_entry"]["title"] == "Tap"
    assert [f.url for f in policy.release_waiting()] == ["http://h/t/1"]


def test_a_trial_refused_unanswered_does_not_hold_its_pattern() -> None:
    """A trial fetch that never gets an outcome (refused by robots.txt, too large) frees
    its place for the next link of its pattern; at idle, nothing holds a trial."""
    policy = UrlPolicy(Frontier(None), start_url="http://h/", patterns=PatternLearner(min_samples=5))
    page = Page(url="http://h/", kind="listing", links=[Link(f"http://h/x/{n}", "x", "other") for n in range(8)])
    assert [f.url for f in policy.discover(page, {"fc_depth": 0}, "http://h/")] == ["http://h/x/0"]
    assert [f.url for f in policy.refill("http://h/x/0")] == ["http://h/x/1"]
    assert [f.url for f in policy.release_waiting()] == [f"http://h/x/{n}" for n in range(2, 7)]


def test_a_print_view_on_a_query_routed_engine_names_its_thread() -> None:
    """``index.php?action=printpage;topic=5.0`` declaring ``index.php?topic=5.0`` is a copy
    (the dropped ``action`` numbers nothing); ``topic=5.15`` declaring ``topic=5.0`` is a later page."""
    printed = _page("http://h/index.php?action=printpage&topic=5.0", ["a", "b"])
    assert view_target(printed, "http://h/index.php?action=printpage&topic=5.0", "http://h/index.php?topic=5.0",
                       lambda u: True) == "http://h/index.php?topic=5.0"
    later = _page("http://h/index.php?start=15&topic=5", ["c"])
    assert view_target(later, "http://h/index.php?start=15&topic=5", "http://h/index.php?topic=5",
                       lambda u: True) is None
    # Discuz!: a later page with a tracking parameter beside its page number is still a later page
    # (read as a copy, pages 2-4 of a thread were lost whenever it came before `extra` was learned inert)
    tracked = _page("http://h/forum.php?extra=page%3D1&mod=viewthread&page=2&tid=7", ["d"])
    assert view_target(tracked, "http://h/forum.php?extra=page%3D1&mod=viewthread&page=2&tid=7",
                       "http://h/forum.php?mod=viewthread&tid=7", lambda u: True) is None
    assert view_target(tracked, "http://h/forum.php?extra=&mod=viewthread&page=3&tid=7",
                       "http://h/forum.php?mod=viewthread&tid=7", lambda u: True) is None
    alias = _page("http://h/forum.php?extra=&mod=viewthread&tid=7", ["e"])  # nothing numbered: the same page
    assert view_target(alias, "http://h/forum.php?extra=&mod=viewthread&tid=7",
                       "http://h/forum.php?mod=viewthread&tid=7", lambda u: True) == "http://h/forum.php?mod=viewthread&tid=7"


def test_a_digest_of_posts_from_other_pages_is_not_a_thread() -> None:
    """"Recent posts": id-less posts, each linking to its anchor on its thread's page."""
    from crawler.views import is_digest

    digest = _page("http://h/index.php?action=recent", ["a", "b", "c"])
    for n, post in enumerate(digest.posts):
        post.url = f"http://h/index.php?topic={n + 4}.msg{n + 40}#msg{n + 40}"
    assert is_digest(digest, "http://h/index.php?action=recent")
    thread = _page("http://h/t/4?page=2", ["a", "b", "c"])
    for n, post in enumerate(thread.posts):  # permalinks to its own anchors, or with ids of its own
        post.url = f"http://h/t/4?page=2#p{n}"
    assert not is_digest(thread, "http://h/t/4?page=2")
    for n, post in enumerate(thread.posts):
        post.post_id, post.url = str(n), f"http://h/post.php?p={n}#p{n}"
    assert not is_digest(thread, "http://h/t/4?page=2")
    first = _page("http://h/thread/ab12/", ["a", "b", "c"])
    for n, post in enumerate(first.posts):  # its own anchors under its page-1 name
        post.url = f"http://h/thread/ab12/?page=1#post-{n}"
    assert not is_digest(first, "http://h/thread/ab12/")
    for n, post in enumerate(first.posts):  # page 1 of other threads: a digest still
        post.url = f"http://h/thread/cd{n}/?page=1#post-{n}"
    assert is_digest(first, "http://h/thread/ab12/")


def test_an_index_of_thread_teasers_with_post_ids_is_a_digest() -> None:
    """An imageboard's index (``/1.html``) shows each thread's opening post and last replies, each
    with its number as id and linking its anchor on the thread's page (``res/23.html#32``): the
    posts live on several other pages, so the index is a digest (stored as a thread before: every
    teaser stored twice). A thread page whose posts link permalinks of their own is none."""
    from crawler.views import is_digest

    index = _page("http://h/1.html", ["a", "b", "c", "d"])
    for post, (thread, number) in zip(index.posts, [(23, 23), (23, 32), (14, 14), (14, 20)]):
        post.post_id, post.url = str(number), f"http://h/res/{thread}.html#{number}"
    assert is_digest(index, "http://h/1.html")
    thread = _page("http://h/res/23.html", ["a", "b", "c"])
    for post, number in zip(thread.posts, [23, 32, 33]):  # (its own anchors)
        post.post_id, post.url = str(number), f"http://h/res/23.html#{number}"
    assert not is_digest(thread, "http://h/res/23.html")
    windows = _page("http://h/t/slug/5", ["a", "b", "c"])
    for n, post in enumerate(windows.posts, start=1):  # (permalinks: the thread's path plus a post index)
        post.post_id, post.url = str(n), f"http://h/t/slug/5/{n}#post_{n}"
    assert not is_digest(windows, "http://h/t/slug/5")


def test_a_page_without_posts_is_a_copy_only_by_its_declaration() -> None:
    """A print view the extractor could not split names its topic; a listing's second page
    declaring its first, or a page declaring itself, stands for itself."""
    from crawler.views import copy_of

    printed = Page(url="http://h/index.php?action=printpage&topic=7.0", kind="other", title="Print")
    assert copy_of(printed, printed.url, "http://h/index.php?topic=7.0", lambda u: True) \
        == "http://h/index.php?topic=7.0"
    assert copy_of(printed, printed.url, None, lambda u: True) is None
    board = Page(url="http://h/f/2?page=2", kind="listing", title="Board",
                 links=[Link("http://h/f/2", "1", "pagination")])
    assert copy_of(board, board.url, "http://h/f/2", lambda u: True) is None
    assert copy_of(board, board.url, board.url, lambda u: True) is None


def test_a_pattern_named_as_the_real_page_is_never_learned_useless() -> None:
    """SMF: ``index.php?topic=5.msg40`` windows are copies of ``index.php?topic=5.5``, and
    both have the pattern ``/index.php?topic``: three copies first must not block the topics."""
    learner = PatternLearner(min_samples=5, unanimous=3)
    for n in (40, 41, 42):
        learner.vouch(f"http://h/index.php?topic=5.{n // 10 * 5}")
        learner.record(f"http://h/index.php?topic=5.msg{n}", "repeat")
    assert learner.blocked("http://h/index.php?topic=6.0") is None
    other = PatternLearner(min_samples=5, unanimous=3)
    for n in (40, 41, 42):
        other.record(f"http://h/index.php?topic=5.msg{n}", "repeat")
    assert other.blocked("http://h/index.php?topic=6.0") == "repeats_known_posts"
    other.vouch("http://h/index.php?topic=5.5")  # named the real page after all: fetched again
    assert other.blocked("http://h/index.php?topic=6.0") is None


def test_a_pattern_a_thread_chain_goes_on_through_is_never_learned_useless() -> None:
    """Issue 9 (Discuz, 1 crawl in 40): a pager parameter learned inert gives every thread's
    later pages a new pattern (``/forum.php?mod&page&tid``); its first responses were copies
    of pages read before under the longer URL, three repeats blocked it, and no thread's
    later pages were fetched any more. A thread page that gave new posts and names a URL
    of the pattern its next page vouches for the pattern: unblocked, and never blocked."""
    journal = Frontier(None)
    policy = UrlPolicy(journal, start_url="http://h/", patterns=PatternLearner(min_samples=5, unanimous=3))
    for tid in (1, 2, 3):  # page 2 of three threads read already, each under "...&extra=" first
        policy.patterns.record(f"http://h/forum.php?mod=viewthread&tid={tid}&extra=&page=2", "new")
        policy.patterns.record(f"http://h/forum.php?mod=viewthread&tid={tid}&page=2", "repeat")
    later = "http://h/forum.php?mod=viewthread&tid=4&page=2"
    assert policy.patterns.blocked(later) == "repeats_known_posts"   # the failure: every later page refused
    policy.patterns.chain(later)  # thread 4's first page, read with new posts, names its page 2
    assert policy.patterns.blocked(later) is None and policy.allowed(later)
    pager = _page("http://h/forum.php?mod=viewthread&tid=4", ["a", "b"], next_url=later,
                  links=[("http://h/forum.php?mod=viewthread&tid=4&page=3", "3", "pagination")])
    fetched = policy.discover(pager, {"fc_depth": 0}, pager.url)
    assert [f.url for f in fetched] == [canonicalize("http://h/forum.php?mod=viewthread&tid=4&page=3")]
    # named first, the pattern is not blocked by the copies that answer after
    learner = PatternLearner(min_samples=5, unanimous=3)
    learner.chain("http://h/t?id=1&page=2")
    for tid in range(2, 9):
        learner.record(f"http://h/t?id={tid}&page=2", "repeat")
    assert learner.blocked("http://h/t?id=9&page=2") is None
    # named with a context parameter (before it was learned inert and dropped from links), the
    # pattern without it is the threads' next pages too: its first copies do not block it
    learner = PatternLearner(min_samples=5, unanimous=3)
    learner.chain("http://h/forum.php?mod=viewthread&tid=1&extra=page%3D1&page=2")
    for tid in (1, 2, 3):
        learner.record(f"http://h/forum.php?mod=viewthread&tid={tid}&page=2", "repeat")
    assert learner.blocked("http://h/forum.php?mod=viewthread&tid=4&page=2") is None
    for tid in (1, 2, 3):  # a page number or an id is not context: without it, another kind of page
        learner.record(f"http://h/forum.php?mod=viewthread&extra=page%3D1&tid={tid}", "repeat")
    assert learner.blocked("http://h/forum.php?mod=viewthread&extra=&tid=4") == "repeats_known_posts"


def test_copies_of_read_pages_still_block_their_own_pattern() -> None:
    """The protection stays: a variant no chain goes on through (a slug-less or sorted copy of
    pages read under their own URLs) is blocked after three repeats."""
    learner = PatternLearner(min_samples=5, unanimous=3)
    learner.chain("http://h/topic/4/fixing-the-tap?page=2")
    for tid in (1, 2, 3):
        learner.record(f"http://h/topic/{tid}?page=2", "repeat")
        learner.record(f"http://h/topic/{tid}/fixing-the-tap?page=2&order=desc", "repeat")
    assert learner.blocked("http://h/topic/9?page=2") == "repeats_known_posts"
    assert learner.blocked("http://h/topic/9/a-slug?page=2&order=desc") == "repeats_known_posts"
    assert learner.blocked("http://h/topic/9/a-slug?page=2") is None


def test_page_one_named_by_a_threads_page_2_is_its_first_page_again() -> None:
    """(Asgaros Forum's ``?part=1``, Phorum's ``,page=1``: page parameters no word list names.)"""
    journal = Frontier(None)
    policy = UrlPolicy(journal, start_url="http://h/")
    journal.seen.update({"http://h/topic/5/", "http://h/topic/5/?part=2", "http://h/topic/7/"})
    assert policy.first_page_named("http://h/topic/5/?part=1", "http://h/topic/5/", "http://h/topic/5/?part=2")
    assert "http://h/topic/5/?part=1" in journal.seen
    # what the pager added to the thread's URL names every known thread's first page again
    assert policy.known_first_page("http://h/topic/7/?part=1") == "http://h/topic/7/"
    assert policy.known_first_page("http://h/topic/8/?part=1") is None       # (not taken on)
    assert policy.known_first_page("http://h/topic/7/?part=2") is None
    page = Page(url="http://h/topic/7/?part=2", kind="thread", posts=[Post(position=1, text="x")],
                links=[Link("http://h/topic/7/?part=1", "1", "pagination"), Link("http://h/topic/9/", "Next topic", "other")])
    assert [f.url for f in policy.discover(page, {"fc_depth": 1}, "http://h/topic/7/?part=2")] == ["http://h/topic/9/"]
    # another path (another thread's, a board's) is never taken for page 1
    assert not policy.first_page_named("http://h/board/?part=1", "http://h/topic/9/", "http://h/topic/9/?part=2")
    assert not policy.first_page_named("http://h/topic/9/", "http://h/topic/9/", "http://h/topic/9/?part=2")


def test_a_pagers_link_to_its_own_url_with_a_page_1_suffix_is_the_same_page() -> None:
    policy = UrlPolicy(Frontier(None), start_url="http://h/")
    thread = Page(url="http://h/read.php?2,53", kind="thread", posts=[Post(position=1, text="x")],
                  links=[Link("http://h/read.php?2,53,page=1", "1", "pagination"),
                         Link("http://h/read.php?2,53,page=2", "2", "pagination"),
                         Link("http://h/read.php?2,53,hide=1", "Hide", "other")])
    got = [f.url for f in policy.discover(thread, {"fc_depth": 1}, "http://h/read.php?2,53")]
    assert got == ["http://h/read.php?2,53,page=2", "http://h/read.php?2,53,hide=1"]
    # a listing row's "1" beside its entry
    links = [Link("http://h/read.php?2,60", "Meadow", "entry"), Link("http://h/read.php?2,60,page=1", "1", "other"),
             Link("http://h/read.php?2,61,page=1", "1", "other")]
    listing = Page(url="http://h/list.php?2", kind="listing", links=links,
                   entries=[Entry(title="Meadow", url="http://h/read.php?2,60")])
    got = sorted(f.url for f in policy.discover(listing, {"fc_depth": 0}, "http://h/list.php?2"))
    assert got == ["http://h/read.php?2,60", "http://h/read.php?2,61,page=1"]


def test_a_parked_pages_page_1_with_a_suffix_of_a_known_url_is_that_url() -> None:
    journal = Frontier(None)
    policy = UrlPolicy(journal, start_url="http://h/")
    journal.seen.update({"http://h/read.php?2,53", "http://h/viewtopic.php?f=2"})
    later = "http://h/read.php?2,53,page=5"
    assert policy.earlier_taken("http://h/read.php?2,53,page=1", later) == "http://h/read.php?2,53"
    assert policy.earlier_taken("http://h/read.php?2,54,page=1", "http://h/read.php?2,54,page=3") \
        == "http://h/read.php?2,54,page=1"
    assert policy.earlier_taken("http://h/read.php?2,53,page=2", later) == "http://h/read.php?2,53,page=2"
    # the parameter must number the parked page too: thread 1 of a board is not the board
    assert policy.earlier_taken("http://h/viewtopic.php?f=2&t=1", "http://h/viewtopic.php?f=2&t=1&start=10") \
        == "http://h/viewtopic.php?f=2&t=1"


def test_a_redirect_to_a_known_page_teaches_its_pattern_a_repeat() -> None:
    """(Phorum's "newer/older topic" links: a redirect to a thread's first page listed already.)"""
    tally = Tally()
    policy = UrlPolicy(Frontier(None), start_url="http://h/", patterns=PatternLearner(min_samples=5), count=tally)
    for n in range(3):
        policy.redirected_to_known(f"http://h/read.php?2,{n},newer", f"http://h/read.php?2,{n + 1}")
    assert policy.patterns.blocked("http://h/read.php?2,9,newer") == "repeats_known_posts"
    assert tally["forumcrawl/redirects_to_known/page"] == 3
    # to a login page another redirect led to first (refused then): nothing more to learn
    for n in range(3):
        policy.redirected_to_known(f"http://h/post.php?t={n}", "http://h/login.php?redirect=post.php")
    assert policy.patterns.blocked("http://h/post.php?t=9") is None
    assert tally["forumcrawl/redirects_to_known/refused"] == 3



def test_a_pattern_whose_urls_redirect_to_one_known_page_is_stopped_after_two() -> None:
    """Two URLs of a pattern that both redirect to the same page taken on already (an info section
    leading to the front page) show that every URL of it gives that page: stopped after two, not
    three. Redirects to different known pages ("newer topic" links) still take three; a pattern that
    gave something new is never stopped so."""
    tally = Tally()
    policy = UrlPolicy(Frontier(None), start_url="http://h/", patterns=PatternLearner(min_samples=5), count=tally)
    policy.redirected_to_known("http://h/info/about/", "http://h/")
    assert policy.patterns.blocked("http://h/info/api/") is None
    policy.redirected_to_known("http://h/info/faq/", "http://h/")
    assert policy.patterns.blocked("http://h/info/api/") == "redirects_to_one_page"
    for n in range(2):
        policy.redirected_to_known(f"http://h/read.php?2,{n},newer", f"http://h/read.php?2,{n + 1}")
    assert policy.patterns.blocked("http://h/read.php?2,9,newer") is None
    policy.learn("http://h/go/1", "new")
    for n in range(2):
        policy.redirected_to_known(f"http://h/go/{n + 2}", "http://h/")
    assert policy.patterns.blocked("http://h/go/9") is None
