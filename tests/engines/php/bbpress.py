"""WordPress + bbPress on ``php -S`` + MariaDB, installed and seeded through WordPress's and bbPress's own code.

Two sources (docs/crawl-engines.md): WordPress itself in ``~/.cache/forumcrawl/engines/src/wordpress`` (its
web root, with the classic default theme Twenty Twenty-One under ``wp-content/themes``) and the bbPress
plugin checkout in ``.../src/bbpress`` (the plugin is its ``src/`` folder). A run copies WordPress, puts
bbPress in ``wp-content/plugins/bbpress``, writes ``wp-config.php`` for a fresh database, and serves the
copy with ``php -S`` and ``wordpress_router.php`` (what WordPress's rewrite rules do on a real server:
a path that is no file goes to ``index.php``, so pretty permalinks, ``/robots.txt`` and ``/wp-sitemap.xml``
work).

Install: ``wp_install()`` from ``bbpress_seed.php`` (WordPress's own installer function), pretty
permalinks ``/%year%/%monthnum%/%postname%/``, bbPress active, five topics and five posts a page, and a
"Forums" entry in the theme's main menu (as a site owner adds one: without it nothing links to the forum).
Seed: :mod:`tests.engines.php.corpus` through ``wp_insert_user``, ``bbp_insert_forum``,
``bbp_insert_topic`` and ``bbp_insert_reply``; a few replies open with a ``<blockquote>`` of the post
before them (bbPress has no quote markup of its own; users paste a blockquote). The site also carries
what any WordPress site carries: the installer's "Hello world!" post with its comment and a sample
page, and one blog post of ours with three reader comments, tags, an author and date archives and
feeds. The ground truth is read back from ``wp_posts``: a topic's lead post and its replies.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from tests.engines.php import engine_workspace, HERE, MYSQL, mysql, php_server, PhpForum
from tests.engines.php import corpus
from tests.engines.server import TruthPage, TruthPost, TruthThread

NAME = "bbpress"
PHP_MODULES = ("mysqli", "mbstring", "xml")
POSTS_PER_PAGE = TOPICS_PER_PAGE = 5
BLOG_TITLE = "Notes from a spring walk along the old canal"
BLOG_TEXT = ("<p>We set out early on a grey Saturday morning and followed the towpath east from the lock keeper's "
             "cottage. The water was still, and the herons stood in the reeds as if they had been there all night. "
             "Most of the old warehouses have been turned into flats, but the iron cranes are still in place.</p>\n"
             "<p>Past the second bridge the path narrows and runs between hawthorn hedges. We stopped at the pub by "
             "the aqueduct for soup and bread, then walked on to the junction where the branch canal leaves the "
             "main line. The branch is overgrown now and the locks are empty, their gates rotted away.</p>\n"
             "<p>On the way back the clouds lifted and the evening light turned the brick walls orange. Twelve "
             "miles in all, flat and easy, and well worth doing before the summer crowds arrive.</p>")
BLOG_COMMENTS = ["Lovely write-up. We did the same stretch last autumn and the herons were there too.",
                 "Is the towpath suitable for bikes past the second bridge, or is it too narrow?",
                 "Thanks for this. The pub by the aqueduct does great soup, agreed."]


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
    t0 = 1_714_000_000 - 3 * 86_400
    return {"settings": {"_bbp_topics_per_page": TOPICS_PER_PAGE, "_bbp_replies_per_page": POSTS_PER_PAGE},
            "users": corpus.USERS, "threads": threads,
            "blog": {"title": BLOG_TITLE, "content": BLOG_TEXT, "time": t0, "tags": ["walks", "canals"],
                     "comments": [{"author": f"reader{n}", "text": text, "time": t0 + 3_600 * (n + 1)}
                                  for n, text in enumerate(BLOG_COMMENTS)]}}


def own_text(content: str) -> str:
    """A post's own words: its content without the quoted post (the extractor keeps quotes apart)."""
    return re.sub(r"<blockquote>.*?</blockquote>", "", content, flags=re.S).strip()


def _php(site: Path, base: str, step: str, stdin: str = "") -> str:
    proc = subprocess.run(["php", str(HERE / "bbpress_seed.php"), str(site), base, step], input=stdin,
                          capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        raise RuntimeError(f"bbpress_seed.php {step} failed ({proc.returncode}): {proc.stderr[-1500:]} "
                           f"{proc.stdout[-1500:]}")
    return proc.stdout


def _write_config(site: Path, dbname: str) -> None:
    sample = (site / "wp-config-sample.php").read_text()
    values = {"database_name_here": dbname, "username_here": MYSQL["user"], "password_here": MYSQL["password"],
              "localhost": f"{MYSQL['host']}:{MYSQL['port']}"}
    for old, new in values.items():
        if f"'{old}'" not in sample:
            raise RuntimeError(f"wp-config-sample.php has no '{old}'")
        sample = sample.replace(f"'{old}'", repr(new))
    (site / "wp-config.php").write_text(sample)


def truth(data: dict) -> list[TruthThread]:
    threads = []
    for t in data["threads"]:
        url = t["url"]
        posts = [TruthPost(author=p["author"], text=own_text(p["content"]), post_id=str(p["pid"]),
                           published=datetime.fromisoformat(p["date_gmt"]).replace(tzinfo=timezone.utc))
                 for p in t["posts"]]
        pages = [TruthPage(url if n == 0 else f"{url}page/{n // POSTS_PER_PAGE + 1}/",
                           list(range(n, min(n + POSTS_PER_PAGE, len(posts)))))
                 for n in range(0, len(posts), POSTS_PER_PAGE)]
        threads.append(TruthThread(url=url, title=t["title"], board="Test forum", posts=posts, pages=pages,
                                   thread_id=str(t["tid"])))
    return threads


@contextmanager
def running_bbpress(src: Path) -> Iterator[PhpForum]:
    """A freshly installed and seeded WordPress + bbPress on 127.0.0.1; its database is dropped afterwards.

    ``src`` is the bbPress checkout; WordPress is found beside it (``source_dir("wordpress")``)."""
    plugin = src
    with engine_workspace(NAME, source="wordpress") as ws:
        site, dbname = ws.site, ws.dbname
        shutil.copytree(plugin / "src" if (plugin / "src" / "bbpress.php").is_file() else plugin,
                        site / "wp-content" / "plugins" / "bbpress", ignore=shutil.ignore_patterns(".git"))
        _write_config(site, dbname)
        shutil.copy(HERE / "wordpress_router.php", site / "fc_router.php")
        if mysql(f"CREATE DATABASE `{dbname}` CHARACTER SET utf8mb4").returncode != 0:
            raise RuntimeError(f"could not create the database {dbname}")
        with php_server(site, ws.port, ws.log_path, router="fc_router.php") as base:
            _php(site, base, "install")
            out = _php(site, base, "seed", json.dumps(spec()))
            lines = [line for line in out.splitlines() if line.startswith('{"threads"')]
            if not lines:
                raise RuntimeError(f"bbpress_seed.php printed no truth: {out[-1500:]}")
            data = json.loads(lines[-1])
            yield PhpForum(NAME, base, truth(data), site, ws.log_path, extra=data)
