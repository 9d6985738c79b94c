"""Print records as an aligned table, JSON Lines or CSV (the CLI's --format)."""
from __future__ import annotations

import csv
import json
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

FORMATS = ("table", "jsonl", "csv")


def write_records(
    records: Iterable[dict], fmt: str, stream: TextIO, *, columns: Sequence[str] | None = None,
    table_columns: Sequence[str] | None = None, widths: dict[str, int] | None = None,
) -> int:
    """Write ``records`` to ``stream``; returns how many were written.

    jsonl and csv carry every field (or ``columns``) and stream; the table shows
    ``table_columns`` with long cells cut to ``widths`` (display columns, so
    Chinese text lines up).
    """
    written = 0
    if fmt == "jsonl":  # streamed: one line per record as it comes
        for record in records:
            stream.write(json.dumps(_pick(record, columns), ensure_ascii=False, default=str) + "\n")
            written += 1
    elif fmt == "csv":  # streamed; the header comes from ``columns`` or the first record
        writer = None
        for record in records:
            if writer is None:
                names = list(columns or record.keys())
                writer = csv.DictWriter(stream, fieldnames=names, extrasaction="ignore", lineterminator="\n")
                writer.writeheader()
            writer.writerow({k: _csv_cell(record.get(k)) for k in names})
            written += 1
        if writer is None and columns:
            csv.writer(stream, lineterminator="\n").writerow(columns)
    elif fmt == "table":  # needs every row first, to size the columns
        records = list(records)
        names = list(table_columns or columns or (records[0].keys() if records else []))
        _write_table(records, names, widths or {}, stream)
        written = len(records)
    else:
        raise ValueError(f"format must be one of {FORMATS}, not {fmt!r}")
    return written


def _pick(record: dict, columns: Sequence[str] | None) -> dict:
    return record if columns is None else {k: record.get(k) for k in columns}


def _csv_cell(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return value


def display_width(text: str) -> int:
    """Terminal columns ``text`` takes (wide East Asian characters count 2)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def clip(text: str, width: int) -> str:
    """``text`` on one line, cut to ``width`` display columns with an ellipsis."""
    text = " ".join(text.split())
    if display_width(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        w = display_width(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def _write_table(records: list[dict], names: list[str], widths: dict[str, int], stream: TextIO) -> None:
    cells = [[clip("" if r.get(n) is None else str(r.get(n)), widths.get(n, 40)) for n in names] for r in records]
    col = [max([display_width(n)] + [display_width(row[i]) for row in cells]) for i, n in enumerate(names)]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v + " " * (col[i] - display_width(v)) for i, v in enumerate(values)).rstrip()

    stream.write(line(names) + "\n")
    stream.write(line(["-" * w for w in col]) + "\n")
    for row in cells:
        stream.write(line(row) + "\n")
