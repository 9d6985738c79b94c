"""Excerpts of other pages that end with a "more" link are not the page's text."""
from extractor import extract

BODY = [
    "The museum reopened its east wing on Saturday after a two-year renovation that replaced the "
    "roof, the lighting and the climate control that protects the oldest paintings in the collection.",
    "Curators used the closure to rehang the galleries chronologically, and several works that had "
    "spent decades in storage are now on view for the first time since the nineteen-seventies.",
    "Admission to the new wing is free for the first month, and the museum will stay open late on "
    "Thursdays so that people who work during the day can visit in the evening.",
]
EXCERPTS = [
    "A photographer known for his lakeside landscapes has turned to close studies of tree bark and stone",
    "The calligrapher, a member of the national association, has shown work in dozens of exhibitions",
    "Restorers in the old town finished cleaning the frescoes of the chapel after eight months of work",
]
DETAILS = "\u8be6\u7ec6"   # "details"


def _excerpts(more: str) -> str:
    return "".join(f'<div class="item"><p>{e}... [<a href="/news/{k}">{more}</a>]</p></div>'
                   for k, e in enumerate(EXCERPTS))


def test_excerpts_closed_by_more_links_are_dropped():
    html = f"""<html><head><title>Museum reopens</title></head><body><div class="wrap"><div class="text">
<h1>Museum reopens</h1>{''.join(f'<p>{p}</p>' for p in BODY)}
<div class="news">{_excerpts('more')}</div></div></div></body></html>"""
    page = extract(html.encode(), "https://news.example/museum")
    for p in BODY:
        assert p in page.text
    for e in EXCERPTS:
        assert e not in page.text


def test_page_of_excerpts_only_has_no_main_text():
    html = f"""<html><head><title>Art news</title></head><body>
<div class="menu"><a href="/">Home</a> <a href="/art">Art</a> <a href="/news">News</a></div>
<div class="col"><h2>Art news</h2>{_excerpts(DETAILS)}</div></body></html>"""
    page = extract(html.encode(), "https://news.example/list?id=5")
    for e in EXCERPTS:
        assert e not in page.text
    assert "Art news" not in page.text


def test_teasers_with_long_summaries_are_dropped():
    summary = ("A longer summary of that other story follows its headline here, telling readers what happened, "
               "where it happened and who was involved, so that it runs to well over a hundred and fifty characters.")
    items = "".join(f'<div class="rl"><div class="im"><a href="/p/{k}"><img src="/i/{k}.jpg"></a></div>'
                    f'<div class="tx"><div class="tt"><a href="/p/{k}">Other story number {k} headline</a></div>'
                    f'<div class="zy">{summary} ({k})</div><div class="tm">2024-04-03 15:11</div></div></div>'
                    for k in range(5))
    html = f"""<html><head><title>Museum reopens</title></head><body><div class="wrap">
<h1>Museum reopens</h1>{''.join(f'<p>{p}</p>' for p in BODY)}<div class="lists">{items}</div>
</div></body></html>"""
    page = extract(html.encode(), "https://news.example/museum")
    for p in BODY:
        assert p in page.text
    assert "A longer summary of that other story" not in page.text


def test_teasers_opening_with_a_kicker_label_are_dropped():
    items = "".join(f'<div class="card"><span class="kicker">Featured</span>'
                    f'<h3><a href="/p/{k}">Other story number {k} has a long headline</a></h3>'
                    f'<div class="dek">{EXCERPTS[k % 3]}</div></div>' for k in range(5))
    html = f"""<html><head><title>Museum reopens</title></head><body><div class="wrap">
<h1>Museum reopens</h1>{''.join(f'<p>{p}</p>' for p in BODY)}<div class="more">{items}</div>
</div></body></html>"""
    page = extract(html.encode(), "https://news.example/museum")
    for p in BODY:
        assert p in page.text
    for e in EXCERPTS:
        assert e not in page.text


def test_related_section_after_the_article_is_dropped_but_not_one_before_it():
    after = f"""<html><head><title>Museum reopens</title></head><body><div class="wrap"><div class="in">
<h1>Museum reopens</h1>{''.join(f'<p>{p}</p>' for p in BODY)}<h3>Related stories</h3>
{''.join(f'<p>{e}.</p>' for e in EXCERPTS)}</div></div></body></html>"""
    page = extract(after.encode(), "https://news.example/museum")
    for p in BODY:
        assert p in page.text
    for e in EXCERPTS:
        assert e not in page.text
    before = after.replace("<h3>Related stories</h3>", "").replace("<h1>Museum reopens</h1>",
                                                                   "<h1>Museum reopens</h1><h3>Related stories</h3>")
    page = extract(before.encode(), "https://news.example/museum")
    for p in BODY:
        assert p in page.text


def test_declared_article_keeps_paragraphs_closed_by_more_links():
    # a slideshow article: each slide's text ends with a link to the full story
    slides = "".join(f'<section class="slide"><p>{p} <a href="/full/{k}">Read More</a></p></section>'
                     for k, p in enumerate(BODY))
    html = f"""<html><head><title>Museum reopens</title><meta property="og:type" content="article"></head>
<body><div class="wrap"><h1>Museum reopens</h1>{slides}</div></body></html>"""
    page = extract(html.encode(), "https://news.example/museum/slides")
    for p in BODY:
        assert p in page.text
