"""Tables of the store (SQLAlchemy Core). Alembic migrations under migrations/ create them.

Timestamps are stored timezone-aware UTC. JSON columns hold documents whose shape belongs to the
domain (normalized records, field provenance, run counts).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes on every backend; SQLite would otherwise hand back naive values."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use aware UTC datetimes")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
    }
)

TS = UTCDateTime()
ID = String(64)
NAME = String(100)

source_records = Table(
    "source_records",
    metadata,
    Column("source", NAME, primary_key=True),
    Column("source_id", String(255), primary_key=True),
    Column("cursor_ts", TS, nullable=False),
    Column("content_hash", ID, nullable=False),
    Column("payload", JSON, nullable=False),
    Column("position", String(100), nullable=False),
    Column("first_seen_at", TS, nullable=False),
    Column("last_seen_at", TS, nullable=False),
    Column("last_run_id", ID, nullable=False),
    Column("deleted", Boolean, nullable=False, default=False),
    # What the normalize stage last made of this record, and from which content and mapping.
    Column("normalized", JSON),
    Column("normalized_content_hash", ID),
    Column("normalized_mapping_hash", ID),
    Column("quarantined_hash", ID),  # content hash at the time validation quarantined it
    Index(None, "source", "normalized_content_hash"),
)

leads = Table(
    "leads",
    metadata,
    Column("lead_id", String(32), primary_key=True),
    Column("identity_key", String(400), nullable=False, index=True),  # the strongest key it holds
    Column("email", String(320), index=True),
    Column("lifecycle_stage", String(20)),
    Column("do_not_contact", Boolean, nullable=False, default=False),
    Column("status", String(16), nullable=False, default="active"),  # active | retired | merged
    Column("fields", JSON, nullable=False),
    Column("issues", JSON, nullable=False),
    Column("record_count", Integer, nullable=False),
    Column("content_hash", ID, nullable=False),
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
    Column("validation_status", String(16), nullable=False, server_default="pending"),  # pending|valid|quarantined
    Column("validation_issues", JSON),
    Column("validated_hash", ID),
    # What enrichment found (field → [value, provider, fetched_at, confidence]), from which inputs.
    Column("enrichment", JSON),
    Column("enrichment_inputs", ID),
    Column("enriched_at", TS),
    # What the score stage made of the lead (fit, engagement, grade, reasons, model probability and
    # its top features, why disqualified), and from which inputs (content, events, day, rules, model).
    Column("scores", JSON),
    Column("scored_hash", ID),
    Column("scored_at", TS),
)

identity_keys = Table(
    "identity_keys",
    metadata,
    Column("key", String(400), primary_key=True),
    Column("source", NAME, primary_key=True),
    Column("source_id", String(255), primary_key=True),
    Column("name", String(200)),  # the comparable name, on blocking rows only
    Index(None, "source", "source_id"),
)

lead_merges = Table(
    "lead_merges",
    metadata,
    Column("merged_lead_id", String(32), primary_key=True),
    Column("survivor_lead_id", String(32), nullable=False, index=True),
    Column("reason", String(200), nullable=False),
    Column("merged_at", TS, nullable=False),
    Column("run_id", ID, nullable=False),
)

rate_limits = Table(
    "rate_limits",
    metadata,
    Column("name", NAME, primary_key=True),
    Column("tokens", Float, nullable=False),
    Column("updated_at", Float, nullable=False),  # epoch seconds of the last refill
)

# Sliding-window limits (connectors/http/window_limit.py): the send times of the last N requests.
rate_windows = Table(
    "rate_windows",
    metadata,
    Column("name", NAME, primary_key=True),
    Column("slot", Integer, primary_key=True),
    Column("at", Float, nullable=False),  # epoch seconds the slot was last taken
)

# What our sinks last wrote to a CRM record, by the source that reads that record back: a record
# whose only changes since its last extract are these values is our own echo, not an edit.
remote_writes = Table(
    "remote_writes",
    metadata,
    Column("source", NAME, primary_key=True),
    Column("source_id", String(255), primary_key=True),
    Column("sink", NAME, nullable=False),
    Column("fields", JSON, nullable=False),  # property → the value as sent
    Column("written_at", TS, nullable=False),
    Column("run_id", ID, nullable=False),
)

# One stretch of a sink's writes to a CRM (a few seconds to a minute of upserts), in the CRM's own
# clock where it says (HubSpot's updatedAt), so the source reading that CRM can skip the echoes.
sync_waves = Table(
    "sync_waves",
    metadata,
    Column("source", NAME, primary_key=True),  # the source that reads the written records back
    Column("wave_id", ID, primary_key=True),
    Column("sink", NAME, nullable=False),
    Column("stamp", String(64), nullable=False),  # the value written to the stamp property (HubSpot)
    Column("writer_id", String(64)),  # who the CRM records as the writer (Salesforce's integration user)
    Column("first_write", TS),  # the CRM's modified stamp of the wave's first and last write
    Column("last_write", TS),
    Column("records", Integer, nullable=False),
    Column("closed", Boolean, nullable=False),  # a wave left open (a crashed sync) is never skipped
    Column("run_id", ID, nullable=False),
)

lead_links = Table(
    "lead_links",
    metadata,
    Column("source", NAME, primary_key=True),
    Column("source_id", String(255), primary_key=True),
    Column("lead_id", String(32), nullable=False, index=True),
    Column("reason", String(100), nullable=False),
    Column("linked_at", TS, nullable=False),
)

watermarks = Table(
    "watermarks",
    metadata,
    Column("source", NAME, primary_key=True),
    Column("cursor_ts", TS, nullable=False),
    Column("cursor_id", String(255), nullable=False),
    Column("state", JSON),
    Column("run_id", ID, nullable=False),
    Column("updated_at", TS, nullable=False),
)

enrichment_cache = Table(
    "enrichment_cache",
    metadata,
    Column("provider", NAME, primary_key=True),
    Column("lookup_key", String(400), primary_key=True),
    Column("hit", Boolean, nullable=False),
    Column("result", JSON),
    Column("cost", Float, nullable=False, default=0.0),
    Column("fetched_at", TS, nullable=False),
    Column("expires_at", TS, nullable=False),
)

sync_state = Table(
    "sync_state",
    metadata,
    Column("sink", NAME, primary_key=True),
    Column("lead_id", String(32), primary_key=True),
    Column("payload_hash", ID, nullable=False),
    Column("lead_hash", ID, nullable=False),
    Column("mapping_hash", ID, nullable=False),
    Column("remote_id", String(255)),
    Column("synced_at", TS, nullable=False),
    Column("run_id", ID, nullable=False),
)

sync_errors = Table(
    "sync_errors",
    metadata,
    Column("sink", NAME, primary_key=True),
    Column("lead_id", String(32), primary_key=True),
    Column("error", Text, nullable=False),
    Column("retriable", Boolean, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("first_failed_at", TS, nullable=False),
    Column("last_failed_at", TS, nullable=False),
    Column("run_id", ID, nullable=False),
)

activities = Table(
    "activities",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("source", NAME, nullable=False),
    Column("external_id", String(255), nullable=False),
    Column("lead_id", String(32), index=True),
    Column("kind", String(40), nullable=False),
    Column("occurred_at", TS, nullable=False),
    Column("details", JSON),
    Column("record_id", String(255)),  # the source record (contact, lead) it belongs to
    UniqueConstraint("source", "external_id"),
    Index(None, "source", "record_id"),
)

stage_history = Table(
    "stage_history",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("lead_id", String(32), index=True),
    Column("source", NAME, nullable=False),
    Column("source_id", String(255), nullable=False),
    Column("field", String(40), nullable=False),
    Column("value", String(100)),
    Column("changed_at", TS, nullable=False),
    Column("changed_by", String(255)),
    Column("reason", Text),
    # The vendor's id of the change (LeadHistory's Id; HubSpot: contact, property, time and value):
    # two changes within one second (Salesforce's precision) are two rows.
    Column("external_id", String(255)),
    UniqueConstraint("source", "external_id"),
    Index(None, "source", "source_id"),
)

outcomes = Table(
    "outcomes",
    metadata,
    Column("source", NAME, primary_key=True),
    Column("external_id", String(255), primary_key=True),
    Column("lead_id", String(32), index=True),
    Column("kind", String(20), nullable=False),  # won | lost | converted
    Column("amount", Float),
    Column("currency", String(3)),
    Column("occurred_at", TS, nullable=False),
    Column("record_id", String(255)),  # the source record (contact, lead) it belongs to
    Column("details", JSON),
    Index(None, "source", "record_id"),
)

owners = Table(
    "owners",
    metadata,
    Column("source", NAME, primary_key=True),
    Column("owner_id", String(255), primary_key=True),
    Column("name", String(255)),
    Column("email", String(320)),
    Column("team", String(255)),
    Column("active", Boolean, nullable=False, default=True),
    Column("updated_at", TS, nullable=False),
)

assignments = Table(
    "assignments",
    metadata,
    Column("lead_id", String(32), primary_key=True),
    Column("owner_source", NAME, nullable=False),
    Column("owner_id", String(255), nullable=False),
    Column("rule", String(255), nullable=False),
    Column("assigned_at", TS, nullable=False),
    Column("run_id", ID, nullable=False),
    Column("team", NAME),  # the team the rule named (round-robin) or the owner's team
    Column("reason", Text),  # why this owner, as synced to the CRM
)

# The marketing-to-sales funnel per source, campaign, form and ad and week (of lead creation), as
# BI tools read it; rewritten for the weeks a run recomputed.
funnel_weekly = Table(
    "funnel_weekly",
    metadata,
    Column("source", NAME, primary_key=True),
    Column("campaign", String(255), primary_key=True),  # '' when the lead has none
    Column("form_id", String(100), primary_key=True),
    Column("ad_id", String(100), primary_key=True),
    Column("week", Date, primary_key=True),  # the Monday of the week the lead was created
    Column("leads", Integer, nullable=False),
    Column("valid", Integer, nullable=False),
    Column("mql", Integer, nullable=False),
    Column("sql", Integer, nullable=False),
    Column("won", Integer, nullable=False),
    Column("cost", Float),
    Column("currency", String(3)),
    Column("cost_per_lead", Float),
    Column("cost_per_mql", Float),
    Column("cost_per_sql", Float),
    Column("median_days_to_mql", Float),
    Column("median_days_mql_to_sql", Float),
    Column("median_days_sql_to_won", Float),
    Column("computed_at", TS, nullable=False),
)

spend = Table(
    "spend",
    metadata,
    Column("platform", String(40), primary_key=True),
    Column("account_id", String(100), primary_key=True),
    Column("campaign_id", String(100), primary_key=True),
    Column("ad_id", String(100), primary_key=True),  # '' for campaign-level rows
    Column("day", Date, primary_key=True),
    Column("amount", Float, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("impressions", BigInteger),
    Column("clicks", BigInteger),
    Column("updated_at", TS, nullable=False),
)

models = Table(
    "models",
    metadata,
    Column("model_id", ID, primary_key=True),
    Column("name", NAME, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("trained_at", TS, nullable=False),
    Column("report", JSON, nullable=False),
    Column("artifact_path", Text),
    Column("approved", Boolean, nullable=False, default=False),
)

quarantine = Table(
    "quarantine",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("source", NAME, nullable=False),
    Column("stage", String(20), nullable=False),  # extract | normalize | validate
    Column("source_id", String(255)),
    Column("position", String(100), nullable=False),
    Column("raw", LargeBinary, nullable=False),  # the record's bytes, verbatim
    Column("raw_hash", ID, nullable=False),
    Column("reasons", JSON, nullable=False),
    Column("status", String(16), nullable=False, default="open"),  # open | released
    Column("seen_count", Integer, nullable=False, default=1),
    Column("first_seen_at", TS, nullable=False),
    Column("last_seen_at", TS, nullable=False),
    Column("last_run_id", ID, nullable=False),
    UniqueConstraint("source", "stage", "raw_hash"),
)

runs = Table(
    "runs",
    metadata,
    Column("run_id", ID, primary_key=True),
    Column("flow_name", NAME, nullable=False),
    Column("flow_run_id", ID),
    Column("status", String(20), nullable=False),  # running | completed | failed
    Column("dry_run", Boolean, nullable=False, default=False),
    Column("started_at", TS, nullable=False),
    Column("finished_at", TS),
    Column("counts", JSON, nullable=False),
    Column("error", Text),
)

leases = Table(
    "leases",
    metadata,
    Column("resource", String(200), primary_key=True),
    Column("holder", ID, nullable=False),
    Column("acquired_at", TS, nullable=False),
    Column("expires_at", TS, nullable=False),
)
