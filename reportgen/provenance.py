"""Provenance facts that make a report verifiable and reproducible.

SHA-256 digests of the inputs, the versions of Python and the key packages, the
command line, the time and the git commit of the working folder. When the
``SOURCE_DATE_EPOCH`` environment variable is set, it is used as the report time,
so that the same inputs and seed give a byte-identical ``report.json``.
"""

from __future__ import annotations

import hashlib
import os
import platform
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

KEY_PACKAGES = (
    "numpy",
    "pandas",
    "scipy",
    "scikit-learn",
    "pyarrow",
    "matplotlib",
    "jinja2",
    "weasyprint",
    "pydantic",
    "typer",
    "skops",
    "onnxruntime",
)


def sha256_file(path: Path, chunk_size: int = 1 << 20) -> str:
    """Hex SHA-256 of a file, read in chunks (constant memory)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def report_time() -> datetime:
    """Now (UTC, whole seconds), or ``SOURCE_DATE_EPOCH`` when it is set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
    return datetime.now(tz=timezone.utc).replace(microsecond=0)


def package_versions(names=KEY_PACKAGES) -> dict[str, str]:
    """Installed versions of the key packages (those not installed are left out)."""
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in names:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    return found


def git_commit(folder: Path) -> str | None:
    """The commit checked out in ``folder``'s git work tree, if there is one."""
    try:
        result = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = result.stdout.strip()
    return commit if result.returncode == 0 and len(commit) == 40 else None


def python_version() -> str:
    return platform.python_version()


def platform_name() -> str:
    return f"{platform.system()} {platform.machine()}"


def command_line() -> str:
    """The command as typed, with the program name shortened to ``reportgen``."""
    args = list(sys.argv[1:])
    return " ".join(["reportgen", *args])
