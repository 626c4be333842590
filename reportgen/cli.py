"""The ``reportgen`` command line: the only layer that talks to users.

Results (the paths written) go to stdout, one per line; progress and errors go to
stderr. Exit codes: 0 when the report was written, 2 for bad input or usage (a
one-line message, no traceback, nothing half-written), 1 for an unexpected
failure. Heavy libraries are imported inside the commands, so that ``--help`` and
``--version`` answer at once.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from reportgen import __version__

app = typer.Typer(
    name="reportgen",
    help=(
        "Fairness, transparency and privacy audit reports (PDF + JSON) for "
        "machine-learning decisions.\n\n"
        "Example: reportgen demo --out demo-report"
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
templates_app = typer.Typer(
    help="Work with report templates.\n\nExample: reportgen templates export mine",
    no_args_is_help=True,
)
app.add_typer(templates_app, name="templates")


class Progress:
    """Short progress lines on stderr, with the elapsed time; silent if quiet."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.start = time.perf_counter()

    def __call__(self, message: str) -> None:
        if not self.quiet:
            elapsed = time.perf_counter() - self.start
            typer.echo(f"[{elapsed:5.1f}s] {message}", err=True)


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"Error: {message}", err=True)
    return typer.Exit(code=code)


def _run(action, *args, **kwargs):
    """Run a command body, mapping domain errors to messages and exit codes."""
    from reportgen.errors import InputError

    try:
        return action(*args, **kwargs)
    except InputError as error:
        raise _fail(str(error)) from None
    except KeyboardInterrupt:
        raise _fail("interrupted; nothing was written", code=130) from None


def _version(value: bool) -> None:
    if value:
        typer.echo(f"reportgen {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version."
        ),
    ] = False,
) -> None:
    """Fairness, transparency and privacy audit reports for ML decisions."""


OutOption = Annotated[
    Path | None,
    typer.Option(
        "--out", "-o", help="Folder for report.pdf, report.json, report.html."
    ),
]
QuietOption = Annotated[
    bool, typer.Option("--quiet", "-q", help="Print no progress on stderr.")
]
TemplatesOption = Annotated[
    Path | None,
    typer.Option(
        "--templates",
        help="Folder of templates layered over the defaults (see 'templates export').",
    ),
]


@app.command()
def demo(
    out: OutOption = Path("reportgen-demo"),
    templates: TemplatesOption = None,
    quiet: QuietOption = False,
) -> None:
    """Audit a model trained on the bundled German credit data.

    Trains a random forest on the Statlog German Credit data (UCI, CC BY 4.0),
    shipped with reportgen, and audits it by sex, age group and their
    intersection against the EEOC, NYC LL144 and model-card profiles.

    Example:

        reportgen demo --out demo-report
    """
    _run(_demo, out, templates, quiet)


def _demo(out: Path, templates: Path | None, quiet: bool) -> None:
    from reportgen.config import load_config
    from reportgen.datasets import GERMAN_CREDIT, german_credit_path

    path = german_credit_path().with_name("german_credit_audit.yaml")
    config = load_config(path)
    _audit_and_write(
        config,
        path.read_bytes(),
        out=out,
        templates=templates,
        quiet=quiet,
        dataset_info=GERMAN_CREDIT,
        config_name="audit.yaml",
    )


@app.command()
def audit(
    config: Annotated[
        Path | None,
        typer.Argument(help="audit.yaml describing the audit (or use the flags)."),
    ] = None,
    data: Annotated[
        Path | None, typer.Option("--data", help="CSV or Parquet file to audit.")
    ] = None,
    target: Annotated[
        str | None, typer.Option("--target", help="Column with the true outcome.")
    ] = None,
    protected: Annotated[
        list[str] | None,
        typer.Option("--protected", help="Protected attribute column (repeatable)."),
    ] = None,
    positive_label: Annotated[
        str | None,
        typer.Option("--positive-label", help="The favourable value of the target."),
    ] = None,
    prediction: Annotated[
        str | None,
        typer.Option("--prediction", help="Column of decisions already made."),
    ] = None,
    score: Annotated[
        str | None, typer.Option("--score", help="Column of scores behind them.")
    ] = None,
    model: Annotated[
        Path | None,
        typer.Option("--model", help="Fitted model file (.skops, .onnx, .joblib)."),
    ] = None,
    trust_model: Annotated[
        bool,
        typer.Option(
            "--trust-model",
            help="Allow loading pickle/joblib model files (this runs their code).",
        ),
    ] = False,
    threshold: Annotated[
        float | None,
        typer.Option("--threshold", help="Decision threshold on the positive score."),
    ] = None,
    profile: Annotated[
        list[str] | None,
        typer.Option("--profile", help="Regulation profile to judge (repeatable)."),
    ] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Random seed.")] = None,
    out: OutOption = None,
    templates: TemplatesOption = None,
    quiet: QuietOption = False,
) -> None:
    """Audit a model or the decisions a system already made.

    Give an audit.yaml, or describe the audit with flags. With --prediction the
    decisions in that column are audited as they are (an independent audit of
    historical decisions); with --model a fitted model is scored on the data;
    otherwise a model is trained and evaluated on a held-out split.

    Examples:

        reportgen audit examples/german_credit/audit.yaml --out report

        reportgen audit --data decisions.csv --target hired --positive-label yes
        --protected sex --protected race --prediction decision --out report
    """
    _run(
        _audit,
        config,
        data=data,
        target=target,
        protected=protected,
        positive_label=positive_label,
        prediction=prediction,
        score=score,
        model=model,
        trust_model=trust_model,
        threshold=threshold,
        profile=profile,
        seed=seed,
        out=out,
        templates=templates,
        quiet=quiet,
    )


def _audit(config_path: Path | None, **flags: Any) -> None:
    from reportgen.config import load_config, parse_config
    from reportgen.errors import InputError

    out = flags.pop("out")
    templates = flags.pop("templates")
    quiet = flags.pop("quiet")
    if config_path is not None:
        if flags["protected"]:
            raise InputError(
                "--protected cannot be combined with an audit.yaml; edit it"
            )
        config = load_config(config_path)
        config_bytes = config_path.read_bytes()
        # Flags override the file; paths they give are relative to here.
        merged = _merge(config.model_dump(mode="python"), _flag_settings(flags))
        config = parse_config(merged, source="command line").resolved(Path.cwd())
        config_name = config_path.name
    else:
        missing = [f"--{k}" for k in ("data", "target") if flags[k] is None]
        if not flags["protected"]:
            missing.append("--protected")
        if missing:
            raise InputError("give an audit.yaml, or at least " + ", ".join(missing))
        raw = _flag_settings(flags)
        config = parse_config(raw, source="command line").resolved(Path.cwd())
        import yaml

        config_bytes = yaml.safe_dump(_plain(raw), sort_keys=False).encode()
        config_name = "audit.yaml"
    _audit_and_write(
        config,
        config_bytes,
        out=out,
        templates=templates,
        quiet=quiet,
        config_name=config_name,
    )


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return str(value) if isinstance(value, Path) else value


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``override``'s settings laid over it, section by section."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _flag_settings(flags: dict[str, Any]) -> dict[str, Any]:
    """The config settings the command-line flags give, in audit.yaml's shape."""
    from reportgen.errors import InputError

    if flags["score"] and not flags["prediction"]:
        raise InputError("--score needs --prediction (the decisions behind the scores)")
    settings: dict[str, Any] = {}
    if flags["data"] is not None:
        settings["data"] = {"path": flags["data"]}
    for key in ("target", "positive_label", "seed"):
        if flags[key] is not None:
            settings[key] = flags[key]
    if flags["protected"]:
        settings["protected"] = list(flags["protected"])
    if flags["prediction"]:
        settings["predictions"] = {
            "column": flags["prediction"],
            "score_column": flags["score"],
        }
    model = {
        "path": flags["model"],
        "trust": True if flags["trust_model"] else None,
        "threshold": flags["threshold"],
    }
    model = {k: v for k, v in model.items() if v is not None}
    if model:
        settings["model"] = model
    if flags["profile"]:
        settings["report"] = {"profiles": list(flags["profile"])}
    return settings


def _audit_and_write(
    config,
    config_bytes: bytes,
    *,
    out: Path | None,
    templates: Path | None,
    quiet: bool,
    config_name: str,
    dataset_info: Any = None,
) -> None:
    from reportgen.audit import run_audit
    from reportgen.render.document import Branding, RenderOptions, write_report
    from reportgen.report import to_dict

    progress = Progress(quiet)
    templates = templates or config.report.templates
    if templates is not None:
        from reportgen.render.environment import validate_user_template_dir

        validate_user_template_dir(templates)
    branding = Branding(
        logo=config.report.logo,
        accent_colour=config.report.accent_colour,
        css=config.report.extra_css,
    )
    branding.logo_uri()  # a bad logo is an input error: fail before the work
    result = run_audit(
        config,
        config_bytes=config_bytes,
        dataset_info=dataset_info,
        progress=progress,
    )
    report = to_dict(result.report)
    progress("Rendering the report (charts, HTML, PDF)")
    options = RenderOptions(
        template_dir=templates,
        branding=branding,
        suppress_below=config.report.suppress_small_counts,
        config_bytes=config_bytes,
        config_name=config_name,
    )
    written = write_report(report, out or config.output, options)
    progress(f"Done: report {report['report_id']}")
    _echo_written(written)


@app.command()
def render(
    report_json: Annotated[
        Path, typer.Argument(help="A report.json written by reportgen.")
    ],
    out: OutOption = Path("reportgen-report"),
    templates: TemplatesOption = None,
    quiet: QuietOption = False,
) -> None:
    """Re-render a saved report.json (for example with other templates).

    Nothing is recomputed: the PDF and HTML are drawn from the JSON alone.

    Example:

        reportgen render demo-report/report.json --templates my-templates --out branded
    """
    _run(_render, report_json, out, templates, quiet)


def _render(report_json: Path, out: Path, templates: Path | None, quiet: bool) -> None:
    from reportgen.errors import InputError
    from reportgen.render.document import RenderOptions, write_report
    from reportgen.report import from_json, stored_id_matches, to_dict

    progress = Progress(quiet)
    if not report_json.is_file():
        raise InputError(f"report file not found: {report_json}")
    progress(f"Reading {report_json.name}")
    try:
        text = report_json.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(
            f"{report_json} is not a report.json (not UTF-8 text)"
        ) from None
    report = to_dict(from_json(text))
    if not stored_id_matches(text):
        typer.echo(
            f"Warning: {report_json.name} was changed after reportgen wrote it: its "
            f"content now has the id {report['report_id']}, printed on every page",
            err=True,
        )
    if templates is not None:
        from reportgen.render.environment import validate_user_template_dir

        validate_user_template_dir(templates)
    progress("Rendering the report (charts, HTML, PDF)")
    written = write_report(report, out, RenderOptions(template_dir=templates))
    _echo_written(written)


def _echo_written(written) -> None:
    """Paths on stdout; resources the renderer refused as a warning on stderr."""
    if written.refused:
        shown = ", ".join(written.refused[:5])
        more = (
            f" and {len(written.refused) - 5} more" if len(written.refused) > 5 else ""
        )
        typer.echo(
            "Warning: the templates named resources that were not fetched (only "
            f"the template folders and data: URIs are allowed): {shown}{more}",
            err=True,
        )
    for path in written.paths:
        typer.echo(str(path))


@templates_app.command("export")
def templates_export(
    folder: Annotated[Path, typer.Argument(help="Folder to write the templates into.")],
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite files that already exist.")
    ] = False,
) -> None:
    """Write the default templates and CSS into FOLDER, to edit.

    Keep only the files you change: the folder is layered over the defaults.

    Example:

        reportgen templates export my-templates
    """
    _run(_templates_export, folder, force)


def _templates_export(folder: Path, force: bool) -> None:
    import shutil

    from reportgen.errors import InputError
    from reportgen.render.environment import default_template_dir

    source = default_template_dir()
    files = sorted(p for p in source.iterdir() if p.is_file())
    clashes = [folder / p.name for p in files if (folder / p.name).exists()]
    if clashes and not force:
        raise InputError(
            f"{clashes[0]} exists; use --force to overwrite "
            f"({len(clashes)} file(s) would be replaced)"
        )
    folder.mkdir(parents=True, exist_ok=True)
    for path in files:
        shutil.copyfile(path, folder / path.name)
        typer.echo(str(folder / path.name))


@app.command()
def profiles() -> None:
    """List the regulation profiles and their checks.

    Example:

        reportgen profiles
    """
    from reportgen.checks.profiles import available_profiles, load_profile

    for name in available_profiles():
        profile = load_profile(name)
        typer.echo(f"{name}: {profile['title']}")
        for check in profile["checks"]:
            typer.echo(f"  {profile['id']}.{check['id']}  [{check['clause']}]")


@app.command()
def schema() -> None:
    """Print the JSON Schema of report.json.

    Example:

        reportgen schema > report.schema.json
    """
    import json

    from reportgen.report import json_schema

    typer.echo(json.dumps(json_schema(), indent=2))


def main() -> None:
    """Entry point of the ``reportgen`` console script."""
    app(prog_name="reportgen")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
