"""Typed evidence (auditrules/evidence.py): JSON round trips, per-kind schemas, AR401 on altered evidence."""

from __future__ import annotations

import json
import os
import types
from collections.abc import Mapping
from dataclasses import MISSING, fields, is_dataclass
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

import pytest

from auditrules.errors import AuditError
from auditrules.evidence import evidence_from_json, field_types, kinds
from auditrules.findings import Location
from auditrules.waived import Waived, WaiverNote

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "schemas" / "report.schema.json"
#: Every evidence kind, the ticket kinds (defined in their own module) included.
KINDS = kinds()


# ---------------------------------------------------------------- the schema is the dataclasses' schema


def _format(value: Any, indent: int = 0) -> str:
    """JSON laid out like the schema files: objects and lists inline when short, one member a line otherwise."""
    pad = "  " * indent
    compact = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    if not isinstance(value, (dict, list)) or not value:
        return compact
    if isinstance(value, list) and not any(isinstance(x, (dict, list)) for x in value):
        return compact
    if indent >= 2 and len(pad) + len(compact) <= 110:
        return compact
    inner = "  " * (indent + 1)
    if isinstance(value, dict):
        items = [f"{inner}{json.dumps(k, ensure_ascii=False)}: {_format(x, indent + 1)}" for k, x in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    return "[\n" + ",\n".join(inner + _format(x, indent + 1) for x in value) + "\n" + pad + "]"


def _def_name(cls: type) -> str:
    return "".join("-" + c.lower() if c.isupper() else c for c in cls.__name__).lstrip("-")


def _type_schema(tp: Any, parts: dict[str, Any]) -> dict[str, Any]:
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        options = [a for a in get_args(tp) if a is not type(None)]
        nullable = len(options) != len(get_args(tp))
        simple = [_type_schema(o, parts) for o in options]
        if all(set(s) == {"type"} for s in simple):
            names = [s["type"] for s in simple] + (["null"] if nullable else [])
            return {"type": names[0] if len(names) == 1 else names}
        return {"anyOf": [*simple, *([{"type": "null"}] if nullable else [])]}
    if origin is tuple:
        args = get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return {"type": "array", "items": _type_schema(args[0], parts)}
        items = [_type_schema(a, parts) for a in args]
        return {"type": "array", "prefixItems": items, "minItems": len(items), "maxItems": len(items)}
    if origin is Mapping or origin is dict:
        return {"type": "object", "additionalProperties": _type_schema(get_args(tp)[1], parts)}
    if origin is Literal:
        return {"enum": list(get_args(tp))}
    if tp is Location:
        return {"$ref": "#/$defs/location"}
    if is_dataclass(tp):
        name = _def_name(tp)
        if name not in parts:
            parts[name] = {}
            parts[name] = _object_schema(tp, parts, set())
        return {"$ref": f"#/$defs/{name}"}
    return {"type": {str: "string", int: "integer", float: "number", bool: "boolean"}[tp]}


def _object_schema(cls: type, parts: dict[str, Any], skip: set[str]) -> dict[str, Any]:
    hints = field_types(cls)
    props = {f.name: _type_schema(hints[f.name], parts) for f in fields(cls) if f.name not in skip}
    required = [
        f.name for f in fields(cls) if f.name not in skip and not (f.metadata.get("omit_none") and f.default is None)
    ]
    return {"type": "object", "required": required, "additionalProperties": False, "properties": props}


def evidence_defs() -> dict[str, Any]:
    """The ``$defs`` the report schema must hold for evidence, derived from the dataclasses."""
    parts: dict[str, Any] = {}
    defs: dict[str, Any] = {}
    for kind, cls in KINDS.items():
        body = _object_schema(cls, parts, {"waiver"})
        body["required"] = ["kind", *body["required"]]
        body["properties"] = {
            "kind": {"const": kind},
            **body["properties"],
            "waiver": _type_schema(WaiverNote, parts),
            "waived_status": _type_schema(get_type_hints(Waived)["waived_status"], parts),
            "baseline": {"type": "string"},
        }
        body["dependentRequired"] = {"waiver": ["waived_status"]}
        defs[f"evidence-{kind}"] = body
    defs["evidence"] = {
        "type": "object",
        "required": ["kind"],
        "properties": {"kind": {"enum": sorted(KINDS)}},
        "allOf": [
            {"if": {"properties": {"kind": {"const": k}}}, "then": {"$ref": f"#/$defs/evidence-{k}"}}
            for k in sorted(KINDS)
        ],
    }
    return {**dict(sorted(parts.items())), **defs}


def test_report_schema_types_every_evidence_kind() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    expected = evidence_defs()
    if os.environ.get("AUDITRULES_UPDATE_SCHEMA") == "1":
        others = {k: v for k, v in schema["$defs"].items() if k not in expected}
        schema["$defs"] = {**others, **expected}
        SCHEMA.write_text(_format(schema) + "\n", encoding="utf-8")
    got = {k: schema["$defs"].get(k) for k in expected}
    assert got == expected, "schemas/report.schema.json is behind auditrules/evidence.py; AUDITRULES_UPDATE_SCHEMA=1"
    finding = schema["properties"]["findings"]["items"]["properties"]["evidence"]
    assert finding == {"$ref": "#/$defs/evidence"}


def test_every_field_has_no_default_except_optional_parts() -> None:
    for cls in KINDS.values():
        for f in fields(cls):
            # channel_class, scope and comparison_counts came later: earlier reports still read back
            optional = ("waiver", "comparisons", "reference", "skipped_strata", "pooled", "channel_class", "scope")
            allowed = (*optional, "comparison_counts")
            assert f.name in allowed or f.metadata.get("omit_none") or (f.default is MISSING), (cls, f.name)


# ---------------------------------------------------------------- every kind round-trips through its JSON form


def _findings_of_every_kind() -> list[Any]:
    from auditrules.api import check
    from auditrules.routing.model import Delay, Gap, RoutingModel
    from tests.test_analysis import model, rule, run

    report = check(
        routing=[str(ROOT / "examples" / "acme" / "routing.yaml")],
        tickets=[str(ROOT / "examples" / "acme" / "tickets.parquet")],
    )
    findings = list(report.findings)
    findings += check(routing=[str(ROOT / "examples" / "zendesk-twotier")]).findings
    findings += check(routing=[str(ROOT / "examples" / "zendesk-fair")]).findings
    twitter = str(ROOT / "tests" / "fixtures" / "tickets" / "twitter_support.csv")
    findings += check(tickets=[twitter], mapping="twitter-support").findings  # columns the corpus lacks
    findings += check(routing=[str(ROOT / "examples" / "taskrouter-vip" / "workflow.json")]).findings
    findings += check(routing=[str(ROOT / "examples" / "connect-unfair")]).findings  # routing-not-auditable
    findings += run("A-1", model(rule("a", 1, reads=["klout"], writes=["tag:vip"])))  # derivation
    findings += run("A-2", model(rule("b", 2, reads=["language"], effects=True)))  # outside allowed
    findings += run("A-2", model(rule("a", 1, reads=["channel"], effects=True)))  # only allowed
    partial = RoutingModel(
        "zendesk",
        "z",
        (),
        (rule("a", 1, reads=["channel"], effects=True),),
        gaps=(Gap("rules", "missing triggers pages"),),
    )
    findings += run("A-1", partial)  # routing-incomplete
    delay = Delay("Email waits", 3600.0, "tasks matching task.channel == 'email'", Location("wf.json", 1, 5))
    findings += run("A-4", RoutingModel("taskrouter", "wf", (), (), delays=(delay,)))  # sla-delay
    return findings


def test_every_kind_round_trips() -> None:
    findings = _findings_of_every_kind()
    seen = {f.evidence.KIND for f in findings}
    assert seen == set(KINDS), set(KINDS) - seen
    for f in findings:
        data = json.loads(json.dumps(f.evidence.to_json()))
        back = evidence_from_json(data)
        assert back == f.evidence
        assert back.to_json() == data


def test_waived_evidence_round_trips() -> None:
    from auditrules.evidence import MissingEvidence
    from auditrules.findings import Status

    note = WaiverNote("accepted risk", "A. Approver", "2027-01-31", Location("w.yaml", 3, 5, "/waivers/0", None))
    ev = MissingEvidence("tickets").waived(note, Status.FAIL, "old.json")
    data = ev.to_json()
    assert data["waiver"]["waiver_at"]["line"] == 3 and data["waived_status"] == "fail"
    assert evidence_from_json(data) == ev


# ---------------------------------------------------------------- altered evidence answers with AR401


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda ev: ev.update(kind="mystery"), "evidence/kind"),
        (lambda ev: ev.pop("rows"), "evidence"),
        (lambda ev: ev["comparisons"][0].update(verdict="maybe"), "evidence/comparisons/0/verdict"),
        (lambda ev: ev["groups"][0].update(n="many"), "evidence/groups/0/n"),
        (lambda ev: ev.update(extra=1), "evidence"),
        (lambda ev: ev["threshold"].pop("op"), "evidence/threshold"),
    ],
)
def test_altered_ticket_evidence_is_ar401(change: Any, where: str) -> None:
    report = json.loads((ROOT / "tests" / "fixtures" / "reports" / "tickets-report.json").read_text(encoding="utf-8"))
    ev = next(
        f["evidence"]
        for f in report["findings"]
        if f["evidence"]["kind"] == "ticket-groups" and f["evidence"]["comparisons"]
    )
    change(ev)
    with pytest.raises(AuditError) as caught:
        evidence_from_json(ev)
    assert caught.value.code == "AR401"
    assert f"at {where}" in caught.value.message


def test_report_command_on_altered_evidence_says_ar401(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from auditrules.cli import cli

    report = json.loads((ROOT / "tests" / "fixtures" / "reports" / "acme-report.json").read_text(encoding="utf-8"))
    report["findings"][0]["evidence"]["chain"][0]["read_at"] = "line 3"
    path = tmp_path / "altered.json"
    path.write_text(json.dumps(report), encoding="utf-8")
    result = CliRunner().invoke(cli, ["report", str(path), "--format", "html"])
    assert result.exit_code == 2
    assert "error[AR401]" in result.output and "/findings/0/evidence" in result.output


def test_every_kind_builds_its_own_methods_and_the_bases_none() -> None:
    """The bases (Evidence, RoutingEvidence) generate no __init__, __repr__, __eq__ or __hash__:
    nothing calls theirs, as every kind is a dataclass that builds its own from all its fields."""
    from auditrules.evidence import Evidence, RoutingEvidence

    for base in (Evidence, RoutingEvidence):
        assert not {"__init__", "__repr__", "__eq__", "__hash__"} & set(vars(base)), base
    for kind in kinds().values():
        assert {"__init__", "__repr__", "__eq__", "__hash__"} <= set(vars(kind)), kind
        assert kind.__dataclass_params__.frozen and kind.__dataclass_params__.eq  # type: ignore[attr-defined]
