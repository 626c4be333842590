"""Write a seeded synthetic table of decisions for the benchmarks.

Columns: ``sex`` (2 groups) and ``race`` (5 groups), dictionary-encoded as pandas
categoricals are, so 10 intersectional groups; ``y_true`` and ``y_pred`` as 0/1
int8. Outcomes and decisions depend on the group, so the groups' rates differ.

Rows are generated and written in chunks of one row group each, so 100 million rows
need no more memory than one chunk. The same seed, row count and row-group size
give the same file.

Example::

    .venv/bin/python benchmarks/make_data.py --rows 10M
    .venv/bin/python benchmarks/make_data.py --rows 1M --format csv
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

DATA = Path(__file__).resolve().parent / "data"
SEXES = ["Female", "Male"]
SEX_SHARE = [0.5, 0.5]
RACES = ["Asian", "Black", "Hispanic", "Other", "White"]
RACE_SHARE = [0.06, 0.13, 0.18, 0.03, 0.60]
# Per (sex, race): share with a positive outcome, TPR and FPR of the decisions.
BASE_RATE = np.array([[0.30, 0.22, 0.25, 0.27, 0.33], [0.34, 0.26, 0.28, 0.30, 0.36]])
TPR = np.array([[0.78, 0.64, 0.70, 0.72, 0.82], [0.80, 0.68, 0.71, 0.74, 0.85]])
FPR = np.array([[0.10, 0.07, 0.08, 0.09, 0.12], [0.11, 0.08, 0.09, 0.10, 0.13]])

SCHEMA = pa.schema(
    [
        ("sex", pa.dictionary(pa.int8(), pa.string())),
        ("race", pa.dictionary(pa.int8(), pa.string())),
        ("y_true", pa.int8()),
        ("y_pred", pa.int8()),
    ]
)
# CSV has no dictionaries: the groups are written as text.
CSV_SCHEMA = pa.schema(
    [
        ("sex", pa.string()),
        ("race", pa.string()),
        ("y_true", pa.int8()),
        ("y_pred", pa.int8()),
    ]
)


def parse_rows(text: str) -> int:
    """``1000``, ``1M``, ``2.5M`` or ``1e8`` as a number of rows."""
    text = text.strip().upper().replace("_", "")
    scale = {"K": 10**3, "M": 10**6, "G": 10**9}.get(text[-1:], 1)
    number = text[:-1] if scale > 1 else text
    return int(float(number) * scale)


def chunk(rng: np.random.Generator, n: int) -> pa.RecordBatch:
    """``n`` decisions drawn from the generator."""
    sex = rng.choice(len(SEXES), size=n, p=SEX_SHARE).astype(np.int8)
    race = rng.choice(len(RACES), size=n, p=RACE_SHARE).astype(np.int8)
    draw = rng.random((2, n), dtype=np.float32)
    y_true = draw[0] < BASE_RATE[sex, race]
    rate = np.where(y_true, TPR[sex, race], FPR[sex, race])
    y_pred = draw[1] < rate
    return pa.record_batch(
        [
            pa.DictionaryArray.from_arrays(sex, pa.array(SEXES)),
            pa.DictionaryArray.from_arrays(race, pa.array(RACES)),
            pa.array(y_true.astype(np.int8)),
            pa.array(y_pred.astype(np.int8)),
        ],
        schema=SCHEMA,
    )


def write(path: Path, rows: int, *, seed: int, row_group: int, fmt: str) -> None:
    rng = np.random.default_rng(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    if fmt == "parquet":
        writer = pq.ParquetWriter(partial, SCHEMA, compression="snappy")
    else:
        writer = pacsv.CSVWriter(partial, CSV_SCHEMA)
    try:
        done = 0
        while done < rows:
            n = min(row_group, rows - done)
            batch = chunk(rng, n)
            if fmt == "parquet":
                writer.write_table(pa.Table.from_batches([batch]), row_group_size=n)
            else:
                writer.write_table(pa.Table.from_batches([batch]).cast(CSV_SCHEMA))
            done += n
    finally:
        writer.close()
    partial.replace(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", default="1M", help="rows to write (1M, 10M, 1e8)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--row-group", type=int, default=1_000_000)
    parser.add_argument("--format", choices=["parquet", "csv"], default="parquet")
    parser.add_argument("--out", type=Path, help="default: benchmarks/data/...")
    args = parser.parse_args()
    rows = parse_rows(args.rows)
    out = args.out or DATA / f"decisions_{args.rows.upper()}.{args.format}"
    start = time.perf_counter()
    write(out, rows, seed=args.seed, row_group=args.row_group, fmt=args.format)
    seconds = time.perf_counter() - start
    size = out.stat().st_size / 2**20
    print(f"{out}: {rows:,} rows, {size:,.1f} MiB, written in {seconds:.1f} s")


if __name__ == "__main__":
    main()
