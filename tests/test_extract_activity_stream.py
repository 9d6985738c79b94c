"""A site's activity stream (issue 9, Vanilla's ``?p=/activity``): "A, B and C joined. Welcome
Aboard!", a wall post "System -> admin: Ping!", each an item of a list with its own excerpt. The
post splitter read the items as a thread's posts, and the crawler stored them. They carry no date
the page shows in full, no post id, and the "joined" notice no author: items nobody signed. A
thread's posts say when they were written or carry ids; a view that shows neither (a JavaScript
forum's server-rendered fallback: author and body only) still names each post's author.
"""
from datetime import datetime, timezone

from extractor import extract
from extractor.extract import unsigned_items
from extractor.model import Post

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
MEMBERS = ["lihua", "marta", "chen", "wang", "admin"]


def frame(title: str, content: str) -> str:
    return ("<html><head><title>" + title + " - My Forum</title></head><body><div id='Head'>"
            "<a href='/index.php?p=/'>My Forum</a><ul class='SiteMenu'>"
            "<li><a href='/index.php?p=/discussions'>Discussions</a></li>"
            "<li><a href='/index.php?p=/activity'>Activity</a></li></ul></div>"
            "<div id='Panel'><div class='Box'><h4>Howdy, Stranger!</h4><p>It looks like you're new here. "
            "If you want to get involved, click one of these buttons!</p>"
            "<a href='/index.php?p=/entry/signin'>Sign In</a> <a href='/index.php?p=/entry/register'>Register</a>"
            f"</div></div><div id='Content'>{content}</div></body></html>")


def member(n: int, name: str, cls: str = "") -> str:
    return f"<a href='/index.php?p=/profile/{n}/{name}'{cls}>{name}</a>"


def activity_page() -> str:
    joined = ", ".join(member(n, name) for n, name in enumerate(MEMBERS[:-1], start=3))
    return frame("Recent Activity", (
        "<h1 class='H'>Recent Activity</h1><ul class='DataList Activities'>"
        "<li id='Activity_1' class='Item Activity Activity-Registration'><div class='ItemContent Activity'>"
        f"<div class='Title'>{joined} and {member(2, 'admin')} joined.</div>"
        "<div class='Excerpt'>Welcome Aboard!</div><div class='Meta'><span class='MItem DateCreated'>3:12AM</span>"
        "</div></div></li>"
        "<li id='Activity_2' class='Item Activity Activity-WallPost'><div class='Author Photo'>"
        "<a title='System' href='/index.php?p=/profile/1/System' class='PhotoWrap'><img src='/u.png' alt='System'></a></div>"
        "<div class='ItemContent Activity'><div class='Title'>"
        f"{member(1, 'System', ' class=Name')} <span>&rarr;</span> {member(2, 'admin', ' class=Name')}</div>"
        "<div class='Excerpt'>Ping! An activity post is a public way to talk at someone. When you update your "
        "status here, it posts it on your activity feed.</div><div class='Meta'>"
        "<span class='MItem DateCreated'>3:12AM</span></div></div></li></ul>"))


def test_an_activity_stream_has_no_posts():
    got = extract(activity_page(), "https://forum.example/index.php?p=/activity", now=NOW)
    assert got.posts == []
    assert got.kind != "thread"


def test_items_nobody_signed():
    assert unsigned_items([Post(0, "Welcome Aboard!"), Post(1, "Ping!", author="System")])
    assert not unsigned_items([Post(0, "a", author="lihua"), Post(1, "b", author="marta")])  # bodies and authors
    assert not unsigned_items([Post(0, "a"), Post(1, "b", published=NOW)])
    assert not unsigned_items([Post(0, "a", post_id="p1"), Post(1, "b", post_id="p2")])
    assert not unsigned_items([])


def test_a_thread_shown_with_authors_and_bodies_only_stays_a_thread():
    bodies = ["Tomatoes want six hours of sun at the least; an east balcony gives them four, so the plants "
              "grow tall and give little fruit.",
              "Move the pots to the railing and feed them potash once the flowers open; it helped mine a lot.",
              "I had the same trouble and a bigger pot fixed it the next summer, with a cage to hold them."]
    posts = "".join(f"<div><h3>{who}</h3><div class='Post-body'><p>{text}</p></div></div><hr>"
                    for who, text in zip(MEMBERS, bodies))
    html = ("<html><head><title>Tomatoes on a balcony - My Forum</title></head><body><noscript>"
            f"<div class='container'><h2>Tomatoes on a balcony</h2><div>{posts}</div></div></noscript></body></html>")
    got = extract(html, "https://forum.example/d/8-tomatoes-on-a-balcony", now=NOW)
    assert len(got.posts) == 3
    assert [p.author for p in got.posts] == MEMBERS[:3]
