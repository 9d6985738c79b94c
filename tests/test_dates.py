"""Date strings as forums print them, resolved against a fixed "now"."""
from datetime import datetime, timedelta, timezone

import lxml.html
import pytest

from extractor.dates import find_date, match_date, parse_date
from extractor.dom import number, strip_invisible

NOW = datetime(2024, 5, 10, 12, 0, tzinfo=timezone.utc)
CST = timezone(timedelta(hours=8))


@pytest.mark.parametrize("raw, expected", [
    ("Mon May 03, 2024 12:30 pm", datetime(2024, 5, 3, 12, 30)),
    ("Posted: Mon May 03, 2024 11:05 am", datetime(2024, 5, 3, 11, 5)),
    ("发表于 2024-5-3 12:30", datetime(2024, 5, 3, 12, 30)),
    ("2024年5月3日 08:05", datetime(2024, 5, 3, 8, 5)),
    ("2024年5月3日", datetime(2024, 5, 3)),
    ("2024/5/3 下午 3:30", datetime(2024, 5, 3, 15, 30)),
    ("May 3, 2024 at 4:15 PM", datetime(2024, 5, 3, 16, 15)),
    ("3 May 2024, 16:15", datetime(2024, 5, 3, 16, 15)),
    ("June 5th, 2023, 10:00", datetime(2023, 6, 5, 10, 0)),
    ("July 4, 2023, noon", datetime(2023, 7, 4, 12, 0)),
    ("4 Jul '23", datetime(2023, 7, 4)),
    ("Jan. 2, 2024, 3 p.m.", datetime(2024, 1, 2, 15, 0)),
    ("03.05.2024 16:15", datetime(2024, 5, 3, 16, 15)),
    ("05/03/2024", datetime(2024, 5, 3)),
    ("登录于 03/05/2024 在 05:16 AM", datetime(2024, 3, 5, 5, 16)),   # (在: "at", a GB2312 board's "posted on .. at ..")
    ("发表于 2024-5-3 于 16:15", datetime(2024, 5, 3, 16, 15)),
    ("« Reply #3 on: May 03, 2024, 12:30:15 PM »", datetime(2024, 5, 3, 12, 30, 15)),
    ("5 月 8 日", datetime(2024, 5, 8)),
    ("Dec 24", datetime(2023, 12, 24)),          # no year and would be future: last year
    ("5-3 12:30", datetime(2024, 5, 3, 12, 30)),
    ("2024-05-03T12:30:00+08:00", datetime(2024, 5, 3, 12, 30, tzinfo=CST)),
    ("2024-05-03T12:30:00Z", datetime(2024, 5, 3, 12, 30, tzinfo=timezone.utc)),
    ("发表于 2024-5-3 12:30 UTC+8", datetime(2024, 5, 3, 12, 30, tzinfo=CST)),
    ("2024-05-03 12:30 GMT+08:00", datetime(2024, 5, 3, 12, 30, tzinfo=CST)),
    ("Sun, 19 May 2024 21:43:27 -0300", datetime(2024, 5, 19, 21, 43, 27, tzinfo=timezone(timedelta(hours=-3)))),
    ("1714739400", datetime(2024, 5, 3, 12, 30, tzinfo=timezone.utc)),
    ("1714739400000", datetime(2024, 5, 3, 12, 30, tzinfo=timezone.utc)),
])
def test_absolute_dates(raw, expected):
    assert parse_date(raw, now=NOW) == expected


@pytest.mark.parametrize("raw, delta", [
    ("3 hours ago", timedelta(hours=3)),
    ("an hour ago", timedelta(hours=1)),
    ("2 days ago", timedelta(days=2)),
    ("3 天前", timedelta(days=3)),
    ("半小时前", timedelta(minutes=30)),
    ("十分钟前", timedelta(minutes=10)),
    ("1 周前", timedelta(weeks=1)),
    ("刚刚", timedelta(0)),
    ("just now", timedelta(0)),
    ("3h", timedelta(hours=3)),
    ("2d", timedelta(days=2)),
])
def test_relative_dates_resolve_against_now(raw, delta):
    assert parse_date(raw, now=NOW) == NOW - delta


@pytest.mark.parametrize("raw, expected", [
    ("昨天 12:30", datetime(2024, 5, 9, 12, 30)),
    ("前天 08:00", datetime(2024, 5, 8, 8, 0)),
    ("Today at 9:12 AM", datetime(2024, 5, 10, 9, 12)),
    ("Yesterday, 21:40", datetime(2024, 5, 9, 21, 40)),
])
def test_day_words(raw, expected):
    assert parse_date(raw, now=NOW) == expected


@pytest.mark.parametrize("raw", ["", "Version 1.2.3", "we may 5 people think", "#3", "Reply", "下午 3:30 开会", "9999999999"])
def test_not_dates(raw):
    assert parse_date(raw, now=NOW) is None


def test_time_within_text_does_not_take_a_reply_count_for_a_zone():
    assert match_date("2024-05-03 12:30 - 5 replies", now=NOW) == (datetime(2024, 5, 3, 12, 30), "2024-05-03 12:30")


def _dom(html):
    root = lxml.html.document_fromstring(html)
    strip_invisible(root)
    return number(root)


def test_find_date_prefers_time_element_then_title_then_text():
    dom = _dom('<div><span>Posted 2024-01-01</span><span title="2024-05-03 12:30">3 hours ago</span>'
               '<time datetime="2024-05-02T10:00:00Z">May 2</time></div>')
    div = dom.index[dom.root.find(".//div")]
    assert find_date(dom, div, dom.end[div], now=NOW) == (datetime(2024, 5, 2, 10, tzinfo=timezone.utc), "May 2")
    dom = _dom('<div><span>Posted 2024-01-01</span><span title="2024-05-03 12:30">3 hours ago</span></div>')
    div = dom.index[dom.root.find(".//div")]
    assert find_date(dom, div, dom.end[div], now=NOW) == (datetime(2024, 5, 3, 12, 30), "3 hours ago")
    dom = _dom('<div><b>alice</b><span>Posted 2024-01-01 10:00</span></div>')
    div = dom.index[dom.root.find(".//div")]
    assert find_date(dom, div, dom.end[div], now=NOW) == (datetime(2024, 1, 1, 10), "2024-01-01 10:00")


@pytest.mark.parametrize("text, offset", [("All times are UTC", 0), ("All times are GMT -5. The time now is 07:00 AM.", -5),
                                          ("GMT+8, 2024-5-10 20:00", 8), ("时区：UTC+8", 8), ("Timezone: GMT+2", 2)])
def test_page_zone_statements(text, offset):
    from extractor.dates import page_zone
    assert page_zone([text]) == timezone(timedelta(hours=offset))


def test_no_page_zone_without_a_statement():
    from extractor.dates import page_zone
    assert page_zone(["Posted at 12:30", "GMT", "All times are"]) is None
