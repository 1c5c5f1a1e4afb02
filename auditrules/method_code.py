"""The code of the methods ``dataclasses`` generates, compiled once and remembered between runs.

Python 3.11 and 3.12 build each generated method (``__init__``, ``__eq__``, ``__hash__``, and a frozen
class's ``__setattr__`` and ``__delattr__``) by compiling its source text with ``exec`` whenever a
module defining a dataclass is imported: about 0.4 ms a class, some 30 ms of a routing check's
start for the 77 classes it imports — more than half of what the check costs above its import
floor. (Python 3.13 compiles a class's methods in one go, which takes a third of that.)

:func:`remember`, called by the command line before it imports the rest of the package, gives the
``dataclasses`` module an ``exec`` of its own that looks the source text up first: the text is the
key, so a cached code object is exactly what compiling that text gives (compiled the way ``exec``
compiles it: file name ``<string>``, no inherited ``__future__`` flags), and any other text,
from any version of ``dataclasses``, is compiled as before. The module looks ``exec`` up at each
call, so nothing else in it changes. At exit, texts compiled in this run are added to the file.

The file lives in the private cache directory (:mod:`auditrules.cache`: owned by the user and
writable by nobody else, where Lark's parser tables are kept too), is named for the interpreter's
bytecode version (``importlib.util.MAGIC_NUMBER``), and is read as marshal data: a code object
runs when a class is made, so it is kept only where the package's own bytecode would be as safe.
A damaged or foreign file is ignored and rewritten. Without a private directory every run
compiles, as Python does. A process that imports the package as a library never gets this
``exec`` (only :func:`remember` installs it).
"""

from __future__ import annotations

import atexit
import builtins
import contextlib
import dataclasses
import marshal
import os
import sys
from importlib.util import MAGIC_NUMBER
from types import CodeType
from typing import Any

#: Entries the file may hold; past this, a run keeps only the texts it used.
MAX_ENTRIES = 4096


class _Methods:
    """The remembered code objects (source text → code) and what this run compiled and used."""

    __slots__ = ("compiled", "known", "path", "used")

    def __init__(self, known: dict[str, CodeType], path: str | None) -> None:
        self.known = known
        self.compiled: dict[str, CodeType] = {}
        self.used: set[str] = set()
        self.path = path

    def code(self, source: str) -> CodeType:
        """The code of ``source`` as ``exec`` would compile it: remembered, or compiled now."""
        self.used.add(source)
        code = self.known.get(source)
        if code is None:
            code = self.compiled[source] = compile(source, "<string>", "exec", dont_inherit=True)
        return code

    def exec(self, source: Any, globals: dict[str, Any] | None = None, locals: Any = None, /) -> None:
        """``exec`` for the ``dataclasses`` module: source text goes through :meth:`code`."""
        if type(source) is str:
            source = self.code(source)
        builtins.exec(source, globals, locals)

    def save(self) -> None:
        """Add what this run compiled to the file (written whole, then renamed into place)."""
        if not self.compiled or self.path is None:
            return
        entries = {**self.known, **self.compiled}
        if len(entries) > MAX_ENTRIES:
            entries = {text: entries[text] for text in sorted(self.used)}
        tmp = f"{self.path}.{os.getpid()}.tmp"
        try:
            with open(tmp, "wb") as out:
                out.write(MAGIC_NUMBER + marshal.dumps(entries))
            os.replace(tmp, self.path)
        except (OSError, ValueError):
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def cache_file() -> str | None:
    """Where the code is remembered (in the private cache directory), or None when nowhere."""
    from auditrules.cache import private_dir

    directory = private_dir()
    tag = sys.implementation.cache_tag
    if directory is None or tag is None:
        return None
    return str(directory / f"dataclass-methods.{tag}.{MAGIC_NUMBER.hex()}.marshal")


def load(path: str | None) -> dict[str, CodeType]:
    """The remembered code in ``path``; empty when there is none or it is not ours."""
    if path is None:
        return {}
    try:
        with open(path, "rb") as f:
            data = f.read()
        if not data.startswith(MAGIC_NUMBER):
            return {}
        entries = marshal.loads(data[len(MAGIC_NUMBER) :])
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    if not isinstance(entries, dict):
        return {}
    return {k: v for k, v in entries.items() if type(k) is str and type(v) is CodeType}


def remember() -> None:
    """Give ``dataclasses`` the remembering ``exec`` for the rest of this process (once)."""
    if isinstance(getattr(getattr(dataclasses, "exec", None), "__self__", None), _Methods):
        return
    path = cache_file()
    methods = _Methods(load(path), path)
    setattr(dataclasses, "exec", methods.exec)  # noqa: B010 (a module global, not an attribute mypy knows)
    atexit.register(methods.save)


__all__ = ["MAX_ENTRIES", "cache_file", "load", "remember"]
