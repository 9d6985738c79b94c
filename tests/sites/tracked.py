"""A generated query-routed forum whose links carry a tracking parameter, served on 127.0.0.1
(written for these tests; markup in the manner of a classic board).

Boards list their threads only as ``/thread.php?back=board%3D1&tid=N``, and thread
pagers keep the parameter (``...&page=2``); the page shows the same posts with or
without it and declares the URL without it canonical (Discuz! X's ``extra=page%3D1``).
The thread's title links the bare URL. A "threaded" view (``&mode=threaded``) shows
the first post alone and declares the bare URL too: it differs in posts, so its
parameter must never be taken for an inert one. Every thread is expected once, under
``/thread.php?tid=N`` (and ``&page=P``).
"""
from __future__ import annotations

import html
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from tests.sites.shapes import ShapesServer

PER_PAGE = 4
AUTHORS = ["ann", "bertil", "chiara", "dov", "elin"]
WORDS = ("lantern harbour orchard copper violin granite saddle thimble compass ember walnut "
         "quarry pebble ribbon falcon cedar marble kettle meadow river").split()


def _e(text: str) -> str:
    return html.escape(text, quote=True)


class Tracked:
    """The site's content and routes: ``boards`` boards of ``threads`` threads each."""

    def __init__(self, boards: int = 2, threads: int = 8, tracking: str = "back=board%3D1") -> None:
        self.tracking = tracking
        self.boards: list[list[dict]] = []
        start = datetime(2025, 6, 1, 8, 0)
        tid = 0
        for b in range(boards):
            board = []
            for _ in range(threads):
                tid += 1
                size = (2, 3, 4, 6, 7, 8, 10, 12)[tid % 8]  # 1 to 3 pages, never one post alone
                posts = [{"author": AUTHORS[(tid + i) % len(AUTHORS)], "when": start + timedelta(days=tid, hours=i),
                          "text": f"Post {i + 1} of thread {tid}: "
                                  + " ".join(WORDS[(tid * 3 + i * 7 + k) % len(WORDS)] for k in range(12)) + "."}
                         for i in range(size)]
                board.append({"id": tid, "title": f"Thread {tid} on {WORDS[tid % len(WORDS)]}s", "posts": posts})
            self.boards.append(board)

    @property
    def threads(self) -> list[dict]:
        return [t for board in self.boards for t in board]

    @staticmethod
    def pages(t: dict) -> int:
        return max(1, -(-len(t["posts"]) // PER_PAGE))

    @staticmethod
    def url(t: dict, page: int = 1) -> str:
        return f"/thread.php?tid={t['id']}" + (f"&page={page}" if page > 1 else "")

    def tracked(self, t: dict, page: int = 1) -> str:
        return f"/thread.php?{self.tracking}&tid={t['id']}" + (f"&page={page}" if page > 1 else "")

    def expected(self, base: str) -> list[tuple[str, int, str, str]]:
        return sorted((base + self.url(t), i, p["author"], p["text"])
                      for t in self.threads for i, p in enumerate(t["posts"], 1))

    # -- pages ------------------------------------------------------------------------------
    @staticmethod
    def _doc(title: str, body: str, canonical: str | None = None) -> str:
        head = f'<link rel="canonical" href="{_e(canonical)}">' if canonical else ""
        return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{_e(title)} - Tracked Board</title>{head}'
                f'</head><body><div id="wrap"><div class="headerbar"><h1>Tracked Board</h1>'
                f'<a href="/">Board index</a></div><div id="page-body">{body}</div>'
                f'<div class="footer">Powered by a board of our own</div></div></body></html>')

    def index(self) -> str:
        rows = "".join(f'<li class="row"><a class="forumtitle" href="/board.php?id={b + 1}">Board {b + 1}</a>'
                       f'<dd class="topics">{len(board)} Topics</dd></li>' for b, board in enumerate(self.boards))
        return self._doc("Board index", f'<h2>Forums</h2><ul class="topiclist forums">{rows}</ul>', "/")

    def board(self, b: int) -> str:
        rows = "".join(
            f'<li class="row"><dl><dt><a class="topictitle" href="{_e(self.tracked(t))}">{_e(t["title"])}</a></dt>'
            f'<dd class="posts">{len(t["posts"]) - 1} Replies</dd>'
            f'<dd class="lastpost">by {_e(t["posts"][-1]["author"])}</dd></dl></li>' for t in self.boards[b])
        return self._doc(f"Board {b + 1}", f'<h2>Board {b + 1}</h2><ul class="topiclist topics">{rows}</ul>',
                         f"/board.php?id={b + 1}")

    @staticmethod
    def _post(index: int, post: dict) -> str:
        when = post["when"].strftime("%a %b %d, %Y %I:%M %p")
        return (f'<div class="post"><div class="inner"><dl class="postprofile"><dt>'
                f'<span class="username">{_e(post["author"])}</span></dt><dd>Member</dd></dl>'
                f'<div class="postbody"><h3>#{index}</h3>'
                f'<p class="author">by <strong>{_e(post["author"])}</strong> » {when}</p>'
                f'<div class="content">{_e(post["text"])}</div></div></div></div><hr>')

    def thread(self, t: dict, page: int) -> str:
        first = (page - 1) * PER_PAGE
        posts = "".join(self._post(first + i, p) for i, p in enumerate(t["posts"][first:first + PER_PAGE], 1))
        pages = self.pages(t)
        pager = ""
        if pages > 1:
            items = "".join(f"<li><strong>{n}</strong></li>" if n == page else
                            f'<li><a href="{_e(self.tracked(t, n))}">{n}</a></li>' for n in range(1, pages + 1))
            nxt = f'<li><a rel="next" href="{_e(self.tracked(t, page + 1))}">Next</a></li>' if page < pages else ""
            pager = f'<div class="pagination">Page {page} of {pages}<ul>{items}{nxt}</ul></div>'
        body = (f'<h2 class="topic-title"><a href="{_e(self.url(t))}">{_e(t["title"])}</a></h2>'
                f'<p><a href="{_e(self.url(t))}&amp;mode=threaded">Threaded view</a></p>'
                f'<div class="action-bar">{pager}</div>{posts}<div class="action-bar">{pager}</div>')
        return self._doc(t["title"], body, self.url(t, page))

    def threaded(self, t: dict) -> str:
        titles = "".join(f"<li>Reply by {_e(p['author'])}</li>" for p in t["posts"][1:])
        body = (f'<h2 class="topic-title"><a href="{_e(self.url(t))}">{_e(t["title"])}</a></h2>'
                f'{self._post(1, t["posts"][0])}<ul class="tree">{titles}</ul>')
        return self._doc(t["title"], body, self.url(t))

    # -- routing -----------------------------------------------------------------------------
    def route(self, path_qs: str) -> tuple[int, dict[str, str], str]:
        parts = urlsplit(path_qs)
        q = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        by_id = {str(t["id"]): t for t in self.threads}
        if parts.path == "/":
            return 200, {}, self.index()
        if parts.path == "/board.php" and q.get("id", "").isdigit() and 1 <= int(q["id"]) <= len(self.boards):
            return 200, {}, self.board(int(q["id"]) - 1)
        if parts.path == "/thread.php" and q.get("tid") in by_id:
            t = by_id[q["tid"]]
            if q.get("mode") == "threaded":
                return 200, {}, self.threaded(t)
            page = int(q.get("page", "1")) if q.get("page", "1").isdigit() else 1
            if 1 <= page <= self.pages(t):
                return 200, {}, self.thread(t, page)
        return 404, {}, self._doc("Not found", "<h2>The page you asked for does not exist.</h2>")


def serve_tracked(**kwargs) -> tuple[Tracked, ShapesServer]:
    """The tracked site, served (its ``hits`` list every path asked for)."""
    site = Tracked(**kwargs)
    return site, ShapesServer(site.route)
