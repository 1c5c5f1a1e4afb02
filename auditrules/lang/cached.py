"""Parsed rules files remembered between runs: rule text → the :class:`~auditrules.lang.ast.Policy`
:mod:`~auditrules.lang.parser` made of it, kept (pickled) in the private cache directory.

A pre-deploy hook checks the same rules file on every commit; with the policy remembered it neither
parses it again nor imports Lark. The key is a hash of the text, the path shown in messages, the
auditrules version and the sources that shape the tree (grammar, parser, AST), so any change to
them parses afresh. Text that does not parse is never remembered (its error comes from the parser).
Without a private directory (see :mod:`auditrules.cache`) every run parses.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
from functools import cache
from pathlib import Path

from auditrules.cache import private_dir
from auditrules.lang import ast

#: The files whose content decides the tree a text parses into.
_SHAPERS = ("lang/grammar.lark", "lang/parser.py", "lang/ast.py", "errors.py", "units.py", "columns.py")


@cache
def _code_digest() -> bytes:
    from auditrules import __version__

    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256(__version__.encode())
    for name in _SHAPERS:
        with contextlib.suppress(OSError):
            h.update((root / name).read_bytes())
    return h.digest()


def _key(text: str, path: str) -> str:
    h = hashlib.sha256(_code_digest())
    for part in (path, text):
        data = part.encode("utf-8", "surrogatepass")
        h.update(len(data).to_bytes(8, "big") + data)
    return h.hexdigest()[:32]


def parse_policy(text: str, path: str = "<string>") -> ast.Policy:
    """:func:`~auditrules.lang.parser.parse_policy`, remembered: the same text and path give an
    equal policy, from the cache when an earlier run parsed them."""
    directory = private_dir()
    file = directory / f"policy-{_key(text, path)}.pickle" if directory is not None else None
    if file is not None:
        # our own file in a private directory; anything unreadable (missing, damaged, written by
        # other code) is parsed afresh
        with contextlib.suppress(Exception):
            policy = pickle.loads(file.read_bytes())
            if isinstance(policy, ast.Policy):
                return policy
    from auditrules.lang import parser

    policy = parser.parse_policy(text, path)
    if file is not None:
        _store(file, pickle.dumps(policy, protocol=pickle.HIGHEST_PROTOCOL))
    return policy


def _store(file: Path, data: bytes) -> None:
    """Write ``data`` to ``file`` atomically (a reader sees the old file or the whole new one)."""
    import tempfile  # only when writing: a run that finds its policy needs none

    with contextlib.suppress(OSError):
        fd, tmp = tempfile.mkstemp(dir=file.parent, prefix=".policy-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, file)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


__all__ = ["parse_policy"]
