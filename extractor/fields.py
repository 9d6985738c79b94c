"""Per-post fields: body, author, floor, quotes, post id, permalink.

Every forum prints the same parts around a post body; what differs is the
markup. So fields are chosen by *consistency across the posts of the page*:
the body is the element key (tag + classes) that occurs once in most post
units, holds most of their text and not their date; the author is the short,
varying, name-like text that recurs at the same key in most units. Only
generic cues are used (class words such as "author" or "quote", link targets
such as profile URLs, printed floor labels), never an engine's exact markup.
"""
from __future__ import annotations

import json
import re
from bisect import bisect_left, bisect_right
from datetime import datetime
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from functools import lru_cache
from itertools import islice, repeat

import numpy as np
from lxml import etree

from extractor.dates import match_date
from extractor.dom import Dom, collapse_ws
from extractor.quotes import is_quote_header, is_quote_header_line, strip_signature
from extractor.sanitize import post_html
from extractor.scan import CASE_ODD, occurrences
from extractor.urls import join

# Class/id words.
# "signature", "sig", "post-sig", and run-together forms such as "ksig", "kmsgsignature", "usersig"
SIGNATURE_RE = re.compile(r"(?:^|[\s_\-])(?:sig|signature|signatures|postsig|sign|signature\w*)(?:$|[\s_\-\d])|"
                          r"[a-z]signatures?(?:$|[\s_\-\d])|(?:^|[\s_\-])[a-z]{1,6}sig(?:$|[\s_\-\d])", re.I)
AUTHOR_HINT_RE = re.compile(r"author|user|poster|member|nick|name|owner|byline|creator|login|who|"
                            r"auteur|autor|verfasser|benutzer|mitglied|utilisateur|membre|usuario|miembro|"
                            r"utente|pseudo", re.I)
NOT_AUTHOR_HINT_RE = re.compile(r"title|rank|avatar|stat|count|date|time|group|level|badge|role|sign|quote|"
                                r"button|btn|action|reply|like|vote|share|floor|num", re.I)
PROFILE_HREF_RE = re.compile(r"user|member|profile|space|[/?]u/|uid=|/uid/|author|people|/home/|/@|/~|account|"
                             r"membre|mitglied|benutzer|utilisateur|usuario|miembro|utente|perfil|profil", re.I)
# The same words, lower-case, for an ASCII href once lower-cased: without IGNORECASE the regex
# engine jumps to the words' first letters instead of trying every word at every position
# (for ASCII text the two regexes agree: the words are ASCII and case-fold only to ASCII there).
_PROFILE_HREF_LOW_RE = re.compile(PROFILE_HREF_RE.pattern)


def says_not_author(classes: str) -> bool:
    """An element's class and id (``words``) say it is a line of the author box that is no name
    ("userTitle", "member-rank", "post-count"), unless one of its words says plainly that it is
    a name: ``class="linklevel1 name"`` (a menu level's class beside "name") names its user."""
    if not NOT_AUTHOR_HINT_RE.search(classes):
        return False
    return not any(AUTHOR_HINT_RE.search(w) and not NOT_AUTHOR_HINT_RE.search(w) for w in classes.split())


def is_profile_href(href: str) -> bool:
    """Whether a link's href looks like a member profile's (``PROFILE_HREF_RE``)."""
    if href.isascii():
        return _PROFILE_HREF_LOW_RE.search(href.lower()) is not None
    return PROFILE_HREF_RE.search(href) is not None
ACTION_HINT_RE = re.compile(r"(?:^|[\s_\-])(?:actions?|buttons?|btns?|toolbar|controls?|tools|footer|"
                            r"postfoot|post-foot|menu|share|reactions?|likes?|votes?|report|"
                            r"meta-actions|post-controls)(?:$|[\s_\-])", re.I)

# Labels of dates that are not the post's: the author's join date, last visit.
META_DATE_RE = re.compile(r"join|regist|member since|since|last (?:seen|active|visit|login)|birth|"
                          r"enregistr|inscri|mitglied seit|dabei seit|beigetreten|angemeldet|geburt|"
                          r"miembro desde|se unió|nacimiento|iscritto|lid sinds|"
                          r"注册|加入|最后登录|上次|在线|生日|入吧", re.I)
# Labels of a post's edit date ("Last edited:", "Modifié le", "bearbeitet"): not when it was posted.
EDIT_LABEL_RE = re.compile(r"(?<![a-z])edit|bearbeit|geändert|modifi|editad|modificad|编辑|編輯|修改", re.I)
# Labels of the post's own date: a "Label: date" line so labelled is never a profile fact.
POSTED_LABEL_RE = re.compile(r"post|date|datum|time|written|sent|creat|erstellt|verfasst|geschrieben|"
                             r"gesendet|publi|écrit|envoy|escrito|enviado|scritto|inviato|"
                             r"发表|發表|发布|發佈|时间|時間", re.I)
# "Posts: 1,234", "Beiträge: 6", "Messages : 12": a profile statistic of the author column.
_STAT_LINE_RE = re.compile(r"^[^\d:：]{2,30}[:：]\s*[\d.,\s]{1,12}$")
_LABELLED_RE = re.compile(r"^\s*([^\d:：]{2,30})[:：]")


# What every match of META_DATE_RE and of EDIT_LABEL_RE holds once lower-cased: a text holding
# none of them (and none of the characters IGNORECASE folds unlike lower()) is not searched.
# The regexes try each of their alternatives at every position: several microseconds per label.
_META_WORDS = ("join", "regist", "since", "last ", "birth", "inscri", "seit", "beigetreten", "angemeldet",
               "geburt", "desde", "se uni", "nacimiento", "iscritto", "sinds", "注册", "加入", "最后登录",
               "上次", "在线", "生日", "入吧")
_EDIT_WORDS = ("edit", "bearbeit", "geändert", "modifi", "编辑", "編輯", "修改")


def _meta_label(text: str) -> bool:
    """``META_DATE_RE.search(text)`` as a truth value."""
    if any(map(text.lower().__contains__, _META_WORDS)) or any(map(text.__contains__, CASE_ODD)):
        return META_DATE_RE.search(text) is not None
    return False


@lru_cache(maxsize=16384)   # (class names, labels and headers recur from post to post)
def _edit_label(text: str) -> bool:
    """``EDIT_LABEL_RE.search(text)`` as a truth value."""
    if any(map(text.lower().__contains__, _EDIT_WORDS)) or any(map(text.__contains__, CASE_ODD)):
        return EDIT_LABEL_RE.search(text) is not None
    return False


def is_meta_date(dom: Dom, i: int) -> bool:
    """Whether date node ``i`` is labelled as a join/registration/last-seen date."""
    memo = dom.memo.setdefault("meta_date", {})   # asked for the same nodes by several steps
    hit = memo.get(i)
    if hit is None:
        hit = memo[i] = _is_meta_date(dom, i)
    return hit


def _is_meta_date(dom: Dom, i: int) -> bool:
    el = dom.nodes[i]
    p = dom.as_list("parent")[i]
    label = dom.own_text[p] if p >= 0 else ""
    before = el.getprevious()
    if before is not None and isinstance(before.tag, str):
        label += " " + (_content_head(before, 40) if hasattr(before, "text_content") else collapse_ws(before.text)[:40])
        label += " " + words(before)
    # its class words, its title (title="bob was last seen 7 months ago"), its text, the label
    # before it: most post dates name no meta word in any of them, which one scan of the four
    # joined tells (no word holds the separator) before each is searched on its own
    texts = (words(el), el.get("title") or "", text_head(dom, i, 40), label[:100])
    if _may_be_meta("\x00".join(texts)) and any(map(_meta_label, texts)):
        return True
    return _edit_labelled(dom, i) or _in_profile_stats(dom, i)


def _may_be_meta(text: str) -> bool:
    """Whether ``text`` may hold a match of META_DATE_RE (the cheap test of :func:`_meta_label`)."""
    return any(map(text.lower().__contains__, _META_WORDS)) or any(map(text.__contains__, CASE_ODD))


def text_head(dom: Dom, i: int, n: int) -> str:
    """``dom.text_of(i)[:n]`` without collapsing the whole text of a big subtree (a date's
    ancestor may be the whole post): the collapsed text of the first pieces is a prefix of
    the collapsed text of all of them."""
    text = dom.texts.get(i)
    if text is not None or dom.as_list("end")[i] - i <= 8:
        return dom.text_of(i)[:n]
    heads = dom.memo.get("text_head")
    if heads is None:
        heads = dom.memo["text_head"] = {}   # the same ancestors are asked for by each date of a post
    head = heads.get((i, n))
    if head is None:
        head = _head_of(dom.nodes[i].itertext(), n, " ")
        head = heads[(i, n)] = head if head is not None else dom.text_of(i)[:n]
    return head


def _content_head(el: etree._Element, n: int) -> str:
    """``collapse_ws(el.text_content())[:n]``, reading only the first pieces of a big element's text."""
    head = _head_of(el.itertext(), n, "")
    return head if head is not None else collapse_ws("".join(el.itertext()))[:n]


def _head_of(pieces_of, n: int, sep: str) -> str | None:
    """The first ``n`` characters of the collapsed text of ``pieces_of`` joined by ``sep``, read
    piece by piece until that many are known (the reading doubles each time); None when the
    whole text is shorter."""
    pieces: list[str] = []
    size, check = 0, n
    for piece in pieces_of:
        pieces.append(piece)
        size += len(piece)
        if size >= check:
            head = collapse_ws(sep.join(pieces))
            if len(head) >= n:
                return head[:n]
            check = 2 * size
    return None


def _short_text(el: etree._Element, n: int) -> str | None:
    """``collapse_ws("".join(el.itertext()))`` when it is shorter than ``n`` characters, else
    None, reading a long element's text only until that is known (see :func:`_head_of`)."""
    pieces: list[str] = []
    size, check = 0, n
    for piece in el.itertext():
        pieces.append(piece)
        size += len(piece)
        if size >= check:
            if len(collapse_ws("".join(pieces))) >= n:
                return None
            check = 2 * size
    return collapse_ws("".join(pieces))


# any word of EDIT_LABEL_RE, wherever it stands (a text without one holds no edit label)
_EDIT_WORD_RE = re.compile(r"edit|bearbeit|geändert|modifi|编辑|編輯|修改", re.I)


def _edit_labelled(dom: Dom, i: int) -> bool:
    """Whether the words right before date node ``i``'s date call it an edit date ("Last edited:",
    "Modifié en dernier par bob le ..."); a "Posted ... · edited ..." line keeps its first date."""
    el = dom.nodes[i]
    if _edit_label(words(el)):
        return True            # class="editDate"
    own = dom.text_of(i)[:200] if dom.as_list("end")[i] - i <= 3 else dom.own_text[i]
    if own and _EDIT_WORD_RE.search(own) is None and not _edit_before(el):
        return False           # no edit word in the text, none before it: no need to find the date
    found = match_date(own, now=_EPOCH_NOW) if own else None
    if found is not None:
        at = own.find(found[1])
        if at > 0:
            return _edit_label(own[max(0, at - 40):at])
    return _edit_before(el)


def _edit_before(el: etree._Element) -> bool:
    """Whether the text right before element ``el`` ends with an edit label."""
    prev = el.getprevious()
    if prev is not None:
        before = prev.tail or ""
        if isinstance(prev.tag, str) and len(before) < 30:
            # only the last 30 characters count: the last pieces of a long sibling's text
            pieces, size = [before], len(before)
            for piece in reversed(list(prev.itertext())):
                pieces.append(piece)
                size += len(piece)
                if size >= 30:
                    break
            before = "".join(reversed(pieces))
    else:
        parent = el.getparent()
        before = (parent.text or "") if parent is not None else ""
    return _edit_label(before[-30:])


def _in_profile_stats(dom: Dom, i: int) -> bool:
    """Whether date node ``i`` is one "Label: value" line of a list of profile facts
    ("Posts: 44" / "Founded: Mar 04, 2012" / "Location: ..."): whatever its label says,
    a date listed among the author's statistics is not the post's."""
    line = i
    parents = dom.as_list("parent")
    m = _LABELLED_RE.match(text_head(dom, line, 40))
    for _ in range(2):           # the date may be wrapped: <dd><strong>Label:</strong> <span>date</span></dd>
        if m or parents[line] < 0:
            break
        line = parents[line]
        m = _LABELLED_RE.match(text_head(dom, line, 40))
    if m is None or POSTED_LABEL_RE.search(m.group(1)):
        return False
    el = dom.nodes[line]
    parent = el.getparent()
    if parent is None:
        return False
    for sib in parent:
        if sib is el or not isinstance(sib.tag, str):
            continue
        # (a long sibling, the post body beside its header, is not read whole: no statistic)
        text = _short_text(sib, 46)
        if text and _STAT_LINE_RE.match(text):
            return True
    return False


# Printed floor labels: "#3", "Post #3", "Reply #3", "3楼", "3#", "第3楼", and the named floors.
FLOOR_RE = re.compile(r"^(?:(?:post|reply|comment|answer|beitrag)\s*)?#\s*(\d{1,5})$|^第?\s*(\d{1,5})\s*(?:楼|樓|#|F|层)$",
                      re.I)
NAMED_FLOORS = {"楼主": 1, "樓主": 1, "沙发": 2, "沙發": 2, "板凳": 3, "地板": 4, "地下室": 5}

# Lines of post text that are controls, not content.
BUTTON_LINE_RE = re.compile(
    r"^(?:reply|reply with quote|quote|multi-?quote|\+ ?quote|report|report post|like|likes?|unlike|share|edit|"
    r"delete|permalink|link|top|back to top|go to top|thanks|thank|vote|upvote|downvote|flag|follow|"
    r"quick reply|reveal hidden contents|expand|collapse|show more|read more|see more|show less|click to expand\.*|"
    r"facebook|twitter|x|whatsapp|telegram|pinterest|linkedin|reddit|email|e-mail|print|copy link|tweet|"
    # the author column's buttons and states
    r"profile|view profile|pm|send pm|private message|send private message|find|find posts|www|website|"
    r"offline|online|ip|ip logged|logged|"
    # the same controls in German, French, Spanish, Italian, Portuguese
    r"mit zitat antworten|répondre en citant(?: le message)?|responder citando|responder con cita|rispondi citando|"
    r"responder com citação|"
    r"zitieren|antworten|melden|teilen|bearbeiten|löschen|profil|pn|nach oben|gefällt mir|"
    r"citer|répondre|signaler|partager|modifier|supprimer|haut|j'aime|"
    r"citar|responder|reportar|compartir|editar|borrar|me gusta|"
    r"cita|rispondi|segnala|condividi|modifica|elimina|mi piace|"
    r"denunciar|curtir|"
    r"微信|微博|qq空间|"
    r"回复|引用|举报|分享|编辑|删除|点评|评分|支持|反对|只看该作者|只看楼主|收藏|使用道具|顶|踩|展开|收起|显示全部|"
    r"赞|点赞|评论|返回顶部|回复本楼|楼主|沙发|板凳|地板|电梯直达|倒序浏览|阅读模式)(?:\s*[\(（]?\d*[\)）]?)$",
    re.I)

_ID_ATTRS = ("data-post-id", "data-postid", "data-pid", "data-post", "data-comment-id", "data-answer-id",
             "data-reply-id", "data-id", "data-field", "data-content-id")
_ID_RE = re.compile(r"(\d{2,})$")
_POSTISH_ID_RE = re.compile(r"post|pid|^p\d|^p_|msg|message|comment|reply|answer|entry|^t\d_|^r\d|^c\d|item|floor|"
                            r"thing|^\D{0,4}\d+$", re.I)


def words(el: etree._Element) -> str:
    """Class and id of an element, the text that generic hints are matched on."""
    return f"{el.get('class') or ''} {el.get('id') or ''}"


@lru_cache(maxsize=16384)
def floor_of(text: str) -> int | None:
    """The floor number a label like "#3", "3楼" or "沙发" prints, else None."""
    text = text.strip()
    if not text or len(text) > 100:
        return None
    if len(text) > 16:          # "« Reply #3 on: May 03, 2024 »"
        m = _FLOOR_IN_TEXT_RE.search(text)
        return int(m.group(1)) if m else None
    if text in NAMED_FLOORS:
        return NAMED_FLOORS[text]
    m = FLOOR_RE.match(text)
    if m:
        return int(m.group(1) or m.group(2))
    return None


_FLOOR_IN_TEXT_RE = re.compile(r"(?:reply|post|comment|antwort|réponse|回复|回帖)\s*#\s*(\d{1,6})\b", re.I)


_DIGIT_RE = re.compile(r"\d")
_CLASS_WORD_END_RE = re.compile(r"[-_.\d]")
_ID_ATTR_SET = frozenset(_ID_ATTRS)


def post_id_of(el: etree._Element, strict: bool = False) -> str | None:
    """The site's own id of a post element (``data-post-id``, ``id="post_123"``, ``pid123``)."""
    if _ID_ATTR_SET.isdisjoint(el.keys()):
        return _id_post_id(el.get("id"), strict)    # (most elements: none of the data attributes)
    for name in _ID_ATTRS:
        value = el.get(name)
        if not value:
            continue
        value = value.strip()
        if value.startswith("{"):
            found = _json_post_id(value)
            if found:
                return found
        elif len(value) < 40 and _DIGIT_RE.search(value):
            return value
    return _id_post_id(el.get("id"), strict)


def _id_post_id(ident: str | None, strict: bool) -> str | None:
    """The post id an ``id`` attribute carries (``post_123``, ``pid123``), else None."""
    if ident and len(ident) < 40 and _DIGIT_RE.search(ident) and _POSTISH_ID_RE.search(ident):
        m = _ID_RE.search(ident)
        if m:
            return m.group(1)
        return ident if strict is False else None
    return None


def _json_post_id(raw: str) -> str | None:
    """A post id inside a JSON data attribute (``{"content": {"post_id": 12}}``)."""
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for k in ("post_id", "postId", "pid", "postid", "comment_id"):
                if isinstance(item.get(k), (int, str)) and str(item[k]).strip():
                    return str(item[k])
            stack.extend(v for v in item.values() if isinstance(v, dict))
    return None


def find_post_id(dom: Dom, unit: int, nodes: list[int], limit: int = 40) -> str | None:
    """Post id on the unit or, failing that, on one of its first own descendants."""
    found = post_id_of(dom.nodes[unit])
    if found:
        return found
    attributed = dom.memo.get("more_attrs")
    if attributed is None:
        attributed = dom.memo["more_attrs"] = set(dom.more_attrs)
    for i in nodes[1:limit]:
        # an element with no attribute but class and id can only carry an id-borne post id
        found = (post_id_of(dom.nodes[i], strict=True) if i in attributed
                 else _id_post_id(dom.nodes[i].get("id"), True))
        if found and dom.tags[dom.tag_id[i]] not in ("a", "img", "span", "input"):
            return found
    return None


_QUOTE_ACTION_RE = re.compile(r"(?:select|multi|reply|add|insert|with|to)[-_]?quote|quote[-_]?(?:button|btn|link|action)",
                              re.I)


def is_quote_named(el: etree._Element) -> bool:
    """Whether a class or id names a quote block ("quote", "ipsQuote", "bbcode_quote", "quoteheader",
    a ``<blockquote class="uncited">``),
    ignoring behaviour hooks ("js-...") and quote buttons ("selectToQuote", "quote-button")."""
    for token in f"{el.get('class') or ''} {el.get('id') or ''}".split():
        low = token.lower()
        if low.startswith(("js-", "js_")):
            continue
        if ("quote" in low or "citation" in low or low == "cite") and not _QUOTE_ACTION_RE.search(low):
            return True
        if el.tag == "blockquote" and "cite" in low:
            return True       # a quote marked cited or not ("uncited": quoted without a source)
    return False


def quote_roots(dom: Dom, body: int, nodes: np.ndarray, sub_chars: np.ndarray) -> list[int]:
    """Outermost quote blocks (``<blockquote>``, quote-named classes) among ``nodes`` of a body,
    each preceded by its header element ("bob said:") when the header stands outside it.

    A class-less ``<blockquote>`` holding (nearly) all of the body's text is a wrapper (some
    engines put every post in one), not a quote, unless it opens with a quote header ("bob
    wrote:", a ``<cite>``); a block whose class names a quote is one as long as the post has
    any text of its own besides it (a one-line reply under a long quote).
    """
    out: list[int] = []
    bq = dom.tags.index("blockquote") if "blockquote" in dom.tags else -1
    total = int(sub_chars[body])
    j, m = 0, len(nodes)
    while j < m:
        i = int(nodes[j])
        if i != body:
            el = dom.nodes[i]
            named = bool(el.attrib) and is_quote_named(el)
            # A <blockquote> with a class of its own ("postcontent") is layout, not a quote.
            plain_bq = dom.tag_id[i] == bq and not (el.get("class") or "").strip()
            inner = int(sub_chars[i])
            if (named and (inner < 0.9 * total or total - inner >= 2)) or \
                    (plain_bq and (inner < 0.9 * total or (total - inner >= 2 and _opens_with_header(el)))):
                header = _header_before(dom, el, body)
                if header is not None and (not out or out[-1] < header):
                    out.append(header)
                out.extend(_without_controls(dom, el, i))
                j = int(nodes.searchsorted(int(dom.end[i]) + 1))
                continue
            block = _unmarked_quote(dom, i, body, sub_chars, total)
            if block is not None and (not out or out[-1] < block):
                header = _header_before(dom, dom.nodes[block], body)
                if header is not None and (not out or out[-1] < header):
                    out.append(header)
                out.append(block)
                j = int(nodes.searchsorted(int(dom.end[block]) + 1))
                continue
        j += 1
    return out


def _unmarked_quote(dom: Dom, i: int, body: int, sub_chars: np.ndarray, total: int) -> int | None:
    """The block a quote header at node ``i`` opens when no markup names it a quote
    ("<table><tr><td><div>Originally Posted by <b>bob</b></div><div>quoted text</div>..."):
    the highest element below the body whose text starts with that header, when it holds
    more than the header and the post has text of its own besides it."""
    own = dom.own_text[i]
    if not own or len(own) > 200 or not _maybe_header(own):
        return None
    line = dom.text_of(i) if int(dom.end[i]) - i <= 3 else own
    if not is_quote_header_line(line):
        return None
    parent, own_chars = dom.parent, dom.own_chars
    x = i
    while True:
        p = int(parent[x])
        if p <= body or int(own_chars[p:i].sum()) > 0:
            break           # the body itself, or text before the header inside the parent
        x = p
    if x == i and int(dom.end[i]) - i <= 3:
        return None         # the header alone: the quoted text is not inside one block with it
    inner = int(sub_chars[x])
    if inner <= len(line) + 10 or total - inner < 2:
        return None
    return x


def _maybe_header(text: str) -> bool:
    """Cheap test before the quote header pattern: most lines hold none of its marks."""
    low = text.lower()
    return ":" in low or "：" in low or "posted by" in low or "zitat" in low or "citation" in low \
        or "cita " in low or "发表于" in low or "發表於" in low


def _without_controls(dom: Dom, el: etree._Element, i: int) -> list[int]:
    """Quote block ``i``, or, when it holds a control of its own among its children (an
    "Expand" toggle, a "Show more" link), its other children: the control is no quoted text
    and stays in the post, where the control lines are dropped."""
    children = [c for c in el if isinstance(c.tag, str)]
    if not any(c.tag in ("a", "button", "span") and BUTTON_LINE_RE.match(collapse_ws("".join(c.itertext())))
               for c in children):
        return [i]
    if (el.text or "").strip() or any((c.tail or "").strip() for c in children):
        return [i]             # loose quoted text between the children: keep the block whole
    out = []
    for c in children:
        text = collapse_ws("".join(c.itertext()))
        if text and not BUTTON_LINE_RE.match(text):
            k = _dfs_index(dom, c)
            if k is not None:
                out.append(k)
    return out or [i]


def _opens_with_header(el: etree._Element) -> bool:
    """Whether a block starts with a quote header: a ``<cite>`` or a "bob wrote:" line."""
    first = next((c for c in el.iter() if c is not el and isinstance(c.tag, str)), None)
    if first is not None and first.tag == "cite":
        return True
    head = collapse_ws("".join(islice(el.itertext(), 3)))[:160]
    line = head.split(":", 1)[0] + ":" if ":" in head else ""
    return bool(line) and is_quote_header(line)


def _header_before(dom: Dom, el: etree._Element, body: int) -> int | None:
    """The element right before a quote block, inside the body, when it is the quote's header
    ("<div class="attribution">bob said: ↑</div><blockquote>...")."""
    prev = el.getprevious()
    while prev is not None and not isinstance(prev.tag, str):
        prev = prev.getprevious()
    if prev is None or (el.getparent() is not None and (el.getparent().text or "").strip()) \
            or (prev.tail or "").strip():
        return None
    text = collapse_ws("".join(prev.itertext()))
    if not text or len(text) > 160 or not is_quote_header(text):
        return None
    i = _dfs_index(dom, prev)
    if i is None or not body < i <= int(dom.end[body]):
        return None
    return i


def _dfs_index(dom: Dom, el: etree._Element) -> int | None:
    """The DFS number of element ``el`` (looked up once per page)."""
    index = dom.memo.get("element_index")
    if index is None:
        index = dom.memo["element_index"] = {id(node): k for k, node in enumerate(dom.nodes)}
    return index.get(id(el))


def signature_roots(dom: Dom, nodes: np.ndarray) -> list[int]:
    """Signature blocks (signature-named classes) among ``nodes`` (sorted DFS indices), outermost only."""
    marked = _signature_named(dom)
    if not marked or not len(nodes):
        return []
    out: list[int] = []
    end = dom.as_list("end")
    last = -1
    for i in marked[bisect_left(marked, int(nodes[0])):bisect_right(marked, int(nodes[-1]))]:
        if i > last:       # (not inside the last block taken)
            j = int(nodes.searchsorted(i))
            if j < len(nodes) and int(nodes[j]) == i:
                out.append(i)
                last = end[i]
    return out


def _signature_named(dom: Dom) -> list[int]:
    """The page's nodes, in order, whose class or id matches SIGNATURE_RE: found once per page
    by substring scans of all names joined, instead of a test per node of each post body."""
    kept = dom.memo.get("signature named")
    if kept is None:
        attrs = dom.attrs
        if not attrs:       # (no names recorded: read the elements' own)
            cand = [i for i, el in enumerate(dom.nodes) if el.attrib]
            kept = [i for i in cand if SIGNATURE_RE.search(words(dom.nodes[i]))]
        else:
            dom.attrs_holding(())     # (builds the page's names joined, kept on the page)
            joined, starts = dom.memo["attrs joined"]
            if any(c in joined for c in CASE_ODD):
                cand = [i for i, a in enumerate(attrs) if a]
            else:      # (without those characters lower() keeps every offset)
                at = occurrences(joined.lower(), ("sig",))
                cand = np.unique(np.searchsorted(starts, np.asarray(at), side="right") - 1).tolist() if at else []
            # ("class id" as recorded: a missing class or id only drops a space at either end,
            # where the regex's word edges match the string's edges alike)
            kept = [i for i in cand if SIGNATURE_RE.search(attrs[i])]
        dom.memo["signature named"] = kept
    return kept


# Labels of a reply box's toolbar ("表情 图片", "Emoji Image Link"): control words only when
# several stand together on one line, as toolbars show them.
_TOOLBAR_WORDS = frozenset("表情 图片 图像 链接 附件 视频 emoji emojis image images link video bold italic "
                           "smilies smiley gif attach attachment upload".split())
_COUNTER_RE = re.compile(r"^0\s*/\s*\d{2,5}$")     # "0/200": a reply box's character counter


def _control_line(line: str) -> bool:
    """Whether a line of post text is controls: a button label, a row of toolbar words or
    button labels ("表情 图片", "Reply Quote Report"), a reply box's "0/200" counter."""
    if BUTTON_LINE_RE.match(line) or _COUNTER_RE.match(line):
        return True
    words_ = line.split(None, 8)    # a ninth piece: over 8 words, no toolbar (a paragraph is not split whole)
    return 1 < len(words_) <= 8 and all(w.lower() in _TOOLBAR_WORDS or BUTTON_LINE_RE.match(w) for w in words_)


def clean_lines(text: str) -> str:
    """Drop control lines ("Reply", "Quote", "举报"), quote headers left without their quote
    ("bob wrote:", "Originally Posted by bob") and a signature below a "-- " delimiter from
    rendered post text."""
    lines = [line for line in text.split("\n") if not _control_line(line.strip())]
    if any(line.lstrip().startswith(">") for line in lines):
        lines = _without_mail_quotes(lines)
    lines = [line for line in lines if not is_quote_header_line(line)]
    # the author column's facts and the post's own date above its text, when no element
    # holds them apart from it ("Posts: 44", "Joined: May 2019", "May 3, 2024 10:00")
    while len(lines) > 1 and (_COUNT_LINE_RE.match(lines[0]) or _join_line(lines[0])):
        lines = lines[1:]
    if len(lines) > 1 and _date_line(lines[0]):
        lines = lines[1:]
    return "\n".join(strip_signature(lines))


_RULE_LINE_RE = re.compile(r"^[-_=~*]{5,}$")


def _without_mail_quotes(lines: list[str]) -> list[str]:
    """``lines`` without e-mail style quotes: a header line ("bob wrote:"), maybe a rule
    ("-----"), then lines starting with ">" (engines that quote as mail readers do, with no
    quote element: the quoted post's words are not the reply's)."""
    out: list[str] = []
    i = 0
    while i < len(lines):
        if is_quote_header_line(lines[i]):
            j = i + 1
            while j < len(lines) and (not lines[j].strip() or _RULE_LINE_RE.match(lines[j].strip())):
                j += 1
            k = j
            while k < len(lines) and (lines[k].lstrip().startswith(">") or (k > j and not lines[k].strip())):
                k += 1
            if k > j:
                i = k
                continue
        out.append(lines[i])
        i += 1
    return out


# an author's counters as the author column prints them ("Posts: 44", "Beiträge: 1.240", "积分: 12")
_COUNT_LINE_RE = re.compile(
    r"^(?:posts?|messages?|replies|threads|topics|reputation|rep|likes?|likes received|points|karma|thanks|"
    r"credits|beiträge|nachrichten|themen|renommee|punkte|danke|réputation|réponses|sujets|mensajes|"
    r"respuestas|temas|puntos|messaggi|risposte|punti|mensagens|帖子|主题|积分|精华|回帖|发帖)"
    r"\s*[:：]\s*[\d.,\s]{1,12}$", re.I)


def _join_line(line: str) -> bool:
    """Whether a short line is a labelled join/registration date ("Joined: May 2019")."""
    m = _LABELLED_RE.match(line) if len(line) <= 60 else None
    return m is not None and _meta_label(m.group(1))


def _date_line(line: str) -> bool:
    """Whether a short line is a date and nothing else ("May 3, 2024 10:00", "Posted: 3 hours ago")."""
    if len(line) > 60:
        return False
    found = match_date(line, now=_EPOCH_NOW)
    if found is None:
        return False
    rest = line.replace(found[1], " ", 1)
    return len(re.sub(r"[\W_]+", "", rest)) <= 8     # at most a label such as "Posted"


def pick_body_key(dom: Dom, units: list[int], owned: list[np.ndarray], key: np.ndarray, text_w: np.ndarray,
                  date_node: list[int | None], dates: np.ndarray | None = None,
                  quoted: np.ndarray | None = None) -> int | None:
    """The element key of the post body: once per unit, most text, date outside.

    Returns the key id, or None when no key is consistent enough (the body is
    then the unit itself).
    """
    k = len(units)
    # Prose: text in runs long enough to be sentences, so that profile boxes
    # ("Posts: 13", "Registered: 2019-01-01") and titles weigh nothing.
    prose = np.where(dom.own_chars >= 12, text_w, 0)
    if dates is not None:
        prose = np.where(dates > 0, 0, prose)
    prose[_column_facts(dom)] = 0
    for h in ("h1", "h2", "h3", "h4", "h5", "h6"):
        if h in dom.tags:
            prose = np.where(dom.tag_id == dom.tags.index(h), 0, prose)
    if quoted is not None:     # quotes belong to the body, however short their lines
        prose = np.where(quoted, text_w, prose)
    sub_text = dom.subtree(prose)
    unit_text = sum(int(sub_text[u]) for u in units) or 1
    # (unit index, key) -> list of nodes
    per_key: dict[int, dict[int, list[int]]] = defaultdict(dict)
    if k:     # every unit's nodes below it that hold prose, in one numpy pass (unit by unit, in order)
        nodes = np.concatenate(owned)
        unit_of = np.repeat(np.arange(k), [len(o) for o in owned])
        nodes_ok = (nodes > np.asarray(units, dtype=np.int64)[unit_of]) & (sub_text[nodes] > 0)
        nodes = nodes[nodes_ok]
        for ui, i, kid in zip(unit_of[nodes_ok].tolist(), nodes.tolist(), key[nodes].tolist()):
            per_key[kid].setdefault(ui, []).append(i)
    scored: list[tuple[float, int, int]] = []
    firsts: dict[int, list[int]] = {}
    need = max(2, int(np.ceil(0.6 * k))) if k > 1 else 1
    end, sub_text_l = dom.as_list("end"), sub_text.tolist()
    for kid, by_unit in per_key.items():
        once = [(ui, nodes[0]) for ui, nodes in by_unit.items() if len(nodes) == 1]
        if len(once) < need:
            continue
        if len(by_unit) - len(once) > 0.3 * len(by_unit):
            # several prose-bearing occurrences in many posts: a paragraph, not the body
            continue
        text = 0
        with_date = 0
        for ui, i in once:
            d = date_node[ui]
            if d is not None and i <= d <= end[i]:
                with_date += 1
            text += sub_text_l[i]
        if with_date > len(once) * 0.3:
            continue
        size = sum(end[i] - i + 1 for _, i in once)
        scored.append((text * len(once) / k, size, kid))
        firsts[kid] = once
    if not scored:
        return None
    top = max(s for s, _, _ in scored)
    if top < 0.3 * unit_text:
        return None
    # The tightest wrapper that still holds nearly all of the body text: the title and
    # "by X » date" line above the text and the buttons below it stay out.
    close = sorted((size, -s, kid) for s, size, kid in scored if s >= 0.78 * top)
    # A paragraph is no body: in a post that has a code block, a list or a second paragraph
    # beside it, the body is their common parent ("<p>Try this:</p><pre>...</pre><p>Then
    # run it.</p>" would otherwise be cut down to its last paragraph).
    for _, _, kid in close:
        if any(_beside_content(dom.nodes[i]) for _, i in firsts[kid]):
            continue
        # A quote is no body: a key of quote blocks that some posts lack, or that leaves prose
        # of the post outside it ("<b>bob</b><blockquote>ann wrote: ...</blockquote>I disagree")
        if _quote_like(dom, firsts[kid][0][1]) and (len(firsts[kid]) < k or any(
                sub_text_l[units[ui]] - sub_text_l[i] > 0 for ui, i in firsts[kid])):
            continue
        return kid
    return None


# scripts written without spaces between words: there one "word" may be a whole sentence
_UNSPACED_SCRIPT_RE = re.compile(r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def _column_fact(text: str) -> bool:
    """Whether a short line long enough to pass for prose is an author column's fact instead: a
    labelled join date ("Registered: Today", which no date reader takes for a date), a counter
    ("Reputation: 1,204"), or a single word ("Administrator", a rank) where words are spaced."""
    if len(text) > 60:
        return False
    if ("：" in text or ":" in text) and (_join_line(text) or _STAT_LINE_RE.match(text) or _COUNT_LINE_RE.match(text)):
        return True  # (each form has its label's colon: most lines skip the three regexes)
    return len(text.split()) == 1 and _UNSPACED_SCRIPT_RE.search(text) is None


def _column_facts(dom: Dom) -> np.ndarray:
    """Indices of the nodes whose own text is long enough to count as prose but is an author
    column's fact (:func:`_column_fact`): the name, rank, join date and counters beside a short
    post must not outweigh its text, or the body would be taken with the column in it."""
    kept = dom.memo.get("column_facts")
    if kept is None:
        own = dom.own_text
        cand = np.flatnonzero((dom.own_chars >= 12) & (dom.own_chars <= 60)).tolist()
        kept = dom.memo["column_facts"] = np.asarray([i for i in cand if _column_fact(own[i])], dtype=np.int64)
    return kept


def _quote_like(dom: Dom, i: int) -> bool:
    """Whether node ``i`` is a quote block: a class-less ``<blockquote>`` or a quote-named element."""
    el = dom.nodes[i]
    if el.tag == "blockquote" and not (el.get("class") or "").strip():
        return True
    return bool(el.attrib) and is_quote_named(el)


# blocks of post content that sit beside paragraphs inside a post body
_CONTENT_BLOCKS = frozenset("pre ul ol code".split())


def _beside_content(el: etree._Element) -> bool:
    """Whether paragraph ``el`` has a sibling that is more of the same content: a code block,
    a list, or another paragraph of its class with text."""
    parent = el.getparent()
    if el.tag != "p" or parent is None or len(parent) > 200:
        return False           # a <div> body beside its buttons list (<ul class="post-buttons">) stays
    tag, cls = el.tag, el.get("class")
    for sib in parent:
        if sib is el or not isinstance(sib.tag, str):
            continue
        if sib.tag in _CONTENT_BLOCKS or (sib.tag == tag and sib.get("class") == cls):
            if any(t.strip() for t in sib.itertext()):
                return True
    return False


_EPOCH_NOW = datetime(2100, 1, 1)
_LABEL_RE = re.compile(r"^[|·•»«\-–—/,:;]|\w[:：]\s")   # "| Flag Reply", "Posts: 1,500"
_WRAPPED_NAME_RE = re.compile(r"^([-~*.])[^\W_][\w.\-]*\1$")   # "-scope-", "~ann~": a name in its marks
_NOT_NAME_RE = re.compile(r"\d{1,2}:\d{2}|\d{4}[-/年.]|\b(?:19|20)\d{2}\b|ago$|前$|^\W+$|^[\d\s.,+%()-]+$")


def author_text(dom: Dom, i: int) -> str | None:
    """The text of node ``i`` if it could be a user name (short, no date, no label, no button,
    not inside a signature)."""
    memo = dom.memo.get("author_text")
    if memo is None:
        memo = dom.memo["author_text"] = {}   # asked for the same nodes by several steps
    elif i in memo:
        return memo[i]
    out = memo[i] = _author_text(dom, i)
    return out


def _author_text(dom: Dom, i: int) -> str | None:
    own = dom.own_text[i]
    if not own or len(own) > 40:
        return None            # (a name is at most 40 characters, with or without children)
    leaf = dom.as_list("end")[i] == i
    if leaf and not _name_like(own):
        return None            # (what a leaf returns is its own text, when name-like: cached by text)
    if (_in_signature(dom, i) and not _profile_link(dom, i)) or _in_quote(dom, i):
        return None
    if dom.as_list("in_link")[i] and _script_link(dom, i):
        return None            # a link that runs a script ("添加讨论", "Add comment") is a control, not a user
    if not leaf:
        # the subtree's text is at least as long as its non-space characters: over 40, no name
        sub_chars = dom.memo.get("sub_chars")
        if sub_chars is None:
            sub_chars = dom.memo["sub_chars"] = dom.subtree(dom.own_chars).tolist()
        text = dom.text_of(i) if sub_chars[i] <= 40 else ""     # already collapsed
        if text and len(text) <= 40 and _name_like(text) and not _is_title(dom, text):
            return text
        # "<h3>bob <em>Member title</em> <small>date</small></h3>": the name is the
        # element's own leading text; its rank and date are children
        lead = (dom.nodes[i].text or "").strip()
        if lead and lead == own and _name_like(own) and not _is_title(dom, own):
            return own
        return None
    if dom.nodes[i].tag == "a" and (dom.nodes[i].get("href") or "").startswith("#") and len(dom.nodes[i].get("href")) > 1:
        return None            # a link to an anchor on this page is a post's permalink or subject, not a user
    return own if not _is_title(dom, own) else None


def _script_link(dom: Dom, i: int) -> bool:
    """Whether node ``i`` is or sits in a link whose href runs a script (``javascript:;``)."""
    el = dom.nodes[i]
    link = el if el.tag == "a" else (next(el.iterancestors("a"), None) if dom.in_link[i] else None)
    return link is not None and (link.get("href") or "").lstrip().lower().startswith("javascript:")


# A card's heading naming who opened the thread: a Q&A page's sidebar "发起人" card, "Asked by",
# "Topic starter"; the name is the profile link that follows it in the card.
STARTER_LABEL_RE = re.compile(r"^(?:发起人|發起人|提问者|提問者|题主|題主|楼主|樓主|"
                              r"asked by|started by|(?:topic|thread) starter|original poster)\s*[:：]?$", re.I)


_CARD_HEADS = frozenset({"h2", "h3", "h4", "h5", "h6", "dt", "th", "legend"})


def starter_name(dom: Dom, outside_posts: Callable[[int], bool]) -> str | None:
    """The thread opener's name from a labelled block outside the posts (a Q&A page's sidebar
    card "发起人" then a profile link): for an opening post whose own markup names nobody."""
    own, end = dom.own_text, dom.as_list("end")
    for i in range(len(dom)):
        text = own[i]
        if not text or len(text) > 20 or dom.nodes[i].tag not in _CARD_HEADS or not STARTER_LABEL_RE.match(text) \
                or not outside_posts(i):
            continue        # (a heading: "asked by <a>ann</a>" in a list of other questions is no card)
        block = dom.parent[i]
        block = dom.parent[block] if block >= 0 and dom.parent[block] >= 0 else block   # the card
        for j in range(i + 1, min(len(dom), (end[block] if block >= 0 else i + 30) + 1, i + 30)):
            if dom.nodes[j].tag == "a" and is_profile_href(dom.nodes[j].get("href") or "") and own[j] \
                    and outside_posts(j):
                name = author_text(dom, j)
                if name:
                    return name
    return None


def _profile_link(dom: Dom, i: int) -> bool:
    """Whether node ``i`` is or sits in a link to a user's profile."""
    el = dom.nodes[i]
    link = el if el.tag == "a" else (next(el.iterancestors("a"), None) if dom.in_link[i] else None)
    return link is not None and is_profile_href(link.get("href") or "")


def _in_quote(dom: Dom, i: int) -> bool:
    """Whether node ``i`` lies inside a quote block: the quoted writer's name in "<blockquote>
    <a href="/u/ann">ann</a> wrote: ..." is not the author of the post quoting it."""
    inside = dom.memo.get("in_quote")
    if inside is None:
        bq = dom.tags.index("blockquote") if "blockquote" in dom.tags else -1
        attrs, nodes, end = dom.attrs or [""] * len(dom), dom.nodes, dom.as_list("end")
        # candidates: class-less blockquotes and elements whose class or id may name a quote
        cand = set(np.nonzero(dom.tag_id == bq)[0].tolist()) if bq >= 0 else set()
        cand.update(dom.attrs_holding(("uot", "cit")))
        starts, last = [], -1
        for k in sorted(cand):
            if k <= last:
                continue
            if (dom.tag_id[k] == bq and not (nodes[k].get("class") or "").strip()) or \
                    (attrs[k] and ("uot" in attrs[k] or "cit" in attrs[k]) and is_quote_named(nodes[k])):
                starts.append(k)
                last = end[k]
        inside = dom.memo["in_quote"] = _spans_mask(dom, starts)
    return inside[i]


def _spans_mask(dom: Dom, starts: list[int]) -> list[bool]:
    """Per node, whether it lies in the subtree of one of the disjoint roots ``starts``."""
    mask = [False] * len(dom)
    end = dom.as_list("end")
    for s in starts:      # (a few blocks a page: list slices beat numpy's setup and tolist)
        e = end[s] + 1
        mask[s:e] = [True] * (e - s)
    return mask


def _in_signature(dom: Dom, i: int) -> bool:
    """Whether node ``i`` lies in a signature-named block: a link to a thread in a signature
    ("PRV founder") is the writer's decoration, not their name; a profile link there is
    (Q&A sites call the author card under a post its "signature")."""
    inside = dom.memo.get("in_signature")
    if inside is None:
        starts, last, end, attrs = [], -1, dom.as_list("end"), dom.attrs
        for k in dom.attrs_holding(("sig", "Sig", "SIG")) if attrs else ():
            names = attrs[k]
            if SIGNATURE_RE.search(names):
                if k > last:
                    starts.append(k)
                    last = end[k]
        inside = dom.memo["in_signature"] = _spans_mask(dom, starts)
    return inside[i]


_TITLE_SPLIT_RE = re.compile(r"\s+[-|•·:»–—]+\s+|\s*::\s*")


def _is_title(dom: Dom, text: str) -> bool:
    """Whether ``text`` is the page's heading (a thread's subject repeated in its first post
    looks like a name but is none)."""
    titles = dom.memo.get("title_texts")
    if titles is None:
        titles = set()
        if "h1" in dom.tags:
            for i in np.nonzero(dom.tag_id == dom.tags.index("h1"))[0][:2].tolist():
                heading = dom.text_of(i)
                if heading and len(heading) < 300:
                    titles.add(heading.casefold())
                    titles.update(part.casefold() for part in _TITLE_SPLIT_RE.split(heading) if part)
        dom.memo["title_texts"] = titles
    return text.casefold() in titles


@lru_cache(maxsize=16384)
def _name_like(text: str) -> bool:
    """Whether a short text could be a user name; names and labels recur in every post and page."""
    if floor_of(text) is not None or BUTTON_LINE_RE.match(text):
        return False
    if text.endswith((":", "：")) or _NOT_NAME_RE.search(text) or \
            (_LABEL_RE.search(text) and not _WRAPPED_NAME_RE.match(text)):
        return False
    if text.strip("()（）[]【】 ") in NAMED_FLOORS or match_date(text, now=_EPOCH_NOW) is not None:
        return False           # "(楼主)", "Posted May 6"
    return True


def fallback_author(dom: Dom, nodes: list[int]) -> tuple[int | None, str | None]:
    """A post's author when it does not share the others' markup (an opening post):
    the first name-like text whose element or link says it is a user, or that the avatar
    linked to the same profile names (``<a href=u/2><img alt="王小明"></a> <a href=u/2>王小明</a>``)
    or, without a name of its own, points at (``<a href=?u/ann.html><img></a>``, HYBBS)."""
    a_tag = dom.tags.index("a") if "a" in dom.tags else -1
    avatars = _avatar_names(dom, nodes)
    for i in nodes:
        if not dom.own_text[i]:
            continue
        el = dom.nodes[i]
        hint = words(el) + " " + (el.get("itemprop") or "") + " " + (el.get("rel") or "")
        p = dom.parent[i]
        for _ in range(3):     # "<p class="author">by <strong><a href="/member/7">bob</a></strong>"
            if p < 0:
                break
            hint += " " + words(dom.nodes[p])
            p = dom.parent[p]
        named = AUTHOR_HINT_RE.search(hint) is not None and not says_not_author(words(el))
        link = el if dom.tag_id[i] == a_tag else (next(el.iterancestors("a"), None) if dom.in_link[i] else None)
        profile = link is not None and is_profile_href(link.get("href") or "")
        declared = bool(re.search(r"author|creator", (el.get("itemprop") or "") + (el.get("rel") or "")))
        shown = avatars.get(link.get("href") or "") if profile else None   # (None: no avatar links there)
        pictured = shown is not None and (not shown or (dom.own_text[i] or "").strip() in shown)
        if declared or (named and profile) or pictured:
            text = author_text(dom, i)
            if text:
                return i, text
    for i in nodes:       # a guest's name in plain text: "Re: subject by Nobody: 12:19pm"
        m = _BYLINE_RE.search(dom.own_text[i] or "")
        if m and not _in_quote(dom, i) and _name_like(m.group(1)):
            return i, m.group(1)
    return None, None


def _avatar_names(dom: Dom, nodes: list[int]) -> dict[str, set[str]]:
    """Profile URL -> the alt/title texts of the images linked to it among ``nodes`` (avatars)."""
    out: dict[str, set[str]] = {}
    for i in nodes:
        el = dom.nodes[i]
        if el.tag != "img" or not dom.in_link[i]:
            continue
        link = next(el.iterancestors("a"), None)
        href = link.get("href") if link is not None else None
        if href and is_profile_href(href):
            out.setdefault(href, set()).update(t.strip() for t in (el.get("alt"), el.get("title")) if t and t.strip())
    return out


# "by bob:" / "von bob," in a post's header line, the name not linked (a guest, a deleted member)
_BYLINE_RE = re.compile(r"(?:^|\s)(?:by|von|par|por|door)\s+([^\s():,;]{2,30})\s*[:,]?\s*$", re.I)


def loose_keys(dom: Dom) -> np.ndarray:
    """Per node, tag + the first word of its first class ("username-coloured" -> "username").

    Looser than the unit key: engines vary a name's class by user group.
    """
    names: dict[str, int] = {}
    loose = list(map(_LOOSE_NAME.__getitem__, dom.sigs))     # (each signature worked out once a site)
    out = np.fromiter(map(names.setdefault, loose, map(len, repeat(names, len(loose)))), dtype=np.int32,
                      count=len(loose))
    return out[dom.sig_id]


class _LooseName(dict):
    """Signature -> its loose name (tag + the first word of its first class); a site's pages
    share their signatures, so each is split once instead of once per page."""

    def __missing__(self, sig: str) -> str:
        tag, _, cls = sig.partition(".")
        first = _CLASS_WORD_END_RE.split(cls, maxsplit=1)[0] if cls else ""
        if len(self) >= 65536:
            self.clear()
        name = self[sig] = f"{tag}.{first}"
        return name


_LOOSE_NAME = _LooseName()


def pick_author_key(dom: Dom, units: list[int], owned: list[np.ndarray], key: np.ndarray,
                    excluded: np.ndarray, url: str) -> int | None:
    """The (loose) element key whose short text names each post's author; ``key`` from :func:`loose_keys`."""
    k = len(units)
    a_tag = dom.tags.index("a") if "a" in dom.tags else -1
    cand: dict[int, dict[int, str]] = defaultdict(dict)
    score: Counter = Counter()
    first_pos: dict[int, list[int]] = defaultdict(list)
    img_tag = dom.tags.index("img") if "img" in dom.tags else -1
    tag_id, parents, in_link = dom.as_list("tag_id"), dom.as_list("parent"), dom.as_list("in_link")
    key_l, own_text, nodes = key.tolist(), dom.own_text, dom.nodes
    # the nodes that count: with text of their own (own_chars > 0 exactly when own_text is not
    # empty), not excluded; selected for all units at once
    texted = (dom.own_chars > 0) & ~excluded
    img = dom.tag_id == img_tag if img_tag >= 0 else None
    pairs: Iterable[tuple[int, int]] = ()
    alts_of: dict[int, set] = {}
    if k:     # (unit, node) for every unit's texted nodes, unit by unit in page order: one numpy pass
        all_nodes = np.concatenate(owned)
        unit_of = np.repeat(np.arange(k), [len(o) for o in owned])
        keep = texted[all_nodes]
        pairs = zip(unit_of[keep].tolist(), all_nodes[keep].tolist())
        if img is not None:
            # avatars are often labelled with their owner's name: <img alt="bob">; every unit's
            # alt texts in the same one pass (a few images a page) instead of a numpy mask per unit
            pics = img[all_nodes]
            for ui, j in zip(unit_of[pics].tolist(), all_nodes[pics].tolist()):
                alt = nodes[j].get("alt", "").strip()
                if alt:
                    alts_of.setdefault(ui, set()).add(alt)
    no_alts: frozenset = frozenset()
    memo = dom.memo.get("author_text")
    if memo is None:
        memo = dom.memo["author_text"] = {}   # (author_text's memo, read here without a call per node)
    attrs = dom.attrs
    more_attrs = dom.memo.get("more_attrs")
    if more_attrs is None:
        more_attrs = dom.memo["more_attrs"] = set(dom.more_attrs)
    need = max(2, int(np.ceil(0.6 * k))) if k > 1 else 1
    cur = u = -1
    order = 0
    for ui, i in pairs:
        if ui != cur:
            cur, u, order = ui, units[ui], 0
        if i == u:
            continue
        own = own_text[i]
        order += 1
        by_unit = cand[key_l[i]]
        if ui in by_unit or len(own) > 40:
            continue      # (a text over 40 characters is no name: author_text says None)
        if len(by_unit) + k - ui < need:
            continue      # a key that can no longer name the authors of enough units: not read
        text = memo[i] if i in memo else memo.setdefault(i, _author_text(dom, i))
        if text is None:
            continue
        kid = key_l[i]
        by_unit[ui] = text
        alts = alts_of.get(ui, no_alts)
        el = nodes[i]
        # (the recorded "class id" names stand for words(): only a space at an end differs,
        # which no word of the hint regexes holds; only an element with other attributes than
        # class and id can have an itemprop or a rel)
        own_words = attrs[i] if attrs else words(el)
        if i in more_attrs:
            hint = own_words + " " + (el.get("itemprop") or "") + " " + (el.get("rel") or "")
        else:
            hint = own_words + "  "
        parent = parents[i]
        if parent >= 0:
            hint += " " + (attrs[parent] if attrs else words(nodes[parent]))
        points = _hint_points(hint, own_words)
        if tag_id[i] == a_tag or in_link[i]:
            link = el if tag_id[i] == a_tag else next(el.iterancestors("a"), None)
            href = (link.get("href") or "") if link is not None else ""
            if is_profile_href(href):
                points += 2.0
            else:
                points += 0.3
        points += max(0.0, 1.0 - 0.1 * order)      # names come early in a post
        if text in alts:
            points += 2.0
        if len(text.split()) > 4:
            points -= 1.0
        score[kid] += points
        first_pos[kid].append(order)
    best, best_score = None, 0.0
    for kid, by_unit in cand.items():
        if len(by_unit) < need:
            continue
        values = list(by_unit.values())
        s = score[kid] / k * len(by_unit) / k
        if len(values) >= 3 and len(set(values)) == 1 and score[kid] / len(values) < 2.0:
            s -= 2.0          # the same label in every post ("Member", "Reply") is no name,
                              # unless it links to a profile or is marked as the author
        elif len(values) >= 3 and len(by_unit) >= 0.9 * k:
            # a short text at the same place in (nearly) every post that varies from post to post
            # is what names do (labels repeat): "<b>ann</b>", "<b>bob</b>" with no class or link
            s += 0.3 * len(set(values)) / len(values)
            if all(pos == 1 for pos in first_pos[kid]):
                s += 0.2      # ... and first of all the post's texts, where a byline or author column starts
        if s > best_score:
            best, best_score = kid, s
    # one post alone gives no consistency evidence: its name must be marked or linked as a user
    return best if best_score >= (1.0 if k > 1 else 2.0) else None


@lru_cache(maxsize=16384)
def _hint_points(hint: str, own_words: str) -> float:
    """Points for what an element's (and its parent's) class, id, itemprop and rel say about a
    name in it; the same few class strings recur in every post."""
    points = 0.0
    if says_not_author(own_words):
        # "userTitle", "member-rank", "user-stats": a line of the author box that is not the name
        return -1.5
    if AUTHOR_HINT_RE.search(hint):
        points += 2.0
    return points


def find_floor(dom: Dom, nodes: list[int]) -> tuple[int | None, int | None]:
    """(floor number, DFS node of its label) from a post's own labels (``nodes``: outside the body)."""
    own_text, end = dom.own_text, dom.as_list("end")
    for i in nodes:
        own = own_text[i]
        if own and len(own) <= 100:
            if i < end[i] <= i + 3:
                own = dom.text_of(i)     # "5<sup>#</sup>"
            floor = floor_of(own)
            if floor is not None:
                return floor, i
    return None, None


_PERMALINK_TEXT_RE = re.compile(
    r"^(?:permalink|perma-link|direct link|link to (?:this )?post|固定链接|本帖链接"
    r"|(?:permalink|perma-link|direct link|link) (?:for|to) this (?:post|message|comment|reply|answer))$", re.I)


def _link_label(dom: Dom, i: int) -> str:
    """What a link says: its text, or for an icon-only link its title or aria-label (a post's
    permalink is often a chain icon titled "Permalink for this message")."""
    text = dom.text_of(i).strip()
    if text:
        return text
    el = dom.nodes[i]
    return (el.get("title") or el.get("aria-label") or "").strip()


def find_permalink(dom: Dom, nodes: list[int], url: str, post_id: str | None,
                   anchors: tuple[int | None, ...]) -> str | None:
    """The post's own URL: a link on its floor label or date, or one carrying its id."""
    for node in anchors:
        if node is None:
            continue
        el = dom.nodes[node]
        link = el if el.tag == "a" else next(el.iterancestors("a"), None)
        if link is None:
            link = next(el.iter("a"), None)
        href = link.get("href") if link is not None else None
        if href and not href.startswith("javascript") and not is_profile_href(href):
            return join(url, href)
    for i in nodes:          # a link labelled as the post's own address
        el = dom.nodes[i]
        if el.tag == "a" and _PERMALINK_TEXT_RE.match(_link_label(dom, i)):
            href = el.get("href") or ""
            if href and not href.startswith(("javascript", "#")):
                return join(url, href)
    if post_id:
        for i in nodes:
            if dom.nodes[i].tag != "a":
                continue
            href = dom.nodes[i].get("href") or ""
            if post_id in href and not is_profile_href(href):
                return join(url, href)
    for i in nodes:          # a link to a post's anchor on another page ("topic=5.msg12#msg12")
        el = dom.nodes[i]
        if el.tag != "a":
            continue
        href = el.get("href") or ""
        page_part, _, fragment = href.partition("#")
        if page_part and _POST_ANCHOR_RE.match(fragment) and not PROFILE_HREF_RE.search(href) \
                and not el.getroottree().getroot().xpath("//*[@id=$f or @name=$f]", f=fragment):
            return join(url, href)  # (an anchor shown on this page: a post of this page)
    return None


_POST_ANCHOR_RE = re.compile(r"^[A-Za-z_-]{1,12}\d+$")


def anchor_post_id(dom: Dom, permalink: str) -> str | None:
    """The id a post's permalink names when its ``#fragment`` is an anchor on this very page
    (``read.php?2,36,39#msg-39`` beside ``<a name="msg-39">``): the post lives here under that
    anchor, though the link's page part is another URL of the thread (the message's own). Without
    it such a page reads as a digest of posts found elsewhere."""
    fragment = permalink.partition("#")[2]
    if not _POST_ANCHOR_RE.match(fragment):
        return None
    anchors = dom.memo.get("page_anchors")
    if anchors is None:
        root = dom.nodes[0].getroottree().getroot()
        anchors = dom.memo["page_anchors"] = {v for v in root.xpath("//@id | //a/@name") if _POST_ANCHOR_RE.match(v)}
    if fragment not in anchors:
        return None
    return _id_post_id(fragment, False) or fragment


def sanitize(el: etree._Element, url: str, skip: set) -> str:
    """Safe HTML of a post body (allow-listed tags, attributes and URL schemes; URLs absolute)."""
    return post_html(el, url, skip)
