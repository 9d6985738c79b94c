"""A thread of short replies whose bylines link to member pages at URLs that do not look like
profiles (``/who?n=farid``): each reply's author link was the only link of its row, so the
replies read as a board's rows titled by the links (a listing, its "topics" the members), and
the page lost its posts. Names of three letters ("zed") were spared only because a title
needs four characters. A row's link that is the byline the post finder read as the post's
author is no topic title (unless it is the row's heading: a news index's titles read as bylines)."""
from datetime import datetime

import pytest

from extractor import extract
from extractor.dom import collapse_ws, number
from extractor.listing import find_listing, posts_are_rows
from extractor.model import Post
from extractor.parse import parse

NAMES = ["farid", "gustav", "helena", "ingrid", "jonas"]


def thread_html(names=NAMES, href="/who?n={name}", cls="author") -> str:
    replies = "".join(
        f'<li class="reply"><div class="meta"><a class="{cls}" href="{href.format(name=name, n=i + 7)}">{name}</a> '
        f'<span class="date">2025-06-0{i + 1} 10:00</span></div>'
        f'<div class="content">Reply {i}: the kettle on the harbour stove needs a new copper base soon.</div></li>'
        for i, name in enumerate(names))
    return ('<!DOCTYPE html><html><head><title>Copper kettles - Lantern Board</title></head><body>'
            '<div class="header"><a href="/">Home</a> <a href="/help">Help</a> <a href="/rules">Rules</a></div>'
            f'<div class="main"><h1>Copper kettles</h1><ul class="replies">{replies}</ul></div>'
            '<div class="footer">Lantern Board, a place for friendly talk since 2011</div></body></html>')


@pytest.mark.parametrize("href,cls", [
    ("/who?n={name}", "author"),
    ("/who?n={name}", "by"),            # the href names the member
    ("/crew/{name}", ""),
    ("/who?id={n}", "author"),          # the link says it is a byline
    ("/who?id={n}", "poster-name"),
])
def test_short_replies_with_name_links_are_a_thread(href, cls):
    page = extract(thread_html(href=href, cls=cls), "http://board.example/t?id=6")
    assert page.kind == "thread"
    assert [p.author for p in page.posts] == NAMES
    assert page.entries == []


def test_a_profile_like_href_or_short_names_change_nothing():
    for html in (thread_html(href="/user/{name}"), thread_html(names=["zed", "bob", "eve", "ann", "kim"])):
        page = extract(html, "http://board.example/t?id=6")
        assert page.kind == "thread" and len(page.posts) == 5


def test_rows_titled_by_their_posts_bylines_are_no_listing():
    html = thread_html()
    dom = number(parse(html)[0])
    url = "http://board.example/t?id=6"
    listing = find_listing(dom, url, now=datetime(2026, 1, 1))
    assert [e.title for e in listing.entries] == NAMES   # (the rows, as a listing finder sees them)
    posts = [Post(position=i + 1, author=e.title, text=e.excerpt) for i, e in enumerate(listing.entries)]
    assert not posts_are_rows(dom, listing, posts)
    assert posts_are_rows(dom, listing, [Post(position=p.position, text=p.text) for p in posts])   # no bylines


def board_html(title_class: str, by: bool) -> str:
    titles = ["家里的猫不爱吃饭怎么办", "周末去哪里爬山", "Sourdough", "上海地铁早高峰"]
    rows = "".join(
        f'<li class="item"><a class="{title_class}" href="/index.php?p=/discussion/{i + 3}/{t}">{t}</a> '
        f'<span class="views">1 view</span> <span class="n">{i + 2} comments</span> '
        + ('Most recent by <a href="/index.php?p=/profile/marta">marta</a> ' if by else "")
        + f'<time datetime="2025-06-0{i + 1}T10:00:00Z">June {i + 1}</time></li>'
        for i, t in enumerate(titles))
    return ('<html><head><title>Discussions</title></head><body><div class="header"><a href="/">Home</a></div>'
            f'<h1>Recent discussions</h1><ul class="discussions">{rows}</ul></body></html>'), titles


@pytest.mark.parametrize("title_class,by", [("", True), ("Title", False)])
def test_board_rows_whose_titles_carry_their_slug_stay_rows(title_class, by):
    """A board whose topic URLs carry the title as their slug (``/discussion/3/<title>``), its
    titles read as the posts' authors: a title link marked as one (``class="Title"``), or a
    row naming its member by another link (a profile's), is a title, not a byline."""
    html, titles = board_html(title_class, by)
    dom = number(parse(html)[0])
    listing = find_listing(dom, "http://board.example/index.php?p=/discussions", now=datetime(2026, 1, 1))
    assert [e.title for e in listing.entries] == titles
    posts = [Post(position=i + 1, author=t, text=collapse_ws(dom.text_of(r)).replace(t, "").strip())
             for i, (t, r) in enumerate(zip(titles, listing.rows))]
    assert posts_are_rows(dom, listing, posts)
