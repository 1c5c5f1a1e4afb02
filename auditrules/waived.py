"""What a waived finding carries: the waiver (or baseline) note and the status the finding had.

:meth:`auditrules.evidence.Evidence.waived` adds it to any evidence kind; it is kept in its own
module so that a check without waivers or a baseline does not create these classes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from auditrules.evidence import OMIT_NONE
from auditrules.findings import Location


@dataclass(frozen=True)
class WaiverNote:
    """Why a failing finding is accepted: a waiver's reason, approver and expiry, or a baseline's note."""

    reason: str
    approver: str | None
    expires: str | None
    waiver_at: Location | None = field(default=None, metadata=OMIT_NONE)


#: The status a waived finding had (any status but ``waived``).
WaivedStatus = Literal["pass", "fail", "warn", "inconclusive", "insufficient_data", "not_evaluated", "error"]


@dataclass(frozen=True)
class Waived:
    """The waiver that covers a finding and the status the finding had before."""

    waiver: WaiverNote
    waived_status: WaivedStatus
    baseline: str | None = field(default=None, metadata=OMIT_NONE)


__all__ = ["Waived", "WaivedStatus", "WaiverNote"]
