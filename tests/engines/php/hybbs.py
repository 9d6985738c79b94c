"""HYBBS 2.3 on ``php -S`` + MariaDB: a Chinese forum engine on its own HYPHP framework (hyphp.cn).

URLs are query strings holding a path: the home page ``/?``, a board ``/?f/1.html``, a thread
``/?t/3.html`` and its later pages ``/?t/3/2.html``; a thread also shows newest first as
``/?t/3.html?order=desc`` (a sort order over the same posts), each post has its own page with its
sub-comments (``/?t/post/12.html``, a permalink), and boards list threads by several orders. A thread
page shows the topic and ``postlist`` replies (page 1 the topic and the first ``postlist``).
Installed through its own installer (the three AJAX steps of ``install/index.php``: ``?s=Inst``
with ``gn=1..3``); the admin then sets 5 replies and 5 threads a page through the admin
settings form (``?admin/op.html``, behind the admin's second password prompt). Seeded through the
engine's forms: users register (``?user/add.html``), post topics (``?post.html``) and replies
(``?post/post.html``), each user in its own session. Dates are shown relative ("3分钟前") below a
year, to the day beyond: neither names the minute, so dates are not scored (``shows_dates``).

PHP 8 port of the test copy (the engine targets PHP 5.4-7): the error handler takes PHP 8's four
arguments and honours ``error_reporting`` (it turned every deprecation into a fatal error page),
``get_magic_quotes_gpc`` (gone in PHP 8) is defined as returning false, and PDO is told PHP 7's
default error mode (silent: PHP 8 throws, and the engine counts on failed INSERTs of an existing
row, e.g. ``hy_friend`` when a user is notified of a second reply); the file ``DEBUG`` is present,
which is the engine's own switch for production mode.
Truth: ``hy_post`` (``isthread=1`` is the topic) read back from the database.
"""
from __future__ import annotations

import json
import re
import time
import urllib.error
from contextlib import contextmanager
from datetime import datetime, timezone
from html import unescape
from pathlib import Path
from typing import Iterator

from tests.engines.common.html_forms import form_data
from tests.engines.php import MYSQL, FormBrowser, PhpForum, engine_workspace, html_column_text, mysql, mysql_rows, php_server
from tests.engines.php import corpus
from tests.engines.server import TruthPage, TruthPost, TruthThread

NAME = "hybbs"
PHP_MODULES = ("pdo_mysql", "mbstring", "gd")
PER_PAGE = 5  # (replies a thread page shows; set through the admin form)
ADMIN = {"user": "admin", "password": "forumcrawl-admin", "email": "admin@example.com"}


def _port_to_php8(site: Path) -> None:
    """The two PHP 8 fixes of the test copy, and production mode (module docstring)."""
    hy = site / "HY/Lib/HY.php"
    text = hy.read_text(encoding="utf-8")
    old = "$Error_line,$errcontext){"
    if old not in text:
        raise RuntimeError("HYBBS: the error handler's signature is not in HY/Lib/HY.php")
    hy.write_text(text.replace(old, "$Error_line,$errcontext=null){\n"
                              "        if (!(error_reporting() & $Error_Type)) return false;", 1), encoding="utf-8")
    index = site / "index.php"
    index.write_text(index.read_text(encoding="utf-8").replace(
        "<?php", "<?php\nif(!function_exists('get_magic_quotes_gpc')){function get_magic_quotes_gpc(){return false;}}", 1),
        encoding="utf-8")
    conf = site / "Conf/config.back"  # (the installer's template of Conf/config.php)
    text = conf.read_text(encoding="utf-8")
    old = "PDO::ATTR_CASE => PDO::CASE_NATURAL,"
    if old not in text:
        raise RuntimeError("HYBBS: the PDO options are not in Conf/config.back")
    conf.write_text(text.replace(old, old + " PDO::ATTR_ERRMODE => PDO::ERRMODE_SILENT,", 1), encoding="utf-8")
    (site / "DEBUG").write_text("")


def _shown(page: str) -> str:
    return re.sub(r"<[^>]+>|\s+", " ", re.sub(r"(?s)<(style|script)\b.*?</\1>", "", page))


def _post(browser: FormBrowser, path: str, data: dict | list, referer: str) -> str:
    """POST through ``browser``; an error page (HYBBS answers a PHP error with a 404) raised with its text."""
    try:
        return browser.post(path, data, referer)
    except urllib.error.HTTPError as e:
        raise RuntimeError(f"HYBBS {path}: HTTP {e.code}: {_shown(e.read().decode('utf-8', 'replace'))[:800]}") from None


def _json(answer: str, what: str) -> dict:
    try:
        data = json.loads(answer)
    except ValueError:
        raise RuntimeError(f"HYBBS {what}: {_shown(answer)[:300]}") from None
    if not data.get("error"):  # (HYBBS's "error": true means it worked)
        raise RuntimeError(f"HYBBS {what}: {data}")
    return data


def _install(base: str, dbname: str) -> None:
    if mysql(f"CREATE DATABASE `{dbname}` CHARACTER SET utf8mb4").returncode != 0:
        raise RuntimeError(f"could not create the database {dbname}")
    form = {"sqltype": "mysql", "table_type": "InnoDB", "ip": MYSQL["host"], "name": dbname,
            "username": MYSQL["user"], "password": MYSQL["password"], "port": MYSQL["port"], "www": base,
            "email": ADMIN["email"], "bbs_user": ADMIN["user"], "bbs_pass": ADMIN["password"]}
    browser = FormBrowser(base)
    for step in (1, 2, 3):  # (tables, indexes, Conf/config.php)
        _json(_post(browser, "/index.php?s=Inst", {**form, "gn": str(step)}, "/install/index.php"), f"install step {step}")
    # php -S's workers may hold the config.php the first request wrote for 2 s (opcache.revalidate_freq)
    time.sleep(2.5)


def _settings(admin: FormBrowser) -> None:
    """5 replies a thread page and 5 threads a board page, through the admin settings form."""
    _post(admin, "/?admin.html", {"pass": ADMIN["password"]}, "/?admin.html")
    values = {"postlist": str(PER_PAGE), "forumlist": "5", "homelist": "5", "debug": ""}
    _json(_post(admin, "/?admin/op.html", form_data(admin.get("/?admin/op.html"), "postlist", values), "/?admin/op.html"),
          "settings")


def _seed(base: str) -> None:
    users: dict[str, FormBrowser] = {}
    admin = users[ADMIN["user"]] = FormBrowser(base, "127.0.0.1")
    answer = _post(admin, "/?user/login.html", {"user": ADMIN["user"], "pass": ADMIN["password"]}, "/?user/login.html")
    if "登录成功" not in answer:
        raise RuntimeError("HYBBS: the admin could not log in")
    _settings(admin)
    for n, name in enumerate(u for u in corpus.USERS if u != ADMIN["user"]):
        browser = users[name] = FormBrowser(base, f"127.0.0.{n + 2}")
        answer = _post(browser, "/?user/add.html", {"user": name, "pass1": "forumcrawl-user", "pass2": "forumcrawl-user",
                                                   "email": f"user{n}@example.com"}, "/?user/add.html")
        if "注册成功" not in answer:
            raise RuntimeError(f"HYBBS: registering {name} failed: {_shown(answer)[-300:]}")
    for thread in corpus.threads():
        first, *rest = thread["posts"]
        made = _json(_post(users[first["author"]], "/?post.html", {"forum": "1", "title": thread["title"],
                                                                  "content": f"<p>{first['text']}</p>"}, "/?post.html"),
                     f"topic {thread['title']}")
        for post in rest:
            _json(_post(users[post["author"]], "/?post/post.html", {"id": made["id"], "content": f"<p>{post['text']}</p>"},
                        f"/?t/{made['id']}.html"), f"reply in topic {made['id']}")


def _warm(base: str, threads: list[TruthThread]) -> None:
    """One visitor's look at each kind of page before the crawl. HYPHP compiles each class and
    template into ``Tmp/`` on first use, and two workers compiling the same one at once read a
    half-written file ("Class \\Model\\Data not found": the page answers 404); a site in service
    has them compiled long before a crawler comes."""
    visitor = FormBrowser(base)
    later = next((p.url for t in threads for p in t.pages[1:]), threads[0].url)
    for url in (base + "/", base + "/?f.html", base + "/?f/1.html", base + "/?new/1.html", threads[0].url, later):
        try:
            visitor.get(url[len(base):])
        except urllib.error.HTTPError as e:
            raise RuntimeError(f"HYBBS {url}: HTTP {e.code}") from None


def truth(dbname: str, base: str) -> list[TruthThread]:
    """Threads and their posts in id order; page 1 shows the topic and 5 replies, page k replies 5k-4..5k."""
    names = {r["uid"]: r["user"] for r in mysql_rows("SELECT uid, user FROM hy_user", dbname)}
    posts = mysql_rows("SELECT pid, tid, uid, isthread, content, atime FROM hy_post ORDER BY pid", dbname)
    threads = []
    for row in mysql_rows("SELECT tid, title FROM hy_thread ORDER BY tid", dbname):
        tid = row["tid"]
        mine = [p for p in posts if p["tid"] == tid]
        mine.sort(key=lambda p: (p["isthread"] != "1", int(p["pid"])))
        url = f"{base}/?t/{tid}.html"
        n_pages = max(1, -(-(len(mine) - 1) // PER_PAGE))
        pages = [TruthPage(url if k == 0 else f"{base}/?t/{tid}/{k + 1}.html",
                           list(range(0, PER_PAGE + 1)) if k == 0 else list(range(k * PER_PAGE + 1, (k + 1) * PER_PAGE + 1)))
                 for k in range(n_pages)]
        pages = [TruthPage(p.url, [i for i in p.posts if i < len(mine)]) for p in pages]
        threads.append(TruthThread(
            url=url, title=unescape(row["title"]), board="默认分类", thread_id=tid, pages=pages,
            posts=[TruthPost(author=names[p["uid"]], text=html_column_text(p["content"]), post_id=p["pid"],
                             published=datetime.fromtimestamp(int(p["atime"]), timezone.utc)) for p in mine]))
    return threads


@contextmanager
def running_hybbs(src: Path) -> Iterator[PhpForum]:
    """A freshly installed and seeded HYBBS on 127.0.0.1; its database is dropped afterwards."""
    with engine_workspace(NAME) as ws:
        _port_to_php8(ws.site)
        with php_server(ws.site, ws.port, ws.log_path) as base:
            _install(base, ws.dbname)
            _seed(base)
            threads = truth(ws.dbname, base)
            _warm(base, threads)
            yield PhpForum(NAME, base, threads, ws.site, ws.log_path, extra={"shows_dates": False})
