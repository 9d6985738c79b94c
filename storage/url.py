"""Which database to use: one rule shared by the spider, the CLI and the API."""
from __future__ import annotations

import os
from pathlib import Path

DEFAULT_DATABASE_URL = "sqlite:///forumcrawl.db"
ENV_VARS = ("FORUMCRAWL_DATABASE_URL", "DATABASE_URL")


def resolve_database_url(explicit: str | None = None) -> str:
    """The database URL to use.

    Order: ``explicit`` (a ``--database`` option or the Scrapy ``DATABASE_URL``
    setting), then the environment variables ``FORUMCRAWL_DATABASE_URL`` and
    ``DATABASE_URL``, then ``sqlite:///forumcrawl.db`` in the current directory.
    A bare file path is accepted as a SQLite database, and the common
    ``postgres://`` / ``postgresql://`` forms get the installed psycopg 3 driver.
    """
    for candidate in (explicit, *(os.environ.get(name) for name in ENV_VARS)):
        if candidate:
            return normalize_url(candidate.strip())
    return DEFAULT_DATABASE_URL


def normalize_url(url: str) -> str:
    """Make user-typed URLs usable by SQLAlchemy (driver, bare paths)."""
    if "://" not in url:
        return f"sqlite:///{url}"
    scheme, rest = url.split("://", 1)
    if scheme in ("postgres", "postgresql"):
        return f"postgresql+psycopg://{rest}"
    return url


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for other back ends and in-memory databases."""
    if not url.startswith("sqlite"):
        return None
    path = url.split("://", 1)[1]
    path = path[1:] if path.startswith("/") else path
    path = path.split("?", 1)[0]
    if path in ("", ":memory:"):
        return None
    return Path(path)
