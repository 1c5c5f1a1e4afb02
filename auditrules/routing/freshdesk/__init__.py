"""Freshdesk adapter: the JSON that Freshdesk's REST API returns → :class:`RoutingModel`.

Reads ``GET /api/v2/sla_policies`` (a bare JSON array) and ``GET /api/v2/automations/{type}/rules``
(ticket creation 1, hourly triggers 3, ticket updates 4; a bare array or ``{"rules": [...]}``),
as files or a directory holding them. One module per stage:

* :mod:`.files`: detection (a cheap peek) and reading the files into documents;
* :mod:`.sla`: SLA policies → SLA targets per channel (numeric ``sources`` via
  :data:`auditrules.channels.FRESHDESK_SOURCES`);
* :mod:`.automations`: automation rules → reads, writes, effects and channel scope;
* :mod:`.build`: the model.
"""

from auditrules.routing.freshdesk.build import load_freshdesk
from auditrules.routing.freshdesk.files import is_freshdesk

__all__ = ["is_freshdesk", "load_freshdesk"]
