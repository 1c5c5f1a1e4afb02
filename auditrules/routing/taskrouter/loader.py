"""TaskRouter workflow JSON (a Workflow resource, a list response, or a bare configuration) → RoutingModel.

Filters are evaluated first-match-wins; a filter after one that always matches is reported
unreachable (AR208). A target that can never match (``1==0``) but has a timeout is a deliberate
wait: it becomes a :class:`~auditrules.routing.model.Delay`, judged with SLA parity.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditrules.channels import VENDOR_DEFAULT_CHANNELS, canonical_channel, normalise_spelling
from auditrules.documents import Document, load_json_document, read_text
from auditrules.errors import AuditError, Span
from auditrules.findings import Diagnostic, InputFile, Location
from auditrules.routing.model import Delay, Effect, Gap, Read, RoutingModel, RoutingRule
from auditrules.routing.names import Namer
from auditrules.routing.taskrouter.expression import (
    TRAttribute,
    TRCompare,
    TRExpr,
    TRList,
    TRLiteral,
    TRLogical,
    attributes,
    constant_truth,
    format_expression,
    iter_comparisons,
    parse_expression,
)
from auditrules.routing.taskrouter.positions import Frame, file_frame, offset_in
from auditrules.routing.taskrouter.queues import QUEUE_SID, load_task_queues

#: Task attributes that name the task's channel (their values go through the channel vocabulary).
_CHANNEL_ATTRIBUTES = frozenset({"channel", "task_channel", "channel_type", "task_channel_unique_name"})
_TASK_ATTRIBUTE = re.compile(r"\btask\.([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)")


@dataclass
class _Loader:
    path: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    rules: list[RoutingRule] = field(default_factory=list)
    channels: set[str] = field(default_factory=set)
    delays: list[Delay] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    #: Queue names from the workspace's task_queues.json, when given beside the workflow.
    namer: Namer | None = None

    # One workflow --------------------------------------------------------------------------------

    def workflow(self, frame: Frame, pointer: str, resource: dict[str, Any], default_key: str) -> None:
        """A Workflow resource: its configuration is a JSON string (or, in IaC copies, an object)."""
        label = _workflow_label(resource, default_key)
        key = str(resource.get("sid") or resource.get("friendly_name") or default_key)
        config = resource.get("configuration")
        cptr = f"{pointer}/configuration"
        if isinstance(config, str):
            self.configuration_string(frame, cptr, config, key, label)
        elif isinstance(config, dict):
            self.configuration(frame, cptr, config, key, label)
        else:
            loc = frame.location(pointer)
            message = f"workflow {label} has no configuration (expected a JSON string or object)"
            self.diagnostics.append(Diagnostic("AR210", "error", message, loc))
            self.gaps.append(Gap("rules", f"workflow {label} has no configuration", loc))

    def configuration_string(self, frame: Frame, cptr: str, config: str, key: str, label: str) -> None:
        """A configuration held as a JSON-encoded string: decoded, bounded in depth, then read."""
        sub = frame.sub_frame(cptr, config, frame.prefix + cptr, "inside the configuration string")
        try:
            data = json.loads(config)
            positions = load_json_document(self.path, config).positions
        except json.JSONDecodeError as exc:
            loc = frame.location(cptr)
            if sub is not None:
                line, col = sub.to_file(offset_in(config, exc.lineno, exc.colno))
                loc = Location(self.path, line, col, frame.prefix + cptr, None)
            why = f"{exc.msg} at line {exc.lineno} column {exc.colno} of the string"
            self.unreadable(label, why, loc)
            return
        except (RecursionError, ValueError, AuditError) as exc:  # too deep; a number over 4,300 digits
            why = exc.message if isinstance(exc, AuditError) else "nested too deeply"
            self.unreadable(label, why, frame.location(cptr))
            return
        if sub is None:  # pragma: no cover - a string value always has a position
            sub = frame
        sub.doc = Document(self.path, config, data, positions, frame.doc.sha256)
        self.configuration(sub, "", data, key, label)

    def unreadable(self, label: str, why: str, loc: Location) -> None:
        message = f"workflow {label}: configuration is not valid JSON ({why}); its filters were not checked"
        self.diagnostics.append(Diagnostic("AR210", "error", message, loc))
        self.gaps.append(Gap("rules", f"workflow {label} could not be read", loc))

    def configuration(self, frame: Frame, pointer: str, config: Any, key: str, label: str) -> None:
        """``{"task_routing": {"filters": [...], "default_filter": {...}}}``."""
        routing = config.get("task_routing") if isinstance(config, dict) else None
        if not isinstance(routing, dict):
            loc = frame.location(pointer)
            message = f"workflow {label}: configuration has no task_routing object"
            self.diagnostics.append(Diagnostic("AR210", "error", message, loc))
            self.gaps.append(Gap("rules", f"workflow {label} has no task_routing", loc))
            return
        rptr = f"{pointer}/task_routing"
        filters = routing.get("filters", [])
        if not isinstance(filters, list):
            self._bad(frame, f"{rptr}/filters", f"workflow {label}: task_routing.filters is not a list")
            filters = []
        always: tuple[str, str] | None = None  # (name, why) of the first filter that always matches
        for i, filt in enumerate(filters):
            fptr = f"{rptr}/filters/{i}"
            if not isinstance(filt, dict):
                self._bad(frame, fptr, f"workflow {label}: filter {i} is not an object; skipped")
                continue
            name = str(filt.get("filter_friendly_name") or filt.get("friendly_name") or f"filter {i}")
            rule, matches_all = self.filter(frame, fptr, filt, f"{key}/filters/{i}", name)
            if always is not None:
                self.diagnostics.append(
                    Diagnostic(
                        "AR208",
                        "warning",
                        f"filter '{name}' can never match: the earlier filter '{always[0]}' always matches "
                        f"({always[1]}) and the first matching filter wins",
                        rule.location,
                    )
                )
                rule = RoutingRule(
                    rule.id,
                    rule.name,
                    rule.kind,
                    rule.order,
                    rule.location,
                    rule.reads,
                    rule.writes,
                    rule.effects,
                    active=False,
                )
            elif matches_all is not None:
                always = (name, matches_all)
            self.rules.append(rule)
        default = routing.get("default_filter")
        if isinstance(default, dict):
            dptr = f"{rptr}/default_filter"
            effects = self.target_effects(frame, dptr, default)
            self.rules.append(
                RoutingRule(
                    id=f"{key}/default_filter",
                    name="default_filter",
                    kind="default_filter",
                    order=len(self.rules),
                    location=frame.location(dptr),
                    effects=tuple(effects),
                )
            )
        elif default is not None:
            self._bad(frame, f"{rptr}/default_filter", f"workflow {label}: default_filter is not an object")

    def filter(
        self, frame: Frame, fptr: str, filt: dict[str, Any], rid: str, name: str
    ) -> tuple[RoutingRule, str | None]:
        """One filter → a rule; also says why it always matches, when it does."""
        expression = filt.get("expression")
        reads, matches_all = self.filter_expression(frame, fptr, expression, name)
        effects: list[Effect] = []
        targets = filt.get("targets", [])
        if not isinstance(targets, list):
            self._bad(frame, f"{fptr}/targets", f"filter '{name}': targets is not a list")
            targets = []
        if not targets:
            self.note(frame, fptr, f"filter '{name}' has no targets: the tasks it matches are sent to no queue")
        applies_to = "every task" if matches_all else f"tasks matching {_short(expression)}"
        for j, target in enumerate(targets):
            tptr = f"{fptr}/targets/{j}"
            if not isinstance(target, dict):
                self._bad(frame, tptr, f"filter '{name}': target {j} is not an object; skipped")
                continue
            target_reads, target_effects = self.target(frame, tptr, target, f"filter '{name}' target {j}")
            if target_effects is None:  # a deliberate wait step: it only delays the task before the next target
                self.delay(frame, tptr, name, target.get("timeout"), applies_to)
                continue
            reads.extend(target_reads)
            effects.extend(target_effects)
        rule = RoutingRule(
            id=rid,
            name=name,
            kind="filter",
            order=len(self.rules),
            location=frame.location(fptr),
            reads=tuple(reads),
            effects=tuple(effects),
            channels=self.scope(expression),
        )
        return rule, matches_all

    def scope(self, expression: Any) -> tuple[str, ...] | None:
        """The filter's channel scope from its conditions on the task channel (None: any channel)."""
        if not isinstance(expression, str) or not any(a in expression for a in _CHANNEL_ATTRIBUTES):
            return None
        try:
            expr = parse_expression(expression, Span(self.path, 1, 1), None)
        except AuditError:
            return None  # reported (AR209) when the filter was read
        kept = _scope(expr, self.channels | set(VENDOR_DEFAULT_CHANNELS["taskrouter"]))
        return None if kept is None else tuple(sorted(kept))

    def filter_expression(self, frame: Frame, fptr: str, expression: Any, name: str) -> tuple[list[Read], str | None]:
        """The reads of a filter's expression, and why the filter always matches (when it does)."""
        if expression is None or (isinstance(expression, str) and not expression.strip()):
            self.note(frame, fptr, f"filter '{name}' has no expression: it matches every task")
            return [], "it has no expression"
        if not isinstance(expression, str):
            self._bad(frame, f"{fptr}/expression", f"filter '{name}': expression is not a string")
            return [], None
        expr = self.parse(frame, f"{fptr}/expression", expression, f"filter '{name}'")
        if expr is None:
            return self.fallback_reads(frame, f"{fptr}/expression", expression), None
        reads = self.reads(expr, True, frame.location(f"{fptr}/expression"))
        return reads, f"expression '{expression.strip()}'" if constant_truth(expr) is True else None

    def target(
        self, frame: Frame, tptr: str, target: dict[str, Any], what: str
    ) -> tuple[list[Read], list[Effect] | None]:
        """A target's reads and effects; effects None for a wait step (never matches, has a timeout)."""
        texpr = target.get("expression")
        if not (isinstance(texpr, str) and texpr.strip()):
            return [], self.target_effects(frame, tptr, target)
        parsed = self.parse(frame, f"{tptr}/expression", texpr, what)
        if parsed is None:
            return self.fallback_reads(frame, f"{tptr}/expression", texpr), self.target_effects(frame, tptr, target)
        if constant_truth(parsed) is False and target.get("timeout") is not None:
            return [], None
        reads = self.reads(parsed, False, frame.location(f"{tptr}/expression"))
        return reads, self.target_effects(frame, tptr, target)

    def delay(self, frame: Frame, tptr: str, name: str, timeout: Any, applies_to: str) -> None:
        """A target that never matches, with a timeout: the tasks wait ``timeout`` seconds."""
        seconds: float | None = None
        if isinstance(timeout, (int, float, str)) and not isinstance(timeout, bool):
            try:
                seconds = float(timeout)
            except (ValueError, OverflowError):
                seconds = None
        if seconds is None or not 0 <= seconds < float("inf"):
            self._bad(frame, f"{tptr}/timeout", f"filter '{name}': timeout {_scalar_text(timeout)!r} is not seconds")
            return
        self.delays.append(Delay(name, float(seconds), applies_to, frame.location(f"{tptr}/timeout")))

    def note(self, frame: Frame, pointer: str, message: str) -> None:
        self.diagnostics.append(Diagnostic("AR202", "warning", message, frame.location(pointer)))

    def target_effects(self, frame: Frame, tptr: str, target: dict[str, Any]) -> list[Effect]:
        effects: list[Effect] = []
        for key, kind in (("queue", "queue"), ("priority", "priority"), ("timeout", "timeout")):
            value = target.get(key)
            if value is None or isinstance(value, (dict, list)):
                if key == "queue":
                    self._bad(frame, tptr, "target without a queue; it routes nowhere")
                continue
            text, loc = _scalar_text(value), frame.location(f"{tptr}/{key}")
            if key == "queue" and self.namer is not None and QUEUE_SID.match(text):
                text = self.namer.show("queue", text, loc)
            effects.append(Effect(kind, text, loc))
        return effects

    def parse(self, frame: Frame, pointer: str, text: str, what: str) -> TRExpr | None:
        """Parse an expression with file positions; a syntax error becomes an AR209 error diagnostic."""
        located = frame.string_columns(pointer)
        loc = frame.location(pointer)
        if located is not None:
            line, cols = located
            base = Span(self.path, line, cols[0])
        else:
            cols = None
            base = Span(self.path, loc.line or 1, loc.column or 1)
        try:
            return parse_expression(text, base, cols)
        except AuditError as err:
            span = err.span or base
            self.diagnostics.append(
                Diagnostic(
                    "AR209",
                    "error",
                    f"{what}: {err.message}: {text.strip()!r}",
                    Location(self.path, span.line, span.column, loc.pointer, loc.note),
                )
            )
            self.gaps.append(Gap("rules", f"{what}: the expression does not parse", loc))
            return None

    def reads(self, expr: TRExpr, bare_is_task: bool, where: Location) -> list[Read]:
        """Task attributes an expression reads; ``where`` is the expression string's location."""
        out: list[Read] = []
        for leaf in iter_comparisons(expr):
            text = format_expression(leaf)
            values = _leaf_values(leaf)
            for attr in attributes(leaf):
                if attr.scope == "task" or (attr.scope is None and bare_is_task):
                    loc = Location(attr.span.path, attr.span.line, attr.span.column, where.pointer, where.note)
                    out.append(Read(attr.name, loc, text, values))
            self._channels(leaf)
        return out

    def fallback_reads(self, frame: Frame, pointer: str, text: str) -> list[Read]:
        """``task.x`` names found in an expression that does not parse, so they are not lost."""
        loc = frame.location(pointer)
        return [
            Read(m.group(1), loc, f"{m.group(0)} (in an expression that does not parse)")
            for m in _TASK_ATTRIBUTE.finditer(text)
        ]

    def _channels(self, leaf: TRExpr) -> None:
        if not isinstance(leaf, TRCompare):
            return
        attr, other = leaf.left, leaf.right
        if not isinstance(attr, TRAttribute):
            attr, other = other, attr
        if not isinstance(attr, TRAttribute) or attr.scope == "worker" or attr.path[-1] not in _CHANNEL_ATTRIBUTES:
            return
        values = other.items if isinstance(other, TRList) else (other,) if isinstance(other, TRLiteral) else ()
        for v in values:
            if isinstance(v.value, str) and v.value.strip():
                self.channels.add(canonical_channel(v.value) or normalise_spelling(v.value))

    def _bad(self, frame: Frame, pointer: str, message: str) -> None:
        self.diagnostics.append(Diagnostic("AR202", "warning", message, frame.location(pointer)))


def _scope(expr: TRExpr, universe: set[str]) -> set[str] | None:
    """The channels an expression keeps through ``==``/``IN`` (or drops through ``!=``/``NOT IN``)
    on a task channel attribute, combined by AND/OR; None where the channel is not restricted."""
    if isinstance(expr, TRLogical):
        left, right = _scope(expr.left, universe), _scope(expr.right, universe)
        if expr.op.upper() == "AND":
            return right if left is None else left if right is None else left & right
        return None if left is None or right is None else left | right
    if not isinstance(expr, TRCompare) or expr.op not in ("==", "!=", "IN", "NOT IN"):
        return None
    attr, other = (expr.left, expr.right) if isinstance(expr.left, TRAttribute) else (expr.right, expr.left)
    if not isinstance(attr, TRAttribute) or attr.scope == "worker" or attr.path[-1] not in _CHANNEL_ATTRIBUTES:
        return None
    values = other.items if isinstance(other, TRList) else (other,) if isinstance(other, TRLiteral) else ()
    chans = {canonical_channel(v.value) if isinstance(v.value, str) else None for v in values}
    if not values or None in chans:
        return None
    kept = {c for c in chans if c is not None}
    return universe - kept if expr.op in ("!=", "NOT IN") else kept


def _leaf_values(leaf: TRExpr) -> tuple[str, ...]:
    """The string and number constants a comparison compares with (each item of a list)."""
    if not isinstance(leaf, TRCompare):
        return ()
    out: list[str] = []
    for side in (leaf.left, leaf.right):
        items = side.items if isinstance(side, TRList) else (side,) if isinstance(side, TRLiteral) else ()
        out.extend(format_expression(i).strip("'\"") for i in items if i.value is not None)
    return tuple(out)


def _short(expression: Any) -> str:
    text = " ".join(str(expression).split())
    return text if len(text) <= 80 else f"{text[:77]}..."


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _workflow_label(resource: dict[str, Any], default: str) -> str:
    name = resource.get("friendly_name")
    sid = resource.get("sid")
    if name and sid:
        return f"'{name}' ({sid})"
    if name or sid:
        return f"'{name or sid}'"
    return f"'{default}'"


def load_taskrouter(path: str | Path, queues: Sequence[Path] = ()) -> RoutingModel:
    """Read a TaskRouter Workflow resource, list response or bare configuration into a RoutingModel.

    ``queues`` are the workspace's TaskQueues list pages (``task_queues.json``): target queues are
    then shown by name and sid.
    """
    p = Path(path)
    text, digest = read_text(p)
    doc = load_json_document(p, text, digest)
    data = doc.data
    frame = file_frame(doc)
    loader = _Loader(str(p))
    catalog = load_task_queues(queues) if queues else None
    if catalog is not None:
        loader.namer = Namer({"queue": catalog.names}, loader.diagnostics)
    name = p.stem
    if isinstance(data, dict) and isinstance(data.get("workflows"), list):
        kind = "taskrouter:workflows"
        for i, wf in enumerate(data["workflows"]):
            if isinstance(wf, dict):
                loader.workflow(frame, f"/workflows/{i}", wf, f"workflow {i}")
            else:
                loader._bad(frame, f"/workflows/{i}", f"workflows[{i}] is not an object; skipped")
    elif isinstance(data, dict) and "configuration" in data:
        kind = "taskrouter:workflow"
        name = str(data.get("friendly_name") or p.stem)
        loader.workflow(frame, "", data, p.stem)
    elif isinstance(data, dict) and "task_routing" in data:
        kind = "taskrouter:configuration"
        loader.configuration(frame, "", data, p.stem, f"'{p.stem}'")
    else:
        raise AuditError(
            "AR204",
            f"{p} is not a TaskRouter workflow (expected 'configuration', 'task_routing' or 'workflows')",
            Span(str(p), 1, 1),
            text,
        )
    return RoutingModel(
        format="taskrouter",
        name=name,
        channels=tuple(sorted(loader.channels)),
        rules=tuple(loader.rules),
        sla_policies=(),
        inputs=(InputFile(str(p), kind, digest), *(catalog.inputs if catalog is not None else ())),
        diagnostics=(*(catalog.diagnostics if catalog is not None else ()), *loader.diagnostics),
        field_names={},
        gaps=tuple(loader.gaps),
        delays=tuple(loader.delays),
    )


__all__ = ["load_taskrouter"]
