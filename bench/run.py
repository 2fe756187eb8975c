"""Run Beatwise's benchmarks: ``python bench/run.py [NAME ...]`` (``make bench B=NAME``).

With no names, every ``bench/bench_*.py`` module runs, in name order; ``NAME`` is the part after
``bench_`` (``ingest`` runs ``bench/bench_ingest.py``). Each module's ``run()`` returns a list of
:class:`harness.Result`. The results are printed as a table and appended, dated and with the
machine's cores, memory and versions, to ``docs/benchmarks.md``. ``--no-record`` only prints.
The exit status is 1 when any result misses its target.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

import harness  # noqa: E402


def available() -> list[str]:
    """Names of the benchmarks in bench/, in order."""
    return sorted(p.stem.removeprefix("bench_") for p in BENCH_DIR.glob("bench_*.py"))


def run(names: list[str]) -> list[harness.Result]:
    """Run the named benchmarks (all when ``names`` is empty) and gather their results."""
    known = available()
    unknown = [n for n in names if n not in known]
    if unknown:
        raise SystemExit(f"unknown benchmark(s) {', '.join(unknown)}; known: {', '.join(known)}")
    results: list[harness.Result] = []
    for name in names or known:
        module = importlib.import_module(f"bench_{name}")
        results.extend(module.run())
    return results


def main(argv: list[str] | None = None) -> int:
    """Entry point: run, print, record; 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    known = ", ".join(available())
    parser.add_argument("names", nargs="*", help=f"benchmarks to run (of: {known}; default all)")
    parser.add_argument("--no-record", action="store_true", help="do not append to the docs")
    args = parser.parse_args(argv)
    results = run(args.names)
    harness.print_table(results)
    if not args.no_record:
        harness.append_results(results)
        print(f"appended to {harness.RESULTS.relative_to(harness.ROOT)}")
    return 1 if any(r.met is False for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
