"""URL canonicalisation and the generic skip rules of the crawler."""
from __future__ import annotations

import pytest

from crawler.urls import base_domain, canonicalize, same_site, site_of, skip_reason


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("HTTP://Example.COM:80/t/1?b=2&a=1#p5", "http://example.com/t/1?a=1&b=2"),
        ("https://example.com:443", "https://example.com/"),
        ("http://example.com/viewtopic.php?t=5&sid=0123456789abcdef0123456789abcdef", "http://example.com/viewtopic.php?t=5"),
        ("http://example.com/showthread.php?s=abc&t=9", "http://example.com/showthread.php?t=9"),
        ("http://example.com/showthread.php?s=0123456789abcdef0123456789abcdef&t=9", "http://example.com/showthread.php?t=9"),
        # ThinkPHP's compatibility-mode URLs: "s" is the route, not a session id (a path: it holds "/")
        ("http://h/index.php?s=/forum/index/detail/id/32.html", "http://h/index.php?s=/forum/index/detail/id/32.html"),
        ("http://h/index.php?s=/forum/index/detail/id/32/page/2.html&sid=abc", "http://h/index.php?s=/forum/index/detail/id/32/page/2.html"),
        ("http://h/index.php?s=%2Fforum%2Findex%2Findex.html", "http://h/index.php?s=/forum/index/index.html"),
        ("http://example.com/a;jsessionid=XYZ?x=1", "http://example.com/a?x=1"),
        # SMF: ";"-separated parameters, the session id in the query (PHPSESSID, ;sesc=)
        ("http://h/index.php?PHPSESSID=9aa2c440ca71461a&topic=5.15", "http://h/index.php?topic=5.15"),
        ("http://h/index.php?action=printpage;topic=5.0;sesc=9aa2c440ca71461a", "http://h/index.php?action=printpage&topic=5.0"),
        ("http://example.com/t?utm_source=n&utm_medium=e&id=3&fbclid=zz", "http://example.com/t?id=3"),
        ("http://example.com/viewtopic.php?t=5&hilit=foo%20bar&highlight=x", "http://example.com/viewtopic.php?t=5"),
        ("http://user:pw@example.com/x", "http://example.com/x"),
        ("http://example.com/%7Euser/a%20b", "http://example.com/~user/a%20b"),
        ("http://example.com/t?q=a+b", None),  # checked below for stability only
        ("http://example.com:8080/x?flag", "http://example.com:8080/x?flag"),
    ],
)
def test_canonicalize(raw: str, canonical: str | None) -> None:
    result = canonicalize(raw)
    if canonical is not None:
        assert result == canonical
    assert canonicalize(result) == result  # idempotent


@pytest.mark.parametrize("raw, canonical", [
    # a URL builder merging the route's parameters into the query (a JavaScript forum's pager)
    ("http://f.example/d/8?id=8&page=2", "http://f.example/d/8?page=2"),
    ("http://f.example/d/8-pump-humming?id=8-pump-humming&page=1", "http://f.example/d/8-pump-humming?page=1"),
    ("http://f.example/d/8-pump-humming?id=8&page=3", "http://f.example/d/8-pump-humming?page=3"),
    # another id, another key, or no id in the path: kept
    ("http://f.example/d/8?id=9&page=2", "http://f.example/d/8?id=9&page=2"),
    ("http://f.example/t/5?p=5", "http://f.example/t/5?p=5"),
    ("http://f.example/viewtopic.php?id=8", "http://f.example/viewtopic.php?id=8"),
    ("http://f.example/8/list?id=8", "http://f.example/8/list?id=8"),
])
def test_id_repeating_the_paths_id_is_dropped(raw: str, canonical: str) -> None:
    assert canonicalize(raw) == canonical


def test_canonical_query_is_order_independent() -> None:
    assert canonicalize("http://h/x?b=1&a=2&c=") == canonicalize("http://h/x?c=&a=2&b=1")


@pytest.mark.parametrize(
    "url",
    [
        "http://h/ucp.php?mode=login",
        "http://h/ucp.php?mode=logout&sid=1",
        "http://h/ucp.php?mode=register",
        "http://h/posting.php?mode=reply&t=3",
        # a reply or quote form under a script name of no skip word (Beehive's post.php), told by
        # the parameter naming the post it answers
        "http://h/post.php?reply_to=3.2&return_msg=3.2",
        "http://h/post.php?quote_list=7&reply_to=3.2",
        "http://h/newreply.php?do=newreply&t=3",
        "http://h/newthread.php?do=newthread&f=2",
        "http://h/forum.php?mod=post&action=reply&tid=1",
        "http://h/member.php?mod=logging&action=login",
        "http://h/threads/hello.12/reply",
        "http://h/posts/55/edit",
        "http://h/report.php?p=5",
        "http://h/printthread.php?t=5",
        "http://h/search.php?keywords=x",
        "http://h/search/?q=x",
        "http://h/calendar.php",
        "http://h/memberlist.php",
        "http://h/members/bob.3/",
        "http://h/member.php?u=3",
        "http://h/profile.php?id=1",
        "http://h/index.php?action=profile;u=1",
        "http://h/login",
        "http://h/wp-login.php",
        "http://h/index.php?login",
        "http://h/home.php?mod=space&uid=1",
        "http://h/misc.php?do=whoposted&t=1",
        "http://h/topic/publish/",
        "http://h/comment/5/publish/",
        "http://h/user/3/chenwei/",
        "http://h/u/lihua",
        "http://h/u/%E9%99%88%E4%BC%9F/",
        # a front controller's route in the query string is judged as a path
        "http://h/?/people/%E7%8E%8B%E5%B0%8F%E6%98%8E",
        "http://h/?/user/admin_log/uid-3",
        "http://h/index.php?/vote/log/item_type-question__item_id-8",
        "http://h/?/content/log/thread_type-question__thread_id-8",
        "http://h/?/register/",
        # ...also without its leading slash (HYBBS: "/?user/login.html", a member's pages "/?u/ann.html")
        "http://h/?user/login.html",
        "http://h/?user/repass.html",
        "http://h/?u/lihua.html",
        "http://h/?u/%E7%8E%8B%E5%B0%8F%E6%98%8E.html",
        # an action word opening a compound value
        "http://h/ucp.php?mode=delete_cookies",
        "http://h/index.php?do=edit-post&id=4",
        "http://h/index.php?action=login_form",
        # an app's page named "app:page" (HadSky's admin panel, with the state it carries)
        "http://h/index.php?c=app&a=superadmin:index",
        "http://h/index.php?CIndex=0&OData=%7B%22url%22:%22x%22%7D&PIndex=3&a=superadmin:index&c=app",
        "http://h/superadmin/users",
        # a feed named with its format's version (a topic's "RSS" button: ?type=rss2&forum=2&topic=8)
        "http://h/community/repairs/chain/?type=rss2&forum=2&topic=8",
        "http://h/feed/rss2/",
        # a "new <thing>" form under its collection (the REST way: a mail archive's /message/new)
        "http://h/list/dev@lists.example.org/message/new",
        "http://h/posts/new",
        "http://h/forum/3/topics/new/",
        # "log on" and "forgot password" in their other spellings (Beehive's logon.php, forgot_pw.php)
        "http://h/logon.php?webtag=DEFAULT",
        "http://h/forgot_pw.php?webtag=DEFAULT",
        # a frameset opening an action page, named in a query value (Beehive's index.php?final_uri=...)
        "http://h/index.php?final_uri=logon.php%3Fwebtag%3DDEFAULT&webtag=DEFAULT",
        "http://h/index.php?final_uri=%2Fforgot_pw.php&webtag=DEFAULT",
    ],
)
def test_action_urls_are_skipped(url: str) -> None:
    assert skip_reason(canonicalize(url)) == "action"


@pytest.mark.parametrize(
    "url",
    [
        "http://h/ucp.php?mode=privacy",
        "http://h/ucp.php?mode=terms&sid=0123456789abcdef0123456789abcdef",
        "http://h/privacy-policy",
        "http://h/legal/terms-of-service",
        "http://h/tos.php",
        "http://h/impressum.html",
        "http://h/app.php/help/faq",
        "http://h/faq.php",
        "http://h/index.php?action=faq",
    ],
)
def test_boilerplate_pages_are_skipped(url: str) -> None:
    """A site's privacy policy, terms, imprint and FAQ: boilerplate, never a discussion."""
    assert skip_reason(canonicalize(url)) == "boilerplate"


@pytest.mark.parametrize(
    "url",
    [
        "http://h/viewforum.php?f=2&sk=t&sd=d",
        "http://h/forumdisplay.php?f=2&sort=lastpost&order=desc",
        "http://h/board/2?order=views",
        "http://h/viewtopic.php?t=5&view=print",
        "http://h/forum.php?mod=viewthread&tid=1&page=1&authorid=7",
        # parameters in a path segment ("name-value" joined by "__"), in a routed query or a path
        "http://h/?/question/id-8__sort_key-add_time__sort-ASC",
        "http://h/?/question/id-8__sort_key-agree_count__sort-DESC__page-2",
        "http://h/?/sort_type-hot__category-1__day-7",
        "http://h/?/sort_type-new",
        "http://h/question/id-8__sort-ASC",
        # a sort order after a route in the query (HYBBS's "newest replies first")
        "http://h/?t/5.html?order=desc",
        "http://h/?/question/8&sort=new",
        # HadSky's reply orders on a thread page: oldest first, most liked first
        "http://h/index.php?c=read&id=10&page=1&desc=0",
        "http://h/index.php?c=read&id=10&page=1&orderfield=zannum&desc=1",
        "http://h/index.php?c=read&id=10&page=1&orderfield=zannum",
        "http://h/index.php?c=read&id=10&sort_dir=asc",
        # esoTalk: a list filtered by a search "gambit", a conversation filtered to the posts matching a word
        "http://h/index.php/conversations/all?search=%23sticky",
        "http://h/index.php/9-sourdough-starter/?search=active%20last%20?%20hours",
        # a list cut to a time window, under a key of the engine's own (a Q&A engine's ?limit=, "top of
        # the week" lists)
        "http://h/tag/rnaseq/?limit=week",
        "http://h/?limit=all",
        "http://h/top?t=past-month",
        "http://h/questions?period=24h",
    ],
)
def test_listing_variants_are_skipped(url: str) -> None:
    assert skip_reason(canonicalize(url)) in {"variant", "action"}


@pytest.mark.parametrize(
    "url",
    [
        "http://h/t/some-topic/5/last/",
        "http://h/t/some-topic/5/post/39/",
        "http://h/t/%E4%BD%A0%E5%A5%BD/2/last/",
        "http://h/comment/39/find/",
        "http://h/threads/hello-world.12/unread",
        "http://h/index.php/9-sourdough-starter/unread",   # (esoTalk: an id, then the slug)
        "http://h/index.php/9-sourdough-starter/last",
        "http://h/threads/hello-world.12/latest",
        "http://h/topic/7/first-unread/",
        "http://h/showthread.php?t=9&goto=newpost",
        "http://h/redirect.php?tid=1&goto=lastpost",
        "http://h/forum.php?mod=redirect&goto=findpost&ptid=1&pid=2",
        "http://h/forum/general-1/topic/rides-5/?post=87",
    ],
)
def test_jump_links_are_skipped(url: str) -> None:
    """Links that redirect into some page of a thread: the page chain reaches it in context."""
    assert skip_reason(canonicalize(url)) == "jump"


@pytest.mark.parametrize(
    "url",
    [
        "http://h/latest",  # a listing of recent topics, not a jump
        "http://h/new/",
        "http://h/r/python/new",  # the newest threads of a board: a listing
        "http://h/c/5/l/new",
        "http://h/t/some-topic/5/",
        "http://h/t/some-topic/5/3/",
        "http://h/t/last-call-for-entries/12/",  # the word inside a slug
        "http://h/post/123/my-first-post",
        "http://h/forum/7/posts/",
        "http://h/topic/7/some-slug/?page=2",
        "http://h/u/lihua/topic/5",  # /u/ deeper in a path is no profile
        "http://h/forum/u/",
    ],
)
def test_pages_near_jump_words_are_kept(url: str) -> None:
    assert skip_reason(canonicalize(url)) is None


@pytest.mark.parametrize("url", ["http://h/logo.png", "http://h/a/file.PDF", "http://h/s.css"])
def test_files_are_skipped(url: str) -> None:
    assert skip_reason(url) == "file-type"


@pytest.mark.parametrize("url", ["mailto:a@b", "javascript:void(0)", "ftp://h/x"])
def test_other_schemes_are_skipped(url: str) -> None:
    assert skip_reason(url) == "scheme"


@pytest.mark.parametrize(
    "url",
    [
        "http://h/",
        "http://h/viewtopic.php?t=5&start=20",
        "http://h/viewforum.php?f=2&start=50",
        "http://h/showthread.php?t=9&page=3",
        "http://h/forum.php?mod=viewthread&tid=1&page=2",
        "http://h/threads/hello-world.12/page-2",
        "http://h/t/some-topic/77?page=2",
        "http://h/board/general/",
        "http://h/thread-123-2-1.html",
        "http://h/index.php?topic=5.20",
        "http://h/blog/2024/05/members-only-event-report",  # words inside a slug are fine
        "http://h/?/question/8",  # a routed query: its pages and their pager links are kept
        "http://h/?/question/id-8__page-2",
        "http://h/?/explore/category-1",
        "http://h/?/topic/%E4%B8%AD%E6%96%87",
        "http://h/blog/filter-coffee",  # a slug of "name-value" shape is no parameter
        "http://h/t/order-of-things/5",
        "http://h/t/privacy/5",  # a boilerplate word deeper in a path is a topic's slug
        "http://h/c/faq/5",
        "http://h/forums/faq/",  # a board of that name (a trailing slash: a directory)
        "http://h/forum.php?mod=viewthread&tid=1&extra=page%3D1",
        "http://h/index.php?action=display_topic&t=5",  # no action word first
        "http://h/?t/5.html",  # routes without a leading slash: a thread, its later page, a board
        "http://h/?t/5/2.html",
        "http://h/?f/1.html",
        "http://h/index.php?final_uri=messages.php%3Fmsg%3D1.1&webtag=DEFAULT",  # a frameset of a thread
        "http://h/viewtopic.php?t=5&redirect=%2Fforum%2F",
        "http://h/catalog/logon-guide",
    ],
)
def test_content_urls_are_kept(url: str) -> None:
    assert skip_reason(canonicalize(url)) is None


def test_site_and_domains() -> None:
    assert site_of("HTTP://Forum.Example.com:80/x?y=1") == "http://forum.example.com"
    assert site_of("http://127.0.0.1:8123/a") == "http://127.0.0.1:8123"
    assert base_domain("bbs.example.com.cn") == "example.com.cn"
    assert base_domain("forum.example.com") == "example.com"
    assert base_domain("127.0.0.1:80") == "127.0.0.1"
    assert same_site("http://forum.example.com/a", "forum.example.com")
    assert not same_site("http://www.example.com/a", "forum.example.com")
    assert same_site("http://www.example.com/a", "forum.example.com", same_domain=True)
    assert not same_site("http://example.org/a", "forum.example.com", same_domain=True)


def test_a_short_key_holding_a_three_segment_path_routes_the_site() -> None:
    """OpenSNS's home page shows no login link (its login is a script's dialog), so its route key
    ``s`` was not learned before the admin's user-centre pages, its fans, photos and rank tabs, and a
    daily check-in ranking were fetched from it: 10 of 43 GETs under load."""
    from crawler.urls import RouteKeys

    routes = RouteKeys()
    routes.learn("http://h/index.php?s=/forum/index/index.html")
    routes.learn("http://h/login?next=/t/5")
    routes.learn("http://h/x?redirect=/a/b/c")  # (a long key: a return address, not a route)
    assert routes.keys == {"s"}
    assert routes.refusal("http://h/index.php?s=/ucenter/index/fans/uid/1.html") == "action"
    assert routes.refusal("http://h/index.php?s=/home/addons/execute/_addons/check_in/_action/ranking.html") == "action"
    assert routes.refusal("http://h/index.php?s=/forum/index/detail/id/34.html") is None
