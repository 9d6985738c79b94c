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


def blog_post_with_comments() -> str:
    """A blog post as a classic blog theme shows it: the article (three paragraphs, a byline, tags),
    then a comment section of three reader comments, each an ``<article>`` with author, date, text."""
    paras = ["We set out early on a grey Saturday morning and followed the towpath east from the lock keeper's "
             "cottage. The water was still, and the herons stood in the reeds as if they had been there all night.",
             "Past the second bridge the path narrows and runs between hawthorn hedges. We stopped at the pub by the "
             "aqueduct for soup and bread, then walked on to the junction where the branch canal leaves the main line.",
             "On the way back the clouds lifted and the evening light turned the brick walls orange. Twelve miles in "
             "all, flat and easy, and well worth doing before the summer crowds arrive."]
    comments = [("reader0", "Lovely write-up. We did the same stretch last autumn and the herons were there too."),
                ("reader1", "Is the towpath suitable for bikes past the second bridge, or is it too narrow?"),
                ("reader2", "Thanks for this. The pub by the aqueduct does great soup, agreed.")]
    return ("<html><head><title>Notes from a canal walk – My blog</title></head><body><header><a href='/'>My blog</a>"
            "</header><main><article id='post-12' class='post-12 post type-post hentry entry'>"
            "<header class='entry-header'><h1 class='entry-title'>Notes from a canal walk</h1></header>"
            "<div class='entry-content'>" + "".join(f"<p>{p}</p>" for p in paras) + "</div>"
            "<footer class='entry-footer'><span class='posted-on'>Published <time datetime='2024-04-21T23:06:40+00:00'>"
            "April 21, 2024</time></span> <span class='byline'>By <a href='/author/admin/'>admin</a></span> "
            "<span class='tags-links'>Tagged <a href='/tag/walks/'>walks</a></span></footer></article>"
            "<div id='comments' class='comments-area'><h2 class='comments-title'>3 comments</h2><ol class='comment-list'>"
            + "".join(f"<li id='comment-{n}' class='comment depth-1'><article id='div-comment-{n}' class='comment-body'>"
                      f"<footer class='comment-meta'><div class='comment-author vcard'><b class='fn'>{who}</b> "
                      f"<span class='says'>says:</span></div><div class='comment-metadata'><a href='/2024/04/canal/#comment-{n}'>"
                      f"<time datetime='2024-04-22T0{n}:06:40+00:00'>April 22, 2024 at {n}:06 am</time></a></div></footer>"
                      f"<div class='comment-content'><p>{text}</p></div><div class='reply'>"
                      f"<a rel='nofollow' class='comment-reply-link' href='/2024/04/canal/?replytocom={n}#respond'>Reply</a>"
                      "</div></article></li>" for n, (who, text) in enumerate(comments, 1))
            + "</ol></div><nav class='post-navigation'><a href='/2024/05/hello/' rel='next'>Next post: Hello</a></nav>"
            "</main><footer>Proudly powered by a blog engine</footer></body></html>")


def test_a_blog_post_with_reader_comments_is_an_article():
    """The split takes the post's first paragraph for a lead post before three comments; the
    region is the whole article (three times as long), the replies sit in a comment section:
    an article with reader comments, whose text is all three paragraphs and no comment."""
    page = extract(blog_post_with_comments(), "https://blog.example/2024/04/canal/")
    assert page.kind == "article"
    assert "Past the second bridge" in page.text and "Twelve miles" in page.text
    assert "Lovely write-up" not in page.text
