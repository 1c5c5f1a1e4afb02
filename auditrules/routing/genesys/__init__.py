"""Genesys Cloud adapter: ``GET /api/v2/routing/queues`` JSON → :class:`RoutingModel`.

One module per stage:

* :mod:`.detect`: detection (a cheap peek; every routing check asks it about every JSON file);
* :mod:`.pages`: reading the pages (one file, a directory of pages, or
  the bare entity array the ``gc`` CLI prints) and checking the page set is complete;
* :mod:`.queues`: each queue's ``mediaSettings`` service levels → SLA targets per channel,
  scoped to the queue;
* :mod:`.build`: the model.

Which queue a contact reaches, and the priority it is given, are decided in Architect flows,
which this endpoint does not return: the model says so (AR211) and carries no priorities.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from auditrules.routing.genesys.detect import is_genesys
from auditrules.routing.model import RoutingModel


def load_genesys(paths: Sequence[str | Path]) -> RoutingModel:
    """See :func:`auditrules.routing.genesys.build.load_genesys` (imported when an export is loaded: detection,
    which every routing check runs, needs only the cheap peek)."""
    from auditrules.routing.genesys.build import load_genesys as load

    return load(paths)


__all__ = ["is_genesys", "load_genesys"]
