"""Genesys Cloud adapter: ``GET /api/v2/routing/queues`` pages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditrules.api import check
from auditrules.findings import Status
from auditrules.routing.detect import detect_format
from auditrules.routing.genesys import is_genesys, load_genesys

ROOT = Path(__file__).resolve().parents[1]
DAY_MS = 86_400_000


def media(
    call: int | None = 20000, email: int | None = DAY_MS, message: int | None = 20000, pct: float = 0.8, **extra: Any
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, ms, alert in (
        ("call", call, 8),
        ("callback", call, 30),
        ("chat", call, 30),
        ("email", email, 300),
        ("message", message, 30),
    ):
        out[key] = {"enableAutoAnswer": False, "alertingTimeoutSeconds": alert}
        if ms is not None:
            out[key]["serviceLevel"] = {"percentage": pct, "durationMs": ms}
    out.update(extra)
    return out


def queue(qid: str, name: str, ms: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": qid,
        "name": name,
        "memberCount": 3,
        "mediaSettings": ms,
        "skillEvaluationMethod": "ALL",
        "bullseye": {"rings": [{"expansionCriteria": [{"type": "TIMEOUT_SECONDS", "threshold": 15}]}]},
        "routingRules": [],
        "selfUri": f"/api/v2/routing/queues/{qid}",
    }


def page(entities: list[Any], number: int = 1, count: int = 1, total: int | None = None) -> dict[str, Any]:
    return {
        "entities": entities,
        "pageSize": 25,
        "pageNumber": number,
        "total": len(entities) if total is None else total,
        "pageCount": count,
    }


def write(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def fair002(path: Path) -> list[Any]:
    return [f for f in check(routing=[path]).findings if f.rule_id == "FAIR-002"]


def test_media_settings_become_scoped_service_levels(tmp_path: Path) -> None:
    m = load_genesys([write(tmp_path / "queues.json", page([queue("q1", "Care", media())]))])
    by_channel = {p.channels[0]: p for p in m.sla_policies}  # type: ignore[index]
    assert set(by_channel) == {"phone", "callback", "chat", "email", "messaging"}  # message → messaging
    email = by_channel["email"].targets[0]
    assert (email.metric, email.seconds, email.share) == ("service_level", 86400.0, 0.8)
    assert all(p.scope == "queue 'Care'" for p in m.sla_policies)
    assert m.format == "genesys" and m.has_sla_data and not m.has_priority_data


def test_alerting_timeout_is_not_an_sla_target(tmp_path: Path) -> None:
    ms = media(call=None, email=None, message=None)  # alertingTimeoutSeconds only
    m = load_genesys([write(tmp_path / "queues.json", page([queue("q1", "Care", ms)]))])
    assert m.sla_policies == ()
    assert all(t.seconds not in (8.0, 30.0, 300.0) for p in m.sla_policies for t in p.targets)


def test_defaults_flag_message_against_email_but_not_voice_against_email(tmp_path: Path) -> None:
    path = write(tmp_path / "queues.json", page([queue("q1", "Care", media())]))
    fails = [f for f in fair002(path) if f.status is Status.FAIL]
    assert len(fails) == 1
    (f,) = fails
    assert f.evidence["channel_class"] == "async" and f.evidence["scope"] == "queue 'Care'"
    assert "messaging: 80% within 20s" in f.message and "email: 80% within 24h" in f.message
    text = path.read_text(encoding="utf-8").splitlines()
    lines = {loc.line for loc in f.locations}
    assert all('"durationMs"' in text[line - 1] for line in lines)  # line-exact: the durationMs values


def test_equal_written_promises_pass(tmp_path: Path) -> None:
    path = write(
        tmp_path / "queues.json", page([queue("q1", "Care", media(email=4 * 3_600_000, message=4 * 3_600_000))])
    )
    assert {f.status for f in fair002(path)} == {Status.PASS}


def test_percentage_is_part_of_the_promise(tmp_path: Path) -> None:
    ms = media(email=3_600_000, message=3_600_000)
    ms["message"]["serviceLevel"]["percentage"] = 95  # written as a percent
    m = load_genesys([write(tmp_path / "q.json", page([queue("q1", "Care", ms)]))])
    assert {p.channels[0]: p.targets[0].share for p in m.sla_policies}["messaging"] == 0.95  # type: ignore[index]
    assert any(f.status is Status.FAIL for f in fair002(tmp_path / "q.json"))


def test_queues_are_compared_within_themselves(tmp_path: Path) -> None:
    care = queue("q1", "Care", media(email=3_600_000, message=3_600_000))
    vip = queue("q2", "VIP", media(email=600_000, message=600_000, call=5000))
    path = write(tmp_path / "queues.json", page([care, vip]))
    assert {f.status for f in fair002(path)} == {Status.PASS}


def test_missing_page_is_partial_evidence(tmp_path: Path) -> None:
    write(tmp_path / "pages" / "queues-1.json", page([queue("q1", "Care", media(message=DAY_MS))], 1, 3, 60))
    write(tmp_path / "pages" / "queues-3.json", page([queue("q3", "Other", media(message=DAY_MS))], 3, 3, 60))
    report = check(routing=[tmp_path / "pages"])
    (note,) = [d for d in report.diagnostics if d.code == "AR212"]
    assert note.level == "error" and "page(s) 2 are missing" in note.message
    assert report.exit_code("low") == 1  # nothing fails, but the evidence is partial
    (verdict,) = [v for v in report.verdicts if v.rule.id == "FAIR-002"]
    assert verdict.status is Status.INCONCLUSIVE  # would pass on the pages seen: never passed


def test_total_larger_than_the_queues_found_is_partial(tmp_path: Path) -> None:
    m = load_genesys([write(tmp_path / "q.json", page([queue("q1", "Care", media())], 1, 1, total=30))])
    (note,) = [d for d in m.diagnostics if d.code == "AR212"]
    assert "total=30 but only 1" in note.message


def test_complete_page_set_and_cli_array_and_single_queue(tmp_path: Path) -> None:
    write(tmp_path / "pages" / "p1.json", page([queue("q1", "A", media())], 1, 2, 2))
    write(tmp_path / "pages" / "p2.json", page([queue("q2", "B", media())], 2, 2, 2))
    m = load_genesys([tmp_path / "pages"])
    assert not [d for d in m.diagnostics if d.code == "AR212"] and len(m.sla_policies) == 10
    cli = write(tmp_path / "cli.json", [queue("q1", "A", media()), queue("q2", "B", media())])  # gc --autopaginate
    assert len(load_genesys([cli]).sla_policies) == 10
    one = write(tmp_path / "one.json", queue("q1", "A", media()))  # GET /api/v2/routing/queues/{id}
    assert {p.location.pointer for p in load_genesys([one]).sla_policies} >= {"/mediaSettings/message"}


def test_queues_alone_leave_rules_and_priority_not_evaluated(tmp_path: Path) -> None:
    path = write(tmp_path / "q.json", page([queue("q1", "Care", media(message=DAY_MS))]))
    report = check(routing=[path])
    verdicts = {v.rule.id: v.status for v in report.verdicts}
    assert verdicts["FAIR-001"] is Status.NOT_EVALUATED and verdicts["FAIR-011"] is Status.NOT_EVALUATED
    assert any(d.code == "AR211" and "Architect" in d.message for d in report.diagnostics)


def test_unknown_media_type_is_noted(tmp_path: Path) -> None:
    ms = media(workitem={"alertingTimeoutSeconds": 30, "serviceLevel": {"percentage": 0.8, "durationMs": 1000}})
    m = load_genesys([write(tmp_path / "q.json", page([queue("q1", "Care", ms)]))])
    assert any(d.code == "AR202" and "workitem" in d.message for d in m.diagnostics)


def test_detection(tmp_path: Path) -> None:
    assert detect_format(ROOT / "examples" / "genesys-unfair" / "queues.json") == "genesys"
    assert detect_format(ROOT / "examples" / "genesys-fair") == "genesys"
    assert not is_genesys(ROOT / "examples" / "zendesk-twotier")
    assert detect_format(ROOT / "examples" / "zendesk-twotier") == "zendesk"


@pytest.mark.parametrize(("example", "code"), [("genesys-unfair", 1), ("genesys-fair", 0)])
def test_demo_pair(example: str, code: int) -> None:
    report = check(routing=[ROOT / "examples" / example])
    assert report.exit_code("low") == code
    failing = {v.rule.id for v in report.verdicts if v.status is Status.FAIL}
    assert failing == ({"FAIR-001", "FAIR-002", "FAIR-011"} if code else set())


# ---------------------------------------------------------------- Architect flows (archy YAML)

FLOW = """inboundCall:
  name: Main
  division: Home
  startUpRef: "/inboundCall/tasks/task[Route_10]"
  tasks:
    - task:
        name: Route
        refId: Route_10
        actions:
          - getParticipantData:
              name: CRM
              attributes:
                - attribute:
                    name:
                      lit: FollowerCount
                    variable: Flow.Followers
          - updateData:
              name: Flag
              statements:
                - boolean:
                    variable: Flow.IsLoud
                    value:
                      exp: Flow.Followers > 10000
          - decision:
              name: Loud?
              condition:
                exp: Flow.IsLoud
              outputs:
                yes:
                  actions:
                    - transferToAcd:
                        name: Fast lane
                        targetQueue:
                          lit:
                            name: VIP
                        priority:
                          lit: 10
                no:
                  actions:
                    - transferToAcd:
                        name: Normal
                        targetQueue:
                          lit:
                            name: Care
                        priority:
                          lit: 0
"""


def test_architect_flow_traces_participant_data_through_variables(tmp_path: Path) -> None:
    (tmp_path / "main.yaml").write_text(FLOW, encoding="utf-8")
    assert detect_format(tmp_path / "main.yaml") == "genesys"
    m = load_genesys([tmp_path / "main.yaml"])
    transfers = [r for r in m.rules if r.kind == "architect transfer"]
    assert [r.channels for r in transfers] == [("phone",), ("phone",)]
    assert [[(e.kind, e.value) for e in r.effects] for r in transfers] == [
        [("queue", "VIP"), ("priority", "10")],
        [("queue", "Care")],  # priority 0 is Genesys' default: no effect
    ]
    assert m.has_priority_data and not m.has_sla_data
    (f,) = [
        f
        for f in check(routing=[tmp_path / "main.yaml"]).findings
        if f.rule_id == "FAIR-001" and f.status is Status.FAIL and "Fast lane" in f.message
    ]
    assert "participant.FollowerCount" in f.message
    lines = FLOW.splitlines()
    assert any("lit: FollowerCount" in lines[loc.line - 1] for loc in f.locations if loc.line)


def test_architect_priority_expression_is_inconclusive_not_passed(tmp_path: Path) -> None:
    flow = FLOW.replace("lit: 10", "exp: Flow.Followers / 1000")
    (tmp_path / "main.yaml").write_text(flow, encoding="utf-8")
    (tmp_path / "chat.yaml").write_text(
        "inboundChat:\n  name: Chat\n  states:\n    - state:\n        name: S\n        actions:\n"
        "          - transferToAcd:\n              name: To care\n              targetQueue:\n"
        "                lit:\n                  name: Care\n",
        encoding="utf-8",
    )
    statuses = {f.status for f in check(routing=[tmp_path]).findings if f.rule_id == "FAIR-011"}
    assert Status.INCONCLUSIVE in statuses and Status.PASS not in statuses


def test_data_action_is_noted_as_not_auditable(tmp_path: Path) -> None:
    flow = FLOW.replace(
        "          - updateData:",
        "          - callData:\n              name: Score lookup\n              outputs:\n"
        "                score:\n                  var: Flow.Score\n          - updateData:",
    )
    (tmp_path / "main.yaml").write_text(flow, encoding="utf-8")
    m = load_genesys([tmp_path / "main.yaml"])
    assert any(d.code == "AR211" and "Score lookup" in d.message for d in m.diagnostics)
    (rule,) = [r for r in m.rules if r.kind == "architect callData"]
    assert [w.target for w in rule.writes] == ["Flow.Score"] and rule.reads[-1].field == "external.Score lookup"
