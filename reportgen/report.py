"""The AuditReport data model: the one contract between computation and rendering.

Computation fills these dataclasses; :func:`to_json` writes them as ``report.json``
and templates read only that JSON (as plain dictionaries), so everything a report
shows traces back to a field here. :func:`from_json` validates a saved report
against the same types, which is how ``reportgen render`` re-renders without
re-running anything, and :func:`json_schema` publishes the schema.

Numbers are stored as numbers (never preformatted strings); a metric that is
undefined for a group is ``null``, and the group's ``undefined`` field says why.
The schema is versioned by :data:`SCHEMA_VERSION`: fields may be added in minor
versions, never renamed or removed.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from reportgen.checks.privacy import (
    IdentifierFinding,
    KAnonymityResult,
    LDiversityResult,
    ProxyFinding,
    SpecialCategoryFinding,
)
from reportgen.checks.transparency import ExplanationSection, ModelCard

SCHEMA_VERSION = "1.0"

Interval = list[float] | None
Status = Literal[
    "pass", "fail", "inconclusive", "warn", "not_applicable", "needs_input", "info"
]


@dataclass(frozen=True)
class ReportMetadata:
    """Who audited what, when, and for which purpose (from the config)."""

    title: str
    organisation: str | None = None
    system_name: str | None = None
    system_version: str | None = None
    intended_use: str | None = None
    out_of_scope_uses: str | None = None
    owner: str | None = None
    auditor: str | None = None
    audit_date: str | None = None
    distribution_date: str | None = None
    limitations: str | None = None
    ethical_considerations: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class ColumnSummary:
    """Data-quality facts of one column of the input table."""

    name: str
    role: Literal["target", "protected", "feature", "prediction", "score", "unused"]
    dtype: str
    missing: int
    distinct: int


@dataclass(frozen=True)
class DatasetSection:
    """The audited data: where it comes from and what it holds."""

    source: str
    n_rows: int
    n_columns: int
    target: str
    positive_label: str
    negative_label: str
    protected_attributes: list[str]
    features: list[str]
    rows_used: int
    rows_dropped: int
    drop_reason: str | None = None
    description: str | None = None
    licence: str | None = None
    citation: str | None = None
    data_kind: str | None = None
    columns: list[ColumnSummary] = field(default_factory=list)
    summary_note: str | None = None


@dataclass(frozen=True)
class ModelSection:
    """How the decisions came about: trained here, loaded, or taken as given."""

    mode: Literal["trained", "loaded", "decisions"]
    estimator: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    features: list[str] = field(default_factory=list)
    train_rows: int | None = None
    evaluation_rows: int = 0
    test_size: float | None = None
    stratified_by: list[str] = field(default_factory=list)
    class_weight: str | None = None
    decision_threshold: float | None = None
    prediction_column: str | None = None
    score_column: str | None = None
    model_file: str | None = None
    model_format: str | None = None
    model_sha256: str | None = None
    model_trusted: bool | None = None
    preprocessing: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class OverallPerformance:
    """Metrics of the whole evaluation sample."""

    n: int
    base_rate: float | None
    selection_rate: float | None
    accuracy: float | None
    balanced_accuracy: float | None
    macro_f1: float | None
    true_positive_rate: float | None = None
    false_positive_rate: float | None = None
    precision: float | None = None
    f1: float | None = None
    accuracy_ci: Interval = None
    balanced_accuracy_ci: Interval = None
    macro_f1_ci: Interval = None
    selection_rate_ci: Interval = None


@dataclass(frozen=True)
class GroupRow:
    """One group's counts and metrics. Keys of this object are a public contract."""

    group: str
    n: int
    is_unknown: bool
    share: float
    tp: int
    fp: int
    tn: int
    fn: int
    selected: int
    base_rate: float | None
    selection_rate: float | None
    true_positive_rate: float | None
    false_positive_rate: float | None
    false_negative_rate: float | None
    precision: float | None
    accuracy: float | None
    balanced_accuracy: float | None
    f1: float | None
    macro_f1: float | None
    impact_ratio: float | None
    selection_rate_difference: float | None
    attribute_values: dict[str, str | None] = field(default_factory=dict)
    compared: bool = True
    excluded_reason: str | None = None
    too_small: bool = False
    undefined: dict[str, str] = field(default_factory=dict)
    base_rate_ci: Interval = None
    selection_rate_ci: Interval = None
    true_positive_rate_ci: Interval = None
    false_positive_rate_ci: Interval = None
    false_negative_rate_ci: Interval = None
    precision_ci: Interval = None
    accuracy_ci: Interval = None
    balanced_accuracy_ci: Interval = None
    f1_ci: Interval = None
    macro_f1_ci: Interval = None
    impact_ratio_ci: Interval = None
    z_statistic: float | None = None
    p_value: float | None = None
    fisher_p_value: float | None = None
    test_used: str | None = None
    p_value_adjusted: float | None = None
    significant: bool | None = None
    odds_ratio: float | None = None
    cohens_h: float | None = None
    shortfall: float | None = None


@dataclass(frozen=True)
class DisparitySummary:
    """The largest disparities of one grouping, across its compared groups."""

    highest_selection_group: str | None
    lowest_selection_group: str | None
    min_impact_ratio: float | None
    max_selection_rate_difference: float | None
    true_positive_rate_difference: float | None
    false_positive_rate_difference: float | None
    equalized_odds_difference: float | None


@dataclass(frozen=True)
class ScoreGroupRow:
    """Score statistics of one group (when the decisions come with scores)."""

    group: str
    n: int
    mean_score: float | None
    auc: float | None
    scoring_rate: float | None
    scoring_rate_ci: Interval
    scoring_impact_ratio: float | None
    standardized_mean_difference: float | None
    calibration_error: float | None


@dataclass(frozen=True)
class CalibrationCurve:
    """Observed positive rate against mean score, on equal-width score bins."""

    bin_edges: list[float]
    groups: list[str]
    count: list[list[int]]
    mean_score: list[list[float | None]]
    observed_rate: list[list[float | None]]


@dataclass(frozen=True)
class ScoreAnalysis:
    """How the scores behind the decisions differ between groups."""

    score_kind: Literal["probability", "score"]
    median: float | None
    median_exact: bool
    overall_auc: float | None
    smd_reference_group: str | None
    groups: list[ScoreGroupRow]
    calibration: CalibrationCurve | None = None
    auc_max_error: float | None = None


@dataclass(frozen=True)
class GroupAnalysis:
    """Fairness metrics of one protected attribute, or of an intersection of them."""

    name: str
    attributes: list[str]
    kind: Literal["attribute", "intersection"]
    comparison_group: str | None
    groups: list[GroupRow]
    summary: DisparitySummary
    unknown_count: int = 0
    notes: list[str] = field(default_factory=list)
    scores: ScoreAnalysis | None = None


@dataclass(frozen=True)
class Check:
    """One judged item of a profile: its status, evidence and the clause it serves."""

    id: str
    title: str
    status: Status
    evidence: str
    clause: str | None = None
    profile: str | None = None
    value: float | None = None
    threshold: float | None = None
    group: str | None = None
    analysis: str | None = None
    kind: str | None = None


@dataclass(frozen=True)
class Definition:
    """A term of the methodology appendix."""

    term: str
    definition: str


@dataclass(frozen=True)
class Methodology:
    """How every number in the report was computed."""

    definitions: list[Definition]
    positive_label_meaning: str
    comparison: str
    unknown_groups: str
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class TransparencySection:
    """What the system is and what drives it: model card and explanations."""

    model_card: ModelCard
    explanation: ExplanationSection


@dataclass(frozen=True)
class PrivacySection:
    """Privacy scan of the input table. Found values are never reproduced here."""

    rows_in_data: int
    rows_scanned: int
    sample_size: int
    identifiers: list[IdentifierFinding]
    special_categories: list[SpecialCategoryFinding]
    protected_as_features: list[str]
    proxies: list[ProxyFinding]
    quasi_identifiers: list[str]
    k_anonymity: KAnonymityResult | None = None
    l_diversity: LDiversityResult | None = None


@dataclass(frozen=True)
class AuditSettings:
    """The thresholds and statistical settings the findings were judged with."""

    profiles: list[str]
    impact_ratio_threshold: float
    confidence_level: float
    significance_level: float
    multiple_comparisons: str
    min_group_size: int
    exclude_below_share: float | None
    bootstrap_resamples: int
    small_cell_suppression: int | None = None


@dataclass(frozen=True)
class Provenance:
    """What is needed to verify and reproduce the report."""

    generated_at: str
    reportgen_version: str
    command: str | None
    seed: int | None
    data_sha256: str | None = None
    config_sha256: str | None = None
    model_sha256: str | None = None
    python_version: str | None = None
    packages: dict[str, str] = field(default_factory=dict)
    platform: str | None = None
    git_commit: str | None = None


@dataclass(frozen=True)
class AuditReport:
    """The root of a report. ``report_id`` is filled in when the JSON is written."""

    metadata: ReportMetadata
    dataset: DatasetSection
    model: ModelSection
    performance: OverallPerformance
    fairness: list[GroupAnalysis]
    checks: list[Check]
    transparency: TransparencySection
    privacy: PrivacySection
    methodology: Methodology
    settings: AuditSettings
    provenance: Provenance
    warnings: list[str] = field(default_factory=list)
    schema_version: str = SCHEMA_VERSION
    report_id: str | None = None


def _clean(value: Any) -> Any:
    """Replace NaN and infinities (invalid in JSON) by None, recursively."""
    if isinstance(value, float):
        return None if not math.isfinite(value) else value
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def to_dict(report: AuditReport) -> dict[str, Any]:
    """The report as JSON-ready data, with ``report_id`` computed from the content.

    The id is the first 16 hex digits of the SHA-256 of the canonical JSON of the
    report without its id, so that the same findings always have the same id.
    """
    data = _clean(asdict(report))
    data["report_id"] = content_id(data)
    return data


def content_id(data: dict[str, Any]) -> str:
    """The report id of report data: its canonical JSON without the id, hashed."""
    canonical = json.dumps(
        {**data, "report_id": None}, sort_keys=True, ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def to_json(report: AuditReport) -> str:
    """Serialise a report to the ``report.json`` text (UTF-8, indented, stable)."""
    return json.dumps(to_dict(report), indent=2, ensure_ascii=False, allow_nan=False)


def from_json(text: str) -> AuditReport:
    """Validate a saved ``report.json`` and rebuild the report from it.

    Raises
    ------
    reportgen.errors.InputError
        If the text is not JSON or does not follow the schema.
    """
    from pydantic import TypeAdapter, ValidationError

    from reportgen.errors import InputError

    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(f"report JSON is not valid JSON: {error}") from None
    version = str(data.get("schema_version", "")) if isinstance(data, dict) else ""
    if version.split(".")[0] != SCHEMA_VERSION.split(".")[0]:
        raise InputError(
            f"report JSON has schema version {version or 'none'}; this reportgen "
            f"reads version {SCHEMA_VERSION.split('.')[0]}.x"
        )
    try:
        return TypeAdapter(AuditReport).validate_python(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputError(
            f"report JSON does not follow schema {SCHEMA_VERSION}: "
            f"{where}: {first['msg']}"
        ) from None


def stored_id_matches(text: str) -> bool:
    """Whether a saved report's ``report_id`` still matches its content."""
    data = json.loads(text)
    return data.get("report_id") == content_id(data)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of ``report.json``."""
    from pydantic import TypeAdapter

    return TypeAdapter(AuditReport).json_schema(mode="serialization")
