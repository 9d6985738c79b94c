"""A small forum model rendered in the markup of several common forum engines.

One site, four sections, each drawn the way a popular engine draws its pages
(phpBB-like, vBulletin-like, XenForo-like, and a Discuz!-like Chinese section
served in GBK), with boards whose topic lists and threads span several pages.
The markup is written from how those engines' pages look, not copied from them.

Used twice: ``forumcrawl demo`` serves pages rendered once into static files
(:func:`render_site`), and the end-to-end tests serve a :class:`Forum` they
mutate between crawls (edit a post, add a reply).
"""
from __future__ import annotations

import html
import random
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

STYLES = ("phpbb", "vbulletin", "xenforo", "discuz")
PREFIX = {"phpbb": "/community", "vbulletin": "/vb", "xenforo": "/xf", "discuz": "/bbs"}
SECTION_NAME = {
    "phpbb": "Community board",
    "vbulletin": "Classic forums",
    "xenforo": "Modern forums",
    "discuz": "中文论坛",
}


@dataclass
class Post:
    id: int
    author: str
    text: str               # paragraphs separated by blank lines
    posted: datetime
    quote: tuple[str, str] | None = None   # (author, quoted text), shown above the text


@dataclass
class Thread:
    id: int
    title: str
    posts: list[Post] = field(default_factory=list)


@dataclass
class Board:
    id: int
    style: str
    name: str
    description: str
    threads: list[Thread] = field(default_factory=list)


@dataclass
class Forum:
    """The whole site's content; the page sizes decide how content splits into pages."""

    name: str
    boards: list[Board]
    posts_per_page: int = 10
    threads_per_page: int = 6
    #: Also serve (and link from the home page) responses a crawler must skip: a PDF, a
    #: page larger than ``odd_page_bytes``, and binary bytes labelled text/html.
    odd_pages: bool = False
    odd_page_bytes: int = 400_000
    _next_post_id: int = 0

    # -- mutation (tests) ---------------------------------------------------------------------
    def thread(self, thread_id: int) -> tuple[Board, Thread]:
        for board in self.boards:
            for thread in board.threads:
                if thread.id == thread_id:
                    return board, thread
        raise KeyError(thread_id)

    def edit_post(self, thread_id: int, position: int, text: str) -> Post:
        post = self.thread(thread_id)[1].posts[position - 1]
        post.text = text
        return post

    def add_reply(self, thread_id: int, author: str, text: str, posted: datetime) -> Post:
        self._next_post_id = max(self._next_post_id, *(p.id for _, t in self.all_threads() for p in t.posts)) + 1
        post = Post(self._next_post_id, author, text, posted)
        self.thread(thread_id)[1].posts.append(post)
        return post

    def all_threads(self):
        for board in self.boards:
            for thread in board.threads:
                yield board, thread

    # -- URLs ---------------------------------------------------------------------------------
    def board_url(self, board: Board, page: int = 1) -> str:
        p = PREFIX[board.style]
        if board.style == "phpbb":
            start = (page - 1) * self.threads_per_page
            return f"{p}/viewforum.php?f={board.id}" + (f"&start={start}" if page > 1 else "")
        if board.style == "vbulletin":
            return f"{p}/forumdisplay.php?f={board.id}" + (f"&page={page}" if page > 1 else "")
        if board.style == "xenforo":
            return f"{p}/forums/{_slug(board.name)}.{board.id}/" + (f"page-{page}" if page > 1 else "")
        return f"{p}/forum.php?mod=forumdisplay&fid={board.id}" + (f"&page={page}" if page > 1 else "")

    def thread_url(self, board: Board, thread: Thread, page: int = 1) -> str:
        p = PREFIX[board.style]
        if board.style == "phpbb":
            start = (page - 1) * self.posts_per_page
            return f"{p}/viewtopic.php?t={thread.id}" + (f"&start={start}" if page > 1 else "")
        if board.style == "vbulletin":
            return f"{p}/showthread.php?t={thread.id}" + (f"&page={page}" if page > 1 else "")
        if board.style == "xenforo":
            return f"{p}/threads/{_slug(thread.title)}.{thread.id}/" + (f"page-{page}" if page > 1 else "")
        return f"{p}/forum.php?mod=viewthread&tid={thread.id}" + (f"&page={page}" if page > 1 else "")

    def thread_pages(self, thread: Thread) -> int:
        return max(1, -(-len(thread.posts) // self.posts_per_page))

    def board_pages(self, board: Board) -> int:
        return max(1, -(-len(board.threads) // self.threads_per_page))

    def expected_posts(self) -> list[dict]:
        """Every post as the crawler should store it (thread_url is the path of page 1)."""
        out = []
        for board, thread in self.all_threads():
            for position, post in enumerate(thread.posts, 1):
                out.append({
                    "thread_path": self.thread_url(board, thread), "thread_title": thread.title,
                    "position": position, "post_id": post.id, "author": post.author,
                    "text": " ".join(post.text.split()), "posted": post.posted, "style": board.style,
                    "page_number": (position - 1) // self.posts_per_page + 1,
                })
        return out

    # -- routing ------------------------------------------------------------------------------
    def route(self, path_qs: str) -> tuple[int, str, bytes]:
        """(status, content type, body) for a request path with its query."""
        parts = urlsplit(path_qs)
        path, query = parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()}
        if path in ("/", "/index.html"):
            return self._html(200, self.render_home(), "utf-8")
        if self.odd_pages and path.startswith("/files/"):
            return self._odd(path)
        if path == "/robots.txt":
            return 200, "text/plain", b"User-agent: *\nDisallow: /search.php\nDisallow: /private/\n"
        for style, prefix in PREFIX.items():
            if path.startswith(prefix + "/"):
                found = self._route_style(style, path[len(prefix):], query)
                if found is not None:
                    body, encoding = found
                    return self._html(200, body, encoding)
        return 404, "text/html; charset=utf-8", b"<html><body><h1>Not found</h1></body></html>"

    def _odd(self, path: str) -> tuple[int, str, bytes]:
        if path == "/files/rules":
            return 200, "application/pdf", b"%PDF-1.4\n" + bytes(range(256)) * 8
        if path == "/files/archive.html":
            filler = "<p>" + "archived words " * 40 + "</p>"
            body = "<html><body>" + filler * (self.odd_page_bytes // len(filler) + 1) + "</body></html>"
            return 200, "text/html; charset=utf-8", body.encode()
        if path == "/files/broken.html":
            return 200, "text/html", b"\x00\x01\x02\xff\xfe garbage " + bytes(range(256)) * 16
        return 404, "text/html; charset=utf-8", b"<html><body><h1>Not found</h1></body></html>"

    def _html(self, status: int, text: str, encoding: str) -> tuple[int, str, bytes]:
        # GBK pages declare their charset in a <meta> only, as many Chinese sites do.
        ctype = "text/html" if encoding != "utf-8" else "text/html; charset=utf-8"
        return status, ctype, text.encode(encoding, "xmlcharrefreplace")

    def _route_style(self, style: str, rest: str, q: dict[str, str]):
        enc = "gbk" if style == "discuz" else "utf-8"
        boards = {b.id: b for b in self.boards if b.style == style}
        threads = {t.id: (b, t) for b in boards.values() for t in b.threads}
        try:
            if style == "phpbb":
                if rest == "/viewforum.php" and int(q["f"]) in boards:
                    return self.render_board(boards[int(q["f"])], int(q.get("start", 0)) // self.threads_per_page + 1), enc
                if rest == "/viewtopic.php" and int(q["t"]) in threads:
                    page = int(q.get("start", 0)) // self.posts_per_page + 1
                    return self.render_thread(*threads[int(q["t"])], page), enc
            elif style == "vbulletin":
                if rest == "/forumdisplay.php" and int(q["f"]) in boards:
                    return self.render_board(boards[int(q["f"])], int(q.get("page", 1))), enc
                if rest == "/showthread.php" and int(q["t"]) in threads:
                    return self.render_thread(*threads[int(q["t"])], int(q.get("page", 1))), enc
            elif style == "xenforo":
                m = re.fullmatch(r"/(forums|threads)/[\w-]*\.(\d+)/(?:page-(\d+))?", rest)
                if m:
                    page = int(m.group(3) or 1)
                    if m.group(1) == "forums" and int(m.group(2)) in boards:
                        return self.render_board(boards[int(m.group(2))], page), enc
                    if m.group(1) == "threads" and int(m.group(2)) in threads:
                        return self.render_thread(*threads[int(m.group(2))], page), enc
            elif rest == "/forum.php":
                if q.get("mod") == "forumdisplay" and int(q["fid"]) in boards:
                    return self.render_board(boards[int(q["fid"])], int(q.get("page", 1))), enc
                if q.get("mod") == "viewthread" and int(q["tid"]) in threads:
                    return self.render_thread(*threads[int(q["tid"])], int(q.get("page", 1))), enc
        except (KeyError, ValueError):
            return None
        return None

    # -- pages --------------------------------------------------------------------------------
    def render_home(self) -> str:
        sections = []
        for style in STYLES:
            items = "".join(
                f'<li class="forum"><a class="forumtitle" href="{self.board_url(b)}">{_e(b.name)}</a>'
                f'<p class="desc">{_e(b.description)}</p><span class="stats">{len(b.threads)} topics</span></li>'
                for b in self.boards if b.style == style
            )
            if items:
                sections.append(f'<section class="category"><h2>{_e(SECTION_NAME[style])}</h2><ul>{items}</ul></section>')
        body = "".join(sections)
        if self.odd_pages:
            body += ('<aside class="downloads"><a href="/files/rules">Forum rules (PDF)</a> '
                     '<a href="/files/archive.html">Old archive</a> <a href="/files/broken.html">Broken page</a></aside>')
        return _page(self.name, self.name, body, "utf-8", self._chrome_links())

    def _chrome_links(self) -> str:
        return (
            '<a href="/">Home</a> <a href="/search.php">Search</a> <a href="/community/memberlist.php">Members</a> '
            '<a href="/community/ucp.php?mode=login">Login</a> <a href="/community/ucp.php?mode=register">Register</a> '
            '<a href="/vb/calendar.php">Calendar</a>'
        )

    def render_board(self, board: Board, page: int) -> str:
        pages = self.board_pages(board)
        if not 1 <= page <= pages:
            raise KeyError(page)
        per = self.threads_per_page
        shown = board.threads[(page - 1) * per: page * per]
        render = {"phpbb": self._board_phpbb, "vbulletin": self._board_vb,
                  "xenforo": self._board_xf, "discuz": self._board_dz}[board.style]
        body = render(board, shown, page, pages)
        title = board.name + (f" - Page {page}" if page > 1 else "")
        return _page(f"{title} - {self.name}", board.name, body, _charset(board.style), self._chrome_links())

    def render_thread(self, board: Board, thread: Thread, page: int) -> str:
        pages = self.thread_pages(thread)
        if not 1 <= page <= pages:
            raise KeyError(page)
        per = self.posts_per_page
        first = (page - 1) * per
        shown = list(enumerate(thread.posts[first: first + per], first + 1))
        render = {"phpbb": self._thread_phpbb, "vbulletin": self._thread_vb,
                  "xenforo": self._thread_xf, "discuz": self._thread_dz}[board.style]
        body = render(board, thread, shown, page, pages)
        crumbs = f'<div class="breadcrumbs"><a href="/">{_e(self.name)}</a> › <a href="{self.board_url(board)}">{_e(board.name)}</a></div>'
        return _page(f"{thread.title} - {board.name} - {self.name}", None, crumbs + body,
                     _charset(board.style), self._chrome_links())

    def _pager(self, style: str, url, page: int, pages: int) -> str:
        """Pagination in each engine's way; url(n) gives page n's URL."""
        if pages <= 1:
            return ""
        if style == "phpbb":
            items = "".join(
                f'<li class="active"><span>{n}</span></li>' if n == page else f'<li><a class="button" href="{_e(url(n))}" role="button">{n}</a></li>'
                for n in range(1, pages + 1)
            )
            prev = f'<li class="arrow previous"><a class="button button-icon-only" href="{_e(url(page - 1))}" rel="prev" role="button">Previous</a></li>' if page > 1 else ""
            nxt = f'<li class="arrow next"><a class="button button-icon-only" href="{_e(url(page + 1))}" rel="next" role="button">Next</a></li>' if page < pages else ""
            return f'<div class="pagination">Page <strong>{page}</strong> of <strong>{pages}</strong><ul>{prev}{items}{nxt}</ul></div>'
        if style == "vbulletin":
            items = "".join(
                f'<span class="selected"><a href="javascript://" title="Results">{n}</a></span>' if n == page
                else f'<span><a href="{_e(url(n))}" title="Show results">{n}</a></span>'
                for n in range(1, pages + 1)
            )
            prev = f'<span class="prev_next"><a rel="prev" href="{_e(url(page - 1))}" title="Prev Page">&lt;</a></span>' if page > 1 else ""
            nxt = f'<span class="prev_next"><a rel="next" href="{_e(url(page + 1))}" title="Next Page">&gt;</a></span>' if page < pages else ""
            return f'<div class="pagination_top"><form class="pagination popupmenu nohovermenu"><span><a href="javascript://" class="popupctrl">Page {page} of {pages}</a></span>{prev}{items}{nxt}</form></div>'
        if style == "xenforo":
            items = "".join(
                f'<li class="pageNav-page pageNav-page--current"><a href="{_e(url(n))}">{n}</a></li>' if n == page
                else f'<li class="pageNav-page"><a href="{_e(url(n))}">{n}</a></li>'
                for n in range(1, pages + 1)
            )
            prev = f'<a href="{_e(url(page - 1))}" class="pageNav-jump pageNav-jump--prev">Prev</a>' if page > 1 else ""
            nxt = f'<a href="{_e(url(page + 1))}" class="pageNav-jump pageNav-jump--next">Next</a>' if page < pages else ""
            return f'<nav class="pageNavWrapper"><div class="pageNav">{prev}<ul class="pageNav-main">{items}</ul>{nxt}</div></nav>'
        items = "".join(
            f"<strong>{n}</strong>" if n == page else f'<a href="{_e(url(n))}">{n}</a>' for n in range(1, pages + 1)
        )
        prev = f'<a href="{_e(url(page - 1))}" class="prev">上一页</a>' if page > 1 else ""
        nxt = f'<a href="{_e(url(page + 1))}" class="nxt">下一页</a>' if page < pages else ""
        return f'<div class="pg">{prev}{items}<label><span title="共 {pages} 页"> / {pages} 页</span></label>{nxt}</div>'

    # phpBB-like -------------------------------------------------------------------------------
    def _board_phpbb(self, board, shown, page, pages):
        rows = []
        for t in shown:
            last = t.posts[-1]
            jump = ""
            if self.thread_pages(t) > 1:
                jump = '<div class="pagination"><ul>' + "".join(
                    f'<li><a class="button" href="{_e(self.thread_url(board, t, n))}">{n}</a></li>'
                    for n in range(1, self.thread_pages(t) + 1)) + "</ul></div>"
            rows.append(
                f'<li class="row bg{1 + len(rows) % 2}"><dl class="row-item topic_read"><dt><div class="list-inner">'
                f'<a href="{_e(self.thread_url(board, t))}" class="topictitle">{_e(t.title)}</a>{jump}'
                f'<div class="topic-poster">by <a href="{PREFIX[board.style]}/memberlist.php?mode=viewprofile&amp;u={_uid(t.posts[0].author)}" class="username">{_e(t.posts[0].author)}</a> » {_en_date(t.posts[0].posted)}</div>'
                f'</div></dt><dd class="posts">{len(t.posts) - 1} <dfn>Replies</dfn></dd><dd class="views">{17 * t.id} <dfn>Views</dfn></dd>'
                f'<dd class="lastpost"><span><dfn>Last post </dfn>by <a class="username" href="{PREFIX[board.style]}/memberlist.php?mode=viewprofile&amp;u={_uid(last.author)}">{_e(last.author)}</a><br>{_en_date(last.posted)}</span></dd></dl></li>'
            )
        pager = self._pager("phpbb", lambda n: self.board_url(board, n), page, pages)
        new = f'<a href="{PREFIX[board.style]}/posting.php?mode=post&amp;f={board.id}" class="button">New Topic</a>'
        return (f'<h2 class="forum-title">{_e(board.name)}</h2><div class="action-bar">{new}{pager}</div>'
                f'<div class="forumbg"><ul class="topiclist"><li class="header"><dl><dt>Topics</dt><dd class="posts">Replies</dd><dd class="views">Views</dd><dd class="lastpost">Last post</dd></dl></li></ul>'
                f'<ul class="topiclist topics">{"".join(rows)}</ul></div><div class="action-bar">{pager}</div>')

    def _thread_phpbb(self, board, thread, shown, page, pages):
        p = PREFIX[board.style]
        out = []
        for position, post in shown:
            quote = ""
            if post.quote:
                quote = f'<blockquote><div><cite>{_e(post.quote[0])} wrote:</cite>{_e(post.quote[1])}</div></blockquote>'
            sig = ""
            if _uid(post.author) % 3 == 0:
                sig = f'<div id="sig{post.id}" class="signature">{_e(post.author)} — sent from my desk</div>'
            subject = thread.title if position == 1 else f"Re: {thread.title}"
            out.append(
                f'<div id="p{post.id}" class="post has-profile bg{1 + position % 2}"><div class="inner">'
                f'<dl class="postprofile" id="profile{post.id}"><dt class="has-profile-rank"><a href="{p}/memberlist.php?mode=viewprofile&amp;u={_uid(post.author)}" class="username">{_e(post.author)}</a></dt>'
                f'<dd class="profile-rank">Member</dd><dd class="profile-posts"><strong>Posts:</strong> {40 + _uid(post.author)}</dd></dl>'
                f'<div class="postbody"><div id="post_content{post.id}"><h3><a href="#p{post.id}">{_e(subject)}</a></h3>'
                f'<ul class="post-buttons"><li><a href="{p}/posting.php?mode=quote&amp;p={post.id}" class="button">Quote</a></li></ul>'
                f'<p class="author"><a class="unread" href="#p{post.id}">Post</a> <span class="responsive-hide">by <strong><a href="{p}/memberlist.php?mode=viewprofile&amp;u={_uid(post.author)}" class="username">{_e(post.author)}</a></strong> » </span>{_en_date(post.posted)}</p>'
                f'<div class="content">{quote}{_paras_br(post.text)}</div>{sig}</div></div>'
                f'<div class="back2top"><a href="#top" class="top">Top</a></div></div></div><hr class="divider">'
            )
        pager = self._pager("phpbb", lambda n: self.thread_url(board, thread, n), page, pages)
        reply = f'<a href="{p}/posting.php?mode=reply&amp;t={thread.id}" class="button">Post Reply</a>'
        return (f'<h2 class="topic-title"><a href="{_e(self.thread_url(board, thread))}">{_e(thread.title)}</a></h2>'
                f'<div class="action-bar bar-top">{reply}{pager}</div>{"".join(out)}<div class="action-bar bar-bottom">{reply}{pager}</div>')

    # vBulletin-like ---------------------------------------------------------------------------
    def _board_vb(self, board, shown, page, pages):
        p = PREFIX[board.style]
        rows = []
        for t in shown:
            last = t.posts[-1]
            rows.append(
                f'<li class="threadbit" id="thread_{t.id}"><div class="rating0 nonsticky"><div class="threadinfo">'
                f'<div class="inner"><h3 class="threadtitle"><a class="title" href="{_e(self.thread_url(board, t))}" id="thread_title_{t.id}">{_e(t.title)}</a></h3>'
                f'<div class="threadmeta"><div class="author"><span class="label">Started by <a href="{p}/member.php?u={_uid(t.posts[0].author)}" class="username understate">{_e(t.posts[0].author)}</a>, {_vb_date(t.posts[0].posted)}</span></div></div></div></div>'
                f'<ul class="threadstats td alt"><li>Replies: <a href="{p}/misc.php?do=whoposted&amp;t={t.id}">{len(t.posts) - 1}</a></li><li>Views: {23 * t.id}</li></ul>'
                f'<dl class="threadlastpost td"><dd><div class="popupmenu memberaction"><a class="username offline" href="{p}/member.php?u={_uid(last.author)}"><strong>{_e(last.author)}</strong></a></div></dd><dd>{_vb_date(last.posted)}</dd></dl></div></li>'
            )
        pager = self._pager("vbulletin", lambda n: self.board_url(board, n), page, pages)
        return (f'<div id="pagetitle"><h1>Forum: <span class="forumtitle">{_e(board.name)}</span></h1><p class="description">{_e(board.description)}</p></div>'
                f'<div id="above_threadlist" class="above_threadlist">{pager}</div><div id="threadlist" class="threadlist"><ol id="threads" class="threads">{"".join(rows)}</ol></div>'
                f'<div id="below_threadlist" class="noinlinemod below_threadlist">{pager}</div>')

    def _thread_vb(self, board, thread, shown, page, pages):
        p = PREFIX[board.style]
        out = []
        for position, post in shown:
            quote = ""
            if post.quote:
                quote = (f'<div class="bbcode_container"><div class="bbcode_quote"><div class="quote_container">'
                         f'<div class="bbcode_postedby">Originally Posted by <strong>{_e(post.quote[0])}</strong></div>'
                         f'<div class="message">{_e(post.quote[1])}</div></div></div></div>')
            out.append(
                f'<li class="postbitlegacy postbitim postcontainer old" id="post_{post.id}">'
                f'<div class="posthead"><span class="postdate old"><span class="date">{_vb_date(post.posted)}</span></span>'
                f'<span class="nodecontrols"><a name="post{post.id}" href="{p}/showthread.php?t={thread.id}&amp;p={post.id}#post{post.id}" class="postcounter">#{position}</a></span></div>'
                f'<div class="postdetails"><div class="userinfo"><div class="username_container"><a class="username offline popupctrl" href="{p}/member.php?u={_uid(post.author)}"><strong>{_e(post.author)}</strong></a></div>'
                f'<span class="usertitle">Senior Member</span><dl class="userinfo_extra"><dt>Join Date</dt><dd>Mar 2019</dd><dt>Posts</dt><dd>{100 + _uid(post.author)}</dd></dl></div>'
                f'<div class="postbody"><div class="postrow"><h2 class="title icon">{"" if position == 1 else "Re: "}{_e(thread.title)}</h2>'
                f'<div class="content"><div id="post_message_{post.id}"><blockquote class="postcontent restore ">{quote}{_paras_br(post.text)}</blockquote></div></div></div></div></div>'
                f'<div class="postfoot"><div class="textcontrols floatcontainer"><span class="postcontrols"><a id="qrwq_{post.id}" class="newreply" href="{p}/newreply.php?do=newreply&amp;p={post.id}">Reply With Quote</a></span></div></div></li>'
            )
        pager = self._pager("vbulletin", lambda n: self.thread_url(board, thread, n), page, pages)
        return (f'<div id="pagetitle"><h1>Thread: <span class="threadtitle"><a href="{_e(self.thread_url(board, thread))}">{_e(thread.title)}</a></span></h1></div>'
                f'<div id="above_postlist" class="above_postlist">{pager}</div><div id="postlist" class="postlist restrain"><ol id="posts" class="posts">{"".join(out)}</ol></div>'
                f'<div id="below_postlist" class="noinlinemod below_postlist">{pager}</div>')

    # XenForo-like -----------------------------------------------------------------------------
    def _board_xf(self, board, shown, page, pages):
        rows = []
        for t in shown:
            last = t.posts[-1]
            rows.append(
                f'<div class="structItem structItem--thread" data-author="{_e(t.posts[0].author)}"><div class="structItem-cell structItem-cell--main">'
                f'<div class="structItem-title"><a href="{_e(self.thread_url(board, t))}" data-tp-primary="on">{_e(t.title)}</a></div>'
                f'<div class="structItem-minor"><ul class="structItem-parts"><li><a href="/xf/members/{_slug(t.posts[0].author)}.{_uid(t.posts[0].author)}/" class="username">{_e(t.posts[0].author)}</a></li>'
                f'<li class="structItem-startDate"><time class="u-dt" datetime="{_iso(t.posts[0].posted)}">{_xf_date(t.posts[0].posted)}</time></li></ul></div></div>'
                f'<div class="structItem-cell structItem-cell--meta"><dl class="pairs pairs--justified"><dt>Replies</dt><dd>{len(t.posts) - 1}</dd></dl><dl class="pairs pairs--justified structItem-minor"><dt>Views</dt><dd>{31 * t.id}</dd></dl></div>'
                f'<div class="structItem-cell structItem-cell--latest"><time class="structItem-latestDate u-dt" datetime="{_iso(last.posted)}">{_xf_date(last.posted)}</time>'
                f'<div class="structItem-minor"><a href="/xf/members/{_slug(last.author)}.{_uid(last.author)}/" class="username">{_e(last.author)}</a></div></div></div>'
            )
        pager = self._pager("xenforo", lambda n: self.board_url(board, n), page, pages)
        return (f'<div class="p-title"><h1 class="p-title-value">{_e(board.name)}</h1></div><div class="p-description">{_e(board.description)}</div>'
                f'<div class="block-outer">{pager}</div><div class="block-container"><div class="block-body"><div class="structItemContainer">{"".join(rows)}</div></div></div>'
                f'<div class="block-outer block-outer--after">{pager}</div>')

    def _thread_xf(self, board, thread, shown, page, pages):
        out = []
        for position, post in shown:
            quote = ""
            if post.quote:
                quote = (f'<blockquote class="bbCodeBlock bbCodeBlock--expandable bbCodeBlock--quote" data-quote="{_e(post.quote[0])}">'
                         f'<div class="bbCodeBlock-title">{_e(post.quote[0])} said:</div><div class="bbCodeBlock-content"><div class="bbCodeBlock-expandContent">{_e(post.quote[1])}</div></div></blockquote>')
            out.append(
                f'<article class="message message--post js-post" data-author="{_e(post.author)}" data-content="post-{post.id}" id="js-post-{post.id}">'
                f'<span class="u-anchorTarget" id="post-{post.id}"></span><div class="message-inner">'
                f'<div class="message-cell message-cell--user"><section class="message-user"><div class="message-userDetails">'
                f'<h4 class="message-name"><a href="/xf/members/{_slug(post.author)}.{_uid(post.author)}/" class="username">{_e(post.author)}</a></h4>'
                f'<h5 class="userTitle message-userTitle">Well-known member</h5></div></section></div>'
                f'<div class="message-cell message-cell--main"><div class="message-main"><header class="message-attribution message-attribution--split">'
                f'<ul class="message-attribution-main listInline"><li class="u-concealed"><a href="{_e(self.thread_url(board, thread, page))}#post-{post.id}" rel="nofollow"><time class="u-dt" datetime="{_iso(post.posted)}">{_xf_date(post.posted)}</time></a></li></ul>'
                f'<ul class="message-attribution-opposite listInline"><li><a href="{_e(self.thread_url(board, thread, page))}#post-{post.id}" rel="nofollow">#{position}</a></li></ul></header>'
                f'<div class="message-content js-messageContent"><div class="message-userContent lbContainer js-lbContainer"><article class="message-body js-selectToQuote"><div class="bbWrapper">{quote}{_paras_br(post.text)}</div></article></div></div>'
                f'<footer class="message-footer"><div class="message-actionBar actionBar"><div class="actionBar-set actionBar-set--external"><a href="/xf/threads/{_slug(thread.title)}.{thread.id}/reply?quote={post.id}" class="actionBar-action">Reply</a></div></div></footer>'
                f'</div></div></div></article>'
            )
        pager = self._pager("xenforo", lambda n: self.thread_url(board, thread, n), page, pages)
        return (f'<div class="p-title"><h1 class="p-title-value">{_e(thread.title)}</h1></div>'
                f'<div class="block-outer">{pager}</div><div class="block block--messages"><div class="block-container"><div class="block-body js-replyNewMessageContainer">{"".join(out)}</div></div></div>'
                f'<div class="block-outer block-outer--after">{pager}</div>')

    # Discuz!-like (Chinese, GBK) --------------------------------------------------------------
    def _board_dz(self, board, shown, page, pages):
        p = PREFIX[board.style]
        rows = []
        for t in shown:
            last = t.posts[-1]
            rows.append(
                f'<tbody id="normalthread_{t.id}"><tr><td class="icn"><a href="{_e(self.thread_url(board, t))}" title="新窗口打开" target="_blank"><img src="/static/folder_common.gif"></a></td>'
                f'<th class="common"><a href="{_e(self.thread_url(board, t))}" class="s xst">{_e(t.title)}</a></th>'
                f'<td class="by"><cite><a href="{p}/home.php?mod=space&amp;uid={_uid(t.posts[0].author)}">{_e(t.posts[0].author)}</a></cite><em><span>{_zh_date(t.posts[0].posted)}</span></em></td>'
                f'<td class="num"><a href="{_e(self.thread_url(board, t))}" class="xi2">{len(t.posts) - 1}</a><em>{11 * t.id}</em></td>'
                f'<td class="by"><cite><a href="{p}/home.php?mod=space&amp;username={_e(last.author)}">{_e(last.author)}</a></cite><em><a href="{_e(self.thread_url(board, t, self.thread_pages(t)))}">{_zh_date(last.posted)}</a></em></td></tr></tbody>'
            )
        pager = self._pager("discuz", lambda n: self.board_url(board, n), page, pages)
        return (f'<div class="bm bml pbn"><div class="bm_h cl"><h1 class="xs2"><a href="{_e(self.board_url(board))}">{_e(board.name)}</a></h1></div><div class="bm_c cl pbn">{_e(board.description)}</div></div>'
                f'<div id="pgt" class="bm bw0 pgs cl"><span id="fd_page_top">{pager}</span><a href="{p}/forum.php?mod=post&amp;action=newthread&amp;fid={board.id}" id="newspecial" title="发新帖">发新帖</a></div>'
                f'<div id="threadlist" class="tl bm bmw"><div class="bm_c"><form method="post" name="moderate" id="moderate"><table summary="forum_{board.id}" cellspacing="0" cellpadding="0" id="threadlisttableid">{"".join(rows)}</table></form></div></div>'
                f'<div class="bm bw0 pgs cl">{pager}</div>')

    def _thread_dz(self, board, thread, shown, page, pages):
        p = PREFIX[board.style]
        out = []
        for position, post in shown:
            quote = ""
            if post.quote:
                quote = f'<div class="quote"><blockquote><font size="2"><font color="#999999">{_e(post.quote[0])} 发表于 2024-1-1</font></font><br>{_e(post.quote[1])}</blockquote></div><br>'
            floor = {1: "楼主", 2: "沙发", 3: "板凳"}.get(position, f"{position}<sup>#</sup>")
            out.append(
                f'<div id="post_{post.id}"><table id="pid{post.id}" class="plhin" summary="pid{post.id}" cellspacing="0" cellpadding="0"><tr>'
                f'<td class="pls" rowspan="2"><div class="pi"><div class="authi"><a href="{p}/home.php?mod=space&amp;uid={_uid(post.author)}" target="_blank" class="xw1">{_e(post.author)}</a></div></div>'
                f'<div class="tns xg2"><table cellspacing="0" cellpadding="0"><th><p>{3 * _uid(post.author)}</p>主题</th><td><p>{50 + _uid(post.author)}</p>积分</td></table></div></td>'
                f'<td class="plc"><div class="pi"><strong><a href="#pid{post.id}" id="postnum{post.id}">{floor}</a></strong>'
                f'<div class="pti"><div class="authi"><em id="authorposton{post.id}">发表于 {_zh_date(post.posted)}</em><span class="pipe">|</span><a href="{p}/forum.php?mod=viewthread&amp;tid={thread.id}&amp;page={page}&amp;authorid={_uid(post.author)}" rel="nofollow">只看该作者</a></div></div></div>'
                f'<div class="pct"><div class="pcb"><div class="t_fsz"><table cellspacing="0" cellpadding="0"><tr><td class="t_f" id="postmessage_{post.id}">{quote}{_paras_br(post.text)}</td></tr></table></div></div></div></td></tr>'
                f'<tr><td class="plc plm"><div class="po hin"><div class="pob cl"><em><a class="fastre" href="{p}/forum.php?mod=post&amp;action=reply&amp;fid={board.id}&amp;tid={thread.id}&amp;repquote={post.id}">回复</a></em></div></div></td></tr></table></div>'
            )
        pager = self._pager("discuz", lambda n: self.thread_url(board, thread, n), page, pages)
        return (f'<div id="pgt" class="pgs mbm cl">{pager}<a id="post_reply" href="{p}/forum.php?mod=post&amp;action=reply&amp;fid={board.id}&amp;tid={thread.id}" title="回复">回复</a></div>'
                f'<div id="postlist" class="pl bm"><table cellspacing="0" cellpadding="0"><tr><td class="pls ptn pbn"><div class="hm ptn"><span class="xg1">查看:</span> <span class="xi1">{11 * thread.id}</span></div></td>'
                f'<td class="plc ptm pbn vwthd"><h1 class="ts"><span id="thread_subject">{_e(thread.title)}</span></h1></td></tr></table>{"".join(out)}</div>'
                f'<div class="pgs mtm mbm cl">{pager}</div>')


# -- helpers ----------------------------------------------------------------------------------
def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _charset(style: str) -> str:
    return "gbk" if style == "discuz" else "utf-8"


def _paras_br(text: str) -> str:
    paras = [p.strip() for p in text.split("\n\n") if p.strip()]
    return "<br><br>".join(_e(p).replace("\n", "<br>") for p in paras)


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or "thread"


def _uid(name: str) -> int:
    return sum(ord(c) for c in name) % 97 + 1


def _iso(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S+0000")


def _en_date(when: datetime) -> str:
    return when.strftime("%a %b %d, %Y %I:%M %p").replace(" 0", " ")


def _vb_date(when: datetime) -> str:
    return when.strftime("%m-%d-%Y, %I:%M %p")


def _xf_date(when: datetime) -> str:
    return when.strftime("%b %d, %Y").replace(" 0", " ")


def _zh_date(when: datetime) -> str:
    return f"{when.year}-{when.month}-{when.day} {when.hour:02d}:{when.minute:02d}"


def _page(title: str, heading: str | None, body: str, charset: str, nav: str) -> str:
    h1 = f"<h1>{_e(heading)}</h1>" if heading and "<h1" not in body else ""
    return (
        f'<!DOCTYPE html><html lang="{"zh-CN" if charset == "gbk" else "en"}"><head><meta charset="{charset}">'
        f"<title>{_e(title)}</title><link rel=\"stylesheet\" href=\"/static/style.css\"></head><body>"
        f'<div id="wrap"><header id="site-header"><a class="logo" href="/">{_e(title.rsplit(" - ", 1)[-1])}</a>'
        f'<nav class="site-nav">{nav}</nav></header><main id="page-body">{h1}{body}</main>'
        f'<footer id="page-footer"><p>Powered by a forum engine · <a href="/private/terms.html">Terms</a> · '
        f'<a href="/search.php?search_id=active_topics">Active topics</a></p><p>All times are UTC</p></footer></div></body></html>'
    )


# -- content ----------------------------------------------------------------------------------
_EN_AUTHORS = ["alice", "bob_builder", "carol", "dave42", "erin", "frank.w", "grace", "heidi", "ivan", "judy_k"]
_ZH_AUTHORS = ["张三", "李四", "王小明", "赵云", "陈静", "刘洋"]
_EN_TOPICS = [
    "Best way to season a cast iron pan", "My tomato plants are wilting", "Which bike for a daily commute?",
    "Sourdough starter not rising", "Recommendations for a first telescope", "How do you organise your photos?",
    "Fixing a dripping kitchen tap", "Learning to play the ukulele", "Winter tyres or all-season tyres",
    "Home network keeps dropping", "Favourite hiking trails in autumn", "Repotting an old bonsai",
    "Noise cancelling headphones for the office", "Making pasta without a machine", "Painting a small boat",
    "Keeping chickens in a city garden",
]
_EN_WORDS = (
    "I tried that last week and it worked better than expected, although the first attempt was a mess. "
    "The trick is to be patient and to check the details twice before you commit to anything. "
    "My neighbour suggested a different approach, which took longer but gave a cleaner result. "
    "If you have the budget, spending a little more up front usually saves money in the long run. "
    "Honestly the manual explains it poorly, so I ended up watching a few videos instead. "
    "Keep notes of what you change, otherwise you will never know which step made the difference. "
    "Temperature matters more than most people think, especially early in the morning. "
    "Thanks for sharing this, it answers a question I had for months"
).split(". ")
_ZH_TOPICS = ["周末去哪里爬山比较好", "新手学做红烧肉的问题", "家里的路由器信号太差", "推荐几本好看的科幻小说",
              "孩子学钢琴还是学小提琴", "南方冬天怎么除湿"]
_ZH_SENTENCES = [
    "我上周也试过这个方法，效果比想象中好很多。", "关键是要有耐心，每一步都要仔细检查。",
    "朋友推荐了另一种做法，虽然麻烦一点，但是结果更好。", "如果预算够的话，前期多花一点钱其实更省心。",
    "说明书写得不太清楚，我后来是看视频学会的。", "建议把每次的改动都记下来，不然不知道哪一步起了作用。",
    "温度的影响比大多数人想的要大，尤其是早上。", "谢谢分享，这个问题困扰我好几个月了。",
]


def build_forum(seed: int = 7, *, threads_per_board: int = 7, max_posts: int = 24,
                name: str = "Riverside Community Forum") -> Forum:
    """A deterministic forum: one board per engine style plus a second phpBB board."""
    rng = random.Random(seed)
    boards = [
        Board(1, "phpbb", "Kitchen and Garden", "Cooking, growing and everything in between."),
        Board(2, "phpbb", "Workshop", "Tools, repairs and weekend projects."),
        Board(3, "vbulletin", "General Discussion", "Talk about anything."),
        Board(4, "xenforo", "Hobbies", "Music, photography, astronomy and more."),
        Board(5, "discuz", "生活杂谈", "衣食住行，随便聊聊。"),
    ]
    post_id = 1000
    thread_id = 1
    start = datetime(2024, 3, 1, 9, 0)
    en_topics = list(_EN_TOPICS)
    rng.shuffle(en_topics)
    for board in boards:
        zh = board.style == "discuz"
        for i in range(threads_per_board if not zh else min(threads_per_board, len(_ZH_TOPICS))):
            title = _ZH_TOPICS[i] if zh else en_topics[(thread_id - 1) % len(en_topics)] + ("" if thread_id <= len(en_topics) else f" (part {thread_id})")
            # a spread of lengths: single post, one page, exactly one page, several pages
            count = [1, 4, 10, 11, max_posts, 17, 3][i % 7]
            thread = Thread(thread_id, title)
            when = start + timedelta(days=thread_id, hours=rng.randrange(0, 12))
            for n in range(count):
                post_id += 1
                authors = _ZH_AUTHORS if zh else _EN_AUTHORS
                author = authors[(n * 3 + thread_id) % len(authors)]
                if zh:
                    k = rng.randrange(1, 4)
                    text = "".join(rng.sample(_ZH_SENTENCES, k)) + f"（第{n + 1}楼，帖子{thread_id}）"
                else:
                    k = rng.randrange(1, 4)
                    text = ". ".join(rng.sample(_EN_WORDS, k)) + f". (reply {n + 1} in topic {thread_id})"
                    if n % 5 == 4:
                        text += "\n\n" + rng.choice(_EN_WORDS) + "."
                quote = None
                if n == 2 and count > 4:
                    quote = (thread.posts[0].author, thread.posts[0].text.split("\n")[0][:80])
                thread.posts.append(Post(post_id, author, text, when + timedelta(hours=3 * n, minutes=7 * n), quote))
            board.threads.append(thread)
            thread_id += 1
    return Forum(name=name, boards=boards)


def render_site(forum: Forum) -> dict[str, tuple[str, bytes]]:
    """Every page of ``forum`` as {path?query: (content type, body)}, for a static copy."""
    pages: dict[str, tuple[str, bytes]] = {}

    def add(path: str) -> None:
        status, ctype, body = forum.route(path)
        assert status == 200, path
        pages[path] = (ctype, body)

    add("/")
    add("/robots.txt")
    for board in forum.boards:
        for n in range(1, forum.board_pages(board) + 1):
            add(forum.board_url(board, n))
        for thread in board.threads:
            for n in range(1, forum.thread_pages(thread) + 1):
                add(forum.thread_url(board, thread, n))
    return pages
