"""Run a seeded forum engine on 127.0.0.1 and hand tests its URL and ground truth.

:func:`running_forum` builds (or reuses) the engine's virtualenv and seeded
template database, copies the template into a fresh database for this session,
starts the engine's WSGI server on a free port, and yields a
:class:`ForumServer`. On exit it stops the server (by its PID) and drops the
session database.
"""
from __future__ import annotations

import hashlib
import json
import os
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator

from tests.engines import ENGINES, HERE, Engine
from tests.engines.databases import PgServer, session_name
from tests.engines.virtualenvs import EngineInstallError, cache_root, ensure_venv, venv_python

READY_MARKER = "FORUMCRAWL-ENGINE-READY"
START_TIMEOUT = 120.0


@dataclass
class TruthPost:
    """A post as the engine stored it: what an extractor must find."""

    author: str
    text: str
    published: datetime  # timezone-aware
    post_id: str | None = None
    url: str | None = None
    quotes: list[str] = field(default_factory=list)


@dataclass
class TruthPage:
    url: str
    posts: list[int]  # indexes into the thread's posts, in page order


@dataclass
class TruthThread:
    url: str  # first page
    title: str
    board: str
    posts: list[TruthPost]
    pages: list[TruthPage]
    thread_id: str = ""  # the engine's own id, for edit/reply

    def page_posts(self, page: TruthPage) -> list[TruthPost]:
        return [self.posts[i] for i in page.posts]


@dataclass
class ForumServer:
    """A running, seeded forum engine."""

    engine: Engine
    base_url: str
    threads: list[TruthThread]
    log_path: Path
    pid: int
    _env: dict[str, str] = field(repr=False, default_factory=dict)

    @property
    def name(self) -> str:
        return self.engine.name

    def all_posts(self) -> list[TruthPost]:
        return [p for t in self.threads for p in t.posts]

    def page_urls(self) -> list[str]:
        return [page.url for t in self.threads for page in t.pages]

    def edit_post(self, post_id: str, text: str) -> TruthPost:
        """Change a post's text through the engine (as its author)."""
        return self._post_from(self._engine_cmd("--mode", "edit", "--post-id", post_id, "--text", text))

    def add_reply(self, thread: TruthThread, author: str, text: str) -> TruthPost:
        """Reply to a thread through the engine; the thread's pages are not recomputed."""
        return self._post_from(self._engine_cmd("--mode", "reply", "--thread-id", thread.thread_id,
                                                "--author", author, "--text", text))

    def _engine_cmd(self, *args: str) -> dict[str, Any]:
        proc = subprocess.run([str(venv_python(self._venv)), str(self.engine.main), *args], env=self._env,
                              capture_output=True, text=True, timeout=120)
        if proc.returncode != 0:
            raise RuntimeError(f"{self.engine.name} {args[:2]} failed: {proc.stderr[-2000:]}")
        return json.loads(proc.stdout.strip().splitlines()[-1])

    def _post_from(self, data: dict[str, Any]) -> TruthPost:
        return _truth_post(data, self.base_url)

    @property
    def _venv(self) -> Path:
        return cache_root() / self.engine.key


def _truth_post(data: dict[str, Any], base_url: str) -> TruthPost:
    published = datetime.fromisoformat(data["published"])
    if published.tzinfo is None:
        raise ValueError(f"engine reported a naive datetime: {data['published']}")
    return TruthPost(author=data["author"], text=data["text"], published=published,
                     post_id=data.get("post_id"), url=base_url + data["url"] if data.get("url") else None,
                     quotes=list(data.get("quotes", [])))


def load_truth(data: dict[str, Any], base_url: str) -> list[TruthThread]:
    """Ground truth with absolute URLs and aware datetimes."""
    return [
        TruthThread(url=base_url + t["url"], title=t["title"], board=t["board"],
                    posts=[_truth_post(p, base_url) for p in t["posts"]],
                    pages=[TruthPage(base_url + pg["url"], list(pg["posts"])) for pg in t["pages"]],
                    thread_id=t["thread_id"])
        for t in data["threads"]
    ]


def seed_digest(engine: Engine) -> str:
    """Changes whenever anything that shapes the seeded content changes."""
    h = hashlib.sha256()
    files = [engine.requirements, *sorted(engine.site_dir.glob("*.py")),
             HERE / "common" / "corpus.py", HERE / "common" / "engine_cli.py"]
    for path in files:
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:12]


def _engine_env(engine: Engine, workdir: Path, db: str, pg: PgServer | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "DJANGO"))}
    env.update({"FC_ENGINE_DB": db, "FC_ENGINE_WORKDIR": str(workdir), "PYTHONUNBUFFERED": "1",
                "PYTHONDONTWRITEBYTECODE": "1"})
    if engine.source is not None:
        env["FC_ENGINE_SOURCE"] = str(engine.source)
    if pg:
        env.update(pg.env())
    return env


def _seeded_template(engine: Engine, venv: Path, pg: PgServer | None, log) -> tuple[str, Path]:
    """The seeded template database (or SQLite file) and its ground truth file, seeding on first use."""
    import fcntl

    digest = seed_digest(engine)
    truth = venv / f"truth-{digest}.json"
    template = f"fc_engine_tpl_{engine.name}_{digest}" if pg else str(venv / f"seed-{digest}.sqlite3")
    with open(cache_root() / f"{engine.key}.seed.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        ready = truth.is_file() and (pg.exists(template) if pg else Path(template).is_file())
        if ready:
            return template, truth
        started = time.monotonic()
        workdir = Path(tempfile.mkdtemp(prefix=f"fc-{engine.name}-seed-"))
        if pg:
            pg.drop_stale_templates(f"fc_engine_tpl_{engine.name}_", keep="")
            pg.create(template)
        else:
            Path(template).unlink(missing_ok=True)
        try:
            proc = subprocess.run([str(venv_python(venv)), str(engine.main), "--mode", "seed",
                                   "--truth-out", str(truth) + ".tmp"],
                                  env=_engine_env(engine, workdir, template, pg), capture_output=True, text=True,
                                  timeout=600)
            if proc.returncode != 0:
                raise RuntimeError(f"seeding {engine.name} failed:\n{proc.stderr[-4000:]}")
            os.replace(str(truth) + ".tmp", truth)
        except BaseException:
            if pg:
                pg.drop(template)
            else:
                Path(template).unlink(missing_ok=True)
            raise
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        log(f"seeded {engine.name} template in {time.monotonic() - started:.0f} s")
        return template, truth


@contextmanager
def running_forum(name: str, postgres_server_url: str | None = None, *, log=print) -> Iterator[ForumServer]:
    """Serve a freshly copied, seeded forum of engine ``name`` on 127.0.0.1."""
    engine = ENGINES[name]
    pg = PgServer.from_url(postgres_server_url) if engine.database == "postgres" else None
    if engine.database == "postgres" and postgres_server_url is None:
        raise ValueError(f"{name} needs a PostgreSQL server URL")
    if engine.source is not None and not (engine.source / "manage.py").is_file():
        raise EngineInstallError(f"the source of {name} is not in {engine.source} (docs/engines.md says where to get it)")
    venv = ensure_venv(engine.key, engine.requirements, log=log)
    template, truth_path = _seeded_template(engine, venv, pg, log)

    workdir = Path(tempfile.mkdtemp(prefix=f"fc-{engine.name}-"))
    if pg:
        db = session_name(engine.name)
        pg.create(db, template=template)
    else:
        db = str(workdir / "forum.sqlite3")
        shutil.copyfile(template, db)
    env = _engine_env(engine, workdir, db, pg)
    log_path = workdir / "engine.log"
    proc = None
    try:
        with open(log_path, "w") as log_file:
            proc = subprocess.Popen([str(venv_python(venv)), str(engine.main), "--mode", "serve", "--port", "0"],
                                    env=env, stdout=subprocess.PIPE, stderr=log_file, text=True,
                                    start_new_session=True)
        port = _wait_ready(proc, log_path)
        base_url = f"http://127.0.0.1:{port}"
        threads = load_truth(json.loads(truth_path.read_text(encoding="utf-8")), base_url)
        yield ForumServer(engine, base_url, threads, log_path, proc.pid, env)
    finally:
        if proc is not None:
            _stop(proc)
        if pg:
            pg.drop(db)
        shutil.rmtree(workdir, ignore_errors=True)


def _wait_ready(proc: subprocess.Popen, log_path: Path) -> int:
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            break
        if line is None:
            break
        if line.startswith(READY_MARKER):
            return int(line.split()[1])
    tail = log_path.read_text(errors="replace")[-3000:] if log_path.exists() else ""
    raise RuntimeError(f"engine server did not start (exit code {proc.poll()}):\n{tail}")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
    if proc.stdout:
        proc.stdout.close()
