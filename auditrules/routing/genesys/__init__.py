"""Genesys Cloud adapter: ``GET /api/v2/routing/queues`` JSON → :class:`RoutingModel`.

One module per stage:

* :mod:`.pages`: detection (a cheap peek), reading the pages (one file, a directory of pages, or
  the bare entity array the ``gc`` CLI prints) and checking the page set is complete;
* :mod:`.queues`: each queue's ``mediaSettings`` service levels → SLA targets per channel,
  scoped to the queue;
* :mod:`.build`: the model.

Which queue a contact reaches, and the priority it is given, are decided in Architect flows,
which this endpoint does not return: the model says so (AR211) and carries no priorities.
"""

from auditrules.routing.genesys.build import load_genesys
from auditrules.routing.genesys.pages import is_genesys

__all__ = ["is_genesys", "load_genesys"]
