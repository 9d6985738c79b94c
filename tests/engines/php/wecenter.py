"""WeCenter (the pincong-wecenter fork, PHP 8) on ``php -S`` + MariaDB: a Zhihu-like Chinese Q&A engine.

A question and its answers are a thread and its posts. Discussions under an answer
(WeCenter's comments) are not on the question page: its script loads them from
``/question/info/discussions/...`` when a reader clicks, so a reader of the page does
not see them and the truth leaves them out (Question2Answer's comments, which the page
shows with author and date, count; these do not). The seed still writes some, so a
crawl that stored them, or fetched them per answer, would show.

The original wecenter/wecenter (3.x, 2017) is PHP 5 era code on Zend Framework 1; the
maintained fork runs on PHP 8. Its installer was removed upstream ("砍掉install"): an
install is its SQL files (``install/db/tables.sql``, ``settings.sql``, ``events.sql``,
``admin.sql``) loaded into an empty database and ``system/config/database.php`` /
``system/config.inc.php`` written from their samples, which is what we do. Seed:
``wecenter_seed.php`` boots the application as ``index.php`` does and posts
:mod:`tests.engines.php.corpus` through its register and publish models; site options
(five answers a page, times shown to the second in UTC, no blurred times) through its
setting model. Every fourth post is a discussion under the answer before it.
"""
from __future__ import annotations

import re
import shutil
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from tests.engines.php import engine_workspace, HERE, MYSQL, mysql, php_server, PhpForum, run_seeder
from tests.engines.php import corpus
from tests.engines.server import TruthPage, TruthPost, TruthThread

NAME = "wecenter"
PHP_MODULES = ("pdo_mysql", "mbstring", "gd")
ANSWERS_PER_PAGE = 5
OPTIONS = {"replies_per_page": str(ANSWERS_PER_PAGE), "index_per_page": "5", "contents_per_page": "5",
           "time_style": "Y", "default_timezone": "UTC", "time_blurring": "N", "site_name": "WeCenter 问答测试"}


def spec() -> dict:
    """The corpus as Q&A: the first post asks, the others answer, every fourth discusses the answer before it."""
    questions = []
    for n, thread in enumerate(corpus.threads()):
        posts = [dict(p, type="C" if i % 4 == 3 else ("Q" if i == 0 else "A")) for i, p in enumerate(thread["posts"])]
        topics = ["english" if thread["title"].isascii() else "中文", f"topic{n % 3}"]
        questions.append({"title": thread["title"], "topics": topics, "posts": posts})
    return {"options": OPTIONS, "users": corpus.USERS, "questions": questions}


def write_config(site: Path, dbname: str) -> None:
    """system/config/database.php and system/config.inc.php from the samples the fork ships."""
    db = (site / "system/config/database.php.sample.php").read_text()
    host = MYSQL["host"] if MYSQL["port"] == "3306" else f"{MYSQL['host']};port={MYSQL['port']}"
    values = {"host": host, "username": MYSQL["user"], "password": MYSQL["password"], "dbname": dbname}
    for key, value in values.items():
        db, n = re.subn(rf"'{key}' => '[^']*'", f"'{key}' => '{value}'", db, count=1)
        if n != 1:
            raise RuntimeError(f"WeCenter config: {key} not in database.php.sample.php")
    (site / "system/config/database.php").write_text(db)
    shutil.copy(site / "system/config.inc.php.sample.php", site / "system/config.inc.php")
    _without_missing_dictionary(site)


def _without_missing_dictionary(site: Path) -> None:
    """The word-segmentation dictionary (``base_dic_full.dic``, 5 MB, for the meta keywords of a
    question page) is a blob GitHub's snapshot of the repository lacks; without it every question
    page fails. When it is missing, the test copy's ``analysis_keyword`` returns no keywords."""
    if (site / "system/Services/Phpanalysis/dict/base_dic_full.dic").is_file():
        return
    model = site / "models/system.php"
    text = model.read_text()
    head = "public function analysis_keyword($string)\n\t{"
    if head not in text:
        raise RuntimeError("WeCenter: analysis_keyword not found in models/system.php")
    model.write_text(text.replace(head, head + "\n\t\treturn array();  // (forumcrawl test copy: no dictionary)", 1))


def _install(site: Path, dbname: str) -> None:
    if mysql(f"CREATE DATABASE `{dbname}` CHARACTER SET utf8mb4").returncode != 0:
        raise RuntimeError(f"could not create the database {dbname}")
    for name in ("tables", "settings", "events", "admin"):
        done = mysql(f"SOURCE {site / 'install/db' / name}.sql", dbname)
        if done.returncode != 0:
            raise RuntimeError(f"WeCenter install, {name}.sql: {done.stderr[-800:]}")


def _seed(site: Path) -> dict:
    return run_seeder(HERE / "wecenter_seed.php", site, spec(), '{"questions"', "WeCenter", php_args=("-d", "display_errors=stderr"))


def _text(message: str) -> str:
    # (stored HTML-escaped by the publish model)
    return message.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&#039;", "'").replace("&amp;", "&")


def truth(data: dict, base: str) -> list[TruthThread]:
    """Questions and their answers as the database holds them, five answers a page (ordered by
    votes, all 0: in id order; the question on every page, counted on the first); discussions are not on the page."""
    threads = []
    for q in data["questions"]:
        url = f"{base}/?/question/{q['id']}"
        stamp = lambda row: datetime.fromtimestamp(int(row["add_time"]), timezone.utc)  # noqa: E731
        posts = [TruthPost(author=q["user_name"], text=_text(q["message"]), post_id=f"q{q['id']}", published=stamp(q))]
        posts += [TruthPost(author=a["user_name"], text=_text(a["message"]), post_id=str(a["id"]), published=stamp(a))
                  for a in q["answers"]]
        n_pages = max(1, -(-len(q["answers"]) // ANSWERS_PER_PAGE))
        pages = [TruthPage(url if k == 0 else f"{base}/?/question/id-{q['id']}__page-{k + 1}",
                           ([0] if k == 0 else []) + list(range(1 + k * ANSWERS_PER_PAGE,
                                                                 1 + min(len(q["answers"]), (k + 1) * ANSWERS_PER_PAGE))))
                 for k in range(n_pages)]
        threads.append(TruthThread(url=url, title=q["title"], board="默认分类", posts=posts, pages=pages,
                                   thread_id=str(q["id"])))
    return threads


@contextmanager
def running_wecenter(src: Path) -> Iterator[PhpForum]:
    """A freshly installed and seeded WeCenter on 127.0.0.1; its database is dropped afterwards."""
    with engine_workspace(NAME) as ws:
        write_config(ws.site, ws.dbname)
        _install(ws.site, ws.dbname)
        data = _seed(ws.site)
        discussions = [_text(d["message"]) for q in data["questions"] for d in q["discussions"]]
        with php_server(ws.site, ws.port, ws.log_path) as base:
            yield PhpForum(NAME, base, truth(data, base), ws.site, ws.log_path, extra={"discussions": discussions})
