"""Example data bundled with reportgen, so that the demo runs offline.

German credit: the Statlog (German Credit Data) table by Hans Hofmann, published by
the UCI Machine Learning Repository under CC BY 4.0
(https://doi.org/10.24432/C5NC77). The attribute codes were translated into readable
labels, and ``sex`` and ``age_group`` were derived for the fairness analysis, by
``scripts/build_german_credit.py``.
"""

from dataclasses import dataclass
from importlib import resources
from pathlib import Path


@dataclass(frozen=True)
class DatasetInfo:
    """Where a bundled dataset comes from and how it may be used."""

    name: str
    title: str
    source: str
    licence: str
    citation: str
    description: str


GERMAN_CREDIT = DatasetInfo(
    name="german_credit",
    title="Statlog (German Credit Data)",
    source="UCI Machine Learning Repository, https://doi.org/10.24432/C5NC77",
    licence="CC BY 4.0",
    citation="Hofmann, H. (1994). Statlog (German Credit Data). UCI Machine "
    "Learning Repository.",
    description=(
        "1,000 loan applicants of a German bank, each classified as a good or bad "
        "credit risk, with 20 attributes. Attribute codes were translated into "
        "readable labels; sex is derived from the combined personal status and sex "
        "attribute, and age_group from age in years."
    ),
)


def german_credit_path() -> Path:
    """Return the path of the bundled ``german_credit.csv``."""
    return Path(str(resources.files(__name__) / "german_credit.csv"))
