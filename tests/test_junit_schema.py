"""JUnit XML against the Ant JUnit schema (the structure Ant's XMLJUnitResultFormatter writes), checked
by a validator written here, equivalent to the XSD: required attributes and their types, the order of
children, and counts that agree. With --timestamp the suite carries timestamp and hostname; without it
the output is byte-identical run to run."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from click.testing import CliRunner

from auditrules.cli import cli

ACME = "examples/acme/routing.yaml"
INT = re.compile(r"^[0-9]+$")
DECIMAL = re.compile(r"^[0-9]+(\.[0-9]+)?$")
#: xs:dateTime as the Ant schema restricts it: no fraction, no time zone.
ANT_DATETIME = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}$")
SUITE_ATTRS = {
    "name": None,
    "tests": INT,
    "failures": INT,
    "errors": INT,
    "time": DECIMAL,
    "timestamp": ANT_DATETIME,
    "hostname": None,
}
SUITE_OPTIONAL = {"skipped": INT, "id": INT, "package": None}
CASE_CHILDREN = ("failure", "error", "skipped", "system-out", "system-err")


def _suite_errors(root: ET.Element) -> list[str]:
    errors: list[str] = []
    for attr, pattern in SUITE_ATTRS.items():
        value = root.get(attr)
        if value is None or not value.strip():
            errors.append(f"testsuite: missing required attribute {attr}")
        elif pattern is not None and not pattern.match(value):
            errors.append(f"testsuite/@{attr}: {value!r} does not match {pattern.pattern}")
    errors.extend(
        f"testsuite: attribute {attr} is not allowed"
        for attr in set(root.attrib) - set(SUITE_ATTRS) - set(SUITE_OPTIONAL)
    )
    order = [child.tag for child in root]
    expected = ["properties"] + ["testcase"] * order.count("testcase") + ["system-out", "system-err"]
    if order != expected:
        errors.append(f"testsuite children {order} are not properties, testcase*, system-out, system-err")
    errors.extend(
        "property: name and value are required"
        for prop in root.iter("property")
        if prop.get("name") is None or prop.get("value") is None
    )
    return errors


def _case_errors(case: ET.Element) -> list[str]:
    name = case.get("name")
    errors = [
        f"testcase: missing required attribute {a}" for a in ("name", "classname") if not (case.get(a) or "").strip()
    ]
    if not DECIMAL.match(case.get("time") or ""):
        errors.append(f"testcase {name}: time must be a decimal")
    errors.extend(f"testcase {name}: <{c.tag}> is not allowed" for c in case if c.tag not in CASE_CHILDREN)
    errors.extend(
        f"testcase {name}: <{c.tag}> needs a type"
        for c in case
        if c.tag in ("failure", "error") and c.get("type") is None
    )
    if len([c for c in case if c.tag in ("failure", "error", "skipped")]) > 1:
        errors.append(f"testcase {name}: more than one outcome")
    return errors


def _count_errors(root: ET.Element) -> list[str]:
    cases = root.findall("testcase")
    errors = []
    for attr, tag in (("tests", None), ("failures", "failure"), ("errors", "error"), ("skipped", "skipped")):
        counted = len(cases) if tag is None else sum(1 for c in cases if c.find(tag) is not None)
        if root.get(attr) is not None and root.get(attr) != str(counted):
            errors.append(f"testsuite/@{attr} is {root.get(attr)}, but {counted} testcase(s) say so")
    return errors


def ant_junit_errors(root: ET.Element) -> list[str]:
    """Violations of the Ant JUnit schema (an empty list: valid)."""
    if root.tag != "testsuite":
        return [f"root element is <{root.tag}>, expected <testsuite>"]
    case_errors = [e for case in root.findall("testcase") for e in _case_errors(case)]
    return [*_suite_errors(root), *case_errors, *_count_errors(root)]


def test_validator_catches_violations() -> None:
    bad = ET.fromstring(
        '<testsuite name="x" tests="2" failures="0" errors="0" time="0" timestamp="2026-01-01T00:00:00+00:00">'
        '<testcase name="a" classname="c" time="0"><bogus/></testcase></testsuite>'
    )
    errors = ant_junit_errors(bad)
    assert any("hostname" in e for e in errors) and any("timestamp" in e for e in errors)
    assert any("<bogus>" in e for e in errors) and any("@tests is 2" in e for e in errors)
    assert any("children" in e for e in errors)


def test_junit_with_timestamp_validates(runner: CliRunner, in_root: Path) -> None:
    result = runner.invoke(
        cli, ["check", ACME, "--tickets", "examples/acme/tickets.parquet", "--format", "junit", "--timestamp", "-q"]
    )
    root = ET.fromstring(result.stdout)
    assert ant_junit_errors(root) == []
    assert ANT_DATETIME.match(root.get("timestamp", "")) and root.get("hostname")


def test_junit_without_timestamp_is_byte_identical(runner: CliRunner, in_root: Path) -> None:
    runs = [runner.invoke(cli, ["check", ACME, "--format", "junit"]).stdout for _ in range(2)]
    assert runs[0] == runs[1]
    assert "timestamp=" not in runs[0] and "hostname=" not in runs[0]
    errors = ant_junit_errors(ET.fromstring(runs[0]))
    assert errors == [
        "testsuite: missing required attribute timestamp",
        "testsuite: missing required attribute hostname",
    ]
