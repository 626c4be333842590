"""Tests of reportgen.fairness.counts on tables small enough to count by hand.

Every expected cell below is counted in a comment from the rows written in the
test. Cells are always in the order tn, fp, fn, tp.
"""

import numpy as np
import pandas as pd
import pytest

from reportgen.fairness import counts
from reportgen.fairness.counts import (
    ERR_LENGTHS,
    ERR_MERGE,
    ERR_NO_ATTRIBUTES,
    ERR_NOT_BINARY,
    MISSING_LABEL,
    UNKNOWN_LABEL,
    count_table,
    encode_labels,
)

# The reference table. Each row's confusion cell is written beside it.
#
# row  sex  age    y_true  y_pred  cell
#  0   f    young  1       1       tp
#  1   f    young  0       1       fp
#  2   f    old    1       0       fn
#  3   f    old    0       0       tn
#  4   m    young  1       1       tp
#  5   m    young  1       1       tp
#  6   m    old    0       1       fp
#  7   m    old    0       0       tn
#  8   m    old    1       0       fn
#  9   f    young  0       0       tn
SEX = ["f", "f", "f", "f", "m", "m", "m", "m", "m", "f"]
AGE = ["young", "young", "old", "old", "young", "young", "old", "old", "old", "young"]
Y_TRUE = [1, 0, 1, 0, 1, 1, 0, 0, 1, 0]
Y_PRED = [1, 1, 0, 0, 1, 1, 1, 0, 0, 0]

# f: rows 0 tp, 1 fp, 2 fn, 3 tn, 9 tn -> tn 2, fp 1, fn 1, tp 1
# m: rows 4 tp, 5 tp, 6 fp, 7 tn, 8 fn -> tn 1, fp 1, fn 1, tp 2
BY_SEX = {("f",): [2, 1, 1, 1], ("m",): [1, 1, 1, 2]}
# young: rows 0 tp, 1 fp, 4 tp, 5 tp, 9 tn -> tn 1, fp 1, fn 0, tp 3
# old:   rows 2 fn, 3 tn, 6 fp, 7 tn, 8 fn -> tn 2, fp 1, fn 2, tp 0
BY_AGE = {("old",): [2, 1, 2, 0], ("young",): [1, 1, 0, 3]}
# f x old:   rows 2 fn, 3 tn          -> tn 1, fp 0, fn 1, tp 0
# f x young: rows 0 tp, 1 fp, 9 tn    -> tn 1, fp 1, fn 0, tp 1
# m x old:   rows 6 fp, 7 tn, 8 fn    -> tn 1, fp 1, fn 1, tp 0
# m x young: rows 4 tp, 5 tp          -> tn 0, fp 0, fn 0, tp 2
BY_SEX_AGE = {
    ("f", "old"): [1, 0, 1, 0],
    ("f", "young"): [1, 1, 0, 1],
    ("m", "old"): [1, 1, 1, 0],
    ("m", "young"): [0, 0, 0, 2],
}


def as_dict(group_counts):
    """The groups of a GroupCounts as {label tuple: [tn, fp, fn, tp]}, in order."""
    return {
        label: group_counts.cells[i].tolist()
        for i, label in enumerate(group_counts.labels)
    }


def reference_table(**columns):
    features = {"sex": SEX, "age": AGE}
    features.update(columns)
    return count_table(Y_TRUE, Y_PRED, sensitive_features=features)


# --------------------------------------------------------------------------------------
# Cells per group, marginals and intersections
# --------------------------------------------------------------------------------------


def test_cells_per_group_of_one_attribute():
    table = count_table(Y_TRUE, Y_PRED, sensitive_features={"sex": SEX})
    groups = table.marginal(["sex"])

    assert table.attributes == ("sex",)
    assert table.total == 10
    assert groups.attributes == ("sex",)
    assert as_dict(groups) == BY_SEX
    assert groups.n.tolist() == [5, 5]
    assert groups.cells.dtype == np.int64
    assert groups.display_labels() == ["f", "m"]
    assert groups.is_unknown.tolist() == [False, False]


def test_marginal_over_one_attribute_of_a_two_attribute_table():
    table = reference_table()

    assert table.attributes == ("sex", "age")
    assert as_dict(table.marginal(["sex"])) == BY_SEX
    # Labels are ordered by their text, not by first appearance ("young" comes first).
    assert as_dict(table.marginal(["age"])) == BY_AGE
    # The marginal of a two-attribute table equals the table of that attribute alone.
    alone = count_table(Y_TRUE, Y_PRED, sensitive_features={"age": AGE})
    assert as_dict(alone.marginal(["age"])) == BY_AGE


def test_intersection_cells_and_display_labels():
    groups = reference_table().marginal(["sex", "age"])

    assert groups.attributes == ("sex", "age")
    assert as_dict(groups) == BY_SEX_AGE
    assert list(as_dict(groups)) == list(BY_SEX_AGE)  # sorted by sex, then age
    assert groups.display_labels() == [
        "f × old",
        "f × young",
        "m × old",
        "m × young",
    ]
    assert groups.display_labels(separator="/")[0] == "f/old"
    assert groups.is_unknown.tolist() == [False] * 4


def test_intersection_in_the_other_attribute_order():
    groups = reference_table().marginal(["age", "sex"])

    # The same four cells, keyed (age, sex) and sorted by age first.
    assert as_dict(groups) == {
        ("old", "f"): [1, 0, 1, 0],
        ("old", "m"): [1, 1, 1, 0],
        ("young", "f"): [1, 1, 0, 1],
        ("young", "m"): [0, 0, 0, 2],
    }


def test_marginals_add_up_to_the_total():
    table = reference_table()
    for attributes in (["sex"], ["age"], ["sex", "age"]):
        groups = table.marginal(attributes)
        # tn 3, fp 2, fn 2, tp 3 over all ten rows.
        assert groups.cells.sum(axis=0).tolist() == [3, 2, 2, 3]
        assert int(groups.n.sum()) == table.total == 10


def test_boolean_outcomes_count_like_zero_and_one():
    as_bool = count_table(
        np.array(Y_TRUE, dtype=bool),
        np.array(Y_PRED, dtype=bool),
        sensitive_features={"sex": SEX},
    )
    assert as_dict(as_bool.marginal(["sex"])) == BY_SEX


def test_three_attributes_marginal_of_a_pair():
    # A third attribute that splits every group in two must not change the pair.
    region = ["n", "s"] * 5
    table = count_table(
        Y_TRUE, Y_PRED, sensitive_features={"sex": SEX, "region": region, "age": AGE}
    )
    assert as_dict(table.marginal(["sex", "age"])) == BY_SEX_AGE
    # region n: rows 0 tp, 2 fn, 4 tp, 6 fp, 8 fn -> tn 0, fp 1, fn 2, tp 2
    # region s: rows 1 fp, 3 tn, 5 tp, 7 tn, 9 tn -> tn 3, fp 1, fn 0, tp 1
    assert as_dict(table.marginal(["region"])) == {
        ("n",): [0, 1, 2, 2],
        ("s",): [3, 1, 0, 1],
    }


# --------------------------------------------------------------------------------------
# Missing labels: the "unknown" group
# --------------------------------------------------------------------------------------

# row  sex      age    y_true  y_pred  cell
#  0   f        young  1       1       tp
#  1   missing  old    0       1       fp
#  2   m        missing 1      0       fn
#  3   missing  young  1       1       tp
#  4   f        missing 0      0       tn
MISSING_Y_TRUE = [1, 0, 1, 1, 0]
MISSING_Y_PRED = [1, 1, 0, 1, 0]


@pytest.mark.parametrize(
    "sex",
    [
        pytest.param(["f", None, "m", np.nan, "f"], id="object-None-and-nan"),
        pytest.param(
            pd.Series(["f", None, "m", None, "f"], dtype="string"), id="string-NA"
        ),
        pytest.param(pd.Categorical(["f", None, "m", None, "f"]), id="categorical"),
    ],
)
def test_missing_labels_form_an_unknown_group(sex):
    table = count_table(MISSING_Y_TRUE, MISSING_Y_PRED, sensitive_features={"sex": sex})
    groups = table.marginal(["sex"])

    # f: rows 0 tp, 4 tn; m: row 2 fn; missing: rows 1 fp, 3 tp. Missing comes last.
    assert as_dict(groups) == {
        ("f",): [1, 0, 0, 1],
        ("m",): [0, 0, 1, 0],
        (None,): [0, 1, 0, 1],
    }
    assert groups.display_labels() == ["f", "m", UNKNOWN_LABEL]
    assert UNKNOWN_LABEL == "unknown"
    assert groups.is_unknown.tolist() == [False, False, True]
    assert table.total == 5  # nothing dropped


def test_missing_labels_in_intersections():
    table = count_table(
        MISSING_Y_TRUE,
        MISSING_Y_PRED,
        sensitive_features={
            "sex": ["f", None, "m", None, "f"],
            "age": ["young", "old", None, "young", None],
        },
    )
    groups = table.marginal(["sex", "age"])

    # Known labels first in text order, missing last, attribute by attribute.
    assert as_dict(groups) == {
        ("f", "young"): [0, 0, 0, 1],  # row 0 tp
        ("f", None): [1, 0, 0, 0],  # row 4 tn
        ("m", None): [0, 0, 1, 0],  # row 2 fn
        (None, "old"): [0, 1, 0, 0],  # row 1 fp
        (None, "young"): [0, 0, 0, 1],  # row 3 tp
    }
    assert list(as_dict(groups)) == [
        ("f", "young"),
        ("f", None),
        ("m", None),
        (None, "old"),
        (None, "young"),
    ]
    assert groups.display_labels() == [
        "f × young",
        "f × unknown",
        "m × unknown",
        "unknown × old",
        "unknown × young",
    ]
    # A group is unknown when any of its values is missing.
    assert groups.is_unknown.tolist() == [False, True, True, True, True]
    # age alone: old row 1 fp; young rows 0 tp, 3 tp; missing rows 2 fn, 4 tn.
    assert as_dict(table.marginal(["age"])) == {
        ("old",): [0, 1, 0, 0],
        ("young",): [0, 0, 0, 2],
        (None,): [1, 0, 1, 0],
    }


def test_a_real_unknown_label_stays_distinct_from_missing():
    # The report, the checks and the templates key groups on their display name,
    # so a value "unknown" in the data must not share a name with missing values.
    table = count_table(
        [1, 0, 1, 0],
        [1, 1, 0, 0],
        sensitive_features={
            "sex": ["unknown", "f", None, "f"],
            "age": ["old", None, "old", "young"],
        },
    )
    groups = table.marginal(["sex"])

    assert groups.labels == (("f",), ("unknown",), (None,))
    assert groups.display_labels() == ["f", UNKNOWN_LABEL, MISSING_LABEL]
    assert groups.is_unknown.tolist() == [False, False, True]
    # Without a real "unknown" among the groups, missing keeps the short name.
    assert table.marginal(["age"]).display_labels() == ["old", "young", UNKNOWN_LABEL]
    names = table.marginal(["sex", "age"]).display_labels()
    assert len(set(names)) == len(names), names


@pytest.mark.parametrize(
    "features",
    [
        pytest.param(
            {"sex": ["unknown", "unknown (missing)", None]}, id="both-unknown-names"
        ),
        pytest.param(
            {"sex": ["a × b", "a", "a"], "age": ["c", "b × c", "b × c"]},
            id="separator-in-a-label",
        ),
    ],
)
def test_display_labels_are_unique_whatever_the_data(features):
    table = count_table([0, 1, 1], [0, 1, 1], sensitive_features=features)
    names = table.marginal(list(features)).display_labels()
    assert len(set(names)) == len(names), names


# --------------------------------------------------------------------------------------
# Label encoding: integers, floats, strings, categoricals
# --------------------------------------------------------------------------------------

# The sex column of the reference table written as numbers: f -> 1, m -> 2.
SEX_AS_NUMBERS = [1 if s == "f" else 2 for s in SEX]
BY_SEX_AS_NUMBERS = {("1",): BY_SEX[("f",)], ("2",): BY_SEX[("m",)]}


@pytest.mark.parametrize(
    "column",
    [
        pytest.param(SEX_AS_NUMBERS, id="int"),
        pytest.param([float(v) for v in SEX_AS_NUMBERS], id="float"),
        pytest.param(np.array(SEX_AS_NUMBERS, dtype=np.int8), id="int8"),
        pytest.param(pd.Series(SEX_AS_NUMBERS, dtype="Int64"), id="nullable-Int64"),
        pytest.param(
            pd.Series(
                [v if i % 2 else float(v) for i, v in enumerate(SEX_AS_NUMBERS)],
                dtype=object,
            ),
            id="object-mixed-int-float",
        ),
        pytest.param(
            pd.Series(
                [v if i % 3 else str(v) for i, v in enumerate(SEX_AS_NUMBERS)],
                dtype=object,
            ),
            id="object-mixed-int-str",
        ),
        pytest.param([str(v) for v in SEX_AS_NUMBERS], id="str"),
        pytest.param(pd.Categorical([float(v) for v in SEX_AS_NUMBERS]), id="cat"),
    ],
)
def test_integer_and_float_labels_are_the_same_group(column):
    table = count_table(Y_TRUE, Y_PRED, sensitive_features={"sex": column})
    groups = table.marginal(["sex"])

    assert as_dict(groups) == BY_SEX_AS_NUMBERS
    assert groups.display_labels() == ["1", "2"]


def test_float_column_with_missing_values_keeps_integer_labels():
    # How pandas reads an integer column with a gap: float64 with NaN.
    column = pd.Series([1.0, np.nan, 2.0, 1.0, np.nan])
    # "1": rows 0 tp, 3 tp; "2": row 2 fn; missing: rows 1 fp, 4 tn.
    table = count_table(
        MISSING_Y_TRUE, MISSING_Y_PRED, sensitive_features={"g": column}
    )
    assert as_dict(table.marginal(["g"])) == {
        ("1",): [0, 0, 0, 2],
        ("2",): [0, 0, 1, 0],
        (None,): [1, 1, 0, 0],
    }


def test_encode_labels_codes_and_texts():
    codes, labels = encode_labels(pd.Series([1, 2.5, "1", None, 1.0], dtype=object))
    # 1, "1" and 1.0 read "1": one label and one code; None is -1.
    assert labels == ("1", "2.5")
    assert codes.tolist() == [0, 1, 0, -1, 0]
    assert codes.dtype == np.int64

    # Strings are kept as written: "01" and "1.0" are not "1".
    codes, labels = encode_labels(["1", "01", "1.0", "1"])
    assert labels == ("1", "01", "1.0")
    assert codes.tolist() == [0, 1, 2, 0]


def test_encode_labels_keeps_categorical_codes():
    column = pd.Categorical(["b", None, "a"], categories=["c", "b", "a"])
    codes, labels = encode_labels(column)
    # Categories are the labels, unused ones included; codes are the category codes.
    assert labels == ("c", "b", "a")
    assert codes.tolist() == [1, -1, 2]


@pytest.mark.parametrize(
    "categories",
    [["f", "m"], ["m", "f"], ["m", "x", "f"]],
    ids=["sorted", "reversed", "unused-category"],
)
def test_categorical_input_equals_string_input(categories):
    sex = [None if i == 3 else s for i, s in enumerate(SEX)]
    age = AGE
    strings = count_table(Y_TRUE, Y_PRED, sensitive_features={"sex": sex, "age": age})
    categorical = count_table(
        Y_TRUE,
        Y_PRED,
        sensitive_features={
            "sex": pd.Categorical(sex, categories=categories),
            "age": pd.Series(age, dtype="category"),
        },
    )
    for attributes in (["sex"], ["age"], ["sex", "age"], ["age", "sex"]):
        expected = strings.marginal(attributes)
        got = categorical.marginal(attributes)
        assert got.labels == expected.labels
        np.testing.assert_array_equal(got.cells, expected.cells)
    # The unused category "x" is not a group: only combinations that occur are.
    assert ("x",) not in categorical.marginal(["sex"]).labels


# --------------------------------------------------------------------------------------
# Weights
# --------------------------------------------------------------------------------------

# The weight of each row of the reference table.
WEIGHTS = [1.0, 2.0, 0.5, 1.0, 1.0, 3.0, 1.0, 1.0, 2.0, 0.25]


def test_weighted_counts():
    table = count_table(
        Y_TRUE,
        Y_PRED,
        sensitive_features={"sex": SEX, "age": AGE},
        sample_weight=WEIGHTS,
    )
    by_sex = table.marginal(["sex"])

    assert by_sex.cells.dtype == np.float64
    # f: row 0 tp 1, row 1 fp 2, row 2 fn 0.5, row 3 tn 1, row 9 tn 0.25
    #    -> tn 1.25, fp 2, fn 0.5, tp 1
    # m: row 4 tp 1, row 5 tp 3, row 6 fp 1, row 7 tn 1, row 8 fn 2
    #    -> tn 1, fp 1, fn 2, tp 4
    assert as_dict(by_sex) == {
        ("f",): [1.25, 2.0, 0.5, 1.0],
        ("m",): [1.0, 1.0, 2.0, 4.0],
    }
    assert by_sex.n.tolist() == [4.75, 8.0]
    # m x young: rows 4 tp 1, 5 tp 3 -> tp 4; f x old: row 2 fn 0.5, row 3 tn 1.
    intersection = as_dict(table.marginal(["sex", "age"]))
    assert intersection[("m", "young")] == [0.0, 0.0, 0.0, 4.0]
    assert intersection[("f", "old")] == [1.0, 0.0, 0.5, 0.0]
    assert table.cells.sum() == pytest.approx(sum(WEIGHTS), abs=1e-12)


def test_whole_weights_equal_repeated_rows():
    repeats = [1, 2, 0, 1, 3, 1, 1, 2, 1, 1]
    weighted = count_table(
        Y_TRUE, Y_PRED, sensitive_features={"sex": SEX}, sample_weight=repeats
    )
    repeated = count_table(
        np.repeat(Y_TRUE, repeats),
        np.repeat(Y_PRED, repeats),
        sensitive_features={"sex": np.repeat(SEX, repeats)},
    )
    np.testing.assert_array_equal(
        weighted.marginal(["sex"]).cells, repeated.marginal(["sex"]).cells
    )


def test_sample_weight_of_the_wrong_length_is_a_clear_error():
    with pytest.raises(ValueError) as excinfo:
        count_table(
            [0, 1, 1],
            [0, 1, 1],
            sensitive_features={"a": list("xyx")},
            sample_weight=[1, 1],
        )
    assert str(excinfo.value) == ERR_LENGTHS.format([2, 3])


# --------------------------------------------------------------------------------------
# The three ways of counting: dense keys, sparse keys, deduplicated rows
# --------------------------------------------------------------------------------------

# Three attributes, the last with one label per row, so that the key space
# (3 x 3 x 11 = 99 combinations) exceeds the ten rows.
PATH_FEATURES = {
    "sex": [None if i in (2, 7) else s for i, s in enumerate(SEX)],
    "age": [None if i == 4 else a for i, a in enumerate(AGE)],
    "row": [str(i) for i in range(10)],
}
PATH_VIEWS = (["sex"], ["age"], ["row"], ["sex", "age"], ["age", "sex", "row"])


def table_on_path(monkeypatch, path, **kwargs):
    """count_table of the ten reference rows, forced onto one counting path.

    "dense" is what small tables get; a zero DENSE_KEY_LIMIT sends a table whose
    key space exceeds its rows to "sparse" (only present keys are counted); a zero
    KEY_OVERFLOW sends any table to "deduplicated" (no integer key at all), the
    path taken when the key would not fit in 64 bits.
    """
    with monkeypatch.context() as patch:
        if path == "sparse":
            patch.setattr(counts, "DENSE_KEY_LIMIT", 0)
        elif path == "deduplicated":
            patch.setattr(counts, "KEY_OVERFLOW", 0)
        return count_table(Y_TRUE, Y_PRED, sensitive_features=PATH_FEATURES, **kwargs)


@pytest.mark.parametrize("path", ["sparse", "deduplicated"])
@pytest.mark.parametrize(
    "weights",
    [None, WEIGHTS, [0.0 if s == "m" else 1.0 for s in SEX]],
    ids=["unweighted", "weighted", "zero-weight-group"],
)
def test_every_counting_path_gives_the_dense_table(monkeypatch, path, weights):
    dense = table_on_path(monkeypatch, "dense", sample_weight=weights)
    other = table_on_path(monkeypatch, path, sample_weight=weights)

    assert other.cells.dtype == dense.cells.dtype
    for view in PATH_VIEWS:
        assert as_dict(other.marginal(view)) == as_dict(dense.marginal(view))


def test_zero_weight_group_is_kept(monkeypatch):
    # A group is present when it has rows, whatever their weight: every "m" row
    # weighs 0, and "m" is still a group (of weighted size 0) on every path.
    weights = [0.0 if s == "m" else 1.0 for s in SEX]
    for path in ("dense", "sparse", "deduplicated"):
        groups = table_on_path(monkeypatch, path, sample_weight=weights).marginal(
            ["sex"]
        )
        assert groups.labels == (("f",), ("m",), (None,)), path
        # f: rows 0, 1, 3, 9; m: rows 4, 5, 6, 8 (weight 0); missing: 2 (f), 7 (m).
        assert groups.n.tolist() == [4.0, 0.0, 1.0], path


def test_many_high_cardinality_attributes_do_not_collide(rng):
    # Six attributes of 1,700 distinct labels: 1701**6 > 2**63.
    n_rows, n_attributes = 1700, 6
    features = {
        f"a{i}": rng.permutation(n_rows).astype(str) for i in range(n_attributes)
    }
    y = np.arange(n_rows) % 2
    table = count_table(y, y, sensitive_features=features)

    groups = table.marginal(["a0"])
    # Every label of a0 is its own group of one row; none is missing.
    assert len(groups.labels) == n_rows
    assert not groups.is_unknown.any()
    assert groups.n.tolist() == [1] * n_rows


# --------------------------------------------------------------------------------------
# Merging tables built from chunks
# --------------------------------------------------------------------------------------

# Ten rows in two chunks whose label sets differ: the first has no "x", the second
# no "f", and the attributes first appear in another order in each chunk.
MERGE_SEX = ["f", "f", "m", None, "m", "m", "x", "x", None, "m"]
MERGE_AGE = [
    "young",
    "old",
    "old",
    "young",
    None,
    "old",
    "young",
    "old",
    "old",
    "young",
]


def test_merge_of_tables_with_different_labels_equals_the_whole_table():
    def table(rows):
        return count_table(
            np.array(Y_TRUE)[rows],
            np.array(Y_PRED)[rows],
            sensitive_features={
                "sex": [MERGE_SEX[i] for i in rows],
                "age": [MERGE_AGE[i] for i in rows],
            },
        )

    first, second = table(range(5)), table(range(5, 10))
    whole = table(range(10))
    assert first.labels[0] == ("f", "m") and second.labels[0] == ("m", "x")

    for merged in (first.merge(second), second.merge(first)):
        assert merged.total == whole.total == 10
        for attributes in (["sex"], ["age"], ["sex", "age"], ["age", "sex"]):
            got, expected = merged.marginal(attributes), whole.marginal(attributes)
            assert got.labels == expected.labels
            np.testing.assert_array_equal(got.cells, expected.cells)

    # By hand: m rows 2 fn, 4 tp, 5 tp, 9 tn; x rows 6 fp, 7 tn; missing 3 tn, 8 fn.
    merged = first.merge(second).marginal(["sex"])
    assert as_dict(merged) == {
        ("f",): [0, 1, 0, 1],  # rows 0 tp, 1 fp
        ("m",): [1, 0, 1, 2],
        ("x",): [1, 1, 0, 0],
        (None,): [1, 0, 1, 0],
    }


def test_merge_with_an_empty_chunk():
    table = count_table(Y_TRUE, Y_PRED, sensitive_features={"sex": SEX, "age": AGE})
    empty = count_table([], [], sensitive_features={"sex": [], "age": []})
    assert empty.total == 0
    for merged in (table.merge(empty), empty.merge(table)):
        assert as_dict(merged.marginal(["sex", "age"])) == BY_SEX_AGE


def test_merge_adds_weighted_and_unweighted_counts():
    unweighted = count_table(Y_TRUE, Y_PRED, sensitive_features={"sex": SEX})
    weighted = count_table(
        Y_TRUE, Y_PRED, sensitive_features={"sex": SEX}, sample_weight=[0.5] * 10
    )
    merged = unweighted.merge(weighted).marginal(["sex"])
    # Each cell is 1.5 times the unweighted cell.
    assert as_dict(merged) == {k: [1.5 * v for v in c] for k, c in BY_SEX.items()}


# --------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param(
            {
                "y_true": [0, 1, 1],
                "y_pred": [0, 1],
                "sensitive_features": {"a": list("xyz")},
            },
            ERR_LENGTHS.format([2, 3]),
            id="y_pred-length",
        ),
        pytest.param(
            {
                "y_true": [0, 1, 1],
                "y_pred": [0, 1, 1],
                "sensitive_features": {"a": list("xy")},
            },
            ERR_LENGTHS.format([2, 3]),
            id="feature-length",
        ),
        pytest.param(
            {
                "y_true": [0, 1, 1],
                "y_pred": [0, 1, 1],
                "sensitive_features": {"a": list("xyz"), "b": list("xyzw")},
            },
            ERR_LENGTHS.format([3, 4]),
            id="two-feature-lengths",
        ),
        pytest.param(
            {
                "y_true": [0, 2, 1],
                "y_pred": [0, 1, 1],
                "sensitive_features": {"a": list("xyz")},
            },
            ERR_NOT_BINARY.format("y_true", [0, 1, 2]),
            id="y_true-not-binary",
        ),
        pytest.param(
            {
                "y_true": [0, 1, 1],
                "y_pred": [0, -1, 1],
                "sensitive_features": {"a": list("xyz")},
            },
            ERR_NOT_BINARY.format("y_pred", [-1, 0, 1]),
            id="y_pred-not-binary",
        ),
        pytest.param(
            {"y_true": [0, 1, 1], "y_pred": [0, 1, 1], "sensitive_features": {}},
            ERR_NO_ATTRIBUTES,
            id="no-attributes",
        ),
    ],
)
def test_bad_input_raises_the_module_message(kwargs, message):
    y_true, y_pred = kwargs.pop("y_true"), kwargs.pop("y_pred")
    with pytest.raises(ValueError) as excinfo:
        count_table(y_true, y_pred, **kwargs)
    assert str(excinfo.value) == message


@pytest.mark.parametrize(
    ("name", "values"),
    [
        pytest.param("y_true", [0.0, 0.5, 1.0], id="fraction"),
        pytest.param("y_pred", [0.0, np.nan, 1.0], id="nan"),
        pytest.param("y_true", pd.Series([0, None, 1], dtype="Int64"), id="Int64-NA"),
        pytest.param("y_pred", ["0", "1", "1"], id="strings"),
    ],
)
def test_values_other_than_zero_and_one_are_not_binary(name, values):
    y = {"y_true": [0, 1, 1], "y_pred": [0, 1, 1]}
    y[name] = values
    with pytest.raises(ValueError) as excinfo:
        count_table(y["y_true"], y["y_pred"], sensitive_features={"a": list("xyz")})
    shown = np.unique(np.asarray(values)).tolist()
    assert str(excinfo.value) == ERR_NOT_BINARY.format(name, shown)


@pytest.mark.parametrize(
    "values",
    [
        pytest.param(pd.Series([0, None, 1], dtype=object), id="object-None"),
        pytest.param(pd.Series([True, None, False], dtype="boolean"), id="boolean-NA"),
    ],
)
def test_missing_outcomes_in_object_arrays_are_not_binary(values):
    with pytest.raises(ValueError) as excinfo:
        count_table(values, [0, 1, 1], sensitive_features={"a": list("xyz")})
    # The values shown may be written in any order; the message must be the module's.
    prefix = ERR_NOT_BINARY.format("y_true", "\0").split("\0")[0]
    assert str(excinfo.value).startswith(prefix)


def test_merge_over_different_attributes_raises():
    by_sex = count_table(Y_TRUE, Y_PRED, sensitive_features={"sex": SEX})
    by_age = count_table(Y_TRUE, Y_PRED, sensitive_features={"age": AGE})
    with pytest.raises(ValueError) as excinfo:
        by_sex.merge(by_age)
    assert str(excinfo.value) == ERR_MERGE.format(("sex",), ("age",))
