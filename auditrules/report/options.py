"""Engagement details for a client report: who the report is for, who audited, when, on what paper.

Read from the configuration file's ``report:`` section (:mod:`auditrules.config`) and carried on the
:class:`~auditrules.api.Report` as one typed object for the renderers.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, replace
from typing import Any

#: The largest logo embedded in a report (bytes): a letterhead mark, not a photograph.
MAX_LOGO_BYTES = 256 * 1024
#: Image types a logo may have, by their first bytes (the file's suffix is not trusted).
_LOGO_TYPES = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"))


@dataclass(frozen=True, repr=False)
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

    def overridden(self, **given: str | None) -> ReportOptions:
        """These options with every value in ``given`` that is not None put in (command-line flags)."""
        return replace(self, **{k: v for k, v in given.items() if v is not None})

    def engagement(self) -> dict[str, Any]:
        """The report's ``engagement`` section: the details, the paper, and the logo embedded as a
        ``data:`` URI (read once, size-limited, PNG, JPEG or SVG), so a saved report re-renders alone."""
        out: dict[str, Any] = {
            "client": self.client,
            "auditor": {"name": self.auditor_name, "firm": self.auditor_firm},
            "period": self.period,
            "scope": self.scope,
            "date": self.date,
            "paper": self.paper,
        }
        if self.logo:
            out["logo"] = self.logo if self.logo.startswith("data:image/") else logo_data_uri(self.logo)
        return out

    @classmethod
    def from_engagement(cls, e: dict[str, Any]) -> ReportOptions:
        """The options a report's ``engagement`` section was written from (its logo already embedded)."""
        auditor = e.get("auditor") or {}
        return cls(
            client=e.get("client"),
            auditor_name=auditor.get("name"),
            auditor_firm=auditor.get("firm"),
            period=e.get("period"),
            scope=e.get("scope"),
            date=e.get("date"),
            logo=e.get("logo"),
            paper=e.get("paper") or "A4",
        )


def logo_data_uri(path: str) -> str:
    """A logo file as a ``data:`` URI; AR003 when larger than MAX_LOGO_BYTES, AR006 when not an image."""
    from auditrules.documents import read_bytes
    from auditrules.errors import AuditError, Span

    data = read_bytes(path, MAX_LOGO_BYTES)
    kind = next((mime for magic, mime in _LOGO_TYPES if data.startswith(magic)), None)
    if kind is None and data.lstrip()[:256].lower().find(b"<svg") >= 0:
        kind = "image/svg+xml"
    if kind is None:
        raise AuditError("AR006", f"logo {path} is not a PNG, JPEG or SVG image", Span(path, 1, 1))
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"


__all__ = ["ReportOptions"]
