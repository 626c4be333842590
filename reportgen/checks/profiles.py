"""Regulation profiles: data files that map checks to clauses, judged here.

A profile (``reportgen/checks/profiles/*.yaml``) lists checks, each with an id, a
``kind`` saying how it is judged, a title, the clause it serves and the source of
its threshold. :func:`evaluate_profiles` judges every check of the chosen profiles
against the computed sections of a report and returns
:class:`~reportgen.report.Check` results; it reads no file other than the
profiles and writes nothing.

Statistical checks respect uncertainty: an impact ratio passes only when its whole
confidence interval is above the threshold, fails when the whole interval is
below it, and is ``inconclusive`` otherwise; a group under the minimum size is
``inconclusive`` and says it is too small to judge.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from reportgen.checks.transparency import ExplanationSection
from reportgen.errors import InputError
from reportgen.fairness import stats
from reportgen.report import (
    Check,
    DatasetSection,
    GroupAnalysis,
    GroupRow,
    ModelSection,
    PrivacySection,
    ReportMetadata,
)

NOT_SCANNED = "The privacy scan did not run for this report."

ERR_UNKNOWN_ATTESTATION = (
    "report.attestations names checks that are not attestations of the chosen "
    "profiles: {}; those that are: {}"
)
ERR_UNKNOWN_PROFILE = "unknown profile {!r}; available profiles: {}"


@dataclass(frozen=True)
class JudgedSections:
    """The parts of a report that profiles judge."""

    metadata: ReportMetadata
    dataset: DatasetSection
    fairness: list[GroupAnalysis]
    impact_ratio_threshold: float
    significance_level: float
    min_group_size: int
    model: ModelSection | None = None
    privacy: PrivacySection | None = None
    explanation: ExplanationSection | None = None
    data_kind_reason: str | None = None
    l_threshold: int = 2
    attestations: dict[str, str] = field(default_factory=dict)


def available_profiles() -> list[str]:
    """Names of the bundled profiles."""
    folder = resources.files(__package__) / "profiles"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


@cache
def load_profile(name: str) -> dict[str, Any]:
    """Read a bundled profile's definition."""
    import yaml

    if name not in available_profiles():
        raise InputError(
            ERR_UNKNOWN_PROFILE.format(name, ", ".join(available_profiles()))
        )
    path = resources.files(__package__) / "profiles" / f"{name}.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def validate_profiles(names: list[str], attestations: dict[str, str]) -> None:
    """Raise InputError for an unknown profile, or an attestation no check asks for.

    Cheap (profiles are read once), so the audit calls it before any work.
    """
    askable = [
        f"{load_profile(name)['id']}.{spec['id']}"
        for name in names
        for spec in load_profile(name)["checks"]
        if spec["kind"] == "attestation"
    ]
    unknown = sorted(set(attestations) - set(askable))
    if unknown:
        raise InputError(
            ERR_UNKNOWN_ATTESTATION.format(", ".join(unknown), ", ".join(askable))
        )


def evaluate_profiles(names: list[str], sections: JudgedSections) -> list[Check]:
    """Judge every check of the named profiles, in profile order."""
    validate_profiles(names, sections.attestations)
    results: list[Check] = []
    for name in names:
        profile = load_profile(name)
        for spec in profile["checks"]:
            judge = JUDGES[spec["kind"]]
            results.extend(judge(spec, profile, sections))
    return results


def _check(spec, profile, suffix: str = "", **fields) -> Check:
    return Check(
        id=f"{profile['id']}.{spec['id']}" + (f".{suffix}" if suffix else ""),
        clause=spec.get("clause"),
        profile=profile["id"],
        kind=spec["kind"],
        **fields,
    )


def _compared_groups(analysis: GroupAnalysis) -> list[GroupRow]:
    return [
        g
        for g in analysis.groups
        if g.compared and g.group != analysis.comparison_group
    ]


def _fmt(value: float | None, digits: int = 3) -> str:
    return "undefined" if value is None else f"{value:.{digits}f}"


def judge_impact_ratio(spec, profile, s: JudgedSections) -> list[Check]:
    threshold = s.impact_ratio_threshold
    out = []
    for analysis in s.fairness:
        for g in _compared_groups(analysis):
            title = spec["title"].format(group=g.group, analysis=analysis.name)
            suffix = f"{analysis.name}={g.group}"
            if g.too_small:
                status = "inconclusive"
                evidence = (
                    f"Too small to judge: n = {g.n} is under the minimum of "
                    f"{s.min_group_size}. Impact ratio {_fmt(g.impact_ratio)}."
                )
            elif g.impact_ratio is None:
                status = "inconclusive"
                evidence = "Impact ratio undefined: no compared group was selected."
            else:
                low, high = g.impact_ratio_ci or [g.impact_ratio, g.impact_ratio]
                best = analysis.summary.highest_selection_group
                status = str(
                    stats.threshold_verdict(g.impact_ratio, low, high, threshold)
                )
                evidence = (
                    f"Impact ratio {_fmt(g.impact_ratio)} (CI {_fmt(low)} to "
                    f"{_fmt(high)}) against {threshold:g}; selection rate "
                    f"{_fmt(g.selection_rate)} vs "
                    f"{_fmt(_rate_of(analysis, best))} for {best}."
                )
            out.append(
                _check(
                    spec,
                    profile,
                    suffix,
                    title=title,
                    status=status,
                    evidence=evidence,
                    value=g.impact_ratio,
                    threshold=threshold,
                    group=g.group,
                    analysis=analysis.name,
                )
            )
    return out


def _rate_of(analysis: GroupAnalysis, group: str | None) -> float | None:
    """Selection rate of the named group of an analysis."""
    return next((g.selection_rate for g in analysis.groups if g.group == group), None)


def judge_significance(spec, profile, s: JudgedSections) -> list[Check]:
    out = []
    for analysis in s.fairness:
        for g in _compared_groups(analysis):
            if g.p_value_adjusted is None:
                continue
            title = spec["title"].format(group=g.group, analysis=analysis.name)
            test = "Fisher's exact test" if g.test_used == "fisher_exact" else "Z test"
            lower = (g.selection_rate or 0) < (
                _rate_of(analysis, analysis.comparison_group) or 0
            )
            status = "warn" if g.significant and lower else "info"
            evidence = (
                f"{test} vs {analysis.comparison_group}: p = {_fmt(g.p_value, 4)}, "
                f"adjusted p = {_fmt(g.p_value_adjusted, 4)} (level "
                f"{s.significance_level:g}); Z = {_fmt(g.z_statistic, 2)}; "
                f"shortfall {_fmt(g.shortfall, 1)} selections."
            )
            out.append(
                _check(
                    spec,
                    profile,
                    f"{analysis.name}={g.group}",
                    title=title,
                    status=status,
                    evidence=evidence,
                    value=g.p_value_adjusted,
                    threshold=s.significance_level,
                    group=g.group,
                    analysis=analysis.name,
                )
            )
    return out


def judge_group_size(spec, profile, s: JudgedSections) -> list[Check]:
    out = []
    for analysis in s.fairness:
        for g in analysis.groups:
            if g.is_unknown or not g.too_small:
                continue
            out.append(
                _check(
                    spec,
                    profile,
                    f"{analysis.name}={g.group}",
                    title=spec["title"].format(group=g.group, analysis=analysis.name),
                    status="inconclusive",
                    evidence=(
                        f"n = {g.n} is under the minimum group size of "
                        f"{s.min_group_size}: results for this group are too small "
                        "to judge and are not a pass."
                    ),
                    value=float(g.n),
                    threshold=float(s.min_group_size),
                    group=g.group,
                    analysis=analysis.name,
                )
            )
    return out


def judge_tables_published(spec, profile, s: JudgedSections) -> list[Check]:
    return [
        _check(
            spec,
            profile,
            analysis.name,
            title=spec["title"].format(analysis=analysis.name),
            status="info",
            evidence=(
                f"{len(analysis.groups)} categories; lowest impact ratio "
                f"{_fmt(analysis.summary.min_impact_ratio)} "
                f"({analysis.summary.lowest_selection_group})."
            ),
            value=analysis.summary.min_impact_ratio,
            analysis=analysis.name,
        )
        for analysis in s.fairness
    ]


def judge_unknown_category(spec, profile, s: JudgedSections) -> list[Check]:
    return [
        _check(
            spec,
            profile,
            analysis.name,
            title=spec["title"].format(analysis=analysis.name),
            status="info",
            evidence=(
                f"{analysis.unknown_count} "
                + (
                    "individual has"
                    if analysis.unknown_count == 1
                    else "individuals have"
                )
                + f" an unknown {analysis.name}: counted but not used in impact "
                "ratios."
            ),
            value=float(analysis.unknown_count),
            analysis=analysis.name,
        )
        for analysis in s.fairness
    ]


def judge_data_source(spec, profile, s: JudgedSections) -> list[Check]:
    kind = s.dataset.data_kind or "historical"
    reason = s.data_kind_reason
    if kind == "test" and not reason:
        status, evidence = (
            "needs_input",
            (
                "Test data was audited; the rule requires the reason historical "
                "data was insufficient and how the test data was produced "
                "(data.kind_reason)."
            ),
        )
    else:
        status = "info"
        evidence = f"Audited {kind} data: {s.dataset.description or s.dataset.source}."
        if reason:
            evidence += f" Reason: {reason}"
    return [
        _check(spec, profile, title=spec["title"], status=status, evidence=evidence)
    ]


def judge_required_fields(spec, profile, s: JudgedSections) -> list[Check]:
    missing = [f for f in spec["fields"] if not getattr(s.metadata, f, None)]
    if missing:
        status = "needs_input"
        evidence = "Not stated in the config (report section): " + ", ".join(missing)
    else:
        status = "pass"
        evidence = "Stated: " + ", ".join(spec["fields"])
    return [
        _check(spec, profile, title=spec["title"], status=status, evidence=evidence)
    ]


def judge_disaggregated_metrics(spec, profile, s: JudgedSections) -> list[Check]:
    with_ci = all(
        g.selection_rate_ci is not None or g.n == 0
        for a in s.fairness
        for g in a.groups
    )
    names = ", ".join(a.name for a in s.fairness)
    return [
        _check(
            spec,
            profile,
            title=spec["title"],
            status="pass" if with_ci else "warn",
            evidence=f"Metrics per group of {names}"
            + (" with confidence intervals." if with_ci else "; intervals missing."),
        )
    ]


def _single(spec, profile, status, evidence, **fields) -> list[Check]:
    return [
        _check(
            spec,
            profile,
            title=spec["title"],
            status=status,
            evidence=evidence,
            **fields,
        )
    ]


def judge_identifiers(spec, profile, s: JudgedSections) -> list[Check]:
    if s.privacy is None:
        return _single(spec, profile, "not_applicable", NOT_SCANNED)
    found = s.privacy.identifiers
    if not found:
        return _single(
            spec,
            profile,
            "pass",
            "No column looks like a direct identifier, by "
            "name or by the values of a sample.",
        )
    parts = []
    for f in found:
        how = (
            f"{f.matches} of {f.sampled} sampled values"
            if f.detected_by == "value_pattern"
            else "column name"
        )
        parts.append(f"{f.column} ({f.kind.replace('_', ' ')}; {how})")
    return _single(
        spec,
        profile,
        "fail",
        "Direct identifiers found (values not shown): " + "; ".join(parts) + ". "
        "Remove or pseudonymise them before training or sharing the data.",
        value=float(len(found)),
    )


def judge_special_categories(spec, profile, s: JudgedSections) -> list[Check]:
    if s.privacy is None:
        return _single(spec, profile, "not_applicable", NOT_SCANNED)
    found = s.privacy.special_categories
    if not found:
        return _single(
            spec,
            profile,
            "pass",
            "No column name suggests GDPR Art. 9 special-category data.",
        )
    listed = "; ".join(f"{f.column} ({f.category})" for f in found)
    return _single(
        spec,
        profile,
        "warn",
        f"Columns that appear to hold special-category data: {listed}. Processing "
        "needs an Art. 9(2) condition; for bias detection, the safeguards of EU AI "
        "Act Art. 10(5).",
        value=float(len(found)),
    )


def judge_protected_features(spec, profile, s: JudgedSections) -> list[Check]:
    if s.privacy is None:
        return _single(spec, profile, "not_applicable", NOT_SCANNED)
    used = s.privacy.protected_as_features
    if s.model is None or s.model.mode == "decisions":
        return _single(
            spec,
            profile,
            "not_applicable",
            "The decisions were audited as given; the model's inputs are unknown.",
        )
    if used:
        return _single(
            spec,
            profile,
            "fail",
            "Protected attributes are model inputs: " + ", ".join(used) + ".",
        )
    return _single(spec, profile, "pass", "No protected attribute is a model input.")


def judge_proxies(spec, profile, s: JudgedSections) -> list[Check]:
    if s.privacy is None:
        return _single(spec, profile, "not_applicable", NOT_SCANNED)
    proxies = s.privacy.proxies
    if not proxies:
        return _single(spec, profile, "not_applicable", "No candidate feature to test.")
    strong = [p for p in proxies if p.strength == "strong"]
    moderate = [p for p in proxies if p.strength == "moderate"]

    def describe(items):
        return "; ".join(
            f"{p.feature} → {p.protected} (AUC {_fmt(p.auc, 2)}, "
            f"Cramér's V {_fmt(p.cramers_v, 2)})"
            for p in items[:6]
        )

    if strong:
        status = "warn"
        evidence = "Strong proxies of protected attributes: " + describe(strong)
    elif moderate:
        status = "warn"
        evidence = "Moderate proxies of protected attributes: " + describe(moderate)
    else:
        status = "pass"
        best = proxies[0]
        evidence = (
            f"No feature predicts a protected attribute well; the strongest is "
            f"{best.feature} → {best.protected} (AUC {_fmt(best.auc, 2)})."
        )
    return _single(
        spec,
        profile,
        status,
        evidence + " Screening thresholds: "
        "AUC 0.7/0.8, V 0.3/0.5 (heuristics, not law).",
    )


def judge_k_anonymity(spec, profile, s: JudgedSections) -> list[Check]:
    if s.privacy is None:
        return _single(spec, profile, "not_applicable", NOT_SCANNED)
    result = s.privacy.k_anonymity
    if result is None:
        return _single(
            spec,
            profile,
            "needs_input",
            "No quasi-identifiers configured "
            "(privacy.quasi_identifiers): k-anonymity was not measured.",
        )
    status = "pass" if result.meets_threshold else "warn"
    return _single(
        spec,
        profile,
        status,
        f"k = {result.k} over {', '.join(result.quasi_identifiers)} "
        f"({result.n_classes} classes); {result.rows_below_threshold} rows are in "
        f"classes smaller than {result.k_threshold}. The GDPR fixes no k; the "
        "threshold is a setting (privacy.k_threshold).",
        value=float(result.k),
        threshold=float(result.k_threshold),
    )


def judge_l_diversity(spec, profile, s: JudgedSections) -> list[Check]:
    if s.privacy is None:
        return _single(spec, profile, "not_applicable", NOT_SCANNED)
    result = s.privacy.l_diversity
    if result is None:
        return _single(
            spec,
            profile,
            "needs_input",
            "l-diversity needs quasi-identifiers and a "
            "sensitive column (privacy.quasi_identifiers, privacy.sensitive_column).",
        )
    threshold = s.l_threshold
    status = "pass" if result.l >= threshold else "warn"
    return _single(
        spec,
        profile,
        status,
        f"l = {result.l} for {result.sensitive}: {result.classes_at_minimum} classes "
        f"({result.rows_at_minimum} rows) hold {result.l} distinct value(s). "
        f"Threshold {threshold} is a setting (privacy.l_threshold).",
        value=float(result.l),
        threshold=float(threshold),
    )


def judge_explanation(spec, profile, s: JudgedSections) -> list[Check]:
    if s.explanation is None:
        return _single(spec, profile, "not_applicable", "No explanation was computed.")
    explanation = s.explanation
    if not explanation.importances:
        return _single(spec, profile, "not_applicable", explanation.note or "")
    top = ", ".join(i.feature for i in explanation.importances[:4])
    return _single(
        spec,
        profile,
        "pass",
        f"Global {explanation.method} on {explanation.metric}; most important: {top}.",
    )


def judge_attestation(spec, profile, s: JudgedSections) -> list[Check]:
    """A fact only a person can state: asked for, or reported as attested."""
    statement = s.attestations.get(f"{profile['id']}.{spec['id']}")
    if not statement:
        return _single(spec, profile, "needs_input", spec["ask"])
    return _single(spec, profile, "info", f"Attested: {statement}")


def judge_practical_significance(spec, profile, s: JudgedSections) -> list[Check]:
    """Fail when the ratio is below the threshold *and* significant.

    Pass, as everywhere in a report, only when the whole interval of the ratio
    clears the threshold; anything else is inconclusive.
    """
    threshold = s.impact_ratio_threshold
    out = []
    for analysis in s.fairness:
        for g in _compared_groups(analysis):
            if g.impact_ratio is None:
                continue
            below = g.impact_ratio < threshold
            low = g.impact_ratio_ci[0] if g.impact_ratio_ci else g.impact_ratio
            if below and g.significant and not g.too_small:
                status = "fail"
            elif low >= threshold and not g.too_small:
                status = "pass"
            else:
                status = "inconclusive"
            evidence = (
                f"AIR {_fmt(g.impact_ratio)} against {threshold:g}; difference "
                f"{_fmt(g.selection_rate_difference)}; adjusted p "
                f"{_fmt(g.p_value_adjusted, 4)}; shortfall {_fmt(g.shortfall, 1)} "
                "favourable outcomes."
            )
            if below and not g.significant:
                evidence += " Below the threshold but not statistically significant."
            if g.too_small:
                evidence += f" Too small to judge: n = {g.n}."
            out.append(
                _check(
                    spec,
                    profile,
                    f"{analysis.name}={g.group}",
                    title=spec["title"].format(group=g.group, analysis=analysis.name),
                    status=status,
                    evidence=evidence,
                    value=g.impact_ratio,
                    threshold=threshold,
                    group=g.group,
                    analysis=analysis.name,
                )
            )
    return out


def judge_score_smd(spec, profile, s: JudgedSections) -> list[Check]:
    out = []
    for analysis in s.fairness:
        title = spec["title"].format(analysis=analysis.name)
        if analysis.scores is None:
            out.append(
                _check(
                    spec,
                    profile,
                    analysis.name,
                    title=title,
                    status="not_applicable",
                    evidence="The decisions came without scores.",
                    analysis=analysis.name,
                )
            )
            continue
        rows = [
            r
            for r in analysis.scores.groups
            if r.standardized_mean_difference is not None
            and r.group != analysis.scores.smd_reference_group
        ]
        if not rows:
            continue
        worst = min(rows, key=lambda r: r.standardized_mean_difference)
        out.append(
            _check(
                spec,
                profile,
                analysis.name,
                title=title,
                status="info",
                evidence=(
                    f"Lowest SMD {_fmt(worst.standardized_mean_difference, 2)} for "
                    f"{worst.group} vs {analysis.scores.smd_reference_group} "
                    "(negative: lower scores; higher scores are favourable)."
                ),
                value=worst.standardized_mean_difference,
                group=worst.group,
                analysis=analysis.name,
            )
        )
    return out


JUDGES: dict[str, Callable[..., list[Check]]] = {
    "practical_significance": judge_practical_significance,
    "score_smd": judge_score_smd,
    "identifiers": judge_identifiers,
    "special_categories": judge_special_categories,
    "protected_features": judge_protected_features,
    "proxies": judge_proxies,
    "k_anonymity": judge_k_anonymity,
    "l_diversity": judge_l_diversity,
    "explanation": judge_explanation,
    "attestation": judge_attestation,
    "impact_ratio": judge_impact_ratio,
    "significance": judge_significance,
    "group_size": judge_group_size,
    "tables_published": judge_tables_published,
    "unknown_category": judge_unknown_category,
    "data_source": judge_data_source,
    "required_fields": judge_required_fields,
    "disaggregated_metrics": judge_disaggregated_metrics,
}
