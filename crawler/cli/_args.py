"""Checks of command-line values shared by several commands (argparse ``type=`` functions).

Each raises ``argparse.ArgumentTypeError`` (or :class:`UsageError` when called
outside argparse) with a message that says what is accepted.
"""
from __future__ import annotations

import argparse
from urllib.parse import urlsplit

from ._errors import UsageError

# Databases store row counts and offsets in 64-bit integers.
MAX_COUNT = 2**63 - 1


def count(text: str) -> int:
    """A whole number from 0 to 2**63-1 (a ``--limit``, ``--offset`` or ``--runs``)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} is negative: give 0 or more")
    if value > MAX_COUNT:
        raise argparse.ArgumentTypeError(f"{text} is too large: at most {MAX_COUNT}")
    return value


def positive(text: str) -> int:
    """A whole number of at least 1 (a batch size)."""
    value = count(text)
    if value < 1:
        raise argparse.ArgumentTypeError("give 1 or more")
    return value


def web_url(text: str) -> str:
    """An absolute http(s) URL with a host; a missing scheme gets a suggestion."""
    url = text.strip()
    if "://" not in url:
        if url and not any(c.isspace() for c in url) and not url.startswith("/"):
            raise UsageError(f"{text!r} has no scheme (did you mean https://{url} ?)")
        raise UsageError(f"{text!r} is not a URL (write it as https://HOST/PATH)")
    try:
        parts = urlsplit(url)   # raises ValueError for a bracketed host not closed ("http://[::1")
    except ValueError as err:
        raise UsageError(f"{text!r} is not a valid URL: {err} (write it as https://HOST/PATH)") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise UsageError(f"{text!r}: only http:// and https:// URLs can be crawled")
    try:
        host = parts.hostname
        _ = parts.port      # raises ValueError for a port out of range or not a number
    except ValueError as err:
        raise UsageError(f"{text!r} is not a valid URL: {err} (write it as https://HOST/PATH)") from None
    if not host or any(c.isspace() for c in url):
        raise UsageError(f"{text!r} has no valid host (write it as https://HOST/PATH)")
    return url


def redis_url(text: str) -> str:
    """A Redis URL (redis://, rediss:// or unix://)."""
    if not text.startswith(("redis://", "rediss://", "unix://")):
        raise argparse.ArgumentTypeError(f"{text!r} is not a Redis URL (write it as redis://HOST:6379/DB)")
    return text
