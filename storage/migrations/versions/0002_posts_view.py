"""posts_view: one row per post with its site, thread and local published time,
for people who open the database in sqlite3, Datasette, psql or a BI tool.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""
from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SQLITE_LOCAL = """
CASE WHEN p.published IS NULL THEN NULL
     WHEN p.published_offset IS NULL THEN strftime('%Y-%m-%dT%H:%M:%S', p.published)
     ELSE strftime('%Y-%m-%dT%H:%M:%S', p.published, printf('%+d minutes', p.published_offset))
          || CASE WHEN p.published_offset < 0 THEN '-' ELSE '+' END
          || printf('%02d:%02d', abs(p.published_offset) / 60, abs(p.published_offset) % 60)
END"""

POSTGRES_LOCAL = """
CASE WHEN p.published IS NULL THEN NULL
     WHEN p.published_offset IS NULL THEN to_char(p.published AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
     ELSE to_char((p.published AT TIME ZONE 'UTC') + p.published_offset * interval '1 minute',
                  'YYYY-MM-DD"T"HH24:MI:SS')
          || CASE WHEN p.published_offset < 0 THEN '-' ELSE '+' END
          || lpad((abs(p.published_offset) / 60)::text, 2, '0') || ':'
          || lpad((abs(p.published_offset) % 60)::text, 2, '0')
END"""

VIEW = """
CREATE VIEW posts_view AS
SELECT p.id, s.key AS site, t.url AS thread_url, t.title AS thread_title, p.position, p.floor,
       p.author, {local} AS published, p.published AS published_utc, p.published_raw, p.text,
       p.page_url AS url, p.permalink, p.post_id, p.post_key, p.language, p.first_seen, p.last_seen,
       p.updated_at
FROM posts p JOIN threads t ON t.id = p.thread_id JOIN sites s ON s.id = p.site_id
"""


def upgrade() -> None:
    local = POSTGRES_LOCAL if op.get_bind().dialect.name == "postgresql" else SQLITE_LOCAL
    op.execute(VIEW.format(local=local))


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS posts_view")
