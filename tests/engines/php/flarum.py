"""Flarum (FlarumChina 0.1.0-beta.7) on ``php -S`` + MariaDB, installed by its own installer, seeded through its JSON:API.

Flarum is a JavaScript single-page forum: each page is the app's shell plus, for crawlers and
readers without JavaScript, a server-rendered fallback inside ``<noscript>``: a discussion's
title, each post's author name and body, "previous"/"next" links (``?page=N``, 20 posts a page).
Discussions are ``/d/ID-slug`` (the lists link ``/d/ID``: a Chinese title's slug is ``-``);
``/d/ID/N`` is "near post number N" (the same discussion from another post on, what the mention
links point at); tags pages ``/t/slug``, member pages ``/u/name``, the JSON:API under ``/api``.
User-Agents on FlarumChina's list of known spiders get the same view without ``<noscript>``. The fallback shows no post
dates (they are only in the app's JSON preload): the truth's dates are not asked for
(``extra["shows_dates"]`` is False).

Source: the public snapshot skywalker512/FlarumChina at 35413b3 (Flarum 0.1.0-beta.7 with the
Chinese extensions enabled, and its composer ``vendor/`` tree committed). A few PHP 7.3+/8 and
MariaDB >= 10.2.7 incompatibilities are edited in the test copy only (``_PATCHES``). Install:
``php flarum install --file=<json>`` (its installer's non-interactive mode), debug off. Seed: an
API key (Flarum's way for scripts: a row in ``api_keys``) lets the seed act as each author
(``Authorization: Token <key>; userId=N``): members through ``POST /api/users`` (activated by the
admin), discussions in the default tag through ``POST /api/discussions``, replies through
``POST /api/posts``; every 4th reply opens as its "Quote" button writes it: a mention of the post
before (``@name#id``, shown as a link to ``/d/ID/N``, the discussion near post number N) and a
Markdown quote of it. Then the corpus times are written into ``posts.time`` and the discussions'
start/last times. The truth is read back from ``posts`` (a reply's own words: the quote is the other post's).
"""
from __future__ import annotations

import html
import json
import re
import secrets
import shutil
import subprocess
import urllib.error
import urllib.request
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from tests.engines.php import engine_workspace, HERE, MYSQL, mysql, php_server, PhpForum
from tests.engines.php import corpus
from tests.engines.server import TruthPage, TruthPost, TruthThread

NAME = "flarum"
PHP_MODULES = ("pdo_mysql", "mbstring", "gd", "dom", "fileinfo", "openssl")
POSTS_PER_PAGE = 20  # (Flarum's server-rendered page size, not a setting)
QUOTE_EVERY = 4  # reply i (i % 4 == 3) quotes post i - 1
# Extra replies (corpus thread index: how many) so that two discussions span pages of 20: 22 posts, 47.
EXTRA_REPLIES = {5: 10, 7: 24}

# (file, old, new): what PHP 8.2 and MariaDB 10.2.7+ need in this 2017 tree (test copy only).
_PATCHES = [
    # MariaDB reports column defaults as SQL literals ('NULL', "'text'"); DBAL 2.5 predates that,
    # so the installer's column renames wrote DEFAULT 'NULL' into DATETIME columns.
    ("vendor/doctrine/dbal/lib/Doctrine/DBAL/Schema/MySqlSchemaManager.php",
     "'default'       => isset($tableColumn['default']) ? $tableColumn['default'] : null,",
     "'default'       => (isset($tableColumn['default']) && $tableColumn['default'] !== 'NULL') ? "
     "(preg_match(\"/^'(.*)'$/s\", $tableColumn['default'], $m) ? str_replace(\"''\", \"'\", $m[1]) "
     ": $tableColumn['default']) : null,"),
    # PHP 8: abs('') is a TypeError.
    ("vendor/symfony/yaml/Parser.php", "(int) abs($modifiers)", "(int) abs((int) $modifiers)"),
    # PHP 8.2: DateTime::getLastErrors() is false when there were none (Carbon 1 wants an array).
    ("vendor/nesbot/carbon/src/Carbon/Carbon.php", "static::setLastErrors($lastErrors = parent::getLastErrors());",
     "static::setLastErrors($lastErrors = parent::getLastErrors() ?: "
     "['warning_count' => 0, 'warnings' => [], 'error_count' => 0, 'errors' => []]);"),
    # PHP 8: count(null) is a TypeError (a query without where clauses has wheres = null).
    ("vendor/flarum/core/src/Core/Post/RegisteredTypesScope.php", "count($query->wheres)",
     "count((array) $query->wheres)"),
    ("vendor/illuminate/database/Query/Builder.php", "if (count($query->wheres)) {",
     "if (count((array) $query->wheres)) {"),
    # PCRE2 (PHP 7.3+) rejects the unknown escape \i in a media-embed pattern.
    ("vendor/flarumchina/flarum-ext-mediaembed-pro/bootstrap.php", "v_show/\\\\id_", "v_show/id_"),
]


def source_problem(src: Path) -> str | None:
    """Why ``src`` is no runnable Flarum (a skip reason), or None."""
    if not (src / "flarum").is_file() or not (src / "vendor" / "flarum" / "core").is_dir():
        return (f"no runnable Flarum source: {src} lacks the `flarum` installer script or vendor/flarum/core "
                "(a snapshot with its composer vendor/ tree: docs/crawl-engines.md, 'PHP engines')")
    return None


def _patch(site: Path) -> None:
    for rel, old, new in _PATCHES:
        path = site / rel
        text = path.read_text()
        if old not in text:
            raise RuntimeError(f"Flarum test copy: {rel} is not the expected version")
        path.write_text(text.replace(old, new))


def _install(site: Path, dbname: str, base: str) -> None:
    if mysql(f"CREATE DATABASE `{dbname}` CHARACTER SET utf8mb4").returncode != 0:
        raise RuntimeError(f"could not create the database {dbname}")
    config = {"baseUrl": base,
              "databaseConfiguration": {"driver": "mysql", "host": MYSQL["host"], "port": MYSQL["port"],
                                        "database": dbname, "username": MYSQL["user"],
                                        "password": MYSQL["password"], "prefix": ""},
              "adminUser": {"username": "admin", "password": "fc-admin-pw", "password_confirmation": "fc-admin-pw",
                            "email": "admin@example.org"},
              "settings": {"forum_title": "Flarum 测试论坛"}}
    path = site.parent / "install.json"
    path.write_text(json.dumps(config))
    out = subprocess.run(["php", "-d", "error_reporting=E_ALL&~E_DEPRECATED&~E_WARNING", "flarum", "install",
                          f"--file={path}"], cwd=site, capture_output=True, text=True, timeout=300)
    if "DONE." not in out.stdout:
        raise RuntimeError(f"Flarum's installer: {out.stdout[-1500:]} {out.stderr[-1500:]}")
    conf = site / "config.php"
    conf.write_text(conf.read_text().replace("'debug' => true", "'debug' => false"))


class _Api:
    """Flarum's JSON:API as any user, through an API key."""

    def __init__(self, base: str, key: str) -> None:
        self.base, self.key = base, key

    def post(self, path: str, data: dict, user_id: int) -> dict:
        req = urllib.request.Request(self.base + "/api" + path, json.dumps({"data": data}).encode(), method="POST",
                                     headers={"Content-Type": "application/vnd.api+json",
                                              "Authorization": f"Token {self.key}; userId={user_id}"})
        try:
            with urllib.request.urlopen(req, timeout=120) as resp:
                return json.loads(resp.read().decode())["data"]
        except urllib.error.HTTPError as err:
            raise RuntimeError(f"Flarum API {path}: {err.code} {err.read().decode('utf-8', 'replace')[:1500]}") from err


def member_name(name: str) -> str:
    """Flarum wants usernames of 3-30 characters: short Chinese names get 同学 (as on Carbon)."""
    return name if len(name) >= 3 else name + "同学"


def spec() -> list[dict]:
    threads = corpus.threads()
    for index, extra in EXTRA_REPLIES.items():
        posts = threads[index]["posts"]
        for _ in range(extra):
            n = len(posts)
            bits = corpus._BITS[n % len(corpus._BITS)], corpus._BITS[(n * 7 + 3) % len(corpus._BITS)]
            posts.append({"author": corpus.USERS[(n * 5 + index) % len(corpus.USERS)],
                          "text": f"继续讨论：{bits[0]}，{bits[1]}。（第{index + 1}帖第{n + 1}楼）",
                          "time": posts[-1]["time"] + 1_800})
    return threads


def _seed(base: str, dbname: str) -> None:
    key = secrets.token_hex(20)
    mysql(f"INSERT INTO api_keys (id) VALUES ('{key}')", dbname)
    api = _Api(base, key)
    ids = {"admin": 1}
    for user in corpus.USERS[1:]:
        made = api.post("/users", {"type": "users", "attributes": {
            "username": member_name(user), "email": f"u{len(ids)}@example.org", "password": "fc-member-pw",
            "isActivated": True}}, 1)
        ids[user] = int(made["id"])
    times = []  # (post id, unix time)
    for thread in spec():
        first, *replies = thread["posts"]
        made = api.post("/discussions", {"type": "discussions", "attributes": {
            "title": thread["title"], "content": first["text"]},
            "relationships": {"tags": {"data": [{"type": "tags", "id": "1"}]}}}, ids[first["author"]])
        discussion = made["id"]
        post_ids = [int(made["relationships"]["posts"]["data"][0]["id"])]
        times.append((post_ids[0], first["time"]))
        for i, post in enumerate(replies, start=1):
            text = post["text"]
            if i % QUOTE_EVERY == QUOTE_EVERY - 1:   # (what its "Quote" button writes: a mention, the quote)
                before = thread["posts"][i - 1]
                text = f"@{member_name(before['author'])}#{post_ids[i - 1]}\n> {before['text']}\n\n{text}"
            made = api.post("/posts", {"type": "posts", "attributes": {"content": text}, "relationships": {
                "discussion": {"data": {"type": "discussions", "id": discussion}}}}, ids[post["author"]])
            post_ids.append(int(made["id"]))
            times.append((post_ids[-1], post["time"]))
    sql = [f"UPDATE posts SET time = FROM_UNIXTIME({t}) WHERE id = {pid};" for pid, t in times]
    sql.append("UPDATE discussions d SET start_time = (SELECT MIN(time) FROM posts p WHERE p.discussion_id = d.id), "
               "last_time = (SELECT MAX(time) FROM posts p WHERE p.discussion_id = d.id);")
    done = mysql("SET time_zone = '+00:00'; " + " ".join(sql), dbname)
    if done.returncode != 0:
        raise RuntimeError(f"writing the corpus times: {done.stderr[-1000:]}")


_QUOTE = re.compile(r"<QUOTE>.*?</QUOTE>", re.S)
_MENTION = re.compile(r"<POSTMENTION[^>]*>@([^#<]*)#\d+</POSTMENTION>")


def own_text(xml: str) -> str:
    """A post's own words from Flarum's stored (s9e XML) content: tags and quotes taken out; a mention
    of the quoted post reads as the name it links (as the page shows it)."""
    text = re.sub(r"<[^>]+>", " ", _MENTION.sub(r" \1 ", _QUOTE.sub(" ", xml)))
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def truth(dbname: str, base: str) -> list[TruthThread]:
    out = mysql("SET time_zone = '+00:00'; SELECT d.id, d.slug, d.title, p.id, p.number, UNIX_TIMESTAMP(p.time), "
                "u.username, REPLACE(REPLACE(p.content, '\\n', ' '), '\\t', ' ') FROM posts p "
                "JOIN discussions d ON d.id = p.discussion_id JOIN users u ON u.id = p.user_id "
                "WHERE p.type = 'comment' AND p.hide_time IS NULL ORDER BY d.id, p.number", dbname)
    if out.returncode != 0:
        raise RuntimeError(f"reading Flarum's posts: {out.stderr[-1000:]}")
    rows: dict[str, list] = {}
    for line in out.stdout.splitlines()[1:]:
        did, slug, title, pid, _number, when, user, content = line.split("\t", 7)
        rows.setdefault(did, [slug, title, []])[2].append(TruthPost(
            author=user, text=own_text(content.replace("\\\\", "\\")), post_id=pid,
            published=datetime.fromtimestamp(int(float(when)), timezone.utc)))
    threads = []
    for did, (slug, title, posts) in rows.items():
        url = f"{base}/d/{did}"  # (as the lists link it; its "next page" link is /d/8?id=8-slug&page=2)
        pages = [TruthPage(url if n == 0 else f"{url}?id={did}-{slug}&page={n // POSTS_PER_PAGE + 1}",
                           list(range(n, min(n + POSTS_PER_PAGE, len(posts)))))
                 for n in range(0, len(posts), POSTS_PER_PAGE)]
        threads.append(TruthThread(url=url, title=title, board="General", posts=posts, pages=pages, thread_id=did))
    return threads


@contextmanager
def running_flarum(src: Path) -> Iterator[PhpForum]:
    """A freshly installed and seeded Flarum on 127.0.0.1; its database is dropped afterwards."""
    with engine_workspace(NAME) as ws:
        _patch(ws.site)
        shutil.copy(HERE / "flarum_router.php", ws.site / "fc_router.php")
        _install(ws.site, ws.dbname, f"http://127.0.0.1:{ws.port}")
        with php_server(ws.site, ws.port, ws.log_path, router="fc_router.php",
                        ini={"error_reporting": "E_ALL&~E_DEPRECATED&~E_WARNING"}) as base:
            _seed(base, ws.dbname)
            yield PhpForum(NAME, base, truth(ws.dbname, base), ws.site, ws.log_path, extra={"shows_dates": False})
