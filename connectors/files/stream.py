"""A file export as a `connectors.source.Source`: chunks of rows, one checkpoint at the end.

Rows of an export come in no particular order, so the watermark may only move once the whole
file has landed: the last batch carries the newest cursor seen.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from connectors.files.source import Cursor, FileSource, Record, cursor_max
from connectors.source import MAIN, Batch, Checkpoint
from connectors.store.landing import IncomingRecord, QuarantineEntry
from leads.config import FileSourceConfig


class FileStream:
    volatile: frozenset[str] = frozenset()

    def __init__(self, name: str, settings: FileSourceConfig, chunk_size: int) -> None:
        self.name = name
        self.file = FileSource(name, settings)
        self.chunk_size = chunk_size
        self._seen_keys: set[str] = set()
        self._read_any = False

    def check(self) -> list[str]:
        return self.file.check()

    def read(self, checkpoints: Mapping[str, Checkpoint]) -> Iterator[Batch]:
        mark = checkpoints.get(MAIN)
        since = Cursor(mark.cursor_ts, mark.cursor_id) if mark else None
        newest: Cursor | None = None
        batch = Batch()
        for item in self.file.read(since):
            batch.read += 1
            if item is None:
                batch.skipped += 1
            elif isinstance(item, Record):
                batch.records.append(IncomingRecord(item.source_id, item.cursor.ts, item.payload, item.position))
                newest = cursor_max(newest, item.cursor)
                self._seen_keys.update(item.payload)
                self._read_any = True
            else:
                batch.rejected.append(QuarantineEntry(item.position, item.raw, item.reasons, item.source_id))
            if len(batch.records) + len(batch.rejected) >= self.chunk_size:
                yield batch
                batch = Batch()
        # Only with the whole file landed is everything up to `newest` in: the commit point.
        if newest is not None:
            batch.checkpoint = Checkpoint(newest.ts, newest.id)
        yield batch

    def missing_columns(self) -> list[str]:
        return self.file.missing_columns(self._seen_keys if self._read_any else None)

    def notes(self) -> list[str]:
        return []

    def requests(self) -> int:
        return 0
