"""Page kind and text: a thread's text is its posts; comments under an article stay out of its text."""
from datetime import datetime, timezone

from extractor import extract
from extractor.extract import reference_time

POSTS = [
    "My bike chain keeps slipping when I climb hills. Is it the cassette or the chain itself?",
    "Measure the chain stretch first; above 0.75 percent replace the chain, and check the cassette.",
    "Also check the derailleur hanger alignment. A bent hanger causes exactly this kind of skipping.",
    "Thanks everyone, it was a worn chain. A new one fixed it completely, riding smoothly again.",
]


def thread_html() -> str:
    posts = "".join(
        f"<div class='post' id='p{i}'><div class='postauthor'><a href='/u/{i}'>rider{i}</a><br>Posts: {10 * i}</div>"
        f"<div class='postdate'>May {i + 1}, 2024, 10:0{i}</div><div class='postbody'><p>{text}</p></div>"
        f"<div class='postfoot'><a href='/report/{i}'>Report</a> <a href='/quote/{i}'>Quote</a></div></div>"
        for i, text in enumerate(POSTS))
    return (f"<html><head><title>Chain slipping - Bike Forum</title></head><body><div id='nav'><a href='/'>Forum</a>"
            f" &raquo; <a href='/f/2'>Repairs</a></div><h1>Chain slipping on climbs</h1><div id='posts'>{posts}</div>"
            f"<div id='footer'>Powered by a forum engine. All times are UTC.</div></body></html>")


def test_thread_text_is_heading_then_posts_in_order():
    page = extract(thread_html(), "https://bikes.example/t/7")
    assert page.kind == "thread"
    assert len(page.posts) == len(POSTS)
    positions = [page.text.index(p) for p in POSTS]
    assert positions == sorted(positions)
    assert page.text.startswith("Chain slipping on climbs")
    assert "Powered by" not in page.text


ARTICLE = " ".join(
    f"Paragraph {i}: the city council approved the new cycling plan after a long debate about costs, "
    f"safety, parking and the timetable for building protected lanes across the centre." for i in range(16))


def test_comments_under_an_article_are_not_its_text():
    comments = "".join(
        f"<li class='comment'><div class='comment-author'><a href='/u/{i}'>reader{i}</a></div>"
        f"<div class='comment-meta'>May {i + 1}, 2024 at 9:1{i} am</div><div class='comment-content'>"
        f"<p>Reader comment number {i}: I think this plan is {'good' if i % 2 else 'too expensive'} for "
        f"the city and its cyclists.</p></div></li>" for i in range(5))
    html = (f"<html><head><title>Council approves plan</title></head><body><article><h1>Council approves plan</h1>"
            f"{''.join(f'<p>{s}.</p>' for s in ARTICLE.split('. '))}</article>"
            f"<section id='comments' class='comments-area'><h2>5 comments</h2><ol class='comment-list'>{comments}</ol>"
            f"</section></body></html>")
    page = extract(html, "https://news.example/2024/plan")
    assert page.kind == "article"
    assert "Paragraph 15" in page.text
    assert "Reader comment" not in page.text


def test_reference_time_prefers_the_date_header():
    now = datetime(2030, 1, 1, tzinfo=timezone.utc)
    when = reference_time({"Date": "Wed, 01 May 2024 12:00:00 GMT"}, now)
    assert when == datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
    assert reference_time({"date": "garbage"}, now) == now
    assert reference_time(None, now) == now


def test_thread_text_keeps_the_quotes_shown_in_replies():
    html = thread_html().replace(
        "<p>Also check the derailleur",
        "<blockquote><p>Quoted words from the second poster about chain stretch.</p></blockquote><p>Also check the derailleur")
    page = extract(html, "https://bikes.example/t/7")
    assert page.kind == "thread"
    assert "Quoted words" not in page.posts[2].text and page.posts[2].quotes
    assert page.text.index("Quoted words") < page.text.index("Also check the derailleur")


def test_an_h1_that_is_only_the_site_name_gives_way_to_the_thread_title():
    html = (thread_html().replace("<title>Chain slipping - Bike Forum</title>",
                                  "<title>Chain slipping on steep climbs - Bike Forum</title>")
            .replace("<h1>Chain slipping on climbs</h1>", "<h1>Bike Forum</h1><h2>Chain slipping on steep climbs</h2>"))
    page = extract(html, "https://bikes.example/t/7")
    assert page.kind == "thread"
    assert page.text.startswith("Chain slipping on steep climbs\n")
    assert "Bike Forum" not in page.text


UNANSWERED = """<!DOCTYPE html><html><head><title>Why does my sourdough starter smell of acetone? - Ask Bakers</title></head>
<body itemscope itemtype="https://schema.org/QAPage">
<div class="header"><a href="/">Ask Bakers</a> <a href="/questions">Questions</a> <a href="/unanswered">Unanswered</a>
 <a href="/tags">Tags</a> <a href="/users">Users</a> <a href="/ask">Ask a Question</a></div>
<div class="main">
 <h1><span itemprop="name">Why does my sourdough starter smell of acetone?</span></h1>
 <div class="question" itemprop="mainEntity" itemscope itemtype="https://schema.org/Question">
  <span class="votes">2</span>
  <div class="content"><div itemprop="text">It smelled fine for a week, now it smells like nail polish remover
   after every feeding. I keep it at about 18 degrees.</div></div>
  <span class="meta">asked <time itemprop="dateCreated" datetime="2024-04-24T23:06:40+0000">Apr 24, 2024</time>
   in <a href="/baking">Baking</a> by <span itemprop="author" itemscope itemtype="https://schema.org/Person">
   <a href="/user/marta" itemprop="url"><span itemprop="name">marta</span></a></span></span>
  <div class="tags"><a href="/tag/starter">starter</a> <a href="/tag/smell">smell</a></div>
 </div>
 <h2>Please log in or register to answer this question.</h2>
</div>
<div class="sidebar"><h2>Related questions</h2><ul><li><a href="/1/rye">Rye or wheat for a new starter?</a></li>
 <li><a href="/2/hooch">What is the grey liquid on my starter?</a></li></ul></div>
<div class="footer">Powered by an engine</div></body></html>"""


def test_an_unanswered_question_marked_up_as_one_posting_is_a_post() -> None:
    """A QAPage whose markup names one posting (a question with no answers yet): that posting
    is the page's one post, with its author and date (no repeated DOM structure to split)."""
    page = extract(UNANSWERED, "https://ask.example/3/acetone-smell", now=datetime(2024, 5, 1, tzinfo=timezone.utc))
    assert len(page.posts) == 1
    post = page.posts[0]
    assert post.text.startswith("It smelled fine for a week") and "18 degrees" in post.text
    assert post.author == "marta"
    assert post.published == datetime(2024, 4, 24, 23, 6, 40, tzinfo=timezone.utc)



def test_posts_marked_up_as_comments_with_no_article_around_them_are_a_thread() -> None:
    """A forum whose posts are ``comment`` elements (Spirit's ``comments_list__comment``) in a
    ``layout__article`` wrapper: with the comment sections pruned nothing of an article is left,
    so they are the thread's posts, not reader comments under an article (the crawler stores no
    comments of an article). Short Chinese posts made this page an "article" with 20 comments."""
    from extractor import extract

    texts = ["今天学习了列表推导式。和朋友一起讨论问题的时候收获最大。", "推荐大家多做练习题，光看书是记不住的。",
             "有同事建议我先学好基础语法再看框架。", "写博客记录学习过程也是一个好办法。"]
    rows = "".join(
        f'<div class="comments_list__comment js-comment" id="c{n}" data-number="{n}">'
        f'<div class="comment__img"><div class="comment__img__avatar no-pic">L</div></div>'
        f'<div class="comment__info"><div class="comment__info__username"><a class="comment__info__username__link"'
        f' href="/user/{n % 5}/u{n % 5}/"><span>u{n % 5}</span></a></div>'
        f'<ul class="comment__info__date"><li title="June {n}, 2022, 8:30 p.m.">{n} Jun \'22</li></ul></div>'
        f'<div class="comment__text js-comment-text"><p>第{n}天：{texts[n % 4]}</p><p>{texts[(n + 1) % 4]}</p></div>'
        f'<div class="comment__footer"><ul class="comment__actions"><li><a href="#">share</a></li></ul>'
        f'<div class="comment__footer__share" style="display: none;"><ul><li><a href="https://twitter.com/share?u={n}">'
        f'Twitter</a></li><li><a href="https://www.facebook.com/sharer/sharer.php?u={n}">Facebook</a></li></ul></div>'
        f'</div></div>'
        for n in range(1, 21))
    html = ('<html><head><meta charset="utf-8"><title>我的 Python 学习笔记（每天更新） - Spirit</title></head><body>'
            '<div class="spirit"><div class="layout"><header class="layout__header"><a href="/">Spirit</a>'
            '<a href="/user/login/">Log in</a></header><div class="layout__article">'
            '<ul class="breadcrumb_nav"><li><a href="/">Main</a></li><li><a href="/category/4/zh/">中文讨论区</a></li></ul>'
            f'<h1 class="headline">我的 Python 学习笔记（每天更新）</h1><div class="comments_list">{rows}</div>'
            '</div></div></div></body></html>').encode()
    page = extract(html, "http://forum.test/topic/2/notes/")
    assert page.kind == "thread", (page.kind, page.warnings)
    assert len(page.posts) == 20


def mail_style_thread_html(page: int = 2) -> str:
    """A thread page whose posts carry no id of their own: an ``<a name="msg-N">`` anchor stands
    before each, and its subject links to the message's own URL with that anchor; the last reply
    quotes as a mail reader does ("bob Wrote:", a rule, "> " lines) with no quote element."""
    first = 5 * (page - 1) + 40
    bodies = list(POSTS)
    bodies[3] = (f"rider2 Wrote:<br>-------------------------------------------------------<br>&gt; "
                 f"{POSTS[2][:50]}<br>&gt; {POSTS[2][50:]}<br><br><br>{POSTS[3]}")
    posts = "".join(
        f"<a name='msg-{first + i}'></a><div class='message'><div class='generic'><table><tr><td>"
        f"<div class='message-author'><a href='/profile.php?2,{i}'>rider{i}</a></div><small><strong>"
        f"<a href='/read.php?2,7,{first + i}#msg-{first + i}' rel='nofollow'>Re: Chain slipping</a></strong><br>"
        f"May 0{i + 1}, 2024 10:0{i}AM</small></td><td class='message-user-info'>Registered: 2 years ago<br>"
        f"Posts: {10 * i + 3}</td></tr></table></div><div class='message-body'>{body}"
        f"<div class='message-options'><a href='/read.php?2,7,{first + i}#REPLY'>Reply</a></div></div></div>"
        for i, body in enumerate(bodies))
    return (f"<html><head><title>Chain slipping</title></head><body><div id='forum'><h1>Chain slipping</h1>"
            f"<div>{posts}</div><div class='paging'><a href='/read.php?2,7,page=1'>1</a> <strong>{page}</strong>"
            f"</div></div></body></html>")


def test_a_permalink_to_an_anchor_on_the_page_gives_the_post_its_id() -> None:
    """Without the ids, the page's posts all link to other URLs' anchors and it reads as a digest
    of posts that live elsewhere ("recent posts"): the crawler then stores nothing of it."""
    from crawler.views import is_digest

    url = "http://h/read.php?2,7,page=2"
    page = extract(mail_style_thread_html(), url)
    assert [p.post_id for p in page.posts] == ["45", "46", "47", "48"]
    assert not is_digest(page, url)


def test_a_mail_style_quote_is_not_the_reply_s_text() -> None:
    page = extract(mail_style_thread_html(), "http://h/read.php?2,7,page=2")
    assert page.posts[3].text == POSTS[3]
    assert [p.text for p in page.posts[:3]] == POSTS[:3]
