"""Phorum on ``php -S`` + MariaDB, installed through its web installer and seeded through its own web forms.

Phorum (github Phorum/Core) is the PHP forum engine of ``read.php?2,132`` URLs:
comma-separated arguments (forum, thread, message, ``page=N``), flat and
threaded views, a print view and RSS feeds. The 5.2 line (5.2.23, 2017) does
not run on PHP 8; its continuation on the same repository's master branch
(6.0.x, "PHP 8.2 modernization" of 5.2, same templates and URLs) does, and is
what ``~/.cache/forumcrawl/engines/src/phorum`` holds. The test copy gets its
``include/db/config.php`` (the database access the installer asks for in that
file, mysqli).

Install: ``admin.php``'s installer steps (tables, administrator, modules with
their defaults: BBcode, editor tools and smileys on, spam hurdles off). Two
settings have no form a script can fill simply (the admin's settings and forum
forms are large and token-guarded), so ``phorum_settings.php`` sets them
through Phorum's own PHP API: registration without e-mail verification and
five posts and topics a page. Seed: every author registers through
``register.php`` and logs in through ``login.php``; each topic is posted
through ``posting.php``'s form, each reply through the reply form at the foot
of the thread's read page, and some replies quote the post before them through
the page's "Quote" link (which fills the form the way a mail reader quotes:
"bob Wrote:", a rule, the quoted lines behind "> "). The ground truth is read back
from ``phorum_messages`` (a reply's own words: the quote is the other post's),
including the installer's own "Test Message" thread.
"""
from __future__ import annotations

import html
import re
import subprocess
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from tests.engines.common.html_forms import form_data
from tests.engines.php import engine_workspace, FormBrowser, HERE, MYSQL, mysql, php_server, PhpForum
from tests.engines.php import corpus
from tests.engines.server import TruthPage, TruthPost, TruthThread

NAME = "phorum"
PHP_MODULES = ("mysqli", "mbstring")
POSTS_PER_PAGE = 5
FORUM_ID = 2  # the installer's "Test Forum"
QUOTE_EVERY = 4  # reply i (i % 4 == 3) quotes post i - 1
ADMIN_PASSWORD = "fc-admin-pw"


def _said(body: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<script.*?</script>|<style.*?</style>|<[^>]+>", " ", body, flags=re.S))[-600:]


def _config(site: Path, dbname: str) -> None:
    """``include/db/config.php``: what the installer asks the site owner to write."""
    def q(value: str) -> str:
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    (site / "include" / "db" / "config.php").write_text(
        "<?php\nif (!defined('PHORUM')) return;\n$PHORUM['DBCONFIG'] = array("
        f"'type' => 'mysql', 'name' => {q(dbname)}, 'server' => {q(MYSQL['host'])}, 'user' => {q(MYSQL['user'])}, "
        f"'password' => {q(MYSQL['password'])}, 'table_prefix' => 'phorum', 'port' => {q(MYSQL['port'])}, "
        "'socket' => NULL, 'mysql_php_extension' => 'mysqli', 'mysql_use_ft' => '1', 'empty_search_table' => '0', "
        "'charset' => 'utf8', 'slaves' => array());\n")


def _install(base: str, site: Path, dbname: str) -> None:
    if mysql(f"CREATE DATABASE `{dbname}` CHARACTER SET utf8mb4").returncode != 0:
        raise RuntimeError(f"could not create the database {dbname}")
    _config(site, dbname)
    admin = FormBrowser(base)
    step = {"module": "install", "sanity_checks_done": "1"}
    admin.post("/admin.php", {**step, "step": "start"}, "/admin.php")  # creates the tables
    admin.post("/admin.php", {**step, "step": "create_tables"}, "/admin.php")
    body = admin.post("/admin.php", {**step, "step": "create_admin_user", "admin_user": "admin",
                                     "admin_email": "admin@example.org", "admin_pass": ADMIN_PASSWORD,
                                     "admin_pass2": ADMIN_PASSWORD}, "/admin.php")
    done = admin.post("/admin.php", form_data(body, "do_modules_update", {}), "/admin.php")
    if "The setup is complete" not in done:
        raise RuntimeError("Phorum's installer did not finish: " + _said(done))
    out = subprocess.run(["php", str(HERE / "phorum_settings.php"), str(POSTS_PER_PAGE)], cwd=site,
                         capture_output=True, text=True, timeout=60)
    if out.stdout.strip() != "ok":
        raise RuntimeError(f"phorum_settings.php: {out.stdout[-800:]} {out.stderr[-800:]}")


def _check(body: str, what: str) -> str:
    if re.search(r'class="(?:attention|error)"', body):
        raise RuntimeError(f"Phorum refused {what}: " + _said(body))
    return body


def _seed(base: str, dbname: str) -> dict:
    users: dict[str, FormBrowser] = {}
    for n, name in enumerate(corpus.USERS):
        user = users[name] = FormBrowser(base)
        password = ADMIN_PASSWORD if name == "admin" else f"fc-seed-pw-{n}"
        if name != "admin":
            _check(user.fill("/register.php", "password2", {
                "username": name, "email": f"user{n}@example.org", "password": password, "password2": password},
                action="/register.php"), f"registering {name}")
        _check(user.fill("/login.php", "password", {"username": name, "password": password},
                         action="/login.php"), f"logging {name} in")
    for thread in corpus.threads():
        first, *replies = thread["posts"]
        _check(users[first["author"]].fill(f"/posting.php?{FORUM_ID}", "body",
                                           {"subject": thread["title"], "body": first["text"], "finish": "Post"},
                                           action="/posting.php"), f"topic {thread['title']}")
        tid = _thread_id(dbname, thread["title"])
        for i, post in enumerate(replies, start=1):
            page = f"/read.php?{FORUM_ID},{tid}"
            if i % QUOTE_EVERY == QUOTE_EVERY - 1:
                page = f"/read.php?{FORUM_ID},{tid},{_message_ids(dbname, tid)[i - 1]},quote=1"
            browser = users[post["author"]]
            form = browser.get(page)
            prefilled = re.search(r'<textarea[^>]*name="body"[^>]*>(.*?)</textarea>', form, re.S)
            body = (html.unescape(prefilled.group(1)) if prefilled else "") + post["text"]
            _check(browser.post("/posting.php", form_data(form, "body", {"body": body, "finish": "Post"}), page), f"reply {i} to {tid}")
    return _messages(dbname)


def _thread_id(dbname: str, title: str) -> int:
    out = mysql("SELECT thread FROM phorum_messages WHERE parent_id = 0 AND subject = '"
                + title.replace("'", "''") + "'", dbname).stdout
    return int(out.split()[-1])


def _message_ids(dbname: str, tid: int) -> list[int]:
    out = mysql(f"SELECT message_id FROM phorum_messages WHERE thread = {int(tid)} ORDER BY message_id", dbname).stdout
    return [int(v) for v in out.split()[1:]]


def own_and_quoted(body: str) -> tuple[str, list[str]]:
    """A message's own words and the posts it quotes. Phorum's "Quote" link (without the
    BBcode module's quote option) quotes as a mail reader does: "bob Wrote:", a rule of
    dashes, then the quoted lines behind "> "."""
    own: list[str] = []
    quotes: list[str] = []
    lines = body.split("\n")
    i = 0
    while i < len(lines):
        if lines[i].rstrip().endswith("Wrote:") and i + 1 < len(lines) and set(lines[i + 1].strip()) == {"-"}:
            i += 2
            quoted = []
            while i < len(lines) and lines[i].startswith(">"):
                quoted.append(lines[i][1:].strip())
                i += 1
            quotes.append(" ".join(quoted))
            continue
        own.append(lines[i])
        i += 1
    return re.sub(r"\s+", " ", " ".join(own)).strip(), quotes


def _messages(dbname: str) -> dict:
    """The ground truth: every thread and its messages, as Phorum stored them."""
    out = mysql("SELECT thread, message_id, author, datestamp, subject, body FROM phorum_messages WHERE forum_id = "
                f"{FORUM_ID} AND status = 2 ORDER BY thread, message_id", dbname)
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
    threads: dict[int, dict] = {}
    for line in out.stdout.splitlines()[1:]:
        # (--batch writes a value's newline, tab and backslash as \n, \t and \\)
        tid, mid, author, stamp, subject, body = (re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(
            m.group(1), m.group(1)), v) for v in line.split("\t", 5))
        t = threads.setdefault(int(tid), {"tid": int(tid), "title": subject, "posts": []})
        text, quotes = own_and_quoted(body)
        t["posts"].append({"pid": mid, "author": author, "dateline": stamp, "text": text, "quotes": quotes})
    return {"threads": list(threads.values())}


def truth(data: dict, base: str) -> list[TruthThread]:
    threads = []
    for t in data["threads"]:
        url = f"{base}/read.php?{FORUM_ID},{t['tid']}"
        posts = [TruthPost(author=p["author"], text=p["text"], post_id=str(p["pid"]),
                           published=datetime.fromtimestamp(int(p["dateline"]), timezone.utc), quotes=p["quotes"])
                 for p in t["posts"]]
        pages = [TruthPage(url if n == 0 else f"{url},page={n // POSTS_PER_PAGE + 1}",
                           list(range(n, min(n + POSTS_PER_PAGE, len(posts)))))
                 for n in range(0, len(posts), POSTS_PER_PAGE)]
        threads.append(TruthThread(url=url, title=t["title"], board="Test Forum", posts=posts, pages=pages,
                                   thread_id=str(t["tid"])))
    return threads


@contextmanager
def running_phorum(src: Path) -> Iterator[PhpForum]:
    """A freshly installed and seeded Phorum on 127.0.0.1; its database is dropped afterwards."""
    with engine_workspace(NAME) as ws, php_server(ws.site, ws.port, ws.log_path) as base:
        _install(base, ws.site, ws.dbname)
        data = _seed(base, ws.dbname)
        yield PhpForum(NAME, base, truth(data, base), ws.site, ws.log_path)
