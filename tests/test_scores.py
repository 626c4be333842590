"""Tests of reportgen.fairness.scores against independent computations.

Reference values come from scikit-learn (AUC), numpy on the raw scores (medians,
rates, means, SMD), and counts written out by hand in the test.
"""

import json
import math
import re
from dataclasses import asdict

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import roc_auc_score

from reportgen.fairness import scores
from reportgen.fairness.counts import KEY_OVERFLOW, count_table
from reportgen.fairness.scores import (
    GroupScores,
    ScoreBins,
    ScoreTable,
    auc,
    calibration,
    exact_median,
    group_codes,
    mean_score,
    median,
    score_table,
    scoring_impact_ratio,
    scoring_rate_exact,
    scoring_rate_from_hist,
    standardized_mean_difference,
)

FAST = settings(max_examples=40, deadline=None)


def exact(message: str) -> str:
    """A ``pytest.raises(match=...)`` pattern matching ``message`` literally."""
    return "^" + re.escape(message) + "$"


def make_data(seed: int, n: int = 3000, *, continuous: bool = True):
    """Scores, outcomes and two protected attributes with missing values."""
    rng = np.random.default_rng(seed)
    sex = rng.choice(np.array(["F", "M", None], dtype=object), n, p=[0.48, 0.48, 0.04])
    race = rng.choice(
        np.array(["White", "Black", "Asian", "Hispanic <&>", None], dtype=object),
        n,
        p=[0.4, 0.25, 0.15, 0.15, 0.05],
    )
    y_true = rng.integers(0, 2, n)
    raw = np.clip(0.35 * y_true + 0.65 * rng.random(n), 0, 1)
    # Rounded to 3 decimals and kept below 1, every distinct score has its own bin
    # of the 1000 default bins (1.0 would share the last bin with 0.999).
    y_score = raw if continuous else np.round(raw * 0.999, 3)
    return y_score, y_true, {"sex": sex, "race": race}


def pooled(table: ScoreTable, attributes=None) -> GroupScores:
    return table.marginal(attributes or table.attributes)


def assert_same_groups(left: GroupScores, right: GroupScores) -> None:
    assert left.labels == right.labels
    np.testing.assert_array_equal(left.hist, right.hist)
    np.testing.assert_allclose(left.total, right.total, rtol=1e-12)
    np.testing.assert_allclose(left.total_sq, right.total_sq, rtol=1e-12)
    np.testing.assert_array_equal(left.missing, right.missing)
    np.testing.assert_array_equal(left.clipped, right.clipped)


# --------------------------------------------------------------------------------------
# Bins
# --------------------------------------------------------------------------------------


def test_default_bins_put_rounded_probabilities_in_their_own_bin():
    bins = ScoreBins()
    k = np.arange(1000)
    # np.round gives the same float as k / 1000, the lower edge of bin k.
    rounded = np.round(k / 1000 + 0.0004, 3)
    np.testing.assert_array_equal(bins.bin_index(rounded), k)
    np.testing.assert_array_equal(bins.bin_index(bins.centres), k)
    assert bins.edges[0] == 0.0 and bins.edges[-1] == 1.0
    assert bins.bin_index([1.0]).tolist() == [999]


def test_bins_from_range_clip_and_count():
    bins = ScoreBins.from_range(-2, 2, n_bins=4)
    assert bins.edges.tolist() == [-2.0, -1.0, 0.0, 1.0, 2.0]
    y_score = np.array([-5.0, -2.0, -0.5, 0.0, 2.0, 3.0, np.nan])
    table = score_table(
        y_score, np.zeros(7, int), sensitive_features={"g": ["a"] * 7}, bins=bins
    )
    assert table.hist[0, 0].tolist() == [2, 1, 1, 2]
    assert table.clipped.tolist() == [[1, 1]]
    assert table.missing.tolist() == [1]
    # Sums keep the unclipped scores.
    assert table.total[0, 0] == pytest.approx(-2.5)


@FAST
@given(
    low=st.floats(-1e6, 1e6),
    span=st.floats(1e-6, 1e6),
    n_bins=st.integers(1, 5000),
    seed=st.integers(0, 2**32 - 1),
)
def test_bin_index_agrees_with_the_edges(low, span, n_bins, seed):
    bins = ScoreBins(low, low + span, n_bins)
    edges = bins.edges
    rng = np.random.default_rng(seed)
    values = np.concatenate(
        [
            edges,
            np.nextafter(edges, -np.inf),
            np.nextafter(edges, np.inf),
            rng.uniform(low - span, low + 2 * span, 200),
        ]
    )
    expected = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, n_bins - 1)
    np.testing.assert_array_equal(bins.bin_index(values), expected)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"low": 1.0, "high": 1.0}, scores.ERR_BINS_RANGE.format(low=1.0, high=1.0)),
        (
            {"low": 0.0, "high": float("inf")},
            scores.ERR_BINS_RANGE.format(low=0.0, high=float("inf")),
        ),
        ({"n_bins": 0}, scores.ERR_N_BINS.format(name="n_bins", value=0)),
        ({"n_bins": 2.5}, scores.ERR_N_BINS.format(name="n_bins", value=2.5)),
    ],
)
def test_bad_bins(kwargs, message):
    with pytest.raises(ValueError, match=exact(message)):
        ScoreBins(**kwargs)


# --------------------------------------------------------------------------------------
# Building, merging and marginals
# --------------------------------------------------------------------------------------


def test_default_bins_reject_scores_outside_probability_range():
    message = scores.ERR_OUT_OF_PROBABILITY_RANGE.format(low=-0.5, high=1.5)
    with pytest.raises(ValueError, match=exact(message)):
        score_table([-0.5, 0.2, 1.5], [0, 1, 0], sensitive_features={"g": list("abc")})


@pytest.mark.parametrize(
    ("y_score", "y_true", "message"),
    [
        (
            [0.1, np.inf],
            [0, 1],
            scores.ERR_SCORE_VALUES.format(name="y_score", value=np.inf),
        ),
        ([0.1, 0.2], [0, 2], scores.ERR_NOT_BINARY.format(values=[0, 2])),
        ([0.1], [0, 1], scores.ERR_LENGTHS.format(lengths=[1, 2])),
    ],
)
def test_bad_input(y_score, y_true, message):
    with pytest.raises(ValueError, match=exact(message)):
        score_table(y_score, y_true, sensitive_features={"g": ["a", "b"]})


def test_nan_scores_are_counted_as_missing():
    table = score_table(
        [0.1, np.nan, 0.7, np.nan, np.nan],
        [0, 1, 1, 0, 1],
        sensitive_features={"g": ["a", "a", "b", "b", "c"]},
    )
    groups = pooled(table)
    assert groups.labels == (("a",), ("b",), ("c",))
    assert groups.missing.tolist() == [1, 1, 1]
    assert groups.n.tolist() == [1, 1, 0]
    # A group whose scores are all missing stays, with nothing defined.
    result = auc(groups)
    assert result.auc == [None, None, None]
    assert result.undefined_reason[2] == scores.NO_SCORES
    assert mean_score(groups).mean == [pytest.approx(0.1), pytest.approx(0.7), None]


def test_merge_of_chunks_equals_whole_table():
    y_score, y_true, features = make_data(1)
    bins = ScoreBins(n_bins=200)
    y_score = np.where(np.arange(len(y_score)) % 97 == 0, np.nan, y_score)
    whole = score_table(y_score, y_true, sensitive_features=features, bins=bins)

    # Chunks see the labels in different orders, and one lacks some labels.
    order = np.argsort(features["race"].astype(str), kind="stable")[::-1]
    pieces = np.array_split(order, 3)
    pieces = [np.sort(pieces[0]), pieces[1], pieces[2]]
    merged = None
    for rows in pieces:
        chunk = score_table(
            y_score[rows],
            y_true[rows],
            sensitive_features={k: v[rows] for k, v in features.items()},
            bins=bins,
        )
        merged = chunk if merged is None else merged.merge(chunk)
    assert merged.labels != whole.labels  # different label order...
    for attributes in (["sex"], ["race"], ["sex", "race"], ["race", "sex"]):
        # ...yet the same groups and statistics.
        assert_same_groups(merged.marginal(attributes), whole.marginal(attributes))
    assert merged.n == whole.n == int((~np.isnan(y_score)).sum())


def test_merge_refuses_other_bins_and_attributes():
    a = score_table([0.1], [0], sensitive_features={"g": ["a"]})
    b = score_table(
        [0.1], [0], sensitive_features={"g": ["a"]}, bins=ScoreBins(n_bins=10)
    )
    c = score_table([0.1], [0], sensitive_features={"h": ["a"]})
    message = scores.ERR_MERGE_BINS.format(mine=a.bins, theirs=b.bins)
    with pytest.raises(ValueError, match=exact(message)):
        a.merge(b)
    message = scores.ERR_MERGE_ATTRIBUTES.format(mine=("g",), theirs=("h",))
    with pytest.raises(ValueError, match=exact(message)):
        a.merge(c)


def test_marginal_order_matches_count_table():
    y_score, y_true, features = make_data(2)
    table = score_table(y_score, y_true, sensitive_features=features)
    counts = count_table(y_true, y_score > 0.5, sensitive_features=features)
    for attributes in (["sex"], ["race"], ["sex", "race"], ["race", "sex"]):
        mine = table.marginal(attributes)
        theirs = counts.marginal(attributes)
        assert mine.labels == theirs.labels
        assert mine.display_labels() == theirs.display_labels()
        np.testing.assert_array_equal(mine.n, theirs.n)
        np.testing.assert_array_equal(mine.is_unknown, theirs.is_unknown)
        # Outcome counts per group agree as well: negatives are tn + fp.
        np.testing.assert_array_equal(
            mine.hist[:, 0].sum(axis=1), theirs.cells[:, :2].sum(axis=1)
        )


def test_many_label_combinations_and_a_literal_unknown_label():
    # 7 attributes with 400 labels each: a mixed-radix key would overflow 64 bits.
    rng = np.random.default_rng(9)
    n = 400
    features = {
        f"a{i}": rng.permutation(n).astype(str).astype(object) for i in range(7)
    }
    features["a0"][:3] = ["unknown", None, "unknown"]
    y_true = rng.integers(0, 2, n)
    y_score = rng.random(n)
    table = score_table(y_score, y_true, sensitive_features=features)
    assert math.prod(len(labels) + 1 for labels in table.labels) >= KEY_OVERFLOW
    counts = count_table(y_true, y_score > 0.5, sensitive_features=features)
    for attributes in (["a0"], ["a0", "a3"], list(features)):
        mine, theirs = table.marginal(attributes), counts.marginal(attributes)
        assert mine.labels == theirs.labels
        assert mine.display_labels() == theirs.display_labels()
        np.testing.assert_array_equal(mine.n, theirs.n)
    assert "unknown (missing)" in table.marginal(["a0"]).display_labels()
    codes, labels = group_codes(features)
    assert labels == table.marginal(list(features)).labels
    assert len(set(codes.tolist())) == n


def test_marginal_rejects_unknown_attribute():
    table = score_table([0.1], [0], sensitive_features={"g": ["a"]})
    message = scores.ERR_ATTRIBUTE.format(value="h", known=["g"])
    with pytest.raises(ValueError, match=exact(message)):
        table.marginal(["h"])


def test_group_codes_follow_marginal_order():
    y_score, y_true, features = make_data(3, n=500)
    codes, labels = group_codes(features)
    groups = pooled(score_table(y_score, y_true, sensitive_features=features))
    assert labels == groups.labels
    np.testing.assert_array_equal(np.bincount(codes, minlength=len(labels)), groups.n)


# --------------------------------------------------------------------------------------
# AUC
# --------------------------------------------------------------------------------------


def sklearn_auc_per_group(y_score, y_true, codes, n_groups):
    out = []
    for g in range(n_groups):
        rows = codes == g
        if len(np.unique(y_true[rows])) < 2:
            out.append(None)
        else:
            out.append(roc_auc_score(y_true[rows], y_score[rows]))
    return out


def test_auc_is_exact_when_scores_are_on_distinct_bins():
    y_score, y_true, features = make_data(4, continuous=False)
    bins = ScoreBins()
    # Check the premise: every distinct score has a bin of its own.
    index = bins.bin_index(y_score)
    assert len(np.unique(index)) == len(np.unique(y_score))
    groups = pooled(score_table(y_score, y_true, sensitive_features=features))
    codes, _ = group_codes(features)
    expected = sklearn_auc_per_group(y_score, y_true, codes, len(groups.labels))
    result = auc(groups)
    assert result.auc == pytest.approx(expected, rel=1e-12)
    assert result.overall_auc == pytest.approx(
        roc_auc_score(y_true, y_score), rel=1e-12
    )
    # Equal scores make same-bin pairs, so the conservative bound is positive.
    assert result.overall_max_error > 0


def test_auc_within_bound_on_continuous_scores():
    y_score, y_true, features = make_data(5)
    groups = pooled(score_table(y_score, y_true, sensitive_features=features))
    codes, _ = group_codes(features)
    expected = sklearn_auc_per_group(y_score, y_true, codes, len(groups.labels))
    result = auc(groups)
    for value, bound, reference in zip(
        result.auc, result.max_error, expected, strict=True
    ):
        assert abs(value - reference) <= bound + 1e-12
        assert bound < 0.01
    overall = roc_auc_score(y_true, y_score)
    assert abs(result.overall_auc - overall) <= result.overall_max_error + 1e-12


def test_auc_undefined_for_a_group_with_one_class():
    table = score_table(
        [0.2, 0.8, 0.3, 0.4], [0, 1, 1, 1], sensitive_features={"g": list("aabb")}
    )
    result = auc(pooled(table))
    assert result.auc == [1.0, None]
    assert result.max_error == [0.0, None]
    assert result.undefined_reason == [None, scores.NO_NEGATIVES]
    assert result.overall_auc == pytest.approx(
        roc_auc_score([0, 1, 1, 1], [0.2, 0.8, 0.3, 0.4])
    )


# --------------------------------------------------------------------------------------
# Median and scoring rates
# --------------------------------------------------------------------------------------


def test_exact_median_and_scoring_rate_by_hand():
    y_score = np.array([0.9, 0.1, np.nan, 0.5, 0.3, 0.7, 0.5])
    codes = np.array([0, 0, 0, 1, 1, 1, 2])
    result = exact_median(y_score)
    assert result.value == 0.5 == np.median([0.9, 0.1, 0.5, 0.3, 0.7, 0.5])
    assert (result.low, result.high, result.max_error, result.n) == (0.5, 0.5, 0.0, 6)
    rates = scoring_rate_exact(
        y_score, codes, result.value, labels=[("a",), ("b",), (None,)], attributes=["g"]
    )
    # Strictly above 0.5: a has 0.9 of {0.9, 0.1}; b has 0.7 of {0.5, 0.3, 0.7};
    # the unknown group's only score equals the median.
    assert rates.n == [2, 3, 1]
    assert rates.above == [1, 1, 0]
    assert rates.rate == pytest.approx([1 / 2, 1 / 3, 0.0])
    assert rates.rate_low == rates.rate == rates.rate_high
    assert rates.groups == ["a", "b", "unknown"]
    assert rates.is_unknown == [False, False, True]
    assert rates.overall_rate == pytest.approx(2 / 6)
    ratio = scoring_impact_ratio(rates)
    assert ratio.compared == [True, True, False]
    assert ratio.impact_ratio == pytest.approx([1.0, 2 / 3, None])
    assert ratio.highest_group == "a"
    assert ratio.highest_rate == 0.5


def test_exact_median_even_count_and_empty():
    assert exact_median([4.0, 1.0, 3.0, 2.0]).value == 2.5
    assert exact_median([np.nan]).value is None


def test_histogram_equals_exact_on_bin_centres():
    rng = np.random.default_rng(6)
    bins = ScoreBins(n_bins=50)
    _, y_true, features = make_data(6, n=2001)
    y_score = bins.centres[rng.integers(0, 50, 2001)]
    groups = pooled(
        score_table(y_score, y_true, sensitive_features=features, bins=bins)
    )
    codes, labels = group_codes(features)

    # Median: the histogram's is exact on bin centres, odd and even counts.
    hist_median = median(groups)
    assert hist_median.value == pytest.approx(np.median(y_score), abs=1e-12)
    assert hist_median.max_error == pytest.approx(bins.width / 2)
    even = median(
        pooled(
            score_table(
                y_score[:-1],
                y_true[:-1],
                sensitive_features={"g": codes[:-1]},
                bins=bins,
            )
        )
    )
    assert even.value == pytest.approx(np.median(y_score[:-1]), abs=1e-12)

    # Scoring rate above the median, from the histogram and from raw scores.
    for threshold in (hist_median.value, bins.edges[20], bins.centres[7], -1.0, 2.0):
        from_hist = scoring_rate_from_hist(groups, threshold)
        exact_rate = scoring_rate_exact(y_score, codes, threshold, labels=labels)
        assert from_hist.above == exact_rate.above
        assert from_hist.rate == exact_rate.rate
        assert from_hist.overall_rate == exact_rate.overall_rate
        assert from_hist.groups == exact_rate.groups
        ratio_hist = scoring_impact_ratio(from_hist).impact_ratio
        assert ratio_hist == scoring_impact_ratio(exact_rate).impact_ratio


def test_effective_threshold_is_the_edge_at_or_above():
    bins = ScoreBins(n_bins=10)
    table = score_table(
        [0.05, 0.31, 0.35, 0.39, 0.55, 0.95],
        [0] * 6,
        sensitive_features={"g": ["a"] * 6},
        bins=bins,
    )
    result = scoring_rate_from_hist(pooled(table), 0.33)
    assert result.effective_threshold == pytest.approx(0.4)
    assert result.resolution == pytest.approx(0.1)
    assert result.above == [2]
    # The bin [0.3, 0.4) holds the threshold: 2 to 5 scores may lie above it.
    assert result.rate_low == pytest.approx([2 / 6])
    assert result.rate_high == pytest.approx([5 / 6])
    on_edge = scoring_rate_from_hist(pooled(table), 0.3)
    assert on_edge.effective_threshold == pytest.approx(0.3)
    assert on_edge.above == [5]


@FAST
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 300),
    n_bins=st.sampled_from([1, 3, 10, 64]),
    threshold=st.one_of(st.floats(-0.2, 1.2), st.sampled_from([0.0, 0.25, 0.5, 1.0])),
)
def test_brackets_contain_exact_values(seed, n, n_bins, threshold):
    rng = np.random.default_rng(seed)
    y_score = rng.random(n) * 1.4 - 0.2  # some scores are clipped
    # Some scores sit on bin edges, and some thresholds too.
    on_edge = rng.random(n) < 0.3
    y_score[on_edge] = rng.choice(np.linspace(0, 1, 5), on_edge.sum())
    y_true = rng.integers(0, 2, n)
    g = rng.choice(["a", "b", "c"], n)
    bins = ScoreBins(n_bins=n_bins)
    groups = pooled(
        score_table(y_score, y_true, sensitive_features={"g": g}, bins=bins)
    )
    codes, labels = group_codes({"g": g})

    result = median(groups)
    true_median = np.median(y_score)
    if result.low is not None:
        assert result.low - 1e-12 <= true_median
    if result.high is not None:
        assert true_median <= result.high + 1e-12
    if result.max_error is not None:
        assert abs(result.value - true_median) <= result.max_error + 1e-12

    from_hist = scoring_rate_from_hist(groups, threshold)
    exact_rate = scoring_rate_exact(y_score, codes, threshold, labels=labels)
    for low, rate, high, truth in zip(
        from_hist.rate_low,
        from_hist.rate,
        from_hist.rate_high,
        exact_rate.rate,
        strict=True,
    ):
        if truth is None:
            assert rate is None
        else:
            assert low - 1e-12 <= truth <= high + 1e-12
            assert low - 1e-12 <= rate <= high + 1e-12


def test_scoring_rate_rejects_bad_arguments():
    table = score_table([0.1], [0], sensitive_features={"g": ["a"]})
    with pytest.raises(
        ValueError, match=exact(scores.ERR_THRESHOLD.format(value=np.nan))
    ):
        scoring_rate_from_hist(pooled(table), np.nan)
    with pytest.raises(
        ValueError, match=exact(scores.ERR_GROUP_CODES.format(value=-1))
    ):
        scoring_rate_exact([0.1, 0.2], [0, -1], 0.5)
    with pytest.raises(ValueError, match=exact(scores.ERR_GROUP_CODES.format(value=1))):
        scoring_rate_exact([0.1, 0.2], [0, 1], 0.5, labels=[("a",)])
    rates = scoring_rate_exact([0.1, 0.2], [0, 1], 0.5)
    with pytest.raises(ValueError, match=exact(scores.ERR_COMPARED.format(n=2, got=1))):
        scoring_impact_ratio(rates, compared=[True])


def test_impact_ratio_undefined_when_nobody_scores_above():
    rates = scoring_rate_exact([0.1, 0.2], [0, 1], 0.5)
    ratio = scoring_impact_ratio(rates, compared=[True, False])
    assert ratio.highest_rate == 0.0
    assert ratio.impact_ratio == [None, None]


# --------------------------------------------------------------------------------------
# Calibration, means and SMD
# --------------------------------------------------------------------------------------


def test_calibration_by_hand():
    bins = ScoreBins(n_bins=20)  # fine bins 0.05 wide, two per calibration bin
    y_score = [0.01, 0.06, 0.07, 0.55, 0.56, 0.92, 0.33, np.nan]
    y_true = [0, 0, 1, 1, 0, 1, 1, 1]
    g = ["a", "a", "a", "a", "a", "a", "b", "b"]
    groups = pooled(
        score_table(y_score, y_true, sensitive_features={"g": g}, bins=bins)
    )
    result = calibration(groups, n_bins=10)
    assert result.bin_edges == pytest.approx(np.linspace(0, 1, 11).tolist())
    assert result.count == [[3, 0, 0, 0, 0, 2, 0, 0, 0, 1], [0, 0, 0, 1] + [0] * 6]
    assert result.positives == [[1, 0, 0, 0, 0, 1, 0, 0, 0, 1], [0, 0, 0, 1] + [0] * 6]
    assert result.observed_rate[0][0] == pytest.approx(1 / 3)
    assert result.observed_rate[0][1] is None
    # Midpoints of the fine bins: 0.025, 0.075, 0.075 | 0.575, 0.575 | 0.925.
    assert result.mean_score[0][0] == pytest.approx((0.025 + 0.075 * 2) / 3)
    assert result.mean_score[0][5] == pytest.approx(0.575)
    assert result.mean_score[1][3] == pytest.approx(0.325)
    ece_a = (
        3 * abs((0.025 + 0.15) / 3 - 1 / 3) + 2 * abs(0.575 - 0.5) + abs(0.925 - 1)
    ) / 6
    assert result.ece == pytest.approx([ece_a, abs(0.325 - 1)])
    assert result.overall_count == [3, 0, 0, 1, 0, 2, 0, 0, 0, 1]
    assert result.overall_ece == pytest.approx((6 * ece_a + abs(0.325 - 1)) / 7)
    assert result.mean_score_max_error == pytest.approx(0.025)
    # The exact ECE (true means per bin) is within the stated bound.
    exact_ece = (3 * abs(0.14 / 3 - 1 / 3) + 2 * abs(0.555 - 0.5) + abs(0.92 - 1)) / 6
    assert abs(result.ece[0] - exact_ece) <= result.mean_score_max_error


def test_calibration_needs_matching_probability_bins():
    table = score_table(
        [0.1], [0], sensitive_features={"g": ["a"]}, bins=ScoreBins(n_bins=15)
    )
    message = scores.ERR_CALIBRATION_BINS.format(fine=15, bins=table.bins, n_bins=10)
    with pytest.raises(ValueError, match=exact(message)):
        calibration(pooled(table))


def test_mean_and_smd_match_numpy():
    y_score, y_true, features = make_data(7, n=800)
    y_score = y_score * 6 - 3  # a decision function on [-3, 3]
    bins = ScoreBins.from_range(-3, 3, n_bins=100)
    groups = pooled(
        score_table(y_score, y_true, sensitive_features=features, bins=bins), ["race"]
    )
    codes, labels = group_codes({"race": features["race"]})
    assert labels == groups.labels
    samples = [y_score[codes == g] for g in range(len(labels))]

    means = mean_score(groups)
    assert means.mean == pytest.approx([s.mean() for s in samples], rel=1e-12)
    assert means.sd == pytest.approx([s.std(ddof=1) for s in samples], rel=1e-9)
    assert means.overall_mean == pytest.approx(y_score.mean(), rel=1e-12)
    assert means.overall_sd == pytest.approx(y_score.std(ddof=1), rel=1e-9)

    reference = 2
    result = standardized_mean_difference(groups, reference)
    ref = samples[reference]
    expected = []
    for s in samples:
        pooled_var = (
            (len(s) - 1) * s.var(ddof=1) + (len(ref) - 1) * ref.var(ddof=1)
        ) / (len(s) + len(ref) - 2)
        expected.append((s.mean() - ref.mean()) / np.sqrt(pooled_var))
    assert result.smd == pytest.approx(expected, rel=1e-9)
    assert result.smd[reference] == 0.0
    assert result.reference_group == groups.display_labels()[reference]


def test_results_are_json_safe():
    y_score, y_true, features = make_data(8, n=300)
    y_score[:5] = np.nan
    groups = pooled(score_table(y_score, y_true, sensitive_features=features), ["sex"])
    codes, labels = group_codes({"sex": features["sex"]})
    threshold = median(groups).value
    results = [
        auc(groups),
        median(groups),
        exact_median(y_score),
        scoring_rate_from_hist(groups, threshold),
        scoring_rate_exact(y_score, codes, threshold, labels=labels),
        scoring_impact_ratio(scoring_rate_from_hist(groups, threshold)),
        calibration(groups),
        mean_score(groups),
        standardized_mean_difference(groups, 0),
    ]
    for result in results:
        data = asdict(result)
        assert json.loads(json.dumps(data, allow_nan=False)) == data
