"""Audit a fitted model the user already has, on the data they give.

:func:`decisions_of_model` loads the model file safely (see
:mod:`reportgen.models`), checks that the data has the columns the model expects,
and scores every labelled row: the data given is the user's evaluation set, so
nothing is held out or retrained. Decisions are compared with the target as text
(``1`` and ``"1"`` are the same label), so a model trained on integer labels can
be audited against a CSV target.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from reportgen.config import AuditConfig
from reportgen.data import BinaryLabels, binary_outcome
from reportgen.decisions import Decisions
from reportgen.models import load_model
from reportgen.report import ModelSection


def decisions_of_model(
    config: AuditConfig, frame: pd.DataFrame, y_true: np.ndarray, labels: BinaryLabels
) -> Decisions:
    """Score ``frame`` with the model file named in the config."""
    settings = config.model
    model = load_model(
        settings.path,
        trust=settings.trust,
        trusted_types=settings.trusted_types or None,
        positive_label=labels.positive,
        feature_names=settings.feature_names,
    )
    y_pred_labels, y_score = model.predict_and_score(
        frame, threshold=settings.threshold
    )
    decisions = pd.Series(np.asarray(y_pred_labels), name="model decision")
    y_pred = binary_outcome(decisions, labels)
    info = model.info
    threshold = settings.threshold
    section = ModelSection(
        mode="loaded",
        estimator=info.estimator,
        params=dict(info.params),
        features=list(info.feature_names or []),
        evaluation_rows=len(frame),
        decision_threshold=threshold,
        model_file=settings.path.name,
        model_format=info.format,
        model_sha256=info.sha256,
        model_trusted=info.trusted,
        preprocessing=["as fitted inside the model file; not re-trained"],
    )
    return Decisions(
        frame=frame,
        y_true=y_true,
        y_pred=y_pred,
        y_score=y_score,
        model=section,
        pipeline=model,
        predict01=lambda f: binary_outcome(
            pd.Series(np.asarray(model.predict_and_score(f, threshold=threshold)[0])),
            labels,
        ),
        model_features=[c for c in (info.feature_names or []) if c in frame.columns],
    )
