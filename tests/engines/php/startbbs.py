"""StartBBS 2.0.0 on ``php -S`` + MariaDB: a Chinese community forum on ThinkPHP 5.1 with a layui front end.

URLs are ThinkPHP path routes: a board ``/category/topic/id/1.html``, a topic
``/topic/detail/id/3.html`` and its later pages ``?page=2``; a page shows 10 posts (the topic's
own post counted on page 1, ``paginate(10)`` over the topic's posts); the home page lists the
15 newest topics, user pages (``/user/home/id/2.html``) list a user's topics. Installed through
its own web installer (``install.php``, steps 2 and 3: database, tables, the admin). The engine's
own ``router.php`` (ThinkPHP's, for ``php -S``) serves it; under ``php -S`` ThinkPHP reads the
route from the request path, so the installer's steps are asked as ``install.php?s=index/step2.html``;
OPcache checks files on every request (the installer writes ``config/database.php``, which a worker
would otherwise keep for 2 s as it was before).

Test copy patches (applied here at install time, nothing else changed):
- PHP 8: ``$value{0}`` (string offset with braces, a parse error since PHP 8) in ThinkPHP's
  ``db/Query.php``; ThinkPHP's error handler turned every deprecation (PHP 8.1's ``ArrayAccess``
  return types) into a fatal error page: it reports ``E_ALL & ~E_DEPRECATED`` and leaves what
  is not reported alone.
- The installer: the release runs the front end's ``app_begin`` behaviour (reading the site's
  settings from the database) before installing, so no install could start; ``install.php`` defines
  ``BIND_MODULE`` and the behaviour returns under it (the check the project's later commits added
  for their hooks).
- ``default_timezone`` UTC instead of PRC (pages show times without a zone).
Seeded through the engine's own code: boards through the admin's category form, topics and
replies through the front end's forms (``/topic/add.html``, ``/post/add.html``); users through
the engine's User model and logged in by a session file holding what the login action stores
(``startbbs_seed.php``: the register and login forms ask a captcha, and two corpus names are
shorter than the register form allows). A few replies quote the post before them
(``<blockquote><p>..</p></blockquote>``, what the Simditor editor's quote button writes; each
paragraph a ``<p>``). Posts are ordered by ``update_time``
(seconds): posted within one second their order would change between queries, so the seed then
sets each post's and topic's times to its corpus time (SQL, the only write not made by the engine).
Truth: ``stb_post`` (``is_first=1`` the topic's own post) read back from the database.
"""
from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from tests.engines.common.html_forms import form_data
from tests.engines.php import (HERE, MYSQL, PhpForum, engine_workspace, html_column_text, mysql, mysql_rows, php_server,
                               run_seeder)
from tests.engines.php import corpus
from tests.engines.server import TruthPage, TruthPost, TruthThread

NAME = "startbbs"
PHP_MODULES = ("pdo_mysql", "mbstring", "gd")
PER_PAGE = 10  # (posts a topic page shows, its own post counted: app/index/controller/Topic.php)
ADMIN = {"user": "admin", "password": "forumcrawl-admin", "email": "admin@example.com"}
BOARDS = ["生活闲聊", "技术交流"]
QUOTE_EVERY = 4  # reply i (i % 4 == 2) quotes post i - 1


def _patch(site: Path, rel: str, old: str, new: str) -> None:
    path = site / rel
    text = path.read_text(encoding="utf-8")
    if old not in text:
        raise RuntimeError(f"StartBBS: {old[:60]!r} is not in {rel}")
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _patch_test_copy(site: Path) -> None:
    """The test copy's patches (module docstring)."""
    _patch(site, "thinkphp/library/think/db/Query.php", "ord($value{0})", "ord($value[0])")
    _patch(site, "thinkphp/library/think/Error.php", "error_reporting(E_ALL);", "error_reporting(E_ALL & ~E_DEPRECATED);")
    _patch(site, "thinkphp/library/think/Error.php",
           "        $exception = new ErrorException($errno, $errstr, $errfile, $errline);",
           "        if (!(error_reporting() & $errno)) {\n            return false;\n        }\n"
           "        $exception = new ErrorException($errno, $errstr, $errfile, $errline);")
    _patch(site, "install.php", "define('APP_PATH'", "define('BIND_MODULE', 'install');\ndefine('APP_PATH'")
    _patch(site, "app/common/behavior/Base.php", "public function run(){",
           "public function run(){\n        if (defined('BIND_MODULE') && BIND_MODULE == 'install') return;")
    _patch(site, "config/app.php", "'default_timezone'       => 'PRC'", "'default_timezone'       => 'UTC'")
    for folder in ("runtime", "public/uploads/attachment", "public/uploads/avatar", "public/uploads/category",
                   "public/uploads/tmp"):
        (site / folder).mkdir(parents=True, exist_ok=True)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One user agent with a fixed PHP session id (no cookie jar: the session is the login)."""

    def __init__(self, base: str, session: str = "") -> None:
        self.base = base
        self.opener = urllib.request.build_opener()
        self.cookie = f"PHPSESSID={session}" if session else ""

    def _open(self, path: str, data: dict | list | None = None) -> str:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, body, headers={"Cookie": self.cookie} if self.cookie else {})
        try:
            with self.opener.open(req, timeout=60) as resp:
                return resp.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            if e.code in (301, 302):
                return f"redirect to {e.headers.get('Location')}"
            shown = re.sub(r"<[^>]+>|\s+", " ", re.sub(r"(?s)<(style|script)\b.*?</\1>", "", e.read().decode("utf-8", "replace")))
            raise RuntimeError(f"StartBBS {path}: HTTP {e.code}: {shown[:800]}") from None

    def get(self, path: str) -> str:
        return self._open(path)

    def post(self, path: str, data: dict | list, what: str) -> str:
        answer = self._open(path, data)
        # (ThinkPHP's success/error pages: "跳转提示" with ":)" or ":(")
        if ":(" in answer or "系统发生错误" in answer:
            shown = re.sub(r"<[^>]+>|\s+", " ", re.sub(r"(?s)<(style|script)\b.*?</\1>", "", answer))
            raise RuntimeError(f"StartBBS {what}: {shown[:600]}")
        return answer


def _install(base: str, dbname: str) -> None:
    browser = Browser(base)
    # (the installer's own session; its redirects name PATH_INFO routes, which php -S does not serve: not followed)
    browser.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(), _NoRedirect())
    browser.get("/install.php?s=index/step1.html")  # (the environment check: marks step 1 done)
    fields = {"db[0]": "mysql", "db[1]": MYSQL["host"], "db[2]": dbname, "db[3]": MYSQL["user"], "db[4]": MYSQL["password"],
              "db[5]": MYSQL["port"], "db[6]": "stb_", "admin[0]": ADMIN["user"], "admin[1]": ADMIN["password"],
              "admin[2]": ADMIN["password"], "admin[3]": ADMIN["email"]}
    browser.post("/install.php?s=index/step2.html", fields, "install step 2")  # (creates the database)
    browser.get("/install.php?s=index/step3.html")  # (tables, admin, config/database.php)
    browser.get("/install.php?s=index/complete.html")
    if "stb_post" not in mysql("SHOW TABLES", dbname).stdout:
        raise RuntimeError("StartBBS installer made no tables")


def _seed(base: str, site: Path, sessions_dir: Path) -> None:
    users = [{"name": name, "email": f"user{n}@example.com", "password": "forumcrawl-user"}
             for n, name in enumerate(corpus.USERS)]
    sessions = run_seeder(HERE / "startbbs_seed.php", site, {"sessions": str(sessions_dir), "users": users},
                          '{"sessions"', NAME)["sessions"]
    browsers = {name: Browser(base, sid) for name, sid in sessions.items()}
    admin = browsers[ADMIN["user"]]
    for n, board in enumerate(BOARDS):
        form = form_data(admin.get("/admin.php?s=category/add.html"), "sort", {"name": board, "sort": str(n + 1)})
        admin.post("/admin.php?s=category/save.html", form, f"board {board}")
    for n, thread in enumerate(corpus.threads()):
        first, *rest = thread["posts"]
        author = browsers[first["author"]]
        form = form_data(author.get("/topic/add.html"), "title",
                         {"cid": str(n % len(BOARDS) + 1), "title": thread["title"], "content": f"<p>{first['text']}</p>"})
        author.post("/topic/add.html", form, f"topic {thread['title']}")
        tid = n + 1
        posts = thread["posts"]
        for i, post in enumerate(rest, start=1):
            replier = browsers[post["author"]]
            content = f"<p>{post['text']}</p>"
            if i >= 2 and i % QUOTE_EVERY == 2:
                content = f"<blockquote><p>{posts[i - 1]['text']}</p></blockquote>{content}"
            form = form_data(replier.get(f"/topic/detail/id/{tid}.html"), "topic_id", {"content": content})
            replier.post("/post/add.html", form, f"reply in topic {tid}")


def _backdate(dbname: str) -> None:
    """Corpus times on the posts (each topic's posts in id order are the corpus posts in order)."""
    sql = []
    for n, thread in enumerate(corpus.threads()):
        times = [p["time"] for p in thread["posts"]]
        ids = [r["id"] for r in mysql_rows(f"SELECT id FROM stb_post WHERE topic_id={n + 1} ORDER BY id", dbname)]
        if len(ids) != len(times):
            raise RuntimeError(f"StartBBS topic {n + 1}: {len(ids)} posts stored for {len(times)}")
        sql += [f"UPDATE stb_post SET create_time={t}, update_time={t} WHERE id={i};" for i, t in zip(ids, times)]
        sql.append(f"UPDATE stb_topic SET create_time={times[0]}, update_time={times[-1]}, ord={times[0]} WHERE id={n + 1};")
    done = mysql(" ".join(sql), dbname)
    if done.returncode != 0:
        raise RuntimeError(f"StartBBS backdating: {done.stderr[-500:]}")


def _own_text(content: str) -> str:
    """A post's own words: its content without the quoted post (the extractor keeps quotes apart)."""
    return html_column_text(re.sub(r"(?s)<blockquote>.*?</blockquote>", "", content))


def truth(dbname: str, base: str) -> list[TruthThread]:
    """Topics and their posts in the order a topic page shows them (its own post, then by time)."""
    boards = {r["id"]: r["name"] for r in mysql_rows("SELECT id, name FROM stb_category", dbname)}
    posts = mysql_rows("SELECT id, topic_id, username, content, is_first, update_time FROM stb_post "
                       "ORDER BY topic_id, is_first DESC, update_time, id", dbname)
    threads = []
    for topic in mysql_rows("SELECT id, cid, title FROM stb_topic ORDER BY id", dbname):
        mine = [p for p in posts if p["topic_id"] == topic["id"]]
        url = f"{base}/topic/detail/id/{topic['id']}.html"
        n_pages = max(1, -(-len(mine) // PER_PAGE))
        pages = [TruthPage(url if k == 0 else f"{url}?page={k + 1}", list(range(k * PER_PAGE, min(len(mine), (k + 1) * PER_PAGE))))
                 for k in range(n_pages)]
        threads.append(TruthThread(
            url=url, title=topic["title"], board=boards.get(topic["cid"], ""), thread_id=topic["id"], pages=pages,
            posts=[TruthPost(author=p["username"], text=_own_text(p["content"]), post_id=p["id"],
                             published=datetime.fromtimestamp(int(p["update_time"]), timezone.utc)) for p in mine]))
    return threads


@contextmanager
def running_startbbs(src: Path) -> Iterator[PhpForum]:
    """A freshly installed and seeded StartBBS on 127.0.0.1; its database is dropped afterwards."""
    with engine_workspace(NAME) as ws:
        _patch_test_copy(ws.site)
        sessions = ws.tmp / "sessions"
        sessions.mkdir()
        with php_server(ws.site, ws.port, ws.log_path, ini={"session.save_path": str(sessions), "opcache.revalidate_freq": "0"},
                        router="router.php") as base:
            _install(base, ws.dbname)
            _seed(base, ws.site, sessions)
            _backdate(ws.dbname)
            yield PhpForum(NAME, base, truth(ws.dbname, base), ws.site, ws.log_path)
