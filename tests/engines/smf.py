"""Simple Machines Forum (SMF) 2.1, a classic PHP forum, run on 127.0.0.1 for crawl tests.

SMF is a good stranger for the crawler: every page links the same posts under many
URLs (``index.php?topic=5.0``, ``topic=5.15`` windows, ``topic=5.msg12#msg12`` and
``?msg=12`` permalinks, ``action=printpage;topic=5.0``, ``;prev_next=prev``), with
``;``-separated parameters, login walls, profiles and action links.

Nothing of SMF is vendored: its source is a checkout of a 2.1 release (env
``FORUMCRAWL_SMF_SRC`` or ``~/.cache/forumcrawl/engines/src/smf``; see
docs/engines.md), served by ``php -S`` with the MariaDB/MySQL server at
127.0.0.1:3306 (root, no password). :func:`running_smf` copies the source into a
temporary folder, drives SMF's own ``install.php`` over HTTP into a fresh
database, seeds it through SMF's own posting code (``smf_site/seed.php``) and
reads the ground truth back from SMF's messages table. :func:`missing` says why
SMF cannot run here (the tests then skip).
"""
from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

from tests.engines import HERE, Engine
from tests.engines.common import corpus
from tests.engines.php import stop_group
from tests.engines.server import ForumServer, TruthPage, TruthPost, TruthThread

SITE_DIR = HERE / "smf_site"
DB_HOST, DB_PORT = "127.0.0.1", 3306
PER_PAGE = 5  # messages per topic page and topics per board page: multi-page threads and boards
# SMF shows dates without a zone, in the forum's zone (set to UTC by seed.php's plan).
ENGINE = Engine("smf", "2.1", SITE_DIR, "sqlite", naive_dates_in=timezone.utc)  # database: MariaDB really
INSTALL_FILES = ("install.php", "install_2-1_mysql.sql", "Settings.php", "Settings_bak.php")


def source_dir() -> Path:
    return Path(os.environ.get("FORUMCRAWL_SMF_SRC") or Path.home() / ".cache/forumcrawl/engines/src/smf")


def missing() -> str | None:
    """Why SMF cannot run on this machine, or None when it can."""
    src = source_dir()
    if not (src / "index.php").is_file() or not (src / "other" / "install.php").is_file():
        return f"no SMF 2.1 source at {src} (set FORUMCRAWL_SMF_SRC; see docs/engines.md)"
    php = shutil.which("php")
    if not php:
        return "no php on PATH (apt-get install php-cli php-mysql php-mbstring php-xml php-intl php-gd)"
    modules = subprocess.run([php, "-m"], capture_output=True, text=True).stdout.lower().split()
    lacking = [m for m in ("mysqli", "mbstring") if m not in modules]
    if lacking:
        return f"php lacks {', '.join(lacking)}"
    try:
        socket.create_connection((DB_HOST, DB_PORT), timeout=2).close()
    except OSError as exc:
        return f"no MySQL/MariaDB at {DB_HOST}:{DB_PORT}: {exc}"
    return None


def seed_plan() -> dict[str, Any]:
    """The shared corpus plus short threads on a third board: ~15 topics, boards of 2+ pages."""
    threads = [{"board": t.board, "title": t.title,
                "posts": [{"author": p.author, "body": p.body, "time": int(p.published.timestamp()),
                           **({"quote_of": p.quote_of} if p.quote_of is not None else {})} for p in t.posts]}
               for t in corpus.threads()]
    tools = ["chisel", "hand plane", "spokeshave", "marking gauge", "coping saw", "card scraper",
             "mortise gauge", "router plane", "dovetail saw", "block plane"]
    start = datetime(2021, 5, 3, 7, 41, tzinfo=timezone.utc)
    for n, tool in enumerate(tools):
        posts = []
        for k in range(2 + n % 5):
            author = corpus.USERS[(n + k) % len(corpus.USERS)]
            when = start + timedelta(days=9 * n, hours=5 * k, minutes=13 * k + n)
            body = (f"Question {n + 1} about the {tool}: how do you sharpen and set it up for fine work?"
                    if k == 0 else
                    f"Reply {k} on the {tool}, from {author}: hone the edge at {20 + k + n} degrees, "
                    f"strop it on leather, and test it on end grain of pine before any oak job number {n * 7 + k}.")
            posts.append({"author": author, "body": body, "time": int(when.timestamp())})
        threads.append({"board": "workshop", "title": f"Setting up a {tool}", "posts": posts})
    boards = corpus.BOARDS + [{"key": "workshop", "name": "Workshop", "description": "Hand tools and their care."}]
    return {"settings": {"defaultMaxMessages": PER_PAGE, "defaultMaxTopics": PER_PAGE, "default_timezone": "UTC",
                         "todayMod": 0},
            "users": corpus.USERS, "boards": boards, "threads": threads}


def truth_threads(data: dict[str, Any], base_url: str) -> list[TruthThread]:
    """SMF's messages table as truth threads, paged as SMF pages them (``topic=ID.START``)."""
    threads = []
    for t in data["threads"]:
        topic = t["topic"]
        posts = [TruthPost(author=p["author"], text=p["text"], post_id=p["post_id"],
                           published=datetime.fromtimestamp(p["time"], timezone.utc),
                           url=f"{base_url}/index.php?msg={p['post_id']}") for p in t["posts"]]
        pages = [TruthPage(f"{base_url}/index.php?topic={topic}.{start}",
                           list(range(start, min(start + PER_PAGE, len(posts)))))
                 for start in range(0, len(posts), PER_PAGE)]
        threads.append(TruthThread(url=pages[0].url, title=t.get("title", ""), board=t["board"], posts=posts,
                                   pages=pages, thread_id=str(topic)))
    return threads


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _mysql(sql: str) -> None:
    """Run one statement on the server through PHP's mysqli (what SMF itself needs anyway)."""
    code = ("$c = mysqli_connect($argv[1], 'root', '', '', (int) $argv[2]); "
            "if (!mysqli_query($c, $argv[3])) { fwrite(STDERR, mysqli_error($c)); exit(1); }")
    subprocess.run(["php", "-r", code, DB_HOST, str(DB_PORT), sql], check=True, capture_output=True, timeout=60)


def _install(base_url: str, db: str) -> None:
    """Walk SMF's install.php as an admin would, one POST per step."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    steps: list[tuple[int, dict[str, str] | None, str]] = [
        (0, None, "Welcome"),
        (1, {"contbutt": "1"}, "Database Server Settings"),
        (2, {"db_type": "mysql", "db_server": DB_HOST, "db_port": str(DB_PORT), "db_user": "root",
             "db_passwd": "", "db_name": db, "db_prefix": "smf_", "contbutt": "1"}, "Forum Settings"),
        (3, {"mbname": "Forumcrawl SMF", "boardurl": base_url, "reg_mode": "0", "dbsession": "1",
             "contbutt": "1"}, "Populated Database"),
        (4, {"pop_done": "1", "contbutt": "1"}, "Create your account"),
        (5, {"username": "admin", "password1": "Admin-pass-1", "password2": "Admin-pass-1",
             "email": "admin@example.com", "server_email": "noreply@example.com", "password3": "",
             "contbutt": "1"}, "installation process is complete"),
    ]
    for step, form, expect in steps:
        body = urllib.parse.urlencode(form).encode() if form is not None else None
        with opener.open(f"{base_url}/install.php?step={step}", body, timeout=120) as resp:
            html = resp.read().decode("utf-8", "replace")
        if expect not in html:
            errors = re.findall(r'class="errorbox"[^>]*>(.*?)</div>', html, re.S)
            raise RuntimeError(f"SMF install step {step}: expected {expect!r}; errors: {errors or html[-1500:]}")


def _wait_listening(port: int, proc: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"php -S did not start: {log_path.read_text(errors='replace')[-2000:]}")


@contextmanager
def running_smf(*, log=print) -> Iterator[ForumServer]:
    """A freshly installed and seeded SMF on 127.0.0.1; stopped and its database dropped on exit."""
    reason = missing()
    if reason:
        raise RuntimeError(reason)
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="fc-smf-"))
    site = workdir / "site"
    shutil.copytree(source_dir(), site, ignore=shutil.ignore_patterns(".git"))
    for name in INSTALL_FILES:
        shutil.copy(site / "other" / name, site / name)
    db = f"fc_smf_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    log_path = workdir / "php.log"
    env = {**os.environ, "PHP_CLI_SERVER_WORKERS": "4"}
    proc = None
    try:
        with open(log_path, "w") as log_file:
            proc = subprocess.Popen(["php", "-S", f"127.0.0.1:{port}", "-t", str(site)], cwd=site, env=env,
                                    stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)
        _wait_listening(port, proc, log_path)
        _install(base_url, db)
        (site / "install.php").unlink()
        plan = workdir / "plan.json"
        plan.write_text(json.dumps(seed_plan()), encoding="utf-8")
        seeded = subprocess.run(["php", str(SITE_DIR / "seed.php"), str(site), str(plan)], cwd=site,
                                capture_output=True, text=True, timeout=300)
        last = (seeded.stdout.strip().splitlines() or [""])[-1]
        if seeded.returncode != 0 or not last.startswith("{"):
            raise RuntimeError(f"seeding SMF failed: {seeded.stdout[-3000:]}\n{seeded.stderr[-2000:]}")
        threads = truth_threads(json.loads(last), base_url)
        log(f"SMF installed and seeded in {time.monotonic() - started:.1f} s: {len(threads)} topics, "
            f"{sum(len(t.posts) for t in threads)} messages at {base_url}")
        yield ForumServer(ENGINE, base_url, threads, log_path, proc.pid)
    finally:
        if proc is not None:  # php -S and its workers: the process group we started
            stop_group(proc)
        try:
            _mysql(f"DROP DATABASE IF EXISTS `{db}`")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":  # python -m tests.engines.smf: serve one until Ctrl-C or SIGTERM, for looking around
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # cleaned up either way (server, database)
    signal.signal(signal.SIGINT, signal.default_int_handler)   # (ignored by default in a background job)
    with running_smf() as forum:
        print(forum.base_url, flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
