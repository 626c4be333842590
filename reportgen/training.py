"""The train-and-evaluate core: clean, split, train and predict with scikit-learn.

:func:`train_and_evaluate` takes a DataFrame and returns the fitted pipeline with
its decisions on a held-out evaluation set. The split is stratified jointly by the
label and the protected groups, so each group keeps its share and its base rate
in both parts. Strata too small to split (fewer than two rows) fall back to
stratification by label alone.

Preprocessing: numeric features are imputed with the median and standardised;
other features are imputed with the most frequent value and one-hot encoded
(categories unseen in training are ignored). With ``missing="drop"`` rows with a
missing feature are dropped before the split instead of imputed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from reportgen.errors import InputError
from reportgen.models import final_params

if TYPE_CHECKING:
    import pandas as pd

ERR_PARAMS = "invalid parameters for {}: {}"
ERR_TOO_FEW = (
    "too few rows to split into training and evaluation sets ({} rows, {} of the "
    "smaller class); at least 10 rows and 2 of each class are needed"
)
ERR_NO_FEATURES = "no feature columns are left to train on; list them under features"

ESTIMATORS = {
    "logistic_regression": "sklearn.linear_model.LogisticRegression",
    "random_forest": "sklearn.ensemble.RandomForestClassifier",
    "gradient_boosting": "sklearn.ensemble.GradientBoostingClassifier",
}
DEFAULT_PARAMS: dict[str, dict[str, Any]] = {
    "logistic_regression": {"max_iter": 1000},
    "random_forest": {"n_estimators": 200, "min_samples_leaf": 2},
    "gradient_boosting": {},
}


@dataclass(frozen=True)
class TrainingResult:
    """A fitted pipeline and its decisions on the evaluation set."""

    pipeline: Any
    estimator_name: str
    params: dict[str, Any]
    features: list[str]
    numeric_features: list[str]
    categorical_features: list[str]
    train_index: np.ndarray
    test_index: np.ndarray
    y_pred: np.ndarray
    y_score: np.ndarray
    rows_dropped: int
    stratified_by: list[str]


def build_pipeline(
    frame: pd.DataFrame,
    features: list[str],
    *,
    model_type: str,
    params: dict[str, Any],
    class_weight: str | None,
    seed: int,
):
    """An unfitted preprocessing + estimator pipeline for the given features."""
    import importlib

    from pandas.api.types import is_bool_dtype, is_numeric_dtype
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    numeric = [
        c
        for c in features
        if is_numeric_dtype(frame[c]) and not is_bool_dtype(frame[c])
    ]
    categorical = [c for c in features if c not in set(numeric)]
    transformers = []
    if numeric:
        numeric_steps = Pipeline(
            [("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())]
        )
        transformers.append(("numeric", numeric_steps, numeric))
    if categorical:
        categorical_steps = Pipeline(
            [
                ("impute", SimpleImputer(strategy="most_frequent")),
                ("one_hot", OneHotEncoder(handle_unknown="ignore")),
            ]
        )
        transformers.append(("categorical", categorical_steps, categorical))
    preprocess = ColumnTransformer(transformers)

    module_name, class_name = ESTIMATORS[model_type].rsplit(".", 1)
    estimator_class = getattr(importlib.import_module(module_name), class_name)
    settings = {**DEFAULT_PARAMS[model_type], **params}
    if "random_state" in estimator_class().get_params():
        settings.setdefault("random_state", seed)
    if class_weight is not None:
        settings["class_weight"] = class_weight
    try:
        estimator = estimator_class(**settings)
        estimator._validate_params()
    except (TypeError, ValueError) as error:
        message = str(error).splitlines()[0]
        raise InputError(ERR_PARAMS.format(model_type, message)) from None
    pipeline = Pipeline([("preprocess", preprocess), ("model", estimator)])
    return pipeline, numeric, categorical


def stratification_key(y: np.ndarray, groups: pd.DataFrame) -> np.ndarray:
    """A key per row combining the label and every protected group.

    Rows of a combination with fewer than two members use the label alone, and
    a single row left alone even so joins the largest stratum of its label, so
    that a stratified split is always possible.
    """
    import pandas as pd

    parts = [pd.Series(y, index=groups.index).astype(str)]
    parts += [groups[c].astype("string").fillna("<missing>") for c in groups.columns]
    key = parts[0]
    for part in parts[1:]:
        key = key + "\x1f" + part
    sizes = key.map(key.value_counts())
    key = key.where(sizes >= 2, "label:" + parts[0])
    # A label-only fallback stratum can itself be a single row: join it to the
    # largest stratum of the same label.
    sizes = key.map(key.value_counts())
    for index in key.index[sizes < 2]:
        same_label = key[(parts[0] == parts[0][index]) & (sizes >= 2)]
        if len(same_label):
            key[index] = same_label.value_counts().idxmax()
    return key.to_numpy()


def train_and_evaluate(
    frame: pd.DataFrame,
    y: np.ndarray,
    *,
    features: list[str],
    protected: list[str],
    model_type: str = "random_forest",
    params: dict[str, Any] | None = None,
    class_weight: str | None = None,
    test_size: float = 0.3,
    stratify_by_groups: bool = True,
    missing: str = "impute",
    seed: int = 0,
) -> TrainingResult:
    """Split, train and predict.

    Parameters
    ----------
    frame : DataFrame
        The whole table (features and protected attributes).
    y : ndarray of shape (n_samples,)
        The target encoded 0/1, 1 being the positive label.
    features : list of str
        Columns the model may use.
    protected : list of str
        Protected attributes, used to stratify the split.

    Returns
    -------
    TrainingResult
        ``train_index`` and ``test_index`` are positions into ``frame``.
    """
    from sklearn.model_selection import train_test_split

    if not features:
        raise InputError(ERR_NO_FEATURES)
    positions = np.arange(len(frame))
    rows_dropped = 0
    if missing == "drop":
        complete = frame[features].notna().all(axis=1).to_numpy()
        rows_dropped = int((~complete).sum())
        positions = positions[complete]
    y_kept = y[positions]
    smaller_class = int(min(y_kept.sum(), len(y_kept) - y_kept.sum()))
    if len(positions) < 10 or smaller_class < 2:
        raise InputError(ERR_TOO_FEW.format(len(positions), smaller_class))

    stratified_by = ["label"]
    if stratify_by_groups and protected:
        key = stratification_key(y_kept, frame.iloc[positions][protected])
        stratified_by += protected
    else:
        key = y_kept
    train_pos, test_pos = train_test_split(
        positions, test_size=test_size, stratify=key, random_state=seed
    )
    train_pos.sort()
    test_pos.sort()

    pipeline, numeric, categorical = build_pipeline(
        frame,
        features,
        model_type=model_type,
        params=params or {},
        class_weight=class_weight,
        seed=seed,
    )
    train = frame.iloc[train_pos][features]
    test = frame.iloc[test_pos][features]
    pipeline.fit(train, y[train_pos])
    positive_column = list(pipeline.classes_).index(1)
    y_score = pipeline.predict_proba(test)[:, positive_column]
    y_pred = pipeline.predict(test).astype(np.int8)
    return TrainingResult(
        pipeline=pipeline,
        estimator_name=type(pipeline.named_steps["model"]).__name__,
        params=final_params(pipeline),
        features=list(features),
        numeric_features=numeric,
        categorical_features=categorical,
        train_index=train_pos,
        test_index=test_pos,
        y_pred=y_pred,
        y_score=y_score,
        rows_dropped=rows_dropped,
        stratified_by=stratified_by,
    )
