"""A topic box above a reply list, on threads of every size (issue 9, Chinese PHP forums).

Forums in the V2EX / Carbon Forum family show the opening post in a topic box
(title, "By name at 5 分钟前 • 12 次点击", text) and the replies in a list of
rows built differently. Two mechanisms read them:

* a relative date followed by a separator ("5 分钟前 • ...") is a date label, so
  the topic box is dated and found as the opening post;
* the site template learns where the site's thread pages hold their posts
  (``SiteTemplate.post_units``, from pages of three or more posts), so a thread
  with one reply, only its opening post, or a later page with a single reply is
  still a thread of its posts, not an article or nothing.
"""
from datetime import datetime, timezone

from extractor import SiteTemplate, extract

NOW = datetime(2024, 5, 10, 12, 0, tzinfo=timezone.utc)
BASE = "http://bbs.example.cn"
TEXTS = ["周末去山里走了一圈，早上六点出发人比较少，空气特别好，推荐大家试试。",
         "同意楼上，最好提前一天准备好东西，记得多带一瓶水，山上没有小卖部。",
         "去年我也去过，天气不好的时候就别勉强了，下山的路比较滑。",
         "补充一点，周边的小店味道也不错，价格其实没有想象中那么贵。",
         "每天坚持半小时效果明显，关键是要有耐心慢慢来，别一下子走太远。"]
NAMES = ["wangxm", "lihua", "chenwei", "marta", "zhangli"]


def topic_page(tid: int, replies: int, page: int = 1, per_page: int = 4) -> str:
    """Page ``page`` of topic ``tid``: its topic box on page 1, then up to ``per_page`` reply rows."""
    box = ""
    if page == 1:
        box = (f"<div class='panel topic'><div class='topic-head'><h1>第{tid}个话题</h1>"
               f"<div class='topic-meta'>By <a href='/member/{NAMES[0]}'>{NAMES[0]}</a> at {tid + 40}&nbsp;分钟前"
               f" • 3人收藏 • {tid * 7}人看过</div></div>"
               f"<div class='topic-body'><div id='m{tid * 100}'><p>{TEXTS[0]}（话题{tid}）</p></div></div></div>")
    first = (page - 1) * per_page + 1
    rows = "".join(
        f"<div class='reply-row'><div class='reply-avatar'><a href='/member/{NAMES[i % 5]}'><img src='/a.png'></a></div>"
        f"<div class='reply-main'><div><strong><a href='/member/{NAMES[i % 5]}'>{NAMES[i % 5]}</a></strong>"
        f"<span class='ago'>{40 - i}&nbsp;分钟前&nbsp;&nbsp;<a href='#m{tid * 100 + i}'>#{i}</a></span></div>"
        f"<div id='m{tid * 100 + i}'><p>{TEXTS[i % 5]}（话题{tid}第{i}楼）</p></div></div></div>"
        for i in range(first, min(replies, page * per_page) + 1))
    pager = f"<div class='pager'><a href='/t/{tid}-{page + 1}'>下一页</a></div>" if replies > page * per_page else ""
    return (f"<html><head><title>第{tid}个话题 - 示例论坛</title></head><body>"
            f"<div class='top'><a href='/'>示例论坛</a> <a href='/login'>登录</a> <a href='/register'>注册</a></div>"
            f"<div class='main'><div class='content'>{box}<div class='panel replies'>"
            f"<div class='panel-title'>{replies} 个回复</div>{rows}</div>{pager}</div>"
            f"<div class='side'><div class='panel'>热门标签 <a href='/tag/a'>生活</a> <a href='/tag/b'>兴趣</a></div></div></div>"
            f"<div class='foot'>示例论坛 © 2024 · 关于 · 帮助</div></body></html>")


def url(tid: int, page: int = 1) -> str:
    return f"{BASE}/t/{tid}" + (f"-{page}" if page > 1 else "")


def test_relative_date_before_a_separator_dates_the_topic_box():
    p = extract(topic_page(1, 4), url(1), now=NOW)
    assert p.kind == "thread"
    assert [post.author for post in p.posts] == [NAMES[0], *NAMES[1:5]]
    assert p.posts[0].text.startswith(TEXTS[0])
    assert p.posts[0].published == datetime(2024, 5, 10, 11, 19, tzinfo=timezone.utc)   # 41 分钟前


def learnt() -> SiteTemplate:
    return SiteTemplate.learn([(topic_page(t, 4), url(t)) for t in (1, 2, 3)])


def test_template_learns_where_the_sites_posts_sit():
    template = learnt()
    assert len(template.post_units) == 2      # the reply rows and the topic box
    assert SiteTemplate.from_json(template.to_json()).post_units == template.post_units
    assert not SiteTemplate.learn([topic_page(1, 4), topic_page(2, 4)]).post_units   # (no URLs: nothing learnt)


def test_a_topic_with_one_reply_is_a_thread_of_two_posts():
    html = topic_page(7, 1)
    assert len(extract(html, url(7), now=NOW).posts) < 2        # alone, one reply is no repeated structure
    p = extract(html, url(7), now=NOW, template=learnt())
    assert p.kind == "thread"
    assert [(post.author, post.text[:12]) for post in p.posts] == [(NAMES[0], TEXTS[0][:12]), (NAMES[1], TEXTS[1][:12])]


def test_a_topic_without_replies_and_a_later_page_of_one_reply_are_threads_of_one_post():
    template = learnt()
    alone = extract(topic_page(8, 0), url(8), now=NOW, template=template)
    assert alone.kind == "thread" and [post.author for post in alone.posts] == [NAMES[0]]
    later = extract(topic_page(9, 5, page=2), url(9, 2), now=NOW, template=template)
    assert later.kind == "thread"
    assert [post.text for post in later.posts] == [f"{TEXTS[0]}（话题9第5楼）"]


def test_other_pages_of_the_site_are_not_read_as_posts():
    template = learnt()
    listing = ("<html><head><title>示例论坛</title></head><body><div class='main'><div class='content'>"
               + "".join(f"<div class='item'><a href='/t/{t}'>第{t}个话题</a> <a href='/member/lihua'>lihua</a>"
                         f" {t} 分钟前 • {t * 3} 个回复</div>" for t in range(1, 9))
               + "</div></div></body></html>")
    p = extract(listing, BASE + "/", now=NOW, template=template)
    assert p.kind == "listing" and not p.posts
