"""Thread pages as real forums serve them (issue 8): one small hand-made page per failure class.

Each page shows one way real sites differ from the engines' textbook markup: the
thread inside a JavaScript shell's <noscript>, posts without a container of their
own, the opening post or a moderator's post built differently from the replies,
class-less table layouts, one-word replies, schema.org data that repeats or zeroes
things, Q&A pages with badges in the answer header.
"""
import json
from datetime import datetime, timezone

from extractor import extract

NOW = datetime(2024, 5, 10, 12, 0, tzinfo=timezone.utc)
URL = "https://forum.example.org/t/pumps/42"

REPLIES = [
    ("alice", "My pump hums at night and the pressure gauge swings between two and three bar."),
    ("bob", "Check the pressure switch first, pitted contacts make exactly that noise."),
    ("carol", "Could also be a worn bearing; does the noise change when the tap is open?"),
    ("dave", "Replaced the switch last spring on mine and the humming stopped the same day."),
]


def page(body: str, head: str = "") -> str:
    return (f"<html><head><title>Pump humming at night - Example Forum</title>{head}</head>"
            f"<body><div id='top'><a href='/'>Example Forum</a> <a href='/login'>Log in</a></div>"
            f"{body}<div id='foot'>Powered by a forum engine. Privacy. Terms.</div></body></html>")


def texts(p) -> list[str]:
    return [post.text for post in p.posts]


def test_thread_served_in_the_noscript_block_of_a_javascript_shell():
    posts = "".join(
        f"<div class='topic-body crawler-post'><div class='meta'><span class='creator'><a href='/u/{a}'>{a}</a></span>"
        f"<time datetime='2024-05-0{i + 1}T10:00:00Z'>May {i + 1}, 2024</time></div>"
        f"<div class='post'><p>{t}</p></div></div>"
        for i, (a, t) in enumerate(REPLIES))
    html = page("<div id='app'></div><script>boot()</script>"
                f"<noscript><div id='main-outlet'><h1>Pump humming at night</h1>{posts}</div></noscript>"
                "<noscript><img src='/pixel.gif'></noscript>")
    p = extract(html, URL, now=NOW)
    assert p.kind == "thread"
    assert texts(p) == [t for _, t in REPLIES]
    assert [post.author for post in p.posts] == [a for a, _ in REPLIES]


def test_noscript_notice_on_an_ordinary_page_stays_hidden():
    html = page("<noscript><p>Please enable JavaScript to use the reply editor and the like buttons of this "
                "forum, which otherwise do not work at all in your browser. Some features of the search, the "
                "notifications and the private messages also need it to be switched on.</p></noscript>"
                + "<article><h1>Club rules</h1>" + "<p>Members keep the workshop tidy and return borrowed tools "
                "to the rack before they leave; the last one out switches off the compressor.</p>" * 4
                + "</article>")
    p = extract(html, URL, now=NOW)
    assert "enable JavaScript" not in p.text
    assert "compressor" in p.text


def test_jsonld_thread_repeating_its_opening_post_does_not_replace_the_dom_split():
    # The engine lists the opening post both as the DiscussionForumPosting and as its first
    # comment, with zeroed dates on the comments; a one-word reply cannot be matched by text.
    items = REPLIES + [("alice", "Thanks")]
    comments = [{"@type": "Comment", "text": t, "author": {"name": a}, "datePublished": "1970-01-01T00:00:00+0000"}
                for a, t in items]
    data = {"@context": "https://schema.org", "@type": "DiscussionForumPosting", "headline": "Pump humming",
            "text": REPLIES[0][1], "author": {"name": "alice"}, "datePublished": "2024-05-01T10:00:00+0000",
            "comment": comments}
    posts = "".join(
        f"<article class='cPost' id='elComment_{i}'><aside class='author'><a href='/profile/{i}-{a}'>{a}</a></aside>"
        f"<div class='meta'>Posted <time datetime='2024-05-0{i + 1}T1{i}:00:00Z'>May {i + 1}, 2024</time></div>"
        f"<div class='content'><p>{t}</p></div></article>"
        for i, (a, t) in enumerate(items))
    html = page(f"<div id='content'><h1>Pump humming</h1>{posts}</div>",
                head=f"<script type='application/ld+json'>{json.dumps(data)}</script>")
    p = extract(html, URL, now=NOW)
    assert texts(p) == [t for _, t in items]
    assert [post.published.day for post in p.posts] == [1, 2, 3, 4, 5]


def test_one_word_replies_are_posts():
    items = REPLIES + [("erin", "Same here, the humming started after the power cut last week."),
                       ("fang", "+1"), ("gus", "顶"), ("hal", "Thanks")]
    posts = "".join(
        f"<div class='post' id='p{i}'><div class='postprofile'><a class='username' href='/member/{a}'>{a}</a></div>"
        f"<div class='postdate'>2024-05-0{i + 1} 10:00</div><div class='postbody'>{t}</div>"
        f"<div class='buttons'><a href='#'>Quote</a> <a href='#'>Reply</a></div></div>"
        for i, (a, t) in enumerate(items))
    p = extract(page(f"<div id='thread'><h1>Pump humming</h1>{posts}</div>"), URL, now=NOW)
    assert texts(p) == [t for _, t in items]
    assert [post.author for post in p.posts] == [a for a, _ in items]


def test_badge_in_an_answer_header_is_not_a_comment():
    def answer(kind: str, who: str, badge: str, text: str, comments: str = "") -> str:
        return (f"<div class='resp' itemprop='suggestedAnswer' itemscope itemtype='http://schema.org/{kind}'>"
                f"<div class='resp_header'><div class='user_title'>{badge}</div>"
                f"<a href='/user/{who}'><span itemprop='author'>{who}</span></a>"
                f"<time itemprop='dateCreated' datetime='2024-05-02T10:00:00'>May 2, 2024</time></div>"
                f"<div class='resp_body' itemprop='text'>{text}</div>{comments}</div>")
    html = page("<div id='question' itemscope itemtype='http://schema.org/Question'>"
                "<h1 itemprop='name'>Pump humming</h1><div class='q_body' itemprop='text'>"
                f"{REPLIES[0][1]}</div><span itemprop='author'>alice</span>"
                "<time itemprop='dateCreated' datetime='2024-05-01T10:00:00'>May 1, 2024</time>"
                + answer("Answer", "bob", "COMMUNITY LEADER", REPLIES[1][1])
                + answer("Answer", "carol", "COMMUNITY LEADER", REPLIES[2][1])
                + answer("Answer", "dave", "", REPLIES[3][1]) + "</div>")
    p = extract(html, URL, now=NOW)
    assert texts(p) == [t for _, t in REPLIES]
    assert all("COMMUNITY LEADER" not in t for t in texts(p))


def vanilla_like(i: int, author: str, text: str, extra: str = "", signature: str = "") -> str:
    """A reply as list-based engines print it: header (name, role, date), body, reactions."""
    return (f"<li class='Item ItemComment{extra}' id='Comment_{100 + i}'>"
            f"<div class='AuthorWrap'><a class='Username' href='/profile/{author}'>{author}</a>"
            f"<span class='RoleTitle'>Member</span></div>"
            f"<div class='Meta'><time datetime='2024-05-0{i + 1}T09:00:00+00:00'>May {i + 1}</time></div>"
            f"<div class='Item-Body'><div class='Message userContent'>{text}</div>{signature}</div>"
            f"<div class='Reactions'><a href='#'>Like</a></div></li>")


def test_opening_post_in_a_topic_box_above_the_reply_list():
    # the topic box's header (name, post count, role, rank, date, category, views) outweighs its
    # short question: the post is recognised by its body element, not by its share of prose
    op = ("<div class='Item ItemDiscussion' id='Discussion_42'><div class='Discussion'>"
          "<div class='AuthorWrap'><a class='Username' href='/profile/alice'>alice</a>"
          "<span class='PostCount'>Posts: <b>1</b></span><span class='RoleTitle'>Member</span>"
          "<span class='Rank'>Newcomer</span></div>"
          "<div class='Meta'><time datetime='2024-05-01T08:00:00+00:00'>May 1</time> in "
          "<a href='/c/pumps'>Pumps, valves and other water works</a> <span>12 replies</span> "
          "<span>2,430 views</span></div><div class='Item-Body'><div class='Message userContent'>"
          "Why does my pump hum at night?</div></div></div></div>")
    replies = "".join(vanilla_like(i, a, t) for i, (a, t) in enumerate(REPLIES[1:], start=1))
    html = page(f"<div class='MessageList Discussion'><h1>Pump humming at night</h1>{op}"
                f"<div class='CommentsWrap'><h2>Replies</h2><ul class='MessageList Comments'>{replies}</ul></div></div>"
                "<div class='Panel'><h4>Related</h4><div class='Message userContent'>Older thread about "
                "pumps and valves in the panel</div></div>")
    p = extract(html, URL, now=NOW)
    assert texts(p) == ["Why does my pump hum at night?"] + [t for _, t in REPLIES[1:]]
    assert [post.author for post in p.posts] == [a for a, _ in REPLIES]
    assert p.posts[0].published == datetime(2024, 5, 1, 8, 0, tzinfo=timezone.utc)


def test_posts_with_an_extra_class_are_posts_too():
    # the thread starter's and the staff's posts carry one more class than the others
    money = "<div class='Signature'>Savings account - £14063.93</div>"
    extras = ["", " isOriginalPoster", " staff", "", " isOriginalPoster"]
    items = REPLIES + [("alice", "Thanks all, I ordered the switch and will report back next week.")]
    replies = "".join(vanilla_like(i, a, t, extras[i], money if extras[i] else "")
                      for i, (a, t) in enumerate(items))
    p = extract(page(f"<div id='content'><h1>Pump humming at night</h1><ul class='MessageList'>{replies}</ul></div>"),
                URL, now=NOW)
    assert texts(p) == [t for _, t in items]
    assert [post.author for post in p.posts] == [a for a, _ in items]
    assert [post.published.day for post in p.posts] == [1, 2, 3, 4, 5]


def test_class_less_table_board_with_a_header_table_in_each_post():
    def post(i: int, author: str, text: str) -> str:
        return (f"<a name='{500 + i}'></a><table width='90%' border='0' bgcolor='#dddddd'><tr><td>"
                f"<table width='100%'><tr><td><b>Posted by</b> <a href='member.cgi?id={i}'>{author}</a> "
                f"<b>at</b> 2024.05.0{i + 1} 1{i}:05</td><td align='right'><a href='#top'>top</a></td></tr></table>"
                f"</td></tr><tr bgcolor='#ffffff'><td>{text}</td></tr></table><p>")
    html = page("<table width='100%'><tr><td valign='top'><b>Forum</b><br><a href='/f/1'>Pumps</a><br>"
                "<a href='/f/2'>Valves</a></td><td><table width='80%'><tr><td><b>Topic</b> Pump humming at night"
                "</td></tr></table><br>" + "".join(post(i, a, t) for i, (a, t) in enumerate(REPLIES))
                + "</td></tr></table>")
    p = extract(html, URL, now=NOW)
    assert p.kind == "thread"
    assert texts(p) == [t for _, t in REPLIES]
    assert [post.published for post in p.posts] == [datetime(2024, 5, i + 1, 10 + i, 5) for i in range(4)]


def test_amounts_of_money_are_not_date_labels():
    import lxml.html

    from extractor.dom import number
    from extractor.units import date_flags
    labels = ["£4000.00", "$1999.99", "Savings account 2 - £4000.00", "2024.05.03 13:17", "2024-5-3", "12:30"]
    root = lxml.html.document_fromstring("<html><body>" + "".join(f"<p>{t}</p>" for t in labels) + "</body></html>")
    dom = number(root)
    flags = date_flags(dom)
    assert [int(flags[i]) for i in range(len(dom)) if dom.own_text[i]] == [0, 0, 0, 1, 1, 1]


def test_posts_as_runs_of_table_rows_led_by_a_header_row():
    # no element per post: a header row (name, date, subject), the text's row, a button row
    def rows(i: int, author: str, text: str) -> str:
        return (f"<tr id='m{900 + i}'><td rowspan='3' class='bg_{i % 2}'><p><a href='index.php?profile={i}'>{author}</a></p>"
                f"<p>0{i + 1}.05.2024, 1{i}:30</p></td><td class='bg_{i % 2}'><strong>Pump humming at night</strong></td></tr>"
                f"<tr><td class='forum_message bg_{i % 2}'>{text}</td></tr>"
                f"<tr><td class='bg_{i % 2}'><a href='?reply={900 + i}' class='navigation'>Antworten</a></td></tr>")
    html = page("<div id='content'><h1>Pump humming at night</h1><table id='thread' width='100%'>"
                + "".join(rows(i, a, t) for i, (a, t) in enumerate(REPLIES)) + "</table></div>")
    p = extract(html, URL, now=NOW)
    assert p.kind == "thread"
    assert texts(p) == [t for _, t in REPLIES]
    assert [post.author for post in p.posts] == [a for a, _ in REPLIES]
    assert [post.published for post in p.posts] == [datetime(2024, 5, i + 1, 10 + i, 30) for i in range(4)]


def test_text_board_name_and_time_lines_without_a_container_per_post():
    def entry(i: int, author: str, text: str) -> str:
        return (f"<dt>{i + 1} ：<a href='mailto:sage'><b>{author}</b></a>：2024/05/0{i + 1} 1{i}:15:00 ID:x{i}Yz</dt>"
                f"<dd> {text} <br><br></dd>")
    html = page("<h1>Pump humming at night</h1><dl class='thread'>"
                + "".join(entry(i, a, t) for i, (a, t) in enumerate(REPLIES)) + "</dl>")
    p = extract(html, URL, now=NOW)
    assert p.kind == "thread"
    assert texts(p) == [t for _, t in REPLIES]
    assert [post.published for post in p.posts] == [datetime(2024, 5, i + 1, 10 + i, 15) for i in range(4)]


def test_posts_of_alternating_classes_are_not_runs_of_one_another():
    # every second post carries "Alt": the Alt posts are spaced regularly, but the posts
    # between them are built like them, so each post stays a post
    items = REPLIES + [("erin", "The gauge swings because the accumulator lost its air charge, check it."),
                       ("fang", "Pumped the accumulator to 1.8 bar and the humming is gone, thanks everyone.")]
    replies = "".join(vanilla_like(i, a, t, " Alt" if i % 2 == 0 else "") for i, (a, t) in enumerate(items))
    p = extract(page(f"<div id='content'><h1>Pump humming at night</h1><ul class='MessageList'>{replies}</ul></div>"),
                URL, now=NOW)
    assert texts(p) == [t for _, t in items]


def test_post_whose_text_names_many_days_is_a_post():
    story = ("<p>A short life story of my pump, told in dates as the manual asks for it.</p>"
             "<p><b>Built:</b> May 3, 2016</p><p><b>Installed:</b> June 5, 2017</p><p><b>Serviced:</b> July 4, 2019</p>"
             "<p><b>Switch replaced:</b> March 1, 2021</p><p><b>Returned on</b> April 2, 2023.</p>")
    items = REPLIES[:2] + [("erin", story)] + REPLIES[2:]
    posts = "".join(
        f"<div class='reply' id='r{i}'><div class='who'><a href='/u/{a}'>{a}</a> wrote on "
        f"<span class='when'>2024-05-0{i + 1} 10:00</span></div><div class='said'>{t}</div></div>"
        for i, (a, t) in enumerate(items))
    p = extract(page(f"<div id='thread'><h1>Pump humming</h1>{posts}</div>"), URL, now=NOW)
    assert [post.author for post in p.posts] == [a for a, _ in items]
    assert "Returned on April 2, 2023." in p.posts[2].text


def test_comments_of_a_question_and_answers_page_carry_their_parent():
    def comment(who: str, when: str, text: str) -> str:
        return (f"<li class='comment'><span class='comment-copy'>{text}</span> - "
                f"<a class='comment-user' href='/users/{who}'>{who}</a> <span class='comment-date'>{when}</span></li>")

    def answer(who: str, when: str, text: str, comments: str) -> str:
        return (f"<div class='answer' itemprop='suggestedAnswer' itemscope itemtype='https://schema.org/Answer'>"
                f"<div class='body' itemprop='text'><p>{text}</p></div>"
                f"<div class='sig'><a href='/users/{who}'>{who}</a> <time datetime='{when}'>{when}</time></div>"
                f"<ul class='comments'>{comments}</ul></div>")
    # the answers sit inside the question's element, as some Q&A engines print them
    html = page("<div id='question' itemscope itemtype='https://schema.org/Question'>"
                "<h1 itemprop='name'>Pump humming</h1><div class='body' itemprop='text'><p>"
                f"{REPLIES[0][1]}</p></div><div class='sig'><a href='/users/alice'>alice</a> "
                "<time datetime='2024-05-01T10:00:00'>2024-05-01T10:00:00</time></div><ul class='comments'>"
                + comment("bob", "May 1, 2024 at 10:20", "Which pump model is it, and how old is it?") + "</ul>"
                + answer("carol", "2024-05-01T11:00:00", REPLIES[2][1],
                         comment("alice", "May 1, 2024 at 11:20", "No change when the tap is open, it hums anyway."))
                + answer("dave", "2024-05-01T12:00:00", REPLIES[3][1],
                         comment("alice", "May 1, 2024 at 12:40", "Ordered a new switch, will report back."))
                + "</div>")
    p = extract(html, URL, now=NOW)
    assert [post.author for post in p.posts] == ["alice", "bob", "carol", "alice", "dave", "alice"]
    assert [post.parent for post in p.posts] == [None, 1, None, 3, None, 5]


def forum_post(i: int, author: str, text: str) -> str:
    return (f"<div class='message' id='post{i}'><div class='user'><a href='/member/{author}'>{author}</a></div>"
            f"<div class='date'>2024-05-0{i % 9 + 1} 1{i % 10}:00</div><div class='text'>{text}</div></div>")


def test_long_thread_is_a_thread():
    posts = "".join(forum_post(i, f"user{i % 17}", f"Reply number {i} about the pump and its switch.")
                    for i in range(150))
    p = extract(page(f"<div id='thread'><h1>Pump humming at night</h1>{posts}</div>"), URL, now=NOW)
    assert p.kind == "thread"
    assert len(p.posts) == 150


def test_big_list_of_similar_threads_beside_a_short_thread():
    # the list of other threads (title link, date, excerpt) holds far more text than the thread
    similar = "".join(
        f"<li class='item'><a href='/t/{i}'>Similar thread number {i} about pumps</a>"
        f"<span class='when'>May {i % 28 + 1}, 2024</span><p class='excerpt'>An excerpt of that other thread, which "
        f"talks about a pump that hums and a switch that chatters at night, as many do.</p></li>" for i in range(40))
    html = page("<div id='main'><h1>Pump humming at night</h1><div id='thread'>"
                + "".join(forum_post(i, a, t) for i, (a, t) in enumerate(REPLIES[:3]))
                + f"</div></div><div id='more'><h3>Similar threads</h3><ul>{similar}</ul></div>")
    p = extract(html, URL, now=NOW)
    assert p.kind == "thread"
    assert [post.author for post in p.posts] == [a for a, _ in REPLIES[:3]]


def test_short_thread_under_a_long_rules_text():
    # the board's rules above the posts are the densest block of the page; the posts link their
    # authors to member profiles, as a forum's do
    rules = ("<div id='rules'><h2>Forum rules</h2>" + "<p>Be kind to each other, stay on topic, post no personal "
             "data, and read the manual of your pump before asking your questions here, please.</p>" * 12 + "</div>")
    html = page(f"<div id='main'><h1>Pump humming at night</h1>{rules}<div id='thread'>"
                + "".join(forum_post(i, a, t) for i, (a, t) in enumerate(REPLIES[:3])) + "</div></div>")
    p = extract(html, URL, now=NOW)
    assert p.kind == "thread"
    assert [post.author for post in p.posts] == [a for a, _ in REPLIES[:3]]


def test_news_story_with_three_reader_comments_stays_an_article():
    story = "<p>The town council voted on Monday to replace the pumps of the old water works by next spring.</p>" * 12
    comments = "".join(
        f"<div class='comment'><a href='https://blog{i}.example.net/'>{a}</a> <span class='date'>May {i + 1}, 2024</span>"
        f"<p>{t}</p></div>" for i, (a, t) in enumerate(REPLIES[:3]))
    html = page(f"<article><h1>Council replaces pumps</h1>{story}</article><section id='comments'>{comments}</section>")
    p = extract(html, URL, now=NOW)
    assert p.kind == "article"


def test_state_classes_do_not_split_the_posts_key():
    import lxml.html

    from extractor.dom import number
    from extractor.units import node_keys
    classes = ["Item ItemComment Offline", "Item Alt ItemComment Online isOriginalPoster", "Item ItemComment Offline",
               "Item Alt ItemComment Offline hasAvatar"]
    root = lxml.html.document_fromstring("<html><body><ul>" + "".join(f"<li class='{c}'>x</li>" for c in classes)
                                         + "</ul></body></html>")
    dom = number(root)
    keys = node_keys(dom)
    assert len({int(keys[i]) for i in range(len(dom)) if dom.nodes[i].tag == "li"}) == 1


def qa_post(kind: str, who: str, when: str, text: str, comments: str) -> str:
    """A question or answer of a Q&A engine without schema.org markup, its comments under it."""
    return (f"<div class='post {kind}' id='{kind}-{who}'><div class='vote-buttons'>3</div><div class='post-body'>{text}</div>"
            f"<div class='post-update-info'>{kind}ed <abbr class='timeago'>{when}</abbr> <a href='/users/{who}/'>{who}</a>"
            f"</div><div class='comments'>{comments}</div></div>")


def qa_comment(who: str, when: str, text: str) -> str:
    return (f"<div class='comment'><div class='comment-body'>{text} <a class='author' href='/users/{who}/'>{who}</a> "
            f"<abbr class='timeago' title='{when}'>{when}</abbr></div></div>")


def test_comments_under_the_posts_of_a_q_and_a_page_without_markup():
    html = page("<div id='main'><h1>Pump humming</h1>"
                + qa_post("question", "alice", "2024-05-01 10:00", REPLIES[0][1],
                          qa_comment("bob", "2024-05-01 10:20", "Which pump model is it, and how old is it?")
                          + qa_comment("alice", "2024-05-01 10:31", "A ten year old jet pump with a pressure tank."))
                + "<h2>3 Answers</h2>"
                + qa_post("answer", "carol", "2024-05-01 11:00", REPLIES[2][1],
                          qa_comment("alice", "2024-05-01 11:20", "No change when the tap is open, it hums anyway."))
                + qa_post("answer", "dave", "2024-05-01 12:00", REPLIES[3][1], "")
                + qa_post("answer", "erin", "2024-05-01 13:00", "Check the accumulator pressure too, a flat one "
                          "makes the pump cycle and hum.",
                          qa_comment("alice", "2024-05-01 13:20", "It was at 0.5 bar, pumped it up to 1.8."))
                + "</div>")
    p = extract(html, URL, now=NOW)
    assert [post.author for post in p.posts] == ["alice", "bob", "alice", "carol", "alice", "dave", "erin", "alice"]
    assert [post.parent for post in p.posts] == [None, 1, 1, None, 4, None, None, 7]
    assert p.posts[0].published == datetime(2024, 5, 1, 10, 0)      # the question's date, not its comment's
    assert "Which pump model" not in p.posts[0].text


def test_edit_notes_under_posts_are_no_comments():
    posts = "".join(
        f"<div class='message' id='post{i}'><div class='user'><a href='/member/{a}'>{a}</a></div>"
        f"<div class='date'>2024-05-0{i + 1} 10:00</div><div class='text'>{t}</div>"
        f"<div class='edited'>Last edited by a moderator: <span class='when'>2024-05-0{i + 2} 09:00</span></div></div>"
        for i, (a, t) in enumerate(REPLIES))
    p = extract(page(f"<div id='thread'><h1>Pump humming</h1>{posts}</div>"), URL, now=NOW)
    assert [post.text for post in p.posts] == [t for _, t in REPLIES]


def test_thread_list_in_the_noscript_block_of_a_javascript_shell_is_read():
    # A JavaScript forum's server-rendered list of discussions: a few short titles, far under
    # a thread's text, and the shell around it holds next to nothing.
    titles = ["Pump humming", "New boiler", "Tap drips", "Radiator cold", "Leaking valve"]
    items = "".join(f"<li><a href='https://forum.example.org/d/{i}'>{t}</a></li>" for i, t in enumerate(titles, 1))
    html = page("<div id='app'></div><div id='loading'>Loading</div><script>boot()</script>"
                f"<noscript><div class='container'><h2>All discussions</h2><ul>{items}</ul>"
                "<a href='https://forum.example.org/all?page=2'>Next page</a></div></noscript>")
    p = extract(html, "https://forum.example.org/", now=NOW)
    linked = {link.url for link in p.links}
    assert {f"https://forum.example.org/d/{i}" for i in range(1, 6)} <= linked
    assert "https://forum.example.org/all?page=2" in linked


def _fallback_thread(replies) -> str:
    posts = "".join(f"<div><h3>{a}</h3><div class='Post-body'><p>{t}</p></div></div><hr>" for a, t in replies)
    return page("<div id='app'></div><div id='loading'>Loading</div><script>boot()</script>"
                f"<noscript><div class='container'><h2>Pump humming at night</h2><div>{posts}</div>"
                "<a href='/d/42?page=2'>Next page</a></div></noscript>")


def test_undated_posts_of_a_javascript_shells_fallback_view():
    # The server-rendered view of a JavaScript forum: each post a block headed by its writer's
    # name, no date anywhere (the app's data carries them).
    p = extract(_fallback_thread(REPLIES), URL, now=NOW)
    assert texts(p) == [t for _, t in REPLIES]
    assert [post.author for post in p.posts] == [a for a, _ in REPLIES]
    one = extract(_fallback_thread(REPLIES[:1]), URL, now=NOW)
    assert [(post.author, post.text) for post in one.posts] == [REPLIES[0]]


def test_headed_sections_of_an_ordinary_page_are_no_posts():
    sections = "".join(f"<div class='section'><h3>{a}</h3><p>{t}</p></div>" for a, t in REPLIES)
    p = extract(page(f"<article><h1>Pump guide</h1>{sections}</article>"), URL, now=NOW)
    assert p.posts == [] or len(p.posts) == 1


def test_blockquote_marked_uncited_is_a_quote():
    quoted, own = REPLIES[1][1], "Mine did the same until I replaced the switch."
    bodies = [t for _, t in REPLIES[:3]] + [f"<blockquote class='uncited'><div><p>{quoted}</p></div></blockquote>"
                                           f"<p>{own}</p>"]
    posts = "".join(
        f"<div class='post'><div class='meta'><a href='/u/{a}'>{a}</a> <time datetime='2024-05-0{i + 1}T10:00:00Z'>"
        f"May {i + 1}, 2024</time></div><div class='body'>{b if b.startswith('<') else '<p>' + b + '</p>'}</div></div>"
        for i, ((a, _), b) in enumerate(zip(REPLIES, bodies)))
    p = extract(page(f"<div id='content'><h1>Pump humming</h1>{posts}</div>"), URL, now=NOW)
    assert texts(p)[3] == own
    assert p.posts[3].quotes == [quoted]
