"""A forum plugin shown inside a CMS page (issue 9, WordPress + Asgaros Forum): the CMS wraps the
plugin's whole view in the page's own record element (``<article id="post-4">``), which carries a
post id. On a board page that wrapper holds a member link (the forum's menu, a topic's author), dates
(the rows') and prose (a notice): the anatomy of a lone post. Read as one, the board page was stored
as a thread of one post, "by" the menu's Members link. A lone post holding the page's listing rows
is no post; a one-post topic in the same wrapper keeps its post.
"""
from datetime import datetime, timezone

from extractor import extract
from tests.sites.cmspage import cms_page

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
TOPICS = [("如何在阳台种番茄", "lihua", 2), ("Sourdough starter in a cold kitchen", "marta", 16),
          ("学吉他三个月的感想", "wang", 22), ("孩子学编程从哪里开始", "chen", 4)]


page = cms_page   # (the CMS page wrapping the plugin's view)


def board_row(n: int, title: str, author: str, replies: int) -> str:
    slug = f"topic-{n}"
    return (f"<div class='topic-row'><div class='topic-name'><a href='/forum/topic/{slug}/'>{title}</a>"
            f"<small>By <a href='/forum/profile/{author}/'>{author}</a></small>"
            f"<small class='stats'>{replies} Replies · {replies * 3} Views</small></div>"
            f"<div class='last-post'><a href='/forum/topic/{slug}/?part=2#postid-{n * 10}'>{n + 1} years ago</a>"
            f"<a href='/forum/profile/{author}/'>{author}</a></div></div>")


def board(rows) -> str:
    return page("Hobbies", "<h1 class='main-title'>Hobbies</h1><div class='title'>Topics<span>Last post</span></div>"
                "<div class='topics'>" + "".join(board_row(n, *t) for n, t in enumerate(rows)) + "</div>")


def test_a_board_in_a_cms_page_is_a_listing_without_posts():
    got = extract(board(TOPICS), "https://site.example/forum/forum/hobbies/", now=NOW)
    assert got.kind == "listing"
    assert got.posts == []
    assert {e.url for e in got.entries} >= {f"https://site.example/forum/topic/topic-{n}/" for n in range(4)}


def test_a_board_page_of_one_topic_in_a_cms_page_has_no_posts():
    got = extract(board(TOPICS[:1]), "https://site.example/forum/forum/hobbies/?part=2", now=NOW)
    assert got.posts == []


def test_a_one_post_topic_in_the_same_wrapper_keeps_its_post():
    view = ("<h1 class='main-title'>How to grow tomatoes on a balcony</h1><div class='posts'>"
            "<div class='post-element' id='postid-7'><div class='post-author'>"
            "<a href='/forum/profile/lihua/'>lihua</a><small>12 Posts</small></div>"
            "<div class='post-wrapper'><div class='post-header'><a href='/forum/topic/tomatoes/#postid-7'>"
            "April 24, 2024, 11:06 pm</a><a href='/forum/topic/tomatoes/addpost/?quote=7'>Quote</a></div>"
            "<div class='post-message'><p>My tomatoes grow tall but give hardly any fruit. The balcony faces "
            "east and gets sun until noon. Should I move the pots or feed them something?</p></div></div></div>"
            "</div>")
    got = extract(page("How to grow tomatoes on a balcony", view), "https://site.example/forum/topic/tomatoes/",
                  now=NOW)
    assert len(got.posts) == 1
    assert "hardly any fruit" in got.posts[0].text
