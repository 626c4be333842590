"""Sufficient statistics: per-group confusion counts, built once and merged freely.

Every classification metric in reportgen is a function of four counts per group:
true negatives, false positives, false negatives and true positives (the *cells*,
always in that order). This module builds them with one ``numpy.bincount`` per
batch from integer group codes, never from strings, and keeps them in a
:class:`CountTable` over the *finest* grouping (the intersection of all protected
attributes). Any coarser grouping, a single attribute or a pair of them, is a
marginal of that table, so the data is read once whatever the number of views.

Counts add up: tables built from chunks of a large file merge into the table of
the whole file (:meth:`CountTable.merge`), which is how audits of existing
decisions stay within bounded memory.

Missing protected values are a group of their own (``label is None``), reported as
"unknown" and never dropped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

CELLS = ("tn", "fp", "fn", "tp")
UNKNOWN_LABEL = "unknown"
MISSING_LABEL = "unknown (missing)"

ERR_LENGTHS = (
    "y_true, y_pred and every sensitive feature must have the same length; got {}."
)
ERR_NOT_BINARY = "{} must hold only 0 and 1 after encoding; got values {}."
ERR_NO_ATTRIBUTES = "sensitive_features must name at least one protected attribute."
DENSE_KEY_LIMIT = 1 << 22
KEY_OVERFLOW = 1 << 60

ERR_MERGE = "Cannot merge count tables over different attributes: {} and {}."


@dataclass(frozen=True)
class GroupCounts:
    """Confusion counts for each group of one grouping (one attribute or several).

    Attributes
    ----------
    attributes : tuple of str
        The protected attributes that define the groups, e.g. ``("sex",)``.
    labels : tuple of tuple
        For each group, its value of each attribute as a string; ``None`` where
        the value was missing.
    cells : ndarray of shape (n_groups, 4)
        Counts of tn, fp, fn, tp per group.
    """

    attributes: tuple[str, ...]
    labels: tuple[tuple[str | None, ...], ...]
    cells: np.ndarray

    @property
    def n(self) -> np.ndarray:
        return self.cells.sum(axis=1)

    @property
    def is_unknown(self) -> np.ndarray:
        """True for groups with a missing value in any of their attributes."""
        return np.array([any(v is None for v in label) for label in self.labels])

    def display_labels(self, separator: str = " × ") -> list[str]:
        """Group names for people: values joined, missing shown as "unknown".

        Names are unique whatever the data holds: if it has a real value
        "unknown", missing values are shown as "unknown (missing)" (numbered
        further if need be), and if joined values clash because a label contains
        the separator, the clashing groups are named ``attribute='value'``.
        """
        real = {v for label in self.labels for v in label if v is not None}
        missing = UNKNOWN_LABEL
        suffix = 1
        while missing in real:
            missing = MISSING_LABEL if suffix == 1 else f"{MISSING_LABEL} {suffix}"
            suffix += 1
        names = [
            separator.join(missing if v is None else v for v in label)
            for label in self.labels
        ]
        if len(set(names)) == len(names):
            return names
        clashing = {n for n in names if names.count(n) > 1}
        return [
            ", ".join(
                f"{attribute}={missing if v is None else repr(v)}"
                for attribute, v in zip(self.attributes, label, strict=True)
            )
            if name in clashing
            else name
            for name, label in zip(names, self.labels, strict=True)
        ]


@dataclass(frozen=True)
class CountTable:
    """Confusion counts over the intersection of all protected attributes.

    Attributes
    ----------
    attributes : tuple of str
        Protected attribute names, in the order of the columns of ``keys``.
    keys : ndarray of shape (n_cells, n_attributes)
        Label codes into ``labels[i]`` for each attribute; -1 means missing.
    labels : tuple of tuple of str
        The distinct labels seen for each attribute.
    cells : ndarray of shape (n_cells, 4)
        Counts of tn, fp, fn, tp for each combination present in the data.
    """

    attributes: tuple[str, ...]
    keys: np.ndarray
    labels: tuple[tuple[str, ...], ...]
    cells: np.ndarray

    @property
    def total(self) -> int:
        return int(self.cells.sum())

    def marginal(self, attributes: Sequence[str]) -> GroupCounts:
        """Counts per group of the given attributes, summed over all others.

        Groups are ordered by attribute label order, missing values last, and
        only combinations that occur in the data are kept.
        """
        index = [self.attributes.index(a) for a in attributes]
        sub_keys = self.keys[:, index]
        sort_keys = np.where(sub_keys < 0, np.iinfo(np.int64).max, sub_keys)
        unique, inverse = np.unique(sort_keys, axis=0, return_inverse=True)
        cells = np.zeros((len(unique), len(CELLS)), dtype=self.cells.dtype)
        np.add.at(cells, inverse.reshape(-1), self.cells)
        labels = []
        for row in unique:
            label = []
            for attr_pos, code in zip(index, row, strict=True):
                missing = code == np.iinfo(np.int64).max
                label.append(None if missing else self.labels[attr_pos][code])
            labels.append(tuple(label))
        order = label_order(labels, [self.labels[i] for i in index])
        return GroupCounts(
            attributes=tuple(attributes),
            labels=tuple(labels[i] for i in order),
            cells=cells[order],
        )

    def merge(self, other: CountTable) -> CountTable:
        """Add the counts of another table built over the same attributes."""
        if other.attributes != self.attributes:
            raise ValueError(ERR_MERGE.format(self.attributes, other.attributes))
        labels, other_keys = merge_labels(self.labels, other.labels, other.keys)
        keys, cells = _sum_by_key(
            np.vstack([self.keys, other_keys]), np.vstack([self.cells, other.cells])
        )
        return CountTable(self.attributes, keys, tuple(labels), cells)


def merge_labels(
    mine: Sequence[Sequence[str]],
    theirs: Sequence[Sequence[str]],
    their_keys: np.ndarray,
) -> tuple[tuple[tuple[str, ...], ...], np.ndarray]:
    """Merge per-attribute label lists and recode another table's keys into them.

    Labels new to ``mine`` are appended; the missing code -1 stays -1.
    """
    labels = []
    columns = []
    for i, (known, other) in enumerate(zip(mine, theirs, strict=True)):
        seen = set(known)
        merged = (*known, *(v for v in other if v not in seen))
        position = {v: j for j, v in enumerate(merged)}
        # The trailing -1 maps the missing code -1 onto itself.
        recode = np.array([position[v] for v in other] + [-1], dtype=np.int64)
        columns.append(recode[their_keys[:, i]])
        labels.append(merged)
    keys = np.column_stack(columns) if columns else their_keys
    return tuple(labels), keys


def label_order(
    labels: Sequence[tuple[str | None, ...]], known: Sequence[Sequence[str]]
) -> list[int]:
    """Order groups by each attribute's sorted labels, with missing values last."""
    ranks = [{v: r for r, v in enumerate(sorted(values))} for values in known]

    def sort_key(i: int) -> tuple[int, ...]:
        return tuple(
            len(rank) if v is None else rank[v]
            for v, rank in zip(labels[i], ranks, strict=True)
        )

    return sorted(range(len(labels)), key=sort_key)


def _sum_by_key(keys: np.ndarray, cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    unique, inverse = np.unique(keys, axis=0, return_inverse=True)
    summed = np.zeros((len(unique), cells.shape[1]), dtype=cells.dtype)
    np.add.at(summed, inverse.reshape(-1), cells)
    return unique, summed


def encode_labels(values) -> tuple[np.ndarray, tuple[str, ...]]:
    """Integer codes and string labels of a column; missing values get code -1.

    Categorical (or dictionary-encoded) input keeps its codes, which is about ten
    times cheaper than factorising strings. Labels are the values as strings, as
    written in the data (integers stay integers: ``1``, not ``1.0``).
    """
    import pandas as pd

    series = values if isinstance(values, pd.Series) else pd.Series(values)
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy()
        categories = series.cat.categories
    else:
        codes, categories = pd.factorize(series, use_na_sentinel=True)
    labels = tuple(label_text(v) for v in categories)
    if len(set(labels)) != len(labels):
        # Distinct values with the same text (1 and "1") are one group.
        codes, labels = _merge_same_text(codes, labels)
    return codes, labels


def label_text(value) -> str:
    """A data value as the string reportgen shows and compares (1.0 -> "1")."""
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    if isinstance(value, np.bool_):
        return str(bool(value))
    return str(value)


def _merge_same_text(
    codes: np.ndarray, labels: tuple[str, ...]
) -> tuple[np.ndarray, tuple[str, ...]]:
    merged = tuple(dict.fromkeys(labels))
    position = {v: j for j, v in enumerate(merged)}
    mapping = np.array([position[v] for v in labels] + [-1], dtype=np.int64)
    return mapping[codes.astype(np.int64)], merged


def count_table(
    y_true,
    y_pred,
    *,
    sensitive_features: Mapping[str, object],
    sample_weight=None,
) -> CountTable:
    """Build the confusion count table of one batch of decisions.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        Outcomes and decisions encoded as 0/1, 1 being the positive (favourable)
        label.
    sensitive_features : mapping of str to array-like of shape (n_samples,)
        One column of group labels per protected attribute.
    sample_weight : array-like of shape (n_samples,), default=None
        Row weights; counts become weighted sums (float).

    Returns
    -------
    CountTable
    """
    if not sensitive_features:
        raise ValueError(ERR_NO_ATTRIBUTES)
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    encoded = {name: encode_labels(col) for name, col in sensitive_features.items()}
    lengths = {len(y_true), len(y_pred), *(len(c) for c, _ in encoded.values())}
    if len(lengths) != 1:
        raise ValueError(ERR_LENGTHS.format(sorted(lengths)))
    _check_binary("y_true", y_true)
    _check_binary("y_pred", y_pred)

    weights = None
    if sample_weight is not None:
        weights = np.asarray(sample_weight, dtype=float)
        if weights.shape != y_true.shape:
            raise ValueError(ERR_LENGTHS.format(sorted({len(y_true), len(weights)})))
    outcome = y_true.astype(np.int8) * 2 + y_pred.astype(np.int8)
    digits = [_missing_last(codes, len(labels)) for codes, labels in encoded.values()]
    radices = [len(labels) + 1 for _, labels in encoded.values()]
    keys, cells = _count_by_key(digits, radices, outcome, weights)
    return CountTable(
        attributes=tuple(encoded),
        keys=np.where(keys == np.array(radices) - 1, -1, keys),
        labels=tuple(labels for _, labels in encoded.values()),
        cells=cells,
    )


def _missing_last(codes: np.ndarray, n_labels: int) -> np.ndarray:
    """Codes with missing (-1) moved to ``n_labels``, the last digit."""
    if not len(codes) or codes.min() >= 0:
        return codes
    if n_labels > np.iinfo(codes.dtype).max:
        codes = codes.astype(np.int64)
    return np.where(codes < 0, n_labels, codes).astype(codes.dtype, copy=False)


def _count_by_key(
    digits: list[np.ndarray],
    radices: list[int],
    outcome: np.ndarray,
    weights: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Count outcomes per combination of digits; return present combinations.

    One mixed-radix integer key per row, then one bincount. A group is present
    when it has a row, whatever its weight. When the number of possible
    combinations is too large for a dense array, only present keys are counted;
    when it would overflow 64 bits, rows of digits are deduplicated instead.
    """
    n_keys = 1
    for radix in radices:
        n_keys *= radix
    if n_keys >= KEY_OVERFLOW:
        matrix = np.column_stack(digits)
        unique, inverse = np.unique(matrix, axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
        return unique, _bincount_cells(inverse, len(unique), outcome, weights)

    if n_keys * 4 <= max(4 * len(outcome), DENSE_KEY_LIMIT):
        cells, decoded = _dense_counts(digits, radices, n_keys, outcome, weights)
    else:
        key = np.zeros(len(outcome), dtype=np.int64)
        for column, radix in zip(digits, radices, strict=True):
            key = key * radix + column
        present, inverse = np.unique(key, return_inverse=True)
        cells = _bincount_cells(inverse.reshape(-1), len(present), outcome, weights)
        decoded = _decode(present, radices[::-1])[:, ::-1]
    # Rows in lexicographic order of the digits, first attribute first.
    order = np.lexsort(decoded.T[::-1])
    return decoded[order], cells[order]


def _dense_counts(digits, radices, n_keys, outcome, weights):
    """One bincount over ``outcome + 4 * key``, in the narrowest integer type.

    The key is little-endian (the first attribute is the lowest digit), so the
    index is built by adding each attribute's digit times its place value,
    without an intermediate key array.
    """
    dtype = np.int32 if n_keys * 4 < np.iinfo(np.int32).max else np.int64
    flat = outcome.astype(dtype)
    scaled = np.empty(len(flat), dtype=dtype)
    place = 4
    for column, radix in zip(digits, radices, strict=True):
        np.multiply(column, place, out=scaled, dtype=dtype, casting="unsafe")
        flat += scaled
        place *= radix
    counts = np.bincount(flat, weights=weights, minlength=n_keys * 4)
    cells = counts.reshape(n_keys, 4)
    if weights is None:
        cells = cells.astype(np.int64, copy=False)
        present = np.flatnonzero(cells.sum(axis=1))
    else:
        # A group is present when it has a row, whatever its weight.
        present = np.flatnonzero(np.bincount(flat >> 2, minlength=n_keys))
    return cells[present], _decode(present, radices)


def _decode(keys: np.ndarray, radices) -> np.ndarray:
    """Digits of little-endian mixed-radix keys, one column per radix."""
    decoded = np.empty((len(keys), len(radices)), dtype=np.int64)
    rest = keys.astype(np.int64, copy=True)
    for i, radix in enumerate(radices):
        decoded[:, i] = rest % radix
        rest //= radix
    return decoded


def _bincount_cells(
    index: np.ndarray, n: int, outcome: np.ndarray, weights: np.ndarray | None
) -> np.ndarray:
    counts = np.bincount(index * 4 + outcome, weights=weights, minlength=n * 4)
    if weights is None:
        counts = counts.astype(np.int64, copy=False)
    return counts.reshape(n, 4)


def _check_binary(name: str, values: np.ndarray) -> None:
    if values.dtype == bool or not values.size:
        return
    if values.dtype.kind in "iu":
        valid = values.min() >= 0 and values.max() <= 1
    elif values.dtype.kind == "f":
        valid = bool(np.all((values == 0) | (values == 1)))
    else:
        import pandas as pd

        valid = bool(pd.Series(values).isin([0, 1]).all())
    if not valid:
        import pandas as pd

        shown = sorted(pd.unique(pd.Series(values))[:5].tolist(), key=str)
        raise ValueError(ERR_NOT_BINARY.format(name, shown))
