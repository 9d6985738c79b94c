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
from datetime import timezone, tzinfo
from pathlib import Path
from typing import Literal

HERE = Path(__file__).resolve().parent


def _source_root() -> Path:
    """Where engines that are not on PyPI keep their source: ``<engine cache>/src``."""
    import os

    env = os.environ.get("FORUMCRAWL_ENGINE_CACHE")
    base = Path(env) if env else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "forumcrawl" / "engines"
    return base / "src"


SOURCE_ROOT = _source_root()


@dataclass(frozen=True)
class Engine:
    """One forum engine: where its files are and what it needs."""

    name: str
    version: str
    site_dir: Path  # engine-side files: engine_main.py, settings, requirements.txt
    database: Literal["postgres", "sqlite"]
    # The zone a naive extracted date is read in: set when the pages show dates
    # without any zone (the site's display zone), None when they state it.
    naive_dates_in: tzinfo | None = None
    # An engine not on PyPI: the folder its source must be in (see docs/engines.md); the
    # tests skip, naming it, when it is missing.
    source: Path | None = None
    # The pages show only relative dates ("3.2 years ago"): no minute can be read off them,
    # so date accuracy is reported but not required.
    relative_dates: bool = False

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
    # Misago: <time itemprop="datePublished" datetime="...+00:00">: the zone is on the page.
    "misago": Engine("misago", "0.39.6", HERE / "misago_site", "postgres"),
    # Spirit: <li title="March 14, 2024, 9:26 a.m.">14 Mar '24</li>: no zone anywhere; it shows UTC.
    "spirit": Engine("spirit", "0.14.3", HERE / "spirit_site", "sqlite", naive_dates_in=timezone.utc),
    # django-machina: "By: <a>alice</a> on March 14, 2024, 9:26 a.m." in the post: no zone; it shows UTC.
    "machina": Engine("machina", "1.3.1", HERE / "machina_site", "sqlite", naive_dates_in=timezone.utc),
    # HyperKitty (Mailman 3's archive): <span title="Sender's time: March 14, 2024, 3:40 p.m.">: no zone; UTC.
    "hyperkitty": Engine("hyperkitty", "1.3.12", HERE / "hyperkitty_site", "sqlite", naive_dates_in=timezone.utc),
    # PunkwebBB (a plain Django app): <time datetime="2024-03-14T09:26:00+00:00">Mar 14, 2024</time>: the
    # zone is in the attribute, the text has the day only; it shows UTC.
    "punkweb": Engine("punkweb", "0.5.2", HERE / "punkweb_site", "sqlite", naive_dates_in=timezone.utc),
    # Biostar Central (Q&A, not on PyPI: a source checkout, commit efe9fc1): dates only as "5.6 years ago".
    "biostar": Engine("biostar", "efe9fc1", HERE / "biostar_site", "sqlite", naive_dates_in=timezone.utc,
                      source=SOURCE_ROOT / "biostar", relative_dates=True),
}
