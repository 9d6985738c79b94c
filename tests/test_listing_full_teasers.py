"""A list of topics whose rows show each topic's whole text (HadSky 5.5's home and board
pages; issue 9): a listing, never a thread of its rows.

The rows hold an author, a title link, the text, a reply count and a date, like posts do. On a
site routed by query strings every title link has the page's own path (``index.php``), and
links a topic's first page as ``...&page=1``: neither makes the link less of a title. The rows'
prose is the listing's, not an article's, even when the texts are long.
"""
from datetime import datetime, timezone

from extractor import extract

NOW = datetime(2026, 12, 5, 8, 30, tzinfo=timezone.utc)
BASE = "http://bbs.example.cn"
TITLES = ["周末去哪里爬山", "家里的猫不爱吃饭怎么办", "推荐几本好看的科幻小说", "旧电脑装什么系统好",
          "第一次做红烧肉的经验", "上海地铁早高峰", "学吉他三个月的感想"]
TEXT = "说实话，早上六点出发人比较少，换了一个牌子以后好多了。每天坚持半小时效果明显。"


def row(n: int, text: str) -> str:
    return (f"<div id='listdivbox-{n}' class='pk-row pk-padding-top-15'><div class='pk-w-md-1'>"
            f"<img src='userhead/{n}.png' alt='u{n}'><div class='pk-badge' title='已被阅读次数'>{n}</div></div>"
            f"<div class='pk-w-md-11'><div class='pk-text-truncate pk-text-xs'>"
            f"<a href='index.php?c=user&id={n}&page=1'>user{n}</a></div>"
            f"<div class='pk-text-md'><a href='index.php?c=read&id={n}&page=1' title='{TITLES[n % 7]}'>"
            f"{TITLES[n % 7]}</a></div><div class='pk-text-truncate-multiline'>{text}（第{n}帖）</div>"
            f"<div class='pk-row'><div class='pk-text-right pk-text-xs'>"
            f"<a href='index.php?c=list&sortid=1&page=1'>新版块</a> <a href='javascript:'>0</a> "
            f"<span title='回复数'></span>{n % 4} <span class='pk-text-danger'>刚刚</span></div></div></div></div>")


def page(texts: list[str]) -> str:
    rows = "".join(row(n, t) for n, t in enumerate(texts, start=3))
    return ("<html><head><title>HadSky</title></head><body><div class='nav'><ul>"
            "<li><a href='index.php?c=home'>首页</a></li><li><a href='index.php?c=forum'>版块</a></li></ul></div>"
            f"<div id='mainbody'><div id='pk-body-left'><div id='list'>{rows}</div>"
            "<div class='pager'><a href='index.php?c=list&sortid=0&page=2'>下一页</a></div></div></div>"
            "<div class='footer'>您的IP:127.0.0.1,2026-12-05 08:16:16,Processed in 0.005 second(s).</div></body></html>")


def test_topics_shown_whole_on_a_query_routed_home_page_are_a_listing():
    p = extract(page([TEXT] * 7), f"{BASE}/index.php?c=home", now=NOW)
    assert p.kind == "listing" and not p.posts
    assert [e.url for e in p.entries][:2] == [f"{BASE}/index.php?c=read&id=3&page=1", f"{BASE}/index.php?c=read&id=4&page=1"]


def test_two_long_topics_on_a_last_board_page_are_a_listing():
    long = TEXT * 5
    p = extract(page([long, long]), f"{BASE}/index.php?c=list&sortid=0&page=2", now=NOW)
    assert p.kind == "listing" and not p.posts
