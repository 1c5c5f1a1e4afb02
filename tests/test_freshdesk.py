"""Freshdesk adapter: ``GET /api/v2/sla_policies`` and ``GET /api/v2/automations/{type}/rules`` JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditrules.api import check
from auditrules.findings import Status
from auditrules.routing.detect import detect_format, load_routing
from auditrules.routing.freshdesk import is_freshdesk, load_freshdesk
from auditrules.routing.model import RoutingModel

ROOT = Path(__file__).resolve().parents[1]


def target(respond: int, resolve: int, business: bool = False) -> dict[str, Any]:
    return {
        "respond_within": respond,
        "resolve_within": resolve,
        "business_hours": business,
        "escalation_enabled": True,
    }


def policy(
    pid: int,
    name: str,
    position: int,
    applicable: dict[str, Any],
    respond: int = 3600,
    *,
    default: bool = False,
    active: bool = True,
) -> dict[str, Any]:
    return {
        "id": pid,
        "name": name,
        "description": "",
        "active": active,
        "is_default": default,
        "position": position,
        "applicable_to": applicable,
        "sla_target": {f"priority_{p}": target(respond, respond * 4) for p in (4, 3, 2, 1)},
        "created_at": "2025-01-01T00:00:00Z",
        "updated_at": "2025-01-01T00:00:00Z",
    }


def prop(resource: str, field: str, operator: str, value: Any) -> dict[str, Any]:
    return {"resource_type": resource, "field_name": field, "operator": operator, "value": value}


def rule(
    rid: int,
    name: str,
    sets: list[list[dict[str, Any]]],
    actions: list[dict[str, Any]],
    *,
    match: str = "all",
    operator: str | None = None,
    active: bool = True,
    atype: int = 1,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": rid,
        "name": name,
        "position": rid,
        "active": active,
        "automation_type_id": atype,
        "outdated": False,
        "conditions": [
            {"name": f"condition_set_{i + 1}", "match_type": match, "properties": props} for i, props in enumerate(sets)
        ],
        "actions": actions,
        "summary": {"conditions": {}, "actions": []},
    }
    if operator:
        out["operator"] = operator
    return out


def write(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def load(tmp_path: Path, policies: list[Any] | None = None, rules: Any = None) -> RoutingModel:
    if policies is not None:
        write(tmp_path / "sla_policies.json", policies)
    if rules is not None:
        write(tmp_path / "ticket_creation_rules.json", rules)
    return load_freshdesk([tmp_path])


def statuses(path: Path, rule_id: str) -> set[Status]:
    return {f.status for f in check(routing=[path]).findings if f.rule_id == rule_id}


# ---------------------------------------------------------------- SLA policies


def test_bare_array_sources_priorities_and_business_hours(tmp_path: Path) -> None:
    pol = policy(1, "Social", 1, {"sources": [5, 6]}, respond=900)
    pol["sla_target"]["priority_2"] = {
        "respond_within": 7200,
        "next_respond_within": 3600,
        "resolve_within": 86400,
        "business_hours": True,
    }
    m = load(tmp_path, [pol])
    (p,) = m.sla_policies
    assert p.channels == ("facebook", "twitter") and p.conditions == ()
    got = {(t.metric, t.priority): (t.seconds, t.business_hours) for t in p.targets}
    assert got[("first_response", "urgent")] == (900.0, False)
    assert got[("first_response", "medium")] == (7200.0, True)
    assert got[("next_reply", "medium")] == (3600.0, True)
    assert got[("resolution", "low")] == (3600.0, False)
    assert {"facebook", "twitter", "email", "phone", "chat", "web"} <= set(m.channels)
    assert m.has_sla_data and not m.has_priority_data  # no automation rules: priorities unknown


def test_empty_applicable_to_lists_mean_all(tmp_path: Path) -> None:
    m = load(
        tmp_path,
        [
            policy(1, "All", 1, {"sources": [], "group_ids": [], "company_ids": []}),
            policy(2, "Default", 2, {}, default=True),
        ],
    )
    assert [(p.name, p.channels, p.conditions) for p in m.sla_policies] == [("All", None, ()), ("Default", None, ())]


def test_inactive_policy_is_noted_and_not_judged(tmp_path: Path) -> None:
    m = load(
        tmp_path,
        [
            policy(1, "Gold (retired)", 1, {"sources": [5]}, respond=60, active=False),
            policy(2, "Default", 2, {}, default=True),
        ],
    )
    assert [p.name for p in m.sla_policies] == ["Default"]
    (note,) = m.diagnostics
    assert note.code == "AR207" and "Gold (retired)" in note.message
    assert m.resolve(note.location).line == 2  # type: ignore[arg-type]
    assert Status.FAIL not in statuses(tmp_path, "FAIR-002")


def test_company_or_segment_policy_is_partial_coverage(tmp_path: Path) -> None:
    write(tmp_path / "sla_policies.json", [policy(1, "Enterprise", 1, {"company_ids": [7], "contact_segments": [3]})])
    m = load_freshdesk([tmp_path])
    assert m.sla_policies[0].conditions == ("company in [7]", "contact segment in [3]")
    fs = [f for f in check(routing=[tmp_path]).findings if f.rule_id == "FAIR-002" and f.status is Status.FAIL]
    assert any("covered only in part" in f.message for f in fs)


def test_default_policy_is_evaluated_last_whatever_its_position(tmp_path: Path) -> None:
    m = load(tmp_path, [policy(9, "Default", 1, {}, default=True), policy(2, "Email", 2, {"sources": [1]})])
    assert [p.name for p in m.sla_policies] == ["Email", "Default"]


def test_unknown_source_code_is_a_warning_not_a_guess(tmp_path: Path) -> None:
    m = load(tmp_path, [policy(1, "Odd", 1, {"sources": [1, 99]})])
    assert m.sla_policies[0].channels == ("email",)
    assert [d.code for d in m.diagnostics] == ["AR202"] and "99" in m.diagnostics[0].message


def test_social_policy_fails_fair002_within_the_async_class(tmp_path: Path) -> None:
    load(tmp_path, [policy(1, "Social", 1, {"sources": [5]}, respond=900), policy(2, "Default", 2, {}, default=True)])
    fs = [f for f in check(routing=[tmp_path]).findings if f.rule_id == "FAIR-002" and f.status is Status.FAIL]
    assert fs and all(f.evidence["channel_class"] in ("async", "all") for f in fs)
    first = next(f for f in fs if f.evidence["metric"] == "first_response")
    assert "twitter: 15m by 'Social'" in first.message and first.locations[0].path.endswith("sla_policies.json")


# ---------------------------------------------------------------- automation rules


def test_influence_in_contact_field_is_fair001_at_the_condition_line(tmp_path: Path) -> None:
    rules = [
        rule(
            1,
            "Influencers",
            [[prop("contact", "cf_twitter_followers", "greater_than", 10000)]],
            [{"field_name": "group_id", "value": 50}],
        )
    ]
    load(tmp_path, rules={"rules": rules})  # the {"rules": [...]} envelope
    (f,) = [f for f in check(routing=[tmp_path]).findings if f.rule_id == "FAIR-001" and f.status is Status.FAIL]
    text = (tmp_path / "ticket_creation_rules.json").read_text(encoding="utf-8").splitlines()
    line = next(i for i, t in enumerate(text, 1) if '"resource_type": "contact"' in t) - 1  # the property's "{"
    assert (f.locations[0].path, f.locations[0].line) == (str(tmp_path / "ticket_creation_rules.json"), line)
    assert "contact.cf_twitter_followers" in f.message


def test_summary_block_is_not_read_as_logic(tmp_path: Path) -> None:
    r = rule(
        1, "Billing", [[prop("ticket", "ticket_type", "in", ["Refund"])]], [{"field_name": "group_id", "value": 1}]
    )
    r["summary"] = {
        "conditions": {"condition_set_1": {"all": ["Contact Twitter followers greater than 10000"]}},
        "actions": ["Set Priority as Urgent"],
    }
    m = load(tmp_path, rules=[r])
    assert [rd.field for rd in m.rules[0].reads] == ["ticket_type"]
    assert [e.kind for e in m.rules[0].effects] == ["group"]


def test_source_conditions_give_the_channel_scope(tmp_path: Path) -> None:
    rules = [
        rule(1, "Social", [[prop("ticket", "source", "in", [5, 6])]], [{"field_name": "priority", "value": 4}]),
        rule(2, "Not email", [[prop("ticket", "source", "not_in", [1])]], [{"field_name": "priority", "value": 2}]),
        rule(
            3,
            "Any mixed",
            [[prop("ticket", "source", "is", 3), prop("ticket", "priority", "is", 4)]],
            [{"field_name": "priority", "value": 4}],
            match="any",
        ),
        rule(
            4,
            "Two sets or",
            [[prop("ticket", "source", "is", 3)], [prop("ticket", "source", "is", 7)]],
            [{"field_name": "group_id", "value": 9}],
            operator="condition_set_1 or condition_set_2",
        ),
        rule(
            5,
            "Two sets and",
            [[prop("ticket", "source", "in", [3, 7])], [prop("ticket", "source", "is", 7)]],
            [{"field_name": "group_id", "value": 9}],
        ),
    ]
    m = load(tmp_path, rules=rules)
    scopes = {r.name: r.channels for r in m.rules}
    assert scopes["Social"] == ("facebook", "twitter")
    assert scopes["Not email"] is not None and "email" not in scopes["Not email"] and "phone" in scopes["Not email"]
    assert scopes["Any mixed"] is None
    assert scopes["Two sets or"] == ("chat", "phone")
    assert scopes["Two sets and"] == ("chat",)


def test_priority_codes_are_normalised_and_parity_is_judged(tmp_path: Path) -> None:
    rules = [
        rule(1, "Social urgent", [[prop("ticket", "source", "in", [5])]], [{"field_name": "priority", "value": 4}])
    ]
    m = load(tmp_path, rules=rules)
    (effect,) = m.rules[0].effects
    prio = m.priority_of(effect)
    assert prio is not None and prio.scale == "named" and prio.rank == 0.0  # 4 = urgent
    (f,) = [f for f in check(routing=[tmp_path]).findings if f.rule_id == "FAIR-011"]
    assert f.status is Status.FAIL and "twitter: 4 (urgent)" in f.message


def test_same_priority_for_phone_and_chat_passes_parity(tmp_path: Path) -> None:
    rules = [rule(1, "Live", [[prop("ticket", "source", "in", [3, 7])]], [{"field_name": "priority", "value": 3}])]
    load(tmp_path, rules=rules)
    assert statuses(tmp_path, "FAIR-011") == {Status.PASS}


def test_actions_tags_ticket_type_and_sla_inputs(tmp_path: Path) -> None:
    rules = [
        rule(
            1,
            "VIP",
            [[prop("company", "cf_vip", "is", True)]],
            [
                {"field_name": "add_tag", "value": ["vip"]},
                {"field_name": "ticket_type", "value": "Premium"},
                {"field_name": "send_email_to_group", "value": 4},
            ],
        )
    ]
    m = load(tmp_path, [policy(1, "Premium", 1, {"ticket_types": ["Premium"]})], rules)
    r = m.rules[0]
    assert {w.target for w in r.writes} == {"tag:vip", "ticket_type"}
    assert sorted(e.kind for e in r.effects) == ["notify", "sla"]
    fs = [f for f in check(routing=[tmp_path]).findings if f.rule_id == "FAIR-001" and f.status is Status.FAIL]
    assert fs and "company.cf_vip" in fs[0].message


def test_inactive_rule_is_noted_and_skipped(tmp_path: Path) -> None:
    rules = [
        rule(
            1,
            "Old social",
            [[prop("ticket", "source", "is", 5)]],
            [{"field_name": "priority", "value": 4}],
            active=False,
        )
    ]
    m = load(tmp_path, rules=rules)
    assert not m.rules[0].active and [d.code for d in m.diagnostics] == ["AR207"]
    assert Status.FAIL not in statuses(tmp_path, "FAIR-011")


def test_malformed_items_are_warnings_not_tracebacks(tmp_path: Path) -> None:
    bad = rule(1, "Broken", [[{"resource_type": "ticket"}]], [{"value": 3}])
    bad["conditions"].append("nonsense")
    m = load(tmp_path, rules=[bad, 17])
    assert {d.code for d in m.diagnostics} == {"AR202"} and len(m.diagnostics) == 4


# ---------------------------------------------------------------- detection


def test_detected_without_a_format_flag(tmp_path: Path) -> None:
    assert detect_format(ROOT / "examples" / "freshdesk-unfair") == "freshdesk"
    only_rules = write(tmp_path / "a" / "rules.json", [rule(1, "r", [[prop("ticket", "source", "is", 1)]], [])])
    assert is_freshdesk(only_rules) and detect_format(only_rules) == "freshdesk"
    only_sla = write(tmp_path / "b" / "sla.json", [policy(1, "p", 1, {})])
    assert detect_format(only_sla) == "freshdesk" and load_routing(only_sla).format == "freshdesk"
    assert detect_format(ROOT / "examples" / "zendesk-twotier") == "zendesk"
    assert not is_freshdesk(ROOT / "examples" / "taskrouter-vip" / "workflow.json")


@pytest.mark.parametrize(("example", "code"), [("freshdesk-unfair", 1), ("freshdesk-fair", 0)])
def test_demo_pair(example: str, code: int) -> None:
    report = check(routing=[ROOT / "examples" / example])
    assert report.exit_code("low") == code
    failing = {v.rule.id for v in report.verdicts if v.status is Status.FAIL}
    assert failing == ({"FAIR-001", "FAIR-002", "FAIR-011"} if code else set())


def test_webhook_action_is_noted_as_not_auditable(tmp_path: Path) -> None:
    hook = {"field_name": "trigger_webhook", "request_type": 1, "url": "https://crm.example/score", "content": {}}
    m = load(tmp_path, rules=[rule(1, "Score the customer", [], [hook])])
    (note,) = m.diagnostics
    assert note.code == "AR211" and "trigger_webhook" in note.message
    assert m.rules[0].effects == () and m.rules[0].writes == ()
