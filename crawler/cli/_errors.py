"""How the ``forumcrawl`` command line reports a failure: one line, the right exit code.

A mistake in the command (a bad option value, a URL without a scheme, a
database back end forumcrawl cannot write) is a usage error: exit 2. Anything
that goes wrong while running (no database file, a server down, Redis away)
exits 1. Both print one line, "what happened (what to do)"; the traceback is
shown only with ``--debug`` (or ``-L DEBUG``).
"""
from __future__ import annotations

import argparse
import sys
from typing import NoReturn

USAGE = 2
RUNTIME = 1


class UsageError(Exception):
    """The command line asked for something that cannot work as written (exit 2)."""


class OneLineParser(argparse.ArgumentParser):
    """argparse, with its errors on one line instead of a usage block and a message."""

    def error(self, message: str) -> NoReturn:
        self.exit(USAGE, f"{self.prog}: {message} (see {self.prog} --help)\n")


def describe(err: BaseException) -> tuple[int, str]:
    """The exit code and the one-line message for ``err``."""
    from storage.errors import DatabaseMissing, StoreUnavailable, UnsupportedDatabase

    if isinstance(err, UsageError):
        return USAGE, str(err)
    if isinstance(err, UnsupportedDatabase):
        return USAGE, f"{err} (use sqlite:///FILE.db or postgresql://USER@HOST/DB)"
    if isinstance(err, DatabaseMissing):
        return RUNTIME, str(err)
    if isinstance(err, StoreUnavailable):
        return RUNTIME, f"{err} (is the database server running and the URL right? then try again)"
    redis_hint = _redis_hint(err)
    if redis_hint:
        return RUNTIME, redis_hint
    if isinstance(err, OSError):
        return RUNTIME, f"{err.strerror or err}{f': {err.filename}' if err.filename else ''}"
    text = str(err).strip().splitlines()
    first = text[0] if text else ""
    return RUNTIME, (f"unexpected {type(err).__name__}: {first} (run again with --debug for the traceback, "
                     "and report it)")


def _redis_hint(err: BaseException) -> str | None:
    try:
        import redis
    except ImportError:      # pragma: no cover - redis is a dependency
        return None
    if isinstance(err, (redis.ConnectionError, redis.TimeoutError)):
        return f"Redis unreachable: {err} (start Redis, or pass --redis URL / set REDIS_URL)"
    if isinstance(err, redis.RedisError):
        return f"Redis error: {err}"
    return None


def report(command: str | None, err: BaseException) -> int:
    """Print ``err`` as one line on stderr and return its exit code."""
    code, message = describe(err)
    print(f"forumcrawl{' ' + command if command else ''}: {message}", file=sys.stderr)
    return code
