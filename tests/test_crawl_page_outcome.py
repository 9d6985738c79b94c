"""What a page without posts gave, for its URL pattern's verdict (crawler/responses.py).

A board page is worth fetching when its links were new: its entries (threads taken on
from it) or pages of another kind. A page held during the template warm-up has its
links followed at once, and is handled after the warm-up, when they are all known:
what they gave then is what it gave (``fetched_new``, kept with the held page), or
the boards' pattern would be judged useless by boards whose threads were found first
(SMF: the fourth board was never fetched).
"""
from __future__ import annotations

from types import SimpleNamespace

from crawler.fetches import Fetch
from crawler.responses import fetched_new, plain_outcome

BOARD = "http://forum.example/index.php?board=1.0"


def test_entries_taken_on_are_new() -> None:
    assert fetched_new(BOARD, [Fetch("http://forum.example/index.php?topic=7.0", 60, {"fc_entry": {}})])


def test_pages_of_another_kind_are_new_and_the_same_kind_is_not() -> None:
    assert fetched_new(BOARD, [Fetch("http://forum.example/index.php?action=stats", 10)])
    assert not fetched_new(BOARD, [Fetch("http://forum.example/index.php?board=1.0;sort=subject", 10)])
    assert not fetched_new(BOARD, [])


def test_a_listing_whose_links_are_known_gave_nothing_new() -> None:
    listing = SimpleNamespace(kind="listing")
    assert plain_outcome(listing, BOARD, [], {}) == "empty"
    assert plain_outcome(listing, BOARD, [Fetch("http://forum.example/index.php?topic=7.0", 60,
                                                {"fc_entry": {}})], {}) == "new"
    article = "Compost heats up when the green and brown layers are balanced.\nShare"
    assert plain_outcome(SimpleNamespace(kind="article", text=article), BOARD, [], {}) == "new"


def test_an_article_of_headings_only_gave_nothing_new() -> None:
    # an empty tag page, read as an article of what its sidebars' headings left (Biostar's /tag/crash/)
    headings = SimpleNamespace(kind="article", text="Biostar Crash\nRecent Votes\nRecent Locations •\nAll\nRecent Replies")
    assert plain_outcome(headings, BOARD, [], {}) == "empty"
    chinese = SimpleNamespace(kind="article", text="最新回复\n堆肥的温度取决于绿色和棕色材料的比例是否合适。")
    assert plain_outcome(chinese, BOARD, [], {}) == "new"


def test_a_listing_of_known_entries_is_listed_and_an_empty_archive_page_is_empty() -> None:
    known = SimpleNamespace(kind="listing", entries=[SimpleNamespace(url="http://forum.example/t/7")])
    assert plain_outcome(known, BOARD, [], {}) == "listed"
    assert plain_outcome(known, BOARD, [], {"wall": True}) == "listed"  # (a sign-in box beside the list)
    empty = SimpleNamespace(kind="listing", entries=[SimpleNamespace(url=None)])
    assert plain_outcome(empty, BOARD, [], {}) == "empty"
