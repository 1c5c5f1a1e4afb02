"""Salesforce Service Cloud / Omni-Channel metadata → RoutingModel, one stage per module:

* :mod:`.detect` — is a path Salesforce metadata (cheap: a few ``stat`` calls, a file's head);
* :mod:`.xmltree` — safe XML parsing (no DTDs, no entities) into elements with line and column;
* :mod:`.files` — the metadata files of an SFDX project or a Metadata API retrieve;
* :mod:`.criteria` — criteria items and formulas → reads;
* :mod:`.loader` — assignment rules, queues, routing configurations, service channels and
  entitlement processes → rules, priorities and SLA policies.

Only :mod:`.detect` is imported with the package, so that detection stays cheap.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from auditrules.routing.salesforce.detect import is_salesforce, is_salesforce_project

if TYPE_CHECKING:
    from auditrules.routing.model import RoutingModel


def load_salesforce(path: str | Path | Sequence[Path]) -> RoutingModel:
    """Read Salesforce metadata (see :func:`auditrules.routing.salesforce.loader.load_salesforce`)."""
    from auditrules.routing.salesforce.loader import load_salesforce as load

    return load(path)


__all__ = ["is_salesforce", "is_salesforce_project", "load_salesforce"]
