"""Timestamps: parse what items carry, store UTC, print ISO 8601 with the page's offset."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(timezone.utc)


def parse_datetime(value: object) -> datetime | None:
    """A datetime from an item field (datetime, ISO 8601 string, date or None).

    Strings ending in ``Z`` are UTC; naive results stay naive (zone unknown).
    Unparseable strings give None rather than failing a whole batch.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value, timezone.utc)
    text = str(value).strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def split_offset(value: datetime | None) -> tuple[datetime | None, int | None]:
    """(UTC datetime, offset in minutes) for storage; naive stays naive with offset None."""
    if value is None:
        return None, None
    offset = value.utcoffset()
    if offset is None:
        return value, None
    return value.astimezone(timezone.utc), int(offset.total_seconds() // 60)


def join_offset(utc_value: datetime | None, offset_minutes: int | None) -> datetime | None:
    """The stored UTC value shown in the zone the page used (inverse of :func:`split_offset`)."""
    if utc_value is None:
        return None
    if offset_minutes is None:
        return utc_value.replace(tzinfo=None)
    if utc_value.tzinfo is None:
        utc_value = utc_value.replace(tzinfo=timezone.utc)
    return utc_value.astimezone(timezone(timedelta(minutes=offset_minutes)))


def iso(value: datetime | None) -> str | None:
    """ISO 8601 text (with offset whenever the value is aware)."""
    return value.isoformat() if value is not None else None


def parse_bound(text: str) -> datetime:
    """A --since/--until bound: ISO date or datetime; naive means UTC.

    Raises ValueError with a readable message for anything else.
    """
    value = parse_datetime(text)
    if value is None:
        raise ValueError(f"not an ISO 8601 date or datetime: {text!r}")
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)
