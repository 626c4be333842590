"""A streamed audit of given decisions reports what the in-memory audit reports."""

import numpy as np
import pandas as pd
import pytest

from reportgen.audit import run_audit
from reportgen.config import parse_config
from reportgen.report import to_dict


@pytest.fixture
def decisions(rng, tmp_path):
    n = 5_000
    frame = pd.DataFrame(
        {
            "sex": rng.choice(["female", "male", None], size=n, p=[0.45, 0.5, 0.05]),
            "race": rng.choice(["a", "b", "c", "d"], size=n),
            "outcome": rng.choice(["hired", "rejected"], size=n, p=[0.3, 0.7]),
            "score": rng.random(n).round(3),
            "email": [f"user{i}@example.org" for i in range(n)],
        }
    )
    frame["decision"] = np.where(frame["score"] > 0.6, "hired", "rejected")
    frame.loc[rng.choice(n, 20, replace=False), "decision"] = None
    return frame


def audit(path, streaming, **extra):
    config = parse_config(
        {
            "data": {"path": str(path), "streaming": streaming},
            "target": "outcome",
            "positive_label": "hired",
            "protected": ["sex", "race"],
            "predictions": {"column": "decision", "score_column": "score"},
            "privacy": {"sample_size": 1000},
            **extra,
        }
    )
    return to_dict(run_audit(config).report)


def without_scores(analyses):
    return [{k: v for k, v in a.items() if k != "scores"} for a in analyses]


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_streamed_audit_equals_in_memory_audit(decisions, tmp_path, suffix):
    path = tmp_path / f"decisions.{suffix}"
    if suffix == "csv":
        decisions.to_csv(path, index=False)
    else:
        decisions.astype({"sex": "category", "race": "category"}).to_parquet(path)
    streamed = audit(path, "always")
    in_memory = audit(path, "never")

    assert without_scores(streamed["fairness"]) == without_scores(in_memory["fairness"])
    assert streamed["performance"] == in_memory["performance"]
    assert streamed["dataset"]["rows_used"] == in_memory["dataset"]["rows_used"]
    assert streamed["dataset"]["rows_dropped"] == 20
    assert streamed["dataset"]["drop_reason"] == in_memory["dataset"]["drop_reason"]
    four_fifths = [c for c in streamed["checks"] if c["kind"] == "impact_ratio"]
    assert four_fifths == [
        c for c in in_memory["checks"] if c["kind"] == "impact_ratio"
    ]

    for mine, theirs in zip(streamed["fairness"], in_memory["fairness"], strict=True):
        # Scores on a 0.001 grid sit in distinct bins: AUC and rates agree; the
        # histogram median is within half a bin of the exact one.
        assert mine["scores"]["median"] == pytest.approx(
            theirs["scores"]["median"], abs=0.0005 + 1e-9
        )
        for a, b in zip(
            mine["scores"]["groups"], theirs["scores"]["groups"], strict=True
        ):
            assert a["group"] == b["group"] and a["n"] == b["n"]
            assert a["auc"] == pytest.approx(b["auc"], abs=1e-12)
            assert a["mean_score"] == pytest.approx(b["mean_score"], rel=1e-9)

    # The privacy scan sees the first rows of a streamed file, and says so.
    assert streamed["privacy"]["rows_scanned"] == 1000
    assert streamed["privacy"]["rows_in_data"] == len(decisions)
    assert "first 1,000 rows" in streamed["dataset"]["summary_note"]
    assert {f["column"] for f in streamed["privacy"]["identifiers"]} == {"email"}


def test_auto_streams_only_large_files(decisions, tmp_path, monkeypatch):
    import reportgen.audit as audit_module

    path = tmp_path / "decisions.parquet"
    decisions.to_parquet(path)
    small = audit(path, "auto")
    assert small["dataset"]["summary_note"] is None
    monkeypatch.setattr(audit_module, "STREAM_ROWS", 100)
    large = audit(path, "auto")
    assert large["dataset"]["summary_note"] is not None


@pytest.mark.parametrize("streaming", ["never", "always"])
def test_semicolon_separated_csv_with_decimal_commas(tmp_path, streaming):
    path = tmp_path / "decisions.csv"
    path.write_text(
        "sex;outcome;decision;score\n"
        "f;hired;hired;0,9\nf;rejected;hired;0,7\nf;hired;rejected;0,2\n"
        "m;hired;hired;0,8\nm;rejected;rejected;0,1\nm;rejected;rejected;0,3\n"
    )
    config = parse_config(
        {
            "data": {"path": str(path), "streaming": streaming},
            "target": "outcome",
            "positive_label": "hired",
            "protected": ["sex"],
            "predictions": {"column": "decision", "score_column": "score"},
        }
    )
    report = to_dict(run_audit(config).report)
    groups = {g["group"]: g for g in report["fairness"][0]["groups"]}
    assert groups["f"]["selection_rate"] == pytest.approx(2 / 3)
    assert groups["m"]["selection_rate"] == pytest.approx(1 / 3)
    scores = {g["group"]: g for g in report["fairness"][0]["scores"]["groups"]}
    assert scores["f"]["mean_score"] == pytest.approx(0.6)
