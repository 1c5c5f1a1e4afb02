"""Ticket rule cases: ``rules/cases/tickets.cases.csv`` lists ticket tables and the verdict the
standard pack must reach on each; adding a case is a CSV file and a line, no Python.

Each case is ``rules/cases/tickets/<case>.csv`` in canonical column names. An optional ``_rows``
column repeats a row that many times, so a table of a few lines stands for thousands of tickets.
The index gives, per case, the rule and its expected verdict (the rule's worst finding:
``pass``, ``fail``, ``inconclusive``, ``insufficient_data`` or ``not_evaluated``) and why.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from auditrules.api import check
from auditrules.findings import Status, worst

CASES = Path(__file__).resolve().parent.parent / "rules" / "cases"


def _index() -> list[dict[str, str]]:
    with open(CASES / "tickets.cases.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _expand(case: str, tmp: Path) -> Path:
    with open(CASES / "tickets" / f"{case}.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    columns = [c for c in rows[0] if c != "_rows"]
    out = tmp / f"{case}.csv"
    with open(out, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        for row in rows:
            writer.writerows([[row[c] for c in columns]] * int(row.get("_rows") or 1))
    return out


def test_every_case_file_is_listed_and_every_listed_case_exists() -> None:
    listed = {row["case"] for row in _index()}
    files = {p.stem for p in (CASES / "tickets").glob("*.csv")}
    assert listed == files
    assert {row["expect"] for row in _index()} <= {s.value for s in Status}


@pytest.mark.parametrize("case", _index(), ids=lambda row: f"{row['rule']}:{row['case']}")
def test_ticket_case(case: dict[str, str], tmp_path: Path) -> None:
    report = check(tickets=[str(_expand(case["case"], tmp_path))])
    statuses = [f.status for f in report.findings if f.rule_id == case["rule"]]
    messages = [f.message for f in report.findings if f.rule_id == case["rule"]]
    assert worst(statuses).value == case["expect"], (case["why"], messages)
