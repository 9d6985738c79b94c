"""URL hygiene for the generic spider: one canonical form per page, and the
generic rules that keep a crawl away from pages that are not content.

Canonicalisation decides identity (the seen set, ``thread_url``), so it must
be cheap and stable: it runs on every outgoing link of every page. It drops the
fragment, session ids, tracking and search-highlight parameters, lower-cases
scheme and host, removes the default port and sorts the query.

The skip rules are generic word patterns (login, reply, edit, print, search,
calendar, member profiles, sort orders...), not per-engine lists: they match a
path segment, a script name (``posting.php``) or a query key/value
(``mode=reply``, ``do=newthread``, ``action=profile``).
"""
from __future__ import annotations

import functools
import re
from urllib.parse import quote, unquote, urlsplit, urlunsplit

__all__ = ["canonicalize", "skip_reason", "site_of", "host_of", "same_site", "RouteKeys"]

CACHED_URLS = 16_384  # canonical forms remembered (memory bound: a few MB)

# Query keys holding a session id (lower-cased comparison): dropped, unless the value is a path.
_SESSION_KEYS = frozenset(
    {
        "sid", "s", "phpsessid", "jsessionid", "sessionid", "session_id", "sessid",
        "sess", "aspsessionid", "cfid", "cftoken", "osCsid".lower(), "zenid", "sesc",
    }
)
# Query keys dropped from every URL (lower-cased comparison).
_DROP_KEYS = _SESSION_KEYS | frozenset(
    {
        # search-highlight and referral noise
        "highlight", "hilit", "hl", "keyword", "keywords", "ref", "referer", "referrer",
        "from", "source", "src",
        # tracking
        "fbclid", "gclid", "dclid", "msclkid", "yclid", "mc_cid", "mc_eid", "_ga", "_gl",
        "spm", "share", "igshid",
    }
)
_DROP_PREFIXES = ("utm_", "pk_", "mtm_")
# Page-number keys whose value is a template's placeholder, not a number: the first page.
_PAGE_KEYS = frozenset({"page", "pg", "pn", "paged", "pagenum", "pagenumber", "page_num", "start", "offset"})
_JUNK_VALUES = frozenset({"none", "null", "undefined", "nan", "nil", "false", ""})
# ";jsessionid=..." style path parameters
_PATH_SESSION = re.compile(r";(?:jsessionid|phpsessid|sid|sessionid)=[^/?#]*", re.I)
# ?sid=... values are also seen as a 32-hex path suffix in some engines: "&amp;sid=" is
# handled by the key list; bare 32-hex keys are left alone (they may be content ids).

_WORDS = (
    r"log-?in|log-?out|log-?on|log-?off|sign-?in|sign-?out|sign-?up|register|registration|"
    r"lost-?password|forgot(?:[-_]?(?:password|pass|pw))?|reset-?password|"
    r"reply|new-?reply|quote|post-?reply|posting|new-?post|newthread|new-?topic|"
    r"add-?(?:topic|thread|post|reply)|compose|publish|"
    r"edit|edit-?post|delete|report|flag|moderat\w*|logs?|"
    r"print|printable|printthread|print-?view|"
    r"search|advanced-?search|"
    r"calendar|events?-?calendar|"
    r"members?|memberlist|member-?list|user-?list|users?|people|profile|userinfo|"
    # a user centre (Chinese forums' 用户中心: a member's home, fans, photos) and a daily check-in
    # board (签到: who signed in today), both lists of members
    r"u-?center|user-?center|check[-_]?in|qiandao|"
    r"private-?messages?|pm|messenger|inbox|"
    r"subscribe|unsubscribe|bookmark|watch|ignore|"
    r"vote|like|react|thank|rep|reputation|rate|rating|rate-?thread|ratethread|rate-?post|rate-?topic|"
    r"rss\d*|feed|atom\d*|share|sendmessage|sendtofriend|email|mail|"
    r"attachment|captcha|cart|checkout|(?:super-?)?admin|wp-admin|wp-login|space|spacecp|misc"
)
# (a feed word may carry its format's version: ?type=rss2, /feed/rss2/, atom10)
# A skip word as a whole path segment or as a script name: /login, /member/12,
# /posting.php, /newthread.php?f=2, /index.php/profile/...; and the short profile
# path /u/<name> (Discourse, Carbon Forum, Reddit, HYBBS's /?u/ann.html: a member's activity
# stream repeats posts stored from their threads, without their authors; extractor/fields.py's
# PROFILE_HREF_RE already reads /u/ as a profile).
# (also as an action's name with "do" before it: ThinkPHP's doBookmark, doReply, doLogin)
_SEGMENT = re.compile(rf"/(?:do-?)?(?:{_WORDS})(?:[._-]?(?:php|aspx?|jsp|cgi|html?|pl))?(?=/|$|\?)"
                      r"|/u/[^/?]+/?(?:$|\?)", re.I)
# A "new <thing>" form under the collection it adds to: /message/new, /posts/new, /topics/new
# (the REST convention for a creation form). Only after a word naming posts or threads: a
# listing of the newest threads (/new, /r/python/new, /c/5/l/new) stays crawlable.
_NEW_FORM = re.compile(r"/(?:messages?|posts?|topics?|threads?|repl(?:y|ies)|comments?|discussions?|answers?)"
                       r"/new/?$", re.I)
# Query values that name such an action: mode=reply, do=newthread, action=profile, act=login
_ACTION_KEYS = {"mode", "mod", "do", "action", "act", "a", "op", "task", "func", "view", "type", "app", "module"}
# ...also as the first word of a compound value: mode=delete_cookies, do=edit-post, action=login_form,
# a=superadmin:index (an app and its page: HadSky's admin panel, linked from every profile)
_ACTION_VALUE = re.compile(rf"^(?:{_WORDS})(?:[_:-][a-z0-9]+)*$", re.I)
# A site's boilerplate (privacy policy, terms of use, imprint, the engine's FAQ): the same text
# on every site of an engine, never a discussion. Judged as a query value (ucp.php?mode=privacy,
# index.php?action=faq) or a path's last segment (/privacy, /terms.php, /help/faq, /legal/privacy-policy),
# never deeper in a path nor as a directory (/c/faq/5, /forums/faq/ are boards, /t/privacy/5 a topic).
_BOILERPLATE = (r"privacy|privacy-?policy|privacy-?statement|terms|terms-?of-?(?:use|service)|tos|"
                r"imprint|impressum|legal-?notice|cookie-?policy|faq")
_BOILERPLATE_VALUE = re.compile(rf"^(?:{_BOILERPLATE})$", re.I)
_BOILERPLATE_PATH = re.compile(rf"/(?:{_BOILERPLATE})(?:[._-]?(?:php|aspx?|jsp|cgi|html?))?$", re.I)
# Query keys that alone mean "same list, other order/filter": endless listing variants.
_VARIANT_KEYS = frozenset(
    {
        "sort", "sortby", "sort_by", "sortorder", "sort_order", "order", "orderby", "order_by",
        "dir", "direction", "sk", "sd", "st", "filter", "daysprune", "prune", "view",
        "replyto", "quote", "quotepost", "print", "printable", "reply", "edit",
        "searchid", "search_id", "q", "query", "keyword", "showuser", "uid_view",
        # a list or a thread filtered to what matches a search (esoTalk's "gambits"
        # ?search=%23sticky, a conversation's posts matching ?search=word): what it shows is
        # stored from the unfiltered pages
        "search",
        "authorid", "author_id", "ordertype", "onlyauthor", "only_author",
        # a direction flag as its own key: HadSky's "&desc=0" (oldest replies first), "&asc=1"
        "desc", "asc",
    }
)
# Query values naming a time window ("?limit=week", "?t=month", "?period=all-time", "?range=24h"):
# the same list cut to its latest entries, under any key; every entry is on the unfiltered list.
_TIME_WINDOW_VALUE = re.compile(r"^(?:(?:this|past|last)[-_+ ]?)?(?:today|yesterday|day|week|month|year|"
                                r"all|alltime|all[-_+ ]time|ever|\d{1,3}[hdwmy])$", re.I)
# Values of "view" that are harmless and common (view=thread, view=flat) are still
# variants of the same thread, so "view" stays in the variant list.
# Jump links: "the last page / first unread post / post N of this thread", which
# redirect to some page of a thread (Misago /t/slug/5/last/, /t/slug/5/post/39/;
# Spirit /comment/39/find/; XenForo /threads/x.12/unread; vBulletin ?goto=newpost;
# Discuz ?goto=lastpost). Reached that way a later page arrives without its thread's
# context, and its canonical URL is then taken, so the ordinary pagination chain can
# no longer fetch it. The thread's own page links reach every page anyway.
# A jump word only counts right after an id segment (one ending in a digit, or an id then its slug:
# esoTalk /index.php/9-slug/unread), so a listing such as /latest or /new stays crawlable.
_ID_SEGMENT = r"/(?:[^/]*\d|\d+-[^/]+)/"
_JUMP_PATH = re.compile(
    _ID_SEGMENT + r"(?:last|latest|newest|unread|first-?unread|new|last-?post|new-?post|find|find-?post|goto|jump)/?$"
    r"|" + _ID_SEGMENT + r"(?:posts?|comments?|replies)/\d+/?$",
    re.I,
)
# ...and as a query key: ?goto=newpost, or ?post=87 on a thread URL (the page holding post 87).
_JUMP_KEYS = frozenset({"goto", "jump", "jumpto", "findpost", "getlastpost", "getnewpost", "post", "postid", "post_id"})
_SKIP_EXTENSIONS = re.compile(
    r"\.(?:jpe?g|png|gif|webp|bmp|svg|ico|tiff?|css|js|mjs|json|xml|rss|atom|"
    r"pdf|docx?|xlsx?|pptx?|odt|zip|rar|7z|gz|tgz|bz2|xz|tar|exe|dmg|apk|msi|iso|"
    r"mp3|mp4|m4a|avi|mov|wmv|flv|webm|ogg|wav|woff2?|ttf|eot|torrent)$",
    re.I,
)


@functools.lru_cache(maxsize=CACHED_URLS)
def canonicalize(url: str) -> str:
    """The canonical form of ``url``: what the spider uses as a page's identity.

    >>> canonicalize("HTTP://Example.COM:80/t/1?utm_source=x&b=2&a=1&sid=abc#p5")
    'http://example.com/t/1?a=1&b=2'

    Remembered for the last :data:`CACHED_URLS` URLs: a page's navigation, board and
    pager links are on many pages, and every one is canonicalised several times (its
    discovery, its request, its response, its pagination aliases).
    """
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    netloc = parts.netloc.lower()
    if "@" in netloc:  # drop credentials
        netloc = netloc.rsplit("@", 1)[1]
    if scheme == "http" and netloc.endswith(":80"):
        netloc = netloc[:-3]
    elif scheme == "https" and netloc.endswith(":443"):
        netloc = netloc[:-4]
    path = parts.path or "/"
    if ";" in path:
        path = _PATH_SESSION.sub("", path)
    if "%" in path or " " in path:
        path = quote(unquote(path), safe="/:@!$&'()*+,;=~-._")
    query = parts.query
    if query:
        query = _canonical_query(query, _path_id(path))
    return urlunsplit((scheme, netloc, path, query, ""))


_PATH_ID = re.compile(r"/(\d+)((?:-[^/]*)?)/?$")


def _path_id(path: str) -> tuple[str, ...]:
    """The forms of the id the path ends in (``/d/8-slug``: ``8-slug`` and ``8``), or ()."""
    found = _PATH_ID.search(path)
    if not found:
        return ()
    return (found.group(1) + found.group(2), found.group(1)) if found.group(2) else (found.group(1),)


def _canonical_query(query: str, path_id: tuple[str, ...] = ()) -> str:
    """Sorted, without session and tracking keys; an ``id`` repeating the id the path ends in
    (``/d/8?id=8&page=2``: a URL builder echoing its route's parameter) is dropped too."""
    kept = []
    for pair in query.replace(";", "&").split("&"):
        if not pair:
            continue
        key, eq, value = pair.partition("=")
        lowered = key.lower()
        if lowered in _DROP_KEYS or lowered.startswith(_DROP_PREFIXES):
            if not (lowered in _SESSION_KEYS and _is_path(value)):
                continue
            # (a session key whose value is a path is the page's route: ThinkPHP's compatibility-mode
            # URLs ``index.php?s=/forum/index/detail/id/32.html``; no session id holds a "/")
        if "%" in pair or " " in pair or "+" in value:
            key = quote(unquote(key), safe="-._~!$'()*,:@/?")
            value = quote(unquote(value.replace("+", " ")), safe="-._~!$'()*,:@/?")
        if lowered in _PAGE_KEYS and value.lower() in _JUNK_VALUES:
            continue  # "?page=None", "?page=undefined": a broken pager's link to the first page
        if lowered == "id" and value in path_id:
            continue
        kept.append((key, value, bool(eq)))
    kept.sort()
    return "&".join(f"{k}={v}" if has_eq else k for k, v, has_eq in kept)


def _is_path(value: str) -> bool:
    """A query value naming a path (``/forum/index/detail/id/32.html``, ``%2Fforum%2Findex``), not a token."""
    return "/" in value or "%2f" in value.lower()


def skip_reason(url: str) -> str | None:
    """Why the spider should not fetch ``url`` (a short word), or None to fetch it.

    Applied to canonical URLs. Reasons: ``scheme``, ``file-type``, ``action`` (login,
    reply, edit, print, search, calendar, member pages...), ``variant`` (sort order,
    filters, search ids: the same content again), ``jump`` (a "last post", "first
    unread" or "post N" link redirecting into some page of a thread), ``boilerplate``
    (privacy policy, terms of use, imprint, FAQ).
    """
    if not url.startswith(("http://", "https://")):
        return "scheme"
    try:
        parts = urlsplit(url)
    except ValueError:
        return "scheme"
    path = parts.path
    if _SKIP_EXTENSIONS.search(path):
        return "file-type"
    route, params = _route_path(parts.query), parts.query
    if route:  # (what follows the route: "?t/1.html?order=desc", "?/people/ann&page=2")
        params = re.split(r"[?&]", parts.query.lstrip("/"), maxsplit=1)[1:2]
        params = params[0] if params else ""
    for where in (path, route) if route else (path,):
        reason = _path_reason(where)
        if reason:
            return reason
    if params:
        for pair in params.split("&"):
            key, _, value = pair.partition("=")
            key = key.lower()
            if key in _JUMP_KEYS:
                return "jump"
            if key in _ACTION_KEYS and _ACTION_VALUE.match(value):
                return "action"
            if _ACTION_QUERY_NAME.match(key):
                return "action"
            if key in _ACTION_KEYS and _BOILERPLATE_VALUE.match(value):
                return "boilerplate"
            if key in _VARIANT_KEYS or _VARIANT_QUERY_NAME.match(key):
                return "variant"
            if key not in _PAGE_KEYS and _TIME_WINDOW_VALUE.match(value):
                return "variant"
            if not value and _ACTION_VALUE.match(key):  # "index.php?login", "?action"-less forms
                return "action"
            if _SCRIPT_VALUE.match(value) and _path_reason("/" + urlsplit(unquote(value)).path.lstrip("/")) == "action":
                # a frameset opening an action page ("index.php?final_uri=logon.php%3Fwebtag%3DX")
                return "action"
    return None


# A query value naming a script or a path to open (a frameset's or a wrapper's target).
_SCRIPT_VALUE = re.compile(r"^(?:/|%2F|[\w-]+\.(?:php|aspx?|jsp|cgi)\b)", re.I)


def _path_reason(where: str) -> str | None:
    """Why the path ``where`` (a URL's, or the one a front controller reads from its query)
    names no page to fetch: ``action``, ``boilerplate``, ``jump``, ``variant``; or None."""
    if _SEGMENT.search(where) or _NEW_FORM.search(where):
        return "action"
    if _BOILERPLATE_PATH.search(where):
        return "boilerplate"
    if _JUMP_PATH.search(where):
        return "jump"
    if any(_is_variant_segment(segment) for segment in where.split("/")):
        return "variant"
    return None


# Sort and order parameters under names of an engine's own: sort_key, sort_type, orderby...
_VARIANT_NAME = re.compile(r"^(?:sort|order)(?:_?\w*)$", re.I)
# ...and as a query key: orderfield=zannum (HadSky's "most liked first"), sortfield=, order_dir=;
# only with a word after "sort"/"order", so "sorted" or "orders" (a shop's) need their own entry.
_VARIANT_QUERY_NAME = re.compile(r"^(?:sort|order)_?(?:by|field|key|type|dir|direction|mode|way)$", re.I)
# A parameter naming the post a reply or quote form is for: post.php?reply_to=3.2, ?quote_list=7,
# ?replyto_post=9 (the form under another script name than the skip words)
_ACTION_QUERY_NAME = re.compile(r"^(?:reply|quote)[_-]?(?:to|list|ids?|posts?|msg|message)$", re.I)
# One "name-value" parameter of a path segment: "sort_key-add_time", "id-8", "page-2"
_SEGMENT_PARAM = re.compile(r"^([a-z][a-z0-9]*(?:_[a-z0-9]+)*)-(.+)$", re.I)


def _route_path(query: str) -> str | None:
    """The path a front controller reads from the query string (``index.php?/question/8``,
    ``/?/people/ann``, ``/?user/login.html``, ``/?t/3/2.html``), or None: a query whose first
    part names no key and opens with ``/``, or holds one (a bare ``?login`` is a key, not a path),
    is a path, and the skip rules for paths apply to it."""
    first = query.split("&", 1)[0].split("?", 1)[0]
    if "=" in first or "/" not in first:
        return None
    return first if first.startswith("/") else "/" + first


def _is_variant_segment(segment: str) -> bool:
    """Whether a path segment carries its page's parameters (``id-8__sort_key-add_time__sort-ASC``,
    ``sort_type-hot__day-7``) and one of them orders or filters a list: the same posts again.

    Parameters in a segment are ``name-value`` parts joined by ``__``; a segment without ``__``
    counts only as one such part when its name has an underscore (``sort_type-new``; a slug
    such as ``filter-coffee`` is no parameter)."""
    if "-" not in segment:
        return False
    parts = segment.split("__")
    if len(parts) == 1 and "_" not in segment.partition("-")[0]:
        return False
    params = [_SEGMENT_PARAM.match(part) for part in parts]
    if not all(params):
        return False
    return any(m.group(1).lower() in _VARIANT_KEYS or _VARIANT_NAME.match(m.group(1)) for m in params)


# A query value only a route can hold: "?qa=register", "?r=site/login", "?page=login". The key
# holding it routes the site's pages (one script, "index.php?<key>=<page>"), whatever its name.
_ROUTE_MARK = re.compile(r"^(?:log-?in|log-?out|sign-?in|sign-?out|sign-?up|register|registration)$", re.I)
# Besides the skip words, what a routing key's value names on question-and-answer sites: the
# "ask a question" form (the new-thread form of a Q&A site).
_ROUTE_ACTION = re.compile(rf"^(?:{_WORDS}|ask|ask-?question)$", re.I)


_HTML_SUFFIX = re.compile(r"\.html?$", re.I)


def _sorted_by_route(routed: str) -> bool:
    """Whether a route names its parameters as ``name/value`` segments (ThinkPHP's ``/forum/index/forum/
    id/4/order/ctime.html``) and one of them sorts the list: the same entries again, in another order."""
    segments = [s for s in _HTML_SUFFIX.sub("", routed).split("/") if s]
    return any(_VARIANT_NAME.match(name) and not value.isdigit()
               for name, value in zip(segments[3:], segments[4:]))


class RouteKeys:
    """The query keys that route one site's pages, learned from the site's own links.

    Engines served by one script name their pages in a query value (``index.php?qa=user&qa_1=ann``,
    ``?qa=feed``, ``?q=user/5``) under a key of their own choosing, so :func:`skip_reason`'s
    list of action keys cannot know it. A key seen holding a login or registration route is
    such a key, and so is a short key (or ``route``) holding a path of three segments or more
    (``?s=/forum/index/index.html``); its other values are then judged like path segments
    (member pages, feeds, forms are skipped; ``?qa=questions`` or ``?qa=52`` are kept).
    """

    def __init__(self) -> None:
        self.keys: set[str] = set()

    def learn(self, url: str) -> None:
        """Note the keys of ``url`` whose value names a login or registration route."""
        query = url.partition("?")[2].partition("#")[0]
        if not query:
            return
        for pair in query.split("&"):
            key, _, value = pair.partition("=")
            parts = value.split("%2F" if "%2F" in value else "/")
            # (a segment may carry a pseudo-static suffix: ThinkPHP's ?s=/ucenter/member/login.html)
            if value and any(_ROUTE_MARK.match(_HTML_SUFFIX.sub("", part)) for part in parts):
                self.keys.add(key.lower())
            elif (len(key) <= 2 or key.lower() == "route") and value[:1] == "/" \
                    and sum(1 for part in parts if part) >= 3:
                # a front controller's route under a short key (ThinkPHP ?s=/forum/index/index.html,
                # Yii ?r=/site/page/x, Drupal ?q=/node/5/edit): module, controller, action; a page
                # without a login link (one shown by script) teaches it so
                self.keys.add(key.lower())

    def refusal(self, url: str) -> str | None:
        """Why a routing key of ``url`` names no page to fetch (``"action"`` for an action page),
        else None. A value that is a whole path (``index.php?p=/profile/3/ann``,
        ``?p=/home/termsofservice``, ``?p=/categories/general/feed.rss``: the front controller's
        path in a key) is judged as the path it is: its every segment, as :func:`skip_reason`
        judges a URL's path (``action``, ``boilerplate``, ``jump``, ``variant``, ``file-type``)."""
        if not self.keys:
            return None
        query = url.partition("?")[2].partition("#")[0]
        for pair in query.split("&"):
            key, _, value = pair.partition("=")
            if key.lower() in self.keys and value:
                if value.startswith("/") or value[:3].upper() == "%2F":
                    routed = unquote(value)
                    reason = "file-type" if _SKIP_EXTENSIONS.search(routed) else _path_reason(routed)
                    if reason:
                        return reason
                    if _sorted_by_route(routed):
                        return "variant"
                    continue
                first = value.split("%2F" if "%2F" in value else "/", 1)[0]
                if _ROUTE_ACTION.match(first) or _ROUTE_MARK.match(first):
                    return "action"
        return None


# A path segment with a pseudo-static suffix (ThinkPHP's URL_HTML_SUFFIX: ``/uid/104.html``)
_PAGE_SUFFIX = re.compile(r"^\d+\.html?$", re.I)


_PARAM_NAME = re.compile(r"^[a-z][a-z_]*$", re.I)


def _member_tail(rest: str, key: str) -> bool:
    """Whether ``rest`` (below a controller's folder) is an action whose last parameter is
    ``key`` with a numeric member id: ``fans/uid/104.html``, ``applist/type/weibo/uid/104``."""
    parts = rest.rstrip("/").split("/")
    if len(parts) < 3 or parts[-2].lower() != key.lower():
        return False
    member = parts[-1].rpartition(".")[0] if _PAGE_SUFFIX.match(parts[-1]) else parts[-1]
    return member.isdigit()


def _routed_path(parts) -> str:
    """The path naming a page: its URL's, or, where a front controller reads its route from a query
    value that is a path (ThinkPHP's ``index.php?s=/ucenter/index/index/uid/104.html``), the script
    with that key and route (``/index.php?s=/ucenter/index/index/uid/104.html``): its folders are
    folders as a path's are."""
    for pair in parts.query.split("&") if parts.query else ():
        key, eq, value = pair.partition("=")
        if eq and (value.startswith("/") or value[:3].upper() == "%2F"):
            return f"{parts.path}?{key}={unquote(value)}"
    return parts.path


class ProfileAreas:
    """The folders one site keeps its member pages in, learned from its thread pages' author links.

    A thread page names each post's author, and links the name to the author's page: a profile, an
    activity stream (the posts stored from their threads once more, without their thread). Engines
    name that folder as they like (``/participant/ann/``, ``/gebruiker/ann/``), so the skip words
    cannot know it. A folder below the site root that holds the name links of two different authors,
    the author's own segment last, is such a folder: the pages under it (``/participant/ann/``,
    ``/participant/ann/activity/paged/2/``) are refused as ``profile``. A folder the thread page
    itself lies in (``/t/ann/5`` linked as a name) is never learned.
    """

    def __init__(self) -> None:
        self.folders: set[str] = set()
        self._authors: dict[str, dict[str, str]] = {}  # folder -> {member segment: author name}
        # (controller folder, member key): its actions ending in "/key/<id>" are member pages
        self.member_keys: set[tuple[str, str]] = set()
        # query-routed member pages: (path, key) -> {value: author name}; learned ones as "path?key"
        self.scripts: set[tuple[str, str]] = set()
        self._script_authors: dict[tuple[str, str], dict[str, str]] = {}

    def learn(self, page_url: str, links, authors) -> str | None:
        """Note the links among ``links`` (``.url``, ``.text``) that name one of ``authors``;
        the folder learned with them, if this page taught one."""
        names = {a.strip() for a in authors if a and a.strip()}
        if not names:
            return None
        here = _routed_path(urlsplit(page_url))
        taught = None
        for link in links:
            if link.text.strip() not in names:
                continue
            parts = urlsplit(link.url)
            path = _routed_path(parts)
            if parts.query and path == parts.path:
                taught = self._learn_script(parts, here, link.text.strip()) or taught
                continue
            if not path:
                continue
            path = path.rstrip("/")
            folder, _, member = path.rpartition("/")
            if _PAGE_SUFFIX.match(member):
                member = member.rpartition(".")[0]  # (a pseudo-static suffix: /uid/104.html)
            if not folder or not member or "." in member or here.startswith(folder + "/"):
                continue          # (the site root, a script, the thread's own folder: no member area)
            folder += "/"
            if folder in self.folders:
                continue
            seen = self._authors.setdefault(folder, {})
            if len(self._authors) > 200 or len(seen) > 50:
                continue          # memory bound
            seen.setdefault(member, link.text.strip())
            if len(set(seen.values())) >= 2 and len(seen) >= 2:
                self.folders.add(folder)
                del self._authors[folder]
                self._learn_member_key(folder, seen)
                taught = folder
        return taught

    def _learn_member_key(self, folder: str, members: dict[str, str]) -> None:
        """A folder ending in a parameter name over numeric members (``.../index/index/uid/`` + ``104``:
        a route's ``module/controller/action/key/value``): the member's other pages are the same
        controller's other actions with the same key (``.../index/fans/uid/104``,
        ``.../index/applist/type/weibo/uid/104``)."""
        parts = folder.rstrip("/").split("/")
        if len(parts) < 5 or not _PARAM_NAME.match(parts[-1]) or not all(m.isdigit() for m in members):
            return
        self.member_keys.add(("/".join(parts[:-2]) + "/", parts[-1]))

    def _learn_script(self, parts, here: str, name: str) -> str | None:
        """A name link to a script with a query (``user_profile.php?uid=4``): the script is a member
        page once the name links of two different authors reach it under one numeric key with
        different values. Never the thread page's own script (``viewtopic.php?u=`` beside ``?t=``)."""
        if parts.path == here or not parts.path:
            return None
        numeric = [(k, v) for k, _, v in (pair.partition("=") for pair in parts.query.split("&")) if v.isdigit()]
        if len(numeric) != 1:
            return None
        key = (parts.path, numeric[0][0].lower())
        if key in self.scripts:
            return None
        seen = self._script_authors.setdefault(key, {})
        if len(self._script_authors) > 200 or len(seen) > 50:
            return None           # memory bound
        seen.setdefault(numeric[0][1], name)
        if len(set(seen.values())) >= 2 and len(seen) >= 2:
            self.scripts.add(key)
            del self._script_authors[key]
            return f"{key[0]}?{key[1]}="
        return None

    def refusal(self, url: str) -> str | None:
        """``"profile"`` when ``url`` lies below a learned member folder, or is a learned member
        script with its member key, else None."""
        if not self.folders and not self.scripts:
            return None
        parts = urlsplit(url)
        path = parts.path
        routed = _routed_path(parts)
        for folder in self.folders:
            if routed.startswith(folder) and len(routed) > len(folder):
                return "profile"
        for controller, key in self.member_keys:
            if routed.startswith(controller) and _member_tail(routed[len(controller):], key):
                return "profile"
        if self.scripts and parts.query:
            keys = {pair.partition("=")[0].lower() for pair in parts.query.split("&")}
            if any((path, key) in self.scripts for key in keys):
                return "profile"
        return None


def host_of(url: str) -> str:
    """The lower-case host[:port] of ``url``."""
    return urlsplit(url).netloc.lower().rsplit("@", 1)[-1]


def site_of(url: str) -> str:
    """The site key of ``url``: ``scheme://host[:port]`` (canonical)."""
    parts = urlsplit(canonicalize(url))
    return f"{parts.scheme}://{parts.netloc}"


def base_domain(host: str) -> str:
    """A host's registrable-looking domain, without a public-suffix list.

    ``forum.example.com`` -> ``example.com``; ``bbs.example.com.cn`` -> ``example.com.cn``.
    An IP address or a two-label host is returned unchanged (port dropped).
    """
    host = host.split(":", 1)[0]
    labels = host.split(".")
    if len(labels) <= 2 or host.replace(".", "").isdigit():
        return host
    # second-level public suffixes such as com.cn, co.uk, org.au
    if len(labels[-1]) == 2 and labels[-2] in {"com", "co", "org", "net", "gov", "edu", "ac", "or", "ne"}:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def same_site(url: str, host: str, *, same_domain: bool = False) -> bool:
    """Whether ``url`` stays on ``host`` (or on its domain with ``same_domain``)."""
    other = host_of(url)
    if other == host:
        return True
    if not same_domain:
        return False
    base = base_domain(host)
    other_host = other.split(":", 1)[0]
    return other_host == base or other_host.endswith("." + base)
