"""Carbon Forum 5.9 on ``php -S`` + MariaDB, installed and seeded through Carbon Forum's own web forms.

Carbon Forum (lincanbin/Carbon-Forum at 55d98f4, 5.9.0, a Chinese PHP forum:
topics with tags instead of boards, pretty URLs ``/t/ID`` and ``/t/ID-2``) runs
on PHP 8.2 but for one line: the avatar drawn at registration reads string
offsets with braces (``$s{0}``, removed in PHP 8), which ``php8_offsets``
rewrites to brackets in the test copy. Its front controller needs no rewrite rules under ``php -S``: a path that
is not a file falls back to the root ``index.php`` with ``REQUEST_URI`` intact.

Install: ``install/index.php``'s form. Seed: every author registers through
``/register`` (the first becomes the administrator), the administrator sets five
topics and five posts a page and no posting interval through ``/dashboard``, and
each post is made by its author through ``/new`` and ``/reply`` with the fields
the engine's editor posts (HTML content, tags, FormHash, Referer). Registration
asks for a picture code: the server keeps its sessions in a directory of the
test copy, and the seeder reads the code there, as the person looking at the
picture would. Some replies quote the post before them the way the engine's
"quote" button writes it. The ground truth is read back from ``carbon_posts``
(a reply's own text: the quote is the other post's).

Usernames must be 4-20 letters there, so the corpus's two-character Chinese
names get a suffix (``NAMES``). Post dates are shown as "N minutes ago" or a
day: the page never shows a post's minute.
"""
from __future__ import annotations

import hashlib
import html
import json
import re
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from tests.engines.php import engine_workspace, FormBrowser, MYSQL, mysql, php_server, PhpForum
from tests.engines.php import corpus
from tests.engines.server import TruthPage, TruthPost, TruthThread

NAME = "carbon"
PHP_MODULES = ("pdo_mysql", "mbstring", "curl", "gd", "dom")
POSTS_PER_PAGE = TOPICS_PER_PAGE = 5
QUOTE_EVERY = 4  # reply i (i % 4 == 3) quotes post i - 1


def engine_name(user: str) -> str:
    """The corpus author as Carbon Forum accepts a username (4-20 letters, digits, CJK, - or _)."""
    return user if len(user) >= 4 else user + "同学"


class Browser(FormBrowser):
    """A form browser that also sends the page's FormHash and reads its picture code, like the engine's pages."""

    def __init__(self, base: str, sessions: Path) -> None:
        super().__init__(base, timeout=120)
        self.sessions = sessions

    def form_hash(self, page: str) -> str:
        return re.search(r'name="FormHash" value="([0-9a-f]+)"', page).group(1)

    def picture_code(self) -> str:
        """The code ``seccode.php`` draws, read from this browser's session file."""
        self.get("/seccode.php")
        sid = next(c.value for c in self.jar if c.name == "PHPSESSID")
        saved = (self.sessions / f"sess_{sid}").read_text()
        return re.search(r'VerificationCode\|s:\d+:"(\d+)"', saved).group(1)

    def register(self, name: str, password: str, email: str) -> None:
        page = self.get("/register")
        body = self.post("/register", {"FormHash": self.form_hash(page), "UserName": name, "Email": email,
                                       "Password": hashlib.md5(password.encode()).hexdigest(),
                                       "VerifyCode": self.picture_code()}, "/register")
        if not any(c.name.endswith("UserCode") for c in self.jar):
            raise RuntimeError(f"Carbon Forum did not register {name}: " + _said(body))

    def api(self, path: str, referer: str, data: list[tuple[str, str]]) -> dict:
        """POST the engine's editor form (``/new``, ``/reply``); its JSON answer must say Status 1."""
        page = self.get(referer)
        body = self.post(path, [("FormHash", self.form_hash(page)), *data], referer)
        answer = json.loads(body)
        if answer.get("Status") != 1:
            raise RuntimeError(f"Carbon Forum refused {path}: {answer}")
        return answer


def _said(body: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<script.*?</script>|<style.*?</style>|<[^>]+>", " ", body, flags=re.S))[:600]


def php8_offsets(site: Path) -> None:
    """Rewrite ``$var{N}`` string offsets (a parse error since PHP 8) to ``$var[N]`` in the PHP files that use them."""
    for path in site.rglob("*.php"):
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
        fixed = re.sub(r"(\$\w+)\{(\d+)\}", r"\1[\2]", text)
        if fixed != text:
            path.write_text(fixed, encoding="utf-8", errors="surrogateescape")


def _install(base: str, dbname: str, sessions: Path) -> None:
    if mysql(f"CREATE DATABASE `{dbname}` CHARACTER SET utf8mb4").returncode != 0:
        raise RuntimeError(f"could not create the database {dbname}")
    if MYSQL["port"] != "3306":
        raise RuntimeError("Carbon Forum's installer only knows port 3306")
    body = Browser(base, sessions).post("/install/index.php", {
        "Language": "zh-cn", "DBHost": MYSQL["host"], "DBName": dbname, "DBUser": MYSQL["user"],
        "DBPassword": MYSQL["password"], "SearchServer": "", "SearchPort": "", "EnableMemcache": "false",
        "MemCachePrefix": "fc_"}, "/install/")
    if "Installed successfully" not in body:
        raise RuntimeError("Carbon Forum's installer refused: " + _said(body))


def _content(text: str, quote: tuple[int, int, int, str, str] | None) -> str:
    """The HTML the engine's editor posts; a quote as its "quote" button writes it."""
    own = f"<p>{html.escape(text)}</p>"
    if not quote:
        return own
    tid, pid, floor, user, quoted = quote
    return (f'<blockquote><a href="/t/{tid}#Post{pid}">#{floor}</a> @{html.escape(user)} :<br />'
            f"{quoted}</blockquote>{own}")


def _seed(base: str, dbname: str, sessions: Path) -> dict:
    users: dict[str, Browser] = {}
    for n, name in enumerate(corpus.USERS):  # corpus.USERS[0] is "admin": the first user is the administrator
        users[name] = Browser(base, sessions)
        users[name].register(engine_name(name), f"fc-seed-pw-{n}", f"user{n}@example.org")
    admin = users[corpus.USERS[0]]
    admin.post("/dashboard", {"Action": "Basic",  # (the dashboard's forms carry no FormHash)
                              "TopicsPerPage": str(TOPICS_PER_PAGE), "PostsPerPage": str(POSTS_PER_PAGE),
                              "PostingInterval": "-1"}, "/dashboard")
    settings = _config(dbname)
    if (settings["PostsPerPage"], settings["PostingInterval"]) != (str(POSTS_PER_PAGE), "-1"):
        raise RuntimeError(f"the dashboard did not take the settings: {settings}")
    for n, thread in enumerate(corpus.threads()):
        first, *replies = thread["posts"]
        tag = "English" if thread["title"].isascii() else ("生活", "兴趣")[n % 2]
        tid = users[first["author"]].api("/new", "/new", [("Title", thread["title"]),
                                                            ("Content", _content(first["text"], None)),
                                                            ("Tag[]", tag)])["TopicID"]
        posted = [(first, _content(first["text"], None))]
        for i, post in enumerate(replies, start=1):
            quote = None
            if i % QUOTE_EVERY == QUOTE_EVERY - 1:
                before, before_html = posted[i - 1]
                pid = _post_ids(dbname, tid)[i - 1]
                quote = (tid, pid, i - 1, engine_name(before["author"]), before_html)
            content = _content(post["text"], quote)
            users[post["author"]].api("/reply", f"/t/{tid}", [("TopicID", str(tid)), ("Content", content)])
            posted.append((post, f"<p>{html.escape(post['text'])}</p>"))
    return _posts_table(dbname)


def _config(dbname: str) -> dict[str, str]:
    out = mysql("SELECT ConfigName, ConfigValue FROM carbon_config", dbname).stdout
    return dict(line.split("\t", 1) for line in out.splitlines()[1:] if "\t" in line)


def _post_ids(dbname: str, tid: int) -> list[int]:
    out = mysql(f"SELECT ID FROM carbon_posts WHERE TopicID = {int(tid)} ORDER BY ID", dbname).stdout
    return [int(v) for v in out.split()[1:]]


def own_text(content: str) -> str:
    """A post's own words: its stored HTML without the quoted post, tags and entities."""
    return _plain(re.sub(r"<blockquote.*?</blockquote>", " ", content, flags=re.S | re.I))


def _plain(content: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", content))).strip()


def _posts_table(dbname: str) -> dict:
    """The ground truth: every topic and its posts, as Carbon Forum stored them."""
    out = mysql("SELECT t.ID, REPLACE(t.Topic, '\\t', ' '), p.ID, p.UserName, p.PostTime, "
                "REPLACE(REPLACE(p.Content, '\\n', ' '), '\\t', ' ') FROM carbon_topics t "
                "JOIN carbon_posts p ON p.TopicID = t.ID WHERE p.IsDel = 0 ORDER BY t.ID, p.ID", dbname)
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
    threads: dict[int, dict] = {}
    for line in out.stdout.splitlines()[1:]:
        tid, subject, pid, poster, posted, content = line.split("\t", 5)
        t = threads.setdefault(int(tid), {"tid": int(tid), "title": subject, "posts": []})
        t["posts"].append({"pid": pid, "author": poster, "dateline": posted, "content": content,
                           "quotes": [_plain(q) for q in re.findall(r"<blockquote.*?</blockquote>", content, re.S)]})
    return {"threads": list(threads.values())}


def truth(data: dict, base: str) -> list[TruthThread]:
    threads = []
    for t in data["threads"]:
        url = f"{base}/t/{t['tid']}"
        posts = [TruthPost(author=p["author"], text=own_text(p["content"]), post_id=str(p["pid"]),
                           published=datetime.fromtimestamp(int(p["dateline"]), timezone.utc), quotes=p["quotes"])
                 for p in t["posts"]]
        pages = [TruthPage(url if n == 0 else f"{url}-{n // POSTS_PER_PAGE + 1}",
                           list(range(n, min(n + POSTS_PER_PAGE, len(posts)))))
                 for n in range(0, len(posts), POSTS_PER_PAGE)]
        threads.append(TruthThread(url=url, title=t["title"], board="", posts=posts, pages=pages,
                                   thread_id=str(t["tid"])))
    return threads


@contextmanager
def running_carbon(src: Path) -> Iterator[PhpForum]:
    """A freshly installed and seeded Carbon Forum on 127.0.0.1; its database is dropped afterwards."""
    with engine_workspace(NAME) as ws:
        php8_offsets(ws.site)
        sessions = ws.tmp / "sessions"
        sessions.mkdir()
        with php_server(ws.site, ws.port, ws.log_path, ini={"session.save_path": str(sessions)}) as base:
            _install(base, ws.dbname, sessions)
            data = _seed(base, ws.dbname, sessions)
            yield PhpForum(NAME, base, truth(data, base), ws.site, ws.log_path)
