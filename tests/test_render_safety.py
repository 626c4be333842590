"""Safety and correctness of the rendering infrastructure.

- The WeasyPrint fetcher never touches the network or a file outside the allowed
  folders, and whatever it refuses stays out of the PDF.
- The PDF declares PDF/A-3b, carries its attachments byte for byte and its
  metadata, and is reproducible under SOURCE_DATE_EPOCH.
- The Jinja2 environment escapes, sandboxes and reports template errors as
  TemplateError; user templates override default partials and blocks.
- The number filters format and suppress as documented.
"""

import base64
import hashlib
import http.server
import io
import os
import subprocess
import sys
import textwrap
import threading
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

import reportgen
from reportgen.errors import InputError, TemplateError
from reportgen.render import environment as env_module
from reportgen.render.environment import (
    default_template_dir,
    format_ci,
    format_count,
    format_num,
    format_pct,
    make_environment,
    render_template,
    validate_user_template_dir,
)
from reportgen.render.fetcher import (
    FetchPolicy,
    FetchRefusedError,
    MissingDependencyError,
    import_weasyprint,
    make_url_fetcher,
)
from reportgen.render.pdf import (
    Attachment,
    PdfMetadata,
    html_to_pdf_bytes,
    write_pdf,
)

SECRET = b"SECRET-7f3a9c-aws_secret_access_key"
PDFAID = "{http://www.aiim.org/pdfa/ns/id/}"
NBSP = "\u00a0"
NNBSP = "\u202f"


def png_bytes(width, height, color="red"):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, format="PNG")
    return buffer.getvalue()


def page_images(pdf_path):
    return [image for page in PdfReader(pdf_path).pages for image in page.images]


# --------------------------------------------------------------------------------
# Fixtures


class _RecordingHandler(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self):  # noqa: N802 (name fixed by http.server)
        type(self).requests.append(self.path)
        body = png_bytes(4, 4) if self.path.endswith(".png") else b"p{color:red}"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


@pytest.fixture
def http_server():
    """A local HTTP server on a free port that records every request it gets."""
    handler = type("Handler", (_RecordingHandler,), {"requests": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler.requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def folders(tmp_path):
    """A template folder with a logo, an asset folder, and a secret outside both."""
    templates = tmp_path / "templates"
    assets = tmp_path / "out" / "assets"
    secret_dir = tmp_path / "secret"
    for folder in (templates, assets, secret_dir):
        folder.mkdir(parents=True)
    (templates / "logo.png").write_bytes(png_bytes(30, 10, "blue"))
    (assets / "chart.png").write_bytes(png_bytes(40, 20, "green"))
    (secret_dir / "credentials.txt").write_bytes(SECRET)
    (secret_dir / "credentials.png").write_bytes(png_bytes(50, 50, "black"))
    return templates, assets, secret_dir


# --------------------------------------------------------------------------------
# Fetcher: nothing leaves the allowed folders


def test_remote_and_outside_resources_are_refused(http_server, folders, tmp_path):
    base, requests = http_server
    templates, assets, secret_dir = folders
    os.symlink(secret_dir / "credentials.png", templates / "linked.png")
    os.symlink(secret_dir / "credentials.txt", templates / "linked.txt")
    html = f"""<!doctype html>
    <html><head><title>Leak attempt</title>
    <link rel="stylesheet" href="{base}/linked.css">
    <link rel="attachment" href="file:///etc/passwd">
    <link rel="attachment" href="../secret/credentials.txt">
    <link rel="attachment" href="linked.txt">
    <style>
      @import url({base}/imported.css);
      @font-face {{ font-family: Evil; src: url({base}/font.woff) }}
      body {{ background-image: url({base}/background.png) }}
    </style></head>
    <body>
      <img src="{base}/x.png">
      <img src="https://127.0.0.1:1/y.png">
      <img src="ftp://127.0.0.1:1/z.png">
      <img src="file:///etc/hostname">
      <img src="../secret/credentials.png">
      <img src="linked.png">
      <a rel="attachment" href="{(secret_dir / "credentials.txt").as_uri()}">x</a>
      <p>Hello</p>
    </body></html>"""
    out = tmp_path / "out" / "report.pdf"

    refused = write_pdf(
        html, out, base_dir=templates, allowed_roots=[templates, assets]
    )

    assert requests == []
    secret_url = (secret_dir / "credentials.txt").as_uri()
    expected = {
        f"{base}/linked.css",
        f"{base}/imported.css",
        f"{base}/font.woff",
        f"{base}/background.png",
        f"{base}/x.png",
        "https://127.0.0.1:1/y.png",
        "ftp://127.0.0.1:1/z.png",
        "file:///etc/passwd",
        "file:///etc/hostname",
        secret_url,
        (secret_dir / "credentials.png").as_uri(),
        (templates / "linked.png").as_uri(),
        (templates / "linked.txt").as_uri(),
    }
    assert expected <= set(refused)
    assert len(refused) == len(set(refused))

    raw = out.read_bytes()
    reader = PdfReader(out)
    assert dict(reader.attachments) == {}
    assert SECRET not in raw
    assert b"root:x:0:0" not in raw
    assert page_images(out) == []


def test_images_in_allowed_folders_and_data_uris_are_embedded(folders, tmp_path):
    templates, assets, _ = folders
    data_uri = "data:image/png;base64," + base64.b64encode(
        png_bytes(12, 12, "yellow")
    ).decode("ascii")
    html = f"""<html><body>
      <img src="logo.png">
      <img src="{(assets / "chart.png").as_uri()}">
      <img src="{data_uri}">
    </body></html>"""
    out = tmp_path / "report.pdf"

    refused = write_pdf(
        html, out, base_dir=templates, allowed_roots=[templates, assets]
    )

    assert refused == []
    sizes = sorted(
        (image.image.width, image.image.height) for image in page_images(out)
    )
    assert sizes == [(12, 12), (30, 10), (40, 20)]


def test_fetch_policy_serves_only_bounded_data_and_files_inside_roots(tmp_path):
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    (root / "small.css").write_text("p { color: red }")
    (root / "big.bin").write_bytes(b"x" * 101)
    os.symlink(root / "small.css", root / "sub" / "inner-link.css")
    outside = tmp_path / "outside.txt"
    outside.write_bytes(SECRET)
    policy = FetchPolicy([root], max_data_uri_bytes=10, max_file_bytes=100)

    body, content_type, url = policy.load((root / "sub" / "inner-link.css").as_uri())
    assert (body, content_type, url) == (
        b"p { color: red }",
        "text/css",
        (root / "small.css").as_uri(),
    )
    assert policy.load("data:text/plain;charset=utf-8,h%C3%A9") == (
        "hé".encode(),
        "text/plain;charset=utf-8",
        "data:text/plain;charset=utf-8,h%C3%A9",
    )
    assert policy.load("data:;base64,aGVsbG8=")[:2] == (b"hello", "text/plain")

    refused_urls = [
        "data:;base64," + base64.b64encode(b"x" * 11).decode(),
        "data:text/plain;base64,!!!",
        "data:no-comma",
        (root / "big.bin").as_uri(),
        root.as_uri(),
        (root / "sub").as_uri() + "/../../outside.txt",
        outside.as_uri(),
        "file://example.com" + str(root / "small.css"),
        "http://127.0.0.1:1/",
        "gopher://127.0.0.1/",
        "javascript:alert(1)",
        "relative/path.png",
    ]
    for url in refused_urls:
        with pytest.raises(FetchRefusedError, match="reportgen refused to load"):
            policy.load(url)
    assert policy.refused == refused_urls
    with pytest.raises(FileNotFoundError):
        policy.load((root / "missing.png").as_uri())
    assert len(policy.refused) == len(refused_urls)


def test_long_refused_urls_are_recorded_shortened(tmp_path):
    policy = FetchPolicy([tmp_path], max_data_uri_bytes=10)
    url = "data:text/plain;base64," + "A" * 10_000
    with pytest.raises(FetchRefusedError):
        policy.load(url)
    (recorded,) = policy.refused
    assert len(recorded) < 250
    assert recorded.startswith("data:text/plain;base64,AAAA")
    assert recorded.endswith(f"({len(url)} characters)")


def test_fetcher_plugs_into_weasyprint_and_refusal_is_not_fatal(tmp_path):
    from weasyprint.urls import URLFetcher, URLFetchingError, fetch

    fetcher = make_url_fetcher([tmp_path])
    assert isinstance(fetcher, URLFetcher)
    with pytest.raises(URLFetchingError), fetch(fetcher, "http://127.0.0.1:1/"):
        pass
    assert fetcher.refused == ["http://127.0.0.1:1/"]
    (tmp_path / "a.txt").write_bytes(b"ok")
    with fetch(fetcher, (tmp_path / "a.txt").as_uri()) as response:
        assert response.read() == b"ok"
        # No path: WeasyPrint must use the checked bytes, not re-read the file.
        assert response.path is None


def test_resource_that_aborts_weasyprint_is_a_template_error(folders, tmp_path):
    templates, _, _ = folders
    html = """<html><head><style>
      @color-profile --evil { src: url(http://127.0.0.1:1/p.icc) }
    </style></head><body>x</body></html>"""
    out = tmp_path / "report.pdf"
    with pytest.raises(TemplateError, match="http://127.0.0.1:1/p.icc"):
        write_pdf(html, out, base_dir=templates, allowed_roots=[templates])
    assert list(tmp_path.glob("*.pdf*")) == []
    assert list(tmp_path.glob(".*")) == []


def test_missing_weasyprint_names_the_system_libraries(monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    with pytest.raises(MissingDependencyError) as info:
        import_weasyprint()
    assert isinstance(info.value, InputError)
    assert isinstance(info.value, ImportError)
    for library in ("Pango", "HarfBuzz", "fontconfig", "libharfbuzz-subset0"):
        assert library in str(info.value)


# --------------------------------------------------------------------------------
# PDF: PDF/A-3b, attachments, metadata, reproducibility, atomic writes

REPORT_JSON = b'{"schema_version": "1", "group": "<caf\xc3\xa9 & co>"}\n'
AUDIT_YAML = "profile: nyc_ll144\ngroups: [\u00e9, \u4e2d]\n".encode()
ATTACHMENTS = [
    Attachment(
        "report.json",
        REPORT_JSON,
        "Findings as JSON",
        "application/json",
        "Alternative",
    ),
    Attachment("audit.yaml", AUDIT_YAML, "Audit config", "application/yaml", "Source"),
]
SIMPLE_HTML = """<!doctype html><html lang="en"><head><title>From HTML</title>
<style>body { font-family: sans-serif }</style></head>
<body><h1>Audit report</h1><p>Selection rate 12.3 %</p>
<img src="logo.png"></body></html>"""


def test_pdf_declares_pdfa3b_with_attachments_and_metadata(folders, tmp_path):
    templates, _, _ = folders
    out = tmp_path / "report.pdf"
    created = datetime(2024, 5, 6, 7, 8, 9, tzinfo=timezone.utc)
    metadata = PdfMetadata(
        title="Fairness audit of <credit model>",
        authors=["Ada Lovelace", "Alan Turing"],
        subject="NYC LL144 bias audit",
        keywords=["fairness", "audit"],
        created=created,
    )

    refused = write_pdf(
        SIMPLE_HTML,
        out,
        base_dir=templates,
        allowed_roots=[templates],
        attachments=ATTACHMENTS,
        metadata=metadata,
    )

    assert refused == []
    reader = PdfReader(out)
    assert reader.pdf_header == "%PDF-1.7"
    assert dict(reader.attachments) == {
        "report.json": [REPORT_JSON],
        "audit.yaml": [AUDIT_YAML],
    }
    info = reader.metadata
    assert info.title == "Fairness audit of <credit model>"
    assert info.author == "Ada Lovelace, Alan Turing"
    assert info.subject == "NYC LL144 bias audit"
    assert info["/Keywords"] == "fairness, audit"
    assert info["/Creator"] == f"reportgen {reportgen.__version__}"
    assert info.creation_date == created
    assert info.modification_date == created

    catalog = reader.trailer["/Root"]
    xmp = catalog["/Metadata"].get_object().get_data()
    rdf = ET.fromstring(xmp)
    identification = [
        element.attrib for element in rdf.iter() if f"{PDFAID}part" in element.attrib
    ]
    assert identification == [
        {
            "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about": "",
            f"{PDFAID}part": "3",
            f"{PDFAID}conformance": "B",
        }
    ]
    assert b"2024-05-06T07:08:09Z" in xmp
    (intent,) = catalog["/OutputIntents"]
    assert intent.get_object()["/S"] == "/GTS_PDFA1"

    relationships = {}
    for spec in catalog["/AF"]:
        spec = spec.get_object()
        embedded = spec["/EF"]["/F"].get_object()
        relationships[spec["/UF"]] = (
            spec["/AFRelationship"],
            embedded["/Subtype"],
            spec["/Desc"],
            embedded["/Params"]["/CreationDate"],
        )
    assert relationships == {
        "report.json": (
            "/Alternative",
            "/application/json",
            "Findings as JSON",
            "D:20240506070809Z",
        ),
        "audit.yaml": (
            "/Source",
            "/application/yaml",
            "Audit config",
            "D:20240506070809Z",
        ),
    }


def test_html_metadata_is_kept_when_not_overridden(folders):
    templates, _, _ = folders
    pdf, _ = html_to_pdf_bytes(
        SIMPLE_HTML, base_dir=templates, allowed_roots=[templates], pdf_variant=None
    )
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata.title == "From HTML"
    assert "/Metadata" not in reader.trailer["/Root"]


def _render_reproducibly(templates):
    pdf, _ = html_to_pdf_bytes(
        SIMPLE_HTML,
        base_dir=templates,
        allowed_roots=[templates],
        attachments=ATTACHMENTS,
        metadata=PdfMetadata(title="Audit", authors=["Ada"]),
    )
    return pdf


def test_source_date_epoch_makes_the_pdf_reproducible(folders, monkeypatch):
    templates, _, _ = folders
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")

    first = _render_reproducibly(templates)
    second = _render_reproducibly(templates)

    assert first == second
    epoch = datetime.fromtimestamp(1_700_000_000, tz=timezone.utc)
    assert PdfReader(io.BytesIO(first)).metadata.creation_date == epoch

    # Another process, with another string-hash seed, gives the same bytes.
    script = textwrap.dedent(
        f"""
        import hashlib, sys, warnings
        from pathlib import Path
        warnings.simplefilter("ignore")
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from test_render_safety import _render_reproducibly
        pdf = _render_reproducibly(Path({str(templates)!r}))
        print(hashlib.sha256(pdf).hexdigest())
        """
    )
    environment = {
        **os.environ,
        "PYTHONHASHSEED": "12345",
        "PYTHONPATH": str(Path(reportgen.__file__).parents[1]),
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == hashlib.sha256(first).hexdigest()


def test_malformed_source_date_epoch_is_an_input_error(folders, monkeypatch):
    templates, _, _ = folders
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(InputError, match="SOURCE_DATE_EPOCH"):
        html_to_pdf_bytes(SIMPLE_HTML, base_dir=templates, allowed_roots=[templates])


def test_unknown_variant_and_duplicate_attachments_are_refused(folders):
    templates, _, _ = folders
    with pytest.raises(InputError, match="unknown PDF variant 'pdf/z'"):
        html_to_pdf_bytes(
            "<p>x</p>", base_dir=templates, allowed_roots=[], pdf_variant="pdf/z"
        )
    twice = [ATTACHMENTS[0], ATTACHMENTS[0]]
    with pytest.raises(InputError, match="two attachments are named 'report.json'"):
        html_to_pdf_bytes(
            "<p>x</p>", base_dir=templates, allowed_roots=[], attachments=twice
        )


def test_failed_write_leaves_no_partial_file(folders, tmp_path, monkeypatch):
    templates, _, _ = folders
    out_dir = tmp_path / "written"
    out_dir.mkdir()
    out = out_dir / "report.pdf"
    out.write_bytes(b"previous report")

    def broken_replace(source, target):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        write_pdf("<p>x</p>", out, base_dir=templates, allowed_roots=[])
    monkeypatch.undo()

    assert out.read_bytes() == b"previous report"
    assert [p.name for p in out_dir.iterdir()] == ["report.pdf"]
    with pytest.raises(InputError, match="output folder .* does not exist"):
        write_pdf(
            "<p>x</p>",
            tmp_path / "missing" / "r.pdf",
            base_dir=templates,
            allowed_roots=[],
        )

    write_pdf("<p>x</p>", out, base_dir=templates, allowed_roots=[])
    assert out.read_bytes().startswith(b"%PDF-1.7")
    assert [p.name for p in out_dir.iterdir()] == ["report.pdf"]


# --------------------------------------------------------------------------------
# Environment: escaping, sandbox, errors, overrides


@pytest.fixture
def default_dir(tmp_path):
    folder = tmp_path / "default-templates"
    folder.mkdir()
    (folder / "report.html.j2").write_text(
        "<html><body>\n"
        "{% block title_page %}{% include 'title.html.j2' %}{% endblock %}\n"
        "{% block body %}<p>Body of {{ report.name }}</p>{% endblock %}\n"
        "</body></html>\n"
    )
    (folder / "title.html.j2").write_text("<h1>Default title of {{ report.name }}</h1>")
    return folder


def make_user_dir(tmp_path, files):
    folder = tmp_path / "user-templates"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


def test_default_templates_render(default_dir):
    env = make_environment(default_dir=default_dir)
    html = render_template(env, "report.html.j2", {"report": {"name": "M"}})
    assert "<h1>Default title of M</h1>" in html
    assert "<p>Body of M</p>" in html


def test_user_partial_overrides_only_that_partial(default_dir, tmp_path):
    user = make_user_dir(tmp_path, {"title.html.j2": "<h1>User title</h1>"})
    env = make_environment(user, default_dir=default_dir)
    html = render_template(env, "report.html.j2", {"report": {"name": "M"}})
    assert "<h1>User title</h1>" in html
    assert "Default title" not in html
    assert "<p>Body of M</p>" in html


def test_user_template_overrides_only_one_block(default_dir, tmp_path):
    user = make_user_dir(
        tmp_path,
        {
            "report.html.j2": '{% extends "default/report.html.j2" %}'
            "{% block title_page %}<h1>Custom {{ report.name }}</h1>{% endblock %}"
        },
    )
    env = make_environment(user, default_dir=default_dir)
    html = render_template(env, "report.html.j2", {"report": {"name": "M"}})
    assert "<h1>Custom M</h1>" in html
    assert "Default title" not in html
    assert "<p>Body of M</p>" in html
    assert html.startswith("<html><body>")


def test_context_values_are_escaped_not_evaluated(default_dir):
    env = make_environment(default_dir=default_dir)
    name = "<script>alert(1)</script> {{ 7*7 }} <img src=x> & \"q\" 'a'"
    html = render_template(env, "report.html.j2", {"report": {"name": name}})
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt; {{ 7*7 }} &lt;img src=x&gt; "
        "&amp; &#34;q&#34; &#39;a&#39;"
    ) in html
    assert "<script>" not in html
    assert "<img" not in html
    assert "49" not in html


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ report.__class__ }}",
        "{{ report.groups.append(1) }}",
        "{% set x = report.update({'a': 1}) %}",
    ],
)
def test_sandbox_blocks_escapes_from_user_templates(default_dir, tmp_path, source):
    user = make_user_dir(tmp_path, {"evil.html.j2": f"<p>\n{source}\n</p>"})
    env = make_environment(user, default_dir=default_dir)
    context = {"report": {"name": "M", "groups": []}}
    with pytest.raises(TemplateError) as info:
        render_template(env, "evil.html.j2", context)
    message = str(info.value)
    assert message.startswith(f"template {str(user / 'evil.html.j2')!r}, line 2 ")
    assert "did something templates may not do" in message
    assert "\n" not in message


def test_template_symlink_out_of_its_folder_is_refused(default_dir, tmp_path):
    secret = tmp_path / "credentials"
    secret.write_bytes(SECRET)
    user = make_user_dir(tmp_path, {"r.html.j2": "{% include 'creds.html.j2' %}"})
    os.symlink(secret, user / "creds.html.j2")
    env = make_environment(user, default_dir=default_dir)
    with pytest.raises(TemplateError, match="symbolic link") as info:
        render_template(env, "r.html.j2", {})
    assert SECRET.decode() not in str(info.value)


def test_undefined_value_is_a_template_error_with_line(default_dir):
    env = make_environment(default_dir=default_dir)
    with pytest.raises(TemplateError) as info:
        render_template(env, "report.html.j2", {"report": {}})
    where = f"{str(default_dir / 'title.html.j2')!r}, line 1"
    assert str(info.value) == env_module.TEMPLATE_UNDEFINED.format(
        where=where, message="'dict object' has no attribute 'name'"
    )


def test_missing_template_and_syntax_error_are_template_errors(default_dir, tmp_path):
    user = make_user_dir(tmp_path, {"bad.html.j2": "<p>\n{% if x %}\n</p>"})
    env = make_environment(user, default_dir=default_dir)
    with pytest.raises(TemplateError) as info:
        render_template(env, "nope.html.j2", {})
    assert str(info.value) == env_module.TEMPLATE_NOT_FOUND.format(
        name="nope.html.j2", folders=f"{user}, {default_dir}"
    )
    with pytest.raises(TemplateError, match=r"syntax error in template .*line 3"):
        render_template(env, "bad.html.j2", {"x": 1})


def test_template_runtime_error_is_a_template_error(default_dir, tmp_path):
    user = make_user_dir(tmp_path, {"div.html.j2": "{{ 1 / report.n }}"})
    env = make_environment(user, default_dir=default_dir)
    with pytest.raises(TemplateError, match="ZeroDivisionError"):
        render_template(env, "div.html.j2", {"report": {"n": 0}})


def test_none_renders_as_a_dash(default_dir):
    env = make_environment(default_dir=default_dir)
    html = render_template(env, "report.html.j2", {"report": {"name": None}})
    assert "<p>Body of —</p>" in html


def test_user_template_dir_must_be_an_existing_folder(tmp_path):
    missing = tmp_path / "missing"
    with pytest.raises(TemplateError) as info:
        validate_user_template_dir(missing)
    assert str(info.value) == env_module.TEMPLATE_DIR_MISSING.format(path=missing)
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    with pytest.raises(TemplateError, match="is not a folder"):
        make_environment(a_file)
    assert validate_user_template_dir(tmp_path) == tmp_path.resolve()


def test_default_template_dir_is_the_templates_folder():
    folder = default_template_dir()
    assert folder.name == "templates"
    assert folder.parent.name in ("reportgen", Path(reportgen.__file__).parents[1].name)


# --------------------------------------------------------------------------------
# Filters


@pytest.mark.parametrize(
    ("function", "args", "expected"),
    [
        (format_pct, (0.1234,), f"12.3{NBSP}%"),
        (format_pct, (0.1234, 2), f"12.34{NBSP}%"),
        (format_pct, (1,), f"100.0{NBSP}%"),
        (format_pct, (None,), "—"),
        (format_pct, (float("nan"),), "—"),
        (format_num, (0.8,), "0.80"),
        (format_num, (1.23456, 3), "1.235"),
        (format_num, (-2.5, 0), "-2"),
        (format_num, (float("inf"),), "∞"),
        (format_num, (None,), "—"),
        (format_ci, ([0.123, 0.341],), "[0.12, 0.34]"),
        (format_ci, ((0.1, 0.25), 1), "[0.1, 0.2]"),
        (format_ci, (None,), "—"),
        (format_ci, ([None, 0.3],), "—"),
        (format_count, (0,), "0"),
        (format_count, (999,), "999"),
        (format_count, (1234567,), f"1{NNBSP}234{NNBSP}567"),
        (format_count, (12.0,), "12"),
        (format_count, (1234.56,), f"1{NNBSP}234.6"),
        (format_count, (None,), "—"),
        (format_count, (3, 10), f"<{NBSP}10"),
        (format_count, (0, 10), "0"),
        (format_count, (10, 10), "10"),
        (format_count, (5, 1000), f"<{NBSP}1{NNBSP}000"),
    ],
)
def test_filters(function, args, expected):
    assert function(*args) == expected


def test_ci_accepts_interval_objects():
    class Interval:
        low, high = 0.5, 0.75

    assert format_ci(Interval()) == "[0.50, 0.75]"


def test_filters_are_registered_and_escaped_in_templates(default_dir, tmp_path):
    user = make_user_dir(
        tmp_path,
        {
            "f.html.j2": "{{ r | pct }}|{{ r | num(3) }}|{{ ci | ci }}|"
            "{{ n | count }}|{{ small | count(suppress_below=5) }}"
        },
    )
    env = make_environment(user, default_dir=default_dir)
    context = {"r": 0.5, "ci": [0.4, 0.6], "n": 12345, "small": 2}
    html = render_template(env, "f.html.j2", context)
    assert html == f"50.0{NBSP}%|0.500|[0.40, 0.60]|12{NNBSP}345|&lt;{NBSP}5"
