"""Findings: the verdicts every stage produces and every report renders."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from auditrules.evidence import Evidence


class Status(str, Enum):
    """The verdict of one finding."""

    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    INCONCLUSIVE = "inconclusive"
    INSUFFICIENT_DATA = "insufficient_data"
    NOT_EVALUATED = "not_evaluated"
    WAIVED = "waived"
    ERROR = "error"


#: Order used when one verdict must summarise several findings (worst first).
STATUS_ORDER: tuple[Status, ...] = (
    Status.ERROR,
    Status.FAIL,
    Status.INCONCLUSIVE,
    Status.INSUFFICIENT_DATA,
    Status.WARN,
    Status.NOT_EVALUATED,
    Status.WAIVED,
    Status.PASS,
)

#: Statuses that make ``auditrules check`` exit 1 when the rule's severity is at or above ``--fail-on``.
FAILING: frozenset[Status] = frozenset({Status.FAIL, Status.ERROR})


class Severity(str, Enum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        return {"low": 1, "medium": 2, "high": 3}[self.value]


#: Sets one field of a frozen dataclass instance, for the ``__init__`` written out by classes made
#: by the thousand (:class:`Location`, the routing model's reads and rules): what the generated one
#: does, without looking ``object.__setattr__`` up again for every field. The instance keeps its
#: attributes inline (no dict of its own), so it stays as small as a generated one makes it.
set_field = object.__setattr__


@dataclass(frozen=True, init=False)
class Location:
    """A place in an input file: a routing rule, a condition, an SLA policy, a rule's source.

    Its ``__init__`` is written out (see :data:`set_field`): a large export makes one per
    condition and action. A test keeps it in step with the fields.
    """

    path: str
    line: int | None = None
    column: int | None = None
    pointer: str | None = None
    note: str | None = None

    def __init__(
        self,
        path: str,
        line: int | None = None,
        column: int | None = None,
        pointer: str | None = None,
        note: str | None = None,
    ) -> None:
        set_field(self, "path", path)
        set_field(self, "line", line)
        set_field(self, "column", column)
        set_field(self, "pointer", pointer)
        set_field(self, "note", note)

    def __str__(self) -> str:
        out = self.path
        if self.line is not None:
            out += f":{self.line}"
            if self.column is not None:
                out += f":{self.column}"
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "pointer": self.pointer,
            "note": self.note,
        }


@dataclass(frozen=True)
class Finding:
    """One verdict of one rule about one subject (a routing rule, an SLA, a ticket comparison)."""

    rule_id: str
    title: str
    severity: Severity
    status: Status
    message: str
    evidence: Evidence  # one kind of :mod:`auditrules.evidence`
    locations: tuple[Location, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "title": self.title,
            "severity": self.severity.value,
            "status": self.status.value,
            "message": self.message,
            "evidence": self.evidence.to_json(),
            "locations": [loc.to_json() for loc in self.locations],
        }


@dataclass(frozen=True)
class Diagnostic:
    """A note about an input that is not a rule verdict: an inactive trigger, an unreadable workflow."""

    code: str
    level: str  # "warning" | "error"
    message: str
    location: Location | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "level": self.level,
            "message": self.message,
            "location": self.location.to_json() if self.location else None,
        }


@dataclass(frozen=True)
class InputFile:
    """An input the verdicts rest on, identified by content hash."""

    path: str
    kind: str
    sha256: str

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "kind": self.kind, "sha256": self.sha256}


def worst(statuses: list[Status]) -> Status:
    """The status that summarises several findings of one rule."""
    if not statuses:
        return Status.NOT_EVALUATED
    return min(statuses, key=STATUS_ORDER.index)
