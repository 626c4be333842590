"""Audits of decisions already made, on files too large to load.

:func:`streamed_evidence` builds everything an audit of given decisions needs
without holding the table in memory: the confusion counts come from
:func:`reportgen.fairness.streaming.stream_count_table`, the score histograms
(when a score column is named) from a second pass over the score, outcome,
decision and protected columns, batch by batch, and the privacy scan and the
summaries of the columns the audit does not use from the first rows of the file.

Limitation: the privacy scan (identifiers, k-anonymity, proxies) sees only the
first ``privacy.sample_size`` rows of a streamed file, and says so in the report;
the median score and the scoring rate are read off 1,000-bin histograms (the
median to half a bin width).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from reportgen.config import AuditConfig
from reportgen.data import BinaryLabels, csv_options, detect_format, label_text
from reportgen.fairness import scores as sc
from reportgen.fairness.analysis import score_bins
from reportgen.fairness.streaming import stream_count_table
from reportgen.report import ColumnSummary, ModelSection

BATCH_ROWS = 1_000_000
PROGRESS_SECONDS = 2.0


def streamed_evidence(config: AuditConfig, header: list[str], progress: Callable):
    """Counts, score histograms and a row sample of a decisions file."""
    from reportgen.audit import _Evidence, column_roles

    path = config.data.path
    kind = detect_format(path, config.data.format)
    prediction = config.predictions.column
    score = config.predictions.score_column
    protected = config.protected_names

    last = [time.perf_counter()]

    def counted(rows: int) -> None:
        # At most one line every two seconds, however many batches there are.
        now = time.perf_counter()
        if now - last[0] >= PROGRESS_SECONDS:
            last[0] = now
            progress(f"Counted {rows:,} rows")

    progress("Counting decisions per group, batch by batch")
    streamed = stream_count_table(
        path,
        target=config.target,
        prediction=prediction,
        protected=protected,
        positive_label=config.positive_label,
        file_format=config.data.format,
        batch_rows=BATCH_ROWS,
        progress=counted,
    )
    labels = BinaryLabels(streamed.positive_label, streamed.negative_label)
    score_table = None
    if score:
        progress("Building score histograms, batch by batch")
        score_table = _score_table(config, kind, labels)

    sample = read_head(path, kind, config.privacy.sample_size)
    roles = column_roles(config, [])
    columns = []
    for name in header:
        if name in streamed.missing:
            dtype = str(sample[name].dtype) if name in sample else "unknown"
            columns.append(
                ColumnSummary(
                    name=name,
                    role=roles.get(name, "unused"),
                    dtype=dtype,
                    missing=streamed.missing[name],
                    distinct=streamed.distinct.get(name, 0),
                )
            )
        else:
            column = sample[name]
            columns.append(
                ColumnSummary(
                    name=name,
                    role=roles.get(name, "unused"),
                    dtype=str(column.dtype),
                    missing=int(column.isna().sum()),
                    distinct=int(column.nunique(dropna=True)),
                )
            )
    reasons = []
    if streamed.rows_without_target:
        reasons.append(f"{streamed.rows_without_target} rows without a target value")
    if streamed.rows_without_decision:
        reasons.append(f"{streamed.rows_without_decision} rows without a decision")
    note = None
    if len(sample) < streamed.n_rows:
        read = {*streamed.missing}
        note = (
            f"Counted batch by batch over all {streamed.n_rows:,} rows. Columns "
            f"the audit does not use ({len(header) - len(read)}) are summarised, "
            f"and scanned for privacy risks, on the first {len(sample):,} rows."
        )
    return _Evidence(
        table=streamed.table,
        labels=labels,
        features=[],
        decisions=None,
        model=ModelSection(
            mode="decisions",
            evaluation_rows=streamed.rows_used,
            prediction_column=prediction,
            score_column=score,
        ),
        frame=sample,
        n_rows=streamed.n_rows,
        rows_used=streamed.rows_used,
        rows_dropped=streamed.rows_without_target + streamed.rows_without_decision,
        drop_reasons=reasons,
        columns=columns,
        score_table=score_table,
        sample_note=note,
    )


def read_head(path: Path, kind: str, rows: int):
    """The first ``rows`` rows of a file, all columns, as a DataFrame."""
    import pandas as pd

    if kind == "parquet":
        import pyarrow.parquet as pq

        batches = pq.ParquetFile(path, pre_buffer=False).iter_batches(batch_size=rows)
        first = next(batches, None)
        if first is None:
            return pd.DataFrame()
        return first.to_pandas()
    return pd.read_csv(path, nrows=rows, low_memory=False, **csv_options(path))


def _batches(path: Path, kind: str, columns: list[str]):
    """DataFrames of the given columns, one batch at a time."""
    import pandas as pd

    if kind == "parquet":
        import pyarrow.parquet as pq

        for batch in pq.ParquetFile(path, pre_buffer=False).iter_batches(
            batch_size=BATCH_ROWS, columns=columns
        ):
            yield batch.to_pandas()
    else:
        yield from pd.read_csv(
            path, usecols=columns, chunksize=BATCH_ROWS, **csv_options(path)
        )


def _score_table(config: AuditConfig, kind: str, labels: BinaryLabels):
    """Score histograms per group and outcome, merged over batches."""
    import pandas as pd

    path = config.data.path
    score = config.predictions.score_column
    low, high = np.inf, -np.inf
    for frame in _batches(path, kind, [score]):
        values = pd.to_numeric(frame[score], errors="coerce").to_numpy(float)
        finite = values[np.isfinite(values)]
        if finite.size:
            low, high = min(low, finite.min()), max(high, finite.max())
    bins = score_bins(*((low, high) if np.isfinite(low) else (0.0, 1.0)))

    protected = config.protected_names
    prediction = config.predictions.column
    columns = list(dict.fromkeys([score, config.target, prediction, *protected]))
    table = None
    for frame in _batches(path, kind, columns):
        keep = frame[config.target].notna() & frame[prediction].notna()
        frame = frame.loc[keep]
        if frame.empty:
            continue
        outcome = frame[config.target].map(label_text) == labels.positive
        part = sc.score_table(
            pd.to_numeric(frame[score], errors="coerce").to_numpy(float),
            outcome.to_numpy(dtype=np.int8),
            sensitive_features={p: frame[p] for p in protected},
            bins=bins,
        )
        table = part if table is None else table.merge(part)
    return table
