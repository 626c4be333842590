"""Tests of reportgen.fairness.stats against independent computations.

Reference values come from statsmodels, scipy and scikit-learn, from sums written out
by hand in the test, and from one published table (Newcombe 1998).
"""

import math
import re

import numpy as np
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import roc_auc_score
from statsmodels.stats.contingency_tables import Table2x2
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

from reportgen.fairness import stats
from reportgen.fairness.stats import (
    adjust_p_values,
    binned_auc,
    bootstrap_interval,
    cohens_h,
    fisher_exact_p,
    odds_ratio,
    shortfall,
    standardized_mean_difference,
    threshold_verdict,
    two_proportion_z_test,
    use_exact_test,
    wilson_interval,
)

FAST = settings(max_examples=60, deadline=None)


def exact(message: str) -> str:
    """A ``pytest.raises(match=...)`` pattern matching ``message`` literally."""
    return "^" + re.escape(message) + "$"


def tpr(cells: np.ndarray) -> np.ndarray:
    """True positive rate of confusion counts ordered tn, fp, fn, tp."""
    return cells[..., 3] / (cells[..., 2] + cells[..., 3])


def selection_rate(cells: np.ndarray) -> np.ndarray:
    """Share of the second cell among (not selected, selected) counts."""
    return cells[..., 1] / cells.sum(axis=-1)


# --------------------------------------------------------------------------------------
# wilson_interval
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("confidence", [0.8, 0.9, 0.95, 0.99])
def test_wilson_matches_statsmodels(confidence):
    x = np.array([0, 1, 5, 17, 50, 99, 100, 0, 1, 3])
    n = np.array([100, 100, 100, 100, 100, 100, 100, 1, 1, 7])
    low, high = wilson_interval(x, n, confidence=confidence)
    ref_low, ref_high = proportion_confint(x, n, alpha=1 - confidence, method="wilson")
    np.testing.assert_allclose(low, ref_low, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(high, ref_high, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(
    ("x", "n", "published"),
    [
        # Newcombe (1998), Statistics in Medicine 17:857-872, Table II, method 3
        # (score interval without continuity correction), 95 per cent.
        (81, 263, (0.2553, 0.3662)),
        (15, 148, (0.0624, 0.1605)),
        (0, 20, (0.0000, 0.1611)),
        (1, 29, (0.0061, 0.1718)),
    ],
)
def test_wilson_published_examples(x, n, published):
    low, high = wilson_interval(x, n)
    assert (round(float(low), 4), round(float(high), 4)) == published


def test_wilson_hand_computed():
    # 8 of 10 at 95 %: centre (8 + z^2/2) / (10 + z^2), half-width from the formula.
    z = scipy.stats.norm.ppf(0.975)
    centre = (8 + z**2 / 2) / (10 + z**2)
    half = z / (10 + z**2) * math.sqrt(8 * 2 / 10 + z**2 / 4)
    low, high = wilson_interval(8, 10)
    assert float(low) == pytest.approx(centre - half, rel=1e-12)
    assert float(high) == pytest.approx(centre + half, rel=1e-12)


def test_wilson_edges_and_empty_groups():
    low, high = wilson_interval([0, 10, 0, 0], [10, 10, 0, 0])
    assert low[0] == 0.0 and high[1] == 1.0
    assert np.isnan(low[2:]).all() and np.isnan(high[2:]).all()


def test_wilson_broadcasts_and_accepts_weighted_counts():
    low, high = wilson_interval([[2.5], [4.0]], [10.0, 20.0])
    assert low.shape == high.shape == (2, 2)
    assert np.all(low < high)


@given(
    st.integers(min_value=1, max_value=10_000).flatmap(
        lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))
    ),
    st.floats(min_value=0.5, max_value=0.999),
)
@FAST
def test_wilson_property_within_unit_interval_and_contains_estimate(xn, confidence):
    x, n = xn
    low, high = wilson_interval(x, n, confidence=confidence)
    assert 0.0 <= low <= x / n <= high <= 1.0
    wider_low, wider_high = wilson_interval(x, n, confidence=(1 + confidence) / 2)
    assert wider_low <= low and high <= wider_high


@pytest.mark.parametrize("confidence", [0, 1, 1.5, -0.1, float("nan"), True, "0.95"])
def test_wilson_rejects_bad_confidence(confidence):
    message = stats.CONFIDENCE_ERROR.format(value=confidence)
    with pytest.raises(ValueError, match=exact(message)):
        wilson_interval(1, 2, confidence=confidence)


def test_wilson_rejects_bad_counts():
    message = stats.COUNTS_ERROR.format(name="successes", value=-1.0)
    with pytest.raises(ValueError, match=exact(message)):
        wilson_interval([1, -1], [2, 2])
    message = stats.COUNTS_ERROR.format(name="trials", value=math.inf)
    with pytest.raises(ValueError, match=exact(message)):
        wilson_interval(1, math.inf)
    message = stats.SUCCESSES_ERROR.format(
        successes="successes", trials="trials", x=5.0, n=4.0
    )
    with pytest.raises(ValueError, match=exact(message)):
        wilson_interval([1, 5], [4, 4])


# --------------------------------------------------------------------------------------
# two_proportion_z_test, fisher_exact_p, use_exact_test
# --------------------------------------------------------------------------------------


def test_z_test_matches_statsmodels():
    cases = [(48, 80, 12, 40), (5, 30, 9, 31), (200, 1000, 260, 1100), (1, 3, 2, 2)]
    x1, n1, x2, n2 = (np.array(column) for column in zip(*cases, strict=True))
    z, p = two_proportion_z_test(x1, n1, x2, n2)
    for i, (a, b, c, d) in enumerate(cases):
        ref_z, ref_p = proportions_ztest(np.array([a, c]), np.array([b, d]))
        assert z[i] == pytest.approx(ref_z, rel=1e-12)
        assert p[i] == pytest.approx(ref_p, rel=1e-9)


def test_z_test_hand_computed():
    # 48/80 = 0.6 vs 12/40 = 0.3; pooled 60/120 = 0.5;
    # se = sqrt(0.25 * (1/80 + 1/40)) = sqrt(0.009375).
    z, p = two_proportion_z_test(48, 80, 12, 40)
    assert float(z) == pytest.approx(0.3 / math.sqrt(0.009375), rel=1e-12)
    assert float(p) == pytest.approx(math.erfc(float(z) / math.sqrt(2)), rel=1e-12)
    z_swapped, p_swapped = two_proportion_z_test(12, 40, 48, 80)
    assert float(z_swapped) == -float(z) and float(p_swapped) == float(p)


def test_z_test_undefined_cases_are_nan():
    # Nobody selected; everybody selected; an empty first or second group.
    z, p = two_proportion_z_test(
        [0, 5, 0, 3], [10, 5, 0, 10], [0, 7, 2, 0], [20, 7, 5, 0]
    )
    assert np.isnan(z).all() and np.isnan(p).all()


def test_z_test_rejects_successes_above_trials():
    message = stats.SUCCESSES_ERROR.format(successes="x2", trials="n2", x=6.0, n=5.0)
    with pytest.raises(ValueError, match=exact(message)):
        two_proportion_z_test(1, 5, 6, 5)


def hypergeometric_two_sided(a: int, n1: int, c: int, n2: int) -> float:
    """Fisher's two-sided p value summed term by term from binomial coefficients."""
    selected = a + c
    total = n1 + n2
    lo, hi = max(0, selected - n2), min(selected, n1)

    def prob(k: int) -> float:
        return (
            math.comb(n1, k) * math.comb(n2, selected - k) / math.comb(total, selected)
        )

    observed = prob(a)
    return sum(prob(k) for k in range(lo, hi + 1) if prob(k) <= observed * (1 + 1e-7))


def test_fisher_matches_hand_sum_and_scipy():
    cases = [
        (3, 4, 1, 4),
        (0, 12, 6, 12),
        (7, 25, 15, 26),
        (2, 3, 40, 41),
        (1, 1, 0, 1),
    ]
    x1, n1, x2, n2 = (np.array(column) for column in zip(*cases, strict=True))
    p = fisher_exact_p(x1, n1, x2, n2)
    for i, (a, b, c, d) in enumerate(cases):
        assert p[i] == pytest.approx(hypergeometric_two_sided(a, b, c, d), rel=1e-9)
        table = [[a, b - a], [c, d - c]]
        assert p[i] == pytest.approx(scipy.stats.fisher_exact(table).pvalue, rel=1e-12)


def test_fisher_tea_tasting():
    # Margins 4/4/4/4: tables with 0..4 successes have probabilities 1, 16, 36, 16,
    # 1 over 70, so observing 3 gives 34/70 two-sided.
    assert float(fisher_exact_p(3, 4, 1, 4)) == pytest.approx(34 / 70, rel=1e-12)


def test_fisher_nan_for_empty_groups_and_one_for_degenerate_margins():
    p = fisher_exact_p([0, 2, 0, 3], [0, 5, 8, 3], [1, 0, 0, 4], [4, 0, 9, 4])
    assert np.isnan(p[:2]).all()
    assert p[2] == 1.0 and p[3] == 1.0
    assert fisher_exact_p([[1], [2]], [5, 6], 3, 7).shape == (2, 2)


def test_fisher_rejects_fractional_counts():
    message = stats.WHOLE_COUNTS_ERROR.format(name="x1", value=1.5)
    with pytest.raises(ValueError, match=exact(message)):
        fisher_exact_p(1.5, 4, 1, 4)


@pytest.mark.parametrize(
    ("x1", "n1", "x2", "n2", "expected"),
    [
        (40, 100, 50, 100, False),  # large groups, expected counts far above 5
        (10, 29, 50, 100, True),  # a group under 30
        (3, 200, 4, 200, True),  # pooled selected count 3.5 per group < 5
        (197, 200, 196, 200, True),  # expected not-selected 3.5 per group < 5
        (5, 100, 5, 100, False),  # expected selected exactly 5: not below 5
        (0, 0, 10, 100, True),  # empty group
    ],
)
def test_use_exact_test_rule(x1, n1, x2, n2, expected):
    assert bool(use_exact_test(x1, n1, x2, n2)) is expected


def test_use_exact_test_thresholds_are_settings():
    assert not use_exact_test(10, 29, 50, 100, min_n=20)
    assert use_exact_test(40, 100, 50, 100, min_expected=60)
    message = stats.NON_NEGATIVE_ERROR.format(name="min_n", value=-1)
    with pytest.raises(ValueError, match=exact(message)):
        use_exact_test(1, 2, 1, 2, min_n=-1)


# --------------------------------------------------------------------------------------
# odds_ratio, cohens_h, shortfall
# --------------------------------------------------------------------------------------


def test_odds_ratio_matches_statsmodels_without_zero_cells():
    cases = [(3, 4, 1, 4), (20, 100, 35, 90), (7, 8, 2, 9)]
    x1, n1, x2, n2 = (np.array(column) for column in zip(*cases, strict=True))
    ratio = odds_ratio(x1, n1, x2, n2)
    for i, (a, b, c, d) in enumerate(cases):
        table = np.array([[a, b - a], [c, d - c]])
        assert ratio[i] == pytest.approx(Table2x2(table).oddsratio, rel=1e-12)


def test_odds_ratio_haldane_anscombe_only_with_zero_cells():
    # Zero cell: (0 + .5)(5 + .5) / ((10 + .5)(5 + .5)); no zero cell: 3*3 / (1*1).
    ratio = odds_ratio([0, 3, 10], [10, 4, 10], [5, 1, 5], [10, 4, 10])
    np.testing.assert_allclose(ratio, [0.5 / 10.5, 9.0, 10.5 / 0.5], rtol=1e-12)
    assert np.isnan(odds_ratio([0, 1], [0, 2], [1, 0], [2, 0])).all()


def test_cohens_h_values():
    h = cohens_h([0.5, 1.0, 0.3, np.nan], [0.5, 0.0, 0.6, 0.2])
    expected_third = 2 * math.asin(math.sqrt(0.3)) - 2 * math.asin(math.sqrt(0.6))
    np.testing.assert_allclose(h[:3], [0.0, math.pi, expected_third], rtol=1e-12)
    assert np.isnan(h[3])
    np.testing.assert_allclose(cohens_h(0.6, 0.3), -cohens_h(0.3, 0.6))


def test_cohens_h_rejects_values_outside_unit_interval():
    message = stats.PROBABILITY_ERROR.format(name="p2", value=1.2)
    with pytest.raises(ValueError, match=exact(message)):
        cohens_h(0.5, [0.2, 1.2])


def test_shortfall_values():
    # 100 * 0.3 = 30 expected, 20 selected -> 10 short; 50 * 0.3 - 25 = -10 (surplus).
    result = shortfall([20, 25, 0], [100, 50, 0], 0.3)
    np.testing.assert_array_equal(result, [10.0, -10.0, 0.0])
    assert np.isnan(shortfall(3, 10, np.nan))
    np.testing.assert_allclose(shortfall([2, 2], [10, 10], [0.5, 0.1]), [3.0, -1.0])


def test_shortfall_rejects_bad_rate():
    message = stats.PROBABILITY_ERROR.format(name="comparison_rate", value=-0.5)
    with pytest.raises(ValueError, match=exact(message)):
        shortfall(1, 10, -0.5)


# --------------------------------------------------------------------------------------
# adjust_p_values
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "statsmodels_method"),
    [("holm", "holm"), ("benjamini-hochberg", "fdr_bh")],
)
@pytest.mark.parametrize("seed", range(4))
def test_adjust_matches_statsmodels(method, statsmodels_method, seed):
    rng = np.random.default_rng(seed)
    p = rng.uniform(0, 0.2, size=12) ** rng.uniform(0.5, 2)
    p[[2, 7]] = p[[5, 5]]  # ties
    p[9] = np.nan
    adjusted = adjust_p_values(p, method=method)
    valid = ~np.isnan(p)
    reference = multipletests(p[valid], method=statsmodels_method)[1]
    np.testing.assert_allclose(adjusted[valid], reference, rtol=1e-12)
    assert np.isnan(adjusted[9])


def adjust_by_definition(p, method):
    """Adjusted p values written out from the definitions, one entry at a time."""
    valid = [i for i in range(len(p)) if not math.isnan(p[i])]
    m = len(valid)
    rank = {i: r + 1 for r, i in enumerate(sorted(valid, key=lambda i: (p[i], i)))}
    out = [math.nan] * len(p)
    for i in valid:
        if method == "holm":
            terms = [(m - rank[j] + 1) * p[j] for j in valid if rank[j] <= rank[i]]
            out[i] = min(1.0, max(terms))
        else:
            terms = [m / rank[j] * p[j] for j in valid if rank[j] >= rank[i]]
            out[i] = min(1.0, min(terms))
    return out


@pytest.mark.parametrize("method", ["holm", "benjamini-hochberg"])
@given(
    p_values=st.lists(
        st.one_of(st.floats(min_value=0, max_value=1), st.just(math.nan)),
        min_size=1,
        max_size=30,
    )
)
@FAST
def test_adjust_property_matches_definition(method, p_values):
    p = np.array(p_values)
    adjusted = adjust_p_values(p, method=method)
    expected = adjust_by_definition(p_values, method)
    np.testing.assert_allclose(adjusted, expected, rtol=1e-12, atol=1e-300)
    # Never below the raw value, at most 1, and the order of p values is kept.
    valid = ~np.isnan(p)
    assert np.all(adjusted[valid] >= p[valid]) and np.all(adjusted[valid] <= 1)
    order = np.argsort(p[valid], kind="stable")
    assert np.all(np.diff(adjusted[valid][order]) >= 0)


def test_adjust_hand_computed():
    # m = 3 (the NaN is not counted). Sorted 0.01, 0.03, 0.04.
    # Holm: 3*0.01 = 0.03; max(0.03, 2*0.03) = 0.06; max(0.06, 1*0.04) = 0.06.
    # BH: 0.04*3/3 = 0.04; min(0.04, 0.03*3/2) = 0.04; min(0.04, 0.01*3) = 0.03.
    p = [0.01, 0.04, np.nan, 0.03]
    np.testing.assert_allclose(
        adjust_p_values(p, method="holm"), [0.03, 0.06, np.nan, 0.06]
    )
    np.testing.assert_allclose(
        adjust_p_values(p, method="benjamini-hochberg"), [0.03, 0.04, np.nan, 0.04]
    )
    np.testing.assert_array_equal(adjust_p_values(p, method="none"), p)
    np.testing.assert_allclose(adjust_p_values([0.6, 0.9], method="holm"), [1.0, 1.0])


def test_adjust_keeps_shape_and_handles_empty_families():
    p = np.array([[0.01, 0.2], [np.nan, 0.04]])
    assert adjust_p_values(p, method="holm").shape == (2, 2)
    assert adjust_p_values([], method="holm").shape == (0,)
    assert np.isnan(adjust_p_values([np.nan, np.nan], method="holm")).all()


def test_adjust_rejects_unknown_method_and_bad_values():
    message = stats.METHOD_ERROR.format(
        allowed=("holm", "benjamini-hochberg", "none"), value="bonferroni"
    )
    with pytest.raises(ValueError, match=exact(message)):
        adjust_p_values([0.1], method="bonferroni")
    message = stats.PROBABILITY_ERROR.format(name="p_values", value=1.5)
    with pytest.raises(ValueError, match=exact(message)):
        adjust_p_values([0.1, 1.5], method="holm")


# --------------------------------------------------------------------------------------
# bootstrap_interval
# --------------------------------------------------------------------------------------

CONFUSION = np.array([[400, 50, 30, 120], [200, 40, 25, 35], [0, 0, 0, 0]])


def test_bootstrap_is_reproducible_byte_for_byte():
    first = bootstrap_interval(CONFUSION, tpr, n_resamples=500, seed=7)
    second = bootstrap_interval(CONFUSION, tpr, n_resamples=500, seed=7)
    other = bootstrap_interval(CONFUSION, tpr, n_resamples=500, seed=8)
    assert first[0].tobytes() == second[0].tobytes()
    assert first[1].tobytes() == second[1].tobytes()
    assert first[0].tobytes() != other[0].tobytes()


def test_bootstrap_contains_estimate_and_empty_group_is_nan():
    counts = np.array([[4000, 500, 300, 1200], [2000, 400, 250, 350], [0, 0, 0, 0]])
    low, high = bootstrap_interval(counts, tpr)
    estimate = counts[:2, 3] / (counts[:2, 2] + counts[:2, 3])
    assert np.all(low[:2] < estimate) and np.all(estimate < high[:2])
    # For a rate the bootstrap interval is close to the Wilson interval.
    w_low, w_high = wilson_interval(counts[:2, 3], counts[:2, 2] + counts[:2, 3])
    np.testing.assert_allclose(low[:2], w_low, atol=0.01)
    np.testing.assert_allclose(high[:2], w_high, atol=0.01)
    assert np.isnan(low[2]) and np.isnan(high[2])


def test_bootstrap_agrees_with_wilson_for_a_large_sample():
    low, high = bootstrap_interval([[6000, 4000]], selection_rate, n_resamples=4000)
    w_low, w_high = wilson_interval(4000, 10_000)
    assert low[0] == pytest.approx(w_low, abs=0.002)
    assert high[0] == pytest.approx(w_high, abs=0.002)


def test_bootstrap_coverage_is_roughly_nominal():
    # 400 independent simulated groups of 200 people with true rate 0.3; the groups
    # are independent strata, so one call gives 400 intervals.
    rng = np.random.default_rng(12345)
    selected = rng.binomial(200, 0.3, size=400)
    counts = np.column_stack([200 - selected, selected])
    low, high = bootstrap_interval(counts, selection_rate, n_resamples=1000, seed=1)
    coverage = np.mean((low <= 0.3) & (high >= 0.3))
    assert 0.90 <= coverage <= 0.99


def test_bootstrap_nan_when_more_than_half_of_resamples_are_nan():
    def fragile(cells):
        # NaN whenever the first cell is at least ``cut``, per group.
        cut = np.array([45, 56])
        return np.where(cells[..., 0] >= cut, np.nan, cells[..., 1] / 100)

    # First cell ~ Binomial(100, 0.5): P(>= 45) is about 0.86, P(>= 56) about 0.14.
    low, high = bootstrap_interval([[50, 50], [50, 50]], fragile, n_resamples=1000)
    assert np.isnan(low[0]) and np.isnan(high[0])
    assert np.isfinite(low[1]) and np.isfinite(high[1])


def test_bootstrap_all_resamples_undefined_is_nan_without_warnings():
    # No positives at all: the true positive rate is undefined in every resample.
    low, high = bootstrap_interval([[90, 10, 0, 0], [50, 5, 5, 40]], tpr)
    assert np.isnan(low[0]) and np.isnan(high[0])
    assert 0 < low[1] < high[1] < 1


def test_bootstrap_infinite_statistic_gives_infinite_bound_without_warnings():
    # The first cell is 0 in about e**-1 of the resamples, making the ratio infinite.
    low, high = bootstrap_interval([[1, 50], [20, 30]], lambda c: c[..., 1] / c[..., 0])
    assert np.isfinite(low[0]) and high[0] == np.inf
    assert np.isfinite(low[1]) and np.isfinite(high[1])


def test_bootstrap_rejects_bad_arguments():
    message = stats.COUNTS_SHAPE_ERROR.format(shape=(4,))
    with pytest.raises(ValueError, match=exact(message)):
        bootstrap_interval([1, 2, 3, 4], tpr)
    message = stats.WHOLE_COUNTS_ERROR.format(name="counts", value=0.5)
    with pytest.raises(ValueError, match=exact(message)):
        bootstrap_interval([[1, 0.5]], selection_rate)
    message = stats.N_RESAMPLES_ERROR.format(value=0)
    with pytest.raises(ValueError, match=exact(message)):
        bootstrap_interval([[1, 1]], selection_rate, n_resamples=0)
    message = stats.STATISTIC_SHAPE_ERROR.format(expected=(10, 1), got=(10,))
    with pytest.raises(ValueError, match=exact(message)):
        bootstrap_interval([[1, 1]], lambda c: c.sum(axis=(-1, -2)), n_resamples=10)
    message = stats.CONFIDENCE_ERROR.format(value=95)
    with pytest.raises(ValueError, match=exact(message)):
        bootstrap_interval([[1, 1]], selection_rate, confidence=95)


# --------------------------------------------------------------------------------------
# threshold_verdict
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("estimate", "low", "high", "higher_is_better", "expected"),
    [
        (0.9, 0.85, 0.95, True, "pass"),
        (0.7, 0.6, 0.75, True, "fail"),
        (0.85, 0.75, 0.95, True, "inconclusive"),
        (0.85, 0.8, 0.95, True, "inconclusive"),  # touches the threshold
        (0.75, 0.7, 0.8, True, "inconclusive"),  # touches from below
        (0.7, 0.6, 0.75, False, "pass"),
        (0.9, 0.85, 0.95, False, "fail"),
        (0.9, np.nan, np.nan, True, "inconclusive"),  # no interval to judge with
        (np.nan, 0.85, 0.95, True, "undefined"),
        (np.nan, np.nan, np.nan, False, "undefined"),
        (0.82, 0.81, 0.81, True, "pass"),  # estimate outside a zero-width interval
    ],
)
def test_threshold_verdict_table(estimate, low, high, higher_is_better, expected):
    status = threshold_verdict(
        estimate, low, high, 0.8, higher_is_better=higher_is_better
    )
    assert status.shape == () and str(status) == expected


def test_threshold_verdict_vectorised_with_per_entry_thresholds():
    status = threshold_verdict([0.1, 0.1], [0.05, 0.05], [0.15, 0.15], [0.2, 0.1])
    assert status.tolist() == ["fail", "inconclusive"]
    assert set(stats.VERDICTS) == {"pass", "fail", "inconclusive", "undefined"}


def test_threshold_verdict_rejects_bad_inputs():
    message = stats.THRESHOLD_ERROR.format(value=math.nan)
    with pytest.raises(ValueError, match=exact(message)):
        threshold_verdict(0.5, 0.4, 0.6, math.nan)
    message = stats.INTERVAL_ORDER_ERROR.format(low=0.7, high=0.6)
    with pytest.raises(ValueError, match=exact(message)):
        threshold_verdict([0.5, 0.65], [0.4, 0.7], [0.6, 0.6], 0.8)


# --------------------------------------------------------------------------------------
# standardized_mean_difference
# --------------------------------------------------------------------------------------


def sufficient(samples):
    """Count, sum and sum of squares of each sample."""
    n = [len(s) for s in samples]
    total = [float(np.sum(s)) for s in samples]
    total_sq = [float(np.sum(np.square(s))) for s in samples]
    return n, total, total_sq


def test_smd_matches_raw_samples():
    rng = np.random.default_rng(3)
    samples = [rng.normal(0.5, 1.0, 40), rng.normal(0.0, 1.2, 55), rng.normal(0, 2, 9)]
    smd = standardized_mean_difference(*sufficient(samples), reference_index=1)
    ref = samples[1]
    for g, sample in enumerate(samples):
        dof = len(sample) + len(ref) - 2
        pooled = (
            (len(sample) - 1) * np.var(sample, ddof=1)
            + (len(ref) - 1) * np.var(ref, ddof=1)
        ) / dof
        expected = (sample.mean() - ref.mean()) / math.sqrt(pooled)
        assert smd[g] == pytest.approx(expected, rel=1e-9, abs=1e-12)
    assert smd[1] == 0.0


def test_smd_hand_computed_and_singleton_group():
    # [1, 2, 3] vs reference [2, 3, 4, 5]: SS 2 and 5, pooled var 7/5, diff -1.5.
    # A single observation [10] contributes SS 0: pooled var 5/3, diff 6.5.
    samples = [[1.0, 2.0, 3.0], [2.0, 3.0, 4.0, 5.0], [10.0]]
    smd = standardized_mean_difference(*sufficient(samples), reference_index=1)
    expected = [-1.5 / math.sqrt(7 / 5), 0.0, 6.5 / math.sqrt(5 / 3)]
    np.testing.assert_allclose(smd, expected, rtol=1e-12)


def test_smd_undefined_cases_are_nan():
    # Empty group; two singletons (no degrees of freedom); zero pooled variance.
    smd = standardized_mean_difference(
        [0, 1, 1, 3], [0.0, 4.0, 2.0, 6.0], [0.0, 16.0, 4.0, 12.0], reference_index=2
    )
    assert np.isnan(smd[0]) and np.isnan(smd[1]) and np.isnan(smd[2])
    assert np.isnan(smd[3])  # group 3 is constant (all 2.0), reference a singleton


@given(
    shift=st.floats(min_value=-100, max_value=100),
    scale=st.floats(min_value=0.1, max_value=10),
)
@FAST
def test_smd_invariant_to_shift_and_positive_scale(shift, scale):
    samples = [np.array([1.0, 2.5, 3.0, 4.0]), np.array([0.0, 1.0, 1.5, 2.0, 3.5])]
    moved = [s * scale + shift for s in samples]
    smd = standardized_mean_difference(*sufficient(samples), reference_index=0)
    smd_moved = standardized_mean_difference(*sufficient(moved), reference_index=0)
    np.testing.assert_allclose(smd_moved, smd, rtol=1e-6, atol=1e-9)


def test_smd_rejects_bad_inputs():
    message = stats.REFERENCE_INDEX_ERROR.format(n_groups=2, value=2)
    with pytest.raises(ValueError, match=exact(message)):
        standardized_mean_difference([2, 3], [1.0, 2.0], [1.0, 2.0], 2)
    message = stats.GROUP_SHAPE_ERROR.format(shapes="(2,), (3,), (2,)")
    with pytest.raises(ValueError, match=exact(message)):
        standardized_mean_difference([2, 3], [1.0, 2.0, 3.0], [1.0, 2.0], 0)
    message = stats.FINITE_ERROR.format(name="total", value=math.inf)
    with pytest.raises(ValueError, match=exact(message)):
        standardized_mean_difference([2, 3], [1.0, math.inf], [1.0, 2.0], 0)


# --------------------------------------------------------------------------------------
# binned_auc
# --------------------------------------------------------------------------------------


def histograms(scores, labels, groups, edges, n_groups):
    """Per-group positive and negative histograms on shared bins."""
    bins = np.searchsorted(edges, scores, side="right") - 1
    shape = (n_groups, len(edges) - 1)
    positive = np.zeros(shape)
    negative = np.zeros(shape)
    np.add.at(positive, (groups[labels == 1], bins[labels == 1]), 1)
    np.add.at(negative, (groups[labels == 0], bins[labels == 0]), 1)
    return positive, negative


def test_binned_auc_exact_for_distinct_scores_in_own_bins():
    rng = np.random.default_rng(11)
    size = 600
    groups = rng.integers(0, 3, size)
    labels = rng.integers(0, 2, size)
    scores = rng.permutation(size) / size + 0.2 * labels * (groups + 1) / size
    scores = np.round(scores, 6)
    assert np.unique(scores).size == size
    edges = np.concatenate([np.sort(scores), [np.inf]])  # one score per bin
    positive, negative = histograms(scores, labels, groups, edges, 3)
    auc = binned_auc(positive, negative)
    for g in range(3):
        mask = groups == g
        assert auc[g] == pytest.approx(roc_auc_score(labels[mask], scores[mask]))


def test_binned_auc_exact_with_tied_scores_in_shared_bins():
    # Scores take five values; each bin holds one value, so ties are exact ties.
    rng = np.random.default_rng(5)
    labels = rng.integers(0, 2, 300)
    scores = np.clip(rng.integers(0, 5, 300) + labels, 0, 4) / 4
    edges = np.array([0.0, 0.2, 0.4, 0.6, 0.8, 1.01])
    positive, negative = histograms(scores, labels, np.zeros(300, int), edges, 1)
    assert binned_auc(positive, negative)[0] == pytest.approx(
        roc_auc_score(labels, scores)
    )


def test_binned_auc_coarse_bins_within_half_the_shared_pairs():
    rng = np.random.default_rng(9)
    labels = rng.integers(0, 2, 500)
    scores = rng.beta(2 + labels, 2, 500)
    edges = np.linspace(0, 1.0000001, 11)
    positive, negative = histograms(scores, labels, np.zeros(500, int), edges, 1)
    shared = (positive * negative).sum() / (positive.sum() * negative.sum())
    error = abs(binned_auc(positive, negative)[0] - roc_auc_score(labels, scores))
    assert error <= shared / 2 + 1e-12


def test_binned_auc_hand_computed_and_undefined_groups():
    # Positives in bins 1 and 2, negatives in bins 0 and 1: of 4 pairs, 3 are won
    # outright and 1 ties: (3 + 0.5) / 4.
    auc = binned_auc(
        [[0, 1, 1], [0, 0, 0], [2, 0, 0]], [[1, 1, 0], [3, 1, 0], [0, 0, 0]]
    )
    assert auc[0] == 0.875 and np.isnan(auc[1]) and np.isnan(auc[2])


def test_binned_auc_rejects_mismatched_shapes():
    message = stats.HIST_SHAPE_ERROR.format(positive=(1, 3), negative=(1, 2))
    with pytest.raises(ValueError, match=exact(message)):
        binned_auc([[1, 2, 3]], [[1, 2]])
