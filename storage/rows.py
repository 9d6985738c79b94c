"""Turn item dicts (crawler.items shapes) into table rows; pure Python, no database."""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from .keys import content_hash, post_key
from .timeutil import parse_datetime, split_offset


MAX_AUTHOR = 500  # an indexed column: PostgreSQL btree entries must stay under ~2.7 KB
MAX_URL = 2048  # longer URLs are not forum pages; PostgreSQL's unique indexes also cap key size


def item_problem(item: Mapping, kind: str) -> str | None:
    """Why an item of ``kind`` (thread, post, page) cannot be stored, or None when it can."""
    if kind == "page":
        urls = [item.get("url")]
        if not urls[0]:
            return "page record without url"
    else:
        urls = [item.get("thread_url") or (item.get("page_url") if kind == "thread" else None)]
        if not urls[0]:
            return f"{kind} item without thread_url"
        urls.append(item.get("page_url"))
    if kind == "post":
        if item.get("post_id") in (None, "") and to_int(item.get("position")) is None:
            return "post item with neither post_id nor position"
        if len(str(item.get("post_id") or "")) > 200:
            return "post_id longer than 200 characters"
    for url in urls:
        if url and len(str(url)) > MAX_URL:
            return f"URL longer than {MAX_URL} characters: {str(url)[:80]}..."
    try:
        site_of(item if kind != "page" else {"site": item.get("site"), "url": item.get("url")})
    except ValueError as err:
        return str(err)
    return None


def site_of(item: Mapping) -> str:
    """The item's site key, or scheme://host[:port] of its URL when it has none."""
    site = item.get("site")
    if site:
        return str(site).rstrip("/")
    url = item.get("thread_url") or item.get("page_url") or item.get("url") or ""
    parts = urlsplit(str(url))
    if not parts.scheme or not parts.netloc:
        raise ValueError(f"cannot tell the site of item without site or absolute URL: {dict(item)!r}")
    return f"{parts.scheme}://{parts.netloc}"


def to_int(value: Any) -> int | None:
    """An int, or None for None/''/anything that is not a whole number."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def to_str(value: Any, limit: int | None = None) -> str | None:
    """str(value) (cut to ``limit`` characters, as the column allows), or None."""
    if value is None:
        return None
    text = str(value)
    return text[:limit] if limit else text


def _utc(value: Any) -> datetime | None:
    return split_offset(parse_datetime(value))[0]


def thread_rows(threads: Iterable[Mapping], posts: Iterable[Mapping]) -> dict[str, dict]:
    """One row per thread URL, merging the batch's thread pages and the threads its posts name."""
    rows: dict[str, dict] = {}
    for item in threads:
        url = item.get("thread_url") or item.get("page_url")
        if not url:
            raise ValueError(f"thread item without thread_url: {dict(item)!r}")
        page = to_int(item.get("page_number")) or 1
        row = rows.setdefault(url, _empty_thread(url, site_of(item)))
        if item.get("title") and (row["title"] is None or page == 1):
            row["title"] = to_str(item.get("title"))
        if to_int(item.get("replies")) is not None:
            row["replies"] = to_int(item.get("replies"))
        if _utc(item.get("last_activity")) is not None:
            row["last_activity"] = _utc(item.get("last_activity"))
        if row["pages"] is None or page >= row["pages"]:
            row["pages"] = page
            row["last_page_url"] = to_str(item.get("page_url") or url)
            row["etag"] = to_str(item.get("etag"))
            row["last_modified"] = to_str(item.get("last_modified"))
    for item in posts:
        url = item.get("thread_url")
        if url and url not in rows:
            rows[url] = _empty_thread(url, site_of(item))
        if url and rows[url]["title"] is None and item.get("thread_title"):
            rows[url]["title"] = to_str(item["thread_title"])
    return rows


def _empty_thread(url: str, site: str) -> dict:
    return {
        "site": site, "url": url, "title": None, "replies": None, "last_activity": None,
        "pages": None, "last_page_url": None, "etag": None, "last_modified": None,
    }


def page_rows(pages: Iterable[Mapping], threads: Iterable[Mapping]) -> dict[str, dict]:
    """One row per fetched URL, from explicit page records and from thread items (kind 'thread')."""
    rows: dict[str, dict] = {}
    for item in threads:
        url = item.get("page_url") or item.get("thread_url")
        if url:
            rows[url] = _page(item, url, "thread")
    for item in pages:
        url = item.get("url")
        if not url:
            raise ValueError(f"page record without url: {dict(item)!r}")
        rows[url] = _page(item, url, item.get("kind"))
    return rows


def _page(item: Mapping, url: str, kind: Any) -> dict:
    return {
        "site": site_of({"site": item.get("site"), "url": url}),
        "url": url,
        "status": to_int(item.get("status")),
        "kind": to_str(kind, 16),
        "content_hash": to_str(item.get("content_hash"), 64),
        "etag": to_str(item.get("etag")),
        "last_modified": to_str(item.get("last_modified")),
        "fetched_at": _utc(item.get("fetched_at")),
    }


def post_rows(posts: Iterable[Mapping]) -> dict[str, dict]:
    """One row per post key (a later duplicate in the same batch wins)."""
    rows: dict[str, dict] = {}
    for item in posts:
        if not item.get("thread_url"):
            raise ValueError(f"post item without thread_url: {dict(item)!r}")
        key = post_key(item)
        published, offset = split_offset(parse_datetime(item.get("published")))
        quotes = item.get("quotes")
        rows[key] = {
            "post_key": key,
            "site": site_of(item),
            "thread_url": item["thread_url"],
            "page_url": to_str(item.get("page_url")),
            "page_number": to_int(item.get("page_number")),
            "position": to_int(item.get("position")),
            "floor": to_int(item.get("floor")),
            "post_id": to_str(item.get("post_id")),
            "author": to_str(item.get("author"), MAX_AUTHOR),
            "published": published,
            "published_offset": offset,
            "published_raw": to_str(item.get("published_raw")),
            "text": to_str(item.get("text")),
            "html": to_str(item.get("html")),
            "quotes": list(quotes) if quotes else None,
            "permalink": to_str(item.get("permalink")),
            "parent_position": to_int(item.get("parent_position")),
            "language": to_str(item.get("language"), 16),
            "content_hash": content_hash(item, published),
        }
    return rows


def chunks(items: Sequence, size: int = 400) -> Iterator[list]:
    """Consecutive slices of ``items``: rows per statement stay under the bound-parameter limits."""
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start:start + size]


def jsonable(value: Any) -> Any:
    """A JSON-safe copy (Scrapy stats hold datetimes; args may hold tuples)."""
    if value is None:
        return None
    return json.loads(json.dumps(value, default=str))
