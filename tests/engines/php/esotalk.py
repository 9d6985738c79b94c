"""esoTalk 1.0 on ``php -S`` + MariaDB: a "conversation" forum (Toby and Simon Zerner's, Flarum's predecessor).

A conversation and its posts are a thread and its posts; a conversation page shows five posts
(``esoTalk.conversation.postsPerPage``) at ``/index.php/conversation/ID-slug/pN`` and links every post's
permalink (``/index.php/conversation/post/ID``), "jump to unread/last", member pages and action links.
The source is phpSoftware/esoTalk (esoTalk 1.0.0g4 kept up to PHP 7.4); the test copy gets what PHP 8.2 needs
and nothing else: ``get_magic_quotes_gpc`` defined by an ``auto_prepend_file`` (removed in PHP 8), four
method signatures that PHP 8 refuses as incompatible with their parents' relaxed (defaults added, one ``&``
dropped), phpass's PHP 4 constructor named ``__construct`` (else no password is ever hashed), and the fork's own anti-bot front script (``antibot/``, an optional add-on) not included from
``index.php``, as a site owner may. The ``robots.txt`` the installer writes keeps its Disallow lines
but loses its ``Crawl-delay: 10`` (the crawler honours it: the whole-site crawl would take half an hour).

Install: the installer's form (``?p=install/info``); then, as esoTalk's documentation says site owners do,
``config/config.php`` gets three settings: five posts a page, no flood interval, no e-mail confirmation of
new members. Seed: each author signs up through ``user/join`` (its own session), starts conversations through
``conversation/start`` and replies through ``conversation/reply/ID`` (the forms a browser without JavaScript
posts). Post times are then set to the corpus times (one SQL update per post: posted within seconds they
would all read "just now"). Truth: ``et_post`` read back from the database, the installer's own welcome
conversation included (its BBCode rendered to text as the page shows it).
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from tests.engines.php import MYSQL, FormBrowser, PhpForum, engine_workspace, mysql, mysql_rows, php_server
from tests.engines.php import corpus
from tests.engines.server import TruthPage, TruthPost, TruthThread

NAME = "esotalk"
PHP_MODULES = ("pdo_mysql", "mbstring")
POSTS_PER_PAGE = 5
ADMIN_PASSWORD = "fc-admin-pw"
SHIM = """<?php
// PHP 8 removed these; esoTalk 1.0 calls them (always false since PHP 5.4).
if (!function_exists('get_magic_quotes_gpc')) { function get_magic_quotes_gpc() { return false; } }
if (!function_exists('get_magic_quotes_runtime')) { function get_magic_quotes_runtime() { return false; } }
"""
# (file, old, new): the method signatures PHP 8 rejects as incompatible with ETModel's
PHP8_PATCHES = [
    ("core/lib/ETSession.class.php", "public function get($key, $default = null)",
     "public function get($key = null, $default = null)"),
    ("core/models/ETMemberModel.class.php", "public function create(&$values)", "public function create($values)"),
    ("core/models/ETActivityModel.class.php", "public function create($type, $member, ",
     "public function create($type = null, $member = null, "),
    ("core/models/ETPostModel.class.php", "public function create($conversationId, $memberId, $content, ",
     "public function create($conversationId = null, $memberId = null, $content = null, "),
    ("core/lib/vendor/phpass/PasswordHash.php", "function PasswordHash($iteration_count_log2, $portable_hashes)",
     "function __construct($iteration_count_log2, $portable_hashes)"),  # (a PHP 4 constructor: none in PHP 8)
    ("index.php", "require_once(PATH_ROOT.'/antibot/code/include.php');", "// (anti-bot add-on left out)"),
]
SETTINGS = f"""<?php
$config["esoTalk.conversation.postsPerPage"] = {POSTS_PER_PAGE};
$config["esoTalk.conversation.timeBetweenPosts"] = 0;
$config["esoTalk.registration.requireConfirmation"] = false;
"""


def _patch(site: Path) -> None:
    for name, old, new in PHP8_PATCHES:
        path = site / name
        text = path.read_text(encoding="utf-8")
        if old not in text:
            raise RuntimeError(f"esoTalk: '{old}' is not in {name} (another esoTalk revision?)")
        path.write_text(text.replace(old, new, 1), encoding="utf-8")


class Browser(FormBrowser):
    """A FormBrowser that raises when esoTalk answers a form with a warning message."""

    def submit(self, path: str, must_have: str, values: dict[str, str], *, action: str | None = None) -> str:
        body = self.fill(path, must_have, {**values}, action=action)
        warning = re.search(r"<div class='(?:message warning[^']*|error)'[^>]*>(.*?)</div>", body, re.S)
        if warning:
            said = re.sub(r"<[^>]+>|\s+", " ", warning.group(1))
            raise RuntimeError(f"esoTalk refused {action or path}: {said}")
        return body


def _install(base: str, site: Path, dbname: str) -> None:
    if mysql(f"CREATE DATABASE `{dbname}` CHARACTER SET utf8mb4").returncode != 0:
        raise RuntimeError(f"could not create the database {dbname}")
    Browser(base).submit("/?p=install/info", "forumTitle", {
        "forumTitle": "esoTalk 测试论坛", "baseURL": base + "/", "friendlyURLs": "1", "mysqlHost": MYSQL["host"],
        "mysqlUser": MYSQL["user"], "mysqlPass": MYSQL["password"], "mysqlDB": dbname, "tablePrefix": "et",
        "adminUser": "admin", "adminEmail": "admin@example.org", "adminPass": ADMIN_PASSWORD,
        "adminConfirm": ADMIN_PASSWORD, "submit": "Install"})
    config = site / "config/config.php"
    if "esoTalk.installed" not in config.read_text(encoding="utf-8"):
        raise RuntimeError("esoTalk's installer wrote no config/config.php")
    with open(config, "a", encoding="utf-8") as f:
        f.write(SETTINGS)
    # The installer writes robots.txt with "Crawl-delay: 10", which the crawler honours: a whole-site
    # crawl would take half an hour. Its Disallow lines stay.
    robots = site / "robots.txt"
    text = robots.read_text(encoding="utf-8")
    if "Crawl-delay: 10\n" not in text:
        raise RuntimeError("esoTalk's installer wrote no Crawl-delay into robots.txt (another revision?)")
    robots.write_text(text.replace("Crawl-delay: 10\n", ""), encoding="utf-8")


def _username(name: str) -> str:
    """esoTalk wants 3 to 20 characters: two-character Chinese names (陈伟) get 同学 added."""
    return name if len(name) >= 3 else name + "同学"


def _seed(base: str, dbname: str) -> None:
    users: dict[str, Browser] = {}
    admin = users["admin"] = Browser(base)
    admin.submit("/index.php/user/login", "password", {"username": "admin", "password": ADMIN_PASSWORD,
                                                       "login": "Log In"})
    for n, name in enumerate(u for u in corpus.USERS if u != "admin"):
        user = users[name] = Browser(base, f"127.0.0.{n + 2}")
        password = f"fc-seed-pw-{n}"
        user.submit("/index.php/user/join", "confirm", {"username": _username(name), "email": f"user{n}@example.org",
                                                       "password": password, "confirm": password, "submit": "Sign Up"})
    for thread in corpus.threads():
        first, *replies = thread["posts"]
        users[first["author"]].submit("/index.php/conversation/start", "content",
                                      {"title": thread["title"], "content": first["text"], "submit": "Post"})
        cid = _conversation_id(dbname, thread["title"])
        for post in replies:
            users[post["author"]].submit(f"/index.php/conversation/{cid}", "content",
                                         {"content": post["text"], "postReply": "Post a Reply"},
                                         action=f"/index.php/conversation/reply/{cid}")
    _backdate(dbname)


def _conversation_id(dbname: str, title: str) -> int:
    rows = mysql_rows("SELECT conversationId FROM et_conversation WHERE title = '" + title.replace("'", "''") + "'", dbname)
    if not rows:
        raise RuntimeError(f"esoTalk stored no conversation '{title}'")
    return int(rows[-1]["conversationId"])


def _backdate(dbname: str) -> None:
    """Corpus times on the seeded posts (conversations in id order after the installer's own)."""
    sql = []
    for thread in corpus.threads():
        cid = _conversation_id(dbname, thread["title"])
        ids = [r["postId"] for r in mysql_rows(f"SELECT postId FROM et_post WHERE conversationId={cid} ORDER BY postId", dbname)]
        times = [p["time"] for p in thread["posts"]]
        if len(ids) != len(times):
            raise RuntimeError(f"esoTalk stored {len(ids)} of {len(times)} posts of '{thread['title']}'")
        sql += [f"UPDATE et_post SET time={t} WHERE postId={i};" for i, t in zip(ids, times)]
        sql.append(f"UPDATE et_conversation SET startTime={times[0]}, lastPostTime={times[-1]} WHERE conversationId={cid};")
    done = mysql(" ".join(sql), dbname)
    if done.returncode != 0:
        raise RuntimeError(f"esoTalk backdating: {done.stderr[-500:]}")


def _text(stored: str) -> str:
    """The post as the page shows it: BBCode tags dropped, [url=...]label[/url] as its label."""
    text = stored.replace("\\n", "\n").replace("\\t", "\t")
    text = re.sub(r"\[/?[a-z]+(=[^\]]*)?\]", "", text)
    return text.strip()


def truth(dbname: str, base: str) -> list[TruthThread]:
    """Every conversation that is no draft, its posts in id order, five a page."""
    names = {r["memberId"]: r["username"] for r in mysql_rows("SELECT memberId, username FROM et_member", dbname)}
    channels = {r["channelId"]: r["title"] for r in mysql_rows("SELECT channelId, title FROM et_channel", dbname)}
    posts = mysql_rows("SELECT postId, conversationId, memberId, time, content FROM et_post WHERE deleteTime IS NULL "
                  "ORDER BY postId", dbname)
    threads = []
    for conv in mysql_rows("SELECT conversationId, title, channelId FROM et_conversation WHERE countPosts > 0 "
                      "AND private = 0 ORDER BY conversationId", dbname):
        cid = conv["conversationId"]
        url = f"{base}/index.php/conversation/{cid}"
        mine = [TruthPost(author=names[p["memberId"]], text=_text(p["content"]), post_id=p["postId"],
                          published=datetime.fromtimestamp(int(p["time"]), timezone.utc))
                for p in posts if p["conversationId"] == cid]
        pages = [TruthPage(url if n == 0 else f"{url}/p{n // POSTS_PER_PAGE + 1}",
                           list(range(n, min(n + POSTS_PER_PAGE, len(mine)))))
                 for n in range(0, len(mine), POSTS_PER_PAGE)]
        threads.append(TruthThread(url=url, title=conv["title"], board=channels.get(conv["channelId"], ""),
                                   posts=mine, pages=pages, thread_id=cid))
    return threads


@contextmanager
def running_esotalk(src: Path) -> Iterator[PhpForum]:
    """A freshly installed and seeded esoTalk on 127.0.0.1; its database is dropped afterwards."""
    with engine_workspace(NAME) as ws:
        _patch(ws.site)
        shim = ws.tmp / "php8_shim.php"
        shim.write_text(SHIM, encoding="utf-8")
        with php_server(ws.site, ws.port, ws.log_path, ini={"auto_prepend_file": str(shim)}) as base:
            _install(base, ws.site, ws.dbname)
            _seed(base, ws.dbname)
            yield PhpForum(NAME, base, truth(ws.dbname, base), ws.site, ws.log_path)
