"""The written report as a user receives it: HTML, PDF, attachments, provenance."""

import hashlib
import http.server
import io
import json
import re
import threading

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from reportgen.cli import app
from reportgen.render.document import RenderOptions, render_html

runner = CliRunner()
HOSTILE_LABELS = ["<script>alert(1)</script>", "{{ 7*7 }}", "<img src=x>"]
NON_ASCII_LABELS = ["Zoë & Ærøskøbing", "Ελληνικά", "Кириллица"]


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def write_decisions(path, labels):
    """Three groups with the given labels, 12 rows each, and fixed decisions."""
    lines = ["group,outcome,decision"]
    for k, label in enumerate(labels):
        quoted = '"' + label.replace('"', '""') + '"'
        for i in range(12):
            outcome = "1" if i % 2 else "0"
            decision = "1" if i % (k + 2) else "0"
            lines.append(f"{quoted},{outcome},{decision}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def audit(data, out, *extra):
    result = invoke(
        "audit", "--data", data, "--target", "outcome", "--protected", "group",
        "--prediction", "decision", "--out", out, "--quiet", *extra,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


def pdf_text(path):
    reader = PdfReader(path)
    return [page.extract_text() for page in reader.pages]


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    data = write_decisions(folder / "d.csv", HOSTILE_LABELS)
    return audit(data, folder / "out"), folder / "out"


def test_hostile_group_labels_are_data_not_markup(hostile_report):
    report, out = hostile_report
    labels = [g["group"] for g in report["fairness"][0]["groups"]]
    assert sorted(labels) == sorted(HOSTILE_LABELS)
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x>" not in html
    assert "&lt;img src=x&gt;" in html
    assert "{{ 7*7 }}" in html
    assert ">49<" not in html
    text = " ".join(pdf_text(out / "report.pdf"))
    for label in HOSTILE_LABELS:
        assert label in text


def test_non_ascii_labels_print_as_written(tmp_path):
    data = write_decisions(tmp_path / "d.csv", NON_ASCII_LABELS)
    report = audit(data, tmp_path / "out")
    labels = {g["group"] for g in report["fairness"][0]["groups"]}
    assert labels == set(NON_ASCII_LABELS)
    text = " ".join(pdf_text(tmp_path / "out" / "report.pdf"))
    for label in NON_ASCII_LABELS:
        assert label in text


def test_pdf_is_pdfa3b_and_carries_the_json_and_config(tmp_path):
    from reportgen.datasets import german_credit_path

    config = tmp_path / "audit.yaml"
    config.write_text(
        f"data: {{path: {german_credit_path()}}}\n"
        "target: credit_risk\npositive_label: good\nprotected: [sex]\n"
        "predictions: {column: credit_risk}\n"
        "report: {title: Attachment test, organisation: Acme & Co}\n",
        encoding="utf-8",
    )
    result = invoke("audit", config, "--out", tmp_path / "out", "--quiet")
    assert result.exit_code == 0, result.output
    reader = PdfReader(tmp_path / "out" / "report.pdf")
    attachments = reader.attachments
    assert attachments["report.json"] == [
        (tmp_path / "out" / "report.json").read_bytes()
    ]
    assert attachments["audit.yaml"] == [config.read_bytes()]
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert re.search(r"pdfaid:part[^0-9]*3", xmp)
    assert re.search(r"pdfaid:conformance[^A-Z]*B", xmp)
    assert reader.metadata.title == "Attachment test"
    assert "Acme & Co" in reader.metadata.author


def test_report_id_and_page_numbers_on_every_page_after_the_title(hostile_report):
    report, out = hostile_report
    pages = pdf_text(out / "report.pdf")
    total = len(pages)
    for number, text in enumerate(pages[1:], start=2):
        assert report["report_id"] in text
        assert f"Page {number} of {total}" in text
    contents = pages[1]
    assert "Contents" in contents and "Executive summary" in contents


def test_overriding_one_partial_changes_only_that_part(hostile_report, tmp_path):
    report, _ = hostile_report
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "title_page.html.j2").write_text(
        '<section class="title-page"><h1>House style</h1></section>'
    )
    default = render_html(report, RenderOptions())
    custom = render_html(report, RenderOptions(template_dir=mine))
    pattern = re.compile(r'<section class="title-page.*?</section>', re.S)
    assert "House style" in custom and "House style" not in default
    assert pattern.sub("", default) == pattern.sub("", custom)


def test_overriding_one_block_changes_only_that_block(hostile_report, tmp_path):
    report, _ = hostile_report
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "report.html.j2").write_text(
        '{% extends "default/report.html.j2" %}'
        "{% block checks %}<p>Checks withheld</p>{% endblock %}"
    )
    default = render_html(report, RenderOptions())
    custom = render_html(report, RenderOptions(template_dir=mine))
    checks = re.compile(r'<section id="checks".*?</section>', re.S)
    assert checks.search(default) and not checks.search(custom)
    assert checks.sub("<p>Checks withheld</p>", default) == custom


class CountingHandler(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self):  # noqa: N802 - the name http.server calls
        CountingHandler.requests.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"body{}")

    def log_message(self, *args):
        pass


def test_user_template_cannot_fetch_the_network_or_files(hostile_report, tmp_path):
    _, out = hostile_report
    server = http.server.HTTPServer(("127.0.0.1", 0), CountingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-TOKEN")
    try:
        url = f"http://127.0.0.1:{server.server_port}"
        mine = tmp_path / "mine"
        mine.mkdir()
        (mine / "title_page.html.j2").write_text(
            f'<section><img src="{url}/logo.png">'
            f'<link rel="stylesheet" href="{url}/x.css">'
            f'<link rel="attachment" href="file://{secret}">'
            '<img src="../secret.txt"></section>'
        )
        result = invoke(
            "render", out / "report.json", "--templates", mine,
            "--out", tmp_path / "again", "--quiet",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
    finally:
        server.shutdown()
        server.server_close()
    assert CountingHandler.requests == []
    assert "Warning: the templates named resources that were not fetched" in (
        result.stderr
    )
    assert f"{url}/logo.png" in result.stderr
    pdf = (tmp_path / "again" / "report.pdf").read_bytes()
    assert b"TOP-SECRET-TOKEN" not in pdf
    assert set(PdfReader(io.BytesIO(pdf)).attachments) == {"report.json"}


def test_sandbox_stops_a_template_reaching_python_internals(hostile_report, tmp_path):
    _, out = hostile_report
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "title_page.html.j2").write_text(
        "{{ ''.__class__.__mro__[1].__subclasses__() }}"
    )
    result = invoke(
        "render", out / "report.json", "--templates", mine,
        "--out", tmp_path / "again", "--quiet",
    )  # fmt: skip
    assert result.exit_code == 2
    assert "title_page.html.j2" in result.stderr
    assert not (tmp_path / "again").exists()


def test_same_inputs_and_seed_give_identical_outputs(tmp_path, monkeypatch):
    from reportgen.datasets import german_credit_path

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    data = german_credit_path()
    outputs = []
    for name in ("one", "two"):
        result = invoke(
            "audit", "--data", data, "--target", "credit_risk", "--positive-label",
            "good", "--protected", "sex", "--seed", "5", "--out", tmp_path / name,
            "--quiet",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        outputs.append(tmp_path / name)
    one, two = outputs
    assert (one / "report.json").read_bytes() == (two / "report.json").read_bytes()
    assert (one / "report.pdf").read_bytes() == (two / "report.pdf").read_bytes()
    report = json.loads((one / "report.json").read_text())
    assert report["provenance"]["generated_at"] == "2026-01-01T00:00:00+00:00"
    digest = hashlib.sha256(data.read_bytes()).hexdigest()
    assert report["provenance"]["data_sha256"] == digest
    assert digest in " ".join(pdf_text(one / "report.pdf"))


def test_small_counts_are_suppressed_in_the_pdf_but_exact_in_json(tmp_path):
    data = tmp_path / "d.csv"
    rows = ["g,y,p"] + ["a,1,1"] * 40 + ["a,0,0"] * 20 + ["b,1,1"] * 3 + ["b,0,1"]
    data.write_text("\n".join(rows) + "\n")
    config = tmp_path / "audit.yaml"
    config.write_text(
        "data: {path: d.csv}\ntarget: y\nprotected: [g]\n"
        "predictions: {column: p}\nreport: {suppress_small_counts: 5}\noutput: out\n"
    )
    assert invoke("audit", config, "--quiet").exit_code == 0
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    b = next(g for g in report["fairness"][0]["groups"] if g["group"] == "b")
    assert b["n"] == 4 and b["selected"] == 4
    text = " ".join(pdf_text(tmp_path / "out" / "report.pdf"))
    assert "<\u00a05" in text or "< 5" in text
    html = (tmp_path / "out" / "report.html").read_text()
    row = re.search(r"<td class=\"group-col\">b.*?</tr>", html, re.S).group(0)
    assert ">4<" not in row
    # The evidence of the checks quotes no small count either.
    assert "n = 4" not in text and "n = 4" not in html
    assert "n = &lt;\u00a05" in html


def test_branding_logo_and_colour_from_the_config(tmp_path):
    import base64

    # A 1x1 PNG.
    png = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGA"
        "WjR9awAAAABJRU5ErkJggg=="
    )
    (tmp_path / "logo.png").write_bytes(png)
    write_decisions(tmp_path / "d.csv", ["a", "b", "c"])
    config = tmp_path / "audit.yaml"
    config.write_text(
        "data: {path: d.csv}\ntarget: outcome\nprotected: [group]\n"
        "predictions: {column: decision}\noutput: out\n"
        "report: {organisation: Acme, logo: logo.png, accent_colour: '#aa0000',"
        " extra_css: 'h2 { letter-spacing: 1pt; }'}\n"
    )
    assert invoke("audit", config, "--quiet").exit_code == 0
    html = (tmp_path / "out" / "report.html").read_text()
    assert "data:image/png;base64," + base64.b64encode(png).decode() in html
    assert "--accent: #aa0000" in html and "letter-spacing: 1pt" in html
    # Self-contained: every image is inline, nothing refers to a file or the web.
    assert not re.search(r'(src|href)="(https?|file):', html)


def test_oversized_logo_is_refused(tmp_path):
    (tmp_path / "logo.png").write_bytes(b"\x89PNG" + b"0" * (3 * 1024 * 1024))
    write_decisions(tmp_path / "d.csv", ["a", "b", "c"])
    config = tmp_path / "audit.yaml"
    config.write_text(
        "data: {path: d.csv}\ntarget: outcome\nprotected: [group]\n"
        "predictions: {column: decision}\noutput: out\nreport: {logo: logo.png}\n"
    )
    result = invoke("audit", config, "--quiet")
    assert result.exit_code == 2
    assert "larger than 2 MiB" in result.stderr
    assert not (tmp_path / "out").exists()


def test_methodology_explains_every_interval_and_test(hostile_report):
    report, out = hostile_report
    terms = {d["term"] for d in report["methodology"]["definitions"]}
    assert {
        "Wilson interval",
        "bootstrap interval",
        "two-proportion Z test",
        "Fisher's exact test",
        "adjusted p value",
        "balanced_accuracy",
        "macro_f1",
        "impact_ratio",
    } <= terms
    notes = " ".join(report["methodology"]["notes"])
    assert "Holm" in notes and "inconclusive" in notes
    text = " ".join(pdf_text(out / "report.pdf"))
    assert "Methodology" in text and "Wilson interval" in text
