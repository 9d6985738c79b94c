"""Listing pages: a board's threads with reply counts and last activity, a blog index's articles."""
from datetime import datetime, timezone

import lxml.html

from extractor.dom import number, strip_invisible
from extractor.listing import find_entries

NOW = datetime(2024, 5, 10, 12, 0, tzinfo=timezone.utc)

BOARD = """<html><body>
<div id="nav"><ul class="nav-main"><li><a href="/">Home</a></li><li><a href="/faq">FAQ</a></li><li><a href="/search">Search</a></li></ul></div>
<h2>Plumbing</h2>
<ul class="topiclist topics">
 <li class="row bg1"><dl><dt><a href="/t/101" class="topictitle">Well pump humming at night</a><br>by <a href="/u/1">alice</a> » Fri May 03, 2024 12:30 pm</dt>
   <dd class="posts">12 <dfn>Replies</dfn></dd><dd class="views">340</dd><dd class="lastpost">by <a href="/u/2">bob</a> » Wed May 08, 2024 9:00 am</dd></dl></li>
 <li class="row bg2"><dl><dt><a href="/t/102" class="topictitle">Pressure tank waterlogged</a><br>by <a href="/u/3">carol</a> » Mon Apr 01, 2024 8:00 am</dt>
   <dd class="posts">3 <dfn>Replies</dfn></dd><dd class="views">88</dd><dd class="lastpost">by <a href="/u/3">carol</a> » Tue Apr 02, 2024 10:10 am</dd></dl></li>
 <li class="row bg1"><dl><dt><a href="/t/103" class="topictitle">Jet pump loses prime overnight</a><br>by <a href="/u/4">dave</a> » Sun Mar 10, 2024 7:45 pm</dt>
   <dd class="posts">0 <dfn>Replies</dfn></dd><dd class="views">19</dd><dd class="lastpost">by <a href="/u/4">dave</a> » Sun Mar 10, 2024 7:45 pm</dd></dl></li>
</ul>
<div class="footer"><a href="/terms">Terms</a> <a href="/privacy">Privacy</a> <a href="/contact">Contact</a></div>
</body></html>"""

BLOG = """<html><body><header><nav><a href="/">Home</a> <a href="/about">About</a> <a href="/archive">Archive</a></nav></header>
<main>
 <article class="post-card"><h2><a href="/2024/05/garden-beds">Raised garden beds on a budget</a></h2><time datetime="2024-05-06">May 6, 2024</time>
   <p>Cedar is lovely but pricey; here is how we built four beds from reclaimed pallets in a weekend.</p></article>
 <article class="post-card"><h2><a href="/2024/04/compost">Hot composting in small yards</a></h2><time datetime="2024-04-20">April 20, 2024</time>
   <p>A one-cubic-metre pile reaches sixty degrees in three days if you get the greens right.</p></article>
 <article class="post-card"><h2><a href="/2024/03/seedlings">Why seedlings get leggy</a></h2><time datetime="2024-03-02">March 2, 2024</time>
   <p>Not enough light, almost always; a cheap shop light twenty centimetres above the trays fixes it.</p></article>
</main>
<aside class="sidebar"><ul><li><a href="/tag/a">Tag A post list</a> May 1, 2024</li><li><a href="/tag/b">Tag B post list</a> May 2, 2024</li><li><a href="/tag/c">Tag C post list</a> May 3, 2024</li></ul></aside>
</body></html>"""


def entries(html, url):
    root = lxml.html.document_fromstring(html)
    strip_invisible(root)
    return find_entries(number(root), url, now=NOW)


def test_board_threads_with_replies_and_last_activity():
    found = entries(BOARD, "https://forum.example.org/f/4")
    assert [e.title for e in found] == ["Well pump humming at night", "Pressure tank waterlogged",
                                        "Jet pump loses prime overnight"]
    assert [e.url for e in found] == ["https://forum.example.org/t/101", "https://forum.example.org/t/102",
                                      "https://forum.example.org/t/103"]
    assert [e.replies for e in found] == [12, 3, 0]
    assert found[0].published == datetime(2024, 5, 8, 9, 0)   # last activity, not creation


def test_blog_index_articles_with_dates_and_excerpts():
    found = entries(BLOG, "https://garden.example.net/")
    assert [e.url.rsplit("/", 1)[1] for e in found] == ["garden-beds", "compost", "seedlings"]
    assert [e.published for e in found] == [datetime(2024, 5, 6), datetime(2024, 4, 20), datetime(2024, 3, 2)]
    assert "reclaimed pallets" in found[0].excerpt


def test_article_page_has_no_entries():
    html = "<html><body><article><h1>One story</h1>" + "<p>Plain prose paragraph with no links at all.</p>" * 8 + "</article></body></html>"
    assert entries(html, "https://news.example.com/a/1") == []


def test_board_rows_are_not_posts():
    from extractor.posts import find_posts
    rows = "".join(
        f'<div class="topic"><div class="topic__title"><a href="/topic/{i}/slug/">Thread title number {i} here</a></div>'
        f'<div class="topic__comments">{i * 3}</div><div class="topic__date" title="March {i}, 2024, 9:54 p.m.">{i} Mar \'24</div></div>'
        for i in range(1, 6))
    root = lxml.html.document_fromstring(f"<html><body><div class='layout'><div class='topics'>{rows}</div></div></body></html>")
    strip_invisible(root)
    dom = number(root)
    assert find_posts(dom, "https://f.example/c/3/", now=NOW, structured=None, template_mask=None, region=None) == []
    found = find_entries(dom, "https://f.example/c/3/", now=NOW)
    assert [e.url for e in found] == [f"https://f.example/topic/{i}/slug/" for i in range(1, 6)]
    assert [e.published for e in found] == [datetime(2024, 3, i, 21, 54) for i in range(1, 6)]
