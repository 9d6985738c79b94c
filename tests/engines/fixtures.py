"""pytest fixtures serving the real forum engines; import them into a test module.

    from tests.engines.fixtures import misago_forum  # noqa: F401  (a fixture)

Session-scoped: one seeded copy per engine per test session, shared by every
test that asks for it, so tests must not change it. A test that changes the
forum (edits, replies) starts its own with :func:`tests.engines.server.running_forum`.
A missing PostgreSQL server or an unreachable PyPI skips (or, with
FORUMCRAWL_REQUIRE_SERVICES=1, fails) the test with the reason.
"""
from __future__ import annotations

from typing import Iterator

import pytest

from tests.conftest import service_missing
from tests.engines.server import ForumServer, running_forum
from tests.engines.virtualenvs import EngineInstallError


def serve_engine(name: str, postgres_server_url: str | None) -> Iterator[ForumServer]:
    """Yield a running forum, turning an install failure into a skip (or a CI failure)."""
    try:
        with running_forum(name, postgres_server_url, log=lambda msg: print(f"[{name}] {msg}")) as forum:
            yield forum
    except EngineInstallError as exc:
        service_missing(f"could not install forum engine {name} from PyPI: {exc}")


@pytest.fixture(scope="session")
def misago_forum(postgres_server_url: str) -> Iterator[ForumServer]:
    """Misago (Django + PostgreSQL), seeded with tests/engines/common/corpus.py."""
    yield from serve_engine("misago", postgres_server_url)


@pytest.fixture(scope="session")
def spirit_forum() -> Iterator[ForumServer]:
    """Spirit (Django + SQLite), seeded with tests/engines/common/corpus.py."""
    yield from serve_engine("spirit", None)


@pytest.fixture(scope="session")
def machina_forum() -> Iterator[ForumServer]:
    """django-machina (Django + SQLite), seeded with tests/engines/common/corpus.py."""
    yield from serve_engine("machina", None)


@pytest.fixture(scope="session")
def hyperkitty_forum() -> Iterator[ForumServer]:
    """HyperKitty, Mailman 3's archive (Django + SQLite), seeded with tests/engines/common/corpus.py."""
    yield from serve_engine("hyperkitty", None)


@pytest.fixture(scope="session")
def punkweb_forum() -> Iterator[ForumServer]:
    """PunkwebBB (a plain Django app + SQLite), seeded with tests/engines/common/corpus.py."""
    yield from serve_engine("punkweb", None)


@pytest.fixture(scope="session")
def biostar_forum() -> Iterator[ForumServer]:
    """Biostar Central, a Django question-and-answer site (source checkout + SQLite), seeded with its own Q&A."""
    yield from serve_engine("biostar", None)
