"""An article page: the body text is found, the boilerplate around it is not."""
from extractor import Page, extract

PARAS = [
    "The city council voted on Tuesday to expand the bicycle network by forty kilometres, "
    "a decision that followed two years of public consultation and heated debate.",
    "Supporters said the plan would cut traffic and pollution, while opponents worried about "
    "parking, deliveries, and the cost of maintaining the new lanes through the winter.",
    "Construction is expected to begin next spring, starting with the routes that connect the "
    "university district to the central station, officials said in a statement.",
]
HTML = f"""<html><head><title>Council backs bike lanes</title></head><body>
<div class="header"><nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav></div>
<div class="main"><article><h1>Council backs bike lanes</h1>
{''.join(f'<p>{p}</p>' for p in PARAS)}
<div class="share"><a href="#">Share on Facebook</a> <a href="#">Tweet</a></div></article>
<aside><h3>Most read</h3><ul><li><a href="/a">Another story here</a></li><li><a href="/b">And one more story</a></li></ul></aside>
</div><div class="footer">Copyright 2024 Example News. All rights reserved.</div></body></html>"""


def test_article_body_found_and_boilerplate_left_out():
    page = extract(HTML.encode(), "https://news.example/a/1")
    assert isinstance(page, Page)
    assert page.kind == "article"
    assert page.title == "Council backs bike lanes"
    for p in PARAS:
        assert p in page.text
    for junk in ("Share on Facebook", "Most read", "Copyright", "Sport"):
        assert junk not in page.text
    assert page.text.index(PARAS[0]) < page.text.index(PARAS[2])
