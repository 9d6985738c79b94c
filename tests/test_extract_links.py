"""Links: absolute URLs, roles, and the next page from rel=next, "next" text or page numbers."""
from extractor import extract

BODY = ("<p>" + "This is the opening post of the thread, long enough to be the content. " * 4 + "</p>")


def links_page(pager: str, head: str = "") -> str:
    return (f"<html><head>{head}</head><body><nav><a href='/'>Home</a><a href='/forum/3'>Board</a></nav>"
            f"<div class='content'>{BODY}<p>See <a href='https://docs.example.net/x'>the docs</a> for the full procedure, which explains each step.</p></div>"
            f"<div class='pagination'>{pager}</div><a href='javascript:void(0)'>js</a>"
            f"<a href='mailto:a@b.c'>mail</a></body></html>")


def test_roles_and_absolute_urls():
    page = extract(links_page("<a href='?page=2'>2</a>"), "https://forum.example.com/t/42?page=1")
    by_url = {link.url: link for link in page.links}
    assert by_url["https://forum.example.com/"].role == "navigation"
    assert by_url["https://docs.example.net/x"].role == "post"
    assert by_url["https://docs.example.net/x"].text == "the docs"
    assert by_url["https://forum.example.com/t/42?page=2"].role == "pagination"
    assert not any(link.url.startswith(("javascript", "mailto")) for link in page.links)


def test_next_page_from_head_link_rel():
    page = extract(links_page("", head="<link rel='next' href='/t/42/page/2'>"), "https://f.example/t/42")
    assert page.next_page_url == "https://f.example/t/42/page/2"


def test_next_page_from_next_text_in_chinese_and_english():
    for text in ("下一页", "Next ›", "»"):
        page = extract(links_page(f"<a href='/t/42?page=1'>1</a><a href='/t/42?page=2'>{text}</a>"),
                       "https://f.example/t/42")
        assert page.next_page_url == "https://f.example/t/42?page=2", text


def test_next_page_from_numbers_after_the_current_page():
    pager = "<a href='/t/42-1.html'>1</a><span class='current'>2</span><a href='/t/42-3.html'>3</a>"
    page = extract(links_page(pager), "https://f.example/t/42-2.html")
    assert page.next_page_url == "https://f.example/t/42-3.html"


def test_no_next_page_on_a_single_page():
    assert extract(links_page(""), "https://f.example/t/42").next_page_url is None


def test_base_href_is_honoured():
    html = "<html><head><base href='https://cdn.example.org/a/'></head><body><p><a href='b.html'>b</a></p></body></html>"
    assert [link.url for link in extract(html, "https://site.example/x").links] == ["https://cdn.example.org/a/b.html"]


def spirit_like_pager(current: int, last: int) -> str:
    """Spirit's paginator: "Page X of Y" and icon-only previous/next links, no rel, no numbers."""
    items = [f"<li class='paginator__pages'>Page {current} of {last}</li>"]
    if current > 1:
        items.append(f"<li class='paginator__button'><a href='?page={current - 1}'>"
                     "<i class='fa fa-chevron-left'></i></a></li>")
    if current < last:
        items.append(f"<li class='paginator__button'><a href='?page={current + 1}'>"
                     "<i class='fa fa-chevron-right'></i></a></li>")
    return f"<ul class='paginator'>{''.join(items)}</ul>"


def test_next_page_from_icon_only_pager_links():
    base = "https://f.example/topic/7/slug/"
    for current, last, expected in ((1, 3, "?page=2"), (2, 3, "?page=3"), (3, 3, None)):
        url = base + (f"?page={current}" if current > 1 else "")
        page = extract(links_page(spirit_like_pager(current, last)), url)
        assert page.next_page_url == (base + expected if expected else None), (current, page.next_page_url)


def _sequence_page(links: str) -> str:
    # (esoTalk: "‹ Older" / "Newer ›" around the posts, in no pager-like container)
    return (f"<html><body><nav><a href='/'>Home</a></nav><ol class='posts'><li>{BODY}</li>"
            f"<li class='scrubberMore'>{links}</li></ol></body></html>")


def test_newer_is_the_next_page_when_its_url_asks_for_a_later_page():
    page = extract(_sequence_page("<a href='/c/9-ride/p2'>Newer &rsaquo;</a>"), "https://f.example/c/9-ride")
    assert page.next_page_url == "https://f.example/c/9-ride/p2"
    page = extract(_sequence_page("<a href='/c/9-ride/p1'>&lsaquo; Older</a><a href='/c/9-ride/p3'>Newer &rsaquo;</a>"),
                   "https://f.example/c/9-ride/p2")
    assert page.next_page_url == "https://f.example/c/9-ride/p3"


def test_newer_entries_of_a_blog_are_no_next_page():
    # (WordPress: "Newer Entries »" on /page/3 goes back to /page/2)
    page = extract(_sequence_page("<a href='/page/2/'>Newer Entries &raquo;</a>"), "https://b.example/page/3/")
    assert page.next_page_url is None


def test_older_to_page_1_is_a_pagination_link():
    page = extract(_sequence_page("<a href='/c/9-ride/p1'>&lsaquo; Older</a>"), "https://f.example/c/9-ride/5")
    roles = {link.url: link.role for link in page.links}
    assert roles["https://f.example/c/9-ride/p1"] == "pagination"


def _load_more_thread(script_url: str) -> str:
    """A thread page paged only by a "load more" button whose script appends the page number (HadSky)."""
    from tests.test_extract_thread import thread_html
    script = (f"<button id='more'>加载更多 »</button><script>var n = parseInt('1') + 1;"
              f"$('#more').click(function() {{ $('#box').load(\"{script_url}\" + n + \" #list\"); n++; }});</script>")
    return thread_html().replace("<div id='footer'>", script + "<div id='footer'>")


def test_next_page_from_a_load_more_script_appending_the_page_number() -> None:
    html = _load_more_thread("index.php?c=read&id=10&page=")
    page = extract(html, "https://f.example/index.php?c=read&id=10&page=1")
    assert page.next_page_url == "https://f.example/index.php?c=read&id=10&page=2"
    page = extract(html, "https://f.example/index.php?c=read&id=10&page=2")
    assert page.next_page_url == "https://f.example/index.php?c=read&id=10&page=3"
    page = extract(html, "https://f.example/index.php?c=read&id=10")   # (no number: page 1)
    assert page.next_page_url == "https://f.example/index.php?c=read&id=10&page=2"


def test_a_script_url_of_another_page_is_no_next_page() -> None:
    for other in ("index.php?c=read&id=11&page=", "index.php?c=list&sortid=1&page=", "/other.php?c=read&id=10&page="):
        page = extract(_load_more_thread(other), "https://f.example/index.php?c=read&id=10&page=1")
        assert page.next_page_url is None, other


def test_a_button_without_a_label_to_the_numbered_next_page_is_the_next_page() -> None:
    """HYBBS renders its "Next Page" button empty now and then (a label not loaded): the link's URL
    alone says it is page 2 of this page, or the page after this one's number."""
    button = "<a class='btn pull-right' href='{}'></a>"
    page = extract(links_page("").replace("</body>", button.format("/?t/8/2.html") + "</body>"),
                   "https://f.example/?t/8.html")
    assert page.next_page_url == "https://f.example/?t/8/2.html"
    page = extract(links_page("").replace("</body>", button.format("/topic-8-3.html") + "</body>"),
                   "https://f.example/topic-8-2.html")
    assert page.next_page_url == "https://f.example/topic-8-3.html"


def test_a_blank_link_to_the_next_topic_by_id_is_no_next_page() -> None:
    page = extract(links_page("").replace("</body>", "<a href='/t/9.html'><i class='icon-right'></i></a></body>"),
                   "https://f.example/t/8.html")
    assert page.next_page_url is None


def test_a_framesets_frames_are_its_links():
    # A frameset front page has no <a> at all (libxml2 drops <noframes>): its frames are where to go.
    html = ("<html><head><title>Forum</title></head><frameset rows='60,*'>"
            "<frame src='top.php?webtag=X' name='ftop'><frame src='start.php?webtag=X' name='main'>"
            "<noframes><body><a href='lite.php'>Lite</a></body></noframes></frameset></html>")
    page = extract(html, "http://f.example/index.php")
    by_url = {link.url: link.role for link in page.links}
    assert by_url.get("http://f.example/top.php?webtag=X") == "navigation"
    assert by_url.get("http://f.example/start.php?webtag=X") == "navigation"


def test_a_pager_of_post_ranges_gives_the_next_page():
    # "1–10  11–20  21–23", each a link (this page's own too): the range after this page's is next.
    strip = ("<table class='messages_nav_strip'><tr><td><a href='m.php?msg=9.1'>1&ndash;10</a>&nbsp;"
             "<a href='m.php?msg=9.11'>11&ndash;20</a>&nbsp;<a href='m.php?msg=9.21'>21&ndash;23</a></td></tr></table>")
    page = extract(links_page("", head="") .replace("<div class='pagination'></div>", strip), "http://f.example/m.php?msg=9.11")
    assert page.next_page_url == "http://f.example/m.php?msg=9.21"
    roles = {link.url: link.role for link in page.links}
    assert roles["http://f.example/m.php?msg=9.1"] == "pagination"
    first = extract(links_page("").replace("<div class='pagination'></div>", strip), "http://f.example/m.php?msg=9.1")
    assert first.next_page_url == "http://f.example/m.php?msg=9.11"


def test_a_range_pager_ending_in_a_page_of_one_post():
    # "1–5  6": the last page holds one post, named by its number alone
    strip = ("<table class='messages_nav_strip'><tr><td><a href='m.php?msg=5.1'>1&ndash;5</a>&nbsp;"
             "<a href='m.php?msg=5.6'>6</a></td></tr></table>")
    page = extract(links_page("").replace("<div class='pagination'></div>", strip), "http://f.example/m.php?msg=5.1")
    assert page.next_page_url == "http://f.example/m.php?msg=5.6"
    later = extract(links_page("").replace("<div class='pagination'></div>", strip), "http://f.example/m.php?msg=5.6")
    assert {link.url: link.role for link in later.links}["http://f.example/m.php?msg=5.1"] == "pagination"


def test_a_range_pager_that_skips_ranges_marks_its_first_page():
    # "1–5 … 16–20  21–23" on a window from post 23: "1–5" is still the pager's (the thread's first page)
    strip = ("<table class='messages_nav_strip'><tr><td><a href='m.php?msg=9.1'>1&ndash;5</a>&hellip;"
             "<a href='m.php?msg=9.16'>16&ndash;20</a>&nbsp;<a href='m.php?msg=9.21'>21&ndash;23</a></td></tr></table>")
    page = extract(links_page("").replace("<div class='pagination'></div>", strip), "http://f.example/m.php?msg=9.23")
    assert {link.url: link.role for link in page.links}["http://f.example/m.php?msg=9.1"] == "pagination"


def test_the_lone_range_of_a_one_page_thread_seen_from_a_later_post():
    # a window from post 5 of a 5-post thread: its pager is "1–5" alone, the thread's first page
    strip = "<table class='messages_nav_strip'><tr><td><a href='m.php?msg=11.1'>1&ndash;5</a></td></tr></table>"
    page = extract(links_page("").replace("<div class='pagination'></div>", strip), "http://f.example/m.php?msg=11.5")
    assert {link.url: link.role for link in page.links}["http://f.example/m.php?msg=11.1"] == "pagination"


def test_a_range_pager_under_a_base_href():
    # <base href="./">: relative links resolve against the folder, the page's own range link is still its own
    strip = ("<table class='messages_nav_strip'><tr><td><a href='m.php?msg=9.1'>1&ndash;10</a>&nbsp;"
             "<a href='m.php?msg=9.11'>11&ndash;20</a></td></tr></table>")
    html = links_page("", head="<base href='./'>").replace("<div class='pagination'></div>", strip)
    assert extract(html, "http://f.example/m.php?msg=9.1").next_page_url == "http://f.example/m.php?msg=9.11"


def test_a_range_pager_linking_this_page_with_its_parameters_in_another_order():
    # the crawler fetches a page at its canonical URL (query keys sorted: ?msg=5.1&webtag=X); its pager
    # links it as ?webtag=X&msg=5.1: still this page's own range, so "6" after it is the next page
    strip = ("<table class='messages_nav_strip'><tr><td><a href='m.php?webtag=X&amp;msg=5.1'>1&ndash;5</a>&nbsp;"
             "<a href='m.php?webtag=X&amp;msg=5.6'>6</a></td></tr></table>")
    page = extract(links_page("").replace("<div class='pagination'></div>", strip), "http://f.example/m.php?msg=5.1&webtag=X")
    assert page.next_page_url == "http://f.example/m.php?webtag=X&msg=5.6"
    window = "<table class='messages_nav_strip'><tr><td><a href='m.php?webtag=X&amp;msg=11.1'>1&ndash;5</a></td></tr></table>"
    later = extract(links_page("").replace("<div class='pagination'></div>", window), "http://f.example/m.php?msg=11.5&webtag=X")
    assert {link.url: link.role for link in later.links}["http://f.example/m.php?webtag=X&msg=11.1"] == "pagination"
