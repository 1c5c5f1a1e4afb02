"""Salesforce metadata → RoutingModel.

* **Assignment rules** (``Case.assignmentRules``): each ``ruleEntry`` is a routing rule, in order
  (the first entry that matches assigns the case); its ``criteriaItems`` or ``formula`` are reads,
  ``assignedTo`` a queue or user effect, and the queue's Omni-Channel ``routingPriority`` a
  priority effect (lower is served first).
* **Queues** with a routing configuration: a rule per queue giving its work items (channels) their
  priority, the evidence for priority parity across channels.
* **Service channels**: ``relatedEntityType`` names the work items Omni-Channel routes (Case,
  MessagingSession, LiveChatTranscript, VoiceCall → channels); a secondary routing priority field
  is a read that sets priority.
* **Entitlement processes**: each milestone is an SLA target (``minutesToComplete``), limited by
  its criteria to case origins (channels), priorities or other conditions. Entitlement processes
  apply to cases only, so channels whose work items are not cases have no SLA.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from auditrules.channels import SALESFORCE_CASE_ORIGINS, SALESFORCE_WORK_ITEMS
from auditrules.findings import Diagnostic
from auditrules.routing.model import Effect, Read, RoutingModel, RoutingRule, SlaPolicy, SlaTarget
from auditrules.routing.salesforce.criteria import (
    DROP_OPERATIONS,
    KEEP_OPERATIONS,
    Criterion,
    criteria,
    criterion_reads,
    formula_reads,
    origin_channel,
)
from auditrules.routing.salesforce.files import Component, Metadata, read_metadata
from auditrules.routing.salesforce.xmltree import Element

#: Words in a milestone's name → canonical SLA metric.
METRIC_WORDS: tuple[tuple[str, str], ...] = (
    ("first response", "first_response"),
    ("first reply", "first_response"),
    ("initial response", "first_response"),
    ("next response", "next_reply"),
    ("resolution", "resolution"),
    ("resolve", "resolution"),
    ("close", "resolution"),
)


def milestone_metric(name: str) -> str:
    """``"First Response"`` → ``first_response``; an unknown name is its snake-case spelling."""
    low = " ".join(name.lower().replace("_", " ").split())
    for words, metric in METRIC_WORDS:
        if words in low:
            return metric
    return "_".join(low.split()) or "milestone"


@dataclass
class _Org:
    """The components by API name, and what the rules and policies need to know about channels."""

    meta: Metadata
    queues: dict[str, Component] = field(default_factory=dict)
    configs: dict[str, Component] = field(default_factory=dict)
    origins: set[str] = field(default_factory=set)
    work_item_channels: dict[str, list[Component]] = field(default_factory=dict)
    #: Channels whose work arrives as cases (case origins not also routed as another work item).
    case_channels: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for q in self.meta.of("Queue"):
            self.queues[q.name] = q
            label = q.root.value("name")
            if label:
                self.queues.setdefault(label, q)
        self.configs = {c.name: c for c in self.meta.of("QueueRoutingConfig")}
        for sc in self.meta.of("ServiceChannel"):
            channel = SALESFORCE_WORK_ITEMS.get(sc.root.value("relatedEntityType"))
            if channel is not None:
                self.work_item_channels.setdefault(channel, []).append(sc)

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return self.meta.diagnostics

    def note(self, code: str, message: str, comp: Component, element: Element | None = None) -> None:
        self.meta.diagnostics.append(Diagnostic(code, "warning", message, comp.location(element)))

    def see_origins(self, items: list[Criterion]) -> None:
        for item in items:
            if item.is_origin:
                self.origins.update(origin_channel(v) for v in item.values())

    def scan_channels(self) -> None:
        """Collect every case origin that criteria name, then the channels whose work is cases."""
        for comp in self.meta.of("AssignmentRules"):
            for rule_el in comp.root.all("assignmentRule"):
                for entry in rule_el.all("ruleEntry"):
                    self.see_origins(criteria(entry, "criteriaItems"))
        for comp in self.meta.of("EntitlementProcess"):
            for milestone in comp.root.all("milestones"):
                self.see_origins(criteria(milestone, "milestoneCriteriaFilterItems"))
        self.case_channels = tuple(sorted((self.origins | set(SALESFORCE_CASE_ORIGINS)) - set(self.work_item_channels)))

    def entity_channels(self, entity: str) -> tuple[str, ...]:
        """The channels of a work item type: a case's are the case origins."""
        if entity == "Case":
            return self.case_channels
        channel = SALESFORCE_WORK_ITEMS.get(entity)
        return (channel,) if channel is not None else ()

    def queue_effects(self, queue_name: str, comp: Component, element: Element) -> list[Effect]:
        """``assignedTo`` a queue: the queue, and its Omni-Channel routing priority when it has one."""
        effects = [Effect("queue", queue_name, comp.location(element))]
        queue = self.queues.get(queue_name)
        if queue is None:
            return effects
        config_name = queue.root.value("queueRoutingConfig")
        config = self.configs.get(config_name)
        prio = config.root.first("routingPriority") if config is not None else None
        if config is not None and prio is not None:
            effects.append(Effect("priority", prio.text, config.location(prio)))
        return effects


def _assignment_rules(org: _Org) -> list[RoutingRule]:
    rules: list[RoutingRule] = []
    for comp in org.meta.of("AssignmentRules"):
        if comp.name == "Lead":  # assignment rules exist for cases and leads; leads are not service
            org.note("AR204", "assignment rules for Lead do not route customer service cases; skipped", comp)
            continue
        for rule_el in comp.root.all("assignmentRule"):
            rule_name = rule_el.value("fullName") or comp.name
            active = rule_el.value("active", "true").lower() != "false"
            if not active:
                org.note(
                    "AR207",
                    f"assignment rule '{rule_name}' is inactive; it is reported but not analysed",
                    comp,
                    rule_el,
                )
            for n, entry in enumerate(rule_el.all("ruleEntry"), start=1):
                rules.append(_entry(org, comp, f"{comp.name}.{rule_name}", n, entry, active, len(rules)))
    return rules


def _entry(org: _Org, comp: Component, rule_name: str, n: int, entry: Element, active: bool, order: int) -> RoutingRule:
    items = criteria(entry, "criteriaItems")
    reads: list[Read] = [r for item in items for r in criterion_reads(comp, item)]
    formula = entry.first("formula")
    if formula is not None and formula.text:
        reads.extend(formula_reads(comp, formula, "rule entry formula"))
    logic = entry.value("booleanFilter")
    if logic and reads:
        first = reads[0]
        reads[0] = replace(first, text=f"{first.text} [filter logic {logic}]")
    effects: list[Effect] = []
    target = entry.first("assignedTo")
    if target is not None and target.text:
        if entry.value("assignedToType", "User") == "Queue":
            effects.extend(org.queue_effects(target.text, comp, target))
        else:
            effects.append(Effect("assignee", target.text, comp.location(target)))
    # channel scope: None (every case alike) unless origin criteria keep some origins
    scope: set[str] | None = None
    if not (logic and "or" in logic.lower().split()):
        for item in items:
            if item.is_origin and item.operation in KEEP_OPERATIONS | DROP_OPERATIONS:
                named = {origin_channel(v) for v in item.values()}
                base = set(org.case_channels) if scope is None else scope
                scope = base & named if item.operation in KEEP_OPERATIONS else base - named
    return RoutingRule(
        id=f"assignment_rule:{rule_name}#{n}",
        name=f"{rule_name} entry {n}",
        kind="assignment_rule",
        order=order,
        location=comp.location(entry),
        reads=tuple(reads),
        effects=tuple(effects),
        active=active,
        channels=None if scope is None else tuple(sorted(scope)),
    )


def _queue_rules(org: _Org, start: int) -> list[RoutingRule]:
    """A rule per queue with a routing configuration: its work items' channels and their priority."""
    rules: list[RoutingRule] = []
    for queue in org.meta.of("Queue"):
        config_el = queue.root.first("queueRoutingConfig")
        if config_el is None or not config_el.text:
            continue
        config = org.configs.get(config_el.text)
        if config is None:
            org.note(
                "AR206",
                f"queue '{queue.name}' uses routing configuration '{config_el.text}', which is not in the export; "
                "its routing priority is unknown",
                queue,
                config_el,
            )
            continue
        reads: list[Read] = []
        scope: set[str] = set()
        entities = {sob.value("sobjectType") for sob in queue.root.all("queueSobject")}
        for sob in queue.root.all("queueSobject"):
            entity = sob.value("sobjectType")
            chans = org.entity_channels(entity)
            scope.update(chans)
            if chans and entities != {"Case"}:
                reads.append(Read("channel", queue.location(sob), f"queueSobject {entity} ({', '.join(chans)})"))
        effects = [Effect("queue", queue.name, queue.location(config_el))]
        prio = config.root.first("routingPriority")
        if prio is not None:
            effects.append(Effect("priority", prio.text, config.location(prio)))
        rules.append(
            RoutingRule(
                id=f"queue:{queue.name}",
                name=queue.root.value("name") or queue.name,
                kind="queue",
                order=start + len(rules),
                location=queue.location(),
                reads=tuple(reads),
                effects=tuple(effects),
                # a queue of cases only treats every case origin alike
                channels=None if entities <= {"Case"} else tuple(sorted(scope)),
            )
        )
    return rules


def _service_channel_rules(org: _Org, start: int) -> list[RoutingRule]:
    """A service channel's secondary routing priority field sets priority from a field's value."""
    rules: list[RoutingRule] = []
    for sc in org.meta.of("ServiceChannel"):
        field_el = sc.root.first("secondaryRoutingPriorityField")
        if field_el is None or not field_el.text:
            continue
        effects = [
            Effect("priority", f"{m.value('priority')} when {field_el.text} = {m.value('value')}", sc.location(m))
            for m in sc.root.all("serviceChannelFieldPriorities")
        ]
        entity = sc.root.value("relatedEntityType")
        read = Read(field_el.text, sc.location(field_el), f"secondary routing priority of {entity} by {field_el.text}")
        rules.append(
            RoutingRule(
                id=f"service_channel:{sc.name}",
                name=sc.root.value("label") or sc.name,
                kind="service_channel",
                order=start + len(rules),
                location=sc.location(),
                reads=(read,),
                effects=tuple(effects),
                channels=org.entity_channels(entity),
            )
        )
    return rules


@dataclass(frozen=True)
class _Scope:
    """Which cases a milestone applies to: origins (None: all), priorities (None: all), other conditions."""

    origins: frozenset[str] | None
    priorities: tuple[str, ...] | None
    conditions: tuple[str, ...]


def _milestone_scope(org: _Org, comp: Component, milestone: Element, case_channels: list[str]) -> _Scope:
    items = criteria(milestone, "milestoneCriteriaFilterItems")
    logic = milestone.value("criteriaBooleanFilter")
    origins: set[str] | None = None
    priorities: list[str] | None = None
    conditions: list[str] = []
    any_of = bool(logic) and "or" in logic.lower().split()
    for item in items:
        values = [origin_channel(v) for v in item.values()]
        if item.is_origin and not any_of and item.operation in KEEP_OPERATIONS | DROP_OPERATIONS:
            kept = set(values) if item.operation in KEEP_OPERATIONS else set(case_channels) - set(values)
            origins = kept if origins is None else origins & kept
        elif item.is_priority and not any_of and item.operation in KEEP_OPERATIONS:
            priorities = [v.lower() for v in item.values()]
        else:
            conditions.append(item.text)
    if any_of:
        conditions.append(f"filter logic {logic}")
    formula = milestone.first("milestoneCriteriaFormula")
    if formula is not None and formula.text:
        conditions.append(f"formula {' '.join(formula.text.split())}")
        org.note(
            "AR211",
            f"milestone '{milestone.value('milestoneName')}' applies where a formula is true; the formula is not "
            "evaluated here, so the milestone counts as partial coverage",
            comp,
            formula,
        )
    return _Scope(
        frozenset(origins) if origins is not None else None,
        tuple(priorities) if priorities is not None else None,
        tuple(conditions),
    )


def _milestone_target(org: _Org, comp: Component, milestone: Element, name: str) -> tuple[float, Element] | None:
    minutes_el = milestone.first("minutesToComplete")
    custom = milestone.value("minutesCustomClass")
    if custom:
        org.note(
            "AR211",
            f"milestone '{name}' takes its time from Apex class {custom}; the target is not in the metadata",
            comp,
            milestone.first("minutesCustomClass"),
        )
        return None
    try:
        minutes = float(minutes_el.text) if minutes_el is not None else -1.0
    except ValueError:
        minutes = -1.0
    if minutes_el is None or minutes < 0 or minutes != minutes:
        org.meta.diagnostics.append(
            Diagnostic(
                "AR202",
                "error",
                f"milestone '{name}' has no number of minutes to complete; that target is ignored",
                comp.location(minutes_el or milestone),
            )
        )
        return None
    return minutes * 60.0, minutes_el


def _policies(org: _Org, case_channels: list[str]) -> list[SlaPolicy]:
    policies: list[SlaPolicy] = []
    for comp in org.meta.of("EntitlementProcess"):
        process = comp.root.value("name") or comp.name
        if comp.root.value("active", "true").lower() == "false":
            org.note("AR207", f"entitlement process '{process}' is inactive; its milestones are not counted", comp)
            continue
        sobject = comp.root.value("SObjectType") or "Case"
        if sobject != "Case":
            org.note("AR211", f"entitlement process '{process}' applies to {sobject}, not to cases; not counted", comp)
            continue
        process_hours = comp.root.value("businessHours")
        for milestone in comp.root.all("milestones"):
            name = milestone.value("milestoneName") or f"milestone {len(policies) + 1}"
            target = _milestone_target(org, comp, milestone, name)
            if target is None:
                continue
            seconds, minutes_el = target
            scope = _milestone_scope(org, comp, milestone, case_channels)
            hours = bool(milestone.value("businessHours") or process_hours)
            loc = comp.location(minutes_el)
            metric = milestone_metric(name)
            targets = tuple(SlaTarget(metric, p, seconds, hours, loc) for p in (scope.priorities or ("*",)))
            chans = sorted(set(case_channels) & scope.origins) if scope.origins is not None else list(case_channels)
            items = criteria(milestone, "milestoneCriteriaFilterItems")
            label = f"{process}: {name}" + (f" [{'; '.join(i.text for i in items)}]" if items else "")
            policies.append(
                SlaPolicy(
                    label,
                    tuple(chans),
                    targets,
                    comp.location(milestone),
                    scope.conditions,
                    len(policies),
                )
            )
    return policies


def _note_uncovered_work(org: _Org) -> None:
    for channel, comps in sorted(org.work_item_channels.items()):
        for sc in comps:
            entity = sc.root.value("relatedEntityType")
            org.note(
                "AR211",
                f"service channel '{sc.root.value('label') or sc.name}' routes {entity} work items ({channel}); "
                "entitlement processes apply only to cases, so this work has no SLA milestones",
                sc,
            )


def load_salesforce(path: str | Path | Sequence[Path]) -> RoutingModel:
    """Read Salesforce metadata (an SFDX project, a Metadata API retrieve, one file, or several
    files of one org) into a RoutingModel."""
    paths = [Path(path)] if isinstance(path, (str, Path)) else [Path(x) for x in path]
    p = paths[0] if len(paths) == 1 else paths[0].parent
    org = _Org(read_metadata(paths))
    org.scan_channels()
    rules = _assignment_rules(org)
    rules += _queue_rules(org, len(rules))
    rules += _service_channel_rules(org, len(rules))
    case_channels = list(org.case_channels)
    has_sla = bool(org.meta.of("EntitlementProcess"))
    policies = _policies(org, case_channels) if has_sla else []
    if has_sla:
        _note_uncovered_work(org)
    return RoutingModel(
        format="salesforce",
        name=p.name if p.is_dir() else p.name.split(".")[0],
        channels=tuple(sorted(set(case_channels) | set(org.work_item_channels))),
        rules=tuple(rules),
        sla_policies=tuple(policies),
        inputs=tuple(sorted(org.meta.inputs, key=lambda f: f.path)),
        diagnostics=tuple(org.diagnostics),
        sla_known=has_sla,
    )


__all__ = ["load_salesforce", "milestone_metric"]
