"""The config file: one YAML document, validated at start.

Every problem names the file, the key path and what was expected. Secrets are never written in
the file: a credential is a reference, `{env: NAME}` or `{prefect_secret: NAME}`, resolved once at
run start by the caller.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from leads.config_base import (
    IDENTIFIER,
    FieldName,
    Name,
    QualityConfig,
    RateLimitConfig,
    SecretRef,
    Strict,
    VolumeConfig,
    duration,
    relative_to_config,
    timezone_name,
    url_has_password,
    url_or_ref,
)
from leads.fields import ENRICHED_FIELDS, FIELD_NAMES, LEAD_FIELD_NAMES
from leads.handoff_config import HandoffConfig
from leads.lifecycle import Stage
from leads.routing_config import RoutingConfig
from leads.scoring_config import ScoringConfig
from leads.sink_config import FieldRule, HubSpotSinkConfig, SalesforceSinkConfig
from leads.source_config import (
    FileSourceConfig,
    HubSpotSourceConfig,
    SalesforceSourceConfig,
    SourceConfig,
)

__all__ = [
    "FieldName",
    "FieldRule",
    "HubSpotSinkConfig",
    "SalesforceSinkConfig",
    "FileSourceConfig",
    "HubSpotSourceConfig",
    "QualityConfig",
    "RateLimitConfig",
    "SalesforceSourceConfig",
    "SecretRef",
    "SourceConfig",
    "VolumeConfig",
    "url_has_password",
]

LeadFieldName = Literal[LEAD_FIELD_NAMES]  # type: ignore[valid-type]
EnrichedFieldName = Literal[tuple(ENRICHED_FIELDS)]  # type: ignore[valid-type]
WaterfallFieldName = Literal[(*ENRICHED_FIELDS, "seniority", "department")]  # type: ignore[valid-type]
# PDL's job_title_levels, the taxonomy providers and our title rules share.
SENIORITY_LEVELS: tuple[str, ...] = (
    "cxo",
    "owner",
    "partner",
    "vp",
    "director",
    "manager",
    "senior",
    "entry",
    "training",
)

DEFAULT_SINK_FIELDS: tuple[str, ...] = (
    "email",
    "first_name",
    "last_name",
    "phone",
    "company",
    "website",
    "job_title",
    "country",
    "lifecycle_stage",
    "lead_status",
    "owner",
    "source_system",
    "original_source",
    "campaign_name",
    "ad_name",
    "form_id",
    "platform",
    "do_not_contact",
    "created_at",
)


class ConfigError(Exception):
    """The config cannot be used. `problems` are 'key.path: what is wrong; what was expected'."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        super().__init__(str(self))

    def __str__(self) -> str:
        head = f"{self.source}: invalid config ({len(self.problems)} problem{'s' * (len(self.problems) > 1)})"
        return "\n".join([head, *(f"  - {p}" for p in self.problems)])


class StoreConfig(Strict):
    url: Any = "sqlite:///.leads/leads.db"
    auto_migrate: bool = True

    _check_url = field_validator("url", mode="before")(classmethod(lambda cls, v: url_or_ref(v)))


class SqlTableSinkConfig(Strict):
    """Upserts leads into a table in any SQLAlchemy database (the store's when url is omitted)."""

    type: Literal["sql_table"]
    url: Any = None
    table: str = "crm_leads"
    fields: list[LeadFieldName] = Field(default_factory=lambda: list(DEFAULT_SINK_FIELDS), min_length=1)
    min_stage: Stage | None = None
    enabled: bool = True

    _check_url = field_validator("url", mode="before")(classmethod(lambda cls, v: url_or_ref(v)))

    @field_validator("table")
    @classmethod
    def _identifier(cls, value: str) -> str:
        if not IDENTIFIER.match(value):
            raise ValueError(
                "expected a plain SQL identifier: letters, digits and underscores, not starting with a digit"
            )
        return value


SinkConfig = Annotated[
    SqlTableSinkConfig | HubSpotSinkConfig | SalesforceSinkConfig,
    Field(discriminator="type"),
]


class FuzzyMatchConfig(Strict):
    """The fuzzy pass: similar names at the same corporate email domain are one person."""

    enabled: bool = True
    threshold: float = Field(default=90.0, ge=50, le=100)  # rapidfuzz score, 0-100


class IdentityConfig(Strict):
    """How records become one lead, and which source's value a lead keeps.

    source_priority: sources (and enrichment providers) in order of trust; a valid value from an
    earlier one beats a later one's, whatever their age. Unlisted sources rank after listed ones,
    enrichment providers after every source. field_priority overrides the order per field.
    """

    source_priority: list[Name] = Field(default_factory=list)
    field_priority: dict[LeadFieldName, list[Name]] = Field(default_factory=dict)
    fuzzy: FuzzyMatchConfig = Field(default_factory=FuzzyMatchConfig)


def _patterns(value: list[str]) -> list[str]:
    for pattern in value:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"{pattern!r} is not a valid regular expression ({exc})") from None
    return value


class TitleRulesConfig(Strict):
    """Extra job-title rules, tried before the built-in table: level/department → regexes."""

    seniority: dict[Literal[SENIORITY_LEVELS], list[str]] = Field(default_factory=dict)  # type: ignore[valid-type]
    department: dict[Name, list[str]] = Field(default_factory=dict)

    @field_validator("seniority", "department")
    @classmethod
    def _compile(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for patterns in value.values():
            _patterns(patterns)
        return value


class _ApiProviderConfig(Strict):
    """A paid enrichment API. Defaults follow each vendor's documented free-tier limits."""

    api_key: SecretRef
    base_url: str | None = None  # a sandbox, a proxy, or a loopback fake
    budget: float | None = Field(default=None, ge=0)  # credits this provider may spend per run
    rate_limit: RateLimitConfig | None = None  # None: the vendor's documented limit
    timeout: float = Field(default=30.0, gt=0)
    max_attempts: int = Field(default=4, ge=1, le=10)
    enabled: bool = True


class PdlProviderConfig(_ApiProviderConfig):
    type: Literal["pdl"]
    min_likelihood: int = Field(default=6, ge=1, le=10)


class ApolloProviderConfig(_ApiProviderConfig):
    type: Literal["apollo"]


class HunterProviderConfig(_ApiProviderConfig):
    type: Literal["hunter"]


class ClearbitProviderConfig(_ApiProviderConfig):
    type: Literal["clearbit"]


class ReferenceTableProviderConfig(Strict):
    """Known accounts the data team maintains: a CSV file, or a table in a SQL database."""

    type: Literal["reference_table"]
    path: Path | None = None
    url: Any = None
    table: str | None = None
    domain_column: str = "domain"
    columns: dict[EnrichedFieldName, str] = Field(default_factory=dict)  # lead field → column; default same name
    confidence: float = Field(default=1.0, ge=0, le=1)
    enabled: bool = True

    _resolve_path = field_validator("path")(
        classmethod(lambda cls, v, info: relative_to_config(v, info) if v is not None else None)
    )
    _check_url = field_validator("url", mode="before")(classmethod(lambda cls, v: url_or_ref(v)))

    @model_validator(mode="after")
    def _one_origin(self) -> ReferenceTableProviderConfig:
        if (self.path is None) == (self.table is None):
            raise ValueError("give either 'path' (a CSV file) or 'table' (with an optional 'url'), not both")
        if self.table is not None and not IDENTIFIER.match(self.table):
            raise ValueError("table: expected a plain SQL identifier")
        return self


ProviderConfig = Annotated[
    PdlProviderConfig
    | ApolloProviderConfig
    | HunterProviderConfig
    | ClearbitProviderConfig
    | ReferenceTableProviderConfig,
    Field(discriminator="type"),
]


class EnrichmentConfig(Strict):
    """Providers, the waterfall per field, the cache's lifetimes and what is never paid for."""

    enabled: bool = True
    providers: dict[Name, ProviderConfig] = Field(default_factory=dict)
    waterfall: dict[WaterfallFieldName, list[Name]] = Field(default_factory=dict)
    ttl: Any = timedelta(days=90)  # how long a hit is reused, and a lead counts as enriched
    miss_ttl: Any = timedelta(days=30)  # how long a "no match" is believed
    skip_email_classes: list[Literal["free", "disposable"]] = Field(default_factory=lambda: ["free", "disposable"])
    skip_role_addresses: bool = False
    skip_do_not_contact: bool = True

    _check_ttl = field_validator("ttl", "miss_ttl", mode="before")(classmethod(lambda cls, v: duration(v)))

    @model_validator(mode="after")
    def _known_providers(self) -> EnrichmentConfig:
        for field_name, order in self.waterfall.items():
            unknown = [p for p in order if p not in self.providers]
            if unknown:
                raise ValueError(
                    f"waterfall.{field_name} names unknown provider(s) {', '.join(unknown)}; "
                    f"expected one of: {', '.join(self.providers) or '(none configured)'}"
                )
            if len(set(order)) != len(order):
                raise ValueError(f"waterfall.{field_name} lists a provider twice")
        return self


class AppConfig(Strict):
    version: Literal[1] = 1
    timezone: str = "UTC"
    store: StoreConfig = Field(default_factory=StoreConfig)
    runs_dir: Path = Path(".leads/runs")
    chunk_size: int = Field(default=5000, ge=100, le=200_000)
    # Great Expectations costs ~0.1 s per call whatever the size, so validation takes bigger bites.
    validation_chunk_size: int = Field(default=20_000, ge=100, le=500_000)
    lease_ttl: Any = timedelta(minutes=30)
    quality: QualityConfig = Field(default_factory=QualityConfig)
    suites_dir: Path | None = None  # default: the suites shipped in expectations/suites
    sources: dict[Name, SourceConfig] = Field(min_length=1)
    sinks: dict[Name, SinkConfig] = Field(default_factory=dict)
    identity: IdentityConfig = Field(default_factory=IdentityConfig)
    titles: TitleRulesConfig = Field(default_factory=TitleRulesConfig)
    enrichment: EnrichmentConfig = Field(default_factory=EnrichmentConfig)
    scoring: ScoringConfig = Field(default_factory=ScoringConfig)
    routing: RoutingConfig = Field(default_factory=RoutingConfig)
    handoff: HandoffConfig = Field(default_factory=HandoffConfig)

    _check_tz = field_validator("timezone")(classmethod(lambda cls, v: timezone_name(v)))
    _check_ttl = field_validator("lease_ttl", mode="before")(classmethod(lambda cls, v: duration(v)))

    _resolve_runs_dir = field_validator("runs_dir")(classmethod(lambda cls, v, info: relative_to_config(v, info)))
    _resolve_suites_dir = field_validator("suites_dir")(
        classmethod(lambda cls, v, info: relative_to_config(v, info) if v is not None else None)
    )

    @model_validator(mode="after")
    def _sinks_read_back_by_their_sources(self) -> AppConfig:
        for name, sink in self.sinks.items():
            source = getattr(sink, "source", None)
            if source is None:
                continue
            read_by = self.sources.get(source)
            if read_by is None or read_by.type != sink.type:
                raise ValueError(
                    f"sinks.{name}.source: {source!r} is not a {sink.type} source; expected one of: "
                    + (", ".join(n for n, s in self.sources.items() if s.type == sink.type) or "(none configured)")
                )
            stamp = getattr(sink, "stamp_property", None)
            if stamp is not None and stamp != read_by.echo_stamp_property:  # type: ignore[union-attr]
                raise ValueError(
                    f"sinks.{name}.stamp_property: {stamp!r} differs from sources.{source}.echo_stamp_property "
                    f"{read_by.echo_stamp_property!r}; the source must know the stamp its sink writes"  # type: ignore[union-attr]
                )
        return self

    @model_validator(mode="after")
    def _known_priority_names(self) -> AppConfig:
        known = set(self.sources) | set(self.enrichment.providers)
        lists = {"identity.source_priority": self.identity.source_priority}
        lists |= {f"identity.field_priority.{f}": names for f, names in self.identity.field_priority.items()}
        for key, names in lists.items():
            unknown = [n for n in names if n not in known]
            if unknown:
                raise ValueError(
                    f"{key} names {', '.join(unknown)}, which is neither a source nor an enrichment provider; "
                    f"expected one of: {', '.join(sorted(known))}"
                )
        return self

    @model_validator(mode="after")
    def _routing_names_sources(self) -> AppConfig:
        for key, source in self.routing.member_sources().items():
            if source not in self.sources:
                known = ", ".join(sorted(self.sources))
                raise ValueError(f"{key}: {source!r} is not a source; expected one of: {known}")
        return self

    def quality_for(self, source: str | None) -> QualityConfig:
        """The quality settings that apply to a source (its own, else the top-level ones)."""
        own = self.sources[source].quality if source in self.sources else None
        return own or self.quality


def load_config(path: str | Path) -> AppConfig:
    """Read and validate a config file. Raises ConfigError naming every problem found."""
    path = Path(path)
    label = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(label, ["file not found"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(label, [f"cannot read the file: {exc}"]) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise ConfigError(label, [f"{where}not valid YAML ({getattr(exc, 'problem', exc)})"]) from None
    return parse_config(data, label, base_dir=path.resolve().parent)


def parse_config(data: Any, label: str = "<config>", base_dir: Path | None = None) -> AppConfig:
    if not isinstance(data, dict):
        raise ConfigError(label, [f"expected a mapping of keys at the top level, got {type(data).__name__}"])
    try:
        config = AppConfig.model_validate(data, context={"base_dir": base_dir})
    except ValidationError as exc:
        raise ConfigError(label, [_describe(err) for err in exc.errors()]) from None
    if base_dir is not None:
        config.store.url = resolve_sqlite_path(config.store.url, base_dir)
        for sink in config.sinks.values():
            if isinstance(sink, SqlTableSinkConfig):
                sink.url = resolve_sqlite_path(sink.url, base_dir)
        for provider in config.enrichment.providers.values():
            if isinstance(provider, ReferenceTableProviderConfig):
                provider.url = resolve_sqlite_path(provider.url, base_dir)
    return config


def resolve_sqlite_path(url: Any, base_dir: Path) -> Any:
    """Relative SQLite paths are relative to the config file, not to wherever the run starts."""
    if isinstance(url, str) and url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        rest = url[len("sqlite:///") :]
        if rest and not rest.startswith(":memory:") and not rest.startswith("file:"):
            return "sqlite:///" + str((base_dir / rest).resolve())
    return url


def _describe(err: dict[str, Any]) -> str:
    shown, model = _walk(err["loc"])
    key = ".".join(shown) or "(top level)"
    kind = err["type"]
    if kind == "extra_forbidden":
        _, parent = _walk(err["loc"][:-1])
        allowed = list(parent.model_fields) if isinstance(parent, type) and issubclass(parent, BaseModel) else []
        hint = f"; expected one of: {', '.join(allowed)}" if allowed else ""
        return f"{key}: unknown key{hint}"
    if kind == "missing":
        return f"{key}: required key is missing"
    if kind == "literal_error" and "[key]" in err["loc"]:
        return f"{key}: unknown lead field; expected one of: {', '.join(FIELD_NAMES)}"
    if kind == "union_tag_not_found":
        return f"{key}.{err['ctx']['discriminator'].strip(chr(39))}: required key is missing"
    if kind == "union_tag_invalid":
        return f"{key}: unknown type {err.get('input')!r}; expected one of: {err['ctx']['expected_tags']}"
    message = err["msg"].removeprefix("Value error, ")
    shown_input = err.get("input")
    if isinstance(shown_input, str | int | float | bool) and kind not in ("value_error",):
        message += f" (got {shown_input!r})"
    return f"{key}: {message}"


def _walk(loc: tuple) -> tuple[list[str], Any]:
    """The key path as the user wrote it, and the model found at its end.

    pydantic puts a discriminated union's tag into the location ("sources.crm.file.path"); the
    user never wrote it, so it is dropped, and the walk continues in the member it names.
    """
    model: Any = AppConfig
    shown: list[str] = []
    for part in loc:
        if part == "[key]":
            continue
        members = _union_members(model)
        if part in members:
            model = members[part]
            continue
        shown.append(str(part))
        fields = getattr(model, "model_fields", None)
        if fields and part in fields:
            model = _model_of(fields[part].annotation)
        elif model is AppConfig or not isinstance(part, str):
            model = None
    return shown, model


def _union_members(annotation: Any) -> dict[str, Any]:
    """tag → model of a discriminated union of models keyed by their `type` literal."""
    if get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    members: dict[str, Any] = {}
    for member in get_args(annotation) if get_origin(annotation) in (Union, UnionType) else ():
        fields = getattr(member, "model_fields", {})
        if "type" in fields:
            members.update(dict.fromkeys(get_args(fields["type"].annotation), member))
    return members


def _model_of(annotation: Any) -> Any:
    args = getattr(annotation, "__args__", ())
    if args and getattr(annotation, "__origin__", None) is dict:
        return args[1]
    return annotation
