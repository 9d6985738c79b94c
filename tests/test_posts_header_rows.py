"""Posts made of two sibling elements, a header row (date, permalink) and the post (author, text),
in one list of rows (bbPress's markup; issue 9).

The site template learns where threads hold their posts from pages of several posts: there
the header row starts each post and the post runs on to the next header. A topic without
replies has one header and one post: found at the learnt place, the header alone holds no
text, and the page must still read as a thread of one post (it was an article of no post,
so a WordPress + bbPress crawl lost every unanswered topic).
"""
from datetime import datetime, timezone

from extractor import SiteTemplate, extract

NOW = datetime(2024, 5, 10, 12, 0, tzinfo=timezone.utc)
BASE = "http://talk.example.org"
TEXTS = ["I keep my sourdough starter on the counter and feed it every morning with rye flour.",
         "Mine lives in the fridge between bakes and wakes up after two feeds at room temperature.",
         "A cold kitchen just slows it down; a warm spot near the oven light works wonders here.",
         "Try a smaller ratio for the feeds, one part starter to one of flour and water, then wait.",
         "Thanks all, it doubled overnight after I moved it next to the radiator in the hallway."]
NAMES = ["alice", "bob", "carol", "dmitri", "eve"]


def topic_page(tid: int, replies: int) -> str:
    rows = "".join(
        f"<div id='post-{tid * 10 + i}' class='reply-header'><div class='meta'>"
        f"<span class='post-date'>May {tid}, 2024 at {i + 1}:{tid + 10} pm</span>"
        f"<a href='{BASE}/topic/t{tid}/#post-{tid * 10 + i}' class='permalink'>#{tid * 10 + i}</a></div></div>"
        f"<div class='loop-item-{i} user-id-{(tid + i) % 5 + 1} {'topic' if i == 0 else 'reply'} status-publish'>"
        f"<div class='reply-author'><a href='{BASE}/users/{NAMES[(tid + i) % 5]}/' class='author-link'>"
        f"<img src='/a.png' alt=''><span class='author-name'>{NAMES[(tid + i) % 5]}</span></a>"
        f"<div class='author-role'>Member</div></div>"
        f"<div class='reply-content'><p>{TEXTS[i % 5]} (topic {tid})</p></div></div>"
        for i in range(replies + 1))
    return (f"<html><head><title>Topic {tid} - Example Talk</title></head><body>"
            f"<header><a href='/'>Example Talk</a> <a href='/forums/'>Forums</a> <a href='/about/'>About</a></header>"
            f"<main><article class='topic'><h1>Topic {tid}</h1><div class='entry-content'><div class='wrapper'>"
            f"<div class='breadcrumb'><a href='/forums/'>Forums</a> › <a href='/forums/general/'>General</a></div>"
            f"<ul class='replies'><li class='header'><div class='reply-author'>Author</div>"
            f"<div class='reply-content'>Posts</div></li><li class='body'>{rows}</li>"
            f"<li class='footer'><div class='reply-author'>Author</div><div class='reply-content'>Posts</div></li></ul>"
            f"<div class='reply-form'>You must be logged in to reply to this topic.</div></div></div></article></main>"
            f"<footer>Example Talk · Proudly powered by a blog engine</footer></body></html>")


def url(tid: int) -> str:
    return f"{BASE}/topic/t{tid}/"


def learnt() -> SiteTemplate:
    return SiteTemplate.learn([(topic_page(t, 3), url(t)) for t in (1, 2, 3)])


def test_topics_with_replies_are_split_at_the_header_rows():
    p = extract(topic_page(4, 3), url(4), now=NOW, template=learnt())
    assert p.kind == "thread"
    assert [post.author for post in p.posts] == [NAMES[(4 + i) % 5] for i in range(4)]
    assert learnt().post_units


def test_a_topic_without_replies_is_a_thread_of_its_one_post():
    p = extract(topic_page(5, 0), url(5), now=NOW, template=learnt())
    assert p.kind == "thread"
    assert [(post.author, post.text) for post in p.posts] == [(NAMES[0], f"{TEXTS[0]} (topic 5)")]
    assert p.posts[0].published == datetime(2024, 5, 5, 13, 15)
