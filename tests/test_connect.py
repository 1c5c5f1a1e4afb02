"""Amazon Connect adapter: flow language JSON as the designer exports it and as
``aws connect describe-contact-flow`` returns it; branches, Lambda answers, attributes, priorities."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditrules.api import check
from auditrules.findings import Finding, Status
from auditrules.routing.connect.loader import field_name
from auditrules.routing.detect import detect_format, load_routing

ROOT = Path(__file__).resolve().parents[1]


def action(
    ident: str,
    kind: str,
    params: dict[str, Any] | None = None,
    nxt: str | None = None,
    conditions: list[tuple[str, str, str]] = (),
    errors: list[tuple[str, str]] = (),
) -> dict[str, Any]:
    transitions: dict[str, Any] = {}
    if nxt is not None:
        transitions["NextAction"] = nxt
    if conditions:
        transitions["Conditions"] = [
            {"NextAction": target, "Condition": {"Operator": op, "Operands": [value]}}
            for op, value, target in conditions
        ]
    if errors:
        transitions["Errors"] = [{"NextAction": target, "ErrorType": kind_} for kind_, target in errors]
    return {"Parameters": params or {}, "Identifier": ident, "Type": kind, "Transitions": transitions}


def compare(ident: str, value: str, conditions: list[tuple[str, str, str]], default: str) -> dict[str, Any]:
    return action(ident, "Compare", {"ComparisonValue": value}, default, conditions, [("NoMatchingCondition", default)])


def flow(actions: list[dict[str, Any]], metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    meta = {
        "entryPointPosition": {"x": 40, "y": 40},
        "ActionMetadata": {},
        "name": "Test flow",
        "type": "contactFlow",
        "status": "published",
    }
    meta.update(metadata or {})
    return {"Version": "2019-10-30", "StartAction": actions[0]["Identifier"], "Metadata": meta, "Actions": actions}


def write(tmp: Path, data: dict[str, Any], name: str = "flow.json") -> Path:
    path = tmp / name
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


QUEUE = "arn:aws:connect:eu-west-1:111122223333:instance/abc/queue/def"
TAIL = [
    action(
        "to-queue", "TransferContactToQueue", {}, "end", errors=[("QueueAtCapacity", "end"), ("NoMatchingError", "end")]
    ),
    action("end", "DisconnectParticipant"),
]


def fair001(path: Path) -> list[Finding]:
    return [f for f in check(routing=[path]).findings if f.rule_id == "FAIR-001"]


def line_of(path: Path, needle: str) -> int:
    return next(i for i, ln in enumerate(path.read_text().splitlines(), start=1) if needle in ln)


def test_detects_flows_and_describe_output_but_not_other_exports(tmp_path: Path) -> None:
    data = flow([action("x", "DisconnectParticipant")])
    plain = write(tmp_path, data)
    described = write(
        tmp_path,
        {
            "ContactFlow": {
                "Arn": "arn:x",
                "Id": "1",
                "Name": "Main",
                "Type": "CONTACT_FLOW",
                "State": "ACTIVE",
                "Content": json.dumps(data),
            }
        },
        "described.json",
    )
    assert detect_format(plain) == detect_format(described) == "connect"
    folder = tmp_path / "flows"
    folder.mkdir()
    write(folder, data, "a.json")
    assert detect_format(folder) == "connect"
    assert detect_format(ROOT / "examples" / "taskrouter-vip" / "workflow.json") == "taskrouter"
    assert detect_format(ROOT / "examples" / "zendesk-twotier") == "zendesk"


def test_influence_in_a_compare_fails_at_the_condition_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        flow(
            [
                compare("check-klout", "$.Attributes.KloutScore", [("NumberGreaterThan", "60", "fast")], "to-queue"),
                action("fast", "UpdateContactRoutingBehavior", {"QueuePriority": "1"}, "to-queue"),
                *TAIL,
            ]
        ),
    )
    (fail,) = [f for f in fair001(path) if f.status is Status.FAIL]
    assert fail.evidence["reads"] == ["Attributes.KloutScore"]
    assert fail.evidence["effects"] == [{"kind": "priority", "value": "1"}]
    assert fail.locations[0].line == line_of(path, '"Conditions"') + 1
    assert "NumberGreaterThan 60" in (fail.locations[0].note or "")


def test_metadata_block_is_never_logic(tmp_path: Path) -> None:
    meta = {
        "ActionMetadata": {
            "q": {
                "position": {"x": 1, "y": 2},
                "conditionMetadata": [{"id": "1", "operator": {"name": "Equals"}, "value": "VIP"}],
                "parameters": {"ComparisonValue": "$.Attributes.KloutScore"},
            }
        }
    }
    path = write(tmp_path, flow([action("q", "UpdateContactTargetQueue", {"QueueId": QUEUE}, "to-queue"), *TAIL], meta))
    model = load_routing(path)
    assert all(r.field != "Attributes.KloutScore" for rule in model.rules for r in rule.reads)
    assert {f.status for f in fair001(path)} == {Status.PASS}


def test_decision_on_a_lambda_answer_is_a_warn_naming_the_action(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        flow(
            [
                action(
                    "crm",
                    "InvokeLambdaFunction",
                    {"LambdaFunctionARN": "arn:aws:lambda:eu-west-1:1:function:crm", "InvocationTimeLimitSeconds": "3"},
                    "check",
                    errors=[("NoMatchingError", "to-queue")],
                ),
                compare("check", "$.External.Segment", [("Equals", "Gold", "gold-queue")], "to-queue"),
                action("gold-queue", "UpdateContactTargetQueue", {"QueueId": QUEUE}, "to-queue"),
                *TAIL,
            ]
        ),
    )
    found = fair001(path)
    warn = [f for f in found if f.status is Status.WARN]
    assert warn and "InvokeLambdaFunction 'crm'" in warn[0].message and "not auditable" in warn[0].message
    verdict = next(v for v in check(routing=[path]).verdicts if v.rule.id == "FAIR-001")
    assert verdict.status is Status.WARN


def test_attribute_copied_from_a_lambda_and_queue_from_external_are_opaque(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        flow(
            [
                action("crm", "InvokeLambdaFunction", {"LambdaFunctionARN": "arn:l"}, "copy"),
                action(
                    "copy",
                    "UpdateContactAttributes",
                    {"Attributes": {"Tier": "$.External.Tier"}, "TargetContact": "Current"},
                    "check",
                ),
                compare("check", "$.Attributes.Tier", [("Equals", "GM-VVIP", "direct")], "pick"),
                action(
                    "direct",
                    "TransferParticipantToThirdParty",
                    {"ThirdPartyPhoneNumber": "+442079460000", "ContinueFlowExecution": "False"},
                    "end",
                ),
                action("pick", "UpdateContactTargetQueue", {"QueueId": "$.External.QueueArn"}, "to-queue"),
                *TAIL,
            ]
        ),
    )
    model = load_routing(path)
    branch = next(r for r in model.rules if r.kind == "branch" and "condition" in r.name)
    assert branch.reads[0].opaque is not None and "copied from $.External.Tier" in branch.reads[0].opaque
    assert [(e.kind, e.value) for e in branch.effects] == [("assignee", "phone +442079460000 (bypasses the queues)")]
    pick = next(r for r in model.rules if r.id.endswith(":pick"))
    assert pick.reads[0].field == "External.QueueArn" and pick.reads[0].opaque
    warns = [f for f in fair001(path) if f.status is Status.WARN]
    assert len(warns) == 2  # the decision (once), and the queue chosen by the Lambda


def test_influence_carried_through_an_attribute_is_traced(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        flow(
            [
                compare("klout", "$.Attributes.KloutScore", [("NumberGreaterOrEqualTo", "50", "tag")], "segment"),
                action("tag", "UpdateContactAttributes", {"Attributes": {"Segment": "priority"}}, "segment"),
                compare("segment", "$.Attributes.Segment", [("Equals", "priority", "fast")], "to-queue"),
                action("fast", "UpdateContactRoutingBehavior", {"QueuePriority": "1"}, "to-queue"),
                *TAIL,
            ]
        ),
    )
    fails = [f for f in fair001(path) if f.status is Status.FAIL]
    chained = next(f for f in fails if f.evidence["reads"] == ["Attributes.Segment"])
    assert [s["writes"] for s in chained.evidence["chain"]] == ["Attributes.Segment", None]


def test_common_path_effects_belong_to_no_branch_and_error_loops_do_not_blur(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        flow(
            [
                compare("channel", "$.Channel", [("Equals", "CHAT", "chat-prio")], "voice-prio"),
                action("chat-prio", "UpdateContactRoutingBehavior", {"QueuePriority": "2"}, "common"),
                action("voice-prio", "UpdateContactRoutingBehavior", {"QueuePriority": "5"}, "common"),
                action(
                    "common",
                    "UpdateContactTargetQueue",
                    {"QueueId": QUEUE},
                    "to-queue",
                    errors=[("NoMatchingError", "channel")],
                ),  # an error loops back to the decision
                *TAIL,
            ]
        ),
    )
    model = load_routing(path)
    branches = {r.name: r for r in model.rules if r.kind == "branch"}
    chat = branches["channel condition 1"]
    other = branches["channel default"]
    assert [(e.kind, e.value) for e in chat.effects] == [("priority", "2")]
    assert [(e.kind, e.value) for e in other.effects] == [("priority", "5")]
    assert chat.channels == ("chat",) and other.channels == ("email", "phone")
    assert all(p is not None for p in (model.priority_of(chat.effects[0]), model.priority_of(other.effects[0])))
    assert model.priority_of(chat.effects[0]).served_before(model.priority_of(other.effects[0]))  # type: ignore[union-attr]


def test_every_value_is_a_string(tmp_path: Path) -> None:
    path = write(tmp_path, flow([action("p", "UpdateContactRoutingBehavior", {"QueuePriority": 1}, "to-queue"), *TAIL]))
    model = load_routing(path)
    assert [d.code for d in model.diagnostics] == ["AR202"]
    assert "flow language values are strings" in model.diagnostics[0].message
    prio = model.priority_of(model.rules[0].effects[0])
    assert prio is not None and prio.rank == 1


def test_queue_time_adjustment_is_not_a_priority_rank(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        flow([action("p", "UpdateContactRoutingBehavior", {"QueueTimeAdjustmentSeconds": "300"}, "to-queue"), *TAIL]),
    )
    model = load_routing(path)
    effect = model.rules[0].effects[0]
    assert effect.value == "queue age +300s" and model.priority_of(effect) is None


def test_describe_contact_flow_output_locates_the_content_line(tmp_path: Path) -> None:
    data = flow(
        [
            compare("k", "$.Attributes.KloutScore", [("NumberGreaterThan", "9", "fast")], "to-queue"),
            action("fast", "UpdateContactRoutingBehavior", {"QueuePriority": "1"}, "to-queue"),
            *TAIL,
        ]
    )
    path = write(tmp_path, {"ContactFlow": {"Name": "Main", "Content": json.dumps(data)}})
    (fail,) = [f for f in fair001(path) if f.status is Status.FAIL]
    assert fail.locations[0].line == line_of(path, '"Content"')
    assert load_routing(path).name == "flow"


def test_broken_content_string_is_ar205(tmp_path: Path) -> None:
    from auditrules.errors import AuditError

    path = write(tmp_path, {"ContactFlow": {"Name": "M", "Content": '{"StartAction": "a", "Actions": [}'}})
    with pytest.raises(AuditError) as info:
        load_routing(path, "connect")
    assert info.value.code == "AR205"


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("$.Attributes.Tier", "Attributes.Tier"),
        ("$.External.VIP", "External.VIP"),
        ("$.Channel", "channel"),
        ("$.CustomerEndpoint.Address", "CustomerEndpoint.Address"),
        ("$.Attributes['Klout Score']", "Attributes.Klout Score"),
        ('$.Attributes.["vip_flag"]', "Attributes.vip_flag"),
    ],
)
def test_field_names(path: str, name: str) -> None:
    assert field_name(path) == name


def test_examples_give_the_promised_exit_codes() -> None:
    unfair = check(routing=[ROOT / "examples" / "connect-unfair"])
    fair = check(routing=[ROOT / "examples" / "connect-fair"])
    assert unfair.exit_code("low") == 1 and fair.exit_code("low") == 0
    fail = next(f for f in unfair.findings if f.rule_id == "FAIR-001" and f.status is Status.FAIL)
    assert fail.locations[0].path.endswith("inbound-flow.json") and fail.locations[0].line is not None


VALUE_RULES = """policy "Segments" version "1"
define privileged = values matching "*vip*"
rule SEG-001 "No privileged segments" {
  severity high
  routing must not read privileged
}
"""


def test_privileged_value_in_a_compare_is_caught_by_a_value_set(tmp_path: Path) -> None:
    rules = tmp_path / "segments.rules"
    rules.write_text(VALUE_RULES, encoding="utf-8")
    path = write(
        tmp_path,
        flow(
            [
                compare("tier", "$.Attributes.CustomerTier", [("Equals", "GM-VVIP", "direct")], "to-queue"),
                action("direct", "TransferParticipantToThirdParty", {"ThirdPartyPhoneNumber": "+15550100"}, "end"),
                *TAIL,
            ]
        ),
    )
    model = load_routing(path)
    branch = next(r for r in model.rules if r.kind == "branch" and r.name == "tier condition 1")
    assert branch.reads[0].values == ("GM-VVIP",)
    (fail,) = [f for f in check(rules=[rules], routing=[path]).findings if f.status is Status.FAIL]
    assert "GM-VVIP" in fail.message and "bypasses the queues" in fail.message
    assert fail.locations[0].line == line_of(path, '"Conditions"') + 1


def test_a_failing_branch_is_not_also_noted_as_not_auditable_in_the_same_rule() -> None:
    report = check(routing=[ROOT / "examples" / "connect-unfair"])
    fair009 = [f for f in report.findings if f.rule_id == "FAIR-009"]
    failing = {f.evidence["routing_rule"] for f in fair009 if f.status is Status.FAIL}
    noted = {f.evidence["routing_rule"] for f in fair009 if f.status is Status.WARN}
    assert failing and not failing & noted
