"""Beehive Forum 1.5.2 on ``php -S`` + MariaDB: a classic PHP forum laid out in frames.

Its front page is a frameset (a top bar, a navigation bar, the start page; ``<noframes>``
holds a plain page of links), the discussion view is a frameset again (thread list left,
messages right). A thread is ``messages.php?webtag=DEFAULT&msg=TID.PID``: a window of posts
starting at post PID, so every post number opens another window over the same posts
("jump to post"); ``lmessages.php`` is the "light" (frameless) view of the same windows.
A guest reads 20 posts a window (5 in this test copy, below). Installed through its own
web installer (``install/index.php``: database, tables, the admin, ``include/config.inc.php``),
then the install folder is removed as the installer asks.

Test copy patches (applied here at install time, nothing else changed), all PHP 8 syntax or
what the test needs:
- ``$s{0}`` string offsets with braces (a parse error since PHP 8) in the bundled HTML Purifier
  and Swift Mailer: each line ``php -l`` names is rewritten to ``$s[0]``;
- HTML Purifier's autoload file declares ``__autoload`` (a compile error since PHP 8): that
  fallback branch (for PHP without SPL) is dropped;
- ``a ? b : c ? true : false`` (an error since PHP 8) in ``post.php`` and ``admin_forums.php``:
  the redundant ``? true : false`` dropped, one ``: x ? y : 0`` parenthesised;
- a guest's window 20 -> 5 posts (the 5 posts a page the other engines' test copies show), so
  that the corpus's threads run over up to 5 windows.
Seeded through the engine's own code (``beehive_seed.php``: ``user_create``,
``post_create_thread``, ``post_create``, each reply answering the post before it), then each post's
``CREATED`` set to its corpus time (SQL). A few replies quote the post before them
(``<div class="quotetext">`` + ``<div class="quote">``, what the reply form's quote writes).
Truth: ``DEFAULT_POST`` + ``DEFAULT_POST_CONTENT`` (the installer's welcome thread included).
"""
from __future__ import annotations

import re
import urllib.parse
import urllib.request
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from tests.engines.php import (HERE, MYSQL, PhpForum, engine_workspace, html_column_text, mysql, mysql_rows, php_server,
                               run_seeder)
from tests.engines.php import corpus
from tests.engines.php.php8 import brace_offsets, lint_error
from tests.engines.server import TruthPage, TruthPost, TruthThread

NAME = "beehive"
PHP_MODULES = ("mysqli", "mbstring", "gd", "intl", "gettext")
WEBTAG = "DEFAULT"
PER_PAGE = 5  # (a guest's window in this test copy, as the other engines show 5 posts a page)
ADMIN = {"user": "admin", "password": "forumcrawl-admin", "email": "admin@example.com"}
QUOTE_EVERY = 4  # reply i (i % 4 == 2) quotes post i - 1


def _patch(site: Path, rel: str, old: str, new: str, count: int = 1) -> None:
    path = site / rel
    text = path.read_text(encoding="latin-1")
    if text.count(old) < count:
        raise RuntimeError(f"Beehive: {old[:60]!r} is not {count}x in {rel}")
    path.write_text(text.replace(old, new), encoding="latin-1")


def _patch_test_copy(site: Path) -> None:
    """The test copy's patches (module docstring)."""
    autoload = site / "include/htmlpurifier/HTMLPurifier.autoload.php"
    text = autoload.read_text(encoding="latin-1")
    text, n = re.subn(r"\} elseif \(!function_exists\('__autoload'\)\) \{.*?\n\}\n", "}\n", text, flags=re.S)
    if n != 1:
        raise RuntimeError("Beehive: no __autoload fallback in HTMLPurifier.autoload.php")
    autoload.write_text(text, encoding="latin-1")
    brace_offsets(site, "Beehive")
    _patch(site, "post.php", "$closed == 'Y' : isset($thread_data['CLOSED']) && $thread_data['CLOSED'] > 0 ? true : false",
           "$closed == 'Y' : (isset($thread_data['CLOSED']) && $thread_data['CLOSED'] > 0)")
    _patch(site, "post.php", "$sticky == 'Y' : isset($thread_data['STICKY']) && $thread_data['STICKY'] == \"Y\" ? true : false",
           "$sticky == 'Y' : (isset($thread_data['STICKY']) && $thread_data['STICKY'] == \"Y\")")
    _patch(site, "admin_forums.php",
           "? $forum_data['ACCESS_LEVEL'] : (isset($forum_data['ACCESS_LEVEL']) && is_numeric($forum_data['ACCESS_LEVEL'])) ? $forum_data['ACCESS_LEVEL'] : 0)",
           "? $forum_data['ACCESS_LEVEL'] : ((isset($forum_data['ACCESS_LEVEL']) && is_numeric($forum_data['ACCESS_LEVEL'])) ? $forum_data['ACCESS_LEVEL'] : 0))")
    for rel in ("post.php", "admin_forums.php"):
        path = site / rel
        for _ in range(20):
            error = lint_error(path)
            if error is None:
                break
            lines = path.read_text(encoding="latin-1").split("\n")
            old = lines[error[1] - 1]
            cut = old.rfind(" ? true : false")
            if "Unparenthesized" not in error[0] or cut < 0:
                raise RuntimeError(f"Beehive: {rel}:{error[1]}: {error[0][:200]}")
            lines[error[1] - 1] = old[:cut] + old[cut + len(" ? true : false"):]
            path.write_text("\n".join(lines), encoding="latin-1")
    for rel in ("messages.php", "lmessages.php", "include/messages.inc.php", "include/html.inc.php", "include/light.inc.php"):
        _patch(site, rel, "$posts_per_page = 20;", f"$posts_per_page = {PER_PAGE};")


def _install(base: str, dbname: str, site: Path) -> None:
    fields = {"install_method": "0", "forum_webtag": WEBTAG, "db_server": MYSQL["host"], "db_port": MYSQL["port"],
              "db_database": dbname, "db_username": MYSQL["user"], "db_password": MYSQL["password"],
              "db_cpassword": MYSQL["password"], "admin_username": ADMIN["user"], "admin_password": ADMIN["password"],
              "admin_cpassword": ADMIN["password"], "admin_email": ADMIN["email"]}
    mysql(f"CREATE DATABASE `{dbname}` CHARACTER SET utf8mb4")
    req = urllib.request.Request(base + "/install/index.php", urllib.parse.urlencode(fields).encode())
    with urllib.request.urlopen(req, timeout=120) as resp:
        answer = resp.read().decode("utf-8", "replace")
    if "Installation Complete" not in answer:
        shown = re.sub(r"<[^>]+>|\s+", " ", answer)
        raise RuntimeError(f"Beehive installer: {shown[-1200:]}")
    (site / "install").rename(site.parent / "install-done")  # ("you must delete the install folder")


def _seed(site: Path) -> None:
    users = [{"name": name, "password": "forumcrawl-user", "email": f"user{n}@example.com"}
             for n, name in enumerate(corpus.USERS) if name != ADMIN["user"]]
    threads = []
    for thread in corpus.threads():
        posts = []
        for i, post in enumerate(thread["posts"]):
            body = f"<p>{post['text']}</p>"
            if i >= 2 and i % QUOTE_EVERY == 2:
                before = thread["posts"][i - 1]
                body = (f'<div class="quotetext"><b>quote:</b> {before["author"]}</div>'
                        f'<div class="quote"><p>{before["text"]}</p></div>{body}')
            posts.append({"author": post["author"], "html": body, "time": post["time"]})
        threads.append({"title": thread["title"], "posts": posts})
    run_seeder(HERE / "beehive_seed.php", site, {"webtag": WEBTAG, "fid": 1, "admin": ADMIN["user"], "users": users, "threads": threads},
               '{"threads"', NAME)


def _own_text(content: str) -> str:
    """A post's own words: its content without the quote (the extractor keeps quotes apart)."""
    content = re.sub(r'(?s)<div class="quotetext">.*?</div>\s*<div class="quote">.*?</div>', "", content)
    return html_column_text(content)


def truth(dbname: str, base: str) -> list[TruthThread]:
    """Threads and their posts in the order a window shows them (by post number)."""
    prefix = f"{WEBTAG}_"
    posts = mysql_rows(f"SELECT p.TID, p.PID, p.CREATED, u.NICKNAME, c.CONTENT FROM {prefix}POST p "
                       f"JOIN {prefix}POST_CONTENT c ON c.TID = p.TID AND c.PID = p.PID "
                       f"JOIN USER u ON u.UID = p.FROM_UID ORDER BY p.TID, p.PID", dbname)
    folders = {r["FID"]: r["TITLE"] for r in mysql_rows(f"SELECT FID, TITLE FROM {prefix}FOLDER", dbname)}
    threads = []
    for t in mysql_rows(f"SELECT TID, FID, TITLE FROM {prefix}THREAD ORDER BY TID", dbname):
        mine = [p for p in posts if p["TID"] == t["TID"]]
        url = f"{base}/messages.php?webtag={WEBTAG}&msg={t['TID']}.1"
        n_pages = max(1, -(-len(mine) // PER_PAGE))
        pages = [TruthPage(f"{base}/messages.php?webtag={WEBTAG}&msg={t['TID']}.{k * PER_PAGE + 1}",
                           list(range(k * PER_PAGE, min(len(mine), (k + 1) * PER_PAGE)))) for k in range(n_pages)]
        threads.append(TruthThread(
            url=url, title=t["TITLE"], board=folders.get(t["FID"], ""), thread_id=t["TID"], pages=pages,
            posts=[TruthPost(author=p["NICKNAME"], text=_own_text(p["CONTENT"]), post_id=f"{p['TID']}.{p['PID']}",
                             published=datetime.strptime(p["CREATED"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc))
                   for p in mine]))
    return threads


@contextmanager
def running_beehive(src: Path) -> Iterator[PhpForum]:
    """A freshly installed and seeded Beehive Forum on 127.0.0.1; its database is dropped afterwards."""
    with engine_workspace(NAME) as ws:
        _patch_test_copy(ws.site)
        with php_server(ws.site, ws.port, ws.log_path, ini={"opcache.revalidate_freq": "0"}) as base:
            _install(base, ws.dbname, ws.site)
            _seed(ws.site)
            yield PhpForum(NAME, base, truth(ws.dbname, base), ws.site, ws.log_path)
