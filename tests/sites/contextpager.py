"""A generated query-routed forum whose pager links carry a context parameter (written
for these tests; markup in the manner of a classic board), served on 127.0.0.1.

A thread's pages are ``/t?id=N&page=K``. The pager of its pages adds ``&back=board``,
which changes nothing (a return address, as Discuz's ``extra=page%3D1``), except on a
thread's last page, whose pager links the others without it: copies of pages the crawl
read already, under the shorter URL shape every thread's later pages take once the
parameter is learned inert. The pages of threads ``slow`` answer after ``delay``
seconds, so those copies answer first, whatever the crawler's concurrency (issue 9:
that shape was learned useless, and no thread's later pages were fetched any more).
"""
from __future__ import annotations

import html
import time
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from tests.sites.shapes import ShapesServer

PER_PAGE = 4
AUTHORS = ["alice", "bob", "carol", "dmitri", "eve"]
WORDS = ("river kettle lantern harbour orchard meadow copper violin granite saddle "
         "thimble compass ember walnut quarry pebble ribbon falcon cedar marble").split()


def _e(text: str) -> str:
    return html.escape(text, quote=True)


class ContextPager:
    """Eight threads of 14 to 16 posts (4 pages each); see the module docstring."""

    def __init__(self, slow: tuple[int, ...] = (6, 7, 8), delay: float = 2.0) -> None:
        self.slow, self.delay = slow, delay
        start = datetime(2025, 5, 1, 8, 0)
        self.threads = []
        for tid in range(1, 9):
            posts = [{"author": AUTHORS[(tid + i) % len(AUTHORS)], "when": start + timedelta(days=tid, hours=i),
                      "text": f"Reply {i + 1} in topic {tid}: " + " ".join(
                          WORDS[(tid * 5 + i * 3 + k) % len(WORDS)] for k in range(12)) + "."}
                     for i in range(14 + tid % 3)]
            self.threads.append({"id": tid, "title": f"Topic {tid} about the {WORDS[tid]}", "posts": posts})

    def pages(self, t) -> int:
        return -(-len(t["posts"]) // PER_PAGE)

    def expected(self) -> int:
        return sum(len(t["posts"]) for t in self.threads)

    def _doc(self, title: str, body: str) -> str:
        return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{_e(title)} - Pager Board</title></head>'
                f'<body><div id="hd"><h1>Pager Board</h1><a href="/">Index</a> <a href="/help">Help</a> '
                f'<a href="/rules">Rules</a> <a href="/team">Team</a> <a href="/stats">Stats</a></div>'
                f'<div id="ct">{body}</div><div id="ft">Powered by a board of our own</div></body></html>')

    def board(self) -> str:
        rows = "".join(f'<tr class="row"><th><a class="xst" href="/t?id={t["id"]}">{_e(t["title"])}</a></th>'
                       f'<td class="num">{len(t["posts"]) - 1} replies</td></tr>' for t in self.threads)
        return self._doc("Index", f'<h2>Topics</h2><table class="threadlist">{rows}</table>')

    def thread(self, t, page: int) -> str:
        lo = (page - 1) * PER_PAGE
        posts = "".join(
            f'<div class="post" id="pid{t["id"] * 100 + lo + i}"><div class="pls">'
            f'<a class="xw1" href="/u?name={p["author"]}">{_e(p["author"])}</a></div><div class="plc">'
            f'<em>Posted on {p["when"]:%Y-%m-%d %H:%M}</em><div class="t_f">{_e(p["text"])}</div></div></div>'
            for i, p in enumerate(t["posts"][lo:lo + PER_PAGE], 1))
        pages = self.pages(t)

        def link(n: int) -> str:  # (the last page's pager drops the return address)
            return f"/t?id={t['id']}&page={n}" + ("" if page == pages else "&back=board")
        items = " ".join(f"<strong>{n}</strong>" if n == page else f'<a href="{link(n)}">{n}</a>'
                         for n in range(1, pages + 1))
        nxt = f' <a class="nxt" rel="next" href="{link(page + 1)}">Next</a>' if page < pages else ""
        pager = f'<div class="pg">{items}{nxt}</div>'
        return self._doc(t["title"], f'<h2 class="ts">{_e(t["title"])}</h2>{pager}{posts}{pager}')

    def route(self, path_qs: str) -> tuple[int, dict[str, str], str]:
        parts = urlsplit(path_qs)
        q = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        if parts.path == "/":
            return 200, {}, self.board()
        if parts.path == "/t" and q.get("id", "").isdigit() and 1 <= int(q["id"]) <= len(self.threads):
            t = self.threads[int(q["id"]) - 1]
            page = int(q["page"]) if q.get("page", "").isdigit() else 1
            if 1 <= page <= self.pages(t):
                if t["id"] in self.slow:
                    time.sleep(self.delay)
                return 200, {}, self.thread(t, page)
        if parts.path in ("/help", "/rules", "/team", "/stats", "/u"):
            title = parts.path[1:].title()
            return 200, {}, self._doc(title, f"<h2>{_e(title)}</h2><p>Nothing to see here.</p>")
        return 404, {}, self._doc("Not found", "<h2>No such page.</h2>")


def serve_context_pager(**kwargs) -> tuple[ContextPager, ShapesServer]:
    """The site and its running server."""
    site = ContextPager(**kwargs)
    return site, ShapesServer(site.route)
