"""Store methods for NLP annotations (issue 4): one row per post per handler."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import sqlalchemy as sa

from .engine import read_connection, write_transaction
from .models import Post, PostAnnotation
from .rows import chunks, jsonable, to_int, to_str
from .timeutil import iso, utcnow


class AnnotationsMixin:
    """Mixed into :class:`storage.Store` (uses its ``engine`` and ``_insert``)."""

    def save_annotations(self, rows: Sequence[Mapping]) -> int:
        """Upsert ``{post_key, handler, language, keywords, tokens}`` rows (one per post per handler).

        Rows naming posts that are not stored are skipped; returns how many were saved.
        """
        if not rows:
            return 0
        now = utcnow()
        by_key: dict[tuple[str, str], dict] = {}
        for row in rows:
            key = (str(row["post_key"]), str(row.get("handler") or "default"))
            by_key[key] = {
                "post_key": key[0], "handler": key[1], "language": to_str(row.get("language"), 16),
                "keywords": jsonable(row.get("keywords")), "tokens": to_int(row.get("tokens")), "updated_at": now,
            }
        saved = 0
        with write_transaction(self.engine) as conn:
            for chunk in chunks(sorted(by_key)):
                keys = sorted({k for k, _ in chunk})
                existing = set(conn.execute(sa.select(Post.post_key).where(Post.post_key.in_(keys))).scalars())
                values = [by_key[k] for k in chunk if k[0] in existing]
                if not values:
                    continue
                stmt = self._insert(PostAnnotation)
                ex = stmt.excluded
                stmt = stmt.on_conflict_do_update(
                    index_elements=["post_key", "handler"],
                    set_={"language": ex.language, "keywords": ex.keywords, "tokens": ex.tokens,
                          "updated_at": ex.updated_at},
                )
                conn.execute(stmt, values)
                saved += len(values)
        return saved

    def annotations(self, post_key: str) -> list[dict]:
        """Every handler's annotation of one post."""
        with read_connection(self.engine) as conn:
            rows = conn.execute(
                sa.select(PostAnnotation).where(PostAnnotation.post_key == post_key).order_by(PostAnnotation.handler)
            ).mappings().all()
        return [{**dict(r), "updated_at": iso(r["updated_at"])} for r in rows]
