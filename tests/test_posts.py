"""find_posts on small hand-made pages: what makes a post, what does not."""
from datetime import datetime, timedelta, timezone

import lxml.html
import pytest

from extractor import extract
from extractor.dom import number, strip_invisible
from extractor.fields import floor_of, post_id_of
from extractor.posts import find_posts
from extractor.structured import read_structured

NOW = datetime(2024, 5, 10, 12, 0, tzinfo=timezone.utc)


def posts_of(html, url="https://forum.example.org/t/1"):
    root = lxml.html.document_fromstring(html)
    structured = read_structured(root, url)
    strip_invisible(root)
    return find_posts(number(root), url, now=NOW, structured=structured, template_mask=None, region=None)


def comment(cid, author, when, text, replies=""):
    return (f'<div class="comment" id="c{1000 + cid}"><div class="meta"><a class="author" href="/user/{author}">{author}</a> '
            f'<span class="age">{when}</span></div><div class="md"><p>{text}</p></div>'
            f'<div class="buttons"><a href="#">Reply</a> <a href="#">Share</a></div>{replies}</div>')


def test_article_without_repeated_posts_has_none():
    html = ("<html><body><nav><a href='/'>Home</a></nav><article><h1>Story</h1><p class='byline'>May 3, 2024</p>"
            + "<p>A long paragraph of article prose that goes on for a while, as articles do.</p>" * 6
            + "</article></body></html>")
    assert posts_of(html) == []


def test_nested_comments_are_separate_posts_without_their_replies():
    inner = comment(3, "carol", "1 hour ago", "Nested reply from carol about the valve.")
    html = ("<html><body><div class='thread'>"
            + comment(1, "alice", "5 hours ago", "Top comment by alice on the pump noise.",
                      "<div class='children'>" + comment(2, "bob", "4 hours ago",
                                                         "Bob answers alice about the pressure switch.", inner) + "</div>")
            + comment(4, "dave", "2 hours ago", "Second top-level comment by dave, unrelated.")
            + "</div></body></html>")
    posts = posts_of(html)
    assert [p.author for p in posts] == ["alice", "bob", "carol", "dave"]
    assert posts[0].text == "Top comment by alice on the pump noise."
    assert "Bob answers" not in posts[0].text and "Nested reply" not in posts[1].text
    assert posts[2].published == NOW - timedelta(hours=1)
    assert [p.post_id for p in posts] == ["1001", "1002", "1003", "1004"]
    assert all("Reply" not in p.text and "Share" not in p.text for p in posts)


def test_dated_sidebar_list_is_not_a_thread():
    items = "".join(f"<li><a href='/t/{i}'>Thread title number {i}</a> <span>May {i}, 2024</span></li>" for i in range(1, 8))
    html = ("<html><body><main><article><h1>About us</h1>"
            + "<p>We are a small club of people who repair pumps and talk about it at length.</p>" * 5
            + f"</article></main><aside class='sidebar'><h3>Recent</h3><ul>{items}</ul></aside></body></html>")
    assert posts_of(html) == []


def test_microdata_posts_take_authors_and_dates_from_markup():
    post = ('<div class="answer" itemscope itemtype="https://schema.org/{t}"><div class="votes">3</div>'
            '<div class="s-prose" itemprop="text"><p>{text}</p></div>'
            '<span itemprop="author" itemscope itemtype="https://schema.org/Person"><a href="/users/{a}" itemprop="name">{a}</a></span>'
            '<time itemprop="dateCreated" datetime="{d}">{d}</time></div>')
    html = ("<html><body><div id='content'>"
            + post.format(t="Question", text="How do I stop a pump humming at night?", a="asker", d="2024-05-01T10:00:00")
            + post.format(t="Answer", text="Replace the pressure switch, the contacts are pitted.", a="helper",
                          d="2024-05-01T11:30:00")
            + "</div></body></html>")
    posts = posts_of(html)
    assert [(p.author, p.published) for p in posts] == [("asker", datetime(2024, 5, 1, 10)),
                                                         ("helper", datetime(2024, 5, 1, 11, 30))]
    assert posts[1].text == "Replace the pressure switch, the contacts are pitted."


def test_jsonld_postings_used_when_the_dom_has_no_repeated_structure():
    html = """<html><head><script type="application/ld+json">{"@type": "DiscussionForumPosting",
      "text": "First post text about heat pumps.", "author": {"name": "ann"}, "datePublished": "2024-05-01T08:00:00Z",
      "comment": [{"@type": "Comment", "text": "A reply that agrees with ann.", "author": {"name": "ben"},
                   "datePublished": "2024-05-02T09:00:00Z"}]}</script></head>
      <body><div>First post text about heat pumps.</div><p>A reply that agrees with ann.</p></body></html>"""
    posts = posts_of(html)
    assert [(p.author, p.text) for p in posts] == [("ann", "First post text about heat pumps."),
                                                   ("ben", "A reply that agrees with ann.")]
    assert posts[1].published == datetime(2024, 5, 2, 9, tzinfo=timezone.utc)


def test_post_html_is_sanitised():
    body = ('<p class="x" style="color:red" onclick="evil()">Hello <a href="/u/1" class="l">link</a>'
            '<img src="/i.png" onerror="x()"><script>alert(1)</script></p>')
    html = ("<html><body><div id='posts'>" + "".join(
        f"<div class='post'><b class='name'>user{i}</b> <span class='when'>2024-05-0{i} 10:00</span>"
        f"<div class='body'>{body} number {i}</div></div>" for i in (1, 2, 3)) + "</div></body></html>")
    posts = posts_of(html)
    assert len(posts) == 3
    assert 'href="https://forum.example.org/u/1"' in posts[0].html
    assert 'src="https://forum.example.org/i.png"' in posts[0].html
    for bad in ("class=", "style=", "onclick", "onerror", "<script", "alert"):
        assert bad not in posts[0].html


@pytest.mark.parametrize("label, floor", [("#3", 3), ("Post #12", 12), ("3楼", 3), ("第5楼", 5), ("7#", 7),
                                          ("楼主", 1), ("沙发", 2), ("板凳", 3), ("地板", 4),
                                          ("« Reply #4 on: May 03, 2024, 12:30:15 PM »", 4), ("Reply", None),
                                          ("2024", None), ("#hashtag", None)])
def test_floor_labels(label, floor):
    assert floor_of(label) == floor


@pytest.mark.parametrize("attrs, expected", [({"id": "post_123"}, "123"), ({"id": "pid98765"}, "98765"),
                                             ({"data-post-id": "55"}, "55"), ({"id": "p4411"}, "4411"),
                                             ({"data-field": '{"content": {"post_id": 147}}'}, "147"),
                                             ({"id": "sidebar"}, None), ({"data-field": '{"user_id": 3}'}, None)])
def test_post_ids(attrs, expected):
    el = lxml.html.fromstring("<div></div>")
    for k, v in attrs.items():
        el.set(k, v)
    assert post_id_of(el) == expected


def test_one_author_posting_every_post_is_still_the_author():
    post = ('<div class="entry"><div class="side"><a href="/member/profile/7/"><b>solo</b></a>'
            '<span class="rank">Member</span></div><div class="main"><small>Day {i} · 2024-05-0{i} 08:00</small>'
            '<div class="content"><p>Training log day {i}: rode forty kilometres along the river.</p></div></div></div>')
    html = "<html><body><div id='list'>" + "".join(post.format(i=i) for i in range(1, 6)) + "</div></body></html>"
    posts = posts_of(html)
    assert [p.author for p in posts] == ["solo"] * 5
    assert [p.published for p in posts] == [datetime(2024, 5, i, 8) for i in range(1, 6)]
    assert posts[2].text == "Training log day 3: rode forty kilometres along the river."


def test_replies_nested_inside_the_body_keep_their_authors():
    def c(i, who, inner=""):
        return (f'<div class="comment"><span class="small"><i><a href="/user/{i}/">{who}</a> - {i} hours ago</i></span>'
                f'<div><p>Comment {i} by {who} with a few words.</p>{inner}</div></div>')
    html = "<html><body><main>" + c(1, "ann", c(2, "ben", c(3, "cat"))) + c(4, "dan") + "</main></body></html>"
    posts = posts_of(html)
    assert [(p.author, p.text) for p in posts] == [("ann", "Comment 1 by ann with a few words."),
                                                   ("ben", "Comment 2 by ben with a few words."),
                                                   ("cat", "Comment 3 by cat with a few words."),
                                                   ("dan", "Comment 4 by dan with a few words.")]
    assert all(p.url is None or "/user/" not in p.url for p in posts)


def test_related_article_cards_are_not_posts():
    card = ('<div class="card"><h3><a href="/2024/05/story-{i}">Headline of another story number {i}</a></h3>'
            '<span class="by">Reporter {i}</span> <span class="when">{i} hours ago</span>'
            '<p>An excerpt of that other story, long enough to read like prose {i}.</p></div>')
    html = ("<html><body><main><article><h1>Main story</h1>"
            + "<p>The main story's own paragraph, with plenty of words in it to be the content.</p>" * 3
            + "</article><section class='more'>" + "".join(card.format(i=i) for i in range(1, 7))
            + "</section></main></body></html>")
    assert posts_of(html, "https://news.example.com/2024/05/main-story") == []


def test_replies_titled_after_the_thread_are_still_posts():
    post = ('<table class="post"><tr><td><a href="/topics/{pid}/re-dreams#Post{pid}">Re: What did you dream last night?</a>'
            '</td><td><a href="/users/{who}">{who}</a> 2024-04-0{i} 10:00</td></tr>'
            '<tr><td colspan="2"><div class="body">Dream number {i} was about flying over the sea.</div></td></tr></table>')
    html = ("<html><body><div id='thread'>" + "".join(post.format(pid=1000 + i, who=f"user{i}", i=i) for i in range(1, 5))
            + "</div></body></html>")
    posts = posts_of(html, "https://forums.example.com/topics/1000/dreams")
    assert [p.author for p in posts] == ["user1", "user2", "user3", "user4"]


def test_code_blocks_keep_their_lines_and_indentation():
    post = ('<div class="post"><span class="who"><a href="/u/{i}">dev{i}</a></span> <span class="at">2024-05-0{i} 09:00</span>'
            '<div class="msg"><p>Try this, number {i}:</p><pre>def f():\n    return {i}\n</pre></div></div>')
    html = "<html><body><div id='t'>" + "".join(post.format(i=i) for i in (1, 2, 3)) + "</div></body></html>"
    posts = posts_of(html)
    assert posts[1].text == "Try this, number 2:\ndef f():\n    return 2"


@pytest.mark.parametrize("cls, expected", [("ipsQuote", True), ("bbcode_quote", True), ("bbCodeBlock bbCodeBlock--quote", True),
                                           ("quoteheader", True), ("js-selectToQuote", False),
                                           ("message-body js-selectToQuote", False), ("quote-button", False),
                                           ("postcontent restore", False)])
def test_quote_class_names(cls, expected):
    from extractor.fields import is_quote_named
    el = lxml.html.fromstring(f'<div class="{cls}">x</div>')
    assert is_quote_named(el) is expected


def test_dates_inside_quotes_do_not_disqualify_a_post():
    quote = '<blockquote><cite>On May {d}, 2024 at 10:0{d}, someone said:</cite>old words {d}</blockquote>'
    post = ('<div class="post"><a class="user" href="/u/{i}">user{i}</a> <span class="date">2024-05-0{i} 12:00</span>'
            '<div class="body">{quotes}<p>My own reply number {i}, written today.</p></div></div>')
    html = "<html><body><div id='thread'>" + "".join(
        post.format(i=i, quotes="".join(quote.format(d=d) for d in range(1, 6))) for i in range(1, 4)) + "</div></body></html>"
    posts = posts_of(html)
    assert [p.author for p in posts] == ["user1", "user2", "user3"]
    assert [p.published for p in posts] == [datetime(2024, 5, i, 12) for i in (1, 2, 3)]
    assert posts[0].text == "My own reply number 1, written today."
    assert len(posts[0].quotes) == 5


def test_alternating_row_classes_and_profile_boxes():
    post = ('<div id="p{pid}" class="blockpost {row}"><h2><span class="conr">#{i}</span> '
            '<a href="viewtopic.php?pid={pid}#p{pid}">2024-05-0{i} 10:1{i}</a></h2><div class="box"><div class="postbody">'
            '<div class="postleft"><dl><dt><strong><a href="profile.php?id={i}">member{i}</a></strong></dt>'
            '<dd class="usertitle">Member</dd><dd>Registered: 2019-01-0{i}</dd><dd>Posts: {i}7</dd></dl></div>'
            '<div class="postright"><h3>Re: Pump noise</h3><div class="postmsg"><p>Message body number {i} with a sentence.</p>'
            '</div></div></div></div></div>')
    html = ("<html><body><div id='brdmain'>"
            + "".join(post.format(pid=100 + i, i=i, row="rowodd" if i % 2 else "roweven") for i in range(1, 6))
            + "</div></body></html>")
    posts = posts_of(html, "https://f.example/viewtopic.php?id=5")
    assert [(p.floor, p.author, p.post_id) for p in posts] == [(i, f"member{i}", str(100 + i)) for i in range(1, 6)]
    assert [p.published for p in posts] == [datetime(2024, 5, i, 10, 10 + i) for i in range(1, 6)]
    assert all(p.text == f"Message body number {p.floor} with a sentence." for p in posts)


def test_table_rows_with_an_author_column_become_whole_posts():
    row = ('<tr><td class="row{r}"><span class="name"><b>user{i}</b></span><br><span class="postdetails">Posts: {i}3</span></td>'
           '<td class="row{r}"><table><tr><td><span class="postdetails">Posted: Mon May 0{i}, 2024 10:00 am</span></td></tr>'
           '<tr><td><span class="postbody">Post body {i}, a sentence people would write.</span></td></tr></table></td></tr>'
           '<tr><td class="spaceRow" colspan="2"></td></tr>')
    html = ("<html><body><table class='forumline'><tr><th>Author</th><th>Message</th></tr>"
            + "".join(row.format(i=i, r=1 + i % 2) for i in range(1, 5)) + "</table></body></html>")
    posts = posts_of(html, "https://f.example/viewtopic.php?t=9")
    assert [(p.author, p.published) for p in posts] == [(f"user{i}", datetime(2024, 5, i, 10)) for i in range(1, 5)]
    assert posts[0].text == "Post body 1, a sentence people would write."


def test_a_thread_page_with_a_single_post():
    html = ("<html><body><nav><a href='/'>Board index</a></nav><div id='page-body'><h2>Pump question</h2>"
            "<div id='p5001' class='post has-profile bg2'><div class='inner'><dl class='postprofile'><dt>"
            "<a href='./memberlist.php?mode=viewprofile&u=3' class='username'>alice_w</a></dt><dd>Posts: 12</dd></dl>"
            "<div class='postbody'><p class='author'><a href='#p5001'>#1</a> by alice_w » Fri May 03, 2024 12:30 pm</p>"
            "<div class='content'>My well pump hums loudly at night. Has anyone seen this before?</div>"
            "<ul><li><a href='posting.php?mode=quote&p=5001'>Quote</a></li></ul></div></div></div>"
            "<form><textarea></textarea></form></div><footer>Powered by a forum</footer></body></html>")
    posts = posts_of(html, "https://f.example/viewtopic.php?t=1")
    assert len(posts) == 1
    post = posts[0]
    assert (post.author, post.floor, post.post_id) == ("alice_w", 1, "5001")
    assert post.published == datetime(2024, 5, 3, 12, 30)
    assert post.text == "My well pump hums loudly at night. Has anyone seen this before?"


def smf_like_post(n, who, subject, when, text):
    """A post built like SMF 2.1's: poster box, subject and date linking to ``?msg=N``, body."""
    return (f"<div class='windowbg' id='msg{n}'><div class='poster'><h4>{who}</h4></div>"
            f"<div class='postarea'><div class='keyinfo'><a href='/index.php?msg={n}'>{subject}</a> "
            f"<a href='/index.php?msg={n}' class='smalltext'>{when}</a></div>"
            f"<div class='post'><div class='inner'>{text}</div></div></div></div>")


def smf_like_page(posts):
    """Two page sections alike (header with today's date, content with the posts)."""
    return ("<html><head><title>Pump hums</title></head><body><div id='wrapper'>"
            "<div id='upper_section'><p>May 10, 2024, 11:58 AM</p><p>News: welcome!</p><ul>"
            + "".join(f"<li><a href='/index.php?action={a}'>{a.title()}</a></li>" for a in ("home", "help", "search", "calendar", "login"))
            + "</ul></div>"
            "<div id='content_section'><h2>Pump hums</h2>" + "".join(posts) + "</div></div></body></html>")


def test_a_thread_of_two_posts_inside_page_sections_that_each_hold_a_date():
    """The header and content sections outscore two short posts; unlike each other, they are
    page sections, and the posts inside them ("Pump hums", "Re: Pump hums") are no listing rows."""
    html = smf_like_page([
        smf_like_post(89, "<a href='/index.php?action=profile;u=2'>alice</a>", "Pump hums", "May 03, 2024, 07:41 AM",
                      "My well pump hums at night, is that normal?"),
        smf_like_post(90, "<a href='/index.php?action=profile;u=3'>bob</a>", "Re: Pump hums", "May 03, 2024, 12:54 PM",
                      "Check the pressure switch first, it wears out.")])
    page = extract(html, "https://f.example/index.php?topic=7.0", now=NOW)
    assert page.kind == "thread"
    assert [(p.author, p.published, p.text) for p in page.posts] == [
        ("alice", datetime(2024, 5, 3, 7, 41), "My well pump hums at night, is that normal?"),
        ("bob", datetime(2024, 5, 3, 12, 54), "Check the pressure switch first, it wears out.")]


def test_a_single_guest_post_is_known_by_its_permalink():
    """No profile link, floor label or button under a guest's post: its link to ``?msg=1``
    (another address of the site carrying the post's id) marks it a forum post."""
    html = smf_like_page([smf_like_post(1, "Guest writer", "Pump hums", "May 03, 2024, 07:41 AM",
                                        "My well pump hums at night, is that normal?")])
    posts = posts_of(html, "https://f.example/index.php?topic=1.0")
    assert [(p.author, p.published, p.text) for p in posts] == [
        ("Guest writer", datetime(2024, 5, 3, 7, 41), "My well pump hums at night, is that normal?")]
    # the same post read at its own address is an article linking to itself, not a post
    assert posts_of(html, "https://f.example/index.php?msg=1") == []


def test_a_blog_article_is_not_a_single_post():
    html = ("<html><body><article id='post-123' class='post-123 post type-post'><h1>Garden beds</h1>"
            "<div class='meta'>By <a href='/author/jane/'>Jane</a> on May 3, 2024</div>"
            "<div class='entry-content'>" + "<p>We built four raised beds from reclaimed pallets over one weekend.</p>" * 4
            + "</div></article></body></html>")
    assert posts_of(html, "https://blog.example.com/2024/05/garden-beds/") == []


def test_old_reddit_style_nested_comments_with_permalinks():
    def thing(cid, who, day, text, kids=""):
        return (f'<div class="thing id-t1_{cid} comment" id="thing_t1_{cid}"><div class="entry unvoted">'
                f'<p class="tagline"><a href="/user/{who}" class="author id-t2_{cid}">{who}</a> <span class="score">5 points</span> '
                f'<time datetime="2024-05-0{day}T12:30:00+00:00">{day} days ago</time></p>'
                f'<div class="usertext-body"><div class="md"><p>{text}</p></div></div>'
                f'<ul class="flat-list buttons"><li><a href="/r/x/comments/abc/t/{cid}/">permalink</a></li>'
                f'<li><a href="javascript:void(0)">reply</a></li></ul></div><div class="child">{kids}</div></div>')
    nested = '<div class="sitetable">' + thing("b2", "bob", 2, "Bob answers alice about the valve.") + "</div>"
    html = ("<html><body><div class='commentarea'><div class='sitetable nestedlisting'>"
            + thing("a1", "alice", 1, "Alice opens the discussion on pumps.", nested)
            + thing("d4", "dave", 4, "Dave adds a separate remark.") + "</div></div></body></html>")
    posts = posts_of(html, "https://old.example.com/r/x/comments/abc/t/")
    assert [(p.author, p.text) for p in posts] == [("alice", "Alice opens the discussion on pumps."),
                                                   ("bob", "Bob answers alice about the valve."),
                                                   ("dave", "Dave adds a separate remark.")]
    assert posts[1].url == "https://old.example.com/r/x/comments/abc/t/b2/"
    assert posts[2].published == datetime(2024, 5, 4, 12, 30, tzinfo=timezone.utc)


def test_comments_under_marked_up_question_and_answers_are_posts():
    def qa_comment(cid, who, when, text):
        return (f'<li class="comment" id="comment-{cid}"><span class="comment-copy">{text}</span> &ndash; '
                f'<a class="comment-user" href="/users/{who}">{who}</a> <span class="comment-date">{when}</span></li>')

    def posting(kind, text, who, when, comments):
        return (f'<div class="{kind.lower()}" itemscope itemtype="https://schema.org/{kind}"><div class="layout">'
                f'<div class="votes">3</div><div class="body" itemprop="text"><p>{text}</p></div>'
                f'<div class="sig"><a href="/users/{who}">{who}</a> <time datetime="{when}">{when}</time></div></div>'
                f'<ul class="comments">{comments}</ul></div>')

    html = ("<html><body><div id='content'>"
            + posting("Question", "How do I stop a pump humming at night when the tank is full?", "asker",
                      "2024-05-01T10:00:00",
                      qa_comment(1, "alice", "May 1, 2024 at 10:20", "Which pump model is it, and how old is it?")
                      + qa_comment(2, "asker", "May 1, 2024 at 10:31", "A ten year old jet pump with a pressure tank."))
            + posting("Answer", "Replace the pressure switch, the contacts are pitted and chatter.", "helper",
                      "2024-05-01T11:30:00",
                      qa_comment(3, "asker", "May 1, 2024 at 12:02", "That fixed it, thank you very much for that."))
            + "</div></body></html>")
    posts = posts_of(html)
    assert [p.text for p in posts] == [
        "How do I stop a pump humming at night when the tank is full?",
        "Which pump model is it, and how old is it?",
        "A ten year old jet pump with a pressure tank.",
        "Replace the pressure switch, the contacts are pitted and chatter.",
        "That fixed it, thank you very much for that."]
    assert [p.author for p in posts] == ["asker", "alice", "asker", "helper", "asker"]
    assert [p.position for p in posts] == [1, 2, 3, 4, 5]


def _short_replies(n):
    return "".join(
        f'<div class="reply"><div class="meta"><a href="/user/u{i}">u{i}</a> &middot; <span>{i + 1}h ago</span></div>'
        f'<div class="md"><p>Short reply number {i} about the flags and the neighbour.</p></div></div>' for i in range(n))


def _long_opening_post():
    return ('<div class="op"><div class="op-head"><a href="/user/op">op</a> &middot; <span>May 3, 2024</span></div>'
            + "".join(f"<p>Paragraph {i} of a long story about the neighbour who stopped to point at the flag "
                      f"poles in front of our new house and asked where the flags had gone.</p>" for i in range(5))
            + "</div>")


def test_replies_inside_a_main_element_named_after_its_sidebar_are_posts():
    html = ("<html><body><nav><a href='/'>Home</a></nav><main class='main right-sidebar-xs'>"
            + _short_replies(4) + "</main>"
            + "<div class='side'>" + "<p>Unrelated sidebar text that is long enough to count for something.</p>" * 8
            + "</div></body></html>")
    posts = posts_of(html)
    assert [p.author for p in posts] == ["u0", "u1", "u2", "u3"]


def test_short_replies_under_a_long_opening_post_make_a_thread():
    html = ("<html><body><div id='page'>" + _long_opening_post() + "<div class='replies'>" + _short_replies(5)
            + "</div></div><div class='more'>"
            + "<p>Other text on the page that is long enough to count for a good deal of characters.</p>" * 12
            + "</div></body></html>")
    posts = posts_of(html)
    assert len(posts) == 6 and posts[0].text.startswith("Paragraph 0")
    assert posts[5].text == "Short reply number 4 about the flags and the neighbour."


def test_a_section_sharing_the_post_class_without_author_or_body_is_no_post():
    notice = ('<div class="comment"><span class="age">May 9, 2024</span> <b>Notice:</b> the board moves to a new '
              'server on Friday night, expect a short downtime.</div>')
    html = ("<html><body><div id='thread'>" + notice
            + "".join(comment(i, f"user{i}", f"{i + 1} hours ago", f"Reply {i} with enough words to be a real post.")
                      for i in range(4))
            + "</div></body></html>")
    posts = posts_of(html)
    assert [p.author for p in posts] == ["user0", "user1", "user2", "user3"]


@pytest.mark.parametrize("line", ["点赞", "评论", "评论 (3)", "Reply", "回复"])
def test_button_lines_are_not_post_text(line):
    from extractor.fields import clean_lines
    assert clean_lines(f"元旦快乐，大家好好休息\n{line}") == "元旦快乐，大家好好休息"


def test_a_notice_above_the_replies_is_not_the_opening_post():
    html = ("<html><body><div id='topic'><div class='bbp-template-notice info'><p>This topic has 4 replies, 2 voices, "
            "and was last updated 2 hours ago by user1.</p></div><ul class='replies'>"
            + "".join(f"<li>{comment(i, f'user{i}', f'{i + 1} hours ago', f'Reply {i} with enough words to be a post.')}</li>"
                      for i in range(4))
            + "</ul></div></body></html>")
    posts = posts_of(html)
    assert [p.author for p in posts] == ["user0", "user1", "user2", "user3"]


def test_a_board_index_block_linking_its_board_is_no_single_post():
    """FluxBB's index: a category block ``id="idx1"`` holds a board row with a description, a
    last-post date and a link to ``viewforum.php?id=1`` (the block's number, on another address):
    no permalink of a post, since the block is not named as one (it was stored as a thread's post)."""
    html = ("<html><head><title>My forum</title></head><body><div id='brdmain'><h2>General</h2>"
            "<div id='idx1' class='blocktable'><table><tbody><tr class='rowodd' id='forum1'>"
            "<td class='tcl'><h3><a href='viewforum.php?id=1'>Test forum</a></h3>"
            "<div class='forumdesc'>This is just a test forum for our members</div></td>"
            "<td class='tc2'>4</td><td class='tc3'>12</td>"
            "<td class='tcr'><a href='viewtopic.php?pid=83#p83'>2024-05-03 07:41:12</a> <span>by marta</span></td>"
            "</tr></tbody></table></div></div></body></html>")
    assert posts_of(html, "https://f.example/index.php") == []


def cms_topic_page(wrapper_id: str, post_id: int, author: str, when: str, text: str, notice: str = "") -> str:
    """A forum topic page as a CMS theme shows it: the theme's ``<article>`` named after the record
    shown wraps breadcrumbs, a freshness notice and the forum's own post (a header carrying the
    post's id beside the author box and body), then a login form."""
    return ("<html><body><main><article id='" + wrapper_id + "' class='hentry entry'><header><h1>Pump hums</h1></header>"
            "<div class='entry-content'><div class='forums-wrapper'>"
            "<div class='breadcrumb'><a href='/'>Home</a> › <a href='/forums/'>Forums</a> › Pump hums</div>"
            "<div class='notice'>This topic has 3 replies and was last updated <a href='/forums/topic/pump/'>"
            "2 months ago</a> by <a href='/forums/users/zed/'>zed</a>. " + notice + "</div>"
            "<ul class='replies'><li class='body'>"
            f"<div id='post-{post_id}' class='reply-header'><span class='post-date'>{when}</span> "
            f"<a href='/forums/topic/pump/#post-{post_id}'>#{post_id}</a></div>"
            f"<div class='reply post-{post_id}'><div class='reply-author'><a href='/forums/users/{author}/'>{author}</a>"
            f"<div class='role'>Member</div></div><div class='reply-content'><p>{text}</p></div></div>"
            "</li></ul><form><label>Username</label><input name='log'><label>Password</label>"
            "<input type='password' name='pwd'></form></div></div></article></main></body></html>")


def test_a_single_post_inside_a_wrapper_named_after_the_same_record():
    """The theme's wrapper carries the topic's id like the post inside it (``post-5`` twice, or the
    topic's ``post-38`` around a later page's ``post-44``): the post is the forum's own, with its
    own date, not the wrapper with the breadcrumbs and the freshness notice ("2 months ago")."""
    for wrapper, pid in (("post-5", 5), ("post-38", 44)):
        html = cms_topic_page(wrapper, pid, "marta", "April 28, 2024 at 4:15 am",
                              "My well pump hums loudly at night. Has anyone seen this before?")
        posts = posts_of(html, "https://f.example/forums/topic/pump/page/2/")
        assert [(p.author, p.published, p.text) for p in posts] == [
            ("marta", datetime(2024, 4, 28, 4, 15), "My well pump hums loudly at night. Has anyone seen this before?")]


def test_a_wrapper_with_record_id_zero_or_holding_rows_is_no_single_post():
    """``post-0`` names no record (a page a plugin makes up, a forum index); a wrapper holding
    three or more rows with ids of one numbered form is a list of records (a board's topics),
    though it has a date, a member link and prose like a post."""
    row = ("<ul id='topic-{n}' class='topic'><li class='title'><a href='/forums/topic/t{n}/'>Topic number {n} about "
           "pumps</a><p>Started by: <a href='/forums/users/zed/'>zed</a></p></li><li>2</li><li>3</li>"
           "<li><a href='/forums/topic/t{n}/'>2 years, 7 months ago</a><p><a href='/forums/users/marta/'>marta</a></p>"
           "</li></ul>")
    page = ("<html><body><article id='post-{wid}' class='hentry'><h1>Pumps</h1><div class='entry-content'>"
            "<div class='notice'>This forum has 3 topics and was last updated <a href='/forums/topic/t13/'>2 years, "
            "7 months ago</a> by <a href='/forums/users/marta/'>marta</a>.</div><ul id='forum-{wid}' class='topics'>"
            "<li class='header'>Topic Voices Posts Freshness</li><li class='body'>{body}</li></ul></div></article>"
            "</body></html>")
    rows = "".join(row.format(n=n) for n in (11, 12, 13))
    assert posts_of(page.format(wid=4, body=rows), "https://f.example/forums/forum/pumps/page/2/") == []
    assert posts_of(page.format(wid=0, body=row.format(n=11)), "https://f.example/forums/") == []


def test_an_archive_of_several_records_is_no_single_post():
    """Two ``<article id="post-N">`` side by side (a blog's category archive): one of them showing
    a post's signs (here a link carrying its id) does not make the page a one-post thread."""
    def entry(n, extra):
        return (f"<article id='post-{n}' class='post-{n} post hentry'><h2><a href='/2024/05/e{n}/'>Entry {n}</a></h2>"
                f"<div class='entry-content'><p>Entry {n} of this blog, a few sentences about the garden in spring.</p>"
                f"</div><footer>Published <time>May {n}, 2024</time> in <a href='/category/garden/'>Garden</a>"
                f"{extra}</footer></article>")
    other = ("<article id='post-12' class='post-12 post hentry'><h2><a href='/2024/04/e12/'>Entry 12</a></h2>"
             "<div class='entry-content'><p>We set out early and followed the towpath east from the lock keeper's "
             "cottage, the herons in the reeds&hellip; <a class='more-link' href='/2024/04/e12/'>Continue reading</a>"
             "</p></div><footer>Tagged <a href='/tag/walks/'>walks</a>, <a href='/tag/canals/'>canals</a></footer>"
             "</article>")
    html = ("<html><body><main><h1>Category: Garden</h1>" + entry(1, " <a href='/?p=1'>Short link</a>")
            + other + "</main></body></html>")
    assert posts_of(html, "https://blog.example/category/garden/") == []
