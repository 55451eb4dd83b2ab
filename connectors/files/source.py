"""A file export as a source: rows in, landed records and quarantined rows out."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from connectors.files.reader import HeaderError, RawRow, csv_header, json_type, read_csv, read_jsonl
from leads.config import FileSourceConfig
from leads.timeparse import parse_timestamp


@dataclass(frozen=True, slots=True)
class Cursor:
    """A compound cursor: timestamps are not unique, so the id breaks ties."""

    ts: datetime
    id: str

    def __lt__(self, other: Cursor) -> bool:
        return (self.ts, self.id) < (other.ts, other.id)


@dataclass(slots=True)
class Record:
    source_id: str
    cursor: Cursor
    payload: dict[str, Any]
    position: str


@dataclass(slots=True)
class Rejected:
    position: str
    raw: bytes
    reasons: list[str]
    source_id: str | None = None


class FileSource:
    def __init__(self, name: str, settings: FileSourceConfig):
        self.name = name
        self.settings = settings

    def check(self) -> list[str]:
        """Problems that stop this source before reading: no file, no header, no id or cursor column."""
        s = self.settings
        if not s.path.is_file():
            return [f"sources.{self.name}.path: no such file: {s.path}"]
        header = self._header()
        if isinstance(header, str):
            return [header]
        wanted = {"id_column": s.id_column, "cursor_column": s.cursor_column}
        return [self._absent(key, col) for key, col in wanted.items() if header is not None and col not in header]

    def missing_columns(self, seen: set[str] | None = None) -> list[str]:
        """Mapped columns the source lacks (schema drift): from the CSV header, or the JSON keys seen."""
        header = self._header() if self.settings.format == "csv" else seen
        if not isinstance(header, set):
            return []
        where = "the file's header" if self.settings.format == "csv" else "any record read"
        return [
            f"sources.{self.name}.mapping.{k}: column {v!r} is not in {where}"
            for k, v in self.settings.mapping.items()
            if v not in header
        ]

    def _header(self) -> set[str] | str | None:
        s = self.settings
        if s.format != "csv":
            return None
        try:
            return set(csv_header(s.path, s.encoding, s.delimiter))
        except (HeaderError, OSError) as exc:
            return f"sources.{self.name}.path: {exc}"

    def _absent(self, key: str, column: str) -> str:
        return f"sources.{self.name}.{key}: column {column!r} is not in the file's header"

    def rows(self) -> Iterator[RawRow]:
        s = self.settings
        if s.format == "csv":
            return read_csv(s.path, s.encoding, s.delimiter, s.max_field_chars)
        return read_jsonl(s.path, s.encoding, s.max_field_chars)

    def read(self, since: Cursor | None) -> Iterator[Record | Rejected | None]:
        """Records at or after `since` minus the lookback, rejected rows, and None per skipped row.

        The cursor is inclusive and reaches back by the lookback window: duplicates this causes
        are absorbed by the store's upsert, whereas a gap would lose a lead.
        """
        floor = since.ts - self.settings.lookback if since else None
        for row in self.rows():
            item = self._record(row)
            if isinstance(item, Record) and floor is not None and item.cursor.ts < floor:
                yield None
            else:
                yield item

    def reparse(self, raw: bytes) -> list[Record | Rejected]:
        """Parse a quarantined row's verbatim bytes again, with the current settings.

        A CSV row is read under the current file's header line, so a fixed mapping or cursor
        format applies to it exactly as it would on a fresh extract.
        """
        s = self.settings
        header = b""
        if s.format == "csv":
            with s.path.open("rb") as fh:
                header = fh.readline()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"row.{s.format}"
            path.write_bytes(header + raw)
            again = FileSource(self.name, s.model_copy(update={"path": path}))
            return [item for item in again.read(None) if item is not None]

    def _record(self, row: RawRow) -> Record | Rejected:
        s = self.settings
        if row.values is None or row.problems:
            return Rejected(row.position, row.raw, row.problems)
        values = row.values
        problems: list[str] = []
        source_id = _scalar_text(values.get(s.id_column))
        if isinstance(source_id, _WrongType):
            problems.append(f"wrong type: id {s.id_column!r} is {source_id.kind}, expected a string or number")
            source_id = None
        elif not source_id:
            problems.append(f"missing id: column {s.id_column!r} is blank or absent")
        for name, column in s.mapping.items():
            value = values.get(column)
            if isinstance(value, dict | list):
                problems.append(f"wrong type: column {column!r} (mapped to {name}) is {json_type(value)}")
        cursor_ts = None
        raw_cursor = _scalar_text(values.get(s.cursor_column))
        if isinstance(raw_cursor, _WrongType) or not raw_cursor:
            problems.append(f"missing cursor: column {s.cursor_column!r} is blank, absent or not text")
        else:
            try:
                cursor_ts = parse_timestamp(raw_cursor, s.cursor_format, s.timezone, s.dayfirst)
            except ValueError as exc:
                problems.append(f"unparseable cursor in column {s.cursor_column!r}: {exc}")
        if problems or cursor_ts is None or not source_id:
            return Rejected(row.position, row.raw, problems, source_id or None)
        return Record(source_id, Cursor(cursor_ts, source_id), values, row.position)


@dataclass(frozen=True, slots=True)
class _WrongType:
    kind: str


def _scalar_text(value: Any) -> str | _WrongType | None:
    if value is None:
        return None
    if isinstance(value, bool | dict | list):
        return _WrongType(json_type(value))
    return str(value).strip()


def cursor_max(a: Cursor | None, b: Cursor | None) -> Cursor | None:
    if a is None:
        return b
    if b is None:
        return a
    return b if a < b else a
