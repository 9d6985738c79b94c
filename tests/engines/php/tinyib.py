"""TinyIB (tslocum/TinyIB) on ``php -S`` + MariaDB: an imageboard whose thread pages are static HTML files.

An imageboard, unlike a classic forum: no accounts, most posters leave the name empty and show as
"Anonymous", posts are numbered ("No.N", one sequence over the board) instead of floors, a reply
answers a post by writing ``>>N`` (a link to ``res/T.html#N``) and quotes lines with ``>`` (greentext).
A thread is one static page ``res/T.html`` (all its posts, no pager; also ``res/T.json``); the board's
index ``index.html``, ``1.html``, ``2.html`` shows every thread's opening post with its last 3 replies
(teasers, truncated to 15 lines), ``catalog.html`` every opening post; ``imgboard.php`` answers the
post form, ``?manage`` the staff login. Dates read ``24/04/24(Wed)23:06:40`` (two-digit year first,
UTC). Source: tslocum/TinyIB (master, a mirror of codeberg.org/tslocum/tinyib; commit in
docs/crawl-engines.md).

The first candidate, vichan (vichan-devel/vichan), cannot run here: its current tree needs Composer
packages (Twig 2 and seven others; no Composer registry is reachable from this machine) and its last
release with them bundled (5.1.0, 2016) stops on PHP 8.2 (its error handler turns PHP 8's warnings into
an error page on every request; ``imagecreatefrombmp`` redeclared; brace string offsets in its minifier).

Install as the README says (TinyIB has no installer): ``settings.default.php`` copied to ``settings.php``
with the database settings (``TINYIB_DBMODE`` mysqli), a tripcode seed, ``TINYIB_NOFILEOK`` (text
threads without an image), 4 threads an index page (so the index has 3 pages), then the first request to
``imgboard.php`` creates the tables and writes the index. Seed: ``tinyib_seed.php`` does what
imgboard.php's posting branch does for a text post, through its own functions, each post dated with its
corpus time. Names: the corpus authors "marta" and "王小明" sign their posts, everyone else posts
anonymously. A few replies answer the post before them (``>>N`` and a quoted ``>`` line).
Truth: the ``b_posts`` table read back by the seeder (``id`` order, as res/T.html shows them).
"""
from __future__ import annotations

import re
import urllib.request
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from tests.engines.php import (HERE, MYSQL, PhpForum, engine_workspace, html_column_text, mysql, php_server,
                               run_seeder)
from tests.engines.php import corpus
from tests.engines.server import TruthPage, TruthPost, TruthThread

NAME = "tinyib"
PHP_MODULES = ("mysqli", "mbstring")
THREADS_PER_INDEX_PAGE = 4
NAMED = {"marta", "王小明"}  # (corpus authors who fill in the name field; the rest post as "Anonymous")


def _settings(site: Path, dbname: str) -> None:
    """settings.php from settings.default.php, as the README's install steps 4-5 say."""
    text = (site / "settings.default.php").read_text()
    values = {"TINYIB_DBMODE": "mysqli", "TINYIB_DBHOST": MYSQL["host"], "TINYIB_DBPORT": int(MYSQL["port"]),
              "TINYIB_DBUSERNAME": MYSQL["user"], "TINYIB_DBPASSWORD": MYSQL["password"], "TINYIB_DBNAME": dbname,
              "TINYIB_TRIPSEED": "forumcrawl-test-seed", "TINYIB_ADMINPASS": "forumcrawl-admin",
              "TINYIB_NOFILEOK": True, "TINYIB_THREADSPERPAGE": THREADS_PER_INDEX_PAGE, "TINYIB_DELAY": 0}
    for key, value in values.items():
        literal = ("true" if value else "false") if isinstance(value, bool) else (
            str(value) if isinstance(value, int) else "'" + str(value).replace("'", "\\'") + "'")
        text, n = re.subn(rf"define\('{key}',\s*[^)]*\);", f"define('{key}', {literal});", text)
        assert n == 1, key
    (site / "settings.php").write_text(text)


def spec() -> dict:
    threads = corpus.threads_quoting()
    for thread in threads:
        for post in thread["posts"]:
            post["name"] = post["author"] if post["author"] in NAMED else ""
    return {"threads": threads}


def truth(data: dict, base: str) -> list[TruthThread]:
    threads = []
    for t in data["threads"]:
        url = f"{base}/res/{t['id']}.html"
        posts = t["posts"]
        threads.append(TruthThread(
            url=url, title=t["subject"], board="b", thread_id=int(t["id"]),
            pages=[TruthPage(url, list(range(len(posts))))],
            posts=[TruthPost(author=p["name"] + (f" !{p['tripcode']}" if p["tripcode"] else ""),
                             text=html_column_text(p["message"]), post_id=int(p["id"]),
                             published=datetime.fromtimestamp(int(p["timestamp"]), timezone.utc)) for p in posts]))
    return threads


@contextmanager
def running_tinyib(src: Path) -> Iterator[PhpForum]:
    """A freshly set up and seeded TinyIB on 127.0.0.1; its database is dropped afterwards."""
    with engine_workspace(NAME) as ws:
        created = mysql(f"CREATE DATABASE `{ws.dbname}` CHARACTER SET utf8mb4")
        if created.returncode != 0:
            raise RuntimeError(f"TinyIB: {created.stderr}")
        _settings(ws.site, ws.dbname)
        with php_server(ws.site, ws.port, ws.log_path) as base:
            with urllib.request.urlopen(base + "/imgboard.php", timeout=60) as resp:  # (creates the tables)
                resp.read()
            data = run_seeder(HERE / "tinyib_seed.php", ws.site, spec(), '{"threads"', "TinyIB",
                              php_args=("-d", "display_errors=stderr"))
            yield PhpForum(NAME, base, truth(data, base), ws.site, ws.log_path)
