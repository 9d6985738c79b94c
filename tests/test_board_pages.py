"""Board and list pages are listings with their entries, not articles, threads or "other".

Each page here is written for the failure class it shows (issue 8): a board with
two threads, short Chinese titles, a forum index split into categories, the last
page of a board holding one thread, board rows whose reply counts and dates the
post finder takes for posts, reply counts printed after a label. The guards at
the end check that threads with short posts stay threads.
"""
from datetime import datetime, timezone

import lxml.html

from extractor import extract
from extractor.dom import number, strip_invisible
from extractor.listing import find_entries, find_listing, posts_are_rows
from extractor.model import Post

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc)


def page(html: str, url: str):
    return extract(html, url, now=NOW)


def dom_of(html: str):
    root = lxml.html.document_fromstring(html)
    strip_invisible(root)
    return number(root)


def chrome(title: str, body: str) -> str:
    return (f"<html><head><title>{title} - 示例论坛</title></head><body>"
            f"<div class='top'><a href='/'>示例论坛</a> <a href='/login'>登录</a> <a href='/search'>搜索</a></div>"
            f"{body}<div class='foot'><a href='/about'>关于我们</a> <a href='/help'>帮助</a></div></body></html>")


# -- few entries, CJK titles ----------------------------------------------------------------------

TWO_THREADS_ZH = chrome("闲聊", """<h1>闲聊</h1>
<table class="topics">
 <tr class="topic"><td class="t"><a href="/thread/11">周末去爬山</a><span class="by">作者 <a href="/space/3">小王</a></span></td>
   <td class="n">回复 4</td><td class="last">2024-05-03 18:20</td></tr>
 <tr class="topic"><td class="t"><a href="/thread/12">推荐几本书</a><span class="by">作者 <a href="/space/8">阿明</a></span></td>
   <td class="n">回复 17</td><td class="last">2024-04-28 09:05</td></tr>
</table>""")


def test_board_with_two_chinese_threads_is_a_listing():
    result = page(TWO_THREADS_ZH, "https://bbs.example.cn/forum/7")
    assert result.kind == "listing"
    assert [e.url for e in result.entries] == ["https://bbs.example.cn/thread/11", "https://bbs.example.cn/thread/12"]
    assert [e.title for e in result.entries] == ["周末去爬山", "推荐几本书"]
    assert [e.replies for e in result.entries] == [4, 17]
    assert result.entries[0].published == datetime(2024, 5, 3, 18, 20)


def test_two_undated_links_are_no_listing():
    """Two rows of bare links (a footer's pair of menus) say nothing about being entries."""
    html = chrome("关于", "<h1>关于</h1><ul class='m'><li class='i'><a href='/a'>联系我们吧</a></li>"
                          "<li class='i'><a href='/b'>加入我们吧</a></li></ul>")
    assert find_entries(dom_of(html), "https://bbs.example.cn/about", now=NOW) == []


# -- a forum index: boards in categories, short Chinese names ----------------------------------------

def board_row(href: str, name: str, desc: str, topics: int, posts: int, last: str) -> str:
    return (f"<div class='forum-row'><div class='name'><a class='forum-link' href='{href}'>{name}</a>"
            f"<p class='desc'>{desc}</p></div><div class='cnt topics'>{topics}</div><div class='cnt posts'>{posts}</div>"
            f"<div class='last'>By: <a href='/member/profile/2/'>lin</a><br><small>{last}</small></div></div>")


INDEX_SECTIONS = chrome("首页", "<h1>示例论坛</h1>" + "".join(
    f"<section class='category'><h2>{cat}</h2><div class='forums'>{rows}</div></section>" for cat, rows in [
        ("生活", board_row("/forum/1/", "闲聊", "什么都可以聊。", 12, 230, "2024-05-30 20:01")
         + board_row("/forum/2/", "美食天地", "做饭和下馆子。", 4, 51, "2024-05-29 07:45")),
        ("技术", board_row("/forum/3/", "编程", "Python、Go 和别的语言。", 30, 402, "2024-05-31 11:12")),
        ("站务", board_row("/forum/4/", "公告", "论坛的新闻。", 2, 9, "2024-01-02 10:00")),
    ]))


def test_forum_index_in_categories_lists_every_board():
    result = page(INDEX_SECTIONS, "https://bbs.example.cn/")
    assert result.kind == "listing"
    assert [e.url.rsplit("/", 2)[1] for e in result.entries] == ["1", "2", "3", "4"]
    assert [e.title for e in result.entries] == ["闲聊", "美食天地", "编程", "公告"]


TWO_BOARDS_EN = ("<html><head><title>Forum index</title></head><body><nav class='navbar'><a href='/'>Test Forum</a>"
                 "<a href='/search/'>Search</a></nav><h1>Forum index</h1><div class='card forumlist'>"
                 "<div class='card-header'><span>Forums</span><span>Topics</span><span>Posts</span><span>Last post</span></div>"
                 "<div class='card-body'>"
                 + board_row("/forum/general-1/", "General Discussion", "Anything at all, in English.", 3, 56,
                             "March 14, 2024, 9:54 p.m.")
                 + board_row("/forum/local-2/", "本地新闻", "本地的新闻和活动。", 2, 31, "Oct. 3, 2023, 3:10 p.m.")
                 + "</div></div></body></html>")


def test_forum_index_with_two_boards_is_a_listing_not_a_thread():
    """Each board row has a description, counts, a member link and a date, as a post has."""
    result = page(TWO_BOARDS_EN, "https://forum.example.org/")
    assert result.kind == "listing"
    assert result.posts == []
    assert [e.url for e in result.entries] == ["https://forum.example.org/forum/general-1/",
                                               "https://forum.example.org/forum/local-2/"]
    assert result.entries[0].excerpt == "Anything at all, in English."
    assert result.entries[0].published == datetime(2024, 3, 14, 21, 54)


# -- board rows taken for posts --------------------------------------------------------------------

def thread_item(n: int, title: str, replies: int, when: str) -> str:
    return (f"<li class='item'><div class='starter'><a href='/u/user{n}/{n}/' title='user{n}'><img src='/a.png' alt=''></a></div>"
            f"<div class='right'><div class='top'><a class='item-title' href='/t/{n}-slug/'>{title}</a></div>"
            f"<div class='bottom'><div class='by'><a href='/u/user{n}/{n}/'><img src='/a.png' alt=''></a></div>"
            f"<div class='meta'><span class='count' title='{replies} replies'><span class='material-icons'>mode_comment_outline</span> {replies}</span>"
            f"<a class='activity' href='/t/{n}-slug/last/' title='{when}'>{when}</a></div></div></div></li>")


ROWS_LIKE_POSTS = ("<html><head><title>Cycling - Club</title></head><body><nav><a href='/'>Club</a></nav>"
                   "<div class='header'><h1>Cycling</h1></div><ul class='threads'>"
                   + thread_item(1, "Weekly group ride log", 47, "Jan. 20, 2024")
                   + thread_item(2, "Best saddle for long rides", 5, "March 14, 2024")
                   + thread_item(3, "Tandem wiring diagram wanted", 2, "July 4, 2023")
                   + "</ul></body></html>")


def test_board_rows_with_dates_and_authors_are_not_a_thread():
    result = page(ROWS_LIKE_POSTS, "https://club.example.com/c/cycling/3/")
    assert result.kind == "listing"
    assert result.posts == []
    assert [e.url for e in result.entries] == [f"https://club.example.com/t/{n}-slug/" for n in (1, 2, 3)]
    assert [e.replies for e in result.entries] == [47, 5, 2]
    assert result.entries[1].published == datetime(2024, 3, 14)


def test_two_board_rows_with_dates_and_authors_are_not_a_thread():
    html = ROWS_LIKE_POSTS.replace(thread_item(3, "Tandem wiring diagram wanted", 2, "July 4, 2023"), "")
    result = page(html, "https://club.example.com/c/cycling/3/")
    assert result.kind == "listing"
    assert len(result.entries) == 2


def test_posts_inside_rows_are_rows_but_posts_beside_rows_are_not():
    dom = dom_of(ROWS_LIKE_POSTS)
    listing = find_listing(dom, "https://club.example.com/c/cycling/3/", now=NOW)
    assert len(listing.rows) == 3
    inside = [Post(position=i + 1, text="mode_comment_outline") for i in range(3)]
    assert posts_are_rows(dom, listing, inside)
    elsewhere = [Post(position=i + 1, text=f"I rode {i} km today along the canal.") for i in range(3)]
    assert not posts_are_rows(dom, listing, elsewhere)
    assert not posts_are_rows(dom, listing, inside * 3)   # far more posts than rows


# -- the last page of a board: one thread ------------------------------------------------------------

LAST_PAGE = ("<html><head><title>Repairs - Page 3 - Bike Forum</title></head><body><div id='nav'><a href='/'>Forum</a> "
             "<a href='/faq'>FAQ</a></div><h1>Repairs</h1><div class='pagination'><a href='/f/2?page=2' rel='prev'>Previous</a> "
             "<a href='/f/2'>1</a> <a href='/f/2?page=2'>2</a> <strong>3</strong></div>"
             "<div class='threads'><div class='thread'><div class='main'><a href='/t/88-old-hub'>Rebuilding an old hub</a>"
             "<div class='minor'><a href='/members/ann.4/'>ann</a> <time datetime='2024-02-01T10:00:00+00:00'>Feb 1, 2024</time></div></div>"
             "<dl class='pairs'><dt>Replies</dt><dd>6</dd></dl><dl class='pairs'><dt>Views</dt><dd>310</dd></dl>"
             "<div class='latest'><time datetime='2024-02-09T18:30:00+00:00'>Feb 9, 2024</time></div></div></div>"
             "</body></html>")


def test_last_board_page_with_one_thread_is_a_listing():
    result = page(LAST_PAGE, "https://bikes.example/f/2?page=3")
    assert result.kind == "listing"
    assert [e.url for e in result.entries] == ["https://bikes.example/t/88-old-hub"]
    assert result.entries[0].replies == 6
    assert result.entries[0].published == datetime(2024, 2, 9, 18, 30, tzinfo=timezone.utc)


def test_one_row_without_a_reply_count_is_no_listing():
    html = LAST_PAGE.replace("<dt>Replies</dt><dd>6</dd>", "<dt>Rating</dt><dd>good</dd>")
    result = page(html, "https://bikes.example/f/2?page=3")
    assert result.kind != "listing"
    assert result.entries == []


def test_article_with_one_related_row_is_an_article_without_entries():
    prose = "".join(f"<p>Paragraph {i} of a long story about the harbour and the boats that left it in winter, "
                    f"told slowly and with many details about the people on board.</p>" for i in range(6))
    html = ("<html><head><title>Harbour story</title></head><body><article><h1>The harbour in winter</h1>"
            f"{prose}</article><div class='related'><div class='item'><a href='/news/2'>Boats return in spring</a>"
            "<span>May 2, 2024</span><span>3 comments</span></div></div></body></html>")
    result = page(html, "https://news.example.com/news/1")
    assert result.kind == "article"
    assert result.entries == []


# -- reply counts after a label ------------------------------------------------------------------------

def test_reply_count_after_a_label():
    rows = "".join(
        f"<li class='threadbit'><h3><a class='title' href='/showthread.php?t={n}'>Thread number {n} about tyres</a></h3>"
        f"<span class='meta'>Started by <a href='/member.php?u={n}'>u{n}</a>, 05-0{n}-2024</span>"
        f"<ul class='stats'><li>Replies: <a href='/misc.php?do=whoposted&t={n}'>{n * 2}</a></li><li>Views: {n * 50}</li></ul></li>"
        for n in (1, 2, 3))
    html = f"<html><body><h1>Tyres</h1><ol class='threads'>{rows}</ol></body></html>"
    found = find_entries(dom_of(html), "https://vb.example/forumdisplay.php?f=3", now=NOW)
    assert [e.replies for e in found] == [2, 4, 6]


# -- guards: threads with short posts stay threads ---------------------------------------------------------

def short_post(n: int, author: str, text: str) -> str:
    return (f"<div class='post' id='post{n}'><div class='author'><a href='/member/{author}'>{author}</a></div>"
            f"<div class='date'>2024-05-0{n} 1{n}:00</div><div class='body'>{text}</div>"
            f"<a class='btn' href='/reply?quote={n}'>Quote</a></div>")


SHORT_THREAD = ("<html><head><title>Selling my old bike - Forum</title></head><body><h1>Selling my old bike</h1>"
                "<div class='posts'>"
                + short_post(1, "ann", "Anyone want it? Fifty pounds, collection only from the station car park.")
                + short_post(2, "bob", "+1")
                + short_post(3, "cai", "同意")
                + short_post(4, "dan", "ok thanks")
                + "</div><div class='similar'><h3>Similar threads</h3><ul>"
                + "".join(f"<li class='row'><a href='/t/{n}'>Old bike for sale number {n}</a> <span>2024-04-0{n}</span> "
                          f"<span class='replies'>{n}</span></li>" for n in (1, 2, 3))
                + "</ul></div></body></html>")


def test_thread_of_short_posts_beside_a_thread_list_stays_a_thread():
    result = page(SHORT_THREAD, "https://forum.example.org/t/99")
    assert result.kind == "thread"
    assert [p.text for p in result.posts][1:] == ["+1", "同意", "ok thanks"]


def test_two_page_columns_are_no_listing():
    """A main column and a side column share a class once digits are stripped (col-9, col-3)
    and each shows a link and a date: page sections, not two rows."""
    side = "".join(f"<li><a href='/q/{n}'>Popular question number {n} here</a></li>" for n in range(5))
    html = ("<html><head><title>How do I move my site?</title></head><body><div class='wrap'><div class='cols'>"
            "<div class='col-9'><a href='/questions/'>All questions</a><h1>How do I move my site?</h1>"
            "<span>asked July 26, 2018</span><p>Is there a way to move everything to another host?</p>"
            "<span class='replies'>0</span></div>"
            f"<div class='col-3'><h3>Popular</h3><ul>{side}</ul><span>updated 3 days ago</span></div>"
            "</div></div></body></html>")
    result = page(html, "https://qa.example.net/q/77")
    assert result.kind != "listing"
    assert len(result.entries) != 2


# -- sticky threads above the others, rows named only by their ids ------------------------------------

def id_row(kind: str, n: int, title: str, replies: int) -> str:
    return (f"<tbody id='{kind}_{n}'><tr><th><a href='/viewthread?tid={n}'>{title}</a></th>"
            f"<td><cite><a href='/space?uid={n}'>u{n}</a></cite><em>2024-5-{n} 10:00</em></td>"
            f"<td>{replies} 回复</td></tr></tbody>")


STICKY_BOARD = ("<html><head><title>灌水区 - 论坛</title></head><body><div id='hd'><a href='/'>论坛</a></div>"
                "<h1>灌水区</h1><table id='threadlist'>"
                + id_row("stickthread", 1, "版规：发帖前请先阅读", 0)
                + "<tbody id='separatorline'><tr><td>版块主题</td></tr></tbody>"
                + id_row("normalthread", 2, "今天天气真不错啊", 5)
                + id_row("normalthread", 3, "有人一起去看电影吗", 12)
                + id_row("normalthread", 4, "推荐一家好吃的面馆", 3)
                + "</table></body></html>")


def test_sticky_and_normal_rows_named_by_ids_are_one_listing():
    """Rows whose only name is an id, a different one for sticky threads, and a title that
    opens with a relative day."""
    result = page(STICKY_BOARD, "https://bbs.example.cn/forumdisplay?fid=2")
    assert result.kind == "listing"
    assert [e.url.rsplit("=", 1)[1] for e in result.entries] == ["1", "2", "3", "4"]
    assert [e.replies for e in result.entries] == [0, 5, 12, 3]
    # a title opening with "今天" (today) is a title, not the row's date
    assert result.entries[1].title == "今天天气真不错啊"
    assert result.entries[1].published == datetime(2024, 5, 2, 10, 0)


LAST_BOARD_PAGE = """<html><head><title>Test forum</title></head><body><div id="pun">
<div id="brdheader"><h1><a href="/index.php">Example board</a></h1><div id="brddesc">A forum for testing the crawler</div></div>
<div id="brdmenu"><ul><li><a href="/index.php">Index</a></li><li><a href="/register.php">Register</a></li></ul></div>
<div id="announce"><p>You are not logged in. <a href="/search.php?action=show_unanswered">Unanswered</a></p></div>
<div id="brdmain"><table><thead><tr><th>Topic</th><th>Replies</th><th>Views</th><th>Last post</th></tr></thead>
<tbody><tr class="rowodd"><td class="tcl"><a href="/viewtopic.php?id=1">Test topic</a> <span>by admin</span></td>
<td class="tc2">3</td><td class="tc3">40</td><td class="tcr"><a href="/viewtopic.php?id=1#p9">2024-05-03 07:41:12</a> by bob</td></tr>
</tbody></table></div>
<div id="brdfooter"><a href="/extern.php?action=feed&amp;fid=1&amp;type=atom">Atom forum feed</a> Powered by an engine</div>
</div></body></html>"""


def test_the_last_page_of_a_board_lists_its_one_topic():
    """FluxBB: a board's last page with one topic row. The header, menu, notice and footer, each a
    link beside some text, are no listing (their links lead to four kinds of page); the row is
    the one entry, its bare reply count read from its column's "Replies" header."""
    result = page(LAST_BOARD_PAGE, "https://f.example/viewforum.php?id=1&p=3")
    assert [(e.url, e.title, e.replies) for e in result.entries] == [
        ("https://f.example/viewtopic.php?id=1", "Test topic", 3)]

