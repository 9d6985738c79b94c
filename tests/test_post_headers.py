"""Authors and dates of posts whose name or header is marked up plainly, on small hand-made
thread pages: one test per failure class seen on real forum thread pages (issue 8).
"""
from datetime import datetime, timezone

import lxml.html

from extractor.dom import number, strip_invisible
from extractor.posts import find_posts
from extractor.structured import read_structured

NOW = datetime(2024, 5, 10, 12, 0, tzinfo=timezone.utc)
TEXTS = [
    "The valve kept humming at night until I replaced the pressure switch and bled the lines.",
    "Did you check the expansion vessel first? Mine lost its charge and made the same noise.",
    "Yes, the vessel was fine. The switch contacts were pitted, so that was the culprit here.",
    "Good to know. I will order a spare switch before winter, they are cheap enough to keep.",
    "Same here, the old one lasted eleven years which is not bad for a part that clicks daily.",
    "Mine clicks twice an hour in summer, more often in winter when the heating runs all day.",
    "Then the pressure tank is probably small for your house; a bigger one means fewer starts.",
]


def posts_of(html: str, url: str = "https://forum.example.org/t/1"):
    root = lxml.html.document_fromstring(html)
    structured = read_structured(root, url)
    strip_invisible(root)
    return find_posts(number(root), url, now=NOW, structured=structured, template_mask=None, region=None)


def test_a_bold_name_first_in_every_post_is_the_author_beside_a_member_title():
    """No class, no profile link: the name is the first text of each post and varies from
    post to post (two people talking), the member title under it varies as much."""
    people = [("ann", "Regular"), ("bob", "Newcomer"), ("ann", "Regular"), ("bob", "Newcomer"),
              ("ann", "Regular"), ("bob", "Newcomer"), ("ann", "Regular")]
    rows = "".join(
        f"<div class='msg'><div class='side'><b>{name}</b><br><span>{title}</span></div>"
        f"<div class='when'>#{k + 1} written: {20 + k}. Apr 2020, 19:4{k}</div>"
        f"<div class='txt'>{TEXTS[k]}</div></div>"
        for k, (name, title) in enumerate(people))
    posts = posts_of(f"<html><body><h1>Pump noise</h1><div id='thread'>{rows}</div></body></html>")
    assert [p.author for p in posts] == [name for name, _ in people]
    assert [p.published.day for p in posts] == [20, 21, 22, 23, 24, 25, 26]
