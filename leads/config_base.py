"""The building blocks of the config schema: strict models, secret references, durations, limits.

Shared by the top-level schema (leads.config) and the source schemas (leads.source_config).
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from leads.fields import FIELD_NAMES

Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,62}$")]
FieldName = Literal[FIELD_NAMES]  # type: ignore[valid-type]
_DURATION = re.compile(r"^\s*(\d+)\s*(ms|s|m|h|d)\s*$")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


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


def url_or_ref(value: Any) -> str | SecretRef | None:
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


def duration(value: Any) -> timedelta:
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return timedelta(seconds=value)
    if isinstance(value, str) and (m := _DURATION.match(value)):
        return timedelta(seconds=int(m.group(1)) * _UNITS[m.group(2)])
    raise ValueError("expected a duration such as 500ms, 90s, 30m, 2h, 1d or a number of seconds")


def timezone_name(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown IANA timezone {value!r}; expected a name such as Europe/Berlin or UTC") from None
    return value


def relative_to_config(value: Path, info: ValidationInfo) -> Path:
    """Relative paths are relative to the config file's folder, not to where the run starts."""
    base = (info.context or {}).get("base_dir")
    return (Path(base) / value).resolve() if base and not value.is_absolute() else value


class Strict(BaseModel):
    # validate_default: defaults go through the same checks (relative paths get resolved).
    model_config = ConfigDict(extra="forbid", validate_default=True)


class VolumeConfig(Strict):
    """Volume anomaly gate: a source's extracted count against earlier runs at the same hour."""

    enabled: bool = True
    min_ratio: float = Field(default=0.2, ge=0)
    max_ratio: float = Field(default=5.0, gt=0)
    min_history: int = Field(default=3, ge=1)
    history_runs: int = Field(default=14, ge=1, le=200)


class QualityConfig(Strict):
    """Data-quality gates. Per-source values override the top-level ones."""

    max_quarantine_share: float | None = Field(default=None, ge=0, le=1)  # None: each suite's own
    volume: VolumeConfig = Field(default_factory=VolumeConfig)


class RateLimitConfig(Strict):
    """At most `requests` per `per`, shared by every task, process and run using the provider."""

    requests: int = Field(gt=0)
    per: Any = timedelta(minutes=1)

    _check_per = field_validator("per", mode="before")(classmethod(lambda cls, v: duration(v)))

    @field_validator("per")
    @classmethod
    def _positive(cls, value: timedelta) -> timedelta:
        if value.total_seconds() <= 0:
            raise ValueError("expected a duration greater than zero")
        return value

    @property
    def per_second(self) -> float:
        return self.requests / self.per.total_seconds()
