"""Databases for test forum engines: a seeded template, and a fresh copy per session.

Migrating and seeding an engine takes tens of seconds; copying a database takes
about one. So the first run seeds a *template* (a PostgreSQL database named
``fc_engine_tpl_<engine>_<digest>``, or an SQLite file in the engine's cache
directory), the digest covering everything that shapes its content; every test
session then gets its own copy (``CREATE DATABASE ... TEMPLATE``), dropped
afterwards, so tests may change it freely.
"""
from __future__ import annotations

import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

import psycopg
from psycopg import sql


@dataclass(frozen=True)
class PgServer:
    """Where the PostgreSQL server is, as the engine's settings need it."""

    host: str
    port: int
    user: str
    password: str

    @classmethod
    def from_url(cls, url: str) -> "PgServer":
        from sqlalchemy.engine import make_url

        u = make_url(url)
        return cls(u.host or "127.0.0.1", u.port or 5432, u.username or "postgres", u.password or "")

    def env(self) -> dict[str, str]:
        return {"FC_ENGINE_PG_HOST": self.host, "FC_ENGINE_PG_PORT": str(self.port),
                "FC_ENGINE_PG_USER": self.user, "FC_ENGINE_PG_PASSWORD": self.password}

    @contextmanager
    def admin(self) -> Iterator[psycopg.Connection]:
        conn = psycopg.connect(host=self.host, port=self.port, user=self.user, password=self.password or None,
                               dbname="postgres", autocommit=True, connect_timeout=5)
        try:
            yield conn
        finally:
            conn.close()

    def exists(self, name: str) -> bool:
        with self.admin() as conn:
            return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None

    def create(self, name: str, template: str | None = None) -> None:
        query = sql.SQL("CREATE DATABASE {} ENCODING 'UTF8'").format(sql.Identifier(name))
        if template:
            query = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template))
        with self.admin() as conn:
            conn.execute(query)

    def drop(self, name: str) -> None:
        with self.admin() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def drop_stale_templates(self, prefix: str, keep: str) -> None:
        """Drop templates of older seeds of the same engine (their digest changed)."""
        with self.admin() as conn:
            names = [r[0] for r in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s",
                                                (prefix.replace("_", r"\_") + "%",))]
        for name in names:
            if name != keep:
                self.drop(name)


def session_name(engine: str) -> str:
    """A unique name for one test session's copy of an engine database."""
    return f"fc_engine_{engine}_{uuid.uuid4().hex[:10]}"
