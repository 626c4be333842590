"""A deny-by-default resource fetcher for WeasyPrint.

WeasyPrint fetches whatever a document names: stylesheets (``<link>`` and
``@import``), images, fonts, SVG references and ``<link rel="attachment">``, whose
body is embedded in the PDF. Its own fetcher speaks http, https, ftp, file and data
and follows redirects, so a template that names ``http://169.254.169.254/...`` or
``file:///home/me/.aws/credentials`` could leak secrets into a report.

The fetcher built here serves only two kinds of URL and refuses everything else
before any network or file access:

- ``data:`` URIs whose decoded body is at most :data:`MAX_DATA_URI_BYTES`;
- ``file:`` URLs on the local host whose real path (every symbolic link and ``..``
  resolved) lies inside one of the allowed root folders, that name a regular file
  of at most :data:`MAX_FILE_BYTES`.

Each refused URL is appended to ``fetcher.refused`` so that the caller can warn.
A refusal is signalled to WeasyPrint by raising :class:`FetchRefusedError`, an
ordinary exception: WeasyPrint wraps it in its ``URLFetchingError``, logs an error
on the ``weasyprint`` logger and renders the document without the resource.

The policy itself (:class:`FetchPolicy`) is plain Python; only
:func:`make_url_fetcher` imports WeasyPrint, and only when it is first called.
"""

from __future__ import annotations

import base64
import binascii
import functools
import mimetypes
import os
import stat
from pathlib import Path
from typing import Any
from urllib.parse import unquote_to_bytes, urlsplit
from urllib.request import url2pathname

from reportgen.errors import InputError

#: Largest decoded body served from a ``data:`` URI (5 MiB). Charts are inlined as
#: SVG or small PNGs, far below this; anything larger is more likely an attempt to
#: exhaust memory than a legitimate image.
MAX_DATA_URI_BYTES = 5 * 1024 * 1024

#: Largest file served from an allowed folder (20 MiB): room for fonts and
#: high-resolution logos, small enough that a mistaken path cannot pull a data set
#: or a disk image into the PDF.
MAX_FILE_BYTES = 20 * 1024 * 1024

#: URLs longer than this are shortened in :attr:`FetchPolicy.refused`, so that a
#: refused multi-megabyte ``data:`` URI does not flood the caller's warning.
MAX_RECORDED_URL_CHARS = 200

REFUSED = "reportgen refused to load {url}: {reason}"
MISSING_SYSTEM_LIBRARIES = (
    "WeasyPrint could not be loaded ({error}). Rendering PDF reports needs the "
    "Python package weasyprint and the system libraries Pango, HarfBuzz (with "
    "its subset library) and fontconfig, plus at least one font; on Debian or "
    "Ubuntu: apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b "
    "libharfbuzz-subset0 libfontconfig1 fonts-dejavu-core"
)


class FetchRefusedError(ValueError):
    """A resource URL was refused by the fetch policy.

    Deliberately an ordinary exception (not WeasyPrint's ``FatalURLFetchingError``):
    WeasyPrint catches it, logs it and carries on without the resource.
    """


class MissingDependencyError(InputError, ImportError):
    """WeasyPrint, or a system library it needs, is not installed.

    Both an :class:`~reportgen.errors.InputError` (the command line exits with
    code 2 and prints the message) and an :class:`ImportError`.
    """


def import_weasyprint() -> Any:
    """Import and return the ``weasyprint`` module.

    Raises
    ------
    MissingDependencyError
        If WeasyPrint or the system libraries it loads at import time (Pango,
        HarfBuzz, fontconfig) are missing. The message says what to install.
    """
    try:
        import weasyprint
    except (ImportError, OSError) as exc:
        raise MissingDependencyError(
            MISSING_SYSTEM_LIBRARIES.format(error=exc)
        ) from exc
    return weasyprint


def _shorten(url: str) -> str:
    if len(url) <= MAX_RECORDED_URL_CHARS:
        return url
    return f"{url[: MAX_RECORDED_URL_CHARS - 30]}… ({len(url)} characters)"


def _is_inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


class FetchPolicy:
    """Decide which resource URLs a document may load, and load the allowed ones.

    Parameters
    ----------
    allowed_roots : iterable of path-like
        Folders from which ``file:`` URLs may be served. Each is resolved to its
        real path once, here; a folder that does not exist allows nothing.
    max_data_uri_bytes : int
        Largest decoded ``data:`` body served.
    max_file_bytes : int
        Largest file served.

    Attributes
    ----------
    refused : list of str
        Every URL refused so far, in order, without repetitions (very long URLs
        are shortened, see :data:`MAX_RECORDED_URL_CHARS`).
    allowed_roots : tuple of str
        The real paths of the allowed folders.
    """

    def __init__(
        self,
        allowed_roots: list[Path] | tuple[Path, ...] = (),
        *,
        max_data_uri_bytes: int = MAX_DATA_URI_BYTES,
        max_file_bytes: int = MAX_FILE_BYTES,
    ) -> None:
        self.allowed_roots = tuple(
            os.path.realpath(os.fspath(root)) for root in allowed_roots
        )
        self.max_data_uri_bytes = max_data_uri_bytes
        self.max_file_bytes = max_file_bytes
        self.refused: list[str] = []

    def _refuse(self, url: str, reason: str) -> FetchRefusedError:
        recorded = _shorten(url)
        if recorded not in self.refused:
            self.refused.append(recorded)
        return FetchRefusedError(REFUSED.format(url=recorded, reason=reason))

    def load(self, url: str) -> tuple[bytes, str, str]:
        """Return ``(body, content_type, url)`` for an allowed URL.

        The returned URL is the one relative references inside the resource (for
        example in a stylesheet) are resolved against: for files, the URL of the
        real path.

        Raises
        ------
        FetchRefusedError
            If the URL is not allowed; the URL is then recorded in
            :attr:`refused`. No network or file access happens before the
            decision.
        OSError
            If an allowed file cannot be read (for example, it does not exist).
        """
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            return self._load_data_uri(url)
        if scheme == "file":
            return self._load_file(url)
        shown = scheme or "scheme-less"
        raise self._refuse(url, f"{shown} URLs are not allowed")

    def _load_data_uri(self, url: str) -> tuple[bytes, str, str]:
        header, comma, payload = url[len("data:") :].partition(",")
        if not comma:
            raise self._refuse(url, "malformed data: URI (no comma)")
        # Percent-encoding at most triples the size and base64 adds a third, so a
        # payload longer than this cannot decode to an acceptable body.
        if len(payload) > 3 * self.max_data_uri_bytes + 4:
            raise self._refuse(url, "data: URI is too large")
        params = [param.strip() for param in header.split(";")]
        is_base64 = len(params) > 1 and params[-1].lower() == "base64"
        if is_base64:
            params.pop()
        mime_type = params[0] or "text/plain"
        content_type = ";".join([mime_type, *[p for p in params[1:] if p]])
        body = unquote_to_bytes(payload)
        if is_base64:
            # Forgiving base64, as browsers read it: white space is ignored and
            # padding is optional, but any other stray character is an error.
            encoded = b"".join(body.split()).rstrip(b"=")
            encoded += b"=" * (-len(encoded) % 4)
            try:
                body = base64.b64decode(encoded, validate=True)
            except (binascii.Error, ValueError):
                raise self._refuse(url, "malformed base64 in data: URI") from None
        if len(body) > self.max_data_uri_bytes:
            raise self._refuse(
                url,
                f"data: URI body of {len(body)} bytes exceeds the limit of "
                f"{self.max_data_uri_bytes} bytes",
            )
        return body, content_type, url

    def _load_file(self, url: str) -> tuple[bytes, str, str]:
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise self._refuse(url, "file: URLs naming another host are not allowed")
        path = url2pathname(parts.path)
        if "\x00" in path or not os.path.isabs(path):
            raise self._refuse(url, "malformed file: URL")
        real_path = os.path.realpath(path)
        if not any(_is_inside(real_path, root) for root in self.allowed_roots):
            raise self._refuse(url, "file is outside the allowed folders")

        # The real path has no symbolic links left; O_NOFOLLOW refuses a link
        # swapped in since, and O_NONBLOCK keeps a FIFO from blocking the open.
        flags = os.O_RDONLY
        for name in ("O_NOFOLLOW", "O_NONBLOCK", "O_CLOEXEC", "O_BINARY"):
            flags |= getattr(os, name, 0)
        try:
            fd = os.open(real_path, flags)
        except IsADirectoryError:
            raise self._refuse(url, "not a regular file") from None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise self._refuse(url, "not a regular file")
            if info.st_size > self.max_file_bytes:
                raise self._refuse(url, self._too_large(info.st_size))
            with open(fd, "rb", closefd=False) as file:
                body = file.read(self.max_file_bytes + 1)
        finally:
            os.close(fd)
        if len(body) > self.max_file_bytes:
            raise self._refuse(url, self._too_large(len(body)))

        content_type = mimetypes.guess_type(real_path)[0] or "application/octet-stream"
        return body, content_type, Path(real_path).as_uri()

    def _too_large(self, size: int) -> str:
        return f"file of {size} bytes exceeds the limit of {self.max_file_bytes} bytes"


@functools.cache
def _fetcher_class() -> type:
    """Build the WeasyPrint fetcher class (first call imports WeasyPrint)."""
    import_weasyprint()
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class InMemoryResponse(URLFetcherResponse):
        """A response whose body WeasyPrint must not re-read from disk.

        WeasyPrint 70 keeps the file path of a ``file:`` image and reads the file
        again when it writes the PDF; reporting no path makes it use the bytes
        already checked by the policy.
        """

        @property
        def path(self) -> None:
            return None

    class SafeURLFetcher(URLFetcher):
        """WeasyPrint URL fetcher that delegates every decision to a policy."""

        def __init__(self, policy: FetchPolicy) -> None:
            super().__init__(
                allowed_protocols=("data", "file"),
                allow_redirects=False,
                fail_on_errors=False,
            )
            self.policy = policy

        @property
        def refused(self) -> list[str]:
            return self.policy.refused

        def fetch(self, url: str, headers: Any = None) -> Any:
            body, content_type, final_url = self.policy.load(url)
            return InMemoryResponse(final_url, body, {"Content-Type": content_type})

    return SafeURLFetcher


def make_url_fetcher(
    allowed_roots: list[Path] | tuple[Path, ...] = (),
    *,
    max_data_uri_bytes: int = MAX_DATA_URI_BYTES,
    max_file_bytes: int = MAX_FILE_BYTES,
) -> Any:
    """Return a WeasyPrint ``URLFetcher`` that applies a :class:`FetchPolicy`.

    Pass the result as ``url_fetcher=`` to ``weasyprint.HTML``; after rendering,
    its ``refused`` attribute lists the refused URLs and its ``policy`` attribute
    holds the policy.

    Raises
    ------
    MissingDependencyError
        If WeasyPrint cannot be imported (see :func:`import_weasyprint`).
    """
    policy = FetchPolicy(
        allowed_roots,
        max_data_uri_bytes=max_data_uri_bytes,
        max_file_bytes=max_file_bytes,
    )
    return _fetcher_class()(policy)
