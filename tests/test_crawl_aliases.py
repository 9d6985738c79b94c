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
