"""Where a thread page sits: earlier pages told by link text, by URL number, or
by a first-page alias (``?page=1`` beside the bare thread URL)."""
from extractor.model import Link, Page

from crawler.pagination import earlier_page_url, first_page_aliases

BASE = "http://forum.test/topic/5/ride-log/"


def page(*links: Link) -> Page:
    return Page(url=BASE, kind="thread", links=list(links))


def test_icon_only_previous_link_found_by_its_page_number():
    here = BASE + "?page=3"
    p = page(Link(BASE + "?page=2", "", "navigation"), Link(BASE, "", "navigation"),
             Link("http://forum.test/topic/9/", "other thread", "entry"))
    assert earlier_page_url(p, here) == BASE  # the smallest: no page parameter at all


def test_first_page_is_not_earlier_than_itself_under_page_1():
    p = page(Link(BASE + "?page=1", "1", "pagination"), Link(BASE + "?page=2", "2", "pagination"))
    assert earlier_page_url(p, BASE) is None


def test_page_1_alias_points_at_the_bare_url():
    here = BASE + "?page=1"
    p = page(Link(BASE + "?page=2", "2", "pagination"))
    assert earlier_page_url(p, here) == BASE


def test_material_icon_ligature_is_a_previous_link():
    here = "http://forum.test/t/ride/5/3/"
    p = page(Link("http://forum.test/t/ride/5/2/", "chevron_left", "pagination"))
    assert earlier_page_url(p, here) == "http://forum.test/t/ride/5/2/"


def test_first_page_aliases_drop_only_zero_or_one_values():
    assert first_page_aliases(BASE + "?page=1") == [BASE]
    assert first_page_aliases(BASE + "?page=1&sort=new") == [BASE + "?sort=new"]
    assert first_page_aliases(BASE + "?page=2") == []
    assert first_page_aliases(BASE) == []


def test_an_id_parameter_of_1_is_no_first_page_alias():
    assert first_page_aliases("http://forum.test/viewtopic.php?t=1") == []
    assert first_page_aliases("http://forum.test/viewtopic.php?t=1&start=0") == [
        "http://forum.test/viewtopic.php?t=1"]


def test_page_one_in_the_path_is_the_thread_itself_only_on_its_own_pages():
    # Carbon Forum's pager links page 1 as /t/8-1 (a redirect to /t/8)
    from crawler.pagination import is_page_one_of
    assert is_page_one_of("http://f.test/t/8-1", "http://f.test/t/8")
    assert is_page_one_of("http://f.test/t/8-1", "http://f.test/t/8-3")
    assert is_page_one_of("http://f.test/thread-12-1.html", "http://f.test/thread-12-2.html")
    assert not is_page_one_of("http://f.test/t/8-1", "http://f.test/t/9-2")     # another thread's page
    assert not is_page_one_of("http://f.test/t/8-1", "http://f.test/t/81")
    assert not is_page_one_of("http://f.test/hello-1", "http://f.test/hello")   # a slug, no id
    assert not is_page_one_of("http://f.test/t/8-1?x=1", "http://f.test/t/8")
    # page 1 as a segment of its own, also in a front controller's route (HYBBS: /?t/8/1.html)
    assert is_page_one_of("http://f.test/t/8/1.html", "http://f.test/t/8.html")
    assert is_page_one_of("http://f.test/?t/8/1.html", "http://f.test/?t/8.html")
    assert is_page_one_of("http://f.test/?t/8/1.html", "http://f.test/?t/8/3.html")
    assert not is_page_one_of("http://f.test/?t/8/1.html", "http://f.test/?t/9/3.html")
    assert not is_page_one_of("http://f.test/?t/8/1.html", "http://f.test/?t/81.html")
    assert not is_page_one_of("http://f.test/?t/8/1.html", "http://f.test/?t/8.html&x=1")
    # page 1 named in a segment of its own (esoTalk's "‹ Older" on /9-slug/p2 links /9-slug/p1)
    assert is_page_one_of("http://f.test/index.php/9-slug/p1", "http://f.test/index.php/9-slug")
    assert is_page_one_of("http://f.test/index.php/9-slug/p1", "http://f.test/index.php/9-slug/p2")
    assert is_page_one_of("http://f.test/t/8/page-1", "http://f.test/t/8/page-3")
    assert not is_page_one_of("http://f.test/index.php/9-slug/p1", "http://f.test/index.php/10-slug/p2")
    assert not is_page_one_of("http://f.test/blog/p1", "http://f.test/blog")          # no id: a page of its own
    assert not is_page_one_of("http://f.test/index.php/9-slug/p1", "http://f.test/index.php/9-slug/help")


def test_other_topics_listed_beside_a_topic_are_not_its_earlier_pages():
    # (ThinkSAAS: a topic ?id=2 lists the group's other topics ?id=1, ?id=3 by title; only the number differs)
    here = "http://forum.test/index.php?app=topic&ac=show&id=2"
    p = Page(url=here, kind="thread", links=[
        Link("http://forum.test/index.php?app=topic&ac=show&id=3", "家里的猫不爱吃饭怎么办", "other"),
        Link("http://forum.test/index.php?app=topic&ac=show&id=1", "周末去哪里爬山", "other")])
    assert earlier_page_url(p, here) is None


def test_numbered_pager_link_still_finds_the_earlier_page():
    here = "http://forum.test/index.php?app=topic&ac=show&id=8&page=3"
    p = Page(url=here, kind="thread", links=[
        Link("http://forum.test/index.php?app=topic&ac=show&id=8&page=2", "2", "navigation"),
        Link("http://forum.test/index.php?app=topic&ac=show&id=1", "周末去哪里爬山", "other")])
    assert earlier_page_url(p, here) == "http://forum.test/index.php?ac=show&app=topic&id=8&page=2"


def test_older_link_to_page_1_is_the_first_page():
    # (esoTalk: a later page under its offset URL /c/9-ride/5 links "‹ Older" to /c/9-ride/p1)
    p = page(Link("http://forum.test/c/9-ride/p1", "‹ Older", "pagination"),
             Link("http://forum.test/c/9-ride/p3", "Newer ›", "pagination"))
    assert earlier_page_url(p, "http://forum.test/c/9-ride/5") == "http://forum.test/c/9-ride/p1"


def test_older_link_to_a_later_page_is_no_earlier_page():
    # (a blog's "« Older Entries" on its front page goes to /page/2: no first page of a thread)
    p = page(Link("http://forum.test/page/2/", "« Older Entries", "pagination"))
    assert earlier_page_url(p, "http://forum.test/") is None


def test_older_link_outside_a_pager_steps_back_within_the_thread():
    # (esoTalk: a window from an "unread" link, /c/9-ride/18, links only "‹ Older" to /c/9-ride/p4,
    # a link the extractor does not put in a pager; another topic's "Older" link is no earlier page)
    p = page(Link("http://forum.test/c/9-ride/p4", "‹ Older", "other"))
    assert earlier_page_url(p, "http://forum.test/c/9-ride/18") == "http://forum.test/c/9-ride/p4"
    elsewhere = page(Link("http://forum.test/c/8-walk/p4", "‹ Older", "other"))
    assert earlier_page_url(elsewhere, "http://forum.test/c/9-ride/18") is None


def test_a_post_range_starting_at_1_is_the_first_page():
    # "1–10  11–20" (a pager naming pages by the posts they show): a window from post 16 waits for "1–10"
    here = "http://forum.test/messages.php?msg=9.16"
    p = page(Link("http://forum.test/messages.php?msg=9.1", "1–10", "pagination"),
             Link("http://forum.test/messages.php?msg=9.11", "11–20", "pagination"))
    assert earlier_page_url(p, here) == "http://forum.test/messages.php?msg=9.1"
