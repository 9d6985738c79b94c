"""A generated forum whose thread pages waste fetches two ways (written for these tests; issue 9,
part 3: classes found on Phorum and WordPress + Asgaros Forum), served on 127.0.0.1.

A thread's first page is ``/topic/N/``, its later pages ``/topic/N/?part=K``. Their pager links
page 1 as ``/topic/N/?part=1``: the first page under a second URL, with a page parameter whose name
no word list knows. Every thread page also links the neighbouring topics as ``/goto/N/newer``
and ``/goto/N/older``, answered by a redirect (302) to that topic's first page, which the board listed
already: each such fetch is a duplicate. (Names and markup are our own.)
"""
from __future__ import annotations

import html
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from tests.sites.shapes import ShapesServer

PER_PAGE = 4
AUTHORS = ["alice", "bob", "carol", "dmitri", "eve"]
WORDS = ("river kettle lantern harbour orchard meadow copper violin granite saddle "
         "thimble compass ember walnut quarry pebble ribbon falcon cedar marble").split()


def _e(text: str) -> str:
    return html.escape(text, quote=True)


class WasteForum:
    """Eight threads of 9 to 11 posts (3 pages each); see the module docstring."""

    def __init__(self) -> None:
        start = datetime(2025, 6, 1, 8, 0)
        self.threads = []
        for tid in range(1, 9):
            posts = [{"author": AUTHORS[(tid + i) % len(AUTHORS)], "when": start + timedelta(days=tid, hours=i),
                      "text": f"Answer {i + 1} to question {tid}: " + " ".join(
                          WORDS[(tid * 7 + i * 3 + k) % len(WORDS)] for k in range(12)) + "."}
                     for i in range(9 + tid % 3)]
            self.threads.append({"id": tid, "title": f"Question {tid} on the {WORDS[tid]}", "posts": posts})

    def pages(self, t) -> int:
        return -(-len(t["posts"]) // PER_PAGE)

    def thread_pages(self) -> int:
        return sum(self.pages(t) for t in self.threads)

    def _doc(self, title: str, body: str) -> str:
        return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{_e(title)} - Quiet Board</title></head>'
                f'<body><div id="hd"><h1>Quiet Board</h1><a href="/">Index</a> <a href="/faq">FAQ</a></div>'
                f'<div id="ct">{body}</div><div id="ft">Powered by a board of our own</div></body></html>')

    def board(self) -> str:
        rows = "".join(f'<tr class="row"><th><a class="title" href="/topic/{t["id"]}/">{_e(t["title"])}</a></th>'
                       f'<td class="num">{len(t["posts"]) - 1} replies</td></tr>' for t in self.threads)
        return self._doc("Index", f'<h2>Topics</h2><table class="topics">{rows}</table>')

    def thread(self, t, page: int) -> str:
        lo = (page - 1) * PER_PAGE
        posts = "".join(
            f'<div class="post" id="p{t["id"] * 100 + lo + i}"><div class="who">'
            f'<b>{_e(p["author"])}</b></div><div class="body">'
            f'<em>Posted on {p["when"]:%Y-%m-%d %H:%M}</em><div class="text">{_e(p["text"])}</div></div></div>'
            for i, p in enumerate(t["posts"][lo:lo + PER_PAGE], 1))
        pages = self.pages(t)
        items = " ".join(f"<strong>{n}</strong>" if n == page else f'<a href="/topic/{t["id"]}/?part={n}">{n}</a>'
                         for n in range(1, pages + 1))
        nxt = f' <a class="next" rel="next" href="/topic/{t["id"]}/?part={page + 1}">Next</a>' if page < pages else ""
        pager = f'<div class="pager">{items}{nxt}</div>'
        around = (f'<div class="around"><a href="/goto/{t["id"]}/older">Older topic</a> '
                  f'<a href="/goto/{t["id"]}/newer">Newer topic</a></div>')
        return self._doc(t["title"], f'<h2 class="subject">{_e(t["title"])}</h2>{pager}{posts}{pager}{around}')

    def route(self, path_qs: str) -> tuple[int, dict[str, str], str]:
        parts = urlsplit(path_qs)
        q = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        segs = parts.path.strip("/").split("/")
        if parts.path == "/":
            return 200, {}, self.board()
        if len(segs) == 2 and segs[0] == "topic" and segs[1].isdigit() and 1 <= int(segs[1]) <= len(self.threads):
            t = self.threads[int(segs[1]) - 1]
            page = int(q["part"]) if q.get("part", "").isdigit() else 1
            if 1 <= page <= self.pages(t):
                return 200, {}, self.thread(t, page)
        if len(segs) == 3 and segs[0] == "goto" and segs[1].isdigit() and segs[2] in ("newer", "older"):
            n = int(segs[1]) + (1 if segs[2] == "newer" else -1)
            n = (n - 1) % len(self.threads) + 1
            return 302, {"Location": f"/topic/{n}/"}, ""
        if parts.path == "/faq":
            return 200, {}, self._doc("FAQ", "<h2>FAQ</h2><p>Be kind.</p>")
        return 404, {}, self._doc("Not found", "<h2>No such page.</h2>")


def serve_waste(**kwargs) -> tuple[WasteForum, ShapesServer]:
    """The site and its running server."""
    site = WasteForum(**kwargs)
    return site, ShapesServer(site.route)
