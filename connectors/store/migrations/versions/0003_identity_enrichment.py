"""Identity keys, lead merges, enrichment state on leads, shared rate-limit buckets.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Which match keys each normalized record holds; records sharing a key are one person.
    # Blocking rows ("block:<domain>") also carry the record's comparable name for the fuzzy pass.
    op.create_table(
        "identity_keys",
        sa.Column("key", sa.String(length=400), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("source_id", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("key", "source", "source_id", name=op.f("pk_identity_keys")),
    )
    with op.batch_alter_table("identity_keys") as batch:
        batch.create_index(batch.f("ix_identity_keys_source_source_id"), ["source", "source_id"], unique=False)

    # A lead that was folded into another; sinks that knew the merged lead update the survivor.
    op.create_table(
        "lead_merges",
        sa.Column("merged_lead_id", sa.String(length=32), nullable=False),
        sa.Column("survivor_lead_id", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("merged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("merged_lead_id", name=op.f("pk_lead_merges")),
    )
    with op.batch_alter_table("lead_merges") as batch:
        batch.create_index(batch.f("ix_lead_merges_survivor_lead_id"), ["survivor_lead_id"], unique=False)

    # Token buckets shared by every process and run that calls the same vendor.
    op.create_table(
        "rate_limits",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_rate_limits")),
    )

    with op.batch_alter_table("leads") as batch:
        # A lead's identity key is now the strongest key of its records, which moves as records
        # join and leave; uniqueness is kept by identity_keys, so the column only needs an index.
        batch.drop_constraint("uq_leads_identity_key", type_="unique")
        batch.create_index(batch.f("ix_leads_identity_key"), ["identity_key"], unique=False)
        batch.add_column(sa.Column("enrichment", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("enrichment_inputs", sa.String(64), nullable=True))
        batch.add_column(sa.Column("enriched_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("leads") as batch:
        batch.drop_column("enriched_at")
        batch.drop_column("enrichment_inputs")
        batch.drop_column("enrichment")
        batch.drop_index(batch.f("ix_leads_identity_key"))
        batch.create_unique_constraint("uq_leads_identity_key", ["identity_key"])
    op.drop_table("rate_limits")
    op.drop_table("lead_merges")
    op.drop_table("identity_keys")
