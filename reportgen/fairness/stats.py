"""Intervals, tests and effect sizes computed from per-group counts.

This module is the pure statistics layer of the counts-first fairness engine. Every
function takes small arrays of sufficient statistics (counts of selected and not
selected people, confusion counts, score histograms, or sums and sums of squares)
with one entry per group, and returns numpy arrays of the same broadcast shape.
Nothing here reads files, prints, logs or plots.

Contract
--------
* **Inputs** are array-likes that broadcast against each other; scalars are
  accepted and give 0-d arrays. Counts may be non-integer (weighted counts) except
  where a function says it needs whole numbers.
* **Bad parameters** (a negative count, more successes than trials, a confidence
  level outside (0, 1), an unknown method, a wrongly shaped array) raise
  :class:`ValueError`. The messages are the module-level ``*_ERROR`` constants of
  this module, formatted with the parameter's name, what is allowed and the value
  received.
* **Undefined results** (a group with no trials, a test whose pooled rate is 0 or
  1, an AUC for a group without positives) are returned as NaN, never as a guess
  and never with a warning; each function's docstring says exactly when. Callers
  record these NaNs in the report as "undefined" (see :func:`threshold_verdict`).
* **Randomness** only enters :func:`bootstrap_interval`, which draws from
  ``np.random.default_rng(seed)``: the same inputs and seed give the same bytes.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import special

__all__ = [
    "VERDICTS",
    "adjust_p_values",
    "binned_auc",
    "bootstrap_interval",
    "cohens_h",
    "fisher_exact_p",
    "odds_ratio",
    "shortfall",
    "standardized_mean_difference",
    "threshold_verdict",
    "two_proportion_z_test",
    "use_exact_test",
    "wilson_interval",
]

# Error messages, formatted with the parameter's name and the value received.
CONFIDENCE_ERROR = (
    "confidence must be a real number strictly between 0 and 1; got {value!r}."
)
COUNTS_ERROR = "{name} must contain only finite, non-negative counts; got {value!r}."
WHOLE_COUNTS_ERROR = "{name} must contain only whole-number counts; got {value!r}."
SUCCESSES_ERROR = (
    "{successes} must not exceed {trials} in any group; "
    "got {successes}={x!r} with {trials}={n!r}."
)
PROBABILITY_ERROR = "{name} must contain probabilities in [0, 1] or NaN; got {value!r}."
FINITE_ERROR = "{name} must contain only finite numbers; got {value!r}."
NON_NEGATIVE_ERROR = "{name} must be a finite, non-negative number; got {value!r}."
METHOD_ERROR = "method must be one of {allowed}; got {value!r}."
N_RESAMPLES_ERROR = "n_resamples must be a positive integer; got {value!r}."
COUNTS_SHAPE_ERROR = (
    "counts must be a 2-D array of shape (n_groups, k) with k >= 1; got shape {shape}."
)
STATISTIC_SHAPE_ERROR = (
    "statistic must map an array of shape (..., n_groups, k) to shape "
    "(..., n_groups), here {expected}; got shape {got}."
)
GROUP_SHAPE_ERROR = (
    "n, total and total_sq must be 1-D arrays of the same length; got shapes {shapes}."
)
REFERENCE_INDEX_ERROR = (
    "reference_index must be an integer in [0, {n_groups}); got {value!r}."
)
HIST_SHAPE_ERROR = (
    "positive_hist and negative_hist must be 2-D arrays of the same shape "
    "(n_groups, n_bins); got shapes {positive} and {negative}."
)
THRESHOLD_ERROR = "threshold must contain only finite numbers; got {value!r}."
INTERVAL_ORDER_ERROR = (
    "low must not exceed high in any entry; got low={low!r} with high={high!r}."
)

#: The statuses :func:`threshold_verdict` can return.
VERDICTS = ("pass", "fail", "inconclusive", "undefined")

_ADJUST_METHODS = ("holm", "benjamini-hochberg", "none")


# --------------------------------------------------------------------------------------
# Validation helpers
# --------------------------------------------------------------------------------------


def _first(values: np.ndarray, mask: np.ndarray) -> object:
    """Return the first entry of ``values`` where ``mask`` holds, as a Python scalar."""
    return np.asarray(values)[np.asarray(mask)].ravel()[0].item()


def _check_confidence(confidence: object) -> float:
    """Return ``confidence`` as a float after checking it lies in (0, 1)."""
    if (
        isinstance(confidence, bool)
        or not isinstance(confidence, numbers.Real)
        or not 0.0 < float(confidence) < 1.0
    ):
        raise ValueError(CONFIDENCE_ERROR.format(value=confidence))
    return float(confidence)


def _counts(name: str, value: npt.ArrayLike) -> np.ndarray:
    """Return ``value`` as a float array after checking it holds valid counts."""
    arr = np.asarray(value, dtype=float)
    bad = ~np.isfinite(arr) | (arr < 0)
    if bad.any():
        raise ValueError(COUNTS_ERROR.format(name=name, value=_first(arr, bad)))
    return arr


def _whole(name: str, arr: np.ndarray) -> None:
    """Check that a float array of counts holds whole numbers only."""
    bad = arr != np.floor(arr)
    if bad.any():
        raise ValueError(WHOLE_COUNTS_ERROR.format(name=name, value=_first(arr, bad)))


def _successes_and_trials(
    successes_name: str,
    successes: npt.ArrayLike,
    trials_name: str,
    trials: npt.ArrayLike,
) -> tuple[np.ndarray, np.ndarray]:
    """Validate a pair of success and trial counts and broadcast them together."""
    x = _counts(successes_name, successes)
    n = _counts(trials_name, trials)
    x, n = np.broadcast_arrays(x, n)
    bad = x > n
    if bad.any():
        raise ValueError(
            SUCCESSES_ERROR.format(
                successes=successes_name,
                trials=trials_name,
                x=_first(x, bad),
                n=_first(n, bad),
            )
        )
    return x, n


def _two_samples(
    x1: npt.ArrayLike, n1: npt.ArrayLike, x2: npt.ArrayLike, n2: npt.ArrayLike
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Validate two groups' selected and total counts; broadcast all four."""
    a, b = _successes_and_trials("x1", x1, "n1", n1)
    c, d = _successes_and_trials("x2", x2, "n2", n2)
    a, b, c, d = np.broadcast_arrays(a, b, c, d)
    return a, b, c, d


def _probabilities(name: str, value: npt.ArrayLike) -> np.ndarray:
    """Return ``value`` as a float array after checking it lies in [0, 1] or is NaN."""
    arr = np.asarray(value, dtype=float)
    bad = ~np.isnan(arr) & ((arr < 0) | (arr > 1))
    if bad.any():
        raise ValueError(PROBABILITY_ERROR.format(name=name, value=_first(arr, bad)))
    return arr


def _non_negative_number(name: str, value: object) -> float:
    """Return a scalar setting as float after checking it is finite and >= 0."""
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not np.isfinite(float(value))
        or float(value) < 0
    ):
        raise ValueError(NON_NEGATIVE_ERROR.format(name=name, value=value))
    return float(value)


def _z_quantile(confidence: float) -> float:
    """Two-sided standard normal quantile for a confidence level."""
    return float(special.ndtri(0.5 + confidence / 2.0))


# --------------------------------------------------------------------------------------
# Proportions: intervals and tests
# --------------------------------------------------------------------------------------


def wilson_interval(
    successes: npt.ArrayLike,
    trials: npt.ArrayLike,
    *,
    confidence: float = 0.95,
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for a binomial proportion, per group.

    The interval inverts the score test of a single proportion, without continuity
    correction. With ``z`` the two-sided normal quantile for ``confidence``,
    ``x`` successes and ``n`` trials, its centre is ``(x + z**2 / 2) / (n + z**2)``
    and its half-width ``z / (n + z**2) * sqrt(x * (n - x) / n + z**2 / 4)``.
    Unlike the Wald interval it stays inside [0, 1] and has good coverage near 0
    and 1.

    Parameters
    ----------
    successes : array-like of shape (n_groups,)
        Number of successes (for example people selected) in each group. Finite
        and non-negative; may be non-integer (weighted counts).
    trials : array-like of shape (n_groups,)
        Number of trials in each group; at least ``successes``. Broadcasts with
        ``successes``.
    confidence : float, default=0.95
        Confidence level, strictly between 0 and 1.

    Returns
    -------
    low, high : ndarray of shape (n_groups,)
        Lower and upper bounds, within [0, 1]. NaN for groups with ``trials == 0``.

    Raises
    ------
    ValueError
        If a count is negative or not finite, ``successes > trials`` anywhere, or
        ``confidence`` is not in (0, 1).

    Examples
    --------
    >>> low, high = wilson_interval([81, 0], [263, 20])
    >>> np.round(low, 4), np.round(high, 4)
    (array([0.2553, 0.    ]), array([0.3662, 0.1611]))
    """
    conf = _check_confidence(confidence)
    x, n = _successes_and_trials("successes", successes, "trials", trials)
    z = _z_quantile(conf)
    z2 = z * z
    defined = n > 0
    safe_n = np.where(defined, n, 1.0)

    # Centre and half-width of the score interval.
    centre = (x + z2 / 2.0) / (safe_n + z2)
    half = z / (safe_n + z2) * np.sqrt(x * (safe_n - x) / safe_n + z2 / 4.0)

    # The bounds are exactly 0 and 1 at the edges; pin them against rounding.
    low = np.where(x == 0, 0.0, np.clip(centre - half, 0.0, 1.0))
    high = np.where(x == n, 1.0, np.clip(centre + half, 0.0, 1.0))
    return np.where(defined, low, np.nan), np.where(defined, high, np.nan)


def two_proportion_z_test(
    x1: npt.ArrayLike, n1: npt.ArrayLike, x2: npt.ArrayLike, n2: npt.ArrayLike
) -> tuple[np.ndarray, np.ndarray]:
    """Two-proportion Z test with pooled variance, per pair of groups.

    ``Z = (p1 - p2) / sqrt(p * (1 - p) * (1 / n1 + 1 / n2))``, where ``p1 = x1 / n1``,
    ``p2 = x2 / n2`` and ``p = (x1 + x2) / (n1 + n2)`` is the pooled rate. This is the
    "number of standard deviations" used in adverse-impact analysis; the p value is
    two-sided from the standard normal distribution. For small samples prefer
    :func:`fisher_exact_p` (see :func:`use_exact_test`).

    Parameters
    ----------
    x1, n1 : array-like of shape (n_pairs,)
        Selected count and group size of the first group of each pair.
    x2, n2 : array-like of shape (n_pairs,)
        Selected count and group size of the second group (for example the
        reference or most selected group). All four broadcast together.

    Returns
    -------
    z : ndarray of shape (n_pairs,)
        Z statistic; positive when group 1 has the higher rate.
    p_value : ndarray of shape (n_pairs,)
        Two-sided p value.
        Both are NaN where ``n1 == 0``, ``n2 == 0``, or the pooled rate is 0 or 1
        (no selections at all, or everybody selected), where the test is undefined.

    Raises
    ------
    ValueError
        If a count is negative or not finite, or ``x1 > n1`` or ``x2 > n2``.

    Examples
    --------
    >>> z, p = two_proportion_z_test(48, 80, 12, 40)
    >>> round(float(z), 4), round(float(p), 4)
    (3.0984, 0.0019)
    """
    x1, n1, x2, n2 = _two_samples(x1, n1, x2, n2)
    pooled_n = n1 + n2
    pooled = np.divide(
        x1 + x2, pooled_n, out=np.full(x1.shape, np.nan), where=pooled_n > 0
    )
    defined = (n1 > 0) & (n2 > 0) & (pooled > 0) & (pooled < 1)

    # Replace undefined entries by harmless values, then mask them at the end.
    s1 = np.where(defined, n1, 1.0)
    s2 = np.where(defined, n2, 1.0)
    sp = np.where(defined, pooled, 0.5)
    se = np.sqrt(sp * (1.0 - sp) * (1.0 / s1 + 1.0 / s2))
    z = (x1 / s1 - x2 / s2) / se
    p_value = 2.0 * special.ndtr(-np.abs(z))
    return np.where(defined, z, np.nan), np.where(defined, p_value, np.nan)


def fisher_exact_p(
    x1: npt.ArrayLike, n1: npt.ArrayLike, x2: npt.ArrayLike, n2: npt.ArrayLike
) -> np.ndarray:
    """Two-sided Fisher exact test p value, per pair of groups.

    Each pair is the 2x2 table ``[[x1, n1 - x1], [x2, n2 - x2]]`` (rows: groups;
    columns: selected, not selected), tested with :func:`scipy.stats.fisher_exact`.
    Its two-sided p value sums the probabilities of all tables with the same
    margins that are no more likely than the observed one.

    Parameters
    ----------
    x1, n1 : array-like of shape (n_pairs,)
        Selected count and group size of the first group of each pair; whole
        numbers.
    x2, n2 : array-like of shape (n_pairs,)
        Selected count and group size of the second group; whole numbers. All
        four broadcast together.

    Returns
    -------
    p_value : ndarray of shape (n_pairs,)
        Two-sided p value. NaN where ``n1 == 0`` or ``n2 == 0``. When nobody or
        everybody is selected the table's margins allow one table only and the
        p value is 1.

    Raises
    ------
    ValueError
        If a count is negative, not finite or not a whole number, or ``x1 > n1`` or
        ``x2 > n2``.

    Notes
    -----
    The interface is vectorised, but scipy tests one table at a time, so the
    computation loops over pairs in Python; with one pair per group this is cheap.

    Examples
    --------
    >>> round(float(fisher_exact_p(3, 4, 1, 4)), 4)
    0.4857
    """
    import scipy.stats

    x1, n1, x2, n2 = _two_samples(x1, n1, x2, n2)
    for name, arr in (("x1", x1), ("n1", n1), ("x2", x2), ("n2", n2)):
        _whole(name, arr)

    p_value = np.full(x1.shape, np.nan)
    for index in np.ndindex(x1.shape):
        if n1[index] == 0 or n2[index] == 0:
            continue
        table = np.array(
            [[x1[index], n1[index] - x1[index]], [x2[index], n2[index] - x2[index]]],
            dtype=np.int64,
        )
        p_value[index] = scipy.stats.fisher_exact(table).pvalue
    return p_value


def use_exact_test(
    x1: npt.ArrayLike,
    n1: npt.ArrayLike,
    x2: npt.ArrayLike,
    n2: npt.ArrayLike,
    *,
    min_n: float = 30,
    min_expected: float = 5.0,
) -> np.ndarray:
    """Whether a small-sample rule prefers Fisher's exact test over the Z test.

    The rule, as used in adverse-impact practice: prefer the exact test when either
    group has fewer than ``min_n`` people, or when any of the four expected cell
    counts under independence is below ``min_expected``. The expected counts are
    ``n_i * p`` selected and ``n_i * (1 - p)`` not selected in group ``i``, with
    ``p = (x1 + x2) / (n1 + n2)`` the pooled selection rate.

    Parameters
    ----------
    x1, n1 : array-like of shape (n_pairs,)
        Selected count and group size of the first group of each pair.
    x2, n2 : array-like of shape (n_pairs,)
        Selected count and group size of the second group.
    min_n : float, default=30
        Smallest group size for which the normal approximation is trusted.
    min_expected : float, default=5.0
        Smallest expected cell count for which the normal approximation is
        trusted.

    Returns
    -------
    exact : ndarray of bool, shape (n_pairs,)
        True where Fisher's exact test is preferred. Always True when a group is
        empty (both tests are then undefined anyway).

    Raises
    ------
    ValueError
        If a count is invalid, or ``min_n`` or ``min_expected`` is negative or not
        finite.

    Examples
    --------
    >>> use_exact_test([3, 40], [20, 100], [10, 50], [25, 100])
    array([ True, False])
    """
    min_n = _non_negative_number("min_n", min_n)
    min_expected = _non_negative_number("min_expected", min_expected)
    x1, n1, x2, n2 = _two_samples(x1, n1, x2, n2)
    total = n1 + n2
    pooled = np.divide(x1 + x2, total, out=np.zeros(x1.shape), where=total > 0)

    # Expected selected and not-selected counts of both groups under the pooled rate.
    expected = np.stack(
        [n1 * pooled, n1 * (1.0 - pooled), n2 * pooled, n2 * (1.0 - pooled)]
    )
    small_group = (n1 < min_n) | (n2 < min_n)
    return small_group | (expected < min_expected).any(axis=0)


# --------------------------------------------------------------------------------------
# Effect sizes
# --------------------------------------------------------------------------------------


def odds_ratio(
    x1: npt.ArrayLike, n1: npt.ArrayLike, x2: npt.ArrayLike, n2: npt.ArrayLike
) -> np.ndarray:
    """Sample odds ratio of selection, group 1 versus group 2, per pair.

    With ``a = x1``, ``b = n1 - x1``, ``c = x2``, ``d = n2 - x2`` the odds ratio is
    ``(a * d) / (b * c)``. Where any of the four cells is zero, 0.5 is added to all
    four cells of that pair (the Haldane-Anscombe correction) so that the ratio is
    finite and positive; pairs without a zero cell are left uncorrected.

    Parameters
    ----------
    x1, n1 : array-like of shape (n_pairs,)
        Selected count and group size of the first group of each pair.
    x2, n2 : array-like of shape (n_pairs,)
        Selected count and group size of the second group.

    Returns
    -------
    ratio : ndarray of shape (n_pairs,)
        Odds ratio; below 1 when group 1's odds of selection are lower. NaN where
        ``n1 == 0`` or ``n2 == 0``.

    Raises
    ------
    ValueError
        If a count is negative or not finite, or ``x1 > n1`` or ``x2 > n2``.

    Examples
    --------
    >>> odds_ratio([3, 0], [4, 10], [1, 5], [4, 10])
    array([9.        , 0.04761905])
    """
    a, n1, c, n2 = _two_samples(x1, n1, x2, n2)
    b = n1 - a
    d = n2 - c
    defined = (n1 > 0) & (n2 > 0)

    # Haldane-Anscombe correction, only for pairs with an empty cell.
    shift = np.where((a == 0) | (b == 0) | (c == 0) | (d == 0), 0.5, 0.0)
    numerator = (a + shift) * (d + shift)
    denominator = np.where(defined, (b + shift) * (c + shift), 1.0)
    return np.where(defined, numerator / denominator, np.nan)


def cohens_h(p1: npt.ArrayLike, p2: npt.ArrayLike) -> np.ndarray:
    """Cohen's h effect size between two proportions.

    ``h = 2 * arcsin(sqrt(p1)) - 2 * arcsin(sqrt(p2))``. The arcsine transform makes
    equal differences in h roughly equally detectable anywhere in [0, 1]; Cohen's
    conventional labels are 0.2 small, 0.5 medium and 0.8 large (in absolute value).

    Parameters
    ----------
    p1, p2 : array-like
        Proportions in [0, 1]; they broadcast together. NaN passes through.

    Returns
    -------
    h : ndarray
        Effect size in [-pi, pi]; positive when ``p1 > p2``. NaN where either input
        is NaN.

    Raises
    ------
    ValueError
        If a proportion lies outside [0, 1].

    Examples
    --------
    >>> round(float(cohens_h(1.0, 0.0)), 6)
    3.141593
    """
    p1 = _probabilities("p1", p1)
    p2 = _probabilities("p2", p2)
    return 2.0 * np.arcsin(np.sqrt(p1)) - 2.0 * np.arcsin(np.sqrt(p2))


def shortfall(
    selected: npt.ArrayLike, n: npt.ArrayLike, comparison_rate: npt.ArrayLike
) -> np.ndarray:
    """Selections a group is short of, at a comparison selection rate.

    ``shortfall = n * comparison_rate - selected``: the number of people the group
    would have had selected at the comparison rate (usually the overall rate or the
    reference group's rate) minus the number actually selected. Positive values
    mean fewer selections than expected.

    Parameters
    ----------
    selected : array-like of shape (n_groups,)
        Number of people selected in each group.
    n : array-like of shape (n_groups,)
        Group sizes; at least ``selected``.
    comparison_rate : array-like
        Selection rate to compare with, in [0, 1]; a scalar or one per group. NaN
        passes through.

    Returns
    -------
    shortfall : ndarray of shape (n_groups,)
        Expected minus actual selections (not rounded). NaN where
        ``comparison_rate`` is NaN; 0 for empty groups.

    Raises
    ------
    ValueError
        If a count is invalid, ``selected > n`` anywhere, or ``comparison_rate``
        lies outside [0, 1].

    Examples
    --------
    >>> shortfall([10, 30], [50, 100], 0.3)
    array([5., 0.])
    """
    x, n = _successes_and_trials("selected", selected, "n", n)
    rate = _probabilities("comparison_rate", comparison_rate)
    return n * rate - x


def standardized_mean_difference(
    n: npt.ArrayLike,
    total: npt.ArrayLike,
    total_sq: npt.ArrayLike,
    reference_index: int,
) -> np.ndarray:
    """Standardized mean difference of each group from a reference group.

    From each group's count ``n``, sum ``total`` and sum of squares ``total_sq`` of
    a continuous outcome (a score, a price, a credit line), the SMD of group ``g``
    is ``(mean_g - mean_ref) / s_pooled``, where the pooled standard deviation of
    the two groups is ``sqrt((SS_g + SS_ref) / (n_g + n_ref - 2))`` and
    ``SS = total_sq - total**2 / n`` is the group's sum of squared deviations. This
    equals pooling the two sample variances (ddof=1) weighted by their degrees of
    freedom. The reference group's own entry is 0 whenever its SD is defined.

    Parameters
    ----------
    n : array-like of shape (n_groups,)
        Number of observations in each group (may be weighted).
    total : array-like of shape (n_groups,)
        Sum of the outcome in each group.
    total_sq : array-like of shape (n_groups,)
        Sum of the squared outcome in each group.
    reference_index : int
        Position of the reference group.

    Returns
    -------
    smd : ndarray of shape (n_groups,)
        Positive when the group's mean exceeds the reference mean; whether that is
        favourable depends on the outcome, which the caller states. NaN where
        ``n_g == 0``, ``n_ref == 0``, ``n_g + n_ref <= 2`` or the pooled SD is 0.

    Raises
    ------
    ValueError
        If the arrays are not 1-D of equal length, a count or sum of squares is
        negative or not finite, a sum is not finite, or ``reference_index`` is out
        of range.

    Notes
    -----
    Limitation: raw sums of squares lose precision when the mean is large compared
    with the spread (``total_sq - total**2 / n`` cancels). Centre or rescale the
    outcome before accumulating the sums if its mean exceeds its SD by more than
    about 1e6. Tiny negative sums of squared deviations caused by rounding are
    treated as 0.

    Examples
    --------
    >>> a, b = np.array([1.0, 2.0, 3.0]), np.array([2.0, 3.0, 4.0, 5.0])
    >>> smd = standardized_mean_difference(
    ...     [a.size, b.size], [a.sum(), b.sum()], [(a**2).sum(), (b**2).sum()], 0
    ... )
    >>> np.round(smd, 4)
    array([0.    , 1.2677])
    """
    n_arr = _counts("n", n)
    total_arr = np.asarray(total, dtype=float)
    total_sq_arr = _counts("total_sq", total_sq)
    shapes = (n_arr.shape, total_arr.shape, total_sq_arr.shape)
    if n_arr.ndim != 1 or len(set(shapes)) != 1:
        raise ValueError(GROUP_SHAPE_ERROR.format(shapes=", ".join(map(str, shapes))))
    bad = ~np.isfinite(total_arr)
    if bad.any():
        raise ValueError(
            FINITE_ERROR.format(name="total", value=_first(total_arr, bad))
        )
    n_groups = n_arr.size
    if (
        isinstance(reference_index, bool)
        or not isinstance(reference_index, numbers.Integral)
        or not 0 <= int(reference_index) < n_groups
    ):
        raise ValueError(
            REFERENCE_INDEX_ERROR.format(n_groups=n_groups, value=reference_index)
        )
    ref = int(reference_index)

    # Means and sums of squared deviations, guarded against empty groups.
    nonempty = n_arr > 0
    safe_n = np.where(nonempty, n_arr, 1.0)
    mean = total_arr / safe_n
    ss = np.maximum(total_sq_arr - total_arr * mean, 0.0)

    # Pool each group with the reference group.
    dof = n_arr + n_arr[ref] - 2.0
    pooled_var = (ss + ss[ref]) / np.where(dof > 0, dof, 1.0)
    defined = nonempty & nonempty[ref] & (dof > 0) & (pooled_var > 0)
    sd = np.sqrt(np.where(defined, pooled_var, 1.0))
    return np.where(defined, (mean - mean[ref]) / sd, np.nan)


def binned_auc(
    positive_hist: npt.ArrayLike, negative_hist: npt.ArrayLike
) -> np.ndarray:
    """ROC AUC per group from score histograms on shared bins.

    The AUC is the probability that a random positive scores above a random
    negative, counting ties as one half. From per-group histograms on the same
    bins, ordered from the lowest to the highest score, pairs in different bins
    are ordered by their bins and pairs in the same bin count as ties. The result
    is exact when no bin holds two distinct scores (for example when every bin
    holds a single score value), and otherwise differs from the exact AUC by at
    most half the share of positive-negative pairs that share a bin.

    Parameters
    ----------
    positive_hist : array-like of shape (n_groups, n_bins)
        Counts (or weights) of positive examples per score bin, in increasing
        score order.
    negative_hist : array-like of shape (n_groups, n_bins)
        Counts (or weights) of negative examples on the same bins.

    Returns
    -------
    auc : ndarray of shape (n_groups,)
        AUC in [0, 1]. NaN for groups without positives or without negatives.

    Raises
    ------
    ValueError
        If the histograms are not 2-D arrays of the same shape, or hold a negative
        or non-finite count.

    Examples
    --------
    >>> binned_auc([[0, 1, 1]], [[1, 1, 0]])
    array([0.875])
    """
    pos = _counts("positive_hist", positive_hist)
    neg = _counts("negative_hist", negative_hist)
    if pos.ndim != 2 or pos.shape != neg.shape:
        raise ValueError(
            HIST_SHAPE_ERROR.format(positive=pos.shape, negative=neg.shape)
        )

    # Negatives strictly below each bin, plus half of those in the same bin.
    below = np.cumsum(neg, axis=1) - neg
    wins = (pos * (below + 0.5 * neg)).sum(axis=1)
    pairs = pos.sum(axis=1) * neg.sum(axis=1)
    defined = pairs > 0
    return np.where(defined, wins / np.where(defined, pairs, 1.0), np.nan)


# --------------------------------------------------------------------------------------
# Multiple comparisons
# --------------------------------------------------------------------------------------


def adjust_p_values(
    p_values: npt.ArrayLike,
    *,
    method: Literal["holm", "benjamini-hochberg", "none"],
) -> np.ndarray:
    """Adjust a family of p values for multiple comparisons.

    ``"holm"`` is Holm's step-down method, controlling the family-wise error rate:
    with ``m`` p values sorted increasingly, the ``i``-th (1-based) becomes
    ``max_{j <= i} min(1, (m - j + 1) * p_(j))``. ``"benjamini-hochberg"`` is the
    step-up method controlling the false discovery rate under independence or
    positive dependence: the ``i``-th becomes ``min_{j >= i} min(1, m / j * p_(j))``.
    ``"none"`` returns the p values unchanged. Either adjustment keeps the order
    of the p values and is never below the raw value.

    Parameters
    ----------
    p_values : array-like of any shape
        P values in [0, 1]; the whole array is one family. NaN entries (untestable
        comparisons) are passed through and do not count towards the family size.
    method : {"holm", "benjamini-hochberg", "none"}
        Adjustment method; keyword only, with no default, so the report always
        names it.

    Returns
    -------
    adjusted : ndarray of the same shape as ``p_values``
        Adjusted p values, at most 1; NaN where the input is NaN.

    Raises
    ------
    ValueError
        If ``method`` is not one of the allowed names, or a p value lies outside
        [0, 1].

    Examples
    --------
    >>> adjust_p_values([0.01, 0.04, np.nan, 0.03], method="holm")
    array([0.03, 0.06,  nan, 0.06])
    >>> adjust_p_values([0.01, 0.04, np.nan, 0.03], method="benjamini-hochberg")
    array([0.03, 0.04,  nan, 0.04])
    """
    if method not in _ADJUST_METHODS:
        raise ValueError(METHOD_ERROR.format(allowed=_ADJUST_METHODS, value=method))
    p = _probabilities("p_values", p_values)
    flat = p.ravel()
    valid = ~np.isnan(flat)
    m = int(valid.sum())
    if method == "none" or m == 0:
        return p.copy()

    # Sort the testable p values and apply the step-down or step-up rule by rank.
    order = np.argsort(flat[valid], kind="stable")
    ranked = flat[valid][order]
    rank = np.arange(1, m + 1)
    if method == "holm":
        adjusted = np.maximum.accumulate((m - rank + 1) * ranked)
    else:
        adjusted = np.minimum.accumulate((m / rank * ranked)[::-1])[::-1]
    adjusted = np.minimum(adjusted, 1.0)

    # Put the adjusted values back in their original places.
    unsorted = np.empty(m)
    unsorted[order] = adjusted
    out = np.full(flat.shape, np.nan)
    out[valid] = unsorted
    return out.reshape(p.shape)


# --------------------------------------------------------------------------------------
# Bootstrap intervals
# --------------------------------------------------------------------------------------


def bootstrap_interval(
    counts: npt.ArrayLike,
    statistic: Callable[[np.ndarray], np.ndarray],
    *,
    n_resamples: int = 2000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Percentile bootstrap interval of a per-group statistic of cell counts.

    This is a parametric bootstrap stratified by group: each group keeps its size
    ``n_g`` and its cells are redrawn from ``Multinomial(n_g, counts_g / n_g)``,
    independently of the other groups, ``n_resamples`` times in one vectorised draw
    of shape ``(n_resamples, n_groups, k)``. Resampling the cells of a multinomial
    is the same as resampling the group's rows with replacement, so this equals the
    usual stratified case-resampling bootstrap while touching counts only. The
    interval runs between the ``(1 - confidence) / 2`` and ``(1 + confidence) / 2``
    quantiles (linear interpolation) of the statistic over the resamples that give
    a number.

    Parameters
    ----------
    counts : array-like of int, shape (n_groups, k)
        Per-group cell counts, for example confusion counts with ``k = 4`` in the
        order tn, fp, fn, tp. Whole, non-negative numbers.
    statistic : callable
        Maps an integer array of shape ``(..., n_groups, k)`` to an array of shape
        ``(..., n_groups)``, for example ``lambda c: c[..., 3] / (c[..., 2] +
        c[..., 3])`` for the true positive rate. It may return NaN for resamples
        where it is undefined; numpy floating-point warnings raised inside it are
        silenced for that reason.
    n_resamples : int, default=2000
        Number of bootstrap resamples; at least 1.
    confidence : float, default=0.95
        Confidence level, strictly between 0 and 1.
    seed : int, default=0
        Seed of ``np.random.default_rng``; the same counts, statistic and seed give
        the same interval, byte for byte.

    Returns
    -------
    low, high : ndarray of shape (n_groups,)
        Percentile interval bounds. NaN for groups with ``n_g == 0`` and for groups
        where more than half of the resamples give NaN. Infinite values of the
        statistic count as numbers, so a bound may be infinite.

    Raises
    ------
    ValueError
        If ``counts`` is not 2-D, holds negative, non-finite or non-whole counts;
        ``n_resamples`` is not a positive integer; ``confidence`` is not in (0, 1);
        or ``statistic`` returns an array of the wrong shape.

    Notes
    -----
    Limitation: percentile intervals are degenerate when a group's cells leave
    nothing to vary (for example a rate of exactly 0 or 1 gives the interval
    [0, 0] or [1, 1]); for a single proportion prefer :func:`wilson_interval`.

    Examples
    --------
    >>> def rate(c):
    ...     return c[..., 1] / c.sum(axis=-1)
    >>> low, high = bootstrap_interval([[60, 40], [0, 0]], rate, n_resamples=500)
    >>> bool(low[0] < 0.4 < high[0]), bool(np.isnan(low[1]))
    (True, True)
    """
    conf = _check_confidence(confidence)
    if (
        isinstance(n_resamples, bool)
        or not isinstance(n_resamples, numbers.Integral)
        or n_resamples < 1
    ):
        raise ValueError(N_RESAMPLES_ERROR.format(value=n_resamples))
    cells = _counts("counts", counts)
    if cells.ndim != 2 or cells.shape[1] < 1:
        raise ValueError(COUNTS_SHAPE_ERROR.format(shape=cells.shape))
    _whole("counts", cells)
    cells = cells.astype(np.int64)
    n_groups, k = cells.shape

    # Cell probabilities per group; empty groups get any valid vector (n = 0).
    size = cells.sum(axis=1)
    nonempty = size > 0
    pvals = np.full(cells.shape, 1.0 / k)
    pvals[nonempty] = cells[nonempty] / size[nonempty, None]

    # One vectorised multinomial draw for all resamples and groups.
    rng = np.random.default_rng(seed)
    draws = rng.multinomial(size, pvals, size=(int(n_resamples), n_groups))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        values = np.asarray(statistic(draws), dtype=float)
    expected = (int(n_resamples), n_groups)
    if values.shape != expected:
        raise ValueError(
            STATISTIC_SHAPE_ERROR.format(expected=expected, got=values.shape)
        )

    # Percentile interval over the resamples with a defined statistic.
    nan_share = np.isnan(values).mean(axis=0)
    usable = nonempty & (nan_share <= 0.5)
    low = np.full(n_groups, np.nan)
    high = np.full(n_groups, np.nan)
    if usable.any():
        alpha = (1.0 - conf) / 2.0
        kept = values[:, usable]
        levels = [alpha, 1.0 - alpha]
        with np.errstate(invalid="ignore"):
            bounds = np.nanquantile(kept, levels, axis=0)
        # Interpolating between two infinities gives NaN; take the infinity instead.
        between_infinities = np.isnan(bounds)
        if between_infinities.any():
            nearest = np.nanquantile(kept, levels, axis=0, method="nearest")
            bounds = np.where(between_infinities, nearest, bounds)
        low[usable], high[usable] = bounds[0], bounds[1]
    return low, high


# --------------------------------------------------------------------------------------
# Verdicts
# --------------------------------------------------------------------------------------


def threshold_verdict(
    estimate: npt.ArrayLike,
    low: npt.ArrayLike,
    high: npt.ArrayLike,
    threshold: npt.ArrayLike,
    *,
    higher_is_better: bool = True,
) -> np.ndarray:
    """Judge estimates against a threshold, taking their intervals into account.

    The status is driven by the interval, not by the point estimate:

    * ``"pass"`` when the whole interval lies strictly on the good side of the
      threshold (above it if ``higher_is_better``, below it otherwise);
    * ``"fail"`` when the whole interval lies strictly on the bad side;
    * ``"inconclusive"`` when the interval contains the threshold, including an
      interval that only touches it at an end, and when the estimate is a number
      but a bound is NaN (there is no uncertainty to judge with);
    * ``"undefined"`` when the estimate is NaN, whatever the interval.

    The point estimate is not compared with the threshold, so an estimate on the
    good side with an interval that reaches across the threshold is
    ``"inconclusive"``.

    Parameters
    ----------
    estimate : array-like
        Point estimates; only their NaN-ness is used.
    low, high : array-like
        Interval bounds, with ``low <= high`` wherever both are numbers.
    threshold : array-like
        Finite thresholds, a scalar or one per estimate.
    higher_is_better : bool, default=True
        Whether values above the threshold are the good side (for example an
        impact ratio against 0.8) or values below it (for example a difference in
        error rates against a tolerance).

    Returns
    -------
    status : ndarray of str
        One of :data:`VERDICTS` per entry, in the broadcast shape of the inputs.

    Raises
    ------
    ValueError
        If a threshold is not finite, or ``low > high`` somewhere.

    Examples
    --------
    >>> estimate = [0.9, 0.7, 0.85, np.nan]
    >>> low, high = [0.82, 0.6, 0.8, np.nan], [0.95, 0.78, 0.9, 1.0]
    >>> threshold_verdict(estimate, low, high, 0.8)
    array(['pass', 'fail', 'inconclusive', 'undefined'], dtype='<U12')
    """
    est = np.asarray(estimate, dtype=float)
    lo = np.asarray(low, dtype=float)
    hi = np.asarray(high, dtype=float)
    thr = np.asarray(threshold, dtype=float)
    bad = ~np.isfinite(thr)
    if bad.any():
        raise ValueError(THRESHOLD_ERROR.format(value=_first(thr, bad)))
    est, lo, hi, thr = np.broadcast_arrays(est, lo, hi, thr)
    bad = lo > hi
    if bad.any():
        raise ValueError(
            INTERVAL_ORDER_ERROR.format(low=_first(lo, bad), high=_first(hi, bad))
        )

    # Comparisons with NaN are False, so a NaN bound never passes or fails.
    above = lo > thr
    below = hi < thr
    good, poor = (above, below) if higher_is_better else (below, above)
    return np.select(
        [np.isnan(est), good, poor],
        ["undefined", "pass", "fail"],
        default="inconclusive",
    ).astype("<U12")
