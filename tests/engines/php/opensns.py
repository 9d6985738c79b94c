"""OpenSNS (a Chinese social community on ThinkPHP 3.2: 微博, 论坛, 会员) with its Forum module, on ``php -S`` + MariaDB.

URLs are ThinkPHP 3.2's compatibility mode (``URL_MODEL`` 3, the route in ``?s=``): the home page
``/``, the forum ``/index.php?s=/forum/index/index.html``, a board ``/index.php?s=/forum/index/forum/id/4.html``
(and ``.../order/ctime.html``, the same list sorted by time), a thread ``/index.php?s=/forum/index/detail/id/32.html``
and its later pages ``.../detail/id/32/page/2.html``: the opening post on page 1 only, then 10 replies a
page (``Forum/Index/detail``: ``$limit = 10``); members ``/index.php?s=/ucenter/index/index/uid/101.html`` and
that controller's other tabs (``fans``, ``following``, ``information``, ``rank``, ``photo``, ``applist``) on
``/uid/101``. Installed through its own web installer (``install.php``: step 2 the database and the founder,
step 3 the tables, ``Conf/common.php`` and ``Conf/user.php``); the Forum module is then installed by the seeder
as the admin's module list does, with its "add to the navigation" box.

The code is PHP 5 (ThinkPHP 3.2.2 of 2014, OpenSNS of 2015-16). Test copy changes (applied here at
install time; the cached source is not touched):
- the snapshot is a site's working copy: its ``Conf/common.php``, ``Conf/user.php``, ``Conf/install.lock``
  and ``Runtime/`` caches are removed (what the installer writes, and caches);
- PHP 8 syntax: ``$s{0}`` string offsets (each line ``php -l`` names), ``$x =& $GLOBALS``, a method
  declaring ``$id`` twice, an unparenthesised nested ``?:``; a widget's required argument given a default
  (``ArgumentCountError`` since PHP 7.1);
- PHP 8 semantics: the mysqli driver's ``$dbVersion > '5.0.1'`` (an int compared with a non-numeric
  string compares as strings since PHP 8: the driver no longer cleared ``sql_mode``, and MariaDB's strict
  mode refused the module install's rows) compares with 50001; ``getPage``'s ``array_slice`` on null (a
  topic without replies) answers null;
- what PHP 5 let pass and PHP 8 throws on, by a prelude (``auto_prepend_file``, generated next to the
  copy, never in it): ``mysqli_report(MYSQLI_REPORT_OFF)`` (PHP 8.1 made mysqli throw),
  ``get_magic_quotes_gpc``, ``mysql_escape_string`` and ``each``; and, in each namespace of the code,
  lenient ``count``, ``array_merge``, ``implode``, ``array_map`` ... that answer ``null`` (``count``: 0)
  where PHP 8 throws a ``TypeError`` on a non-array, as PHP 5 warned and returned null; bare words used
  as array keys (``$post[id]``, ``array(table=>'post')``: PHP 5's "assumed 'id'") defined as constants of
  their own name. Compiled templates are put in a namespace (``OsTpl``) to get the same;
- ``DEFAULT_TIMEZONE`` UTC instead of PRC (pages show times without a zone).
Seeded through the engine's own code (``opensns_seed.php``, PHP CLI: ThinkPHP's command-line route to a
controller the autoloader gives from ``opensns_seed_controller.php``): the Forum module's install
(``ModuleModel::install``, its two sample boards with it: the first renamed 生活闲聊, 技术交流 added as
the admin's board form does), users (``UcenterMemberModel::register``, ``initRoleUser``; the corpus names as
nicknames, ASCII logins), topics (``ForumPostModel::createPost``) and replies (``ForumPostReplyModel::addReply``)
each as its author logged in (``MemberModel::login``). Replies are ordered by ``create_time`` (seconds): the
corpus times are then written into the posts (SQL, the only write not made by the engine). No quotes: the
forum has none (its "楼中楼" replies to a reply are left out). Truth: ``ocenter_forum_post`` +
``ocenter_forum_post_reply``: 82 posts, 10 topics, 14 pages.
"""
from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from tests.engines.php import (HERE, MYSQL, PhpForum, engine_workspace, html_column_text, mysql, mysql_rows, php_server,
                               run_seeder)
from tests.engines.php import corpus
from tests.engines.php.php8 import brace_offsets, lint_error
from tests.engines.server import TruthPage, TruthPost, TruthThread

NAME = "opensns"
PHP_MODULES = ("mysqli", "mbstring", "gd", "curl")
PREFIX = "ocenter_"
PER_PAGE = 10  # (replies a thread page shows; the opening post is shown on page 1 above them)
ADMIN = {"user": "admin", "password": "forumcrawl-admin", "email": "admin@example.com"}
BOARDS = ["生活闲聊", "技术交流"]
# Internal functions that throw a TypeError on a non-array under PHP 8 where PHP 5 warned and returned null.
_LENIENT = ("array_merge", "array_column", "array_keys", "array_values", "array_slice", "array_unique", "array_flip",
            "array_combine", "array_diff", "array_intersect", "implode", "join", "in_array", "array_key_exists",
            "array_search", "array_sum", "array_reverse", "array_fill_keys", "array_diff_key", "array_intersect_key",
            "max", "min", "array_chunk", "array_rand", "array_count_values")


def _patch(site: Path, rel: str, old: str, new: str) -> None:
    path = site / rel
    text = path.read_text(encoding="utf-8")
    if old not in text:
        raise RuntimeError(f"OpenSNS: {old[:60]!r} is not in {rel}")
    path.write_text(text.replace(old, new), encoding="utf-8")


def _namespaces(site: Path) -> set[str]:
    found = {"OsTpl"}
    for folder in ("Application", "Addons", "ThinkPHP/Library/Think", "ThinkPHP/Library/Behavior"):
        for path in (site / folder).rglob("*.php"):
            m = re.search(r"^\s*namespace\s+([\w\\]+)\s*;", path.read_text(encoding="utf-8", errors="replace"), re.M)
            if m:
                found.add(m.group(1))
    return found


def _bare_words(site: Path) -> set[str]:
    """Lower-case bare words the code and templates use as array keys (``$post[id]``, ``array(table=>1)``)."""
    words = {"forum_id"}  # (also ``get_expect_ids(0,0,0,forum_id,0)`` in a Forum template)
    for folder in ("Application", "Addons", "Theme"):
        for path in (site / folder).rglob("*"):
            if path.suffix not in (".php", ".html"):
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            words |= set(re.findall(r"(?:\$\w+|\])\[([a-z_][a-z0-9_]*)\]", text))
            words |= set(re.findall(r"[(,]\s*([a-z_][a-z0-9_]*)\s*=>", text))
    return words - {"true", "false", "null"}


def _prelude(site: Path, path: Path) -> None:
    """The PHP 5 prelude (module docstring), run before every script (``auto_prepend_file``)."""
    out = ["<?php", "mysqli_report(MYSQLI_REPORT_OFF);",
           "if (!function_exists('get_magic_quotes_gpc')) { function get_magic_quotes_gpc() { return false; } }",
           "if (!function_exists('mysql_escape_string')) { function mysql_escape_string($s) { return strtr((string)$s, "
           "array(\"\\0\" => '\\0', \"\\n\" => '\\n', \"\\r\" => '\\r', '\\\\' => '\\\\\\\\', \"'\" => \"\\\\'\", '\"' => '\\\"', "
           "\"\\x1a\" => '\\Z')); } }",
           "if (!function_exists('each')) { function each(&$a) { $k = key($a); if ($k === null) return false; "
           "$v = current($a); next($a); return array(1 => $v, 'value' => $v, 0 => $k, 'key' => $k); } }"]
    out = [out[0], "namespace {", *out[1:], "}",
           # (a callable naming a protected method works inside the class only: bound to it before the call)
           "namespace OsTpl { function fc_callable($cb) { if (is_array($cb) && is_object($cb[0]) && is_string($cb[1])) { "
           "$m = $cb[1]; return (function () use ($m) { return \\Closure::fromCallable(array($this, $m)); })->call($cb[0]); } "
           "return $cb; } }"]
    words = sorted(_bare_words(site))
    for ns in sorted(_namespaces(site)):
        quoted = ns.replace("\\", "\\\\")
        body = [f"namespace {ns} {{",
                "function count($v, $m = 0) { return $v === null ? 0 : ((is_array($v) || $v instanceof \\Countable) ? \\count($v, $m) : 1); }",
                "function sizeof($v, $m = 0) { return count($v, $m); }",
                "function array_map($cb, $a, ...$more) { if (!is_array($a)) return null; "
                "return \\array_map(\\OsTpl\\fc_callable($cb), $a, ...$more); }",
                "function array_filter($a, $cb = null, $mode = 0) { if (!is_array($a)) return null; "
                "return $cb === null ? \\array_filter($a) : \\array_filter($a, \\OsTpl\\fc_callable($cb), $mode); }"]
        body += [f"function {f}(...$a) {{ try {{ return \\{f}(...$a); }} catch (\\TypeError $e) {{ return null; }} }}"
                 for f in _LENIENT]
        body += [f"function {f}(&$a) {{ return is_array($a) ? \\{f}($a) : false; }}" for f in ("reset", "end", "current", "key")]
        body += [f"define('{quoted}\\\\{w}', '{w}');" for w in words]
        out += body + ["}"]
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    error = lint_error(path)
    if error:
        raise RuntimeError(f"OpenSNS prelude: {error}")


def _patch_test_copy(site: Path) -> None:
    """The test copy's changes (module docstring)."""
    for rel in ("Conf/common.php", "Conf/user.php", "Conf/install.lock", "Conf/ws.lock"):
        (site / rel).unlink(missing_ok=True)
    for folder in ("Runtime/Cache", "Runtime/Temp", "Runtime/Data", "Runtime/Logs"):
        for path in sorted((site / folder).rglob("*"), reverse=True) if (site / folder).exists() else []:
            path.rmdir() if path.is_dir() else path.unlink()
    brace_offsets(site, "OpenSNS")
    _patch(site, "ThinkPHP/Common/functions.php", "$input =& $GLOBALS;", "$input = $GLOBALS;")
    _patch(site, "ThinkPHP/Mode/Api/functions.php", "$input =& $GLOBALS;", "$input = $GLOBALS;")
    _patch(site, "Application/Forum/Controller/ForumController.class.php", "editPost($id = null, $id = null,",
           "editPost($id = null, $id_ = null,")
    _patch(site, "Application/Common/Common/function.php",
           '("" == $pKey) ? $temp_array : isset($temp_array[$pKey]) ? $temp_array[$pKey] : "";',
           '("" == $pKey) ? $temp_array : (isset($temp_array[$pKey]) ? $temp_array[$pKey] : "");')
    _patch(site, "Application/Common/Widget/ShareWidget.class.php", "public function detailShare($data)",
           "public function detailShare($data = array())")
    # (a global function, beyond the prelude's namespaced ones: a topic without replies showed an error page)
    _patch(site, "Application/Common/Common/pagination.php", "    return array_slice($data, $offset, $limit);",
           "    return is_array($data) ? array_slice($data, $offset, $limit) : null;")
    _patch(site, "ThinkPHP/Library/Think/Db/Driver/Mysqli.class.php", "if($dbVersion >'5.0.1'){", "if($dbVersion > 50001){")
    _patch(site, "ThinkPHP/Library/Think/Template.class.php", "'<?php if (!defined(\\'THINK_PATH\\')) exit();?>'",
           "'<?php namespace OsTpl; if (!defined(\\'THINK_PATH\\')) exit();?>'")
    _patch(site, "ThinkPHP/Conf/convention.php", "'DEFAULT_TIMEZONE'      =>  'PRC',", "'DEFAULT_TIMEZONE'      =>  'UTC',")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _install(base: str, dbname: str, site: Path) -> None:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(), _NoRedirect())

    def ask(path: str, data: dict | None = None) -> str:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with opener.open(base + path, body, timeout=120) as resp:
                return resp.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            if e.code in (301, 302):
                return ""
            raise RuntimeError(f"OpenSNS installer {path}: HTTP {e.code}: {e.read()[:800]!r}") from None

    fields = {"db[0]": "mysqli", "db[1]": MYSQL["host"], "db[2]": dbname, "db[3]": MYSQL["user"], "db[4]": MYSQL["password"],
              "db[5]": MYSQL["port"], "db[6]": PREFIX, "admin[0]": ADMIN["user"], "admin[1]": ADMIN["password"],
              "admin[2]": ADMIN["password"], "admin[3]": ADMIN["email"]}
    ask("/install.php?s=/install/step2", fields)  # (creates the database; the settings go in a cookie)
    answer = ask("/install.php?s=/install/step3")  # (tables, the founder, Conf/common.php and Conf/user.php)
    if not (site / "Conf/user.php").exists() or f"{PREFIX}forum" in answer and "失败" in answer:
        shown = re.sub(r"<[^>]+>|\s+", " ", answer)
        raise RuntimeError(f"OpenSNS installer: no config written: {shown[-800:]}")


def _seed(site: Path, prelude: Path) -> list[list[int]]:
    users = [{"login": "admin" if n == 0 else f"user{n}", "name": name, "password": "forumcrawl-user",
              "email": f"user{n}@example.com"} for n, name in enumerate(corpus.USERS)]
    threads = [{"title": t["title"], "board": 0 if n < 6 else 1,
                "posts": [{"author": p["author"], "html": f"<p>{p['text']}</p>"} for p in t["posts"]]}
               for n, t in enumerate(corpus.threads())]
    return run_seeder(HERE / "opensns_seed.php", site, {"users": users, "boards": BOARDS, "threads": threads},
                      '{"posts"', NAME, php_args=("-d", f"auto_prepend_file={prelude}"))["posts"]


def _backdate(dbname: str, made: list[list[int]]) -> None:
    """Corpus times on the posts (each topic's posts in the order the seed made them)."""
    sql = []
    for thread, ids in zip(corpus.threads(), made):
        times = [p["time"] for p in thread["posts"]]
        if len(ids) != len(times):
            raise RuntimeError(f"OpenSNS: {len(ids)} posts made for {len(times)}")
        sql.append(f"UPDATE {PREFIX}forum_post SET create_time={times[0]}, update_time={times[0]}, "
                   f"last_reply_time={times[-1]} WHERE id={ids[0]};")
        sql += [f"UPDATE {PREFIX}forum_post_reply SET create_time={t}, update_time={t} WHERE id={i};"
                for i, t in zip(ids[1:], times[1:])]
    done = mysql(" ".join(sql), dbname)
    if done.returncode != 0:
        raise RuntimeError(f"OpenSNS backdating: {done.stderr[-500:]}")


def truth(dbname: str, base: str) -> list[TruthThread]:
    """Topics and their replies in the order a thread page shows them (the topic, then replies by time)."""
    names = {r["uid"]: r["nickname"] for r in mysql_rows(f"SELECT uid, nickname FROM {PREFIX}member", dbname)}
    boards = {r["id"]: r["title"] for r in mysql_rows(f"SELECT id, title FROM {PREFIX}forum", dbname)}
    replies = mysql_rows(f"SELECT id, post_id, uid, content, create_time FROM {PREFIX}forum_post_reply "
                         "WHERE status=1 ORDER BY post_id, create_time, id", dbname)
    threads = []
    for topic in mysql_rows(f"SELECT id, forum_id, uid, title, content, create_time FROM {PREFIX}forum_post "
                            "WHERE status=1 ORDER BY id", dbname):
        mine = [topic] + [r for r in replies if r["post_id"] == topic["id"]]
        url = f"{base}/index.php?s=/forum/index/detail/id/{topic['id']}.html"
        n_pages = max(1, -(-(len(mine) - 1) // PER_PAGE))
        pages = [TruthPage(url if k == 0 else f"{base}/index.php?s=/forum/index/detail/id/{topic['id']}/page/{k + 1}.html",
                           ([0] if k == 0 else []) + list(range(1 + k * PER_PAGE, min(len(mine), 1 + (k + 1) * PER_PAGE))))
                 for k in range(n_pages)]
        threads.append(TruthThread(
            url=url, title=topic["title"], board=boards.get(topic["forum_id"], ""), thread_id=topic["id"], pages=pages,
            posts=[TruthPost(author=names.get(p["uid"], ""), text=html_column_text(p["content"]),
                             post_id=f"{'reply' if 'post_id' in p else 'post'}{p['id']}",
                             published=datetime.fromtimestamp(int(p["create_time"]), timezone.utc)) for p in mine]))
    return threads


@contextmanager
def running_opensns(src: Path) -> Iterator[PhpForum]:
    """A freshly installed and seeded OpenSNS on 127.0.0.1; its database is dropped afterwards."""
    with engine_workspace(NAME) as ws:
        _patch_test_copy(ws.site)
        prelude = ws.tmp / "php5_prelude.php"
        _prelude(ws.site, prelude)
        sessions = ws.tmp / "sessions"
        sessions.mkdir()
        with php_server(ws.site, ws.port, ws.log_path,
                        ini={"auto_prepend_file": str(prelude), "session.save_path": str(sessions)}) as base:
            _install(base, ws.dbname, ws.site)
            made = _seed(ws.site, prelude)
            _backdate(ws.dbname, made)
            for path in sorted((ws.site / "Runtime/Temp").rglob("*"), reverse=True):  # (data caches of the seed's lists)
                path.rmdir() if path.is_dir() else path.unlink()
            yield PhpForum(NAME, base, truth(ws.dbname, base), ws.site, ws.log_path)
