"""Per-group and overall metrics checked against fairlearn and scikit-learn.

fairlearn's ``MetricFrame`` recomputes every metric from the rows of each group
with scikit-learn, without going through confusion counts, so it is an independent
oracle for :mod:`reportgen.fairness.counts`, :mod:`reportgen.fairness.metrics` and
the group rows that :func:`reportgen.fairness.analysis.analyse` and
:func:`reportgen.audit.run_audit` report.
"""

import dataclasses
import functools

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import (
    MetricFrame,
    count,
    demographic_parity_difference,
    demographic_parity_ratio,
    equalized_odds_difference,
    false_negative_rate,
    false_positive_rate,
    selection_rate,
    true_positive_rate,
)
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    confusion_matrix,
    f1_score,
    precision_score,
    recall_score,
)

from reportgen.audit import run_audit
from reportgen.config import parse_config
from reportgen.fairness import metrics as m
from reportgen.fairness.analysis import UNDEFINED_REASONS, AnalysisSettings, analyse
from reportgen.fairness.counts import GroupCounts, count_table

TOLERANCE = {"rel": 1e-12, "abs": 1e-12}


def _confusion_cell(index):
    def cell(y_true, y_pred):
        return int(confusion_matrix(y_true, y_pred, labels=[0, 1]).ravel()[index])

    cell.__name__ = ("tn", "fp", "fn", "tp")[index]
    return cell


# GroupRow field name -> oracle computed from the rows of a group.
ORACLE = {
    "n": count,
    "tn": _confusion_cell(0),
    "fp": _confusion_cell(1),
    "fn": _confusion_cell(2),
    "tp": _confusion_cell(3),
    "base_rate": lambda y_true, y_pred: selection_rate(y_true, y_true),
    "selection_rate": selection_rate,
    "true_positive_rate": true_positive_rate,
    "false_positive_rate": false_positive_rate,
    "false_negative_rate": false_negative_rate,
    "precision": precision_score,
    "accuracy": accuracy_score,
    "balanced_accuracy": balanced_accuracy_score,
    "f1": f1_score,
    "macro_f1": functools.partial(f1_score, average="macro"),
}
SETTINGS = AnalysisSettings(bootstrap_resamples=100)


def by_group(y_true, y_pred, features):
    """MetricFrame.by_group of every oracle metric (rows: groups, columns: names)."""
    frame = MetricFrame(
        metrics=ORACLE, y_true=y_true, y_pred=y_pred, sensitive_features=features
    )
    return frame.by_group


def assert_rows_match_oracle(analysis, expected):
    """Every GroupRow of an analysis equals the MetricFrame row of its group."""
    assert len(analysis.groups) == len(expected)
    for row in analysis.groups:
        key = tuple(row.attribute_values[a] for a in analysis.attributes)
        oracle = expected.loc[key if len(key) > 1 else key[0]]
        for name in ORACLE:
            assert getattr(row, name) == pytest.approx(oracle[name], **TOLERANCE), (
                row.group,
                name,
            )
        assert row.selected == row.tp + row.fp
        assert row.is_unknown is False


def assert_impact_ratios(analysis):
    """Impact ratio: selection rate over the highest rate of the compared groups."""
    compared = [g for g in analysis.groups if g.compared]
    highest = max(g.selection_rate for g in compared)
    for row in analysis.groups:
        if not row.compared:
            assert row.impact_ratio is None
            continue
        assert row.impact_ratio == pytest.approx(
            row.selection_rate / highest, **TOLERANCE
        )
        assert row.selection_rate_difference == pytest.approx(
            row.selection_rate - highest, **TOLERANCE
        )


def assert_summary_matches_fairlearn(analysis, y_true, y_pred, features):
    """The disparity summary against fairlearn's between-group aggregates."""
    kwargs = {"sensitive_features": features}
    summary = analysis.summary
    assert summary.min_impact_ratio == pytest.approx(
        demographic_parity_ratio(y_true, y_pred, **kwargs), **TOLERANCE
    )
    assert summary.max_selection_rate_difference == pytest.approx(
        demographic_parity_difference(y_true, y_pred, **kwargs), **TOLERANCE
    )
    assert summary.equalized_odds_difference == pytest.approx(
        equalized_odds_difference(y_true, y_pred, **kwargs), **TOLERANCE
    )


def assert_overall_matches_sklearn(overall, y_true, y_pred):
    """Whole-sample metrics (a dict or an OverallPerformance) against sklearn."""
    get = (
        overall.get
        if isinstance(overall, dict)
        else functools.partial(getattr, overall)
    )
    expected = {
        "accuracy": accuracy_score(y_true, y_pred),
        "balanced_accuracy": balanced_accuracy_score(y_true, y_pred),
        "macro_f1": f1_score(y_true, y_pred, average="macro"),
        "f1": f1_score(y_true, y_pred),
        "precision": precision_score(y_true, y_pred),
        "true_positive_rate": recall_score(y_true, y_pred),
        "false_positive_rate": false_positive_rate(y_true, y_pred),
        "selection_rate": selection_rate(y_true, y_pred),
        "base_rate": selection_rate(y_true, y_true),
    }
    for name, value in expected.items():
        assert get(name) == pytest.approx(value, **TOLERANCE), name


# --------------------------------------------------------------------------------------
# (a) Seeded synthetic data: two attributes of three groups each
# --------------------------------------------------------------------------------------


@pytest.fixture
def synthetic(rng):
    """4,000 rows whose outcome and decision rates differ by group."""
    n = 4000
    colour = rng.choice(["red", "green", "blue"], size=n, p=[0.5, 0.3, 0.2])
    size = rng.choice(["S", "M", "L"], size=n, p=[0.2, 0.5, 0.3])
    base = 0.3 + 0.2 * (colour == "green") + 0.1 * (size == "L")
    y_true = (rng.random(n) < base).astype(int)
    chance = 0.2 + 0.55 * y_true - 0.1 * (colour == "blue") + 0.05 * (size == "S")
    y_pred = (rng.random(n) < chance).astype(int)
    features = pd.DataFrame({"colour": colour, "size": size})
    return y_true, y_pred, features


@pytest.mark.parametrize(
    "attributes",
    [["colour"], ["size"], ["colour", "size"]],
    ids=["colour", "size", "intersection"],
)
def test_synthetic_group_rows_match_metricframe(synthetic, attributes):
    y_true, y_pred, features = synthetic
    table = count_table(
        y_true, y_pred, sensitive_features={c: features[c] for c in features}
    )
    analysis = analyse(table.marginal(attributes), settings=SETTINGS)
    selected = features[attributes] if len(attributes) > 1 else features[attributes[0]]

    assert_rows_match_oracle(analysis, by_group(y_true, y_pred, selected))
    assert_impact_ratios(analysis)
    assert_summary_matches_fairlearn(analysis, y_true, y_pred, selected)
    assert len(analysis.groups) == 3 ** len(attributes)


def test_synthetic_group_metrics_arrays_match_metricframe(synthetic):
    # The same check one level down, on the arrays that metrics.group_metrics returns.
    y_true, y_pred, features = synthetic
    groups = count_table(
        y_true, y_pred, sensitive_features={"colour": features["colour"]}
    ).marginal(["colour"])
    values = m.group_metrics(groups.cells)
    expected = by_group(y_true, y_pred, features["colour"])

    assert set(values) == set(m.GROUP_METRICS)
    for i, (label,) in enumerate(groups.labels):
        for name in m.GROUP_METRICS:
            assert values[name][i] == pytest.approx(
                expected.loc[label, name], **TOLERANCE
            ), (label, name)


def test_synthetic_overall_metrics_match_sklearn(synthetic):
    y_true, y_pred, features = synthetic
    table = count_table(
        y_true, y_pred, sensitive_features={"colour": features["colour"]}
    )
    overall = m.overall_metrics(table.cells.sum(axis=0))
    assert_overall_matches_sklearn(overall, y_true, y_pred)


def test_impact_ratio_leaves_out_groups_that_are_not_compared():
    # Selection rates 0.5, 0.25, 1.0 (the last group is not compared), 0.0.
    cells = np.array([[1, 1, 1, 1], [3, 1, 0, 0], [0, 2, 0, 0], [1, 0, 1, 0]])
    compared = np.array([True, True, False, True])
    ratio = m.impact_ratio(cells, compared)
    np.testing.assert_allclose(ratio[[0, 1, 3]], [1.0, 0.5, 0.0], rtol=1e-12)
    assert np.isnan(ratio[2])
    # No compared group selected anyone: every ratio is undefined.
    assert np.isnan(m.impact_ratio(cells[[3]], np.array([True]))).all()


def test_small_and_unknown_groups_are_left_out_of_the_highest_rate():
    # Selection rates: a 40/100, b 20/100, c 5/5 (2.4 % of the sample), missing 4/4.
    counts = GroupCounts(
        attributes=("g",),
        labels=(("a",), ("b",), ("c",), (None,)),
        cells=np.array([[60, 0, 0, 40], [80, 0, 0, 20], [0, 0, 0, 5], [0, 0, 0, 4]]),
    )
    settings = dataclasses.replace(SETTINGS, exclude_below_share=0.05)
    rows = {r.group: r for r in analyse(counts, settings=settings).groups}

    # c and the unknown group are shown but not compared: a is the most selected.
    assert [rows[g].compared for g in ("a", "b", "c", "unknown")] == [
        True,
        True,
        False,
        False,
    ]
    assert rows["a"].impact_ratio == pytest.approx(1.0, **TOLERANCE)
    assert rows["b"].impact_ratio == pytest.approx(0.5, **TOLERANCE)
    assert rows["c"].impact_ratio is None and rows["unknown"].impact_ratio is None
    assert rows["c"].selection_rate == 1.0
    assert rows["c"].excluded_reason is not None


def test_undefined_metrics_are_nan_where_sklearn_is_undefined():
    # One group, cells tn 0, fp 0, fn 0, tp 2: no negative outcome, nobody rejected.
    y_true, y_pred = np.array([1, 1]), np.array([1, 1])
    cells = np.array([[0, 0, 0, 2]])
    values = {k: v[0] for k, v in m.group_metrics(cells).items()}
    nan = {"zero_division": np.nan}

    assert values["true_positive_rate"] == recall_score(y_true, y_pred, **nan) == 1.0
    assert values["precision"] == precision_score(y_true, y_pred, **nan) == 1.0
    assert values["f1"] == f1_score(y_true, y_pred, **nan) == 1.0
    # FPR = FP / (FP + TN) and TNR have no denominator, nor the negative-class F1.
    for name in ("false_positive_rate", "balanced_accuracy", "macro_f1"):
        assert np.isnan(values[name]), name

    # No positive decision: precision = TP / (TP + FP) is 0 / 0, as in sklearn.
    y_pred = np.array([0, 0])
    precision = m.group_metrics(np.array([[0, 0, 2, 0]]))["precision"][0]
    assert np.isnan(precision)
    assert np.isnan(precision_score(y_true, y_pred, **nan))

    # The analysis reports them as None and says why.
    row = analyse(
        count_table([1, 1], [1, 1], sensitive_features={"g": ["a", "a"]}).marginal(
            ["g"]
        ),
        settings=SETTINGS,
    ).groups[0]
    assert row.false_positive_rate is None
    assert row.undefined == {
        name: UNDEFINED_REASONS[name]
        for name in ("false_positive_rate", "balanced_accuracy", "macro_f1")
    }


# --------------------------------------------------------------------------------------
# (b) The bundled German credit data, audited in decisions mode
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def german_decisions(tmp_path_factory, german_credit):
    """The German credit table with a decision rule and its decisions-mode audit.

    The rule approves every loan under 4,000 DM; ``credit_risk`` is the outcome.
    """
    frame = german_credit.copy()
    frame["decision"] = np.where(frame["credit_amount"] < 4000, "good", "bad")
    path = tmp_path_factory.mktemp("german") / "decisions.csv"
    frame.to_csv(path, index=False)
    config = parse_config(
        {
            "data": {"path": str(path)},
            "target": "credit_risk",
            "positive_label": "good",
            "protected": ["sex", "age_group"],
            "predictions": {"column": "decision"},
            "fairness": {"bootstrap_resamples": 100},
            "seed": 3,
        }
    )
    report = run_audit(config).report
    y_true = (frame["credit_risk"] == "good").to_numpy(dtype=int)
    y_pred = (frame["credit_amount"] < 4000).to_numpy(dtype=int)
    return report, y_true, y_pred, frame[["sex", "age_group"]]


def test_german_audit_has_one_analysis_per_attribute_and_the_intersection(
    german_decisions,
):
    report = german_decisions[0]
    assert [a.attributes for a in report.fairness] == [
        ["sex"],
        ["age_group"],
        ["sex", "age_group"],
    ]
    assert [a.kind for a in report.fairness] == [
        "attribute",
        "attribute",
        "intersection",
    ]
    assert report.model.mode == "decisions"
    assert report.dataset.rows_used == 1000


@pytest.mark.parametrize("index", [0, 1, 2], ids=["sex", "age_group", "intersection"])
def test_german_group_rows_match_metricframe(german_decisions, index):
    report, y_true, y_pred, features = german_decisions
    analysis = report.fairness[index]
    attributes = analysis.attributes
    selected = features[attributes] if len(attributes) > 1 else features[attributes[0]]

    assert_rows_match_oracle(analysis, by_group(y_true, y_pred, selected))
    assert_impact_ratios(analysis)
    assert_summary_matches_fairlearn(analysis, y_true, y_pred, selected)
    for row in analysis.groups:
        assert row.share == pytest.approx(row.n / 1000, **TOLERANCE)
        assert row.too_small == (row.n < 30)


def test_german_overall_performance_matches_sklearn(german_decisions):
    report, y_true, y_pred, _ = german_decisions
    assert report.performance.n == 1000
    assert_overall_matches_sklearn(report.performance, y_true, y_pred)
