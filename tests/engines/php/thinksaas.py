"""ThinkSAAS 3.7 on ``php -S`` + MariaDB: a Chinese community engine whose groups (小组) hold topics (帖子) and their comments.

A topic and its comments are a thread and its posts; a topic page shows the topic and
15 comments a page (``&page=N``). Installed through its own web installer
(``index.php?install=result``, the form of ``install/html/next.html``); the test copy's
``install/install.sql`` has the site's time zone set to UTC (the default is
Asia/Hong_Kong and the pages show times without a zone). Seeded through the engine's
own web forms, each user with its own session: the admin creates a group, the others
register, join it, post topics (``app=topic&ac=add``) and comments (``app=comment&ac=add``).
Comments are listed newest first, ordered by ``addtime`` alone; posted within a second of each
other their order would change from query to query, so the seed then sets each post's ``addtime``
to its corpus time (one SQL update per post, the only write not made through the engine).
Truth: ``ts_topic`` and ``ts_comment`` read back from the database.
"""
from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from tests.engines.php import MYSQL, FormBrowser, PhpForum, engine_workspace, html_column_text, mysql, mysql_rows, php_server
from tests.engines.php import corpus
from tests.engines.server import TruthPage, TruthPost, TruthThread

NAME = "thinksaas"
PHP_MODULES = ("mysqli", "mbstring", "gd")
COMMENTS_PER_PAGE = 15  # (app/topic/action/show.php)
ADMIN = {"email": "admin@example.com", "password": "forumcrawl-admin", "username": "admin"}
GROUP = "周末生活小组"


def _utc_install_sql(site: Path) -> None:
    sql = site / "install/install.sql"
    text = sql.read_text(encoding="utf-8")
    new = text.replace("('timezone', 'Asia/Hong_Kong')", "('timezone', 'UTC')").replace(
        's:14:"Asia/Hong_Kong"', 's:3:"UTC"')
    if new.count("'UTC'") < 1 or new == text:
        raise RuntimeError("ThinkSAAS: the timezone option is not in install/install.sql")
    sql.write_text(new, encoding="utf-8")


def _install(base: str, dbname: str) -> None:
    if mysql(f"CREATE DATABASE `{dbname}` CHARACTER SET utf8mb4").returncode != 0:
        raise RuntimeError(f"could not create the database {dbname}")
    form = {"host": MYSQL["host"], "port": MYSQL["port"], "user": MYSQL["user"], "pwd": MYSQL["password"],
            "name": dbname, "pre": "ts_", "site_title": "ThinkSAAS 测试社区", "site_subtitle": "forumcrawl",
            "site_url": base + "/", "site_pkey": "forumcrawl", "email": ADMIN["email"],
            "password": ADMIN["password"], "username": ADMIN["username"], "sql": "mysqli", "submit": "提交"}
    FormBrowser(base).post("/index.php?install=result", form, "/index.php?install=next")
    if "ts_topic" not in mysql("SHOW TABLES", dbname).stdout:
        raise RuntimeError("ThinkSAAS installer made no tables")


def _expect_ok(answer: str, what: str) -> None:
    try:
        status = json.loads(answer).get("status")
    except ValueError:
        return  # (a page, not JSON: the form redirected to what it made)
    if status not in (1, 2):
        raise RuntimeError(f"ThinkSAAS {what}: {answer[:300]}")


def _seed(base: str) -> None:
    """Corpus posts in order through the engine's forms; one browser (cookies, address) per user."""
    users: dict[str, FormBrowser] = {}
    admin = users[ADMIN["username"]] = FormBrowser(base, "127.0.0.1")
    _expect_ok(admin.post("/index.php?app=user&ac=login&ts=do",
                          {"email": ADMIN["email"], "pwd": ADMIN["password"], "js": "1"}, "/index.php?app=user&ac=login"),
               "login")
    admin.post("/index.php?app=group&ac=create&ts=do", {"groupname": GROUP, "groupdesc": "爬山、做饭、读书", "cateid": "0"},
               "/index.php?app=group&ac=create")
    for n, name in enumerate(u for u in corpus.USERS if u != ADMIN["username"]):
        browser = users[name] = FormBrowser(base, f"127.0.0.{n + 2}")
        _expect_ok(browser.post("/index.php?app=user&ac=register&ts=do",
                                {"email": f"user{n}@example.com", "pwd": "forumcrawl-user", "repwd": "forumcrawl-user",
                                 "username": name, "js": "1"}, "/index.php?app=user&ac=register"), f"register {name}")
        _expect_ok(browser.post("/index.php?app=group&ac=ajax&ts=joingroup", {"groupid": "1", "js": "1"},
                                "/index.php?app=group&ac=show&id=1"), f"join {name}")
    for n, thread in enumerate(corpus.threads()):
        first, *rest = thread["posts"]
        users[first["author"]].post("/index.php?app=topic&ac=add&ts=do&groupid=1",
                                    {"groupid": "1", "title": thread["title"], "content": first["text"], "typeid": "0",
                                     "tag": "", "iscomment": "0", "iscommentshow": "0"}, "/index.php?app=topic&ac=add&groupid=1")
        for post in rest:
            _expect_ok(users[post["author"]].post("/index.php?app=comment&ac=add",
                                                  {"ptable": "topic", "pkey": "topicid", "pid": str(n + 1), "content": post["text"],
                                                   "js": "1"}, f"/index.php?app=topic&ac=show&id={n + 1}"),
                       f"comment on topic {n + 1}")


def _backdate(dbname: str) -> None:
    """Corpus times on the posts (topics and comments in id order are the corpus posts in order)."""
    times = [[p["time"] for p in t["posts"]] for t in corpus.threads()]
    sql = [f"UPDATE ts_topic SET addtime={ts[0]}, uptime={ts[-1]} WHERE topicid={n + 1};" for n, ts in enumerate(times)]
    for n, ts in enumerate(times):
        ids = [r["commentid"] for r in mysql_rows(f"SELECT commentid FROM ts_comment WHERE ptable='topic' AND pid='{n + 1}' "
                                               "ORDER BY commentid", dbname)]
        sql += [f"UPDATE ts_comment SET addtime={t} WHERE commentid={c};" for c, t in zip(ids, ts[1:])]
    done = mysql(" ".join(sql), dbname)
    if done.returncode != 0:
        raise RuntimeError(f"ThinkSAAS backdating: {done.stderr[-500:]}")


def truth(dbname: str, base: str) -> list[TruthThread]:
    """Topics and their comments in id order; a page shows the topic (counted on the first page) and
    15 comments, newest first."""
    names = {r["userid"]: r["username"] for r in mysql_rows("SELECT userid, username FROM ts_user_info", dbname)}
    stamp = lambda row: datetime.fromtimestamp(int(row["addtime"]), timezone.utc)  # noqa: E731
    comments = mysql_rows("SELECT commentid, pid, userid, content, addtime FROM ts_comment WHERE ptable='topic' "
                     "ORDER BY commentid", dbname)
    threads = []
    for topic in mysql_rows("SELECT topicid, userid, title, content, addtime FROM ts_topic ORDER BY topicid", dbname):
        tid = topic["topicid"]
        url = f"{base}/index.php?app=topic&ac=show&id={tid}"
        mine = [c for c in comments if c["pid"] == tid]
        posts = [TruthPost(author=names[topic["userid"]], text=html_column_text(topic["content"]), post_id=f"t{tid}",
                           published=stamp(topic))]
        posts += [TruthPost(author=names[c["userid"]], text=html_column_text(c["content"]), post_id=c["commentid"],
                            published=stamp(c)) for c in mine]
        n_pages = max(1, -(-len(mine) // COMMENTS_PER_PAGE))
        newest_first = list(range(len(mine), 0, -1))
        pages = [TruthPage(url if k == 0 else f"{url}&page={k + 1}",
                           ([0] if k == 0 else []) + newest_first[k * COMMENTS_PER_PAGE:(k + 1) * COMMENTS_PER_PAGE])
                 for k in range(n_pages)]
        threads.append(TruthThread(url=url, title=topic["title"], board=GROUP, posts=posts, pages=pages, thread_id=tid))
    return threads


@contextmanager
def running_thinksaas(src: Path) -> Iterator[PhpForum]:
    """A freshly installed and seeded ThinkSAAS on 127.0.0.1; its database is dropped afterwards."""
    with engine_workspace(NAME) as ws:
        _utc_install_sql(ws.site)
        with php_server(ws.site, ws.port, ws.log_path) as base:
            _install(base, ws.dbname)
            _seed(base)
            _backdate(ws.dbname)
            yield PhpForum(NAME, base, truth(ws.dbname, base), ws.site, ws.log_path)
