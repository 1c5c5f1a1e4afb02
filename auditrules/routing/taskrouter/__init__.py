"""The Twilio TaskRouter adapter, one module per stage: detection (``files``), the expression
language (``expression``), positions of JSON inside JSON (``positions``), the workspace's queue
names (``queues``) and the workflow loader (``loader``).

It may import the routing model, the channel vocabulary and documents; nothing imports it but
:mod:`auditrules.routing.detect`. Importing the package loads detection only (every routing check
asks it about every JSON file); the other stages load when a workflow is read or a name below is
first used.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditrules.routing.taskrouter.files import is_task_queues, is_taskrouter

if TYPE_CHECKING:
    from auditrules.routing.model import RoutingModel
    from auditrules.routing.taskrouter.expression import (
        TRAttribute,
        TRCompare,
        TRExpr,
        TRList,
        TRLiteral,
        TRLogical,
        constant_truth,
        format_expression,
        parse_expression,
    )


def load_taskrouter(path: str | Path, queues: Sequence[Path] = ()) -> RoutingModel:
    """See :func:`auditrules.routing.taskrouter.loader.load_taskrouter` (imported when a workflow is read)."""
    from auditrules.routing.taskrouter.loader import load_taskrouter as load

    return load(path, queues)


def __getattr__(name: str) -> Any:
    """The expression language's names (everything in ``__all__`` not defined here), imported from
    ``expression`` when first used."""
    if name in __all__ and name not in globals():
        return getattr(importlib.import_module("auditrules.routing.taskrouter.expression"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "TRAttribute",
    "TRCompare",
    "TRExpr",
    "TRList",
    "TRLiteral",
    "TRLogical",
    "constant_truth",
    "format_expression",
    "is_task_queues",
    "is_taskrouter",
    "load_taskrouter",
    "parse_expression",
]
