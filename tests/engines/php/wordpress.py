"""WordPress on ``php -S`` + MariaDB with one forum plugin: the part the WordPress forum plugins share
(bbPress, Asgaros Forum, wpForo).

WordPress itself is in ``~/.cache/forumcrawl/engines/src/wordpress`` (its web root, with the classic default
theme Twenty Twenty-One under ``wp-content/themes``). A run copies WordPress, puts the plugin in
``wp-content/plugins/<folder>``, writes ``wp-config.php`` for a fresh database, and serves the copy with
``php -S`` and ``wordpress_router.php`` (what WordPress's rewrite rules do on a real server: a path that is
no file goes to ``index.php``, so pretty permalinks, ``/robots.txt`` and ``/wp-sitemap.xml`` work).

The plugin's seeding script (``<plugin>_seed.php``, built on ``wordpress_seed.php``) runs twice: ``install``
(WordPress's own ``wp_install()``, pretty permalinks ``/%year%/%monthnum%/%postname%/``, the plugin active)
and ``seed`` (the spec as JSON on stdin; it prints the truth read back from the database as one JSON line
starting with ``{"threads"``). Besides the forum the site carries what any WordPress site carries: the
installer's "Hello world!" post with its comment and a sample page, and one blog post of ours with three
reader comments (:func:`blog_spec`), tags, an author and date archives and feeds.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

from tests.engines.php import engine_workspace, HERE, MYSQL, mysql, php_server, Workspace
from tests.engines.server import TruthPage, TruthPost, TruthThread

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


def blog_spec() -> dict:
    """The blog post with its reader comments, as the seeding scripts' ``fc_blog()`` takes it."""
    t0 = 1_714_000_000 - 3 * 86_400
    return {"title": BLOG_TITLE, "content": BLOG_TEXT, "time": t0, "tags": ["walks", "canals"],
            "comments": [{"author": f"reader{n}", "text": text, "time": t0 + 3_600 * (n + 1)}
                         for n, text in enumerate(BLOG_COMMENTS)]}


def own_text(content: str) -> str:
    """A post's own words: its stored content without the quoted post, a ``<blockquote>`` (the extractor
    keeps quotes apart)."""
    return re.sub(r"<blockquote>.*?</blockquote>(<br>)?", "", content, flags=re.S).strip()


def truth(data: dict, per_page: int, page_url: Callable[[str, int], str]) -> list[TruthThread]:
    """The threads a seeding script printed (``{"threads": [{tid, title, board, url, posts: [{pid, author,
    date_gmt, content}]}]}``), ``per_page`` posts a page; ``page_url(url, n)``: page ``n`` (2, 3, ...) of
    the thread at ``url``."""
    threads = []
    for t in data["threads"]:
        url = t["url"]
        posts = [TruthPost(author=p["author"], text=own_text(p["content"]), post_id=str(p["pid"]),
                           published=datetime.fromisoformat(p["date_gmt"]).replace(tzinfo=timezone.utc))
                 for p in t["posts"]]
        pages = [TruthPage(url if n == 0 else page_url(url, n // per_page + 1),
                           list(range(n, min(n + per_page, len(posts))))) for n in range(0, len(posts), per_page)]
        threads.append(TruthThread(url=url, title=t["title"], board=t["board"], posts=posts, pages=pages,
                                   thread_id=str(t["tid"])))
    return threads


def _php(script: Path, site: Path, base: str, step: str, stdin: str = "") -> str:
    proc = subprocess.run(["php", str(script), str(site), base, step], input=stdin,
                          capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        raise RuntimeError(f"{script.name} {step} failed ({proc.returncode}): {proc.stderr[-1500:]} "
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


@contextmanager
def running_wordpress(name: str, plugin: Path, folder: str, seed_script: str,
                      spec: dict) -> Iterator[tuple[Workspace, str, dict]]:
    """WordPress with the plugin ``plugin`` (copied to ``wp-content/plugins/<folder>``) installed and seeded
    by ``seed_script`` (in this folder) with ``spec``, served on 127.0.0.1: (workspace, base URL, the truth
    the script printed). The database is dropped afterwards."""
    with engine_workspace(name, source="wordpress") as ws:
        site, dbname = ws.site, ws.dbname
        shutil.copytree(plugin, site / "wp-content" / "plugins" / folder, ignore=shutil.ignore_patterns(".git"))
        _write_config(site, dbname)
        shutil.copy(HERE / "wordpress_router.php", site / "fc_router.php")
        if mysql(f"CREATE DATABASE `{dbname}` CHARACTER SET utf8mb4").returncode != 0:
            raise RuntimeError(f"could not create the database {dbname}")
        with php_server(site, ws.port, ws.log_path, router="fc_router.php") as base:
            _php(HERE / seed_script, site, base, "install")
            out = _php(HERE / seed_script, site, base, "seed", json.dumps(spec))
            lines = [line for line in out.splitlines() if line.startswith('{"threads"')]
            if not lines:
                raise RuntimeError(f"{seed_script} printed no truth: {out[-1500:]}")
            yield ws, base, json.loads(lines[-1])
