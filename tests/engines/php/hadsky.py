"""HadSky 5.5.2 (轻论坛) on ``php -S`` + MariaDB: a Chinese forum engine on its own puyuetianPHP framework.

URLs are query strings: boards ``index.php?c=list&sortid=1&page=1``, a thread ``index.php?c=read&id=3&page=1``
and its later pages ``&page=N``. A thread page shows the topic again on every page, then 10 replies, newest
first (the engine's default ``replyorder``); each thread page links three more orders of the same posts
(``&desc=0``, ``&desc=1``, ``&orderfield=zannum&desc=1``: sort orders) and action links (``c=ding`` likes,
``c=edit``, login/registration with a ``referer``). The installer's two welcome topics stay (they are part
of a fresh site). Installed through its own installer (``install/index.php?step=3``, the AJAX post of its
form, then ``step=4``, which locks it); seeded through the engine's forms: users register
(``c=savereg``), log in (``c=chklogin``), post topics (``c=post&type=read``) and replies
(``c=post&type=reply``), each user with its own session and address.
Reply dates are not shown on thread pages (only the topic's), so dates are not scored (``shows_dates``).

PHP 8 port of the test copy (the engine targets PHP 5/7): ``get_magic_quotes_gpc`` (gone in PHP 8) is
defined as returning false, and mysqli is told PHP 7's default report mode (silent: PHP 8.1 throws, and the
engine runs queries that fail, e.g. ``where`` with no condition on the topic list). Needs PHP's bcmath.
Truth: ``pk_read`` (topics) and ``pk_reply`` read back from the database.
"""
from __future__ import annotations

import json
import re
import urllib.error
from contextlib import contextmanager
from datetime import datetime, timezone
from html import unescape
from pathlib import Path
from typing import Iterator

from tests.engines.php import MYSQL, FormBrowser, PhpForum, engine_workspace, mysql, mysql_rows, php_server
from tests.engines.php import corpus
from tests.engines.server import TruthPage, TruthPost, TruthThread

NAME = "hadsky"
PHP_MODULES = ("mysqli", "mbstring", "bcmath")
PER_PAGE = 10  # (the installer's replylistnum)
ADMIN = {"user": "admin", "password": "forumcrawl", "email": "admin@example.com"}
PASSWORD = "forumcrawl"  # (5 to 16 characters)


def _port_to_php8(site: Path) -> None:
    """The two PHP 8 fixes of the test copy (module docstring)."""
    frame = site / "puyuetian.php"
    text = frame.read_text(encoding="utf-8")
    old = "if (get_magic_quotes_gpc()) {"
    if old not in text:
        raise RuntimeError("HadSky: the get_magic_quotes_gpc check is not in puyuetian.php")
    frame.write_text(text.replace(old, "if (!function_exists('get_magic_quotes_gpc')) {\n"
                                       "\tfunction get_magic_quotes_gpc() {\n\t\treturn false;\n\t}\n}\n" + old, 1),
                     encoding="utf-8")
    shim = site / "puyuetian/mysql/withphp7.php"
    text = shim.read_text(encoding="utf-8")
    old = "function mysql_connect("
    if old not in text:
        raise RuntimeError("HadSky: mysql_connect is not in puyuetian/mysql/withphp7.php")
    shim.write_text(text.replace(old, "mysqli_report(MYSQLI_REPORT_OFF);\n\n" + old, 1), encoding="utf-8")


def _shown(page: str) -> str:
    return re.sub(r"<[^>]+>|\s+", " ", re.sub(r"(?s)<(style|script)\b.*?</\1>", "", page))


def _json(browser: FormBrowser, path: str, data: dict, referer: str, what: str) -> dict:
    """POST an AJAX form (``&return=json``); its answer, or an error naming ``what``."""
    try:
        answer = browser.post(path, data, referer)
    except urllib.error.HTTPError as e:
        raise RuntimeError(f"HadSky {what}: HTTP {e.code}: {_shown(e.read().decode('utf-8', 'replace'))[:500]}") from None
    try:
        made = json.loads(answer)
    except ValueError:
        raise RuntimeError(f"HadSky {what}: {_shown(answer)[:300]}") from None
    if made.get("state") != "ok":
        raise RuntimeError(f"HadSky {what}: {made}")
    return made


def _install(base: str, dbname: str) -> None:
    if mysql(f"CREATE DATABASE `{dbname}` CHARACTER SET utf8mb4").returncode != 0:
        raise RuntimeError(f"could not create the database {dbname}")
    browser = FormBrowser(base)
    browser.get("/install/index.php?step=2")
    form = {"mysql_location": MYSQL["host"] if MYSQL["port"] == "3306" else f"{MYSQL['host']}:{MYSQL['port']}", "mysql_username": MYSQL["user"],
            "mysql_password": MYSQL["password"], "mysql_database": dbname, "mysql_prefix": "pk_",
            "mysql_charset": "set names utf8", "adminusername": ADMIN["user"], "adminpassword": ADMIN["password"],
            "adminemail": ADMIN["email"], "hs_username": "", "hs_password": ""}
    _json(browser, "/install/index.php?step=3", form, "/install/index.php?step=2", "install")
    browser.get("/install/index.php?step=4&chkcode=HadSkyInstallComplete")  # (writes install/install.locked)


def _seed(base: str) -> None:
    users: dict[str, FormBrowser] = {}
    admin = users[ADMIN["user"]] = FormBrowser(base, "127.0.0.1")
    _json(admin, "/index.php?c=chklogin&return=json", {"username": ADMIN["user"], "password": ADMIN["password"]},
          "/index.php?c=login", "admin login")
    for n, name in enumerate(u for u in corpus.USERS if u != ADMIN["user"]):
        browser = users[name] = FormBrowser(base, f"127.0.0.{n + 2}")
        _json(browser, "/index.php?c=savereg&return=json",
              {"username": name, "password": PASSWORD, "email": f"user{n}@example.com", "nickname": "", "sex": "s"},
              "/index.php?c=reg", f"registering {name}")
    for thread in corpus.threads():
        first, *rest = thread["posts"]
        made = _json(users[first["author"]], "/index.php?c=post&type=read&return=json",
                     {"sortid": "1", "label": "", "title": thread["title"], "content": f"<p>{first['text']}</p>",
                      "readlevel": "0"}, "/index.php?c=edit&type=read", f"topic {thread['title']}")
        for post in rest:
            _json(users[post["author"]], "/index.php?c=post&type=reply&return=json",
                  {"rid": made["rid"], "content": f"<p>{post['text']}</p>"},
                  f"/index.php?c=read&id={made['rid']}&page=1", f"reply in topic {made['rid']}")


def _text(stored: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", unescape(stored.replace("\\n", "\n").replace("\\t", " ")))).strip()


def truth(dbname: str, base: str) -> list[TruthThread]:
    """Threads and their posts (topic, then replies in id order); page k shows the topic and the replies
    ranked 10k-9..10k newest first."""
    names = {r["id"]: r["nickname"] or r["username"] for r in mysql_rows("SELECT id, username, nickname FROM pk_user", dbname)}
    boards = {r["id"]: r["title"] for r in mysql_rows("SELECT id, title FROM pk_readsort", dbname)}
    replies = mysql_rows("SELECT id, rid, uid, content, posttime FROM pk_reply WHERE del = 0 ORDER BY id", dbname)
    threads = []
    for row in mysql_rows("SELECT id, sortid, uid, title, content, posttime FROM pk_read WHERE del = 0 ORDER BY id", dbname):
        mine = [row] + [r for r in replies if r["rid"] == row["id"]]
        url = f"{base}/index.php?c=read&id={row['id']}&page=1"
        newest_first = list(range(len(mine) - 1, 0, -1))
        n_pages = max(1, -(-len(newest_first) // PER_PAGE))
        pages = [TruthPage(f"{base}/index.php?c=read&id={row['id']}&page={k + 1}",
                           [0] + newest_first[k * PER_PAGE:(k + 1) * PER_PAGE]) for k in range(n_pages)]
        threads.append(TruthThread(
            url=url, title=unescape(row["title"]), board=boards.get(row["sortid"], ""), thread_id=row["id"], pages=pages,
            posts=[TruthPost(author=names.get(p["uid"], ""), text=_text(p["content"]), post_id=p["id"],
                             published=datetime.fromtimestamp(int(p["posttime"]), timezone.utc)) for p in mine]))
    return threads


@contextmanager
def running_hadsky(src: Path) -> Iterator[PhpForum]:
    """A freshly installed and seeded HadSky on 127.0.0.1; its database is dropped afterwards."""
    with engine_workspace(NAME) as ws:
        _port_to_php8(ws.site)
        with php_server(ws.site, ws.port, ws.log_path) as base:
            _install(base, ws.dbname)
            _seed(base)
            yield PhpForum(NAME, base, truth(ws.dbname, base), ws.site, ws.log_path, extra={"shows_dates": False})
