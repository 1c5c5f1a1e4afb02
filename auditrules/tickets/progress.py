"""Progress: named evaluation steps → a transient rich spinner on stderr (only when it helps).

The display appears only when asked for, when stderr is a terminal, and once a step has run for
about a second; it is transient, so nothing is left on screen and nothing goes to stdout.
"""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import Any


class StepProgress:
    """A context manager with ``step(text)``; a no-op unless enabled and stderr is a TTY."""

    DELAY_SECONDS = 1.0

    def __init__(self, enabled: bool, total: int) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.total = max(total, 1)
        self.done = 0
        self.started = time.monotonic()
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> StepProgress:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def _start(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._progress.start()
        self._task = self._progress.add_task("tickets", total=self.total, completed=self.done)

    def step(self, text: str) -> None:
        """Announce the next step (``text``) and count the previous one as done."""
        if not self.enabled:
            return
        if self._progress is None and time.monotonic() - self.started >= self.DELAY_SECONDS:
            self._start()
        if self._progress is not None:
            self._progress.update(self._task, description=text, completed=self.done)
        self.done += 1
