"""The Twilio TaskRouter adapter, one module per stage: the expression language (``expression``),
positions of JSON inside JSON (``positions``), the workspace's queue names (``queues``) and the
workflow loader (``loader``).

It may import the routing model, the channel vocabulary and documents; nothing imports it but
:mod:`auditrules.routing.detect`.
"""

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
from auditrules.routing.taskrouter.loader import is_taskrouter, load_taskrouter
from auditrules.routing.taskrouter.queues import is_task_queues

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
