"""A board page listing one topic, a thread page showing one post, and a board's next page (issue 8).

A lone row is a listing's entry when its texts are no longer than its title (a post's text
is). A board row also carries a byline ("Started by Margaret Holloway") that may be longer
than a short title: such a row is an entry when it stands under the board's column headers
("Subject / Started by | Replies / Views | Last post"), labels a thread's post never has
above it. And a row's own links ("1 2 3" pages of its topic, a reply count linking the
topic) are no pager of the board: the board's next page is in the board's pager.
"""
from datetime import datetime, timezone

from extractor import extract
from extractor.listing import _column_headers

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc)
BYLINE = "Started by Margaret Holloway"


def page(html: str, url: str):
    return extract(html, url, now=NOW)


def chrome(title: str, body: str) -> str:
    return (f"<html><head><title>{title} - Garden Shed</title></head><body>"
            "<div id='top'><a href='/index.php'>Garden Shed</a> <a href='/index.php?action=search'>Search</a> "
            "<a href='/index.php?action=help'>Help</a></div>"
            f"<div id='content'>{body}</div>"
            "<div id='foot'><a href='/index.php?action=rules'>Terms and rules</a> Powered by a forum engine</div>"
            "</body></html>")


def board_row(topic: int, title: str, byline: str = BYLINE, pages: str = "") -> str:
    return (f"<div class='row'><div class='subject'><span><a href='/index.php?topic={topic}.0'>{title}</a></span>"
            f"{pages}<p>{byline}</p></div>"
            f"<div class='stats'><p>Replies: {topic % 3}<br>Views: {topic * 7}</p></div>"
            f"<div class='latest'><p><a href='/index.php?topic={topic}.0#msg{topic * 9}'>May 0{topic % 9 + 1}, 2024, 06:20 PM</a>"
            f"<br>by Margaret Holloway</p></div></div>")


HEADERS = ("<div class='heads'><div class='subject'><a href='/index.php?board=4.0;sort=subject'>Subject</a> / "
           "<a href='/index.php?board=4.0;sort=starter'>Started by</a></div>"
           "<div class='stats'><a href='/index.php?board=4.0;sort=replies'>Replies</a> / "
           "<a href='/index.php?board=4.0;sort=views'>Views</a></div>"
           "<div class='latest'><a href='/index.php?board=4.0;sort=last_post'>Last post</a></div></div>")


def board(rows: str, pager: str = "<span class='pages'>Pages</span><span class='current'>1</span>",
          headers: str = HEADERS) -> str:
    return chrome("Workshop", "<h2>Workshop</h2><p>Hand tools and their care.</p>"
                              f"<div class='pagelinks'>{pager}</div>"
                              f"<div id='topics'>{headers}<div id='rows'>{rows}</div></div>"
                              f"<div class='pagelinks'>{pager}</div>")


# -- one topic on a board, its byline longer than its title ----------------------------------------------

def test_a_board_of_one_topic_with_a_byline_lists_it():
    result = page(board(board_row(7, "Oiling a saw")), "https://shed.example/index.php?board=4.0")
    assert result.kind == "listing"
    assert [(e.url, e.title, e.replies) for e in result.entries] == [
        ("https://shed.example/index.php?topic=7.0", "Oiling a saw", 1)]
    assert result.entries[0].published == datetime(2024, 5, 8, 18, 20)


def test_a_table_board_of_one_topic_with_a_byline_lists_it():
    """Column headers as a table's head row; the byline in the title's cell."""
    html = chrome("Workshop", "<h2>Workshop</h2><table class='topics'>"
                              "<thead><tr><th>Topic</th><th>Replies</th><th>Views</th><th>Last post</th></tr></thead>"
                              "<tbody><tr><td class='t'><a href='/viewtopic.php?id=31'>Saw oil</a>"
                              "<span class='by'>by Margaret Holloway-Smythe</span></td><td>2</td><td>40</td>"
                              "<td><a href='/viewtopic.php?pid=90#p90'>2024-05-03 07:41:12</a> by bob</td></tr>"
                              "</tbody></table>")
    result = page(html, "https://shed.example/viewforum.php?id=2")
    assert result.kind == "listing"
    assert [(e.url, e.replies) for e in result.entries] == [("https://shed.example/viewtopic.php?id=31", 2)]


def test_a_lone_row_with_a_long_byline_and_no_column_headers_is_no_listing():
    """Nothing but the row tells it from a post: its text longer than its title keeps it out."""
    result = page(board(board_row(7, "Oiling a saw"), headers=""), "https://shed.example/index.php?board=4.0")
    assert result.kind != "listing"
    assert result.entries == []


# -- one post on a thread page, with a byline ----------------------------------------------------------------

def one_post_thread(head: str = "") -> str:
    return chrome("Tube wanted", f"<div class='topic-head'><h2>Tube wanted</h2>{head}</div>"
                                 "<div class='pagelinks'><span class='pages'>Pages</span><span class='current'>1</span></div>"
                                 "<div id='posts'><div class='post' id='msg9'>"
                                 "<div class='subject'><a href='/index.php?msg=9'>Tube wanted</a></div>"
                                 f"<div class='meta'>{BYLINE} <span class='date'>May 03, 2024, 06:20 PM</span> "
                                 "<span class='count'>Replies: 0</span></div>"
                                 "<div class='body'>Anyone selling a tube?</div></div></div>")


def test_a_thread_of_one_post_with_a_byline_is_no_listing():
    """The post carries a link to its permalink, a date, a reply count and a byline longer than
    its title, as a board row does; no column headers stand above it."""
    result = page(one_post_thread(), "https://shed.example/index.php?topic=9.0")
    assert result.kind != "listing"
    assert result.entries == []
    assert [p.text for p in result.posts] == ["Anyone selling a tube?"]


def test_a_thread_head_with_counts_is_no_column_headers():
    """A thread's head naming its counts shows their numbers ("Views: 38 | Replies: 0"): no headers."""
    head = "<div class='counts'>Views: 38 | Replies: 0 | Last post</div>"
    result = page(one_post_thread(head), "https://shed.example/index.php?topic=9.0")
    assert result.kind != "listing"
    assert result.entries == []


def test_column_headers_are_labels_naming_a_count_column():
    assert _column_headers("Subject / Started by Replies / Views Last post")
    assert _column_headers("Topic Replies Views Last post")
    assert _column_headers("作者 回复/查看 最后发表")
    assert not _column_headers("Views: 38 | Replies: 0 | Last post")     # numbers: a thread's counts
    assert not _column_headers("Subject Started by Last post")           # no count column
    assert not _column_headers("Replies")                                # one label is no header row


# -- a board's next page is its pager's, not a row's --------------------------------------------------------

MINI_PAGER = ("<span class='topic-pages'><span class='pages'>Pages</span>"
              "<a class='nav_page' href='/index.php?topic={t}.0'>1</a> <a class='nav_page' href='/index.php?topic={t}.5'>2</a> "
              "<a class='nav_page' href='/index.php?topic={t}.10'>3</a></span>")


def test_a_topics_own_pages_are_no_next_page_of_its_board():
    rows = "".join(board_row(t, f"Sharpening chisels part {t}", pages=MINI_PAGER.format(t=t) if t == 2 else "")
                   for t in (1, 2, 3))
    result = page(board(rows), "https://shed.example/index.php?board=4.0")
    assert result.kind == "listing" and len(result.entries) == 3
    assert result.next_page_url is None


def test_a_board_with_pages_keeps_its_next_page_beside_topics_with_pages():
    rows = "".join(board_row(t, f"Sharpening chisels part {t}", pages=MINI_PAGER.format(t=t)) for t in (1, 2, 3))
    pager = ("<span class='pages'>Pages</span><span class='current'>1</span> "
             "<a class='nav_page' href='/index.php?board=4.5'>2</a> <a class='nav_page' href='/index.php?board=4.10'>3</a>")
    result = page(board(rows, pager=pager), "https://shed.example/index.php?board=4.0")
    assert result.kind == "listing" and len(result.entries) == 3
    assert result.next_page_url == "https://shed.example/index.php?board=4.5"


def test_a_reply_count_linking_its_topic_is_no_next_page():
    """The last page of a board (page 2), its rows' reply counts linking the topics with the
    board page they were opened from (``&extra=page%3D2``): "3" is no link to page 3."""
    rows = "".join(
        f"<tbody id='normalthread_{t}'><tr><th><a href='forum.php?mod=viewthread&amp;tid={t}&amp;extra=page%3D2'"
        f" class='xst'>Thread number {t} on saws</a></th><td class='by'><cite><a href='home.php?mod=space&amp;uid=2'>bob</a>"
        f"</cite><em><span>2024-5-{t}</span></em></td><td class='num'><a href='forum.php?mod=viewthread&amp;tid={t}"
        f"&amp;extra=page%3D2' class='xi2'>{t}</a><em>{t * 9}</em></td><td class='by'><em><a href='forum.php?mod="
        f"redirect&amp;tid={t}&amp;goto=lastpost#lastpost'>2024-5-{t + 1} 10:0{t}</a></em></td></tr></tbody>"
        for t in (3, 2, 1))
    pager = ("<div class='pg'><a href='forum.php?mod=forumdisplay&amp;fid=2&amp;page=1'>1</a><strong>2</strong></div>")
    html = chrome("Workshop", f"<h2>Workshop</h2>{pager}<table id='threadlist'>"
                              "<tr><th>Subject</th><td>Author</td><td>Replies/Views</td><td>Last post</td></tr>"
                              f"{rows}</table>{pager}")
    result = page(html, "https://shed.example/forum.php?mod=forumdisplay&fid=2&page=2")
    assert result.kind == "listing" and len(result.entries) == 3
    assert result.next_page_url is None
