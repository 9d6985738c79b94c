"""The fields of each post on small hand-made thread pages: author, date, text cleaning.

One test (or a few) per failure class seen on real forums: dates in other languages and
formats, dates shown in another zone than the machine-readable one, profile facts and edit
dates taken for the post date, member titles and signature links taken for the author,
quote headers and signatures left in the text, quotes merged into the reply.
"""
from datetime import datetime, timedelta, timezone

import lxml.html
import pytest

from extractor.dates import in_shown_zone, match_date, parse_date
from extractor.dom import number, strip_invisible
from extractor.fields import clean_lines
from extractor.posts import find_posts
from extractor.quotes import is_quote_header, is_quote_header_line, strip_signature
from extractor.structured import read_structured

NOW = datetime(2024, 5, 10, 12, 0, tzinfo=timezone.utc)
LOREM = ("The valve kept humming at night until I replaced the pressure switch and bled the lines, "
         "which took most of the afternoon.")


def posts_of(html, url="https://forum.example.org/t/1"):
    root = lxml.html.document_fromstring(html)
    structured = read_structured(root, url)
    strip_invisible(root)
    return find_posts(number(root), url, now=NOW, structured=structured, template_mask=None, region=None)


def page(*posts):
    return "<html><body><h1>Pump noise</h1><div id='posts'>" + "".join(posts) + "</div></body></html>"


# --- dates ---------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    ("21. Apr. 2020, 19:52", datetime(2020, 4, 21, 19, 52)),            # German
    ("Verfasst am: 3. März 2021 um 08:15", datetime(2021, 3, 3, 8, 15)),
    ("13. Dezember 2019", datetime(2019, 12, 13)),
    ("Jeu 5 Juil 2018 03:22", datetime(2018, 7, 5, 3, 22)),              # French
    ("le 1er février 2022 à 10:05", datetime(2022, 2, 1, 10, 5)),
    ("12 déc. 2017", datetime(2017, 12, 12)),
    ("3 de mayo de 2020 a las 14:30", datetime(2020, 5, 3, 14, 30)),    # Spanish
    ("15 ago 2019", datetime(2019, 8, 15)),
    ("7 settembre 2018", datetime(2018, 9, 7)),                          # Italian
    ("Tue 16-Jun-20 23:12:23", datetime(2020, 6, 16, 23, 12, 23)),      # day-month-two-digit year
])
def test_dates_in_other_languages_and_day_month_forms(raw, expected):
    assert parse_date(raw, now=NOW) == expected


def test_short_words_that_abbreviate_a_month_elsewhere_are_no_dates():
    assert parse_date("3 days ago", now=NOW) == NOW - timedelta(days=3)
    assert parse_date("set 5 of the tests", now=NOW) is None
    assert parse_date("out 12 times", now=NOW) is None


def test_a_date_in_a_url_path_is_not_a_date():
    assert match_date("see https://news.example.com/article/2017/10/10/story.html", now=NOW) is None
    assert parse_date("Posted 2017/10/10 12:00", now=NOW) == datetime(2017, 10, 10, 12, 0)


def test_machine_time_takes_the_zone_of_the_wall_clock_shown():
    utc = datetime(2016, 12, 3, 23, 25, 55, tzinfo=timezone.utc)
    shown = in_shown_zone(utc, "4 December 2016 at 12:25AM", NOW)
    assert shown == utc                                           # the same instant
    assert shown.utcoffset() == timedelta(hours=1) and shown.day == 4
    # a label showing the day only: the instant stays, in an offset where that day holds
    late = datetime(2017, 12, 31, 3, 37, tzinfo=timezone.utc)
    day = in_shown_zone(late, "12/30/2017", NOW)
    assert day == late and day.date().isoformat() == "2017-12-30"
    # relative labels and labels a day or more away change nothing
    assert in_shown_zone(utc, "2 hours ago", NOW) is utc
    assert in_shown_zone(utc, "3 December 2016 at 07:25PM", NOW).utcoffset() == timedelta(hours=-4)
    assert in_shown_zone(utc, "9 December 2016 at 12:25AM", NOW) is utc


def test_time_element_shown_in_local_time_gives_the_readers_day():
    post = ('<div class="post"><div class="meta"><a class="username" href="/u/{a}">{a}</a> '
            '<time datetime="2016-12-{d}T23:{m}:00+00:00">{shown}</time></div>'
            '<div class="message"><p>{t}</p></div></div>')
    html = page(post.format(a="ann", d="03", m="25", shown="4 December 2016 at 12:25AM", t=LOREM),
                post.format(a="bob", d="04", m="40", shown="5 December 2016 at 12:40AM", t="Same here. " + LOREM),
                post.format(a="cy", d="05", m="10", shown="6 December 2016 at 12:10AM", t="Thanks all. " + LOREM))
    posts = posts_of(html)
    assert [p.published.date().isoformat() for p in posts] == ["2016-12-04", "2016-12-05", "2016-12-06"]


def profile_post(name, stat_date, posted, text, label="Founded"):
    return (f'<div class="post"><dl class="postprofile"><dt><a href="/memberlist.php?u={name}">{name}</a></dt>'
            f'<dd>Citizen</dd><dd><strong>Posts:</strong> 44</dd><dd><strong>{label}:</strong> {stat_date}</dd>'
            f'<dd>Some Party</dd></dl>'
            f'<div class="postbody"><p class="author">by <strong>{name}</strong> &raquo; {posted}</p>'
            f'<div class="content">{text}</div></div></div>')


def test_a_date_listed_among_profile_statistics_is_not_the_post_date():
    html = page(profile_post("ann", "Nov 03, 2008", "Sat May 09, 2009 1:39 am", LOREM),
                profile_post("bob", "Aug 02, 2006", "Sat May 16, 2009 8:59 pm", "I agree. " + LOREM),
                profile_post("cy", "Jan 12, 2012", "Sun May 17, 2009 9:00 am", "Me too. " + LOREM))
    posts = posts_of(html)
    assert [p.published for p in posts] == [datetime(2009, 5, 9, 1, 39), datetime(2009, 5, 16, 20, 59),
                                            datetime(2009, 5, 17, 9, 0)]


def test_join_dates_labelled_in_other_languages_are_not_the_post_date():
    post = ('<div class="post"><div class="profil"><b><a href="/membre/{a}/">{a}</a></b><div class="infos"><span>Inscrit le:</span> <span>{j}</span></div></div>'
            '<div class="corps"><div class="entete">{d}</div><div class="texte">{t}</div></div></div>')
    html = page(post.format(a="ann", j="2018-07-05 03:16", d="2018-07-05 03:22", t=LOREM),
                post.format(a="bob", j="2017-01-02 10:00", d="2018-07-05 11:20", t="Bienvenue. " + LOREM),
                post.format(a="cy", j="2017-01-03 10:00", d="2018-07-06 09:00", t="Merci. " + LOREM))
    posts = posts_of(html)
    assert [p.published for p in posts] == [datetime(2018, 7, 5, 3, 22), datetime(2018, 7, 5, 11, 20),
                                            datetime(2018, 7, 6, 9, 0)]


def test_an_edit_date_is_not_the_post_date():
    post = ('<div class="message"><div class="user"><a class="username" href="/members/{a}.1/">{a}</a></div>'
            '<div class="messageContent"><blockquote class="messageText">{t}</blockquote></div>'
            '<div class="editDate">Last edited: <span class="DateTime">{e}</span></div>'
            '<div class="messageMeta"><span class="DateTime">{d}</span></div></div>')
    html = page(post.format(a="ann", e="Feb 2, 2020", d="Feb 23, 2019", t=LOREM),
                post.format(a="bob", e="Mar 1, 2020", d="Feb 24, 2019", t="Indeed. " + LOREM),
                post.format(a="cy", e="Mar 9, 2021", d="Feb 25, 2019", t="Right. " + LOREM))
    assert [p.published.date().isoformat() for p in posts_of(html)] == ["2019-02-23", "2019-02-24", "2019-02-25"]


def test_a_timestamp_in_any_data_time_attribute_beats_a_date_in_the_prose():
    post = ('<tr><td><a href="/u/{a}">{a}</a><br>{t}<br>'
            '<small><span class="xdate" data-xutime="{ts}">{shown}</span> #{n}</small></td></tr>')
    html = ("<html><body><table id='posts'>"
            + post.format(a="ann", t="On January 1st, 2018 she returned. " + LOREM, ts="1514673228",
                          shown="12/30/2017", n=1)
            + post.format(a="bob", t="Nice story. " + LOREM, ts="1514760000", shown="12/31/2017", n=2)
            + post.format(a="cy", t="More please. " + LOREM, ts="1514850000", shown="1/1/2018", n=3)
            + "</table></body></html>")
    posts = posts_of(html)
    assert [p.published.date().isoformat() for p in posts] == ["2017-12-30", "2017-12-31", "2018-01-01"]


# --- permalinks ------------------------------------------------------------------------------

def test_an_icon_link_titled_as_the_posts_permalink_is_its_url():
    """A post's own address behind a chain icon, named only by its title ("Permalink for this
    message", a mail archive's message page): the post's URL, as a link labelled "Permalink" is."""
    post = ('<div class="email"><div class="email-header"><h2 class="name">{a}</h2>'
            '<div class="time"><span title="Sender\'s time: {d}">{d}</span></div></div>'
            '<div class="email-body"><p>{t}</p></div><div class="email-info">'
            '<a href="/list/dev@lists.example.org/message/{h}/" title="Permalink for this message">'
            '<i class="fa fa-link"></i></a> <a class="reply" href="#">Reply</a></div></div>')
    hashes = ["U6RXVYRBNSLLFVBXAEXM2F5TZCLFPRNK", "5SVANMHCIIRPZUM4K7TUKARNQVFR7YYQ", "DNVZEU7RYMHGU3MCQBSDYHJ4T3T5XYCP"]
    html = ("<html><body><h1>Thread</h1><div class='thread'>"
            + post.format(a="alice", d="March 14, 2024, 9:26 a.m.", t=LOREM, h=hashes[0])
            + post.format(a="bob", d="March 14, 2024, 12:33 p.m.", t="Agreed. " + LOREM, h=hashes[1])
            + post.format(a="carol", d="March 15, 2024, 8:02 a.m.", t="Thanks. " + LOREM, h=hashes[2])
            + "</div></body></html>")
    posts = posts_of(html)
    assert [p.author for p in posts] == ["alice", "bob", "carol"]
    assert [p.url for p in posts] == [f"https://forum.example.org/list/dev@lists.example.org/message/{h}/"
                                       for h in hashes]


# --- authors --------------------------------------------------------------------------------

def test_name_as_leading_text_before_the_member_title_and_date():
    post = ('<li class="message"><div class="messageUserInfo"><h3 class="userText">{a}'
            '<em class="userTitle">{title}</em><small>{d}</small></h3>'
            '<dl><dt>Beiträge:</dt><dd>{n}</dd></dl></div>'
            '<div class="messageContent"><blockquote class="messageText">{t}</blockquote></div></li>')
    html = ("<html><body><ol id='messageList'>"
            + post.format(a="unimatrix27", title="Boardneuling", d="13.01.2020, 10:47", n=6, t=LOREM)
            + post.format(a="Kataster", title="V.I.P.", d="14.01.2020, 00:09", n=1240, t="Richtig. " + LOREM)
            + post.format(a="Mayerei", title="V.I.P.", d="14.01.2020, 12:29", n=880, t="Genau. " + LOREM)
            + post.format(a="unimatrix27", title="Boardneuling", d="14.01.2020, 13:00", n=6, t="Danke. " + LOREM)
            + "</ol></body></html>")
    posts = posts_of(html)
    assert [p.author for p in posts] == ["unimatrix27", "Kataster", "Mayerei", "unimatrix27"]
    assert posts[1].published == datetime(2020, 1, 14, 0, 9)


def test_plain_profile_link_in_the_author_line_when_others_are_coloured():
    post = ('<div class="post"><div class="postbody"><h3><a href="#p{n}">{subject}</a></h3>'
            '<p class="author">by <strong>{link}</strong> &raquo; {d}</p><div class="content">{t}</div></div></div>')
    coloured = '<a href="/memberlist.php?u={u}" class="username-coloured" style="color:#c90">{a}</a>'
    plain = '<a href="/memberlist.php?u={u}">{a}</a>'
    html = ("<html><body><h2>Documentation</h2><div id='posts'>"
            + post.format(n=1, subject="Documentation", link=coloured.format(u=1, a="Hagar"), d="Jul 28, 2013 11:59 am",
                          t=LOREM)
            + post.format(n=2, subject="Re: Documentation", link=plain.format(u=2, a="RGB"), d="Jul 28, 2013 1:34 pm",
                          t="Drafted here. " + LOREM)
            + post.format(n=3, subject="Re: Documentation", link=coloured.format(u=3, a="RoryOF"),
                          d="Aug 21, 2014 7:16 pm", t="Working for me. " + LOREM)
            + post.format(n=4, subject="Re: Documentation", link=coloured.format(u=1, a="Hagar"),
                          d="Aug 22, 2014 7:16 pm", t="Fixed now. " + LOREM)
            + "</div></body></html>")
    assert [p.author for p in posts_of(html)] == ["Hagar", "RGB", "RoryOF", "Hagar"]


def test_a_link_in_a_signature_is_not_the_author():
    post = ('<div class="post"><div class="postbody"><p class="author">by <strong>{link}</strong> &raquo; {d}</p>'
            '<div class="content">{t}</div><div class="signature">{sig}</div></div></div>')
    coloured = '<a href="/memberlist.php?u={u}" class="username-coloured">{a}</a>'
    html = page(post.format(link=coloured.format(u=1, a="Keahou"), d="May 8, 2009 1:39 am", t=LOREM,
                            sig='Member of <a href="/t/9">PRV</a>'),
                post.format(link='<a href="/memberlist.php?u=2">Maltropia</a>', d="May 9, 2009 1:39 am",
                            t="Good point. " + LOREM, sig='<a href="/t/8">PRV</a> founder | <a href="/t/7">FIR</a>'),
                post.format(link=coloured.format(u=3, a="Rorai"), d="May 10, 2009 1:39 am", t="Agreed. " + LOREM,
                            sig='<a href="/t/6">Embassy</a>'))
    posts = posts_of(html)
    assert [p.author for p in posts] == ["Keahou", "Maltropia", "Rorai"]
    assert all("PRV" not in p.text for p in posts)


# --- quotes and signatures in the text -------------------------------------------------------

@pytest.mark.parametrize("line", [
    "bob wrote:", "Quote: Originally Posted by bob", "@bob said in Pump noise at night:", "bob posted:",
    "引用 bob 发表于 2024-5-3 12:30", "Hans schrieb:", "Marie a écrit :", "Pedro escribió:",
    "On May 3, 2024, bob wrote:", "Zitat von Hans",
])
def test_quote_header_lines(line):
    assert is_quote_header_line(line) and is_quote_header(line)


@pytest.mark.parametrize("line", ["My doctor said:", "I think he said: no", "The manual says the valve is shut.",
                                  "I wrote:", "he said:", "on said:",
                                  "Posted by the plumber who came yesterday and fixed it"])
def test_sentences_are_not_quote_header_lines(line):
    assert not is_quote_header_line(line)


def test_clean_lines_drops_orphan_quote_headers_and_a_delimited_signature():
    text = "bob wrote:\nThe pump hums.\nReply\nI fixed mine with a new switch.\n-- \nAnn from Leeds\nwww.ann.example"
    assert clean_lines(text) == "The pump hums.\nI fixed mine with a new switch."
    assert clean_lines("My doctor said:\nrest.") == "My doctor said:\nrest."


def test_a_rule_above_long_text_is_not_a_signature_delimiter():
    lines = ["Part one."] + ["__________"] + [f"Part two, paragraph {i}, with a good deal of text." for i in range(8)]
    assert strip_signature(lines) == lines


def xf_post(author, text, quote=None, quoted=None):
    q = ""
    if quote:
        q = (f'<div class="bbCodeBlock bbCodeQuote"><aside><div class="attribution type">{quoted} said: '
             f'<a href="#post-1">↑</a></div><blockquote class="quoteContainer"><div class="quote">{quote}</div>'
             f'</blockquote></aside></div>')
    return (f'<li class="message"><div class="messageUserInfo"><a class="username" href="/members/{author}.1/">{author}</a>'
            f'</div><div class="messageContent"><article><blockquote class="messageText">{q}{text}</blockquote>'
            f'</article></div><div class="messageMeta"><span class="DateTime">May 3, 2024</span></div></li>')


def test_a_short_reply_under_a_long_quote_keeps_the_quote_and_its_header_apart():
    html = ("<html><body><ol id='messages'>"
            + xf_post("ann", LOREM)
            + xf_post("bob", "I agree", quote=LOREM, quoted="ann")
            + xf_post("cy", "Same problem here with the older model of the pump.")
            + "</ol></body></html>")
    posts = posts_of(html)
    assert posts[1].text == "I agree"
    assert len(posts[1].quotes) == 1
    assert posts[1].quotes[0].startswith("ann said:") and LOREM in posts[1].quotes[0]


def bb_post(author, content):
    return (f'<div class="post"><div class="postbody"><p class="author">by <strong><a href="/memberlist.php?u={author}">'
            f'{author}</a></strong> &raquo; Sun Jan 05, 2020 3:42 pm</p><div class="content">{content}</div></div></div>')


def test_nested_quote_with_cite_headers_is_one_quote_outside_the_reply():
    nested = ('<blockquote><cite>marc wrote:</cite><div class="inner"><blockquote><cite>ben wrote:</cite>'
              '<div class="inner">It would be impressive to see the first one in the new livery.</div></blockquote>'
              '<br>There was also a test bed in that livery, but without titles. ' + LOREM * 2 + '</div></blockquote><br>'
              'Don’t see it happening either.')
    html = page(bb_post("ben", "It would be impressive to see the first one in the new livery. " + LOREM),
                bb_post("marc", "There was also a test bed in that livery, but without titles. " + LOREM),
                bb_post("dora", nested))
    posts = posts_of(html)
    assert posts[2].text == "Don’t see it happening either."
    assert posts[2].quotes[0].startswith("marc wrote:") and "ben wrote:" in posts[2].quotes[0]


def cooked_post(author, paragraphs):
    return (f'<article class="topic-post"><div class="names"><a class="username" href="/u/{author}">{author}</a></div>'
            f'<div class="cooked">{paragraphs}</div>'
            f'<div class="post-date"><time datetime="2024-05-03T10:00:00Z">May 3, 2024</time></div></article>')


def test_code_block_is_kept_whole_with_the_text_around_it():
    code = ('<p>Try this:</p><pre><code class="lang-python">import os\nfor name in os.listdir("."):\n'
            '    print(name)\n</code></pre><p>Then run it again.</p>')
    html = page(cooked_post("ann", f"<p>{LOREM}</p>"), cooked_post("bob", code),
                cooked_post("cy", f"<p>Thanks, that worked. {LOREM}</p>"))
    posts = posts_of(html)
    text = posts[1].text
    assert "import os" in text and "    print(name)" in text
    assert text.startswith("Try this:") and text.endswith("Then run it again.")
    assert posts[0].text == LOREM


def test_phpbb_code_box_is_kept_with_the_text_after_it():
    code = ('Try this:<div class="codebox"><p>Code: <a href="#">Select all</a></p><pre><code>'
            'import os\nfor name in os.listdir("."):\n    print(name)\n</code></pre></div>Then run it again.')
    html = page(bb_post("ann", LOREM), bb_post("bob", code), bb_post("cy", "Thanks, that worked. " + LOREM))
    text = posts_of(html)[1].text
    assert "import os" in text and "    print(name)" in text
    assert text.startswith("Try this:") and text.endswith("Then run it again.")


def test_reply_box_toolbar_rows_and_counters_are_control_lines():
    assert clean_lines("Nice work.\n0/200\n表情 图片\nReply Quote Report") == "Nice work."
    assert clean_lines("Emoji\nImage") == "Emoji\nImage"          # single words may be content
    assert clean_lines("It came to 3/200 of the cost.") == "It came to 3/200 of the cost."


def test_a_quote_toggle_stays_out_of_the_quoted_text():
    def ips_post(author, content):
        return (f'<article class="cPost"><aside class="cAuthorPane"><a class="username" href="/profile/{author}/">{author}'
                f'</a></aside><div class="ipsComment_meta"><time datetime="2023-07-05T19:59:00Z">July 5</time></div>'
                f'<div class="ipsType_richText" data-role="commentContent">{content}</div></article>')
    quote = ('<blockquote class="ipsQuote"><div class="ipsQuote_citation">On 7/5/2023 at 7:59 PM, ann said:</div>'
             f'<div class="ipsQuote_contents"><p>{LOREM}</p><p>{LOREM}</p></div>'
             '<a class="ipsTruncate_more" data-action="expandTruncate"><span>Expand</span></a></blockquote>'
             '<p>Correct, and glad you liked it.</p>')
    html = page(ips_post("ann", f"<p>{LOREM}</p>"), ips_post("bob", quote), ips_post("cy", f"<p>Me too. {LOREM}</p>"))
    post = posts_of(html)[1]
    assert post.text == "Correct, and glad you liked it."
    assert post.quotes and post.quotes[0].startswith("On 7/5/2023 at 7:59 PM, ann said:")
    assert all("Expand" not in q for q in post.quotes)


def test_signature_block_with_a_run_together_class_name_leaves_the_text():
    post = ('<div class="kmessage"><div class="kprofile"><a class="kwho" href="/user/{a}">{a}</a></div>'
            '<div class="kmsgbody"><small class="kdate">2 May 2024 10:00</small><div class="kmsg">{t}'
            '<div class="ksig"><hr><span class="ksignature">{sig}</span></div></div></div></div>')
    html = page(post.format(a="ann", t=LOREM, sig="Ann, plumber since 1990"),
                post.format(a="bob", t="Thanks. " + LOREM, sig="I don't give support by PM."),
                post.format(a="ann", t="Glad it helped. " + LOREM, sig="Ann, plumber since 1990"))
    posts = posts_of(html)
    assert len(posts) == 3 and all("plumber since" not in p.text and "support by PM" not in p.text for p in posts)


@pytest.mark.parametrize("statement, hours", [
    ("Alle Zeiten sind UTC+01:00", 1),
    ("Toutes les heures sont au format UTC + 1 heure", 1),
    ("Todas las horas son UTC-5", -5),
    ("All times are UTC + 1 hour [ DST ]", 2),
    ("All times are UTC - 8 hours", -8),
])
def test_page_zone_statements_in_other_languages_and_with_summer_time(statement, hours):
    from extractor.dates import page_zone
    assert page_zone([statement]) == timezone(timedelta(hours=hours))


@pytest.mark.parametrize("raw, delta", [
    ("vor 3 Stunden", timedelta(hours=3)),
    ("vor einer Woche", timedelta(weeks=1)),
    ("il y a 2 jours", timedelta(days=2)),
    ("hace 5 minutos", timedelta(minutes=5)),
])
def test_relative_dates_in_other_languages(raw, delta):
    assert parse_date(raw, now=NOW) == NOW - delta


def test_today_and_yesterday_in_other_languages_need_a_clock():
    assert parse_date("Gestern um 21:40", now=NOW) == datetime(2024, 5, 9, 21, 40)
    assert parse_date("Hier à 14:30", now=NOW) == datetime(2024, 5, 9, 14, 30)
    assert parse_date("Ayer a las 9:05", now=NOW) == datetime(2024, 5, 9, 9, 5)
    assert parse_date("hier ist es ruhig", now=NOW) is None        # German "hier" is "here"
    assert parse_date("ich war vor Ort", now=NOW) is None


def test_quote_without_quote_markup_is_found_by_its_header():
    def vb3(author, content):
        return (f'<table class="tborder" id="post{author}"><tr><td class="thead">May 3, 2024, 10:00 AM</td></tr>'
                f'<tr><td class="alt2"><a class="bigusername" href="member.php?u={author}">{author}</a></td>'
                f'<td class="alt1" id="td_post_{author}"><div id="post_message_{author}">{content}</div></td></tr></table>')
    quote = ('<div style="margin:20px"><div class="smallfont">Quote:</div>'
             '<table width="100%"><tr><td class="alt2" style="border:1px inset">'
             f'<div>Originally Posted by <strong>ann</strong></div><div style="font-style:italic">{LOREM}</div>'
             '</td></tr></table></div>I disagree, the switch is fine.')
    html = page(vb3("ann", LOREM), vb3("bob", quote), vb3("cy", "Same here. " + LOREM))
    posts = posts_of(html)
    assert [p.author for p in posts] == ["ann", "bob", "cy"]
    assert posts[1].text == "I disagree, the switch is fine."
    assert len(posts[1].quotes) == 1 and "Originally Posted by ann" in posts[1].quotes[0]
    assert LOREM in posts[1].quotes[0]


def test_quoted_writer_is_not_the_author_and_a_quote_is_not_the_body():
    def post(author, when, content):
        return f'<div class="post"><b>{author}</b> {when}<br>{content}</div>'

    def quote(who):
        return f'<blockquote><a href="/member.php?u={who}">{who}</a> wrote:<br>{LOREM}</blockquote>'
    html = page(post("ann", "May 3, 2024 10:00", LOREM),
                post("bob", "May 3, 2024 11:00", quote("ann") + "I disagree with that completely."),
                post("cy", "May 3, 2024 12:00", quote("bob") + "Me neither, the switch is fine."),
                post("dan", "May 3, 2024 13:00", quote("cy") + "Agreed with cy on the switch."))
    posts = posts_of(html)
    assert [p.author for p in posts] == ["ann", "bob", "cy", "dan"]
    assert [p.text for p in posts[1:]] == ["I disagree with that completely.", "Me neither, the switch is fine.",
                                           "Agreed with cy on the switch."]
    assert posts[1].quotes == ["ann wrote:\n" + LOREM]
    assert posts[0].text == LOREM and posts[3].published == datetime(2024, 5, 3, 13, 0)


def test_author_column_lines_leave_the_text_when_nothing_holds_them_apart():
    text = "Profile\nPM\nFind\nPosts: 44\nJoined: May 2019\nMay 3, 2024 10:00\nThe pump hums.\nZitieren\nRépondre"
    assert clean_lines(text) == "The pump hums."
    assert clean_lines("Age: 24\nFull Name: Ann") == "Age: 24\nFull Name: Ann"      # a form in a post stays
    assert clean_lines("Hello there\nPosts: 12") == "Hello there\nPosts: 12"        # only above the text


def test_lines_an_author_repeats_under_each_post_are_a_signature():
    from types import SimpleNamespace as P
    from extractor.signatures import strip_repeated_signatures
    sig = "--\nAnn, plumber since 1990, Leeds"
    posts = [P(author="ann", text="The pump hums.\n" + sig), P(author="bob", text="Replace the switch.\nThanks!"),
             P(author="ann", text="That fixed it.\nMany thanks.\n" + sig), P(author="bob", text="Good.\nThanks!")]
    strip_repeated_signatures(posts)
    assert [p.text for p in posts] == ["The pump hums.", "Replace the switch.\nThanks!", "That fixed it.\nMany thanks.",
                                       "Good.\nThanks!"]      # a shared "Thanks!" is too short for a signature


def test_a_link_to_a_post_anchor_on_another_page_is_the_posts_permalink():
    """A "recent posts" page: id-less posts headed by a link to where each post lives
    (SMF's ``index.php?topic=5.msg12#msg12``); the crawler stores them from there."""
    def row(n):
        return (f"<div class='windowbg'><h5><a href='/index.php?board=2.0'>Plumbing</a> / "
                f"<a href='/index.php?topic={n}.msg{n * 10}#msg{n * 10}'>Re: Pump noise {n}</a></h5>"
                f"<span>by <a href='/index.php?action=profile;u={n}'>user{n}</a> - May {n}, 2024, 09:{n}0 AM</span>"
                f"<div class='list_posts'>{LOREM} Number {n}.</div></div>")
    posts = posts_of(page(*(row(n) for n in range(1, 5))), "https://forum.example.org/index.php?action=recent")
    assert [p.url for p in posts] == [f"https://forum.example.org/index.php?topic={n}.msg{n * 10}#msg{n * 10}"
                                      for n in range(1, 5)]


def test_a_link_to_an_anchor_shown_on_the_page_is_no_post_elsewhere():
    """The same heading link to ``?topic=N.msgM#msgM``, but with the ``msgM`` anchor on this
    page: a post of this page, not a copy of one living elsewhere."""
    def row(n):
        return (f"<div class='windowbg'><a id='msg{n * 10}'></a><h5>"
                f"<a href='/index.php?topic={n}.msg{n * 10}#msg{n * 10}'>Re: Pump noise {n}</a></h5>"
                f"<span>by <a href='/index.php?action=profile;u={n}'>user{n}</a> - May {n}, 2024, 09:{n}0 AM</span>"
                f"<div class='list_posts'>{LOREM} Number {n}.</div></div>")
    posts = posts_of(page(*(row(n) for n in range(1, 5))), "https://forum.example.org/index.php?action=recent")
    assert len(posts) == 4 and [p.url for p in posts] == [None] * 4


def test_a_member_id_as_a_path_parameter_is_a_profile_link():
    """ThinkPHP's path-style parameters name the member as ``/uid/102`` (``index.php?s=/ucenter/index/
    index/uid/102.html``), as ``?uid=102`` does elsewhere: the name under such a link is a post's author
    (OpenSNS's pages of 2-5 posts read as a listing of 0 posts without it)."""
    from extractor.fields import is_profile_href

    assert is_profile_href("/index.php?s=/ucenter/index/index/uid/102.html")
    assert is_profile_href("/space/uid/7.html") and is_profile_href("/home.php?mod=space&uid=7")
    assert not is_profile_href("/index.php?s=/forum/index/detail/id/32.html")
    assert not is_profile_href("/index.php?s=/forum/index/forum/id/4.html")
