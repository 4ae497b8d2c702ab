"""Keep each catalog sync's search terms, so no process segments the catalog again

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    """Apply this revision."""
    op.add_column("catalog_sync", sa.Column("search_terms", sa.Text(), nullable=True))


def downgrade():
    """Undo this revision (SQLite 3.35 or later drops columns)."""
    op.drop_column("catalog_sync", "search_terms")
