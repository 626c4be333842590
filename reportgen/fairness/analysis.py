"""From confusion counts to a reported fairness analysis of one grouping.

:func:`analyse` turns the :class:`~reportgen.fairness.counts.GroupCounts` of one
protected attribute (or one intersection) into a
:class:`~reportgen.report.GroupAnalysis`: per-group metrics with confidence
intervals, impact ratios against the most selected group, significance tests
against the comparison group, and the disparity summary.

Which groups are compared: groups with an unknown label are counted and shown but
never compared; groups under ``exclude_below_share`` of the sample (the NYC LL144
2 % option, off by default) are shown with their count and rate but left out of
the impact ratios. The comparison group for tests is the most selected compared
group, or the configured reference group.

Limitation: analyses take whole counts. Tables built with sample weights hold
weighted sums, which the exact tests and the multinomial bootstrap do not
support yet; :func:`analyse` refuses them with a clear error.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reportgen.fairness import metrics as m
from reportgen.fairness import scores as sc
from reportgen.fairness import stats
from reportgen.fairness.counts import GroupCounts
from reportgen.report import (
    CalibrationCurve,
    DisparitySummary,
    GroupAnalysis,
    GroupRow,
    ScoreAnalysis,
    ScoreGroupRow,
)

ERR_WEIGHTED = (
    "analyse needs whole counts; weighted count tables are not supported (yet)"
)
ERR_REFERENCE = "reference group {!r} is not a group of {!r}; its groups are: {}"

STATISTICAL_DEFINITIONS: dict[str, str] = {
    "Wilson interval": "Confidence interval of a proportion by inverting the "
    "score test; unlike the normal approximation it stays within [0, 1] and "
    "behaves well for small groups and rates near 0 or 1.",
    "bootstrap interval": "Percentile interval of a statistic over resamples in "
    "which each group's confusion counts are redrawn from a multinomial "
    "distribution with the observed cell shares and the group's size.",
    "two-proportion Z test": "Z = (p1 - p2) / sqrt(p (1 - p) (1/n1 + 1/n2)) with "
    "the pooled rate p; |Z| of about 2 or more is the 'two standard deviations' "
    "used in US practice.",
    "Fisher's exact test": "Exact two-sided test of the 2 x 2 table of selected "
    "and not selected by group, used for small samples.",
    "adjusted p value": "P value corrected for testing several groups at once.",
    "odds ratio": "Odds of selection in the group over the odds in the comparison "
    "group; 0.5 is added to every cell when one is zero.",
    "Cohen's h": "2 asin(sqrt(p1)) - 2 asin(sqrt(p2)), an effect size for two "
    "proportions (0.2 small, 0.5 medium, 0.8 large by Cohen's convention).",
    "shortfall": "Selections the group would have at the comparison group's rate "
    "minus the selections it had.",
    "scoring rate": "Share of the group scoring above the median score of the whole "
    "sample (NYC LL144, for tools that output a score); its impact ratio divides "
    "by the highest scoring rate.",
    "AUC": "Probability that a randomly chosen positive member of the group scores "
    "above a randomly chosen negative one (ties count half); computed on 1,000 "
    "fixed score bins, exact when no two distinct scores share a bin.",
    "standardized mean difference": "(mean score of the group - mean score of the "
    "comparison group) / pooled standard deviation of the two; negative means "
    "lower scores.",
    "calibration error": "Expected calibration error: the average, weighted by "
    "bin size, of |observed positive rate - mean score| over ten score bins.",
}

# Why a metric is undefined, by the denominator that is zero.
UNDEFINED_REASONS = {
    "base_rate": "the group is empty",
    "selection_rate": "the group is empty",
    "accuracy": "the group is empty",
    "true_positive_rate": "no member of the group has a positive true outcome",
    "false_negative_rate": "no member of the group has a positive true outcome",
    "false_positive_rate": "no member of the group has a negative true outcome",
    "precision": "no member of the group was selected",
    "balanced_accuracy": "the group lacks one of the two true outcomes",
    "f1": "the group has no true positive, false positive or false negative",
    "macro_f1": "the F1 score of one of the classes is undefined",
}


@dataclass(frozen=True)
class AnalysisSettings:
    """Statistical settings of a fairness analysis (see FairnessConfig)."""

    confidence_level: float = 0.95
    min_group_size: int = 30
    exclude_below_share: float | None = None
    multiple_comparisons: str = "holm"
    significance_level: float = 0.05
    bootstrap_resamples: int = 1000
    seed: int = 0


def _value(x) -> float | None:
    x = float(x)
    return None if np.isnan(x) else x


def interval_or_none(low, high) -> list[float] | None:
    """``[low, high]`` as floats for the report, or None when undefined (NaN)."""
    low, high = float(low), float(high)
    if np.isnan(low) or np.isnan(high):
        return None
    return [low, high]


def analyse(
    counts: GroupCounts,
    *,
    settings: AnalysisSettings,
    reference_group: str | None = None,
) -> GroupAnalysis:
    """Compute the reported analysis of one grouping from its counts."""
    cells = counts.cells
    if cells.dtype.kind not in "iu":
        raise ValueError(ERR_WEIGHTED)
    labels = counts.display_labels()
    n = counts.n
    total = int(n.sum())
    share = n / total if total else np.zeros(len(n))
    unknown = counts.is_unknown

    # Which groups take part in ratios and tests.
    compared = ~unknown & (n > 0)
    excluded_reason: list[str | None] = [
        "unknown label: counted but not compared" if u else None for u in unknown
    ]
    if settings.exclude_below_share is not None:
        small = compared & (share < settings.exclude_below_share)
        for i in np.flatnonzero(small):
            excluded_reason[i] = (
                f"under {settings.exclude_below_share:.0%} of the sample: "
                "left out of impact ratios"
            )
        compared &= ~small

    values = m.group_metrics(cells)
    ratio = m.impact_ratio(cells, compared)
    rate = values["selection_rate"]
    highest = m.highest_rate(rate, compared)
    difference = np.where(compared, rate - highest, np.nan)

    # Intervals: Wilson for proportions, a seeded bootstrap for the rest.
    intervals = {}
    for name in m.PROPORTIONS:
        successes, trials = m.proportion(cells, name)
        intervals[name] = stats.wilson_interval(
            successes, trials, confidence=settings.confidence_level
        )
    for name in m.COMPOSITES:
        intervals[name] = stats.bootstrap_interval(
            cells,
            lambda c, name=name: m.group_metrics(c)[name],
            n_resamples=settings.bootstrap_resamples,
            confidence=settings.confidence_level,
            seed=settings.seed,
        )
    intervals["impact_ratio"] = stats.bootstrap_interval(
        cells,
        lambda c: m.impact_ratio(c, compared),
        n_resamples=settings.bootstrap_resamples,
        confidence=settings.confidence_level,
        seed=settings.seed,
    )

    # Significance against the comparison group.
    comparison = _comparison_index(labels, rate, compared, reference_group, counts)
    tests = _tests(cells, compared, comparison, settings)

    rows = []
    for i, label in enumerate(labels):
        undefined = {
            name: UNDEFINED_REASONS[name]
            for name in m.GROUP_METRICS
            if np.isnan(values[name][i]) and n[i] > 0
        }
        tn, fp, fn, tp = (int(v) for v in cells[i])
        row = {
            "group": label,
            "n": int(n[i]),
            "is_unknown": bool(unknown[i]),
            "share": float(share[i]),
            "tp": tp,
            "fp": fp,
            "tn": tn,
            "fn": fn,
            "selected": tp + fp,
            **{name: _value(values[name][i]) for name in m.GROUP_METRICS},
            "impact_ratio": _value(ratio[i]),
            "selection_rate_difference": _value(difference[i]),
            "attribute_values": dict(
                zip(counts.attributes, counts.labels[i], strict=True)
            ),
            "compared": bool(compared[i]),
            "excluded_reason": excluded_reason[i],
            "too_small": bool(n[i] < settings.min_group_size),
            "undefined": undefined,
            **{
                f"{k}_ci": interval_or_none(lo[i], hi[i])
                for k, (lo, hi) in intervals.items()
            },
            **{k: v[i] for k, v in tests.items()},
        }
        rows.append(GroupRow(**row))

    kind = "attribute" if len(counts.attributes) == 1 else "intersection"
    notes = []
    if settings.exclude_below_share is not None and any(
        r.excluded_reason and not r.is_unknown for r in rows
    ):
        notes.append(
            f"Groups under {settings.exclude_below_share:.0%} of the sample are "
            "shown with their count and rate but left out of the impact ratios."
        )
    return GroupAnalysis(
        name=" × ".join(counts.attributes),
        attributes=list(counts.attributes),
        kind=kind,
        comparison_group=labels[comparison] if comparison is not None else None,
        groups=rows,
        summary=_summary(labels, values, ratio, difference, compared),
        unknown_count=int(n[unknown].sum()),
        notes=notes,
    )


def _comparison_index(labels, rate, compared, reference_group, counts):
    if reference_group is not None:
        if reference_group not in labels:
            from reportgen.errors import InputError

            raise InputError(
                ERR_REFERENCE.format(
                    reference_group, " × ".join(counts.attributes), labels
                )
            )
        return labels.index(reference_group)
    candidates = np.flatnonzero(compared & ~np.isnan(rate))
    if not len(candidates):
        return None
    return int(candidates[np.argmax(rate[candidates])])


def _tests(cells, compared, comparison, settings) -> dict[str, list]:
    """Z and Fisher tests, effect sizes and shortfall of each group vs comparison."""
    n_groups = len(cells)
    empty = {
        key: [None] * n_groups
        for key in (
            "z_statistic",
            "p_value",
            "fisher_p_value",
            "test_used",
            "p_value_adjusted",
            "significant",
            "odds_ratio",
            "cohens_h",
            "shortfall",
        )
    }
    if comparison is None:
        return empty
    selected = cells[:, m.FP] + cells[:, m.TP]
    n = cells.sum(axis=1)
    x2 = np.full(n_groups, selected[comparison])
    n2 = np.full(n_groups, n[comparison])
    tested = compared.copy()
    tested[comparison] = False
    with np.errstate(divide="ignore", invalid="ignore"):
        z, p_z = stats.two_proportion_z_test(selected, n, x2, n2)
        p_fisher = stats.fisher_exact_p(selected, n, x2, n2)
        exact = stats.use_exact_test(selected, n, x2, n2)
        p = np.where(exact, p_fisher, p_z)
        p = np.where(tested, p, np.nan)
        adjusted = stats.adjust_p_values(p, method=settings.multiple_comparisons)
        rate = selected / np.where(n > 0, n, 1)
        odds = stats.odds_ratio(selected, n, x2, n2)
        h = stats.cohens_h(rate, rate[comparison])
        short = stats.shortfall(selected, n, rate[comparison])

    out = empty
    for i in np.flatnonzero(tested):
        out["z_statistic"][i] = _value(z[i])
        out["fisher_p_value"][i] = _value(p_fisher[i])
        out["test_used"][i] = "fisher_exact" if exact[i] else "two_proportion_z"
        out["p_value"][i] = _value(p[i])
        out["p_value_adjusted"][i] = _value(adjusted[i])
        if not np.isnan(adjusted[i]):
            out["significant"][i] = bool(adjusted[i] < settings.significance_level)
        # With everyone (or no one) selected in both groups the odds are 0/0.
        no_variation = selected[i] in (0, n[i]) and x2[i] in (0, n2[i])
        out["odds_ratio"][i] = None if no_variation else _value(odds[i])
        out["cohens_h"][i] = _value(h[i])
        out["shortfall"][i] = _value(short[i])
    return out


def _summary(labels, values, ratio, difference, compared) -> DisparitySummary:
    rate = values["selection_rate"]
    usable = compared & ~np.isnan(rate)
    if not usable.any():
        return DisparitySummary(None, None, None, None, None, None, None)

    def spread(metric: np.ndarray) -> float | None:
        defined = metric[usable & ~np.isnan(metric)]
        return float(defined.max() - defined.min()) if len(defined) >= 2 else None

    idx = np.flatnonzero(usable)
    tpr_gap = spread(values["true_positive_rate"])
    fpr_gap = spread(values["false_positive_rate"])
    gaps = [g for g in (tpr_gap, fpr_gap) if g is not None]
    defined_ratio = ratio[usable & ~np.isnan(ratio)]
    return DisparitySummary(
        highest_selection_group=labels[idx[np.argmax(rate[idx])]],
        lowest_selection_group=labels[idx[np.argmin(rate[idx])]],
        min_impact_ratio=float(defined_ratio.min()) if len(defined_ratio) else None,
        max_selection_rate_difference=spread(rate),
        true_positive_rate_difference=tpr_gap,
        false_positive_rate_difference=fpr_gap,
        equalized_odds_difference=max(gaps) if gaps else None,
    )


def score_bins(low: float, high: float) -> sc.ScoreBins:
    """Probability bins for scores within [0, 1], else bins over their range."""
    if low >= 0 and high <= 1:
        return sc.ScoreBins.probability()
    return sc.ScoreBins.from_range(low, high if high > low else low + 1.0)


def analyse_scores(
    y_score: np.ndarray,
    y_true: np.ndarray,
    sensitive_features: dict[str, object],
    *,
    analysis: GroupAnalysis,
    settings: AnalysisSettings,
) -> ScoreAnalysis:
    """Score statistics of one grouping, from in-memory scores.

    The median and the scoring rate are exact here; AUC, calibration and mean
    scores come from fixed-bin histograms (:mod:`reportgen.fairness.scores`).
    """
    y_score = np.asarray(y_score, dtype=float)
    finite = y_score[np.isfinite(y_score)]
    bins = score_bins(*((finite.min(), finite.max()) if finite.size else (0, 1)))
    table = sc.score_table(
        y_score, y_true, sensitive_features=sensitive_features, bins=bins
    )
    grouped = table.marginal(list(sensitive_features))
    median = sc.exact_median(y_score)
    codes, code_labels = sc.group_codes(sensitive_features)
    rates = sc.scoring_rate_exact(
        y_score,
        codes,
        median.value if median.value is not None else 0.0,
        labels=code_labels,
        attributes=list(sensitive_features),
    )
    return _score_analysis(grouped, median, rates, analysis, settings)


def analyse_score_table(
    table: sc.ScoreTable, *, analysis: GroupAnalysis, settings: AnalysisSettings
) -> ScoreAnalysis:
    """Score statistics of one grouping from a (streamed) score histogram table.

    The median and the scoring rate come from the histogram: the median to half
    a bin width, the scoring rate counted above the bin edge nearest above the
    median (see :func:`reportgen.fairness.scores.scoring_rate_from_hist`).
    """
    grouped = table.marginal(analysis.attributes)
    median = sc.median(grouped)
    threshold = median.value if median.value is not None else 0.0
    rates = sc.scoring_rate_from_hist(grouped, threshold)
    return _score_analysis(grouped, median, rates, analysis, settings)


def _score_analysis(grouped, median, rates, analysis, settings) -> ScoreAnalysis:
    """Assemble the reported score statistics of one grouping.

    The scoring rate is the NYC LL144 one: the share of a group scoring above the
    median score of the whole sample; its impact ratio compares with the highest
    scoring rate among compared groups. The standardized mean difference compares
    each compared group with the analysis's comparison group.
    """
    labels = grouped.display_labels()
    probability = grouped.bins.is_probability
    compared_by_group = {g.group: g.compared for g in analysis.groups}
    compared = [compared_by_group.get(label, False) for label in labels]
    ratios = sc.scoring_impact_ratio(rates, compared=compared)
    areas = sc.auc(grouped)
    means = sc.mean_score(grouped)
    reference = analysis.comparison_group
    smd = (
        sc.standardized_mean_difference(grouped, labels.index(reference))
        if reference in labels
        else None
    )
    curve = sc.calibration(grouped) if probability else None
    above = np.asarray(rates.above)
    n = np.asarray(rates.n)
    low, high = stats.wilson_interval(above, n, confidence=settings.confidence_level)
    rows = [
        ScoreGroupRow(
            group=label,
            n=int(n[i]),
            mean_score=means.mean[i],
            auc=areas.auc[i],
            scoring_rate=rates.rate[i],
            scoring_rate_ci=interval_or_none(low[i], high[i]),
            scoring_impact_ratio=ratios.impact_ratio[i],
            standardized_mean_difference=smd.smd[i]
            if smd and (compared[i] or label == reference)
            else None,
            calibration_error=curve.ece[i] if curve else None,
        )
        for i, label in enumerate(labels)
    ]
    return ScoreAnalysis(
        score_kind="probability" if probability else "score",
        median=median.value,
        median_exact=median.exact,
        overall_auc=areas.overall_auc,
        smd_reference_group=reference if smd else None,
        groups=rows,
        calibration=CalibrationCurve(
            bin_edges=curve.bin_edges,
            groups=labels,
            count=curve.count,
            mean_score=curve.mean_score,
            observed_rate=curve.observed_rate,
        )
        if curve
        else None,
        auc_max_error=areas.overall_max_error,
    )
