"""WordPress + wpForo on ``php -S`` + MariaDB, installed and seeded through WordPress's and wpForo's own code.

Two sources (docs/crawl-engines.md): WordPress (:mod:`tests.engines.php.wordpress`, the part shared with
bbPress and Asgaros Forum) and wpForo 2.4.8 (the plugin's ``wpforo/`` folder from the WordPress.org plugin
mirror WordPressBugBounty/plugins-wpforo at 3a46969b) in ``.../src/wpforo``: a forum plugin with its own
tables (``wp_wpforo_forums``, ``wp_wpforo_topics``, ``wp_wpforo_posts``) and its own router under one
WordPress page (``[wpforo]`` shortcode): ``/community/`` the forum index, ``/community/<forum>/`` a forum,
``/community/<forum>/<topic>/`` a topic and ``.../paged/N/`` its further pages, besides its members list,
profiles (activity, subscriptions...), recent posts, unread, tags, search views and RSS feeds.

Install: WordPress's (``wordpress_seed.php``) with the plugin active; the first load runs wpForo's own
activation (tables, the "Forum" page, usergroups, menus, a default category and forum). Options: five topics
and five posts a page, the "Extended" layout it comes with. Seed: :mod:`tests.engines.php.corpus` in two
forums of one category through ``wp_insert_user``, ``WPF()->forum->add``, ``WPF()->topic->add`` and
``WPF()->post->add`` (``wpforo_seed.php``); a few replies open with the quote its editor writes of the post
before them. The ground truth is read back from ``wp_wpforo_posts``.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from tests.engines.php import corpus, PhpForum, wordpress

NAME = "wpforo"
PHP_MODULES = ("mysqli", "mbstring", "xml")
POSTS_PER_PAGE = TOPICS_PER_PAGE = 5
BOARDS = [("生活闲聊", "吃喝玩乐，什么都可以聊"), ("Hobbies and skills", "Books, music, gardening, code")]
SPLIT = 6  # (the first six corpus threads in the first forum, the others in the second)


def spec() -> dict:
    threads = corpus.threads_quoting()
    return {"settings": {},
            "options": {"topics": {"posts_per_page": POSTS_PER_PAGE, "topics_per_page": TOPICS_PER_PAGE},
                        "forums": {}},
            "users": corpus.USERS, "blog": wordpress.blog_spec(),
            "boards": [{"name": name, "description": about, "threads": part}
                       for (name, about), part in zip(BOARDS, (threads[:SPLIT], threads[SPLIT:]))]}


def _own_text(data: dict) -> dict:
    """A reply's stored body opens with the ``[quote ...]...[/quote]`` its editor wrote: the truth is the
    reply's own words (wordpress.truth strips a ``<blockquote>``)."""
    for t in data["threads"]:
        for p in t["posts"]:
            p["content"] = re.sub(r"\[quote[^\]]*\].*?\[/quote\]", "", p["content"], flags=re.S).strip()
    return data


@contextmanager
def running_wpforo(src: Path) -> Iterator[PhpForum]:
    """A freshly installed and seeded WordPress + wpForo on 127.0.0.1; its database is dropped afterwards.
    ``src`` is the wpForo plugin folder; WordPress is found beside it."""
    with wordpress.running_wordpress(NAME, src, "wpforo", "wpforo_seed.php", spec()) as (ws, base, data):
        threads = wordpress.truth(_own_text(data), POSTS_PER_PAGE,
                                  lambda url, n: f"{url.rstrip('/')}/paged/{n}/")
        yield PhpForum(NAME, base, threads, ws.site, ws.log_path, extra=data)
