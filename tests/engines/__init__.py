"""Real forum engines from PyPI, run on 127.0.0.1 for end-to-end tests.

Each engine lives in its own cached virtualenv (see :mod:`tests.engines.virtualenvs`),
is seeded through the engine itself with the known content of
:mod:`tests.engines.corpus`, and served by a WSGI server on a free port (see
:mod:`tests.engines.server`). Tests get a :class:`~tests.engines.server.ForumServer`
with ``base_url`` and the ground truth ``threads`` from the fixtures in
:mod:`tests.engines.fixtures`.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Engine:
    """One forum engine: where its files are and what it needs."""

    name: str
    version: str
    site_dir: Path  # engine-side files: engine_main.py, settings, requirements.txt
    database: Literal["postgres", "sqlite"]

    @property
    def key(self) -> str:
        return f"{self.name}-{self.version}"

    @property
    def requirements(self) -> Path:
        return self.site_dir / "requirements.txt"

    @property
    def main(self) -> Path:
        return self.site_dir / "engine_main.py"


ENGINES: dict[str, Engine] = {
    "misago": Engine("misago", "0.39.6", HERE / "misago_site", "postgres"),
}
