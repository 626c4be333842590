"""Train a credit model on the bundled German credit data and save it with skops.

This stands in for a model trained elsewhere: it writes ``model.skops`` (the fitted
pipeline) and ``test.csv`` (held-out rows, with the target and the protected
attributes) to ``--out``, then prints the ``reportgen audit`` command that audits
the saved model on those rows.

    python examples/train_and_save_skops.py --out credit-model

skops files hold no pickled code; reportgen loads them without ``--trust-model``
as long as every type in them is one skops trusts by default.
"""

import argparse
import shlex
import sys
from importlib import resources
from pathlib import Path

import pandas as pd
import skops.io
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

TARGET = "credit_risk"
PROTECTED = ["sex", "age_group"]
# Kept out of the model: the protected attributes and the columns they come from.
NOT_FEATURES = [TARGET, *PROTECTED, "personal_status_and_sex", "age_in_years"]


def build_pipeline(frame: pd.DataFrame) -> Pipeline:
    """One-hot encode text columns, standardise numbers, fit a logistic model."""
    numeric = frame.select_dtypes(include="number").columns.tolist()
    categorical = [c for c in frame.columns if c not in numeric]
    preprocess = ColumnTransformer(
        [
            ("categorical", OneHotEncoder(handle_unknown="ignore"), categorical),
            ("numeric", StandardScaler(), numeric),
        ]
    )
    return Pipeline(
        [("preprocess", preprocess), ("classifier", LogisticRegression(max_iter=1000))]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, type=Path, help="output folder")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--test-size",
        type=float,
        default=0.3,
        help="share of rows held out for the audit (default 0.3)",
    )
    args = parser.parse_args(argv)

    source = resources.files("reportgen.datasets") / "german_credit.csv"
    with resources.as_file(source) as csv_path:
        data = pd.read_csv(csv_path)
    features = [c for c in data.columns if c not in NOT_FEATURES]

    train, test = train_test_split(
        data,
        test_size=args.test_size,
        stratify=data[TARGET],
        random_state=args.seed,
    )
    model = build_pipeline(train[features]).fit(train[features], train[TARGET])
    accuracy = model.score(test[features], test[TARGET])

    args.out.mkdir(parents=True, exist_ok=True)
    model_path = args.out / "model.skops"
    test_path = args.out / "test.csv"
    skops.io.dump(model, model_path)
    test.to_csv(test_path, index=False)

    untrusted = skops.io.get_untrusted_types(file=model_path)
    print(
        f"trained on {len(train)} rows; accuracy on {len(test)} held-out rows: "
        f"{accuracy:.3f}",
        file=sys.stderr,
    )
    if untrusted:
        print(
            "the model holds types skops does not trust by default; review them and "
            f"list them under model.trusted_types: {', '.join(untrusted)}",
            file=sys.stderr,
        )
    command = [
        "reportgen", "audit",
        "--data", str(test_path),
        "--target", TARGET,
        "--positive-label", "good",
        *[arg for name in PROTECTED for arg in ("--protected", name)],
        "--model", str(model_path),
        "--out", str(args.out / "report"),
    ]  # fmt: skip
    print(shlex.join(command))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
