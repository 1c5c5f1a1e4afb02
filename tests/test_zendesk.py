"""Zendesk adapter: API JSON exports (files, directories, pages) → RoutingModel."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from auditrules.errors import AuditError
from auditrules.lang.parser import parse_policy
from auditrules.routing.model import RoutingModel, RoutingRule
from auditrules.routing.universe import channel_universe
from auditrules.routing.zendesk import OPERATORS, VALUELESS, is_zendesk, load_zendesk


def write(directory: Path, name: str, data: Any, indent: int | None = 2) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(json.dumps(data, indent=indent), encoding="utf-8")
    return path


def cond(field: str, operator: str, value: Any = None) -> dict[str, Any]:
    return {"field": field, "operator": operator, "value": value}


def trigger(
    ident: int,
    title: str,
    all_: Sequence[Any] = (),
    any_: Sequence[Any] = (),
    actions: Sequence[Any] = (),
    position: int | None = None,
    active: bool = True,
) -> dict[str, Any]:
    return {
        "id": ident,
        "title": title,
        "active": active,
        "position": ident if position is None else position,
        "conditions": {"all": list(all_), "any": list(any_)},
        "actions": list(actions),
    }


def load(tmp_path: Path, **files: Any) -> RoutingModel:
    for name, data in files.items():
        write(tmp_path, f"{name}.json", data)
    return load_zendesk([tmp_path])


def rule(model: RoutingModel, rid: str) -> RoutingRule:
    return next(r for r in model.rules if r.id == rid)


FIELDS = {
    "ticket_fields": [
        {"id": 10, "type": "priority", "title": "Priority", "removable": False},
        {"id": 360001234, "type": "integer", "title": "Klout score", "removable": True},
        {
            "id": 360002002,
            "type": "tagger",
            "title": "Customer tier",
            "removable": True,
            "custom_field_options": [{"id": 1, "name": "Gold", "value": "tier_gold"}],
        },
        {"id": 360002003, "type": "checkbox", "title": "Press contact", "tag": "press", "removable": True},
    ]
}
USER_FIELDS = {"user_fields": [{"id": 77, "key": "klout_score", "title": "Klout score"}]}
ORG_FIELDS = {"organization_fields": [{"id": 88, "key": "account_tier", "title": "Account tier"}]}


# --- conditions -----------------------------------------------------------------------------------


@pytest.mark.parametrize("operator", sorted(OPERATORS))
def test_every_operator_reads_its_field(tmp_path: Path, operator: str) -> None:
    value = None if operator in VALUELESS else "5000"
    model = load(
        tmp_path,
        triggers={
            "triggers": [
                trigger(
                    1,
                    "t",
                    all_=[cond("requester_twitter_followers_count", operator, value)],
                    actions=[{"field": "group_id", "value": "5"}],
                )
            ]
        },
    )
    (read,) = rule(model, "trigger:1").reads
    assert read.field == "requester_twitter_followers_count"
    expected = f"requester_twitter_followers_count {operator}" + ("" if value is None else " 5000")
    assert read.text == expected
    assert read.location.pointer == "/triggers/0/conditions/all/0"
    assert read.location.line is None  # resolved lazily, when a finding or golden file needs it
    assert (model.resolve(read.location).line, model.resolve(read.location).column) == (10, 11)


@pytest.mark.parametrize("operator", ["includes", "not_includes", "is", "is_not"])
def test_tag_conditions_read_each_tag(tmp_path: Path, operator: str) -> None:
    model = load(
        tmp_path,
        triggers={
            "triggers": [
                trigger(1, "t", all_=[cond("current_tags", operator, "vip  gold")]),
                trigger(2, "u", any_=[cond("current_tags", operator, ["press", "vip"])]),
            ]
        },
    )
    assert [r.field for r in rule(model, "trigger:1").reads] == ["tag:vip", "tag:gold"]
    assert {r.text for r in rule(model, "trigger:1").reads} == {f"current_tags {operator} vip  gold"}
    assert [r.field for r in rule(model, "trigger:2").reads] == ["tag:press", "tag:vip"]
    assert rule(model, "trigger:2").reads[0].location.pointer == "/triggers/1/conditions/any/0"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("96", "96"),
        (96, "96"),
        (96.0, "96"),
        (True, "true"),
        (False, "false"),
        (None, "null"),
        ("", '""'),
        (["a", 1, None], "[a, 1, null]"),
    ],
)
def test_values_of_every_json_type(tmp_path: Path, value: Any, text: str) -> None:
    model = load(tmp_path, triggers={"triggers": [trigger(1, "t", all_=[cond("status", "is", value)])]})
    assert rule(model, "trigger:1").reads[0].text == f"status is {text}"


def test_time_based_automation_reads_time_not_influence(tmp_path: Path) -> None:
    model = load(
        tmp_path,
        automations={
            "automations": [
                trigger(
                    5,
                    "Close solved",
                    all_=[
                        cond("SOLVED", "greater_than", "96"),
                        cond("PENDING", "is", 24),
                        cond("hours_since_assigned", "less_than", 8),
                    ],
                    actions=[{"field": "status", "value": "closed"}],
                )
            ]
        },
    )
    auto = rule(model, "automation:5")
    assert auto.kind == "automation"
    assert [r.field for r in auto.reads] == ["hours_since_solved", "hours_since_pending", "hours_since_assigned"]
    assert auto.reads[0].text == "hours_since_solved (SOLVED) greater_than 96"
    assert [(e.kind, e.value) for e in auto.effects] == [("status", "closed")]
    assert model.field_names["SOLVED"] == "hours_since_solved"


def test_via_conditions_name_channels(tmp_path: Path) -> None:
    model = load(
        tmp_path,
        triggers={
            "triggers": [
                trigger(1, "t", all_=[cond("via_id", "is", 30)]),
                trigger(
                    2, "u", any_=[cond("via_id", "is", "4"), cond("via_id", "is_not", 38), cond("via_id", "is", "chat")]
                ),
            ]
        },
    )
    assert rule(model, "trigger:1").reads[0].field == "channel"
    assert rule(model, "trigger:1").reads[0].text == "via_id is 30 (twitter)"
    assert model.channels == ("chat", "email", "facebook", "twitter")


def test_default_channels_when_none_are_named(tmp_path: Path) -> None:
    model = load(tmp_path, triggers={"triggers": [trigger(1, "t", all_=[cond("status", "is", "new")])]})
    assert model.channels == ()
    universe = channel_universe(parse_policy("", "p.rules"), model)
    assert universe.channels == ("chat", "email", "facebook", "phone", "twitter", "web")
    assert "zendesk default channel list" in universe.source


# --- field catalogs -------------------------------------------------------------------------------


def test_custom_fields_resolve_through_catalogs(tmp_path: Path) -> None:
    model = load(
        tmp_path,
        ticket_fields=FIELDS,
        user_fields=USER_FIELDS,
        organization_fields=ORG_FIELDS,
        triggers={
            "triggers": [
                trigger(
                    1,
                    "t",
                    all_=[
                        cond("custom_fields_360001234", "greater_than", 50),
                        cond("ticket_fields_360001234", "less_than", 99),
                        cond("requester.custom_fields.klout_score", "greater_than", "40"),
                        cond("requester.custom_fields.77", "present"),
                        cond("organization.custom_fields.account_tier", "is", "gold"),
                    ],
                )
            ]
        },
    )
    reads = rule(model, "trigger:1").reads
    assert [r.field for r in reads] == [
        "klout_score",
        "klout_score",
        "requester.klout_score",
        "requester.klout_score",
        "organization.account_tier",
    ]
    assert reads[0].text == "klout_score (custom_fields_360001234) greater_than 50"
    assert reads[3].text == "requester.klout_score (requester.custom_fields.77) present"
    assert model.field_names["custom_fields_360001234"] == "klout_score"
    assert model.field_names["requester.custom_fields.klout_score"] == "requester.klout_score"
    assert model.field_names["organization.custom_fields.account_tier"] == "organization.account_tier"
    assert "custom_fields_10" not in model.field_names  # a system field is never a custom field
    assert not model.diagnostics


def test_unresolved_custom_field_keeps_raw_name_and_warns_once(tmp_path: Path) -> None:
    model = load(
        tmp_path,
        ticket_fields=FIELDS,
        triggers={
            "triggers": [
                trigger(1, "t", all_=[cond("custom_fields_999", "is", "x")]),
                trigger(2, "u", all_=[cond("custom_fields_999", "is", "y")]),
            ]
        },
    )
    assert rule(model, "trigger:1").reads[0].field == "custom_fields_999"
    (diag,) = model.diagnostics
    assert (diag.code, diag.level) == ("AR206", "warning")
    assert "custom field 999" in diag.message
    assert diag.location is not None and diag.location.pointer == "/triggers/0/conditions/all/0"


# --- actions --------------------------------------------------------------------------------------


def test_actions_become_effects_and_writes(tmp_path: Path) -> None:
    model = load(
        tmp_path,
        ticket_fields=FIELDS,
        triggers={
            "triggers": [
                trigger(
                    1,
                    "t",
                    actions=[
                        {"field": "group_id", "value": "360000777"},
                        {"field": "assignee_id", "value": 42},
                        {"field": "priority", "value": "urgent"},
                        {"field": "ticket_form_id", "value": "9"},
                        {"field": "status", "value": "open"},
                        {"field": "set_schedule", "value": "3"},
                        {"field": "set_tags", "value": "vip gold"},
                        {"field": "current_tags", "value": ["fast"]},
                        {"field": "remove_tags", "value": "slow"},
                        {"field": "custom_fields_360001234", "value": "80"},
                        {"field": "custom_fields_360002002", "value": "tier_gold"},
                        {"field": "custom_fields_360002003", "value": True},
                        {"field": "notification_user", "value": ["requester_id", "Got it", "We are on it"]},
                        {"field": "notification_user", "value": ["assignee_id", "VIP", "Hurry"]},
                        {"field": "notification_group", "value": ["360000777", "VIP", "Hurry"]},
                        {"field": "notification_webhook", "value": ["01GZ", '{"ticket": 1}']},
                        {"field": "notification_target", "value": ["123", "page the social team"]},
                        {"field": "comment_value", "value": "Thanks"},
                    ],
                )
            ]
        },
    )
    r = rule(model, "trigger:1")
    assert [(e.kind, e.value) for e in r.effects] == [
        ("group", "360000777"),
        ("assignee", "42"),
        ("priority", "urgent"),
        ("form", "9"),
        ("status", "open"),
        ("sla", "3"),
        ("notify", "notification_user assignee_id"),
        ("notify", "notification_group 360000777"),
        ("notify", "notification_webhook 01GZ"),
        ("notify", "notification_target 123"),
    ]
    assert [w.target for w in r.writes] == [
        "tag:vip",
        "tag:gold",
        "tag:fast",
        "tag:slow",
        "klout_score",
        "customer_tier",
        "tag:tier_gold",
        "press_contact",
        "tag:press",
    ]
    assert r.writes[3].text == "remove_tags slow"
    assert r.effects[0].location.pointer == "/triggers/0/actions/0"


def test_actions_feeding_an_sla_filter_are_sla_effects(tmp_path: Path) -> None:
    model = load(
        tmp_path,
        triggers={
            "triggers": [
                trigger(
                    1,
                    "t",
                    actions=[
                        {"field": "type", "value": "incident"},
                        {"field": "current_tags", "value": "premium_sla"},
                    ],
                )
            ]
        },
        sla_policies={
            "sla_policies": [
                {
                    "id": 1,
                    "title": "Incidents",
                    "position": 1,
                    "filter": {
                        "all": [cond("ticket_type_id", "is", 2), cond("current_tags", "includes", "premium_sla")]
                    },
                    "policy_metrics": [],
                }
            ]
        },
    )
    assert [(e.kind, e.value) for e in rule(model, "trigger:1").effects] == [
        ("sla", "type incident"),
        ("sla", "tag premium_sla"),
    ]


def test_views_read_but_do_not_route_and_macros_route(tmp_path: Path) -> None:
    model = load(
        tmp_path,
        views={
            "views": [
                {
                    "id": 3,
                    "title": "VIPs",
                    "active": True,
                    "position": 0,
                    "conditions": {"all": [cond("current_tags", "includes", "vip")], "any": []},
                    "execution": {"columns": []},
                }
            ]
        },
        macros={
            "macros": [
                {
                    "id": 4,
                    "title": "Escalate",
                    "active": True,
                    "position": 0,
                    "actions": [{"field": "group_id", "value": "7"}],
                }
            ]
        },
    )
    view, macro = rule(model, "view:3"), rule(model, "macro:4")
    assert (view.kind, view.routes, [r.field for r in view.reads]) == ("view", False, ["tag:vip"])
    assert (macro.kind, macro.routes, macro.reads) == ("macro", True, ())


def test_inactive_triggers_are_kept_and_reported(tmp_path: Path) -> None:
    model = load(
        tmp_path,
        triggers={
            "triggers": [
                trigger(
                    1,
                    "Old VIP lane",
                    all_=[cond("requester_twitter_verified", "is", True)],
                    actions=[{"field": "priority", "value": "high"}],
                    active=False,
                ),
            ]
        },
    )
    r = rule(model, "trigger:1")
    assert r.active is False and r.reads[0].field == "requester_twitter_verified"
    (diag,) = model.diagnostics
    assert diag.code == "AR207" and diag.level == "warning"
    assert "'Old VIP lane'" in diag.message and "inactive" in diag.message
    assert diag.location is not None and diag.location.pointer == "/triggers/0"


# --- files and pages ------------------------------------------------------------------------------


def test_offset_pages_are_merged_in_position_order(tmp_path: Path) -> None:
    base = "https://x.zendesk.com/api/v2/triggers.json"
    write(
        tmp_path,
        "zz-first.json",
        {
            "triggers": [trigger(1, "a"), trigger(2, "b")],
            "next_page": f"{base}?page=2",
            "previous_page": None,
            "count": 5,
        },
    )
    write(
        tmp_path,
        "aa-second.json",
        {
            "triggers": [trigger(3, "c"), trigger(4, "d")],
            "next_page": f"{base}?page=3",
            "previous_page": f"{base}?page=1",
            "count": 5,
        },
    )
    write(
        tmp_path,
        "page3.json",
        {
            "triggers": [trigger(5, "e"), trigger(2, "b")],  # a repeated item
            "next_page": None,
            "previous_page": f"{base}?page=2",
            "count": 5,
        },
        indent=None,
    )
    model = load_zendesk([tmp_path])
    assert [r.id for r in model.rules] == [f"trigger:{i}" for i in range(1, 6)]
    assert [r.order for r in model.rules] == [0, 1, 2, 3, 4]
    assert len(model.inputs) == 3 and {i.kind for i in model.inputs} == {"zendesk:triggers"}
    assert not model.diagnostics


def test_missing_offset_page_is_reported(tmp_path: Path) -> None:
    write(
        tmp_path,
        "triggers-page-1.json",
        {
            "triggers": [trigger(1, "a")],
            "count": 3,
            "next_page": "https://x/api/v2/triggers.json?page=2",
            "previous_page": None,
        },
    )
    model = load_zendesk([tmp_path])
    (diag,) = model.diagnostics
    assert diag.code == "AR212" and diag.level == "error" and "count=3" in diag.message and "only 1" in diag.message


def test_cursor_pages_are_merged(tmp_path: Path) -> None:
    nxt = "https://x.zendesk.com/api/v2/automations?page%5Bafter%5D=xyz&page%5Bsize%5D=2"
    write(
        tmp_path,
        "automations-1.json",
        {
            "automations": [trigger(11, "a", all_=[cond("NEW", "greater_than", 1)])],
            "meta": {"has_more": True, "after_cursor": "xyz", "before_cursor": "abc"},
            "links": {"next": nxt, "prev": None},
        },
    )
    write(
        tmp_path,
        "automations-2.json",
        {
            "automations": [trigger(12, "b", all_=[cond("OPEN", "greater_than", 2)])],
            "meta": {"has_more": False, "after_cursor": None, "before_cursor": "def"},
            "links": {"next": None},
        },
    )
    model = load_zendesk([tmp_path])
    assert [r.id for r in model.rules] == ["automation:11", "automation:12"]
    assert not model.diagnostics


def test_cursor_export_without_its_last_page_is_reported(tmp_path: Path) -> None:
    write(
        tmp_path,
        "a.json",
        {
            "automations": [trigger(11, "a")],
            "meta": {"has_more": True, "after_cursor": "x"},
            "links": {"next": "https://x/next"},
        },
    )
    (diag,) = load_zendesk([tmp_path]).diagnostics
    assert diag.code == "AR212" and diag.level == "error" and "has_more" in diag.message


def test_kind_comes_from_top_level_key_not_file_name(tmp_path: Path) -> None:
    write(tmp_path, "sla_policies.json", {"triggers": [trigger(1, "really a trigger")]})
    write(tmp_path, "export-0001.json", {"trigger": trigger(2, "single resource")})
    model = load_zendesk([tmp_path])
    assert [r.id for r in model.rules] == ["trigger:1", "trigger:2"]
    assert model.sla_policies == ()


def test_single_files_and_unrelated_json(tmp_path: Path) -> None:
    trig = write(tmp_path, "t.json", {"triggers": [trigger(1, "a")]})
    write(tmp_path, "package.json", {"name": "not zendesk"})
    assert len(load_zendesk([trig]).rules) == 1
    model = load_zendesk([tmp_path])
    assert [d.code for d in model.diagnostics] == ["AR204"]
    with pytest.raises(AuditError) as info:
        load_zendesk([tmp_path / "package.json"])
    assert info.value.code == "AR204"


def test_empty_directory_missing_path_and_bad_json(tmp_path: Path) -> None:
    with pytest.raises(AuditError) as info:
        load_zendesk([tmp_path])
    assert info.value.code == "AR204"
    with pytest.raises(AuditError) as info:
        load_zendesk([tmp_path / "nope"])
    assert info.value.code == "AR001"
    (tmp_path / "triggers.json").write_text('{"triggers": [', encoding="utf-8")
    with pytest.raises(AuditError) as info:
        load_zendesk([tmp_path])
    assert info.value.code == "AR205"


def test_malformed_conditions_are_warnings_not_tracebacks(tmp_path: Path) -> None:
    model = load(
        tmp_path,
        triggers={
            "triggers": [
                {
                    "id": 1,
                    "title": "odd",
                    "conditions": {"all": [{"operator": "is"}, "x"], "any": "nope"},
                    "actions": "x",
                },
                "not an object",
            ]
        },
    )
    assert [r.id for r in model.rules] == ["trigger:1"]
    assert {d.code for d in model.diagnostics} == {"AR202"}
    assert len(model.diagnostics) == 5


def test_is_zendesk(tmp_path: Path) -> None:
    write(tmp_path, "views.json", {"views": []})
    write(tmp_path / "other", "workflow.json", {"task_routing": {"filters": []}})
    assert is_zendesk(tmp_path) and is_zendesk(tmp_path / "views.json")
    assert not is_zendesk(tmp_path / "other") and not is_zendesk(tmp_path / "other" / "workflow.json")


# --- SLA policies ---------------------------------------------------------------------------------


def metrics(target: Any = 60, metric: str = "first_reply_time") -> list[dict[str, Any]]:
    return [
        {"priority": p, "metric": metric, "target": target, "business_hours": False}
        for p in ("low", "normal", "high", "urgent")
    ]


def policy(ident: int, title: str, filt: Any, policy_metrics: Any = None) -> dict[str, Any]:
    return {
        "id": ident,
        "title": title,
        "position": ident,
        "filter": filt,
        "policy_metrics": metrics() if policy_metrics is None else policy_metrics,
    }


def test_sla_filters_restrict_channels(tmp_path: Path) -> None:
    model = load(
        tmp_path,
        sla_policies={
            "sla_policies": [
                policy(1, "Twitter", {"all": [cond("via_id", "is", 30)], "any": []}),
                policy(2, "Email or web", {"all": [], "any": [cond("via_id", "is", 4), cond("via_id", "is", "0")]}),
                policy(3, "Not social", {"all": [cond("via_id", "is_not", 30), cond("via_id", "not_includes", [38])]}),
                policy(4, "Chat list", {"all": [cond("via_id", "includes", [29, "26"])]}),
                policy(5, "Everyone", {"all": [], "any": []}),
                policy(6, "No filter at all", None),
                policy(7, "Incidents", {"all": [cond("ticket_type_id", "is", 2)], "any": []}),
                policy(
                    8, "Twitter or VIP", {"any": [cond("via_id", "is", 30), cond("current_tags", "includes", "vip")]}
                ),
            ]
        },
    )
    got = {p.name: (p.channels, p.conditions) for p in model.sla_policies}
    assert got["Twitter"] == (("twitter",), ())
    assert got["Email or web"] == (("email", "web"), ())
    assert got["Not social"] == (None, ())
    not_social = next(p for p in model.sla_policies if p.name == "Not social")
    assert not_social.excluded == ("facebook", "twitter")
    assert not not_social.applies_to("twitter") and not_social.applies_to("whatsapp")
    assert got["Chat list"] == (("chat", "twitter"), ())
    assert got["Everyone"] == (None, ())
    assert got["No filter at all"] == (None, ())
    assert got["Incidents"] == (None, ("ticket_type_id is 2 (incident)",))
    assert got["Twitter or VIP"] == (
        None,
        ("any of: via_id is 30 (twitter); current_tags includes vip",),
    )
    assert [p.order for p in model.sla_policies] == list(range(8))


def test_sla_targets_in_seconds_with_canonical_metrics(tmp_path: Path) -> None:
    model = load(
        tmp_path,
        sla_policies={
            "sla_policies": [
                policy(
                    1,
                    "All",
                    {"all": []},
                    [
                        {"priority": "Urgent", "metric": "first_reply_time", "target": 60, "business_hours": True},
                        {"priority": "urgent", "metric": "next_reply_time", "target": "120", "business_hours": "false"},
                        {"priority": "urgent", "metric": "agent_work_time", "target": 1440.0, "business_hours": False},
                        {"priority": "urgent", "metric": "requester_wait_time", "target_in_seconds": 900, "target": 15},
                        {"priority": "urgent", "metric": "periodic_update_time", "target": 30, "business_hours": False},
                        {"priority": "urgent", "metric": "brand_new_metric", "target": 5, "business_hours": False},
                        {"priority": "urgent", "metric": "first_reply_time", "target": "soon", "business_hours": False},
                    ],
                )
            ]
        },
    )
    (pol,) = model.sla_policies
    assert [(t.metric, t.priority, t.seconds, t.business_hours) for t in pol.targets] == [
        ("first_response", "urgent", 3600.0, True),
        ("next_reply", "urgent", 7200.0, False),
        ("resolution", "urgent", 86400.0, False),
        ("requester_wait", "urgent", 900.0, False),
        ("periodic_update", "urgent", 1800.0, False),
        ("brand_new_metric", "urgent", 300.0, False),
    ]
    (diag,) = model.diagnostics
    assert (diag.code, diag.level) == ("AR202", "error") and "'soon'" in diag.message
    assert diag.location is not None and diag.location.pointer == "/sla_policies/0/policy_metrics/6"


def test_warehouse_sla_rows_keep_their_priorities(tmp_path: Path) -> None:
    write(
        tmp_path,
        "sla_policy_metric.json",
        [
            {
                "sla_policy_id": 9,
                "title": "Standard",
                "metric": "first_reply_time",
                "priority": "medium",
                "target": 240,
                "business_hours": True,
            },
            {
                "sla_policy_id": 9,
                "title": "Standard",
                "metric": "first_reply_time",
                "priority": "high",
                "target": 60,
                "business_hours": True,
            },
        ],
    )
    model = load_zendesk([tmp_path])
    (pol,) = model.sla_policies
    assert pol.channels is None
    assert [(t.priority, t.seconds) for t in pol.targets] == [("medium", 14400.0), ("high", 3600.0)]
    assert [d.code for d in model.diagnostics] == ["AR211"]


def test_two_tier_example(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parents[1] / "examples" / "zendesk-twotier"
    model = load_zendesk([example])
    tagger = next(r for r in model.rules if r.name == "Tag influencers")
    assert {r.field for r in tagger.reads} >= {"requester_twitter_followers_count", "requester.klout_score"}
    assert [w.target for w in tagger.writes] == ["tag:vip"]
    escalate = next(r for r in model.rules if r.name == "Escalate VIPs to social team")
    assert "tag:vip" in {r.field for r in escalate.reads}
    assert {e.kind for e in escalate.effects} == {"group", "priority", "notify"}
    assert {p.channels for p in model.sla_policies} == {("twitter",), ("email", "web")}


def test_channels_come_from_the_one_vocabulary() -> None:
    from auditrules.channels import ALIASES, ZENDESK_VIA_IDS, canonical_channel
    from auditrules.routing.zendesk import via_channel

    for via_id, channel in ZENDESK_VIA_IDS.items():
        assert via_channel(via_id) == via_channel(str(via_id)) == channel
    for spelling in ALIASES:
        assert via_channel(spelling) == canonical_channel(spelling)
    assert via_channel(45) == "phone" and via_channel(8) == "via_8" and via_channel("Some Thing") == "some_thing"


def test_repeated_conditions_and_actions_keep_their_own_places(tmp_path: Path) -> None:
    """What a condition or action says is worked out once per distinct one; each occurrence still
    reads, writes and routes at its own place, and a notification counts by its recipient only."""
    same = [cond("status", "is", "new"), cond("via_id", "is", 4)]
    acts = [
        {"field": "group_id", "value": "361000001"},
        {"field": "current_tags", "value": "vip gold"},
        {"field": "custom_fields_360000001", "value": True},
    ]
    notify = {"field": "notification_group", "value": ["361000001", "subject one", "body"]}
    renotify = {"field": "notification_group", "value": ["361000001", "subject two", "other body"]}
    fields = {"ticket_fields": [{"id": 360000001, "type": "checkbox", "title": "VIP", "tag": "vip_box"}]}
    model = load(
        tmp_path,
        ticket_fields=fields,
        triggers={
            "triggers": [
                trigger(1, "A", same, actions=[*acts, notify]),
                trigger(2, "B", same, actions=[*acts, renotify]),
            ]
        },
    )
    a, b = rule(model, "trigger:1"), rule(model, "trigger:2")
    assert [r.text for r in a.reads] == [r.text for r in b.reads]
    assert [w.text for w in a.writes] == [w.text for w in b.writes]
    assert [(e.kind, e.value) for e in a.effects] == [(e.kind, e.value) for e in b.effects]
    assert [w.target for w in a.writes] == ["tag:vip", "tag:gold", "vip", "tag:vip_box"]
    assert ("notify", "notification_group 361000001") in [(e.kind, e.value) for e in b.effects]
    for first, second in [
        *zip(a.reads, b.reads, strict=True),
        *zip(a.writes, b.writes, strict=True),
        *zip(a.effects, b.effects, strict=True),
    ]:
        assert first.location.pointer is not None and second.location.pointer is not None
        assert first.location.pointer.replace("/triggers/0/", "/triggers/1/") == second.location.pointer
    assert a.channels == b.channels == ("email",)


@pytest.mark.parametrize(
    "raw",
    [
        "custom_fields_360000001",
        "ticket_fields_7",
        "custom_fields_12\n",
        "custom_fields_12\n\n",
        "custom_fields_",
        "custom_fields_\u0661\u0662",
        "custom_fields_\u00b2",
        "custom_fields_1a",
        "Custom_fields_1",
        " custom_fields_1",
        "requester.custom_fields.plan",
    ],
)
def test_custom_field_ids_are_read_as_the_pattern_reads_them(raw: str) -> None:
    import re

    from auditrules.routing.zendesk import _custom_id

    m = re.match(r"^(?:custom_fields|ticket_fields)_(\d+)$", raw)
    assert _custom_id(raw) == (m.group(1) if m else None)
