"""A list of topics each linked at a post anchor (an "unread topics" / "new posts" view: every row
opens its topic at the first post not read, ``/forum/topic/<slug>/#postid-78``). The listing reader
took no link with a fragment for a row's title, so such a page had no listing; inside a CMS page
wrapper (WordPress's ``<article id="post-4">``) it was then stored as a thread of one post. A link
whose anchor names a post by a number that its page part does not hold is a topic opened at a post:
a title, by the topic's URL. A post's own permalink (``/discussion/comment/12/#Comment_12``, the date
link of a thread's post header) holds its number in its path and stays no title.
"""
from datetime import datetime, timezone

from extractor import extract
from tests.sites.cmspage import cms_page
from extractor.listing import topic_at_post

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
# (titles in Chinese weigh more than the board's Latin name, though they have fewer characters)
TOPICS = [("孩子学编程从哪里开始", "hobbies-and-skills", "Hobbies and skills", 78),
          ("阳台种番茄的问题", "hobbies-and-skills", "Hobbies and skills", 75),
          ("Sourdough starter in a cold kitchen", "hobbies-and-skills", "Hobbies and skills", 35),
          ("推荐几本好看的科幻小说", "%e7%94%9f%e6%b4%bb", "生活闲聊", 4),
          ("周末去哪里爬山", "%e7%94%9f%e6%b4%bb", "生活闲聊", 1)]


wrapped = cms_page   # (the CMS page wrapping the plugin's view)


def slug(n: int) -> str:
    return f"%e5%ad%a9%e5%ad%90-{n}"   # (percent-encoded slugs: %e4, %e5 hold digits of no post number)


def unread_page() -> str:
    rows = "".join(
        f"<div class='topic-row unread'><div class='topic-name'>"
        f"<a href='/forum/topic/{slug(n)}/#postid-{post}' title='{title}'>{title}</a>"
        f"<small>In <a href='/forum/forum/{board}/'>{name}</a> · <i>{n + 2} years ago</i></small></div></div>"
        for n, (title, board, name, post) in enumerate(TOPICS))
    return wrapped("Unread Topics", "<h1 class='main-title'>Unread Topics</h1>"
                   f"<div class='content-container'>{rows}</div>")


def test_a_list_of_topics_linked_at_post_anchors_is_a_listing():
    got = extract(unread_page(), "https://site.example/forum/unread/", now=NOW)
    assert got.kind == "listing"
    assert got.posts == []
    assert [e.url for e in got.entries] == [f"https://site.example/forum/topic/{slug(n)}/" for n in range(len(TOPICS))]
    assert [e.title for e in got.entries] == [t[0] for t in TOPICS]


def test_a_post_anchor_names_a_topic_only_when_its_number_is_not_the_pages():
    assert topic_at_post("/forum/topic/slug/#postid-78") == "/forum/topic/slug/"
    assert topic_at_post("/forum/topic/%e4%b8%8a/#postid-4") == "/forum/topic/%e4%b8%8a/"
    assert topic_at_post("viewtopic.php?t=9#p55") == "viewtopic.php?t=9"
    assert topic_at_post("/discussion/comment/12/#Comment_12") == ""   # the post's own permalink
    assert topic_at_post("viewtopic.php?p=55#p55") == ""
    assert topic_at_post("#p55") == ""                                  # this page
    assert topic_at_post("/forum/topic/slug/#comments") == ""           # no post named


def test_a_thread_whose_date_links_are_its_posts_permalinks_stays_a_thread():
    posts = "".join(
        f"<li class='Item Comment' id='Comment_{n}'><div class='Author'><a href='/profile/{who}' class='Username'>{who}</a>"
        f"</div><div class='Meta'><a href='/discussion/comment/{n}/#Comment_{n}' class='Permalink'>"
        f"<time datetime='2024-04-{n:02d}T10:00:00+00:00'>April {n}, 2024</time></a></div>"
        f"<div class='Message'>{text}</div></li>"
        for n, (who, text) in enumerate([
            ("lihua", "Tomatoes want six hours of sun at the least; an east balcony gives them four."),
            ("marta", "Move the pots to the railing and feed them potash once the flowers open."),
            ("chen", "I had the same trouble and a bigger pot fixed it the next summer."),
            ("wang", "Shake the flowers a little at noon; on a balcony no bees do it for you.")], start=11))
    html = ("<html><head><title>Tomatoes on a balcony</title></head><body><div id='Content'>"
            "<h1>Tomatoes on a balcony</h1><ul class='MessageList'>" + posts + "</ul></div></body></html>")
    got = extract(html, "https://site.example/discussion/8/tomatoes-on-a-balcony", now=NOW)
    assert got.kind == "thread"
    assert len(got.posts) == 4
