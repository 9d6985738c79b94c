"""Quote headers and signature delimiters: the lines around a post's own text that are not it.

A quoted post is introduced by a header line naming its writer ("bob wrote:", "Quote:
Originally Posted by bob", "@bob said in Thread title:", "bob posted:", "Zitat von bob",
"bob a écrit :", "引用 bob 发表于 2024-5-3 12:30"). Where the page marks the quote up, the
header belongs to the quote; where it does not, the header line is no part of the reply.
A signature set off by the usual delimiter ("-- ", a rule of underscores) closes a post.
The words are generic labels in the languages forums are written in, never a site's.
"""
from __future__ import annotations

import re

# the verbs that follow the quoted writer's name
_VERBS = (r"wrote|writes|said|says|posted|replied|schrieb|schreibt|hat geschrieben|a écrit|a dit|"
          r"escribió|escribio|dijo|ha scritto|scrisse|scrive|escreveu|disse|schreef|napisał|написал|"
          r"kirjoitti|skrev|yazdı")
QUOTE_HEADER_RE = re.compile(
    r"^(?:"
    # "Quote: Originally Posted by bob", "Zitat von bob", "Citation de bob", "Quote from: bob on <date>"
    r"(?:quote\s*:?\s*)?(?:originally posted by|quote from\s*:?|quoting|zitat von|zitat\s*:?\s*von|"
    r"citation de|cita de|cita\s*:?\s*de|citazione di|messaggio di)\s+.{1,80}"
    r"|"
    # "bob wrote:", "bob said:", "On May 3, 2024, bob wrote:", "bob a écrit :", "@bob said in Title:"
    r".{1,80}?\s(?:" + _VERBS + r")(?:\s+(?:in|on|at|am|le|el|il)\s.{1,120}?)?\s*[:：]\s*[»↑]?"
    r"|"
    # Discuz and Chinese boards: "引用 bob 发表于 2024-5-3 12:30", "bob 发表于 2024-5-3 12:30"
    r"(?:引用\s*)?.{1,40}?\s*(?:发表于|發表於).{0,40}"
    r"|"
    r"(?:quote|zitat|citation|cita|citazione|引用)\s*[:：]?"
    r")$", re.I)

# A header line standing in the text with no quote block marked up after it: only the forms
# no sentence takes ("bob wrote:" with a one-word name, "Originally Posted by bob",
# "@bob said in Title:", "引用 bob 发表于 ..."); "My doctor said:" stays.
QUOTE_HEADER_LINE_RE = re.compile(
    r"^(?:"
    r"(?:quote\s*:?\s*)?(?:originally posted by|quote from\s*:?|zitat von|citation de|cita de|citazione di)\s+.{1,80}"
    r"|(?:on\s.{1,60}?,\s*|am\s.{1,60}?\s|le\s.{1,60}?,\s*|el\s.{1,60}?,\s*)?@?[^\s:]{1,40}\s(?:" + _VERBS +
    r")(?:\s+(?:in|on|at|am|le|el|il)\s.{1,120}?)?\s*[:：]\s*[»↑]?"
    r"|引用\s*.{1,40}?\s*(?:发表于|發表於).{0,40}"
    r")$", re.I)

# "-- ", "--", "____________", "———": the conventional line above a signature
_SIG_DELIMITER_RE = re.compile(r"^(?:--\s?|[_\-=~—–*]{5,})$")
SIGNATURE_MAX_CHARS = 300
SIGNATURE_MAX_LINES = 4


def is_quote_header(line: str) -> bool:
    """Whether a short line introduces a quote ("bob wrote:", "Quote: Originally Posted by bob")."""
    line = line.strip()
    return 2 <= len(line) <= 160 and QUOTE_HEADER_RE.match(line) is not None


# pronouns and particles that stand where a name would ("I wrote:", "he said:", the "on said:"
# left of "<a>bob</a> on <a>May 3</a> said:" when the links are elsewhere): no header
_NOT_NAMES = frozenset("on at in i he she you they we it who and also then as has had have that which someone "
                       "somebody everyone er sie es ich man il elle je él ella yo lo".split())
_BEFORE_VERB_RE = re.compile(r"(\S+)\s+(?:" + _VERBS + r")\b", re.I)


def is_quote_header_line(line: str) -> bool:
    """Whether a line of post text is a quote header on its own (see QUOTE_HEADER_LINE_RE)."""
    line = line.strip()
    if not (2 <= len(line) <= 200) or QUOTE_HEADER_LINE_RE.match(line) is None:
        return False
    before = _BEFORE_VERB_RE.search(line)
    return before is None or before.group(1).lower() not in _NOT_NAMES


def strip_signature(lines: list[str]) -> list[str]:
    """``lines`` without a trailing signature set off by a delimiter line; a delimiter
    followed by long text (a horizontal rule inside the post) is kept."""
    for at in range(len(lines) - 1, 0, -1):
        if _SIG_DELIMITER_RE.match(lines[at].strip()):
            tail = lines[at + 1:]
            if len(tail) <= SIGNATURE_MAX_LINES and sum(len(t) for t in tail) <= SIGNATURE_MAX_CHARS:
                return lines[:at]
            return lines
    return lines
