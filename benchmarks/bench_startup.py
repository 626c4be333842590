"""Time how fast ``reportgen --help`` and ``reportgen --version`` answer.

Each command runs ``--runs`` times as a fresh process; the median wall time is
reported, beside a bare ``python -c pass`` for the interpreter's own start-up.

Example::

    .venv/bin/python benchmarks/bench_startup.py --runs 10
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path


def reportgen_command() -> list[str]:
    script = Path(sys.executable).with_name("reportgen")
    return [str(script)] if script.exists() else [sys.executable, "-m", "reportgen"]


def median_seconds(command: list[str], runs: int) -> tuple[float, float, float]:
    """Median, fastest and slowest wall time of ``runs`` runs of a command."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times), max(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "reportgen --version": reportgen_command() + ["--version"],
        "reportgen --help": reportgen_command() + ["--help"],
    }
    print(f"| command | median s ({args.runs} runs) | min s | max s |")
    print("|---|---|---|---|")
    for name, command in commands.items():
        median, fastest, slowest = median_seconds(command, args.runs)
        print(f"| {name} | {median:.3f} | {fastest:.3f} | {slowest:.3f} |")


if __name__ == "__main__":
    main()
