"""Rich progress bars for the CLI, fed by tasks.progress."""

from __future__ import annotations

import threading

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

from tasks import progress


class RichProgress:
    def __init__(self, console: Console):
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self._tasks: dict[str, TaskID] = {}
        self._lock = threading.Lock()

    def start(self) -> None:
        progress.add_listener(self)
        self._progress.start()

    def stop(self) -> None:
        progress.remove_listener(self)
        self._progress.stop()

    def stage_started(self, stage: str, total: int | None) -> None:
        with self._lock:
            self._tasks[stage] = self._progress.add_task(stage, total=total)

    def advanced(self, stage: str, amount: int) -> None:
        with self._lock:
            task_id = self._tasks.get(stage)
        if task_id is not None:
            self._progress.advance(task_id, amount)

    def stage_finished(self, stage: str) -> None:
        with self._lock:
            task_id = self._tasks.get(stage)
        if task_id is not None:
            task = self._progress.tasks[task_id] if task_id < len(self._progress.tasks) else None
            total = task.completed if task is not None else None
            self._progress.update(task_id, total=total, completed=total)
