"""Question2Answer 1.8 on ``php -S`` + MariaDB: a question-and-answer engine, installed and seeded through Q2A.

A Q&A site is a forum: a question and its answers are a thread and its posts.
Comments under a question or an answer are posts too: each has its own author,
date and text on the page (Q2A shows them as small items under their parent), so
a reader of the archive expects them, and the truth counts them as posts.

Install: ``qa-config.php`` written from ``qa-config-example.php`` (the database
settings, as the install guide says), then Q2A's own installer page
(``qa-include/qa-install.php``, shown by any page while the database is empty):
its "create" button, then its super-administrator form. Seed:
``q2a_seed.php`` writes :mod:`tests.engines.php.corpus` through Q2A's own code
(users, two categories, questions with tags, answers, comments, up-votes, one
selected answer) and prints the posts table back, which is the ground truth.
Five answers and five questions a page, so the longest questions span pages.
"""
from __future__ import annotations

import re
import urllib.parse
import urllib.request
from contextlib import contextmanager
from datetime import datetime, timezone
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Iterator

from tests.engines.php import engine_workspace, HERE, MYSQL, mysql, php_server, PhpForum, run_seeder
from tests.engines.php import corpus
from tests.engines.server import TruthPage, TruthPost, TruthThread

NAME = "q2a"
PHP_MODULES = ("mysqli", "mbstring")
ANSWERS_PER_PAGE = QUESTIONS_PER_PAGE = 5
CATEGORIES = {"life": "生活 Life", "tech": "Tech 技术"}
OPTIONS = {"page_size_q_as": ANSWERS_PER_PAGE, "page_size_qs": QUESTIONS_PER_PAGE,
           "page_size_home": QUESTIONS_PER_PAGE, "page_size_hot_qs": QUESTIONS_PER_PAGE,
           "page_size_una_qs": QUESTIONS_PER_PAGE, "page_size_tag_qs": QUESTIONS_PER_PAGE,
           "page_size_activity": QUESTIONS_PER_PAGE, "site_title": "Q2A 问答测试",
           # the seed posts every answer from 127.0.0.1 within a minute: without higher limits the
           # question pages would tell that address "Too many answers received" instead of the form
           "max_rate_ip_as": 1000, "max_rate_ip_cs": 1000, "max_rate_ip_qs": 1000,
           "max_rate_user_as": 1000, "max_rate_user_cs": 1000, "max_rate_user_qs": 1000}


def spec() -> dict:
    """The corpus as Q&A: each thread's first post asks, most later posts answer, every
    fourth comments on the post before it; a few up-votes; one selected answer."""
    questions = []
    for n, thread in enumerate(corpus.threads()):
        posts = []
        for i, post in enumerate(thread["posts"]):
            kind = "Q" if i == 0 else ("C" if i % 4 == 3 else "A")
            voters = [u for u in corpus.USERS if u != post["author"]][: (n + i) % 3]
            posts.append(dict(post, type=kind, on=i - 1, up=voters))
        tags = ["english" if thread["title"].isascii() else "中文", f"topic{n % 3}"]
        q = {"title": thread["title"], "category": "tech" if n % 2 else "life", "tags": tags, "posts": posts}
        if len(posts) >= 6 and n == 3:
            q["selected"] = 4  # an answer that is not first: Q2A shows the selected answer first
        questions.append(q)
    return {"options": OPTIONS, "users": corpus.USERS, "categories": CATEGORIES, "questions": questions}


def write_config(site: Path, dbname: str) -> None:
    """qa-config.php: the example file with the database settings filled in."""
    text = (site / "qa-config-example.php").read_text()
    values = {"QA_MYSQL_HOSTNAME": MYSQL["host"], "QA_MYSQL_USERNAME": MYSQL["user"],
              "QA_MYSQL_PASSWORD": MYSQL["password"], "QA_MYSQL_DATABASE": dbname}
    for key, value in values.items():
        text, n = re.subn(rf"define\('{key}', '[^']*'\);", f"define('{key}', '{value}');", text, count=1)
        if n != 1:
            raise RuntimeError(f"Q2A config: {key} not found in qa-config-example.php")
    text = text.replace("/*\n\tTable prefix", f"define('QA_MYSQL_PORT', '{MYSQL['port']}');\n/*\n\tTable prefix", 1)
    (site / "qa-config.php").write_text(text)


def _install(base: str, dbname: str) -> None:
    if mysql(f"CREATE DATABASE `{dbname}` CHARACTER SET utf8mb4").returncode != 0:
        raise RuntimeError(f"could not create the database {dbname}")
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def post(data: dict) -> str:
        with opener.open(base + "/index.php?qa=install", urllib.parse.urlencode(data).encode(), timeout=300) as resp:
            return resp.read().decode("utf-8", "replace")

    post({"create": "1"})
    page = post({"super": "1", "handle": "admin", "email": "admin@example.org", "password": "fc-admin-pw"})
    if "site is ready to go" not in page:
        raise RuntimeError("Q2A installer: " + re.sub(r"<[^>]+>|\s+", " ", page)[-800:])


def _seed(site: Path) -> dict:
    return run_seeder(HERE / "q2a_seed.php", site, spec(), '{"questions"', "Q2A")


def truth(data: dict, base: str) -> list[TruthThread]:
    """Questions as the posts table holds them: the question, its answers and all comments."""
    threads = []
    for q in data["questions"]:
        url = f"{base}/index.php?qa={q['postid']}"
        posts = [TruthPost(author=p["handle"], text=p["content"], post_id=str(p["postid"]),
                           published=datetime.fromtimestamp(int(p["created"]), timezone.utc))
                 for p in q["posts"]]
        # answers in Q2A's order (by time, the selected one first), five a page; the question is
        # on every page, counted on the first; a comment is on its parent's page
        index = {str(p["postid"]): i for i, p in enumerate(q["posts"])}
        answers = sorted((p for p in q["posts"] if p["type"] == "A"),
                         key=lambda p: (str(p["postid"]) != str(q.get("selchildid")), int(p["postid"])))
        page_of = {str(q["postid"]): 0}
        page_of.update({str(a["postid"]): n // ANSWERS_PER_PAGE for n, a in enumerate(answers)})
        n_pages = max(1, -(-len(answers) // ANSWERS_PER_PAGE))
        on_page: list[list[int]] = [[] for _ in range(n_pages)]
        for p in q["posts"]:
            on_page[page_of[str(p["postid"] if p["type"] != "C" else p["parentid"])]].append(index[str(p["postid"])])
        pages = [TruthPage(url if k == 0 else f"{url}&start={k * ANSWERS_PER_PAGE}", on_page[k]) for k in range(n_pages)]
        board = CATEGORIES["tech" if q["categoryid"] == "2" else "life"]  # (created in that order: ids 1, 2)
        threads.append(TruthThread(url=url, title=q["title"], board=board, posts=posts, pages=pages,
                                   thread_id=str(q["postid"])))
    return threads


@contextmanager
def running_q2a(src: Path) -> Iterator[PhpForum]:
    """A freshly installed and seeded Question2Answer on 127.0.0.1; its database is dropped afterwards."""
    with engine_workspace(NAME) as ws:
        write_config(ws.site, ws.dbname)
        with php_server(ws.site, ws.port, ws.log_path) as base:
            _install(base, ws.dbname)
            data = _seed(ws.site)
            yield PhpForum(NAME, base, truth(data, base), ws.site, ws.log_path)
