"""Invariance properties of the count table, the metrics and the analysis.

Counts, and every metric derived from them, must not depend on the order of the
rows, on the names of the groups, or on how the data was cut into chunks; unit
weights must count like no weights; the bootstrap must be reproducible from its
seed. Hypothesis runs derandomized (the same examples on every run) so that these
tests are as repeatable as the rest of the suite.
"""

import dataclasses
import functools

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from reportgen.fairness import metrics as m
from reportgen.fairness.analysis import AnalysisSettings, analyse
from reportgen.fairness.counts import GroupCounts, count_table

DETERMINISTIC = settings(
    derandomize=True,
    database=None,
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
ANALYSIS = AnalysisSettings(bootstrap_resamples=100, seed=11)
VIEWS = (("colour",), ("size",), ("colour", "size"), ("size", "colour"))

# One row: outcome, decision, colour (string or missing), size (number or missing;
# 2 and 2.0 are the same group).
rows_strategy = st.lists(
    st.tuples(
        st.integers(0, 1),
        st.integers(0, 1),
        st.sampled_from(["red", "green", "blue", None]),
        st.sampled_from([1, 2, 2.0, 3, None]),
    ),
    min_size=1,
    max_size=60,
)
# Dyadic weights, so that sums are exact whatever the order of addition.
weight_strategy = st.sampled_from([0.25, 0.5, 1.0, 1.5, 3.0])


def build(rows, weights=None):
    """The count table of a list of rows."""
    y_true = np.array([r[0] for r in rows], dtype=np.int64)
    y_pred = np.array([r[1] for r in rows], dtype=np.int64)
    return count_table(
        y_true,
        y_pred,
        sensitive_features={
            "colour": [r[2] for r in rows],
            "size": [r[3] for r in rows],
        },
        sample_weight=weights,
    )


def snapshot(table):
    """Labels (in order) and cells of every view of a table, for exact comparison."""
    out = {}
    for view in VIEWS:
        groups = table.marginal(list(view))
        out[view] = (groups.labels, groups.cells.tolist())
    return out


def metrics_by_label(groups):
    """{label tuple: {metric name: value}} of a GroupCounts."""
    values = m.group_metrics(groups.cells)
    return {
        label: {name: values[name][i] for name in m.GROUP_METRICS}
        for i, label in enumerate(groups.labels)
    }


def assert_same_metrics(got, expected):
    assert got.keys() == expected.keys()
    for label, values in expected.items():
        for name, value in values.items():
            np.testing.assert_array_equal(got[label][name], value, err_msg=name)


# --------------------------------------------------------------------------------------
# Row order
# --------------------------------------------------------------------------------------


@DETERMINISTIC
@given(data=st.data(), rows=rows_strategy)
def test_row_order_does_not_change_counts_or_metrics(data, rows):
    order = data.draw(st.permutations(range(len(rows))))
    table, shuffled = build(rows), build([rows[i] for i in order])

    assert snapshot(shuffled) == snapshot(table)
    for view in VIEWS:
        assert_same_metrics(
            metrics_by_label(shuffled.marginal(list(view))),
            metrics_by_label(table.marginal(list(view))),
        )


# --------------------------------------------------------------------------------------
# Group names
# --------------------------------------------------------------------------------------

# Names as users write them: markup characters, quotes, other scripts, spaces.
name_strategy = st.text(
    alphabet=st.sampled_from("ab<&>\"' éßж中٣-"), min_size=1, max_size=6
)


@DETERMINISTIC
@given(
    rows=rows_strategy,
    names=st.lists(name_strategy, min_size=3, max_size=3, unique=True),
)
def test_renaming_groups_carries_their_metrics_over(rows, names):
    renaming = dict(zip(["red", "green", "blue"], names, strict=True))
    renamed_rows = [(*r[:2], renaming.get(r[2]), r[3]) for r in rows]
    table, renamed = build(rows), build(renamed_rows)

    def rename(label, view):
        return tuple(
            renaming.get(v) if a == "colour" else v
            for a, v in zip(view, label, strict=True)
        )

    for view in VIEWS:
        original = metrics_by_label(table.marginal(list(view)))
        expected = {rename(label, view): v for label, v in original.items()}
        assert_same_metrics(metrics_by_label(renamed.marginal(list(view))), expected)

    # The analysis attaches the same numbers to the renamed groups. Bootstrap
    # intervals and tests are left out: they depend on the position of a group
    # (its random draws) and on which of two tied groups is the comparison group.
    kept = [
        "n",
        "tp",
        "fp",
        "tn",
        "fn",
        "is_unknown",
        "compared",
        "impact_ratio",
        "selection_rate_difference",
        *m.GROUP_METRICS,
        *(f"{name}_ci" for name in m.PROPORTIONS),
    ]

    def rows_by_values(analysis):
        return {
            tuple(row.attribute_values[a] for a in analysis.attributes): {
                k: getattr(row, k) for k in kept
            }
            for row in analysis.groups
        }

    for view in VIEWS:
        before = rows_by_values(analyse(table.marginal(list(view)), settings=ANALYSIS))
        after = rows_by_values(analyse(renamed.marginal(list(view)), settings=ANALYSIS))
        assert after == {rename(label, view): v for label, v in before.items()}


# --------------------------------------------------------------------------------------
# Chunks
# --------------------------------------------------------------------------------------


@DETERMINISTIC
@given(
    data=st.data(),
    rows=rows_strategy,
    weighted=st.booleans(),
)
def test_merged_chunk_tables_equal_the_whole_table(data, rows, weighted):
    n = len(rows)
    weights = None
    if weighted:
        weights = data.draw(st.lists(weight_strategy, min_size=n, max_size=n))
    # Up to five chunks, some of them possibly empty.
    cuts = sorted(data.draw(st.lists(st.integers(0, n), max_size=4)))
    bounds = list(zip([0, *cuts], [*cuts, n], strict=True))
    chunks = [
        build(rows[a:b], None if weights is None else weights[a:b]) for a, b in bounds
    ]
    merged = functools.reduce(lambda left, right: left.merge(right), chunks)

    whole = build(rows, weights)
    assert merged.attributes == whole.attributes
    assert merged.cells.sum() == whole.cells.sum()
    # Same groups, in the same order, with the same cells, unknown groups included.
    assert snapshot(merged) == snapshot(whole)


# --------------------------------------------------------------------------------------
# Reproducible bootstrap, Wilson intervals
# --------------------------------------------------------------------------------------

cells_strategy = hnp.arrays(
    np.int64,
    st.tuples(st.integers(1, 4), st.just(4)),
    elements=st.integers(0, 40),
)


def group_counts(cells):
    labels = tuple((f"g{i}",) for i in range(len(cells)))
    return GroupCounts(attributes=("g",), labels=labels, cells=np.array(cells))


@DETERMINISTIC
@given(rows=rows_strategy, data=st.data())
def test_bootstrap_intervals_are_identical_for_identical_counts_and_seed(rows, data):
    # The same counts reached from two different row orders.
    order = data.draw(st.permutations(range(len(rows))))
    first = build(rows).marginal(["colour", "size"])
    second = build([rows[i] for i in order]).marginal(["colour", "size"])

    one, two = analyse(first, settings=ANALYSIS), analyse(second, settings=ANALYSIS)
    for a, b in zip(one.groups, two.groups, strict=True):
        for name in (*m.COMPOSITES, "impact_ratio"):
            assert getattr(a, f"{name}_ci") == getattr(b, f"{name}_ci"), name
    # And every other field too: the whole analysis is a function of counts and seed.
    assert one == two


@DETERMINISTIC
@given(cells=cells_strategy)
def test_equal_counts_give_equal_analyses_and_the_seed_moves_no_estimate(cells):
    counts = group_counts(cells)
    again = group_counts(cells.copy())
    assert analyse(counts, settings=ANALYSIS) == analyse(again, settings=ANALYSIS)
    other = dataclasses.replace(ANALYSIS, seed=ANALYSIS.seed + 1)
    # Point estimates never depend on the seed.
    for a, b in zip(
        analyse(counts, settings=ANALYSIS).groups,
        analyse(counts, settings=other).groups,
        strict=True,
    ):
        for name in (*m.GROUP_METRICS, "impact_ratio"):
            assert getattr(a, name) == getattr(b, name)


@DETERMINISTIC
@given(cells=cells_strategy, confidence=st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_wilson_intervals_contain_the_point_estimate(cells, confidence):
    analysis = analyse(
        group_counts(cells),
        settings=dataclasses.replace(ANALYSIS, confidence_level=confidence),
    )
    for row in analysis.groups:
        for name in m.PROPORTIONS:
            value, interval = getattr(row, name), getattr(row, f"{name}_ci")
            if value is None:
                assert interval is None, name
                continue
            low, high = interval
            assert 0.0 <= low <= value <= high <= 1.0, (name, cells)


# --------------------------------------------------------------------------------------
# Registry: every metric, unit weights versus none, labels as numbers or strings
# --------------------------------------------------------------------------------------


@pytest.fixture
def registry_data(rng):
    """300 rows over two attributes, with missing labels in both."""
    n = 300
    colour = rng.choice(np.array(["red", "green", "blue", None], dtype=object), size=n)
    size = rng.choice(np.array([1.0, 2.0, 3.0, np.nan]), size=n)
    y_true = rng.integers(0, 2, size=n)
    y_pred = rng.integers(0, 2, size=n)
    return y_true, y_pred, {"colour": colour, "size": size}


@pytest.mark.parametrize("name", m.GROUP_METRICS)
def test_unit_weights_equal_no_weights(registry_data, name):
    y_true, y_pred, features = registry_data
    plain = count_table(y_true, y_pred, sensitive_features=features)
    unit = count_table(
        y_true, y_pred, sensitive_features=features, sample_weight=np.ones(len(y_true))
    )
    for view in VIEWS:
        a, b = plain.marginal(list(view)), unit.marginal(list(view))
        assert a.labels == b.labels
        np.testing.assert_array_equal(a.cells, b.cells)
        np.testing.assert_array_equal(
            m.group_metrics(a.cells)[name], m.group_metrics(b.cells)[name]
        )


@pytest.mark.parametrize("name", m.GROUP_METRICS)
def test_numeric_labels_equal_their_strings(registry_data, name):
    y_true, y_pred, features = registry_data
    as_text = {
        "colour": features["colour"],
        "size": [None if np.isnan(v) else str(int(v)) for v in features["size"]],
    }
    numeric = count_table(y_true, y_pred, sensitive_features=features)
    text = count_table(y_true, y_pred, sensitive_features=as_text)
    for view in VIEWS:
        a, b = numeric.marginal(list(view)), text.marginal(list(view))
        assert a.labels == b.labels
        np.testing.assert_array_equal(
            m.group_metrics(a.cells)[name], m.group_metrics(b.cells)[name]
        )


@pytest.mark.parametrize("name", m.GROUP_METRICS)
def test_whole_weights_equal_repeated_rows(registry_data, rng, name):
    y_true, y_pred, features = registry_data
    repeats = rng.integers(1, 4, size=len(y_true))
    weighted = count_table(
        y_true, y_pred, sensitive_features=features, sample_weight=repeats
    )
    repeated = count_table(
        np.repeat(y_true, repeats),
        np.repeat(y_pred, repeats),
        sensitive_features={k: np.repeat(v, repeats) for k, v in features.items()},
    )
    for view in VIEWS:
        a, b = weighted.marginal(list(view)), repeated.marginal(list(view))
        assert a.labels == b.labels
        np.testing.assert_allclose(
            m.group_metrics(a.cells)[name],
            m.group_metrics(b.cells)[name],
            rtol=1e-12,
            atol=0,
        )


def test_registry_covers_every_reported_metric():
    # Every per-group metric has a GroupRow field and a definition in the report.
    from reportgen.report import GroupRow

    fields = {f.name for f in dataclasses.fields(GroupRow)}
    for name in m.GROUP_METRICS:
        assert name in fields
        assert f"{name}_ci" in fields
        assert name in m.METRIC_DEFINITIONS
    assert set(m.GROUP_METRICS) == set(m.PROPORTIONS) | set(m.COMPOSITES)
    assert pd.Index(m.GROUP_METRICS).is_unique
