"""Pages of a CMS around a forum that are no threads (issue 9, e107 v2): a news index showing
each item whole under its linked title, and a forum statistics page of ranking tables.

Both were stored as threads: the news items as posts "by" their titles (three demo items of
the same text: stored three times), the statistics page's five tables as five posts. The
guards check that thread pages with similar pieces (post subjects in linked headings, a post
holding a table) stay threads.
"""
from datetime import datetime, timezone

from extractor import extract
from extractor.datatables import is_data_table, is_figures_list
from extractor.listing import _url_shape

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
LOREM = ("Lorem ipsum dolor sit amet, no meis semper dicunt est, petentium eloquentiam quo ne. At vero facer "
         "eam. Ex nam altera oportere, nisl natum prima id pro. Rebum augue dissentiet eum te, vel veniam "
         "eirmod option ea, at eos velit repudiare. Ius sumo dicit adolescens id, an cum efficiantur "
         "concludaturque. Summo sensibus cum ne, et duo torquatos conceptam. No aeque elitr constituam qui.")


def chrome(title: str, body: str) -> str:
    return (f"<html><head><title>{title} | Example CMS</title></head><body>"
            "<nav class='navbar'><a href='/'>Example CMS</a> <a href='/news.php'>News</a> "
            "<a href='/forum/forum.php'>Forum</a> <a href='/contact.php'>Contact</a></nav>"
            f"<div class='container'><div class='row'><div class='col-md-8'>{body}</div>"
            "<div class='col-md-4 sidebar'><h4>Tags</h4><a href='/news.php?tag=a'>alpha</a> "
            "<a href='/news.php?tag=b'>beta</a></div></div></div>"
            "<footer><a href='/privacy'>Privacy</a> <a href='/terms'>Terms</a></footer></body></html>")


def news_item(n: int, day: str) -> str:
    return (f"<div class='default-item'><h2 class='news-title'><a href='/news.php?extend.{n}'>News Item {n}</a></h2>"
            f"<div class='row'><div class='col-md-6'><small><a href='/user.php?id.1'>admin</a> <span>{day}</span>"
            f"</small></div><div class='col-md-6 options'><small><a href='/news.php?default.0.0'>Misc</a></small></div></div>"
            f"<p class='lead'>Te eum everti dolores, item {n}.</p><div class='text-justify'><p>{LOREM}</p></div>"
            f"<div class='text-right'><a href='/news.php?extend.{n}'>More..</a></div>"
            f"<div class='options'><a title='0 Comments' href='/news.php?extend.{n}'>0</a> "
            f"<a title='printer friendly' href='/print.php?news.{n}'><i class='fas fa-print'></i></a></div></div>")


NEWS_INDEX = chrome("Misc", "<ul class='breadcrumb'><li><a href='/'>Home</a></li><li><a href='/news.php'>News</a></li>"
                            "<li>Misc</li></ul>"
                    + news_item(3, "01 Feb 2022") + news_item(2, "16 Jan 2022") + news_item(1, "05 Jan 2022"))


def test_a_news_index_of_whole_items_under_linked_titles_has_no_posts():
    result = extract(NEWS_INDEX, "https://cms.example.org/news.php?list.1.0", now=NOW)
    assert result.posts == []
    assert result.kind != "thread"
    assert [e.url for e in result.entries] == [f"https://cms.example.org/news.php?extend.{n}" for n in (3, 2, 1)]


def test_bare_query_values_are_arguments_in_a_url_shape():
    assert _url_shape("https://a.example/news.php?extend.3") == _url_shape("https://a.example/news.php?extend.12")
    assert _url_shape("https://a.example/read.php?2,36") == _url_shape("https://a.example/read.php?2,40")
    assert _url_shape("https://a.example/viewtopic.php?id=4") == (1, "viewtopic.php", "id")


def stats_table(kind: str, rows: list[tuple[str, str, str]]) -> str:
    body = "".join(f"<tr><td class='forumheader3'>{n + 1}</td><td class='forumheader3'>"
                   f"<a href='/forum/forum_viewtopic.php?id={10 + n}'>{title}</a></td><td>{count}</td>"
                   f"<td><a href='/user.php?id.{n + 2}'>{who}</a></td><td>Wed May 0{n + 1} 2024, 11:06PM</td></tr>"
                   for n, (title, count, who) in enumerate(rows))
    return (f"<div class='tab-pane' id='tab-{kind}'><table class='fborder table'><thead><tr><th>Rank</th><th>Topic</th>"
            f"<th>{kind}</th><th>Started by</th><th>Date</th></tr></thead>{body}</table></div>")


def posters_table(n: int, rows: list[tuple[str, str]]) -> str:
    body = "".join(f"<tr><td>{k + 1}</td><td><a href='/user.php?id.{k + 2}'>{who}</a></td><td>{posts}</td>"
                   f"<td>{posts}%</td></tr>" for k, (who, posts) in enumerate(rows))
    return (f"<div class='tab-pane' id='tab-p{n}'><table class='fborder table'><thead><tr><th>Rank</th><th>Name</th>"
            f"<th>Posts</th><th>%</th></tr></thead>{body}</table></div>")


TOPICS = [("学吉他三个月的感想", "22", "王小明"), ("Sourdough starter in a cold kitchen", "16", "admin"),
          ("上海地铁早高峰", "11", "张丽"), ("第一次做红烧肉的经验", "8", "marta")]
POSTERS = [("张丽", "17"), ("lihua", "15"), ("王小明", "14"), ("marta", "13")]
STATS = chrome("Forum Statistics", "<h2>Forum Statistics</h2><div class='tab-content'>"
               + stats_table("Replies", TOPICS) + stats_table("Views", TOPICS[::-1])
               + posters_table(1, POSTERS) + posters_table(2, POSTERS[::-1]) + posters_table(3, POSTERS[1:] + POSTERS[:1])
               + "</div>")


def test_a_statistics_page_of_ranking_tables_has_no_posts():
    result = extract(STATS, "https://cms.example.org/forum/forum_stats.php", now=NOW)
    assert result.posts == []
    assert result.kind != "thread"


def test_a_data_table_is_a_table_under_header_cells_and_nothing_else():
    table = "<table><tr><th>Rank</th><th>Name</th></tr><tr><td>1</td><td>a</td></tr><tr><td>2</td><td>b</td></tr></table>"
    assert is_data_table(f"<div> {table} &nbsp;</div>")
    assert not is_data_table(f"<div><p>Here are my measurements:</p>{table}</div>")   # a message holding a table
    assert not is_data_table(table.replace("<th>", "<td>").replace("</th>", "</td>"))  # no header row
    assert not is_data_table("<div><table><tr><th>Rank</th></tr><tr><td>1</td></tr></table></div>")  # one row


# -- guards: threads stay threads -------------------------------------------------------------------

def post(n: int, who: str, text: str) -> str:
    return (f"<div class='post' id='p{n}'><h3><a href='/viewtopic.php?p={n}#p{n}'>Re: Sourdough in winter</a></h3>"
            f"<div class='author'>by <a href='/memberlist.php?mode=viewprofile&u={n}'>{who}</a> "
            f"» Mon May 0{n} 2024 10:1{n} am</div><div class='content'>{text}</div></div>")


THREAD = chrome("Sourdough in winter", "<h2><a href='/viewtopic.php?t=7'>Sourdough in winter</a></h2>"
                + post(1, "marta", "Keep it somewhere cool and feed it twice a week. " * 3)
                + post(2, "lihua", "<p>My readings this week:</p><table><tr><th>Day</th><th>Rise</th></tr>"
                                   "<tr><td>Mon</td><td>40%</td></tr><tr><td>Tue</td><td>55%</td></tr></table>"
                                   "<p>So the warm oven helps a lot.</p>")
                + post(3, "admin", "A warm oven with only the light on helps a lot, honestly. " * 3))


def test_a_thread_with_linked_subjects_and_a_post_holding_a_table_stays_a_thread():
    result = extract(THREAD, "https://bbs.example.org/viewtopic.php?t=7", now=NOW)
    assert result.kind == "thread"
    assert [p.author for p in result.posts] == ["marta", "lihua", "admin"]


# -- a thread whose posts carry menus of links that lead nowhere ------------------------------------

def menu_post(n: int, who: str, uid: int, text: str) -> str:
    menu = (f"<div class='btn-group'><a class='btn' href='/user.php?id.{uid}'>{who}</a>"
            "<ul class='dropdown-menu'>"
            f"<li><a class='dropdown-item' href='#'>Registered Member #{uid}</a></li>"
            "<li><a class='dropdown-item' href='#'>Joined: Fri Oct 31 2025, 12:16AM</a></li>"
            f"<li><a class='dropdown-item' href='#'>Posts: {n * 3}</a></li></ul></div>")
    options = ("<div class='btn-group'><button>Options</button><ul class='dropdown-menu'>"
               "<li><a href='/email.php?plugin:forum.8'>Email</a></li>"
               "<li><a href='/print.php?plugin:forum.8'>Print</a></li></ul></div>")
    return (f"<li id='post-{n}' class='forum-viewtopic-post'><div class='row'><div class='col-2'>{menu}</div>"
            f"<div class='col-4'><small>{n + 1} years ago</small></div><div class='col-3'>{options}</div></div>"
            f"<div class='row'><div class='col-2'><img alt='{who}' src='/thumb.php?w=100'/>"
            f"<div class='d-block d-sm-none'>{menu}{options}<small>{n + 1} years ago</small></div></div>"
            f"<div class='col-9 forum-thread-text'>{text}</div></div></li>")


MENU_THREAD = chrome("学吉他三个月的感想", "<h2>学吉他三个月的感想</h2><ul class='list-unstyled'>"
                     + menu_post(1, "王小明", 2, "补充一点，书店里能找到旧版本，第一次失败很正常。别忘了做好笔记。")
                     + menu_post(2, "marta", 5, "顺便问一句，多问问有经验的人总没错，书店里能找到旧版本。")
                     + menu_post(3, "lihua", 3, "同意楼上，记得多带一瓶水，最好提前一天准备好东西。")
                     + menu_post(4, "张丽", 6, "说实话，网上的教程大多说得太简单，价格其实没有想象中那么贵。")
                     + "</ul>")


def test_short_posts_with_menus_of_links_to_nowhere_are_a_thread():
    """e107's posts: the author's dropdown ("Registered Member #3", "Joined: ...", "Posts: 0" as
    href="#" items) shown twice per post (desktop and phone) outweighs a short post's text; those
    links lead nowhere, so they are no title links of a listing's rows."""
    result = extract(MENU_THREAD, "https://cms.example.org/forum/forum_viewtopic.php?id=8", now=NOW)
    assert result.kind == "thread"
    assert [p.author for p in result.posts] == ["王小明", "marta", "lihua", "张丽"]


# -- a statistics page of figures lists (no tables): definition lists and ranking rows in panels -------

def figures_panel(heading: str, rows: list[tuple[str, str]], *, linked: bool) -> str:
    items = "".join(f"<dt><a href='/index.php?action=profile;u={n}'>{name}</a></dt><dd>{figure}</dd>" if linked
                    else f"<dt>{name}</dt><dd>{figure}</dd>" for n, (name, figure) in enumerate(rows, 1))
    return f"<li class='panel'><h2>{heading}</h2><dl class='stats'>{items}</dl></li>"


FIGURES = chrome("Forum - Statistics Center", "<h2>Statistics Center</h2><ul class='panels'>"
                 + figures_panel("General Statistics", [("Total Members:", "6"), ("Total Posts:", "83"),
                                                        ("Total Topics:", "11"), ("Average posts per day:", "1.00"),
                                                        ("Most Online:", "1 - December 05, 2026, 05:05:26 am")], linked=False)
                 + figures_panel("Top 10 Posters", POSTERS + [("admin", "10")], linked=True)
                 + figures_panel("Most Time Online", [(name, f"{n}m") for name, n in POSTERS], linked=True)
                 + figures_panel("Top 10 Topics (by Replies)", [(t, n) for t, n, _ in TOPICS], linked=True)
                 + "</ul>")


def test_a_statistics_page_of_figures_lists_has_no_posts():
    """ElkArte's statistics center: panels of ``<dl>`` lists (labels or linked names, a figure under
    each), one a date, read as four posts "by" the first name of each; they are no messages."""
    result = extract(FIGURES, "https://bbs.example.org/index.php?action=stats", now=NOW)
    assert result.posts == []
    assert result.kind != "thread"


def test_a_figures_list_is_short_lines_a_third_of_them_figures():
    assert is_figures_list("Top 10 Posters\n17\n张丽\n17\n王小明\nmarta\n14\nadmin\n10")
    assert is_figures_list("Total Members:\n6\nTotal Posts:\n83\nAverage posts per day:\n1.00\nOnline:\n0m")
    assert not is_figures_list("My scores:\n17\n14\n10")                            # too short to tell
    assert not is_figures_list("Readings this week\nMon\n40%\nTue\n55%\nWed\n61%\n"
                               "So the warm oven with only the light on helps a lot, honestly.")  # a sentence
    assert not is_figures_list("同意楼上\n早上六点出发人比较少\n最好提前一天准备好东西\n记得多带一瓶水\n第一次失败很正常\n2")
