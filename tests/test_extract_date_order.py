"""Numeric post dates (01/05/2024) read day first when the page itself says its order is so."""
import json
from datetime import datetime

from extractor import extract

POSTS = [
    "My bike chain keeps slipping when I climb hills. Is it the cassette or the chain itself?",
    "Measure the chain stretch first; above 0.75 percent replace the chain, and check the cassette.",
    "Also check the derailleur hanger alignment. A bent hanger causes exactly this kind of skipping.",
    "Thanks everyone, it was a worn chain. A new one fixed it completely, riding smoothly again.",
]
WHEN = [datetime(2024, 5, 1, 23, 6), datetime(2024, 5, 2, 0, 8), datetime(2024, 5, 2, 9, 23),
        datetime(2024, 5, 3, 10, 25)]


def _shown(when: datetime, day_first: bool) -> str:
    first, second = (when.day, when.month) if day_first else (when.month, when.day)
    return f"{first:02d}/{second:02d}/{when.year} {when.hour % 12 or 12}:{when.minute:02d} {'pm' if when.hour >= 12 else 'am'}"


def thread_html(when=WHEN, day_first=True, jsonld=True) -> str:
    posts = "".join(
        f"<div class='post' id='p{i}'><div class='postauthor'><a href='/u/rider{i}'>rider{i}</a>"
        f"<br>Posts: {10 * i}</div><div class='postdate'>{_shown(w, day_first)}</div>"
        f"<div class='postbody'><p>{text}</p></div>"
        f"<div class='postfoot'><a href='/report/{i}'>Report</a> <a href='/quote/{i}'>Quote</a></div></div>"
        for i, (text, w) in enumerate(zip(POSTS, when)))
    data = {"@context": "https://schema.org", "@type": "DiscussionForumPosting", "headline": "Chain slipping",
            "text": POSTS[0], "datePublished": when[0].isoformat() + "Z",
            "author": {"@type": "Person", "name": "rider0"},
            "comment": [{"@type": "Comment", "text": t, "datePublished": w.isoformat() + "Z",
                         "author": {"@type": "Person", "name": f"rider{i + 1}"}}
                        for i, (t, w) in enumerate(zip(POSTS[1:], when[1:]))]}
    script = f"<script type='application/ld+json'>{json.dumps(data)}</script>" if jsonld else ""
    return (f"<html><head><title>Chain slipping - Bike Forum</title>{script}</head><body><div id='nav'>"
            f"<a href='/'>Forum</a> &raquo; <a href='/f/2'>Repairs</a></div><h1>Chain slipping on climbs</h1>"
            f"<div id='posts'>{posts}</div><div id='footer'>Powered by a forum engine.</div></body></html>")


def _dates(html: str) -> list[datetime]:
    page = extract(html, "https://bikes.example/community/repairs/chain-slipping/")
    assert [p.text for p in page.posts] == POSTS
    return [p.published.replace(tzinfo=None) for p in page.posts]


def test_structured_dates_settle_day_first():
    # every shown date is ambiguous (01/05, 02/05, 03/05): the page's JSON-LD names May, not January
    assert _dates(thread_html()) == WHEN


def test_a_date_that_only_reads_day_first_settles_the_others():
    when = WHEN[:3] + [datetime(2024, 5, 24, 10, 25)]    # 24/05/2024 has no month 24
    assert _dates(thread_html(when, jsonld=False)) == when


def test_month_first_stays_without_evidence_or_against_it():
    us = [w.replace(month=w.day, day=w.month) for w in WHEN]   # what 01/05 reads as in the US order
    assert _dates(thread_html(jsonld=False)) == us             # nothing on the page says otherwise
    assert _dates(thread_html(day_first=False)) == WHEN        # US-ordered labels agreeing with the markup
    when = WHEN[:3] + [datetime(2024, 5, 24, 10, 25)]
    assert _dates(thread_html(when, day_first=False, jsonld=False)) == when   # 05/24/2024: month first
