"""Aliases of one page: query parameters learned inert (crawler.inert), post-less copies (crawler.views.copy_of)."""
from crawler.inert import InertParams

A, B, C = frozenset({1, 2}), frozenset({3, 4}), frozenset({5})


def test_a_context_parameter_is_learned_inert_and_stripped() -> None:
    inert = InertParams()
    inert.observe("http://f/forum.php?mod=viewthread&tid=5", A)
    assert not inert.observe("http://f/forum.php?extra=page%3D1&mod=viewthread&tid=5", A)
    assert inert.observe("http://f/forum.php?extra=&mod=viewthread&tid=5", A) == [("/forum.php", "extra")]
    assert inert.strip("http://f/forum.php?extra=x&mod=viewthread&page=2&tid=9") == \
        "http://f/forum.php?mod=viewthread&page=2&tid=9"


def test_a_page_number_never_is() -> None:
    inert = InertParams()
    for tid, first, second in ((5, A, B), (6, C, frozenset({9}))):
        inert.observe(f"http://f/t.php?tid={tid}", first)
        inert.observe(f"http://f/t.php?page=1&tid={tid}", first)
        inert.observe(f"http://f/t.php?page=2&tid={tid}", second)
    assert not inert
    assert inert.strip("http://f/t.php?page=2&tid=5") == "http://f/t.php?page=2&tid=5"


def test_a_decided_parameter_is_not_weighed_again() -> None:
    """A thread id shows other posts from its second value on: vetoed, it is no longer compared
    with every thread seen (which made each page cost as much as the pages before it)."""
    inert = InertParams()
    compared = []

    class Counted(frozenset):
        def __eq__(self, other):
            compared.append(1)
            return frozenset.__eq__(self, other)

        def __ne__(self, other):
            compared.append(1)
            return frozenset.__ne__(self, other)

        __hash__ = frozenset.__hash__

    for tid in range(3000):
        inert.observe(f"http://f/viewthread.php?page=1&tid={tid}", Counted({tid}))
    assert not inert
    assert len(compared) < 3 * 3000          # not 3000 * 2999 / 2
    assert inert.undecided("http://f/viewthread.php?page=1&tid=7&from=x", "http://f/viewthread.php?page=1&tid=7")
    assert not inert.undecided("http://f/viewthread.php?page=1&tid=7", "http://f/viewthread.php?page=1")


def test_a_parameter_that_once_changed_the_posts_is_never_inert() -> None:
    inert = InertParams()
    inert.observe("http://f/t.php?tid=1", A)
    inert.observe("http://f/t.php?tid=1&view=flat", A)
    inert.observe("http://f/t.php?tid=2&view=tree", B)
    inert.observe("http://f/t.php?tid=2&view=flat", C)    # here it mattered
    inert.observe("http://f/t.php?tid=3", frozenset({7}))
    inert.observe("http://f/t.php?tid=3&view=flat", frozenset({7}))
    assert not inert


def test_post_less_pages_teach_nothing() -> None:
    inert = InertParams()
    for q in ("a=1&x=y", "a=1&x=z", "a=1"):
        assert inert.observe(f"http://f/p?{q}", frozenset()) == []
    assert not inert


def test_a_post_less_copy_names_its_thread() -> None:
    """An archive page read as an article (no posts) that declares its thread is a view of it;
    a listing declaring another URL is not (its entries are what it gives)."""
    from types import SimpleNamespace

    from crawler.views import copy_of

    policy = SimpleNamespace(in_scope=lambda u: u.startswith("http://f/"))
    article = SimpleNamespace(kind="article", entries=[], links=[], next_page_url=None, title="T", posts=[])
    declared = "http://f/forum.php?mod=viewthread&tid=8"
    assert copy_of(article, "http://f/archiver/?tid-8.html", declared, policy.in_scope) == \
        "http://f/forum.php?mod=viewthread&tid=8"
    assert copy_of(article, "http://f/archiver/?tid-8.html", None, policy.in_scope) is None
    listing = SimpleNamespace(**{**vars(article), "kind": "listing", "entries": [object()]})
    assert copy_of(listing, "http://f/archiver/?fid-2.html", declared, policy.in_scope) is None


def test_a_page_declaring_the_url_without_the_parameter_is_enough() -> None:
    """One pair suffices when the page itself names the URL without the parameter; a URL
    read twice votes once; a declared pair showing other posts vetoes."""
    inert = InertParams()
    bare, tracked = "http://f/t.php?tid=5", "http://f/t.php?back=board&tid=5"
    inert.observe(bare, A)
    assert inert.observe(tracked, A, declared=bare) == [("/t.php", "back")]
    once = InertParams()
    once.observe(bare, A)
    once.observe(tracked, A)               # no declaration: one vote
    assert not once.observe(tracked, A)    # the same URL again: no second vote
    assert not once
    threaded = InertParams()
    threaded.observe(bare, A)
    assert not threaded.observe("http://f/t.php?mode=threaded&tid=5", C, declared=bare)
    assert not threaded.observe("http://f/t.php?mode=threaded&tid=6", B, declared="http://f/t.php?tid=6")
    assert not threaded.observe("http://f/t.php?tid=6", B)
    assert not threaded


def test_a_copy_names_its_url_without_parameters_still_undecided() -> None:
    inert = InertParams()
    assert inert.undecided("http://f/t.php?back=board&tid=5", "http://f/t.php?tid=5")
    assert not inert.undecided("http://f/t.php?page=2&tid=5", "http://f/t.php?tid=5")    # a page number
    assert not inert.undecided("http://f/print.php?tid=5", "http://f/t.php?tid=5")        # another path
    assert not inert.undecided("http://f/t.php?back=board&tid=5", "http://f/t.php?tid=6")
    inert.observe("http://f/t.php?tid=5", A)
    inert.observe("http://f/t.php?mode=threaded&tid=5", C)  # other posts: never inert
    assert not inert.undecided("http://f/t.php?mode=threaded&tid=5", "http://f/t.php?tid=5")
    inert.observe("http://f/t.php?back=board&tid=5", A, declared="http://f/t.php?tid=5")
    assert not inert.undecided("http://f/t.php?back=board&tid=6", "http://f/t.php?tid=6")  # learned


def _learned_policy():
    from crawler.journal import Frontier
    from crawler.policy import UrlPolicy
    from extractor.model import Page, Post

    policy = UrlPolicy(Frontier(None), start_url="http://f/")
    page = Page(url="http://f/t.php?tid=1", kind="thread", posts=[Post(position=1, text="hello there", author="a")])
    policy.observe_posts("http://f/t.php?tid=1", page)
    assert policy.observe_posts("http://f/t.php?back=b&tid=1", page, declared="http://f/t.php?tid=1")
    return policy


def test_requests_queued_before_the_parameter_was_learned() -> None:
    """The first queued URL carrying it stands for its page (read without it); the others,
    and the bare URL once the page was read, are not fetched."""
    policy = _learned_policy()
    policy.journal.seen.add("http://f/t.php?tid=2")
    assert policy.refuse_queued("http://f/t.php?back=b&tid=2") == "inert_duplicate"  # its page is queued
    assert policy.refuse_queued("http://f/t.php?back=b&tid=3") is None                # it stands for tid=3
    assert policy.refuse_queued("http://f/t.php?back=c&tid=3") == "inert_duplicate"
    assert policy.read_as("http://f/t.php?back=b&tid=3") == "http://f/t.php?tid=3"
    assert policy.refuse_queued("http://f/t.php?tid=3") == "inert_duplicate"
    assert policy.refuse_queued("http://f/t.php?tid=4") is None
    assert policy.refuse_queued("http://f/t.php?back=b&page=1&tid=2") == "inert_duplicate"  # tid=2's first page


def test_a_copy_kept_stands_in_for_its_target_once_the_parameter_is_learned() -> None:
    from crawler.fetches import Fetch
    from crawler.journal import Frontier
    from crawler.policy import UrlPolicy

    policy = UrlPolicy(Frontier(None), start_url="http://f/")
    for tid in (1, 2, 3):
        policy.keep_view(f"http://f/t.php?back=b&tid={tid}", f"http://f/t.php?tid={tid}", b"<html>%d</html>" % tid, {})
    first, second, third = (Fetch(f"http://f/t.php?tid={tid}", 90) for tid in (1, 2, 3))
    assert not policy.await_verdict("http://f/t.php?back=b&tid=1", first)  # fetched: its posts judge
    assert policy.await_verdict("http://f/t.php?back=b&tid=2", second)
    assert policy.await_verdict("http://f/t.php?back=b&tid=3", third)
    assert policy.stand_in("http://f/t.php?tid=1") is None  # not learned inert (yet): fetched
    assert policy.judged("http://f/t.php?tid=9") == []
    learned = _learned_policy()
    policy.inert = learned.inert
    assert [f.url for f in policy.judged("http://f/t.php?tid=1")] == [second.url, third.url]
    assert policy.stand_in("http://f/t.php?tid=2") == (b"<html>2</html>", {})
    assert policy.refuse_queued("http://f/t.php?tid=2") == "inert_duplicate"  # (a second request for it)
    assert policy.stand_in("http://f/t.php?tid=2") is None  # used once
    assert policy.release_waiting() == []
    policy.await_verdict("http://f/t.php?back=b&tid=5", Fetch("http://f/t.php?tid=5", 90))
    policy.await_verdict("http://f/t.php?back=b&tid=6", Fetch("http://f/t.php?tid=6", 90))
    assert [f.url for f in policy.release_waiting()] == ["http://f/t.php?tid=6"]  # its judge never came: at idle


def test_a_print_view_of_the_same_posts_is_another_page() -> None:
    """``action=printpage`` beside ``topic=5.0``, declaring it: the same posts among a handful
    of links instead of a whole page's, so ``action`` is vetoed, never learned inert."""
    inert = InertParams()
    inert.observe("http://f/index.php?topic=5.0", A, links=120)
    assert not inert.observe("http://f/index.php?action=printpage&topic=5.0", A,
                             declared="http://f/index.php?topic=5.0", links=6)
    inert.observe("http://f/index.php?topic=6.0", B, links=118)
    assert not inert.observe("http://f/index.php?action=printpage&topic=6.0", B, links=7)
    assert not inert
    same = InertParams()
    same.observe("http://f/t.php?tid=5", A, links=120)
    assert same.observe("http://f/t.php?back=b&tid=5", A, declared="http://f/t.php?tid=5", links=122)


def test_a_threads_pager_link_to_page_1_under_a_second_path_is_not_fetched() -> None:
    from crawler.journal import Frontier
    from crawler.policy import UrlPolicy
    from extractor.model import Link, Page, Post

    def links(url: str, *hrefs: str, posts: bool = True) -> list[str]:
        policy = UrlPolicy(Frontier(None), start_url="http://f/")
        page = Page(url=url, kind="thread" if posts else "listing", links=[Link(url=h, text="1") for h in hrefs],
                    posts=[Post(position=1, text="hello there", author="a")] if posts else [])
        return [f.url for f in policy.discover(page, {}, url)]

    assert links("http://f/t/8-2", "http://f/t/8-1", "http://f/t/8-3") == ["http://f/t/8-3"]
    assert links("http://f/t/8-2", "http://f/t/9-1") == ["http://f/t/9-1"]          # another thread
    assert links("http://f/news/2024-2", "http://f/news/2024-1", posts=False) == ["http://f/news/2024-1"]
