"""Atomic output: a rendered report → a file that is either complete or untouched.

The text goes to a temporary file beside the target, which then replaces the target in one
``os.replace``. The temporary file is removed on every way out: an OSError, any other exception,
Ctrl-C (``KeyboardInterrupt``) and SIGTERM/SIGHUP, which are turned into an exception while the
file is written and delivered again once it is gone. A symlink is written through (its target is
replaced, the link stays); a directory, device, FIFO or socket is refused (AR006), never replaced.
"""

from __future__ import annotations

import os
import secrets
import signal
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from auditrules.errors import AuditError

CHUNK = 1 << 20


class _Signalled(BaseException):
    """A termination signal arrived while a temporary file existed."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def output_target(path: str | Path) -> tuple[Path, int | None]:
    """The file to replace for ``path`` (symlinks followed) and its permission bits if it exists.

    AR006 for an empty path, a directory, or anything that is not a regular file.
    """
    if not str(path):
        raise AuditError("AR006", "the output path is empty; leave out -o to write to standard output")
    real = Path(os.path.realpath(path))
    try:
        st = os.stat(real)
    except FileNotFoundError:
        return real, None
    except OSError as exc:
        raise AuditError("AR006", f"cannot write {path}: {exc.strerror}") from None
    if stat.S_ISDIR(st.st_mode):
        raise AuditError("AR006", f"cannot write {path}: it is a directory; give a file name")
    if not stat.S_ISREG(st.st_mode):
        raise AuditError("AR006", f"cannot write {path}: it is not a regular file (a device, FIFO or socket)")
    return real, stat.S_IMODE(st.st_mode)


def write_atomic(path: str | Path, content: str) -> None:
    """Write ``content`` to ``path`` via a temporary file in the same directory and ``os.replace``."""
    target, mode = output_target(path)
    tmp: str | None = None
    try:
        with _signals_raise():  # before the temporary file exists, so no signal can orphan it
            for _ in range(100):
                # the name is known before the file exists: a signal at any point finds it to remove
                tmp = str(target.parent / f".{target.name}.{secrets.token_hex(6)}.tmp")
                try:
                    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
                    break
                except FileExistsError:
                    continue
            else:
                raise FileExistsError(17, "no free temporary name")
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                if mode is None:  # mkstemp creates the file 0600; give it what a plain open() would
                    umask = os.umask(0)
                    os.umask(umask)
                    mode = 0o666 & ~umask
                os.chmod(tmp, mode)
                for start in range(0, len(content), CHUNK):
                    fh.write(content[start : start + CHUNK])
            os.replace(tmp, target)
    except BaseException as exc:
        if tmp is not None and not isinstance(exc, FileExistsError):
            Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, _Signalled):
            os.kill(os.getpid(), exc.signum)  # the previous (default) handler: end as signalled
            raise SystemExit(128 + exc.signum) from None
        if isinstance(exc, OSError):
            raise AuditError("AR006", f"cannot write {path}: {exc.strerror}") from None
        if isinstance(exc, UnicodeEncodeError):
            raise AuditError("AR006", f"cannot write {path}: text that UTF-8 cannot encode") from None
        raise


@contextmanager
def _signals_raise() -> Iterator[None]:
    """While the block runs, SIGTERM and SIGHUP (if left at their defaults) raise :class:`_Signalled`."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, _frame: object) -> None:
        raise _Signalled(signum)

    installed: list[int] = []
    for name in ("SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is not None and signal.getsignal(sig) is signal.SIG_DFL:
            signal.signal(sig, handler)
            installed.append(sig)
    try:
        yield
    finally:
        for sig in installed:
            signal.signal(sig, signal.SIG_DFL)
