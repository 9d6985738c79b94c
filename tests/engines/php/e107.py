"""e107 v2 (a PHP CMS with a built-in forum plugin) on ``php -S`` + MariaDB, installed through its own
web installer and seeded through its forum plugin's own PHP API.

e107 2.3.11 (e107inc/e107, runs on PHP 8.2 as it comes). The forum is a plugin of the CMS: its pages
are ``e107_plugins/forum/forum.php`` (the forum index), ``forum_viewforum.php?id=2`` (a board,
``&p=2``), ``forum_viewtopic.php?id=8`` (a topic, ``?p=2&id=8`` / ``?id=8&p=2`` as linked, ``&last=1#post-74``
for its last post); every post links the site's ``print.php?plugin:forum.8`` and ``email.php?plugin:forum.8``
(the whole topic printed / mailed), authors ``user.php?id.3``. The CMS around it: news, pages, a hero
carousel, RSS. Post dates are shown only relative ("2 years ago", the viewtopic template's
``{THREADDATESTAMP=relative}``), so dates are not scored (``shows_dates``).

Install: ``install.php``'s eight stages, each form posted back as served (its signed
``previous_steps`` included) with the database, the administrator and the site name filled in; the
installer creates the database (``fc_php_e107_*``, table prefix ``fc_``), and its defaults stay (theme
Bootstrap 5 with the plugins it needs and its demo content). Seed: ``e107_seed.php`` (command line,
booting ``class2.php`` as ``cron.php`` does): the forum plugin through ``e107plugin::install`` (what the
plugin manager runs), 5 posts and 5 topics a page (the forum plugin's preferences), the members, one
forum parent and one forum, then topics through ``e107forum::threadAdd`` and replies through
``e107forum::postAdd`` (what ``forum_post.php`` calls) at the corpus times; every 4th reply quotes the post
before it as the "Quote" button fills the form (``[quote=name]...[/quote]``, shown as a ``<blockquote>``;
the truth is a reply's own words). Truth: ``forum_post`` joined to ``forum_thread`` and ``user``: 82
posts, 21 pages.

The source (``~/.cache/forumcrawl/engines/src/e107``): ``git archive v2.3.11`` of e107inc/e107 without
its ``e107_tests/`` folder (dangling symlinks there; docs/crawl-engines.md).
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from tests.engines.common.html_forms import form_data
from tests.engines.php import (HERE, MYSQL, FormBrowser, PhpForum, corpus, engine_workspace, html_column_text,
                               mysql_rows, php_server, run_seeder)
from tests.engines.server import TruthPage, TruthPost, TruthThread

NAME = "e107"
PHP_MODULES = ("pdo_mysql", "mbstring", "gd", "xml")
POSTS_PER_PAGE = TOPICS_PER_PAGE = 5
PREFIX = "fc_"
ADMIN_PASSWORD = "fc-admin-pw-107"
QUOTE_EVERY = 4  # reply i (i % 4 == 3) quotes post i - 1
VIEWTOPIC = "/e107_plugins/forum/forum_viewtopic.php"


def _said(body: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<script.*?</script>|<style.*?</style>|<[^>]+>", " ", body, flags=re.S))


def _install(base: str, dbname: str) -> None:
    """``install.php`` from stage 1 to 8: each stage's form posted back with our values."""
    values = {"language": "English", "server": f"{MYSQL['host']}:{MYSQL['port']}", "name": MYSQL["user"],
              "password": MYSQL["password"], "db": dbname, "createdb": "1", "prefix": PREFIX,
              "u_name": "admin", "d_name": "admin", "email": "admin@example.org", "pass1": ADMIN_PASSWORD,
              "pass2": ADMIN_PASSWORD, "sitename": "e107 测试论坛"}
    browser = FormBrowser(base)
    body = browser.get("/install.php")
    for _ in range(10):
        if "Installation Complete" in body:
            return
        body = browser.post("/install.php", form_data(body, "previous_steps", values), "/install.php")
    raise RuntimeError("e107's installer did not finish: " + _said(body)[-800:])


def quoting(threads: list[dict]) -> list[dict]:
    """The corpus with every 4th reply quoting the post before it as e107's "Quote" button fills
    the reply form: ``[quote=name]``, the post, ``[/quote]``, a blank line, then the reply."""
    for thread in threads:
        posts = thread["posts"]
        for i in range(1, len(posts)):
            if i % QUOTE_EVERY == QUOTE_EVERY - 1:
                before = posts[i - 1]
                posts[i] = {**posts[i], "text": f"[quote={before['author']}]\n{_own(before['text'])[0]}\n[/quote]\n\n"
                                                f"{posts[i]['text']}"}
    return threads


def _own(entry: str) -> tuple[str, list[str]]:
    """A post's own words and the posts it quotes (``[quote=name]...[/quote]`` blocks)."""
    quotes = [q.strip() for q in _QUOTE_RE.findall(entry)]
    return _QUOTE_RE.sub(" ", entry).strip(), quotes


_QUOTE_RE = re.compile(r"\[quote=[^\]]*\](.*?)\[/quote\]", re.S)


def _truth_rows(dbname: str) -> list[dict]:
    return mysql_rows(f"SELECT t.thread_id, t.thread_name, p.post_id, p.post_datestamp, u.user_name, p.post_entry "
                      f"FROM {PREFIX}forum_post p JOIN {PREFIX}forum_thread t ON t.thread_id = p.post_thread "
                      f"JOIN {PREFIX}user u ON u.user_id = p.post_user ORDER BY t.thread_id, p.post_id", dbname)


def truth(dbname: str, base: str) -> list[TruthThread]:
    """Every topic and its posts as the forum plugin stored them."""
    topics: dict[str, dict] = {}
    for row in _truth_rows(dbname):
        t = topics.setdefault(row["thread_id"], {"title": html_column_text(row["thread_name"]), "posts": []})
        own, quotes = _own(html_column_text(row["post_entry"]))
        t["posts"].append(TruthPost(author=html_column_text(row["user_name"]), text=own, post_id=row["post_id"],
                                    published=datetime.fromtimestamp(int(row["post_datestamp"]), timezone.utc),
                                    quotes=quotes))
    threads = []
    for tid, t in topics.items():
        url = f"{base}{VIEWTOPIC}?id={tid}"
        pages = [TruthPage(url if n == 0 else f"{url}&p={n // POSTS_PER_PAGE + 1}",
                           list(range(n, min(n + POSTS_PER_PAGE, len(t["posts"])))))
                 for n in range(0, len(t["posts"]), POSTS_PER_PAGE)]
        threads.append(TruthThread(url=url, title=t["title"], board="测试版块", posts=t["posts"], pages=pages,
                                   thread_id=tid))
    return threads


@contextmanager
def running_e107(src: Path) -> Iterator[PhpForum]:
    """A freshly installed and seeded e107 forum on 127.0.0.1; its database is dropped afterwards."""
    with engine_workspace(NAME) as ws, php_server(ws.site, ws.port, ws.log_path) as base:
        _install(base, ws.dbname)
        spec = {"posts_per_page": POSTS_PER_PAGE, "threads_per_page": TOPICS_PER_PAGE,
                "users": [u for u in corpus.USERS if u != "admin"], "threads": quoting(corpus.threads())}
        run_seeder(HERE / "e107_seed.php", ws.site, spec, '{"e107_forum"', NAME, ("-d", "display_errors=stderr"))
        yield PhpForum(NAME, base, truth(ws.dbname, base), ws.site, ws.log_path, extra={"shows_dates": False})
