"""Shared test fixtures: the real Redis and PostgreSQL servers.

Tests that need a server skip with a reason when it is absent, unless
FORUMCRAWL_REQUIRE_SERVICES=1 (set by .ci/run), which turns that skip into a
failure so CI always exercises them.
"""
from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
REQUIRE_SERVICES = os.environ.get("FORUMCRAWL_REQUIRE_SERVICES") == "1"


def service_missing(reason: str) -> None:
    """Skip the test, or fail it when CI requires the services."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (FORUMCRAWL_REQUIRE_SERVICES=1 forbids skipping)")
    pytest.skip(reason)


def xdist_worker_index() -> int:
    """0 outside pytest-xdist, else N of this worker ``gwN`` (``-n 2``: 0 and 1)."""
    name = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(name[2:]) if name.startswith("gw") and name[2:].isdigit() else 0


def redis_test_url() -> str:
    """Each xdist worker its own Redis database: db 15, 14, ... by default, or the worker's
    entry of FORUMCRAWL_TEST_REDIS_URL (comma-separated URLs; the last one serves any
    further workers - every test uses its own keys, so sharing a database stays safe)."""
    urls = [u.strip() for u in os.environ.get("FORUMCRAWL_TEST_REDIS_URL", "").split(",") if u.strip()]
    index = xdist_worker_index()
    if urls:
        return urls[min(index, len(urls) - 1)]
    return f"redis://127.0.0.1:6379/{max(15 - index, 0)}"


@pytest.fixture(scope="session")
def redis_url() -> str:
    """URL of a reachable Redis database reserved for tests (see :func:`redis_test_url`)."""
    url = redis_test_url()
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except Exception as exc:  # noqa: BLE001 - any failure means "not available"
        service_missing(f"Redis not reachable at {url}: {exc}")
    return url


def postgres_test_url() -> str:
    return os.environ.get("FORUMCRAWL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    """SQLAlchemy URL of the PostgreSQL server's maintenance database."""
    url = postgres_test_url()
    try:
        import sqlalchemy as sa

        engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001
        service_missing(f"PostgreSQL not reachable at {url}: {exc}")
    return url


@contextmanager
def fresh_postgres_database(postgres_server_url: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database (its URL), dropped afterwards."""
    import sqlalchemy as sa

    name = f"fc_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(postgres_server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = postgres_server_url.rsplit("/", 1)[0] + "/" + name
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def postgres_url(postgres_server_url: str):
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    with fresh_postgres_database(postgres_server_url) as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh SQLite database file for one test."""
    return f"sqlite:///{tmp_path / 'forumcrawl.db'}"


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request) -> str:
    """Run a storage test against both real back ends: SQLite and PostgreSQL."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("postgres_url")


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The shared benchmark material beside the repository (read only)."""
    if not SHARED.is_dir():
        pytest.skip(f"shared material not found at {SHARED}")
    return SHARED


def pytest_collection_finish(session) -> None:
    """Start building the forum engines the collected tests use, all at once (tests/engines/prebuild.py)."""
    from tests.engines import prebuild

    names = prebuild.wanted_engines(session.items)
    if names and not session.config.getoption("collectonly"):
        prebuild.start(names, postgres_test_url())


def pytest_sessionfinish(session) -> None:
    from tests.engines import prebuild

    prebuild.wait()
