"""A thread of short replies whose authors link to member pages by number only
(``<a href="/who?id=7">farid</a>``: no telling class, no name in the URL, no profile
pattern): each reply's byline was read as a listing row's title link and the thread page
became a listing of its members. A byline stands where one does: a name-like text (one or
two words, no sentence punctuation) in a small head beside the post's date, apart from the
post's text, leading to pages of another shape than the page's own (tests/sites/bylines.py)."""
from datetime import datetime

import pytest

from extractor import extract
from extractor.dom import number
from extractor.listing import find_listing, posts_are_rows
from extractor.model import Post
from extractor.parse import parse
from tests.sites.bylines import MARKUPS, MEMBER_HREFS, NAMES, board_index, thread_page, topic_list

URL = "http://board.example/t?id=6"
NOW = datetime(2026, 1, 1)


@pytest.mark.parametrize("markup", MARKUPS)
@pytest.mark.parametrize("href", MEMBER_HREFS)
def test_replies_with_bylines_by_number_are_a_thread(href, markup):
    page = extract(thread_page(href, markup), URL, now=NOW)
    assert page.kind == "thread"
    assert [p.author for p in page.posts] == NAMES
    assert page.entries == []


def test_a_member_who_replies_twice_changes_nothing():
    names = ["farid", "helena_w", "farid", "ingrid", "jonas"]
    page = extract(thread_page(names=names), URL, now=NOW)
    assert page.kind == "thread"
    assert [p.author for p in page.posts] == names


def _rows_as_posts(html: str, url: str, titles: list[str]) -> bool:
    """Whether the rows of a listing, read as posts authored by their title links, are rows."""
    dom = number(parse(html)[0])
    listing = find_listing(dom, url, now=NOW)
    assert [e.title for e in listing.entries] == titles
    posts = [Post(position=i + 1, author=e.title, text=e.excerpt) for i, e in enumerate(listing.entries)]
    return posts_are_rows(dom, listing, posts, url)


def test_a_topic_lists_titles_are_no_bylines():
    """Titles beside dates above excerpts: phrases, not names (a one-word title among them)."""
    html, titles = topic_list()
    assert _rows_as_posts(html, "http://board.example/recent", titles)


def test_sub_boards_linked_in_the_pages_own_shape_are_no_bylines():
    """A forum index's one-word board names beside their last post's date: its rows lead to
    pages of the index's own shape (``/forum/5/`` from ``/forum/2/``), members' pages do not."""
    html, boards = board_index()
    assert _rows_as_posts(html, "http://board.example/forum/2/", boards)


def test_a_name_in_the_row_beside_counts_is_no_byline():
    """A board's row holds its title link directly beside its counts and date: no head apart."""
    rows = "".join(f"<li class='row'><a href='/t?id={3 + i}'>{t}</a> <span>{i + 2} replies</span> "
                   f"<span>2025-06-0{i + 1} 10:00</span> <span>{'Kettle talk, copper and tin ' * 2}</span></li>"
                   for i, t in enumerate(["Sourdough", "Kettles", "Lamps"]))
    html = f"<html><body><div class='nav'><a href='/'>Home</a></div><ul class='rows'>{rows}</ul></body></html>"
    assert _rows_as_posts(html, "http://board.example/f?id=2", ["Sourdough", "Kettles", "Lamps"])
