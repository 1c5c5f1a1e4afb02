"""Waivers (accepted exceptions with expiry) and baselines (fail only on new findings)."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from auditrules.cli import cli
from auditrules.errors import AuditError
from auditrules.findings import Status
from auditrules.pipeline import CheckOptions, run
from auditrules.waivers import load_waivers

ROOT = Path(__file__).resolve().parent.parent
ACME = ROOT / "examples" / "acme" / "routing.yaml"

WAIVERS = """auditrules: waivers/v1
waivers:
  - rule: FAIR-002
    match: "channel chat"
    reason: "Chat launches in Q1 with the standard SLA"
    approver: "M. Okafor"
    expires: 2027-03-31
"""


def _write(tmp: Path, text: str) -> Path:
    p = tmp / "waivers.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_live_waiver_marks_only_the_matching_finding(tmp_path: Path) -> None:
    report = run(CheckOptions(routing=(ACME,), waivers=_write(tmp_path, WAIVERS), today=date(2027, 3, 31)))
    fair2 = [f for f in report.findings if f.rule_id == "FAIR-002"]
    waived = [f for f in fair2 if f.status is Status.WAIVED]
    assert [f.message for f in waived] == ["no SLA policy covers channel chat"]
    assert waived[0].evidence["waiver"]["approver"] == "M. Okafor"
    assert waived[0].evidence["waived_status"] == "fail"
    assert any(f.status is Status.FAIL for f in fair2)  # the SLA differences are not waived
    assert not report.diagnostics


def test_expired_waiver_stops_working_and_says_so(tmp_path: Path) -> None:
    report = run(CheckOptions(routing=(ACME,), waivers=_write(tmp_path, WAIVERS), today=date(2027, 4, 1)))
    assert not any(f.status is Status.WAIVED for f in report.findings)
    (note,) = report.diagnostics
    assert note.code == "AR403" and "expired on 2027-03-31" in note.message


def test_waiving_every_failure_turns_the_exit_code_to_zero(tmp_path: Path) -> None:
    text = WAIVERS.replace('    match: "channel chat"\n', "") + (
        "  - rule: FAIR-001\n    scope: '*routing.yaml'\n    reason: r\n    approver: a\n    expires: 2999-01-01\n"
        "  - rule: FAIR-011\n    scope: '*routing.yaml'\n    reason: r\n    approver: a\n    expires: 2999-01-01\n"
    )
    report = run(CheckOptions(routing=(ACME,), waivers=_write(tmp_path, text), today=date(2026, 1, 1)))
    assert report.exit_code("low") == 0
    assert {v.rule.id: v.status for v in report.verdicts}["FAIR-001"] is Status.WAIVED


def test_unused_waiver_is_noted(tmp_path: Path) -> None:
    text = WAIVERS.replace("FAIR-002", "FAIR-008")
    report = run(CheckOptions(routing=(ACME,), waivers=_write(tmp_path, text), today=date(2026, 1, 1)))
    assert [d.code for d in report.diagnostics] == ["AR404"]


def test_scope_glob_limits_a_waiver(tmp_path: Path) -> None:
    text = WAIVERS.replace('    match: "channel chat"\n', "    scope: 'other/*.yaml'\n")
    report = run(CheckOptions(routing=(ACME,), waivers=_write(tmp_path, text), today=date(2026, 1, 1)))
    assert not any(f.status is Status.WAIVED for f in report.findings)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (WAIVERS.replace('    approver: "M. Okafor"\n', ""), "/waivers/0: 'approver' is a required property"),
        (WAIVERS.replace("2027-03-31", "'next spring'"), "/waivers/0/expires: 'next spring' does not match"),
        (WAIVERS.replace("waivers/v1", "waivers/v9"), "/auditrules: 'waivers/v1' was expected"),
    ],
)
def test_invalid_waivers_are_ar402(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(AuditError) as info:
        load_waivers(_write(tmp_path, text))
    assert info.value.code == "AR402" and info.value.message.startswith(message)


def test_baseline_adoption_fails_only_on_new_findings(tmp_path: Path) -> None:
    routing = tmp_path / "routing.yaml"
    shutil.copy(ACME, routing)
    runner = CliRunner()
    base = tmp_path / "baseline.json"
    first = runner.invoke(cli, ["check", "--routing", str(routing), "--format", "json", "-o", str(base)])
    assert first.exit_code == 1
    again = runner.invoke(cli, ["check", "--routing", str(routing), "--baseline", str(base)])
    assert again.exit_code == 0, again.output
    # edits that move lines do not make known findings new ...
    routing.write_text("# reviewed 2026-11\n\n" + routing.read_text(encoding="utf-8"), encoding="utf-8")
    assert runner.invoke(cli, ["check", "--routing", str(routing), "--baseline", str(base)]).exit_code == 0
    # ... but a new influence-based rule is
    text = routing.read_text(encoding="utf-8").replace(
        "  - id: default\n",
        "  - id: verified-first\n    when: customer.twitter_verified == true\n    route: {priority: 1}\n\n"
        "  - id: default\n",
    )
    routing.write_text(text, encoding="utf-8")
    new = runner.invoke(cli, ["check", "--routing", str(routing), "--baseline", str(base), "--format", "json"])
    assert new.exit_code == 1
    failing = [f for f in json.loads(new.stdout)["findings"] if f["status"] == "fail"]
    assert [f["evidence"]["routing_rule"] for f in failing] == ["verified-first"]
