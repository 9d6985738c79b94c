"""An activity stream whose every item is signed and dated ("ann commented on <a
href=/discussion/4/x>Copper kettles that leak</a>", the reply's whole excerpt, its date): the
items read as a thread's posts, and the crawler stored them beside the same replies on their
own threads (stored twice). Items nobody signed are dropped already (``unsigned_items``), and
items linking their posts' anchors elsewhere are digests the crawler skips (``is_digest``); a
signed item linking its thread alone was neither. The items carry no post id of their own, and
each shows a title link to another page apart from its text: they are the rows of a listing
(``listing.rows_taken_for_posts``, asked now for posts without ids, not only short ones). A
thread whose replies link other threads inside their text stays a thread
(tests/sites/streams.py)."""
from datetime import datetime, timezone

import pytest

from extractor import extract
from extractor.listing import stream_items
from extractor.model import Post
from tests.sites.streams import ITEMS, MARKUPS, linking_thread_page, stream_page

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
URL = "https://board.example/activity"


@pytest.mark.parametrize("ago", [False, True])
@pytest.mark.parametrize("anchor", [False, True])
def test_a_signed_activity_stream_is_no_thread(anchor, ago):
    page = extract(stream_page("activity", anchor=anchor, ago=ago), URL, now=NOW)
    assert page.posts == []
    assert page.kind == "listing"
    assert [e.title for e in page.entries] == [item[5] for item in ITEMS]
    assert [e.url.rsplit("/", 2)[-2] for e in page.entries] == [str(item[3]) for item in ITEMS]


@pytest.mark.parametrize("markup", MARKUPS)
def test_a_thread_whose_replies_link_other_threads_stays_a_thread(markup):
    """Each reply links another thread of the board, inside its text: the links are the
    replies', not titles shown apart from them."""
    page = extract(linking_thread_page(markup), "https://board.example/discussion/3/z", now=NOW)
    assert page.kind == "thread"
    assert [p.author for p in page.posts] == [item[0] for item in ITEMS]
    assert page.entries == []


def test_stream_items_carry_no_post_ids():
    assert stream_items([Post(0, "a", author="ann"), Post(1, "b", author="bob")])
    assert not stream_items([Post(0, "a", post_id="p1"), Post(1, "b")])
