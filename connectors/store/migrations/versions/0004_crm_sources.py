"""CRM sources: sliding-window rate limits, our own writes (echoes), events tied to source records.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The send times of the last N requests of a sliding-window limit (HubSpot's 10-second window).
    op.create_table(
        "rate_windows",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("name", "slot", name=op.f("pk_rate_windows")),
    )
    # What a sink last wrote to a CRM record, keyed by the source that reads the record back.
    op.create_table(
        "remote_writes",
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("source_id", sa.String(length=255), nullable=False),
        sa.Column("sink", sa.String(length=100), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("source", "source_id", name=op.f("pk_remote_writes")),
    )
    # Stretches of a sink's writes to a CRM: the source that reads them back skips its own echoes.
    op.create_table(
        "sync_waves",
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("wave_id", sa.String(length=64), nullable=False),
        sa.Column("sink", sa.String(length=100), nullable=False),
        sa.Column("stamp", sa.String(length=64), nullable=False),
        sa.Column("writer_id", sa.String(length=64), nullable=True),
        sa.Column("first_write", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_write", sa.DateTime(timezone=True), nullable=True),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("source", "wave_id", name=op.f("pk_sync_waves")),
    )
    # Events land before normalize links their record to a lead: they name the record, and the
    # lead id is filled (and kept current through merges) from lead_links.
    with op.batch_alter_table("activities") as batch:
        batch.add_column(sa.Column("record_id", sa.String(length=255), nullable=True))
        batch.create_index(batch.f("ix_activities_source_record_id"), ["source", "record_id"], unique=False)
    with op.batch_alter_table("outcomes") as batch:
        batch.add_column(sa.Column("record_id", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("details", sa.JSON(), nullable=True))
        batch.create_index(batch.f("ix_outcomes_source_record_id"), ["source", "record_id"], unique=False)
    with op.batch_alter_table("stage_history") as batch:
        batch.create_index(batch.f("ix_stage_history_source_source_id"), ["source", "source_id"], unique=False)
        # A change is identified by the vendor's id for it, not by its time: Salesforce stamps
        # history to the second, and two status changes in one second are both kept.
        batch.add_column(sa.Column("external_id", sa.String(length=255), nullable=True))
        batch.drop_constraint("uq_stage_history_source_source_id_field_changed_at", type_="unique")
        batch.create_unique_constraint(batch.f("uq_stage_history_source_external_id"), ["source", "external_id"])


def downgrade() -> None:
    with op.batch_alter_table("stage_history") as batch:
        batch.drop_constraint("uq_stage_history_source_external_id", type_="unique")
        batch.create_unique_constraint(
            "uq_stage_history_source_source_id_field_changed_at", ["source", "source_id", "field", "changed_at"]
        )
        batch.drop_column("external_id")
        batch.drop_index(batch.f("ix_stage_history_source_source_id"))
    with op.batch_alter_table("outcomes") as batch:
        batch.drop_index(batch.f("ix_outcomes_source_record_id"))
        batch.drop_column("details")
        batch.drop_column("record_id")
    with op.batch_alter_table("activities") as batch:
        batch.drop_index(batch.f("ix_activities_source_record_id"))
        batch.drop_column("record_id")
    op.drop_table("sync_waves")
    op.drop_table("remote_writes")
    op.drop_table("rate_windows")
