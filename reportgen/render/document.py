"""Write a report's files: ``report.json``, ``report.html`` and ``report.pdf``.

The templates receive the report exactly as it is written to ``report.json``
(plain dictionaries), plus charts drawn from that same data, so everything in the
PDF traces back to a JSON field. :func:`write_report` renders everything in memory
first and then moves the finished files into the output folder, so a failure
leaves no half-written report behind.
"""

from __future__ import annotations

import base64
import json
import mimetypes
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from reportgen.errors import InputError

REPORT_TEMPLATE = "report.html.j2"
JSON_NAME = "report.json"
HTML_NAME = "report.html"
PDF_NAME = "report.pdf"
MAX_LOGO_BYTES = 2 * 1024 * 1024
LOGO_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".svg": "image/svg+xml",
}

# The first bytes of each accepted logo type (an SVG file is XML text).
LOGO_SIGNATURES = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/svg+xml": (b"<svg", b"<?xml", b"\xef\xbb\xbf<"),
}
ERR_LOGO = "logo file {} cannot be used: {}"
ERR_OUT_IS_FILE = "output path {} exists and is not a folder"


@dataclass(frozen=True)
class Branding:
    """House style from the config: a logo, colours and extra CSS rules."""

    logo: Path | None = None
    accent_colour: str | None = None
    css: str | None = None

    def css_rules(self) -> str:
        rules = []
        if self.accent_colour:
            rules.append(f":root {{ --accent: {self.accent_colour}; }}")
        if self.css:
            rules.append(self.css)
        # Keep user CSS inside the <style> element whatever it contains.
        return "\n".join(rules).replace("</", "<\\/")

    def logo_uri(self) -> str | None:
        if self.logo is None:
            return None
        kind = LOGO_TYPES.get(self.logo.suffix.lower())
        if kind is None:
            raise InputError(ERR_LOGO.format(self.logo, "use PNG, JPEG or SVG"))
        try:
            size = self.logo.stat().st_size
            if size > MAX_LOGO_BYTES:
                raise InputError(ERR_LOGO.format(self.logo, "larger than 2 MiB"))
            data = self.logo.read_bytes()
        except OSError as error:
            raise InputError(ERR_LOGO.format(self.logo, error.strerror)) from None
        if not data.startswith(LOGO_SIGNATURES[kind]):
            raise InputError(ERR_LOGO.format(self.logo, f"its content is not {kind}"))
        return f"data:{kind};base64," + base64.b64encode(data).decode("ascii")


@dataclass(frozen=True)
class RenderOptions:
    """How to render: which templates, branding, and publication settings."""

    template_dir: Path | None = None
    branding: Branding = field(default_factory=Branding)
    suppress_below: int | None = None
    pdf: bool = True
    config_bytes: bytes | None = None
    config_name: str = "audit.yaml"


def render_html(report: dict[str, Any], options: RenderOptions) -> str:
    """Render the report's JSON data to a self-contained HTML document."""
    from reportgen.render.charts import analysis_charts
    from reportgen.render.environment import make_environment, render_template

    env = make_environment(options.template_dir)
    context = {
        "report": report,
        "charts": analysis_charts(report),
        "branding": {
            "css_rules": options.branding.css_rules(),
            "logo_uri": options.branding.logo_uri(),
        },
        "publish": {"suppress_below": options.suppress_below},
    }
    return render_template(env, REPORT_TEMPLATE, context)


def _pdf_metadata(report: dict[str, Any]):
    from reportgen.render.pdf import PdfMetadata

    meta = report["metadata"]
    created = datetime.fromisoformat(report["provenance"]["generated_at"])
    subject = "Fairness and compliance audit of " + (
        meta.get("system_name") or report["dataset"]["source"]
    )
    return PdfMetadata(
        title=meta["title"],
        authors=[a for a in (meta.get("auditor"), meta.get("organisation")) if a],
        subject=subject,
        keywords=[
            "fairness audit",
            *report["settings"]["profiles"],
            f"report {report['report_id']}",
        ],
        created=created,
        lang="en",
    )


@dataclass(frozen=True)
class Written:
    """The files a report was written to, and the resources it was denied."""

    paths: list[Path]
    refused: list[str] = field(default_factory=list)


def write_report(
    report: dict[str, Any], out_dir: Path, options: RenderOptions
) -> Written:
    """Write the JSON, HTML and PDF of a report into ``out_dir``.

    Files are first written to a temporary folder inside ``out_dir`` and moved
    into place only when all of them are complete. ``refused`` lists the URLs
    the templates named that the renderer would not fetch (anything but the
    template folders and ``data:`` URIs).
    """
    from reportgen.render.environment import default_template_dir
    from reportgen.render.pdf import Attachment, html_to_pdf_bytes

    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(ERR_OUT_IS_FILE.format(out_dir))
    json_text = json.dumps(report, indent=2, ensure_ascii=False, allow_nan=False)
    html = render_html(report, options)
    outputs: dict[str, bytes] = {
        JSON_NAME: json_text.encode("utf-8") + b"\n",
        HTML_NAME: html.encode("utf-8"),
    }
    if options.pdf:
        attachments = [
            Attachment(
                name=JSON_NAME,
                data=outputs[JSON_NAME],
                description="Machine-readable findings of this report",
                mime_type="application/json",
                relationship="Alternative",
            )
        ]
        if options.config_bytes is not None:
            attachments.append(
                Attachment(
                    name=options.config_name,
                    data=options.config_bytes,
                    description="The audit configuration this report was made from",
                    mime_type=mimetypes.guess_type(options.config_name)[0]
                    or "application/yaml",
                    relationship="Source",
                )
            )
        roots = [default_template_dir()]
        if options.template_dir is not None:
            roots.insert(0, options.template_dir)
        pdf, refused = html_to_pdf_bytes(
            html,
            base_dir=roots[0],
            allowed_roots=roots,
            attachments=attachments,
            metadata=_pdf_metadata(report),
        )
        outputs[PDF_NAME] = pdf
    else:
        refused = []
    return Written(paths=_commit(outputs, out_dir), refused=refused)


def _commit(outputs: dict[str, bytes], out_dir: Path) -> list[Path]:
    """Move finished files into ``out_dir``; on failure, leave nothing new."""
    created_dir = not out_dir.exists()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".reportgen-", dir=out_dir))
    except OSError as error:
        raise InputError(f"cannot write to {out_dir}: {error.strerror}") from None
    written = []
    try:
        for name, data in outputs.items():
            (staging / name).write_bytes(data)
        for name in outputs:
            target = out_dir / name
            os.replace(staging / name, target)
            written.append(target)
    except OSError as error:
        for path in written:
            path.unlink(missing_ok=True)
        if created_dir:
            shutil.rmtree(out_dir, ignore_errors=True)
        raise InputError(f"cannot write to {out_dir}: {error.strerror}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return written
