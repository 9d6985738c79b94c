"""A topic page whose opening post is built unlike its comments and names its author only by an
avatar and a name, both linking the author's profile, in classes that say nothing ("fs14",
"ml-2"): the avatar's alt text confirms the name (a group-topic layout, written from scratch here)."""
from __future__ import annotations

from datetime import datetime, timezone

from extractor import SiteTemplate, extract

NOW = datetime(2026, 11, 1, tzinfo=timezone.utc)
COMMENTS = [("lihua", "补充一点，早上六点出发人比较少，换了一个牌子以后好多了。每天坚持半小时效果明显。"),
            ("张丽", "有不同看法，周边的小店味道也不错，最好提前一天准备好东西。书店里能找到旧版本。"),
            ("marta", "顺便问一句，多问问有经验的人总没错，书店里能找到旧版本。第一次失败很正常。")]


def _comment(n: int, name: str, text: str) -> str:
    return f"""<li class="clearfix" id="l_{n}">
  <div class="user-face"><a href="/index.php?app=user&ac=space&id={n + 10}"><img class="rounded-circle" alt="{name}" src="/u.jpg"></a></div>
  <div class="reply-doc"><h4><a class="fs14 c9" href="/index.php?app=user&ac=space&id={n + 10}">{name}</a>
    <span class="ml-3">2024-05-02 0{n}:08:20</span> <i>{n}#</i></h4>
    <div class="fs14"><p>{text}</p></div></div></li>"""


def page(starter: str = "王小明", comments: list[tuple[str, str]] = COMMENTS, tid: int = 8) -> str:
    comments = "\n".join(_comment(n + 1, name, f"{text}（{tid}）") for n, (name, text) in enumerate(comments))
    return f"""<html><head><meta charset="utf-8"><title>学吉他三个月的感想_话题</title></head><body>
<nav><a href="/">首页</a> <a href="/index.php?app=group">小组</a> <a href="/index.php?app=user&ac=login">登录</a></nav>
<div class="row"><div class="col-md-8">
 <div class="card"><div class="card-body">
  <h1 class="h5">学吉他三个月的感想 {tid}</h1>
  <div class="d-flex"><div><a href="/index.php?app=user&ac=space&id=2"><img class="rounded-circle" title="{starter}" alt="{starter}" src="/u.jpg"></a></div>
   <div class="ml-2"><div class="fs14"><a href="/index.php?app=user&ac=space&id=2">{starter}</a></div>
   <div class="c9 fs12">2024-05-01 23:06:40</div></div></div>
  <div class="topic-content"><div class="topic-view"><p>补充一点，书店里能找到旧版本，第一次失败很正常。别忘了做好笔记。每天练习{tid}次。</p></div></div>
 </div></div>
 <div class="card"><div class="card-header">评论 (3)</div><div class="card-body"><div class="comment"><ul>
{comments}
 </ul></div>
 <div class="commentform"><a href="/index.php?app=user&ac=login">登录</a> | <a href="/index.php?app=user&ac=register">注册</a></div>
 </div></div></div>
<div class="col-md-4"><div class="card"><div class="card-header">最新帖子</div><ul>
 <li><a href="/index.php?app=topic&ac=show&id=9">阳台种番茄的问题</a></li>
 <li><a href="/index.php?app=topic&ac=show&id=7">Sourdough starter in a cold kitchen</a></li></ul></div></div>
</div></body></html>"""


def test_opening_post_author_named_by_its_avatar_and_profile_link():
    p = extract(page(), "http://forum.test/index.php?app=topic&ac=show&id=8", now=NOW)
    assert [post.author for post in p.posts] == ["王小明"] + [name for name, _ in COMMENTS]
    assert p.posts[0].text.startswith("补充一点，书店里能找到旧版本")


def test_a_profile_link_unlike_its_avatar_names_nobody():
    # (a name the avatar does not confirm, in classes that say nothing: no author, rather than a guess)
    html = page().replace('title="王小明" alt="王小明"', 'title="头像" alt="头像"')
    p = extract(html, "http://forum.test/index.php?app=topic&ac=show&id=8", now=NOW)
    assert p.posts[0].author is None


def test_one_comment_under_a_learnt_template_is_not_its_comment_section():
    # The site's post paths, learnt from its topics, are the opening post's card and a comment's <li>; the
    # comment section is a card too. With one comment that card (heading, the comment, "登录 | 注册") was
    # taken for the post: author "登录". The card is the comment's frame: the comment is the post.
    url = "http://forum.test/index.php?app=topic&ac=show&id={}"
    template = SiteTemplate.learn([(page(tid=t), url.format(t)) for t in range(1, 5)])
    p = extract(page(comments=COMMENTS[:1], tid=9), url.format(9), template=template, now=NOW)
    assert [(post.author, post.text[:6]) for post in p.posts] == [("王小明", "补充一点，书"), ("lihua", "补充一点，早")]


def test_an_avatar_without_alt_text_vouches_for_the_name_linked_to_the_same_profile():
    # (HYBBS: the opener's name and its avatar, no alt text, both link the route "/?u/<name>.html")
    html = page().replace('title="王小明" alt="王小明"', "").replace(
        "/index.php?app=user&amp;ac=space&amp;id=2", "/?u/王小明.html").replace(
        "/index.php?app=user&ac=space&id=2", "/?u/王小明.html")
    assert "/?u/王小明.html" in html and 'alt="王小明"' not in html
    p = extract(html, "http://forum.test/?t/8.html", now=NOW)
    assert [post.author for post in p.posts] == ["王小明"] + [name for name, _ in COMMENTS]
