"""A post's author column built as a drop-down menu: the name is the menu's top link, its class
that of a menu level beside "name" (``class="linklevel1 name"``), the member's facts in the menu
under it (ElkArte's layout, written from scratch here). With several posts on a page the names
show by varying from post to post; a page of one post (a one-post topic, a last page holding one
reply) has only what the markup says: "level" in a class is what member-level badges say, yet
this element's own word "name" says plainly that it is the name."""
from __future__ import annotations

from datetime import datetime, timezone

from extractor import SiteTemplate, extract
from extractor.fields import says_not_author

NOW = datetime(2026, 11, 1, tzinfo=timezone.utc)
POSTS = [("lihua", "补充一点，早上六点出发人比较少，换了一个牌子以后好多了。每天坚持半小时效果明显。"),
         ("张丽", "有不同看法，周边的小店味道也不错，最好提前一天准备好东西。书店里能找到旧版本。"),
         ("marta", "Keep it somewhere cool and feed it twice a week, and use rye flour when it is slow."),
         ("王小明", "顺便问一句，多问问有经验的人总没错，书店里能找到旧版本。第一次失败很正常。")]


def _post(n: int, name: str, text: str, topic: int) -> str:
    return f"""<article class="post_wrapper">
  <aside><ul class="poster"><li class="listlevel1 subsections">
    <a class="linklevel1 name" href="/index.php?action=profile;u={n + 2}">{name}</a>
    <ul class="menulevel2"><li class="listlevel2 postgroup">Newbie</li><li class="listlevel2 postcount">Posts: {n + 7}</li>
      <li class="listlevel2 registered">Joined: Dec 05, 2026</li></ul></li>
    <li class="listlevel1 membergroup">Member</li></ul></aside>
  <div class="postarea"><header class="keyinfo"><h2 class="post_subject">Re: topic {topic}</h2>
    <h5><a href="/index.php?topic={topic}.msg{n + 40}#msg{n + 40}"></a><time datetime="2024-04-2{n} 23:06">April 2{n}, 2024, 11:06:40 pm</time></h5></header>
    <section id="msg_{n + 40}" class="messageContent">{text}（{topic}）</section></div></article><hr class="post_separator">"""


def page(topic: int, posts: list[tuple[str, str]] = POSTS) -> str:
    body = "\n".join(_post(n, name, text, topic) for n, (name, text) in enumerate(posts))
    return f"""<html><head><meta charset="utf-8"><title>Topic {topic} on the forum</title></head><body>
<nav><a href="/index.php">Home</a> <a href="/index.php?action=search">Search</a> <a href="/index.php?action=login">Log in</a></nav>
<main id="forumposts"><header class="category_header">Topic: topic {topic}</header>
<section><form action="/index.php?action=quickmod2;topic={topic}.0" method="post">{body}</form></section></main>
<footer><a href="/index.php?action=help">Help</a></footer></body></html>"""


def test_a_one_post_page_names_its_author_by_a_menu_link_classed_name():
    url = "http://forum.test/index.php?topic={}.0"
    template = SiteTemplate.learn([(page(t), url.format(t)) for t in range(1, 5)])
    assert [p.author for p in extract(page(5), url.format(5), template=template, now=NOW).posts] == [n for n, _ in POSTS]
    lone = extract(page(9, POSTS[3:]), url.format(9), template=template, now=NOW)
    assert lone.kind == "thread"
    assert [(p.author, p.text[:6]) for p in lone.posts] == [("王小明", "顺便问一句，")]


def test_a_class_word_naming_the_name_outweighs_a_level_beside_it():
    assert not says_not_author("linklevel1 name ")
    assert not says_not_author("author ")
    assert says_not_author("listlevel2 postcount ")   # (the member's post count under the name)
    assert says_not_author("usertitle ")               # (a title, even in a word naming the user)
    assert says_not_author("user-rank member-level ")
