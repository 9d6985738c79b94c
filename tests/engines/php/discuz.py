"""Discuz! X (3.4/3.5, UTF-8) on ``php -S`` + MariaDB, installed and seeded through Discuz itself.

Install: the engine's own web installer (``install/index.php``) driven over HTTP
the way its pages do (database form, then the ``do_db_init`` /
``do_db_data_init`` / ``ext_info`` steps), with the bundled UCenter. Seed:
``discuz_seed.php`` posts :mod:`tests.engines.php.corpus` through Discuz's
posting model and prints the posts table back, which is the ground truth.
Five posts and five threads a page, so threads and the board span pages.

``charset="gbk"`` builds the GBK edition the way Discuz's GBK packages are
made from the same source: every text file converted from UTF-8 to GBK, and
the page and database charsets set to GBK (``gbk_build``).
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

from tests.engines.php import engine_workspace, HERE, MYSQL, php_server, PhpForum, run_seeder
from tests.engines.php import corpus
from tests.engines.server import TruthPage, TruthPost, TruthThread

NAME = "discuz"
PHP_MODULES = ("mysqli", "mbstring", "xml", "gd")
POSTS_PER_PAGE = THREADS_PER_PAGE = 5


def source_subdir(src: Path) -> str:
    """The web root inside a Discuz checkout: ``upload/`` in the official layout."""
    return "upload" if (src / "upload" / "forum.php").is_file() else ""


def _install(base: str, dbname: str) -> None:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    form = {"dbinfo[dbhost]": f"{MYSQL['host']}:{MYSQL['port']}", "dbinfo[dbname]": dbname,
            "dbinfo[dbuser]": MYSQL["user"], "dbinfo[dbpw]": MYSQL["password"], "dbinfo[tablepre]": "pre_",
            "dbinfo[adminemail]": "admin@example.org", "admininfo[username]": "admin",
            "admininfo[password]": "fc-admin-pw", "admininfo[password2]": "fc-admin-pw",
            "admininfo[email]": "admin@example.org"}

    def post(query: str, data: dict) -> str:
        body = urllib.parse.urlencode(data).encode()
        with opener.open(f"{base}/install/index.php?{query}", body, timeout=300) as resp:
            return resp.read().decode("utf-8", "replace")

    page = post("step=3&install_ucenter=yes", form)
    found = re.search(r"allinfo=([A-Za-z0-9+/=%]+)", page)
    if not found:
        raise RuntimeError("Discuz installer refused the database form: "
                           + re.sub(r"<[^>]+>|\s+", " ", page)[-800:])
    allinfo = urllib.parse.unquote(found.group(1))
    for method in ("do_db_init", "do_db_data_init", "ext_info"):
        post(f"method={method}", {"allinfo": allinfo})


def _seed(site: Path) -> dict:
    spec = {"settings": {"postperpage": POSTS_PER_PAGE, "topicperpage": THREADS_PER_PAGE},
            "users": corpus.USERS, "threads": [dict(t, fid=2) for t in corpus.threads()]}
    return run_seeder(HERE / "discuz_seed.php", site, spec, '{"threads"', "Discuz")


def truth(data: dict, base: str) -> list[TruthThread]:
    """Threads as the posts table holds them, paged as Discuz pages them."""
    threads = []
    for t in data["threads"]:
        url = f"{base}/forum.php?mod=viewthread&tid={t['tid']}"
        posts = [TruthPost(author=p["author"], text=p["message"], post_id=str(p["pid"]),
                           published=datetime.fromtimestamp(int(p["dateline"]), timezone.utc))
                 for p in t["posts"]]
        pages = [TruthPage(f"{url}&page={n // POSTS_PER_PAGE + 1}", list(range(n, min(n + POSTS_PER_PAGE, len(posts)))))
                 for n in range(0, len(posts), POSTS_PER_PAGE)]
        threads.append(TruthThread(url=url, title=t["title"], board="默认版块", posts=posts, pages=pages,
                                   thread_id=str(t["tid"])))
    return threads


def _warm_caches(base: str, data: dict) -> None:
    """One request per kind of page, one at a time: Discuz compiles each template into
    data/template on its first use, and concurrent first uses (php -S workers) can serve
    a page cut short. A live site has its caches warm; so does the test bed."""
    tid = data["threads"][0]["tid"]
    for path in ("/", "/forum.php", "/forum.php?gid=1", "/forum.php?mod=forumdisplay&fid=2",
                 f"/forum.php?mod=viewthread&tid={tid}", f"/forum.php?mod=viewthread&tid={tid}&page=2",
                 "/archiver/", "/archiver/?fid-2.html", f"/archiver/?tid-{tid}.html", "/robots.txt"):
        try:
            urllib.request.urlopen(base + path, timeout=60).read()
        except OSError:
            pass  # (an error page is warm too)


TEXT_SUFFIXES = {".php", ".htm", ".html", ".js", ".css", ".xml", ".sql", ".txt"}
CHARSET_SETTINGS = {  # file -> (UTF-8 line, GBK line)
    "config/config_global_default.php": [("['dbcharset'] \t\t= 'utf8mb4';", "['dbcharset'] \t\t= 'gbk';"),
                                         ("['output']['charset'] \t\t\t= 'utf-8';", "['output']['charset'] \t\t\t= 'gbk';")],
    "install/include/install_var.php": [("define('CHARSET', 'utf-8');", "define('CHARSET', 'gbk');"),
                                        ("define('DBCHARSET', 'utf8mb4');", "define('DBCHARSET', 'gbk');")],
}


def gbk_build(site: Path) -> None:
    """Turn a UTF-8 Discuz tree into its GBK edition, in place."""
    for path in site.rglob("*"):
        if path.suffix.lower() in TEXT_SUFFIXES and path.is_file():
            data = path.read_bytes()
            try:
                path.write_bytes(data.decode("utf-8").encode("gbk"))
            except (UnicodeDecodeError, UnicodeEncodeError):
                pass  # not UTF-8 text, or nothing GBK can hold: left as it is
    for name, swaps in CHARSET_SETTINGS.items():
        path = site / name
        text = path.read_bytes()
        for old, new in swaps:
            if old.encode() not in text:
                raise RuntimeError(f"Discuz GBK build: {old!r} not found in {name}")
            text = text.replace(old.encode(), new.encode())
        path.write_bytes(text)


@contextmanager
def running_discuz(src: Path, charset: str = "utf-8") -> Iterator[PhpForum]:
    """A freshly installed and seeded Discuz! X on 127.0.0.1 (UTF-8, or its GBK edition);
    its database is dropped afterwards."""
    with engine_workspace(NAME, subdir=source_subdir(src)) as ws:
        if charset == "gbk":
            gbk_build(ws.site)
        with php_server(ws.site, ws.port, ws.log_path) as base:
            _install(base, ws.dbname)
            data = _seed(ws.site)
            _warm_caches(base, data)
            yield PhpForum(NAME if charset == "utf-8" else f"{NAME}-{charset}", base, truth(data, base),
                           ws.site, ws.log_path)
