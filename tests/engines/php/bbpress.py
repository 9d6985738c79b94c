"""WordPress + bbPress on ``php -S`` + MariaDB, installed and seeded through WordPress's and bbPress's own code.

Two sources (docs/crawl-engines.md): WordPress (:mod:`tests.engines.php.wordpress`, the part shared with
the other WordPress forum plugins) and the bbPress plugin checkout in ``.../src/bbpress`` (the plugin is its
``src/`` folder).

Install: WordPress's (``wordpress_seed.php``), bbPress active, five topics and five posts a page, and a
"Forums" entry in the theme's main menu (as a site owner adds one: without it nothing links to the forum).
Seed: :mod:`tests.engines.php.corpus` through ``wp_insert_user``, ``bbp_insert_forum``,
``bbp_insert_topic`` and ``bbp_insert_reply``; a few replies open with a ``<blockquote>`` of the post
before them (bbPress has no quote markup of its own; users paste a blockquote), and the blog post with its
reader comments that :mod:`tests.engines.php.wordpress` gives every WordPress site. The ground truth is
read back from ``wp_posts``: a topic's lead post and its replies.
"""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from tests.engines.php import corpus, PhpForum, wordpress

NAME = "bbpress"
PHP_MODULES = ("mysqli", "mbstring", "xml")
POSTS_PER_PAGE = TOPICS_PER_PAGE = 5


def _content(posts: list[dict]) -> list[str]:
    """Each post's stored content: a few replies quote the post before them."""
    out = []
    for i, post in enumerate(posts):
        quote = i >= 2 and i % 4 == 2
        out.append(f"<blockquote>{posts[i - 1]['text']}</blockquote>\n{post['text']}" if quote else post["text"])
    return out


def spec() -> dict:
    threads = []
    for t in corpus.threads():
        contents = _content(t["posts"])
        threads.append({"title": t["title"], "posts": [dict(p, content=c) for p, c in zip(t["posts"], contents)]})
    return {"settings": {"_bbp_topics_per_page": TOPICS_PER_PAGE, "_bbp_replies_per_page": POSTS_PER_PAGE},
            "users": corpus.USERS, "threads": threads, "blog": wordpress.blog_spec()}


@contextmanager
def running_bbpress(src: Path) -> Iterator[PhpForum]:
    """A freshly installed and seeded WordPress + bbPress on 127.0.0.1; its database is dropped afterwards.

    ``src`` is the bbPress checkout; WordPress is found beside it (``source_dir("wordpress")``)."""
    plugin = src / "src" if (src / "src" / "bbpress.php").is_file() else src
    with wordpress.running_wordpress(NAME, plugin, "bbpress", "bbpress_seed.php", spec()) as (ws, base, data):
        threads = wordpress.truth(data, POSTS_PER_PAGE, lambda url, n: f"{url}page/{n}/")
        yield PhpForum(NAME, base, threads, ws.site, ws.log_path, extra=data)
