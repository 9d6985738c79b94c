"""Thread titles without the site's decoration ("Topic - Board - Site name").

Used when no listing entry named the thread. The decoration is learned from the
titles of the template sample pages (the start page and the pages it links to
first: the site's home and its boards), a fixed set, so the same thread gets the
same title on every crawl.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

_SEP = re.compile(r"(\s+(?:-|–|—|\||::|»|›|·|_|:)\s+|\s*[|｜–—]\s*)")


def _split(title: str) -> list[str]:
    """Alternating parts and separators: ["Topic", " - ", "Board", " - ", "Site"]."""
    return [p for p in _SEP.split(title.strip())]


class TitleCleaner:
    """Strips trailing (and leading) title parts that belong to the site, not the thread."""

    def __init__(self, sample_titles: Iterable[str] = ()) -> None:
        sample_titles = [t for t in sample_titles if t]
        self.sample_titles = sample_titles
        counts: Counter = Counter()
        chrome: set[str] = set()
        for title in sample_titles:
            parts = [p.strip() for p in _split(title)[::2] if p.strip()]
            counts.update(set(parts))
            if len(parts) == 1:
                chrome.add(parts[0])          # the home page's title: the site name
            elif parts:
                chrome.add(parts[0])          # a board page's own name
        site = {p for p, n in counts.items() if n >= 2}
        site.update(p for p in chrome if counts[p] and p not in self._firsts(sample_titles))
        self.site = site                  # the site's name: stripped at either end
        self.chrome = chrome | site       # site and board names: stripped at the end

    @staticmethod
    def _firsts(titles: Iterable[str]) -> set[str]:
        return {_split(t)[0].strip() for t in titles if len(_split(t)) > 1}

    def clean(self, title: str | None) -> str | None:
        if not title:
            return title
        pieces = _split(title)
        parts = pieces[::2]
        # drop decoration at the end, then a site name at the start; never the last part
        while len(parts) > 1 and parts[-1].strip() in self.chrome:
            parts.pop()
        while len(parts) > 1 and parts[0].strip() in self.site:
            parts.pop(0)
        out = []
        for i, part in enumerate(parts):
            if i:
                out.append(pieces[2 * i - 1])
            out.append(part)
        return "".join(out).strip() or title
