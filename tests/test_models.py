"""Tests of reportgen.models: safe loading of model files and uniform prediction."""

import hashlib
import json
import pathlib
import pickle
import sys

import joblib
import numpy as np
import pandas as pd
import pytest
import skops.io
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression, RidgeClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

from reportgen import models
from reportgen.errors import InputError, UntrustedModelError
from reportgen.models import (
    ModelInfo,
    check_model_inputs,
    detect_format,
    infer_positive_label,
    load_model,
)

FEATURES = ["region", "income", "tenure"]


def _make_frame(seed=0, n=300):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "region": rng.choice(["north", "south", "east <&>"], n),
            "income": rng.normal(50.0, 12.0, n),
            "tenure": rng.integers(0, 20, n),
            "sex": rng.choice(["female", "male"], n),
        }
    )
    signal = (frame["income"] - 50) / 12 + 0.8 * (frame["region"] == "north")
    frame["approved"] = (signal + rng.normal(0, 0.7, n) > 0.3).astype(int)
    return frame


def _pipeline(numeric=None):
    numeric = numeric or StandardScaler()
    pre = ColumnTransformer(
        [
            ("cat", OneHotEncoder(handle_unknown="ignore"), ["region"]),
            ("num", numeric, ["income", "tenure"]),
        ]
    )
    return Pipeline([("pre", pre), ("clf", LogisticRegression())])


@pytest.fixture(scope="module")
def frame():
    return _make_frame()


@pytest.fixture(scope="module")
def pipeline(frame):
    return _pipeline().fit(frame[FEATURES], frame["approved"])


@pytest.fixture
def skops_file(pipeline, tmp_path):
    path = tmp_path / "model.skops"
    skops.io.dump(pipeline, path)
    return path


class _Payload:
    """Unpickling this creates ``marker``: a stand-in for a hostile pickle."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (pathlib.Path.touch, (self.marker,))


# Formats ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("m.skops", "skops"),
        ("m.onnx", "onnx"),
        ("m.joblib", "joblib"),
        ("m.pkl", "pickle"),
        ("M.PICKLE", "pickle"),
    ],
)
def test_detect_format(name, expected):
    assert detect_format(name) == expected
    assert expected in models.MODEL_FORMATS


def test_unknown_suffix_names_supported_ones(tmp_path):
    path = tmp_path / "model.h5"
    path.write_bytes(b"x")
    with pytest.raises(InputError) as info:
        load_model(path)
    assert str(info.value) == models.ERR_SUFFIX.format(
        path, ".skops, .onnx, .joblib, .pkl, .pickle"
    )


# skops --------------------------------------------------------------------------


def test_skops_round_trip_is_exact(pipeline, skops_file, frame):
    model = load_model(skops_file, trusted_types=[])

    np.testing.assert_array_equal(model.predict(frame), pipeline.predict(frame))
    expected = pipeline.predict_proba(frame[FEATURES])[:, 1]
    np.testing.assert_array_equal(model.score(frame), expected)

    info = model.info
    assert isinstance(info, ModelInfo)
    assert info.path == str(skops_file)
    assert info.format == "skops"
    assert info.sha256 == hashlib.sha256(skops_file.read_bytes()).hexdigest()
    assert info.trusted is False
    assert info.estimator == "Pipeline(ColumnTransformer, LogisticRegression)"
    assert info.feature_names == FEATURES
    assert info.classes == ["0", "1"]
    assert info.score_kind == "predict_proba"
    assert info.params["C"] == 1.0
    assert info.params["solver"] == "lbfgs"
    json.dumps(info.params, allow_nan=False)


def test_extra_and_reordered_columns_are_ignored(skops_file, frame):
    model = load_model(skops_file)
    shuffled = frame[["sex", "tenure", "approved", "income", "region"]]
    np.testing.assert_array_equal(model.predict(shuffled), model.predict(frame))


def test_skops_untrusted_types_are_refused_and_listed(frame, tmp_path):
    rounded = Pipeline(
        [("round", FunctionTransformer(np.round)), ("s", StandardScaler())]
    )
    estimator = _pipeline(rounded)
    estimator.fit(frame[FEATURES], frame["approved"])
    path = tmp_path / "custom.skops"
    skops.io.dump(estimator, path)
    assert skops.io.get_untrusted_types(file=path) == ["numpy.round"]

    with pytest.raises(UntrustedModelError) as info:
        load_model(path)
    message = str(info.value)
    assert message == models.ERR_UNTRUSTED_TYPES.format(path, "numpy.round")
    assert "model.trusted_types" in message
    assert "--trust-model" in message

    with pytest.raises(UntrustedModelError):
        load_model(path, trusted_types=["numpy.abs"])

    for model in (
        load_model(path, trusted_types=["numpy.round"]),
        load_model(path, trust=True),
    ):
        np.testing.assert_array_equal(model.predict(frame), estimator.predict(frame))


# pickle and joblib ----------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".pkl", ".pickle", ".joblib"])
def test_pickle_without_trust_is_refused(pipeline, tmp_path, suffix):
    path = tmp_path / f"model{suffix}"
    joblib.dump(pipeline, path)
    fmt = detect_format(path)

    with pytest.raises(UntrustedModelError) as info:
        load_model(path)
    message = str(info.value)
    assert message == models.ERR_PICKLE.format(path, fmt)
    assert "runs arbitrary code" in message
    assert "skops.io.dump(model, 'model.skops')" in message
    assert "--trust-model" in message


@pytest.mark.parametrize("suffix", [".pkl", ".joblib"])
def test_hostile_pickle_is_never_unpickled(tmp_path, suffix):
    # The payload really does run when unpickled ...
    control = tmp_path / "control"
    pickle.loads(pickle.dumps(_Payload(control)))
    assert control.exists()

    # ... but load_model refuses before reading the file.
    marker = tmp_path / "pwned"
    path = tmp_path / f"model{suffix}"
    path.write_bytes(pickle.dumps(_Payload(marker)))
    with pytest.raises(UntrustedModelError):
        load_model(path)
    with pytest.raises(UntrustedModelError):
        load_model(path, trusted_types=["pathlib.Path.touch"])
    assert not marker.exists()


@pytest.mark.parametrize("dump", ["joblib", "pickle"])
def test_trusted_pickle_loads(pipeline, frame, tmp_path, dump):
    path = tmp_path / ("model.joblib" if dump == "joblib" else "model.pkl")
    if dump == "joblib":
        joblib.dump(pipeline, path)
    else:
        path.write_bytes(pickle.dumps(pipeline))

    model = load_model(path, trust=True)

    assert model.info.trusted is True
    np.testing.assert_array_equal(model.predict(frame), pipeline.predict(frame))
    np.testing.assert_array_equal(
        model.score(frame), pipeline.predict_proba(frame[FEATURES])[:, 1]
    )


# Unusable files ---------------------------------------------------------------------


def test_missing_file(tmp_path):
    path = tmp_path / "absent.skops"
    with pytest.raises(InputError) as info:
        load_model(path)
    assert str(info.value) == models.ERR_NOT_FOUND.format(path)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.onnx"
    path.write_bytes(b"")
    with pytest.raises(InputError) as info:
        load_model(path)
    assert str(info.value) == models.ERR_EMPTY.format(path)


@pytest.mark.parametrize(
    ("name", "fmt"), [("bad.skops", "skops"), ("bad.pkl", "pickle")]
)
def test_corrupt_file(tmp_path, name, fmt):
    path = tmp_path / name
    path.write_bytes(b"this is not a model \x00\x01\x02")
    with pytest.raises(InputError) as info:
        load_model(path, trust=True)
    assert not isinstance(info.value, UntrustedModelError)
    assert str(info.value).startswith(f"cannot load model file {path} as {fmt}: ")


def test_object_without_predict(frame, tmp_path):
    path = tmp_path / "scaler.skops"
    skops.io.dump(StandardScaler().fit(frame[["income"]]), path)
    with pytest.raises(InputError) as info:
        load_model(path)
    assert str(info.value) == models.ERR_NO_PREDICT.format(path, "StandardScaler")


def test_multiclass_model_is_refused(frame, tmp_path):
    y = np.digitize(frame["income"], [45, 55])
    path = tmp_path / "multi.skops"
    skops.io.dump(_pipeline().fit(frame[FEATURES], y), path)
    with pytest.raises(InputError) as info:
        load_model(path)
    assert str(info.value) == models.ERR_NOT_BINARY.format(3, "0, 1, 2")


def test_missing_columns_are_listed(skops_file, frame):
    model = load_model(skops_file)
    partial = frame.drop(columns=["income", "region"])
    expected = models.ERR_MISSING_COLUMNS.format("s", "'region', 'income'")
    with pytest.raises(InputError) as info:
        check_model_inputs(model, partial.columns)
    assert str(info.value) == expected
    with pytest.raises(InputError, match="model input columns not found"):
        model.predict(partial)
    check_model_inputs(model, frame.columns)


# Positive label, scores and threshold -------------------------------------------


@pytest.mark.parametrize(
    ("classes", "given", "expected"),
    [
        ([0, 1], None, 1),
        (np.array([0, 1]), None, 1),
        ([False, True], None, True),
        (["0", "1"], None, "1"),
        ([1, 0], "1", 1),
        (np.array([0, 1]), "0", 0),
        ([False, True], "true", True),
        (["bad", "good"], "good", "good"),
        (np.array(["bad", "good"], dtype=object), "bad", "bad"),
    ],
)
def test_infer_positive_label(classes, given, expected):
    found = infer_positive_label(classes, given)
    assert found == expected
    assert type(found) is type(expected)


@pytest.mark.parametrize(
    ("classes", "given", "message"),
    [
        (["bad", "good"], None, models.ERR_NEED_POSITIVE_LABEL.format("'bad', 'good'")),
        (
            ["bad", "good"],
            "fair",
            models.ERR_POSITIVE_LABEL.format("fair", "'bad', 'good'"),
        ),
        ([0, 1, 2], None, models.ERR_NOT_BINARY.format(3, "0, 1, 2")),
        (["yes"], "yes", models.ERR_NOT_BINARY.format(1, "'yes'")),
    ],
)
def test_infer_positive_label_errors(classes, given, message):
    with pytest.raises(InputError) as info:
        infer_positive_label(classes, given)
    assert str(info.value) == message


def test_string_classes_need_a_positive_label(frame, tmp_path):
    target = np.where(frame["approved"] == 1, "good", "bad")
    estimator = _pipeline().fit(frame[FEATURES], target)
    path = tmp_path / "strings.skops"
    skops.io.dump(estimator, path)
    proba = estimator.predict_proba(frame[FEATURES])

    model = load_model(path)
    np.testing.assert_array_equal(model.predict(frame), estimator.predict(frame))
    with pytest.raises(InputError) as info:
        model.score(frame)
    assert str(info.value) == models.ERR_NEED_POSITIVE_LABEL.format("'bad', 'good'")

    good = load_model(path, positive_label="good")
    assert good.positive_label == "good"
    np.testing.assert_array_equal(good.score(frame), proba[:, 1])
    bad = load_model(path, positive_label="bad")
    np.testing.assert_array_equal(bad.score(frame), proba[:, 0])
    decided = bad.predict_with_threshold(frame, 0.8)
    np.testing.assert_array_equal(decided == "bad", proba[:, 0] >= 0.8)

    with pytest.raises(InputError, match="positive label 'fair'"):
        load_model(path, positive_label="fair")


def test_threshold(skops_file, pipeline, frame):
    model = load_model(skops_file)
    proba = pipeline.predict_proba(frame[FEATURES])[:, 1]

    np.testing.assert_array_equal(
        model.predict_with_threshold(frame, None), model.predict(frame)
    )
    decided = model.predict_with_threshold(frame, 0.7)
    assert decided.dtype == pipeline.classes_.dtype
    np.testing.assert_array_equal(decided, (proba >= 0.7).astype(int))
    assert (model.predict_with_threshold(frame, 0.0) == 1).all()

    labels, scores = model.predict_and_score(frame, threshold=0.7)
    np.testing.assert_array_equal(labels, decided)
    np.testing.assert_array_equal(scores, proba)

    for bad in (1.5, -0.1, float("nan"), "high", True):
        with pytest.raises(InputError) as info:
            model.predict_with_threshold(frame, bad)
        assert str(info.value) == models.ERR_THRESHOLD_RANGE.format(bad)


def test_decision_function_model(frame, tmp_path):
    estimator = RidgeClassifier().fit(frame[["income", "tenure"]], frame["approved"])
    path = tmp_path / "ridge.skops"
    skops.io.dump(estimator, path)
    expected = estimator.decision_function(frame[["income", "tenure"]])

    model = load_model(path)
    assert model.info.score_kind == "decision_function"
    assert model.info.estimator == "RidgeClassifier"
    np.testing.assert_array_equal(model.score(frame), expected)
    negative = load_model(path, positive_label=0)
    np.testing.assert_array_equal(negative.score(frame), -expected)

    with pytest.raises(InputError) as info:
        model.predict_with_threshold(frame, 0.5)
    assert str(info.value) == models.ERR_THRESHOLD_NO_PROBA.format(
        path, "decision_function"
    )


def test_model_fitted_on_arrays_uses_feature_names(frame, tmp_path):
    columns = ["income", "tenure"]
    estimator = LogisticRegression().fit(
        frame[columns].to_numpy(), frame["approved"].to_numpy()
    )
    path = tmp_path / "arrays.skops"
    skops.io.dump(estimator, path)
    expected = estimator.predict(frame[columns].to_numpy())

    named = load_model(path, feature_names=columns)
    assert named.info.feature_names == columns
    np.testing.assert_array_equal(named.predict(frame), expected)

    unnamed = load_model(path)
    assert unnamed.info.feature_names is None
    np.testing.assert_array_equal(unnamed.predict(frame[columns]), expected)
    with pytest.raises(InputError) as info:
        unnamed.predict(frame)
    assert str(info.value) == models.ERR_WIDTH.format(2, 5)


# ONNX ----------------------------------------------------------------------------


def _onnx_tools():
    pytest.importorskip("onnxruntime")
    skl2onnx = pytest.importorskip("skl2onnx")
    from skl2onnx.common.data_types import FloatTensorType, StringTensorType

    return skl2onnx, FloatTensorType, StringTensorType


@pytest.mark.parametrize("zipmap", [True, False])
def test_onnx_per_column_inputs_match_sklearn(pipeline, frame, tmp_path, zipmap):
    skl2onnx, FloatTensorType, StringTensorType = _onnx_tools()
    initial_types = [
        ("region", StringTensorType([None, 1])),
        ("income", FloatTensorType([None, 1])),
        ("tenure", FloatTensorType([None, 1])),
    ]
    options = None if zipmap else {id(pipeline): {"zipmap": False}}
    graph = skl2onnx.convert_sklearn(
        pipeline, initial_types=initial_types, options=options
    )
    path = tmp_path / "model.onnx"
    path.write_bytes(graph.SerializeToString())

    model = load_model(path)

    info = model.info
    assert info.format == "onnx"
    assert info.trusted is False
    assert info.estimator.startswith("ONNX graph skl2onnx ")
    assert info.params["classifier_op"] == "LinearClassifier"
    assert info.feature_names == FEATURES
    assert info.classes == ["0", "1"]
    assert info.score_kind == "predict_proba"
    json.dumps(info.params, allow_nan=False)

    np.testing.assert_array_equal(model.predict(frame), pipeline.predict(frame))
    expected = pipeline.predict_proba(frame[FEATURES])[:, 1]
    np.testing.assert_allclose(model.score(frame), expected, rtol=0, atol=1e-5)
    negative = load_model(path, positive_label="0")
    np.testing.assert_allclose(negative.score(frame), 1 - expected, atol=1e-5)

    missing = "model input column not found in the data: 'tenure'"
    with pytest.raises(InputError, match=missing):
        model.predict(frame.drop(columns="tenure"))


def test_onnx_single_tensor_input(frame, tmp_path):
    skl2onnx, FloatTensorType, _ = _onnx_tools()
    columns = ["income", "tenure"]
    target = np.where(frame["approved"] == 1, "yes", "no")
    estimator = LogisticRegression().fit(frame[columns].to_numpy(np.float32), target)
    graph = skl2onnx.convert_sklearn(
        estimator,
        initial_types=[("X", FloatTensorType([None, 2]))],
        options={id(estimator): {"zipmap": False}},
    )
    path = tmp_path / "tensor.onnx"
    path.write_bytes(graph.SerializeToString())
    array = frame[columns].to_numpy(np.float32)

    unnamed = load_model(path, positive_label="yes")
    assert unnamed.info.feature_names is None
    with pytest.raises(InputError) as info:
        check_model_inputs(unnamed, frame.columns)
    assert str(info.value) == models.ERR_ONNX_FEATURE_NAMES.format(path, "X", 2)

    model = load_model(path, positive_label="yes", feature_names=columns)
    assert model.info.classes == ["no", "yes"]
    np.testing.assert_array_equal(model.predict(frame), estimator.predict(array))
    np.testing.assert_allclose(
        model.score(frame), estimator.predict_proba(array)[:, 1], atol=1e-5
    )
    assert model.predict(frame).dtype == object

    graph.metadata_props.add(key="feature_names", value=json.dumps(columns))
    path.write_bytes(graph.SerializeToString())
    from_metadata = load_model(path, positive_label="yes")
    assert from_metadata.info.feature_names == columns

    with pytest.raises(InputError) as info:
        load_model(path, feature_names=["income"])
    assert str(info.value) == models.ERR_ONNX_WIDTH.format("X", 2, 1, "'income'")


def test_onnx_string_input_with_missing_values(pipeline, frame, tmp_path):
    skl2onnx, FloatTensorType, StringTensorType = _onnx_tools()
    graph = skl2onnx.convert_sklearn(
        pipeline,
        initial_types=[
            ("region", StringTensorType([None, 1])),
            ("income", FloatTensorType([None, 1])),
            ("tenure", FloatTensorType([None, 1])),
        ],
    )
    path = tmp_path / "model.onnx"
    path.write_bytes(graph.SerializeToString())
    holes = frame.copy()
    holes.loc[3, "region"] = None

    with pytest.raises(InputError) as info:
        load_model(path).predict(holes)
    assert str(info.value) == models.ERR_ONNX_MISSING.format(
        "", "region", "region", "tensor(string)", "s"
    )


def test_corrupt_onnx(tmp_path):
    pytest.importorskip("onnxruntime")
    path = tmp_path / "bad.onnx"
    path.write_bytes(b"\x08\x07garbage")
    with pytest.raises(InputError, match="cannot load model file .* as ONNX: "):
        load_model(path)


def test_onnx_without_onnxruntime(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    path = tmp_path / "model.onnx"
    path.write_bytes(b"\x08\x07")
    with pytest.raises(InputError) as info:
        load_model(path)
    assert str(info.value) == models.ERR_NO_ONNXRUNTIME.format(path)
    assert 'pip install "reportgen[onnx]"' in str(info.value)
