"""Reading the audited table and checking that it can be audited.

This is the I/O edge for data: :func:`read_table` reads CSV or Parquet, and
:func:`validate_roles` checks the columns a config names, raising
:class:`~reportgen.errors.InputError` with one clear line for anything a user must
fix (missing file or column, empty table, non-binary target, a protected attribute
with one group only). :func:`binary_outcome` turns a label column into 0/1 around
the stated positive (favourable) label.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from reportgen.errors import InputError
from reportgen.fairness.counts import label_text  # noqa: F401 - re-exported

if TYPE_CHECKING:
    import pandas as pd

ERR_NOT_FOUND = "data file not found (or not a file): {}"
ERR_EMPTY = "data file has no rows: {}"
ERR_FORMAT = (
    "cannot tell the format of {}: use a .csv or .parquet file, or set data.format"
)
ERR_UNREADABLE = "cannot read {} as {}: {}"
ERR_MISSING_COLUMNS = "column{} not found in the data: {}. Available columns: {}"
ERR_NOT_BINARY = (
    "target {!r} must have exactly two distinct values to audit a binary decision; "
    "found {}: {}"
)
ERR_POSITIVE_LABEL = "positive label {!r} is not a value of {!r}; its values are: {}"
ERR_NEED_POSITIVE_LABEL = (
    "cannot infer which value of {!r} is the positive (favourable) outcome among {}; "
    "set positive_label (--positive-label)"
)
ERR_ONE_GROUP = (
    "protected attribute {!r} has only one group ({}); a fairness audit compares "
    "at least two groups"
)
ERR_PREDICTION_VALUES = (
    "prediction column {!r} holds values {} that are not labels of the target "
    "({}, {}); decisions must use the same labels as the target"
)
ERR_NO_LABELLED_ROWS = "no row has a value in target column {!r}"


SEPARATORS = (",", ";", "\t", "|")


def csv_separator(path: Path) -> str:
    """The field separator of a CSV file, read off its header line.

    The most frequent of comma, semicolon, tab and pipe in the first line (a
    ``.tsv`` file is tab-separated); comma when none appears.
    """
    if path.suffix.lower() == ".tsv":
        return "\t"
    try:
        with open(path, encoding="utf-8", errors="replace", newline="") as handle:
            header = handle.readline()
    except OSError:
        return ","
    counts = {sep: header.count(sep) for sep in SEPARATORS}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def csv_options(path: Path) -> dict[str, str]:
    """pandas ``read_csv`` options for a file: its separator, and the decimal
    comma that goes with a semicolon separator (as spreadsheets write them)."""
    sep = csv_separator(path)
    return {"sep": sep, "decimal": "," if sep == ";" else "."}


def detect_format(path: Path, declared: str = "auto") -> str:
    """Return ``"csv"`` or ``"parquet"`` from the declared format or the suffix."""
    if declared != "auto":
        return declared
    suffixes = [s.lower() for s in path.suffixes]
    if ".parquet" in suffixes or ".pq" in suffixes:
        return "parquet"
    if ".csv" in suffixes or ".txt" in suffixes or ".tsv" in suffixes:
        return "csv"
    raise InputError(ERR_FORMAT.format(path))


def read_table(
    path: Path, *, file_format: str = "auto", columns: list[str] | None = None
) -> pd.DataFrame:
    """Read a CSV or Parquet file into a DataFrame.

    Parameters
    ----------
    path : Path
    file_format : {"auto", "csv", "parquet"}
    columns : list of str, optional
        Read only these columns (Parquet reads nothing else from disk).
    """
    import pandas as pd

    if not path.is_file():
        raise InputError(ERR_NOT_FOUND.format(path))
    kind = detect_format(path, file_format)
    if columns is not None:
        check_columns(read_columns(path, file_format=kind), columns)
    try:
        if kind == "parquet":
            frame = pd.read_parquet(path, columns=columns)
        else:
            frame = pd.read_csv(
                path,
                usecols=columns,
                keep_default_na=True,
                low_memory=False,
                **csv_options(path),
            )
    except pd.errors.EmptyDataError:
        raise InputError(ERR_EMPTY.format(path)) from None
    except (ValueError, OSError, UnicodeDecodeError) as error:
        reason = first_line(error)
        raise InputError(ERR_UNREADABLE.format(path, kind, reason)) from None
    except Exception as error:  # pyarrow raises its own error types
        if type(error).__module__.startswith(("pyarrow", "pandas")):
            raise InputError(
                ERR_UNREADABLE.format(path, kind, first_line(error))
            ) from None
        raise
    if frame.empty:
        raise InputError(ERR_EMPTY.format(path))
    frame.columns = [str(c) for c in frame.columns]
    return frame


def read_columns(path: Path, *, file_format: str = "auto") -> list[str]:
    """The column names of a data file, without reading its rows."""
    import pandas as pd

    if not path.is_file():
        raise InputError(ERR_NOT_FOUND.format(path))
    kind = detect_format(path, file_format)
    if kind == "parquet":
        import pyarrow.parquet as pq

        try:
            return list(pq.read_schema(path).names)
        except Exception as error:  # pyarrow's own error types
            reason = first_line(error)
            raise InputError(ERR_UNREADABLE.format(path, kind, reason)) from None
    sep = csv_separator(path)
    try:
        return [str(c) for c in pd.read_csv(path, sep=sep, nrows=0).columns]
    except pd.errors.EmptyDataError:
        raise InputError(ERR_EMPTY.format(path)) from None
    except (ValueError, OSError, UnicodeDecodeError) as error:
        reason = first_line(error)
        raise InputError(ERR_UNREADABLE.format(path, kind, reason)) from None


def first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


def check_columns(available, required) -> None:
    """Raise if any required column is missing, listing what is available."""
    available = list(available)
    missing = [c for c in dict.fromkeys(required) if c not in set(available)]
    if missing:
        shown = ", ".join(available[:30]) + (" ..." if len(available) > 30 else "")
        raise InputError(
            ERR_MISSING_COLUMNS.format(
                "s" if len(missing) > 1 else "", ", ".join(map(repr, missing)), shown
            )
        )


@dataclass(frozen=True)
class BinaryLabels:
    """The two labels of a binary outcome, as they appear in the data."""

    positive: str
    negative: str


def binary_labels(series: pd.Series, positive_label: str | None) -> BinaryLabels:
    """Find the two labels of a target column and which one is positive."""
    name = series.name
    values = sorted({label_text(v) for v in series.dropna().unique()})
    if not values:
        raise InputError(ERR_NO_LABELLED_ROWS.format(name))
    if len(values) != 2:
        shown = ", ".join(values[:10]) + (" ..." if len(values) > 10 else "")
        raise InputError(ERR_NOT_BINARY.format(name, len(values), shown))
    if positive_label is None:
        lowered = [v.lower() for v in values]
        if set(lowered) in ({"0", "1"}, {"false", "true"}):
            positive_label = values[lowered.index("1" if "1" in lowered else "true")]
        else:
            raise InputError(ERR_NEED_POSITIVE_LABEL.format(name, values))
    positive_label = str(positive_label)
    if positive_label not in values:
        raise InputError(ERR_POSITIVE_LABEL.format(positive_label, name, values))
    negative = values[1 - values.index(positive_label)]
    return BinaryLabels(positive=positive_label, negative=negative)


def binary_outcome(series: pd.Series, labels: BinaryLabels) -> np.ndarray:
    """Encode a label column as 1 (positive) / 0 (negative); NaN stays invalid."""
    text = series.map(label_text, na_action="ignore")
    unknown = set(text.dropna().unique()) - {labels.positive, labels.negative}
    if unknown:
        shown = ", ".join(sorted(unknown)[:5])
        raise InputError(
            ERR_PREDICTION_VALUES.format(
                series.name, shown, labels.positive, labels.negative
            )
        )
    return (text == labels.positive).to_numpy(dtype=np.int8)


def check_protected(frame: pd.DataFrame, protected: list[str]) -> None:
    """Each protected attribute must split the data into at least two groups."""
    for name in protected:
        groups = frame[name].dropna().map(label_text).unique()
        if len(groups) < 2:
            only = repr(groups[0]) if len(groups) else "no known value"
            raise InputError(ERR_ONE_GROUP.format(name, only))


def column_summary(frame: pd.DataFrame, roles: dict[str, str]) -> list[dict]:
    """Per-column data-quality facts: dtype, missing count, distinct values."""
    summary = []
    for name in frame.columns:
        column = frame[name]
        summary.append(
            {
                "name": name,
                "role": roles.get(name, "unused"),
                "dtype": str(column.dtype),
                "missing": int(column.isna().sum()),
                "distinct": int(column.nunique(dropna=True)),
            }
        )
    return summary
