"""What the benchmarks share: the "Measured on …" line, their sections as Markdown, and writing
their own part of ``docs/performance.md`` (each between markers of its own)."""

from __future__ import annotations

import os
import platform
from collections.abc import Sequence
from datetime import date
from pathlib import Path


def measured_line() -> str:
    """ "Measured 2026-12-07 with Python 3.13.0 on 2 cores." """
    return (
        f"Measured {date.today().isoformat()} with Python {platform.python_version()} "
        f"on {os.cpu_count()} cores."
    )


def sections_text(sections: Sequence[tuple[str, Sequence[str]]], *, level: int) -> str:
    """The measured line, then each (title, lines) under a heading of ``level``."""
    out = [measured_line(), ""]
    for title, lines in sections:
        out += [f"{'#' * level} {title}", "", *lines, ""]
    return "\n".join(out)


def replace_between(path: Path, start: str, end: str | None, block: str) -> None:
    """Put ``block`` between the markers ``start`` and ``end`` of ``path`` (everything after
    ``start`` when ``end`` is None), keeping the markers and what lies outside them."""
    before, rest = path.read_text().split(start, 1)
    after = "" if end is None else end + rest.split(end, 1)[1]
    path.write_text(f"{before}{start}{block}{after}")
