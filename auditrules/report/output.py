"""Atomic output: a rendered report → a file that is either complete or untouched."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from auditrules.errors import AuditError


def write_atomic(path: str | Path, content: str) -> None:
    """Write ``content`` to ``path`` via a temporary file in the same directory and ``os.replace``."""
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise AuditError("AR006", f"cannot write {path}: {exc.strerror}") from None
    try:
        # mkstemp creates the file 0600; give the report the permissions a plain open() would
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(content)
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise AuditError("AR006", f"cannot write {path}: {exc.strerror}") from None
