"""Auditing the user's own fitted model through the command line."""

import json
import pickle

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from reportgen.cli import app
from reportgen.datasets import german_credit_path

runner = CliRunner()
FEATURES = ["duration_in_month", "credit_amount", "purpose", "housing", "savings"]


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    """A pipeline trained on half the German credit data, and the other half."""
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    frame = pd.read_csv(german_credit_path())
    train, test = frame.iloc[::2], frame.iloc[1::2]
    pipeline = Pipeline(
        [
            (
                "prep",
                ColumnTransformer(
                    [
                        ("num", StandardScaler(), FEATURES[:2]),
                        ("cat", OneHotEncoder(handle_unknown="ignore"), FEATURES[2:]),
                    ]
                ),
            ),
            ("model", LogisticRegression(max_iter=1000)),
        ]
    )
    pipeline.fit(train[FEATURES], train["credit_risk"])
    folder = tmp_path_factory.mktemp("model")
    test.to_csv(folder / "test.csv", index=False)
    return pipeline, test, folder


def audit(data, model, out, *extra):
    args = [
        "audit", "--data", data, "--target", "credit_risk", "--positive-label",
        "good", "--protected", "sex", "--protected", "age_group", "--model", model,
        "--out", out, "--quiet", *extra,
    ]  # fmt: skip
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def group_rates(report, analysis):
    rows = next(a for a in report["fairness"] if a["name"] == analysis)["groups"]
    return {r["group"]: (r["n"], r["selection_rate"], r["accuracy"]) for r in rows}


def expected_rates(test, predictions, column):
    out = {}
    for group, part in test.assign(pred=predictions).groupby(column):
        selected = (part["pred"] == "good").mean()
        correct = (part["pred"] == part["credit_risk"]).mean()
        out[group] = (len(part), pytest.approx(selected), pytest.approx(correct))
    return out


def test_skops_model_metrics_equal_those_of_its_own_predictions(fitted, tmp_path):
    import skops.io as sio

    pipeline, test, folder = fitted
    path = folder / "model.skops"
    sio.dump(pipeline, path)
    result = audit(folder / "test.csv", path, tmp_path / "out")
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text())

    predictions = pipeline.predict(test[FEATURES])
    for column in ("sex", "age_group"):
        assert group_rates(report, column) == expected_rates(test, predictions, column)
    model = report["model"]
    assert model["mode"] == "loaded"
    assert model["model_format"] == "skops"
    assert model["model_trusted"] is False
    import hashlib

    assert model["model_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert report["provenance"]["model_sha256"] == model["model_sha256"]
    assert report["dataset"]["positive_label"] == "good"


def test_threshold_changes_decisions_as_the_score_says(fitted, tmp_path):
    import skops.io as sio

    pipeline, test, folder = fitted
    path = folder / "model_t.skops"
    sio.dump(pipeline, path)
    result = audit(folder / "test.csv", path, tmp_path / "out", "--threshold", "0.8")
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    good = list(pipeline.classes_).index("good")
    score = pipeline.predict_proba(test[FEATURES])[:, good]
    predictions = np.where(score >= 0.8, "good", "bad")
    assert group_rates(report, "sex") == expected_rates(test, predictions, "sex")
    assert report["model"]["decision_threshold"] == 0.8


class PlantsMarker:
    """Unpickling this object would create a file: proof that code ran."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def test_pickle_without_trust_is_refused_and_never_executed(fitted, tmp_path):
    _, _, folder = fitted
    marker = tmp_path / "pwned"
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps(PlantsMarker(marker)))
    result = audit(folder / "test.csv", path, tmp_path / "out")
    assert result.exit_code == 2
    message = result.stderr.strip()
    assert message.startswith("Error: refusing to load")
    assert "runs arbitrary code" in message
    assert "--trust-model" in message and "skops" in message
    assert not marker.exists()
    assert not (tmp_path / "out").exists()


def test_trusted_joblib_model_is_audited_and_trust_is_reported(fitted, tmp_path):
    import joblib

    pipeline, _, folder = fitted
    path = tmp_path / "model.joblib"
    joblib.dump(pipeline, path)
    result = audit(folder / "test.csv", path, tmp_path / "out", "--trust-model")
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["model"]["model_trusted"] is True
    assert report["model"]["model_format"] == "joblib"


def test_missing_model_columns_exit_2(fitted, tmp_path):
    import skops.io as sio

    pipeline, test, _ = fitted
    path = tmp_path / "model.skops"
    sio.dump(pipeline, path)
    data = tmp_path / "thin.csv"
    test.drop(columns=["housing"]).to_csv(data, index=False)
    result = audit(data, path, tmp_path / "out")
    assert result.exit_code == 2
    assert "housing" in result.stderr


def test_onnx_export_gives_the_same_decisions(fitted, tmp_path):
    pytest.importorskip("onnxruntime")
    skl2onnx = pytest.importorskip("skl2onnx")
    from skl2onnx.common.data_types import FloatTensorType, StringTensorType

    pipeline, test, folder = fitted
    inputs = [(c, FloatTensorType([None, 1])) for c in FEATURES[:2]]
    inputs += [(c, StringTensorType([None, 1])) for c in FEATURES[2:]]
    onnx_model = skl2onnx.convert_sklearn(pipeline, initial_types=inputs)
    path = tmp_path / "model.onnx"
    path.write_bytes(onnx_model.SerializeToString())
    data = tmp_path / "test.csv"
    test.astype({c: "float32" for c in FEATURES[:2]}).to_csv(data, index=False)
    result = audit(data, path, tmp_path / "out")
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    predictions = pipeline.predict(test[FEATURES])
    assert group_rates(report, "sex") == expected_rates(test, predictions, "sex")
    assert report["model"]["model_format"] == "onnx"
