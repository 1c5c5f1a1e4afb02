"""Hostile routing inputs: type-confused values in every adapter never produce an internal error.

Property tests (hypothesis) put arbitrary JSON values (huge integers, non-finite floats, odd
Unicode digits, nested lists and objects) where the Zendesk, TaskRouter and canonical adapters
expect strings, numbers or lists, and run the whole check. The only acceptable outcomes are a
report or an :class:`AuditError` (one ``error[ARnnn]`` line). The named cases below are the
hostile inputs a fuzzing campaign found; each gets its code and location.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from auditrules.api import check
from auditrules.errors import AuditError
from auditrules.evidence import evidence_from_json
from auditrules.findings import Status

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(["²", "١٢", "1e400", "", " ", "-1", "4", "30", "via_id", "*", "[]", "{}", "true"])
)
JUNK = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=10,
)
FIELDS = st.sampled_from(
    [
        "via_id",
        "current_via_id",
        "current_tags",
        "custom_fields_1",
        "requester.custom_fields.segment",
        "status",
        "priority",
        "group_id",
        "set_tags",
        "NEW",
        "ticket_type_id",
    ]
)
OPERATORS = st.sampled_from(["is", "is_not", "includes", "not_includes", "greater_than", "present", "changed"])


def maybe(valid: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly the valid shape, sometimes anything."""
    return st.one_of(valid, valid, JUNK)


CONDITION = st.fixed_dictionaries({"field": maybe(FIELDS), "operator": maybe(OPERATORS), "value": JUNK})
CONDITIONS = maybe(
    st.fixed_dictionaries(
        {"all": maybe(st.lists(maybe(CONDITION), max_size=3)), "any": maybe(st.lists(maybe(CONDITION), max_size=2))}
    )
)
ACTION = st.fixed_dictionaries({"field": maybe(FIELDS), "value": JUNK})
TRIGGER = st.fixed_dictionaries(
    {
        "id": maybe(st.integers(1, 10**6)),
        "title": maybe(st.text(max_size=10)),
        "active": maybe(st.booleans()),
        "position": maybe(st.integers(0, 50)),
        "conditions": CONDITIONS,
        "actions": maybe(st.lists(maybe(ACTION), max_size=3)),
    }
)
METRIC = st.fixed_dictionaries(
    {
        "priority": maybe(st.sampled_from(["low", "normal", "urgent"])),
        "metric": maybe(st.sampled_from(["first_reply_time", "agent_work_time"])),
        "target": JUNK,
        "business_hours": JUNK,
    }
)
SLA = st.fixed_dictionaries(
    {
        "id": maybe(st.integers(1, 99)),
        "title": maybe(st.text(max_size=8)),
        "position": JUNK,
        "filter": CONDITIONS,
        "policy_metrics": maybe(st.lists(maybe(METRIC), max_size=3)),
    }
)
TICKET_FIELD = st.fixed_dictionaries(
    {
        "id": maybe(st.integers(1, 5)),
        "type": JUNK,
        "title": JUNK,
        "key": JUNK,
        "custom_field_options": JUNK,
        "tag": JUNK,
    }
)
PAGE_META = st.fixed_dictionaries({"next_page": JUNK, "count": JUNK, "meta": JUNK})


def _run(routing: Path) -> None:
    try:
        report = check(routing=[routing])
    except AuditError as err:
        assert err.code.startswith("AR") and "\n" not in err.message
        return
    json.dumps(report.to_json(), allow_nan=True)
    for f in report.findings:  # the report a run writes is one `auditrules report` reads back
        assert evidence_from_json(json.loads(json.dumps(f.evidence.to_json()))) == f.evidence


SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(
    triggers=st.lists(maybe(TRIGGER), max_size=3),
    slas=st.lists(maybe(SLA), max_size=2),
    fields=st.lists(maybe(TICKET_FIELD), max_size=2),
    envelope=PAGE_META,
)
def test_zendesk_type_confusion_never_crashes(
    triggers: list[Any], slas: list[Any], fields: list[Any], envelope: dict[str, Any]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        (d / "triggers.json").write_text(json.dumps({"triggers": triggers, **envelope}), encoding="utf-8")
        (d / "sla_policies.json").write_text(json.dumps({"sla_policies": slas}), encoding="utf-8")
        (d / "ticket_fields.json").write_text(json.dumps({"ticket_fields": fields}), encoding="utf-8")
        _run(d)


TR_TEXT = st.text(alphabet=st.sampled_from(list("task.abc =!<>'\"[],() 0123456789AND OR IN HAS NOT")), max_size=40)
TARGET = st.fixed_dictionaries(
    {
        "queue": maybe(st.text(max_size=6)),
        "expression": maybe(TR_TEXT | st.just("1==0")),
        "priority": JUNK,
        "timeout": JUNK,
    }
)
FILTER = st.fixed_dictionaries(
    {
        "filter_friendly_name": maybe(st.text(max_size=8)),
        "expression": maybe(TR_TEXT),
        "targets": maybe(st.lists(maybe(TARGET), max_size=3)),
    }
)


@SETTINGS
@given(filters=maybe(st.lists(maybe(FILTER), max_size=3)), default=JUNK, as_string=st.booleans(), name=JUNK)
def test_taskrouter_type_confusion_never_crashes(filters: Any, default: Any, as_string: bool, name: Any) -> None:
    config = {"task_routing": {"filters": filters, "default_filter": default}}
    resource = {
        "sid": "WW" + "0" * 32,
        "friendly_name": name,
        "configuration": json.dumps(config) if as_string else config,
    }
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "workflow.json"
        path.write_text(json.dumps(resource), encoding="utf-8")
        _run(path)


@SETTINGS
@given(
    rules=maybe(
        st.lists(
            st.fixed_dictionaries(
                {"id": maybe(st.text(min_size=1, max_size=5)), "when": maybe(st.text(max_size=20)), "route": JUNK}
            ),
            max_size=3,
        )
    ),
    channels=JUNK,
    sla=JUNK,
    fields=JUNK,
)
@example(rules=[], channels=[], sla=None, fields={"\n": None})  # a key holding a line feed, in the message
def test_canonical_type_confusion_never_crashes(rules: Any, channels: Any, sla: Any, fields: Any) -> None:
    doc = {"auditrules": "routing/v1", "channels": channels, "rules": rules, "sla": sla, "fields": fields}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "routing.yaml"
        try:
            text = yaml.safe_dump(doc, allow_unicode=True)
        except yaml.YAMLError:
            return
        path.write_text(text, encoding="utf-8")
        _run(path)


# ------------------------------------------------------------------ the named hostile inputs


def _zendesk(tmp: Path, name: str, data: Any) -> Path:
    (tmp / name).write_text(json.dumps(data), encoding="utf-8")
    return tmp


def test_field_type_that_is_a_list(tmp_path: Path) -> None:
    _zendesk(tmp_path, "ticket_fields.json", {"ticket_fields": [{"id": 1, "type": [], "title": "Segment"}]})
    _zendesk(
        tmp_path,
        "triggers.json",
        {
            "triggers": [
                {
                    "id": 1,
                    "title": "t",
                    "conditions": {"all": [{"field": "custom_fields_1", "operator": "is", "value": "vip"}]},
                    "actions": [{"field": "group_id", "value": 1}],
                }
            ]
        },
    )
    report = check(routing=[tmp_path])
    assert any(f.rule_id == "FAIR-009" and f.status is Status.FAIL for f in report.findings)


def test_position_that_is_a_unicode_digit(tmp_path: Path) -> None:
    _zendesk(
        tmp_path,
        "triggers.json",
        {"triggers": [{"id": 1, "title": "t", "position": "²", "actions": [{"field": "group_id", "value": 1}]}]},
    )
    assert check(routing=[tmp_path]).findings


def test_sla_target_of_ten_to_the_400(tmp_path: Path) -> None:
    policy = {
        "id": 1,
        "title": "Huge",
        "filter": {"all": [], "any": []},
        "policy_metrics": [{"priority": "low", "metric": "first_reply_time", "target": 10**400}],
    }
    report = check(routing=[_zendesk(tmp_path, "sla_policies.json", {"sla_policies": [policy]})])
    (note,) = [d for d in report.diagnostics if d.code == "AR202" and "not a number of minutes" in d.message]
    assert note.level == "error" and note.location is not None and note.location.line == 1


def test_via_id_with_more_than_4300_digits(tmp_path: Path) -> None:
    text = '{"triggers": [{"id": 1, "conditions": {"all": [{"field": "via_id", "operator": "is", "value": ' + "9" * 5000
    (tmp_path / "triggers.json").write_text(text + "}]}}]}", encoding="utf-8")
    with pytest.raises(AuditError) as info:
        check(routing=[tmp_path])
    assert info.value.code == "AR003" and info.value.span is not None  # a limit, like nesting depth
    assert info.value.span.column == text.index("9999") + 1


def _workflow(tmp: Path, config: Any) -> Path:
    resource = {"sid": "WW" + "1" * 32, "friendly_name": "Support", "configuration": config}
    path = tmp / "workflow.json"
    path.write_text(json.dumps(resource), encoding="utf-8")
    return path


def test_taskrouter_expression_with_thousands_of_terms(tmp_path: Path) -> None:
    expr = " OR ".join(f"task.k == {i}" for i in range(1500))
    config = json.dumps({"task_routing": {"filters": [{"expression": expr, "targets": [{"queue": "Q"}]}]}})
    report = check(routing=[_workflow(tmp_path, config)])
    (note,) = [d for d in report.diagnostics if d.code == "AR209"]
    assert "1500 terms" in note.message and note.location is not None and note.location.line == 1
    assert not any(f.status is Status.PASS for f in report.findings if f.rule_id == "FAIR-001")


def test_taskrouter_literal_with_more_than_4300_digits(tmp_path: Path) -> None:
    config = json.dumps(
        {"task_routing": {"filters": [{"expression": "task.k == " + "7" * 5000, "targets": [{"queue": "Q"}]}]}}
    )
    report = check(routing=[_workflow(tmp_path, config)])
    assert any(d.code == "AR209" and "number literal" in d.message for d in report.diagnostics)


def test_configuration_string_holding_deep_json(tmp_path: Path) -> None:
    report = check(routing=[_workflow(tmp_path, "[" * 200_000 + "]" * 200_000)])
    (note,) = [d for d in report.diagnostics if d.code == "AR210"]
    assert note.level == "error" and "nested too deeply" in note.message
    assert report.exit_code("low") == 1
