"""The config file: one YAML document, validated at start.

Every problem names the file, the key path and what was expected. Secrets are never written in
the file: a credential is a reference, `{env: NAME}` or `{prefect_secret: NAME}`, resolved once at
run start by the caller.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from leads.fields import ENRICHED_FIELDS, FIELD_NAMES, LEAD_FIELD_NAMES
from leads.lifecycle import Stage, stage_key

Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,62}$")]
FieldName = Literal[FIELD_NAMES]  # type: ignore[valid-type]
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
_DURATION = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")

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


class SecretRef(BaseModel):
    """Where a secret lives: an environment variable or a Prefect Secret block."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    env: str | None = Field(default=None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    prefect_secret: str | None = Field(default=None, pattern=r"^[a-z0-9-]+$")

    @model_validator(mode="after")
    def _exactly_one(self) -> SecretRef:
        if (self.env is None) == (self.prefect_secret is None):
            raise ValueError("give exactly one of 'env' (a variable name) or 'prefect_secret' (a block name)")
        return self

    def describe(self) -> str:
        return f"environment variable {self.env}" if self.env else f"Prefect Secret block {self.prefect_secret!r}"


def url_has_password(url: str) -> bool:
    try:
        return bool(urlsplit(url).password)
    except ValueError:
        return False


def _url_or_ref(value: Any) -> str | SecretRef | None:
    if value is None or isinstance(value, SecretRef):
        return value
    if isinstance(value, dict):
        return SecretRef.model_validate(value)
    if not isinstance(value, str) or not value.strip():
        raise ValueError("expected a database URL string or a secret reference {env: NAME} / {prefect_secret: NAME}")
    if url_has_password(value):
        raise ValueError(
            "this URL contains a password; put the URL in a secret and reference it with "
            "{env: NAME} or {prefect_secret: NAME}"
        )
    return value


def _duration(value: Any) -> timedelta:
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return timedelta(seconds=value)
    if isinstance(value, str) and (m := _DURATION.match(value)):
        return timedelta(seconds=int(m.group(1)) * _UNITS[m.group(2)])
    raise ValueError("expected a duration such as 90s, 30m, 2h, 1d or a number of seconds")


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown IANA timezone {value!r}; expected a name such as Europe/Berlin or UTC") from None
    return value


def _relative_to_config(value: Path, info: ValidationInfo) -> Path:
    """Relative paths are relative to the config file's folder, not to where the run starts."""
    base = (info.context or {}).get("base_dir")
    return (Path(base) / value).resolve() if base and not value.is_absolute() else value


class _Strict(BaseModel):
    # validate_default: defaults go through the same checks (relative paths get resolved).
    model_config = ConfigDict(extra="forbid", validate_default=True)


class VolumeConfig(_Strict):
    """Volume anomaly gate: a source's extracted count against earlier runs at the same hour."""

    enabled: bool = True
    min_ratio: float = Field(default=0.2, ge=0)
    max_ratio: float = Field(default=5.0, gt=0)
    min_history: int = Field(default=3, ge=1)
    history_runs: int = Field(default=14, ge=1, le=200)


class QualityConfig(_Strict):
    """Data-quality gates. Per-source values override the top-level ones."""

    max_quarantine_share: float | None = Field(default=None, ge=0, le=1)  # None: each suite's own
    volume: VolumeConfig = Field(default_factory=VolumeConfig)


class StoreConfig(_Strict):
    url: Any = "sqlite:///.leads/leads.db"
    auto_migrate: bool = True

    _check_url = field_validator("url", mode="before")(classmethod(lambda cls, v: _url_or_ref(v)))


class FileSourceConfig(_Strict):
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
    source_system: str | None = None
    mapping: dict[FieldName, str] = Field(min_length=1)
    stage_aliases: dict[str, Stage] = Field(default_factory=dict)
    max_field_chars: int = Field(default=65536, gt=0)
    quality: QualityConfig | None = None
    enabled: bool = True

    _check_tz = field_validator("timezone")(classmethod(lambda cls, v: _timezone(v)))
    _check_lookback = field_validator("lookback", mode="before")(classmethod(lambda cls, v: _duration(v)))

    _resolve_path = field_validator("path")(classmethod(lambda cls, v, info: _relative_to_config(v, info)))

    @field_validator("stage_aliases")
    @classmethod
    def _alias_keys(cls, value: dict[str, Stage]) -> dict[str, Stage]:
        return {stage_key(k): v for k, v in value.items()}

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


class SqlTableSinkConfig(_Strict):
    """Upserts leads into a table in any SQLAlchemy database (the store's when url is omitted)."""

    type: Literal["sql_table"]
    url: Any = None
    table: str = "crm_leads"
    fields: list[LeadFieldName] = Field(default_factory=lambda: list(DEFAULT_SINK_FIELDS), min_length=1)
    min_stage: Stage | None = None
    enabled: bool = True

    _check_url = field_validator("url", mode="before")(classmethod(lambda cls, v: _url_or_ref(v)))

    @field_validator("table")
    @classmethod
    def _identifier(cls, value: str) -> str:
        if not _IDENTIFIER.match(value):
            raise ValueError(
                "expected a plain SQL identifier: letters, digits and underscores, not starting with a digit"
            )
        return value


class FuzzyMatchConfig(_Strict):
    """The fuzzy pass: similar names at the same corporate email domain are one person."""

    enabled: bool = True
    threshold: float = Field(default=90.0, ge=50, le=100)  # rapidfuzz score, 0-100


class IdentityConfig(_Strict):
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


class TitleRulesConfig(_Strict):
    """Extra job-title rules, tried before the built-in table: level/department → regexes."""

    seniority: dict[Literal[SENIORITY_LEVELS], list[str]] = Field(default_factory=dict)  # type: ignore[valid-type]
    department: dict[Name, list[str]] = Field(default_factory=dict)

    @field_validator("seniority", "department")
    @classmethod
    def _compile(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for patterns in value.values():
            _patterns(patterns)
        return value


class RateLimitConfig(_Strict):
    """At most `requests` per `per`, shared by every task, process and run using the provider."""

    requests: int = Field(gt=0)
    per: Any = timedelta(minutes=1)

    _check_per = field_validator("per", mode="before")(classmethod(lambda cls, v: _duration(v)))

    @field_validator("per")
    @classmethod
    def _positive(cls, value: timedelta) -> timedelta:
        if value.total_seconds() <= 0:
            raise ValueError("expected a duration greater than zero")
        return value

    @property
    def per_second(self) -> float:
        return self.requests / self.per.total_seconds()


class _ApiProviderConfig(_Strict):
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


class ReferenceTableProviderConfig(_Strict):
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
        classmethod(lambda cls, v, info: _relative_to_config(v, info) if v is not None else None)
    )
    _check_url = field_validator("url", mode="before")(classmethod(lambda cls, v: _url_or_ref(v)))

    @model_validator(mode="after")
    def _one_origin(self) -> ReferenceTableProviderConfig:
        if (self.path is None) == (self.table is None):
            raise ValueError("give either 'path' (a CSV file) or 'table' (with an optional 'url'), not both")
        if self.table is not None and not _IDENTIFIER.match(self.table):
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


class EnrichmentConfig(_Strict):
    """Providers, the waterfall per field, the cache's lifetimes and what is never paid for."""

    enabled: bool = True
    providers: dict[Name, ProviderConfig] = Field(default_factory=dict)
    waterfall: dict[WaterfallFieldName, list[Name]] = Field(default_factory=dict)
    ttl: Any = timedelta(days=90)  # how long a hit is reused, and a lead counts as enriched
    miss_ttl: Any = timedelta(days=30)  # how long a "no match" is believed
    skip_email_classes: list[Literal["free", "disposable"]] = Field(default_factory=lambda: ["free", "disposable"])
    skip_role_addresses: bool = False
    skip_do_not_contact: bool = True

    _check_ttl = field_validator("ttl", "miss_ttl", mode="before")(classmethod(lambda cls, v: _duration(v)))

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


class AppConfig(_Strict):
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
    sources: dict[Name, FileSourceConfig] = Field(min_length=1)
    sinks: dict[Name, SqlTableSinkConfig] = Field(default_factory=dict)
    identity: IdentityConfig = Field(default_factory=IdentityConfig)
    titles: TitleRulesConfig = Field(default_factory=TitleRulesConfig)
    enrichment: EnrichmentConfig = Field(default_factory=EnrichmentConfig)

    _check_tz = field_validator("timezone")(classmethod(lambda cls, v: _timezone(v)))
    _check_ttl = field_validator("lease_ttl", mode="before")(classmethod(lambda cls, v: _duration(v)))

    _resolve_runs_dir = field_validator("runs_dir")(classmethod(lambda cls, v, info: _relative_to_config(v, info)))
    _resolve_suites_dir = field_validator("suites_dir")(
        classmethod(lambda cls, v, info: _relative_to_config(v, info) if v is not None else None)
    )

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
    loc = [str(p) for p in err["loc"] if p != "[key]"]
    key = ".".join(loc) or "(top level)"
    kind = err["type"]
    if kind == "extra_forbidden":
        allowed = _allowed_keys(err["loc"][:-1])
        hint = f"; expected one of: {', '.join(allowed)}" if allowed else ""
        return f"{key}: unknown key{hint}"
    if kind == "missing":
        return f"{key}: required key is missing"
    if kind == "literal_error" and "[key]" in err["loc"]:
        return f"{key}: unknown lead field; expected one of: {', '.join(FIELD_NAMES)}"
    message = err["msg"].removeprefix("Value error, ")
    shown = err.get("input")
    if isinstance(shown, str | int | float | bool) and kind not in ("value_error",):
        message += f" (got {shown!r})"
    return f"{key}: {message}"


def _allowed_keys(loc: tuple) -> list[str]:
    model: Any = AppConfig
    for part in loc:
        fields = getattr(model, "model_fields", None)
        if fields is None:
            return []
        if part in fields:
            model = _model_of(fields[part].annotation)
        elif model is AppConfig or not isinstance(part, str):
            return []
    if isinstance(model, type) and issubclass(model, BaseModel):
        return list(model.model_fields)
    return []


def _model_of(annotation: Any) -> Any:
    args = getattr(annotation, "__args__", ())
    if args and getattr(annotation, "__origin__", None) is dict:
        return args[1]
    return annotation
