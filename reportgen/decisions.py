"""How the decisions under audit come about: trained here, or given.

:func:`decide` returns the :class:`Decisions` of an audit: the evaluation rows
with their true outcomes, 0/1 decisions and optional scores, the model section of
the report, and a function that decides on new rows (for feature importance).
A model trained here is evaluated on a held-out split; decisions given in a column
are taken as they are; a model loaded from a file is handled by
:mod:`reportgen.modeling`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from reportgen.config import AuditConfig
from reportgen.data import binary_outcome
from reportgen.errors import InputError
from reportgen.report import ModelSection

ERR_SCORE_NOT_NUMERIC = "score column {!r} must be numeric"


@dataclass(frozen=True)
class Decisions:
    """The decisions under audit, aligned with ``frame`` (the evaluation rows)."""

    frame: Any
    y_true: np.ndarray
    y_pred: np.ndarray
    y_score: np.ndarray | None
    model: ModelSection
    rows_dropped: int = 0
    drop_reason: str | None = None
    pipeline: Any = None
    predict01: Callable[[Any], np.ndarray] | None = None
    model_features: list[str] = field(default_factory=list)


def model_features(config: AuditConfig, columns: list[str]) -> list[str]:
    if config.mode == "decisions":
        return []
    if config.features is not None:
        return list(config.features)
    skip = {config.target, *config.exclude_features}
    if not config.protected_as_features:
        skip.update(config.protected_names)
    return [c for c in columns if c not in skip]


def decide(config, frame, y_all, labels, features, progress) -> Decisions:
    if config.mode == "decisions":
        return _given_decisions(config, frame, y_all, labels)
    if config.mode == "loaded":
        from reportgen.modeling import decisions_of_model

        progress(f"Scoring with {config.model.path.name}")
        return decisions_of_model(config, frame, y_all, labels)
    from reportgen.training import train_and_evaluate

    progress(f"Training {config.model.type.replace('_', ' ')}")
    result = train_and_evaluate(
        frame,
        y_all,
        features=features,
        protected=config.protected_names,
        model_type=config.model.type,
        params=config.model.params,
        class_weight=config.model.class_weight,
        test_size=config.split.test_size,
        stratify_by_groups=config.split.stratify_by_groups,
        missing=config.missing,
        seed=config.seed,
    )
    y_pred = result.y_pred
    threshold = config.model.threshold
    if threshold is not None:
        y_pred = (result.y_score >= threshold).astype(np.int8)
    evaluation = frame.iloc[result.test_index].reset_index(drop=True)
    preprocessing = [
        f"numeric ({len(result.numeric_features)}): median imputation, standard "
        "scaling",
        f"categorical ({len(result.categorical_features)}): most-frequent "
        "imputation, one-hot encoding (unseen categories ignored)",
    ]
    if config.missing == "drop":
        preprocessing.insert(0, "rows with a missing feature dropped before the split")
    model = ModelSection(
        mode="trained",
        estimator=result.estimator_name,
        params=result.params,
        features=result.features,
        train_rows=len(result.train_index),
        evaluation_rows=len(result.test_index),
        test_size=config.split.test_size,
        stratified_by=result.stratified_by,
        class_weight=config.model.class_weight,
        decision_threshold=threshold if threshold is not None else 0.5,
        preprocessing=preprocessing,
    )
    return Decisions(
        frame=evaluation,
        y_true=y_all[result.test_index],
        y_pred=y_pred,
        y_score=result.y_score,
        model=model,
        rows_dropped=result.rows_dropped,
        drop_reason=f"{result.rows_dropped} rows with missing features"
        if result.rows_dropped
        else None,
        pipeline=result.pipeline,
        predict01=_pipeline_decider(result.pipeline, result.features, threshold),
        model_features=result.features,
    )


def _pipeline_decider(pipeline, features, threshold):
    """A function giving the 0/1 decisions of a trained pipeline on a frame."""

    def predict01(frame) -> np.ndarray:
        if threshold is None:
            return pipeline.predict(frame[features]).astype(np.int8)
        positive = list(pipeline.classes_).index(1)
        score = pipeline.predict_proba(frame[features])[:, positive]
        return (score >= threshold).astype(np.int8)

    return predict01


def _given_decisions(config, frame, y_all, labels) -> Decisions:
    column = config.predictions.column
    has_decision = frame[column].notna().to_numpy()
    missing = int((~has_decision).sum())
    kept = frame.loc[has_decision].reset_index(drop=True) if missing else frame
    y_pred = binary_outcome(kept[column], labels)
    y_true = y_all[has_decision] if missing else y_all
    score = None
    score_column = config.predictions.score_column
    if score_column:
        from pandas.api.types import is_numeric_dtype

        if not is_numeric_dtype(kept[score_column]):
            raise InputError(ERR_SCORE_NOT_NUMERIC.format(score_column))
        score = kept[score_column].to_numpy(dtype=float)
    model = ModelSection(
        mode="decisions",
        evaluation_rows=len(kept),
        prediction_column=column,
        score_column=score_column,
    )
    return Decisions(
        frame=kept,
        y_true=y_true,
        y_pred=y_pred,
        y_score=score,
        model=model,
        rows_dropped=missing,
        drop_reason=f"{missing} rows without a decision" if missing else None,
    )
