"""Per-group and overall classification metrics derived from confusion counts.

Every function takes an array of cells of shape ``(..., n_groups, 4)`` (tn, fp,
fn, tp; see :mod:`reportgen.fairness.counts`) and returns arrays of shape
``(..., n_groups)``, so the same code serves point estimates and bootstrap
resamples. A metric whose denominator is zero is undefined and returned as NaN;
the report shows it as undefined and says why, never as a number.

Definitions (stated again in the report's methodology appendix):

- selection rate = (tp + fp) / n, the share of a group receiving the positive
  (favourable) decision;
- balanced accuracy = (TPR + TNR) / 2, the mean recall of the two classes;
- macro F1 = mean of the F1 score of the positive class and of the negative class;
- impact ratio = a group's selection rate / the highest selection rate among the
  groups that take part in the comparison (EEOC 29 CFR 1607.4(D), NYC LL144).
"""

from __future__ import annotations

import numpy as np

TN, FP, FN, TP = range(4)

# Rates that are a proportion successes / trials, as (successes, trials) cell sums.
PROPORTIONS: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {
    "base_rate": ((FN, TP), (TN, FP, FN, TP)),
    "selection_rate": ((FP, TP), (TN, FP, FN, TP)),
    "true_positive_rate": ((TP,), (TP, FN)),
    "false_positive_rate": ((FP,), (FP, TN)),
    "false_negative_rate": ((FN,), (FN, TP)),
    "precision": ((TP,), (TP, FP)),
    "accuracy": ((TN, TP), (TN, FP, FN, TP)),
}
# Metrics that are not a single proportion; their intervals come from a bootstrap.
COMPOSITES = ("balanced_accuracy", "f1", "macro_f1")
GROUP_METRICS = (*PROPORTIONS, *COMPOSITES)

METRIC_DEFINITIONS: dict[str, str] = {
    "n": "Number of individuals in the group.",
    "base_rate": "Share of the group whose true outcome is the positive label: "
    "(TP + FN) / n.",
    "selection_rate": "Share of the group that received the positive (favourable) "
    "decision: (TP + FP) / n.",
    "true_positive_rate": "Recall of the positive class, TP / (TP + FN): the share "
    "of truly positive individuals who were selected.",
    "false_positive_rate": "FP / (FP + TN): the share of truly negative individuals "
    "who were nevertheless selected.",
    "false_negative_rate": "FN / (FN + TP): the share of truly positive "
    "individuals who were not selected (1 - TPR).",
    "precision": "TP / (TP + FP): the share of selected individuals whose true "
    "outcome is positive.",
    "accuracy": "(TP + TN) / n: the share of correct decisions.",
    "balanced_accuracy": "(TPR + TNR) / 2: the mean of the recall of each class, "
    "where TNR = TN / (TN + FP). Undefined when the group lacks either class.",
    "f1": "F1 score of the positive class: 2 TP / (2 TP + FP + FN).",
    "macro_f1": "Unweighted mean of the F1 score of the positive class and of the "
    "negative class, 2 TN / (2 TN + FN + FP).",
    "impact_ratio": "The group's selection rate divided by the highest selection "
    "rate among the compared groups (four-fifths rule, NYC LL144). Groups with an "
    "unknown label, and groups excluded for their small share, are not compared.",
    "selection_rate_difference": "The group's selection rate minus the highest "
    "selection rate among the compared groups.",
}


def _sum(cells: np.ndarray, index: tuple[int, ...]) -> np.ndarray:
    return cells[..., list(index)].sum(axis=-1)


def _divide(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    numerator = np.asarray(numerator, dtype=float)
    denominator = np.asarray(denominator, dtype=float)
    out = np.full(np.broadcast(numerator, denominator).shape, np.nan)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


def proportion(cells: np.ndarray, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Return the successes and trials of a proportion metric, per group."""
    successes, trials = PROPORTIONS[name]
    return _sum(cells, successes), _sum(cells, trials)


def group_metrics(cells: np.ndarray) -> dict[str, np.ndarray]:
    """Compute every per-group metric from cells of shape ``(..., n_groups, 4)``."""
    cells = np.asarray(cells)
    out = {name: _divide(*proportion(cells, name)) for name in PROPORTIONS}
    tn, fp, fn, tp = (cells[..., i] for i in range(4))
    true_negative_rate = _divide(tn, tn + fp)
    out["balanced_accuracy"] = (out["true_positive_rate"] + true_negative_rate) / 2
    out["f1"] = _divide(2 * tp, 2 * tp + fp + fn)
    negative_f1 = _divide(2 * tn, 2 * tn + fn + fp)
    out["macro_f1"] = (out["f1"] + negative_f1) / 2
    return out


def impact_ratio(cells: np.ndarray, compared: np.ndarray) -> np.ndarray:
    """Selection rate of each group over the highest rate among ``compared`` groups.

    Parameters
    ----------
    cells : ndarray of shape (..., n_groups, 4)
    compared : ndarray of bool of shape (n_groups,)
        Groups that take part in the comparison (known label, not excluded). Groups
        outside it get NaN.

    Returns
    -------
    ndarray of shape (..., n_groups)
        NaN when no compared group was selected at all.
    """
    rate = _divide(*proportion(np.asarray(cells), "selection_rate"))
    return _divide(rate, highest_rate(rate, compared)[..., None]) * np.where(
        compared, 1.0, np.nan
    )


def highest_rate(rate: np.ndarray, compared: np.ndarray) -> np.ndarray:
    """Highest defined rate among the compared groups (NaN if there is none)."""
    masked = np.where(compared & ~np.isnan(rate), rate, -np.inf)
    best = masked.max(axis=-1)
    return np.where(np.isinf(best), np.nan, best)


def overall_metrics(cells: np.ndarray) -> dict[str, float]:
    """Metrics of the whole sample from the summed cells of shape ``(4,)``."""
    values = group_metrics(np.asarray(cells).reshape(1, 4))
    return {name: float(v[0]) for name, v in values.items()}
