"""The marketing-to-sales hand-off: why an owner was assigned, and the weekly funnel table.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assignments") as batch:
        batch.add_column(sa.Column("team", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("reason", sa.Text(), nullable=True))
    op.create_table(
        "funnel_weekly",
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("campaign", sa.String(length=255), nullable=False),
        sa.Column("form_id", sa.String(length=100), nullable=False),
        sa.Column("ad_id", sa.String(length=100), nullable=False),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("leads", sa.Integer(), nullable=False),
        sa.Column("valid", sa.Integer(), nullable=False),
        sa.Column("mql", sa.Integer(), nullable=False),
        sa.Column("sql", sa.Integer(), nullable=False),
        sa.Column("won", sa.Integer(), nullable=False),
        sa.Column("cost", sa.Float(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("cost_per_lead", sa.Float(), nullable=True),
        sa.Column("cost_per_mql", sa.Float(), nullable=True),
        sa.Column("cost_per_sql", sa.Float(), nullable=True),
        sa.Column("median_days_to_mql", sa.Float(), nullable=True),
        sa.Column("median_days_mql_to_sql", sa.Float(), nullable=True),
        sa.Column("median_days_sql_to_won", sa.Float(), nullable=True),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source", "campaign", "form_id", "ad_id", "week"),
    )


def downgrade() -> None:
    op.drop_table("funnel_weekly")
    with op.batch_alter_table("assignments") as batch:
        batch.drop_column("reason")
        batch.drop_column("team")
