"""Salesforce adapter: SFDX and Metadata API layouts, criteria, formulas, queues, service channels,
entitlement processes, safe XML. Fixtures are written the way ``sf project retrieve start`` writes them."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditrules.api import check
from auditrules.errors import AuditError
from auditrules.findings import Finding, Status
from auditrules.routing.detect import detect_format, load_routing
from auditrules.routing.model import RoutingModel
from auditrules.routing.salesforce.criteria import formula_fields
from auditrules.routing.salesforce.loader import milestone_metric

NS = "http://soap.sforce.com/2006/04/metadata"
ROOT = Path(__file__).resolve().parents[1]


def xml(root: str, body: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<{root} xmlns="{NS}">\n{body}</{root}>\n'


def item(tag: str, field: str, operation: str, value: str) -> str:
    return (
        f"        <{tag}>\n            <field>{field}</field>\n            <operation>{operation}</operation>\n"
        f"            <value>{value}</value>\n        </{tag}>\n"
    )


def entry(assigned: str, *items: str, kind: str = "Queue", extra: str = "") -> str:
    return (
        f"        <ruleEntry>\n            <assignedTo>{assigned}</assignedTo>\n"
        f"            <assignedToType>{kind}</assignedToType>\n{extra}{''.join(items)}        </ruleEntry>\n"
    )


def rules_file(*entries: str, active: str = "true", name: str = "Standard") -> str:
    return xml(
        "AssignmentRules",
        f"    <assignmentRule>\n        <fullName>{name}</fullName>\n        <active>{active}</active>\n"
        f"{''.join(entries)}    </assignmentRule>\n",
    )


def queue(label: str, config: str, sobject: str = "Case") -> str:
    return xml(
        "Queue",
        f"    <name>{label}</name>\n    <queueRoutingConfig>{config}</queueRoutingConfig>\n"
        f"    <queueSobject>\n        <sobjectType>{sobject}</sobjectType>\n    </queueSobject>\n",
    )


def routing_config(priority: int) -> str:
    return xml(
        "QueueRoutingConfig",
        f"    <capacityWeight>1.0</capacityWeight>\n    <label>Config</label>\n    <pushTimeout>30</pushTimeout>\n"
        f"    <routingModel>MostAvailable</routingModel>\n    <routingPriority>{priority}</routingPriority>\n",
    )


def service_channel(entity: str, extra: str = "") -> str:
    return xml(
        "ServiceChannel", f"    <label>{entity}</label>\n    <relatedEntityType>{entity}</relatedEntityType>\n{extra}"
    )


def milestone(name: str, minutes: int, *items: str, extra: str = "") -> str:
    crit = "".join(
        i.replace("        <", "        <").replace("criteriaItems", "milestoneCriteriaFilterItems") for i in items
    )
    return (
        f"    <milestones>\n{crit}{extra}        <milestoneName>{name}</milestoneName>\n"
        f"        <minutesToComplete>{minutes}</minutesToComplete>\n"
        "        <useCriteriaStartTime>false</useCriteriaStartTime>\n    </milestones>\n"
    )


def process(*milestones: str, active: str = "true", name: str = "Standard Support") -> str:
    return xml(
        "EntitlementProcess",
        f"    <SObjectType>Case</SObjectType>\n    <active>{active}</active>\n{''.join(milestones)}"
        f"    <name>{name}</name>\n",
    )


def sfdx(tmp: Path, files: dict[str, str]) -> Path:
    """An SFDX project: ``files`` maps ``folder/Name.suffix`` to content (``-meta.xml`` is appended)."""
    project = tmp / "project"
    base = project / "force-app" / "main" / "default"
    (project).mkdir(parents=True, exist_ok=True)
    (project / "sfdx-project.json").write_text('{"packageDirectories": [{"path": "force-app", "default": true}]}')
    for rel, text in files.items():
        path = base / (rel + "-meta.xml")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return project


def line_of(path: Path, needle: str, nth: int = 1) -> int:
    hits = [i for i, ln in enumerate(path.read_text().splitlines(), start=1) if needle in ln]
    return hits[nth - 1]


def findings(path: Path, rule_id: str) -> list[Finding]:
    report = check(routing=[path])
    return [f for f in report.findings if f.rule_id == rule_id]


def statuses(found: list[Finding]) -> set[Status]:
    return {f.status for f in found}


# --- layout and detection -------------------------------------------------------------------------


def test_sfdx_and_metadata_api_layouts_are_detected_and_read_alike(tmp_path: Path) -> None:
    rules = rules_file(entry("Tier_1", item("criteriaItems", "Case.Type", "equals", "Billing")))
    project = sfdx(tmp_path, {"assignmentRules/Case.assignmentRules": rules})
    retrieve = tmp_path / "retrieve"
    (retrieve / "unpackaged" / "assignmentRules").mkdir(parents=True)
    (retrieve / "unpackaged" / "package.xml").write_text(xml("Package", "    <version>61.0</version>\n"))
    (retrieve / "unpackaged" / "assignmentRules" / "Case.assignmentRules").write_text(rules)
    for path in (project, retrieve, retrieve / "unpackaged", retrieve / "unpackaged" / "assignmentRules"):
        assert detect_format(path) == "salesforce", path
    a, b = load_routing(project), load_routing(retrieve)
    assert [r.name for r in a.rules] == [r.name for r in b.rules] == ["Case.Standard entry 1"]
    single = retrieve / "unpackaged" / "assignmentRules" / "Case.assignmentRules"
    assert detect_format(single) == "salesforce"
    plain = tmp_path / "rules.xml"
    plain.write_text(rules)
    assert detect_format(plain) == "salesforce"
    assert load_routing(plain).rules[0].reads[0].field == "Case.Type"


def test_other_exports_are_not_mistaken_for_salesforce() -> None:
    assert detect_format(ROOT / "examples" / "zendesk-twotier") == "zendesk"
    assert detect_format(ROOT / "examples" / "taskrouter-vip" / "workflow.json") == "taskrouter"


def test_lead_assignment_rules_are_skipped_with_a_note(tmp_path: Path) -> None:
    lead = rules_file(entry("Sales", item("criteriaItems", "Lead.Twitter_Followers__c", "greaterThan", "9")))
    model = load_routing(sfdx(tmp_path, {"assignmentRules/Lead.assignmentRules": lead}))
    assert model.rules == ()
    assert [(d.code, d.level) for d in model.diagnostics] == [("AR204", "warning")]


def test_a_project_without_routing_metadata_is_ar204(tmp_path: Path) -> None:
    project = sfdx(tmp_path, {})
    (project / "force-app" / "main" / "default" / "classes").mkdir(parents=True)
    with pytest.raises(AuditError) as info:
        load_routing(project)
    assert info.value.code == "AR204"
    assert "sf project retrieve start" in info.value.message


# --- assignment rules -----------------------------------------------------------------------------


def test_influence_in_a_criteria_item_fails_fair001_at_that_line(tmp_path: Path) -> None:
    rules = rules_file(
        entry("VIP_Desk", item("criteriaItems", "Account.Klout_Score__c", "greaterThan", "50")),
        entry("General", item("criteriaItems", "Case.Type", "equals", "Billing")),
    )
    project = sfdx(tmp_path, {"assignmentRules/Case.assignmentRules": rules})
    found = [f for f in findings(project, "FAIR-001") if f.status is Status.FAIL]
    assert len(found) == 1
    loc = found[0].locations[0]
    file = project / "force-app/main/default/assignmentRules/Case.assignmentRules-meta.xml"
    assert Path(loc.path) == file
    assert loc.line == line_of(file, "<criteriaItems>")
    assert "Account.Klout_Score__c greaterThan 50" in (loc.note or "")
    assert found[0].evidence["effects"][0] == {"kind": "queue", "value": "VIP_Desk"}


def test_boolean_filter_or_keeps_every_item_as_a_read(tmp_path: Path) -> None:
    rules = rules_file(
        entry(
            "VIP_Desk",
            item("criteriaItems", "Case.Type", "equals", "Billing"),
            item("criteriaItems", "Contact.Twitter_Followers__c", "greaterOrEqual", "10000"),
            extra="            <booleanFilter>1 OR 2</booleanFilter>\n",
        )
    )
    model = load_routing(sfdx(tmp_path, {"assignmentRules/Case.assignmentRules": rules}))
    assert [r.field for r in model.rules[0].reads] == ["Case.Type", "Contact.Twitter_Followers__c"]
    assert "[filter logic 1 OR 2]" in model.rules[0].reads[0].text


def test_formula_entry_is_not_auditable_never_passed(tmp_path: Path) -> None:
    formula = "            <formula>AND(ISPICKVAL(Priority, &quot;High&quot;), Account.AnnualRevenue &gt; 1000000)</formula>\n"
    rules = rules_file(entry("Big_Accounts", extra=formula))
    project = sfdx(tmp_path, {"assignmentRules/Case.assignmentRules": rules})
    found = findings(project, "FAIR-001")
    assert Status.WARN in statuses(found)
    warn = next(f for f in found if f.status is Status.WARN)
    assert "not auditable" in warn.message and "formula" in warn.message
    report = check(routing=[project])
    verdict = next(v for v in report.verdicts if v.rule.id == "FAIR-001")
    assert verdict.status is Status.WARN  # never a silent pass


def test_influence_named_inside_a_formula_still_fails(tmp_path: Path) -> None:
    formula = "            <formula>OR(Account.Klout_Score__c &gt; 40, ISPICKVAL(Origin, &quot;Web&quot;))</formula>\n"
    project = sfdx(tmp_path, {"assignmentRules/Case.assignmentRules": rules_file(entry("VIP", extra=formula))})
    assert Status.FAIL in statuses(findings(project, "FAIR-001"))
    reads = load_routing(project).rules[0].reads
    assert {r.field for r in reads} == {"Account.Klout_Score__c", "channel", "formula"}


def test_formula_fields_skip_functions_literals_and_globals() -> None:
    text = "AND(ISPICKVAL(Origin, \"Account.Fake__c\"), $User.Id <> OwnerId, Account.Tier__c = 'GM-VVIP', TRUE)"
    assert formula_fields(text) == ["Origin", "OwnerId", "Account.Tier__c"]


def test_inactive_assignment_rule_is_noted_not_analysed(tmp_path: Path) -> None:
    rules = rules_file(
        entry("VIP", item("criteriaItems", "Account.Klout_Score__c", "greaterThan", "50")), active="false"
    )
    project = sfdx(tmp_path, {"assignmentRules/Case.assignmentRules": rules})
    model = load_routing(project)
    assert not model.rules[0].active
    assert [d.code for d in model.diagnostics] == ["AR207"]
    assert Status.FAIL not in statuses(findings(project, "FAIR-001"))


# --- queues, routing configurations, service channels ---------------------------------------------


def test_queue_priority_is_lower_first_and_located_in_the_routing_config(tmp_path: Path) -> None:
    project = sfdx(
        tmp_path,
        {
            "assignmentRules/Case.assignmentRules": rules_file(
                entry("VIP_Desk", item("criteriaItems", "Case.Type", "equals", "Billing"))
            ),
            "queues/VIP_Desk.queue": queue("VIP Desk", "Fast"),
            "queueRoutingConfigs/Fast.queueRoutingConfig": routing_config(1),
            "queues/Chat_Queue.queue": queue("Chat", "Slow", sobject="LiveChatTranscript"),
            "queueRoutingConfigs/Slow.queueRoutingConfig": routing_config(9),
        },
    )
    model = load_routing(project)
    entry_rule = model.rules[0]
    prio = next(e for e in entry_rule.effects if e.kind == "priority")
    config = project / "force-app/main/default/queueRoutingConfigs/Fast.queueRoutingConfig-meta.xml"
    assert Path(prio.location.path) == config and prio.location.line == line_of(config, "<routingPriority>")
    fast, slow = model.priority_of(prio), None
    chat_rule = next(r for r in model.rules if r.kind == "queue" and r.name == "Chat")
    assert chat_rule.channels == ("chat",)
    slow = model.priority_of(next(e for e in chat_rule.effects if e.kind == "priority"))
    assert fast is not None and slow is not None and fast.served_before(slow)


def test_queue_with_a_routing_config_missing_from_the_export_is_ar206(tmp_path: Path) -> None:
    project = sfdx(tmp_path, {"queues/Tier_2.queue": queue("Tier 2", "Missing_Config")})
    model = load_routing(project)
    assert [d.code for d in model.diagnostics] == ["AR206"]
    assert "Missing_Config" in model.diagnostics[0].message


def test_secondary_routing_priority_on_an_influence_field_fails(tmp_path: Path) -> None:
    extra = (
        "    <secondaryRoutingPriorityField>Account.Klout_Score__c</secondaryRoutingPriorityField>\n"
        "    <serviceChannelFieldPriorities>\n        <priority>1</priority>\n        <value>100</value>\n"
        "    </serviceChannelFieldPriorities>\n"
    )
    project = sfdx(tmp_path, {"serviceChannels/Cases.serviceChannel": service_channel("Case", extra)})
    found = [f for f in findings(project, "FAIR-001") if f.status is Status.FAIL]
    assert len(found) == 1 and "Account.Klout_Score__c" in found[0].message


# --- entitlement processes (SLA) ------------------------------------------------------------------


def origin(value: str, op: str = "equals") -> str:
    return item("criteriaItems", "Case.Origin", op, value)


def test_work_that_is_not_a_case_has_no_sla(tmp_path: Path) -> None:
    project = sfdx(
        tmp_path,
        {
            "serviceChannels/Cases.serviceChannel": service_channel("Case"),
            "serviceChannels/Messaging.serviceChannel": service_channel("MessagingSession"),
            "entitlementProcesses/std.entitlementProcess": process(milestone("First Response", 240)),
        },
    )
    model = load_routing(project)
    assert model.channels == ("email", "messaging", "phone", "web")
    assert model.sla_policies[0].channels == ("email", "phone", "web")
    gaps = [f for f in findings(project, "FAIR-002") if f.status is Status.FAIL]
    assert any(f.message == "no SLA policy covers channel messaging" for f in gaps)
    assert any(d.code == "AR211" and "MessagingSession" in d.message for d in model.diagnostics)


def test_milestone_criteria_limit_channels_and_priorities(tmp_path: Path) -> None:
    text = process(
        milestone("First Response", 60, origin("Phone, Web")),
        milestone("First Response", 1440, origin("Phone,Web", "notEqual")),
        milestone("Resolution Time", 2880, item("criteriaItems", "Case.Priority", "equals", "High,Medium")),
    )
    model = load_routing(sfdx(tmp_path, {"entitlementProcesses/std.entitlementProcess": text}))
    fast, slow, resolution = model.sla_policies
    assert fast.channels == ("phone", "web") and slow.channels == ("email",)
    assert sorted(t.priority for t in resolution.targets) == ["high", "medium"]
    assert {t.metric for t in resolution.targets} == {"resolution"}
    assert fast.targets[0].seconds == 3600
    differ = [f for f in findings(tmp_path / "project", "FAIR-002") if f.status is Status.FAIL]
    assert any("first_response" in f.message and "email: 24h" in f.message for f in differ)


def test_formula_milestone_and_apex_minutes_are_not_auditable(tmp_path: Path) -> None:
    formula = "        <milestoneCriteriaFormula>Account.SLA_Tier__c = &apos;Gold&apos;</milestoneCriteriaFormula>\n"
    apex = "        <minutesCustomClass>MilestoneMinutes</minutesCustomClass>\n"
    text = process(milestone("First Response", 60, extra=formula), milestone("Resolution", 600, extra=apex))
    model = load_routing(sfdx(tmp_path, {"entitlementProcesses/std.entitlementProcess": text}))
    (policy,) = model.sla_policies  # the Apex-timed milestone has no target to compare
    assert policy.conditions == ("formula Account.SLA_Tier__c = 'Gold'",)
    codes = [d.code for d in model.diagnostics]
    assert codes.count("AR211") == 2
    partial = [f for f in findings(tmp_path / "project", "FAIR-002") if "covered only in part" in f.message]
    assert partial and all(f.status is Status.FAIL for f in partial)


def test_inactive_process_is_not_counted_and_no_process_is_not_evaluated(tmp_path: Path) -> None:
    inactive = sfdx(
        tmp_path,
        {"entitlementProcesses/old.entitlementProcess": process(milestone("First Response", 60), active="false")},
    )
    model = load_routing(inactive)
    assert model.sla_policies == () and model.has_sla_data
    assert "AR207" in [d.code for d in model.diagnostics]
    bare = sfdx(tmp_path / "b", {"queues/Q.queue": queue("Q", "Missing")})
    assert statuses(findings(bare, "FAIR-002")) == {Status.NOT_EVALUATED}


@pytest.mark.parametrize(
    ("name", "metric"),
    [
        ("First Response", "first_response"),
        ("Initial_Response", "first_response"),
        ("Case Resolution", "resolution"),
        ("Close Case", "resolution"),
        ("Customer Update", "customer_update"),
    ],
)
def test_milestone_names_map_to_metrics(name: str, metric: str) -> None:
    assert milestone_metric(name) == metric


# --- safe XML ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ('<?xml version="1.0"?>\n<!DOCTYPE q [<!ENTITY a "aaaa">]>\n<Queue/>\n', "document type declarations", 2),
        (
            '<?xml version="1.0"?>\n<!DOCTYPE q SYSTEM "file:///etc/passwd">\n<Queue>&x;</Queue>\n',
            "document type declarations",
            2,
        ),
        (f'<?xml version="1.0"?>\n<Queue xmlns="{NS}">\n  <name>Q</nme>\n</Queue>\n', "mismatched tag", 3),
    ],
)
def test_unsafe_or_broken_xml_is_ar213_with_its_line(tmp_path: Path, text: str, message: str, line: int) -> None:
    path = tmp_path / "Q.queue-meta.xml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AuditError) as info:
        load_routing(path)
    err = info.value
    assert err.code == "AR213" and message in err.message
    assert err.span is not None and err.span.line == line


def test_examples_give_the_promised_exit_codes() -> None:
    unfair = check(routing=[ROOT / "examples" / "salesforce-unfair"])
    fair = check(routing=[ROOT / "examples" / "salesforce-fair"])
    assert unfair.exit_code("low") == 1 and fair.exit_code("low") == 0
    fail = next(f for f in unfair.findings if f.rule_id == "FAIR-001" and f.status is Status.FAIL)
    rules_file_path = (
        ROOT / "examples/salesforce-unfair/force-app/main/default/assignmentRules/Case.assignmentRules-meta.xml"
    )
    assert fail.locations[0].line == line_of(rules_file_path, "<criteriaItems>")


def _model(path: Path) -> RoutingModel:
    return load_routing(path)


def test_privileged_value_in_a_criteria_item_or_formula_is_caught_by_a_value_set(tmp_path: Path) -> None:
    rules = tmp_path / "segments.rules"
    rules.write_text(
        'policy "Segments" version "1"\ndefine privileged = values matching "*vip*"\n'
        'rule SEG-001 "No privileged segments" {\n  severity high\n  routing must not read privileged\n}\n',
        encoding="utf-8",
    )
    formula = "            <formula>ISPICKVAL(Account.Segment__c, &apos;Platinum VIP&apos;)</formula>\n"
    project = sfdx(
        tmp_path,
        {
            "assignmentRules/Case.assignmentRules": rules_file(
                entry("Direct_Line", item("criteriaItems", "Account.Tier__c", "equals", "GM-VVIP,Gold")),
                entry("Concierge", extra=formula),
            )
        },
    )
    model = load_routing(project)
    assert model.rules[0].reads[0].values == ("GM-VVIP", "Gold")
    assert "Platinum VIP" in model.rules[1].reads[0].values
    fails = [f for f in check(rules=[rules], routing=[project]).findings if f.status is Status.FAIL]
    assert len(fails) == 2
    file = project / "force-app/main/default/assignmentRules/Case.assignmentRules-meta.xml"
    assert fails[0].locations[0].line == line_of(file, "<criteriaItems>")


def test_namespace_prefixes_crlf_and_hidden_directories(tmp_path: Path) -> None:
    text = (
        f'<?xml version="1.0" encoding="UTF-8"?>\r\n<md:Queue xmlns:md="{NS}">\r\n'
        "    <md:name>Tier 2</md:name>\r\n    <md:queueRoutingConfig>Fast</md:queueRoutingConfig>\r\n</md:Queue>\r\n"
    )
    project = sfdx(tmp_path, {"queueRoutingConfigs/Fast.queueRoutingConfig": routing_config(2)})
    queues = project / "force-app" / "main" / "default" / "queues"
    queues.mkdir()
    (queues / "Tier_2.queue-meta.xml").write_bytes(text.encode("utf-8"))
    hidden = project / ".sf" / "orgs" / "queues"
    hidden.mkdir(parents=True)
    (hidden / "Ghost.queue-meta.xml").write_text(queue("Ghost", "Fast"))
    model = load_routing(project)
    assert [r.name for r in model.rules] == ["Tier 2"]
    prio = next(e for e in model.rules[0].effects if e.kind == "priority")
    assert prio.value == "2"


def test_loose_metadata_files_beside_other_exports_are_read_together(tmp_path: Path) -> None:
    from auditrules.routing.detect import load_routing_inputs

    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "VIP_Desk.queue-meta.xml").write_text(queue("VIP Desk", "Fast"))
    (folder / "Fast.queueRoutingConfig-meta.xml").write_text(routing_config(1))
    flow = ROOT / "examples" / "connect-fair" / "inbound-flow.json"
    (folder / "inbound-flow.json").write_text(flow.read_text())
    models = load_routing_inputs(folder)
    assert sorted(m.format for m in models) == ["connect", "salesforce"]
    sf = next(m for m in models if m.format == "salesforce")
    (rule,) = sf.rules
    assert [(e.kind, e.value) for e in rule.effects] == [("queue", "VIP_Desk"), ("priority", "1")]


def test_a_not_auditable_decision_is_reported_once_per_rule() -> None:
    report = check(routing=[ROOT / "examples" / "salesforce-unfair"])
    for rule_id in ("FAIR-001", "FAIR-009"):
        warns = [f for f in report.findings if f.rule_id == rule_id and f.status is Status.WARN]
        assert len(warns) == 1, rule_id  # FAIR-009 has two statements; the formula is noted once


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_never_waited_on(tmp_path: Path) -> None:
    import os

    from auditrules.documents import read_head
    from auditrules.routing.connect import is_connect
    from auditrules.routing.salesforce import is_salesforce

    fifo = tmp_path / "Tier_2.queue-meta.xml"
    os.mkfifo(fifo)
    assert read_head(fifo) == ""
    assert is_salesforce(fifo)  # by its suffix, without reading it
    flow = tmp_path / "flow.json"
    os.mkfifo(flow)
    assert not is_connect(flow)
    project = sfdx(tmp_path / "p", {})
    queues = project / "force-app" / "main" / "default" / "queues"
    queues.mkdir(parents=True)
    os.mkfifo(queues / "Ghost.queue-meta.xml")
    with pytest.raises(AuditError) as info:
        load_routing(project)
    assert info.value.code == "AR002"
