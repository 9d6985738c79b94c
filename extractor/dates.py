"""Dates as forums print them: absolute, relative, English, Chinese, numeric.

No third-party date parser: a handful of compiled patterns, tried in a fixed
order, cover what forum engines show ("Mon May 03, 2024 12:30 pm",
"2024-5-3 12:30", "2024年5月3日", "3 hours ago", "昨天 12:30", "刚刚", Unix
timestamps in attributes). Each pattern *searches* the string, so a label such
as "Posted: " or "发表于 " around the date does not matter.

Time zones: a result is timezone-aware only when the string states the zone
(ISO offset or "Z", "UTC+8", "GMT+08:00", bare "UTC"/"GMT") or when it is a
relative date ("3 hours ago"), which is resolved against ``now`` and keeps
``now``'s zone. Wall-clock dates without a zone stay naive.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from functools import lru_cache

import numpy as np

MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}
_MON = (r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
        r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
# Month names of the other languages forums write in (German, French, Spanish, Italian,
# Portuguese, Dutch), full and abbreviated; read only day first ("5. März 2020", "5 juil. 2018",
# "3 de mayo de 2020"), where a year must follow, so that short words such as "ago" or "set"
# are never taken for a month on their own.
FOREIGN_MONTHS = {
    1: "januar jänner janvier janv enero ene gennaio gen janeiro januari",
    2: "februar février fevrier févr fevr febrero febbraio fevereiro fev februari",
    3: "märz maerz mär mrz mars marzo março maart mrt",
    4: "avril avr abril abr aprile",
    5: "mai mayo maggio mag maio mei",
    6: "juni juin junio giugno giu junho",
    7: "juli juillet juil julio luglio lug julho",
    8: "août aout agosto ago augustus",
    9: "septembre septiembre setiembre settembre set setembro",
    10: "oktober okt octobre octubre ottobre ott outubro out",
    11: "novembre noviembre novembro",
    12: "dezember dez décembre decembre déc diciembre dic dicembre dezembro",
}
_MONTH_OF = {w: mo for mo, names in FOREIGN_MONTHS.items() for w in names.split()}
_FOREIGN_ALT = "|".join(sorted(_MONTH_OF, key=len, reverse=True))
# the other languages' month names as one regex alternation (longest first), for date label scans
FOREIGN_MONTH_ALT = _FOREIGN_ALT
_MON_ANY = (r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
            r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|" + _FOREIGN_ALT + r")\.?")


def month_number(word: str) -> int:
    """The month a (lower-case) month name or abbreviation names, in any language known here."""
    word = word.rstrip(".")
    return _MONTH_OF.get(word) or MONTHS[word[:3]]


# hh:mm[:ss][.fff] [am|pm], with an optional Chinese 上午/下午 before it.
_TIME = (r"(?:(?P<half>上午|下午|晚上|凌晨|中午)\s*)?(?P<h>\d{1,2})[:：](?P<mi>\d{2})(?:[:：](?P<s>\d{2})(?:\.\d+)?)?"
         r"(?:\s*(?P<ampm>[ap]\.?\s?m\.?)(?![a-z]))?")
_TZ = (r"(?:\s*(?P<tz>z(?![a-z])|(?:utc|gmt)\s*[+-]\s*\d{1,2}(?::?\d{2})?(?![\d:])|[+-]\d{2}:?\d{2}(?![\d:])"
       r"|utc|gmt)(?![a-z]))?")
_SEP_T = r"(?:[t\s,]+|\s*,?\s*(?:at|um|à|@|-|a las|a la|alle|às|om|在|于)\s*)"  # (在, 于: "at" in Chinese)

_ISO_RE = re.compile(
    r"(?<![\d/])(?P<y>(?:19|20)\d{2})\s*(?P<sep>[-/.年])\s*(?P<m>\d{1,2})\s*(?:(?P=sep)|月)\s*(?P<d>\d{1,2})(?![\d/])\s*[日号]?"
    r"(?:\s*(?:\(.{1,3}\)|（.{1,3}）|星期.|周.)?" + _SEP_T + "?" + _TIME + ")?" + _TZ)
_DMY_NAME_RE = re.compile(
    r"(?<![\w])(?P<d>\d{1,2})(?:st|nd|rd|th|\.|er)?\s*(?:(?:of|de)\s+)?[\s\-]?" + _MON_ANY +
    r"(?![a-zäöüéèûôçñ])[\s,\-]*(?:de\s+)?(?P<y>(?:19|20)\d{2}|['’]\d{2}|(?<=-)\d{2})(?!\d)"
    r"(?:" + _SEP_T + _TIME + ")?" + _TZ)
_MDY_NAME_RE = re.compile(
    r"(?<![a-z])" + _MON + r"(?![a-z])\s*(?P<d>\d{1,2})(?:st|nd|rd|th)?(?!\d)(?:,?\s*(?P<y>(?:19|20)\d{2})(?!\d))?"
    r"(?:" + _SEP_T + _TIME + ")?" + _TZ)
# A weekday in brackets after a numeric date: "24/05/02(Thu)01:10:00" (imageboards), "(木)", "（周四）".
_WEEKDAY_NAMES = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6,
                  "月": 0, "火": 1, "水": 2, "木": 3, "金": 4, "土": 5,
                  "一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_NUM_RE = re.compile(
    r"(?<![\d./-])(?P<a>\d{1,2})(?P<sep>[./-])(?P<b>\d{1,2})(?P=sep)(?P<y>(?:19|20)?\d{2})(?![\d./-])"
    r"(?:\s*[(（](?:周|星期|週)?(?P<wd>[a-z]{3,9}|[月火水木金土日一二三四五六天])[)）])?"
    r"(?:" + _SEP_T + "?" + _TIME + ")?" + _TZ)
_MD_ZH_RE = re.compile(r"(?<!\d)(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号](?:\s*" + _TIME + ")?")
_MD_TIME_RE = re.compile(r"^(?P<m>\d{1,2})-(?P<d>\d{1,2})\s+" + _TIME + "$")
_DAYWORD_RE = re.compile(
    r"(?P<word>today|yesterday|今天|昨天|前天|今日|昨日)(?:\s*(?:at|,|，)?\s*" + _TIME + ")?" + _TZ)
_NUMWORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "few": 3, "several": 3, "半": 0.5, "几": 3,
}
_ZH_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_UNIT_SECONDS = {
    "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400, "mo": 30 * 86400, "y": 365 * 86400,
}
_REL_RE = re.compile(
    r"(?P<n>\d+(?:\.\d+)?|an?|one|two|three|four|five|six|seven|eight|nine|ten|few|several|半|几|[一二两三四五六七八九十]+)\s*"
    r"(?:个)?\s*(?P<unit>seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|wks?|months?|years?|yrs?|"
    r"秒钟?|分钟|分|小时|钟头|天|日|周|星期|礼拜|月|年)\s*(?P<ago>ago|前|以前|之前)")
# "vor 3 Stunden", "vor einer Woche", "il y a 2 jours", "hace 5 minutos", "há 3 dias"
_REL_FOREIGN_RE = re.compile(
    r"(?<![a-z])(?:vor|il y a|hace|há)\s+(?P<n>\d+|eine[mnr]?|ein|une?|una|uno|um|uma)\s*"
    r"(?P<unit>sekunden?|minuten?|stunden?|tagen?|wochen?|monaten?|jahren?|monat|jahr|woche|stunde|minute|sekunde|"
    r"secondes?|minutes?|heures?|jours?|semaines?|mois|années?|ans?|"
    r"segundos?|minutos?|horas?|d[ií]as?|semanas?|mes(?:es)?|años?|anos?)(?![a-z])")
_FOREIGN_UNITS = (("sek", "s"), ("sec", "s"), ("seg", "s"), ("min", "m"), ("stund", "h"), ("heure", "h"),
                  ("hora", "h"), ("tag", "d"), ("jour", "d"), ("día", "d"), ("dia", "d"), ("woch", "w"),
                  ("semain", "w"), ("seman", "w"), ("monat", "mo"), ("mois", "mo"), ("mes", "mo"), ("jahr", "y"),
                  ("an", "y"), ("ann", "y"), ("año", "y"), ("ano", "y"))
# "Heute, 10:15", "Gestern um 21:40", "Hier à 14:30", "Ayer a las 9:05": a clock must follow
# (German "hier" is "here")
_DAYWORD_FOREIGN_RE = re.compile(
    r"(?<![a-z])(?P<word>heute|gestern|vorgestern|aujourd['’]hui|avant-hier|hier|hoy|ayer|anteayer|oggi|ieri)"
    r"\s*(?:,|um|à|a las|a la|alle)?\s*" + _TIME.replace("?P<", "?P<") )
_FOREIGN_DAYS_BACK = {"heute": 0, "aujourd'hui": 0, "aujourd’hui": 0, "hoy": 0, "oggi": 0, "gestern": 1, "hier": 1,
                      "ayer": 1, "ieri": 1, "vorgestern": 2, "avant-hier": 2, "anteayer": 2}
_SHORT_REL_RE = re.compile(r"^(?P<n>\d{1,3})\s*(?P<unit>s|m|min|h|hr|d|w|mo|y|yr|"
                           r"seconds?|minutes?|mins|hours?|hrs|days?|weeks?|months?|years?)$")
_NOW_RE = re.compile(r"just now|moments? ago|a few seconds ago|seconds ago|刚刚|刚才|片刻前|几秒前")
_TS_RE = re.compile(r"^\s*(?P<ts>1\d{9}|1\d{12})(?:\.\d+)?\s*$")
_DATE_WORD_RE = re.compile(r"\d|ago|前|today|yesterday|今天|昨天|刚|now|vor |il y a|hace |há ", re.I)

_NOON_RE = re.compile(r"\bnoon\b")
_MIDNIGHT_RE = re.compile(r"\bmidnight\b")
_BARE_HOUR_RE = re.compile(r"(?<![:\d.])\b(\d{1,2})\s*([ap])\.\s?m\.(?![a-z])")
_FULLWIDTH = str.maketrans("０１２３４５６７８９：／－．　", "0123456789:/-. ")


def _unit_key(unit: str) -> str:
    u = unit.lower()
    if u.startswith(("mo", "月")) or u == "个月":
        return "mo"
    if u.startswith(("mi", "分")) or u == "m":
        return "m"
    if u.startswith(("s", "秒")):
        return "s"
    if u.startswith(("h", "小", "钟")):
        return "h"
    if u.startswith(("d", "天", "日")):
        return "d"
    if u.startswith(("w", "周", "星", "礼")):
        return "w"
    return "y"


def _number(word: str) -> float:
    if word[0].isdigit():
        return float(word)
    if word in _NUMWORDS:
        return _NUMWORDS[word]
    # Chinese numerals up to 99: 三, 十, 十二, 二十, 二十五
    if "十" in word:
        tens, _, ones = word.partition("十")
        return (_ZH_DIGITS.get(tens, 1) if tens else 1) * 10 + (_ZH_DIGITS.get(ones, 0) if ones else 0)
    return float(_ZH_DIGITS.get(word, 1))


def _tzinfo(raw: str | None) -> timezone | None:
    if not raw:
        return None
    raw = raw.strip().lower().replace(" ", "")
    if raw in ("z", "utc", "gmt"):
        return timezone.utc
    m = re.match(r"(?:utc|gmt)?([+-])(\d{1,2}):?(\d{2})?$", raw)
    if not m:
        return None
    hours, minutes = int(m.group(2)), int(m.group(3) or 0)
    if hours > 14 or minutes > 59:
        return None
    delta = timedelta(hours=hours, minutes=minutes)
    return timezone(-delta if m.group(1) == "-" else delta)


def _clock(m: re.Match) -> tuple[int, int, int] | None:
    if m.group("h") is None:
        return 0, 0, 0
    h, mi, s = int(m.group("h")), int(m.group("mi")), int(m.group("s") or 0)
    ampm = (m.group("ampm") or "").replace(".", "").replace(" ", "")
    half = m.group("half")
    if ampm == "pm" or half in ("下午", "晚上") or (half == "中午" and h < 11):
        if h < 12:
            h += 12
    elif (ampm == "am" or half == "凌晨") and h == 12:
        h = 0
    if h > 23 or mi > 59 or s > 59:
        return None
    return h, mi, s


def _build(y: int, mo: int, d: int, m: re.Match, now: datetime) -> datetime | None:
    clock = _clock(m)
    if clock is None or not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    if y < 100:
        y += 2000 if y < 70 else 1900
    try:
        out = datetime(y, mo, d, *clock)
    except ValueError:
        return None
    tz = _tzinfo(m.group("tz")) if "tz" in m.re.groupindex else None   # (no dict of all groups)
    if tz is not None:
        out = out.replace(tzinfo=tz)
    if not 1990 <= y <= now.year + 1:
        return None
    return out


def _naive_now(now: datetime) -> datetime:
    return now.replace(tzinfo=None)


def _guess_year(mo: int, d: int, now: datetime) -> int:
    """A date printed without its year is the most recent one not in the future."""
    y = now.year
    try:
        if datetime(y, mo, d) > _naive_now(now) + timedelta(days=1):
            y -= 1
    except ValueError:
        pass
    return y


def _from_iso(m: re.Match, now: datetime) -> datetime | None:
    return _build(int(m.group("y")), int(m.group("m")), int(m.group("d")), m, now)


def _from_dmy_name(m: re.Match, now: datetime) -> datetime | None:
    # "4 Jul '23": a two-digit year after an apostrophe
    return _build(int(m.group("y").lstrip("'’")), month_number(m.group("mon")), int(m.group("d")), m, now)


def _from_mdy_name(m: re.Match, now: datetime) -> datetime | None:
    mo, d = MONTHS[m.group("mon")[:3]], int(m.group("d"))
    y = int(m.group("y")) if m.group("y") else _guess_year(mo, d, now)
    if not m.group("y") and m.group("h") is None and len(m.string.strip()) > len(m.group(0).strip()) + 12:
        return None                    # "may 5 people" is no date; a bare "May 5" label is
    return _build(y, mo, d, m, now)


def _weekday(word: str | None) -> int | None:
    """The day of the week (Monday 0) a weekday name or abbreviation names, or None."""
    if not word:
        return None
    return _WEEKDAY_NAMES.get(word[:3] if word.isascii() else word)


# the orders a numeric date's three numbers may be in, the one preferred first when a weekday fits
# several: two-digit year first is how the boards that bracket a weekday ("24/05/02(Thu)") write
NUMERIC_ORDERS = ("ymd", "mdy", "dmy")


def _weekday_readings(m: re.Match, now: datetime) -> dict[str, datetime]:
    """The readings of a numeric date that shows its weekday which fall on that weekday, by order."""
    weekday = _weekday(m.group("wd"))
    a, b, third = int(m.group("a")), int(m.group("b")), m.group("y")
    fields = {"ymd": (a, b, int(third)) if len(third) == 2 else None, "mdy": (int(third), a, b),
              "dmy": (int(third), b, a)}
    out = {}
    for order in NUMERIC_ORDERS:
        if fields[order] is not None:
            when = _build(*fields[order], m, now)
            if when is not None and when.weekday() == weekday:
                out[order] = when
    return out


def weekday_readings(raw: str | None, now: datetime) -> dict[str, datetime]:
    """For a numeric date label showing its weekday ("24/04/25(Thu)"), its readings (by
    :data:`NUMERIC_ORDERS` order) that fall on that weekday; empty for any other label. One
    label may fit two orders (2024-04-25 and 2025-04-24 are both Thursdays): the page's
    other dates settle it (:func:`extractor.posts._settle_numeric_order`)."""
    if not raw or len(raw) > 400 or ")" not in raw and "）" not in raw:
        return {}
    text = raw.translate(_FULLWIDTH).lower()
    for m in _NUM_RE.finditer(text):
        if m.group("wd") and _weekday(m.group("wd")) is not None:
            return _weekday_readings(m, now)
    return {}


def _from_num(m: re.Match, now: datetime) -> datetime | None:
    a, b = int(m.group("a")), int(m.group("b"))
    if m.group("wd") and _weekday(m.group("wd")) is not None:
        # The weekday shown settles the order of the three numbers, whichever it is: year first
        # ("24/05/02(Thu)", two-digit year), month first or day first.
        readings = _weekday_readings(m, now)
        return next(iter(readings.values()), None)
    if m.group("sep") in "/-":         # US order unless impossible (dots are day-first)
        mo, d = (a, b) if a <= 12 else (b, a)
    else:                              # 03.05.2024: day first unless impossible
        d, mo = (a, b) if b <= 12 else (b, a)
    if len(m.group("y")) == 2 and m.group("h") is None:
        return None                    # "1.2.24" alone is more often a version than a date
    return _build(int(m.group("y")), mo, d, m, now)


def _from_md_zh(m: re.Match, now: datetime) -> datetime | None:
    mo, d = int(m.group("m")), int(m.group("d"))
    return _build(_guess_year(mo, d, now), mo, d, m, now)


def _from_dayword(m: re.Match, now: datetime) -> datetime | None:
    back = {"today": 0, "今天": 0, "今日": 0, "yesterday": 1, "昨天": 1, "昨日": 1, "前天": 2}[m.group("word")]
    day = _naive_now(now) - timedelta(days=back)
    clock = _clock(m)
    if clock is None:
        return None
    out = datetime(day.year, day.month, day.day, *clock)
    tz = _tzinfo(m.group("tz"))
    return out.replace(tzinfo=tz) if tz else out


def _from_rel_foreign(m: re.Match, now: datetime) -> datetime | None:
    word, unit = m.group("n"), m.group("unit")
    n = float(word) if word[0].isdigit() else 1.0
    key = next((k for prefix, k in _FOREIGN_UNITS if unit.startswith(prefix)), None)
    if key is None:
        return None
    return now - timedelta(seconds=n * _UNIT_SECONDS[key])


def _from_dayword_foreign(m: re.Match, now: datetime) -> datetime | None:
    day = _naive_now(now) - timedelta(days=_FOREIGN_DAYS_BACK[m.group("word")])
    clock = _clock(m)
    if clock is None or m.group("h") is None:
        return None
    return datetime(day.year, day.month, day.day, *clock)


def _has_foreign_dayword(text: str) -> bool:
    # every word of _DAYWORD_FOREIGN_RE holds one of these ("vorgestern" holds "gestern",
    # "avant-hier" "hier", "anteayer" "ayer"; both apostrophes of "aujourd'hui" start "aujourd")
    return ("heute" in text or "gestern" in text or "hier" in text or "aujourd" in text or "hoy" in text
            or "ayer" in text or "oggi" in text or "ieri" in text)


def _has_foreign_rel(text: str) -> bool:
    return "vor " in text or "il y a" in text or "hace " in text or "há " in text


def _from_rel(m: re.Match, now: datetime) -> datetime | None:
    seconds = _number(m.group("n")) * _UNIT_SECONDS[_unit_key(m.group("unit"))]
    return now - timedelta(seconds=seconds)


_MONTH_WORD_RE = re.compile(r"jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|" + _FOREIGN_ALT)


def _has_month(text: str) -> bool:
    return _MONTH_WORD_RE.search(text) is not None


def _has_ago(text: str) -> bool:
    return "ago" in text or "前" in text


def _has_dayword(text: str) -> bool:
    return "day" in text or "今" in text or "昨" in text or "前天" in text


def _has_month_zh(text: str) -> bool:
    return "月" in text


# (pattern, builder, test for a substring every match holds or None); the text is lower-cased
_PATTERNS = (
    (_ISO_RE, _from_iso, None),
    (_DMY_NAME_RE, _from_dmy_name, _has_month),
    (_MDY_NAME_RE, _from_mdy_name, _has_month),
    (_REL_RE, _from_rel, _has_ago),
    (_DAYWORD_RE, _from_dayword, _has_dayword),
    (_REL_FOREIGN_RE, _from_rel_foreign, _has_foreign_rel),
    (_DAYWORD_FOREIGN_RE, _from_dayword_foreign, _has_foreign_dayword),
    (_NUM_RE, _from_num, None),
    (_MD_ZH_RE, _from_md_zh, _has_month_zh),
    (_MD_TIME_RE, _from_md_zh, None),
)


def match_date(raw: str | None, *, now: datetime) -> tuple[datetime, str] | None:
    """The first date found in ``raw`` and the substring it was read from."""
    try:   # the same labels (names, "Reply", dates) recur in every post of a page and across pages
        if not raw or len(raw) > 400:
            return None
        # equal datetimes in other zones hash alike: the zone and its offset are part of the key
        kept = _STAMPS.get(id(now))
        stamp = kept[1] if kept is not None and kept[0] is now else _stamp(now)
        return _match_date_cached(raw, now, stamp, now.tzinfo)
    except (TypeError, AttributeError):   # unhashable input or no datetime: as before
        return _match_date(raw, now=now)


# the last few reference times seen, by id, with their ISO forms: a page's dates all share one
# ``now``, and names and labels are tried against a fixed one (``fields._EPOCH_NOW``), the two
# in turn call after call (one kept time would be formatted again at each change)
_STAMPS: dict[int, tuple[datetime, str]] = {}


def _stamp(now: datetime) -> str:
    stamp = now.isoformat()
    if len(_STAMPS) >= 16:
        _STAMPS.clear()
    _STAMPS[id(now)] = (now, stamp)    # (the time itself kept: its id is not reused meanwhile)
    return stamp


@lru_cache(maxsize=8192)
def _match_date_cached(raw: str | None, now: datetime, stamp: str, tz) -> tuple[datetime, str] | None:
    return _match_date(raw, now=now)


def _match_date(raw: str | None, *, now: datetime) -> tuple[datetime, str] | None:
    if not raw or len(raw) > 400 or not _DATE_WORD_RE.search(raw):
        return None
    # (every character _FULLWIDTH maps is outside ASCII: an ASCII label, most of them, is kept)
    shown = raw if raw.isascii() else raw.translate(_FULLWIDTH)
    text = shown.lower().strip()
    folded = text
    # Django-style "July 4, 2023, noon" / "3 p.m." : spell the clock out (each rewrite only
    # when its word or its dot is there: most dates have neither)
    if "noon" in text:
        text = _NOON_RE.sub("12:00 pm", text)
    if "midnight" in text:
        text = _MIDNIGHT_RE.sub("12:00 am", text)
    if "." in text:
        text = _BARE_HOUR_RE.sub(r"\1:00 \2m", text)
    m = _TS_RE.match(text)
    if m:
        ts = int(m.group("ts"))
        if ts > 10**11:
            ts //= 1000
        out = datetime.fromtimestamp(ts, tz=timezone.utc)
        if 1995 <= out.year <= now.year + 1:
            return out, raw.strip()
        return None
    m = _SHORT_REL_RE.match(text)
    if m:
        unit = "mo" if m.group("unit").startswith("mo") else m.group("unit")[0]   # "2 years" alone = 2 years ago
        return now - timedelta(seconds=int(m.group("n")) * _UNIT_SECONDS[unit]), raw.strip()
    m = _NOW_RE.search(text)
    if m:
        return now, raw[m.start():m.end()]
    tested, passed = None, True    # (consecutive patterns share a test: it is run once for them)
    for regex, build, needs in _PATTERNS:
        if needs is not None:
            if needs is not tested:
                tested, passed = needs, needs(text)
            if not passed:
                continue      # a word every match of the pattern holds is missing: skip the search
        for m in regex.finditer(text):
            out = build(m, now)
            if out is not None:
                if text is not folded and text != folded:   # offsets moved: show the label as given
                    return out, raw.strip()
                # The fold keeps offsets for the ASCII/CJK text forums print.
                return out, shown[m.start():m.end()].strip(" ,")
    return None


def parse_date(raw: str | None, *, now: datetime) -> datetime | None:
    """The date in ``raw`` (absolute or relative to ``now``), or None."""
    found = match_date(raw, now=now)
    return found[0] if found else None


_PAGE_ZONE_RE = re.compile(
    r"(?:all times are|times are (?:in )?|time ?zone|timezone|时区|時區|"
    r"alle zeiten sind|alle zeitangaben in|zeitzone|toutes les heures sont(?: au format)?|fuseau horaire|"
    r"todas las horas son|zona horaria|tutti gli orari sono|fuso orario)"
    r"[^0-9a-z]{0,12}(?:in\s+)?(utc|gmt)"
    r"\s*([+-]\s*\d{1,2}(?::?\d{2})?)?(?![\d:])(?P<dst>[^\n]{0,20}\bdst\b)?|"
    r"^\s*(?:utc|gmt)\s*([+-]\s*\d{1,2}(?::?\d{2})?)\s*,\s*(?:19|20)\d{2}[-/.]", re.I)


def page_zone(texts) -> timezone | None:
    """The time zone a page says its dates are in ("All times are UTC", "All times are
    GMT -5", "Alle Zeiten sind UTC+01:00", "All times are UTC + 1 hour [ DST ]" (+2),
    Discuz's footer "GMT+8, 2024-5-10 20:00"), or None."""
    for text in texts:
        if not text or len(text) > 200:
            continue
        m = _PAGE_ZONE_RE.search(text)
        if m:
            offset = (m.group(2) or m.group(4) or "").replace(" ", "")
            zone = _tzinfo(offset or "utc") if not offset else _tzinfo("utc" + offset)
            if zone is not None and m.group("dst"):     # "UTC + 1 hour [ DST ]": summer time on top
                zone = timezone(zone.utcoffset(None) + timedelta(hours=1))
            return zone
    return None


_CLOCK_RE = re.compile(r"\d[:：]\d{2}")


def in_shown_zone(when: datetime, shown: str | None, now: datetime) -> datetime:
    """``when`` (an aware machine-readable time) in the zone of the wall clock the page shows
    next to it: ``datetime="2016-12-03T23:25:55+00:00"`` shown as "4 December 2016 at 12:25AM"
    is 00:25 at UTC+1, and the reader's day is the 4th. The same instant either way.

    A label with a date but no clock ("12/30/2017" on a 2017-12-31T03:37Z timestamp) gives the
    day only: the instant is put in the smallest whole-hour offset whose day is the one shown.
    Unchanged when the label shows no absolute date or is a day or more away.
    """
    if when.tzinfo is None or not shown or len(shown) > 80 or not _DATE_WORD_RE.search(shown):
        return when
    found = match_date(shown, now=now)
    if found is None or found[0].tzinfo is not None:
        return when
    wall = found[0]
    utc = when.astimezone(timezone.utc).replace(tzinfo=None)
    if _CLOCK_RE.search(shown):
        minutes = (wall - utc).total_seconds() / 60
        quarter = round(minutes / 15) * 15
        if abs(minutes - quarter) > 1.01 or abs(quarter) > 14 * 60:
            return when
        zone = timezone(timedelta(minutes=quarter))
    else:
        if when.date() == wall.date():
            return when
        zone = None
        for hours in sorted(range(-12, 15), key=abs):
            if (utc + timedelta(hours=hours)).date() == wall.date():
                zone = timezone(timedelta(hours=hours))
                break
        if zone is None:
            return when
    if when.utcoffset() == zone.utcoffset(None):
        return when
    return when.astimezone(zone)


# Attributes that carry a machine-readable or full date next to a short label.
DATE_ATTRS = ("datetime", "data-time", "data-timestamp", "data-date", "data-datetime", "data-utime",
              "data-created", "data-created-at", "data-ts", "title", "content")
_DATE_ATTR_SET = frozenset(DATE_ATTRS)
# other data attributes named for a time ("data-xutime", "data-post-date", "data-unix-time")
_DATE_ATTR_NAME_RE = re.compile(r"^data-[\w-]*(?:time|date|stamp)$")


@lru_cache(maxsize=4096)
def _date_attr_names(keys: tuple[str, ...]) -> tuple[str, ...]:
    """The attributes among ``keys`` that may hold a date, in the order they are tried: the
    same few attribute sets (``href``; ``class href``...) recur on every element of a page."""
    names = [k for k in DATE_ATTRS if k in keys] if not _DATE_ATTR_SET.isdisjoint(keys) else []
    names += [k for k in keys if k not in _DATE_ATTR_SET and k.startswith("data-") and _DATE_ATTR_NAME_RE.match(k)]
    return tuple(names)


def find_date(dom, start: int, stop: int, *, now: datetime, skip: np.ndarray | None = None,
              reject=None, nodes=None) -> tuple[datetime | None, str | None]:
    """The date shown in DFS nodes ``start..stop`` (inclusive).

    Preference: ``<time datetime>``; then date attributes (``title`` on a
    "3 hours ago" label holds the full date); then the visible text. Nodes
    where ``skip`` is true (e.g. the post body, quotes) are ignored so a date
    quoted in the text is not taken for the post's date, and so are nodes for
    which ``reject(i)`` is true (a join date in the author box). ``nodes`` (DFS
    indices) replaces the ``start..stop`` range when given. Returns
    ``(datetime, raw string as shown)``.
    """
    idx = nodes if nodes is not None else range(start, stop + 1)
    elements = dom.nodes
    if skip is not None:
        idx = [i for i in idx if not skip[i]]
    if reject is not None:     # checked lazily: only nodes that hold a date pay for it
        ok = lambda i: not reject(i)  # noqa: E731
    else:
        ok = lambda i: True  # noqa: E731
    time_tag = dom.tags.index("time") if "time" in dom.tags else -1
    best_attr: tuple[datetime, str] | None = None
    tag_id = dom.as_list("tag_id")
    # only <time> elements and elements with attributes besides class and id can say more
    attributed = dom.memo.get("more_attrs")
    if attributed is None:
        attributed = dom.memo["more_attrs"] = set(dom.more_attrs)
    for i in idx:
        if i not in attributed and tag_id[i] != time_tag:
            continue
        el = elements[i]
        if time_tag >= 0 and tag_id[i] == time_tag:
            value = el.get("datetime") or el.get("title")
            found = match_date(value, now=now) if value else None
            if found and ok(i):
                shown = dom.text_of(i) or value
                return in_shown_zone(found[0], shown, now), shown
        # most elements carry only class/id: one set test instead of an el.get() per name
        if best_attr is None:
            for name in _date_attr_names(tuple(el.keys())):
                value = el.get(name)
                if value and len(value) < 80:
                    found = match_date(value, now=now)
                    if found and ok(i):
                        shown = dom.text_of(i)
                        # "Offline" with a date in its title: show the date, not the label
                        fits = 0 < len(shown) <= 60 and _DATE_WORD_RE.search(shown)
                        best_attr = (in_shown_zone(found[0], shown, now) if fits else found[0],
                                     shown if fits else value)
                        break
    if best_attr is not None:
        return best_attr
    own_text, end = dom.own_text, dom.as_list("end")
    found = _text_date(dom, idx, now, ok, own_text, end, 80)
    if found is not None:
        return found
    # a date inside a sentence ("On January 1st she returned") only when no label shows one
    found = _text_date(dom, idx, now, ok, own_text, end, 200, 80)
    return found if found is not None else (None, None)


def _text_date(dom, idx, now, ok, own_text, end, limit: int, floor: int = 0):
    """The first date shown in the own text (``floor`` to ``limit`` characters) of nodes ``idx``."""
    for i in idx:
        text = own_text[i]
        if text and floor <= len(text) < limit:
            if i < end[i] <= i + 3:    # "05-01-2024, <span>09:15 AM</span>": read the small subtree
                fuller = dom.text_of(i)
                found = match_date(fuller, now=now) if len(fuller) < 200 else None
                if found and ok(i):
                    return found
            found = match_date(text, now=now)
            if found and ok(i):
                return found
    return None
