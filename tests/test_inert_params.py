"""crawler.inert: a query parameter is dropped only once pages showed it changes nothing."""
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
