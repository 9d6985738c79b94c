"""A thread page whose posts are grid rows: the author's column beside the post's text column
(``div.row > div.col-xs-2 + div.col-xs-10``, a Bootstrap layout: OpenSNS's forum on ThinkPHP), under
the board's header box, itself a grid row whose column holds the board's description.

Once the site template knows the post element (the row, learnt from its threads), a page whose
generic reading picked the text columns (and the header's column beside them) read no author and
the board's description as a post; the columns rise to the rows that hold them, one to a row.
Without a template (the pages a template learns from), the board's header column is no post: it
lies outside the element that holds the dated columns.
"""
from extractor import extract
from extractor.template import SiteTemplate

_BITS = ["早上六点出发人比较少", "最好提前一天准备好东西", "价格其实没有想象中那么贵", "朋友推荐的方法很管用",
         "网上的教程大多说得太简单", "关键是要有耐心慢慢来", "天气不好的时候就别勉强了", "换了一个牌子以后好多了"]
NAMES = ["王小明", "lihua", "陈伟", "marta", "张丽", "admin"]
BOARD = "浑身发抖活动方式 发的撒健康福简单覆盖给艰苦奋斗是就是的撒伐，版块的介绍写在这里，每个帖子页都显示"


def posts(tid: int, count: int) -> list[tuple[str, str, str]]:
    return [(NAMES[(tid + n) % 6], f"2024-05-0{tid % 9 + 1} {10 + n % 12}:{10 + n}",
             f"{_BITS[(n + tid) % 8]}，{_BITS[(n + 3) % 8]}。{_BITS[(n + 5 + tid) % 8]}。（第{tid}帖第{n + 1}楼）")
            for n in range(count)]


def _row(n: int, name: str, when: str, text: str) -> str:
    uid = 100 + NAMES.index(name)
    link = f'<a ucard="{uid}" href="/index.php?s=/ucenter/index/index/uid/{uid}.html">'
    return (f'<div class="row" style="position: relative"><a id="{n + 40}"></a>'
            f'<div class="col-xs-2"><p class="text-center">{link}<img src="/avatar.jpg" class="avatar-img"/></a></p>'
            f'<p class="text-center">{link}{name}</a></p><p class="text-center">&nbsp;</p></div>'
            f'<div class="col-xs-10"><div class="post_content"><div style="padding: 15px"></div>'
            f'<div class="popup-gallery"><p>{text}</p></div><br/></div>'
            f'<p class="pull-right text-muted">{n + 1}楼 发表于 {when} '
            f'<a href="javascript:" onclick="toast.error(\'请先登录！\');">回复(0)</a></p>'
            f'<div class="clearfix"></div></div></div><hr class="post_line"/>')


def _opening(tid: int, name: str, when: str, text: str) -> str:
    uid = 100 + NAMES.index(name)
    link = f'<a href="/index.php?s=/ucenter/index/index/uid/{uid}.html" ucard="{uid}">'
    primary = f'<a href="/index.php?s=/ucenter/index/index/uid/{uid}.html" ucard="{uid}" class="text-primary">'
    return (f'<div class="row" style="position: relative"><div class="forum_left_operation"><div class="btn-group">'
            f'<a title="收藏本帖" class="btn" href="/index.php?s=/forum/index/dobookmark/post_id/{tid}.html"><i></i></a>'
            f'</div></div><div class="col-xs-2"><p>{link}<img src="/avatar.jpg" class="avatar-img"/></a></p>'
            f'<p class="text-center">{link}{name}</a></p><p class="text-center">&nbsp;</p></div>'
            f'<div class="col-xs-10"><div class="row"><div style="position: relative"><a class="ribbion-green">楼主</a>'
            f'<div class="col-xs-12 post_title"><h2>帖子{tid}</h2><div class="small sub_title">'
            f'{primary}{name}</a> {when} 发表在'
            f'<a href="/index.php?s=/forum/index/forum/id/1.html">【生活闲聊】</a></div></div></div></div>'
            f'<div class="col-xs-12 main_content"><div class="popup-gallery"><p>{text}</p></div></div>'
            f'<div><div class="bdsharebuttonbox"><a href="#" class="bds_more" data-cmd="more"></a></div></div></div></div>'
            f'<hr class="post_line"/>')


def thread_page(tid: int, count: int, board: str = BOARD) -> tuple[str, str]:
    url = f"http://sns.example/index.php?s=/forum/index/detail/id/{tid}.html"
    first, *rest = posts(tid, count)
    rows = _opening(tid, *first) + "".join(_row(n + 1, *p) for n, p in enumerate(rest))
    html = (f"<html><head><title>帖子{tid} - 论坛 - OpenSNS</title></head><body>"
            '<div class="navbar"><a href="/index.php?s=/home/index/index.html">首页</a> '
            '<a href="/index.php?s=/forum/index/index.html">论坛</a> '
            '<a href="/index.php?s=/ucenter/member/login.html">登录</a></div>'
            '<div id="main-container"><div class="container common-block">'
            '<div class="forum-header row"><div class="content-block"><div class="title">'
            '<a href="/index.php?s=/forum/index/forum/id/1.html">生活闲聊</a></div>'
            f'<div class="row"><div class="col-xs-8"><div class="summary">{board}</div>'
            f'<div class="count">主题总数：{tid} &nbsp; 帖子总数：{count * 3}</div></div>'
            '<div class="col-xs-3 text-right"><button class="btn">关注</button></div></div></div></div>'
            '<div class="col-xs-9"><div class="container-fluid"><div class="clearfix post_content">'
            f'<div class="col-xs-12">{rows}</div></div></div></div>'
            '<div class="col-xs-3"><div class="hot">热门帖子 <a href="/index.php?s=/forum/index/detail/id/3.html">周末去哪里爬山</a></div></div>'
            '</div></div><div class="footer">Powered by OpenSNS</div></body></html>')
    return html, url


ROW = "html/body/div/div.common-block.container/div.col-xs-/div.container-fluid/div.clearfix.post_content/div.col-xs-/div.row"


def _template() -> SiteTemplate:
    """The site template as the crawl of the real engine learnt it: its furniture from four thread
    pages, and the grid row as the post element (from thread pages read right)."""
    learned = SiteTemplate.learn([(*thread_page(tid, n), tid) for tid, n in ((3, 12), (4, 17), (5, 23), (6, 6))])
    return SiteTemplate(keys=learned.keys, pages=learned.pages, post_units=frozenset({ROW}))


def test_text_columns_rise_to_the_known_post_rows() -> None:
    """The page of five posts read the text columns and the header's column: the board's description
    as a first post, and no author (the author column lies beside the text column, in the row)."""
    template = _template()
    for tid, count in ((9, 5), (7, 9), (8, 6), (2, 11), (3, 1), (4, 2)):
        html, url = thread_page(tid, count)
        page = extract(html, url, template=template)
        truth = posts(tid, count)
        assert page.kind == "thread"
        assert [p.text for p in page.posts] == [t for _, _, t in truth], (tid, [p.text[:20] for p in page.posts])
        assert [p.author for p in page.posts] == [a for a, _, _ in truth], tid
        assert [p.published_raw for p in page.posts] == [w for _, w, _ in truth], tid


def test_board_header_is_no_post_without_a_template() -> None:
    """Without a site template (the pages a template is learnt from are read so): the board's header
    column shares the grid class of the posts' text columns and has a post's amount of text, but it
    lies outside the element holding the dated columns; taken as an undated post it kept the columns
    from rising to their rows (no author on any post, the description read as a first post), and
    the crawler learnt the text column as the site's post element."""
    for tid, count in ((1, 3), (2, 5), (4, 6), (7, 7), (8, 4)):
        html, url = thread_page(tid, count)
        page = extract(html, url)
        truth = posts(tid, count)
        assert [p.text for p in page.posts] == [t for _, _, t in truth], (tid, [p.text[:20] for p in page.posts])
        assert [p.author for p in page.posts] == [a for a, _, _ in truth], tid


def test_a_count_and_the_name_after_it_are_no_date() -> None:
    """The board header's count ("帖子总数：27") followed by the first post's writer "marta": read as
    one text they made "27 mar", a date, and the header a dated post of its own."""
    for tid, count in ((3, 9), (9, 9), (3, 12), (9, 11)):
        html, url = thread_page(tid, count)
        assert posts(tid, count)[0][0] == "marta"
        page = extract(html, url)
        assert [p.author for p in page.posts] == [a for a, _, _ in posts(tid, count)], (tid, count)


def test_date_labels_are_read_one_at_a_time() -> None:
    """The page's short texts are scanned joined by newlines: a date is read within one of them
    (a writer's name ending in a digit before "1h ago" made the name the dated label)."""
    from extractor.dom import number
    from extractor.parse import parse
    from extractor.units import date_flags

    root, _ = parse("<html><body><div>共 34</div><div>marta</div><div>Posts: 12</div><div>may_b</div>"
                    "<div>user7</div><div>1周前</div><div>3</div><div>years ago</div>"
                    "<div>5 Mar 2024</div><div>昨天 12:30</div><div>u0</div><div>1h ago</div>"
                    "<div>14d ago</div><div>7.6 years ago</div></body></html>")
    dom = number(root)
    flags = date_flags(dom)
    dated = [dom.own_text[i] for i in range(len(dom)) if flags[i]]
    assert dated == ["1周前", "5 Mar 2024", "昨天 12:30", "1h ago", "14d ago", "7.6 years ago"]
