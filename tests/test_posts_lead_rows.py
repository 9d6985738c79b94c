"""An opening post laid out as sibling rows above a list of replies (HadSky 5.5; issue 9).

The topic's author and title are in one row, its text in the next, its date in a third, and
the replies below are repeated blocks each holding author, text and date. No single element
of the topic carries both prose and a date, so it was no post: the thread lost its opening
post (only the home page's list of topics showed it). The run of rows around the text row,
named by a profile link and dated, is now post 1; a page of the site's footer ("your IP,
<date>") after the replies does not widen the replies' container up to the page's body.
A topic without replies is found by its first row's place, learnt from topics with replies;
its text row stays its body when the text quotes a date. Replies newest first whose floors
run down to the first reply end the thread: no "load more" page is guessed past them.
"""
from datetime import datetime, timezone

from extractor import SiteTemplate, extract

NOW = datetime(2026, 12, 5, 8, 30, tzinfo=timezone.utc)
BASE = "http://bbs.example.cn"
NAMES = ["王小明", "lihua", "张丽", "marta", "陈伟"]
TEXTS = ["说实话，早上六点出发人比较少，换了一个牌子以后好多了。每天坚持半小时效果明显。",
         "有不同看法，周边的小店味道也不错，最好提前一天准备好东西。书店里能找到旧版本。",
         "顺便问一句，记得多带一瓶水，第一次失败很正常。换了一个牌子以后好多了。",
         "我觉得，关键是要有耐心慢慢来，最好提前一天准备好东西。每天坚持半小时效果明显。"]
TOPIC = "补充一点，书店里能找到旧版本，第一次失败很正常。别忘了做好笔记。"


def reply(tid: int, floor: int) -> str:
    uid = (tid + floor) % 5
    return (f"<div id='replydivbox-{tid * 100 + floor}' class='pk-row pk-padding-top-15'>"
            f"<div class='pk-w-md-1'><img src='userhead/{uid}.png' alt='{NAMES[uid]}'>"
            f"<div class='pk-badge'>{floor}F</div></div>"
            f"<div class='pk-w-md-11'><div class='pk-text-truncate pk-text-xs'>"
            f"<a href='index.php?c=user&id={uid}&page=1'>{NAMES[uid]}</a><span>Lv0</span></div>"
            f"<div class='replycontent pk-text-xs'><p>{TEXTS[floor % 4]}（第{tid}帖第{floor}楼）</p></div>"
            f"<div class='pk-row'><div class='pk-text-right'><a href='javascript:'>0</a>&nbsp; 刚刚&nbsp;"
            f"<a href='#postreplyposition'>回复</a></div></div></div></div>")


def thread_page(tid: int, replies: int, text: str = TOPIC, lowest: int = 2) -> str:
    floors = range(replies + lowest - 1, lowest - 1, -1)      # newest first
    return ("<html><head><title>话题 - Powered by HadSky</title></head><body>"
            "<div class='newstyle4-nav'><ul><li><a href='index.php?c=home'>首页</a></li>"
            "<li><a href='index.php?c=forum'>版块</a></li></ul></div>"
            "<div id='mainbody' class='pk-container'><div id='pk-body-left' class='pk-radius-2'>"
            "<div class='pk-row pk-padding-top-10 pk-text-md'><div class='pk-w-md-1'>"
            f"<img src='userhead/1.png' alt='{NAMES[tid % 5]}'></div><div class='pk-w-md-11'>"
            f"<div class='pk-text-truncate pk-text-xs'><a href='index.php?c=user&id=1&page=1'>{NAMES[tid % 5]}</a>"
            f"<span>Lv0</span></div><div class='pk-text-md'>话题{tid}的标题</div></div></div>"
            f"<div class='pk-row'><div class='readcontent pk-w-sm-12'><p>{text}（第{tid}帖第1楼）</p></div></div>"
            "<div class='pk-row'><div class='pk-text-right pk-text-xs'><a href='javascript:'>0</a>"
            "&nbsp;&nbsp;已被阅读了3次&nbsp;&nbsp;楼主&nbsp;2026-12-05 08:15:34</div></div>"
            "<a name='replylist'></a><div class='pk-row pk-text-xs'><div class='pk-w-sm-3'>回复列表</div>"
            f"<div class='pk-w-sm-9'><a href='index.php?c=read&id={tid}&page=1&desc=0'>正序</a></div></div>"
            f"<div id='read-list'><div>{''.join(reply(tid, f) for f in floors)}</div></div>"
            "<button id='loadmore' type='button'>加载更多 »</button></div></div>"
            "<div class='pk-container pk-text-center pk-text-xs'>"
            "<div class='pk-row'>您的IP:127.0.0.1,2026-12-05 08:16:16,Processed in 0.00565 second(s).</div>"
            "<div class='pk-row'>免责声明: 本网不承担任何由内容提供商提供的信息所引起的争议和法律责任。</div></div>"
            "<script>var $loadpage = parseInt(\"1\") + 1;"
            f"$('#saveloadhtml').load(\"index.php?c=read&id={tid}&page=\" + $loadpage);</script>"
            "</body></html>")


def url(tid: int) -> str:
    return f"{BASE}/index.php?c=read&id={tid}&page=1"


def learnt() -> SiteTemplate:
    return SiteTemplate.learn([(thread_page(t, 4), url(t)) for t in (1, 2, 3)])


def test_the_topic_laid_out_as_rows_is_post_1():
    p = extract(thread_page(4, 4), url(4), now=NOW)
    assert p.kind == "thread"
    assert [post.author for post in p.posts] == [NAMES[4]] + [NAMES[(4 + f) % 5] for f in (5, 4, 3, 2)]
    assert p.posts[0].text == f"{TOPIC}（第4帖第1楼）"
    assert p.posts[0].published == datetime(2026, 12, 5, 8, 15, 34)


def test_a_topic_with_two_replies_keeps_its_post_1_beside_the_page_footer():
    p = extract(thread_page(6, 2), url(6), now=NOW, template=learnt())
    assert [post.text for post in p.posts][0] == f"{TOPIC}（第6帖第1楼）"
    assert len(p.posts) == 3


def test_a_topic_without_replies_is_a_thread_of_its_one_post():
    dated = "去年的活动在2018年03月14日举行，这次我们换了一个地方，大家提前一天准备好东西。"
    p = extract(thread_page(7, 0, dated), url(7), now=NOW, template=learnt())
    assert p.kind == "thread"
    assert [(post.author, post.text) for post in p.posts] == [(NAMES[2], f"{dated}（第7帖第1楼）")]


def test_replies_newest_first_down_to_the_first_one_end_the_thread():
    assert extract(thread_page(8, 4), url(8), now=NOW).next_page_url is None
    # a page of the newest ten replies of 22 (floors 23 down to 14): the "load more" script's next page
    first = extract(thread_page(9, 10, lowest=14), url(9), now=NOW)
    assert first.next_page_url == f"{BASE}/index.php?c=read&id=9&page=2"


def test_a_topic_alone_has_no_more_replies_to_load():
    p = extract(thread_page(7, 0), url(7), now=NOW, template=learnt())
    assert len(p.posts) == 1 and p.next_page_url is None
