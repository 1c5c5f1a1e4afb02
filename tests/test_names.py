"""Names behind ids: Zendesk groups/brands/organizations and TaskRouter queues, on API-shaped fixtures.

The catalogs are the list responses as the APIs return them: Zendesk ``GET /api/v2/groups`` (offset
pages: ``count``, ``next_page``, ``previous_page``), ``/brands`` and ``/organizations`` (cursor pages:
``meta.has_more``, ``links.next``); Twilio ``GET /v1/Workspaces/{sid}/TaskQueues`` (``task_queues``
with ``meta.next_page_url``, ``meta.key``).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from auditrules.api import check
from auditrules.errors import AuditError
from auditrules.routing.detect import load_routing, load_routing_inputs
from auditrules.routing.model import RoutingModel, RoutingRule
from auditrules.routing.taskrouter import is_task_queues, load_taskrouter
from auditrules.routing.zendesk import is_zendesk, is_zendesk_catalog, load_zendesk

ROOT = Path(__file__).resolve().parents[1]
VIP, BILLING, GONE, MISSING = 360001234567, 360001234568, 360001234569, 360009999999
ZD = "https://acme.zendesk.com/api/v2"


def write(directory: Path, name: str, data: Any) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def group(ident: int, name: str, deleted: bool = False) -> dict[str, Any]:
    return {
        "url": f"{ZD}/groups/{ident}.json",
        "id": ident,
        "is_public": True,
        "name": name,
        "description": "",
        "default": False,
        "deleted": deleted,
        "created_at": "2024-01-15T14:30:00Z",
        "updated_at": "2024-03-04T09:12:44Z",
    }


def groups_pages(directory: Path, last_page: bool = True) -> None:
    """Two offset pages of ``GET /api/v2/groups?per_page=2``."""
    write(
        directory,
        "groups.json",
        {
            "groups": [group(VIP, "VIP desk"), group(BILLING, "Billing")],
            "next_page": f"{ZD}/groups.json?page=2&per_page=2",
            "previous_page": None,
            "count": 3,
        },
    )
    if last_page:
        write(
            directory,
            "groups-2.json",
            {
                "groups": [group(GONE, "Old escalations", deleted=True)],
                "next_page": None,
                "previous_page": f"{ZD}/groups.json?page=1&per_page=2",
                "count": 3,
            },
        )


def cursor_page(key: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        key: items,
        "meta": {"has_more": False, "after_cursor": "xYz", "before_cursor": "aBc"},
        "links": {"next": None, "prev": f"{ZD}/{key}.json?page[before]=aBc&page[size]=100"},
    }


BRANDS = cursor_page(
    "brands",
    [
        {
            "url": f"{ZD}/brands/360000111.json",
            "id": 360000111,
            "name": "Acme Pro",
            "brand_url": "https://pro.acme.com",
            "subdomain": "acmepro",
            "active": True,
            "default": False,
            "has_help_center": True,
        }
    ],
)
ORGS = cursor_page(
    "organizations",
    [
        {
            "url": f"{ZD}/organizations/361000222.json",
            "id": 361000222,
            "name": "Globex Corp",
            "domain_names": ["globex.example"],
            "tags": ["enterprise"],
            "group_id": None,
            "shared_tickets": False,
            "external_id": None,
            "organization_fields": {"account_tier": "gold"},
        }
    ],
)


def trigger(ident: int, title: str, conditions: list[dict[str, Any]], actions: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "url": f"{ZD}/triggers/{ident}.json",
        "id": ident,
        "title": title,
        "active": True,
        "position": ident,
        "conditions": {"all": conditions, "any": []},
        "actions": actions,
    }


TRIGGERS = {
    "triggers": [
        trigger(
            1,
            "VIPs to the VIP desk",
            [
                {"field": "current_tags", "operator": "includes", "value": "vip"},
                {"field": "brand_id", "operator": "is", "value": "360000111"},
            ],
            [
                {"field": "group_id", "value": str(VIP)},
                {"field": "notification_group", "value": [str(VIP), "VIP waiting", "{{ticket.url}}"]},
            ],
        ),
        trigger(
            2,
            "Globex to billing",
            [
                {"field": "organization_id", "operator": "is", "value": 361000222},
                {"field": "group_id", "operator": "is_not", "value": str(MISSING)},
            ],
            [{"field": "group_id", "value": str(MISSING)}, {"field": "group_id", "value": ""}],
        ),
        trigger(3, "Deleted group still routed to", [], [{"field": "group_id", "value": GONE}]),
    ],
    "next_page": None,
    "previous_page": None,
    "count": 3,
}
SLA = {
    "sla_policies": [
        {
            "url": f"{ZD}/slas/policies/1.json",
            "id": 1,
            "title": "VIP desk",
            "position": 1,
            "filter": {"all": [{"field": "group_id", "operator": "is", "value": VIP}], "any": []},
            "policy_metrics": [
                {"priority": "normal", "metric": "first_reply_time", "target": 60, "business_hours": False}
            ],
        }
    ],
    "next_page": None,
    "previous_page": None,
    "count": 1,
}


def export(directory: Path, catalogs: bool = True) -> Path:
    write(directory, "triggers.json", TRIGGERS)
    write(directory, "sla_policies.json", SLA)
    if catalogs:
        groups_pages(directory)
        write(directory, "brands.json", BRANDS)
        write(directory, "organizations.json", ORGS)
    return directory


def rule(model: RoutingModel, rid: str) -> RoutingRule:
    return next(r for r in model.rules if r.id == rid)


def line_of(path: Path, needle: str, nth: int = 0) -> int:
    lines = [i for i, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in text]
    return lines[nth]


# --- Zendesk --------------------------------------------------------------------------------------


def test_zendesk_ids_read_as_names_and_keep_the_id(tmp_path: Path) -> None:
    model = load_routing(export(tmp_path)).resolved()
    vip = rule(model, "trigger:1")
    assert [(e.kind, e.value) for e in vip.effects] == [
        ("group", f"VIP desk ({VIP})"),
        ("sla", f"group_id VIP desk ({VIP})"),  # the SLA filter reads group_id
        ("notify", f"notification_group VIP desk ({VIP})"),
    ]
    brand = next(rd for rd in vip.reads if rd.field == "brand_id")
    assert brand.text == "brand_id is Acme Pro (360000111)"
    assert brand.values == ("360000111",)  # value sets still match what the export writes
    globex = rule(model, "trigger:2")
    assert globex.reads[0].text == "organization_id is Globex Corp (361000222)"
    assert rule(model, "trigger:3").effects[0].value == f"Old escalations [deleted] ({GONE})"
    (policy,) = model.sla_policies
    assert policy.conditions == (f"group_id is VIP desk ({VIP})",)
    # locations stay line-exact: the condition's and the action's own lines
    triggers = tmp_path / "triggers.json"
    assert brand.location.line == line_of(triggers, '"field": "brand_id"') - 1
    assert vip.effects[0].location.line == line_of(triggers, '"field": "group_id"') - 1


def test_catalogs_are_inputs_of_the_export_and_not_skipped(tmp_path: Path) -> None:
    (model,) = load_routing_inputs(export(tmp_path))
    kinds = {Path(f.path).name: f.kind for f in model.inputs}
    assert kinds["groups.json"] == kinds["groups-2.json"] == "zendesk:groups"
    assert kinds["brands.json"] == "zendesk:brands"
    assert kinds["organizations.json"] == "zendesk:organizations"
    assert not [d for d in model.diagnostics if d.code == "AR204"]
    assert not model.gaps


def test_id_missing_from_a_present_catalog_is_noted_once(tmp_path: Path) -> None:
    model = load_routing(export(tmp_path)).resolved()
    notes = [d for d in model.diagnostics if d.code == "AR206"]
    assert [(d.level, d.message) for d in notes] == [
        ("warning", f"group {MISSING} is not in groups.json … groups-2.json; it is shown by its id")
    ]
    assert notes[0].location is not None
    # the first place naming it: trigger 2's condition (the object opens the line before its field)
    assert notes[0].location.line == line_of(tmp_path / "triggers.json", '"field": "group_id"', nth=1) - 1
    globex = rule(model, "trigger:2")
    assert globex.reads[1].text == f"group_id is_not {MISSING}"
    assert [e.value for e in globex.effects if e.kind == "group"] == [str(MISSING), '""']
    assert not model.gaps  # a name is for the reader: never a gap in the evidence


def test_without_catalogs_ids_stay_as_today(tmp_path: Path) -> None:
    model = load_routing(export(tmp_path, catalogs=False))
    assert rule(model, "trigger:1").effects[0].value == str(VIP)
    assert not [d for d in model.diagnostics if d.code == "AR206"]


def test_missing_catalog_page_is_a_warning_not_a_gap(tmp_path: Path) -> None:
    write(tmp_path, "triggers.json", TRIGGERS)
    groups_pages(tmp_path, last_page=False)
    model = load_routing(tmp_path)
    (note,) = [d for d in model.diagnostics if d.code == "AR212"]
    assert note.level == "warning"
    assert "count=3 but only 2 groups were found" in note.message
    assert not model.gaps
    assert rule(model, "trigger:3").effects[0].value == str(GONE)  # on the missing page: an id, noted


def test_catalogs_alone_are_not_an_export(tmp_path: Path) -> None:
    groups_pages(tmp_path)
    organizations = write(tmp_path, "organizations.json", ORGS)
    assert is_zendesk_catalog(tmp_path / "groups.json") and is_zendesk_catalog(organizations)
    assert not is_zendesk(organizations)  # "organization_fields": {...} inside an organization is a value
    assert not is_zendesk(tmp_path)
    with pytest.raises(AuditError) as err:
        load_routing(tmp_path)
    assert err.value.code == "AR204"
    with pytest.raises(AuditError) as err:
        load_zendesk([tmp_path])  # forced with --routing-format zendesk
    assert err.value.code == "AR204"


def test_names_do_not_change_verdicts(tmp_path: Path) -> None:
    named = tmp_path / "named"
    shutil.copytree(ROOT / "examples" / "zendesk-twotier", named)
    bare = tmp_path / "bare"
    shutil.copytree(named, bare)
    (bare / "groups.json").unlink()
    with_names, without = check(routing=[str(named)]), check(routing=[str(bare)])
    assert [(f.rule_id, f.status) for f in with_names.findings] == [(f.rule_id, f.status) for f in without.findings]
    messages = [f.message for f in with_names.findings]
    assert any("group VIP social desk (360000777)" in m for m in messages)
    chains = [f.evidence.to_json() for f in with_names.findings if f.rule_id == "FAIR-001"]
    assert any({"kind": "group", "value": "VIP social desk (360000777)"} in c.get("effects", []) for c in chains)


# --- TaskRouter -----------------------------------------------------------------------------------

WQ_VIP, WQ_ALL, WQ_GONE = "WQ" + "1a" * 16, "WQ" + "2b" * 16, "WQ" + "3c" * 16
WS = "WS" + "4d" * 16
TR = f"https://taskrouter.twilio.com/v1/Workspaces/{WS}"


def queue(sid: str, name: str) -> dict[str, Any]:
    return {
        "account_sid": "AC" + "0" * 32,
        "workspace_sid": WS,
        "sid": sid,
        "friendly_name": name,
        "target_workers": "1==1",
        "task_order": "FIFO",
        "max_reserved_workers": 1,
        "assignment_activity_sid": None,
        "reservation_activity_sid": None,
        "date_created": "2024-02-12T10:15:03Z",
        "date_updated": "2024-02-12T10:15:03Z",
        "url": f"{TR}/TaskQueues/{sid}",
        "links": {"statistics": f"{TR}/TaskQueues/{sid}/Statistics"},
    }


def queue_page(queues: list[dict[str, Any]], page: int, next_url: str | None) -> dict[str, Any]:
    return {
        "task_queues": queues,
        "meta": {
            "page": page,
            "page_size": 1,
            "first_page_url": f"{TR}/TaskQueues?PageSize=1&Page=0",
            "previous_page_url": None if page == 0 else f"{TR}/TaskQueues?PageSize=1&Page=0",
            "url": f"{TR}/TaskQueues?PageSize=1&Page={page}",
            "next_page_url": next_url,
            "key": "task_queues",
        },
    }


def workflow(directory: Path) -> Path:
    config = {
        "task_routing": {
            "filters": [
                {
                    "filter_friendly_name": "VIP",
                    "expression": "task.vip == true",
                    "targets": [{"queue": WQ_VIP, "priority": 10}, {"queue": WQ_GONE}, {"queue": "${QUEUE_SID}"}],
                }
            ],
            "default_filter": {"queue": WQ_ALL},
        }
    }
    return write(
        directory,
        "workflow.json",
        {"sid": "WW" + "5e" * 16, "friendly_name": "Inbound", "workspace_sid": WS, "configuration": json.dumps(config)},
    )


def test_taskrouter_queues_read_as_names(tmp_path: Path) -> None:
    wf = workflow(tmp_path)
    write(
        tmp_path,
        "task_queues.json",
        queue_page([queue(WQ_VIP, "VIP fast lane")], 0, f"{TR}/TaskQueues?PageSize=1&Page=1&PageToken=PAx"),
    )
    write(tmp_path, "task_queues-2.json", queue_page([queue(WQ_ALL, "Everyone")], 1, None))
    assert is_task_queues(tmp_path / "task_queues.json")
    (model,) = load_routing_inputs(tmp_path)
    vip, default = model.rules
    queues = [e.value for e in vip.effects if e.kind == "queue"]
    assert queues == [f"VIP fast lane ({WQ_VIP})", WQ_GONE, "${QUEUE_SID}"]
    assert default.effects[0].value == f"Everyone ({WQ_ALL})"
    assert [f.kind for f in model.inputs] == ["taskrouter:workflow", "taskrouter:task_queues", "taskrouter:task_queues"]
    notes = [(d.code, d.level, d.message) for d in model.diagnostics if d.code in ("AR204", "AR206", "AR212")]
    assert notes == [
        ("AR206", "warning", f"queue {WQ_GONE} is not in task_queues.json … task_queues-2.json; it is shown by its id")
    ]
    located = model.resolve(vip.effects[0].location)
    assert located.line == line_of(wf, '"configuration"')  # inside the configuration string, as before
    assert located.column is not None and located.note == "inside the configuration string"
    assert not model.gaps


def test_taskrouter_without_queue_catalog_or_last_page(tmp_path: Path) -> None:
    wf = workflow(tmp_path)
    assert load_taskrouter(wf).rules[1].effects[0].value == WQ_ALL  # no catalog: sids as today
    write(tmp_path, "task_queues.json", queue_page([queue(WQ_ALL, "Everyone")], 0, f"{TR}/TaskQueues?Page=1"))
    model = load_taskrouter(wf, [tmp_path / "task_queues.json"])
    assert model.rules[1].effects[0].value == f"Everyone ({WQ_ALL})"
    (note,) = [d for d in model.diagnostics if d.code == "AR212"]
    assert note.level == "warning" and "last page is missing" in note.message
    assert not model.gaps
    alone = tmp_path / "alone"
    write(alone, "task_queues.json", queue_page([queue(WQ_ALL, "Everyone")], 0, None))
    with pytest.raises(AuditError) as err:  # a queue list is no routing export by itself
        load_routing(alone)
    assert err.value.code == "AR204"
