"""Charts of a report, drawn with matplotlib from the report's JSON data only.

Each function takes the JSON form of one analysis (a dict, as read from
``report.json``) and an optional matplotlib ``Axes``; it returns the figure. A
chart that cannot be drawn raises rather than being skipped silently.
:func:`svg_data_uri` turns a figure into a ``data:`` URI of an SVG whose text stays
text (``svg.fonttype = "none"``), so the PDF remains searchable, and whose bytes
are the same on every run (no date, fixed ids).
"""

from __future__ import annotations

import base64
import io
import warnings
from typing import Any

PALETTE = {
    "bar": "#3b6ea5",
    "small": "#a9bcd0",
    "line": "#b03a2e",
    "tpr": "#3b6ea5",
    "fpr": "#d08c2d",
    "fnr": "#6b8e23",
    "grid": "#d9d9d9",
}
BAR_HEIGHT_INCHES = 0.32
WIDTH_INCHES = 6.6
# A chart never grows taller than this, so it fits an A4 page with its caption;
# with many groups the bars get thinner instead.
MAX_HEIGHT_INCHES = 8.2
LABEL_MAX_CHARS = 38


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    plt.rcParams.update(
        {
            "svg.fonttype": "none",
            "svg.hashsalt": "reportgen",
            "font.family": "DejaVu Sans",
            "font.size": 8.5,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )
    return plt


def _short(label: str) -> str:
    """Shorten a long label in the middle, keeping its start and its end.

    Intersection labels differ at their end as often as at their start, so a
    middle ellipsis keeps two long labels apart where a trailing one would not.
    """
    if len(label) <= LABEL_MAX_CHARS:
        return label
    head = (LABEL_MAX_CHARS - 1) // 2
    tail = LABEL_MAX_CHARS - 1 - head
    return label[:head] + "…" + label[-tail:]


def _new_axes(ax, n_rows: int):
    plt = _pyplot()
    if ax is not None:
        return ax.figure, ax
    height = min(max(1.4, 0.6 + BAR_HEIGHT_INCHES * n_rows), MAX_HEIGHT_INCHES)
    fig, ax = plt.subplots(figsize=(WIDTH_INCHES, height), layout="constrained")
    return fig, ax


def _error(values: list[float], intervals: list[list[float] | None]):
    lower, upper = [], []
    for v, ci in zip(values, intervals, strict=True):
        if ci is None:
            lower.append(0.0)
            upper.append(0.0)
        else:
            lower.append(max(v - ci[0], 0.0))
            upper.append(max(ci[1] - v, 0.0))
    return [lower, upper]


def selection_rate_chart(analysis: dict[str, Any], *, threshold: float, ax=None):
    """Horizontal bars of selection rate per group, with intervals.

    The dashed line marks ``threshold`` times the highest selection rate among
    compared groups: bars ending left of it have an impact ratio below it.
    """
    groups = [g for g in analysis["groups"] if g["selection_rate"] is not None]
    fig, ax = _new_axes(ax, len(groups))
    labels = [_short(g["group"]) for g in groups]
    rates = [g["selection_rate"] for g in groups]
    colours = [
        PALETTE["small"] if (g["too_small"] or not g["compared"]) else PALETTE["bar"]
        for g in groups
    ]
    positions = list(range(len(groups)))[::-1]
    ax.barh(
        positions,
        rates,
        color=colours,
        xerr=_error(rates, [g["selection_rate_ci"] for g in groups]),
        error_kw={"ecolor": "#333333", "elinewidth": 0.8, "capsize": 2},
        height=0.65,
    )
    ax.set_yticks(positions, labels)
    compared = [g["selection_rate"] for g in groups if g["compared"]]
    if compared:
        line = threshold * max(compared)
        ax.axvline(line, color=PALETTE["line"], linestyle="--", linewidth=1)
        ax.text(
            line,
            len(groups) - 0.35,
            f" {threshold:g} × highest rate",
            color=PALETTE["line"],
            fontsize=7.5,
            va="bottom",
        )
    ax.set_xlim(0, 1.0)
    ax.set_xlabel("Selection rate, with CI")
    ax.grid(axis="x", color=PALETTE["grid"], linewidth=0.6)
    ax.set_axisbelow(True)
    return fig


def error_rate_chart(analysis: dict[str, Any], *, ax=None):
    """Grouped horizontal bars of true positive, false positive and false
    negative rates per group, with intervals."""
    groups = analysis["groups"]
    fig, ax = _new_axes(ax, int(len(groups) * 1.6))
    metrics = [
        ("true_positive_rate", "True positive rate", PALETTE["tpr"]),
        ("false_positive_rate", "False positive rate", PALETTE["fpr"]),
        ("false_negative_rate", "False negative rate", PALETTE["fnr"]),
    ]
    height = 0.26
    base = list(range(len(groups)))[::-1]
    for k, (key, name, colour) in enumerate(metrics):
        values = [g[key] if g[key] is not None else 0.0 for g in groups]
        intervals = [g[key + "_ci"] if g[key] is not None else None for g in groups]
        ax.barh(
            [b + (1 - k) * height for b in base],
            values,
            height=height,
            color=colour,
            label=name,
            xerr=_error(values, intervals),
            error_kw={"ecolor": "#333333", "elinewidth": 0.6, "capsize": 1.5},
        )
    ax.set_yticks(base, [_short(g["group"]) for g in groups])
    ax.set_xlim(0, 1.0)
    ax.set_xlabel("Rate, with CI (an undefined rate is drawn as 0; see the table)")
    ax.grid(axis="x", color=PALETTE["grid"], linewidth=0.6)
    ax.set_axisbelow(True)
    ax.legend(
        loc="lower right", fontsize=7, frameon=False, ncols=3, bbox_to_anchor=(1.0, 1.0)
    )
    return fig


def calibration_chart(scores: dict[str, Any], *, max_groups: int = 8, ax=None):
    """Observed positive rate against mean score per bin, one line per group."""
    plt = _pyplot()
    curve = scores["calibration"]
    if ax is None:
        fig, ax = plt.subplots(figsize=(4.8, 3.4), layout="constrained")
    else:
        fig = ax.figure
    ax.plot([0, 1], [0, 1], color="#999999", linestyle="--", linewidth=0.8)
    for i, group in enumerate(curve["groups"][:max_groups]):
        points = [
            (x, y)
            for x, y in zip(
                curve["mean_score"][i], curve["observed_rate"][i], strict=True
            )
            if x is not None and y is not None
        ]
        if points:
            xs, ys = zip(*points, strict=True)
            ax.plot(xs, ys, marker="o", markersize=3, linewidth=1, label=_short(group))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("Mean score in bin")
    ax.set_ylabel("Observed positive rate")
    ax.grid(color=PALETTE["grid"], linewidth=0.6)
    ax.legend(fontsize=7, frameon=False, loc="upper left")
    return fig


def importance_chart(explanation: dict[str, Any], *, top: int = 15, ax=None):
    """Horizontal bars of permutation importance, with one standard deviation."""
    items = explanation["importances"][:top]
    fig, ax = _new_axes(ax, len(items))
    positions = list(range(len(items)))[::-1]
    ax.barh(
        positions,
        [i["importance"] for i in items],
        xerr=[i["std"] for i in items],
        color=PALETTE["bar"],
        error_kw={"ecolor": "#333333", "elinewidth": 0.8, "capsize": 2},
        height=0.65,
    )
    ax.set_yticks(positions, [_short(i["feature"]) for i in items])
    ax.axvline(0, color="#333333", linewidth=0.6)
    ax.set_xlabel(f"Drop in {explanation['metric']} when shuffled (mean ± 1 SD)")
    ax.grid(axis="x", color=PALETTE["grid"], linewidth=0.6)
    ax.set_axisbelow(True)
    return fig


def _entry(fig, alt: str) -> dict[str, Any]:
    width, height = svg_size(fig)
    return {
        "uri": svg_data_uri(fig),
        "width": round(width, 1),
        "height": round(height, 1),
        "alt": alt,
    }


def svg_data_uri(fig) -> str:
    """Serialise a figure as an SVG ``data:`` URI and close it."""
    plt = _pyplot()
    try:
        buffer = io.BytesIO()
        with warnings.catch_warnings():
            # A label in a script the chart font lacks (CJK) draws as boxes; the
            # tables in the HTML and PDF still print it. Not worth a warning per
            # glyph on the user's terminal: the README names the fonts to install.
            warnings.filterwarnings("ignore", message="Glyph .* missing from")
            fig.savefig(buffer, format="svg", metadata={"Date": None})
    finally:
        plt.close(fig)
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return "data:image/svg+xml;base64," + encoded


def svg_size(fig) -> tuple[float, float]:
    """Width and height of a figure in CSS points."""
    width, height = fig.get_size_inches()
    return float(width * 72), float(height * 72)


def analysis_charts(report: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    """Every chart of a report, keyed by analysis name then chart name.

    Each chart is ``{"uri": data URI, "width": pt, "height": pt, "alt": text}``.
    """
    threshold = report["settings"]["impact_ratio_threshold"]
    charts: dict[str, dict[str, dict[str, Any]]] = {}
    for analysis in report["fairness"]:
        drawn = {
            "selection": (
                selection_rate_chart(analysis, threshold=threshold),
                f"Selection rate by group of {analysis['name']}",
            ),
            "errors": (
                error_rate_chart(analysis),
                f"Error rates by group of {analysis['name']}",
            ),
        }
        scores = analysis.get("scores")
        # Calibration curves of many groups overlap into noise: single
        # attributes only; intersections keep their calibration errors in the table.
        if scores and scores.get("calibration") and analysis["kind"] == "attribute":
            drawn["calibration"] = (
                calibration_chart(scores),
                f"Calibration of scores by group of {analysis['name']}",
            )
        charts[analysis["name"]] = {
            key: _entry(fig, alt) for key, (fig, alt) in drawn.items()
        }
    explanation = report["transparency"]["explanation"]
    if explanation["importances"]:
        # Keyed with a leading underscore: no analysis can be named so.
        charts["_importance"] = _entry(
            importance_chart(explanation), "Permutation feature importance"
        )
    return charts
