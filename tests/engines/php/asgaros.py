"""WordPress + Asgaros Forum on ``php -S`` + MariaDB, installed and seeded through WordPress's and Asgaros
Forum's own code.

Two sources (docs/crawl-engines.md): WordPress (:mod:`tests.engines.php.wordpress`, the part shared with
bbPress) and Asgaros Forum (github.com/Asgaros/asgaros-forum, tag v3.3.0) in ``.../src/asgaros``: a forum
plugin with its own tables (``wp_forum_forums``, ``wp_forum_topics``, ``wp_forum_posts``) shown on one
WordPress page through the ``[forum]`` shortcode: ``/forum/`` the overview, ``/forum/forum/<slug>/`` a
board, ``/forum/topic/<slug>/`` a topic and ``?part=N`` its further pages, besides its members list,
profiles, activity, search, unread and RSS views.

Install: WordPress's (``wordpress_seed.php``) with the plugin active; the first request builds its tables
and the "Forum" page. Options: five topics and five posts a page; a "Forum" entry in the theme's main menu.
Seed: :mod:`tests.engines.php.corpus` in two boards of one category through ``wp_insert_user``,
``insert_forum``, ``insert_topic`` and ``insert_post`` (``asgaros_seed.php``); a few replies open with the
quote the plugin's editor makes of the post before them. The ground truth is read back from
``wp_forum_posts``.
"""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from tests.engines.php import corpus, PhpForum, wordpress

NAME = "asgaros"
PHP_MODULES = ("mysqli", "mbstring", "xml")
POSTS_PER_PAGE = TOPICS_PER_PAGE = 5
BOARDS = [("生活闲聊", "吃喝玩乐，什么都可以聊"), ("Hobbies and skills", "Books, music, gardening, code")]
SPLIT = 6  # (the first six corpus threads in the first board, the others in the second)


def spec() -> dict:
    threads = corpus.threads_quoting()
    return {"settings": {}, "options": {"posts_per_page": POSTS_PER_PAGE, "topics_per_page": TOPICS_PER_PAGE},
            "users": corpus.USERS, "blog": wordpress.blog_spec(),
            "boards": [{"name": name, "description": about, "threads": part}
                       for (name, about), part in zip(BOARDS, (threads[:SPLIT], threads[SPLIT:]))]}


@contextmanager
def running_asgaros(src: Path) -> Iterator[PhpForum]:
    """A freshly installed and seeded WordPress + Asgaros Forum on 127.0.0.1; its database is dropped
    afterwards. ``src`` is the Asgaros Forum checkout; WordPress is found beside it."""
    with wordpress.running_wordpress(NAME, src, "asgaros-forum", "asgaros_seed.php", spec()) as (ws, base, data):
        threads = wordpress.truth(data, POSTS_PER_PAGE, lambda url, n: f"{url}?part={n}")
        yield PhpForum(NAME, base, threads, ws.site, ws.log_path, extra=data)
