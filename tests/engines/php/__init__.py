"""Real PHP forum engines (Discuz! X, FluxBB, Carbon Forum, Question2Answer, WeCenter, WordPress + bbPress, WordPress + Asgaros Forum, WordPress + wpForo, Phorum, phpBB, Flarum, ThinkSAAS, HYBBS, esoTalk, HadSky, e107, StartBBS, Vanilla, ElkArte, XMB, TinyIB, Beehive Forum, OpenSNS) run on 127.0.0.1 for whole-site crawl tests.

The engine sources are not in this repository: each is looked up in the
environment variable ``FORUMCRAWL_<NAME>_SRC`` or in
``~/.cache/forumcrawl/engines/src/<name>`` (docs/crawl-engines.md says how to get
them). A run copies the source into a temporary directory, installs it into a
fresh MariaDB/MySQL database (or SQLite) through the engine's own installer,
seeds :mod:`tests.engines.php.corpus` through the engine's own posting code, and
serves it with ``php -S``. The ground truth is read back from the engine's own
posts table. Without PHP, the source or the database server the test skips and
says which is missing.
"""
from __future__ import annotations

import functools
import http.client
import json
import html
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
from dataclasses import dataclass, field
from pathlib import Path
from http.cookiejar import CookieJar
from typing import Iterator

from tests.engines.common.html_forms import form_data
from tests.engines.server import TruthThread

HERE = Path(__file__).resolve().parent
MYSQL = {"host": os.environ.get("FORUMCRAWL_MYSQL_HOST", "127.0.0.1"),
         "port": os.environ.get("FORUMCRAWL_MYSQL_PORT", "3306"),
         "user": os.environ.get("FORUMCRAWL_MYSQL_USER", "root"),
         "password": os.environ.get("FORUMCRAWL_MYSQL_PASSWORD", "")}


@dataclass
class PhpForum:
    """A running, seeded PHP forum and what its database says it holds."""

    name: str
    base_url: str
    threads: list[TruthThread]
    site_dir: Path
    log_path: Path
    extra: dict = field(default_factory=dict)  # what else an engine's test bed knows (e.g. pages that are no thread)

    def all_posts(self) -> list:
        return [p for t in self.threads for p in t.posts]


class _FromAddress(urllib.request.HTTPHandler):
    """Connections from one loopback source address (127.0.0.N)."""

    def __init__(self, address: str) -> None:
        super().__init__()
        self.address = address

    def http_open(self, req):
        return self.do_open(functools.partial(http.client.HTTPConnection, source_address=(self.address, 0)), req)


class FormBrowser:
    """One user agent for seeding through web forms: its own cookies and loopback address; sends Referer
    like a browser (engines that limit registrations per address or check the Referer want both)."""

    def __init__(self, base: str, address: str = "127.0.0.1", timeout: float = 60) -> None:
        self.base = base
        self.timeout = timeout
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(_FromAddress(address),
                                                  urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=self.timeout) as resp:
            return resp.read().decode("utf-8", "replace")

    def post(self, path: str, data: dict | list, referer: str) -> str:
        req = urllib.request.Request(self.base + path, urllib.parse.urlencode(data).encode(),
                                     headers={"Referer": self.base + referer})
        with self.opener.open(req, timeout=self.timeout) as resp:
            return resp.read().decode("utf-8", "replace")

    def fill(self, path: str, must_have: str, values: dict[str, str], *, action: str | None = None) -> str:
        """GET ``path``, fill its form holding ``must_have`` with ``values``, POST it back; the answer."""
        return self.post(action or path, form_data(self.get(path), must_have, values), path)


def source_dir(name: str) -> Path | None:
    """Where the engine's source is, or None."""
    env = os.environ.get(f"FORUMCRAWL_{name.upper()}_SRC")
    path = Path(env) if env else Path.home() / ".cache" / "forumcrawl" / "engines" / "src" / name
    return path if path.is_dir() else None


def missing(name: str, php_modules: tuple[str, ...], needs_mysql: bool) -> str | None:
    """Why engine ``name`` cannot run here (a skip reason), or None."""
    if shutil.which("php") is None:
        return "PHP is not installed (apt-get install php-cli php-mysql php-mbstring php-xml php-gd)"
    have = subprocess.run(["php", "-m"], capture_output=True, text=True).stdout.lower().split()
    lacking = [m for m in php_modules if m.lower() not in have]
    if lacking:
        return f"PHP lacks the module(s) {', '.join(lacking)}"
    if source_dir(name) is None:
        return (f"no {name} source: set FORUMCRAWL_{name.upper()}_SRC or put it in "
                f"~/.cache/forumcrawl/engines/src/{name} (docs/crawl-engines.md, 'PHP engines')")
    if needs_mysql:
        if shutil.which("mysql") is None:
            return "the mysql client is not installed (apt-get install mariadb-client)"
        if mysql("SELECT 1").returncode != 0:
            return f"no MySQL/MariaDB server at {MYSQL['host']}:{MYSQL['port']} as {MYSQL['user']}"
    return None


def mysql(sql: str, database: str | None = None) -> subprocess.CompletedProcess:
    cmd = ["mysql", "--default-character-set=utf8mb4", "-h", MYSQL["host"], "-P", MYSQL["port"], "-u", MYSQL["user"], "--batch", "-e", sql]
    if MYSQL["password"]:
        cmd.insert(1, f"-p{MYSQL['password']}")
    if database:
        cmd.append(database)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60)


def mysql_rows(sql: str, database: str) -> list[dict]:
    """The rows of a query as {column: value} (``mysql --batch``: tab-separated, NULL as "NULL",
    a newline inside a value as ``\\n``), for an engine's truth."""
    done = mysql(sql, database)
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    lines = done.stdout.splitlines()
    head = lines[0].split("\t") if lines else []
    return [dict(zip(head, line.split("\t"))) for line in lines[1:]]


def html_column_text(stored: str) -> str:
    """The words of an HTML column as ``mysql --batch`` prints it (``\\n`` for a newline, entities
    escaped): tags dropped, entities read."""
    return re.sub(r"<[^>]+>", " ", html.unescape(stored.replace("\\n", "\n"))).strip()


def database_name(engine: str) -> str:
    # (FORUMCRAWL_MYSQL_DB_PREFIX: sessions sharing one server keep to their own names)
    return f"{os.environ.get('FORUMCRAWL_MYSQL_DB_PREFIX', 'fc_php_')}{engine}_{uuid.uuid4().hex[:10]}"


def drop_database(name: str) -> None:
    mysql(f"DROP DATABASE IF EXISTS `{name}`")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def copy_source(name: str, subdir: str, dest: Path) -> Path:
    """A private, writable copy of the engine's web root."""
    src = source_dir(name)
    assert src is not None
    site = dest / "site"
    shutil.copytree(src / subdir if subdir else src, site, ignore=shutil.ignore_patterns(".git"),
                    ignore_dangling_symlinks=True)  # (a link to nowhere in a tree: ElkArte has one)
    return site


@dataclass
class Workspace:
    """Where one run of an engine lives: its private copy of the source (``site``), a free port,
    the ``php -S`` log, a database name, the temporary folder holding them."""

    site: Path
    port: int
    log_path: Path
    dbname: str
    tmp: Path


@contextmanager
def engine_workspace(name: str, source: str | None = None, subdir: str = "") -> Iterator[Workspace]:
    """A private copy of the engine's source (``source``'s, when another source is the web root:
    bbPress runs in WordPress) in a temporary folder, with a free port and a fresh database name;
    the database is dropped and the folder removed afterwards, whatever happened."""
    dbname = database_name(name)
    with tempfile.TemporaryDirectory(prefix=f"fc-{name}-") as tmp:
        root = Path(tmp)
        try:
            yield Workspace(copy_source(source or name, subdir, root), free_port(), root / "php.log", dbname, root)
        finally:
            drop_database(dbname)


@contextmanager
def php_server(site: Path, port: int, log_path: Path, *, ini: dict[str, str] | None = None,
               router: str | None = None) -> Iterator[str]:
    """``php -S 127.0.0.1:port`` over ``site`` with a few workers; stopped by its PID.

    ``ini``: extra php.ini settings (``-d``), e.g. a session directory a seeder can read;
    ``router``: a script in ``site``, where the engine relies on rewrite rules.
    """
    env = dict(os.environ, PHP_CLI_SERVER_WORKERS="4")
    settings = [arg for key, value in {"display_errors": "0", **(ini or {})}.items() for arg in ("-d", f"{key}={value}")]
    with open(log_path, "w") as log:
        proc = subprocess.Popen(["php", *settings, "-S", f"127.0.0.1:{port}", "-t", str(site),
                                 *([router] if router else [])],
                                cwd=site, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"php -S did not start: {log_path.read_text()[-2000:]}")
                time.sleep(0.1)
        yield base
    finally:
        stop_group(proc)


def stop_group(proc: subprocess.Popen) -> None:
    """Stop ``php -S`` and its workers (the process group we started): TERM, then KILL."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def run_seeder(script: Path, site: Path, spec: dict, marker: str, engine: str,
               php_args: tuple[str, ...] = ()) -> dict:
    """Run an engine's PHP seeding script on ``site`` with ``spec`` (JSON on stdin); the last line
    of its output starting with ``marker`` is the JSON it read back from the engine's database."""
    proc = subprocess.run(["php", *php_args, str(script), str(site)], input=json.dumps(spec),
                          capture_output=True, text=True, timeout=300)
    lines = [line for line in proc.stdout.splitlines() if line.startswith(marker)]
    if proc.returncode != 0 or not lines:
        shown = re.sub(r"<[^>]+>|\s+", " ", proc.stdout)[-1500:]
        raise RuntimeError(f"seeding {engine} failed ({proc.returncode}): {proc.stderr[-1500:]} {shown}")
    return json.loads(lines[-1])
