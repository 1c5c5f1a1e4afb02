"""A routing `pass` means the evidence was complete, understood, non-empty and fair.

Each test reproduces a way real exports gave a false pass (issue: routing verdicts that hold on
real exports), on data shaped like the vendor's API responses: Zendesk triggers, SLA policies and
field catalogs with their page envelopes (``next_page``/``count``, ``meta.has_more``/``links.next``),
Fivetran-style warehouse rows, and Twilio TaskRouter Workflow resources.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditrules.api import Report, check
from auditrules.findings import Status
from auditrules.routing.universe import DeclaredChannels

# ------------------------------------------------------------------ vendor-shaped builders

STAMP = "2024-05-02T10:00:00Z"


def trigger(
    ident: int,
    title: str,
    conditions: list[dict[str, Any]],
    actions: list[dict[str, Any]],
    position: int = 0,
    active: bool = True,
) -> dict[str, Any]:
    return {
        "url": f"https://acme.zendesk.com/api/v2/triggers/{ident}.json",
        "id": ident,
        "title": title,
        "raw_title": title,
        "active": active,
        "position": position,
        "conditions": {"all": conditions, "any": []},
        "actions": actions,
        "description": None,
        "created_at": STAMP,
        "updated_at": STAMP,
        "default": False,
        "category_id": "10026",
    }


def cond(field: str, operator: str, value: Any) -> dict[str, Any]:
    return {"field": field, "operator": operator, "value": value}


def sla_policy(ident: int, title: str, filt: dict[str, Any], minutes: int = 60, position: int = 0) -> dict[str, Any]:
    return {
        "url": f"https://acme.zendesk.com/api/v2/slas/policies/{ident}.json",
        "id": ident,
        "title": title,
        "description": "",
        "position": position,
        "filter": filt,
        "policy_metrics": [
            {"priority": p, "metric": "first_reply_time", "target": minutes, "business_hours": False}
            for p in ("low", "normal", "high", "urgent")
        ],
        "created_at": STAMP,
        "updated_at": STAMP,
    }


def offset_page(key: str, items: list[Any], count: int | None = None, next_page: str | None = None) -> dict[str, Any]:
    return {key: items, "next_page": next_page, "previous_page": None, "count": len(items) if count is None else count}


def cursor_page(key: str, items: list[Any], more: bool) -> dict[str, Any]:
    after = "eyJvIjoiaWQiLCJ2IjoiYVFBQUFBQUFBQUFBIn0=" if more else None
    nxt = f"https://acme.zendesk.com/api/v2/{key}.json?page[size]=100&page[after]={after}" if more else None
    return {
        key: items,
        "meta": {"has_more": more, "after_cursor": after, "before_cursor": None},
        "links": {"prev": None, "next": nxt},
    }


def write(directory: Path, name: str, data: Any) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def workflow(filters: list[dict[str, Any]], default_queue: str = "WQdefault") -> dict[str, Any]:
    config = {"task_routing": {"filters": filters, "default_filter": {"queue": default_queue}}}
    return {
        "account_sid": "AC" + "0" * 32,
        "workspace_sid": "WS" + "1" * 32,
        "sid": "WW" + "2" * 32,
        "friendly_name": "Support",
        "assignment_callback_url": None,
        "fallback_assignment_callback_url": None,
        "task_reservation_timeout": 120,
        "document_content_type": "application/json",
        "configuration": json.dumps(config),
        "date_created": STAMP,
        "date_updated": STAMP,
        "url": "https://taskrouter.twilio.com/v1/Workspaces/WS/Workflows/WW",
        "links": {},
    }


ROUTE = [cond("update_type", "is", "Create"), cond("ticket_type_id", "is", "2")]
ACT = [{"field": "group_id", "value": "360000501"}]


def statuses(report: Report, rule_id: str) -> list[Status]:
    return [f.status for f in report.findings if f.rule_id == rule_id]


def verdict(report: Report, rule_id: str) -> Status:
    return next(v.status for v in report.verdicts if v.rule.id == rule_id)


# ------------------------------------------------------------------ 1. the channel universe


def test_a_twitter_only_sla_is_not_every_channel(tmp_path: Path) -> None:
    social = {"all": [cond("via_id", "includes", [30, 38])], "any": []}
    write(tmp_path, "sla_policies.json", offset_page("sla_policies", [sla_policy(1, "Social", social)]))
    report = check(routing=[tmp_path])
    fair2 = [f for f in report.findings if f.rule_id == "FAIR-002"]
    uncovered = sorted(f.evidence["channel"] for f in fair2 if "channel" in f.evidence)
    assert uncovered == ["chat", "email", "phone", "web"]
    assert all("zendesk default channel list" in f.evidence["channels_source"] for f in fair2)
    assert report.exit_code("low") == 1


def test_an_inactive_trigger_naming_email_does_not_shrink_the_channels(tmp_path: Path) -> None:
    old = trigger(9, "Old email rule", [cond("current_via_id", "is", 4)], ACT, active=False)
    write(tmp_path, "triggers.json", offset_page("triggers", [old]))
    email = {"all": [cond("via_id", "is", 4)], "any": []}
    write(tmp_path, "sla_policies.json", offset_page("sla_policies", [sla_policy(1, "Email", email)]))
    report = check(routing=[tmp_path])
    assert verdict(report, "FAIR-002") is Status.FAIL
    judged = {f.evidence.get("channel") for f in report.findings if f.rule_id == "FAIR-002"}
    assert {"chat", "phone", "twitter", "facebook", "web"} <= judged


def test_declared_channels_from_the_policy_the_caller_and_the_export(tmp_path: Path) -> None:
    email = {"all": [cond("via_id", "is", 4)], "any": []}
    write(tmp_path / "zd", "sla_policies.json", offset_page("sla_policies", [sla_policy(1, "Email", email)]))
    rules = tmp_path / "own.rules"
    rules.write_text(
        'define channels = channels "email", "mail"\n'
        'rule OWN-1 "cover" {\n  severity high\n  sla must cover every channel\n}\n',
        encoding="utf-8",
    )
    (passed,) = check(rules=[rules], routing=[tmp_path / "zd"]).findings
    assert passed.status is Status.PASS and passed.evidence["channels"] == ["email"]
    assert "define channels" in passed.message and "own.rules:1" in passed.evidence["channels_source"]
    declared = DeclaredChannels(("email", "whatsapp"), "auditrules.yaml channels:")
    report = check(routing=[tmp_path / "zd"], declared_channels=declared)
    fair2 = [f for f in report.findings if f.rule_id == "FAIR-002"]
    assert {f.evidence.get("channel") for f in fair2 if f.status is Status.FAIL} >= {"whatsapp"}
    assert all(f.evidence["channels_source"] == "auditrules.yaml channels:" for f in fair2)


def test_ticket_channels_join_the_universe(tmp_path: Path) -> None:
    routing = tmp_path / "routing.yaml"
    routing.write_text(
        "auditrules: routing/v1\nchannels: [email, phone]\n"
        "sla:\n  - name: All\n    channels: [email, phone]\n    targets: {first_response: 8h}\n",
        encoding="utf-8",
    )
    tickets = tmp_path / "tickets.csv"
    rows = ["ticket_id,created_at,channel,priority,status,first_response_at,outcome"]
    rows += [
        f"{i},2024-01-01 10:00:00,{ch},normal,solved,2024-01-01 11:00:00,resolved"
        for i, ch in enumerate(["email", "phone", "whatsapp"] * 3)
    ]
    tickets.write_text("\n".join(rows) + "\n", encoding="utf-8")
    report = check(routing=[routing], tickets=[str(tickets)])
    failing = [f for f in report.findings if f.rule_id == "FAIR-002" and f.status is Status.FAIL]
    assert any(f.message == "no SLA policy covers channel whatsapp" for f in failing)
    assert "seen in the ticket data" in failing[0].evidence["channels_source"]


# ------------------------------------------------------------------ 2-4. nothing, part, or a copy


def test_sla_policies_alone_do_not_pass_routing_rules(tmp_path: Path) -> None:
    write(tmp_path, "sla_policies.json", offset_page("sla_policies", [sla_policy(1, "All", {"all": [], "any": []})]))
    report = check(routing=[tmp_path])
    (finding,) = [f for f in report.findings if f.rule_id == "FAIR-001"]
    assert finding.status is Status.NOT_EVALUATED and "no active routing rule" in finding.message


@pytest.mark.parametrize("pages", ["cursor", "offset-count", "offset-next"])
def test_missing_pages_are_never_a_pass_and_exit_1(tmp_path: Path, pages: str) -> None:
    first = [trigger(1, "Incidents", ROUTE, ACT)]
    if pages == "cursor":
        write(tmp_path, "triggers-1.json", cursor_page("triggers", first, more=True))
        write(tmp_path, "triggers-2.json", cursor_page("triggers", [trigger(2, "Billing", ROUTE, ACT, 1)], more=True))
    elif pages == "offset-count":
        write(tmp_path, "triggers-1.json", offset_page("triggers", first, count=240, next_page="https://x/p2"))
    else:
        write(tmp_path, "triggers-1.json", {"triggers": first, "next_page": "https://x/p2", "previous_page": None})
    report = check(routing=[tmp_path])
    (finding,) = [f for f in report.findings if f.rule_id == "FAIR-001"]
    assert finding.status is Status.INCONCLUSIVE
    assert "missing triggers pages" in finding.message
    assert "AR212" in {d.code for d in report.diagnostics}
    assert report.exit_code("low") == 1
    assert report.exit_code("high") == 1


def test_missing_sla_pages_make_sla_parity_inconclusive(tmp_path: Path) -> None:
    everyone = sla_policy(1, "All", {"all": [], "any": []})
    write(tmp_path, "sla_policies.json", cursor_page("sla_policies", [everyone], more=True))
    write(tmp_path, "triggers.json", offset_page("triggers", [trigger(1, "Incidents", ROUTE, ACT)]))
    report = check(routing=[tmp_path])
    assert set(statuses(report, "FAIR-002")) == {Status.INCONCLUSIVE}
    assert statuses(report, "FAIR-001") == [Status.PASS]  # the trigger pages are complete


def fivetran_rows() -> list[dict[str, Any]]:
    """Fivetran's zendesk ``sla_policy_metric_history``: one row per policy version × metric × priority."""
    out = []
    for updated, minutes in (("2023-01-01 00:00:00", 1440), ("2024-03-01 00:00:00", 480)):
        for prio in ("low", "normal", "high", "urgent"):
            out.append(
                {
                    "sla_policy_id": 360000111,
                    "title": "Standard",
                    "metric": "first_reply_time",
                    "priority": prio,
                    "target": minutes,
                    "business_hours": False,
                    "sla_policy_updated_at": updated,
                    "_fivetran_synced": "2024-06-01 02:00:00",
                }
            )
    return out


def test_warehouse_copies_are_not_judged_for_channel_parity(tmp_path: Path) -> None:
    write(tmp_path, "sla_policy_metric_history.json", fivetran_rows())
    report = check(routing=[tmp_path])
    fair2 = [f for f in report.findings if f.rule_id == "FAIR-002"]
    assert {f.status for f in fair2} == {Status.NOT_EVALUATED}
    assert "without their filters" in fair2[0].message
    from auditrules.routing.detect import load_routing

    (policy,) = load_routing(tmp_path).sla_policies
    assert not policy.filter_known and {t.seconds for t in policy.targets} == {480 * 60.0}
    assert any("older versions are ignored" in d.message for d in report.diagnostics if d.code == "AR211")


# ------------------------------------------------------------------ 5. privileged values


@pytest.mark.parametrize(
    "when",
    [
        'customer_type == "VIP"',
        'segment in ("celebrity", "press")',
        'customer.segment == "influencer"',
        'status == "Gold"',
    ],
)
def test_privileged_values_fail_the_standard_pack(tmp_path: Path, when: str) -> None:
    path = tmp_path / "routing.yaml"
    path.write_text(
        f"auditrules: routing/v1\nchannels: [email]\nrules:\n  - id: r\n    when: '{when}'\n"
        "    route: {queue: fast}\n",
        encoding="utf-8",
    )
    report = check(routing=[path])
    assert verdict(report, "FAIR-009") is Status.FAIL


def test_contact_flow_branch_on_a_vvip_value(tmp_path: Path) -> None:
    wf = workflow(
        [
            {
                "filter_friendly_name": "VVIP",
                "expression": "AssignedFlow == 'GM-VVIP'",
                "targets": [{"queue": "WQvip", "priority": 100}],
            }
        ]
    )
    report = check(routing=[write(tmp_path, "workflow.json", wf)])
    (fail,) = [f for f in report.findings if f.rule_id == "FAIR-009" and f.status is Status.FAIL]
    assert "GM-VVIP" in fail.message


def test_a_paid_plan_is_not_a_privileged_label(tmp_path: Path) -> None:
    plan = trigger(1, "Gold support plan", [cond("organization.custom_fields.support_plan", "is", "gold")], ACT)
    write(tmp_path, "triggers.json", offset_page("triggers", [plan]))
    assert verdict(check(routing=[tmp_path]), "FAIR-009") is Status.PASS


# ------------------------------------------------------------------ 6. TaskRouter


def test_park_steps_are_delays_in_sla_parity(tmp_path: Path) -> None:
    wf = workflow(
        [
            {
                "filter_friendly_name": "Email waits",
                "expression": "task.channel == 'email'",
                "targets": [{"queue": "WQmail", "expression": "1==0", "timeout": 3600}, {"queue": "WQmail"}],
            },
            {"filter_friendly_name": "Everything else", "expression": "1==1", "targets": [{"queue": "WQall"}]},
        ]
    )
    report = check(routing=[write(tmp_path, "workflow.json", wf)])
    warns = [f for f in report.findings if f.rule_id == "FAIR-002" and f.status is Status.WARN]
    (warn,) = warns
    assert "'Email waits'" in warn.message and "1h" in warn.message and "task.channel == 'email'" in warn.message
    assert warn.evidence["seconds"] == 3600


def test_filters_without_targets_or_expression_get_a_note(tmp_path: Path) -> None:
    wf = workflow(
        [
            {"filter_friendly_name": "Nowhere", "expression": "task.type == 'x'", "targets": []},
            {"filter_friendly_name": "All", "targets": [{"queue": "WQ"}]},
        ]
    )
    report = check(routing=[write(tmp_path, "workflow.json", wf)])
    messages = [d.message for d in report.diagnostics]
    assert any("'Nowhere' has no targets" in m for m in messages)
    assert any("'All' has no expression: it matches every task" in m for m in messages)


# ------------------------------------------------------------------ 7. inputs


def test_single_resources_as_the_api_returns_them(tmp_path: Path) -> None:
    one = trigger(1, "VIPs", [cond("requester_twitter_followers_count", "greater_than", "5000")], ACT)
    write(tmp_path, "trigger.json", {"trigger": one})
    write(tmp_path, "sla_policy.json", {"sla_policy": sla_policy(2, "All", {"all": [], "any": []})})
    report = check(routing=[tmp_path])
    assert verdict(report, "FAIR-001") is Status.FAIL
    assert statuses(report, "FAIR-002") == [Status.PASS, Status.PASS]


def test_a_directory_holding_canonical_yaml(tmp_path: Path) -> None:
    (tmp_path / "routing.yaml").write_text(
        "auditrules: routing/v1\nchannels: [email]\nrules:\n  - id: r\n    when: customer.klout_score > 40\n"
        "    route: {queue: fast}\n",
        encoding="utf-8",
    )
    assert verdict(check(routing=[tmp_path]), "FAIR-001") is Status.FAIL


def test_a_directory_mixing_formats_reads_every_file_and_names_the_rest(tmp_path: Path) -> None:
    (tmp_path / "routing.yaml").write_text("auditrules: routing/v1\nchannels: [email]\nrules: []\n", encoding="utf-8")
    write(
        tmp_path,
        "workflow.json",
        workflow([{"filter_friendly_name": "Klout", "expression": "klout > 40", "targets": [{"queue": "WQ"}]}]),
    )
    write(tmp_path, "triggers.json", offset_page("triggers", [trigger(1, "Incidents", ROUTE, ACT)]))
    (tmp_path / "notes.md").write_text("# export notes\n", encoding="utf-8")
    report = check(routing=[tmp_path])
    kinds = {i.kind for i in report.inputs}
    assert {"routing:canonical", "taskrouter:workflow", "zendesk:triggers"} <= kinds
    assert any("notes.md" in d.message and d.code == "AR204" and d.level == "warning" for d in report.diagnostics)
    fair1 = [f for f in report.findings if f.rule_id == "FAIR-001"]
    assert any(f.status is Status.FAIL and f.message.startswith(str(tmp_path / "workflow.json")) for f in fair1)


def test_a_file_holding_two_formats_is_read_by_both(tmp_path: Path) -> None:
    both = offset_page("triggers", [trigger(1, "Incidents", ROUTE, ACT)])
    both["task_routing"] = {
        "filters": [{"filter_friendly_name": "Klout", "expression": "klout > 40", "targets": [{"queue": "WQ"}]}]
    }
    report = check(routing=[write(tmp_path, "export.json", both)])
    assert {"zendesk:triggers", "taskrouter:configuration"} <= {i.kind for i in report.inputs}
    assert verdict(report, "FAIR-001") is Status.FAIL


def test_an_unknown_json_in_the_export_directory_is_a_gap(tmp_path: Path) -> None:
    write(tmp_path, "triggers.json", offset_page("triggers", [trigger(1, "Incidents", ROUTE, ACT)]))
    write(tmp_path, "groups.json", {"groups": [{"id": 1, "name": "Tier 2"}]})  # names ids: part of the export
    assert statuses(check(routing=[tmp_path]), "FAIR-001") == [Status.PASS]
    write(tmp_path, "ticket_forms.json", {"ticket_forms": [{"id": 1, "name": "Refunds"}]})  # no adapter reads it
    report = check(routing=[tmp_path])
    assert statuses(report, "FAIR-001") == [Status.INCONCLUSIVE]
    assert report.exit_code("low") == 1


@pytest.mark.parametrize("name", ["tickets.parquet", "tickets.csv"])
def test_ticket_files_given_as_routing_get_a_hint(tmp_path: Path, name: str) -> None:
    from auditrules.errors import AuditError

    path = tmp_path / name
    path.write_bytes(b"PAR1" if name.endswith("parquet") else b"ticket_id,channel\n1,email\n")
    with pytest.raises(AuditError) as info:
        check(routing=[path])
    assert info.value.code == "AR204" and info.value.hint is not None and "--tickets" in info.value.hint


# ------------------------------------------------------------------ 8. reports


def test_several_inputs_each_finding_names_its_input(tmp_path: Path) -> None:
    a = write(tmp_path / "a", "triggers.json", offset_page("triggers", [trigger(1, "Incidents", ROUTE, ACT)]))
    b = tmp_path / "b.yaml"
    b.write_text(
        'auditrules: routing/v1\nchannels: [email]\nrules:\n  - id: r\n    when: product == "x"\n'
        "    route: {queue: q}\n",
        encoding="utf-8",
    )
    report = check(routing=[a.parent, b])
    fair1 = [f for f in report.findings if f.rule_id == "FAIR-001"]
    assert len(fair1) == 2
    assert {f.message.split(":")[0] for f in fair1} == {str(a), str(b)}


def test_policies_with_the_same_title_are_shown_with_their_ids(tmp_path: Path) -> None:
    twitter = {"all": [cond("via_id", "is", 30)], "any": []}
    email = {"all": [cond("via_id", "is", 4)], "any": []}
    write(
        tmp_path,
        "sla_policies.json",
        offset_page(
            "sla_policies",
            [
                sla_policy(11, "Standard", twitter, minutes=60),
                sla_policy(12, "Standard", email, minutes=1440, position=1),
            ],
        ),
    )
    report = check(routing=[tmp_path])
    unequal = [f for f in report.findings if f.rule_id == "FAIR-002" and "differs" in f.message]
    assert unequal and "'Standard' (id 11)" in unequal[0].message and "'Standard' (id 12)" in unequal[0].message


# ------------------------------------------------------------------ Done means: no pass from what was not understood


def _unresolved(tmp: Path) -> Path:
    t = trigger(1, "Custom", [cond("custom_fields_360009999", "is", "a")], ACT)
    return write(tmp, "triggers.json", offset_page("triggers", [t])).parent


def _unparseable_expression(tmp: Path) -> Path:
    return write(
        tmp,
        "workflow.json",
        workflow([{"filter_friendly_name": "Broken", "expression": "language ==", "targets": [{"queue": "WQ"}]}]),
    )


def _unreadable_configuration(tmp: Path) -> Path:
    wf = workflow([])
    wf["configuration"] = '{"task_routing": {"filters": [}'
    return write(tmp, "workflow.json", wf)


def _no_routing_rules(tmp: Path) -> Path:
    return write(tmp, "sla_policies.json", offset_page("sla_policies", [])).parent


def _no_sla_policies(tmp: Path) -> Path:
    return write(tmp, "triggers.json", offset_page("triggers", [trigger(1, "Incidents", ROUTE, ACT)])).parent


def _missing_pages(tmp: Path) -> Path:
    write(tmp, "triggers.json", cursor_page("triggers", [trigger(1, "Incidents", ROUTE, ACT)], more=True))
    return write(tmp, "sla_policies.json", cursor_page("sla_policies", [sla_policy(1, "All", {})], more=True)).parent


def _warehouse_copy(tmp: Path) -> Path:
    return write(tmp, "sla_policy_metric_history.json", fivetran_rows()).parent


def _unknown_file(tmp: Path) -> Path:
    write(tmp, "triggers.json", offset_page("triggers", [trigger(1, "Incidents", ROUTE, ACT)]))
    write(tmp, "sla_policies.json", offset_page("sla_policies", [sla_policy(1, "All", {"all": [], "any": []})]))
    return write(tmp, "ticket_forms.json", {"ticket_forms": [{"id": 1, "name": "Default"}]}).parent


def _only_inactive_rules(tmp: Path) -> Path:
    t = trigger(1, "Old", ROUTE, ACT, active=False)
    return write(tmp, "triggers.json", offset_page("triggers", [t])).parent


# (name, build, rule, what the rule concerns, must the run exit non-zero)
EVIDENCE_GAPS = [
    ("no routing rules", _no_routing_rules, "FAIR-001", False),
    ("only inactive routing rules", _only_inactive_rules, "FAIR-001", False),
    ("no SLA policies", _no_sla_policies, "FAIR-002", False),
    ("missing pages (rules)", _missing_pages, "FAIR-001", True),
    ("missing pages (SLA)", _missing_pages, "FAIR-002", True),
    ("unresolved field ids", _unresolved, "FAIR-001", False),
    ("unresolved field ids (value sets)", _unresolved, "FAIR-009", False),
    ("warehouse copies", _warehouse_copy, "FAIR-002", False),
    ("unknown file in the export", _unknown_file, "FAIR-001", True),
    ("unknown file in the export (SLA)", _unknown_file, "FAIR-002", True),
    ("TaskRouter expression that does not parse", _unparseable_expression, "FAIR-001", True),
    ("TaskRouter configuration that is not JSON", _unreadable_configuration, "FAIR-001", True),
]


@pytest.mark.parametrize(("name", "build", "rule_id", "partial"), EVIDENCE_GAPS, ids=[g[0] for g in EVIDENCE_GAPS])
def test_partial_empty_or_not_understood_evidence_never_passes(
    tmp_path: Path, name: str, build: Any, rule_id: str, partial: bool
) -> None:
    report = check(routing=[build(tmp_path)])
    found = [f for f in report.findings if f.rule_id == rule_id]
    assert found, name
    assert Status.PASS not in {f.status for f in found}, [(f.status, f.message) for f in found]
    assert verdict(report, rule_id) in (Status.NOT_EVALUATED, Status.INCONCLUSIVE, Status.FAIL, Status.WARN)
    for f in found:
        if f.status in (Status.NOT_EVALUATED, Status.INCONCLUSIVE):
            assert len(f.message) > 20  # says why
    if partial:
        assert report.exit_code("low") == 1 and report.exit_code("high") == 1
    data = report.to_json()
    assert all(f["status"] != "pass" for f in data["findings"] if f["rule_id"] == rule_id)


def test_an_unreadable_file_exits_2(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from auditrules.cli import cli

    bad = tmp_path / "triggers.json"
    bad.write_text('{"triggers": [', encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", "--routing", str(bad)])
    assert result.exit_code == 2 and "error[AR205]" in result.stderr


def test_other_auditrules_documents_in_the_directory_are_not_gaps(tmp_path: Path) -> None:
    write(tmp_path, "triggers.json", offset_page("triggers", [trigger(1, "Incidents", ROUTE, ACT)]))
    (tmp_path / "waivers.yaml").write_text("auditrules: waivers/v1\nwaivers: []\n", encoding="utf-8")
    report = check(routing=[tmp_path])
    assert statuses(report, "FAIR-001") == [Status.PASS]
    (note,) = [d for d in report.diagnostics if "waivers.yaml" in d.message]
    assert note.level == "warning"
