"""Entry point for the shared benchmark evaluator: ``extractor.bench:main_text``."""
from __future__ import annotations

from extractor.extract import extract


def main_text(html: str, url: str) -> str:
    """The main text our extractor finds (for a thread: its posts' texts in order)."""
    return extract(html, url).text
