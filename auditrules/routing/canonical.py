"""Canonical routing adapter: ``auditrules: routing/v1`` YAML → :class:`RoutingModel`.

The file is validated against ``schemas/routing.schema.json`` (errors point at the offending
line); ``when:`` expressions are parsed with the rule language's own expression grammar.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from auditrules.documents import Document, escape_pointer_token, load_yaml_document, read_text
from auditrules.errors import AuditError, Span, visible
from auditrules.findings import InputFile, Location
from auditrules.lang import ast
from auditrules.lang.format import format_expr
from auditrules.lang.parser import parse_expression
from auditrules.resources import schema_path
from auditrules.routing.model import Effect, Read, RoutingModel, RoutingRule, SlaPolicy, SlaTarget, Write
from auditrules.routing.parity import expression_channels
from auditrules.units import DURATION_SUFFIXES

MARKER = "routing/v1"
_DURATION = re.compile(r"^([0-9]+(?:\.[0-9]+)?)(s|m|h|d|w)$")
_ROUTE_EFFECTS = {"queue": "queue", "group": "group", "assignee": "assignee", "priority": "priority", "sla": "sla"}
ALL_PRIORITIES = "*"


def is_canonical(path: Path) -> bool:
    """Whether ``path`` is a YAML file declaring ``auditrules: routing/v1`` near its top."""
    return declared_format(path) == "routing"


def declared_format(path: Path) -> str | None:
    """The auditrules format a YAML file declares near its top (``auditrules: routing/v1`` →
    ``routing``, ``waivers/v1`` → ``waivers``), None for any other file. Reads 4 KiB, never waits
    on a FIFO."""
    from auditrules.documents import read_head

    if path.suffix.lower() not in (".yaml", ".yml"):
        return None
    m = re.search(r"^auditrules:\s*['\"]?([a-z]+)/v\d", read_head(path, 4096).lstrip("\ufeff"), re.MULTILINE)
    return m.group(1) if m else None


@cache
def _validator() -> Any:
    import jsonschema

    schema = json.loads(schema_path("routing.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def load_canonical(path: str | Path) -> RoutingModel:
    """Read, validate and convert a canonical routing file."""
    text, digest = read_text(path)
    doc = load_yaml_document(path, text, digest)
    _validate(doc)
    return _Converter(doc).model()


def _validate(doc: Document) -> None:
    if not isinstance(doc.data, dict):
        raise AuditError(
            "AR202", "a routing file must be a mapping with 'auditrules: routing/v1'", Span(doc.path, 1, 1), doc.text
        )
    errors = sorted(_validator().iter_errors(doc.data), key=lambda e: (list(e.absolute_path), e.message))
    if not errors:
        return
    err = errors[0]
    pointer = "".join("/" + escape_pointer_token(p) for p in err.absolute_path)
    if err.validator == "additionalProperties" and isinstance(err.instance, dict):
        allowed = set(err.schema.get("properties", {}))
        extra = sorted(k for k in err.instance if k not in allowed)
        if extra:
            pointer += "/" + escape_pointer_token(extra[0])
            where = pointer.rsplit("/", 1)[0] or "/"
            message = f"unknown key '{extra[0]}' at {where}" + (
                f" (expected one of: {', '.join(sorted(allowed))})" if allowed else ""
            )
        else:
            message = err.message
    else:
        message = f"{pointer or '/'}: {err.message}"
    # keys are the file's text: a key holding a line feed must not break the one-line error
    raise AuditError("AR202", visible(message, one_line=True), doc.span_of(pointer), doc.text)


def parse_duration(text: str) -> float:
    m = _DURATION.match(text)
    if not m:  # pragma: no cover - the schema refuses these
        raise ValueError(text)
    return float(m.group(1)) * DURATION_SUFFIXES[m.group(2)]


def expression_names(expr: ast.Expr) -> list[ast.Name]:
    """Every column or field an expression reads, in source order."""
    out: list[ast.Name] = []

    def walk(e: ast.Expr) -> None:
        if isinstance(e, ast.Name):
            out.append(e)
        elif isinstance(e, (ast.And, ast.Or, ast.Compare)):
            walk(e.left)
            walk(e.right)
        elif isinstance(e, ast.Not):
            walk(e.operand)
        elif isinstance(e, ast.InList):
            walk(e.left)
        elif isinstance(e, (ast.IsNull, ast.Matches)):
            walk(e.operand)

    walk(expr)
    return out


def _leaf_conditions(expr: ast.Expr) -> list[ast.Expr]:
    """The smallest conditions of an expression (split at and/or/not), for per-condition text."""
    if isinstance(expr, (ast.And, ast.Or)):
        return _leaf_conditions(expr.left) + _leaf_conditions(expr.right)
    if isinstance(expr, ast.Not):
        return _leaf_conditions(expr.operand)
    return [expr]


def _compared_values(leaf: ast.Expr) -> tuple[str, ...]:
    """The constants a condition compares with (``tier == "gold"`` → ``gold``; each item of an ``in`` list)."""
    literals: list[ast.Literal] = []
    if isinstance(leaf, ast.Compare):
        literals = [side for side in (leaf.left, leaf.right) if isinstance(side, ast.Literal)]
    elif isinstance(leaf, ast.InList) and isinstance(leaf.values, tuple):
        literals = list(leaf.values)
    elif isinstance(leaf, ast.Matches):
        return (leaf.pattern,)
    return tuple(_literal_text(lit) for lit in literals if lit.value is not None)


def _literal_text(lit: ast.Literal) -> str:
    if isinstance(lit.value, bool):
        return "true" if lit.value else "false"
    return lit.text if lit.unit != "string" and lit.text else str(lit.value)


class _Converter:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.data: dict[str, Any] = doc.data

    def loc(self, pointer: str, column: int | None = None, line: int | None = None) -> Location:
        return Location(self.doc.path, line or self.doc.line_of(pointer), column, pointer)

    def model(self) -> RoutingModel:
        rules: list[RoutingRule] = []
        order = 0
        for name, spec in sorted((self.data.get("fields") or {}).items()):
            ptr = f"/fields/{escape_pointer_token(name)}"
            reads = tuple(
                Read(src, self.loc(f"{ptr}/derived_from/{i}"), f"{name} derived from {src}")
                for i, src in enumerate(spec["derived_from"])
            )
            writes = (Write(name, self.loc(ptr), f"field {name}"),)
            rules.append(RoutingRule(f"field:{name}", f"field {name}", "field", order, self.loc(ptr), reads, writes))
            order += 1
        for i, spec in enumerate(self.data.get("rules") or []):
            rules.append(self.rule(i, spec, order))
            order += 1
        channels = tuple(str(c).lower() for c in self.data.get("channels") or ())
        sla = tuple(self.sla(i, spec) for i, spec in enumerate(self.data.get("sla") or []))
        return RoutingModel(
            format="canonical",
            name=str(self.data.get("name") or Path(self.doc.path).name),
            channels=channels,
            rules=tuple(rules),
            sla_policies=sla,
            inputs=(InputFile(self.doc.path, "routing:canonical", self.doc.sha256),),
            sla_known="sla" in self.data,
            declared_channels=channels if "channels" in self.data else None,
        )

    def rule(self, index: int, spec: dict[str, Any], order: int) -> RoutingRule:
        ptr = f"/rules/{index}"
        reads: list[Read] = []
        scope: tuple[str, ...] | None = None
        if "when" in spec:
            wptr = f"{ptr}/when"
            line, col = self.doc.position_of(wptr) or (1, 1)
            raw_line = self.doc.text.splitlines()[line - 1] if line <= len(self.doc.text.splitlines()) else ""
            text = str(spec["when"])
            # locate the expression text on its line so spans point into the file
            offset = raw_line.find(text[: min(len(text), 20)], col - 1)
            start_col = offset + 1 if offset >= 0 else col
            try:
                expr = parse_expression(text, self.doc.path, line, start_col)
            except AuditError as exc:
                raise AuditError("AR203", f"in rule '{spec['id']}': {exc.message}", exc.span, self.doc.text) from None
            for leaf in _leaf_conditions(expr):
                values = _compared_values(leaf)
                for name in expression_names(leaf):
                    where = self.loc(wptr, name.span.column, name.span.line)
                    reads.append(Read(name.name, where, format_expr(leaf), values))
            scope = expression_channels(expr, [str(c).lower() for c in self.data.get("channels") or ()])
        writes: list[Write] = []
        effects: list[Effect] = []
        route = spec.get("route") or {}
        for key, value in sorted(route.items()):
            rptr = f"{ptr}/route/{key}"
            if key == "tags":
                for j, tag in enumerate(value):
                    writes.append(Write(f"tag:{tag}", self.loc(f"{rptr}/{j}"), f"add tag {tag}"))
            else:
                effects.append(Effect(_ROUTE_EFFECTS[key], str(value), self.loc(rptr)))
        for j, tag in enumerate(spec.get("tags") or []):
            writes.append(Write(f"tag:{tag}", self.loc(f"{ptr}/tags/{j}"), f"add tag {tag}"))
        for key, value in sorted((spec.get("set") or {}).items()):
            writes.append(Write(key, self.loc(f"{ptr}/set/{escape_pointer_token(key)}"), f"set {key} = {value}"))
        return RoutingRule(
            id=str(spec["id"]),
            name=str(spec.get("name") or spec["id"]),
            kind="canonical",
            order=order,
            location=self.loc(ptr),
            reads=tuple(reads),
            writes=tuple(writes),
            effects=tuple(effects),
            active=bool(spec.get("active", True)),
            channels=scope,
        )

    def sla(self, index: int, spec: dict[str, Any]) -> SlaPolicy:
        ptr = f"/sla/{index}"
        if "priorities" in spec:
            priorities = [str(p) for p in spec["priorities"]]
        elif "priority" in spec:
            priorities = [str(spec["priority"])]
        else:
            priorities = [ALL_PRIORITIES]
        targets = tuple(
            SlaTarget(metric, prio, parse_duration(value), False, self.loc(f"{ptr}/targets/{metric}"))
            for metric, value in sorted(spec["targets"].items())
            for prio in priorities
        )
        channels = tuple(str(c).lower() for c in spec["channels"]) if "channels" in spec else None
        return SlaPolicy(
            name=str(spec["name"]),
            channels=channels,
            targets=targets,
            location=self.loc(ptr),
            conditions=tuple(str(c) for c in spec.get("conditions") or ()),
            order=index,
        )
