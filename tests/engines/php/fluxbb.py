"""FluxBB 1.5 on ``php -S`` + MariaDB, installed and seeded through FluxBB's own web forms.

FluxBB 1.5.11 itself does not run on PHP 8 (``$s{0}`` string offsets,
``get_magic_quotes_gpc``); its PHP 8 continuation "FluxBB by Visman" (1.5.11,
revision 87+) does, and is what ``~/.cache/forumcrawl/engines/src/fluxbb`` holds.
Its optional anti-bot add-ons (``addons/security_for_*.php``) are left out of the
test copy, as a site owner may.

Install: ``install.php``'s form. Seed: every author registers through
``register.php`` (each from its own loopback address, 127.0.0.N: FluxBB allows
one registration an hour per address), the admin lowers the members' flood
interval (``admin_groups.php``) and shows five posts and five topics a page
(``admin_options.php``), and each post is made by its author through
``post.php``, as a browser would (hidden fields and Referer included). The ground
truth is read back from FluxBB's ``posts`` table.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from tests.engines.php import engine_workspace, FormBrowser, MYSQL, mysql, php_server, PhpForum
from tests.engines.php import corpus
from tests.engines.server import TruthPage, TruthPost, TruthThread

NAME = "fluxbb"
PHP_MODULES = ("mysqli", "mbstring")
POSTS_PER_PAGE = TOPICS_PER_PAGE = 5
ADMIN_PASSWORD = "fc-admin-pw"


class Browser(FormBrowser):
    """A FormBrowser that raises on FluxBB's error pages."""

    def submit(self, path: str, must_have: str, values: dict[str, str], *, action: str | None = None) -> str:
        """GET ``path``, fill its form holding ``must_have`` with ``values``, POST it back."""
        body = self.fill(path, must_have, values, action=action)
        target = action or path
        error = re.search(r'<div id="msg".*?<p>(.*?)</p>|<div class="forminfo error-info">(.*?)</div>', body, re.S)
        if error and 'http-equiv="refresh"' not in body:  # (a redirect page says "done, redirecting")
            said = re.sub(r"<[^>]+>|\s+", " ", "".join(filter(None, error.groups())))
            raise RuntimeError(f"FluxBB refused {target}: {said}")
        return body


def _install(base: str, dbname: str) -> None:
    if mysql(f"CREATE DATABASE `{dbname}` CHARACTER SET utf8mb4").returncode != 0:
        raise RuntimeError(f"could not create the database {dbname}")
    Browser(base).submit("/install.php", "req_db_type", {
        "req_db_type": "mysqli", "req_db_host": f"{MYSQL['host']}:{MYSQL['port']}", "req_db_name": dbname,
        "db_username": MYSQL["user"], "db_password": MYSQL["password"], "req_db_prefix": "fc_",
        "req_username": "admin", "req_email": "admin@example.org", "req_password1": ADMIN_PASSWORD,
        "req_password2": ADMIN_PASSWORD, "req_title": "FluxBB 测试论坛", "desc": "forumcrawl test forum",
        "req_base_url": base, "req_default_lang": "English", "req_default_style": "Air"})


def _seed(base: str, dbname: str) -> dict:
    admin = Browser(base)
    admin.submit("/login.php", "req_username", {"req_username": "admin", "req_password": ADMIN_PASSWORD},
                 action="/login.php?action=in")
    admin.submit("/admin_groups.php?edit_group=4", "req_title", {"post_flood": "0", "add_edit_group": "Save"},
                 action="/admin_groups.php")
    admin.submit("/admin_options.php", "form[disp_posts_default]",
                 {"form[disp_posts_default]": str(POSTS_PER_PAGE), "form[disp_topics_default]": str(TOPICS_PER_PAGE),
                  "form[regs_verify]": "0"},
                 action="/admin_options.php?action=foo")
    users = {"admin": admin}
    for n, name in enumerate(u for u in corpus.USERS if u != "admin"):
        user = users[name] = Browser(base, f"127.0.0.{n + 2}")
        password = f"fc-seed-pw-{n}"
        user.submit("/register.php?agree=1", "req_user", {
            "req_user": name, "req_password1": password, "req_password2": password,
            "req_email1": f"user{n}@example.org", "req_email2": f"user{n}@example.org"},
            action="/register.php?action=register")
    for thread in corpus.threads():
        first, *replies = thread["posts"]
        _posted(users[first["author"]].submit("/post.php?fid=1", "req_subject",
                                              {"req_subject": thread["title"], "req_message": first["text"]}))
        tid = _topic_id(dbname, thread["title"])
        for post in replies:
            _posted(users[post["author"]].submit(f"/post.php?tid={tid}", "req_message", {"req_message": post["text"]}))
    return _posts_table(dbname)


def _posted(body: str) -> None:
    """post.php answers a stored post with a redirect page; anything else is a refusal."""
    if 'http-equiv="refresh"' not in body:
        raise RuntimeError("FluxBB did not store a post: " + re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))[:800])


def _topic_id(dbname: str, title: str) -> int:
    out = mysql("SELECT id FROM fc_topics WHERE subject = '" + title.replace("'", "''") + "'", dbname).stdout
    return int(out.split()[-1])


def _posts_table(dbname: str) -> dict:
    """The ground truth: every topic and its posts, as FluxBB stored them."""
    out = mysql("SELECT t.id, t.subject, p.id, p.poster, p.posted, p.message FROM fc_topics t "
                "JOIN fc_posts p ON p.topic_id = t.id ORDER BY t.id, p.id", dbname)
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
    threads: dict[int, dict] = {}
    for line in out.stdout.splitlines()[1:]:
        tid, subject, pid, poster, posted, message = line.split("\t", 5)
        t = threads.setdefault(int(tid), {"tid": int(tid), "title": subject, "posts": []})
        t["posts"].append({"pid": pid, "author": poster, "dateline": posted, "message": message})
    return {"threads": list(threads.values())}


def truth(data: dict, base: str) -> list[TruthThread]:
    threads = []
    for t in data["threads"]:
        url = f"{base}/viewtopic.php?id={t['tid']}"
        posts = [TruthPost(author=p["author"], text=p["message"], post_id=str(p["pid"]),
                           published=datetime.fromtimestamp(int(p["dateline"]), timezone.utc))
                 for p in t["posts"]]
        pages = [TruthPage(f"{url}&p={n // POSTS_PER_PAGE + 1}", list(range(n, min(n + POSTS_PER_PAGE, len(posts)))))
                 for n in range(0, len(posts), POSTS_PER_PAGE)]
        threads.append(TruthThread(url=url, title=t["title"], board="Test forum", posts=posts, pages=pages,
                                   thread_id=str(t["tid"])))
    return threads


@contextmanager
def running_fluxbb(src: Path) -> Iterator[PhpForum]:
    """A freshly installed and seeded FluxBB on 127.0.0.1; its database is dropped afterwards."""
    with engine_workspace(NAME) as ws:
        for addon in (ws.site / "addons").glob("security_for_*.php"):
            addon.unlink()  # FluxBB by Visman's optional anti-bot add-ons (timing and JS checks on forms)
        with php_server(ws.site, ws.port, ws.log_path) as base:
            _install(base, ws.dbname)
            data = _seed(base, ws.dbname)
            yield PhpForum(NAME, base, truth(data, base), ws.site, ws.log_path)
