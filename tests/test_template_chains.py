"""Pages of one thread (or one listing) in a template sample count once (issue 9, StartBBS's
"what is left"): the sample is the first page and its first links, and when those are several
pages of one long thread, its title and header box (and a short opening question shown above
every page) recur on half of the sample, as the site's menus do. Driven without Scrapy: the
pages of tests/sites/longthread.py, extracted and held as the warm-up holds them."""
from __future__ import annotations

from extractor import SiteTemplate, extract
from crawler.warmup import TemplateWarmup, _chain_urls, chain_labels, held_response, learn_template
from tests.sites.longthread import LongThread

BASE = "http://forum.example"
SAMPLE = ["/", "/rules", "/t?pid=120", "/t?id=1&page=2", "/help", "/t?id=1"]   # (as a crawl's warm-up takes it)


def _html(site: LongThread, path: str) -> str:
    return site.route(path)[2]


def _held(site: LongThread, path: str) -> dict:
    body = _html(site, path).encode()
    page = extract(body, BASE + path)
    return held_response(page, body, BASE + path, BASE + path, BASE + path, {}, {}, {}, [])


def _lines(template: SiteTemplate) -> set[str]:
    return {text for _, text in template.keys}


def test_pages_of_one_chain_count_once():
    site = LongThread()
    hot = site.threads[0]
    chains = {"/t?pid=120": "t1", "/t?id=1&page=2": "t1", "/t?id=1": "t1"}
    pages = [(_html(site, p), BASE + p) for p in SAMPLE]
    each = SiteTemplate.learn(pages)
    once = SiteTemplate.learn([(h, u, chains.get(u[len(BASE):])) for h, u in pages])
    # counted as pages, the thread's header is the site's; counted once, it is not
    assert {hot["title"], hot["posts"][0]["text"]} <= _lines(each)
    assert not {hot["title"], hot["posts"][0]["text"], "20 replies"} & _lines(once)
    assert {"Home", "Rules", "Lantern Board, a place for friendly talk since 2011"} <= _lines(once)
    assert once.pages == each.pages == 6
    page = extract(_html(site, "/t?id=1"), BASE + "/t?id=1", template=once)
    assert (page.posts[0].author, page.posts[0].text) == (hot["posts"][0]["author"], hot["posts"][0]["text"])


def test_a_sample_of_one_chain_counts_each_page():
    site = LongThread()
    pages = [(_html(site, p), BASE + p) for p in ("/t?id=1", "/t?id=1&page=2", "/t?id=1&page=3")]
    assert SiteTemplate.learn([(h, u, "t1") for h, u in pages]).keys == SiteTemplate.learn(pages).keys


def test_chain_labels_join_pages_linked_as_earlier_or_next_pages():
    held = [{"url": "http://h/t?id=1", "chain": ("thread http://h/t?id=1", "thread http://h/t?id=1&page=2")},
            {"url": "http://h/t?id=9&page=4", "chain": ("thread http://h/t?id=9&page=4", "thread http://h/t?id=9&page=3")},
            {"url": "http://h/t?pid=120", "chain": ("thread http://h/t?pid=120", "thread http://h/t?id=1")},
            {"url": "http://h/t?id=9&page=2", "chain": ("thread http://h/t?id=9&page=2", "thread http://h/t?id=9",
                                                        "thread http://h/t?id=9&page=3")},
            {"url": "http://h/", "chain": ("other http://h/",)},
            {"url": "http://h/x"}]
    assert chain_labels(held) == ["http://h/t?id=1", "http://h/t?id=9&page=2", "http://h/t?id=1",
                                  "http://h/t?id=9&page=2", "http://h/", "http://h/x"]


def test_a_home_pages_links_to_a_threads_pages_are_not_its_chain():
    site = LongThread()
    home = extract(_html(site, "/"), BASE + "/")
    assert home.next_page_url   # (the extractor reads the hot topic's pager as the home page's next page)
    assert _chain_urls(home, BASE + "/") == ("listing " + BASE + "/",)
    second = extract(_html(site, "/t?id=1&page=2"), BASE + "/t?id=1&page=2")
    assert _chain_urls(second, BASE + "/t?id=1&page=2") == tuple(
        "thread " + BASE + p for p in ("/t?id=1&page=2", "/t?id=1", "/t?id=1&page=3"))


def test_the_warmup_learns_the_sample_with_its_chains():
    site = LongThread()
    warmup = TemplateWarmup(6)
    for n, path in enumerate(SAMPLE):
        warmup.hold(_held(site, path), [BASE + p for p in SAMPLE[1:]] if n == 0 else [])
    # one thread's three pages count as one thread held: the warm-up waits for others (or for the
    # crawl's idle, which learns from what is held)
    assert not warmup.ready()
    sample = warmup.begin()
    assert [h["chain_label"] for h in sample] == [BASE + p for p in ("/", "/rules", "/t?id=1", "/t?id=1", "/help", "/t?id=1")]
    template = learn_template(sample)
    hot = site.threads[0]
    assert hot["posts"][0]["text"] not in _lines(template) and "Home" in _lines(template)


def test_an_articles_next_post_is_no_chain():
    html = ("<html><head><title>Spring notes - A Garden Blog</title></head><body><h1>Spring notes</h1>"
            "<article><p>" + "The tulips came up early this year, and the plum tree flowered a week before "
            "the frost, so we covered it with fleece for three nights. " * 4 + "</p></article>"
            '<a rel="prev" href="/?p=11">Previous post</a> <a rel="next" href="/?p=13">Next post</a></body></html>')
    page = extract(html, "http://blog.example/?p=12")
    assert page.kind == "article" and page.next_page_url == "http://blog.example/?p=13"
    assert _chain_urls(page, "http://blog.example/?p=12") == ("article http://blog.example/?p=12",)


def test_a_listings_own_next_page_joins_its_chain():
    from extractor.model import Page

    board = Page(url="http://h/forum-3-1.html", kind="listing", next_page_url="http://h/forum-3-2.html")
    assert _chain_urls(board, "http://h/forum-3-1.html") == ("listing http://h/forum-3-1.html",
                                                             "listing http://h/forum-3-2.html")
    elsewhere = Page(url="http://h/forum-3-1.html", kind="listing", next_page_url="http://h/thread-9-2.html")
    assert _chain_urls(elsewhere, "http://h/forum-3-1.html") == ("listing http://h/forum-3-1.html",)
    second = Page(url="http://h/forum-3-2.html", kind="listing")
    held = [{"url": "http://h/forum-3-1.html", "chain": _chain_urls(board, "http://h/forum-3-1.html")},
            {"url": "http://h/forum-3-2.html", "chain": _chain_urls(second, "http://h/forum-3-2.html")}]
    assert chain_labels(held) == ["http://h/forum-3-1.html"] * 2


def test_pages_of_one_thread_that_link_nothing_in_common_are_one_chain():
    """A pager of "‹ Prev" and "Next ›" only: page 1 names page 2, page 4 names pages 3 and 1
    at most by its steps, and the sample holds pages 1 and 4 alone. Their URLs (the thread's id,
    a page number: ``/t?id=1&page=4``) say they are one thread (``pagination.thread_of_page``)."""
    site = LongThread(steps=True)
    held = [_held(site, p) for p in ("/t?id=1", "/t?id=1&page=4", "/t?id=2", "/t?id=3")]
    assert [h["thread"] for h in held] == [True] * 4
    assert chain_labels(held) == [BASE + "/t?id=1", BASE + "/t?id=1", BASE + "/t?id=2", BASE + "/t?id=3"]


def test_a_post_id_or_a_lone_page_number_names_no_thread():
    from crawler.pagination import thread_of_page

    assert thread_of_page("http://h/t?id=9&page=4") == "http://h/t?id=9"
    assert thread_of_page("http://h/viewtopic.php?t=5&start=20") == "http://h/viewtopic.php?t=5"
    assert thread_of_page("http://h/viewtopic.php?p=55&t=3") is None   # a post's id
    assert thread_of_page("http://h/board?page=3") is None             # nothing left to name a thread
    assert thread_of_page("http://h/t?id=9") is None


def test_thread_pages_added_to_a_sample_are_of_distinct_threads():
    """A sample without thread pages takes held ones: one a thread, or two pages of one thread
    count once in the template, and what recurs on thread pages (a poster's box) falls short of
    its share (FluxBB: no author on 57 of 73 posts when the pages came from two threads)."""
    site = LongThread()
    warmup = TemplateWarmup(4)
    first = ["/", "/rules", "/help", "/rules?x=1"]
    for n, path in enumerate(first):
        warmup.hold(_held(site, path), [BASE + p for p in first[1:]] if n == 0 else [])
    for path in ("/t?id=1", "/t?id=1&page=2", "/t?id=2", "/t?id=3"):
        held = _held(site, path)
        assert held["thread"], path
        warmup.hold(held, [])
    assert warmup.ready()
    keys = [h["key"] for h in warmup.begin()]
    assert BASE + "/t?id=1&page=2" not in keys and {BASE + "/t?id=1", BASE + "/t?id=2"} <= set(keys)
