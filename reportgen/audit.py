"""The audit pipeline: from a validated config to an AuditReport.

:func:`run_audit` reads the table, decides how the decisions come about (trained
here, loaded from a model file, or taken from a prediction column), builds the
confusion count table once, and derives every analysis, check and section of the
report from it. It writes nothing: writing and rendering belong to the caller.
``progress`` receives short messages for the user; it never receives data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np

from reportgen import __version__, provenance
from reportgen.checks import privacy as privacy_scan
from reportgen.checks.profiles import (
    JudgedSections,
    evaluate_profiles,
    validate_profiles,
)
from reportgen.checks.transparency import (
    NO_EXPLANATION,
    TRANSPARENCY_DEFINITIONS,
    ExplanationSection,
    build_model_card,
    permutation_importance,
)
from reportgen.config import AuditConfig
from reportgen.data import (
    binary_labels,
    binary_outcome,
    check_columns,
    check_protected,
    column_summary,
    read_columns,
    read_table,
)
from reportgen.decisions import Decisions, decide, model_features
from reportgen.fairness import metrics as m
from reportgen.fairness import stats
from reportgen.fairness.analysis import (
    STATISTICAL_DEFINITIONS,
    AnalysisSettings,
    analyse,
    analyse_score_table,
    analyse_scores,
    interval_or_none,
)
from reportgen.fairness.counts import CountTable, count_table
from reportgen.report import (
    AuditReport,
    AuditSettings,
    ColumnSummary,
    DatasetSection,
    Definition,
    Methodology,
    ModelSection,
    OverallPerformance,
    PrivacySection,
    Provenance,
    ReportMetadata,
    TransparencySection,
)


@dataclass
class AuditResult:
    """A report and what the renderer may need beside it (never serialised)."""

    report: AuditReport
    pipeline: Any = None


def _noop(message: str) -> None:
    return None


@dataclass(frozen=True)
class _Evidence:
    """What the audit measured, however the data was read."""

    table: CountTable
    labels: Any
    features: list[str]
    decisions: Decisions | None
    model: ModelSection
    frame: Any
    n_rows: int
    rows_used: int
    rows_dropped: int
    drop_reasons: list[str]
    columns: list[ColumnSummary]
    score_table: Any = None
    sample_note: str | None = None


def run_audit(
    config: AuditConfig,
    *,
    config_bytes: bytes | None = None,
    dataset_info: Any = None,
    progress: Callable[[str], None] = _noop,
) -> AuditResult:
    """Run the audit a config describes and return its report."""
    target = config.target
    protected = config.protected_names
    needed = [target, *protected]
    if config.predictions is not None:
        needed.append(config.predictions.column)
        if config.predictions.score_column:
            needed.append(config.predictions.score_column)
    if config.features:
        needed += config.features

    validate_profiles(config.report.profiles, dict(config.report.attestations))
    progress(f"Reading {config.data.path.name}")
    header = read_columns(config.data.path, file_format=config.data.format)
    check_columns(header, [*needed, *config.exclude_features])
    if _streams(config):
        from reportgen.bulk import streamed_evidence

        evidence = streamed_evidence(config, header, progress)
    else:
        evidence = _in_memory_evidence(config, progress)

    analyses = _analyses(evidence.table, config)
    if evidence.decisions is not None and evidence.decisions.y_score is not None:
        progress("Comparing scores between groups")
        analyses = _with_scores(analyses, evidence.decisions, config)
    elif evidence.score_table is not None:
        settings = _settings(config)
        analyses = [
            replace(
                a,
                scores=analyse_score_table(
                    evidence.score_table, analysis=a, settings=settings
                ),
            )
            for a in analyses
        ]
    performance = _performance(evidence.table, config)

    labels = evidence.labels
    info = dataset_info
    dataset = DatasetSection(
        source=config.data.path.name,
        n_rows=evidence.n_rows,
        n_columns=len(header),
        target=target,
        positive_label=labels.positive,
        negative_label=labels.negative,
        protected_attributes=protected,
        features=evidence.features,
        rows_used=evidence.rows_used,
        rows_dropped=evidence.rows_dropped,
        drop_reason="; ".join(evidence.drop_reasons) or None,
        description=config.data.description or (info.description if info else None),
        licence=info.licence if info else None,
        citation=info.citation if info else None,
        data_kind=config.data.kind,
        columns=evidence.columns,
        summary_note=evidence.sample_note,
    )
    features = evidence.features
    frame = evidence.frame
    decisions = evidence.decisions
    model = evidence.model

    when = provenance.report_time()
    metadata = _metadata(config, when)
    explanation = _explanation(config, decisions, progress)
    progress("Scanning the data for privacy risks")
    privacy = _privacy(config, frame, features, decisions, evidence.n_rows)
    checks = evaluate_profiles(
        config.report.profiles,
        JudgedSections(
            metadata=metadata,
            dataset=dataset,
            fairness=analyses,
            impact_ratio_threshold=config.fairness.impact_ratio_threshold,
            significance_level=config.fairness.significance_level,
            min_group_size=config.fairness.min_group_size,
            model=model,
            privacy=privacy,
            explanation=explanation,
            data_kind_reason=config.data.kind_reason,
            l_threshold=config.privacy.l_threshold,
            attestations=dict(config.report.attestations),
        ),
    )
    model_card = build_model_card(
        metadata=metadata,
        dataset=dataset,
        model=model,
        performance=performance,
        fairness=analyses,
        checks=checks,
    )
    report = AuditReport(
        metadata=metadata,
        dataset=dataset,
        model=model,
        performance=performance,
        fairness=analyses,
        checks=checks,
        transparency=TransparencySection(
            model_card=model_card, explanation=explanation
        ),
        privacy=privacy,
        methodology=_methodology(config, labels.positive),
        settings=AuditSettings(
            profiles=list(config.report.profiles),
            impact_ratio_threshold=config.fairness.impact_ratio_threshold,
            confidence_level=config.fairness.confidence_level,
            significance_level=config.fairness.significance_level,
            multiple_comparisons=config.fairness.multiple_comparisons,
            min_group_size=config.fairness.min_group_size,
            exclude_below_share=config.fairness.exclude_below_share,
            bootstrap_resamples=config.fairness.bootstrap_resamples,
        ),
        provenance=Provenance(
            generated_at=when.isoformat(),
            reportgen_version=__version__,
            command=provenance.command_line(),
            seed=config.seed,
            data_sha256=provenance.sha256_file(config.data.path),
            config_sha256=provenance.sha256_bytes(config_bytes)
            if config_bytes is not None
            else None,
            model_sha256=model.model_sha256,
            python_version=provenance.python_version(),
            packages=provenance.package_versions(),
            platform=provenance.platform_name(),
            git_commit=provenance.git_commit(Path.cwd()),
        ),
        warnings=_warnings(analyses),
    )
    pipeline = decisions.pipeline if decisions is not None else None
    return AuditResult(report=report, pipeline=pipeline)


STREAM_ROWS = 2_000_000
STREAM_CSV_BYTES = 200 * 1024 * 1024


def _streams(config: AuditConfig) -> bool:
    """Whether to count the decisions batch by batch instead of in memory."""
    choice = config.data.streaming
    if config.mode != "decisions" or choice == "never":
        return False
    if choice == "always":
        return True
    from reportgen.data import detect_format

    path = config.data.path
    if detect_format(path, config.data.format) == "parquet":
        import pyarrow.parquet as pq

        return pq.ParquetFile(path).metadata.num_rows > STREAM_ROWS
    return path.stat().st_size > STREAM_CSV_BYTES


def _in_memory_evidence(config: AuditConfig, progress) -> _Evidence:
    target = config.target
    protected = config.protected_names
    frame = read_table(config.data.path, file_format=config.data.format)
    labels = binary_labels(frame[target], config.positive_label)
    labelled = frame[target].notna().to_numpy()
    rows_without_target = int((~labelled).sum())
    n_rows = len(frame)
    if rows_without_target:
        frame = frame.loc[labelled].reset_index(drop=True)
    check_protected(frame, protected)
    y_all = binary_outcome(frame[target], labels)

    features = model_features(config, list(frame.columns))
    decisions = decide(config, frame, y_all, labels, features, progress)

    progress("Measuring fairness per group")
    table = count_table(
        decisions.y_true,
        decisions.y_pred,
        sensitive_features={p: decisions.frame[p] for p in protected},
    )
    reasons = []
    if rows_without_target:
        reasons.append(f"{rows_without_target} rows without a target value")
    if decisions.drop_reason:
        reasons.append(decisions.drop_reason)
    return _Evidence(
        table=table,
        labels=labels,
        features=features,
        decisions=decisions,
        model=decisions.model,
        frame=frame,
        n_rows=n_rows,
        rows_used=len(decisions.y_true),
        rows_dropped=rows_without_target + decisions.rows_dropped,
        drop_reasons=reasons,
        columns=[
            ColumnSummary(**c)
            for c in column_summary(frame, column_roles(config, features))
        ],
    )


def column_roles(config: AuditConfig, features: list[str]) -> dict[str, str]:
    """The role of each column the config names."""
    roles = {
        config.target: "target",
        **{p: "protected" for p in config.protected_names},
    }
    roles.update({f: "feature" for f in features if f not in roles})
    if config.predictions is not None:
        roles[config.predictions.column] = "prediction"
        if config.predictions.score_column:
            roles[config.predictions.score_column] = "score"
    return roles


IMPORTANCE_REPEATS = 5


def _explanation(config, decisions: Decisions | None, progress) -> ExplanationSection:
    if decisions is None or decisions.predict01 is None:
        return ExplanationSection(None, None, None, None, note=NO_EXPLANATION)
    if not config.explain:
        return ExplanationSection(
            None, None, None, None, note="Explanations were turned off (explain)."
        )
    progress("Measuring feature importance")
    importances = permutation_importance(
        decisions.predict01,
        decisions.frame,
        decisions.y_true,
        decisions.model_features,
        n_repeats=IMPORTANCE_REPEATS,
        seed=config.seed,
    )
    return ExplanationSection(
        method="permutation importance",
        metric="balanced accuracy",
        repeats=IMPORTANCE_REPEATS,
        evaluation_rows=len(decisions.y_true),
        importances=importances,
        note="Mean drop in balanced accuracy on the evaluation rows when one "
        f"feature's values are shuffled ({IMPORTANCE_REPEATS} repeats). "
        "Correlated features share their importance.",
    )


def _privacy(
    config, frame, features, decisions: Decisions | None, n_rows: int
) -> PrivacySection:
    settings = config.privacy
    protected = config.protected_names
    roles = {config.target, *protected}
    if config.predictions is not None:
        roles.add(config.predictions.column)
        if config.predictions.score_column:
            roles.add(config.predictions.score_column)
    others = [c for c in frame.columns if c not in roles]
    model_features = decisions.model_features if decisions is not None else []
    candidates = model_features or others
    candidates = [c for c in candidates if c in frame.columns and c not in protected]
    check_columns(frame.columns, settings.quasi_identifiers)
    k_result = l_result = None
    if settings.quasi_identifiers:
        k_result = privacy_scan.k_anonymity(
            frame, settings.quasi_identifiers, k_threshold=settings.k_threshold
        )
        sensitive = settings.sensitive_column or config.target
        check_columns(frame.columns, [sensitive])
        if sensitive not in settings.quasi_identifiers:
            l_result = privacy_scan.l_diversity(
                frame, settings.quasi_identifiers, sensitive
            )
    return PrivacySection(
        rows_in_data=n_rows,
        rows_scanned=len(frame),
        sample_size=min(settings.sample_size, len(frame)),
        identifiers=privacy_scan.scan_identifiers(
            frame, sample_size=settings.sample_size, seed=config.seed
        ),
        special_categories=privacy_scan.special_category_columns(list(frame.columns)),
        protected_as_features=privacy_scan.protected_attributes_used_as_features(
            protected, model_features
        ),
        proxies=privacy_scan.proxy_strength(
            frame, protected, candidates, seed=config.seed
        )
        if candidates
        else [],
        quasi_identifiers=list(settings.quasi_identifiers),
        k_anonymity=k_result,
        l_diversity=l_result,
    )


def _settings(config: AuditConfig) -> AnalysisSettings:
    f = config.fairness
    return AnalysisSettings(
        confidence_level=f.confidence_level,
        min_group_size=f.min_group_size,
        exclude_below_share=f.exclude_below_share,
        multiple_comparisons=f.multiple_comparisons,
        significance_level=f.significance_level,
        bootstrap_resamples=f.bootstrap_resamples,
        seed=config.seed,
    )


def _analyses(table: CountTable, config: AuditConfig):
    settings = _settings(config)
    analyses = [
        analyse(
            table.marginal([p.name]),
            settings=settings,
            reference_group=p.reference_group,
        )
        for p in config.protected
    ]
    if config.fairness.intersections and len(config.protected) > 1:
        # Every pair (NYC LL144 asks for sex x race/ethnicity), then all together.
        names = list(table.attributes)
        groupings = [list(pair) for pair in combinations(names, 2)]
        if len(names) > 2:
            groupings.append(names)
        analyses += [
            analyse(table.marginal(grouping), settings=settings)
            for grouping in groupings
        ]
    return analyses


def _with_scores(analyses, decisions: Decisions, config: AuditConfig):
    settings = _settings(config)
    out = []
    for analysis in analyses:
        features = {a: decisions.frame[a] for a in analysis.attributes}
        scores = analyse_scores(
            decisions.y_score,
            decisions.y_true,
            features,
            analysis=analysis,
            settings=settings,
        )
        out.append(replace(analysis, scores=scores))
    return out


def _performance(table: CountTable, config: AuditConfig) -> OverallPerformance:
    cells = table.cells.sum(axis=0)
    values = m.overall_metrics(cells)
    level = config.fairness.confidence_level

    def wilson(name):
        successes, trials = m.proportion(cells.reshape(1, 4), name)
        low, high = stats.wilson_interval(successes, trials, confidence=level)
        return interval_or_none(low[0], high[0])

    def boot(name):
        low, high = stats.bootstrap_interval(
            cells.reshape(1, 4),
            lambda c: m.group_metrics(c)[name],
            n_resamples=config.fairness.bootstrap_resamples,
            confidence=level,
            seed=config.seed,
        )
        return interval_or_none(low[0], high[0])

    def value(name):
        v = values[name]
        return None if np.isnan(v) else v

    return OverallPerformance(
        n=int(cells.sum()),
        base_rate=value("base_rate"),
        selection_rate=value("selection_rate"),
        accuracy=value("accuracy"),
        balanced_accuracy=value("balanced_accuracy"),
        macro_f1=value("macro_f1"),
        true_positive_rate=value("true_positive_rate"),
        false_positive_rate=value("false_positive_rate"),
        precision=value("precision"),
        f1=value("f1"),
        accuracy_ci=wilson("accuracy"),
        selection_rate_ci=wilson("selection_rate"),
        balanced_accuracy_ci=boot("balanced_accuracy"),
        macro_f1_ci=boot("macro_f1"),
    )


def _metadata(config: AuditConfig, when) -> ReportMetadata:
    """The report's metadata: the config's report fields of the same names."""
    stated = {
        f.name: getattr(config.report, f.name)
        for f in fields(ReportMetadata)
        if f.name in type(config.report).model_fields
    }
    return ReportMetadata(
        **stated,
        audit_date=when.date().isoformat(),
        description=config.data.description,
    )


def _methodology(config: AuditConfig, positive_label: str) -> Methodology:
    f = config.fairness
    level = f"{f.confidence_level:.0%}"
    definitions = [Definition(k, v) for k, v in m.METRIC_DEFINITIONS.items()]
    definitions += [Definition(k, v) for k, v in STATISTICAL_DEFINITIONS.items()]
    definitions += [Definition(k, v) for k, v in TRANSPARENCY_DEFINITIONS.items()]
    correction = {
        "holm": "Holm's step-down method (controls the family-wise error rate)",
        "benjamini-hochberg": "the Benjamini-Hochberg method (controls the false "
        "discovery rate)",
        "none": "no correction",
    }[f.multiple_comparisons]
    notes = [
        f"Rates carry {level} Wilson score intervals; balanced accuracy, F1 and "
        f"impact ratios carry {level} percentile intervals from a stratified "
        f"multinomial bootstrap of the confusion counts ({f.bootstrap_resamples} "
        f"resamples, seed {config.seed}).",
        "Each group's selection rate is tested against the comparison group with "
        "a two-proportion Z test, or Fisher's exact test when a group has fewer "
        "than 30 members or an expected count below 5. P values are adjusted "
        f"across the groups of each analysis with {correction}; a difference is "
        f"significant when the adjusted p value is below {f.significance_level:g}.",
        f"An impact-ratio check passes only when its whole interval is at or above "
        f"{f.impact_ratio_threshold:g}, fails when the whole interval is below it, "
        "and is inconclusive when the interval straddles it. Groups with fewer "
        f"than {f.min_group_size} members are marked too small to judge.",
    ]
    return Methodology(
        definitions=definitions,
        positive_label_meaning=(
            f"The positive label {positive_label!r} is the favourable outcome "
            "(selected, approved); a group's selection rate is the share of its "
            "members who received it."
        ),
        comparison=(
            "Impact ratios compare each group with the most selected group, as the "
            "four-fifths rule and NYC LL144 do."
            + (
                " Configured reference groups are used for the significance tests."
                if any(p.reference_group for p in config.protected)
                else ""
            )
        ),
        unknown_groups=(
            "Missing protected values form an 'unknown' group: counted and shown, "
            "never dropped, and left out of ratios and tests."
        ),
        notes=notes,
    )


def _warnings(analyses) -> list[str]:
    out = []
    for analysis in analyses:
        small = [g.group for g in analysis.groups if g.too_small and not g.is_unknown]
        if small:
            out.append(
                f"{analysis.name}: {len(small)} group(s) too small to judge: "
                + ", ".join(small[:8])
                + (" ..." if len(small) > 8 else "")
            )
        undefined = [g.group for g in analysis.groups if g.undefined]
        if undefined:
            out.append(
                f"{analysis.name}: some metrics are undefined for "
                + ", ".join(undefined[:8])
                + " (see the group tables)"
            )
    return out
