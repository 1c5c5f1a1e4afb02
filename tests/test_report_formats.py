"""Report formats: report data → HTML, Markdown, SARIF, JUnit; determinism, escaping, structure, goldens.

Fixtures: ``tests/fixtures/reports/acme-report.json`` (``auditrules check --routing examples/acme``) and
``tickets-report.json`` (hand-made ticket evidence, one rule per status). Goldens for Markdown and SARIF
of the tickets report live in ``tests/golden/reports/``; regenerate with ``AUDITRULES_UPDATE_GOLDEN=1``.
"""

from __future__ import annotations

import copy
import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from auditrules.cli import cli
from auditrules.report.charts import ChartRow, ThresholdLine, dot_whisker
from auditrules.report.html import build_view, render_html
from auditrules.report.json import load_report
from auditrules.report.junit import render_junit
from auditrules.report.markdown import md, render_markdown
from auditrules.report.render import render
from auditrules.report.sarif import SARIF_SCHEMA, render_sarif
from auditrules.units import format_duration, format_value

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "reports"
GOLDEN = ROOT / "tests" / "golden" / "reports"
REPORTS = ("acme-report.json", "tickets-report.json")
FORMATS = ("html", "markdown", "sarif", "junit")
PAYLOAD = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
URL = re.compile(r"https?://[^\s\"'<>)]+")


def load(name: str) -> dict[str, Any]:
    return load_report(str(FIXTURES / name))


@pytest.fixture(params=REPORTS)
def report(request: pytest.FixtureRequest) -> dict[str, Any]:
    return load(request.param)


@pytest.fixture
def tickets() -> dict[str, Any]:
    return load("tickets-report.json")


@pytest.fixture
def acme() -> dict[str, Any]:
    return load("acme-report.json")


# --------------------------------------------------------------------------- every format


@pytest.mark.parametrize("fmt", FORMATS)
def test_renders_and_is_deterministic(report: dict[str, Any], fmt: str) -> None:
    first = render(copy.deepcopy(report), fmt)
    second = render(copy.deepcopy(report), fmt)
    assert first == second
    assert first.endswith("\n") and len(first) > 500
    for rule in report["rules"]:
        assert rule["rule_id"] in first


@pytest.mark.parametrize("fmt", FORMATS)
def test_live_acme_check_renders(fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The report the real pipeline writes today renders in every format."""
    monkeypatch.chdir(ROOT)
    out = tmp_path / "acme.json"
    result = CliRunner().invoke(
        cli, ["check", "--routing", "examples/acme/routing.yaml", "--format", "json", "-o", str(out)]
    )
    assert result.exit_code == 1, result.output
    assert "FAIR-001" in render(load_report(str(out)), fmt)


# --------------------------------------------------------------------------- escaping


def _poison(data: dict[str, Any]) -> dict[str, Any]:
    data = copy.deepcopy(data)
    data["policy"]["name"] = PAYLOAD
    data["rules"][0]["title"] = PAYLOAD
    data["rules"][0]["rationale"] = PAYLOAD
    data["rules"][0]["source"] = PAYLOAD
    data["inputs"][0]["path"] = PAYLOAD
    for f in data["findings"]:
        f["message"] = PAYLOAD
        f["title"] = PAYLOAD
        f["locations"].append({"path": PAYLOAD, "line": 3, "column": 4, "pointer": PAYLOAD, "note": PAYLOAD})
        ev = f["evidence"]
        for g in ev.get("groups") or []:
            g["group"] = PAYLOAD
            g["stratum"] = {PAYLOAD: PAYLOAD}
        for c in ev.get("comparisons") or []:
            c["group"] = PAYLOAD
            c["reference"] = PAYLOAD
        for step in ev.get("chain") or []:
            step["rule_name"] = PAYLOAD
            step["condition"] = PAYLOAD
        for t in ev.get("targets") or []:
            t["channel"] = PAYLOAD
        if "sql" in ev:
            ev["sql"] = PAYLOAD
        if isinstance(ev.get("rows"), dict):
            ev["rows"]["excluded"] = {PAYLOAD: 3}
    data["diagnostics"].append(
        {
            "code": "AR999",
            "level": "warning",
            "message": PAYLOAD,
            "location": {"path": PAYLOAD, "line": 1, "column": None, "pointer": None, "note": PAYLOAD},
        }
    )
    return data


def test_html_escapes_every_value(report: dict[str, Any]) -> None:
    html = render_html(_poison(report))
    assert "<script" not in html
    assert ESCAPED in html
    # the payload reached every kind of place it was planted in
    assert html.count(ESCAPED) >= len(report["findings"]) * 2


def test_html_escapes_chart_labels(tickets: dict[str, Any]) -> None:
    html = render_html(_poison(tickets))
    svgs = re.findall(r"<svg.*?</svg>", html, flags=re.S)
    assert svgs and any(ESCAPED in svg for svg in svgs)
    assert not any("<script" in svg for svg in svgs)


def test_chart_escapes_and_marks_only_itself_safe() -> None:
    svg = dot_whisker([ChartRow(PAYLOAD, 1.0, 0.5, 1.5)], "number", PAYLOAD, [ThresholdLine(1.2, PAYLOAD)])
    assert str(svg).startswith("<svg") and "<script" not in svg and ESCAPED in svg
    assert dot_whisker([ChartRow("x", None)], "number", "t") == ""


def test_markdown_escapes(report: dict[str, Any]) -> None:
    text = render_markdown(_poison(report))
    assert "<script" not in text
    assert ESCAPED in text
    assert md("a | b") == "a \\| b"
    assert md("x <b>&") == "x &lt;b&gt;&amp;"


def test_markdown_table_cells_keep_their_columns() -> None:
    data = load("tickets-report.json")
    data["rules"][0]["title"] = "pipes | in | title\nand a newline"
    text = render_markdown(data)
    row = next(line for line in text.splitlines() if line.startswith("| FAIR-001 |"))
    assert len(re.findall(r"(?<!\\)\|", row)) == 5


def test_sarif_and_junit_carry_the_payload_as_data(report: dict[str, Any]) -> None:
    poisoned = _poison(report)
    sarif = json.loads(render_sarif(poisoned))
    messages = {r["message"]["text"] for r in sarif["runs"][0]["results"]}
    assert messages == {PAYLOAD}
    xml = render_junit(poisoned)
    assert "<script" not in xml
    suite = ET.fromstring(xml)
    assert suite.find("testcase").get("name") == PAYLOAD  # type: ignore[union-attr]


# --------------------------------------------------------------------------- HTML


def test_html_is_self_contained(report: dict[str, Any]) -> None:
    html = render_html(report)
    assert html.startswith("<!DOCTYPE html>")
    assert URL.findall(html) == []
    for forbidden in ("<script", "<link", "<img", "<iframe", "@import", "url(", " src="):
        assert forbidden not in html
    assert "@media print" in html and "break-before: page" in html


def test_html_content(tickets: dict[str, Any]) -> None:
    html = render_html(tickets)
    assert "Executive summary" in html and "Notes on the inputs" in html and "Input files" in html
    for inp in tickets["inputs"]:
        assert inp["sha256"] in html
    assert html.count("<svg") >= 4
    assert "31.4h" in html and "[29h, 33.8h]" in html  # durations
    assert "28.4%" in html and "[26.1%, 30.8%]" in html  # fractions
    assert "Rows evaluated" in html and "4,447" in html  # row accounting
    assert "≥ 0.8" in html and "95%" in html  # threshold and confidence
    # every verdict has a text label, not colour alone
    for label in ("FAIL", "ERROR", "INCONCLUSIVE", "INSUFFICIENT DATA", "WARNING", "NOT EVALUATED", "WAIVED", "PASS"):
        assert f"</span> {label}</span>" in html
    # rule source text and the waiver
    assert "rule FAIR-003 &#34;Every channel meets the same first-response time&#34;" in html
    assert "j.doe@acme.example" in html


def test_html_routing_evidence(acme: dict[str, Any]) -> None:
    html = render_html(acme)
    assert "customer.klout_score → field vip → vip → VIP customers skip the queue" in html
    assert "examples/acme/routing.yaml:20:11" in html
    assert "24× the fastest" in html and "no target" in html


def test_failing_rules_are_listed_by_severity() -> None:
    data = load("tickets-report.json")
    data["rules"][6]["status"] = "fail"  # FAIR-007, low
    data["rules"][5]["status"] = "fail"  # FAIR-006, medium
    failing = build_view(data)["failing"]
    assert [(r["severity"], r["rule_id"]) for r in failing] == [
        ("high", "FAIR-003"),
        ("high", "FAIR-008"),
        ("medium", "FAIR-006"),
        ("low", "FAIR-007"),
    ]


def test_html_uses_generated_at_only_when_given(tickets: dict[str, Any]) -> None:
    assert "Generated" not in render_html(tickets)
    tickets["generated_at"] = "2026-11-02T09:00:00+00:00"
    assert "2026-11-02T09:00:00+00:00" in render_html(tickets)


def test_html_minimal_report() -> None:
    data = {
        "auditrules_version": "0.1.0",
        "policy": {"name": None, "version": None, "files": []},
        "inputs": [],
        "rules": [],
        "findings": [],
        "diagnostics": [],
        "fail_on": "low",
        "exit_code": 0,
        "summary": {"findings": {}, "rules": {}, "rules_total": 0},
    }
    html = render_html(data)
    assert "No failing rules" in html and "No rule failed." in html


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (11520, "duration", "3.2h"),
        (86400, "duration", "24h"),
        (432000, "duration", "5d"),
        (45, "duration", "45s"),
        (750, "duration", "12.5m"),
        (0.125, "fraction", "12.5%"),
        (0.31234, "number", "0.312"),
        (4500, "duration", "75m"),
        (12345.6, "number", "12346"),
        (None, "fraction", "—"),
        (1840, "number", "1840"),
    ],
)
def test_format_value(value: float | None, unit: str, text: str) -> None:
    assert format_value(value, unit) == text


def test_format_duration_negative() -> None:
    assert format_duration(-7200) == "-2h"


# --------------------------------------------------------------------------- SARIF

#: The part of the SARIF 2.1.0 schema this tool relies on (required keys and enums), checked offline.
SARIF_SUBSET: dict[str, Any] = {
    "type": "object",
    "required": ["$schema", "version", "runs"],
    "properties": {
        "version": {"const": "2.1.0"},
        "runs": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["tool", "results"],
                "properties": {
                    "tool": {
                        "type": "object",
                        "required": ["driver"],
                        "properties": {
                            "driver": {
                                "type": "object",
                                "required": ["name", "version", "informationUri", "rules"],
                                "properties": {
                                    "rules": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "required": [
                                                "id",
                                                "name",
                                                "shortDescription",
                                                "fullDescription",
                                                "help",
                                                "properties",
                                            ],
                                            "properties": {
                                                "shortDescription": {"$ref": "#/$defs/message"},
                                                "fullDescription": {"$ref": "#/$defs/message"},
                                                "help": {"$ref": "#/$defs/message"},
                                                "properties": {"type": "object", "required": ["severity"]},
                                            },
                                        },
                                    }
                                },
                            }
                        },
                    },
                    "results": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["ruleId", "level", "message"],
                            "properties": {
                                "level": {"enum": ["none", "note", "warning", "error"]},
                                "message": {"$ref": "#/$defs/message"},
                                "locations": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "required": ["physicalLocation"],
                                        "properties": {
                                            "physicalLocation": {
                                                "type": "object",
                                                "required": ["artifactLocation"],
                                                "properties": {
                                                    "artifactLocation": {"type": "object", "required": ["uri"]},
                                                    "region": {
                                                        "type": "object",
                                                        "required": ["startLine"],
                                                        "properties": {
                                                            "startLine": {"type": "integer", "minimum": 1},
                                                            "startColumn": {"type": "integer", "minimum": 1},
                                                        },
                                                    },
                                                },
                                            }
                                        },
                                    },
                                },
                                "suppressions": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "required": ["kind"],
                                        "properties": {"kind": {"enum": ["inSource", "external"]}},
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
    },
    "$defs": {"message": {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}}},
}


def test_sarif_structure(report: dict[str, Any]) -> None:
    import jsonschema

    text = render_sarif(report)
    log = json.loads(text)
    jsonschema.Draft202012Validator(SARIF_SUBSET).validate(log)
    assert log["$schema"] == SARIF_SCHEMA
    assert text == json.dumps(log, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    driver = log["runs"][0]["tool"]["driver"]
    assert [r["id"] for r in driver["rules"]] == [r["rule_id"] for r in report["rules"]]
    assert all(
        r["ruleIndex"] == [d["id"] for d in driver["rules"]].index(r["ruleId"]) for r in log["runs"][0]["results"]
    )


def test_sarif_levels_and_locations(tickets: dict[str, Any]) -> None:
    results = json.loads(render_sarif(tickets))["runs"][0]["results"]
    levels = {(r["properties"]["status"], r["properties"]["severity"], r["level"]) for r in results}
    # failing results take their level from the severity; everything else is a note
    assert levels == {
        ("fail", "high", "error"),
        ("error", "high", "error"),
        ("warn", "low", "note"),
        ("inconclusive", "medium", "note"),
        ("insufficient_data", "medium", "note"),
        ("not_evaluated", "high", "note"),
        ("waived", "high", "note"),
    }
    low = json.loads(json.dumps(tickets).replace('"severity": "high"', '"severity": "low"'))
    assert {
        r["level"] for r in json.loads(render_sarif(low))["runs"][0]["results"] if r["properties"]["status"] == "fail"
    } == {"note"}
    assert len(results) == sum(1 for f in tickets["findings"] if f["status"] != "pass")
    waived = next(r for r in results if r["properties"]["status"] == "waived")
    assert waived["suppressions"][0]["kind"] == "external"
    # a ticket finding is located on the ticket file, the rule definition is related
    fail = next(r for r in results if r["ruleId"] == "FAIR-003")
    assert fail["locations"][0]["physicalLocation"] == {"artifactLocation": {"uri": "examples/acme/tickets.csv"}}
    assert fail["relatedLocations"][-1]["physicalLocation"]["region"] == {"startLine": 30, "startColumn": 3}
    # ... and for a bundled pack (not in the user's repository) only on the ticket file
    for rule in tickets["rules"]:
        rule["bundled"] = True
    bundled = json.loads(render_sarif(tickets))["runs"][0]["results"]
    fail = next(r for r in bundled if r["ruleId"] == "FAIR-003")
    assert "rules/fairness.rules" not in json.dumps(fail)
    # no location in the evidence: the result points at the rule's definition in a user's file
    not_eval = next(r for r in results if r["ruleId"] == "FAIR-001")
    assert not_eval["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "rules/fairness.rules"},
        "region": {"startLine": 9},
    }


def test_sarif_fingerprints_help_and_help_uri(tickets: dict[str, Any]) -> None:
    from auditrules.fingerprints import fingerprint

    tickets["rules"][0]["doc"] = "# FAIR-001: t\n\n## How to fix\n\nRoute on `product`.\n"
    tickets["rules"][0]["help_uri"] = "https://example.com/FAIR-001"
    run = json.loads(render_sarif(tickets))["runs"][0]
    rule = run["tool"]["driver"]["rules"][0]
    assert rule["help"] == {
        "markdown": tickets["rules"][0]["doc"],
        "text": "FAIR-001: t\n\nHow to fix\n\nRoute on product.\n",
    }
    assert rule["helpUri"] == "https://example.com/FAIR-001"
    assert "helpUri" not in run["tool"]["driver"]["rules"][1]
    open_findings = [f for f in tickets["findings"] if f["status"] != "pass"]
    assert [r["partialFingerprints"]["auditrules/v1"] for r in run["results"]] == [
        fingerprint(f) for f in open_findings
    ]


def test_sarif_related_locations(acme: dict[str, Any]) -> None:
    first = json.loads(render_sarif(acme))["runs"][0]["results"][0]
    assert len(first["locations"]) == 1 and [loc["id"] for loc in first["relatedLocations"]] == [1, 2]


# --------------------------------------------------------------------------- JUnit


def test_junit_counts(report: dict[str, Any]) -> None:
    suite = ET.fromstring(render_junit(report))
    assert suite.tag == "testsuite" and suite.get("name") == "auditrules"
    cases = [c for c in suite.findall("testcase") if c.get("classname") != "auditrules.inputs"]
    notes = [c for c in suite.findall("testcase") if c.get("classname") == "auditrules.inputs"]
    statuses = [r["status"] for r in report["rules"]]
    assert int(suite.get("tests", "")) == len(cases) + len(notes)
    assert len(cases) == len(report["rules"])
    failures = sum(1 for c in cases if c.find("failure") is not None)
    skipped = sum(1 for c in cases if c.find("skipped") is not None)
    assert int(suite.get("failures", "")) == failures == sum(s in ("fail", "error") for s in statuses)
    assert (
        int(suite.get("skipped", ""))
        == skipped
        == sum(s in ("not_evaluated", "insufficient_data", "inconclusive") for s in statuses)
    )
    errors = [d for d in report["diagnostics"] if d["level"] == "error"]
    assert int(suite.get("errors", "")) == len(notes) == len(errors)
    assert all(c.find("error") is not None for c in notes)
    for case, rule in zip(cases, report["rules"], strict=True):
        assert case.get("classname") == f"auditrules.{rule['rule_id']}"
        assert case.get("name") == rule["title"]


def test_junit_input_errors_and_no_repeated_label(tmp_path: Path) -> None:
    """An incomplete export (AR212) is an <error>; a rule not evaluated says so once."""
    page = {
        "triggers": [
            {
                "id": 1,
                "title": "t",
                "active": True,
                "position": 1,
                "conditions": {"all": [{"field": "status", "operator": "is", "value": "new"}], "any": []},
                "actions": [{"field": "group_id", "value": 1}],
            }
        ],
        "meta": {"has_more": True, "after_cursor": "xyz", "before_cursor": None},
        "links": {"prev": None, "next": "https://acme.zendesk.com/api/v2/triggers.json?page[after]=xyz"},
    }
    (tmp_path / "triggers.json").write_text(json.dumps(page), encoding="utf-8")
    from auditrules.api import check

    data = check(routing=[tmp_path]).to_json()
    suite = ET.fromstring(render_junit(data))
    assert suite.get("errors") == "1"
    (note,) = [c for c in suite.findall("testcase") if c.get("classname") == "auditrules.inputs"]
    error = note.find("error")
    assert error is not None and error.get("type") == "AR212"
    skipped = [c.find("skipped") for c in suite.findall("testcase") if c.find("skipped") is not None]
    assert skipped and not any("not evaluated: not evaluated" in (s.get("message") or "") for s in skipped)
    fair1 = next(c for c in suite.findall("testcase") if c.get("classname") == "auditrules.FAIR-001")
    assert fair1.find("skipped") is not None  # inconclusive on partial pages: never shown as passed


def test_junit_failure_body(tickets: dict[str, Any]) -> None:
    suite = ET.fromstring(render_junit(tickets))
    case = next(c for c in suite.findall("testcase") if c.get("classname") == "auditrules.FAIR-003")
    failure = case.find("failure")
    assert failure is not None and failure.get("type") == "high"
    assert "(and 1 more)" in failure.get("message", "")
    assert "at rules/fairness.rules:30:3" in (failure.text or "")
    assert "p90(first_response) <= 24h" in (failure.text or "")


def test_junit_drops_characters_xml_cannot_hold(tickets: dict[str, Any]) -> None:
    tickets["rules"][0]["title"] = "bell\x07 and nul\x00"
    case = ET.fromstring(render_junit(tickets)).find("testcase")
    assert case is not None and case.get("name") == "bell\ufffd and nul\ufffd"


# --------------------------------------------------------------------------- goldens


@pytest.mark.parametrize(("fmt", "suffix"), [("markdown", "md"), ("sarif", "sarif.json")])
def test_golden(tickets: dict[str, Any], fmt: str, suffix: str) -> None:
    path = GOLDEN / f"tickets-report.{suffix}"
    text = render(tickets, fmt)
    if os.environ.get("AUDITRULES_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden {path}; run with AUDITRULES_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- CLI


def test_cli_report_html(tmp_path: Path) -> None:
    out = tmp_path / "out.html"
    result = CliRunner().invoke(
        cli, ["report", str(FIXTURES / "tickets-report.json"), "--format", "html", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "<svg" in html
    assert "http://" not in html and "https://" not in html


@pytest.mark.parametrize("fmt", FORMATS)
def test_cli_report_has_no_resource_urls(fmt: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["report", str(FIXTURES / "acme-report.json"), "--format", fmt, "-o", str(out)])
    assert result.exit_code == 0, result.output
    urls = set(URL.findall(out.read_text(encoding="utf-8")))
    allowed = {SARIF_SCHEMA, "https://auditrules.dev"} if fmt == "sarif" else set()
    assert urls <= allowed


def test_cli_report_rejects_invalid_report(tmp_path: Path) -> None:
    bad = load("tickets-report.json")
    bad["findings"][0]["status"] = "maybe"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad), encoding="utf-8")
    result = CliRunner().invoke(cli, ["report", str(path), "--format", "html", "-o", str(tmp_path / "x.html")])
    assert result.exit_code == 2
    assert "error[AR401]" in result.stderr
    assert not (tmp_path / "x.html").exists()


def test_fixtures_validate_against_the_schema() -> None:
    for name in REPORTS:
        load(name)  # raises AuditError(AR401) when not valid


def test_chart_of_figures_too_far_apart_is_left_out() -> None:
    assert dot_whisker([ChartRow("a", 1e308, -1e308, 1e308)], "number", "t") == ""
