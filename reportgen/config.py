"""AuditConfig: the schema of ``audit.yaml``, validated with clear messages.

A config names the data, the target and the protected attributes, and says how
the decisions come about: a model trained here (``model.type``), a fitted model
file (``model.path``) or decisions already made (``predictions.column``). Every
threshold is a setting; its default is documented beside it. Relative paths in a
config file are resolved against the folder of that file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from reportgen.errors import InputError

ModelType = Literal["logistic_regression", "random_forest", "gradient_boosting"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DataConfig(_Strict):
    path: Path = Field(description="CSV or Parquet file with one row per individual.")
    format: Literal["auto", "csv", "parquet"] = "auto"
    description: str | None = Field(
        None, description="Where the data comes from, for the report."
    )
    kind: Literal["historical", "test"] = Field(
        "historical",
        description="NYC LL144 asks whether historical or test data was audited.",
    )
    kind_reason: str | None = Field(
        None, description="Why test data was used instead of historical data."
    )
    streaming: Literal["auto", "always", "never"] = Field(
        "auto",
        description="Count given decisions batch by batch (auto: large files).",
    )


class ModelConfig(_Strict):
    type: ModelType = "random_forest"
    params: dict[str, Any] = Field(
        default_factory=dict, description="Keyword arguments for the estimator."
    )
    class_weight: Literal["balanced"] | None = None
    path: Path | None = Field(
        None, description="A fitted model file to audit instead of training one."
    )
    trust: bool = Field(
        False, description="Allow loading pickle/joblib files, which runs code."
    )
    trusted_types: list[str] = Field(
        default_factory=list, description="skops types reviewed and trusted by name."
    )
    feature_names: list[str] | None = Field(
        None, description="Input columns of a model that does not record them."
    )
    threshold: float | None = Field(
        None, ge=0, le=1, description="Decision threshold on the positive score."
    )


class PredictionsConfig(_Strict):
    column: str = Field(description="Column with the decisions already made.")
    score_column: str | None = None


class SplitConfig(_Strict):
    test_size: float = Field(0.3, gt=0, lt=1)
    stratify_by_groups: bool = Field(
        True, description="Keep label x protected-group shares equal in both parts."
    )


class ProtectedAttribute(_Strict):
    name: str
    reference_group: str | None = Field(
        None, description="A fixed comparison group, in addition to the most selected."
    )


class FairnessConfig(_Strict):
    confidence_level: float = Field(0.95, gt=0.5, lt=1)
    impact_ratio_threshold: float = Field(
        0.8, gt=0, le=1, description="EEOC 29 CFR 1607.4(D) four-fifths rule."
    )
    min_group_size: int = Field(
        30, ge=1, description="Groups smaller than this are flagged too small to judge."
    )
    exclude_below_share: float | None = Field(
        None,
        ge=0,
        lt=1,
        description="Leave groups under this share out of impact ratios (NYC: 0.02).",
    )
    intersections: bool = True
    multiple_comparisons: Literal["holm", "benjamini-hochberg", "none"] = "holm"
    significance_level: float = Field(0.05, gt=0, lt=1)
    bootstrap_resamples: int = Field(1000, ge=100, le=100_000)


class PrivacyConfig(_Strict):
    quasi_identifiers: list[str] = Field(
        default_factory=list,
        description="Columns an attacker could link to other data (k-anonymity).",
    )
    k_threshold: int = Field(5, ge=2, description="Smallest acceptable class size.")
    sensitive_column: str | None = Field(
        None, description="Column for l-diversity; default: the target."
    )
    l_threshold: int = Field(2, ge=1)
    sample_size: int = Field(10_000, ge=100, description="Rows sampled for scans.")


class ReportConfig(_Strict):
    title: str = "Fairness and compliance audit"
    organisation: str | None = None
    system_name: str | None = None
    system_version: str | None = None
    intended_use: str | None = None
    out_of_scope_uses: str | None = None
    owner: str | None = None
    auditor: str | None = None
    distribution_date: str | None = None
    limitations: str | None = None
    ethical_considerations: str | None = None
    profiles: list[str] = Field(default_factory=lambda: ["eeoc", "model_card"])
    templates: Path | None = Field(
        None, description="Folder of templates layered over the defaults."
    )
    logo: Path | None = None
    accent_colour: str | None = Field(None, pattern=r"^#[0-9A-Fa-f]{3,8}$")
    extra_css: str | None = None
    attestations: dict[str, str] = Field(
        default_factory=dict,
        description="Statements for attestation checks, by check id "
        "(e.g. gdpr.dpia), reported as given.",
    )
    suppress_small_counts: int | None = Field(
        None, ge=2, description="Print counts below this as '< k' in the PDF."
    )


class AuditConfig(_Strict):
    """The whole of ``audit.yaml``."""

    data: DataConfig
    target: str
    positive_label: str | None = Field(
        None, description="The favourable outcome; inferred for 0/1 and True/False."
    )
    protected: list[ProtectedAttribute] = Field(min_length=1)
    features: list[str] | None = Field(
        None, description="Model features; default: all other columns."
    )
    exclude_features: list[str] = Field(default_factory=list)
    protected_as_features: bool = False
    missing: Literal["drop", "impute"] = "impute"
    model: ModelConfig = Field(default_factory=ModelConfig)
    predictions: PredictionsConfig | None = None
    split: SplitConfig = Field(default_factory=SplitConfig)
    seed: int = Field(0, ge=0, lt=2**32, description="Random seed (0 to 2**32 - 1).")
    fairness: FairnessConfig = Field(default_factory=FairnessConfig)
    privacy: PrivacyConfig = Field(default_factory=PrivacyConfig)
    explain: bool = Field(True, description="Compute permutation feature importance.")
    report: ReportConfig = Field(default_factory=ReportConfig)
    output: Path = Field(
        Path("reportgen-report"), description="Folder for report.pdf and report.json."
    )

    @field_validator("protected", mode="before")
    @classmethod
    def _names_to_objects(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list):
            return [{"name": v} if isinstance(v, str) else v for v in value]
        return value

    @model_validator(mode="after")
    def _consistent(self) -> AuditConfig:
        names = self.protected_names
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"protected attribute listed twice: {', '.join(repeated)}")
        if self.target in names:
            raise ValueError(
                f"the target {self.target!r} cannot also be a protected attribute"
            )
        if self.predictions is not None and self.model.threshold is not None:
            raise ValueError(
                "a decision threshold applies to a model's scores, not to given "
                "decisions (predictions.column)"
            )
        return self

    @property
    def protected_names(self) -> list[str]:
        return [p.name for p in self.protected]

    @property
    def mode(self) -> Literal["trained", "loaded", "decisions"]:
        if self.predictions is not None:
            return "decisions"
        if self.model.path is not None:
            return "loaded"
        return "trained"

    def resolved(self, base: Path) -> AuditConfig:
        """A copy with relative file paths resolved against ``base``."""
        data = self.data.model_copy(update={"path": _resolve(self.data.path, base)})
        model_path = self.model.path
        model = self.model.model_copy(
            update={"path": _resolve(model_path, base) if model_path else None}
        )
        report = self.report.model_copy(
            update={
                name: _resolve(getattr(self.report, name), base)
                for name in ("templates", "logo")
                if getattr(self.report, name) is not None
            }
        )
        return self.model_copy(
            update={
                "data": data,
                "model": model,
                "report": report,
                "output": _resolve(self.output, base),
            }
        )


def _resolve(path: Path, base: Path) -> Path:
    path = path.expanduser()
    return path if path.is_absolute() else Path(os.path.normpath(base / path))


def parse_config(data: Any, *, source: str = "config") -> AuditConfig:
    """Validate config data, turning pydantic's report into one clear line."""
    if not isinstance(data, dict):
        raise InputError(f"{source}: expected a mapping of settings at the top level")
    try:
        return AuditConfig.model_validate(data)
    except ValidationError as error:
        problems = []
        for item in error.errors()[:3]:
            message = item["msg"].removeprefix("Value error, ")
            where = ".".join(str(p) for p in item["loc"])
            problems.append(f"{where}: {message}" if where else message)
        more = "" if error.error_count() <= 3 else f" (+{error.error_count() - 3} more)"
        raise InputError(f"{source}: " + "; ".join(problems) + more) from None


def load_config(path: Path) -> AuditConfig:
    """Read and validate an ``audit.yaml`` file."""
    import yaml

    if not path.is_file():
        raise InputError(f"config file not found: {path}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or "cannot be parsed"
        raise InputError(f"{path}: malformed YAML{where}: {problem}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not a UTF-8 text file") from None
    return parse_config(data, source=str(path)).resolved(path.parent)
