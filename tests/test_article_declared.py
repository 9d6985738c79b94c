"""A short page that declares itself an article (og:type) is read as one: reader comments go."""
from extractor import extract

PARAS = [
    "The town library will stay open until nine in the evening from next month, the council said, after "
    "a survey found that most readers could only visit after work.",
    "The longer hours will be paid for by closing the branch on Monday mornings, when it is least used.",
]
COMMENTS = ["Finally! I could never get there before six.", "Why close on Mondays? That is when I go.",
            "Great news for students who study late in the evening."]


def _page(head: str) -> str:
    comments = "".join(f'<div class="comment-item"><span class="user">reader{k}</span><p>{c}</p></div>'
                       for k, c in enumerate(COMMENTS))
    return f"""<html><head><title>Library opens later</title>{head}</head><body>
<div class="wrap"><h1>Library opens later</h1>{''.join(f'<p>{p}</p>' for p in PARAS)}
<div class="comments">{comments}</div></div></body></html>"""


def test_og_article_drops_reader_comments():
    page = extract(_page('<meta property="og:type" content="article">').encode(), "https://news.example/lib")
    for p in PARAS:
        assert p in page.text
    for c in COMMENTS:
        assert c not in page.text


def test_og_news_counts_as_an_article():
    page = extract(_page('<meta property="og:type" content="news">').encode(), "https://news.example/lib")
    for c in COMMENTS:
        assert c not in page.text


def test_undeclared_short_page_keeps_comment_like_sections():
    # without a declaration the page may be a forum whose answers are named "comments"
    page = extract(_page("").encode(), "https://forum.example/t/1")
    assert COMMENTS[0] in page.text


def test_publishdate_meta_declares_an_article():
    page = extract(_page('<meta name="publishdate" content="2024-05-15">').encode(), "https://news.example/lib")
    for c in COMMENTS:
        assert c not in page.text


def test_declared_article_with_many_reader_comments_is_not_a_thread():
    paras = PARAS * 4
    comments = "".join(
        f'<div class="item"><div class="head"><a href="/u/{k}">reader number {k}</a> <span class="time">'
        f'2024-05-1{k % 9} 1{k}:00</span></div><div class="txt">{COMMENTS[k % 3]} ({k})</div>'
        f'<div class="act"><a href="/r/{k}">Reply to this</a> <a href="/l/{k}">Like this one</a></div></div>'
        for k in range(8))
    html = f"""<html><head><title>Library opens later</title><meta property="og:type" content="news"></head>
<body><div class="wrap"><div class="art"><h1>Library opens later</h1>{''.join(f'<p>{p}</p>' for p in paras)}</div>
<div class="list">{comments}</div></div></body></html>"""
    page = extract(html.encode(), "https://news.example/lib")
    assert page.kind == "article"
    assert PARAS[0] in page.text
    assert COMMENTS[1] not in page.text
