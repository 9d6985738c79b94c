"""A generated forum that shows each URL shape a whole-site crawl must handle, served
on 127.0.0.1 (written for these tests; markup in the manner of a classic board).

Every thread is reachable under many URLs: its pages with and without the slug,
``?page=1`` and ``?page=None`` aliases of its first page, post-index windows
(``/topic/4/slug/7``: posts around the 7th), single-post permalinks, an archive
("lite") view and a print view; every post carries action links (quote, reply,
report, rate, bump), some of which redirect to a login wall; a calendar of days
is an infinite URL space; ``/out/N`` redirects to another port of the same host.
The expected result is each thread's posts stored once, under ``/topic/ID/SLUG``,
at their positions.
"""
from __future__ import annotations

import html
import threading
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

PER_PAGE = 5
AUTHORS = ["alice", "bob", "carol", "dmitri", "eve", "farid"]
WORDS = ("river kettle lantern harbour orchard meadow copper violin granite saddle "
         "thimble compass ember walnut quarry pebble ribbon falcon cedar marble").split()


def _e(text: str) -> str:
    return html.escape(text, quote=True)


class Shapes:
    """The site's content and its routes; ``other`` is the base URL of another port."""

    def __init__(self, sizes=(3, 7, 12, 5, 16, 2), *, canonical: bool = True) -> None:
        self.canonical = canonical
        self.other = ""
        self.threads = []
        start = datetime(2025, 3, 1, 9, 0)
        pid = 100
        for tid, size in enumerate(sizes, 1):
            posts = []
            for i in range(size):
                pid += 1
                text = " ".join(WORDS[(tid * 7 + i * 3 + k) % len(WORDS)] for k in range(14))
                posts.append({"id": pid, "author": AUTHORS[(tid + i) % len(AUTHORS)],
                              "when": start + timedelta(days=tid, hours=i),
                              "text": f"Post {i + 1} of thread {tid}: {text}."})
            self.threads.append({"id": tid, "slug": f"topic-number-{tid}", "title": f"Topic number {tid} about {WORDS[tid]}",
                                 "posts": posts})

    # -- URLs -------------------------------------------------------------------------------
    def pages(self, t) -> int:
        return max(1, -(-len(t["posts"]) // PER_PAGE))

    def url(self, t, page: int = 1, slug: bool = True) -> str:
        base = f"/topic/{t['id']}/{t['slug']}" if slug else f"/topic/{t['id']}"
        return base if page == 1 else f"{base}?page={page}"

    def expected(self, base: str) -> list[tuple[str, int, str, str]]:
        return sorted((base + self.url(t), i, p["author"], p["text"])
                      for t in self.threads for i, p in enumerate(t["posts"], 1))

    # -- pages ------------------------------------------------------------------------------
    def _doc(self, title: str, body: str, canonical: str | None = None) -> str:
        head = f'<link rel="canonical" href="{_e(canonical)}">' if canonical and self.canonical else ""
        return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{_e(title)} - Shapes Board</title>{head}</head>'
                f'<body><div id="wrap"><div class="headerbar"><h1>Shapes Board</h1>'
                f'<a href="/">Board index</a> <a href="/login">Login</a> <a href="/days/2025/03/01">Calendar of days</a> '
                f'<a href="/out/1">Partner site</a></div>'
                f'<div id="page-body">{body}</div><div class="footer">Powered by a board of our own</div></div></body></html>')

    def index(self) -> str:
        rows = []
        for t in self.threads:
            last = self.pages(t)
            jump = ""
            if last > 1:
                jump = f' <span class="pages">Last page: <a href="{self.url(t, last, slug=False)}">{last}</a></span>'
            rows.append(
                f'<li class="row"><dl><dt><a class="topictitle" href="{self.url(t)}">{_e(t["title"])}</a>{jump}'
                f' <a class="lastpost" href="{self.url(t)}/{len(t["posts"])}">Jump to latest</a>'
                f' <a href="/archive/t-{t["id"]}.html">Lite</a></dt>'
                f'<dd class="posts">{len(t["posts"]) - 1} Replies</dd>'
                f'<dd class="lastpost">by {_e(t["posts"][-1]["author"])}</dd></dl></li>')
        teasers = "".join(
            f'<li><a href="{self.url(t)}/{len(t["posts"])}">{_e(t["posts"][-1]["text"][:40])}…</a></li>'
            for t in self.threads)
        body = (f'<h2>Topics</h2><ul class="topiclist topics">{"".join(rows)}</ul>'
                f'<aside class="latest"><h3>Latest posts</h3><ul>{teasers}</ul></aside>')
        return self._doc("Board index", body, "/")

    def _post(self, t, index: int, post) -> str:
        pid, tid = post["id"], t["id"]
        when = post["when"].strftime("%a %b %d, %Y %I:%M %p")
        return (
            f'<div id="p{pid}" class="post"><div class="inner"><dl class="postprofile"><dt>'
            f'<a class="username" href="/member/{post["author"]}">{_e(post["author"])}</a></dt><dd>Member</dd></dl>'
            f'<div class="postbody"><h3><a href="/post/{pid}">#{index}</a></h3>'
            f'<ul class="post-buttons"><li><a href="/topic/{tid}/quote/{pid}">Quote</a></li>'
            f'<li><a href="/reply?topic={tid}">Reply</a></li><li><a href="/post/{pid}/report">Report</a></li>'
            f'<li><a href="/topic/{tid}/rate?score=5">Rate</a></li><li><a href="/topic/{tid}/bump">Bump</a></li>'
            f'<li><a href="/print/{tid}">Print</a></li></ul>'
            f'<p class="author">by <strong>{_e(post["author"])}</strong> » {when}</p>'
            f'<div class="content">{_e(post["text"])}</div></div></div></div><hr>')

    def _pager(self, t, page: int, slug: bool) -> str:
        pages = self.pages(t)
        if pages == 1:
            return ""
        first = self.url(t, 1, slug) + ("?page=None" if t["id"] % 2 == 0 else "?page=1")

        def link(n: int) -> str:
            return first if n == 1 else self.url(t, n, slug)
        items = "".join(f"<li><strong>{n}</strong></li>" if n == page else f'<li><a href="{link(n)}">{n}</a></li>'
                        for n in range(1, pages + 1))
        prev = f'<li><a rel="prev" href="{link(page - 1)}">Previous</a></li>' if page > 1 else ""
        nxt = f'<li><a rel="next" href="{link(page + 1)}">Next</a></li>' if page < pages else ""
        return f'<div class="pagination">Page {page} of {pages}<ul>{prev}{items}{nxt}</ul></div>'

    def thread(self, t, page: int, slug: bool) -> str:
        first = (page - 1) * PER_PAGE
        shown = t["posts"][first:first + PER_PAGE]
        posts = "".join(self._post(t, first + i, p) for i, p in enumerate(shown, 1))
        pager = self._pager(t, page, slug)
        body = (f'<h2 class="topic-title"><a href="{self.url(t)}">{_e(t["title"])}</a></h2>'
                f'<div class="action-bar">{pager}</div>{posts}<div class="action-bar">{pager}</div>')
        return self._doc(t["title"], body, self.url(t, page))

    def window(self, t, index: int) -> str:
        """Posts around the ``index``-th: what a "jump to post" URL serves."""
        lo = max(0, index - 3)
        shown = t["posts"][lo:lo + PER_PAGE]
        posts = "".join(self._post(t, lo + i, p) for i, p in enumerate(shown, 1))
        body = f'<h2 class="topic-title"><a href="{self.url(t)}">{_e(t["title"])}</a></h2>{posts}'
        return self._doc(t["title"], body, self.url(t))

    def permalink(self, t, index: int, post) -> str:
        page = (index - 1) // PER_PAGE + 1
        body = (f'<h2>{_e(t["title"])}</h2>{self._post(t, index, post)}'
                f'<p><a href="{self.url(t, page)}#p{post["id"]}">View full thread</a></p>')
        return self._doc(t["title"], body)

    def archive(self, t) -> str:
        """The lite view: the whole thread in plain markup, with a link to the full version."""
        posts = "".join(f'<div class="post"><div class="author">{_e(p["author"])}</div>'
                        f'<div class="date">{p["when"].strftime("%Y-%m-%d %H:%M")}</div>'
                        f'<div class="entry">{_e(p["text"])}</div></div>' for p in t["posts"])
        body = (f'<div class="navigation"><a href="/archive/index.html">Archive</a> &gt; {_e(t["title"])}</div>'
                f'<p><a href="{self.url(t)}">View Full Version : {_e(t["title"])}</a></p>{posts}')
        return self._doc(t["title"], body)

    def day(self, y: int, m: int, d: int) -> str:
        when = datetime(y, m, d)
        prev, nxt = when - timedelta(days=1), when + timedelta(days=1)
        body = (f'<h2>Posts of {when:%d %B %Y}</h2><p>No posts on this day.</p>'
                f'<a href="/days/{prev:%Y/%m/%d}">Previous day</a> <a href="/days/{nxt:%Y/%m/%d}">Next day</a>')
        return self._doc(f"{when:%d %B %Y}", body)

    def form(self, what: str) -> str:
        return self._doc(what, f'<h2>{_e(what)}</h2><form method="post"><textarea name="message"></textarea>'
                               f'<input type="submit" value="Submit"></form>')

    def login(self) -> str:
        return self._doc("Login", '<h2>Login</h2><form method="post" action="/login"><input name="username">'
                                  '<input type="password" name="password"><input type="submit" value="Login"></form>')

    # -- routing -----------------------------------------------------------------------------
    def route(self, path_qs: str) -> tuple[int, dict[str, str], str]:
        parts = urlsplit(path_qs)
        path, q = parts.path, {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        seg = [s for s in path.split("/") if s]
        by_id = {str(t["id"]): t for t in self.threads}
        if path == "/":
            return 200, {}, self.index()
        if path == "/login":
            return 200, {}, self.login()
        if seg[:1] == ["out"]:
            return 302, {"Location": f"{self.other}/topic/1/{self.threads[0]['slug']}"}, ""
        if seg[:1] == ["days"] and len(seg) == 4:
            return 200, {}, self.day(int(seg[1]), int(seg[2]), int(seg[3]))
        if seg[:1] == ["archive"] and len(seg) == 2 and seg[1].startswith("t-"):
            return 200, {}, self.archive(by_id[seg[1][2:].split(".")[0]])
        if seg[:1] == ["print"]:
            return 200, {}, self.archive(by_id[seg[1]])
        if seg[:1] == ["reply"] or (len(seg) == 3 and seg[2] in ("rate", "bump")):
            return 302, {"Location": "/login?next=" + path}, ""
        if seg[:1] == ["post"] and len(seg) == 3:
            return 200, {}, self.form("Report a post")
        if seg[:1] == ["post"] and len(seg) == 2:
            for t in self.threads:
                for i, p in enumerate(t["posts"], 1):
                    if str(p["id"]) == seg[1]:
                        return 200, {}, self.permalink(t, i, p)
        if seg[:1] == ["member"]:
            return 200, {}, self._doc(seg[1], f"<h2>{_e(seg[1])}</h2><p>Member since 2024.</p>")
        if seg[:1] == ["topic"] and len(seg) >= 2 and seg[1] in by_id:
            t = by_id[seg[1]]
            if len(seg) == 4 and seg[2] == "quote":
                return 200, {}, self.form("Quote")
            if len(seg) == 4 and seg[3].isdigit():
                return 200, {}, self.window(t, int(seg[3]))
            page = q.get("page", "1")
            page = int(page) if page.isdigit() else 1
            if len(seg) <= 3 and 1 <= page <= self.pages(t):
                return 200, {}, self.thread(t, page, slug=len(seg) == 3)
        return 404, {}, self._doc("Not found", "<h2>The page you asked for does not exist.</h2>")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802
        self.server.hits.append(self.path)
        try:
            status, headers, body = self.server.route(self.path)
        except Exception as exc:  # a broken route must not kill the server
            status, headers, body = 500, {}, f"error: {exc}"
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:
        pass


class ShapesServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, route) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.route = route
        self.hits: list[str] = []
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


def serve_shapes(**kwargs) -> tuple[Shapes, ShapesServer, ShapesServer]:
    """The shapes site and a second server on another port it redirects to."""
    site = Shapes(**kwargs)
    other = ShapesServer(Shapes().route)
    site.other = other.url
    return site, ShapesServer(site.route), other
