"""The Jinja2 environment that turns an audit report into HTML.

Templates are looked up in this order:

1. ``default/<name>``: always the shipped default template ``<name>``, so that a
   user template can write ``{% extends "default/report.html.j2" %}`` and replace
   one block;
2. ``<name>`` in the user's template folder, if one is given, so that a user file
   with the name of a default partial (say ``title.html.j2``) replaces it
   everywhere, including where the default templates include it;
3. ``<name>`` in the default template folder.

Every environment is an :class:`~jinja2.sandbox.ImmutableSandboxedEnvironment`
with autoescaping and :class:`~jinja2.StrictUndefined`: a user template is
untrusted code, and a misspelt field must fail loudly rather than print nothing.
The sandbox forbids access to private attributes and to methods that mutate the
context; template loaders also refuse symbolic links that lead out of their
folder. :func:`render_template` turns every template failure into a one-line
:class:`~reportgen.errors.TemplateError`.

Limitation: the sandbox stops a template from reading or changing anything it is
not given, but not from using a lot of time or memory (a huge loop, a very long
string); run untrusted templates with the limits of the surrounding process.
"""

from __future__ import annotations

import importlib.resources
import math
import os
import posixpath
import re
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

import jinja2
from jinja2.loaders import split_template_path
from jinja2.sandbox import ImmutableSandboxedEnvironment

from reportgen.errors import ReportgenError, TemplateError

#: Shown for a missing (None or NaN) number. Templates render ``None`` this way too.
MISSING = "—"
#: Between a number and its unit ("12.3 %"): a no-break space, so the two never
#: end up on different lines of a table cell.
UNIT_SPACE = "\u00a0"
#: Thousands separator of counts ("12 345"): a narrow no-break space, as SI and
#: ISO 80000 recommend, which neither reads as a decimal point nor breaks a line.
THOUSANDS_SEPARATOR = "\u202f"

TEMPLATE_DIR_MISSING = "template folder {path} does not exist"
TEMPLATE_DIR_NOT_A_DIR = "template folder {path} is not a folder"
TEMPLATE_NOT_FOUND = "template {name!r} not found (looked in: {folders})"
TEMPLATE_SYNTAX_ERROR = "syntax error in template {where}: {message}"
TEMPLATE_UNDEFINED = "template {where} uses an undefined value: {message}"
TEMPLATE_FORBIDDEN = "template {where} did something templates may not do: {message}"
TEMPLATE_FAILED = "template {where} failed: {kind}: {message}"
TEMPLATE_LINK_ESCAPES = (
    "template {name!r} is a symbolic link to a file outside its folder {folder}"
)


# --------------------------------------------------------------------------------
# Template folders


def default_template_dir() -> Path:
    """Return the folder of the default templates.

    In an installed wheel the top-level ``templates/`` folder of the repository is
    shipped as ``reportgen/templates``; in a source or editable checkout it is
    read from the repository itself.
    """
    packaged = importlib.resources.files("reportgen") / "templates"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "templates"


def validate_user_template_dir(path: str | os.PathLike[str]) -> Path:
    """Check that a user template folder exists and return its resolved path.

    Raises
    ------
    TemplateError
        If ``path`` does not exist or is not a folder.
    """
    folder = Path(path).expanduser()
    if not folder.exists():
        raise TemplateError(TEMPLATE_DIR_MISSING.format(path=folder))
    if not folder.is_dir():
        raise TemplateError(TEMPLATE_DIR_NOT_A_DIR.format(path=folder))
    return folder.resolve()


class _ContainedFileSystemLoader(jinja2.FileSystemLoader):
    """A FileSystemLoader that will not follow a symbolic link out of its folder.

    Jinja already rejects ``..`` in template names; a link inside a downloaded
    template folder that points at, say, ``~/.aws/credentials`` would otherwise
    let ``{% include %}`` copy that file into the report.
    """

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        pieces = split_template_path(template)
        for folder in self.searchpath:
            candidate = posixpath.join(folder, *pieces)
            if os.path.isfile(candidate):
                real_folder = os.path.realpath(folder)
                real_file = os.path.realpath(candidate)
                if not real_file.startswith(real_folder.rstrip(os.sep) + os.sep):
                    raise jinja2.exceptions.SecurityError(
                        TEMPLATE_LINK_ESCAPES.format(name=template, folder=folder)
                    )
                break
        return super().get_source(environment, template)


# --------------------------------------------------------------------------------
# Filters


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _fixed(value: Any, decimals: int) -> str:
    number = float(value)
    if math.isinf(number):
        return "∞" if number > 0 else "−∞"
    text = f"{number:.{decimals}f}"
    # A value that rounds to zero prints as 0.00, not -0.00.
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def format_pct(value: Any, decimals: int = 1) -> str:
    """Format a proportion as a percentage: 0.1234 gives "12.3 %".

    The space is a no-break space (:data:`UNIT_SPACE`); None and NaN give
    :data:`MISSING`.
    """
    if _is_missing(value):
        return MISSING
    return f"{_fixed(float(value) * 100, decimals)}{UNIT_SPACE}%"


def format_num(value: Any, decimals: int = 2) -> str:
    """Format a number with a fixed number of decimals; None and NaN give "—"."""
    if _is_missing(value):
        return MISSING
    return _fixed(value, decimals)


def format_ci(interval: Any, decimals: int = 2) -> str:
    """Format a confidence interval: (0.123, 0.341) gives "[0.12, 0.34]".

    ``interval`` is a pair ``(low, high)`` or an object with ``low`` and ``high``
    attributes; it gives "—" when it or either bound is missing.
    """
    if interval is None:
        return MISSING
    if hasattr(interval, "low") and hasattr(interval, "high"):
        low, high = interval.low, interval.high
    else:
        low, high = interval
    if _is_missing(low) or _is_missing(high):
        return MISSING
    return f"[{_fixed(low, decimals)}, {_fixed(high, decimals)}]"


def format_count(value: Any, suppress_below: int | None = None) -> str:
    """Format a count with grouped thousands: 12345 gives "12 345".

    The separator is a narrow no-break space (:data:`THOUSANDS_SEPARATOR`).
    With ``suppress_below=k``, a count ``n`` with ``0 < n < k`` is published as
    "< k" (small-cell suppression); zero is shown, since it reveals no one.
    None and NaN give "—"; a non-integral count (a sum of sample weights) keeps
    one decimal.
    """
    if _is_missing(value):
        return MISSING
    if suppress_below is not None and 0 < value < suppress_below:
        return f"<{UNIT_SPACE}{format_count(suppress_below)}"
    number = float(value)
    if math.isinf(number):
        return _fixed(number, 0)
    text = f"{int(number):,}" if number.is_integer() else f"{number:,.1f}"
    return text.replace(",", THOUSANDS_SEPARATOR)


FILTERS: dict[str, Callable[..., str]] = {
    "pct": format_pct,
    "num": format_num,
    "ci": format_ci,
    "count": format_count,
}


_COUNT_IN_TEXT = re.compile(r"\b(n = )(\d+)\b|\b(\d+)( individuals?\b)")


def suppress_counts(text: Any, suppress_below: int | None = None) -> Any:
    """Rewrite counts below ``suppress_below`` inside a sentence as "< k".

    Check evidence is prose built when the audit ran ("n = 4 is under the
    minimum"); for a published report the counts it quotes are suppressed the
    same way as those of the tables: "n = < 5", "< 5 individuals".
    """
    if suppress_below is None or not isinstance(text, str):
        return text

    def replace(match: re.Match) -> str:
        prefix, number, count, suffix = match.groups()
        value = int(number if number is not None else count)
        if not 0 < value < suppress_below:
            return match.group(0)
        hidden = f"<{UNIT_SPACE}{suppress_below}"
        if number is not None:
            return f"{prefix}{hidden}"
        return f"{hidden}{suffix}"

    return _COUNT_IN_TEXT.sub(replace, text)


def _finalize(value: Any) -> Any:
    return MISSING if value is None else value


# --------------------------------------------------------------------------------
# Environment and rendering


def make_environment(
    user_dir: str | os.PathLike[str] | None = None,
    *,
    default_dir: str | os.PathLike[str] | None = None,
) -> jinja2.Environment:
    """Build the sandboxed Jinja2 environment for report templates.

    Parameters
    ----------
    user_dir : path-like, optional
        A folder of user templates that override default ones by file name.
    default_dir : path-like, optional
        The folder of default templates; :func:`default_template_dir` when not
        given (tests pass their own).

    Raises
    ------
    TemplateError
        If ``user_dir`` is given but is not an existing folder.
    """
    default = Path(default_dir) if default_dir is not None else default_template_dir()
    loaders: list[jinja2.BaseLoader] = [
        jinja2.PrefixLoader({"default": _ContainedFileSystemLoader(default)})
    ]
    if user_dir is not None:
        loaders.append(_ContainedFileSystemLoader(validate_user_template_dir(user_dir)))
    loaders.append(_ContainedFileSystemLoader(default))

    env = ImmutableSandboxedEnvironment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_finalize,
        auto_reload=False,
    )
    env.filters.update(FILTERS)
    env.filters["suppress_counts"] = suppress_counts
    return env


def _searched_folders(loader: jinja2.BaseLoader | None) -> list[str]:
    if isinstance(loader, jinja2.ChoiceLoader):
        return [f for sub in loader.loaders for f in _searched_folders(sub)]
    if isinstance(loader, jinja2.FileSystemLoader):
        return list(loader.searchpath)
    return []


def _template_location(tb: TracebackType | None) -> tuple[str, int] | None:
    """Find the innermost template line in a traceback Jinja has rewritten."""
    location = None
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_name in ("template", "top-level template code") or (
            code.co_name.startswith("block ")
        ):
            location = (code.co_filename, tb.tb_lineno)
        tb = tb.tb_next
    return location


def _one_line(message: object) -> str:
    return " ".join(str(message).split())


def render_template(env: jinja2.Environment, name: str, context: dict[str, Any]) -> str:
    """Render template ``name`` with ``context`` and return the text.

    Raises
    ------
    TemplateError
        If the template cannot be found, does not parse, uses an undefined value,
        breaks a sandbox rule or fails while rendering. The one-line message names
        the template and, when known, the line.
    """
    try:
        return env.get_template(name).render(context)
    except ReportgenError:
        raise
    except jinja2.TemplateNotFound as exc:
        folders = ", ".join(_searched_folders(env.loader)) or "no folders"
        message = TEMPLATE_NOT_FOUND.format(name=exc.name, folders=folders)
        raise TemplateError(message) from exc
    except jinja2.TemplateSyntaxError as exc:
        where = repr(exc.filename or exc.name or name)
        if exc.lineno:
            where += f", line {exc.lineno}"
        message = TEMPLATE_SYNTAX_ERROR.format(
            where=where, message=_one_line(exc.message)
        )
        raise TemplateError(message) from exc
    except Exception as exc:
        location = _template_location(exc.__traceback__)
        is_jinja = isinstance(exc, jinja2.TemplateError)
        if location is None and not is_jinja:
            # Not raised by template code: a bug in reportgen, not in the template.
            raise
        where = f"{location[0]!r}, line {location[1]}" if location else repr(name)
        if isinstance(exc, jinja2.UndefinedError):
            text = TEMPLATE_UNDEFINED.format(where=where, message=_one_line(exc))
        elif isinstance(exc, jinja2.exceptions.SecurityError):
            text = TEMPLATE_FORBIDDEN.format(where=where, message=_one_line(exc))
        else:
            text = TEMPLATE_FAILED.format(
                where=where, kind=type(exc).__name__, message=_one_line(exc)
            )
        raise TemplateError(text) from exc
