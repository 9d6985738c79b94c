"""phpBB 3.3 on ``php -S`` + MariaDB, installed by its command-line installer and seeded through ``submit_post``.

phpBB is the most common classic PHP forum: ``viewtopic.php?t=9&start=5`` pages,
every post linked as ``viewtopic.php?p=55#p55`` (the page holding it), a print
view (``&view=print``), "unanswered" / "active topics" / per-author search views,
Atom feeds under ``app.php/feed``, a ``sid=`` session id in every link for a
client without its cookie, and many action links (reply, quote, login, profile).

Source: the official repository's ``phpBB/`` tree at tag ``release-3.3.10`` with
the composer ``vendor/`` tree the release package ships (built from that tag's
``composer.lock``; docs/crawl-engines.md says where it comes from). Install:
``install/phpbbcli.php install <config.yml>`` (phpBB's own installer, its
``docs/install-config.sample.yml`` filled in), then ``install/`` removed as phpBB
asks. Seed: ``phpbb_seed.php`` sets the board options (5 posts and 5 topics a
page, no flood interval, no load limit), adds the members with ``user_add`` and
posts :mod:`tests.engines.php.corpus` with ``submit_post`` as each post's author
at its corpus time; every 4th reply opens with a BBCode ``[quote]`` of the post
before it; three members get signatures (as the UCP stores them) and three posts are
edited by their authors (``submit_post``'s edit mode, two with a reason). The truth is read back from ``phpbb_posts``, with the installer's own
"Welcome to phpBB3" topic (a reply's own words: the quote is the other post's).
"""
from __future__ import annotations

import html
import re
import subprocess
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from tests.engines.php import engine_workspace, HERE, MYSQL, mysql, php_server, PhpForum, run_seeder
from tests.engines.php import corpus
from tests.engines.server import TruthPage, TruthPost, TruthThread

NAME = "phpbb"
PHP_MODULES = ("mysqli", "mbstring", "xml", "json")
POSTS_PER_PAGE = 5
FORUM_ID = 2  # the installer's "Your first forum"
QUOTE_EVERY = 4  # reply i (i % 4 == 3) quotes post i - 1
OPTIONS = {"posts_per_page": POSTS_PER_PAGE, "topics_per_page": 5, "flood_interval": 0,
           # (a busy test machine must not make the board answer "unavailable")
           "limit_load": 0, "limit_search_load": 0}


# Signatures under every post of their authors (phpBB shows them to guests): not the posts' words.
SIGNATURES = {"admin": "phpBB 测试论坛管理员 · 有问题请发帖",
              "lihua": "[url=http://example.org/lihua]我的博客[/url] —— 每天进步一点点",
              "marta": "[i]Bake, share, repeat.[/i] Sourdough since 2019"}
# Posts their authors edit (corpus topic, post index, reason, words added): phpBB shows "Last edited
# by <name> on <date>, edited 1 time in total." and the reason under the post.
EDITS = [(7, 0, "补充地点", " 补充：集合地点在地铁站出口。"),
         (7, 7, "typo", " 另外记得带雨伞。"),
         (5, 11, "", " 更新：现在好多了。")]


def source_problem(src: Path) -> str | None:
    """Why ``src`` is no runnable phpBB (a skip reason), or None: a checkout of the repository
    lacks the composer ``vendor/`` tree its release package ships."""
    if not (src / "viewtopic.php").is_file():
        return f"no runnable phpBB source: {src} has no viewtopic.php (use the phpBB/ folder of the repository)"
    if not (src / "vendor" / "autoload.php").is_file():
        return (f"no runnable phpBB source: {src} has no vendor/ (the composer packages of its composer.lock; "
                "docs/crawl-engines.md, 'PHP engines', says where to get them)")
    return None


def _install_config(dbname: str, port: int) -> str:
    """The installer's YAML (its docs/install-config.sample.yml, filled in)."""
    password = MYSQL["password"].replace("'", "''")
    return f"""installer:
    admin:
        name: admin
        password: fc-admin-pw
        email: admin@example.org
    board:
        lang: en
        name: phpBB 测试论坛
        description: forumcrawl test board
    database:
        dbms: mysqli
        dbhost: {MYSQL['host']}
        dbport: {MYSQL['port']}
        dbuser: {MYSQL['user']}
        dbpasswd: '{password}'
        dbname: {dbname}
        table_prefix: phpbb_
    email:
        enabled: false
        smtp_delivery: ~
        smtp_host: ~
        smtp_port: ~
        smtp_auth: ~
        smtp_user: ~
        smtp_pass: ~
    server:
        cookie_secure: false
        server_protocol: http://
        force_server_vars: false
        server_name: 127.0.0.1
        server_port: {port}
        script_path: /
    extensions: []
"""


def _install(site: Path, dbname: str, port: int) -> None:
    if mysql(f"CREATE DATABASE `{dbname}` CHARACTER SET utf8mb4").returncode != 0:
        raise RuntimeError(f"could not create the database {dbname}")
    config = site.parent / "install-config.yml"
    config.write_text(_install_config(dbname, port))
    out = subprocess.run(["php", "install/phpbbcli.php", "install", str(config)], cwd=site,
                         capture_output=True, text=True, timeout=300)
    if "The installer has finished successfully" not in out.stdout:
        raise RuntimeError(f"phpBB's installer: {out.stdout[-1500:]} {out.stderr[-1500:]}")
    subprocess.run(["rm", "-rf", str(site / "install")], check=True)  # (phpBB refuses to run beside it)


def spec() -> dict:
    topics = [{"title": t["title"], "posts": [dict(p, quote=i % QUOTE_EVERY == QUOTE_EVERY - 1)
                                             for i, p in enumerate(t["posts"])]}
              for t in corpus.threads()]
    edits = [{"topic": t, "post": i, "reason": reason, "time": corpus.threads()[t]["posts"][i]["time"] + 7_200,
              "text": corpus.threads()[t]["posts"][i]["text"] + addition}
             for t, i, reason, addition in EDITS]
    return {"options": OPTIONS, "users": corpus.USERS, "since": 1_713_000_000, "forum_id": FORUM_ID,
            "topics": topics, "signatures": SIGNATURES, "edits": edits}


_QUOTE = re.compile(r"\[quote(?:=[^\]]*)?\](.*?)\[/quote\]", re.S)


def own_and_quoted(bbcode: str) -> tuple[str, list[str]]:
    """A post's own words (BBCode and quotes taken out) and the texts it quotes."""
    text = html.unescape(bbcode)
    quotes = [re.sub(r"\s+", " ", q).strip() for q in _QUOTE.findall(text)]
    own = re.sub(r"\[/?[a-z*]+(?:=[^\]]*)?\]", " ", _QUOTE.sub(" ", text))
    return re.sub(r"\s+", " ", own).strip(), quotes


def truth(data: dict, base: str) -> list[TruthThread]:
    threads = []
    for t in data["topics"]:
        url = f"{base}/viewtopic.php?t={t['topic_id']}"
        posts = []
        for p in t["posts"]:
            text, quotes = own_and_quoted(p["text"])
            posts.append(TruthPost(author=p["username"], text=text, post_id=str(p["post_id"]), quotes=quotes,
                                   published=datetime.fromtimestamp(int(p["post_time"]), timezone.utc)))
        pages = [TruthPage(url if n == 0 else f"{url}&start={n}", list(range(n, min(n + POSTS_PER_PAGE, len(posts)))))
                 for n in range(0, len(posts), POSTS_PER_PAGE)]
        threads.append(TruthThread(url=url, title=t["topic_title"], board=t["forum_name"], posts=posts, pages=pages,
                                   thread_id=str(t["topic_id"])))
    return threads


@contextmanager
def running_phpbb(src: Path) -> Iterator[PhpForum]:
    """A freshly installed and seeded phpBB on 127.0.0.1; its database is dropped afterwards."""
    with engine_workspace(NAME) as ws:
        _install(ws.site, ws.dbname, ws.port)
        data = run_seeder(HERE / "phpbb_seed.php", ws.site, spec(), '{"topics"', "phpBB")
        with php_server(ws.site, ws.port, ws.log_path) as base:
            yield PhpForum(NAME, base, truth(data, base), ws.site, ws.log_path)
