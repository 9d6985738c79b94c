"""Unit tests of the generic spider's helpers: the frontier journal and thread-page position."""
from __future__ import annotations

import os

from crawler.journal import JOURNAL_NAME, Frontier
from crawler.pagination import earlier_page_url
from extractor.model import Link, Page


def test_journal_replays_unfinished_urls(tmp_path) -> None:
    f = Frontier(tmp_path)
    assert f.add("http://h/a", 50, {"fc_depth": 0})
    assert not f.add("http://h/a", 50, {})  # already taken on
    assert f.add("http://h/b", 100, {"fc_thread": {"thread_url": "http://h/a", "page": 2, "offset": 10}})
    assert f.add("http://h/c", 10, {})
    f.done("http://h/a")
    f.update("http://h/c", 100, {"fc_thread": {"page": 3}})  # a chain claimed c
    f.flush()
    # no close(): the process is killed here
    again = Frontier(tmp_path)
    assert again.seen == {"http://h/a", "http://h/b", "http://h/c"}
    pending = {url: (prio, meta) for url, prio, meta in again.resumed_pending}
    assert set(pending) == {"http://h/b", "http://h/c"}
    assert pending["http://h/b"][1]["fc_thread"]["offset"] == 10
    assert pending["http://h/c"] == (100, {"fc_thread": {"page": 3}})
    assert [u for u, _, _ in again.resumed_pending][-1] in {"http://h/b", "http://h/c"}
    again.close()


def test_unflushed_adds_are_lost_but_done_flushes_them(tmp_path) -> None:
    f = Frontier(tmp_path)
    f.add("http://h/parent", 0, {})
    f.flush()
    f.add("http://h/child", 0, {})  # buffered only
    lost = Frontier(tmp_path)
    assert "http://h/child" not in lost.seen and [u for u, _, _ in lost.resumed_pending] == ["http://h/parent"]
    lost.close()
    f.done("http://h/parent")  # writes the child's A record before the parent's D
    replay = Frontier(tmp_path)
    assert [u for u, _, _ in replay.resumed_pending] == ["http://h/child"]
    replay.close()
    f.close()


def test_torn_last_record_is_ignored(tmp_path) -> None:
    f = Frontier(tmp_path)
    f.add("http://h/a", 0, {})
    f.close()
    with open(tmp_path / JOURNAL_NAME, "ab") as fh:
        fh.write(b'{"d":"http://h/')  # killed mid-write
    replay = Frontier(tmp_path)
    assert [u for u, _, _ in replay.resumed_pending] == ["http://h/a"]
    replay.close()


def test_without_jobdir_nothing_is_written(tmp_path) -> None:
    os.chdir(tmp_path)
    f = Frontier(None)
    assert f.add("http://h/a") and not f.journaled
    f.done("http://h/a")
    assert f.is_done("http://h/a") and os.listdir(tmp_path) == []


def _page(url: str, *links: tuple[str, str]) -> Page:
    return Page(url=url, kind="thread", links=[Link(u, t, "pagination") for u, t in links])


def test_first_page_has_no_earlier_page() -> None:
    url = "http://h/viewtopic.php?t=5"
    page = _page(url, ("http://h/viewtopic.php?t=5&start=10", "2"), ("http://h/viewtopic.php?t=5&start=10", "Next"),
                 ("javascript://", "1"))
    assert earlier_page_url(page, url) is None


def test_later_page_points_at_first_page() -> None:
    url = "http://h/viewtopic.php?start=20&t=5"
    page = _page(url, ("http://h/viewtopic.php?t=5&start=10", "Previous"), ("http://h/viewtopic.php?t=5", " 1 "),
                 ("http://h/viewtopic.php?t=5&start=10", "2"))
    assert earlier_page_url(page, url) == "http://h/viewtopic.php?t=5"


def test_later_page_with_only_a_previous_link() -> None:
    url = "http://h/bbs/forum.php?mod=viewthread&page=3&tid=9"
    page = _page(url, ("/bbs/forum.php?mod=viewthread&tid=9&page=2", "上一页"))
    page.links[0].url = "http://h/bbs/forum.php?mod=viewthread&tid=9&page=2"
    assert earlier_page_url(page, url) == "http://h/bbs/forum.php?mod=viewthread&page=2&tid=9"


def test_other_roles_do_not_count() -> None:
    url = "http://h/t/2"
    page = Page(url=url, kind="thread", links=[Link("http://h/", "首页", "navigation")])
    assert earlier_page_url(page, url) is None


def test_title_cleaner_strips_site_and_board_names() -> None:
    from crawler.titles import TitleCleaner

    sample = ["Riverside Forum", "Workshop - Riverside Forum", "Kitchen | Riverside Forum"]
    clean = TitleCleaner(sample).clean
    assert clean("Fixing a tap - Workshop - Riverside Forum") == "Fixing a tap"
    assert clean("Workshop - tips - Workshop - Riverside Forum") == "Workshop - tips"
    assert clean("Riverside Forum | Hello there") == "Hello there"
    assert clean("Riverside Forum") == "Riverside Forum"  # never empty
    assert TitleCleaner().clean("A - B") == "A - B"       # nothing learned: unchanged


def test_items_filled_in_one_step_are_the_same_items():
    import pytest

    from crawler.items import PostItem, ThreadItem

    values = {"site": "http://x", "thread_url": "http://x/t/1", "position": 3, "text": "hi"}
    item = PostItem.of(dict(values))
    assert item == PostItem(**values) and list(item) == list(values) and item.as_dict() == values
    assert ThreadItem.of({"title": "T"}) == ThreadItem(title="T")
    with pytest.raises(KeyError, match="nope"):
        PostItem.of({"text": "x", "nope": 1})


def test_a_feed_served_as_xml_is_not_read_as_a_page() -> None:
    """RSS/Atom served as text/xml (the type XHTML may come as too): its items copy posts of
    thread pages, so the response is skipped as a feed; an XHTML page of the same type is read."""
    from scrapy.http import Response

    from crawler.responses import unusable

    def response(body: bytes, ctype: bytes = b"text/xml; charset=utf-8") -> Response:
        return Response("http://h/index.php?qa=feed&qa_1=qa.rss", body=body, headers={b"Content-Type": ctype})

    rss = b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><item><title>Answered</title></item></channel></rss>'
    atom = b'\xef\xbb\xbf<?xml version="1.0"?>\n<!-- generated -->\n<?xml-stylesheet href="f.xsl"?>\n<feed xmlns="http://www.w3.org/2005/Atom"></feed>'
    rdf = b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"></rdf:RDF>'
    for body in (rss, atom, rdf):
        assert (unusable(response(body), 1 << 20) or "").startswith("feed"), body[:40]
    xhtml = b'<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><body><p>rss feed</p></body></html>'
    assert unusable(response(xhtml, b"application/xhtml+xml"), 1 << 20) is None
    assert unusable(response(xhtml), 1 << 20) is None
