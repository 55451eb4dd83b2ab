"""Progress of long stages, shown by whoever is watching (the CLI draws rich progress bars).

Tasks report through this module; with no listener installed it costs nothing. Listeners must be
thread-safe: tasks of one run report from several threads.
"""

from __future__ import annotations

from typing import Protocol


class Listener(Protocol):
    def stage_started(self, stage: str, total: int | None) -> None: ...
    def advanced(self, stage: str, amount: int) -> None: ...
    def stage_finished(self, stage: str) -> None: ...


_listeners: list[Listener] = []


def add_listener(listener: Listener) -> None:
    _listeners.append(listener)


def remove_listener(listener: Listener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def started(stage: str, total: int | None = None) -> None:
    for listener in _listeners:
        listener.stage_started(stage, total)


def advanced(stage: str, amount: int) -> None:
    for listener in _listeners:
        listener.advanced(stage, amount)


def finished(stage: str) -> None:
    for listener in _listeners:
        listener.stage_finished(stage)
