"""Engagement details for a client report: who the report is for, who audited, when, on what paper.

Read from the configuration file's ``report:`` section (:mod:`auditrules.config`) and carried on the
:class:`~auditrules.api.Report` as one typed object for the renderers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ReportOptions:
    """Engagement details for a client report (the configuration file's ``report:`` section).

    ``date`` is given, never defaulted to today, so reports stay deterministic; ``logo`` is a path
    (relative to the working directory); ``paper`` is ``A4`` or ``Letter``.
    """

    client: str | None = None
    auditor_name: str | None = None
    auditor_firm: str | None = None
    period: str | None = None
    scope: str | None = None
    date: str | None = None
    logo: str | None = None
    paper: str = "A4"

    def to_json(self) -> dict[str, Any]:
        return {
            "client": self.client,
            "auditor": {"name": self.auditor_name, "firm": self.auditor_firm},
            "period": self.period,
            "scope": self.scope,
            "date": self.date,
            "logo": self.logo,
            "paper": self.paper,
        }

    @property
    def empty(self) -> bool:
        return self == ReportOptions()


__all__ = ["ReportOptions"]
