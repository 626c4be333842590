"""Turn report HTML into a PDF/A-3b file with WeasyPrint, safely and reproducibly.

- Every resource the HTML names goes through the deny-by-default fetcher of
  :mod:`reportgen.render.fetcher`; refused URLs are returned to the caller.
- Attachments (the report JSON, the audit config) are embedded as PDF/A-3
  associated files, with the MIME type and relationship the caller gives.
- Document dates come from, in order: :class:`PdfMetadata`, the HTML's
  ``<meta name="dcterms.created">``, the ``SOURCE_DATE_EPOCH`` environment
  variable, the current time. WeasyPrint 70 itself ignores ``SOURCE_DATE_EPOCH``
  and stamps attachments with the current time, so this module sets every date
  it writes. With ``SOURCE_DATE_EPOCH`` set, the same HTML and attachments give
  the same PDF bytes.
- The file is written atomically: to a temporary file in the same folder, then
  renamed over the target. A failure leaves nothing new at the target.

WeasyPrint is imported on first use, not with this module.

Limitation: WeasyPrint declares PDF/A-3b (XMP identification, sRGB output
intent, associated files) but does not validate it; content it cannot express in
PDF/A is not rejected. Check a sample with veraPDF when conformance is audited.
"""

from __future__ import annotations

import contextlib
import io
import os
import secrets
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from reportgen import __version__
from reportgen.errors import InputError, TemplateError
from reportgen.render.fetcher import import_weasyprint, make_url_fetcher

#: PDF variant used unless the caller asks for another: PDF/A-3 allows embedded
#: files of any type (PDF/A-2 only allows PDF/A files), and level B (visual
#: appearance) is what WeasyPrint can promise without tagging.
DEFAULT_PDF_VARIANT = "pdf/a-3b"

AttachmentRelationship = Literal[
    "Source", "Data", "Alternative", "Supplement", "Unspecified"
]

BAD_SOURCE_DATE_EPOCH = (
    "SOURCE_DATE_EPOCH must be a whole number of seconds since 1970-01-01 UTC, "
    "got {value!r}"
)
UNKNOWN_PDF_VARIANT = "unknown PDF variant {variant!r}; choose one of: {choices}"
OUTPUT_DIR_MISSING = "output folder {path} does not exist"
FETCH_ABORTED = "the report HTML names a resource that could not be loaded: {error}"
DUPLICATE_ATTACHMENT = "two attachments are named {name!r}"


@dataclass(frozen=True)
class Attachment:
    """A file embedded in the PDF.

    Attributes
    ----------
    name : str
        File name shown by PDF readers and used by extractors, e.g.
        ``"report.json"``.
    data : bytes
        The file's exact bytes.
    description : str
        One sentence shown next to the file by PDF readers.
    mime_type : str
        Media type, e.g. ``"application/json"`` or ``"application/yaml"``.
    relationship : {"Source", "Data", "Alternative", "Supplement", "Unspecified"}
        How the file relates to the report (PDF/A-3 ``AFRelationship``): the audit
        config is the report's ``"Source"``; the report JSON, which holds the same
        findings, is an ``"Alternative"``; a data table is ``"Data"``.
    """

    name: str
    data: bytes
    description: str = ""
    mime_type: str = "application/octet-stream"
    relationship: AttachmentRelationship = "Unspecified"

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("an attachment needs a non-empty name")
        if not isinstance(self.data, bytes):
            raise TypeError(f"attachment data must be bytes, got {type(self.data)}")


@dataclass(frozen=True)
class PdfMetadata:
    """Document information written to the PDF's Info dictionary and XMP packet.

    A field left as ``None`` (or empty) keeps what the HTML says (``<title>``,
    ``<meta name="author">``, ``<meta name="description">``, ...).

    Attributes
    ----------
    title, subject : str, optional
        ``subject`` becomes the PDF Subject and the XMP ``dc:description``.
    authors, keywords : sequence of str
    created, modified : datetime, optional
        Timezone-aware datetimes (naive ones are taken as UTC). ``modified``
        defaults to ``created``.
    creator : str, optional
        The producing application (PDF Creator, XMP CreatorTool); defaults to
        ``"reportgen <version>"``.
    lang : str, optional
        BCP 47 language tag of the document.
    """

    title: str | None = None
    authors: Sequence[str] = ()
    subject: str | None = None
    keywords: Sequence[str] = ()
    created: datetime | None = None
    modified: datetime | None = None
    creator: str | None = None
    lang: str | None = None


def source_date_epoch() -> datetime | None:
    """Return ``SOURCE_DATE_EPOCH`` as a UTC datetime, or None when it is not set.

    Raises
    ------
    InputError
        If the variable is set to something other than a whole number.
    """
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value is None or value.strip() == "":
        return None
    try:
        seconds = int(value.strip())
        return datetime.fromtimestamp(seconds, tz=timezone.utc)
    except (ValueError, OverflowError, OSError):
        raise InputError(BAD_SOURCE_DATE_EPOCH.format(value=value)) from None


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).replace(microsecond=0)


def _w3c(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _directory_url(path: Path) -> str:
    url = Path(path).resolve().as_uri()
    return url if url.endswith("/") else f"{url}/"


@contextlib.contextmanager
def _attachment_source(data: bytes, mime_type: str) -> Iterator[Any]:
    # The shape WeasyPrint 70 expects of ``Attachment.source``: a context manager
    # yielding (file object, URL, encoding, MIME type). Providing it directly keeps
    # the caller's MIME type, which WeasyPrint would otherwise guess from the name.
    yield io.BytesIO(data), None, None, mime_type


def _weasyprint_attachments(
    weasyprint: Any, attachments: Sequence[Attachment], moment: datetime
) -> list[Any]:
    converted = []
    seen: set[str] = set()
    for attachment in attachments:
        if attachment.name in seen:
            raise InputError(DUPLICATE_ATTACHMENT.format(name=attachment.name))
        seen.add(attachment.name)
        embedded = weasyprint.Attachment(
            string=attachment.data,
            name=attachment.name,
            description=attachment.description,
            created=moment,
            modified=moment,
            relationship=attachment.relationship,
        )
        embedded.source = _attachment_source(attachment.data, attachment.mime_type)
        converted.append(embedded)
    return converted


def _apply_metadata(
    document_metadata: Any, metadata: PdfMetadata, moment: datetime
) -> None:
    if metadata.title is not None:
        document_metadata.title = metadata.title
    if metadata.authors:
        document_metadata.authors = list(metadata.authors)
    if metadata.subject is not None:
        document_metadata.description = metadata.subject
    if metadata.keywords:
        document_metadata.keywords = list(metadata.keywords)
    if metadata.lang is not None:
        document_metadata.lang = metadata.lang
    document_metadata.generator = (
        metadata.creator or document_metadata.generator or f"reportgen {__version__}"
    )

    if metadata.created is not None:
        document_metadata.created = _w3c(_utc(metadata.created))
    elif document_metadata.created is None:
        document_metadata.created = _w3c(moment)
    if metadata.modified is not None:
        document_metadata.modified = _w3c(_utc(metadata.modified))
    elif document_metadata.modified is None:
        document_metadata.modified = document_metadata.created

    # Files named by <link rel="attachment"> (allowed by the fetcher) would carry
    # the current time.
    for attachment in document_metadata.attachments:
        attachment.created = attachment.modified = moment


def html_to_pdf_bytes(
    html: str,
    *,
    base_dir: Path,
    allowed_roots: Sequence[Path],
    attachments: Sequence[Attachment] = (),
    metadata: PdfMetadata | None = None,
    pdf_variant: str | None = DEFAULT_PDF_VARIANT,
) -> tuple[bytes, list[str]]:
    """Render HTML to PDF bytes; return them with the list of refused URLs.

    Parameters are those of :func:`write_pdf`.
    """
    weasyprint = import_weasyprint()
    from weasyprint.pdf import VARIANTS
    from weasyprint.urls import URLFetchingError

    if pdf_variant is not None and pdf_variant not in VARIANTS:
        choices = ", ".join(sorted(VARIANTS))
        raise InputError(
            UNKNOWN_PDF_VARIANT.format(variant=pdf_variant, choices=choices)
        )
    metadata = metadata or PdfMetadata()
    moment = _utc(
        metadata.created or source_date_epoch() or datetime.now(tz=timezone.utc)
    )
    embedded = _weasyprint_attachments(weasyprint, attachments, moment)

    fetcher = make_url_fetcher(list(allowed_roots))
    try:
        document = weasyprint.HTML(
            string=html, base_url=_directory_url(base_dir), url_fetcher=fetcher
        ).render(pdf_variant=pdf_variant)
        _apply_metadata(document.metadata, metadata, moment)
        with warnings.catch_warnings():
            # WeasyPrint 70 opens its sRGB output-intent profile without closing
            # it; the file is closed when collected, a moment later.
            warnings.filterwarnings(
                "ignore", r"unclosed file .*sRGB2014\.icc", ResourceWarning
            )
            pdf = document.write_pdf(pdf_variant=pdf_variant, attachments=embedded)
    except URLFetchingError as exc:
        # Most resources are skipped with a logged error; a few (such as the
        # source of an @color-profile rule) abort WeasyPrint's rendering instead.
        raise TemplateError(FETCH_ABORTED.format(error=exc)) from exc
    return pdf, list(fetcher.refused)


def _write_atomically(data: bytes, out_path: Path) -> None:
    folder = out_path.parent
    if not folder.is_dir():
        raise InputError(OUTPUT_DIR_MISSING.format(path=folder))
    temporary = folder / f".{out_path.name}.{secrets.token_hex(6)}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    # 0o666 lets the umask decide the final permissions, as for any new file.
    fd = os.open(temporary, flags, 0o666)
    try:
        with open(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, out_path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        raise


def write_pdf(
    html: str,
    out_path: Path,
    *,
    base_dir: Path,
    allowed_roots: Sequence[Path],
    attachments: Sequence[Attachment] = (),
    metadata: PdfMetadata | None = None,
    pdf_variant: str | None = DEFAULT_PDF_VARIANT,
) -> list[str]:
    """Render report HTML to a PDF file and return the URLs that were refused.

    Parameters
    ----------
    html : str
        The complete HTML document.
    out_path : Path
        Where to write the PDF. Its folder must exist. The file is replaced
        atomically; if anything fails, an earlier file there is left untouched
        and no partial file is left behind.
    base_dir : Path
        Folder against which relative URLs in the HTML are resolved (usually the
        template folder).
    allowed_roots : sequence of Path
        Folders from which ``file:`` resources may be loaded (template folders,
        the output's asset folder). Nothing else on disk and nothing on the
        network is ever read; ``data:`` URIs are allowed.
    attachments : sequence of Attachment
        Files to embed, such as ``report.json`` and ``audit.yaml``.
    metadata : PdfMetadata, optional
        Title, authors, subject, keywords and dates.
    pdf_variant : str or None
        WeasyPrint PDF variant, ``"pdf/a-3b"`` by default; None for a plain PDF.

    Returns
    -------
    list of str
        The resource URLs the document named that were refused (in order, each
        once), for the caller to warn about.

    Raises
    ------
    InputError
        If WeasyPrint or its system libraries are missing, the output folder does
        not exist, ``SOURCE_DATE_EPOCH`` is malformed or the variant is unknown.
    TemplateError
        If WeasyPrint aborted because of a resource the HTML names.
    """
    pdf, refused = html_to_pdf_bytes(
        html,
        base_dir=base_dir,
        allowed_roots=allowed_roots,
        attachments=attachments,
        metadata=metadata,
        pdf_variant=pdf_variant,
    )
    _write_atomically(pdf, Path(out_path))
    return refused
