"""What every benchmark here shares: timing, best-of runs, formatting, machine facts."""

from __future__ import annotations

import argparse
import contextlib
import datetime
import os
import platform
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table


def timed(action: Callable[[], object]) -> tuple[float, object]:
    began = time.perf_counter()
    result = action()
    return time.perf_counter() - began, result


@dataclass
class Runs:
    """Seconds per run for named parts; `best` is the minimum of each."""

    seconds: dict[str, list[float]]

    @classmethod
    def empty(cls) -> Runs:
        return cls({})

    def add(self, name: str, value: float) -> None:
        self.seconds.setdefault(name, []).append(value)

    def add_all(self, parts: dict[str, float]) -> None:
        for name, value in parts.items():
            self.add(name, value)

    def best(self, name: str) -> float:
        return min(self.seconds[name])

    def paired(self, name: str) -> Paired:
        """Each run's `name` over its `floor_name`, the two measured next to each other,
        runs 0, 2, 4… with custbook first and 1, 3, 5… with the floor first."""
        mine, floor = self.seconds[name], self.seconds[f"floor_{name}"]
        return Paired([m / f for m, f in zip(mine, floor, strict=True)])


@dataclass(frozen=True)
class Paired:
    """Ratios of runs measured in pairs (custbook over its floor, side by side), in run
    order, each side going first in every other run. A goal is judged by the median of
    `balanced`: two runs side by side share the machine's state of the moment, where
    the best of each side comes from different moments (on this noisy 2-core machine the
    best-of ratio of one operation ranged 1.85-2.45 in an hour)."""

    ratios: list[float]

    @property
    def balanced(self) -> list[float]:
        """Each two runs' ratios as one, the geometric mean of a run with custbook first
        and the next with the floor first, sorted: whoever goes second finds SQLite's
        pages warm, and at 10,000 customers a page's ratio was 2.23 with custbook first
        and 1.27 with the floor first. A median of the runs themselves took the middle
        of one order or the other, whichever had more runs (1.95); this is 1.64. One run
        alone is its own ratio."""
        firsts, seconds = self.ratios[::2], self.ratios[1::2]  # an odd last run is left out
        pairs = [(a * b) ** 0.5 for a, b in zip(firsts, seconds, strict=False)]
        return sorted(pairs or self.ratios)

    @property
    def median(self) -> float:
        return statistics.median(self.balanced)

    def spread(self) -> str:
        """The middle half of the balanced ratios, as text (too few have none)."""
        found = self.balanced
        if len(found) < 4:
            return ""
        count = len(found)
        return f"{found[count // 4]:.2f}-{found[(3 * count - 1) // 4]:.2f}"


def fmt_s(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def machine_table(extra: dict[str, str] | None = None) -> Table:
    """The machine the figures were measured on, plus any facts a benchmark adds."""
    table = Table(title="Machine")
    table.add_column("fact")
    table.add_column("value")
    facts = {
        "platform": platform.platform(),
        "CPU": cpu_model(),
        "cores": str(os.cpu_count()),
        "Python": sys.version.split()[0],
        "SQLite": sqlite3.sqlite_version,
        **(extra or {}),
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
    }
    for fact, value in facts.items():
        table.add_row(fact, value)
    return table


def measure_sizes(
    doc: str,
    measure: Callable[[int, int], Table],
    argv: list[str],
    console: Console,
    *,
    repeat: int,
    repeat_help: str,
) -> None:
    """Parse --sizes and --repeat, print each size's table as it is done, then all of
    them together (the first ones have scrolled away by then)."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="customer counts")
    parser.add_argument("--repeat", type=int, default=repeat, help=repeat_help)
    args = parser.parse_args(argv)
    tables = []
    for size in (int(s) for s in args.sizes.split(",") if s.strip()):
        console.print(f"[dim]{size:,} customers: filling (or opening a kept book)…[/dim]")
        tables.append(measure(size, args.repeat))
        console.print(tables[-1])
    for table in tables:
        console.print(table)


def keep_option(argv: list[str]) -> tuple[Path | None, list[str]]:
    """--keep DIR (where filled books stay for the next run) and the other arguments."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--keep", type=Path, help="keep the filled books here, and reuse them")
    known, rest = parser.parse_known_args(argv)
    if known.keep:
        known.keep.mkdir(mode=0o700, parents=True, exist_ok=True)
    return known.keep, rest


@contextlib.contextmanager
def books_folder(keep: Path | None) -> Iterator[Path]:
    """`keep`, or a temporary folder removed afterwards."""
    if keep is not None:
        yield keep
        return
    folder = Path(tempfile.mkdtemp(prefix="custbook-bench-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder)
