"""Posts laid out as three rows of one layout table (a classic PHP board's theme: issue 9, XMB).

Each post is a header row (the author's cell spanning the three rows, and a small table of its
own holding the date line), a body row and a footer row (a small table of profile/search icons).
The header and footer rows are built alike (cells, small tables, links, images) and no post has
a container of its own: the posts are the runs of rows from one dated header row to the next.
Before, the runs were refused as "posts of alternating classes" (header and followers alike)
and the page read as an article of no post.
"""
from datetime import datetime, timezone

from extractor import SiteTemplate, extract

NOW = datetime(2024, 6, 1, tzinfo=timezone.utc)
URL = "http://board.example.net/viewthread.php?tid=8&page=2"
NAMES = ["lihua", "marta", "chen", "admin", "zhang"]
TEXTS = ["I keep my sourdough starter on the counter and feed it every morning with rye flour.",
         "Mine lives in the fridge between bakes and wakes up after two feeds at room temperature.",
         "A cold kitchen just slows it down; a warm spot near the oven light works wonders here.",
         "Try a smaller ratio for the feeds, one part starter to one of flour and water, then wait.",
         "Thanks all, it doubled overnight after I moved it next to the radiator in the hallway."]


def post_rows(i: int, first_day: int = 13, tid: int = 8) -> str:
    name = NAMES[(i + tid) % 5]
    icons = (f"<table border='0' width='100%'><tr><td class='smalltxt'>"
             f"<a href='member.php?action=viewpro&amp;member={name}'><img src='images/profile.gif' alt='Profile' /></a> "
             f"<a href='search.php?srchuname={name}'><img src='images/find.gif' alt='Find' /></a></td>"
             f"<td align='right'></td></tr></table>")
    return (f"<tr bgcolor='#FFFFFF'><td rowspan='3' valign='top' class='tablerow' style='width: 18%;'>"
            f"<font class='mediumtxt'><strong><a href='./member.php?action=viewpro&amp;member={name}'>{name}</a>"
            f"</strong></font><br /><div class='smalltxt'><a name='pid{50 + i}'></a>Junior Member<br />"
            f"<img src='images/star.gif' alt='*' /><br /><hr />Posts {10 + i + tid}<br />Registered 5-12-2023<br />Offline"
            f"</div></td><td valign='top' class='tablerow'><table border='0' width='100%'><tr>"
            f"<td class='smalltxt' valign='top'><img src='images/default_icon.gif' alt='[*]' /> "
            f"<a href='viewthread.php?tid=8&amp;goto=search&amp;pid={50 + i}' rel='nofollow'>posted on "
            f"{i + first_day}-5-2024 at 0{i + 1}:16 AM</a></td><td class='smalltxt' align='right'></td></tr></table></td></tr>"
            f"<tr bgcolor='#FFFFFF'><td class='tablerow' valign='top'><font class='subject'><strong></strong></font>"
            f"<br /><div class='mediumtxt'>{TEXTS[i]} (thread {tid})</div></td></tr>"
            f"<tr bgcolor='#FFFFFF'><td class='tablerow' valign='bottom'>{icons}</td></tr>")


def page(first_day: int = 13, tid: int = 8) -> str:
    rows = "".join(post_rows(i, first_day, tid) for i in range(5))
    return ("<html><head><title>Sourdough - Example Board</title></head><body>"
            "<table width='97%'><tr><td class='nav'><a href='index.php'>Example Board</a> &raquo; "
            "<a href='forumdisplay.php?fid=1'>Baking</a> &raquo; Sourdough</td></tr></table>"
            "<table width='97%'><tr><td class='multi'>Pages: <a href='viewthread.php?tid=8'>1</a> <strong>2</strong></td>"
            "</tr></table>"
            f"<table cellspacing='0' cellpadding='0' width='97%' align='center'><tr><td>"
            f"<table border='0' cellspacing='1' cellpadding='4' width='100%'>"
            f"<tr class='header'><td width='18%'>Author</td><td>Subject: Sourdough</td></tr>{rows}</table>"
            "</td></tr></table><table><tr><td class='smalltxt'>Powered by a board engine</td></tr></table></body></html>")


def test_posts_made_of_three_rows_of_one_table_are_found():
    p = extract(page(), URL, now=NOW)
    assert p.kind == "thread"
    assert [(post.author, post.text) for post in p.posts] == [(NAMES[(i + 8) % 5], f"{t} (thread 8)") for i, t in enumerate(TEXTS)]
    assert p.posts[1].published == datetime(2024, 5, 14, 2, 16)


def test_the_sites_day_first_order_settles_a_page_whose_days_are_all_12_or_less():
    """``2-5-2024`` alone reads month first; the site's other pages (``13-5-2024``) say it shows
    the day first, and the site template carries that to the thread page that cannot tell."""
    early = page(first_day=1)
    assert extract(early, URL, now=NOW).posts[1].published == datetime(2024, 2, 5, 2, 16)   # (the page alone)
    learnt = SiteTemplate.learn([(page(13, 9), URL.replace("tid=8", "tid=9"), "t9"),
                                 (page(20, 7), URL.replace("tid=8", "tid=7"), "t7")])
    assert learnt.date_order == "dmy"
    assert SiteTemplate.from_json(learnt.to_json()).date_order == "dmy"
    p = extract(early, URL, now=NOW, template=SiteTemplate(date_order="dmy"))
    assert [post.published for post in p.posts][:2] == [datetime(2024, 5, 1, 1, 16), datetime(2024, 5, 2, 2, 16)]


def test_a_site_showing_both_orders_or_the_month_first_leaves_the_month_first():
    us = [page(1, 9).replace("posted on 1-5-2024", "posted on 5-13-2024"),
          page(1, 7).replace("posted on 1-5-2024", "posted on 5-20-2024")]
    assert SiteTemplate.learn([(us[0], URL, "a"), (us[1], URL, "b")]).date_order == "mdy"
    assert SiteTemplate.learn([(us[0], URL, "a"), (page(20, 7), URL, "b")]).date_order is None
    p = extract(page(first_day=1), URL, now=NOW, template=SiteTemplate(date_order="mdy"))
    assert p.posts[1].published == datetime(2024, 2, 5, 2, 16)


def test_a_thread_page_of_one_post_is_the_posts_run_of_rows():
    """A page holding one post (a thread without replies, a last page of one post): found at the
    site's learnt post element, its header row carries the author's rank, post count and join date
    (0.4 of a short post's text) and the post is still the run of rows, not the header alone."""
    learnt = SiteTemplate.learn([(page(13, 9), URL.replace("tid=8", "tid=9"), "t9"),
                                 (page(20, 7), URL.replace("tid=8", "tid=7"), "t7")])
    assert learnt.post_units
    one = page(14, 8).replace("".join(post_rows(i, 14, 8) for i in range(1, 5)), "")
    p = extract(one, URL, now=NOW, template=SiteTemplate(post_units=learnt.post_units))
    assert [(post.author, post.text) for post in p.posts] == [(NAMES[3], f"{TEXTS[0]} (thread 8)")]


def test_header_rows_whose_words_are_all_the_sites_template_still_head_their_runs():
    """Learnt from other thread pages, the site template holds the authors' names, ranks and post
    counts where every page shows them: a header row is then a date and template lines only (no
    text of its own), and its date line's small table has rows keyed as the layout rows. The
    posts are still the runs of rows (they were an article of no post, or a few of them)."""
    learnt = SiteTemplate.learn([(page(13, 9), URL.replace("tid=8", "tid=9"), "t9"),
                                 (page(20, 7), URL.replace("tid=8", "tid=7"), "t7")])
    p = extract(page(14, 8), URL, now=NOW, template=learnt)
    assert p.kind == "thread"
    assert [(post.author, post.text) for post in p.posts] == [(NAMES[(i + 8) % 5], f"{t} (thread 8)")
                                                               for i, t in enumerate(TEXTS)]
    one = page(14, 8).replace("".join(post_rows(i, 14, 8) for i in range(1, 5)), "")
    assert [post.text for post in extract(one, URL, now=NOW, template=learnt).posts] == [f"{TEXTS[0]} (thread 8)"]
