"""The config of sources: file exports, HubSpot, Salesforce and the ad platforms (Meta, Google Ads, LinkedIn).

Every source shares what normalize and the quality gates need (`mapping`, `source_system`,
`stage_aliases`, `lookback`, `quality`, `enabled`). A CRM source's `mapping` only overrides the
vendor's default mapping (connectors/<vendor>/mapping.py): `phone: mobilephone` reads another
property, `phone: null` drops the default.

Credentials are secret references. A Salesforce connected app that rotates refresh tokens needs
its refresh token in a Prefect Secret block, where the new token is written back; an environment
variable cannot be updated from inside the run, so that combination is refused at load time.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from leads.config_base import (
    FieldName,
    Name,
    QualityConfig,
    RateLimitConfig,
    SecretRef,
    Strict,
    duration,
    relative_to_config,
    timezone_name,
)
from leads.lifecycle import Stage, stage_key


class _SourceBase(Strict):
    source_system: str | None = None
    stage_aliases: dict[str, Stage] = Field(default_factory=dict)
    quality: QualityConfig | None = None
    enabled: bool = True

    @field_validator("stage_aliases")
    @classmethod
    def _alias_keys(cls, value: dict[str, Stage]) -> dict[str, Stage]:
        return {stage_key(k): v for k, v in value.items()}


class FileSourceConfig(_SourceBase):
    """A CSV or JSONL export read from disk on every run, filtered by its cursor column."""

    type: Literal["file"]
    path: Path
    format: Literal["csv", "jsonl"] | None = None
    encoding: str = "utf-8"
    delimiter: str = Field(default=",", min_length=1, max_length=1)
    id_column: str = Field(min_length=1)
    cursor_column: str = Field(min_length=1)
    cursor_format: str | None = None
    timezone: str = "UTC"
    dayfirst: bool = False
    lookback: Any = timedelta(0)
    mapping: dict[FieldName, str] = Field(min_length=1)
    max_field_chars: int = Field(default=65536, gt=0)

    _check_tz = field_validator("timezone")(classmethod(lambda cls, v: timezone_name(v)))
    _check_lookback = field_validator("lookback", mode="before")(classmethod(lambda cls, v: duration(v)))
    _resolve_path = field_validator("path")(classmethod(lambda cls, v, info: relative_to_config(v, info)))

    @model_validator(mode="after")
    def _infer_format(self) -> FileSourceConfig:
        if self.format is None:
            suffix = self.path.suffix.lower().lstrip(".")
            if suffix in ("csv", "jsonl"):
                self.format = suffix  # type: ignore[assignment]
            elif suffix in ("ndjson", "json"):
                self.format = "jsonl"
            else:
                raise ValueError(f"cannot tell the format of {self.path.name!r}; set format: csv or jsonl")
        return self


class QuotaConfig(Strict):
    """When to stop calling a vendor whose daily API quota runs low.

    stop_at_share: stop once this share of the daily quota is used (as the vendor reports it:
    HubSpot's X-HubSpot-RateLimit-Daily headers, Salesforce's Sforce-Limit-Info), leaving the rest
    to other integrations of the account. max_requests: at most this many requests per run.
    A stopped source ends cleanly at its last checkpoint; the next run goes on from there.
    """

    stop_at_share: float = Field(default=0.8, gt=0, le=1)
    max_requests: int | None = Field(default=None, gt=0)


def _utc(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


class _ApiSourceBase(_SourceBase):
    base_url: str | None = None  # a sandbox, a proxy or a loopback fake
    mapping: dict[FieldName, str | None] = Field(default_factory=dict)  # overrides of the vendor's defaults
    lookback: Any = timedelta(minutes=10)
    start: datetime | None = None  # a first load reads records modified since; None: everything
    timeout: float = Field(default=30.0, gt=0)
    max_attempts: int = Field(default=5, ge=1, le=10)
    quota: QuotaConfig = Field(default_factory=QuotaConfig)
    # How often everything changed since the last reconciliation is read in full, our own echoes
    # included (they are otherwise left unread); 0s: every run.
    reconcile_every: Any = timedelta(days=7)

    _check_lookback = field_validator("lookback", mode="before")(classmethod(lambda cls, v: duration(v)))
    _check_reconcile = field_validator("reconcile_every", mode="before")(classmethod(lambda cls, v: duration(v)))
    _check_start = field_validator("start", mode="after")(classmethod(lambda cls, v: _utc(v)))

    @property
    def timezone(self) -> str:
        """Of datetimes without an offset: the CRM APIs send UTC."""
        return "UTC"


class HubSpotAuthConfig(Strict):
    """A private app's or service key's token, or an OAuth app's refresh token (30-minute access tokens)."""

    token: SecretRef | None = None
    client_id: str | None = None
    client_secret: SecretRef | None = None
    refresh_token: SecretRef | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> HubSpotAuthConfig:
        oauth = (self.client_id, self.client_secret, self.refresh_token)
        if self.token is not None and any(v is not None for v in oauth):
            raise ValueError("give either 'token' (private app or service key) or the OAuth keys, not both")
        if self.token is None and any(v is None for v in oauth):
            raise ValueError(
                "expected 'token' (private app or service key), or all of 'client_id', 'client_secret' "
                "and 'refresh_token' (OAuth app)"
            )
        return self


HubSpotTier = Literal["starter", "professional", "enterprise"]


class HubSpotSourceConfig(_ApiSourceBase):
    """Contacts (with their engagement, history, owners and deals) from a HubSpot account."""

    type: Literal["hubspot"]
    auth: HubSpotAuthConfig
    account: Name | None = None  # the rate-limit budget's name; sources and sinks of one account share it
    tier: HubSpotTier = "starter"  # free and starter: 100 per 10 s; professional, enterprise: 190
    rate_limit: RateLimitConfig | None = None  # default: the tier's documented limit
    search_rate_limit: RateLimitConfig | None = None  # default: 5 per second
    rate_margin: float = Field(default=0.01, ge=0, le=1)  # our window is the vendor's plus this share and 25 ms
    page_size: int = Field(default=200, ge=1, le=200)
    properties: list[str] = Field(default_factory=list)  # more properties to land
    custom_properties: bool = True  # land every custom property, discovered on each run
    history: bool = True  # lifecycle stage and lead status history
    activities: bool = True  # meetings, calls, and the web and email engagement properties
    deals: bool = True
    owners: bool = True
    archived_sweep: Any = timedelta(days=1)  # how often archived contacts are listed; 0s: every run
    # Our sinks write this property with every record (a wave's stamp), so echoes can be left unread.
    echo_stamp_property: str = Field(default="leads_etl_sync_stamp", pattern=r"^[a-z][a-z0-9_]{0,99}$")

    _check_sweep = field_validator("archived_sweep", mode="before")(classmethod(lambda cls, v: duration(v)))


class SalesforceAuthConfig(Strict):
    """A connected app's refresh-token flow. `rotating`: the app issues a new refresh token each time."""

    client_id: str = Field(min_length=1)
    client_secret: SecretRef
    refresh_token: SecretRef
    rotating: bool = False

    @model_validator(mode="after")
    def _rotation_needs_a_block(self) -> SalesforceAuthConfig:
        if self.rotating and self.refresh_token.env:
            raise ValueError(
                "refresh_token: a rotating refresh token must be a Prefect Secret block "
                "({prefect_secret: NAME}) so the new token can be written back; "
                f"environment variable {self.refresh_token.env} cannot be updated by the run"
            )
        return self


SalesforceObject = Literal["Lead", "Contact"]


class SalesforceObjectConfig(Strict):
    mapping: dict[FieldName, str | None] = Field(default_factory=dict)  # overrides of the defaults
    fields: list[str] = Field(default_factory=list)  # more fields to land


class SalesforceSourceConfig(_ApiSourceBase):
    """Leads and contacts (with tasks, events, status history, owners, conversions and opportunities)."""

    type: Literal["salesforce"]
    auth: SalesforceAuthConfig
    login_url: str = "https://login.salesforce.com"  # https://test.salesforce.com for sandboxes
    api_version: str = Field(default="v62.0", pattern=r"^v[0-9]{2}\.0$")
    objects: dict[SalesforceObject, SalesforceObjectConfig] = Field(
        default_factory=lambda: {"Lead": SalesforceObjectConfig(), "Contact": SalesforceObjectConfig()},
        min_length=1,
    )
    lookback: Any = timedelta(minutes=2)
    page_size: int = Field(default=2000, ge=200, le=2000)
    bulk_threshold: int = Field(default=50_000, ge=0)  # a first load above this many rows uses Bulk API 2.0; 0: never
    custom_fields: bool = True  # land every custom field (__c), discovered on each run
    activities: bool = True  # Task and Event
    history: bool = True  # LeadHistory status and owner changes
    owners: bool = True  # User
    opportunities: bool = True  # conversions and won/lost opportunities
    deleted_sweep: bool = True  # ask the deleted endpoint for records emptied from the recycle bin
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")  # of amounts in a single-currency org


def _digits(value: str, what: str, prefixes: tuple[str, ...] = ()) -> str:
    """An id as the ad platforms take it: digits only ('123-456-7890' and 'act_123' are accepted)."""
    text = str(value).strip()
    for prefix in prefixes:
        text = text.removeprefix(prefix)
    text = text.replace("-", "")
    if not text.isdigit():
        raise ValueError(f"expected {what} of digits (such as 1234567890), got {value!r}")
    return text


def _version(value: str, pattern: str, what: str) -> str:
    if not re.fullmatch(pattern, value):
        raise ValueError(f"expected {what}, got {value!r}")
    return value


class _AdSourceBase(_ApiSourceBase):
    """What the three ad platforms share: lead forms read by creation time, spend read by day.

    Leads are write-once (a form answer never changes), so the lookback only re-reads what a
    platform served late; spend is re-read `spend_lookback` back, because platforms correct the
    last days' numbers after the fact.
    """

    lookback: Any = timedelta(hours=1)
    rate_limit: RateLimitConfig | None = None  # a limit of our own, shared through the store (none by default)
    spend: bool = True  # daily spend per campaign and ad into the `spend` table
    spend_lookback: Any = timedelta(days=3)  # re-read this many days of spend (late corrections)
    spend_history: Any = timedelta(days=30)  # a first load reads this much spend (or from `start`)

    _check_spend_lookback = field_validator("spend_lookback", "spend_history", mode="before")(
        classmethod(lambda cls, v: duration(v))
    )

    @field_validator("spend_lookback", "spend_history")
    @classmethod
    def _whole_days(cls, value: timedelta) -> timedelta:
        if value.total_seconds() % 86400:
            raise ValueError("expected a whole number of days, such as 3d")
        return value


class MetaAuthConfig(Strict):
    """A system user's or Page's access token with leads_retrieval (and ads_read for spend)."""

    access_token: SecretRef


class MetaLeadsSourceConfig(_AdSourceBase):
    """Lead Ads leads from the forms of Facebook/Instagram Pages, and spend from ad accounts."""

    type: Literal["meta"]
    auth: MetaAuthConfig
    api_version: str = "v26.0"  # the Graph API version in every path
    pages: list[str] = Field(min_length=1)  # Page ids whose lead forms are read
    forms: list[str] = Field(default_factory=list)  # only these forms (default: every form of the pages)
    ad_accounts: list[str] = Field(default_factory=list)  # spend: ad account ids (act_<digits> or digits)
    page_size: int = Field(default=100, ge=1, le=100)
    token_warning: Any = timedelta(days=7)  # note in the run summary when the token expires within this
    max_pause: Any = timedelta(minutes=5)  # longest a run waits for Meta's usage to drop; then it stops
    # Meta's usage headers are percentages of an hourly budget: stop (or pause) at 95%, as Airbyte does.
    quota: QuotaConfig = Field(default_factory=lambda: QuotaConfig(stop_at_share=0.95))

    _check_meta_durations = field_validator("token_warning", "max_pause", mode="before")(
        classmethod(lambda cls, v: duration(v))
    )
    _check_version = field_validator("api_version")(
        classmethod(lambda cls, v: _version(v, r"v[0-9]{2}\.0", "a Graph API version such as v26.0"))
    )

    @field_validator("pages", "forms")
    @classmethod
    def _object_ids(cls, value: list[str]) -> list[str]:
        return [_digits(v, "a Page or form id") for v in value]

    @field_validator("ad_accounts")
    @classmethod
    def _accounts(cls, value: list[str]) -> list[str]:
        return [_digits(v, "an ad account id", ("act_",)) for v in value]

    @model_validator(mode="after")
    def _spend_needs_accounts(self) -> MetaLeadsSourceConfig:
        if self.spend and not self.ad_accounts:
            raise ValueError(
                "ad_accounts: expected at least one ad account id (act_<digits>) to read spend from, or spend: false"
            )
        return self


class GoogleAdsAuthConfig(Strict):
    """An OAuth client's refresh token (scope adwords) and the manager account's developer token."""

    client_id: str = Field(min_length=1)
    client_secret: SecretRef
    refresh_token: SecretRef
    developer_token: SecretRef


class GoogleAdsSourceConfig(_AdSourceBase):
    """Lead form submissions and campaign and ad spend from Google Ads accounts (GAQL search)."""

    type: Literal["google_ads"]
    auth: GoogleAdsAuthConfig
    api_version: str = "v26"  # the Google Ads API version in every path
    customer_ids: list[str] = Field(min_length=1)  # the accounts read, digits (dashes are dropped)
    login_customer_id: str | None = None  # the manager (MCC) the access goes through, if any
    token_url: str = "https://oauth2.googleapis.com/token"
    retention_warning: Any = timedelta(days=7)  # note when the watermark is this close to the 60-day window

    _check_retention = field_validator("retention_warning", mode="before")(classmethod(lambda cls, v: duration(v)))
    _check_version = field_validator("api_version")(
        classmethod(lambda cls, v: _version(v, r"v[0-9]{2}", "a Google Ads API version such as v26"))
    )

    @field_validator("customer_ids")
    @classmethod
    def _customers(cls, value: list[str]) -> list[str]:
        return [_digits(v, "a customer id") for v in value]

    @field_validator("login_customer_id")
    @classmethod
    def _login(cls, value: str | None) -> str | None:
        return _digits(value, "a manager customer id") if value is not None else None


class LinkedInAuthConfig(Strict):
    """A member's OAuth grant: the refresh token (with the app's keys), or a bare 60-day access token."""

    access_token: SecretRef | None = None
    client_id: str | None = None
    client_secret: SecretRef | None = None
    refresh_token: SecretRef | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> LinkedInAuthConfig:
        oauth = (self.client_id, self.client_secret, self.refresh_token)
        if self.access_token is not None and any(v is not None for v in oauth):
            raise ValueError("give either 'access_token' or the refresh keys, not both")
        if self.access_token is None and any(v is None for v in oauth):
            raise ValueError(
                "expected all of 'client_id', 'client_secret' and 'refresh_token' (a refreshable grant), "
                "or 'access_token' (60 days, then a member authorises again)"
            )
        return self


LINKEDIN_VERSION = r"20[0-9]{2}(0[1-9]|1[0-2])"


class LinkedInSourceConfig(_AdSourceBase):
    """Lead Gen Form responses of sponsored ad accounts (Lead Sync API), and their ad spend."""

    type: Literal["linkedin"]
    auth: LinkedInAuthConfig
    version: str = "202606"  # Linkedin-Version: the monthly release, YYYYMM
    accounts: list[str] = Field(min_length=1)  # sponsored ad account ids (digits or urn:li:sponsoredAccount:N)
    page_size: int = Field(default=100, ge=1, le=500)
    token_url: str = "https://www.linkedin.com/oauth/v2/accessToken"
    reauth_warning: Any = timedelta(days=30)  # note when the yearly re-authorisation is this close

    _check_reauth = field_validator("reauth_warning", mode="before")(classmethod(lambda cls, v: duration(v)))
    _check_version = field_validator("version", mode="before")(
        classmethod(lambda cls, v: _version(str(v), LINKEDIN_VERSION, "a monthly version YYYYMM such as 202606"))
    )

    @field_validator("accounts")
    @classmethod
    def _sponsored(cls, value: list[str]) -> list[str]:
        return [_digits(v, "a sponsored ad account id", ("urn:li:sponsoredAccount:",)) for v in value]


AdSourceConfig = MetaLeadsSourceConfig | GoogleAdsSourceConfig | LinkedInSourceConfig

SourceConfig = Annotated[
    FileSourceConfig
    | HubSpotSourceConfig
    | SalesforceSourceConfig
    | MetaLeadsSourceConfig
    | GoogleAdsSourceConfig
    | LinkedInSourceConfig,
    Field(discriminator="type"),
]
