"""Running suites with Great Expectations on pandas chunks.

One ephemeral GX context per process (importing GX costs 3-8 s here; building the context once
avoids paying it per chunk), one GX suite per suite of ours; results are never stored. Results come back as
`leads.quality.ExpectationOutcome`: counts and the ids of failing rows, never the values, so no
personal data leaves this module.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from expectations.suites import SuiteSpec
from leads.quality import ExpectationOutcome

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

# GX contexts are not thread-safe (a shared batch definition would mix two threads' frames), and
# validation is CPU-bound under the GIL anyway: one validation at a time per process.
_lock = threading.RLock()
_state: dict[str, Any] = {}


def _context() -> Any:
    if "context" not in _state:
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        context = gx.get_context(mode="ephemeral")
        context.variables.progress_bars = ProgressBarsConfig(globally=False)
        batch = context.data_sources.add_pandas("leads_pipeline").add_dataframe_asset("chunk")
        _state.update(gx=gx, context=context, batch=batch.add_batch_definition_whole_dataframe("whole_chunk"))
    return _state["context"]


def _gx_suite(suite: SuiteSpec) -> Any:
    """The GX suite for one of ours, built once per process and suite content."""
    key = f"suite:{suite.name}:{hash(suite.model_dump_json())}"
    with _lock:
        if key not in _state:
            _context()
            gx = _state["gx"]
            # GX reorders results, so each expectation carries its position in our suite.
            expectations = [e.model_dump(mode="json") for e in suite.expectations]
            for index, expectation in enumerate(expectations):
                expectation["meta"]["suite_index"] = index
            _state[key] = gx.ExpectationSuite(name=f"{suite.name}-{len(_state)}", expectations=expectations)
        return _state[key]


def validate_chunk(
    suite: SuiteSpec, frame: Any, id_column: str, parameters: dict[str, Any] | None = None
) -> list[ExpectationOutcome]:
    """Validate one pandas chunk; failing ids are reported for quarantining expectations only."""
    try:
        result = _run(suite, frame, id_column, parameters)
    except Exception as exc:  # noqa: BLE001 - a broken suite must show as errors, not crash the run
        message = f"{type(exc).__name__}: {str(exc).splitlines()[0][:300] if str(exc) else ''}"
        return [ExpectationOutcome(i, False, 0, 0, (), message) for i in range(len(suite.expectations))]
    outcomes = []
    for item in result.results:
        index = int(item.expectation_config.meta["suite_index"])
        spec = suite.expectations[index]
        details = item.result or {}
        error = _error(item.exception_info)
        element = details.get("element_count") or 0
        missing = details.get("missing_count") or 0
        unexpected = details.get("unexpected_count") or 0
        ids: tuple[str, ...] = ()
        if spec.meta.quarantine and unexpected:
            # GX returns the id column's values in their own type (int64, str); ids are text to us.
            ids = tuple(str(row[id_column]) for row in details.get("unexpected_index_list") or [])
        outcomes.append(ExpectationOutcome(index, bool(item.success), element - missing, unexpected, ids, error))
    return sorted(outcomes, key=lambda o: o.index)


def _run(suite: SuiteSpec, frame: Any, id_column: str, parameters: dict[str, Any] | None) -> Any:
    """What ValidationDefinition.run does, minus storing the result: the store would keep every
    chunk's result (the unexpected values, personal data included) and memory would grow with
    each chunk. Going through get_batch() instead would load and hash the frame twice."""
    from great_expectations.validator.v1_validator import Validator

    gx_suite = _gx_suite(suite)
    with _lock:
        validator = Validator(
            batch_definition=_state["batch"],
            batch_parameters={"dataframe": frame},
            result_format={
                "result_format": "COMPLETE",
                "unexpected_index_column_names": [id_column],
                "return_unexpected_index_query": False,
            },
        )
        return validator.validate_expectation_suite(gx_suite, parameters or {})


def _error(info: Any) -> str | None:
    """The message of an exception GX caught, if any. GX 1.x keys it by metric, one level down."""
    if not isinstance(info, dict):
        return None
    candidates = [info, *(v for v in info.values() if isinstance(v, dict))]
    for candidate in candidates:
        if candidate.get("raised_exception"):
            message = str(candidate.get("exception_message") or "unknown error")
            return message.splitlines()[0][:300]
    return None
