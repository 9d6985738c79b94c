"""Whole-site crawls of real PHP forum engines run on 127.0.0.1 (issue 9).

Discuz! X 3.5 (UTF-8, and its GBK edition), FluxBB 1.5 (by Visman, PHP 8), Carbon Forum 5.9, the
question-and-answer engines Question2Answer 1.8 and WeCenter (pincong fork), WordPress + bbPress,
WordPress + Asgaros Forum, WordPress + wpForo, Phorum (5.2's PHP 8 line), phpBB 3.3
Flarum (FlarumChina beta.7: a JavaScript app with a server-rendered fallback) and the Chinese community
engine ThinkSAAS 3.7 (group topics and comments), the Chinese forums HYBBS 2.3 (its topic shown again
on every page), HadSky 5.5 (a "load more" script instead of a pager) and StartBBS 2.0 (ThinkPHP 5.1;
constant post ids in its template, the topic's header box on every page), esoTalk 1.0
(a conversation shown at any post offset), the CMS e107 v2 with its forum plugin (news,
pages and forum statistics around the forum), Vanilla Forums 2.2 (every page routed through
``index.php?p=/path``), ElkArte 1.1 (an SMF descendant: ``<link rel=next>`` to the next topic on a
topic's last page, a statistics centre of figures lists), XMB 1.9.12 (a GB2312 board with a printable view of
every thread) and the imageboard TinyIB (anonymous posters, "No.N" post numbers, ``>>N`` replies, thread
pages as static HTML, an index of thread teasers), Beehive Forum 1.5 (framesets whose frames
declare the frameset canonical, a pager of post ranges, "jump to post" windows), and the Chinese community
OpenSNS on ThinkPHP 3.2 (PHP 5 code run through a prelude; every route in ``index.php?s=/...``), all on MariaDB, are installed
through their own installers and seeded through their own posting code (tests/engines/php/); the
truth is the engine's posts table. ``scrapy crawl generic`` crawls the front
page into a fresh SQLite store; we check post F1 >= 0.95 over the whole site,
that no post is stored twice, and that the crawl spent at most 3 GETs per
thread page (what it fetched besides thread pages: boards, redirects, action
links, archive/print/mobile views); Discuz's and FluxBB's board pages also read as
listings of their threads. One test item per engine (each engine installed once).
No engine-specific code on the crawler's side.
Skips when PHP, the engine source or the database server is missing.
"""
from __future__ import annotations

import functools
import re
import time
from collections import Counter
from datetime import datetime, timezone
from types import SimpleNamespace
from typing import Iterator

import pytest

from tests.conftest import service_missing
from tests.engines import metrics
from tests.engines.php import (PhpForum, asgaros, bbpress, beehive, carbon, discuz, e107, elkarte, esotalk, flarum, fluxbb, hadsky, hybbs, missing,
                               opensns, phorum, phpbb, q2a, source_dir, startbbs, thinksaas, tinyib, vanilla, wecenter, wpforo, xmb)
from tests.sites import last_run_stats, norm, run_crawl, stored_posts

pytestmark = pytest.mark.slow

F1_TARGET = 0.95
GETS_PER_THREAD_PAGE = 3.0
SETTINGS = ("CONCURRENT_REQUESTS=4", "CONCURRENT_REQUESTS_PER_DOMAIN=4", "DOWNLOAD_DELAY=0")
ENGINES = {"asgaros": (asgaros.PHP_MODULES, True, asgaros.running_asgaros),
           "beehive": (beehive.PHP_MODULES, True, beehive.running_beehive),
           "carbon": (carbon.PHP_MODULES, True, carbon.running_carbon),
           "discuz": (discuz.PHP_MODULES, True, discuz.running_discuz),
           "discuz-gbk": (discuz.PHP_MODULES, True, functools.partial(discuz.running_discuz, charset="gbk")),
           "e107": (e107.PHP_MODULES, True, e107.running_e107),
           "elkarte": (elkarte.PHP_MODULES, True, elkarte.running_elkarte),
           "esotalk": (esotalk.PHP_MODULES, True, esotalk.running_esotalk),
           "flarum": (flarum.PHP_MODULES, True, flarum.running_flarum),
           "fluxbb": (fluxbb.PHP_MODULES, True, fluxbb.running_fluxbb),
           "hadsky": (hadsky.PHP_MODULES, True, hadsky.running_hadsky),
           "hybbs": (hybbs.PHP_MODULES, True, hybbs.running_hybbs),
           "opensns": (opensns.PHP_MODULES, True, opensns.running_opensns),
           "phorum": (phorum.PHP_MODULES, True, phorum.running_phorum),
           "phpbb": (phpbb.PHP_MODULES, True, phpbb.running_phpbb),
           "q2a": (q2a.PHP_MODULES, True, q2a.running_q2a),
           "bbpress": (bbpress.PHP_MODULES, True, bbpress.running_bbpress),
           "startbbs": (startbbs.PHP_MODULES, True, startbbs.running_startbbs),
           "thinksaas": (thinksaas.PHP_MODULES, True, thinksaas.running_thinksaas),
           "tinyib": (tinyib.PHP_MODULES, True, tinyib.running_tinyib),
           "vanilla": (vanilla.PHP_MODULES, True, vanilla.running_vanilla),
           "wecenter": (wecenter.PHP_MODULES, True, wecenter.running_wecenter),
           "wpforo": (wpforo.PHP_MODULES, True, wpforo.running_wpforo),
           "xmb": (xmb.PHP_MODULES, True, xmb.running_xmb)}
ALSO_NEEDS = {"asgaros": "wordpress", "bbpress": "wordpress", "wpforo": "wordpress"}  # (WordPress plugins: both sources)
# Engines whose crawl is known to fall short, and why (docs/crawl-engines.md): the item reports xfail
# with what failed, and xpasses once it is fixed.
KNOWN_OPEN: dict[str, str] = {}
SOURCE_CHECKS = {"flarum": flarum.source_problem, "phpbb": phpbb.source_problem, "xmb": xmb.source_problem}  # (a source folder that is there but cannot run)


def _skip_or_fail(reason: str) -> None:
    # No PHP / no engine source is "not set up here", never a missing CI service.
    if reason.startswith(("PHP", "no ", "the mysql client")) and "server" not in reason:
        pytest.skip(reason)
    service_missing(reason)


@pytest.fixture(scope="module", params=sorted(ENGINES))
def php_forum(request) -> Iterator[PhpForum]:
    modules, needs_mysql, running = ENGINES[request.param]
    engine = request.param.split("-")[0]  # (discuz-gbk: the GBK edition built from the discuz source)
    reason = missing(engine, modules, needs_mysql) or (
        engine in ALSO_NEEDS and missing(ALSO_NEEDS[engine], modules, needs_mysql))
    if not reason and engine in SOURCE_CHECKS:
        reason = SOURCE_CHECKS[engine](source_dir(engine))
    if reason:
        _skip_or_fail(reason)
    started = time.monotonic()
    with running(source_dir(engine)) as forum:
        print(f"[{forum.name}] installed and seeded in {time.monotonic() - started:.1f} s at {forum.base_url}")
        yield forum


def crawl_once(php_forum: PhpForum, store: str) -> dict:
    """One whole-site crawl into ``store``; its stats, with what it asked the server for by URL shape."""
    started = time.monotonic()
    logged = php_forum.log_path.stat().st_size
    run_crawl(php_forum.base_url + "/", store, *SETTINGS, timeout=240)
    stats = last_run_stats(store)
    with open(php_forum.log_path, "rb") as log:
        log.seek(logged)
        paths = re.findall(r"\]: GET (\S+)", log.read().decode("utf-8", "replace"))
    stats["requests by shape"] = Counter(re.sub(r"\d+", "#", p) for p in paths).most_common(20)
    print(f"[{php_forum.name}] crawl {time.monotonic() - started:.1f} s: "
          f"{stats.get('downloader/request_method_count/GET')} GETs for {stats.get('forumcrawl/thread_pages')} "
          f"thread pages ({stats.get('forumcrawl/gets_per_thread_page')} a page); template from "
          f"{stats.get('forumcrawl/template_pages')} pages, {stats.get('forumcrawl/template_chains')} chains")
    return stats


def _crawled(php_forum: PhpForum, store: str) -> tuple[list[dict], dict]:
    stats = crawl_once(php_forum, store)
    posts = stored_posts(store, php_forum.base_url)
    print(f"[{php_forum.name}] {len(posts)} posts stored")
    return posts, stats


def as_scored(row: dict) -> SimpleNamespace:
    published = datetime.fromisoformat(row["published"]) if row["published"] else None
    return SimpleNamespace(text=row["text"], author=row["author"], published=published)


def test_whole_site_crawl_of_the_engine(php_forum: PhpForum, tmp_path) -> None:
    """One test item per engine, so the engine is installed once: pytest-xdist never splits an
    item across workers (it split one engine's separate tests, each worker installing it)."""
    posts, stats = _crawled(php_forum, f"sqlite:///{tmp_path / 'crawl.db'}")
    problems = (every_post_stored(php_forum, posts) + threads_kept_apart(php_forum, posts) + stored_twice(posts)
                + too_many_fetches(php_forum, stats, tmp_path) + blog_comments_stored(php_forum, posts)
                + board_pages_unlike_listings(php_forum))
    if problems and php_forum.name in KNOWN_OPEN:
        pytest.xfail(KNOWN_OPEN[php_forum.name] + ": " + "; ".join(problems)[:1500])
    assert not problems, "\n".join(problems)


def every_post_stored(php_forum: PhpForum, posts: list[dict]) -> list[str]:
    """Post F1, authors and dates over the whole site against the engine's own posts table."""
    # A date shown without its zone ("Today 13:30", FluxBB) is in the server's: UTC under php -S.
    score = metrics.score_site(php_forum.threads, [as_scored(p) for p in posts], naive_as=timezone.utc)
    print(f"[{php_forum.name}] {len(posts)} stored for {len(php_forum.all_posts())}: {score.summary()}")
    # (Flarum's server-rendered pages show no post dates)
    dates = score.date_accuracy if php_forum.extra.get("shows_dates", True) else 1.0
    if min(score.f1, score.author_accuracy, dates) >= F1_TARGET:
        return []
    return [f"posts: {score.summary()}", *map(str, score.failures[:10])]


def threads_kept_apart(php_forum: PhpForum, posts: list[dict]) -> list[str]:
    """Each engine thread's posts stored under one thread, and no two engine threads under the same one
    (post F1 is scored over the whole site: it would not see a site's topics stored as one thread)."""
    return thread_identity_problems(php_forum, posts)


def thread_identity_problems(php_forum: PhpForum, posts: list[dict]) -> list[str]:
    truth = [(n, p) for n, t in enumerate(php_forum.threads) for p in t.posts]
    stored_as: dict[int, set[str]] = {}
    for i, j, _ in metrics.match([p for _, p in truth], [SimpleNamespace(text=p["text"]) for p in posts]):
        stored_as.setdefault(truth[i][0], set()).add(posts[j]["thread_url"])
    problems = [f"thread {php_forum.threads[n].url} stored under {len(urls)} threads: {sorted(urls)[:3]}"
                for n, urls in stored_as.items() if len(urls) > 1]
    owners = Counter(url for urls in stored_as.values() for url in urls)
    problems += [f"{k} engine threads stored under {url}" for url, k in owners.items() if k > 1]
    return problems[:10]


def stored_twice(posts: list[dict]) -> list[str]:
    texts = Counter(norm(p["text"]) for p in posts if norm(p["text"]))
    rows = Counter((p["thread_url"], p["position"]) for p in posts)
    twice = [f"{n}x {t[:60]!r}" for t, n in texts.items() if n > 1] + [f"{n}x row {k}" for k, n in rows.items() if n > 1]
    return [f"stored twice: {line}" for line in twice[:20]]


def too_many_fetches(php_forum: PhpForum, stats: dict, tmp_path) -> list[str]:
    pages = sum(len(t.pages) for t in php_forum.threads)
    problems = []
    # (a one-post thread may read as an article: the F1 check counts its post)
    if stats.get("forumcrawl/thread_pages", 0) < 0.9 * pages:
        problems.append(f"{stats.get('forumcrawl/thread_pages', 0)} thread pages read of {pages}")
    runs = [stats]
    if stats["forumcrawl/gets_per_thread_page"] > GETS_PER_THREAD_PAGE:
        # Which view of a page comes first depends on timing (seen once at 3.29 under the parallel
        # suite, 2.1-2.4 otherwise): a second crawl, and the mean of the two decides.
        runs.append(crawl_once(php_forum, f"sqlite:///{tmp_path / 'again.db'}"))
    mean = sum(r["forumcrawl/gets_per_thread_page"] for r in runs) / len(runs)
    if mean > GETS_PER_THREAD_PAGE:
        problems += [f"{r.get('downloader/request_method_count/GET')} GETs for {r.get('forumcrawl/thread_pages')} "
                     f"thread pages; requests by shape: {r['requests by shape']}" for r in runs]
    return problems


def blog_comments_stored(php_forum: PhpForum, posts: list[dict]) -> list[str]:
    """A WordPress blog post's reader comments are comments under an article, not a forum thread:
    neither they nor the article are stored as posts (what a user of a forum crawler expects)."""
    comments = php_forum.extra.get("comments")
    if not comments:
        return []    # (an engine without a blog)
    stored = [p for p in posts if any(metrics.token_f1(c, p["text"]) >= 0.8 for c in comments)
              or p["thread_url"].startswith(php_forum.extra["blog_url"])]
    return [f"blog comment stored: {p['thread_url']} #{p['position']}: {p['text'][:60]!r}" for p in stored]


# Engines whose board pages are checked to read as listings of their threads (issue 8): the home
# page's links whose text is a board's name, then each board page's next page; over all boards,
# entries recall >= 0.95 and precision >= 0.9, and every board page read is a listing (a next
# page that is a thread page, taken from a row's own page links or reply count, would show as a
# page of another kind). Discuz's last board page links each topic's reply count with
# ``&extra=page%3D2``. Figures: ``bench/engine_boards.py --engine discuz|fluxbb``.
BOARDS_CHECKED = frozenset({"discuz", "fluxbb"})


def board_pages_unlike_listings(php_forum: PhpForum) -> list[str]:
    if php_forum.name not in BOARDS_CHECKED:
        return []
    return board_problems(php_forum)


def board_problems(forum) -> list[str]:
    """What is wrong with the board pages of ``forum`` read as listings (tests/engines/boards.py)."""
    from tests.engines import boards
    from tests.test_engine_boards import PRECISION_TARGET, RECALL_TARGET

    home, results = boards.score_forum(forum.base_url + "/", boards.engine_boards(forum))
    recall, precision = boards.totals(results)
    detail = boards.table(results) + f"\nwrong: {[u for r in results for u in r.wrong][:10]}"
    print(f"\n{detail}\nrecall {recall:.3f} precision {precision:.3f}")
    problems = [f"board {r.name}: no link on the home page" for r in results if not r.url]
    if recall < RECALL_TARGET or precision < PRECISION_TARGET:
        problems.append(f"boards: recall {recall:.3f} precision {precision:.3f}\n{detail}")
    problems += [f"board page {p.url} read as {p.kind}" for r in results for p in r.pages if p.kind != "listing"]
    return problems
