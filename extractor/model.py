"""The structured result of extracting one page.

Plain dataclasses, so the crawler, the storage layer and the CLI can all read
them without knowing how they were made.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

PageKind = Literal["thread", "article", "listing", "other"]
LinkRole = Literal["entry", "pagination", "navigation", "post", "other"]


@dataclass(slots=True)
class Link:
    """An outgoing link, classified once so the crawler never re-parses the page."""

    url: str
    text: str = ""
    role: LinkRole = "other"


@dataclass(slots=True)
class Post:
    """One post ("floor") of a forum thread, in page order."""

    position: int
    text: str
    floor: int | None = None
    author: str | None = None
    published: datetime | None = None
    published_raw: str | None = None
    html: str = ""
    post_id: str | None = None
    quotes: list[str] = field(default_factory=list)
    url: str | None = None
    parent: int | None = None   # position of the post this one is a comment under (Q&A pages)


@dataclass(slots=True)
class Entry:
    """One item of a listing page: an article of a blog index, a thread of a board."""

    title: str
    url: str
    published: datetime | None = None
    excerpt: str = ""
    replies: int | None = None


@dataclass(slots=True)
class Page:
    """Everything the extractor learned about one page."""

    url: str
    kind: PageKind = "other"
    title: str = ""
    text: str = ""
    posts: list[Post] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    next_page_url: str | None = None
    links: list[Link] = field(default_factory=list)
    language: str | None = None
    encoding: str | None = None
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict: datetimes become ISO 8601 strings."""
        return _jsonable(asdict(self))


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value
