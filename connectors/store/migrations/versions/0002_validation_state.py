"""Validation state: quarantined records and validated leads.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("source_records") as batch:
        # The content hash a record had when validation quarantined it; it stays out of
        # normalization until its content changes.
        batch.add_column(sa.Column("quarantined_hash", sa.String(64), nullable=True))
    with op.batch_alter_table("leads") as batch:
        batch.add_column(sa.Column("validation_status", sa.String(16), nullable=False, server_default="pending"))
        batch.add_column(sa.Column("validation_issues", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("validated_hash", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("leads") as batch:
        batch.drop_column("validated_hash")
        batch.drop_column("validation_issues")
        batch.drop_column("validation_status")
    with op.batch_alter_table("source_records") as batch:
        batch.drop_column("quarantined_hash")
