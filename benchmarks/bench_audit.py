"""Time a whole ``reportgen audit`` of existing decisions, as a user runs it.

For each row count it runs, as a child process::

    reportgen audit --data decisions_N.parquet --target y_true --prediction y_pred \\
        --positive-label 1 --protected sex --protected race --out DIR

and reports its wall time, the peak resident memory of that child (from
``os.wait4``, so each run is measured on its own) and the time of each phase, read
from the progress lines the command prints on stderr. With ``--core`` it also
times ``stream_count_table`` alone on the same file in a child process: the part of
the audit that reads the data, once the CLI streams it.

Each audit runs through a small wrapper that counts the calls to
``stream_count_table``, so every result says whether the audit streamed the file
("streamed") or not ("in memory": before the CLI switched to streaming, or through
another reader). Numbers from before and after that change cannot be mixed up.

Example::

    .venv/bin/python benchmarks/bench_audit.py --rows 10M 100M --core
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
PHASE = re.compile(r"^\[\s*([0-9.]+)s\] (.*)$")

CORE = """
import sys
from reportgen.fairness.streaming import stream_count_table
result = stream_count_table(
    sys.argv[1], target="y_true", prediction="y_pred",
    protected=["sex", "race"], positive_label="1",
)
print(result.n_rows, result.rows_used)
"""


# Runs the reportgen command line, counting the calls to stream_count_table.
COUNTED_CLI = """
import atexit, sys
import reportgen.fairness.streaming as streaming
calls = []
original = streaming.stream_count_table
def counted(*args, **kwargs):
    calls.append(1)
    return original(*args, **kwargs)
streaming.stream_count_table = counted
atexit.register(
    lambda: print(f"[bench] stream_count_table calls: {len(calls)}", file=sys.stderr)
)
from reportgen.cli import main
sys.argv = ["reportgen", *sys.argv[1:]]
main()
"""
CALLS = re.compile(r"^\[bench\] stream_count_table calls: (\d+)$")


def decisions_mode(lines: list[str]) -> str:
    """Return "streamed" if the audit called stream_count_table, else "in memory"."""
    calls = [int(m[1]) for m in map(CALLS.match, lines) if m]
    if not calls:
        return "unknown"
    return "streamed" if calls[-1] else "in memory"


def run_child(command: list[str], log: Path) -> dict:
    """Run a command; its wall time, peak RSS (MiB), exit code and stderr lines."""
    with log.open("w") as err, open(os.devnull, "w") as out:
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    return {
        "seconds": seconds,
        "peak_rss_mib": usage.ru_maxrss / 1024,  # kilobytes on Linux
        "exit_code": child.returncode,
        "stderr": log.read_text().splitlines(),
    }


def phases(lines: list[str]) -> list[tuple[str, float]]:
    """Duration of each progress phase, from the "[  1.5s] message" lines."""
    marks = [(float(m[1]), m[2]) for m in map(PHASE.match, lines) if m]
    return [
        (message, later - start)
        for (start, message), (later, _) in zip(marks, marks[1:], strict=False)
    ]


def ensure_data(rows_text: str) -> Path:
    sys.path.insert(0, str(HERE))
    import make_data

    path = DATA / f"decisions_{rows_text.upper()}.parquet"
    if not path.exists():
        start = time.perf_counter()
        make_data.write(
            path,
            make_data.parse_rows(rows_text),
            seed=0,
            row_group=1_000_000,
            fmt="parquet",
        )
        print(
            f"wrote {path.name} ({path.stat().st_size / 2**20:,.0f} MiB) in "
            f"{time.perf_counter() - start:.0f} s",
            file=sys.stderr,
        )
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", nargs="+", default=["10M", "100M"])
    parser.add_argument(
        "--core", action="store_true", help="also time stream_count_table alone"
    )
    parser.add_argument(
        "--delete-data", action="store_true", help="delete each data file afterwards"
    )
    args = parser.parse_args()

    print(f"# disk: {shutil.disk_usage(DATA.parent).free / 2**30:,.0f} GiB free")
    results = []
    for rows_text in args.rows:
        path = ensure_data(rows_text)
        with tempfile.TemporaryDirectory(prefix="bench-audit-") as tmp:
            out = Path(tmp) / "report"
            command = [
                sys.executable,
                "-c",
                COUNTED_CLI,
                "audit",
                "--data",
                str(path),
                "--target",
                "y_true",
                "--prediction",
                "y_pred",
                "--positive-label",
                "1",
                "--protected",
                "sex",
                "--protected",
                "race",
                "--out",
                str(out),
            ]
            print(f"running reportgen audit on {path.name} ...", file=sys.stderr)
            audit = run_child(command, Path(tmp) / "stderr.txt")
            written = sorted(p.name for p in out.glob("*")) if out.exists() else []
        result = {
            "rows": rows_text,
            "mode": decisions_mode(audit["stderr"]),
            "audit": {k: v for k, v in audit.items() if k != "stderr"},
            "phases": phases(audit["stderr"]),
            "written": written,
        }
        if audit["exit_code"] != 0:
            result["error"] = (audit["stderr"] or ["no message"])[-1]
        if args.core:
            with tempfile.TemporaryDirectory(prefix="bench-core-") as tmp:
                core = run_child(
                    [sys.executable, "-c", CORE, str(path)], Path(tmp) / "err"
                )
            result["core"] = {k: v for k, v in core.items() if k != "stderr"}
        results.append(result)
        if args.delete_data:
            path.unlink()

    print("| rows | what | wall s | peak RSS MiB | exit |")
    print("|---|---|---|---|---|")
    for r in results:
        a = r["audit"]
        print(
            f"| {r['rows']} | reportgen audit ({r['mode']}) | {a['seconds']:.1f} | "
            f"{a['peak_rss_mib']:,.0f} | {a['exit_code']} |"
        )
        if "core" in r:
            c = r["core"]
            print(
                f"| {r['rows']} | stream_count_table alone | {c['seconds']:.1f} | "
                f"{c['peak_rss_mib']:,.0f} | {c['exit_code']} |"
            )
    for r in results:
        print(f"\n{r['rows']} rows, phases of the audit ({r['mode']}):")
        for message, seconds in r["phases"]:
            print(f"  {seconds:7.1f} s  {message}")
        if "error" in r:
            print(f"  failed: {r['error']}")
        else:
            print(f"  wrote: {', '.join(r['written'])}")
    DATA.mkdir(exist_ok=True)
    (DATA / "bench_audit.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
