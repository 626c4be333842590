"""Transparency facts: the model card and the global feature importance.

:func:`permutation_importance` measures how much a model's balanced accuracy on
the evaluation set drops when one feature's values are shuffled, for any
``predict`` callable, so it serves models trained here and models loaded from a
file alike. :func:`build_model_card` gathers the nine sections of a model card
(Mitchell et al., 2019) from the run and from the config; facts only a person can
state are never invented: when missing they are listed as open items.

Limitation: permutation importance measures reliance on a feature *given the
others*; two strongly correlated features share their importance and each may
look unimportant. It explains the model globally, not any single decision.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from reportgen.fairness import metrics as m

PERSON_SUPPLIED = {
    "owner": "Owner of the system (model details)",
    "intended_use": "Intended use",
    "out_of_scope_uses": "Out-of-scope uses",
    "ethical_considerations": "Ethical considerations",
    "limitations": "Caveats and known limitations",
}
TRANSPARENCY_DEFINITIONS: dict[str, str] = {
    "permutation importance": "Mean drop in balanced accuracy on the evaluation "
    "rows when one feature's values are shuffled, breaking its link with the "
    "outcome.",
    "k-anonymity": "Size of the smallest group of rows sharing the same values of "
    "the quasi-identifiers; every person hides among at least k - 1 others.",
    "l-diversity": "Fewest distinct values of the sensitive column within any such "
    "group of rows.",
    "Cramér's V": "Strength of association between two categorical columns, from 0 "
    "(independent) to 1 (one determines the other); bias-corrected.",
    "proxy AUC": "Cross-validated AUC of predicting a protected group from one "
    "feature alone; 0.5 is no information.",
}
NO_EXPLANATION = (
    "No explanation is possible: the audit took the system's decisions as given "
    "and had no access to the model that made them."
)


@dataclass(frozen=True)
class FeatureImportance:
    """Mean drop in balanced accuracy when a feature is shuffled, with its spread."""

    feature: str
    importance: float
    std: float
    rank: int


@dataclass(frozen=True)
class ExplanationSection:
    """Global explanation of the model, or why there is none."""

    method: str | None
    metric: str | None
    repeats: int | None
    evaluation_rows: int | None
    importances: list[FeatureImportance] = field(default_factory=list)
    note: str | None = None


@dataclass(frozen=True)
class ModelCard:
    """The nine sections of a model card, filled from the run and the config."""

    model_details: dict[str, str | None]
    intended_use: dict[str, str | None]
    factors: list[str]
    metrics: list[str]
    evaluation_data: str
    training_data: str
    quantitative_analyses: str
    ethical_considerations: str | None
    caveats_and_recommendations: list[str]
    open_items: list[str] = field(default_factory=list)


def permutation_importance(
    predict: Callable,
    frame,
    y_true: np.ndarray,
    features: list[str],
    *,
    n_repeats: int = 5,
    seed: int = 0,
) -> list[FeatureImportance]:
    """Permutation importance of each feature on balanced accuracy.

    Parameters
    ----------
    predict : callable
        Maps a DataFrame with ``features`` to 0/1 decisions.
    frame : DataFrame
        Evaluation rows.
    y_true : ndarray of shape (n_samples,)
        True outcomes, 0/1.
    features : list of str
        Columns to shuffle, one at a time.

    Returns
    -------
    list of FeatureImportance
        Sorted by decreasing importance.
    """
    rng = np.random.default_rng(seed)
    baseline = _balanced_accuracy(y_true, predict(frame))
    results = []
    for feature in features:
        drops = []
        for _ in range(n_repeats):
            shuffled = frame.copy()
            order = rng.permutation(len(frame))
            shuffled[feature] = frame[feature].to_numpy()[order]
            drops.append(baseline - _balanced_accuracy(y_true, predict(shuffled)))
        results.append((feature, float(np.mean(drops)), float(np.std(drops))))
    results.sort(key=lambda r: (-r[1], r[0]))
    return [
        FeatureImportance(feature=f, importance=imp, std=std, rank=i + 1)
        for i, (f, imp, std) in enumerate(results)
    ]


def _balanced_accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    cells = np.bincount(
        np.asarray(y_true, dtype=np.int64) * 2 + np.asarray(y_pred, dtype=np.int64),
        minlength=4,
    )
    value = m.overall_metrics(cells)["balanced_accuracy"]
    return 0.0 if np.isnan(value) else value


def build_model_card(
    *,
    metadata,
    dataset,
    model,
    performance,
    fairness,
    checks,
) -> ModelCard:
    """Assemble the model card from the report's computed sections."""
    open_items = [
        label for name, label in PERSON_SUPPLIED.items() if not getattr(metadata, name)
    ]
    if model.mode == "decisions":
        estimator = "not available: decisions were audited as given"
        training = (
            "Not available to the auditor: the decisions were made by a deployed "
            "system whose training data was not provided."
        )
    elif model.mode == "loaded":
        estimator = f"{model.estimator} (loaded from {model.model_file})"
        training = (
            "Not available to the auditor: the model was trained elsewhere and "
            "provided as a fitted file."
        )
        open_items.append("Training data description (the model was provided fitted)")
    else:
        estimator = model.estimator
        training = (
            f"{model.train_rows:,} rows of {dataset.source}, stratified by "
            f"{' × '.join(model.stratified_by)}; {len(model.features)} features."
        )
    evaluation = f"{model.evaluation_rows:,} rows of {dataset.source}" + (
        f" held out from training ({model.test_size:.0%})."
        if model.mode == "trained"
        else "."
    )
    small = sorted(
        {
            g.group
            for a in fairness
            for g in a.groups
            if g.too_small and not g.is_unknown
        }
    )
    caveats = []
    if metadata.limitations:
        caveats.append(metadata.limitations)
    if small:
        caveats.append(
            f"{len(small)} groups are too small to judge; their figures carry wide "
            "intervals and are not evidence of fairness."
        )
    attention = [c for c in checks if c.status in ("fail", "inconclusive")]
    if attention:
        caveats.append(
            f"{len(attention)} checks failed or were inconclusive; see the checks "
            "section before relying on the model for the protected groups."
        )
    acc = performance.balanced_accuracy
    return ModelCard(
        model_details={
            "system": metadata.system_name,
            "version": metadata.system_version,
            "owner": metadata.owner,
            "estimator": estimator,
            "decision threshold": None
            if model.decision_threshold is None
            else str(model.decision_threshold),
        },
        intended_use={
            "intended use": metadata.intended_use,
            "out-of-scope uses": metadata.out_of_scope_uses,
        },
        factors=[a.name for a in fairness],
        metrics=[
            "selection rate and impact ratio (four-fifths rule)",
            "true and false positive rates, false negative rate, precision",
            "accuracy, balanced accuracy, F1 and macro F1",
            "all with confidence intervals; see the methodology appendix",
        ],
        evaluation_data=evaluation,
        training_data=training,
        quantitative_analyses=(
            f"Balanced accuracy {acc:.3f} overall"
            + (
                " ({:.3f} to {:.3f}, {})".format(
                    *performance.balanced_accuracy_ci, "confidence interval"
                )
                if performance.balanced_accuracy_ci
                else ""
            )
            + "; disaggregated by "
            + ", ".join(a.name for a in fairness)
            + " in the fairness sections."
            if acc is not None
            else "Disaggregated metrics are in the fairness sections."
        ),
        ethical_considerations=metadata.ethical_considerations,
        caveats_and_recommendations=caveats,
        open_items=open_items,
    )
