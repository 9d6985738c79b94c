"""Build the engines a test run will need in the background, all at once, from its start.

On a fresh machine each engine's first use builds its virtualenv (pip, mostly waiting on
the network: about 40-100 s each) and seeds its template database. Built one after the
other, when the first test of each engine asks, that is ~4 minutes during which the run
waits. Started together as soon as collection shows which engines are wanted, the builds
overlap each other and the tests that need no engine. The tests still call
:func:`~tests.engines.virtualenvs.ensure_venv` and the seeding themselves: they find the
work done, or wait on its lock file, or (when a background build failed) do it again
and report the failure as before. A build that is already done costs a file read.
"""
from __future__ import annotations

import threading
from typing import Iterable

from tests.engines import ENGINES

_threads: list[threading.Thread] = []


def wanted_engines(items: Iterable) -> list[str]:
    """Engines the collected test items use: by fixture name (``misago_forum``) or by a
    parameter naming the engine or its fixture (``forum="spirit"``, ``"machina_forum"``)."""
    names: set[str] = set()
    for item in items:
        words = set(getattr(item, "fixturenames", ()))
        callspec = getattr(item, "callspec", None)
        if callspec is not None:
            words |= {v for v in callspec.params.values() if isinstance(v, str)}
        names |= {name for name in ENGINES if name in words or f"{name}_forum" in words}
    return sorted(names)


def _prepare(name: str, postgres_server_url: str | None) -> None:
    from tests.engines.databases import PgServer
    from tests.engines.server import _seeded_template
    from tests.engines.virtualenvs import ensure_venv

    engine = ENGINES[name]
    try:
        venv = ensure_venv(engine.key, engine.requirements)
        pg = PgServer.from_url(postgres_server_url) if engine.database == "postgres" and postgres_server_url else None
        if engine.database == "postgres" and pg is None:
            return
        _seeded_template(engine, venv, pg, log=lambda _msg: None)
    except Exception:  # noqa: BLE001 - the test that needs the engine does it again and reports
        pass


def start(names: Iterable[str], postgres_server_url: str | None) -> None:
    """Build and seed ``names`` in background threads (one each)."""
    for name in names:
        thread = threading.Thread(target=_prepare, args=(name, postgres_server_url), daemon=True,
                                  name=f"forumcrawl-engine-build-{name}")
        thread.start()
        _threads.append(thread)


def wait() -> None:
    """Let running builds finish (so no pip is left writing into a venv at exit)."""
    for thread in _threads:
        thread.join()
    _threads.clear()
