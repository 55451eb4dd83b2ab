"""Data-quality results and gates, pure: what validation found, summed over chunks, and verdicts.

Validation runs chunk by chunk so memory stays flat; an expectation's verdict for the whole batch
is computed from the summed counts, not from any one chunk (a `mostly` of 0.95 holds or fails for
the batch, never per chunk).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from statistics import median


@dataclass(frozen=True, slots=True)
class ExpectationOutcome:
    """One expectation on one chunk."""

    index: int  # position of the expectation in its suite
    success: bool
    checked: int  # non-null values the expectation looked at
    unexpected: int
    failing_ids: tuple[str, ...] = ()
    error: str | None = None


@dataclass(slots=True)
class ExpectationTally:
    expectation: str
    column: str | None
    reason: str
    quarantine: bool
    mostly: float
    checked: int = 0
    unexpected: int = 0
    chunks_failed: int = 0
    error: str | None = None

    def add(self, outcome: ExpectationOutcome) -> None:
        self.checked += outcome.checked
        self.unexpected += outcome.unexpected
        self.chunks_failed += not outcome.success
        self.error = self.error or outcome.error

    @property
    def share(self) -> float:
        return self.unexpected / self.checked if self.checked else 0.0

    @property
    def passed(self) -> bool:
        if self.error:
            return False
        if self.checked == 0:  # nothing row-level to count (e.g. a column-exists check)
            return self.chunks_failed == 0
        if self.mostly < 1.0:
            # As GX judges it: the share of good values is at least `mostly`. Compared in counts
            # with a tolerance, since 1.0 - 0.9 is 0.0999... in floating point.
            return (self.checked - self.unexpected) >= self.mostly * self.checked - 1e-9
        return self.unexpected == 0

    def to_dict(self) -> dict:
        return {
            "expectation": self.expectation,
            "column": self.column,
            "reason": self.reason,
            "quarantine": self.quarantine,
            "unexpected": self.unexpected,
            "checked": self.checked,
            "share": round(self.share, 6),
            "passed": self.passed,
            "error": self.error,
        }


@dataclass(slots=True)
class SuiteTally:
    """One suite over one scope (a source, or all leads) across every chunk of a run."""

    suite: str
    scope: str
    expectations: list[ExpectationTally]
    rows: int = 0
    quarantined: int = 0

    def add_chunk(self, rows: int, outcomes: Sequence[ExpectationOutcome], quarantined: int) -> None:
        self.rows += rows
        self.quarantined += quarantined
        for outcome in outcomes:
            self.expectations[outcome.index].add(outcome)

    @property
    def share(self) -> float:
        return self.quarantined / self.rows if self.rows else 0.0

    def to_dict(self) -> dict:
        return {
            "rows": self.rows,
            "quarantined": self.quarantined,
            "share": round(self.share, 6),
            "expectations": [e.to_dict() for e in self.expectations],
        }


@dataclass(frozen=True, slots=True)
class GateResult:
    gate: str  # quarantine_share | expectation | volume | schema_drift
    scope: str
    tripped: bool
    detail: str

    def to_dict(self) -> dict:
        return {"gate": self.gate, "scope": self.scope, "tripped": self.tripped, "detail": self.detail}


def suite_gates(tally: SuiteTally, max_quarantine_share: float) -> list[GateResult]:
    """The share of quarantined rows, and every expectation that only gates the batch."""
    scope = f"{tally.suite}/{tally.scope}"
    results = [
        GateResult(
            "quarantine_share",
            scope,
            tally.share > max_quarantine_share,
            f"{tally.share:.1%} of {tally.rows:,} rows quarantined; limit {max_quarantine_share:.0%}",
        )
    ]
    for e in tally.expectations:
        if e.quarantine and not e.error:
            continue  # its failures are counted in the quarantined share; a rule that cannot run is not
        if e.error:
            detail = f"{e.reason}: the expectation could not run ({e.error})"
        elif e.checked:
            detail = f"{e.reason}: {e.unexpected:,} of {e.checked:,} values ({e.share:.1%})"
        else:
            detail = f"{e.reason}: failed in {e.chunks_failed} chunk(s)"
        results.append(GateResult("expectation", f"{scope}/{e.expectation}:{e.column}", not e.passed, detail))
    return results


@dataclass(frozen=True, slots=True)
class VolumeRule:
    min_ratio: float
    max_ratio: float
    min_history: int


def volume_gate(scope: str, current: int, history: Sequence[int], rule: VolumeRule) -> GateResult:
    """Compare a source's extracted count with earlier runs of the same hour of day.

    Comparing with the same hour keeps a quiet night (or a quiet Sunday hour) from looking like an
    outage; with too little history there is no verdict.
    """
    if len(history) < rule.min_history:
        return GateResult("volume", scope, False, f"{current:,} records; not enough history ({len(history)} runs)")
    typical = median(history)
    low, high = typical * rule.min_ratio, typical * rule.max_ratio
    tripped = current < low or (typical > 0 and current > high)
    detail = (
        f"{current:,} records against a median of {typical:,.0f} over {len(history)} earlier runs at this hour "
        f"(allowed {low:,.0f} to {high:,.0f})"
    )
    return GateResult("volume", scope, tripped, detail)


def schema_drift_gate(scope: str, missing: Sequence[str]) -> GateResult:
    if missing:
        return GateResult("schema_drift", scope, True, f"mapped columns missing from the source: {', '.join(missing)}")
    return GateResult("schema_drift", scope, False, "every mapped column present")


@dataclass(slots=True)
class QuarantineVerdicts:
    """Which ids of a chunk are quarantined, with every reason that applies to each."""

    reasons: dict[str, list[str]] = field(default_factory=dict)

    def add(self, ids: Sequence[str], reason: str) -> None:
        for record_id in ids:
            self.reasons.setdefault(record_id, []).append(reason)
