"""The shared parts of every benchmark: timing, child processes, machine facts, reporting.

A benchmark module (``bench/bench_<name>.py``) exposes ``run() -> list[Result]``. Each
:class:`Result` pairs Beatwise's figure with a named peer's figure on the same input, measured in
the same run, and their ratio (Beatwise seconds / peer seconds: below 1 means Beatwise is faster).
``bench/run.py`` prints the results as a table and appends them to ``docs/benchmarks.md``.

Measured work runs in a fresh child process per repetition (``measure``), so that one run's
caches and memory do not leak into the next and the child's peak resident memory is its own.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
DATA_DIR = BENCH_DIR / ".data"
"""Inputs made or downloaded by benchmarks (gitignored): made once, reused after."""
RESULTS = ROOT / "docs" / "benchmarks.md"
RESULTS_MARKER = "<!-- results: bench/run.py appends below this line -->"
VERSIONED = ("beatwise", "duckdb", "deltalake", "pyarrow")

Work = Callable[..., dict[str, Any]]


@dataclass(frozen=True)
class Timing:
    """Repeated measurements of one piece of work: the median is the figure reported."""

    seconds: tuple[float, ...]
    peak_rss_bytes: int
    extra: dict[str, Any]

    @property
    def median(self) -> float:
        """Median wall seconds over the repetitions."""
        return statistics.median(self.seconds)

    @property
    def best(self) -> float:
        """Fastest repetition, in wall seconds."""
        return min(self.seconds)


@dataclass(frozen=True)
class Result:
    """One line of the results table: Beatwise against a peer on the same input.

    ``beatwise`` and ``peer`` are throughputs in ``unit`` (higher is better); ``ratio`` is
    Beatwise's seconds over the peer's seconds; ``met`` is None when no target applies.
    """

    benchmark: str
    input: str
    unit: str
    beatwise: float
    peer_name: str
    peer: float
    ratio: float
    target: str = ""
    met: bool | None = None
    note: str = ""


def _child(work: Work, args: tuple[Any, ...]) -> tuple[dict[str, Any], int]:
    """Run ``work`` in this (child) process and return its output and the peak RSS in bytes."""
    out = work(*args)
    return out, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _once(work: Work, args: tuple[Any, ...]) -> tuple[float, int, dict[str, Any]]:
    """One run of ``work(*args)`` in a fresh spawned process: seconds, peak RSS, facts."""
    _sample_load()
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        extra, rss = pool.submit(_child, work, args).result()
    return float(extra.pop("seconds")), rss, extra


def measure(work: Work, *args: Any, repeat: int = 3) -> Timing:
    """Run ``work(*args)`` ``repeat`` times, each in a fresh spawned process.

    ``work`` must be a module-level function returning a dict with ``seconds`` (the wall time of
    the measured part only, excluding imports and setup) and any other facts to keep; the facts
    of the fastest repetition (the one reported) are returned in ``Timing.extra``.
    """
    (timing,) = measure_interleaved([(work, args)], repeat=repeat)
    return timing


def measure_interleaved(
    works: Sequence[tuple[Work, tuple[Any, ...]]], repeat: int = 3
) -> list[Timing]:
    """Like :func:`measure` for several works, run in turn (A, B, A, B, ...).

    On a shared machine the load drifts; taking turns exposes Beatwise and its peer to the same
    drift, so their ratio is steadier than when all of one runs before all of the other.
    """
    seconds: list[list[float]] = [[] for _ in works]
    peaks = [0] * len(works)
    extras: list[dict[str, Any]] = [{} for _ in works]
    for _ in range(repeat):
        for i, (work, args) in enumerate(works):
            took, rss, extra = _once(work, args)
            if not seconds[i] or took < min(seconds[i]):
                extras[i] = extra
            seconds[i].append(took)
            peaks[i] = max(peaks[i], rss)
    return [Timing(tuple(s), p, e) for s, p, e in zip(seconds, peaks, extras, strict=True)]


def stopwatch() -> Callable[[], float]:
    """Start a wall clock; calling the result gives the seconds since the start."""
    start = time.perf_counter()
    return lambda: time.perf_counter() - start


def repeats(default: int) -> int:
    """Repetitions per measurement: ``BENCH_REPEAT`` from the environment, else ``default``."""
    return max(1, int(os.environ.get("BENCH_REPEAT", default)))


def _memory_bytes() -> int:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "absent"


def _os_name() -> str:
    """The distribution's name (``/etc/os-release``), else the kernel's."""
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip('"') + f", {platform.system()}"
    except OSError:
        pass
    return platform.system()


def _git(*args: str) -> str:
    try:
        done = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return ""
    return done.stdout.decode().strip()


def code_line() -> str:
    """Which Beatwise code was measured: the commit, and whether ``src/`` had uncommitted edits
    (the working tree is shared; figures of uncommitted code are not reproducible)."""
    spec = importlib.util.find_spec("beatwise")
    src = Path(spec.origin).resolve().parents[1] if spec and spec.origin else None
    head = _git("rev-parse", "--short", "HEAD") or "unknown"
    if src == ROOT / "src":
        dirty = _git("status", "--porcelain", "--", "src")
        return f"src/ at commit {head}" + (", with uncommitted changes" if dirty else "")
    return f"beatwise imported from {src} (the repository is at commit {head})"


def machine_line() -> str:
    """Cores, memory, CPU model, OS, the versions that matter and the code, on one line."""
    gib = _memory_bytes() / 2**30
    versions = ", ".join(f"{name} {_version(name)}" for name in VERSIONED)
    return (
        f"{os.cpu_count()} cores, {gib:.0f} GiB, {_cpu_model()}, {_os_name()} "
        f"{platform.release()}; Python {sys.version.split()[0]}, {versions}; {code_line()}"
    )


def rate(value: float) -> str:
    """A throughput with thousands separators, no decimals."""
    return f"{value:,.0f}"


def _met(result: Result) -> str:
    if result.met is None:
        return "—"
    return ("yes" if result.met else "NO") + (f" ({result.target})" if result.target else "")


def _rows(results: Sequence[Result]) -> list[list[str]]:
    return [
        [
            r.benchmark,
            r.input,
            f"{rate(r.beatwise)} {r.unit}",
            r.peer_name,
            f"{rate(r.peer)} {r.unit}",
            f"{r.ratio:.2f}×",
            _met(r),
            r.note,
        ]
        for r in results
    ]


HEADERS = ("benchmark", "input", "Beatwise", "peer", "peer figure", "ratio", "target met?", "note")


def print_table(results: Sequence[Result], console: Console | None = None) -> None:
    """Print ``results`` as a Rich table, with the machine line under it."""
    table = Table(title="Beatwise benchmarks (ratio = Beatwise seconds / peer seconds)")
    for header in HEADERS:
        table.add_column(header, overflow="fold")
    for row in _rows(results):
        table.add_row(*row)
    out = console or Console()
    if not out.is_terminal:  # piped or logged: do not squeeze the table into 80 columns
        out = Console(width=200)
    out.print(table)
    out.print(f"{machine_line()}; {load_line()}")


_LOADS: list[float] = []
"""The 1-minute load average sampled before each measured run of this process."""


def _sample_load() -> None:
    with contextlib.suppress(OSError):
        _LOADS.append(os.getloadavg()[0])


def load_line() -> str:
    """The machine's load averages (1, 5, 15 min) now, the 1-minute load before the first
    measured run and the highest seen before any: other work sharing the cores skews figures
    (the benchmark's own runs add up to about 2 on 2 cores)."""
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "load average unknown"
    during = (
        f"; 1-min load before the first run {_LOADS[0]:.1f}, highest before a run {max(_LOADS):.1f}"
        if _LOADS
        else ""
    )
    return f"load average {one:.1f} / {five:.1f} / {fifteen:.1f} (1 / 5 / 15 min){during}"


def markdown_section(results: Sequence[Result], when: datetime | None = None) -> str:
    """A dated markdown section with the machine line, its load and the results table."""
    stamp = (when or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"### {stamp}",
        "",
        f"Machine: {machine_line()}. At the end of the run: {load_line()}.",
        "",
        "| " + " | ".join(HEADERS) + " |",
        "|" + " --- |" * len(HEADERS),
    ]
    lines += ["| " + " | ".join(row) + " |" for row in _rows(results)]
    return "\n".join(lines) + "\n"


def append_results(results: Sequence[Result], path: Path = RESULTS) -> None:
    """Append a dated section to ``path``, newest last, below the results marker."""
    text = path.read_text() if path.exists() else f"# Benchmarks\n\n{RESULTS_MARKER}\n"
    if RESULTS_MARKER not in text:
        text = text.rstrip("\n") + f"\n\n## Results\n\n{RESULTS_MARKER}\n"
    path.write_text(text.rstrip("\n") + "\n\n" + markdown_section(results))
