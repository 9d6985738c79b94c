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


@pytest.mark.parametrize("raw, expected", [
    ("Anonymous 24/05/02(Thu)01:10:00", datetime(2024, 5, 2, 1, 10)),     # two-digit year first (imageboards)
    ("24/05/02 (Thu) 01:10:00", datetime(2024, 5, 2, 1, 10)),
    ("24/05/02(木)01:10:00", datetime(2024, 5, 2, 1, 10)),
    ("02/05/24(Thu)01:10", datetime(2024, 5, 2, 1, 10)),                  # day first, the weekday says so
    ("03/05/2024 (Fri) 12:00", datetime(2024, 5, 3, 12, 0)),              # day first (May 3rd is a Friday)
])
def test_a_weekday_shown_settles_the_order_of_a_numeric_date(raw, expected):
    """Without the weekday read, "24/05/02(Thu)01:10:00" was no date at all (a two-digit year
    without a clock next to it) and "03/05/2024 (Fri)" read month first (March 5th, a Tuesday)."""
    assert parse_date(raw, now=NOW) == expected


def test_a_date_falling_on_its_weekday_in_two_orders_is_read_in_the_one_all_the_page_s_dates_fit():
    """25/04/24(Thu) is 2025-04-24 (two-digit year first, the preferred reading) or 2024-04-25 (day
    first), both Thursdays; the page's 02/05/24(Thu) fits only day first: the page's dates are all
    read day first."""
    from extractor import extract

    when = [("25/04/24(Thu)23:06:40", "Anon one writes about sourdough starters kept in a cold kitchen."),
            ("02/05/24(Thu)01:10:00", "Anon two answers that rye flour makes the starter far more active.")]
    posts = "".join(f"<div class='post' id='p{i}'><span class='name'>Anonymous</span> {d}"
                    f"<div class='message'><p>{t}</p></div></div>" for i, (d, t) in enumerate(when))
    page = extract(f"<html><head><title>Bread</title></head><body><h1>Bread</h1><div id='posts'>{posts}</div>"
                   f"<div id='footer'>Powered by a board.</div></body></html>", "http://h/res/1.html",
                   now=datetime(2026, 12, 1, tzinfo=timezone.utc))
    assert [p.published.replace(tzinfo=None) for p in page.posts] == [datetime(2024, 4, 25, 23, 6, 40),
                                                                        datetime(2024, 5, 2, 1, 10)]
