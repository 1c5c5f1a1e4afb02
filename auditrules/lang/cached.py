"""Parsed rules files remembered between runs: rule text → the :class:`~auditrules.lang.ast.Policy`
:mod:`~auditrules.lang.parser` made of it, kept as JSON in the private cache directory.

A pre-deploy hook checks the same rules file on every commit; with the policy remembered it neither
parses it again nor imports Lark. The key is a hash of the text, the path shown in messages, the
auditrules version and the sources that shape the tree (grammar, parser, AST), so any change to
them parses afresh. Text that does not parse is never remembered (its error comes from the parser).
Without a private directory (see :mod:`auditrules.cache`) every run parses.

The file is data only: each node is a JSON object naming its class (``{"@": "Rule", ...}``), and
reading one can build nothing but the AST's own node types and :class:`~auditrules.errors.Span`
from strings, numbers, booleans and null (never pickle, which runs whatever the file names).
Anything else in a file — a damaged, foreign or hand-edited one — is parsed afresh.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import fields, is_dataclass
from functools import cache
from pathlib import Path
from typing import Any

from auditrules.cache import private_dir
from auditrules.errors import AuditError, Span
from auditrules.lang import ast

#: The files whose content decides the tree a text parses into.
_SHAPERS = (
    "lang/grammar.lark",
    "lang/parser.py",
    "lang/ast.py",
    "lang/ticket_ast.py",
    "lang/check.py",  # only policies that pass its checks are remembered
    "errors.py",
    "units.py",
    "columns.py",
)
#: The only types a cache file may name: the AST's nodes and source spans (the ticket statements'
#: nodes, :data:`auditrules.lang.ast.TICKET_NODES`, join when first named).
_NODES: dict[str, type[Any]] = {
    **{
        name: cls
        for name, cls in vars(ast).items()
        if isinstance(cls, type) and is_dataclass(cls) and cls is not ast.UnreadStatements  # never stored
    },
    "Span": Span,
}
#: A ticket statements' node left unread (see :func:`decode`).
_UNREAD = object()


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


def encode(value: Any) -> Any:
    """A node (or tuple, or scalar) of the AST as JSON data: nodes as objects naming their class."""
    if isinstance(value, tuple):
        return [encode(v) for v in value]
    if is_dataclass(value) and not isinstance(value, type):
        out = {"@": type(value).__name__}
        out.update({f.name: encode(getattr(value, f.name)) for f in fields(value)})
        return out
    return value


def _node_class(name: str) -> type[Any]:
    """The node class called ``name``; KeyError for any other name. The ticket statements' nodes
    are looked up (and their module imported) when a file first names one."""
    found = _NODES.get(name)
    if found is None:
        if name not in ast.TICKET_NODES:
            raise KeyError(name)
        found = _NODES[name] = getattr(ast, name)
    return found


def _node(obj: dict[str, Any]) -> Any:
    """One JSON object of a cache file → its node; KeyError/TypeError for anything that is not one."""
    cls = _node_class(obj.pop("@"))
    return cls(**{k: _tuples(v) for k, v in obj.items()})


def _tuples(value: Any) -> Any:
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


def _node_leaving_ticket_statements(obj: dict[str, Any]) -> Any:
    """:func:`_node`, but a ticket statements' node is left unread (:data:`_UNREAD`) and a rule's
    unread statements become one :class:`~auditrules.lang.ast.UnreadStatements`."""
    name = obj.get("@")
    if name in ast.TICKET_NODES:
        return _UNREAD
    if name == "Rule" and isinstance(obj.get("statements"), list):
        obj["statements"] = _fold_unread(obj["statements"])
    elif any(v is _UNREAD or (isinstance(v, list) and any(x is _UNREAD for x in v)) for v in obj.values()):
        raise TypeError(f"a ticket statements' node inside {name}")  # not our file: parsed afresh
    return _node(obj)


def _fold_unread(statements: list[Any]) -> list[Any]:
    """A rule's statements with the unread ones replaced by one node, where the first of them was."""
    unread = [i for i, s in enumerate(statements) if s is _UNREAD]
    if not unread:
        return statements
    kept = [s for s in statements if s is not _UNREAD]
    kept.insert(unread[0], ast.UnreadStatements(len(unread)))
    return kept


def decode(text: str, ticket_statements: bool = True) -> ast.Policy | None:
    """The policy a cache file holds, or None when it holds anything else. Without
    ``ticket_statements``, each ticket rule keeps its routing statements and an
    :class:`~auditrules.lang.ast.UnreadStatements` for the others, whose classes are never created."""
    hook = _node if ticket_statements else _node_leaving_ticket_statements
    policy = json.loads(text, object_hook=hook)
    return policy if isinstance(policy, ast.Policy) else None


def parse_policy(text: str, path: str = "<string>", *, ticket_statements: bool = True) -> ast.Policy:
    """:func:`~auditrules.lang.parser.parse_policy`, remembered: the same text and path give an
    equal policy, from the cache when an earlier run parsed them and it passed every check of
    :mod:`~auditrules.lang.check`. ``ticket_statements=False`` (a check given no ticket data) reads
    a remembered policy without the ticket rules' statements (see :func:`decode`); a policy parsed
    afresh is returned whole."""
    directory = private_dir()
    file = directory / f"policy-{_key(text, path)}.json" if directory is not None else None
    if file is not None:
        # our own file in a private directory; anything unreadable (missing, damaged, written by
        # other code) is parsed afresh
        with contextlib.suppress(Exception):
            policy = decode(file.read_text(encoding="utf-8"), ticket_statements)
            if policy is not None:
                return policy
    from auditrules.lang import parser

    policy = parser.parse_policy(text, path)
    if file is not None and _passes_checks(policy):
        _store(file, json.dumps(encode(policy), separators=(",", ":")).encode("ascii"))
    return policy


def _passes_checks(policy: ast.Policy) -> bool:
    """Whether ``policy`` passes every check of its own. Only such a policy is remembered, so that
    one read without its ticket statements needs none of them again (its errors, if it had any,
    come from the checks each run makes of a policy parsed afresh)."""
    from auditrules.lang.check import check_policy

    try:
        check_policy(policy)
    except AuditError:
        return False
    return True


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


__all__ = ["decode", "encode", "parse_policy"]
