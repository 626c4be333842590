"""Tests of reportgen.fairness.streaming against the in-memory decisions audit.

The reference is the pandas path of ``reportgen.audit`` (read the whole table, find
the labels, drop rows without a target or a decision, run ``count_table``), written
out in :func:`audit_in_memory`. Streaming must give the same count table, the same
row accounting and the same error messages, whatever the batch size.
"""

import itertools
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from reportgen.data import (
    ERR_EMPTY,
    ERR_NOT_FOUND,
    ERR_UNREADABLE,
    binary_labels,
    binary_outcome,
    check_columns,
    check_protected,
    read_columns,
    read_table,
)
from reportgen.errors import InputError
from reportgen.fairness import streaming
from reportgen.fairness.counts import ERR_NO_ATTRIBUTES, count_table
from reportgen.fairness.metrics import group_metrics
from reportgen.fairness.streaming import (
    ERR_BATCH_ROWS,
    ERR_FILE_FORMAT,
    ERR_TOO_MANY_DECISIONS,
    PANDAS_NA_VALUES,
    StreamedCounts,
    stream_count_table,
)

BATCHES = [1, 7, 1_000_000]


def exact(message: str) -> str:
    """A ``pytest.raises(match=...)`` pattern matching ``message`` literally."""
    return "^" + re.escape(message) + "$"


def audit_in_memory(path, *, target, prediction, protected, positive_label):
    """The decisions mode of reportgen.audit.run_audit, reduced to its counts."""
    path = Path(path)
    check_columns(read_columns(path), [target, *protected, prediction])
    frame = read_table(path)
    n_rows = len(frame)
    labels = binary_labels(frame[target], positive_label)
    labelled = frame[target].notna().to_numpy()
    frame = frame.loc[labelled].reset_index(drop=True)
    check_protected(frame, protected)
    y_all = binary_outcome(frame[target], labels)
    decided = frame[prediction].notna().to_numpy()
    kept = frame.loc[decided].reset_index(drop=True)
    y_pred = binary_outcome(kept[prediction], labels)
    table = count_table(
        y_all[decided], y_pred, sensitive_features={p: kept[p] for p in protected}
    )
    return {
        "table": table,
        "n_rows": n_rows,
        "rows_used": len(kept),
        "rows_without_target": int((~labelled).sum()),
        "rows_without_decision": int((~decided).sum()),
        "positive_label": labels.positive,
        "negative_label": labels.negative,
    }


def marginals(table):
    """Every marginal of a table, as plain Python values."""
    out = {}
    for k in range(1, len(table.attributes) + 1):
        for attributes in itertools.combinations(table.attributes, k):
            g = table.marginal(list(attributes))
            out[attributes] = (g.labels, g.cells.tolist())
    return out


def by_label(table):
    """Cells keyed by group labels: a table's content, whatever its label order."""
    out = {}
    for key, cells in zip(table.keys.tolist(), table.cells.tolist(), strict=True):
        label = tuple(
            None if code < 0 else table.labels[i][code] for i, code in enumerate(key)
        )
        out[label] = cells
    return out


def assert_same_table(streamed, expected, *, same_label_order=True):
    assert streamed.attributes == expected.attributes
    if same_label_order:
        assert streamed.labels == expected.labels
        np.testing.assert_array_equal(streamed.keys, expected.keys)
        np.testing.assert_array_equal(streamed.cells, expected.cells)
        assert streamed.cells.dtype == expected.cells.dtype
    assert by_label(streamed) == by_label(expected)
    assert marginals(streamed) == marginals(expected)
    intersection = list(streamed.attributes)
    np.testing.assert_array_equal(
        group_metrics(streamed.marginal(intersection).cells)["selection_rate"],
        group_metrics(expected.marginal(intersection).cells)["selection_rate"],
    )


def assert_same_audit(path, *, batch_rows, same_label_order=True, **roles):
    expected = audit_in_memory(path, **roles)
    streamed = stream_count_table(path, batch_rows=batch_rows, **roles)
    assert isinstance(streamed, StreamedCounts)
    table = expected.pop("table")
    assert_same_table(streamed.table, table, same_label_order=same_label_order)
    for name, value in expected.items():
        assert getattr(streamed, name) == value, name
    return streamed


def write(frame: pd.DataFrame, path: Path) -> Path:
    if path.suffix == ".parquet":
        frame.to_parquet(path, index=False)
    else:
        frame.to_csv(path, index=False)
    return path


@pytest.fixture
def decisions(rng):
    """120 decisions with missing values everywhere, groups first seen late."""
    n = 120
    frame = pd.DataFrame(
        {
            "id": np.arange(n),
            "sex": rng.choice(["F", "M", None], n, p=[0.45, 0.45, 0.1]),
            "race": rng.choice(["Black", "White", "Asian", "<&'\"Ω>", None], n),
            "age_band": rng.choice([1, 2, 3], n),
            "score": rng.random(n).round(3),
            "hired": rng.choice(["yes", "no", None], n, p=[0.4, 0.5, 0.1]),
            "decision": rng.choice(["yes", "no", None], n, p=[0.4, 0.5, 0.1]),
            "note": rng.choice(["a, b", 'say "x"', "two\nlines"], n),
        }
    )
    # Only one race in the first rows, so the others appear in later batches.
    frame.loc[:20, "race"] = "White"
    return frame


ROLES = {
    "target": "hired",
    "prediction": "decision",
    "protected": ["sex", "race"],
    "positive_label": "yes",
}


# --------------------------------------------------------------------------------------
# Same counts as in memory
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
@pytest.mark.parametrize("batch_rows", BATCHES)
def test_strings_match_in_memory(tmp_path, decisions, suffix, batch_rows):
    path = write(decisions, tmp_path / f"d{suffix}")
    streamed = assert_same_audit(path, batch_rows=batch_rows, **ROLES)
    assert streamed.rows_without_target > 0
    assert streamed.rows_without_decision > 0
    assert (-1 in streamed.table.keys[:, 0]) and (-1 in streamed.table.keys[:, 1])


@pytest.mark.parametrize("batch_rows", BATCHES)
def test_dictionary_parquet_matches_in_memory(tmp_path, decisions, batch_rows):
    frame = decisions.copy()
    for name in ("sex", "race"):
        frame[name] = frame[name].astype("category")
    # An unused category: pandas keeps it among the labels, streaming cannot.
    frame["sex"] = frame["sex"].cat.add_categories(["X"])
    path = write(frame, tmp_path / "d.parquet")
    assert pa.types.is_dictionary(pq.read_schema(path).field("sex").type)
    streamed = assert_same_audit(
        path, batch_rows=batch_rows, same_label_order=False, **ROLES
    )
    # The same data held as plain strings gives exactly the streamed table.
    plain = write(decisions, tmp_path / "plain.parquet")
    assert_same_table(streamed.table, audit_in_memory(plain, **ROLES)["table"])


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
@pytest.mark.parametrize("batch_rows", BATCHES)
def test_integer_coded_groups_match_in_memory(
    tmp_path, decisions, rng, suffix, batch_rows
):
    frame = decisions.copy()
    frame["region"] = rng.choice([10, 20, 30], len(frame))
    frame["age_band"] = frame["age_band"].astype("Int64")
    frame.loc[rng.random(len(frame)) < 0.1, "age_band"] = pd.NA
    frame["y"] = rng.choice([0, 1], len(frame)).astype(np.int8)
    frame["d"] = rng.choice([0, 1], len(frame)).astype(np.int64)
    path = write(frame, tmp_path / f"d{suffix}")
    streamed = assert_same_audit(
        path,
        batch_rows=batch_rows,
        target="y",
        prediction="d",
        protected=["region", "age_band"],
        positive_label=None,
    )
    assert streamed.table.labels[1][0] in {"1", "2", "3"}
    assert streamed.positive_label == "1"


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
@pytest.mark.parametrize("batch_rows", BATCHES)
def test_floats_with_nan_match_in_memory(tmp_path, rng, suffix, batch_rows):
    n = 90
    frame = pd.DataFrame(
        {
            "grade": rng.choice([1.0, 2.0, 2.5, np.nan], n),
            "sex": rng.choice(["F", "M"], n),
            "y": rng.choice([0.0, 1.0, np.nan], n),
            "d": rng.choice([0.0, 1.0, np.nan], n),
        }
    )
    path = write(frame, tmp_path / f"d{suffix}")
    streamed = assert_same_audit(
        path,
        batch_rows=batch_rows,
        target="y",
        prediction="d",
        protected=["grade", "sex"],
        positive_label="1",
    )
    assert set(streamed.table.labels[0]) == {"1", "2", "2.5"}
    assert streamed.negative_label == "0"


def test_parquet_nan_and_null_are_both_missing(tmp_path):
    table = pa.table(
        {
            "g": pa.array([1.5, float("nan"), None, 2.0, 1.5, 2.0]),
            "y": pa.array([1, 0, 1, 0, 1, 0], pa.int8()),
            "d": pa.array([1, 0, 1, 0, None, 1]),
        }
    )
    pq.write_table(table, tmp_path / "d.parquet")
    streamed = assert_same_audit(
        tmp_path / "d.parquet",
        batch_rows=2,
        target="y",
        prediction="d",
        protected=["g"],
        positive_label="1",
        same_label_order=False,
    )
    assert streamed.missing == {"g": 2, "y": 0, "d": 1}
    assert streamed.table.labels == (("1.5", "2"),)


@pytest.mark.parametrize("batch_rows", [2, 100])
def test_parquet_booleans_with_missing(tmp_path, batch_rows):
    table = pa.table(
        {
            "g": pa.array([True, False, None, True, False, True]),
            "y": pa.array([True, False, True, None, True, False]),
            "d": pa.array([False, False, True, True, None, True]),
        }
    )
    pq.write_table(table, tmp_path / "d.parquet")
    roles = {"target": "y", "prediction": "d", "protected": ["g"]}
    streamed = assert_same_audit(
        tmp_path / "d.parquet", batch_rows=batch_rows, positive_label=None, **roles
    )
    assert streamed.positive_label == "True"
    assert streamed.table.labels == (("True", "False"),)


@pytest.mark.parametrize("batch_rows", [1, 3, 100])
def test_csv_column_typed_over_the_whole_file(tmp_path, batch_rows):
    # Numeric texts are one group ("1") while the column is numeric, but a text
    # value in a later batch makes the whole column text, as pandas reads it.
    rows = ["01", "1.0", "2", " 3 ", "1e0", "2"]
    numeric = "g,y,d\n" + "".join(f'"{g}",yes,no\n' for g in rows)
    numeric += "NA,no,yes\n1,no,no\n"
    (tmp_path / "num.csv").write_text(numeric)
    roles = {"target": "y", "prediction": "d", "protected": ["g"]}
    streamed = assert_same_audit(
        tmp_path / "num.csv", batch_rows=batch_rows, positive_label="yes", **roles
    )
    assert streamed.table.labels == (("1", "2", "3"),)
    (tmp_path / "text.csv").write_text(numeric + "abc,yes,yes\n")
    streamed = assert_same_audit(
        tmp_path / "text.csv", batch_rows=batch_rows, positive_label="yes", **roles
    )
    assert streamed.table.labels == (("01", "1.0", "2", " 3 ", "1e0", "1", "abc"),)


@pytest.mark.parametrize(
    "texts",
    [
        ["True", "false", "TRUE"],
        ["true", "", "False"],
        ["1", "True"],
        ["inf", "-Infinity", "0.5", ".5", "5."],
        ["-0", "+0", "0"],
        ["1_0", "10"],
        ["١", "1"],
        ["9007199254740993", ""],
        ["1 2", " 1"],
        ["None", "NULL", "x", "<NA>", "n/a"],
    ],
)
def test_csv_labels_as_pandas_reads_them(tmp_path, texts):
    body = "".join(f'"{v}",{i % 2},{(i // 2) % 2}\n' for i, v in enumerate(texts * 4))
    (tmp_path / "d.csv").write_text("g,y,d\n" + body + "zz,1,1\n")
    roles = {"target": "y", "prediction": "d", "protected": ["g"]}
    assert_same_audit(tmp_path / "d.csv", batch_rows=3, positive_label=None, **roles)
    streamed = stream_count_table(tmp_path / "d.csv", positive_label="1", **roles)
    frame = pd.read_csv(tmp_path / "d.csv")
    assert streamed.missing["g"] == frame["g"].isna().sum()


def test_pandas_missing_markers_are_ours():
    from pandas._libs.parsers import STR_NA_VALUES

    assert set(PANDAS_NA_VALUES) == set(STR_NA_VALUES)


@pytest.mark.parametrize("batch_rows", [1, 4, 50])
def test_labels_discovered_across_batches(tmp_path, batch_rows):
    # The second target label, the second decision and two groups all appear only
    # after the first batches; the positive label is inferred at the end.
    n = 40
    y = ["false"] * 30 + ["true", "false"] * 5
    d = ["false"] * 35 + ["true"] * 5
    g = ["a"] * 12 + ["b", "c"] * 14
    body = "".join(f"{a},{b},{c}\n" for a, b, c in zip(g, y, d, strict=True))
    (tmp_path / "d.csv").write_text("g,y,d\n" + body)
    roles = {"target": "y", "prediction": "d", "protected": ["g"]}
    streamed = assert_same_audit(
        tmp_path / "d.csv", batch_rows=batch_rows, positive_label=None, **roles
    )
    assert (streamed.positive_label, streamed.negative_label) == ("True", "False")
    assert streamed.table.labels == (("a", "b", "c"),)
    assert streamed.n_rows == n


def test_group_order_is_first_use_not_first_sight(tmp_path):
    # "z" is seen first in a row without a target: pandas orders groups among the
    # rows kept, so "a" comes first.
    body = "z,,1\na,1,0\nz,0,1\nb,1,\nb,0,0\n"
    (tmp_path / "d.csv").write_text("g,y,d\n" + body)
    roles = {"target": "y", "prediction": "d", "protected": ["g"]}
    streamed = assert_same_audit(
        tmp_path / "d.csv", batch_rows=1, positive_label="1", **roles
    )
    assert streamed.table.labels == (("a", "z", "b"),)
    assert (streamed.rows_without_target, streamed.rows_without_decision) == (1, 1)


def test_one_column_in_two_roles(tmp_path, decisions):
    path = write(decisions, tmp_path / "d.csv")
    roles = {**ROLES, "protected": ["sex", "decision"]}
    assert_same_audit(path, batch_rows=7, **roles)


@pytest.mark.parametrize("suffix", [".tsv", ".parquet"])
def test_dense_and_sparse_paths_agree(tmp_path, decisions, monkeypatch, suffix):
    # Wide integer ranges are hashed, narrow ones offset; both must agree.
    decisions["big"] = decisions["id"] * 1_000_003 - 50_000_000
    path = tmp_path / f"d{suffix}"
    if suffix == ".tsv":
        decisions.to_csv(path, sep="\t", index=False)
    else:
        decisions.to_parquet(path, index=False)
    roles = {**ROLES, "protected": ["sex", "race", "id", "big"]}
    expected = audit_in_memory(path, **roles)["table"]
    assert_same_table(stream_count_table(path, batch_rows=7, **roles).table, expected)
    monkeypatch.setattr(streaming, "_DENSE_LIMIT", 0)
    assert_same_table(stream_count_table(path, batch_rows=50, **roles).table, expected)
    monkeypatch.setattr(streaming, "_KEY_LIMIT", 10)
    assert_same_table(stream_count_table(path, batch_rows=50, **roles).table, expected)


def test_row_accounting_and_column_facts(tmp_path, decisions):
    path = write(decisions, tmp_path / "d.parquet")
    streamed = stream_count_table(path, batch_rows=7, **ROLES)
    names = ["sex", "race", "hired", "decision"]
    assert streamed.missing == {c: int(decisions[c].isna().sum()) for c in names}
    assert streamed.distinct == {c: int(decisions[c].nunique()) for c in names}
    assert streamed.columns == tuple(decisions.columns)
    assert streamed.n_rows == len(decisions)
    assert streamed.rows_used == streamed.table.total
    assert streamed.n_rows == (
        streamed.rows_used
        + streamed.rows_without_target
        + streamed.rows_without_decision
    )


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_progress_after_each_batch(tmp_path, decisions, suffix):
    path = write(decisions, tmp_path / f"d{suffix}")
    seen = []
    stream_count_table(path, batch_rows=7, progress=seen.append, **ROLES)
    assert seen == sorted(seen) and len(seen) > 5
    assert seen[-1] == len(decisions)


# --------------------------------------------------------------------------------------
# Errors: the messages of the in-memory audit
# --------------------------------------------------------------------------------------


def in_memory_error(path, **roles) -> str:
    with pytest.raises(InputError) as caught:
        audit_in_memory(path, **roles)
    return str(caught.value)


def assert_same_error(path, *, batch_rows=3, **roles):
    message = in_memory_error(path, **roles)
    with pytest.raises(InputError, match=exact(message)):
        stream_count_table(path, batch_rows=batch_rows, **roles)
    return message


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
@pytest.mark.parametrize(
    "roles",
    [
        {"protected": ["sex", "religion"]},
        {"protected": ["creed", "sex", "religion"], "target": "outcome"},
        {"prediction": "verdict"},
    ],
)
def test_missing_columns(tmp_path, decisions, suffix, roles):
    path = write(decisions, tmp_path / f"d{suffix}")
    message = assert_same_error(path, **{**ROLES, **roles})
    assert message.startswith("column")


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_one_group(tmp_path, decisions, suffix):
    frame = decisions.assign(sex="F")
    # A second sex only in a row without a target does not count.
    frame.loc[0, ["sex", "hired"]] = ["M", None]
    path = write(frame, tmp_path / f"d{suffix}")
    message = assert_same_error(path, **ROLES)
    assert message.startswith("protected attribute 'sex' has only one group ('F')")
    path = write(decisions.assign(race=None), tmp_path / f"none{suffix}")
    message = assert_same_error(path, **ROLES)
    assert "'race' has only one group (no known value)" in message


def test_empty_files(tmp_path):
    roles = {**ROLES, "protected": ["sex"]}
    (tmp_path / "blank.csv").write_text("")
    (tmp_path / "header.csv").write_text("sex,hired,decision\n")
    empty = pd.DataFrame({c: pd.Series([], dtype=str) for c in roles["protected"]})
    empty = empty.assign(hired=pd.Series([], dtype=str), decision=empty["sex"])
    write(empty, tmp_path / "empty.parquet")
    for name in ("blank.csv", "header.csv", "empty.parquet"):
        path = tmp_path / name
        message = assert_same_error(path, **roles)
        assert message == ERR_EMPTY.format(path)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
@pytest.mark.parametrize(
    ("hired", "positive_label"),
    [
        (["yes", "no", "maybe"], "yes"),  # three labels, the third in a late batch
        (["yes"], "yes"),  # one label
        ([None], "yes"),  # no labelled row
        (["yes", "no"], None),  # cannot infer the positive label
        (["yes", "no"], "Yes"),  # not a label
        (["2", "1"], "1.0"),  # compared as text
    ],
)
def test_target_errors(tmp_path, decisions, suffix, hired, positive_label):
    frame = decisions.copy()
    frame["hired"] = [hired[0]] * 60 + [hired[i % len(hired)] for i in range(60)]
    path = write(frame, tmp_path / f"d{suffix}")
    assert_same_error(path, **{**ROLES, "positive_label": positive_label})


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_decisions_outside_the_target_labels(tmp_path, decisions, suffix):
    frame = decisions.copy()
    frame.loc[100:, "decision"] = ["maybe", "perhaps", "YES", "no"] * 5
    # An odd decision in a row without a target is not checked, as in memory.
    frame.loc[3, ["hired", "decision"]] = [None, "unheard"]
    path = write(frame, tmp_path / f"d{suffix}")
    message = assert_same_error(path, **ROLES)
    assert "YES, maybe, perhaps" in message and "unheard" not in message


def test_too_many_outcome_values(tmp_path, decisions, monkeypatch):
    monkeypatch.setattr(streaming, "MAX_OUTCOME_VALUES", 3)
    frame = decisions.assign(hired=[str(i % 5) for i in range(len(decisions))])
    path = write(frame, tmp_path / "d.csv")
    with pytest.raises(InputError, match="found more than 3: 0, 1, 2, 3, 4 ...$"):
        stream_count_table(path, batch_rows=7, **ROLES)
    frame = decisions.assign(decision=[str(i % 5) for i in range(len(decisions))])
    path = write(frame, tmp_path / "d.csv")
    message = ERR_TOO_MANY_DECISIONS.format("decision", 3)
    with pytest.raises(InputError, match=exact(message)):
        stream_count_table(path, batch_rows=7, **ROLES)


def test_unreadable_and_missing_files(tmp_path):
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(
        InputError, match=re.escape(ERR_UNREADABLE.format(path, "parquet", ""))
    ):
        stream_count_table(path, **ROLES)
    path = tmp_path / "ragged.csv"
    path.write_text("sex,race,hired,decision\nF,a,yes,no\nM,b,no\n")
    with pytest.raises(
        InputError, match=re.escape(ERR_UNREADABLE.format(path, "csv", ""))
    ):
        stream_count_table(path, **ROLES)
    missing = tmp_path / "nowhere.csv"
    with pytest.raises(InputError, match=exact(ERR_NOT_FOUND.format(missing))):
        stream_count_table(missing, **ROLES)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"file_format": "xlsx"}, ERR_FILE_FORMAT.format("xlsx")),
        ({"batch_rows": 0}, ERR_BATCH_ROWS.format(0)),
        ({"batch_rows": 1.5}, ERR_BATCH_ROWS.format(1.5)),
        ({"protected": []}, ERR_NO_ATTRIBUTES),
        ({"protected": "sex"}, ERR_NO_ATTRIBUTES),
    ],
)
def test_bad_options(tmp_path, decisions, options, message):
    path = write(decisions, tmp_path / "d.csv")
    with pytest.raises(ValueError, match=exact(message)):
        stream_count_table(path, **{**ROLES, **options})
