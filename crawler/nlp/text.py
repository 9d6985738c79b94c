"""Language detection and tokenisation for Chinese and English forum posts,
with no model downloads: Unicode scripts, small stopword lists, and Chinese
words from jieba, a dictionary-and-HMM word segmenter that ships its
dictionary in the package (Chinese has no spaces; the character bigrams used
before gave keywords such as 果预 that straddle two words).
"""
from __future__ import annotations

import logging
import re
import threading
import unicodedata

# Latin-script words (with inner apostrophes/hyphens), digits-with-letters, and CJK runs.
_WORD = re.compile(r"[^\W\d_](?:[\w'’-]*\w)?|\d+[^\W\d_]\w*", re.UNICODE)
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_ARABIC = re.compile(r"[\u0600-\u06ff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_URL = re.compile(r"https?://\S+|www\.\S+")

STOPWORDS = {
    "en": set(
        "a about above after again against all also am an and any are aren't as at be because been before being "
        "below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down "
        "during each few for from further get got had hadn't has hasn't have haven't having he he'd he'll he's her "
        "here here's hers herself him himself his how how's i i'd i'll i'm i've if in into is isn't it it's its "
        "itself just let's like me more most much mustn't my myself no nor not now of off on once one only or other "
        "ought our ours ourselves out over own really same shan't she she'd she'll she's should shouldn't so some "
        "such than that that's the their theirs them themselves then there there's these they they'd they'll "
        "they're they've this those through thanks to too under until up us use used using very was wasn't we we'd "
        "we'll we're we've were weren't what what's when when's where where's which while who who's whom why why's "
        "will with won't would wouldn't yes yet you you'd you'll you're you've your yours yourself yourselves "
        "im ive dont doesnt cant wont didnt isnt thats also even still well way make made anyone anything thing "
        "things think know want need see lot re ve ll quote wrote posted reply edited every new "
        "since though although maybe sure".split()
    ),
    "de": set("der die das und ist nicht ich ein eine zu den mit es sich auf für von dem des im auch sie wir".split()),
    "fr": set("le la les et est des une un du que pas je il pour dans en sur qui ce avec ne se au nous vous".split()),
    "es": set("el la los las y es que de en un una por con para no se lo como pero del al más mi su yo".split()),
    "pt": set("o a os as e é que de em um uma para com não do da no na por se mais mas eu você".split()),
    "it": set("il lo la gli le e è che di in un una per con non del della sono mi si ma io anche".split()),
    "nl": set("de het een en is dat van in op te niet ik je met voor zijn er maar ook wat als".split()),
}

# Characters so common in Chinese that a bigram containing one is rarely a keyword.
ZH_STOPCHARS = set(
    "的了是在我有和就不人都一也很到说要去你会着没看好这那他她它们个上来为么吗吧啊呢哦嗯与及或而且但把被让给对从向"
    "以于之其所已还又再更最太才只么么啦哈呀嘛么些点儿里中下多少大小得地过能可该想做用等"
)
ZH_STOPWORDS = set(
    "我们 你们 他们 她们 它们 自己 什么 怎么 怎么样 为什么 这个 那个 一个 这些 那些 这里 那里 这样 那样 没有 可以 "
    "就是 还是 但是 因为 所以 如果 的话 虽然 然后 而且 或者 不过 只是 已经 现在 时候 一下 一些 一样 一点 有点 "
    "大家 觉得 感觉 知道 其实 应该 可能 需要 比较 非常 真的 还有 有人 请问 谢谢 楼主 楼上 楼下 回复 引用 发表 "
    "编辑 本帖 最后".split()
)
# Numerals and measure words: a word made only of these (第二款, 三楼, 一次) is a count, not a topic.
ZH_COUNT_CHARS = set("第零〇一二三四五六七八九十百千万亿两几每半多个款楼层页次条位件张本遍回号年月日天")


def script_counts(text: str) -> dict[str, int]:
    """How many characters of each script the text has."""
    return {
        "han": len("".join(_HAN.findall(text))),
        "kana": len(_KANA.findall(text)),
        "hangul": len(_HANGUL.findall(text)),
        "cyrillic": len(_CYRILLIC.findall(text)),
        "arabic": len(_ARABIC.findall(text)),
        "latin": len(_LATIN.findall(text)),
    }


def detect_language(text: str | None) -> str:
    """ISO 639-1 code of the text's main language, or ``und`` when unsure.

    Scripts decide first (Han -> zh, kana -> ja, Hangul -> ko, Cyrillic -> ru,
    Arabic -> ar); Latin text is told apart by stopword hits (en, de, fr, es,
    pt, it, nl).
    """
    if not text:
        return "und"
    text = _URL.sub(" ", unicodedata.normalize("NFKC", text))
    counts = script_counts(text)
    letters = sum(counts.values())
    if letters < 2:
        return "und"
    if counts["kana"] >= max(2, 0.1 * letters):
        return "ja"
    if counts["hangul"] >= 0.3 * letters:
        return "ko"
    if counts["han"] >= 0.2 * letters or (counts["han"] >= 2 and counts["han"] * 2 >= counts["latin"] / 4):
        return "zh"
    if counts["cyrillic"] >= 0.5 * letters:
        return "ru"
    if counts["arabic"] >= 0.5 * letters:
        return "ar"
    words = [w.lower() for w in _WORD.findall(text)]
    if not words:
        return "und"
    hits = {lang: sum(w in stops for w in words) for lang, stops in STOPWORDS.items()}
    best = max(hits, key=hits.get)
    if hits[best] == 0:
        return "en" if counts["latin"] >= 0.5 * letters and len(words) >= 3 else "und"
    return best


def tokens(text: str | None, language: str | None = None) -> list[str]:
    """Index terms of a text: lower-cased words without stopwords (Latin and
    other spaced scripts) plus Chinese words of two or more characters from the
    segmenter, without function words and counts (第二款, 3楼)."""
    if not text:
        return []
    text = _URL.sub(" ", unicodedata.normalize("NFKC", text))
    stops = STOPWORDS.get(language or "en", STOPWORDS["en"]) | STOPWORDS["en"]
    out: list[str] = []
    for run in _HAN.findall(text):
        for word in segment(run):
            if len(word) < 2 or word in ZH_STOPWORDS or all(c in ZH_STOPCHARS or c in ZH_COUNT_CHARS for c in word):
                continue
            out.append(word)
    for word in _WORD.findall(_HAN.sub(" ", text)):
        word = word.lower().replace("’", "'")
        if len(word) < 2 or word in stops or word.isdigit():
            continue
        out.append(word)
    return out


_JIEBA_LOCK = threading.Lock()
_jieba = None


def segment(run: str) -> list[str]:
    """Chinese words of a run of Han characters (jieba, precise mode, HMM for unknown words)."""
    global _jieba
    if _jieba is None:
        with _JIEBA_LOCK:
            if _jieba is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)   # it prints its dictionary loading otherwise
                jieba.initialize()
                _jieba = jieba
    return _jieba.lcut(run)


def token_count(text: str | None) -> int:
    """Rough length in tokens: Latin-script words plus CJK characters."""
    if not text:
        return 0
    han = sum(len(r) for r in _HAN.findall(text))
    return han + len(_WORD.findall(_HAN.sub(" ", text)))
