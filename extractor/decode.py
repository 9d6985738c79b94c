"""Bytes + HTTP headers -> text.

Order of evidence: byte-order mark, then the HTTP ``Content-Type`` charset,
then a ``<meta>`` declaration, then detection (charset-normalizer). Declared
charsets are often wrong, so a declaration is only trusted when the bytes
decode under it without errors; bytes that are valid UTF-8 (and not plain
ASCII) are read as UTF-8 whatever was declared, because non-UTF-8 text is
practically never valid UTF-8 by accident. The GBK family decodes as
gb18030 (its superset) and Latin-1 as cp1252, as browsers do.
"""
from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_HEADER_CHARSET_RE = re.compile(r"charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:\-]+)", re.I)
_META_CHARSET_RE = re.compile(
    rb"<meta[^>]{0,300}?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:\-]+)", re.I)

# Labels whose real-world meaning is a superset encoding.
_SUPERSETS = {
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030",
    "csgb2312": "gb18030", "euc-cn": "gb18030", "hz-gb-2312": "gb18030", "cp936": "gb18030",
    "iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "l1": "cp1252",
    "us-ascii": "cp1252", "ascii": "cp1252", "iso8859-1": "cp1252", "windows-1252": "cp1252",
    "big5": "big5hkscs", "shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932",
    "x-sjis": "cp932", "euc-kr": "cp949", "ks_c_5601-1987": "cp949", "utf8": "utf-8",
    "unicode": "utf-8", "utf-16": "utf-8",  # a <meta> saying utf-16 in an ASCII-readable page lies
}


@dataclass(slots=True)
class Decoded:
    """The decoded text, the codec used, and what was doubtful along the way."""

    text: str
    encoding: str
    warnings: list[str] = field(default_factory=list)
    # the input bytes when they are exactly ``text`` encoded as UTF-8 (ASCII or valid UTF-8 without
    # a BOM): the parser is handed these instead of encoding the text again
    utf8: bytes | None = None


def normalize_charset(label: str | None) -> str | None:
    """A Python codec name for a charset label, or None when Python has no such codec."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _SUPERSETS.get(label, label)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return _SUPERSETS.get(name, name)


def header_charset(headers: Mapping | None) -> str | None:
    """The charset label of a ``Content-Type`` header (any key case, str or bytes values)."""
    if not headers:
        return None
    value = None
    try:
        for key, val in headers.items():
            k = key.decode("latin-1") if isinstance(key, bytes) else str(key)
            if k.lower() == "content-type":
                value = val
                break
    except Exception:
        return None
    if isinstance(value, (list, tuple)):
        value = value[0] if value else None
    if isinstance(value, bytes):
        value = value.decode("latin-1", "replace")
    if not value:
        return None
    m = _HEADER_CHARSET_RE.search(str(value))
    return m.group(1) if m else None


def meta_charset(data: bytes) -> str | None:
    """The charset declared by ``<meta charset>`` / ``http-equiv`` in the first 16 KB."""
    m = _META_CHARSET_RE.search(data[:16384])
    return m.group(1).decode("ascii", "replace") if m else None


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def decode(data: bytes | str, headers: Mapping | None = None) -> Decoded:
    """Decode page bytes to text; never raises (falls back to cp1252 with replacements)."""
    if isinstance(data, str):
        return Decoded(data, "unicode")
    if not isinstance(data, (bytes, bytearray, memoryview)):
        return Decoded(str(data), "unicode", ["input was neither bytes nor str"])
    data = bytes(data)
    warnings: list[str] = []
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return Decoded(data[len(bom):].decode(codec, "replace"), codec)

    declared: list[tuple[str, str]] = []
    for source, label in (("HTTP header", header_charset(headers)), ("<meta>", meta_charset(data))):
        if label:
            codec = normalize_charset(label)
            if codec is None:
                warnings.append(f"unknown charset {label!r} declared in {source}")
            elif codec not in (c for _, c in declared):
                declared.append((source, codec))

    if data.isascii():
        return Decoded(data.decode("ascii"), declared[0][1] if declared else "ascii", warnings, data)

    utf8 = _strict(data, "utf-8")
    if utf8 is not None:
        if declared and declared[0][1] != "utf-8":
            warnings.append(f"declared charset {declared[0][1]} ignored: bytes are valid UTF-8")
        return Decoded(utf8, "utf-8", warnings, data)

    for source, codec in declared:
        if codec == "utf-8":
            continue
        text = _strict(data, codec)
        if text is not None:
            return Decoded(text, codec, warnings)
        warnings.append(f"charset {codec} declared in {source} does not decode the bytes")

    detected = _detect(data)
    if detected:
        text = _strict(data, detected)
        if text is not None:
            return Decoded(text, detected, warnings + ["charset detected from the bytes"])

    fallback = next((c for _, c in declared if c != "utf-8"), None) or "utf-8"
    if not declared and detected is None:
        fallback = "cp1252"
    warnings.append(f"undecodable bytes replaced while decoding as {fallback}")
    return Decoded(data.decode(fallback, "replace"), fallback, warnings)


def _detect(data: bytes) -> str | None:
    """Best guess of charset-normalizer on a sample of the bytes."""
    try:
        from charset_normalizer import from_bytes
        sample = data if len(data) <= 200_000 else data[:200_000]
        best = from_bytes(sample, steps=5, chunk_size=1024).best()
    except Exception:
        return None
    if best is None:
        return None
    return normalize_charset(best.encoding)
