"""Time six per-group metrics over 10 intersectional groups, three ways.

The tools, on the same decisions held in memory as pandas categoricals:

- reportgen, counts first: ``count_table`` over sex and race, then ``group_metrics``
  of their intersection (selection rate, TPR, FPR, FNR, precision, accuracy);
- fairlearn: ``MetricFrame`` with those six metrics and
  ``sensitive_features=[sex, race]``;
- Aequitas: ``Group().get_crosstabs`` on a frame with ``score``, ``label_value`` and
  one attribute column ``sex|race`` (Aequitas groups one attribute at a time, and
  wants text, not categoricals). Aequitas 1.1 requires pandas < 3, so it runs in
  its own virtual environment (see benchmarks/README.md) and in a child process;
  it is skipped, and says so, when that environment is missing.

For reference it also times the label-encoding floor (categorical codes, and
``pandas.factorize`` of the same labels as text), reportgen on text columns, and
reportgen streaming the Parquet file (which includes reading it).

Each timing is the best of ``--repeats`` runs in one process, except fairlearn above
``--fairlearn-once-above`` rows, which is run once (it takes minutes). Values are
checked equal across tools (largest absolute difference below 1e-12) before the
table is printed. Results are also written as JSON to benchmarks/data/.

Example::

    .venv/bin/python benchmarks/bench_group_metrics.py --rows 1M 10M
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
AEQUITAS_PYTHON = DATA / "venv-aequitas" / "bin" / "python"
METRICS = (
    "selection_rate",
    "true_positive_rate",
    "false_positive_rate",
    "false_negative_rate",
    "precision",
    "accuracy",
)
# Aequitas' names for the same metrics.
AEQUITAS_NAMES = {
    "selection_rate": "pprev",
    "true_positive_rate": "tpr",
    "false_positive_rate": "fpr",
    "false_negative_rate": "fnr",
    "precision": "precision",
    "accuracy": "accuracy",
}
TOLERANCE = 1e-12


def best_of(function: Callable[[], object], repeats: int) -> tuple[float, object]:
    """Best wall time of ``repeats`` calls, and the last result."""
    best = float("inf")
    result = None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def data_file(rows_text: str) -> Path:
    """The benchmark Parquet file for a row count, written if missing."""
    sys.path.insert(0, str(HERE))
    import make_data

    path = DATA / f"decisions_{rows_text.upper()}.parquet"
    if not path.exists():
        print(f"writing {path.name} ...", file=sys.stderr)
        make_data.write(
            path,
            make_data.parse_rows(rows_text),
            seed=0,
            row_group=1_000_000,
            fmt="parquet",
        )
    return path


# --------------------------------------------------------------------------------------
# The tools, each returning {(sex, race): {metric: value}}
# --------------------------------------------------------------------------------------


def reportgen_metrics(y_true, y_pred, sex, race) -> dict:
    from reportgen.fairness.counts import count_table
    from reportgen.fairness.metrics import group_metrics

    table = count_table(y_true, y_pred, sensitive_features={"sex": sex, "race": race})
    groups = table.marginal(["sex", "race"])
    values = group_metrics(groups.cells)
    return {
        label: {m: float(values[m][i]) for m in METRICS}
        for i, label in enumerate(groups.labels)
    }


def reportgen_streamed(path: Path) -> dict:
    from reportgen.fairness.metrics import group_metrics
    from reportgen.fairness.streaming import stream_count_table

    streamed = stream_count_table(
        path,
        target="y_true",
        prediction="y_pred",
        protected=["sex", "race"],
        positive_label="1",
    )
    groups = streamed.table.marginal(["sex", "race"])
    values = group_metrics(groups.cells)
    return {
        label: {m: float(values[m][i]) for m in METRICS}
        for i, label in enumerate(groups.labels)
    }


def fairlearn_metrics(frame) -> dict:
    from fairlearn.metrics import (
        MetricFrame,
        false_negative_rate,
        false_positive_rate,
        selection_rate,
        true_positive_rate,
    )
    from sklearn.metrics import accuracy_score, precision_score

    result = MetricFrame(
        metrics={
            "selection_rate": selection_rate,
            "true_positive_rate": true_positive_rate,
            "false_positive_rate": false_positive_rate,
            "false_negative_rate": false_negative_rate,
            "precision": precision_score,
            "accuracy": accuracy_score,
        },
        y_true=frame["y_true"],
        y_pred=frame["y_pred"],
        sensitive_features=frame[["sex", "race"]],
    )
    by_group = result.by_group
    return {
        tuple(str(v) for v in index): {m: float(row[m]) for m in METRICS}
        for index, row in by_group.iterrows()
    }


def aequitas_child(path: Path, repeats: int) -> None:
    """Run inside the Aequitas environment: time get_crosstabs, print JSON."""
    import aequitas
    import pandas as pd
    from aequitas.group import Group

    data = pd.read_parquet(path)
    start = time.perf_counter()
    groups = data["sex"].astype(str) + "|" + data["race"].astype(str)
    prepare = time.perf_counter() - start
    frame = pd.DataFrame(
        {
            "score": data["y_pred"].astype(int),
            "label_value": data["y_true"].astype(int),
            "sex_race": groups.astype(object),
        }
    )
    seconds, (crosstab, _) = best_of(
        lambda: Group().get_crosstabs(frame, attr_cols=["sex_race"]), repeats
    )
    values = {
        row["attribute_value"]: {m: float(row[a]) for m, a in AEQUITAS_NAMES.items()}
        for _, row in crosstab.iterrows()
    }
    print(
        json.dumps(
            {
                "seconds": seconds,
                "prepare_seconds": prepare,
                "versions": {
                    "aequitas": aequitas.__version__,
                    "pandas": pd.__version__,
                },
                "values": values,
            }
        )
    )


def run_aequitas(path: Path, python: Path, repeats: int) -> dict:
    """Aequitas' timing and values from its own environment, or why it did not run."""
    if not python.exists():
        return {"error": f"not run: no Aequitas environment at {python}"}
    done = subprocess.run(
        [
            str(python),
            __file__,
            "--aequitas-child",
            str(path),
            "--repeats",
            str(repeats),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": f"failed: {last}"}
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["values"] = {
        tuple(key.split("|")): value for key, value in result["values"].items()
    }
    return result


# --------------------------------------------------------------------------------------
# Comparison and report
# --------------------------------------------------------------------------------------


def largest_difference(reference: dict, other: dict) -> float:
    """Largest absolute difference over groups and metrics; inf if groups differ."""
    if set(reference) != set(other):
        return float("inf")
    worst = 0.0
    for group, values in reference.items():
        for metric in METRICS:
            a, b = values[metric], other[group][metric]
            if a != a and b != b:  # both NaN
                continue
            worst = max(worst, abs(a - b))
    return worst


def measure(rows_text: str, args) -> dict:
    import pandas as pd

    from reportgen.fairness.counts import encode_labels

    path = data_file(rows_text)
    frame = pd.read_parquet(path)
    n = len(frame)
    y_true = frame["y_true"].to_numpy()
    y_pred = frame["y_pred"].to_numpy()
    sex, race = frame["sex"], frame["race"]
    sex_text, race_text = sex.astype(str), race.astype(str)
    repeats = args.repeats
    out: dict = {"rows": n, "timings": {}, "differences": {}, "notes": []}

    def record(name: str, seconds: float, runs: int) -> None:
        out["timings"][name] = {"seconds": seconds, "runs": runs}
        print(f"  {name:<44} {seconds:10.3f} s  (best of {runs})", file=sys.stderr)

    print(f"{n:,} rows", file=sys.stderr)
    seconds, _ = best_of(lambda: (encode_labels(sex), encode_labels(race)), repeats)
    record("floor: categorical codes", seconds, repeats)
    seconds, _ = best_of(
        lambda: (pd.factorize(sex_text), pd.factorize(race_text)), repeats
    )
    record("floor: factorize text labels", seconds, repeats)

    seconds, reference = best_of(
        lambda: reportgen_metrics(y_true, y_pred, sex, race), repeats
    )
    record("reportgen counts-first (categoricals)", seconds, repeats)
    seconds, values = best_of(
        lambda: reportgen_metrics(y_true, y_pred, sex_text, race_text), repeats
    )
    record("reportgen counts-first (text columns)", seconds, repeats)
    out["differences"]["reportgen (text columns)"] = largest_difference(
        reference, values
    )
    seconds, values = best_of(lambda: reportgen_streamed(path), repeats)
    record("reportgen streamed from Parquet (with read)", seconds, repeats)
    out["differences"]["reportgen streamed"] = largest_difference(reference, values)

    if not args.skip_fairlearn:
        runs = 1 if n > args.fairlearn_once_above else repeats
        seconds, values = best_of(lambda: fairlearn_metrics(frame), runs)
        record("fairlearn MetricFrame", seconds, runs)
        out["differences"]["fairlearn"] = largest_difference(reference, values)
    else:
        out["notes"].append("fairlearn skipped (--skip-fairlearn)")

    aequitas = run_aequitas(path, args.aequitas_python, repeats)
    if "error" in aequitas:
        out["notes"].append(f"Aequitas {aequitas['error']}")
        print(f"  Aequitas {aequitas['error']}", file=sys.stderr)
    else:
        record("Aequitas get_crosstabs", aequitas["seconds"], repeats)
        out["notes"].append(
            "Aequitas: building its text column sex|race took "
            f"{aequitas['prepare_seconds']:.3f} s, not included"
        )
        out["aequitas_versions"] = aequitas["versions"]
        out["differences"]["Aequitas"] = largest_difference(
            reference, aequitas["values"]
        )
    out["groups"] = len(reference)
    return out


def print_table(results: list[dict]) -> None:
    names = list(dict.fromkeys(n for r in results for n in r["timings"]))
    base = "reportgen counts-first (categoricals)"
    header = "| tool | " + " | ".join(
        f"{r['rows']:,} rows: s | × reportgen" for r in results
    )
    print(header + " |")
    print("|" + "---|" * (1 + 2 * len(results)))
    for name in names:
        cells = []
        for r in results:
            timing = r["timings"].get(name)
            if timing is None:
                cells += ["—", "—"]
                continue
            ratio = timing["seconds"] / r["timings"][base]["seconds"]
            once = "" if timing["runs"] > 1 else " (1 run)"
            cells += [f"{timing['seconds']:.3f}{once}", f"{ratio:,.1f}"]
        print(f"| {name} | " + " | ".join(cells) + " |")
    for r in results:
        worst = max(r["differences"].values(), default=0.0)
        status = "identical" if worst < TOLERANCE else "DIFFERENT"
        print(
            f"\n{r['rows']:,} rows, {r['groups']} groups: values {status} across tools "
            f"(largest absolute difference {worst:.1e}: "
            + ", ".join(f"{k} {v:.1e}" for k, v in r["differences"].items())
            + ")"
        )
        for note in r["notes"]:
            print(f"{r['rows']:,} rows: {note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", nargs="+", default=["1M", "10M"])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--fairlearn-once-above", type=int, default=5_000_000)
    parser.add_argument("--skip-fairlearn", action="store_true")
    parser.add_argument("--aequitas-python", type=Path, default=AEQUITAS_PYTHON)
    parser.add_argument("--aequitas-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.aequitas_child:
        aequitas_child(args.aequitas_child, args.repeats)
        return

    import fairlearn
    import numpy
    import pandas

    import reportgen

    print(
        f"# {platform.platform()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; reportgen {reportgen.__version__}, "
        f"fairlearn {fairlearn.__version__}, pandas {pandas.__version__}, "
        f"numpy {numpy.__version__}"
    )
    results = [measure(rows, args) for rows in args.rows]
    for r in results:
        if "aequitas_versions" in r:
            versions = r["aequitas_versions"]
            print(
                f"# Aequitas {versions['aequitas']} on pandas {versions['pandas']} "
                "(own environment)"
            )
            break
    print_table(results)
    DATA.mkdir(exist_ok=True)
    out = DATA / "bench_group_metrics.json"
    out.write_text(json.dumps(results, indent=2))
    print(f"\n(results written to {out})")
    worst = max(max(r["differences"].values(), default=0.0) for r in results)
    if worst >= TOLERANCE:
        sys.exit("values differ between tools")


if __name__ == "__main__":
    main()
