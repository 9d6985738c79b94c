"""ElkArte 1.1 on ``php -S`` + MariaDB: an SMF descendant with its own templates and installer.

URLs: a board ``index.php?board=1.0``, a topic ``index.php?topic=5.0`` and its later pages
``topic=5.5`` (the number after the dot is the first message's offset), message permalinks
``topic=5.msg12#msg12``, ``;topicseen``/``;all``/``;prev_next`` variants, and action links
(``action=profile``, ``action=post;quote=..``, ``action=like``, ``action=printpage``...);
five messages a topic page and five topics a board page (``defaultMaxMessages``, ``defaultMaxTopics``).
Installed through its own web installer (``install/install.php``, steps 0 to 6: the settings files,
the database, the forum's settings, the tables, the admin); then ``install/`` is removed, as the
installer's last step asks. Seeded through its own code run from the CLI (``elkarte_seed.php``:
``SSI.php``, then ``registerMember``, ``createBoard``, ``createPost`` and ``updateSettings``), each post
at its corpus time; every fourth reply from the third on quotes the post before it (``[quote ...]``
BBCode, as its editor's quote button writes). Truth: ``elkarte_messages`` read back from the database,
the installer's welcome topic included (its BBCode read as the page shows it).
"""
from __future__ import annotations

import http.cookiejar
import re
import shutil
import urllib.parse
import urllib.request
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from tests.engines.php import HERE, MYSQL, PhpForum, engine_workspace, html_column_text, mysql, mysql_rows, php_server, run_seeder
from tests.engines.php import corpus
from tests.engines.server import TruthPage, TruthPost, TruthThread

NAME = "elkarte"
PHP_MODULES = ("mysqli", "mbstring", "gd", "fileinfo")
PER_PAGE = 5  # messages a topic page shows, topics a board page lists (the seed sets both)
ADMIN = {"user": "admin", "password": "forumcrawl-admin", "email": "admin@example.com"}
BOARDS = ["生活闲聊", "Kitchen and garden"]
PREFIX = "elkarte_"


def _install(base: str, dbname: str) -> None:
    """ElkArte's web installer, one request per step, as an admin fills it in."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    steps: list[tuple[int, dict[str, str] | None, str]] = [
        (0, None, "contbutt"),
        (1, {"contbutt": "1"}, "db_server"),  # (settings files in place, folders writable: the database form)
        (3, {"db_type": "mysql", "db_server": MYSQL["host"], "db_port": MYSQL["port"], "db_user": MYSQL["user"],
             "db_passwd": MYSQL["password"], "db_name": dbname, "db_prefix": PREFIX, "contbutt": "1"}, "boardurl"),
        (4, {"mbname": "Forumcrawl ElkArte", "boardurl": base, "dbsession": "1", "contbutt": "1"}, "pop_done"),
        (5, {"pop_done": "1", "contbutt": "1"}, "password1"),
        (6, {"username": ADMIN["user"], "password1": ADMIN["password"], "password2": ADMIN["password"],
             "email": ADMIN["email"], "password3": MYSQL["password"], "contbutt": "1"}, "index.php"),
    ]
    for step, form, expect in steps:
        body = urllib.parse.urlencode(form).encode() if form is not None else None
        with opener.open(f"{base}/install/install.php?step={step}", body, timeout=180) as resp:
            page = resp.read().decode("utf-8", "replace")
        error = re.search(r'(?s)class="errorbox"[^>]*>(.*?)</div>', page)
        if expect not in page or error:
            shown = re.sub(r"<[^>]+>|\s+", " ", error.group(1) if error else page[-2000:])
            raise RuntimeError(f"ElkArte install step {step}: expected {expect!r}: {shown[:1200]}")
    if f"{PREFIX}messages" not in mysql("SHOW TABLES", dbname).stdout:
        raise RuntimeError("ElkArte installer made no tables")


def seed_spec() -> dict:
    """Users, boards and the corpus's threads (every 4th reply from the 3rd on quoting the post before)."""
    return {"settings": {"defaultMaxMessages": PER_PAGE, "defaultMaxTopics": PER_PAGE, "default_timezone": "UTC",
                         "todayMod": 0},
            "users": [u for u in corpus.USERS if u != ADMIN["user"]], "boards": BOARDS,
            "threads": [{"board": n % len(BOARDS), "title": t["title"], "posts": t["posts"]}
                        for n, t in enumerate(corpus.threads_quoting())]}


def _own_text(body: str) -> str:
    """A message's own words as its page shows them: BBCode quotes dropped (the extractor keeps quotes
    apart), other BBCode tags dropped, ``<br />`` and entities read."""
    body = re.sub(r"(?s)\[quote[^\]]*\].*?\[/quote\]", "", body)
    body = re.sub(r"\[/?[a-z]+(?:=[^\]]*)?\]", " ", body.replace("<br />", "\n"))
    return re.sub(r"[ \t]+", " ", html_column_text(body)).strip()


def truth(dbname: str, base: str) -> list[TruthThread]:
    """Topics and their messages in the order a topic page shows them (by message id)."""
    boards = {r["id_board"]: r["name"] for r in mysql_rows(f"SELECT id_board, name FROM {PREFIX}boards", dbname)}
    rows = mysql_rows(f"SELECT id_msg, id_topic, id_board, subject, poster_name, poster_time, body "
                      f"FROM {PREFIX}messages ORDER BY id_topic, id_msg", dbname)
    threads = []
    for topic in sorted({int(r["id_topic"]) for r in rows}):
        mine = [r for r in rows if int(r["id_topic"]) == topic]
        url = f"{base}/index.php?topic={topic}.0"
        pages = [TruthPage(f"{base}/index.php?topic={topic}.{start}", list(range(start, min(start + PER_PAGE, len(mine)))))
                 for start in range(0, len(mine), PER_PAGE)]
        threads.append(TruthThread(
            url=url, title=html_column_text(mine[0]["subject"]), board=boards.get(mine[0]["id_board"], ""),
            thread_id=str(topic), pages=pages,
            posts=[TruthPost(author=r["poster_name"], text=_own_text(r["body"]), post_id=r["id_msg"],
                             url=f"{base}/index.php?topic={topic}.msg{r['id_msg']}#msg{r['id_msg']}",
                             published=datetime.fromtimestamp(int(r["poster_time"]), timezone.utc)) for r in mine]))
    return threads


@contextmanager
def running_elkarte(src: Path) -> Iterator[PhpForum]:
    """A freshly installed and seeded ElkArte on 127.0.0.1; its database is dropped afterwards."""
    with engine_workspace(NAME) as ws:
        sessions = ws.tmp / "sessions"
        sessions.mkdir()
        with php_server(ws.site, ws.port, ws.log_path, ini={"session.save_path": str(sessions)}) as base:
            _install(base, ws.dbname)
            shutil.rmtree(ws.site / "install")
            run_seeder(HERE / "elkarte_seed.php", ws.site, seed_spec(), '{"seeded"', NAME)
            yield PhpForum(NAME, base, truth(ws.dbname, base), ws.site, ws.log_path)
