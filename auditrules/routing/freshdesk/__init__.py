"""Freshdesk adapter: the JSON that Freshdesk's REST API returns → :class:`RoutingModel`.

Reads ``GET /api/v2/sla_policies`` (a bare JSON array) and ``GET /api/v2/automations/{type}/rules``
(ticket creation 1, hourly triggers 3, ticket updates 4; a bare array or ``{"rules": [...]}``),
as files or a directory holding them. One module per stage:

* :mod:`.detect`: detection (a cheap peek; every routing check asks it about every JSON file);
* :mod:`.files`: reading the files into documents;
* :mod:`.sla`: SLA policies → SLA targets per channel (numeric ``sources`` via
  :data:`auditrules.channels.FRESHDESK_SOURCES`);
* :mod:`.automations`: automation rules → reads, writes, effects and channel scope;
* :mod:`.build`: the model.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from auditrules.routing.freshdesk.detect import is_freshdesk
from auditrules.routing.model import RoutingModel


def load_freshdesk(paths: Sequence[str | Path]) -> RoutingModel:
    """See :func:`auditrules.routing.freshdesk.build.load_freshdesk` (imported when an export is loaded: detection,
    which every routing check runs, needs only the cheap peek)."""
    from auditrules.routing.freshdesk.build import load_freshdesk as load

    return load(paths)


__all__ = ["is_freshdesk", "load_freshdesk"]
