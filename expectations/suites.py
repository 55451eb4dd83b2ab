"""Suite files: our JSON format around Great Expectations' expectation configurations.

A suite file names the dataset it validates (`landed_records` or `leads`), its default gates, and
its expectations. Each expectation's `meta` says whether failing rows are quarantined
(`quarantine: true`) or whether the expectation only gates the batch, and gives the reason shown
to people. Later stages add their own files to the same folder.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

SUITES_DIR = Path(__file__).with_name("suites")


class SuiteError(ValueError):
    """A suite file cannot be used; the message names the file and the key."""


class ExpectationMeta(BaseModel):
    model_config = ConfigDict(extra="allow")
    quarantine: bool
    reason: str = Field(min_length=1)


class ExpectationSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: str = Field(pattern=r"^expect_[a-z_]+$")
    kwargs: dict[str, Any]
    meta: ExpectationMeta

    @property
    def column(self) -> str | None:
        return self.kwargs.get("column")

    @property
    def mostly(self) -> float:
        return float(self.kwargs.get("mostly", 1.0))


class SuiteGates(BaseModel):
    model_config = ConfigDict(extra="forbid")
    max_quarantine_share: float = Field(default=0.25, ge=0, le=1)


class SuiteSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    dataset: Literal["landed_records", "leads", "outgoing"]
    description: str = ""
    requires: Literal["scoring"] | None = None  # runs only when that stage is on
    gates: SuiteGates = Field(default_factory=SuiteGates)
    expectations: list[ExpectationSpec] = Field(min_length=1)

    @property
    def quarantining(self) -> list[ExpectationSpec]:
        return [e for e in self.expectations if e.meta.quarantine]


def load_suite(path: Path) -> SuiteSpec:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise SuiteError(f"{path}: cannot read the suite: {exc}") from None
    try:
        return SuiteSpec.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise SuiteError(f"{path}: {problems}") from None


def load_suites(directory: Path = SUITES_DIR) -> dict[str, list[SuiteSpec]]:
    """Every suite in the folder, by dataset, in file-name order."""
    by_dataset: dict[str, list[SuiteSpec]] = {}
    names: set[str] = set()
    for path in sorted(directory.glob("*.json")):
        suite = load_suite(path)
        if suite.name in names:
            raise SuiteError(f"{path}: a suite named {suite.name!r} already exists in {directory}")
        names.add(suite.name)
        by_dataset.setdefault(suite.dataset, []).append(suite)
    return by_dataset
