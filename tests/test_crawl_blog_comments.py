"""A blog post's reader comments are not stored as a forum thread (issue 9, WordPress + bbPress).

forumcrawl stores forum threads. A page the extractor reads as an article whose posts are
comments under it (``Page.kind == "article"`` with two or more posts: a blog post and its
comments, a news story and its readers' remarks) is kept as an article: its links are followed,
its comments are not stored. A forum thread on the same site is stored as usual.
"""
from __future__ import annotations

from crawler.demo.server import serve
from tests.sites import last_run_stats, run_crawl, stored_posts
from tests.test_extract_article import blog_post_with_comments


def _thread(n: int) -> str:
    posts = "".join(
        f"<div id='p{n * 10 + i}' class='post'><div class='postprofile'><a href='/memberlist.php?u={i}'>user{i}</a></div>"
        f"<div class='postbody'><p class='author'><a href='/t/{n}#p{n * 10 + i}'>#{i}</a> Fri May 0{i}, 2024 12:30 pm</p>"
        f"<div class='content'>Reply {i} in topic {n}: the pump hums less after the valve was cleaned and oiled.</div>"
        f"<ul><li><a href='/posting.php?mode=quote&p={n * 10 + i}'>Quote</a></li></ul></div></div>"
        for i in range(1, 4))
    return f"<html><head><title>Pump topic {n}</title></head><body><h2>Pump topic {n}</h2>{posts}</body></html>"


def _route(path: str) -> tuple[int, str, bytes]:
    html = {"/": "<html><body><h1>Site</h1><a href='/2024/04/canal/'>Notes from a canal walk</a> "
                 "<a href='/t/1'>Pump topic 1</a> <a href='/t/2'>Pump topic 2</a></body></html>",
            "/2024/04/canal/": blog_post_with_comments(),
            "/t/1": _thread(1), "/t/2": _thread(2)}.get(path.split("?")[0])
    if html is None:
        return 404, "text/html", b"<html><body>Not found</body></html>"
    return 200, "text/html; charset=utf-8", html.encode()


def test_blog_comments_are_not_stored_but_forum_posts_are(tmp_path) -> None:
    server = serve(_route)
    try:
        store = f"sqlite:///{tmp_path / 'crawl.db'}"
        run_crawl(server.url + "/", store)
        posts = stored_posts(store, server.url)
        stats = last_run_stats(store)
    finally:
        server.stop()
    assert not [p for p in posts if "/2024/04/canal/" in p["thread_url"]], posts
    assert sorted(p["thread_url"].rsplit("/", 1)[1] for p in posts) == ["1"] * 3 + ["2"] * 3
    assert stats.get("forumcrawl/article_comments_unstored") == 1  # (its "?replytocom=N#respond" links not taken)
