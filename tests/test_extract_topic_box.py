"""A thread page whose template writes one constant where a post id belongs, and whose later pages
repeat the topic's header box (title, counters, author, date) without the topic's text.

The shape of a Chinese layui forum template (StartBBS 2.0): the topic box carries ``data-id="123"``
and every reply ``data-id="111"``, whatever the post. Read as ids, every reply of a thread was one
stored post (its id the key). Once the site template knows the topic box as a post element (learnt
from first pages), the box alone on a later page was read as a post: the opening post again, and
keyed by its id it overwrote the opening post's text in the store.
"""
from extractor import extract
from extractor.extract import without_bare_headers
from extractor.model import Post
from extractor.posts import without_shared_ids
from extractor.template import SiteTemplate

_BITS = ["早上六点出发人比较少", "最好提前一天准备好东西", "价格其实没有想象中那么贵", "朋友推荐的方法很管用",
         "网上的教程大多说得太简单", "关键是要有耐心慢慢来", "天气不好的时候就别勉强了", "换了一个牌子以后好多了"]
TOPICS = {7: ("学吉他三个月的感想", "补充一点，书店里能找到旧版本，第一次失败很正常。别忘了做好笔记。"),
          8: ("上海地铁早高峰", "我觉得，多问问有经验的人总没错，记得多带一瓶水。第一次失败很正常。"),
          9: ("阳台种番茄的问题", "说实话，温度控制在二十五度左右，每天坚持半小时效果明显。")}
PER_PAGE = 10   # (the topic's own post counted on page 1)


def replies(tid: int, count: int) -> list[tuple[str, str, str]]:
    return [(["lihua", "张丽", "marta"][n % 3], f"2024-05-0{tid - 5} {10 + n % 12}:{10 + n}",
             f"{_BITS[(n + tid) % 8]}，{_BITS[(n + 3) % 8]}。{_BITS[(n + 5 + tid) % 8]}。（第{tid}帖第{n + 1}楼）")
            for n in range(count)]


def _reply(uid: int, name: str, when: str, text: str) -> str:
    return (f'<li data-id="111" class="jieda-daan"><a name="item-1111111111"></a>'
            f'<div class="detail-about detail-about-reply"><a class="fly-avatar" href="/user/home/id/{uid}.html">'
            f'<img src="/avatar.png" alt="{name}"></a><div class="fly-detail-user">'
            f'<a href="/user/home/id/{uid}.html" class="fly-link"><cite>{name}</cite></a></div>'
            f'<div class="detail-hits"><span>{when}</span></div></div>'
            f'<div class="detail-body jieda-body photos"><p>{text}</p></div>'
            f'<div class="jieda-reply"></div></li>')


def topic_page(tid: int, page: int, count: int) -> tuple[str, str]:
    """(html, url) of page ``page`` of topic ``tid`` with ``count`` replies in all: page 1 shows the
    opening post's text in the header box, later pages the box alone."""
    title, opening = TOPICS[tid]
    shown = replies(tid, count)[max(0, page * PER_PAGE - PER_PAGE - 1):page * PER_PAGE - 1]
    rows = "".join(_reply(n % 5 + 2, *r) for n, r in enumerate(shown))
    pages = -(-(count + 1) // PER_PAGE)
    url = f"http://forum.example/topic/detail/id/{tid}.html" + (f"?page={page}" if page > 1 else "")
    pager = "".join(f'<li><a href="/topic/detail/id/{tid}.html?page={k}">{k}</a></li>' if k != page else f"<li>{k}</li>"
                    for k in range(1, pages + 1))
    hot = "".join(f'<dd><a href="/topic/detail/id/{k}.html">{t}</a><span><i class="iconfont">&#xe60d;</i> {k * 3}</span></dd>'
                  for k, (t, _) in TOPICS.items())
    html = (f"<html><head><title>{title} - 轻量社区 - Powered by StartBBS!</title></head><body>"
            f'<div class="fly-header"><a href="/">首页</a> <a href="/category/">版块</a> <a href="/user/login.html">登入</a></div>'
            f'<div class="layui-container fly-marginTop"><div class="layui-row layui-col-space15">'
            f'<div class="layui-col-md8 content detail"><div class="fly-panel detail-box"><h1>{title}</h1>'
            f'<div class="fly-detail-info"><div class="fly-admin-box"></div><span class="fly-list-nums">'
            f'<a href="#comment"><i class="iconfont" title="回答">&#xe60c;</i> {count}</a>'
            f'<i class="iconfont" title="人气">&#xe60b;</i> {count + page + 4}</span></div>'
            f'<div class="detail-about"><a class="fly-avatar" href="/user/home/id/1.html"><img src="/avatar.png" alt="王小明"></a>'
            f'<div class="fly-detail-user"><a href="/user/home/id/1.html" class="fly-link"><cite>王小明</cite></a>'
            f'<span>2024-05-0{tid - 6} 23:06</span></div><div class="detail-hits" data-id="123"><span></span></div></div>'
            f'<div class="detail-body photos">{f"<p>{opening}</p>" if page == 1 else ""}</div></div>'
            f'<div class="fly-panel detail-box" id="flyReply"><fieldset><legend>回帖</legend></fieldset>'
            f'<ul class="jieda">{rows}</ul><ul class="pagination">{pager}</ul></div></div>'
            f'<div class="layui-col-md4"><dl class="fly-panel fly-list-one"><dt>热门回复</dt>{hot}</dl></div></div></div>'
            f'<div class="fly-footer">Copyright © 2018 startbbs.com</div></body></html>')
    return html, url


def learnt() -> SiteTemplate:
    """The site template as a crawl learns it: from first pages and later pages of several topics."""
    return SiteTemplate.learn([topic_page(7, 1, 22), topic_page(8, 1, 11), topic_page(9, 1, 2), topic_page(7, 2, 22)])


def test_a_constant_in_the_post_id_place_is_no_post_id():
    html, url = topic_page(7, 2, 22)
    page = extract(html, url, template=learnt())
    assert [p.text for p in page.posts] == [r[2] for r in replies(7, 22)[9:19]]
    assert [p.post_id for p in page.posts] == [None] * 10


def test_the_same_post_shown_twice_keeps_its_id():
    twice = [Post(position=1, text="a reply", post_id="41"), Post(position=2, text="a reply", post_id="41"),
             Post(position=3, text="another reply", post_id="42")]
    assert [p.post_id for p in without_shared_ids(twice)] == ["41", "41", "42"]
    shared = [Post(position=1, text="one", post_id="111"), Post(position=2, text="two", post_id="111"),
              Post(position=3, text="three", post_id="9")]
    assert [p.post_id for p in without_shared_ids(shared)] == [None, None, "9"]


def test_the_topic_header_box_on_a_later_page_is_no_post():
    template = learnt()
    for tid, page, count in ((7, 3, 22), (8, 2, 11)):
        html, url = topic_page(tid, page, count)
        got = extract(html, url, template=template)
        assert got.kind == "thread"
        want = replies(tid, count)[page * PER_PAGE - PER_PAGE - 1:]
        assert [p.text for p in got.posts] == [r[2] for r in want], url
        assert [p.author for p in got.posts] == [r[0] for r in want]
        assert [p.position for p in got.posts] == list(range(1, len(want) + 1))


def test_the_opening_post_with_its_text_stays():
    html, url = topic_page(9, 1, 2)
    page = extract(html, url, template=learnt())
    assert [(p.author, p.text) for p in page.posts] == [("王小明", TOPICS[9][1])] + [(r[0], r[2]) for r in replies(9, 2)]


def test_a_post_reading_only_the_title_stays():
    title = TOPICS[7][0]
    posts = [Post(position=1, text=title), Post(position=2, text="a reply below")]
    assert len(without_bare_headers(posts, title)) == 2    # (no counters: a post that repeats the title)
    posts = [Post(position=1, text=f"{title}\n\ue60c 23\n\ue60b 24"), Post(position=2, text="a reply below")]
    assert [(p.position, p.text) for p in without_bare_headers(posts, title)] == [(1, "a reply below")]
