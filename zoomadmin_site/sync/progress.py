"""Progress reporting for the sync: a bar with counts and ETA on a terminal, plain lines otherwise."""

from __future__ import annotations

import time
from typing import Protocol


def format_duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


class Stream(Protocol):
    """Where the printer writes: a text file, or a command's output."""

    def write(self, text: str, /) -> object: ...

    def flush(self) -> None: ...

    def isatty(self) -> bool: ...


class ProgressPrinter:
    """Call `update(phase, done, total)` as often as you like; it redraws at most every `interval` s
    (terminal) or prints a line at most every `line_interval` s (log files, CI)."""

    def __init__(
        self, stream: Stream, *, is_tty: bool | None = None, interval: float = 0.2, line_interval: float = 5.0
    ) -> None:
        self.stream = stream
        self.is_tty = stream.isatty() if is_tty is None else is_tty
        self.interval = interval if self.is_tty else line_interval
        self.started = time.monotonic()
        self._last_draw = 0.0
        self._phase = ""

    def eta(self, done: int, total: int) -> str:
        elapsed = time.monotonic() - self.started
        if not done or not total or done >= total:
            return "--:--"
        return format_duration(elapsed / done * (total - done))

    def render(self, phase: str, done: int, total: int, width: int = 30) -> str:
        fraction = min(1.0, done / total) if total else 0.0
        if self.is_tty:
            filled = int(width * fraction)
            bar = "█" * filled + "░" * (width - filled)
            return f"\r{phase:<12} {bar} {done:>8,}/{total:<8,} {fraction:6.1%}  ETA {self.eta(done, total)}"
        return f"{phase}: {done:,}/{total:,} ({fraction:.1%}), ETA {self.eta(done, total)}\n"

    def update(self, phase: str, done: int, total: int, *, force: bool = False) -> None:
        now = time.monotonic()
        phase_changed = phase != self._phase
        if not (force or phase_changed or now - self._last_draw >= self.interval):
            return
        if phase_changed and self._phase and self.is_tty:
            self.stream.write("\n")
        self._phase = phase
        self._last_draw = now
        self.stream.write(self.render(phase, done, total))
        self.stream.flush()

    def finish(self) -> None:
        if self.is_tty and self._phase:
            self.stream.write("\n")
            self.stream.flush()
