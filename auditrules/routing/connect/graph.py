"""The flow as a graph: which actions a branch leads to that the other branches never reach.

An action reached on only some branches of a decision is decided by it (a priority set only for
one segment); an action every branch reaches (the common transfer to queue) is not. Paths are
followed without passing through the deciding action again, so error loops back to the start
do not make every action reachable from every branch.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from auditrules.routing.connect.flow import Action, Flow, Transition


def reach(flow: Flow, starts: Iterable[str], avoid: str | None = None, stop: frozenset[str] = frozenset()) -> set[str]:
    """Identifiers reachable from ``starts`` (included), never passing through ``avoid`` nor beyond ``stop``."""
    seen: set[str] = set()
    todo = [s for s in starts if s != avoid]
    while todo:
        ident = todo.pop()
        if ident in seen or ident not in flow.actions:
            continue
        seen.add(ident)
        if ident not in stop:
            todo.extend(t.target for t in flow.actions[ident].transitions if t.target != avoid)
    return seen


@dataclass(frozen=True)
class Branch:
    """One way a decision goes: a condition, or the default (``NextAction`` / ``NoMatchingCondition``)."""

    condition: Transition | None
    targets: tuple[str, ...]
    pointer: str


def branches(action: Action) -> list[Branch]:
    """The ways out of a decision that choose a segment: each condition, and one default.

    Errors other than ``NoMatchingCondition`` (a Lambda timeout, a full queue) are not segments.
    """
    out = [Branch(t, (t.target,), t.pointer) for t in action.transitions if t.kind == "condition"]
    default = [
        t for t in action.transitions if t.kind == "next" or (t.kind == "error" and t.error == "NoMatchingCondition")
    ]
    if default:
        out.append(Branch(None, tuple(dict.fromkeys(t.target for t in default)), default[0].pointer))
    return out


def exclusive(flow: Flow, action: Action, decisions: frozenset[str]) -> list[tuple[Branch, set[str]]]:
    """Each branch of ``action`` with the actions it reaches that not every branch reaches.

    A condition branch is followed to the end (a priority set two decisions later still depends on
    it); the default branch ("none of the above") stops at the next decision, which owns what follows.
    """
    found = branches(action)
    reached = [
        reach(flow, b.targets, avoid=action.identifier, stop=decisions if b.condition is None else frozenset())
        for b in found
    ]
    every = [reach(flow, b.targets, avoid=action.identifier) for b in found]
    common = set.intersection(*every) if every else set()
    return [(b, r - common) for b, r in zip(found, reached, strict=True)]


def upstream(flow: Flow, ident: str, action_type: str) -> list[Action]:
    """Actions of ``action_type`` from which ``ident`` can be reached, in file order."""
    return [
        a
        for a in flow.actions.values()
        if a.type == action_type and a.identifier != ident and ident in reach(flow, [t.target for t in a.transitions])
    ]


__all__ = ["Branch", "branches", "exclusive", "reach", "upstream"]
