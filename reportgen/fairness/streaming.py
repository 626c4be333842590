"""Confusion counts of decisions already made, streamed from a file of any size.

:func:`stream_count_table` audits the decisions in a CSV or Parquet file without
loading it: it reads only the target, decision and protected columns, one batch at
a time, and returns the :class:`~reportgen.fairness.counts.CountTable` that
:func:`~reportgen.fairness.counts.count_table` builds from the whole table read
with pandas: the same labels in the same order, keys and cells (for a categorical
column pandas also lists unused categories, so there the groups, cells and
marginals agree but not the order of the labels). It also gives the row accounting
and the input checks of the in-memory audit (:mod:`reportgen.data`: the same
errors, with the same messages).

The hot path works on integer codes only. Each column of a batch is a dictionary:
Parquet string columns are read dictionary-encoded, CSV columns are parsed straight
into dictionary-encoded text, and any other column is encoded once per batch. A
batch is reduced to the counts of its distinct combinations of codes (one
``numpy.bincount`` over a mixed-radix key); only these few combinations, never
rows, meet Python values, when they are mapped to file-wide codes. Counts of all
batches add up.

Label text is decided at the end, from the distinct values of the whole column, as
the in-memory audit would decide it: a CSV column is typed the way pandas types a
whole column (integers, else floats, else booleans, else text), and every value is
shown as :func:`reportgen.data.label_text` shows it, so ``1``, ``01`` and ``1.0`` in
a numeric column are the one group ``"1"``. Missing values (the null markers pandas
recognises, or NaN) form the unknown group of a protected attribute (code -1), and
rows without a target or without a decision are dropped and counted.

Limitation: memory grows with the number of distinct values and of distinct
combinations of the columns read, not with the number of rows; a protected column
with millions of distinct values costs what it would cost in memory. A target or
decision column with more than ``MAX_OUTCOME_VALUES`` distinct values is rejected
as soon as that is seen, without reading the rest of the file. A CSV row with
fewer fields than the header is an unreadable file here, where pandas would fill
the missing fields as missing values.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from reportgen.data import (
    ERR_EMPTY,
    ERR_NOT_BINARY,
    ERR_NOT_FOUND,
    ERR_ONE_GROUP,
    ERR_PREDICTION_VALUES,
    ERR_UNREADABLE,
    binary_labels,
    check_columns,
    csv_separator,
    detect_format,
    first_line,
    label_text,
    read_columns,
)
from reportgen.errors import InputError
from reportgen.fairness.counts import CELLS, ERR_NO_ATTRIBUTES, CountTable

ERR_FILE_FORMAT = (
    "file_format of stream_count_table must be 'auto', 'csv' or 'parquet'; got {!r}."
)
ERR_BATCH_ROWS = (
    "batch_rows of stream_count_table must be a positive integer; got {!r}."
)
ERR_TOO_MANY_DECISIONS = (
    "prediction column {!r} holds more than {} distinct values; decisions must use "
    "the two labels of the target"
)

# A target or decision column with more distinct raw values than this cannot be a
# binary outcome; it is rejected early instead of being counted to the end.
MAX_OUTCOME_VALUES = 10_000

# The cell texts pandas.read_csv reads as missing by default (keep_default_na=True).
PANDAS_NA_VALUES = (
    "",
    "#N/A",
    "#N/A N/A",
    "#NA",
    "-1.#IND",
    "-1.#QNAN",
    "-NaN",
    "-nan",
    "1.#IND",
    "1.#QNAN",
    "<NA>",
    "N/A",
    "NA",
    "NULL",
    "NaN",
    "None",
    "n/a",
    "nan",
    "null",
)

# What pandas' CSV parser accepts as an integer, a float and a boolean.
_INT_TEXT = re.compile(r"[ \t]*[+-]?[0-9]+[ \t]*")
_FLOAT_TEXT = re.compile(
    r"[ \t]*[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:e[+-]?[0-9]+)?|inf|infinity)[ \t]*",
    re.IGNORECASE,
)
_BOOL_TEXT = {"true": "True", "false": "False"}
_INT64 = np.iinfo(np.int64)

# Largest per-batch key space counted with a dense bincount (as in count_table).
_DENSE_LIMIT = 1 << 22
# Mixed-radix keys stay well inside int64 below this.
_KEY_LIMIT = 1 << 62
_NEVER = np.iinfo(np.int64).max
# Largest CSV block in bytes: bigger blocks parse no faster, and slower on 2 cores.
_CSV_BLOCK = 4 << 20


@dataclass(frozen=True)
class StreamedCounts:
    """The count table of a decisions file, and what was read to build it.

    Attributes
    ----------
    table : CountTable
        Confusion counts over the intersection of the protected attributes, of the
        rows that have both a target and a decision.
    n_rows : int
        All data rows of the file.
    rows_used : int
        Rows with a target and a decision: the rows counted in ``table``.
    rows_without_target : int
        Rows dropped because their target is missing.
    rows_without_decision : int
        Rows with a target but no decision, dropped too.
    positive_label, negative_label : str
        The two labels of the target, as text; ``positive_label`` is the
        favourable outcome (1 in the cells).
    missing : dict of str to int
        Missing values in each column read, over all rows.
    distinct : dict of str to int
        Distinct non-missing values (as label text) of each column read, over all
        rows.
    columns : tuple of str
        Every column name of the file, read or not.
    """

    table: CountTable
    n_rows: int
    rows_used: int
    rows_without_target: int
    rows_without_decision: int
    positive_label: str
    negative_label: str
    missing: dict[str, int]
    distinct: dict[str, int]
    columns: tuple[str, ...]


def stream_count_table(
    path: str | Path,
    *,
    target: str,
    prediction: str,
    protected: Sequence[str],
    positive_label: str | None,
    file_format: Literal["auto", "csv", "parquet"] = "auto",
    batch_rows: int = 1_000_000,
    progress: Callable[[int], None] | None = None,
) -> StreamedCounts:
    """Count the decisions of a CSV or Parquet file per group, in bounded memory.

    Parameters
    ----------
    path : str or Path
        The data file, one row per individual.
    target : str
        Column with the true outcome; it must hold exactly two distinct values.
    prediction : str
        Column with the decisions already made, using the target's labels.
    protected : sequence of str
        Protected attribute columns; each needs at least two known groups among
        the rows with a target.
    positive_label : str or None
        The favourable value of the target, compared as text (``"1"`` matches
        ``1`` and ``1.0``). None infers it for 0/1 and true/false targets.
    file_format : {"auto", "csv", "parquet"}, default="auto"
        "auto" decides from the file suffix, as :func:`reportgen.data.read_table`.
    batch_rows : int, default=1_000_000
        Rows per batch: the memory bound. CSV batches are cut by bytes, so they
        hold about this many rows, or fewer when that would exceed 4 MiB of text.
    progress : callable, optional
        Called after each batch with the number of rows read so far.

    Returns
    -------
    StreamedCounts

    Raises
    ------
    InputError
        For a missing or unreadable file, a missing column, an empty file, a target
        without exactly two values, an unknown or uninferable positive label, a
        protected attribute with fewer than two known groups, or decisions outside
        the target's labels: the messages of :mod:`reportgen.data`.
    """
    if file_format not in ("auto", "csv", "parquet"):
        raise ValueError(ERR_FILE_FORMAT.format(file_format))
    if isinstance(batch_rows, bool) or not isinstance(batch_rows, int | np.integer):
        raise ValueError(ERR_BATCH_ROWS.format(batch_rows))
    if batch_rows < 1:
        raise ValueError(ERR_BATCH_ROWS.format(batch_rows))
    if isinstance(protected, str) or not protected:
        raise ValueError(ERR_NO_ATTRIBUTES)
    path = Path(path)
    if not path.is_file():
        raise InputError(ERR_NOT_FOUND.format(path))
    kind = detect_format(path, file_format)
    with _readable(path, kind):
        header = read_columns(path, file_format=kind)
    attributes = list(dict.fromkeys(protected))
    check_columns(header, [target, *attributes, prediction])

    # Each column is read once, even when it has two roles.
    names = list(dict.fromkeys([*attributes, target, prediction]))
    position = {name: j for j, name in enumerate(names)}
    columns = [_Column(name) for name in names]
    t, p = position[target], position[prediction]
    tracked = [position[a] for a in attributes]
    counter = _Counter(len(names))

    rows_done = 0
    with _readable(path, kind):
        for batch in _batches(path, kind, names, int(batch_rows)):
            n = batch.num_rows
            if n == 0:
                continue
            arrays = [batch.column(name) for name in names]
            for column, array in zip(columns, arrays, strict=True):
                column.note_type(array.type)
            local = [_local_codes(array) for array in arrays]
            digits, counts = _count_codes(local)
            mappings = [
                col.add(loc, digits[:, j])
                for j, (col, loc) in enumerate(zip(columns, local, strict=True))
            ]
            codes = np.column_stack(
                [m[digits[:, j]] for j, m in enumerate(mappings)]
            ).reshape(len(counts), len(names))
            _note_first_use(columns, local, mappings, codes, tracked, t, p, rows_done)
            counter.add(codes, counts, [len(c.values) for c in columns])
            _check_outcome_sizes(columns[t], columns[p])
            rows_done += n
            if progress is not None:
                progress(rows_done)
    if rows_done == 0:
        raise InputError(ERR_EMPTY.format(path))

    raw, counts = counter.result([len(c.values) for c in columns])
    return _summarise(
        raw,
        counts,
        columns,
        kind=kind,
        attributes=attributes,
        target=target,
        prediction=prediction,
        positive_label=positive_label,
        header=tuple(header),
    )


# --------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------


def _batches(path: Path, kind: str, names: list[str], batch_rows: int) -> Iterator:
    import pyarrow as pa

    if kind == "parquet":
        import pyarrow.parquet as pq

        # Text columns come as dictionaries; other types ignore read_dictionary.
        # pre_buffer would keep every row group read so far: memory would grow
        # with the file.
        parquet = pq.ParquetFile(path, read_dictionary=names, pre_buffer=False)
        yield from parquet.iter_batches(batch_size=batch_rows, columns=names)
        return

    import pyarrow.csv as pacsv

    text = pa.dictionary(pa.int32(), pa.string())
    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(
            block_size=_csv_block_size(path, batch_rows), use_threads=True
        ),
        parse_options=pacsv.ParseOptions(
            delimiter=csv_separator(path),
            newlines_in_values=True,
        ),
        convert_options=pacsv.ConvertOptions(
            include_columns=names,
            column_types=dict.fromkeys(names, text),
            null_values=list(PANDAS_NA_VALUES),
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
        ),
    )
    yield from reader


def _csv_block_size(path: Path, batch_rows: int) -> int:
    """Bytes per CSV block: about ``batch_rows`` rows, judged from the first MiB.

    Blocks of a few MiB parse fastest, so a block holds at most ``_CSV_BLOCK`` bytes.
    """
    with path.open("rb") as handle:
        sample = handle.read(1 << 20)
    lines = sample.split(b"\n")
    longest = max(len(line) for line in lines) + 1
    per_row = len(sample) / max(len(lines) - 1, 1)
    # A block must hold the longest row; rows much longer than those sampled
    # (long quoted text further down) would need a larger batch_rows.
    return int(max(min(per_row * batch_rows, _CSV_BLOCK), 2 * longest + 64))


@contextmanager
def _readable(path: Path, kind: str) -> Iterator[None]:
    """Turn the reader's own errors (pyarrow, OS) into an InputError."""
    try:
        yield
    except InputError:
        raise
    except Exception as error:
        if type(error).__module__.startswith("pyarrow") or isinstance(error, OSError):
            reason = first_line(error)
            raise InputError(ERR_UNREADABLE.format(path, kind, reason)) from None
        raise


@dataclass(frozen=True)
class _Local:
    """One column of one batch as codes: ``codes == n`` where the value is missing."""

    codes: np.ndarray
    n: int
    dictionary: Any  # pyarrow Array of the n values, or numpy array

    def values(self, digits: np.ndarray) -> list:
        """The values behind some codes (< n), as pandas would hold them."""
        if isinstance(self.dictionary, np.ndarray):
            return list(self.dictionary[digits])
        return _scalars(self.dictionary.take(digits))


def _scalars(array) -> list:
    import pyarrow as pa

    kind = array.type
    numeric = (
        pa.types.is_integer(kind)
        or pa.types.is_floating(kind)
        or pa.types.is_boolean(kind)
    )
    if numeric and array.null_count == 0:
        # numpy scalars keep float32 text as pandas shows it ("0.1").
        return list(array.to_numpy(zero_copy_only=False))
    return array.to_pylist()


def _local_codes(array) -> _Local:
    """Integer codes of one batch column, without touching its values row by row."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if pa.types.is_integer(array.type) and array.null_count < len(array):
        low, high = (s.as_py() for s in pc.min_max(array).values())
        if high - low < 1 << 16 and _INT64.min <= low and high <= _INT64.max:
            # Small integer ranges (0/1 decisions, integer-coded groups) need no hash.
            n = high - low + 1
            values = pc.fill_null(array, low) if array.null_count else array
            codes = values.to_numpy().astype(np.int64) - low
            if array.null_count:
                valid = array.is_valid().to_numpy(zero_copy_only=False)
                codes[~valid] = n
            dtype = array.type.to_pandas_dtype()
            return _Local(codes, n, np.arange(low, high + 1).astype(dtype))
    if not pa.types.is_dictionary(array.type):
        array = pc.dictionary_encode(array)
    n = len(array.dictionary)
    indices = array.indices
    if indices.null_count:
        indices = pc.fill_null(indices, n)
    return _Local(indices.to_numpy(), n, array.dictionary)


def _count_codes(local: list[_Local]) -> tuple[np.ndarray, np.ndarray]:
    """Distinct combinations of local codes in a batch and how often each occurs."""
    radices = [loc.n + 1 for loc in local]
    size = int(np.prod(radices, dtype=object))
    n_rows = len(local[0].codes)
    if size > _KEY_LIMIT:
        stacked = np.column_stack([loc.codes for loc in local]).astype(np.int64)
        digits, counts = np.unique(stacked, axis=0, return_counts=True)
        return digits, counts.astype(np.int64)

    key_type = np.int32 if size < 1 << 31 else np.int64
    key = local[0].codes.astype(key_type)
    for loc, radix in zip(local[1:], radices[1:], strict=True):
        key *= radix
        key += loc.codes
    if size <= max(n_rows, _DENSE_LIMIT):
        dense = np.bincount(key, minlength=size)
        present = np.flatnonzero(dense)
        counts = dense[present]
    else:
        present, counts = np.unique(key, return_counts=True)
    digits = np.empty((len(present), len(local)), dtype=np.int64)
    rest = present.astype(np.int64)
    for j in range(len(local) - 1, -1, -1):
        digits[:, j] = rest % radices[j]
        rest //= radices[j]
    return digits, counts.astype(np.int64)


# --------------------------------------------------------------------------------------
# File-wide codes
# --------------------------------------------------------------------------------------


class _Column:
    """File-wide raw values of one column, in order of first sight, and their codes."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.values: list = []
        self.index: dict = {}
        # Row number of each value's first use (a row with target and decision).
        self.first_used: list[int] = []
        self.plain_integer = False

    def note_type(self, arrow_type) -> None:
        """Remember whether the file holds plain integers (pandas: float if missing)."""
        import pyarrow as pa

        self.plain_integer = pa.types.is_integer(arrow_type)

    def add(self, local: _Local, digits: np.ndarray) -> np.ndarray:
        """Map a batch's local codes to file-wide codes; -1 for missing."""
        mapping = np.full(local.n + 1, -1, dtype=np.int64)
        seen = np.unique(digits)
        seen = seen[seen < local.n]
        for digit, value in zip(seen.tolist(), local.values(seen), strict=True):
            if value is None or (
                isinstance(value, float | np.floating) and value != value
            ):
                continue  # null or NaN: missing, as pandas reads it
            code = self.index.get(value)
            if code is None:
                code = self.index[value] = len(self.values)
                self.values.append(value)
                self.first_used.append(_NEVER)
            mapping[digit] = code
        return mapping


def _note_first_use(columns, local, mappings, codes, tracked, t, p, offset) -> None:
    """Record the row where each protected value is first used, as pandas orders it."""
    used = (codes[:, t] >= 0) & (codes[:, p] >= 0)
    new = {}
    for j in tracked:
        first = columns[j].first_used
        present = np.unique(codes[used, j])
        fresh = [c for c in present[present >= 0].tolist() if first[c] == _NEVER]
        if fresh:
            new[j] = fresh
    if not new:
        return
    used_rows = (mappings[t][local[t].codes] >= 0) & (mappings[p][local[p].codes] >= 0)
    for j, fresh in new.items():
        global_codes = mappings[j][local[j].codes]
        if len(fresh) <= 16:
            # A few new values (the usual case): one vectorised scan for each.
            for code in fresh:
                hits = used_rows & (global_codes == code)
                columns[j].first_used[code] = offset + int(np.argmax(hits))
            continue
        rows = np.flatnonzero(used_rows)
        found, first_index = np.unique(global_codes[rows], return_index=True)
        where = dict(zip(found.tolist(), first_index.tolist(), strict=True))
        for code in fresh:
            columns[j].first_used[code] = offset + int(rows[where[code]])


def _check_outcome_sizes(target: _Column, prediction: _Column) -> None:
    if len(target.values) > MAX_OUTCOME_VALUES:
        shown = sorted(label_text(v) for v in target.values)[:10]
        raise InputError(
            ERR_NOT_BINARY.format(
                target.name,
                f"more than {MAX_OUTCOME_VALUES}",
                ", ".join(shown) + " ...",
            )
        )
    if len(prediction.values) > MAX_OUTCOME_VALUES:
        raise InputError(
            ERR_TOO_MANY_DECISIONS.format(prediction.name, MAX_OUTCOME_VALUES)
        )


class _Counter:
    """Counts per combination of file-wide codes, summed across batches."""

    def __init__(self, width: int) -> None:
        self.codes = np.empty((0, width), dtype=np.int64)
        self.counts = np.empty(0, dtype=np.int64)
        self.pending: list[tuple[np.ndarray, np.ndarray]] = []
        self.pending_rows = 0

    def add(self, codes: np.ndarray, counts: np.ndarray, sizes: list[int]) -> None:
        self.pending.append((codes, counts))
        self.pending_rows += len(counts)
        if self.pending_rows > 2 * len(self.counts) + 4096:
            self._reduce(sizes)

    def result(self, sizes: list[int]) -> tuple[np.ndarray, np.ndarray]:
        self._reduce(sizes)
        return self.codes, self.counts

    def _reduce(self, sizes: list[int]) -> None:
        codes = np.vstack([self.codes, *(c for c, _ in self.pending)])
        counts = np.concatenate([self.counts, *(n for _, n in self.pending)])
        self.pending, self.pending_rows = [], 0
        radices = [s + 1 for s in sizes]
        if int(np.prod(radices, dtype=object)) <= _KEY_LIMIT:
            key = np.zeros(len(counts), dtype=np.int64)
            for j, radix in enumerate(radices):
                key = key * radix + (codes[:, j] + 1)
            order = np.argsort(key, kind="stable")
            key = key[order]
            starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
            self.codes = codes[order][starts]
            self.counts = np.add.reduceat(counts[order], starts) if len(key) else counts
        else:
            unique, inverse = np.unique(codes, axis=0, return_inverse=True)
            summed = np.zeros(len(unique), dtype=np.int64)
            np.add.at(summed, inverse.reshape(-1), counts)
            self.codes, self.counts = unique, summed


# --------------------------------------------------------------------------------------
# Labels, checks and the count table
# --------------------------------------------------------------------------------------


def _texts(column: _Column, kind: str, has_missing: bool) -> list[str]:
    """Label text of each raw value, decided over the whole column as pandas would."""
    if kind == "csv":
        return _csv_texts(column.values, has_missing)
    if has_missing and column.plain_integer:
        # pandas holds an integer column with missing values as float64.
        return [label_text(float(v)) for v in column.values]
    return [label_text(v) for v in column.values]


def _csv_texts(raw: list[str], has_missing: bool) -> list[str]:
    """Type a CSV column from its distinct texts the way pandas.read_csv does."""
    if all(_INT_TEXT.fullmatch(v) for v in raw):
        ints = [int(v) for v in raw]
        if has_missing and all(_INT64.min <= i <= _INT64.max for i in ints):
            return [label_text(float(i)) for i in ints]
        return [str(i) for i in ints]
    if all(_FLOAT_TEXT.fullmatch(v) for v in raw):
        return [label_text(float(v)) for v in raw]
    if all(v.lower() in _BOOL_TEXT for v in raw):
        return [_BOOL_TEXT[v.lower()] for v in raw]
    return list(raw)


def _summarise(
    raw: np.ndarray,
    counts: np.ndarray,
    columns: list[_Column],
    *,
    kind: str,
    attributes: list[str],
    target: str,
    prediction: str,
    positive_label: str | None,
    header: tuple[str, ...],
) -> StreamedCounts:
    import pandas as pd

    names = [c.name for c in columns]
    t, p = names.index(target), names.index(prediction)

    # Raw codes -> codes of distinct label texts (1 and 1.0 are one label).
    labels: list[list[str]] = []
    codes = np.empty_like(raw)
    for j, column in enumerate(columns):
        has_missing = bool((raw[:, j] < 0).any())
        texts = _texts(column, kind, has_missing)
        distinct = list(dict.fromkeys(texts))
        where = {v: i for i, v in enumerate(distinct)}
        mapping = np.array([where[v] for v in texts] + [-1], dtype=np.int64)
        codes[:, j] = mapping[raw[:, j]]
        labels.append(distinct)
    missing = {name: int(counts[codes[:, j] < 0].sum()) for j, name in enumerate(names)}
    distinct_counts = {name: len(labels[j]) for j, name in enumerate(names)}

    # The checks of the in-memory audit, in its order and with its messages.
    outcome = binary_labels(
        pd.Series(labels[t], name=target, dtype=object), positive_label
    )
    labelled = codes[:, t] >= 0
    for name in attributes:
        j = names.index(name)
        groups = np.unique(codes[labelled, j])
        groups = groups[groups >= 0]
        if len(groups) < 2:
            only = repr(labels[j][groups[0]]) if len(groups) else "no known value"
            raise InputError(ERR_ONE_GROUP.format(name, only))
    decided = labelled & (codes[:, p] >= 0)
    given = {labels[p][c] for c in np.unique(codes[decided, p]).tolist()}
    unknown = given - {outcome.positive, outcome.negative}
    if unknown:
        raise InputError(
            ERR_PREDICTION_VALUES.format(
                prediction,
                ", ".join(sorted(unknown)[:5]),
                outcome.positive,
                outcome.negative,
            )
        )

    def is_positive(j: int) -> np.ndarray:
        return np.array([v == outcome.positive for v in labels[j]] + [False])

    y_true = is_positive(t)[codes[decided, t]]
    y_pred = is_positive(p)[codes[decided, p]]

    # Protected labels in order of first use, as pandas.factorize orders them.
    group_labels, group_codes = [], []
    for name in attributes:
        j = names.index(name)
        first = np.full(len(labels[j]) + 1, _NEVER, dtype=np.int64)
        raw_first = np.array(columns[j].first_used, dtype=np.int64)
        texts_of_raw = _text_codes_of_raw(
            raw[:, j], codes[:, j], len(columns[j].values)
        )
        np.minimum.at(first, texts_of_raw, raw_first)
        used = np.unique(codes[decided, j])
        used = used[used >= 0]
        order = used[np.argsort(first[used], kind="stable")]
        remap = np.full(len(labels[j]) + 1, -1, dtype=np.int64)
        remap[order] = np.arange(len(order))
        group_labels.append(tuple(labels[j][c] for c in order.tolist()))
        group_codes.append(remap[codes[decided, j]])

    used_counts = counts[decided]
    table = _table_from_codes(
        tuple(attributes),
        tuple(group_labels),
        np.column_stack(group_codes).reshape(len(used_counts), len(attributes)),
        y_true,
        y_pred,
        used_counts,
    )
    rows_without_target = int(counts[~labelled].sum())
    rows_used = int(used_counts.sum())
    return StreamedCounts(
        table=table,
        n_rows=int(counts.sum()),
        rows_used=rows_used,
        rows_without_target=rows_without_target,
        rows_without_decision=int(counts[labelled & ~decided].sum()),
        positive_label=outcome.positive,
        negative_label=outcome.negative,
        missing=missing,
        distinct=distinct_counts,
        columns=header,
    )


def _text_codes_of_raw(raw: np.ndarray, text: np.ndarray, n_raw: int) -> np.ndarray:
    """For each raw value code, the code of its label text (-1 for none)."""
    out = np.full(n_raw, -1, dtype=np.int64)
    known = raw >= 0
    out[raw[known]] = text[known]
    return out


def _table_from_codes(
    attributes: tuple[str, ...],
    labels: tuple[tuple[str, ...], ...],
    codes: np.ndarray,
    y_true: np.ndarray,
    y_pred: np.ndarray,
    counts: np.ndarray,
) -> CountTable:
    """The CountTable that count_table builds from rows with these codes and counts."""
    radices = [len(values) + 1 for values in labels]
    key = np.zeros(len(counts), dtype=np.int64)
    for j, radix in enumerate(radices):
        key = key * radix + np.where(codes[:, j] < 0, radix - 1, codes[:, j])
    present, inverse = np.unique(key, return_inverse=True)
    cells = np.zeros((len(present), len(CELLS)), dtype=np.int64)
    cell = y_true.astype(np.int64) * 2 + y_pred.astype(np.int64)
    np.add.at(cells, (inverse.reshape(-1), cell), counts)

    keys = np.empty((len(present), len(radices)), dtype=np.int64)
    rest = present.copy()
    for j in range(len(radices) - 1, -1, -1):
        digit = rest % radices[j]
        rest //= radices[j]
        keys[:, j] = np.where(digit == radices[j] - 1, -1, digit)
    return CountTable(attributes=attributes, keys=keys, labels=labels, cells=cells)
