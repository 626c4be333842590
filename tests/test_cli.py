"""Command-line behaviour: outputs, exit codes, messages, and nothing half-written."""

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from reportgen import __version__
from reportgen.cli import app

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def write_bytes(path, data):
    path.write_bytes(data)
    return path


def write_csv(path, text):
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def decisions_csv(tmp_path):
    """A small table of decisions: 12 rows, two groups, one missing sex."""
    rows = [
        "sex,race,hired,decision",
        "f,a,yes,yes",
        "f,a,yes,no",
        "f,b,no,no",
        "f,b,no,yes",
        "f,a,yes,yes",
        "m,a,yes,yes",
        "m,b,no,yes",
        "m,b,yes,yes",
        "m,a,no,no",
        "m,b,no,yes",
        ",a,yes,no",
        ",b,no,no",
    ]
    return write_csv(tmp_path / "decisions.csv", "\n".join(rows) + "\n")


def audit_flags(data, out, *extra):
    return [
        "audit",
        "--data",
        data,
        "--target",
        "hired",
        "--positive-label",
        "yes",
        "--protected",
        "sex",
        "--prediction",
        "decision",
        "--out",
        out,
        "--quiet",
        *extra,
    ]


def test_version():
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"reportgen {__version__}"


@pytest.mark.parametrize(
    "command",
    [[], ["demo"], ["audit"], ["render"], ["templates"], ["templates", "export"]],
)
def test_every_command_has_help_with_an_example(command):
    result = invoke(*command, "--help")
    assert result.exit_code == 0
    assert "Example" in result.stdout


def test_help_does_not_import_heavy_libraries():
    code = (
        "import sys; from reportgen.cli import app; "
        "heavy = [m for m in ('pandas', 'sklearn', 'matplotlib', 'weasyprint', "
        "'numpy') if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_audit_of_decisions_writes_outputs_and_prints_paths(decisions_csv, tmp_path):
    out = tmp_path / "report"
    result = invoke(*audit_flags(decisions_csv, out))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        str(out / "report.json"),
        str(out / "report.html"),
        str(out / "report.pdf"),
    ]
    report = json.loads((out / "report.json").read_text())
    sex = report["fairness"][0]
    by_group = {g["group"]: g for g in sex["groups"]}
    # f: decisions yes,no,no,yes,yes -> 3 of 5 selected; true yes = 3, tp = 2.
    assert by_group["f"]["n"] == 5
    assert by_group["f"]["selection_rate"] == pytest.approx(3 / 5)
    assert by_group["f"]["true_positive_rate"] == pytest.approx(2 / 3)
    # m: decisions yes,yes,yes,no,yes -> 4 of 5 selected; true yes 2 both selected.
    assert by_group["m"]["selection_rate"] == pytest.approx(4 / 5)
    assert by_group["f"]["impact_ratio"] == pytest.approx((3 / 5) / (4 / 5))
    # Missing sex is its own group, counted but never compared.
    assert by_group["unknown"]["n"] == 2
    assert by_group["unknown"]["is_unknown"] is True
    assert by_group["unknown"]["impact_ratio"] is None
    assert sex["unknown_count"] == 2
    assert (out / "report.pdf").read_bytes().startswith(b"%PDF-")


def test_metric_undefined_for_a_group_is_null(tmp_path):
    # Group g2 has no actual positives: TPR and FNR are undefined, not 0.
    data = write_csv(
        tmp_path / "d.csv",
        "g,y,p\ng1,1,1\ng1,0,1\ng1,1,0\ng2,0,0\ng2,0,1\n",
    )
    out = tmp_path / "out"
    result = invoke(
        "audit", "--data", data, "--target", "y", "--protected", "g",
        "--prediction", "p", "--out", out, "--quiet",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    groups = json.loads((out / "report.json").read_text())["fairness"][0]["groups"]
    g2 = next(g for g in groups if g["group"] == "g2")
    assert g2["true_positive_rate"] is None
    assert g2["false_negative_rate"] is None
    assert g2["false_positive_rate"] == pytest.approx(0.5)
    assert "true_positive_rate" in g2["undefined"]


BAD_INPUTS = {
    "missing file": (
        lambda tmp: ["--data", tmp / "nope.csv", "--target", "y", "--protected", "g"],
        "data file not found",
    ),
    "missing column": (
        lambda tmp: [
            "--data", write_csv(tmp / "d.csv", "g,y\na,1\nb,0\n"),
            "--target", "y", "--protected", "race",
        ],
        "column not found in the data: 'race'",
    ),
    "target not binary": (
        lambda tmp: [
            "--data", write_csv(tmp / "d.csv", "g,y\na,1\nb,0\na,2\n"),
            "--target", "y", "--protected", "g",
        ],
        "target 'y' must have exactly two distinct values",
    ),
    "one group only": (
        lambda tmp: [
            "--data", write_csv(tmp / "d.csv", "g,y,p\na,1,1\na,0,1\n"),
            "--target", "y", "--protected", "g", "--prediction", "p",
        ],
        "protected attribute 'g' has only one group",
    ),
    "empty table": (
        lambda tmp: [
            "--data", write_csv(tmp / "d.csv", "g,y,p\n"),
            "--target", "y", "--protected", "g",
        ],
        "data file has no rows",
    ),
    "empty file": (
        lambda tmp: [
            "--data", write_csv(tmp / "d.csv", ""),
            "--target", "y", "--protected", "g",
        ],
        "data file has no rows",
    ),
    "prediction labels differ from target": (
        lambda tmp: [
            "--data", write_csv(tmp / "d.csv", "g,y,p\na,1,yes\nb,0,no\n"),
            "--target", "y", "--protected", "g", "--prediction", "p",
        ],
        "prediction column 'p' holds values",
    ),
    "positive label not a value": (
        lambda tmp: [
            "--data", write_csv(tmp / "d.csv", "g,y,p\na,1,1\nb,0,0\n"),
            "--target", "y", "--protected", "g", "--prediction", "p",
            "--positive-label", "approved",
        ],
        "positive label 'approved' is not a value of 'y'",
    ),
    "header not UTF-8": (
        lambda tmp: [
            "--data", write_bytes(tmp / "d.csv", b"g,gr\xf6\xdfe,y\na,1,1\nb,2,0\n"),
            "--target", "y", "--protected", "g",
        ],
        "cannot read",
    ),
    "negative seed": (
        lambda tmp: [
            "--data", write_csv(tmp / "d.csv", "g,y,p\na,1,1\nb,0,0\n"),
            "--target", "y", "--protected", "g", "--prediction", "p", "--seed", "-1",
        ],
        "seed: Input should be greater than or equal to 0",
    ),
    "protected attribute twice": (
        lambda tmp: [
            "--data", write_csv(tmp / "d.csv", "g,y,p\na,1,1\nb,0,0\n"),
            "--target", "y", "--protected", "g", "--protected", "g",
        ],
        "protected attribute listed twice: g",
    ),
    "target as protected attribute": (
        lambda tmp: [
            "--data", write_csv(tmp / "d.csv", "g,y,p\na,1,1\nb,0,0\n"),
            "--target", "y", "--protected", "y",
        ],
        "cannot also be a protected attribute",
    ),
    "no flags and no config": (
        lambda tmp: [],
        "give an audit.yaml, or at least --data, --target, --protected",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_exits_2_with_one_line_and_writes_nothing(case, tmp_path):
    make_args, expected = BAD_INPUTS[case]
    out = tmp_path / "out"
    result = invoke("audit", *make_args(tmp_path), "--out", out, "--quiet")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    assert expected in lines[0]
    assert "Traceback" not in result.output
    assert not out.exists()
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("data: [unclosed\n", "malformed YAML at line"),
        ("- just\n- a list\n", "expected a mapping of settings"),
        ("data: {path: d.csv}\ntarget: y\n", "protected: Field required"),
        (
            "data: {path: d.csv}\ntarget: y\nprotected: [g]\nmodel: {type: svm}\n",
            "model.type: Input should be",
        ),
        (
            "data: {path: d.csv}\ntarget: y\nprotected: [g]\ncolour: blue\n",
            "colour: Extra inputs are not permitted",
        ),
    ],
)
def test_malformed_config_exits_2(tmp_path, text, expected):
    config = tmp_path / "audit.yaml"
    config.write_text(text)
    result = invoke("audit", config, "--out", tmp_path / "out", "--quiet")
    assert result.exit_code == 2
    assert expected in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_missing_config_file_exits_2(tmp_path):
    result = invoke("audit", tmp_path / "absent.yaml", "--quiet")
    assert result.exit_code == 2
    assert "config file not found" in result.stderr


def test_config_paths_are_relative_to_the_config_file(decisions_csv, tmp_path):
    folder = tmp_path / "audit"
    folder.mkdir()
    (folder / "audit.yaml").write_text(
        "data: {path: ../decisions.csv}\n"
        "target: hired\npositive_label: 'yes'\nprotected: [sex, race]\n"
        "predictions: {column: decision}\noutput: out\n"
    )
    result = invoke("audit", folder / "audit.yaml", "--quiet")
    assert result.exit_code == 0, result.output
    report = json.loads((folder / "out" / "report.json").read_text())
    assert [a["name"] for a in report["fairness"]] == ["sex", "race", "sex × race"]


def test_existing_report_is_kept_when_a_new_one_fails(decisions_csv, tmp_path):
    out = tmp_path / "report"
    assert invoke(*audit_flags(decisions_csv, out)).exit_code == 0
    before = (out / "report.json").read_bytes()
    bad = write_csv(tmp_path / "bad.csv", "sex,hired,decision\nf,yes,maybe\n")
    result = invoke(*audit_flags(bad, out))
    assert result.exit_code == 2
    assert (out / "report.json").read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == [
        "report.html",
        "report.json",
        "report.pdf",
    ]


def test_render_rebuilds_the_same_report_from_json(decisions_csv, tmp_path):
    out = tmp_path / "report"
    assert invoke(*audit_flags(decisions_csv, out)).exit_code == 0
    again = tmp_path / "again"
    result = invoke("render", out / "report.json", "--out", again, "--quiet")
    assert result.exit_code == 0, result.output
    assert (again / "report.json").read_bytes() == (out / "report.json").read_bytes()
    assert (again / "report.html").read_bytes() == (out / "report.html").read_bytes()


def test_render_rejects_a_file_that_is_not_a_report(tmp_path):
    bogus = tmp_path / "report.json"
    bogus.write_text('{"metadata": {}, "schema_version": "1.0"}')
    result = invoke("render", bogus, "--out", tmp_path / "out", "--quiet")
    assert result.exit_code == 2
    assert "does not follow schema" in result.stderr
    bogus.write_text('{"schema_version": "9.9"}')
    result = invoke("render", bogus, "--out", tmp_path / "out", "--quiet")
    assert result.exit_code == 2
    assert "schema version 9.9" in result.stderr
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.7\n\xff\xfe binary")
    result = invoke("render", pdf, "--out", tmp_path / "out", "--quiet")
    assert result.exit_code == 2
    assert "not a report.json" in result.stderr
    assert not (tmp_path / "out").exists()


def test_render_warns_when_the_json_was_edited(decisions_csv, tmp_path):
    out = tmp_path / "report"
    assert invoke(*audit_flags(decisions_csv, out)).exit_code == 0
    report = json.loads((out / "report.json").read_text())
    report["metadata"]["title"] = "Edited"
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(report))
    result = invoke("render", edited, "--out", tmp_path / "again", "--quiet")
    assert result.exit_code == 0
    assert "was changed after reportgen wrote it" in result.stderr


def test_templates_export_writes_the_defaults_and_refuses_to_overwrite(tmp_path):
    result = invoke("templates", "export", tmp_path / "mine")
    assert result.exit_code == 0
    names = {p.name for p in (tmp_path / "mine").iterdir()}
    assert {"report.html.j2", "report.css", "title_page.html.j2"} <= names
    again = invoke("templates", "export", tmp_path / "mine")
    assert again.exit_code == 2
    assert "use --force" in again.stderr


def test_progress_goes_to_stderr_and_quiet_silences_it(decisions_csv, tmp_path):
    loud = invoke(*audit_flags(decisions_csv, tmp_path / "a")[:-1])
    assert loud.exit_code == 0
    assert "Measuring fairness" in loud.stderr
    assert "Measuring fairness" not in loud.stdout
    quiet = invoke(*audit_flags(decisions_csv, tmp_path / "b"))
    assert quiet.stderr == ""


def test_training_copes_with_a_group_of_one(tmp_path):
    import pandas as pd

    from reportgen.datasets import german_credit_path

    frame = pd.read_csv(german_credit_path())
    frame.loc[0, "sex"] = "nonbinary"
    data = tmp_path / "rare.csv"
    frame.to_csv(data, index=False)
    out = tmp_path / "out"
    result = invoke(
        "audit", "--data", data, "--target", "credit_risk", "--positive-label",
        "good", "--protected", "sex", "--out", out, "--quiet",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text())
    assert report["model"]["train_rows"] + report["model"]["evaluation_rows"] == 1000
