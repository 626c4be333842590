"""Sufficient statistics of scores, and the score metrics derived from them.

A score (a probability or a decision function) is summarised, for every cell of
the intersection of the protected attributes and for each true label, by a
histogram on fixed bins (:class:`ScoreBins`), the sum of the scores and the sum of
their squares. That is the :class:`ScoreTable`: it is built with one
``numpy.bincount`` per batch from integer codes, tables of chunks merge into the
table of the whole data (:meth:`ScoreTable.merge`), and any coarser grouping is a
marginal (:meth:`ScoreTable.marginal`) whose groups come in the same order as
those of :meth:`reportgen.fairness.counts.CountTable.marginal`.

Every metric here is a function of a :class:`GroupScores` (one grouping) and
returns a frozen dataclass of JSON-safe fields: per-group lists, in group order,
plus the value for the whole sample (``overall_*``). A value that is undefined for
a group (an AUC without positives, a rate of an empty group) is ``None``, never
NaN, and where useful an ``undefined_reason`` says why.

Exact and approximate
---------------------
Sums and counts are exact; what the bins lose is the order of scores *within* a
bin. Each approximate result states its bound:

* :func:`auc` counts pairs in the same bin as ties; it is exact when no bin holds
  two distinct scores and otherwise within ``max_error`` (reported per group).
* :func:`median` brackets the median of the whole sample by an interval one bin
  wide and reports its centre, so the error is at most half a bin width (and
  always within one bin width). :func:`exact_median` computes it from raw scores.
* :func:`scoring_rate_from_hist` brackets each group's share scoring above a
  threshold; :func:`scoring_rate_exact` computes it from raw scores.
* :func:`calibration` approximates the mean score of a calibration bin by the
  midpoints of the fine bins, within half a fine bin width.
* :func:`mean_score` and :func:`standardized_mean_difference` use the exact sums.

Scores that are NaN are counted per cell as ``missing`` and left out of every
metric; groups with a missing protected value are their own ("unknown") groups,
as in :mod:`reportgen.fairness.counts`.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from reportgen.fairness import stats
from reportgen.fairness.counts import (
    DENSE_KEY_LIMIT,
    KEY_OVERFLOW,
    GroupCounts,
    encode_labels,
    label_order,
    merge_labels,
)

__all__ = [
    "Calibration",
    "GroupScores",
    "MeanScore",
    "MedianScore",
    "ScoreAUC",
    "ScoreBins",
    "ScoreSMD",
    "ScoreTable",
    "ScoringImpactRatio",
    "ScoringRate",
    "auc",
    "calibration",
    "exact_median",
    "group_codes",
    "mean_score",
    "median",
    "score_table",
    "scoring_impact_ratio",
    "scoring_rate_exact",
    "scoring_rate_from_hist",
    "standardized_mean_difference",
]

# Error messages, formatted with the parameter's name and the value received.
ERR_BINS_RANGE = "ScoreBins needs finite low < high; got low={low!r} and high={high!r}."
ERR_N_BINS = "{name} must be a positive integer; got {value!r}."
ERR_BINS_TYPE = "bins must be a ScoreBins or None; got {value!r}."
ERR_LENGTHS = (
    "y_score, y_true and every sensitive feature must have the same length; "
    "got lengths {lengths}."
)
ERR_FEATURE_LENGTHS = (
    "every sensitive feature must have the same length; got lengths {lengths}."
)
ERR_NO_ATTRIBUTES = "sensitive_features must name at least one protected attribute."
ERR_NOT_BINARY = "y_true must hold only 0 and 1; got values {values}."
ERR_SCORE_VALUES = "{name} must hold finite numbers or NaN; got {value!r}."
ERR_SCORE_SHAPE = "{name} must be one-dimensional; got shape {shape}."
ERR_OUT_OF_PROBABILITY_RANGE = (
    "y_score holds values outside [0, 1] (from {low!r} to {high!r}), so it is not a "
    "probability; pass bins=ScoreBins.from_range(low, high) with the range the "
    "scores can take."
)
ERR_MERGE_ATTRIBUTES = (
    "Cannot merge score tables over different attributes: {mine} and {theirs}."
)
ERR_MERGE_BINS = "Cannot merge score tables with different bins: {mine} and {theirs}."
ERR_ATTRIBUTE = (
    "{value!r} is not an attribute of this table; its attributes are {known}."
)
ERR_NO_MARGINAL = "attributes must name at least one attribute of the table."
ERR_THRESHOLD = "threshold must be a finite number; got {value!r}."
ERR_GROUP_CODES = (
    "group_codes must hold non-negative integer group indices, below len(labels) "
    "when labels are given; got {value!r}."
)
ERR_CODES_LENGTH = (
    "group_codes must be one-dimensional with one code per score ({n}); "
    "got shape {shape}."
)
ERR_COMPARED = "compared must hold one boolean per group ({n}); got {got}."
ERR_CALIBRATION_BINS = (
    "calibration needs probability bins on [0, 1] whose number ({fine}) is a "
    "multiple of n_bins; got bins={bins!r} and n_bins={n_bins!r}."
)

# Why a metric is undefined for a group.
NO_SCORES = "no member of the group has a score"
NO_POSITIVES = "no scored member of the group has a positive true outcome"
NO_NEGATIVES = "no scored member of the group has a negative true outcome"
TOO_FEW_SCORES = "fewer than two members of the group have a score"

_MISSING_KEY = np.iinfo(np.int64).max


# --------------------------------------------------------------------------------------
# Bins
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreBins:
    """Fixed, equal-width bins for scores, shared by every table to be merged.

    Bin ``i`` holds the scores ``s`` with ``edges[i] <= s < edges[i + 1]``; the last
    bin also holds ``s == high``. Scores below ``low`` are counted in the first
    bin and scores above ``high`` in the last bin; such scores are *clipped*, and
    each table counts them in its ``clipped`` field, so a report can say how many
    scores the histogram places only approximately. Sums of scores are never
    clipped.

    The default, ``ScoreBins()``, is 1000 bins on [0, 1], for probabilities. For
    other scores (decision functions, log-odds) give the range the scores can take
    with :meth:`from_range`; the bins must be fixed before the data is read so
    that tables of different chunks can be merged.

    Parameters
    ----------
    low, high : float, default=0.0, 1.0
        Range covered by the bins; finite, ``low < high``.
    n_bins : int, default=1000
        Number of bins.

    Examples
    --------
    >>> bins = ScoreBins(n_bins=4)
    >>> bins.edges.tolist()
    [0.0, 0.25, 0.5, 0.75, 1.0]
    >>> bins.bin_index([0.0, 0.25, 0.3, 1.0, 1.5]).tolist()
    [0, 1, 1, 3, 3]
    """

    low: float = 0.0
    high: float = 1.0
    n_bins: int = 1000

    def __post_init__(self) -> None:
        if (
            isinstance(self.n_bins, bool)
            or not isinstance(self.n_bins, numbers.Integral)
            or self.n_bins < 1
        ):
            raise ValueError(ERR_N_BINS.format(name="n_bins", value=self.n_bins))
        low, high = _real(self.low), _real(self.high)
        if low is None or high is None or not low < high:
            raise ValueError(ERR_BINS_RANGE.format(low=self.low, high=self.high))
        object.__setattr__(self, "low", low)
        object.__setattr__(self, "high", high)
        object.__setattr__(self, "n_bins", int(self.n_bins))

    @classmethod
    def probability(cls, n_bins: int = 1000) -> ScoreBins:
        """Equal bins on [0, 1], for scores that are probabilities."""
        return cls(0.0, 1.0, n_bins)

    @classmethod
    def from_range(cls, low: float, high: float, n_bins: int = 1000) -> ScoreBins:
        """Equal bins on [low, high], for decision functions and other scores."""
        return cls(low, high, n_bins)

    @property
    def is_probability(self) -> bool:
        """Whether the bins cover exactly [0, 1]."""
        return self.low == 0.0 and self.high == 1.0

    @property
    def width(self) -> float:
        """Width of one bin."""
        return (self.high - self.low) / self.n_bins

    @property
    def edges(self) -> np.ndarray:
        """The ``n_bins + 1`` bin edges, ``low + (high - low) * i / n_bins``.

        Written this way (not as a running sum) so that on [0, 1] the edges are
        exactly the floats ``i / n_bins``: a probability rounded to 3 decimals
        then falls in the bin it names when ``n_bins`` is 1000.
        """
        fraction = np.arange(self.n_bins + 1) / self.n_bins
        edges = self.low + (self.high - self.low) * fraction
        edges[-1] = self.high
        return edges

    @property
    def centres(self) -> np.ndarray:
        """Midpoint of each bin."""
        edges = self.edges
        return (edges[:-1] + edges[1:]) / 2

    def bin_index(self, scores) -> np.ndarray:
        """Bin of each score, clipping scores outside [low, high] to the end bins.

        Parameters
        ----------
        scores : array-like of shape (n_samples,)
            Finite scores.

        Returns
        -------
        ndarray of int64, shape (n_samples,)
        """
        values = np.asarray(scores, dtype=float)
        edges = self.edges
        last = self.n_bins - 1

        # Arithmetic guess, then a step to the neighbour bin where rounding put the
        # guess on the wrong side of an edge: the edges array decides.
        scale = self.n_bins / (self.high - self.low)
        guess = np.floor((values - self.low) * scale)
        index = np.clip(guess, 0, last).astype(np.int64)
        index -= (values < edges[index]) & (index > 0)
        index += (values >= edges[index + 1]) & (index < last)

        # Anything still off (only for extreme ranges) is looked up exactly.
        wrong = ((values < edges[index]) & (index > 0)) | (
            (values >= edges[index + 1]) & (index < last)
        )
        if wrong.any():
            found = np.searchsorted(edges, values[wrong], side="right") - 1
            index[wrong] = np.clip(found, 0, last)
        return index


# --------------------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupScores:
    """Score statistics for each group of one grouping (one attribute or several).

    Attributes
    ----------
    attributes : tuple of str
        The protected attributes that define the groups.
    labels : tuple of tuple
        For each group, its value of each attribute as a string; ``None`` where
        the value was missing. Same order as
        :meth:`reportgen.fairness.counts.CountTable.marginal`.
    bins : ScoreBins
        The bins of ``hist``.
    hist : ndarray of int64, shape (n_groups, 2, n_bins)
        Counts of scores per true label (0 negative, 1 positive) and bin.
    total, total_sq : ndarray of float, shape (n_groups, 2)
        Sum of the scores and of their squares, per true label.
    missing : ndarray of int64, shape (n_groups,)
        Members whose score was NaN (left out of everything else).
    clipped : ndarray of int64, shape (n_groups, 2)
        Scores below ``bins.low`` (column 0) and above ``bins.high`` (column 1),
        counted in the first and last bin.
    """

    attributes: tuple[str, ...]
    labels: tuple[tuple[str | None, ...], ...]
    bins: ScoreBins
    hist: np.ndarray
    total: np.ndarray
    total_sq: np.ndarray
    missing: np.ndarray
    clipped: np.ndarray

    @property
    def n(self) -> np.ndarray:
        """Scored members of each group (missing scores excluded)."""
        return self.hist.sum(axis=(1, 2))

    @property
    def is_unknown(self) -> np.ndarray:
        """True for groups with a missing value in any of their attributes."""
        return np.array(
            [any(v is None for v in label) for label in self.labels], dtype=bool
        )

    def display_labels(self, separator: str = " × ") -> list[str]:
        """Group names for people, as :meth:`GroupCounts.display_labels` writes them.

        Values are joined by ``separator``; missing values are shown as "unknown",
        or as "unknown (missing)" when the data itself holds a value "unknown".
        """
        return _display(self.labels, separator)


@dataclass(frozen=True)
class ScoreTable:
    """Score statistics over the intersection of all protected attributes.

    Attributes
    ----------
    attributes : tuple of str
        Protected attribute names, in the order of the columns of ``keys``.
    keys : ndarray of int64, shape (n_cells, n_attributes)
        Label codes into ``labels[i]`` for each attribute; -1 means missing.
    labels : tuple of tuple of str
        The distinct labels seen for each attribute.
    bins : ScoreBins
        The bins of ``hist``.
    hist : ndarray of int64, shape (n_cells, 2, n_bins)
        Counts of scores per true label (0 negative, 1 positive) and bin.
    total, total_sq : ndarray of float, shape (n_cells, 2)
        Sum of the (unclipped) scores and of their squares, per true label.
    missing : ndarray of int64, shape (n_cells,)
        Rows whose score was NaN; they are in no other field.
    clipped : ndarray of int64, shape (n_cells, 2)
        Scores below ``bins.low`` (column 0) and above ``bins.high`` (column 1).
    """

    attributes: tuple[str, ...]
    keys: np.ndarray
    labels: tuple[tuple[str, ...], ...]
    bins: ScoreBins
    hist: np.ndarray
    total: np.ndarray
    total_sq: np.ndarray
    missing: np.ndarray
    clipped: np.ndarray

    @property
    def n(self) -> int:
        """Number of scored rows (missing scores excluded)."""
        return int(self.hist.sum())

    def marginal(self, attributes: Sequence[str]) -> GroupScores:
        """Statistics per group of the given attributes, summed over all others.

        Groups are ordered by each attribute's sorted labels, missing values last,
        exactly as :meth:`reportgen.fairness.counts.CountTable.marginal` orders
        them; only combinations that occur in the data are kept.

        Parameters
        ----------
        attributes : sequence of str
            One or more of the table's attributes.

        Returns
        -------
        GroupScores
        """
        attributes = tuple(attributes)
        if not attributes:
            raise ValueError(ERR_NO_MARGINAL)
        for name in attributes:
            if name not in self.attributes:
                raise ValueError(
                    ERR_ATTRIBUTE.format(value=name, known=list(self.attributes))
                )
        index = [self.attributes.index(a) for a in attributes]

        # Group the cells by their codes on the chosen attributes, missing last.
        sub_keys = self.keys[:, index]
        sort_keys = np.where(sub_keys < 0, _MISSING_KEY, sub_keys)
        unique, inverse = np.unique(sort_keys, axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
        summed = [
            _sum_into(len(unique), inverse, array)
            for array in (
                self.hist,
                self.total,
                self.total_sq,
                self.missing,
                self.clipped,
            )
        ]

        # Decode the labels and put the groups in CountTable order.
        labels = [
            tuple(
                None if code == _MISSING_KEY else self.labels[pos][code]
                for pos, code in zip(index, row, strict=True)
            )
            for row in unique
        ]
        order = label_order(labels, [self.labels[i] for i in index])
        hist, total, total_sq, missing, clipped = (a[order] for a in summed)
        return GroupScores(
            attributes=attributes,
            labels=tuple(labels[i] for i in order),
            bins=self.bins,
            hist=hist,
            total=total,
            total_sq=total_sq,
            missing=missing,
            clipped=clipped,
        )

    def merge(self, other: ScoreTable) -> ScoreTable:
        """Add the statistics of another table over the same attributes and bins.

        The two tables may have seen different labels, in any order; the labels of
        ``other`` that are new are appended to this table's labels.

        Parameters
        ----------
        other : ScoreTable

        Returns
        -------
        ScoreTable
        """
        if other.attributes != self.attributes:
            raise ValueError(
                ERR_MERGE_ATTRIBUTES.format(
                    mine=self.attributes, theirs=other.attributes
                )
            )
        if other.bins != self.bins:
            raise ValueError(ERR_MERGE_BINS.format(mine=self.bins, theirs=other.bins))

        labels, other_keys = merge_labels(self.labels, other.labels, other.keys)

        # Sum the rows of both tables by key.
        keys = np.vstack([self.keys, other_keys])
        unique, inverse = np.unique(keys, axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
        hist, total, total_sq, missing, clipped = (
            _sum_into(len(unique), inverse, np.concatenate([mine, theirs]))
            for mine, theirs in (
                (self.hist, other.hist),
                (self.total, other.total),
                (self.total_sq, other.total_sq),
                (self.missing, other.missing),
                (self.clipped, other.clipped),
            )
        )
        return ScoreTable(
            attributes=self.attributes,
            keys=unique,
            labels=labels,
            bins=self.bins,
            hist=hist,
            total=total,
            total_sq=total_sq,
            missing=missing,
            clipped=clipped,
        )


def score_table(
    y_score,
    y_true,
    *,
    sensitive_features: Mapping[str, object],
    bins: ScoreBins | None = None,
) -> ScoreTable:
    """Build the score table of one batch of scored examples.

    Parameters
    ----------
    y_score : array-like of shape (n_samples,)
        Scores, higher meaning more favourable; NaN where the score is missing.
        Infinite scores are an error.
    y_true : array-like of shape (n_samples,)
        True outcomes encoded as 0/1 (or bool), 1 being the positive label.
    sensitive_features : mapping of str to array-like of shape (n_samples,)
        One column of group labels per protected attribute.
    bins : ScoreBins, default=None
        The bins of the histograms. ``None`` means ``ScoreBins()``, 1000 bins on
        [0, 1], and then every score must lie in [0, 1]; with explicit bins,
        scores outside the range are clipped and counted.

    Returns
    -------
    ScoreTable

    Raises
    ------
    ValueError
        If the lengths differ, no attribute is given, ``y_true`` is not 0/1, a
        score is infinite, or ``bins`` is None and a score lies outside [0, 1].

    Examples
    --------
    >>> table = score_table(
    ...     [0.1, 0.8, np.nan], [0, 1, 1], sensitive_features={"sex": ["F", "M", "F"]}
    ... )
    >>> table.labels, table.missing.tolist(), table.n
    ((('F', 'M'),), [1, 0], 2)
    """
    if not sensitive_features:
        raise ValueError(ERR_NO_ATTRIBUTES)
    if bins is None:
        bins = ScoreBins()
        default_bins = True
    elif isinstance(bins, ScoreBins):
        default_bins = False
    else:
        raise ValueError(ERR_BINS_TYPE.format(value=bins))
    score = _scores("y_score", y_score)
    truth = np.asarray(y_true)
    encoded = {name: encode_labels(col) for name, col in sensitive_features.items()}
    lengths = {len(score), len(truth), *(len(c) for c, _ in encoded.values())}
    if len(lengths) != 1:
        raise ValueError(ERR_LENGTHS.format(lengths=sorted(lengths)))
    truth = _binary(truth)

    # One cell index per row, over the cells present in the data.
    keys, cell = _cells(encoded)
    n_cells = len(keys)

    # Scores are binned (clipped at the ends); NaN scores are only counted.
    scored = ~np.isnan(score)
    value = score[scored]
    if default_bins and value.size and (value.min() < 0 or value.max() > 1):
        raise ValueError(
            ERR_OUT_OF_PROBABILITY_RANGE.format(
                low=float(value.min()), high=float(value.max())
            )
        )
    scored_cell = cell[scored]
    label_cell = scored_cell * 2 + truth[scored]

    # One bincount for the histograms, then the sums and the side counts.
    flat = label_cell * bins.n_bins + bins.bin_index(value)
    hist = np.bincount(flat, minlength=n_cells * 2 * bins.n_bins)
    hist = hist.astype(np.int64, copy=False).reshape(n_cells, 2, bins.n_bins)
    total = np.bincount(label_cell, weights=value, minlength=n_cells * 2)
    total_sq = np.bincount(label_cell, weights=value * value, minlength=n_cells * 2)
    missing = np.bincount(cell[~scored], minlength=n_cells).astype(np.int64)
    below = np.bincount(scored_cell[value < bins.low], minlength=n_cells)
    above = np.bincount(scored_cell[value > bins.high], minlength=n_cells)
    clipped = np.column_stack([below, above]).astype(np.int64).reshape(n_cells, 2)

    return ScoreTable(
        attributes=tuple(encoded),
        keys=keys,
        labels=tuple(labels for _, labels in encoded.values()),
        bins=bins,
        hist=hist,
        total=total.reshape(n_cells, 2),
        total_sq=total_sq.reshape(n_cells, 2),
        missing=missing,
        clipped=clipped,
    )


def group_codes(
    sensitive_features: Mapping[str, object],
) -> tuple[np.ndarray, tuple[tuple[str | None, ...], ...]]:
    """Group index of every row, for the exact metrics on in-memory data.

    The groups are the combinations of all the given attributes that occur in the
    data, in the order of :meth:`ScoreTable.marginal` (and of
    :meth:`reportgen.fairness.counts.CountTable.marginal`) over those attributes,
    so the results of :func:`scoring_rate_exact` line up with those of
    :func:`scoring_rate_from_hist`.

    Parameters
    ----------
    sensitive_features : mapping of str to array-like of shape (n_samples,)
        One column of group labels per protected attribute.

    Returns
    -------
    codes : ndarray of int64, shape (n_samples,)
        Index of each row's group in ``labels``.
    labels : tuple of tuple
        Each group's value of each attribute; ``None`` where missing.

    Examples
    --------
    >>> codes, labels = group_codes({"sex": ["M", None, "F", "M"]})
    >>> codes.tolist(), labels
    ([1, 2, 0, 1], (('F',), ('M',), (None,)))
    """
    if not sensitive_features:
        raise ValueError(ERR_NO_ATTRIBUTES)
    encoded = {name: encode_labels(col) for name, col in sensitive_features.items()}
    lengths = {len(c) for c, _ in encoded.values()}
    if len(lengths) != 1:
        raise ValueError(ERR_FEATURE_LENGTHS.format(lengths=sorted(lengths)))
    keys, cell = _cells(encoded)
    known = [labels for _, labels in encoded.values()]
    labels = [
        tuple(None if code < 0 else known[pos][code] for pos, code in enumerate(row))
        for row in keys
    ]
    order = label_order(labels, known)
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return rank[cell], tuple(labels[i] for i in order)


def _cells(
    encoded: Mapping[str, tuple[np.ndarray, tuple[str, ...]]],
) -> tuple[np.ndarray, np.ndarray]:
    """The label combinations present in the data, and each row's combination.

    Returns the per-attribute codes of the present combinations, shape
    (n_cells, n_attributes) with -1 for missing, in increasing code order
    (missing after the labels), and the index of each row's combination.
    """
    digits = [
        np.where(codes < 0, len(labels), codes) for codes, labels in encoded.values()
    ]
    radices = [len(labels) + 1 for _, labels in encoded.values()]
    n_keys = math.prod(radices)
    if n_keys >= KEY_OVERFLOW:
        # A mixed-radix key would overflow 64 bits: deduplicate rows of digits.
        unique, inverse = np.unique(
            np.column_stack(digits), axis=0, return_inverse=True
        )
        decoded, cell = unique.astype(np.int64), inverse.reshape(-1)
    else:
        # One mixed-radix key per row; missing takes the last digit.
        key = np.zeros(len(digits[0]), dtype=np.int64)
        for column, radix in zip(digits, radices, strict=True):
            key = key * radix + column
        present, cell = _present_keys(key, n_keys)
        decoded = np.empty((len(present), len(radices)), dtype=np.int64)
        rest = present.copy()
        for i in range(len(radices) - 1, -1, -1):
            decoded[:, i] = rest % radices[i]
            rest //= radices[i]
    keys = np.where(decoded == np.array(radices) - 1, -1, decoded)
    return keys.reshape(-1, len(radices)), cell.astype(np.int64, copy=False)


def _present_keys(key: np.ndarray, n_keys: int) -> tuple[np.ndarray, np.ndarray]:
    """The sorted distinct keys, and each row's position among them."""
    if n_keys <= max(len(key), DENSE_KEY_LIMIT):
        present = np.flatnonzero(np.bincount(key, minlength=n_keys))
        position = np.zeros(n_keys, dtype=np.int64)
        position[present] = np.arange(len(present))
        return present.astype(np.int64), position[key]
    # Too many possible combinations for a dense lookup: sort the present ones.
    present, inverse = np.unique(key, return_inverse=True)
    return present, inverse.reshape(-1)


def _sum_into(n: int, index: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Sum the rows of ``values`` into ``n`` rows, row ``i`` going to ``index[i]``."""
    out = np.zeros((n, *values.shape[1:]), dtype=values.dtype)
    np.add.at(out, index, values)
    return out


# --------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreAUC:
    """ROC AUC of the score within each group.

    Attributes
    ----------
    attributes : list of str
    groups : list of str
        Display labels of the groups, missing values shown as "unknown".
    auc : list of float or None
        Probability that a positive scores above a negative, ties counting one
        half, with pairs in the same bin counted as ties. None for a group
        without scored positives or negatives.
    max_error : list of float or None
        Bound on ``|auc - exact AUC|``: half the share of positive-negative pairs
        that share a bin. It is conservative: pairs with equal scores are ties
        in the exact AUC too, but the histogram cannot tell them apart.
    undefined_reason : list of str or None
    overall_auc, overall_max_error : float or None
        The same for the whole sample.
    """

    attributes: list[str]
    groups: list[str]
    auc: list[float | None]
    max_error: list[float | None]
    undefined_reason: list[str | None]
    overall_auc: float | None
    overall_max_error: float | None


@dataclass(frozen=True)
class MedianScore:
    """Median score of the whole sample (the NYC LL144 scoring-rate threshold).

    Attributes
    ----------
    value : float or None
        The median (numpy's definition: the mean of the two middle scores when
        their number is even); None without scores.
    low, high : float or None
        An interval sure to contain the exact median. From a histogram it is one
        bin wide and ``value`` is its centre; None on a side where the median
        falls in an end bin holding clipped scores (no bound is known there).
    max_error : float or None
        ``(high - low) / 2``: half a bin width from a histogram, 0 when exact.
    n : int
        Number of scores.
    exact : bool
        Whether the median was computed from the raw scores.
    """

    value: float | None
    low: float | None
    high: float | None
    max_error: float | None
    n: int
    exact: bool


@dataclass(frozen=True)
class ScoringRate:
    """Share of each group scoring strictly above a threshold (NYC LL144).

    Attributes
    ----------
    attributes : list of str
    groups : list of str
    is_unknown : list of bool
    threshold : float
        The threshold asked for (for NYC LL144, the median of the full sample).
    effective_threshold : float
        From a histogram, the bin edge nearest at or above ``threshold``: ``rate``
        is the share scoring at or above it. Equal to ``threshold`` when exact.
    resolution : float
        Bin width of the histogram; 0 when exact.
    n : list of int
        Scored members of each group (missing scores excluded).
    above : list of int
        Members counted as scoring above the threshold.
    rate : list of float or None
        ``above / n``; None for a group without scores.
    rate_low, rate_high : list of float or None
        Interval sure to contain the exact share scoring above ``threshold``; its
        width is the share of the group in the bin that holds the threshold.
        Equal to ``rate`` when exact.
    overall_n, overall_above : int
    overall_rate, overall_rate_low, overall_rate_high : float or None
        The same for the whole sample.
    exact : bool
        Whether the rates were computed from the raw scores.
    """

    attributes: list[str]
    groups: list[str]
    is_unknown: list[bool]
    threshold: float
    effective_threshold: float
    resolution: float
    n: list[int]
    above: list[int]
    rate: list[float | None]
    rate_low: list[float | None]
    rate_high: list[float | None]
    overall_n: int
    overall_above: int
    overall_rate: float | None
    overall_rate_low: float | None
    overall_rate_high: float | None
    exact: bool


@dataclass(frozen=True)
class ScoringImpactRatio:
    """Scoring rate of each group over the highest rate among compared groups.

    Attributes
    ----------
    groups : list of str
    compared : list of bool
        Groups taking part in the comparison; the others get None.
    impact_ratio : list of float or None
        None for groups not compared, without a rate, or when the highest rate
        is 0.
    highest_rate : float or None
    highest_group : str or None
        The compared group with the highest scoring rate (the first on ties).
    """

    groups: list[str]
    compared: list[bool]
    impact_ratio: list[float | None]
    highest_rate: float | None
    highest_group: str | None


@dataclass(frozen=True)
class Calibration:
    """Reliability of probability scores per group, on equal-width bins.

    Attributes
    ----------
    attributes : list of str
    groups : list of str
    bin_edges : list of float
        The ``n_bins + 1`` edges of the calibration bins on [0, 1].
    count : list of list of int
        Scored members per group (outer) and calibration bin (inner).
    positives : list of list of int
        Members with a positive true outcome, per group and bin.
    mean_score : list of list of float or None
        Mean score per group and bin, with each score replaced by the midpoint of
        its fine bin (within ``mean_score_max_error`` of the exact mean); None
        for an empty bin.
    observed_rate : list of list of float or None
        ``positives / count``; None for an empty bin.
    ece : list of float or None
        Expected calibration error: the mean over the group's members of
        ``|mean_score - observed_rate|`` of their bin. None without scores.
    overall_count, overall_positives : list of int
    overall_mean_score, overall_observed_rate : list of float or None
    overall_ece : float or None
        The same for the whole sample.
    mean_score_max_error : float
        Half the width of a fine bin: bound on the error of every mean score and
        every ECE (when no score was clipped).
    """

    attributes: list[str]
    groups: list[str]
    bin_edges: list[float]
    count: list[list[int]]
    positives: list[list[int]]
    mean_score: list[list[float | None]]
    observed_rate: list[list[float | None]]
    ece: list[float | None]
    overall_count: list[int]
    overall_positives: list[int]
    overall_mean_score: list[float | None]
    overall_observed_rate: list[float | None]
    overall_ece: float | None
    mean_score_max_error: float


@dataclass(frozen=True)
class MeanScore:
    """Mean and standard deviation (ddof=1) of the score per group, exact.

    Attributes
    ----------
    attributes : list of str
    groups : list of str
    n : list of int
    mean : list of float or None
        None for a group without scores.
    sd : list of float or None
        Sample standard deviation; None for a group with fewer than 2 scores.
    overall_n : int
    overall_mean, overall_sd : float or None
    """

    attributes: list[str]
    groups: list[str]
    n: list[int]
    mean: list[float | None]
    sd: list[float | None]
    overall_n: int
    overall_mean: float | None
    overall_sd: float | None


@dataclass(frozen=True)
class ScoreSMD:
    """Standardized mean difference of each group's score from a reference group.

    Attributes
    ----------
    attributes : list of str
    groups : list of str
    reference_group : str
    smd : list of float or None
        ``(mean_g - mean_ref) / pooled SD`` (see
        :func:`reportgen.fairness.stats.standardized_mean_difference`); positive
        when the group scores higher than the reference. None where undefined.
    """

    attributes: list[str]
    groups: list[str]
    reference_group: str
    smd: list[float | None]


# --------------------------------------------------------------------------------------
# Metrics
# --------------------------------------------------------------------------------------


def auc(group_scores: GroupScores) -> ScoreAUC:
    """ROC AUC of the score within each group, from the histograms.

    Pairs of a positive and a negative in different bins are ordered by their
    bins; pairs in the same bin count as ties (one half). The result equals the
    exact AUC (as :func:`sklearn.metrics.roc_auc_score` computes it) when no bin
    holds two distinct scores, and otherwise differs from it by at most
    ``max_error``, half the share of positive-negative pairs that share a bin.

    Parameters
    ----------
    group_scores : GroupScores

    Returns
    -------
    ScoreAUC

    Examples
    --------
    >>> table = score_table(
    ...     [0.2, 0.4, 0.6, 0.8], [0, 1, 0, 1], sensitive_features={"g": list("aaaa")}
    ... )
    >>> auc(table.marginal(["g"])).auc
    [0.75]
    """
    hist = group_scores.hist
    overall = hist.sum(axis=0, keepdims=True)
    values, bounds = _auc_and_bound(hist)
    overall_value, overall_bound = _auc_and_bound(overall)
    positives = hist[:, 1].sum(axis=1)
    negatives = hist[:, 0].sum(axis=1)
    reasons = [
        _auc_undefined_reason(p, q)
        for p, q in zip(positives.tolist(), negatives.tolist(), strict=True)
    ]
    return ScoreAUC(
        attributes=list(group_scores.attributes),
        groups=group_scores.display_labels(),
        auc=_floats(values),
        max_error=_floats(bounds),
        undefined_reason=reasons,
        overall_auc=_float(overall_value[0]),
        overall_max_error=_float(overall_bound[0]),
    )


def _auc_undefined_reason(positives: int, negatives: int) -> str | None:
    if positives + negatives == 0:
        return NO_SCORES
    if positives == 0:
        return NO_POSITIVES
    if negatives == 0:
        return NO_NEGATIVES
    return None


def _auc_and_bound(hist: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Binned AUC and its error bound for histograms of shape (n, 2, n_bins)."""
    negative, positive = hist[:, 0], hist[:, 1]
    values = stats.binned_auc(positive, negative)
    pairs = positive.sum(axis=1).astype(float) * negative.sum(axis=1)
    tied = (positive.astype(float) * negative).sum(axis=1)
    defined = pairs > 0
    bounds = np.where(defined, 0.5 * tied / np.where(defined, pairs, 1.0), np.nan)
    return values, bounds


def median(group_scores: GroupScores) -> MedianScore:
    """Median score of the whole sample, from the merged histogram.

    The median is the score in the middle of the sorted scores, or the mean of
    the two middle scores when their number is even. The histogram tells the
    bins ``a <= b`` of the two middle scores (the same bin for an odd number),
    so the median lies in ``[(edges[a] + edges[b]) / 2, (edges[a + 1] +
    edges[b + 1]) / 2]``, an interval exactly one bin wide; the result is its
    centre, ``(centres[a] + centres[b]) / 2``. Maximum error: half a bin width
    (so always within one bin width), unless a middle score is clipped, in which
    case that side of the interval is unknown (``None``). When all scores sit
    on bin centres the result is exact.

    Parameters
    ----------
    group_scores : GroupScores
        Any grouping of the sample: the histograms of all groups are added up,
        so every scored person counts, including those in unknown groups.

    Returns
    -------
    MedianScore

    Examples
    --------
    >>> table = score_table(
    ...     [0.12, 0.13, 0.9], [0, 1, 1], sensitive_features={"g": list("abb")},
    ...     bins=ScoreBins(n_bins=10),
    ... )
    >>> result = median(table.marginal(["g"]))
    >>> round(result.value, 6), result.low, result.high, result.max_error
    (0.15, 0.1, 0.2, 0.05)
    """
    bins = group_scores.bins
    counts = group_scores.hist.sum(axis=(0, 1))
    n = int(counts.sum())
    if n == 0:
        return MedianScore(None, None, None, None, 0, exact=False)

    # Bins of the two middle order statistics (0-based ranks).
    cumulative = np.cumsum(counts)
    ranks = np.array([(n - 1) // 2, n // 2])
    a, b = np.searchsorted(cumulative, ranks, side="right").tolist()
    edges, centres = bins.edges, bins.centres
    value = (centres[a] + centres[b]) / 2

    # The bracket, unbounded on a side where clipped scores may lie.
    clipped = group_scores.clipped.sum(axis=0)
    low_known = not (a == 0 and clipped[0] > 0)
    high_known = not (b == bins.n_bins - 1 and clipped[1] > 0)
    low = (edges[a] + edges[b]) / 2 if low_known else None
    high = (edges[a + 1] + edges[b + 1]) / 2 if high_known else None
    max_error = bins.width / 2 if low_known and high_known else None
    return MedianScore(
        value=float(value),
        low=_float(low),
        high=_float(high),
        max_error=max_error,
        n=n,
        exact=False,
    )


def exact_median(y_score) -> MedianScore:
    """Median of raw scores held in memory, NaN scores left out.

    Parameters
    ----------
    y_score : array-like of shape (n_samples,)
        Finite scores or NaN.

    Returns
    -------
    MedianScore
        With ``low == high == value``, ``max_error == 0`` and ``exact=True``.

    Examples
    --------
    >>> exact_median([0.3, np.nan, 0.1, 0.2, 0.9]).value
    0.25
    """
    score = _scores("y_score", y_score)
    score = score[~np.isnan(score)]
    if score.size == 0:
        return MedianScore(None, None, None, None, 0, exact=True)
    value = float(np.median(score))
    return MedianScore(value, value, value, 0.0, int(score.size), exact=True)


def scoring_rate_from_hist(group_scores: GroupScores, threshold: float) -> ScoringRate:
    """Share of each group scoring above a threshold, from the histograms.

    The histogram cannot split a bin, so the rate counts the scores in the bins
    whose lower edge is at or above ``threshold``: the share scoring at or above
    the bin edge nearest at or above the threshold (``effective_threshold``). For
    NYC LL144 pass the median of the full sample (``median(...).value``).

    This equals the share scoring strictly above ``threshold`` unless some score
    lies between the threshold and that edge, or equals the threshold when the
    threshold is an edge; in particular it is exact when every score sits on a
    bin centre. In any case the exact share lies in ``[rate_low, rate_high]``,
    whose width is the share of the group in the bin holding the threshold (at
    most one bin's worth of the group); the bin width is reported as
    ``resolution``.

    Parameters
    ----------
    group_scores : GroupScores
    threshold : float
        Finite threshold.

    Returns
    -------
    ScoringRate
    """
    t = _threshold(threshold)
    bins = group_scores.bins
    edges = bins.edges

    # First bin counted as above, and the bin holding the threshold.
    first = int(np.searchsorted(edges[:-1], t, side="left"))
    holding = int(
        np.clip(np.searchsorted(edges, t, side="right") - 1, 0, bins.n_bins - 1)
    )
    effective = float(edges[first]) if first < bins.n_bins else bins.high

    # Sure-above, estimated and possibly-above counts per group.
    # tail[:, j] counts the scores in bins j and above (tail[:, n_bins] == 0).
    counts = group_scores.hist.sum(axis=1)
    tail = np.zeros((len(counts), bins.n_bins + 1), dtype=np.int64)
    tail[:, :-1] = np.cumsum(counts[:, ::-1], axis=1)[:, ::-1]
    n = tail[:, 0]
    above, sure, possible = tail[:, first], tail[:, holding + 1], tail[:, holding]
    return _scoring_rate(
        group_scores.attributes,
        group_scores.labels,
        threshold=t,
        effective=effective,
        resolution=bins.width,
        n=n,
        above=above,
        low=sure,
        high=possible,
        exact=False,
    )


def scoring_rate_exact(
    y_score,
    group_codes,
    threshold: float,
    *,
    labels: Sequence[tuple[str | None, ...]] | None = None,
    attributes: Sequence[str] = (),
) -> ScoringRate:
    """Share of each group scoring strictly above a threshold, from raw scores.

    Parameters
    ----------
    y_score : array-like of shape (n_samples,)
        Finite scores or NaN; NaN scores are left out of every count.
    group_codes : array-like of int, shape (n_samples,)
        Index of each row's group, from 0 to ``n_groups - 1``, for example from
        :func:`group_codes`, whose groups come in the order of
        :meth:`ScoreTable.marginal`.
    threshold : float
        Finite threshold; for NYC LL144 the median of the full sample
        (``exact_median(y_score).value``).
    labels : sequence of tuple, default=None
        Each group's value of each attribute (``None`` for missing), as returned
        by :func:`group_codes`; it fixes the number of groups. Without it the
        groups are named by their codes and none is unknown.
    attributes : sequence of str, default=()
        Names of the attributes, for the result.

    Returns
    -------
    ScoringRate
        With ``rate_low == rate_high == rate``, ``resolution == 0`` and
        ``exact=True``.

    Examples
    --------
    >>> result = scoring_rate_exact([0.2, 0.7, 0.9, 0.4], [0, 0, 1, 1], 0.5)
    >>> result.rate, result.overall_rate
    ([0.5, 0.5], 0.5)
    """
    t = _threshold(threshold)
    score = _scores("y_score", y_score)
    codes = _group_code_array(group_codes, len(score), labels)
    n_groups = len(labels) if labels is not None else int(codes.max(initial=-1)) + 1
    if labels is None:
        labels = [(str(i),) for i in range(n_groups)]

    # Count the scored members and those strictly above the threshold.
    scored = ~np.isnan(score)
    n = np.bincount(codes[scored], minlength=n_groups)
    above = np.bincount(codes[scored & (score > t)], minlength=n_groups)
    return _scoring_rate(
        tuple(attributes),
        tuple(tuple(label) for label in labels),
        threshold=t,
        effective=t,
        resolution=0.0,
        n=n,
        above=above,
        low=above,
        high=above,
        exact=True,
    )


def _group_code_array(values, n_samples: int, labels) -> np.ndarray:
    """Group codes as int64, checking their length and range."""
    codes = np.asarray(values)
    if codes.ndim != 1 or len(codes) != n_samples:
        raise ValueError(ERR_CODES_LENGTH.format(n=n_samples, shape=codes.shape))
    if codes.size == 0:
        return codes.astype(np.int64)
    if codes.dtype.kind not in "iu":
        raise ValueError(ERR_GROUP_CODES.format(value=codes[0]))
    bad = (codes < 0) | (labels is not None and codes >= len(labels))
    if np.any(bad):
        raise ValueError(ERR_GROUP_CODES.format(value=codes[bad][0].item()))
    return codes.astype(np.int64, copy=False)


def _scoring_rate(
    attributes: tuple[str, ...],
    labels: tuple[tuple[str | None, ...], ...],
    *,
    threshold: float,
    effective: float,
    resolution: float,
    n: np.ndarray,
    above: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    exact: bool,
) -> ScoringRate:
    """Assemble a ScoringRate from per-group counts."""
    n_all = int(n.sum())

    def share(count: np.ndarray) -> list[float | None]:
        return _floats(_divide(count, n))

    def share_all(count: np.ndarray) -> float | None:
        return _float(int(count.sum()) / n_all) if n_all else None

    return ScoringRate(
        attributes=list(attributes),
        groups=_display(labels),
        is_unknown=[any(v is None for v in label) for label in labels],
        threshold=threshold,
        effective_threshold=effective,
        resolution=resolution,
        n=_ints(n),
        above=_ints(above),
        rate=share(above),
        rate_low=share(low),
        rate_high=share(high),
        overall_n=n_all,
        overall_above=int(above.sum()),
        overall_rate=share_all(above),
        overall_rate_low=share_all(low),
        overall_rate_high=share_all(high),
        exact=exact,
    )


def scoring_impact_ratio(
    rates: ScoringRate, *, compared: Sequence[bool] | None = None
) -> ScoringImpactRatio:
    """Scoring rate of each group over the highest scoring rate (NYC LL144).

    Parameters
    ----------
    rates : ScoringRate
        From :func:`scoring_rate_from_hist` or :func:`scoring_rate_exact`.
    compared : sequence of bool, default=None
        Groups taking part in the comparison. By default every group with a
        known label and at least one score; pass a narrower mask to leave out
        groups under 2 % of the sample (the optional NYC LL144 exclusion).

    Returns
    -------
    ScoringImpactRatio
        Groups outside ``compared`` get None.

    Examples
    --------
    >>> rates = scoring_rate_exact([0.2, 0.7, 0.9, 0.8], [0, 0, 1, 1], 0.5)
    >>> scoring_impact_ratio(rates).impact_ratio
    [0.5, 1.0]
    """
    n_groups = len(rates.groups)
    rate = np.array([np.nan if r is None else r for r in rates.rate], dtype=float)
    if compared is None:
        mask = ~np.array(rates.is_unknown, dtype=bool) & (np.array(rates.n) > 0)
    else:
        mask = np.asarray(compared, dtype=bool)
        if mask.shape != (n_groups,):
            raise ValueError(ERR_COMPARED.format(n=n_groups, got=len(compared)))
    mask = mask.reshape(n_groups)
    candidates = np.flatnonzero(mask & ~np.isnan(rate))
    if candidates.size:
        best = int(candidates[np.argmax(rate[candidates])])
        highest = float(rate[best])
        ratio = np.where(mask, _divide(rate, np.full(n_groups, highest)), np.nan)
        highest_group = rates.groups[best]
    else:
        highest, highest_group = None, None
        ratio = np.full(n_groups, np.nan)
    return ScoringImpactRatio(
        groups=list(rates.groups),
        compared=mask.tolist(),
        impact_ratio=_floats(ratio),
        highest_rate=highest,
        highest_group=highest_group,
    )


def calibration(group_scores: GroupScores, n_bins: int = 10) -> Calibration:
    """Calibration of probability scores per group, on equal-width bins of [0, 1].

    Each calibration bin gathers whole fine bins of the histogram, so the fine
    number of bins must be a multiple of ``n_bins`` (1000 fine bins serve 10, 20,
    50 or 100 calibration bins). Counts and observed positive rates are exact;
    the mean score of a bin replaces each score by the midpoint of its fine bin,
    which is within half a fine bin width of the exact mean (0.0005 with 1000
    bins), and so is the expected calibration error.

    Parameters
    ----------
    group_scores : GroupScores
        With probability bins (``bins.low == 0`` and ``bins.high == 1``).
    n_bins : int, default=10
        Number of calibration bins.

    Returns
    -------
    Calibration

    Raises
    ------
    ValueError
        If the bins are not on [0, 1] or their number is not a multiple of
        ``n_bins``.
    """
    bins = group_scores.bins
    if (
        isinstance(n_bins, bool)
        or not isinstance(n_bins, numbers.Integral)
        or n_bins < 1
    ):
        raise ValueError(ERR_N_BINS.format(name="n_bins", value=n_bins))
    if not bins.is_probability or bins.n_bins % n_bins:
        raise ValueError(
            ERR_CALIBRATION_BINS.format(fine=bins.n_bins, bins=bins, n_bins=n_bins)
        )
    per_bin = bins.n_bins // int(n_bins)
    hist = group_scores.hist
    coarse = _calibration_arrays(hist, bins.centres, int(n_bins), per_bin)
    overall = _calibration_arrays(
        hist.sum(axis=0, keepdims=True), bins.centres, int(n_bins), per_bin
    )
    count, positives, mean, observed, ece = coarse
    o_count, o_positives, o_mean, o_observed, o_ece = overall
    edges = np.arange(int(n_bins) + 1) / int(n_bins)
    return Calibration(
        attributes=list(group_scores.attributes),
        groups=group_scores.display_labels(),
        bin_edges=edges.tolist(),
        count=[_ints(row) for row in count],
        positives=[_ints(row) for row in positives],
        mean_score=[_floats(row) for row in mean],
        observed_rate=[_floats(row) for row in observed],
        ece=_floats(ece),
        overall_count=_ints(o_count[0]),
        overall_positives=_ints(o_positives[0]),
        overall_mean_score=_floats(o_mean[0]),
        overall_observed_rate=_floats(o_observed[0]),
        overall_ece=_float(o_ece[0]),
        mean_score_max_error=bins.width / 2,
    )


def _calibration_arrays(
    hist: np.ndarray, centres: np.ndarray, n_bins: int, per_bin: int
) -> tuple[np.ndarray, ...]:
    """Counts, positives, mean scores, observed rates and ECE per group."""
    n_groups = len(hist)
    fine = hist.sum(axis=1)
    count = fine.reshape(n_groups, n_bins, per_bin).sum(axis=2)
    positives = hist[:, 1].reshape(n_groups, n_bins, per_bin).sum(axis=2)
    score_sum = (fine * centres).reshape(n_groups, n_bins, per_bin).sum(axis=2)
    mean = _divide(score_sum, count)
    observed = _divide(positives, count)
    gap = np.where(count > 0, np.abs(np.nan_to_num(mean - observed)), 0.0)
    ece = _divide((count * gap).sum(axis=1), count.sum(axis=1))
    return count, positives, mean, observed, ece


def mean_score(group_scores: GroupScores) -> MeanScore:
    """Mean and sample standard deviation of the score per group, from the sums.

    Exact: the sums of scores and of their squares are kept unbinned and
    unclipped.

    Parameters
    ----------
    group_scores : GroupScores

    Returns
    -------
    MeanScore

    Examples
    --------
    >>> table = score_table(
    ...     [0.2, 0.4, 0.9], [0, 1, 1], sensitive_features={"g": list("aab")}
    ... )
    >>> result = mean_score(table.marginal(["g"]))
    >>> [round(v, 4) for v in result.mean], result.sd[1]
    ([0.3, 0.9], None)
    """
    n, total, total_sq = _moments(group_scores)
    all_n = np.array([n.sum()])
    mean, sd = _mean_sd(n, total, total_sq)
    overall_mean, overall_sd = _mean_sd(
        all_n, np.array([total.sum()]), np.array([total_sq.sum()])
    )
    return MeanScore(
        attributes=list(group_scores.attributes),
        groups=group_scores.display_labels(),
        n=_ints(n),
        mean=_floats(mean),
        sd=_floats(sd),
        overall_n=int(all_n[0]),
        overall_mean=_float(overall_mean[0]),
        overall_sd=_float(overall_sd[0]),
    )


def standardized_mean_difference(
    group_scores: GroupScores, reference_index: int
) -> ScoreSMD:
    """Standardized mean difference of each group's mean score from a reference.

    ``(mean_g - mean_ref) / s_pooled`` with the pooled standard deviation of the
    two groups (sample variances, ddof=1, weighted by their degrees of freedom),
    computed exactly from the sums by
    :func:`reportgen.fairness.stats.standardized_mean_difference`. Whether a
    positive value is favourable depends on the score, which the caller states.

    Parameters
    ----------
    group_scores : GroupScores
    reference_index : int
        Position of the reference group in ``group_scores``.

    Returns
    -------
    ScoreSMD
        None for groups where the SMD is undefined (empty groups, a pooled SD of
        0, or fewer than 3 scores in the two groups together).

    Raises
    ------
    ValueError
        If ``reference_index`` is not a valid group position.
    """
    n, total, total_sq = _moments(group_scores)
    smd = stats.standardized_mean_difference(n, total, total_sq, reference_index)
    return ScoreSMD(
        attributes=list(group_scores.attributes),
        groups=group_scores.display_labels(),
        reference_group=group_scores.display_labels()[int(reference_index)],
        smd=_floats(smd),
    )


def _moments(group_scores: GroupScores) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Count, sum and sum of squares of the scores per group, labels pooled."""
    return (
        group_scores.n,
        group_scores.total.sum(axis=1),
        group_scores.total_sq.sum(axis=1),
    )


def _mean_sd(
    n: np.ndarray, total: np.ndarray, total_sq: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and sample SD (ddof=1) from sums; NaN where undefined."""
    mean = _divide(total, n)
    squares = np.maximum(total_sq - total * np.nan_to_num(mean), 0.0)
    sd = np.sqrt(_divide(squares, np.where(n > 1, n - 1, 0)))
    return mean, sd


# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------


def _display(
    labels: Sequence[tuple[str | None, ...]], separator: str = " × "
) -> list[str]:
    """Group names as :meth:`GroupCounts.display_labels` writes them."""
    cells = np.zeros((len(labels), 4), dtype=np.int64)
    return GroupCounts((), tuple(labels), cells).display_labels(separator)


def _real(value: object) -> float | None:
    """``value`` as a finite float, or None if it is not a finite real number."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _threshold(value: object) -> float:
    t = _real(value)
    if t is None:
        raise ValueError(ERR_THRESHOLD.format(value=value))
    return t


def _scores(name: str, values) -> np.ndarray:
    """Scores as a 1-D float array, checking that none is infinite."""
    score = np.asarray(values, dtype=float)
    if score.ndim != 1:
        raise ValueError(ERR_SCORE_SHAPE.format(name=name, shape=score.shape))
    bad = np.isinf(score)
    if bad.any():
        raise ValueError(ERR_SCORE_VALUES.format(name=name, value=float(score[bad][0])))
    return score


def _binary(values: np.ndarray) -> np.ndarray:
    """0/1 outcomes as int64, checking that nothing else occurs."""
    if values.dtype == bool:
        return values.astype(np.int64)
    if values.size and not np.isin(values, (0, 1)).all():
        raise ValueError(ERR_NOT_BINARY.format(values=np.unique(values)[:5].tolist()))
    return values.astype(np.int64)


def _divide(numerator, denominator) -> np.ndarray:
    """Elementwise division with NaN where the denominator is 0."""
    numerator = np.asarray(numerator, dtype=float)
    denominator = np.asarray(denominator, dtype=float)
    out = np.full(np.broadcast(numerator, denominator).shape, np.nan)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


def _float(value) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) else value


def _floats(values) -> list[float | None]:
    return [_float(v) for v in np.asarray(values, dtype=float).ravel()]


def _ints(values) -> list[int]:
    return [int(v) for v in np.asarray(values).ravel()]
