"""Profile checks: verdicts that respect uncertainty, group size and clauses."""

import numpy as np
import pytest

from reportgen.checks.profiles import (
    JudgedSections,
    available_profiles,
    evaluate_profiles,
    load_profile,
)
from reportgen.errors import InputError
from reportgen.fairness.analysis import AnalysisSettings, analyse
from reportgen.fairness.counts import GroupCounts
from reportgen.report import DatasetSection, ReportMetadata

SETTINGS = AnalysisSettings(min_group_size=30, bootstrap_resamples=400, seed=1)


def grouping(selected_and_n):
    """Counts of one attribute from (selected, n) per group; all outcomes positive.

    With every true outcome positive, selected = tp and not selected = fn.
    """
    labels = tuple((name,) for name in selected_and_n)
    cells = np.array([[0, 0, n - sel, sel] for sel, n in selected_and_n.values()])
    return GroupCounts(attributes=("g",), labels=labels, cells=cells)


def sections(*analyses, **metadata):
    dataset = DatasetSection(
        source="t.csv", n_rows=1, n_columns=1, target="y", positive_label="1",
        negative_label="0", protected_attributes=["g"], features=[], rows_used=1,
        rows_dropped=0,
    )  # fmt: skip
    return JudgedSections(
        metadata=ReportMetadata(title="t", **metadata),
        dataset=dataset,
        fairness=list(analyses),
        impact_ratio_threshold=0.8,
        significance_level=0.05,
        min_group_size=30,
    )


def four_fifths(counts):
    analysis = analyse(grouping(counts), settings=SETTINGS)
    checks = evaluate_profiles(["eeoc"], sections(analysis))
    return {c.group: c for c in checks if c.id.startswith("eeoc.four_fifths")}


def test_clear_pass_clear_fail_and_straddling_interval():
    checks = four_fifths(
        {"ref": (800, 1000), "same": (790, 1000), "low": (300, 1000), "edge": (64, 100)}
    )
    # same: ratio 0.9875 with a tight interval above 0.8.
    assert checks["same"].status == "pass"
    # low: ratio 0.375, the whole interval far below 0.8.
    assert checks["low"].status == "fail"
    assert checks["low"].value == pytest.approx(0.3 / 0.8)
    # edge: ratio 0.8 exactly with n = 100: the interval straddles the threshold.
    assert checks["edge"].status == "inconclusive"
    assert "ref" not in checks  # the comparison group is not judged against itself
    assert checks["low"].clause == "29 CFR 1607.4(D)"


def test_small_group_is_never_a_pass():
    checks = four_fifths({"ref": (80, 100), "tiny": (8, 10)})
    assert checks["tiny"].status == "inconclusive"
    assert "Too small to judge" in checks["tiny"].evidence


def test_unknown_group_is_counted_but_not_judged():
    counts = GroupCounts(
        attributes=("g",),
        labels=(("a",), ("b",), (None,)),
        cells=np.array([[0, 0, 20, 80], [0, 0, 40, 60], [0, 0, 9, 1]]),
    )
    analysis = analyse(counts, settings=SETTINGS)
    assert analysis.unknown_count == 10
    unknown = analysis.groups[-1]
    assert unknown.group == "unknown" and unknown.impact_ratio is None
    checks = evaluate_profiles(["eeoc"], sections(analysis))
    assert all(c.group != "unknown" for c in checks)


def test_fair_lending_fails_only_when_low_and_significant():
    analysis = analyse(
        grouping({"ref": (800, 1000), "low": (300, 1000), "noisy": (6, 10)}),
        settings=SETTINGS,
    )
    checks = {
        c.group: c
        for c in evaluate_profiles(["fair_lending"], sections(analysis))
        if c.group
    }
    assert checks["low"].status == "fail"
    # noisy: 6/10 = 0.6 over 0.8 gives 0.75 < 0.8, but Fisher's p is 0.12.
    low_p = analysis.groups[2].p_value_adjusted
    assert low_p > 0.05
    assert checks["noisy"].status == "inconclusive"


def test_person_supplied_fields_are_asked_for_not_invented():
    analysis = analyse(grouping({"a": (50, 100), "b": (45, 100)}), settings=SETTINGS)
    checks = evaluate_profiles(
        ["model_card", "nyc_ll144"], sections(analysis, owner="Risk team")
    )
    by_id = {c.id: c for c in checks}
    card = by_id["model_card.person_supplied"]
    assert card.status == "needs_input"
    assert "owner" not in card.evidence
    assert "intended_use" in card.evidence
    assert by_id["nyc_ll144.summary_fields"].status == "needs_input"


def test_every_profile_check_has_a_clause_and_a_known_kind():
    from reportgen.checks.profiles import JUDGES

    names = available_profiles()
    assert {"eeoc", "nyc_ll144", "eu_ai_act", "gdpr", "model_card"} <= set(names)
    for name in names:
        for check in load_profile(name)["checks"]:
            assert check["kind"] in JUDGES
            assert check.get("clause")


def test_unknown_profile_is_a_clear_error():
    with pytest.raises(InputError, match="unknown profile 'ccpa'; available"):
        load_profile("ccpa")


def test_attestations_are_asked_for_then_reported_as_given():
    from dataclasses import replace

    analysis = analyse(grouping({"a": (50, 100), "b": (45, 100)}), settings=SETTINGS)
    asked = {c.id: c for c in evaluate_profiles(["gdpr"], sections(analysis))}
    assert asked["gdpr.dpia"].status == "needs_input"
    given = replace(sections(analysis), attestations={"gdpr.dpia": "DPIA-2026-04"})
    checks = {c.id: c for c in evaluate_profiles(["gdpr"], given)}
    assert checks["gdpr.dpia"].status == "info"
    assert checks["gdpr.dpia"].evidence == "Attested: DPIA-2026-04"
    assert checks["gdpr.automated_decision"].status == "needs_input"


def test_an_attestation_for_an_unknown_check_is_an_input_error():
    from dataclasses import replace

    analysis = analyse(grouping({"a": (50, 100), "b": (45, 100)}), settings=SETTINGS)
    typo = replace(sections(analysis), attestations={"gdpr.dpai": "yes"})
    with pytest.raises(InputError, match="not attestations of the chosen profiles"):
        evaluate_profiles(["gdpr"], typo)
