"""Run every benchmark in this folder, or the ones named: ``python benchmarks/run.py [NAME ...]``.

A benchmark is any ``benchmarks/<name>.py`` script (``run.py`` and ``_helpers.py`` excepted)
that prints its figures, ours beside the peer's from the same run. Each runs in its own
process with this interpreter, so one benchmark's imports and caches never colour another's.
Record the printed figures, with the machine and date printed here, in docs/benchmarks.md.

Options: ``--list`` prints the names; anything after ``--`` is passed to every benchmark.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
from pathlib import Path

from _machine import machine  # benchmarks/ is the script's folder

HERE = Path(__file__).resolve().parent


def available() -> dict[str, Path]:
    """Benchmark name → script, sorted by name."""
    return {
        p.stem: p
        for p in sorted(HERE.glob("*.py"))
        if p.name != "run.py" and not p.name.startswith("_")
    }


def main(argv: list[str]) -> int:
    extra: list[str] = []
    if "--" in argv:
        cut = argv.index("--")
        argv, extra = argv[:cut], argv[cut + 1 :]
    scripts = available()
    if "--list" in argv:
        print("\n".join(scripts))
        return 0
    unknown = [a for a in argv if a not in scripts]
    if unknown:
        print(
            f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(scripts)}",
            file=sys.stderr,
        )
        return 2
    chosen = argv or list(scripts)
    print(f"# benchmarks on {machine()}, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
    failed = []
    for name in chosen:
        print(f"\n## {name}", flush=True)
        start = time.perf_counter()
        code = subprocess.call([sys.executable, str(scripts[name]), *extra], cwd=HERE.parent)
        print(f"-- {name}: exit {code} after {time.perf_counter() - start:.1f} s", flush=True)
        if code:
            failed.append(name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
