"""XMB 1.9.12 (eXtreme Message Board) on ``php -S`` + MariaDB: a classic PHP board in a GB2312 translation.

A thread is ``viewthread.php?tid=N`` (later pages ``&page=2``; every page also reachable with the board's
``fid``), a board ``forumdisplay.php?fid=N``; each thread page links the "printable version"
(``viewthread.php?action=printable&tid=N``: every post of the thread on one page), each post has
reply/quote/edit/report links (``post.php?action=reply&tid=N&repquote=PID``, ``vtmisc.php?action=report``),
the thread "last post" links (``viewthread.php?goto=lastpost&tid=N``) and "search"/"member list"/"today's
posts"/"statistics" pages, members' profiles (``member.php?action=viewpro&member=NAME``).
Source: miqrogroove/xmb branch 1.9.12 (PHP 8 compatible; the last 1.9.12 commit); the
Simplified Chinese translation from the same repository's ``lang`` branch
(``XMB_1_9_12/SimplifiedChinese.lang.php``, charset GB2312), put in the source's ``lang/`` folder.

Install: the engine's web installer (``install/index.php``: step 4 "create" writes ``config.php``, step 6
creates the tables and the super administrator, switches DEBUG off and removes ``install/``); the
database is created first (the installer expects one). Seed: ``xmb_seed.php`` loads the engine's own
code and does what an admin and members do: installs the Simplified Chinese translation as the board
language (the admin panel's "Install New Language": ``installNewTranslation``), five posts a page
(``postperpage``, the settings panel), a second board, members (``addMember``), threads and replies
through post.php's own calls (``addThread``, ``addPost``, ...) with the corpus times as datelines
(the forms ask a captcha). Texts are stored GB2312-encoded, as a browser posts them to a GB2312 page.
A few replies quote the post before them (``[rquote=...]``, what the quote button writes).
Truth: ``xmb_posts`` read back by the seeder (``dateline, pid`` order, as viewthread.php shows them).
"""
from __future__ import annotations

import html
import re
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from tests.engines.php import HERE, MYSQL, FormBrowser, PhpForum, engine_workspace, mysql, php_server, run_seeder
from tests.engines.php import corpus
from tests.engines.server import TruthPage, TruthPost, TruthThread

NAME = "xmb"
PHP_MODULES = ("mysqli", "mbstring")
PER_PAGE = 5
ADMIN = {"user": "admin", "password": "fc-admin-pw", "email": "admin@example.com"}
BOARDS = ["生活闲聊", "技术交流"]
TRANSLATION = "lang/SimplifiedChinese.lang.php"  # (from the repository's lang branch; docs/crawl-engines.md)


def source_problem(src: Path | None) -> str | None:
    """The source is there but lacks the Chinese translation (a skip reason), or None."""
    if src is not None and not (src / TRANSLATION).is_file():
        return f"no XMB translation {src / TRANSLATION} (docs/crawl-engines.md, 'XMB')"
    return None


def _install(base: str, dbname: str) -> None:
    created = mysql(f"CREATE DATABASE `{dbname}`")
    if created.returncode != 0:
        raise RuntimeError(f"XMB: {created.stderr}")
    browser = FormBrowser(base)
    browser.fill("/install/index.php?step=4", "db_name",
                 {"method": "2", "db_name": dbname, "db_user": MYSQL["user"], "db_pw": MYSQL["password"],
                  "db_host": MYSQL["host"] if MYSQL["port"] == "3306" else f"{MYSQL['host']}:{MYSQL['port']}",
                  "table_pre": "xmb_", "fullurl": base + "/"},
                 action="/install/index.php?step=4&substep=create")
    done = browser.post("/install/index.php?step=6",
                        {"frmUsername": ADMIN["user"], "frmPassword": ADMIN["password"],
                         "frmPasswordCfm": ADMIN["password"], "frmEmail": ADMIN["email"]}, "/install/index.php?step=5")
    if "Installation Complete" not in done:
        raise RuntimeError("XMB installer: " + re.sub(r"<[^>]+>|\s+", " ", done)[-1500:])


def spec() -> dict:
    return {"settings": {"postperpage": PER_PAGE, "langfile": "SimplifiedChinese"}, "translation": TRANSLATION,
            "users": corpus.USERS, "boards": BOARDS, "threads": corpus.threads_quoting()}


def _own_text(message: str) -> str:
    """A post's own words as the page shows them: the quoted post left out (the extractor keeps quotes apart)."""
    return html.unescape(re.sub(r"(?s)\[rquote=[^\]]*\].*?\[/rquote\]", "", message)).strip()


def truth(data: dict, base: str) -> list[TruthThread]:
    threads = []
    for t in data["threads"]:
        posts = t["posts"]
        url = f"{base}/viewthread.php?tid={t['tid']}"
        n_pages = max(1, -(-len(posts) // PER_PAGE))
        pages = [TruthPage(url if k == 0 else f"{url}&page={k + 1}",
                           list(range(k * PER_PAGE, min(len(posts), (k + 1) * PER_PAGE)))) for k in range(n_pages)]
        threads.append(TruthThread(
            url=url, title=html.unescape(t["subject"]), board=html.unescape(t["board"]), thread_id=int(t["tid"]),
            pages=pages,
            posts=[TruthPost(author=html.unescape(p["author"]), text=_own_text(p["message"]), post_id=int(p["pid"]),
                             published=datetime.fromtimestamp(int(p["dateline"]), timezone.utc)) for p in posts]))
    return threads


@contextmanager
def running_xmb(src: Path) -> Iterator[PhpForum]:
    """A freshly installed and seeded XMB on 127.0.0.1; its database is dropped afterwards."""
    with engine_workspace(NAME) as ws:
        # (OPcache checks files on every request: the installer writes config.php, which a worker
        # would otherwise keep for 2 s as it was before)
        with php_server(ws.site, ws.port, ws.log_path, ini={"opcache.revalidate_freq": "0"}) as base:
            _install(base, ws.dbname)
            data = run_seeder(HERE / "xmb_seed.php", ws.site, spec(), '{"threads"', "XMB",
                              php_args=("-d", "display_errors=stderr"))
            yield PhpForum(NAME, base, truth(data, base), ws.site, ws.log_path)
