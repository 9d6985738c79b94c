"""A classic board's post: a poster box beside the text, a definition list whose first line is
the writer's profile link and whose other lines are the writer's facts (a rank, a labelled join
date, a post count), the text in its own block beside it (written from scratch here, in the
shape PunBB-family and many classic boards share). With short posts and no learnt template the
box's facts are as long as the text itself: a rank of one long word ("Administrator") and a join
date no date reader takes for one ("Registered: Today") must not count as prose, or the body is
taken as the whole post with the box in it and the name goes with it."""
from __future__ import annotations

from datetime import datetime, timezone

from extractor import extract
from extractor.fields import _column_fact

NOW = datetime(2026, 11, 1, tzinfo=timezone.utc)
POSTS = [("周小燕", "Administrator", "先说结论：早上出发人少，记得带水。"),
         ("kowalski", "Participant", "Rye flour helps when it is slow."),
         ("陈伟", "Participant", "同意，第一次失败很正常，慢慢来。"),
         ("周小燕", "Administrator", "价格没有想象中那么贵，值得一试。")]


def _post(n: int, name: str, rank: str, text: str) -> str:
    return f"""<div class="msg" id="m{n + 70}">
  <h4><span class="num">#{n + 1}</span> <a href="#m{n + 70}">Today 09:1{n}:00</a></h4>
  <div class="msg-inner">
    <div class="who"><dl>
      <dt><b><a href="member.php?uid={n % 3 + 4}">{name}</a></b></dt>
      <dd class="rank"><b>{rank}</b></dd>
      <dd><span>Registered: Today</span></dd>
      <dd><span>Posts: {n + 12}</span></dd>
    </dl></div>
    <div class="what"><h5>Re: weekend plans</h5><div class="msg-text"><p>{text}</p></div></div>
  </div>
  <div class="msg-foot"><p><b>Offline</b></p></div>
</div>"""


def page(posts) -> str:
    body = "\n".join(_post(n, *p) for n, p in enumerate(posts))
    return f"""<html><head><meta charset="utf-8"><title>weekend plans / Board</title></head><body>
<div id="top"><a href="index.php">Index</a> <a href="search.php">Search</a> <a href="login.php">Login</a></div>
<h1>weekend plans</h1>
<div id="thread">{body}</div>
<div id="bottom"><p>Powered by a board</p></div></body></html>"""


def test_short_posts_keep_their_poster_box_out_of_the_body():
    got = extract(page(POSTS), "http://board.test/topic.php?id=3", now=NOW)
    assert [p.author for p in got.posts] == [name for name, _, _ in POSTS]
    assert [p.text for p in got.posts] == [text for _, _, text in POSTS]


def test_a_page_of_one_short_post_names_its_author():
    got = extract(page(POSTS[:1]), "http://board.test/topic.php?id=4", now=NOW)
    assert [(p.author, p.text) for p in got.posts] == [("周小燕", POSTS[0][2])]


def test_column_facts():
    assert _column_fact("Administrator")
    assert _column_fact("Registered: Today")
    assert _column_fact("Reputation: 1,204")
    assert not _column_fact("Rye flour helps when it is slow.")
    assert not _column_fact("同意，第一次失败很正常，慢慢来。")
