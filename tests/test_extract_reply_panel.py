"""A thread page laid out as two panels: the opening post's, and a "replies" panel holding the
replies as a list (issue 9, StartBBS 2.0). With up to four replies the two panels, each holding
at most four dates, outscored the list and were read as the page's two posts: every reply
merged into one. A site template learned from pages of several posts split them (by the site's
own post element), so a crawl's result hung on which pages the template's sample held.

The guards: a post whose header lists dated lines ("answered ...", "edited ...") stays one post,
and posts laid out as a dated header row and a dated body row stay as they are.
"""
from datetime import datetime, timezone

from extractor import extract

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
TEXTS = ["我觉得周边的小店味道也不错，多问问有经验的人总没错。第一次失败很正常，下次会更好。",
         "顺便问一句，书店里能找到旧版本，价格其实没有想象中那么贵。记得多带一瓶水，路上很热。",
         "去年我也遇到过，温度控制在二十五度左右就行，每天坚持半小时效果明显，别太着急。",
         "说实话，最好提前一天准备好东西，别忘了做好笔记。价格其实没有想象中那么贵的。",
         "补充一点：周末人多，早点去排队比较好，工作日下午基本没人，可以慢慢挑选。"]
NAMES = ["lihua", "张丽", "陈伟", "admin", "marta"]


def page(replies: int) -> str:
    items = "".join(
        f"<li data-id='111' class='reply-item'><div class='about'><a class='avatar' href='/user/{n}.html'>"
        f"<img src='/a.png' alt='{NAMES[n]}'></a><div class='user'><a href='/user/{n}.html'><cite>{NAMES[n]}</cite>"
        f"</a></div><div class='hits'><span>2024-04-27 0{n}:10</span></div></div>"
        f"<div class='body'><p>{TEXTS[n]}</p></div><div class='reply-bar'></div></li>"
        for n in range(1, replies + 1))
    return ("<html><head><title>推荐几本好看的科幻小说 - 社区</title></head><body>"
            "<div class='header'><a href='/'>首页</a> <a href='/category/'>版块</a> <a href='/user/login.html'>登入</a></div>"
            "<div class='container'><div class='row'><div class='col-md8 content detail'>"
            "<div class='panel detail-box'><h1>推荐几本好看的科幻小说</h1>"
            f"<div class='info'><span class='nums'><a href='#comment'>{replies}</a> 3</span></div>"
            "<div class='about'><a class='avatar' href='/user/0.html'><img src='/a.png' alt='lihua'></a>"
            "<div class='user'><a href='/user/0.html'><cite>lihua</cite></a><span>2024-04-26 23:06</span></div></div>"
            f"<div class='body'><p>{TEXTS[0]}</p></div></div>"
            "<div class='panel detail-box' id='replies'><fieldset><legend>回帖</legend></fieldset>"
            f"<ul class='replies'>{items}</ul></div></div>"
            "<div class='col-md4 side'><h3>热议</h3><a href='/t/2.html'>另一个话题</a></div></div></div>"
            "<div class='footer'>© 2024 社区</div></body></html>")


def test_replies_listed_in_a_panel_beside_the_opening_post_are_posts_each():
    for replies in (2, 3, 4):
        result = extract(page(replies), "https://bbs.example.cn/topic/detail/id/3.html", now=NOW)
        assert result.kind == "thread", replies
        assert [p.author for p in result.posts] == NAMES[: replies + 1], replies
        assert [p.text for p in result.posts] == TEXTS[: replies + 1], replies


def test_a_post_header_listing_its_dates_is_no_frame():
    posts = "".join(
        f"<div class='answer'><div class='meta'><a href='/u/{n}'>{NAMES[n]}</a><ul class='dates'>"
        f"<li>answered 2024-04-2{n} 10:00</li><li>last edited 2024-05-0{n} 11:00</li></ul></div>"
        f"<div class='answer-body'><p>{TEXTS[n]}</p></div></div>" for n in range(4))
    html = (f"<html><head><title>Q</title></head><body><div class='nav'><a href='/'>Home</a></div>"
            f"<div class='main'><div class='answers'>{posts}</div></div></body></html>")
    result = extract(html, "https://qa.example.org/questions/9", now=NOW)
    assert [p.author for p in result.posts] == NAMES[:4]
