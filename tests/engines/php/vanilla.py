"""Vanilla Forums 2.2.1 on ``php -S`` + MariaDB: discussions and their comments (vanilla/vanilla).

A discussion and its comments are a thread and its posts: the discussion's own body is the first post
(``GDN_Discussion``), the comments follow (``GDN_Comment``). Pages are ``/index.php?p=/discussion/ID/slug``
and ``.../pN``; page 1 shows the discussion and the first five comments (``Vanilla.Comments.PerPage``),
later pages five comments each (the discussion body only on page 1). Vanilla 2.2.1 is the last release
whose tree needs no composer download (its ``composer.json`` requires nothing; 2.3 on needs
garden-http, htmlawed, nbbc from Packagist). It was written for PHP 5.4-7.0; the test copy gets what PHP
8.2 needs and nothing else (each patch checks its text is there, so another revision fails loudly):

* an ``auto_prepend_file`` defining ``get_magic_quotes_gpc``/``create_function`` (removed in PHP 8) and two
  helpers for ``array_pop``/``array_shift`` called on an assignment (``array_pop($Trash = explode(..))``,
  which PHP 8 refuses as a by-reference argument);
* ``$str{$i}`` string offsets written ``$str[$i]`` (two core files, and the bundled Markdown parser
  that renders the terms-of-service page);
* the error handler: its fifth parameter optional (PHP 8 passes four), and warnings/notices/deprecations
  not turned into exceptions (PHP 8 raised many notices to warnings: an undefined index would be a fatal
  error page), like PHP 7 did with them;
* method signatures that PHP 8 refuses as incompatible with their parent's (a model's ``save($Values)``
  against ``Gdn_Model::save($Values, $Settings = false)``): the child's parameters get ``= null`` defaults
  and extra optional parameters up to its parent's count (the list below, found by loading every class);
* PHP 4 constructors renamed ``__construct`` (Smarty 2.6, phpass: without it no password is hashed and
  no template compiles), Smarty 2.6's one ``preg_replace(.../e)`` as ``preg_replace_callback``;
* ``Gdn_Factory::cleanup`` and ``RoleModel::getDefaultRoles`` guarded against null (TypeErrors in PHP 8).

Install: the setup form (``/dashboard/setup``), then ``conf/config.php`` gets what a site owner sets in the
dashboard: five comments a page, "Basic" registration (no CAPTCHA keys here), no flood limits, user names
from two characters (陈伟: the default wants three).
Seed: each author registers through ``/entry/register`` (own session and loopback address); discussions
through ``/post/discussion``, comments through the discussion page's comment form (``/post/comment``).
Post times are then set to the corpus times (SQL: posted within seconds they would all read the same).
Truth: ``GDN_Discussion`` + ``GDN_Comment`` read back, the installer's welcome discussion included.
"""
from __future__ import annotations

import html
import re
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from tests.engines.php import (MYSQL, FormBrowser, PhpForum, engine_workspace, html_column_text, mysql, mysql_rows,
                               php_server)
from tests.engines.php import corpus
from tests.engines.server import TruthPage, TruthPost, TruthThread

NAME = "vanilla"
PHP_MODULES = ("pdo_mysql", "mbstring")
POSTS_PER_PAGE = 5  # comments a page; page 1 has the discussion's body besides
ADMIN_PASSWORD = "fc-admin-pw"
SHIM = """<?php
// PHP 8 removed these; Vanilla 2.2 calls them.
if (!function_exists('get_magic_quotes_gpc')) { function get_magic_quotes_gpc() { return false; } }
if (!function_exists('get_magic_quotes_runtime')) { function get_magic_quotes_runtime() { return false; } }
if (!function_exists('create_function')) {
    function create_function($args, $code) { return eval("return function($args) { $code };"); }
}
// array_pop($Trash = explode(...)): PHP 8 refuses an assignment as a by-reference argument.
function fc_array_pop($a) { return array_pop($a); }
function fc_array_shift($a) { return array_shift($a); }
"""
# (file, old, new)
PHP8_PATCHES = [
    ("library/core/functions.general.php", "if ($Path{strlen($Path) - 1} == DS) {",
     "if ($Path[strlen($Path) - 1] == DS) {"),
    ("library/core/functions.general.php", "GetValue($CharacterOptions{$i}, $CharacterClasses)",
     "GetValue($CharacterOptions[$i], $CharacterClasses)"),
    ("library/core/class.proxyrequest.php", "if ($Class{$i} != 'x' && $Class{$i} != $Code{$i}) {",
     "if ($Class[$i] != 'x' && $Class[$i] != $Code[$i]) {"),
    ("library/core/functions.error.php", "function Gdn_ErrorHandler($ErrorNumber, $Message, $File, $Line, $Arguments) {",
     "function Gdn_ErrorHandler($ErrorNumber, $Message, $File, $Line, $Arguments = array()) {"),
    ("library/core/functions.error.php", "    if (($ErrorReporting & $ErrorNumber) !== $ErrorNumber) {",
     "    if (($ErrorReporting & $ErrorNumber) !== $ErrorNumber\n"
     "        || ($ErrorNumber & (E_WARNING | E_NOTICE | E_DEPRECATED | E_USER_DEPRECATED))) {"),
    ("library/core/class.factory.php", "            if (method_exists($FactoryObject, 'Cleanup')) {",
     "            if (is_object($FactoryObject) && method_exists($FactoryObject, 'Cleanup')) {"),
    ("applications/dashboard/models/class.rolemodel.php", "$roleIDs = array_merge($roleIDs, $backRoleIDs);",
     "$roleIDs = array_merge($roleIDs, (array)($backRoleIDs ?? array()));"),
    ("library/vendors/phpass/PasswordHash.php", "function PasswordHash(", "function __construct("),
    ("library/core/class.passwordhash.php", "parent::passwordHash(8, false);", "parent::__construct(8, false);"),
    ("library/vendors/Smarty-2.6.25/libs/Config_File.class.php", "function Config_File(", "function __construct("),
    ("library/vendors/Smarty-2.6.25/libs/Smarty.class.php", "function Smarty()", "function __construct()"),
    ("library/vendors/Smarty-2.6.25/libs/Smarty_Compiler.class.php", "function Smarty_Compiler()",
     "function __construct()"),
    ("library/vendors/Smarty-2.6.25/libs/Smarty_Compiler.class.php",
     """        $source_content = preg_replace($search.'e', "'"
                                       . $this->_quote_replace($this->left_delimiter) . 'php'
                                       . "' . str_repeat(\\"\\n\\", substr_count('\\\\0', \\"\\n\\")) .'"
                                       . $this->_quote_replace($this->right_delimiter)
                                       . "'"
                                       , $source_content);""",
     """        $fc_ld = $this->left_delimiter; $fc_rd = $this->right_delimiter;
        $source_content = preg_replace_callback($search, function ($m) use ($fc_ld, $fc_rd) {
            return $fc_ld . 'php' . str_repeat("\\n", substr_count($m[0], "\\n")) . $fc_rd; }, $source_content);"""),
]
# ``$token{0}``, ``$matches[2]{0}``, ``$tag{strlen($tag)-2}``: the bundled PHP Markdown's string offsets
CURLY_OFFSETS = ("library/vendors/markdown/Michelf/Markdown.php", 21)
_CURLY_OFFSET = re.compile(r"(\$\w+(?:\[\d+\])?)\{(\$?\w+|\d+|\$\w+\s*[-+]\s*\d+|strlen\(\$\w+\)-\d+)\}")
POP_ON_ASSIGNMENT = ["library/core/class.plugin.php", "library/core/class.thememanager.php",
                     "library/core/class.sliceprovider.php", "library/core/class.controller.php",
                     "library/core/class.pluginmanager.php"]
# (file, method, the parent's parameter count): overrides PHP 8 refuses as incompatible with the parent's
LOOSENED = [
    ("applications/conversations/models/class.conversationmessagemodel.php", "get", 4),
    ("applications/conversations/models/class.conversationmessagemodel.php", "getCount", 1),
    ("applications/conversations/models/class.conversationmessagemodel.php", "getID", 3),
    ("applications/conversations/models/class.conversationmodel.php", "get", 4),
    ("applications/conversations/models/class.conversationmodel.php", "getCount", 1),
    ("applications/conversations/models/class.conversationmodel.php", "getID", 3),
    ("applications/conversations/models/class.conversationmodel.php", "save", 2),
    ("applications/conversations/modules/class.inthisconversationmodule.php", "setData", 2),
    ("applications/dashboard/controllers/class.homecontroller.php", "permission", 4),
    ("applications/dashboard/models/class.activitymodel.php", "delete", 3),
    ("applications/dashboard/models/class.activitymodel.php", "get", 4),
    ("applications/dashboard/models/class.activitymodel.php", "getID", 3),
    ("applications/dashboard/models/class.activitymodel.php", "getWhere", 5),
    ("applications/dashboard/models/class.invitationmodel.php", "delete", 3),
    ("applications/dashboard/models/class.invitationmodel.php", "save", 2),
    ("applications/dashboard/models/class.messagemodel.php", "getID", 3),
    ("applications/dashboard/models/class.regardingmodel.php", "get", 4),
    ("applications/dashboard/models/class.regardingmodel.php", "getID", 3),
    ("applications/dashboard/models/class.rolemodel.php", "delete", 3),
    ("applications/dashboard/models/class.rolemodel.php", "get", 4),
    ("applications/dashboard/models/class.rolemodel.php", "save", 2),
    ("applications/dashboard/models/class.usermodel.php", "delete", 3),
    ("applications/dashboard/models/class.usermodel.php", "getID", 3),
    ("applications/dashboard/modules/class.morepagermodule.php", "details", 1),
    ("applications/vanilla/models/class.categorymodel.php", "delete", 3),
    ("applications/vanilla/models/class.categorymodel.php", "getID", 3),
    ("applications/vanilla/models/class.categorymodel.php", "save", 2),
    ("applications/vanilla/models/class.commentmodel.php", "delete", 3),
    ("applications/vanilla/models/class.commentmodel.php", "get", 4),
    ("applications/vanilla/models/class.commentmodel.php", "getCount", 1),
    ("applications/vanilla/models/class.commentmodel.php", "save", 2),
    ("applications/vanilla/models/class.discussionmodel.php", "delete", 3),
    ("applications/vanilla/models/class.discussionmodel.php", "getWhere", 5),
    ("applications/vanilla/models/class.discussionmodel.php", "save", 2),
    ("applications/vanilla/models/class.draftmodel.php", "delete", 3),
    ("applications/vanilla/models/class.draftmodel.php", "get", 4),
    ("applications/vanilla/models/class.draftmodel.php", "getCount", 1),
    ("applications/vanilla/models/class.draftmodel.php", "getID", 3),
    ("applications/vanilla/models/class.draftmodel.php", "save", 2),
]
SETTINGS = f"""
$Configuration['Vanilla']['Comments']['PerPage'] = '{POSTS_PER_PAGE}';
$Configuration['Garden']['Registration']['Method'] = 'Basic';
$Configuration['Garden']['Registration']['ConfirmEmail'] = false;
$Configuration['Garden']['User']['ValidationLength'] = '{{2,20}}';
$Configuration['Vanilla']['Comment']['SpamCount'] = '1000';
$Configuration['Vanilla']['Discussion']['SpamCount'] = '1000';
"""


def _replace(site: Path, name: str, old: str, new: str, count: int = 1) -> None:
    path = site / name
    text = path.read_text(encoding="latin-1")  # (byte-preserving: Smarty's files are not all UTF-8)
    if old not in text:
        raise RuntimeError(f"Vanilla: {old[:80]!r} is not in {name} (another Vanilla revision?)")
    path.write_text(text.replace(old, new, count), encoding="latin-1")


def _loosen(site: Path, name: str, method: str, parent_params: int) -> None:
    """``method``'s parameters in ``name`` all optional, and as many as its parent's."""
    path = site / name
    text = path.read_text(encoding="latin-1")
    found = re.search(r"function\s+&?\s*" + re.escape(method) + r"\s*\(", text, re.I)
    if not found:
        raise RuntimeError(f"Vanilla: no method {method} in {name} (another Vanilla revision?)")
    start = end = found.end()
    depth = 1
    while depth:
        depth += {"(": 1, ")": -1}.get(text[end], 0)
        end += 1
    params, depth, current = [], 0, ""
    for ch in text[start:end - 1]:
        depth += {"(": 1, "[": 1, ")": -1, "]": -1}.get(ch, 0)
        if ch == "," and depth == 0:
            params.append(current)
            current = ""
        else:
            current += ch
    if current.strip():
        params.append(current)
    params = [p.strip() if "=" in p else p.strip() + " = null" for p in params]
    params += [f"$fcUnused{n} = null" for n in range(len(params), parent_params)]
    path.write_text(text[:start] + ", ".join(params) + text[end - 1:], encoding="latin-1")


def _patch(site: Path) -> None:
    for name, old, new in PHP8_PATCHES:
        _replace(site, name, old, new)
    name, expected = CURLY_OFFSETS
    path = site / name
    patched, count = _CURLY_OFFSET.subn(r"\1[\2]", path.read_text(encoding="latin-1"))
    if count != expected:
        raise RuntimeError(f"Vanilla: {count} string offsets in braces in {name}, not {expected} (another revision?)")
    path.write_text(patched, encoding="latin-1")
    for name in POP_ON_ASSIGNMENT:
        path = site / name
        text = path.read_text(encoding="latin-1")
        patched = re.sub(r"\b(array_pop|array_shift)\((\$\w+ = )", r"fc_\1(\2", text)
        if patched == text:
            raise RuntimeError(f"Vanilla: no array_pop/array_shift on an assignment in {name}")
        path.write_text(patched, encoding="latin-1")
    for name, method, count in LOOSENED:
        _loosen(site, name, method, count)


class Browser(FormBrowser):
    """A FormBrowser that raises when Vanilla answers a form with its error messages."""

    def submit(self, path: str, must_have: str, values: dict[str, str], *, action: str | None = None) -> str:
        body = self.fill(path, must_have, values, action=action)
        errors = re.search(r"<div class=\"Messages Errors\">(.*?)</div>", body, re.S)
        if errors:
            said = re.sub(r"<[^>]+>|\s+", " ", errors.group(1))
            raise RuntimeError(f"Vanilla refused {action or path}: {said}")
        return body


def _install(base: str, site: Path, dbname: str) -> None:
    if mysql(f"CREATE DATABASE `{dbname}` CHARACTER SET utf8mb4").returncode != 0:
        raise RuntimeError(f"could not create the database {dbname}")
    Browser(base).submit("/index.php?p=/dashboard/setup", "Database-dot-Host", {
        "Database-dot-Host": MYSQL["host"] if MYSQL["port"] == "3306" else f"{MYSQL['host']}:{MYSQL['port']}",
        "Database-dot-Name": dbname, "Database-dot-User": MYSQL["user"], "Database-dot-Password": MYSQL["password"],
        "Garden-dot-Title": "Vanilla 测试论坛", "Email": "admin@example.org", "Name": "admin",
        "Password": ADMIN_PASSWORD, "PasswordMatch": ADMIN_PASSWORD})
    config = site / "conf/config.php"
    if "Database" not in config.read_text(encoding="utf-8") or not mysql_rows("SELECT UserID FROM GDN_User", dbname):
        raise RuntimeError("Vanilla's setup wrote no conf/config.php or no admin")
    with open(config, "a", encoding="utf-8") as f:
        f.write(SETTINGS)


def _seed(base: str, dbname: str) -> None:
    users: dict[str, Browser] = {}
    admin = users["admin"] = Browser(base)
    admin.submit("/index.php?p=/entry/signin", "Password", {"Email": "admin", "Password": ADMIN_PASSWORD})
    for n, name in enumerate(u for u in corpus.USERS if u != "admin"):
        user = users[name] = Browser(base, f"127.0.0.{n + 2}")
        password = f"fc-seed-pw-{n}"
        user.submit("/index.php?p=/entry/register", "PasswordMatch", {
            "Email": f"user{n}@example.org", "Name": name, "Password": password, "PasswordMatch": password,
            "TermsOfService": "1"})
    for thread in corpus.threads():
        first, *replies = thread["posts"]
        users[first["author"]].submit("/index.php?p=/post/discussion", "Body", {
            "Name": thread["title"], "Body": first["text"], "Post_Discussion": "Post Discussion"})
        did = _discussion_id(dbname, thread["title"])
        for post in replies:
            users[post["author"]].submit(f"/index.php?p=/discussion/{did}", "Body", {
                "Body": post["text"], "Post_Comment": "Post Comment"}, action="/index.php?p=/post/comment/")
    _backdate(dbname)


def _discussion_id(dbname: str, title: str) -> int:
    rows = mysql_rows("SELECT DiscussionID FROM GDN_Discussion WHERE Name = '" + title.replace("'", "''") + "'", dbname)
    if not rows:
        raise RuntimeError(f"Vanilla stored no discussion '{title}'")
    return int(rows[-1]["DiscussionID"])


def _when(t: int) -> str:
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def _backdate(dbname: str) -> None:
    """Corpus times on the seeded discussions and comments (Vanilla keeps UTC datetimes)."""
    sql = []
    for thread in corpus.threads():
        did = _discussion_id(dbname, thread["title"])
        ids = [r["CommentID"] for r in mysql_rows(f"SELECT CommentID FROM GDN_Comment WHERE DiscussionID={did} "
                                                  "ORDER BY CommentID", dbname)]
        times = [p["time"] for p in thread["posts"]]
        if len(ids) != len(times) - 1:
            raise RuntimeError(f"Vanilla stored {len(ids) + 1} of {len(times)} posts of '{thread['title']}'")
        sql.append(f"UPDATE GDN_Discussion SET DateInserted='{_when(times[0])}', "
                   f"DateLastComment='{_when(times[-1])}' WHERE DiscussionID={did};")
        sql += [f"UPDATE GDN_Comment SET DateInserted='{_when(t)}' WHERE CommentID={i};" for i, t in zip(ids, times[1:])]
    done = mysql(" ".join(sql), dbname)
    if done.returncode != 0:
        raise RuntimeError(f"Vanilla backdating: {done.stderr[-500:]}")


def _text(body: str, fmt: str) -> str:
    """A post's body as the page shows it (Text: as is; the welcome post is Html)."""
    return html_column_text(body) if fmt.lower() == "html" else body.replace("\\n", "\n").strip()


def _utc(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)


def truth(dbname: str, base: str) -> list[TruthThread]:
    """Every discussion: its body, then its comments in id order; page 1 also holds the body."""
    names = {r["UserID"]: r["Name"] for r in mysql_rows("SELECT UserID, Name FROM GDN_User", dbname)}
    categories = {r["CategoryID"]: r["Name"] for r in mysql_rows("SELECT CategoryID, Name FROM GDN_Category", dbname)}
    comments = mysql_rows("SELECT CommentID, DiscussionID, InsertUserID, DateInserted, Body, Format FROM GDN_Comment "
                          "ORDER BY CommentID", dbname)
    threads = []
    for d in mysql_rows("SELECT DiscussionID, Name, CategoryID, InsertUserID, DateInserted, Body, Format "
                        "FROM GDN_Discussion ORDER BY DiscussionID", dbname):
        did = d["DiscussionID"]
        url = f"{base}/index.php?p=/discussion/{did}"
        mine = [TruthPost(author=names[d["InsertUserID"]], text=_text(d["Body"], d["Format"]), post_id=f"d{did}",
                          published=_utc(d["DateInserted"]))]
        mine += [TruthPost(author=names[c["InsertUserID"]], text=_text(c["Body"], c["Format"]), post_id=c["CommentID"],
                           published=_utc(c["DateInserted"]))
                 for c in comments if c["DiscussionID"] == did]
        pages = [TruthPage(url, list(range(0, min(1 + POSTS_PER_PAGE, len(mine)))))]
        for n in range(1 + POSTS_PER_PAGE, len(mine), POSTS_PER_PAGE):
            pages.append(TruthPage(f"{url}/p{len(pages) + 1}", list(range(n, min(n + POSTS_PER_PAGE, len(mine))))))
        threads.append(TruthThread(url=url, title=html.unescape(d["Name"]), board=categories.get(d["CategoryID"], ""),
                                   posts=mine, pages=pages, thread_id=did))
    return threads


@contextmanager
def running_vanilla(src: Path) -> Iterator[PhpForum]:
    """A freshly installed and seeded Vanilla on 127.0.0.1; its database is dropped afterwards."""
    with engine_workspace(NAME) as ws:
        _patch(ws.site)
        shim = ws.tmp / "php8_shim.php"
        shim.write_text(SHIM, encoding="utf-8")
        with php_server(ws.site, ws.port, ws.log_path, ini={"auto_prepend_file": str(shim)}) as base:
            _install(base, ws.site, ws.dbname)
            _seed(base, ws.dbname)
            yield PhpForum(NAME, base, truth(ws.dbname, base), ws.site, ws.log_path)
