"""Exceptions the store raises, so callers can tell "retry later" from "bug".

A pipeline catches :class:`StoreUnavailable`, waits and re-sends the same batch:
every write is one transaction and idempotent, so a retry never duplicates.
"""
from __future__ import annotations


class StoreError(Exception):
    """Base class of every error raised by :mod:`storage`."""


class StoreUnavailable(StoreError):
    """The database cannot be reached or is locked right now.

    Raised for lost connections, a server that is down or restarting, and a
    SQLite file still locked after the busy timeout. The failed transaction was
    rolled back as a whole: nothing of the batch was written, so the caller may
    retry the very same call later.
    """


class DatabaseMissing(StoreError):
    """A read-only command was pointed at a SQLite file that does not exist."""


class UnsupportedDatabase(StoreError, ValueError):
    """The database URL cannot be read, or names a back end forumcrawl cannot store into.

    forumcrawl writes with SQLite's and PostgreSQL's own upserts, so any other
    back end (MySQL, Oracle...) is refused when the store opens, before a
    driver is even loaded.
    """
