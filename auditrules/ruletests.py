"""Tests for rules (``auditrules test``): rules files + their example evidence → one outcome per example.

Examples live beside a rules file, in ``tests/<RULE-ID>/<status>/<example>``, where ``<status>`` is
``fail``, ``pass``, ``inconclusive`` or ``not_evaluated`` and each ``<example>`` is routing evidence (a
file or an export directory) or a ticket file (CSV, Parquet, JSON Lines; a ``<name>.mapping.yaml``
beside it is its column mapping), told apart the way ``auditrules check`` tells them apart. Each
example is checked alone, with only its rule selected, and must give exactly that status.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from auditrules.api import LoadedPolicy, load_policies, rule_files
from auditrules.errors import AuditError, render_error
from auditrules.findings import Status

EXPECTABLE = ("fail", "pass", "inconclusive", "not_evaluated")
MAPPING_SUFFIX = ".mapping.yaml"


@dataclass(frozen=True)
class Example:
    """One example: the rule it is for, the status it must give, and its evidence."""

    rule_id: str
    expected: str
    path: Path
    policy: LoadedPolicy

    @property
    def mapping(self) -> Path | None:
        candidate = self.path.with_name(self.path.name.split(".")[0] + MAPPING_SUFFIX)
        return candidate if self.path.is_file() and candidate.is_file() else None


@dataclass(frozen=True)
class Outcome:
    """What an example gave: its status and the findings behind it, or the input error it raised."""

    example: Example
    status: str | None
    findings: tuple[tuple[str, str], ...] = ()
    error: str | None = None

    @property
    def held(self) -> bool:
        return self.error is None and self.status == self.example.expected

    def lines(self) -> list[str]:
        """The report line of this example, and for one that did not hold, a diff of what differed."""
        ex = self.example
        name = f"{ex.rule_id} {ex.expected:<13} {ex.path}"
        if self.error is not None:
            return [f"ERROR {name}", *(f"      {ln}" for ln in self.error.splitlines())]
        if self.held:
            return [f"ok    {name}"]
        out = [
            f"FAIL  {name}: expected {ex.expected}, got {self.status}",
            f"      - status: {ex.expected}",
            f"      + status: {self.status}",
        ]
        out.extend(f"      +   {status}: {message}" for status, message in self.findings if status != "pass")
        return out


def examples(policy: LoadedPolicy) -> Iterator[Example | str]:
    """The examples beside a rules file; a string for an entry in the layout that is not an example."""
    if policy.file is None:
        return
    root = policy.file.parent / "tests"
    if not root.is_dir():
        return
    known = {r.id for r in policy.policy.rules}
    for rule_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        if rule_dir.name not in known:
            continue  # another rules file in this directory owns it (checked in find_examples)
        for status_dir in sorted(rule_dir.iterdir()):
            if not status_dir.is_dir() or status_dir.name not in EXPECTABLE:
                yield f"{status_dir}: expected a directory named one of {', '.join(EXPECTABLE)}"
                continue
            for entry in sorted(status_dir.iterdir()):
                if entry.name.startswith(".") or entry.name.endswith(MAPPING_SUFFIX):
                    continue
                yield Example(rule_dir.name, status_dir.name, entry, policy)


def find_examples(paths: Sequence[str | Path]) -> tuple[list[Example], list[str]]:
    """Every example of the rules files at ``paths``, and problems with the layout (input errors)."""
    found: list[Example] = []
    problems: list[str] = []
    for f in rule_files(paths):
        if f.bundled and not f.path.parent.joinpath("tests").is_dir():
            problems.append(f"{f.shown}: the bundled pack's examples are not installed; run it from a checkout")
    loaded = load_policies(paths)
    owned: dict[Path, set[str]] = {}
    for lp in loaded:
        if lp.file is not None:
            owned.setdefault(lp.file.parent / "tests", set()).update(r.id for r in lp.policy.rules)
        for item in examples(lp):
            if isinstance(item, Example):
                found.append(item)
            else:
                problems.append(item)
    for root, ids in owned.items():
        if root.is_dir():
            problems.extend(
                f"{d}: no rule {d.name} in the rules files given"
                for d in sorted(root.iterdir())
                if d.is_dir() and d.name not in ids
            )
    return found, problems


def _is_routing(path: Path) -> bool:
    from auditrules.routing.detect import detect_format

    if path.is_dir():
        return True
    try:
        detect_format(path)
    except AuditError as exc:
        if exc.code == "AR204":
            return False
        raise
    return True


def untested(paths_examples: Sequence[Example], policies: Sequence[LoadedPolicy]) -> list[str]:
    """Rule ids of ``policies`` without any example."""
    have = {e.rule_id for e in paths_examples}
    return [r.id for lp in policies for r in lp.policy.rules if r.id not in have]


def run_example(example: Example) -> Outcome:
    """Check one example with only its rule selected."""
    from auditrules.pipeline import CheckOptions, run

    try:
        routing = _is_routing(example.path)
        mapping = example.mapping
        options = CheckOptions(
            policies=(example.policy,),
            select=(example.rule_id,),
            routing=(example.path,) if routing else (),
            tickets=() if routing else (example.path,),
            mapping=str(mapping) if mapping is not None else None,
        )
        report = run(options)
    except AuditError as exc:
        return Outcome(example, None, error=render_error(exc))
    verdict = next(v for v in report.verdicts if v.rule.id == example.rule_id)
    findings = tuple((f.status.value, f.message) for f in verdict.findings)
    return Outcome(example, Status(verdict.status).value, findings)


__all__ = ["EXPECTABLE", "Example", "Outcome", "find_examples", "run_example", "untested"]
