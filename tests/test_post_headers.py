"""Authors and dates of posts whose name or header is marked up plainly, on small hand-made
thread pages: one test per failure class seen on real forum thread pages (issue 8).
"""
from datetime import datetime, timedelta, timezone

import lxml.html

from extractor.dom import number, strip_invisible
from extractor.fields import _name_like, clean_lines
from extractor.model import Post
from extractor.posts import _with_dom_fields, find_posts
from extractor.structured import name_from_profile_url, read_structured

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


def test_the_header_before_a_dated_body_wrapper_gives_each_post_its_author():
    """The body wrapper repeats the date and is the one element every post has alike (the
    post's outer elements carry the writer's rank and the opening post's kind), so it is
    found as the post; the name and date sit in a header just before it, built alike in every
    post (the opening post's header has a class of its own beside the shared one)."""
    people = ["ann", "bob", "cyd", "bob"]
    ranks = {"ann": "rank-member", "bob": "rank-moderator", "cyd": "rank-guest"}

    def post(k: int, name: str) -> str:
        kind = "OpeningHeader" if k == 0 else "ReplyHeader"
        stamp = f"2020-04-{20 + k}T18:5{k}:00+00:00"
        box = "opening" if k == 0 else "reply"
        return (f"<li class='entry {ranks[name]}'><div class='{box}'><span class='num'>#{k + 1}</span>"
                f"<div class='head-block {kind}'><span class='who'><a href='/profile/{name}'>{name}</a>"
                f"</span><span class='rank'>12 replies</span> <time datetime='{stamp}'>April {20 + k}</time></div>"
                f"<div class='bodywrap'><div class='message'>{TEXTS[k]}</div>"
                f"<div class='meta'><time datetime='{stamp}'>April {20 + k}</time></div></div></div></li>")

    html = ("<html><body><h1>Pump noise</h1><ul class='thread'>"
            + "".join(post(k, name) for k, name in enumerate(people)) + "</ul></body></html>")
    posts = posts_of(html)
    assert [p.author for p in posts] == people
    assert [p.published.day for p in posts] == [20, 21, 22, 23]
    assert [p.text for p in posts] == TEXTS[:4]


def test_the_previous_posts_footer_is_no_header_of_the_next():
    """Each post is followed by its footer (profile and message buttons of its writer): seen
    from the next post that footer precedes it, but the first post has none before it, so
    no post takes the footer of the one above."""
    people = ["ann", "bob", "cyd", "dan"]
    html = "<html><body><h1>Pump noise</h1><div class='thread'>" + "".join(
        f"<div class='post'><div class='by'><a href='/member/{name}'>{name}</a> "
        f"{20 + k}. Apr 2020, 19:4{k}</div><div class='text'>{TEXTS[k]}</div></div>"
        f"<div class='postfoot'><a href='/member/{name}'>Profile</a> <a href='/pm/{name}'>PM</a></div>"
        for k, name in enumerate(people)) + "</div></body></html>"
    posts = posts_of(html)
    assert [p.author for p in posts] == people
    assert [p.text for p in posts] == TEXTS[:4]


def test_posts_dated_only_by_a_day_and_a_month_name_in_another_language():
    """No clock beside the day: the date label is found by its month name alone (German,
    French, Spanish), so the posts are found and dated."""
    shown = ["5. März 2020", "7 juil. 2020", "3 de mayo de 2021", "12. Dezember 2021"]
    html = "<html><body><h1>Pump noise</h1><div class='thread'>" + "".join(
        f"<div class='msg'><div class='by'><a href='/member/{name}'>{name}</a> "
        f"<span class='on'>{day}</span></div><div class='text'>{TEXTS[k]}</div></div>"
        for k, (name, day) in enumerate(zip(["ann", "bob", "cyd", "dan"], shown))) + "</div></body></html>"
    posts = posts_of(html)
    assert [p.text for p in posts] == TEXTS[:4]
    assert [(p.published.year, p.published.month, p.published.day) for p in posts] == \
        [(2020, 3, 5), (2020, 7, 7), (2021, 5, 3), (2021, 12, 12)]


def test_lines_a_writer_repeats_under_each_post_are_a_signature_without_markup():
    """The signature is plain lines under the text (no class, no delimiter): the same last
    lines under every post of one writer leave the text; another writer's text stays whole."""
    sig = "<br>Pumps, valves and other noisy things since 1998<br>Greetings from the valley"
    people = ["ann", "bob", "ann", "bob"]
    html = "<html><body><h1>Pump noise</h1><div class='thread'>" + "".join(
        f"<div class='msg'><div class='by'><a href='/member/{name}'>{name}</a> "
        f"{20 + k}. Apr 2020, 19:4{k}</div><div class='text'>{TEXTS[k]}{sig if name == 'ann' else ''}</div></div>"
        for k, name in enumerate(people)) + "</div></body></html>"
    posts = posts_of(html)
    assert [p.author for p in posts] == people
    assert [p.text for p in posts] == TEXTS[:4]


def test_the_same_post_sent_twice_keeps_its_text():
    """Two identical posts of one writer (sent twice) share every line: that is their text,
    no signature."""
    people = ["ann", "bob", "ann", "cyd"]
    texts = [TEXTS[0] + "<br>" + TEXTS[4], TEXTS[1], TEXTS[0] + "<br>" + TEXTS[4], TEXTS[3]]
    html = "<html><body><h1>Pump noise</h1><div class='thread'>" + "".join(
        f"<div class='msg'><div class='by'><a href='/member/{name}'>{name}</a> "
        f"{20 + k}. Apr 2020, 19:4{k}</div><div class='text'>{texts[k]}</div></div>"
        for k, name in enumerate(people)) + "</div></body></html>"
    posts = posts_of(html)
    assert [p.text for p in posts] == [t.replace("<br>", "\n") for t in texts]


def test_reply_with_quote_buttons_in_other_languages_are_control_lines():
    for button in ("Responder citando", "Répondre en citant le message", "Mit Zitat antworten",
                   "Rispondi citando"):
        assert clean_lines(f"The switch was the culprit.\n{button}") == "The switch was the culprit."
    assert clean_lines("Responder citando a Juan fue un error") == "Responder citando a Juan fue un error"


def test_a_zone_stated_in_german_makes_wall_clock_dates_aware():
    html = ("<html><body><h1>Pumpe</h1><div class='thread'>" + "".join(
        f"<div class='msg'><div class='by'><a href='/member/{name}'>{name}</a> "
        f"{20 + k}. Apr 2020, 19:4{k}</div><div class='text'>{TEXTS[k]}</div></div>"
        for k, name in enumerate(["ann", "bob", "cyd"]))
        + "</div><div class='foot'><p>Zeitzone: Alle Zeiten sind UTC+02:00</p></div></body></html>")
    posts = posts_of(html)
    assert [p.published for p in posts] == [
        datetime(2020, 4, 20 + k, 19, 40 + k, tzinfo=timezone(timedelta(hours=2))) for k in range(3)]


def test_jsonld_posts_take_the_dom_posts_author_and_date_and_a_url_name_last():
    day = datetime(2020, 4, 21, 19, 40, tzinfo=timezone.utc)
    jsonld = [Post(position=1, text=TEXTS[0], published=day), Post(position=2, text=TEXTS[1]),
              Post(position=3, text=TEXTS[2])]
    postings = [{"author": "https://forum.example.org/members/ann.12/"},
                {"author": "https://forum.example.org/members/bob.13/"},
                {"author": "https://forum.example.org/members/cyd-lee.14/"}]
    dom = [Post(position=1, text=TEXTS[0], author="Ann", published=day),
           Post(position=2, text=TEXTS[1], author="Bob", published=datetime(2020, 4, 22, 8, 0))]
    posts = _with_dom_fields(jsonld, postings, dom)
    assert [p.author for p in posts] == ["Ann", "Bob", "cyd-lee"]
    assert [p.published for p in posts] == [day, datetime(2020, 4, 22, 8, 0), None]


def test_a_name_read_from_a_profile_url():
    assert name_from_profile_url("https://x.org/members/bob-smith.1234/") == "bob-smith"
    assert name_from_profile_url("https://x.org/u/ann") == "ann"
    assert name_from_profile_url("https://x.org/member.php?u=carl") == "carl"
    assert name_from_profile_url("https://x.org/user_info.pl?id=16417") is None
    assert name_from_profile_url("https://x.org/profile/12345") is None


def test_a_guests_name_in_plain_text_after_by_when_members_are_linked():
    """Members' names are profile links; a guest's (or deleted member's) is plain text in
    the same header line: "Re: Pump noise by Nobody: 12:19pm"."""
    people = ["ann", "bob", None, "cyd"]
    html = "<html><body><h1>Pump noise</h1><table class='thread'>" + "".join(
        f"<tr><td class='head'><a href='/t/1#{k}'>Re: Pump noise</a> by "
        + (f"<a href='/{name}' class='user'>{name}</a>" if name else "Nobody")
        + f": <span class='s'>12:1{k}pm On Apr 2{k}</span></td></tr>"
        f"<tr><td class='body'><div class='narrow'>{TEXTS[k]}</div></td></tr>"
        for k, name in enumerate(people)) + "</table></body></html>"
    posts = posts_of(html)
    assert [p.text for p in posts] == TEXTS[:4]
    assert [p.author for p in posts] == ["ann", "bob", "Nobody", "cyd"]


def test_a_name_between_marks_is_a_name():
    assert _name_like("-scope-") and _name_like("~ann~")
    assert not _name_like("- Reply") and not _name_like("--")
