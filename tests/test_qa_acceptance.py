"""Acceptance checks written as a new user would: privileged values in Freshdesk and Genesys exports.

Each export is shaped like the vendor's own (Freshdesk ``GET /api/v2/automations/1/rules``, an
Architect flow from ``archy export``) and routes on a *value* (``customer_type is VIP``, a company
``tier`` of Gold, ``Flow.Segment == "celebrity"``): FAIR-009 must fail, never pass.
"""

from __future__ import annotations

import json
from pathlib import Path

from auditrules.api import check
from auditrules.findings import Status

ARCHITECT = """\
# archy export --flowName "Front door" --flowType inboundcall --exportType yaml
inboundCall:
  name: Front door
  division: Home
  startUpRef: "/inboundCall/tasks/task[Route_10]"
  defaultLanguage: en-us
  tasks:
    - task:
        name: Route
        refId: Route_10
        actions:
          - getParticipantData:
              name: Segment from CRM
              attributes:
                - attribute:
                    name:
                      lit: Segment
                    variable: Flow.Segment
          - decision:
              name: Celebrity?
              condition:
                exp: Flow.Segment == "celebrity"
              outputs:
                yes:
                  actions:
                    - transferToAcd:
                        name: Straight to the senior desk
                        targetQueue:
                          lit:
                            name: Senior Care
                        priority:
                          lit: 50
                no:
                  actions:
                    - transferToAcd:
                        name: Everyone else
                        targetQueue:
                          lit:
                            name: Customer Care
"""


def fair009(path: Path) -> list[Status]:
    return [f.status for f in check(routing=[path]).findings if f.rule_id == "FAIR-009"]


def test_freshdesk_contact_value_vip_fails_fair009(tmp_path: Path) -> None:
    rules = [
        {
            "id": 60001,
            "name": "VIP contacts to senior",
            "position": 1,
            "active": True,
            "automation_type_id": 1,
            "outdated": False,
            "conditions": [
                {
                    "name": "condition_set_1",
                    "match_type": "any",
                    "properties": [
                        {"resource_type": "contact", "field_name": "customer_type", "operator": "is", "value": "VIP"},
                        {"resource_type": "company", "field_name": "cf_tier", "operator": "in", "value": ["Gold"]},
                    ],
                }
            ],
            "actions": [{"field_name": "group_id", "value": 7001}, {"field_name": "priority", "value": 4}],
            "summary": {"conditions": {}, "actions": []},
        }
    ]
    (tmp_path / "ticket_creation_rules.json").write_text(json.dumps(rules, indent=2), encoding="utf-8")
    statuses = fair009(tmp_path)
    assert Status.PASS not in statuses and statuses.count(Status.FAIL) == 2


def test_genesys_architect_value_comparison_fails_fair009(tmp_path: Path) -> None:
    (tmp_path / "front-door.yaml").write_text(ARCHITECT, encoding="utf-8")
    assert Status.FAIL in fair009(tmp_path)  # privileged_labels; status_tiers (no tier here) may pass


CANONICAL = """\
auditrules: routing/v1
channels: [email, chat, phone]
rules:
  - id: billing
    when: channel == "email" and product == "billing"
    route: {group: billing}
"""

KLOUT_TRIGGER = {
    "trigger": {
        "url": "https://shop.zendesk.com/api/v2/triggers/7201.json",
        "id": 7201,
        "title": "Klout",
        "active": True,
        "position": 1,
        "conditions": {
            "all": [{"field": "requester.custom_fields.klout_score", "operator": "greater_than", "value": "50"}],
            "any": [],
        },
        "actions": [{"field": "priority", "value": "urgent"}],
    }
}


def test_subdirectory_of_a_routing_directory_is_named_not_silently_skipped(tmp_path: Path) -> None:
    """An export unpacked as ``export/routing.yaml`` + ``export/zendesk/trigger.json``: the nested
    export is not read, so it must be named as a gap; FAIR-001 may not pass and the run exits 1."""
    (tmp_path / "routing.yaml").write_text(CANONICAL, encoding="utf-8")
    (tmp_path / "zendesk").mkdir()
    (tmp_path / "zendesk" / "trigger.json").write_text(json.dumps(KLOUT_TRIGGER, indent=2), encoding="utf-8")
    (tmp_path / "images").mkdir()  # a folder with no JSON or YAML in it: a warning only
    (tmp_path / "images" / "logo.png").write_bytes(b"\x89PNG")
    report = check(routing=[tmp_path])
    notes = {d.location.path: d.level for d in report.diagnostics if d.code == "AR204" and d.location}
    assert notes == {str(tmp_path / "zendesk"): "error", str(tmp_path / "images"): "warning"}
    assert Status.PASS not in {f.status for f in report.findings if f.rule_id == "FAIR-001"}
    assert report.exit_code("low") == 1


def test_directory_of_ticket_files_given_as_routing_gets_the_tickets_hint(tmp_path: Path) -> None:
    """``--routing exports/`` where the folder holds a Zendesk ticket export (CSV, Parquet) only."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from auditrules.errors import AuditError

    (tmp_path / "tickets.csv").write_text("id,via_channel,created_at\n1,email,2025-01-02T10:00:00Z\n", encoding="utf-8")
    pq.write_table(pa.table({"id": [1], "channel": ["chat"]}), tmp_path / "tickets.parquet")
    try:
        check(routing=[tmp_path])
    except AuditError as err:
        assert err.code == "AR204" and err.hint is not None and "--tickets" in err.hint
        assert "tickets.csv" in err.hint and "tickets.parquet" in err.hint
    else:
        raise AssertionError("a directory without routing exports must be AR204")
