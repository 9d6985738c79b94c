"""Cheap language identification: script ratios, then stop words for Latin and Cyrillic text.

Good enough to route posts (zh/ja/ko/ru/uk/ar/fa/he/el/th/hi and the common
Latin-script languages); returns None when there is too little text.
"""
from __future__ import annotations

import re
from collections import Counter

import numpy as np

# (script, code point ranges); counted with numpy over the text's code points
_SCRIPTS = (
    ("han", ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))),
    ("kana", ((0x3040, 0x30FF), (0x31F0, 0x31FF))),
    ("hangul", ((0xAC00, 0xD7AF), (0x1100, 0x11FF), (0x3130, 0x318F))),
    ("cyrillic", ((0x0400, 0x04FF),)),
    ("arabic", ((0x0600, 0x06FF), (0x0750, 0x077F))),
    ("hebrew", ((0x0590, 0x05FF),)),
    ("greek", ((0x0370, 0x03FF),)),
    ("thai", ((0x0E00, 0x0E7F),)),
    ("devanagari", ((0x0900, 0x097F),)),
    ("latin", ((0x41, 0x5A), (0x61, 0x7A), (0xC0, 0x24F))),
)

# Sorted interval starts/ends: code point c lies in range (lo, hi) iff
# searchsorted(_BOUNDS, c, "right") is the slot just after lo.
_RANGES = sorted((lo, hi, name) for name, ranges in _SCRIPTS for lo, hi in ranges)
_BOUNDS = np.array([b for lo, hi, _ in _RANGES for b in (lo, hi + 1)], dtype=np.uint32)
_BMP_SLOT = np.searchsorted(_BOUNDS, np.arange(0x10000, dtype=np.uint32), side="right").astype(np.uint16)
_SLOT_SCRIPT = {2 * k + 1: name for k, (_, _, name) in enumerate(_RANGES)}

_STOPWORDS = {
    "en": "the and of to in is that it for was on are with as be this have not you at by but from they or",
    "de": "der die und das ist nicht ich sie es zu den mit ein eine auf für von dem sich auch wir",
    "fr": "le la les et des est que une pour pas dans un qui sur du au avec ce il elle sont nous",
    "es": "el la los las que de y en un una es por con para del se no lo como más pero sus",
    "it": "il che di la e un una per non sono della con del le gli si è da anche come più",
    "pt": "o a os as que de e do da em um uma para com não por se mais como mas foi ao dos",
    "nl": "de het een en van ik te dat die is in niet op zijn met voor er maar ook als",
    "pl": "i w nie na się z do że to jest jak o co ale po tak za od są już",
    "tr": "ve bir bu da de için ile çok ne gibi daha ama olan olarak var en mi",
    "id": "yang dan di ini itu dengan untuk tidak dari dalam akan pada ada juga ke bisa",
    "sv": "och att det som en på är av för med till den har inte om ett jag",
    "ru": "и в не на что с по как это но он я из за то все она так же от",
    "uk": "і в не на що з як це та але він я до за від його вона так",
}
_STOPSETS = {lang: frozenset(words.split()) for lang, words in _STOPWORDS.items()}
_WORD_RE = re.compile(r"[^\W\d_]+", re.U)
# every ASCII byte but the letters, mapped to a space
_ASCII_NOT_LETTER = bytes(c if chr(c).isascii() and chr(c).isalpha() else 32 for c in range(256))


def detect_language(text: str, *, sample: int = 6000) -> str | None:
    """ISO 639-1 code of the text's language, or None when unsure."""
    if not text:
        return None
    text = text[:sample]
    cp = np.frombuffer(text.encode("utf-32-le", "replace"), dtype=np.uint32)
    # one pass: each code point falls in one interval of the sorted range bounds (looked up
    # in a table for the BMP, searched beyond it)
    slot = _BMP_SLOT.take(np.minimum(cp, 0xFFFF))
    astral = cp > 0xFFFF
    if astral.any():
        slot = slot.astype(np.intp)
        slot[astral] = np.searchsorted(_BOUNDS, cp[astral], side="right")
    per_slot = np.bincount(slot, minlength=len(_BOUNDS) + 1)
    counts = dict.fromkeys((name for name, _ in _SCRIPTS), 0)
    for k, name in _SLOT_SCRIPT.items():
        counts[name] += int(per_slot[k])
    letters = sum(counts.values())
    cjk = counts["han"] + counts["kana"] + counts["hangul"]
    if letters < 20 and cjk < 6:
        return None
    if cjk >= 0.3 * letters:
        if counts["kana"] >= 0.1 * cjk:
            return "ja"
        if counts["hangul"] >= 0.3 * cjk:
            return "ko"
        return "zh"
    top = max(counts, key=counts.get)
    if top == "hangul":
        return "ko"
    simple = {"arabic": "ar", "hebrew": "he", "greek": "el", "thai": "th", "devanagari": "hi"}
    if top in simple:
        if top == "arabic" and re.search(r"[\u067e\u0686\u0698\u06af\u06cc]", text):
            return "fa"
        return simple[top]
    head = text[:2500].lower()
    if head.isascii():    # letters are A-Z there: the words are what splitting at all else leaves, in C
        words = head.encode("ascii").translate(_ASCII_NOT_LETTER).decode("ascii").split()
    else:
        words = _WORD_RE.findall(head)
    if not words:
        return None
    freq = Counter(words)
    if top == "cyrillic":
        candidates = ("ru", "uk")
        if re.search(r"[іїєґ]", text, re.I):
            return "uk"
    else:
        candidates = tuple(k for k in _STOPSETS if k not in ("ru", "uk"))
    # only the stop words the text holds count: a set intersection in C, not a lookup per stop word
    scores = {lang: sum(map(freq.__getitem__, _STOPSETS[lang].intersection(freq))) for lang in candidates}
    best = max(scores, key=scores.get)
    if scores[best] < 2:
        return "ru" if top == "cyrillic" else None
    return best
