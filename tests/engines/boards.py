"""Board-page figures: the entries the extractor finds on a forum's board pages
against the threads the forum knows are on each board.

Used by ``bench/engine_boards.py`` and ``tests/test_engine_boards.py`` for the
real engines (a :class:`~tests.engines.server.ForumServer`) and for the bundled
demo forum (:mod:`crawler.demo`). The board pages are found as a reader finds
them: the links of the home page whose text is a board's name, then each
board page's own next page (``Page.next_page_url``), at most ``MAX_PAGES``.

An entry is right when its URL is one of the URLs of a thread of that board
(its first page, another of its pages, or one of its posts), compared without
the fragment and with the path percent-decoded, or such a URL with more query
parameters (pass-through ones: Discuz's ``&extra=page%3D1``); a second entry for a thread
already listed on the same page is a wrong one (a listing shows each thread
once). Recall counts the board's threads listed on any of its pages.
"""
from __future__ import annotations

import unicodedata
import urllib.request
from dataclasses import dataclass, field
from typing import Callable, Iterable
from urllib.parse import parse_qsl, unquote, urljoin, urlsplit

import lxml.html

MAX_PAGES = 20

Fetch = Callable[[str], "tuple[bytes, dict[str, str]]"]


@dataclass
class BoardTruth:
    """A board as the forum stores it: its name and, per thread, every URL of that thread."""

    name: str
    threads: dict[str, set[str]]   # thread first-page URL (normalised) -> all its URLs (normalised)


@dataclass
class BoardPage:
    url: str
    kind: str
    entries: int
    right: int


@dataclass
class BoardResult:
    """The extractor's entries over all pages of one board."""

    name: str
    url: str | None
    truth: int
    pages: list[BoardPage] = field(default_factory=list)
    found: set[str] = field(default_factory=set)   # truth threads listed on some page
    wrong: list[str] = field(default_factory=list)  # entry URLs that are no thread of the board

    @property
    def entries(self) -> int:
        return sum(p.entries for p in self.pages)

    @property
    def right(self) -> int:
        return sum(p.right for p in self.pages)

    @property
    def recall(self) -> float:
        return len(self.found) / self.truth if self.truth else 1.0

    @property
    def precision(self) -> float:
        return self.right / self.entries if self.entries else 0.0

    @property
    def kinds(self) -> str:
        return ",".join(p.kind for p in self.pages) or "-"


@dataclass
class HomeResult:
    url: str
    kind: str
    entries: int
    board_entries: int   # entries whose URL is one of the board pages found


def normal_url(url: str) -> str:
    """Scheme, host, percent-decoded path and query; no fragment."""
    parts = urlsplit(url)
    path = unquote(parts.path) or "/"
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{path}" + (f"?{parts.query}" if parts.query else "")


def fetch_url(url: str) -> tuple[bytes, dict[str, str]]:
    with urllib.request.urlopen(url, timeout=30) as resp:
        return resp.read(), dict(resp.headers.items())


def engine_boards(forum) -> list[BoardTruth]:
    """The boards of a real engine's ground truth (a ``ForumServer`` or a ``PhpForum``)."""
    boards: dict[str, BoardTruth] = {}
    for thread in forum.threads:
        urls = {thread.url, *(p.url for p in thread.pages), *(p.url for p in thread.posts if p.url)}
        board = boards.setdefault(thread.board, BoardTruth(thread.board, {}))
        board.threads[normal_url(thread.url)] = {normal_url(u) for u in urls}
    return list(boards.values())


def demo_boards(forum, base_url: str) -> list[BoardTruth]:
    """The boards of a :class:`crawler.demo.forum.Forum` served at ``base_url``."""
    out = []
    for board in forum.boards:
        threads = {}
        for thread in board.threads:
            urls = {base_url + forum.thread_url(board, thread, n) for n in range(1, forum.thread_pages(thread) + 1)}
            threads[normal_url(base_url + forum.thread_url(board, thread))] = {normal_url(u) for u in urls}
        out.append(BoardTruth(board.name, threads))
    return out


def board_links(home: bytes, home_url: str, names: Iterable[str]) -> dict[str, list[str]]:
    """Board name -> the distinct links of the home page whose text is that name, in page order
    (two boards may share a name: SMF's installer board "General Discussion" and a seeded one)."""
    doc = lxml.html.fromstring(home)
    wanted = set(names)
    found: dict[str, list[str]] = {}
    for a in doc.iter("a"):
        text = " ".join((a.text_content() or "").split())
        href = a.get("href")
        if text in wanted and href:
            url = urljoin(home_url, href)
            urls = found.setdefault(text, [])
            if all(normal_url(u) != normal_url(url) for u in urls):
                urls.append(url)
    return found


class Owners:
    """Which thread of a board an entry URL belongs to: one of the thread's URLs, or one of
    them with pass-through query parameters added (Discuz's ``&extra=page%3D1``, the board
    page a thread was opened from): same path, every parameter of the thread's URL kept."""

    def __init__(self, board: BoardTruth) -> None:
        self.exact = {alias: first for first, aliases in board.threads.items() for alias in aliases}
        self.by_path: dict[str, list[tuple[set[tuple[str, str]], str]]] = {}
        for alias, first in self.exact.items():
            path, _, query = alias.partition("?")
            if query:
                self.by_path.setdefault(path, []).append((set(parse_qsl(query, keep_blank_values=True)), first))

    def of(self, url: str) -> str | None:
        url = normal_url(url)
        if url in self.exact:
            return self.exact[url]
        path, _, query = url.partition("?")
        params = set(parse_qsl(query, keep_blank_values=True))
        owners = {first for wanted, first in self.by_path.get(path, ()) if wanted <= params}
        return owners.pop() if len(owners) == 1 else None


def score_board(board: BoardTruth, url: str | list[str] | None, fetch: Fetch = fetch_url,
                max_pages: int = MAX_PAGES) -> BoardResult:
    """Extract the board's pages from ``url`` on (or from each of several board pages of the
    board's name), following ``next_page_url``; score the entries."""
    from extractor import extract

    starts = [url] if isinstance(url, str) else list(url or [])
    result = BoardResult(board.name, starts[0] if starts else None, len(board.threads))
    owners = Owners(board)
    seen: set[str] = set()
    for url in starts:
        walked = 0
        while url and walked < max_pages and normal_url(url) not in seen:
            seen.add(normal_url(url))
            walked += 1
            body, headers = fetch(url)
            page = extract(body, url, headers=headers)
            listed: set[str] = set()
            right = 0
            for entry in page.entries:
                thread = owners.of(entry.url)
                if thread is None or thread in listed:
                    result.wrong.append(entry.url)
                    continue
                listed.add(thread)
                right += 1
            result.found |= listed
            result.pages.append(BoardPage(url, page.kind, len(page.entries), right))
            url = page.next_page_url
    return result


def score_forum(home_url: str, boards: list[BoardTruth],
                fetch: Fetch = fetch_url) -> tuple[HomeResult, list[BoardResult]]:
    """The home page's kind and entries, and every board's figures."""
    from extractor import extract

    body, headers = fetch(home_url)
    home = extract(body, home_url, headers=headers)
    links = board_links(body, home_url, [b.name for b in boards])
    board_urls = {normal_url(u) for urls in links.values() for u in urls}
    home_result = HomeResult(home_url, home.kind, len(home.entries),
                             sum(1 for e in home.entries if normal_url(e.url) in board_urls))
    return home_result, [score_board(b, links.get(b.name), fetch) for b in boards]


def table(results: list[BoardResult]) -> str:
    """One line per board: pages, kinds, entries, truth threads, recall, precision."""
    lines = [f"{'board':<22} {'pages':>5} {'kind':<18} {'entries':>7} {'truth':>5} {'recall':>6} {'prec':>6}"]
    for r in results:
        lines.append(f"{pad(r.name, 22)} {len(r.pages):>5} {r.kinds[:18]:<18} {r.entries:>7} {r.truth:>5} "
                     f"{r.recall:>6.3f} {r.precision:>6.3f}")
    return "\n".join(lines)


def pad(text: str, width: int) -> str:
    """``text`` cut and padded to ``width`` terminal columns (CJK characters take two)."""
    out, used = "", 0
    for ch in text:
        w = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        if used + w > width:
            break
        out, used = out + ch, used + w
    return out + " " * (width - used)


def totals(results: list[BoardResult]) -> tuple[float, float]:
    """Recall and precision over all boards together (threads, entries)."""
    truth = sum(r.truth for r in results)
    found = sum(len(r.found) for r in results)
    entries = sum(r.entries for r in results)
    right = sum(r.right for r in results)
    return (found / truth if truth else 1.0), (right / entries if entries else 0.0)
