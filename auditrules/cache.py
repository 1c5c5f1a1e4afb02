"""The private cache directory: ``$XDG_CACHE_HOME/auditrules`` (default ``~/.cache/auditrules``).

Created with mode 0700 and used only when it belongs to the current user and nobody else may write
to it (Lark stores its compiled parser tables there as a pickle, and the command line the compiled
code of generated dataclass methods, :mod:`auditrules.method_code`: both run code when loaded):
never a shared ``/tmp``. Parsed rules files are kept there as JSON data (:mod:`auditrules.lang.cached`).
Without a usable directory callers simply do the work again.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def private_dir() -> Path | None:
    """The cache directory, or None when there is no private one to use."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    directory = os.path.join(base, "auditrules")
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
        st = os.stat(directory)
        if hasattr(os, "getuid") and (st.st_uid != os.getuid() or st.st_mode & 0o022):
            return None
    except OSError:
        return None
    return Path(directory)


def seen(kind: str, digest: str) -> bool:
    """Whether ``kind``/``digest`` was recorded before (see :func:`record`)."""
    directory = private_dir()
    return directory is not None and (directory / f"{kind}-{digest}").is_file()


def record(kind: str, digest: str) -> None:
    """Remember ``kind``/``digest`` (an empty marker file), so a later run can skip the same work."""
    directory = private_dir()
    if directory is None:
        return
    with contextlib.suppress(OSError):
        (directory / f"{kind}-{digest}").touch()


__all__ = ["private_dir", "record", "seen"]
