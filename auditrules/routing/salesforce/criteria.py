"""Filter criteria (``criteriaItems``, ``milestoneCriteriaFilterItems``) and formulas → reads.

A criteria item names a field, an operation and a value (``Account.Klout_Score__c greaterThan 50``).
``Case.Origin`` is the case's channel and becomes a read of ``channel``. A formula cannot be
evaluated here: the fields it names are still reported as reads (so influence inside a formula is
found), and the decision itself is an opaque read, reported as not auditable, never passed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from auditrules.channels import canonical_channel
from auditrules.routing.model import Read
from auditrules.routing.salesforce.files import Component
from auditrules.routing.salesforce.xmltree import Element

#: Fields that hold a case's channel and its priority, lower-cased, with and without the object.
ORIGIN_FIELDS: frozenset[str] = frozenset({"case.origin", "origin"})
PRIORITY_FIELDS: frozenset[str] = frozenset({"case.priority", "priority"})
#: Operations that keep the listed values (the others exclude them or compare).
KEEP_OPERATIONS: frozenset[str] = frozenset({"equals", "includes"})
DROP_OPERATIONS: frozenset[str] = frozenset({"notEqual", "excludes"})

_STRINGS = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'")
_NAME = re.compile(r"(?<![\w$.])([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)(\s*\()?")
_WORDS: frozenset[str] = frozenset({"true", "false", "null", "and", "or", "not"})


@dataclass(frozen=True)
class Criterion:
    """One criteria item as written, with the element it came from."""

    field: str
    operation: str
    value: str
    element: Element
    value_field: str = ""

    @property
    def text(self) -> str:
        right = self.value_field or self.value
        return f"{self.field} {self.operation} {right}".rstrip()

    @property
    def is_origin(self) -> bool:
        return self.field.lower() in ORIGIN_FIELDS

    @property
    def is_priority(self) -> bool:
        return self.field.lower() in PRIORITY_FIELDS

    def values(self) -> list[str]:
        """The comma-separated values of a picklist criterion."""
        return [v.strip() for v in self.value.split(",") if v.strip()]


def criteria(parent: Element, tag: str) -> list[Criterion]:
    """The criteria items named ``tag`` under ``parent``."""
    out: list[Criterion] = []
    for item in parent.all(tag):
        out.append(
            Criterion(
                item.value("field"),
                item.value("operation") or "equals",
                item.value("value"),
                item,
                item.value("valueField"),
            )
        )
    return out


def origin_channel(value: str) -> str:
    """A ``Case.Origin`` value → canonical channel (unknown spellings lower-cased)."""
    return canonical_channel(value) or "_".join(value.lower().split())


def criterion_reads(comp: Component, item: Criterion) -> list[Read]:
    """The reads of one criteria item (a channel read for ``Case.Origin``)."""
    loc = comp.location(item.element)
    if item.is_origin:
        chans = ", ".join(origin_channel(v) for v in item.values())
        return [Read("channel", loc, f"{item.text} ({chans})" if chans else item.text)]
    values = tuple(item.values())
    reads = [Read(item.field, loc, item.text, values)]
    if item.value_field:
        reads.append(Read(item.value_field, loc, item.text))
    return reads


def formula_literals(formula: str) -> tuple[str, ...]:
    """The string literals of a formula (``'GM-VVIP'``), the values it compares fields with."""
    return tuple(dict.fromkeys(m.group(0)[1:-1] for m in _STRINGS.finditer(formula)))


def formula_fields(formula: str) -> list[str]:
    """Field references in a formula (``Account.Klout_Score__c``), without functions, literals or globals."""
    names: list[str] = []
    for m in _NAME.finditer(_STRINGS.sub('""', formula)):
        name, call = m.group(1), m.group(2)
        if call or name.lower() in _WORDS or name[0].isdigit() or name in names:
            continue
        names.append(name)
    return names


def formula_reads(comp: Component, element: Element, what: str) -> list[Read]:
    """Reads of a formula: every field it names, plus one opaque read for the decision itself."""
    loc = comp.location(element)
    formula = " ".join(element.text.split())
    shown = formula if len(formula) <= 80 else formula[:77] + "..."
    literals = formula_literals(formula)
    reads = [
        Read("Case.Origin" if f.lower() in ORIGIN_FIELDS else f, loc, f"{what}: {shown}", literals)
        for f in formula_fields(formula)
    ]
    reads = [Read("channel", r.location, r.text, r.values) if r.field == "Case.Origin" else r for r in reads]
    reads.append(Read("formula", loc, f"{what}: {shown}", opaque=f"a {what} is evaluated by Salesforce, not here"))
    return reads


__all__ = [
    "Criterion",
    "criteria",
    "criterion_reads",
    "formula_fields",
    "formula_literals",
    "formula_reads",
    "origin_channel",
]
