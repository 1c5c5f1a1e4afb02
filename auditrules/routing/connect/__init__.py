"""Amazon Connect flows (the flow language, as exported) → RoutingModel, one stage per module:

* :mod:`.detect` — is a path a flow export (cheap: the head of each JSON file);
* :mod:`.flow` — a flow file → typed actions and transitions with their places;
* :mod:`.graph` — which actions each branch of a decision alone reaches;
* :mod:`.loader` — actions and branches → reads, writes, routing effects.

Only :mod:`.detect` is imported with the package, so that detection stays cheap.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from auditrules.routing.connect.detect import is_connect

if TYPE_CHECKING:
    from auditrules.routing.model import RoutingModel


def load_connect(path: str | Path) -> RoutingModel:
    """Read Amazon Connect flows (see :func:`auditrules.routing.connect.loader.load_connect`)."""
    from auditrules.routing.connect.loader import load_connect as load

    return load(path)


__all__ = ["is_connect", "load_connect"]
