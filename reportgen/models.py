"""Loading a user's fitted binary classifier safely, and predicting with it.

This is the I/O edge for model files. :func:`load_model` reads a file once, hashes
its bytes and turns it into a :class:`LoadedModel`, whose ``predict`` and ``score``
behave the same whatever the format. Four formats are understood, by suffix:

- ``.skops``: scikit-learn objects saved with ``skops.io.dump``. Loading builds
  only types known to be safe; any other type in the file must be reviewed and
  trusted by name (``trusted_types``), or the whole file trusted (``trust``).
- ``.onnx``: an ONNX graph, run with onnxruntime (the ``reportgen[onnx]`` extra).
  A graph is data, not code, so it needs no trust.
- ``.joblib``, ``.pkl`` and ``.pickle``: unpickling runs whatever code the file
  names, so these are refused unless ``trust`` is given. The refusal happens
  before the file is even read.

Every problem a user can fix (missing, unreadable or corrupt file, untrusted
content, absent columns, an ambiguous positive label) raises
:class:`~reportgen.errors.InputError` with one line that says what to do.

Positive label: scores are always those of the *positive* class. It is given to
:func:`load_model` (``positive_label``, compared as a string as well, since
configs hold strings) and inferred when the classes are 0/1 or False/True.
It is resolved when first needed, so a model can be loaded and used for
``predict`` without one.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import math
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from reportgen.errors import InputError, UntrustedModelError

if TYPE_CHECKING:
    import pandas as pd

logger = logging.getLogger(__name__)

MODEL_FORMATS = ("skops", "onnx", "joblib", "pickle")
SUFFIXES = {
    ".skops": "skops",
    ".onnx": "onnx",
    ".joblib": "joblib",
    ".pkl": "pickle",
    ".pickle": "pickle",
}
ScoreKind = Literal["predict_proba", "decision_function"]
ParamValue = str | float | int | bool | None

ERR_SUFFIX = "cannot tell the format of model file {}: its name must end in one of {}"
ERR_NOT_FOUND = "model file not found: {}"
ERR_NOT_A_FILE = "model path is not a file: {}"
ERR_UNREADABLE = "cannot read model file {}: {}"
ERR_EMPTY = "model file is empty: {}"
ERR_CORRUPT = "cannot load model file {} as {}: {}"
ERR_UNTRUSTED_TYPES = (
    "model file {} contains types that skops does not trust by default: {}. "
    "Loading them may run their code. Review these types; if you trust them, list "
    "them under model.trusted_types in the config, or pass --trust-model to trust "
    "everything in this file"
)
ERR_PICKLE = (
    "refusing to load {}: loading a {} file runs arbitrary code, and a tampered "
    "file can take over this machine. Re-save the model with skops where it was "
    "trained (skops.io.dump(model, 'model.skops')) and audit that file instead, or "
    "pass --trust-model (model.trust: true) if you trust where this file comes from"
)
ERR_NO_ONNXRUNTIME = (
    "onnxruntime is needed to run ONNX model {}; install it with "
    'pip install "reportgen[onnx]"'
)
ERR_NO_PREDICT = "the object in model file {} has no predict method (it is a {})"
ERR_NOT_FITTED = "the model in {} is not fitted: {}"
ERR_NOT_BINARY = (
    "the model must be a binary classifier with exactly two classes; it has {}: {}"
)
ERR_POSITIVE_LABEL = (
    "positive label {!r} is not a class of the model; its classes are: {}"
)
ERR_NEED_POSITIVE_LABEL = (
    "cannot infer which class of the model is the positive (favourable) outcome "
    "among {}; set positive_label (--positive-label)"
)
ERR_NO_CLASSES = (
    "the model does not say what its classes are, so its scores cannot be matched "
    "to the positive label"
)
ERR_MISSING_COLUMNS = "model input column{} not found in the data: {}"
ERR_FEATURE_NAMES = (
    "feature_names {} do not match the names the model was fitted with: {}"
)
ERR_WIDTH = (
    "the model was fitted on {} unnamed features but the data has {} columns; "
    "give feature_names to choose and order them"
)
ERR_ONNX_FEATURE_NAMES = (
    "ONNX model {} takes one tensor input {!r} of width {}, which does not say "
    "which columns feed it; give feature_names, or store them in the graph's "
    "metadata as a JSON list under the key 'feature_names'"
)
ERR_ONNX_WIDTH = "ONNX input {!r} takes {} columns but {} feature names were given: {}"
ERR_ONNX_NO_LABEL = (
    "ONNX model {} has no label output (an integer, string or boolean tensor); "
    "only classifiers that output their decisions are supported"
)
ERR_ONNX_INPUT_TYPE = "ONNX input {!r} has type {}, which reportgen cannot feed"
ERR_ONNX_MISSING = (
    "column{} {} for ONNX input {!r} (type {}) ha{} missing values, which that "
    "type cannot hold; impute or drop them first"
)
ERR_ONNX_NOT_NUMERIC = "column{} {} for ONNX input {!r} (type {}) must be numeric: {}"
ERR_PREDICT = "model {} failed on the data: {}"
ERR_THRESHOLD_RANGE = "threshold must be a number between 0 and 1; got {!r}"
ERR_THRESHOLD_NO_PROBA = (
    "a decision threshold applies to predicted probabilities, but model {} gives "
    "{}; remove the threshold, or calibrate the model (for example with "
    "sklearn.calibration.CalibratedClassifierCV) before saving it"
)

_ONNX_DTYPES: dict[str, Any] = {
    "tensor(float)": np.float32,
    "tensor(double)": np.float64,
    "tensor(int64)": np.int64,
    "tensor(int32)": np.int32,
    "tensor(bool)": np.bool_,
    "tensor(string)": object,
}
_ONNX_LABEL_TYPES = ("tensor(int64)", "tensor(int32)", "tensor(string)", "tensor(bool)")
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


@dataclass(frozen=True)
class ModelInfo:
    """What was loaded, for the report's model section and provenance block.

    Attributes
    ----------
    path : str
        The model file as the user named it.
    format : str
        One of :data:`MODEL_FORMATS`.
    sha256 : str
        Hex SHA-256 of the file's bytes, the very bytes that were loaded.
    trusted : bool
        Whether the user trusted the whole file (``--trust-model``).
    estimator : str
        What the model is, e.g. ``"Pipeline(ColumnTransformer, LogisticRegression)"``
        or ``"ONNX graph skl2onnx 1.20.0"``.
    params : dict
        Hyperparameters of the final estimator (for ONNX, facts about the graph),
        with values made JSON-safe: non-finite floats, callables and objects are
        written as stable strings.
    feature_names : list of str or None
        The columns the model reads, in order; None when the model does not say.
    classes : list of str or None
        The model's classes, as strings, in the model's order.
    score_kind : {"predict_proba", "decision_function"} or None
        Where :meth:`LoadedModel.score` comes from; None when it has no score.
    """

    path: str
    format: str
    sha256: str
    trusted: bool
    estimator: str
    params: dict[str, ParamValue]
    feature_names: list[str] | None
    classes: list[str] | None
    score_kind: ScoreKind | None


class LoadedModel:
    """A fitted binary classifier with one way to predict, whatever its format.

    Build it with :func:`load_model`. ``predict`` returns class labels as the model
    gives them (its ``classes_``); ``score`` returns the positive class's
    probability (or decision function); ``predict_with_threshold`` turns the
    probability into decisions at a chosen cut-off. Frames may carry extra
    columns: only the model's own features are passed to it, in its order.

    Parameters
    ----------
    info : ModelInfo
        Description of the loaded file.
    backend : object
        The format-specific runner (private).
    positive_label : object, optional
        The favourable class, validated against the classes when they are known;
        see :func:`infer_positive_label`.
    """

    def __init__(
        self, info: ModelInfo, backend: _Backend, positive_label: Any = None
    ) -> None:
        self.info = info
        self._backend = backend
        self._requested_positive = positive_label
        classes = backend.classes
        if classes is not None and len(classes) != 2:
            raise InputError(ERR_NOT_BINARY.format(len(classes), _show(classes)))
        if positive_label is not None and classes is not None:
            infer_positive_label(classes, positive_label)

    def __repr__(self) -> str:
        return f"LoadedModel({self.info.estimator!r}, path={self.info.path!r})"

    @property
    def classes(self) -> list[Any] | None:
        """The model's classes with their own types (e.g. ints), or None."""
        return None if self._backend.classes is None else list(self._backend.classes)

    @property
    def positive_label(self) -> Any:
        """The positive class, as the model spells it; InputError if ambiguous."""
        classes = self._backend.classes
        if classes is None:
            raise InputError(ERR_NO_CLASSES)
        return infer_positive_label(classes, self._requested_positive)

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        """Class labels for each row of ``frame``, as the model predicts them."""
        labels, _ = self._run(frame, want_scores=False)
        return labels

    def score(self, frame: pd.DataFrame) -> np.ndarray | None:
        """Score of the positive class for each row, or None if there is none.

        The probability of the positive class for models with ``predict_proba``;
        otherwise the decision function, oriented so that higher means the
        positive class.
        """
        return self.predict_and_score(frame)[1]

    def predict_with_threshold(
        self, frame: pd.DataFrame, threshold: float | None
    ) -> np.ndarray:
        """Decisions where the positive class's probability is >= ``threshold``.

        With ``threshold=None`` this is :meth:`predict`. A threshold needs a model
        with probabilities (``score_kind == "predict_proba"``).
        """
        return self.predict_and_score(frame, threshold=threshold)[0]

    def predict_and_score(
        self, frame: pd.DataFrame, *, threshold: float | None = None
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Decisions and positive-class scores from a single pass of the model."""
        if threshold is not None:
            _check_threshold(threshold)
            if self.info.score_kind != "predict_proba":
                shown = self.info.score_kind or "no scores"
                raise InputError(ERR_THRESHOLD_NO_PROBA.format(self.info.path, shown))
        want_scores = self.info.score_kind is not None
        labels, raw = self._run(frame, want_scores=want_scores)
        if raw is None:
            return labels, None
        scores = self._positive_scores(raw)
        if threshold is not None:
            classes = self._backend.classes_array()
            positive = self._positive_index()
            chosen = np.where(scores >= threshold, positive, 1 - positive)
            labels = classes[chosen]
        return labels, scores

    def _run(
        self, frame: pd.DataFrame, *, want_scores: bool
    ) -> tuple[np.ndarray, np.ndarray | None]:
        check_model_inputs(self, frame.columns)
        try:
            return self._backend.run(frame, want_scores=want_scores)
        except InputError:
            raise
        except Exception as exc:  # the model's own complaint about the data
            raise InputError(ERR_PREDICT.format(self.info.path, exc)) from exc

    def _positive_index(self) -> int:
        classes = self._backend.classes
        if classes is None:
            raise InputError(ERR_NO_CLASSES)
        positive = self.positive_label
        return next(i for i, c in enumerate(classes) if c == positive)

    def _positive_scores(self, raw: np.ndarray) -> np.ndarray:
        positive = self._positive_index()
        if raw.ndim == 2:
            return np.asarray(raw[:, positive], dtype=np.float64)
        # A binary decision function is positive for the second class.
        raw = np.asarray(raw, dtype=np.float64)
        return raw if positive == 1 else -raw


def detect_format(path: str | os.PathLike[str]) -> str:
    """Return the model format named by the file's suffix (see :data:`SUFFIXES`)."""
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(ERR_SUFFIX.format(os.fspath(path), ", ".join(SUFFIXES)))
    return SUFFIXES[suffix]


def load_model(
    path: str | os.PathLike[str],
    *,
    trust: bool = False,
    trusted_types: Iterable[str] | None = None,
    positive_label: Any = None,
    feature_names: Sequence[str] | None = None,
) -> LoadedModel:
    """Load a fitted binary classifier from ``path`` without running unvetted code.

    Parameters
    ----------
    path : str or path-like
        A ``.skops``, ``.onnx``, ``.joblib``, ``.pkl`` or ``.pickle`` file.
    trust : bool, default=False
        The user vouches for the file (``--trust-model``): allows pickle and
        joblib files and every type in a skops file.
    trusted_types : iterable of str, optional
        Fully qualified type names, as ``skops.io.get_untrusted_types`` lists
        them, that the user has reviewed and accepts in a skops file.
    positive_label : object, optional
        The favourable class; inferred for 0/1 and False/True classes.
    feature_names : sequence of str, optional
        The columns the model reads, in order, for models that do not record
        them (fitted on arrays, or ONNX graphs with one tensor input).

    Returns
    -------
    LoadedModel

    Raises
    ------
    UntrustedModelError
        The file would run code that the user has not trusted.
    InputError
        The file is missing, unreadable, corrupt, not a binary classifier, or
        onnxruntime is not installed for an ONNX file.
    """
    fmt = detect_format(path)
    shown = os.fspath(path)
    file = Path(path)
    if not file.exists():
        raise InputError(ERR_NOT_FOUND.format(shown))
    if not file.is_file():
        raise InputError(ERR_NOT_A_FILE.format(shown))
    if fmt in ("pickle", "joblib") and not trust:
        raise UntrustedModelError(ERR_PICKLE.format(shown, fmt))
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise InputError(ERR_UNREADABLE.format(shown, exc.strerror or exc)) from exc
    if not data:
        raise InputError(ERR_EMPTY.format(shown))
    digest = hashlib.sha256(data).hexdigest()
    names = None if feature_names is None else [str(n) for n in feature_names]

    backend: _Backend
    if fmt == "onnx":
        backend = _OnnxBackend.from_bytes(data, shown, names)
    else:
        if fmt == "skops":
            estimator = _load_skops(data, shown, trust, trusted_types)
        else:
            estimator = _load_pickle(data, shown, fmt)
        backend = _SklearnBackend.from_estimator(estimator, shown, names)
    logger.debug("loaded %s model %s (sha256 %s)", fmt, shown, digest)

    info = ModelInfo(
        path=shown,
        format=fmt,
        sha256=digest,
        trusted=bool(trust),
        estimator=backend.description,
        params=backend.params,
        feature_names=backend.feature_names,
        classes=None if backend.classes is None else [str(c) for c in backend.classes],
        score_kind=backend.score_kind,
    )
    return LoadedModel(info, backend, positive_label)


def check_model_inputs(model: LoadedModel, columns: Iterable[Any]) -> None:
    """Raise InputError listing the model's input columns absent from ``columns``."""
    names = model.info.feature_names
    if names is None:
        model._backend.require_feature_names()
        return
    present = {str(c) for c in columns}
    missing = [n for n in names if n not in present]
    if missing:
        plural = "s" if len(missing) > 1 else ""
        raise InputError(ERR_MISSING_COLUMNS.format(plural, _show(missing)))


def infer_positive_label(classes: Iterable[Any], positive_label: Any = None) -> Any:
    """Return the class that is the positive (favourable) outcome.

    A given ``positive_label`` must be one of the two classes, compared as is and
    as a string (configs hold strings: ``"1"`` matches the class ``1``, ``"true"``
    matches ``True``). Without one, classes 0/1 or False/True (also as strings)
    give 1 or True; any other pair is ambiguous.

    Returns
    -------
    object
        The matching class as the model spells it, as a plain Python value.

    Raises
    ------
    InputError
        There are not exactly two classes, the label is not one of them, or no
        label was given and none can be inferred.
    """
    values = [_plain(c) for c in classes]
    if len(values) != 2:
        raise InputError(ERR_NOT_BINARY.format(len(values), _show(values)))
    if positive_label is not None:
        wanted = _plain(positive_label)
        for value in values:
            if type(value) is type(wanted) and value == wanted:
                return value
        text = str(wanted)
        matches = [v for v in values if str(v) == text]
        if not matches:
            matches = [v for v in values if str(v).lower() == text.lower()]
        if len(matches) == 1:
            return matches[0]
        raise InputError(ERR_POSITIVE_LABEL.format(wanted, _show(values)))
    lowered = [str(v).lower() for v in values]
    for negative, positive in (("0", "1"), ("0.0", "1.0"), ("false", "true")):
        if sorted(lowered) == [negative, positive]:
            return values[lowered.index(positive)]
    raise InputError(ERR_NEED_POSITIVE_LABEL.format(_show(values)))


# Loading ---------------------------------------------------------------------


def _load_skops(
    data: bytes, shown: str, trust: bool, trusted_types: Iterable[str] | None
) -> Any:
    import skops.io

    try:
        untrusted = skops.io.get_untrusted_types(data=data)
    except Exception as exc:  # not a zip, or no skops schema in it
        raise InputError(ERR_CORRUPT.format(shown, "skops", exc)) from exc
    accepted = set(trusted_types or ())
    refused = [t for t in untrusted if t not in accepted]
    if refused and not trust:
        raise UntrustedModelError(ERR_UNTRUSTED_TYPES.format(shown, ", ".join(refused)))
    if untrusted:
        logger.info("trusting types in %s: %s", shown, ", ".join(untrusted))
    try:
        return skops.io.loads(data, trusted=untrusted)
    except Exception as exc:
        raise InputError(ERR_CORRUPT.format(shown, "skops", exc)) from exc


def _load_pickle(data: bytes, shown: str, fmt: str) -> Any:
    # Only reached with trust. joblib reads plain pickles as well as its own files,
    # and models saved with joblib.dump are often named .pkl.
    import joblib

    try:
        return joblib.load(io.BytesIO(data))
    except Exception as exc:
        raise InputError(ERR_CORRUPT.format(shown, fmt, exc)) from exc


# Backends ---------------------------------------------------------------------


class _Backend:
    """What :class:`LoadedModel` needs from a format (private)."""

    description: str
    params: dict[str, ParamValue]
    feature_names: list[str] | None
    classes: list[Any] | None
    score_kind: ScoreKind | None

    def run(
        self, frame: pd.DataFrame, *, want_scores: bool
    ) -> tuple[np.ndarray, np.ndarray | None]:
        raise NotImplementedError

    def classes_array(self) -> np.ndarray:
        raise NotImplementedError

    def require_feature_names(self) -> None:
        """Raise InputError if the model cannot run without known feature names."""


class _SklearnBackend(_Backend):
    def __init__(
        self,
        estimator: Any,
        *,
        description: str,
        params: dict[str, ParamValue],
        feature_names: list[str] | None,
        classes: list[Any] | None,
        score_kind: ScoreKind | None,
        shown: str,
    ) -> None:
        self.estimator = estimator
        self.description = description
        self.params = params
        self.feature_names = feature_names
        self.classes = classes
        self.score_kind = score_kind
        self._shown = shown

    @classmethod
    def from_estimator(
        cls, estimator: Any, shown: str, feature_names: list[str] | None
    ) -> _SklearnBackend:
        if not callable(getattr(estimator, "predict", None)):
            raise InputError(ERR_NO_PREDICT.format(shown, type(estimator).__name__))
        if callable(getattr(estimator, "fit", None)):
            from sklearn.exceptions import NotFittedError
            from sklearn.utils.validation import check_is_fitted

            try:
                check_is_fitted(estimator)
            except NotFittedError as exc:
                raise InputError(ERR_NOT_FITTED.format(shown, exc)) from exc
            except TypeError:  # not a scikit-learn estimator after all
                pass

        fitted_names = getattr(estimator, "feature_names_in_", None)
        if fitted_names is not None:
            fitted = [str(n) for n in fitted_names]
            if feature_names is not None and feature_names != fitted:
                raise InputError(
                    ERR_FEATURE_NAMES.format(_show(feature_names), _show(fitted))
                )
            feature_names = fitted

        classes = getattr(estimator, "classes_", None)
        score_kind: ScoreKind | None = None
        if hasattr(estimator, "predict_proba"):
            score_kind = "predict_proba"
        elif hasattr(estimator, "decision_function"):
            score_kind = "decision_function"
        return cls(
            estimator,
            description=_describe(estimator),
            params=final_params(estimator),
            feature_names=feature_names,
            classes=None if classes is None else list(classes),
            score_kind=score_kind,
            shown=shown,
        )

    def classes_array(self) -> np.ndarray:
        return np.asarray(self.estimator.classes_)

    def run(
        self, frame: pd.DataFrame, *, want_scores: bool
    ) -> tuple[np.ndarray, np.ndarray | None]:
        data = self._select(frame)
        if len(frame) == 0:
            empty = np.asarray(self.classes or [])[:0]
            return empty, (np.empty(0) if want_scores else None)
        labels = np.asarray(self.estimator.predict(data))
        if not want_scores or self.score_kind is None:
            return labels, None
        if self.score_kind == "predict_proba":
            raw = self.estimator.predict_proba(data)
        else:
            raw = self.estimator.decision_function(data)
        return labels, np.asarray(raw)

    def _select(self, frame: pd.DataFrame) -> Any:
        if self.feature_names is None:
            expected = getattr(self.estimator, "n_features_in_", None)
            if expected is not None and expected != frame.shape[1]:
                raise InputError(ERR_WIDTH.format(expected, frame.shape[1]))
            return frame.to_numpy()
        if hasattr(self.estimator, "feature_names_in_"):
            return frame[self.feature_names]
        # Fitted on an array: pass one, in the order the user gave.
        return frame[self.feature_names].to_numpy()


class _OnnxBackend(_Backend):
    def __init__(
        self,
        session: Any,
        *,
        shown: str,
        facts: _OnnxFacts,
        feature_names: list[str] | None,
        tensor_input: bool,
        label_index: int,
        proba_index: int | None,
    ) -> None:
        self.session = session
        self._shown = shown
        self._inputs = session.get_inputs()
        self._output_names = [o.name for o in session.get_outputs()]
        self._tensor_input = tensor_input
        self._label_index = label_index
        self._proba_index = proba_index
        producer = " ".join(p for p in (facts.producer, facts.producer_version) if p)
        self.description = f"ONNX graph {producer}".strip()
        params: dict[str, ParamValue] = {}
        if facts.classifier_op is not None:
            params["classifier_op"] = facts.classifier_op
        if facts.producer_version:
            params["producer_version"] = facts.producer_version
        params["opset"] = facts.opset
        self.params = params
        self.feature_names = feature_names
        self.classes = facts.classes
        self.score_kind = "predict_proba" if proba_index is not None else None

    @classmethod
    def from_bytes(
        cls, data: bytes, shown: str, feature_names: list[str] | None
    ) -> _OnnxBackend:
        try:
            import onnxruntime
        except ImportError as exc:
            raise InputError(ERR_NO_ONNXRUNTIME.format(shown)) from exc
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3  # errors only; warnings would reach stderr
        try:
            session = onnxruntime.InferenceSession(
                data, sess_options=options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:
            raise InputError(ERR_CORRUPT.format(shown, "ONNX", exc)) from exc
        facts = _onnx_facts(data)

        inputs = session.get_inputs()
        for node in inputs:
            if node.type not in _ONNX_DTYPES:
                raise InputError(ERR_ONNX_INPUT_TYPE.format(node.name, node.type))
        if feature_names is None:
            feature_names = _metadata_feature_names(session)
        tensor_input = len(inputs) == 1 and (
            feature_names is not None or _width(inputs[0]) != 1
        )
        if tensor_input:
            width = _width(inputs[0])
            if feature_names is not None and width not in (None, len(feature_names)):
                raise InputError(
                    ERR_ONNX_WIDTH.format(
                        inputs[0].name, width, len(feature_names), _show(feature_names)
                    )
                )
        else:
            names = [node.name for node in inputs]
            if feature_names is not None and feature_names != names:
                raise InputError(
                    ERR_FEATURE_NAMES.format(_show(feature_names), _show(names))
                )
            feature_names = names

        label_index, proba_index = _pick_outputs(session.get_outputs())
        if label_index is None:
            raise InputError(ERR_ONNX_NO_LABEL.format(shown))
        return cls(
            session,
            shown=shown,
            facts=facts,
            feature_names=feature_names,
            tensor_input=tensor_input,
            label_index=label_index,
            proba_index=proba_index,
        )

    def require_feature_names(self) -> None:
        if self.feature_names is None:
            node = self._inputs[0]
            width = _width(node)
            raise InputError(
                ERR_ONNX_FEATURE_NAMES.format(
                    self._shown, node.name, "unknown" if width is None else width
                )
            )

    def classes_array(self) -> np.ndarray:
        classes = self.classes or []
        if any(isinstance(c, str) for c in classes):
            return np.array(classes, dtype=object)
        return np.asarray(classes)

    def run(
        self, frame: pd.DataFrame, *, want_scores: bool
    ) -> tuple[np.ndarray, np.ndarray | None]:
        self.require_feature_names()
        assert self.feature_names is not None
        if self._tensor_input:
            node = self._inputs[0]
            feed = {node.name: _onnx_array(frame, self.feature_names, node)}
        else:
            feed = {
                node.name: _onnx_array(frame, [node.name], node)
                for node in self._inputs
            }
        wanted = [self._output_names[self._label_index]]
        if want_scores and self._proba_index is not None:
            wanted.append(self._output_names[self._proba_index])
        outputs = self.session.run(wanted, feed)

        labels = np.asarray(outputs[0]).ravel()
        if labels.dtype.kind == "U":
            labels = labels.astype(object)
        if len(outputs) == 1:
            return labels, None
        raw = outputs[1]
        if isinstance(raw, list):  # ZipMap: one {class: probability} per row
            if self.classes is None:
                raise InputError(ERR_NO_CLASSES)
            proba = np.array(
                [[row[c] for c in self.classes] for row in raw], dtype=np.float64
            ).reshape(len(raw), len(self.classes))
        else:
            proba = np.asarray(raw, dtype=np.float64)
            if proba.ndim == 1:
                proba = proba.reshape(-1, 1)
        return labels, proba


# ONNX helpers -------------------------------------------------------------------


def _width(node: Any) -> int | None:
    shape = node.shape
    if not shape:
        return None
    if len(shape) == 1:
        return 1
    last = shape[-1]
    return last if isinstance(last, int) else None


def _metadata_feature_names(session: Any) -> list[str] | None:
    text = session.get_modelmeta().custom_metadata_map.get("feature_names")
    if text is None:
        return None
    try:
        names = json.loads(text)
    except ValueError:
        names = None
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise InputError(
            "the ONNX metadata key 'feature_names' must hold a JSON list of strings; "
            f"got {text!r}"
        )
    return names


def _pick_outputs(outputs: Sequence[Any]) -> tuple[int | None, int | None]:
    """Find the label output and the probability output of a classifier graph."""
    label = next(
        (
            i
            for i, o in enumerate(outputs)
            if "label" in o.name.lower() and o.type in _ONNX_LABEL_TYPES
        ),
        None,
    )
    if label is None:
        label = next(
            (i for i, o in enumerate(outputs) if o.type in _ONNX_LABEL_TYPES), None
        )
    others = [i for i in range(len(outputs)) if i != label]
    proba = next((i for i in others if outputs[i].type.startswith("seq(map(")), None)
    if proba is None:
        proba = next(
            (
                i
                for i in others
                if outputs[i].type in ("tensor(float)", "tensor(double)")
            ),
            None,
        )
    return label, proba


def _onnx_array(frame: pd.DataFrame, columns: list[str], node: Any) -> np.ndarray:
    """The columns as one array of the input's element type and rank."""
    values = frame[columns]
    dtype = _ONNX_DTYPES[node.type]
    plural = "s" if len(columns) > 1 else ""
    shown = ", ".join(columns)
    missing = values.isna().to_numpy().any()
    if dtype is object:
        if missing:
            verb = "ve" if plural else "s"
            raise InputError(
                ERR_ONNX_MISSING.format(plural, shown, node.name, node.type, verb)
            )
        array = values.astype(str).to_numpy(dtype=object)
    elif dtype is np.bool_:
        array = values.to_numpy(dtype=np.bool_)
    else:
        try:
            numbers = values.to_numpy(dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise InputError(
                ERR_ONNX_NOT_NUMERIC.format(plural, shown, node.name, node.type, exc)
            ) from exc
        if np.issubdtype(dtype, np.integer):
            if missing:
                verb = "ve" if plural else "s"
                raise InputError(
                    ERR_ONNX_MISSING.format(plural, shown, node.name, node.type, verb)
                )
            if not np.array_equal(numbers, np.round(numbers)):
                raise InputError(
                    ERR_ONNX_NOT_NUMERIC.format(
                        plural, shown, node.name, node.type, "values are not integers"
                    )
                )
        array = numbers.astype(dtype)
    if len(node.shape) == 1:
        return array.ravel()
    return array.reshape(len(frame), len(columns))


@dataclass(frozen=True)
class _OnnxFacts:
    producer: str = ""
    producer_version: str = ""
    opset: int | None = None
    classifier_op: str | None = None
    classes: list[Any] | None = None


def _onnx_facts(data: bytes) -> _OnnxFacts:
    """Read the producer and the class labels from a serialized ONNX ModelProto.

    onnxruntime does not expose a graph's nodes, and the ``onnx`` package is not
    a dependency, so this reads the few protobuf fields it needs directly. The
    classes come from the ZipMap node if there is one (its keys label the
    probabilities), else from the first ``ai.onnx.ml`` classifier node.
    Limitation: classifier nodes inside subgraphs or functions are not searched.
    """
    try:
        return _parse_model(memoryview(data))
    except (ValueError, IndexError, UnicodeDecodeError) as exc:
        logger.warning("could not read the class labels of the ONNX graph: %s", exc)
        return _OnnxFacts()


def _parse_model(buf: memoryview) -> _OnnxFacts:
    producer = version = ""
    opset: int | None = None
    graph = None
    for number, _, value in _fields(buf):
        if number == 2 and isinstance(value, memoryview):
            producer = bytes(value).decode()
        elif number == 3 and isinstance(value, memoryview):
            version = bytes(value).decode()
        elif number == 8 and isinstance(value, memoryview):  # opset_import
            domain, level = "", None
            for field_number, _, item in _fields(value):
                if field_number == 1 and isinstance(item, memoryview):
                    domain = bytes(item).decode()
                elif field_number == 2 and isinstance(item, int):
                    level = item
            if domain in ("", "ai.onnx"):
                opset = level
        elif number == 7 and isinstance(value, memoryview):
            graph = value

    zipmap: list[Any] | None = None
    classifier_op: str | None = None
    classifier_labels: list[Any] | None = None
    for op, labels in _classifier_nodes(graph) if graph is not None else ():
        if op == "ZipMap":
            zipmap = labels if zipmap is None else zipmap
        elif classifier_op is None:
            classifier_op, classifier_labels = op, labels
    return _OnnxFacts(
        producer=producer,
        producer_version=version,
        opset=opset,
        classifier_op=classifier_op,
        classes=zipmap if zipmap is not None else classifier_labels,
    )


def _classifier_nodes(graph: memoryview) -> Iterator[tuple[str, list[Any]]]:
    """Yield (op_type, class labels) for each node with a classlabels attribute."""
    for number, _, node in _fields(graph):
        if number != 1 or not isinstance(node, memoryview):
            continue
        op = ""
        labels: list[Any] = []
        for field_number, _, value in _fields(node):
            if field_number == 4 and isinstance(value, memoryview):
                op = bytes(value).decode()
            elif field_number == 5 and isinstance(value, memoryview):
                labels.extend(_class_labels(value))
        if labels:
            yield op, labels


def _class_labels(attribute: memoryview) -> list[Any]:
    name = ""
    ints: list[int] = []
    strings: list[str] = []
    for number, wire, value in _fields(attribute):
        if number == 1 and isinstance(value, memoryview):
            name = bytes(value).decode()
        elif number == 8:  # ints, packed or not
            if wire == 2 and isinstance(value, memoryview):
                pos = 0
                while pos < len(value):
                    item, pos = _varint(value, pos)
                    ints.append(_signed(item))
            elif isinstance(value, int):
                ints.append(_signed(value))
        elif number == 9 and isinstance(value, memoryview):
            strings.append(bytes(value).decode())
    if name in ("classlabels_int64s", "classlabels_ints"):
        return ints
    if name == "classlabels_strings":
        return strings
    return []


def _fields(buf: memoryview) -> Iterator[tuple[int, int, int | memoryview]]:
    """Yield (field number, wire type, value) for each field of a protobuf message."""
    pos = 0
    end = len(buf)
    while pos < end:
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        value: int | memoryview
        if wire == 0:
            value, pos = _varint(buf, pos)
        elif wire == 1:
            value, pos = buf[pos : pos + 8], pos + 8
        elif wire == 2:
            length, pos = _varint(buf, pos)
            value, pos = buf[pos : pos + length], pos + length
        elif wire == 5:
            value, pos = buf[pos : pos + 4], pos + 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        if pos > end:
            raise ValueError("truncated protobuf message")
        yield number, wire, value


def _varint(buf: memoryview, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise ValueError("malformed protobuf varint")


def _signed(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


# Describing estimators ---------------------------------------------------------


def _describe(estimator: Any) -> str:
    """``Pipeline(ColumnTransformer, LogisticRegression)`` style class names."""
    name = type(estimator).__name__
    steps = getattr(estimator, "steps", None)
    if isinstance(steps, list) and steps:
        parts = [_step_name(step) for _, step in steps]
        return f"{name}({', '.join(parts)})"
    return name


def _step_name(step: Any) -> str:
    if step is None or (isinstance(step, str) and step == "passthrough"):
        return "passthrough"
    return type(step).__name__


def final_params(estimator: Any) -> dict[str, ParamValue]:
    """Hyperparameters of a model's final step as JSON values, stable across runs."""
    steps = getattr(estimator, "steps", None)
    final = steps[-1][1] if isinstance(steps, list) and steps else estimator
    get_params = getattr(final, "get_params", None)
    if not callable(get_params):
        return {}
    try:
        params = get_params(deep=False)
    except Exception:  # a hand-written class with an unusual get_params
        return {}
    return {str(k): _json_safe(params[k]) for k in sorted(params)}


def _json_safe(value: Any) -> ParamValue:
    """A hyperparameter as a JSON value, the same text on every run."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        return number if math.isfinite(number) else str(number)
    if isinstance(value, type):
        return f"{value.__module__}.{value.__qualname__}"
    if callable(getattr(value, "get_params", None)):
        return type(value).__name__
    if callable(value) and hasattr(value, "__qualname__"):
        return f"{getattr(value, '__module__', None) or ''}.{value.__qualname__}"
    if isinstance(value, (dict, list, tuple)):
        try:
            return json.dumps(value, sort_keys=True, default=_json_safe)
        except (TypeError, ValueError):
            pass
    return _ADDRESS.sub("", repr(value))


def _plain(value: Any) -> Any:
    """numpy scalars as the Python values they hold."""
    return value.item() if isinstance(value, np.generic) else value


def _show(values: Iterable[Any]) -> str:
    return ", ".join(repr(_plain(v)) for v in values)


def _check_threshold(threshold: Any) -> None:
    try:
        number = float(threshold)
    except (TypeError, ValueError):
        number = math.nan
    if isinstance(threshold, bool) or not 0.0 <= number <= 1.0:
        raise InputError(ERR_THRESHOLD_RANGE.format(threshold))
