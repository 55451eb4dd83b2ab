"""Robust readers for CSV and JSONL exports.

Each physical record comes back with its position and its exact bytes, so a malformed one can be
quarantined verbatim. The readers never stop at a bad record:

- CSV: a quote that is never closed makes Python's csv module swallow the lines after it into one
  field. A record that spans several lines and has the wrong number of columns (or that the
  parser rejects) is therefore taken to be such a case: its first line is quarantined and parsing
  restarts on the next line, so the rows that follow are not lost.
- Bytes that are not valid UTF-8 are kept (surrogate escapes) and reported, never replaced.
"""

from __future__ import annotations

import csv
import json
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

# Our own per-field limit (max_field_chars) gives the better message; this only keeps the csv
# module from refusing first.
csv.field_size_limit(64 * 1024 * 1024)

# Control characters other than tab and line ends; and the surrogates that stand for undecodable
# bytes. Regexes, because a per-character Python loop over every value dominated extract time.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_UNDECODABLE = re.compile("[\udc80-\udcff]")
_BLANK = b" \t\r\n"
_BOM = b"\xef\xbb\xbf"


def _is_blank(data: bytes) -> bool:
    """Only spaces, tabs and line ends. Anything else on a line is content to account for."""
    return not data.strip(_BLANK)


@dataclass(slots=True)
class RawRow:
    """One record as read: its position, exact bytes, values by column, and what is wrong."""

    first_line: int
    last_line: int
    raw: bytes
    values: dict[str, Any] | None
    problems: list[str] = field(default_factory=list)

    @property
    def position(self) -> str:
        if self.first_line == self.last_line:
            return f"line {self.first_line}"
        return f"lines {self.first_line}-{self.last_line}"


class HeaderError(ValueError):
    """The file has no usable header; nothing in it can be read."""


class _Lines:
    """Physical lines of a binary file, numbered, with push-back for resynchronising."""

    def __init__(self, fh: BinaryIO, encoding: str):
        self._fh = fh
        self._encoding = encoding
        self._pending: deque[tuple[int, bytes]] = deque()
        self._lineno = 0
        self.taken: list[tuple[int, bytes]] = []

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self._pending:
            item = self._pending.popleft()
        else:
            data = self._fh.readline()
            if not data:
                raise StopIteration
            self._lineno += 1
            if self._lineno == 1 and data.startswith(_BOM):
                data = data[len(_BOM) :]  # a byte-order mark opens the file; it is not content
            item = (self._lineno, data)
        self.taken.append(item)
        return item[1].decode(self._encoding, errors="surrogateescape")

    def push_back(self, items: list[tuple[int, bytes]]) -> None:
        self._pending.extendleft(reversed(items))


def _row(taken: list[tuple[int, bytes]], values: dict[str, Any] | None, problems: list[str]) -> RawRow:
    return RawRow(taken[0][0], taken[-1][0], b"".join(b for _, b in taken), values, problems)


def value_problems(column: str, value: str, max_chars: int) -> list[str]:
    """What makes one text value unusable: invalid bytes, control characters, excessive size."""
    problems = []
    if _UNDECODABLE.search(value):
        problems.append(f"invalid UTF-8 bytes in column {column!r}")
    if _CONTROL.search(value):
        controls = sorted(set(_CONTROL.findall(value)))
        names = ", ".join(f"U+{ord(ch):04X}" for ch in controls)
        problems.append(f"control character{'s' * (len(controls) > 1)} {names} in column {column!r}")
    if len(value) > max_chars:
        problems.append(f"column {column!r} is {len(value):,} characters, over the limit of {max_chars:,}")
    return problems


def read_csv(path: Path, encoding: str, delimiter: str, max_field_chars: int) -> Iterator[RawRow]:
    with path.open("rb") as fh:
        lines = _Lines(fh, encoding)
        reader = csv.reader(lines, delimiter=delimiter, strict=True)
        header = _header(path, reader)
        yield from _csv_records(lines, reader, header, delimiter, max_field_chars)


def csv_header(path: Path, encoding: str, delimiter: str) -> list[str]:
    """The header row alone, checked as read_csv checks it, for schema checks before a run."""
    with path.open("rb") as fh:
        return _header(path, csv.reader(_Lines(fh, encoding), delimiter=delimiter, strict=True))


def _header(path: Path, reader: Any) -> list[str]:
    try:
        header = [h.strip() for h in next(reader)]
    except (StopIteration, csv.Error) as exc:
        raise HeaderError(f"{path.name}: no header row ({exc or 'empty file'})") from None
    if len(set(header)) != len(header):
        dupes = sorted({h for h in header if header.count(h) > 1})
        raise HeaderError(f"{path.name}: duplicate column names in header: {', '.join(dupes)}")
    return header


def _csv_records(
    lines: _Lines, reader: Any, header: list[str], delimiter: str, max_field_chars: int
) -> Iterator[RawRow]:
    width = len(header)
    while True:
        lines.taken = []
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            taken = lines.taken
            yield _row(taken[:1], None, [f"malformed CSV: {exc}"])
            lines.push_back(taken[1:])
            reader = csv.reader(lines, delimiter=delimiter, strict=True)
            continue
        taken = lines.taken
        if all(_is_blank(data) for _, data in taken):
            continue  # a blank line is not a record
        if len(fields) != width:
            if len(taken) > 1:
                reason = (
                    f"malformed CSV: a quoted field that is never closed "
                    f"(the record ran over {len(taken)} lines into {len(fields)} of {width} columns)"
                )
                yield _row(taken[:1], None, [reason])
                lines.push_back(taken[1:])
                reader = csv.reader(lines, delimiter=delimiter, strict=True)
                continue
            yield _row(taken, None, [f"expected {width} columns, got {len(fields)}"])
            continue
        problems = [
            p for col, val in zip(header, fields, strict=True) for p in value_problems(col, val, max_field_chars)
        ]
        yield _row(taken, dict(zip(header, fields, strict=True)), problems)


def read_jsonl(path: Path, encoding: str, max_field_chars: int) -> Iterator[RawRow]:
    with path.open("rb") as fh:
        for lineno, data in enumerate(fh, start=1):
            if lineno == 1 and data.startswith(_BOM):
                data = data[len(_BOM) :]
            if _is_blank(data):
                continue
            text = data.decode(encoding, errors="surrogateescape")
            taken = [(lineno, data)]
            if _UNDECODABLE.search(text):
                yield _row(taken, None, ["invalid UTF-8 bytes in the line"])
                continue
            try:
                obj = json.loads(text)
            except json.JSONDecodeError as exc:
                yield _row(taken, None, [f"not valid JSON: {exc.msg} (column {exc.colno})"])
                continue
            if not isinstance(obj, dict):
                yield _row(taken, None, [f"expected a JSON object, got {json_type(obj)}"])
                continue
            problems = [
                p for key, val in obj.items() if isinstance(val, str) for p in value_problems(key, val, max_field_chars)
            ]
            yield _row(taken, obj, problems)


def json_type(value: Any) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number"
    )
