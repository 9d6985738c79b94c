"""Item dicts shaped like crawler.items, shared by the storage and query tests (no tests here)."""
from __future__ import annotations

SITE = "http://forum.test"


def thread_item(n: int, page: int = 1, **extra) -> dict:
    url = f"{SITE}/t/{n}"
    return {
        "site": SITE, "thread_url": url, "page_url": url if page == 1 else f"{url}?page={page}",
        "page_number": page, "title": f"Thread {n}", "replies": None, "last_activity": None,
        "fetched_at": "2024-05-01T12:00:00Z", "status": 200, "etag": f'"t{n}p{page}"',
        "last_modified": None, "content_hash": f"hash{n}-{page}", **extra,
    }


def post_item(n: int, position: int, *, post_id: str | None = "auto", page: int = 1, **extra) -> dict:
    url = f"{SITE}/t/{n}"
    return {
        "site": SITE, "thread_url": url, "thread_title": f"Thread {n}",
        "page_url": url if page == 1 else f"{url}?page={page}", "page_number": page,
        "position": position, "floor": position,
        "post_id": f"{n}-{position}" if post_id == "auto" else post_id,
        "author": f"user{position % 3}", "published": f"2024-05-01T{8 + position % 10:02d}:30:00+08:00",
        "published_raw": f"2024-05-01 {8 + position % 10:02d}:30", "text": f"Post {position} of thread {n}.",
        "html": f"<p>Post {position} of thread {n}.</p>", "quotes": [], "permalink": None, "language": "en",
        **extra,
    }


def thread_with_posts(n: int, count: int, **post_extra) -> tuple[list[dict], list[dict]]:
    return [thread_item(n)], [post_item(n, i, **post_extra) for i in range(1, count + 1)]


def test_a_relative_date_read_again_later_is_no_edit() -> None:
    """"7.6 years ago" resolves to another instant at each fetch: the post's content is unchanged."""
    from storage.keys import content_hash

    first = {"text": "Sorting first fixed it.", "author": "Ann", "published": "2019-05-02T08:27:35.415444+00:00",
             "published_raw": "7.6 years ago"}
    later = {**first, "published": "2019-05-02T08:29:47.514400+00:00"}
    assert content_hash(first) == content_hash(later)
    assert content_hash(first) != content_hash({**later, "text": "Sorting first did not fix it."})
    absolute = {**first, "published_raw": "2019-05-02 08:27"}
    assert content_hash(absolute) != content_hash({**absolute, "published": "2019-05-02T08:28:00+00:00"})
