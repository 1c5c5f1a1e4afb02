"""The Python API the CLI calls: load policies, gather evidence, produce a :class:`Report`.

>>> from auditrules.api import check
>>> report = check(routing=["examples/acme/routing.yaml"])   # doctest: +SKIP
>>> report.exit_code("low")                                   # doctest: +SKIP
1
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from auditrules import __version__
from auditrules.documents import read_text, sha256_file
from auditrules.errors import AuditError, Span
from auditrules.evidence import MissingEvidence
from auditrules.findings import (
    FAILING,
    STATUS_ORDER,
    Diagnostic,
    Finding,
    InputFile,
    Severity,
    Status,
    worst,
)
from auditrules.lang import ast
from auditrules.lang.check import check_policies
from auditrules.lang.parser import parse_policy
from auditrules.resources import standard_pack
from auditrules.routing.universe import DeclaredChannels

FAIL_ON = ("low", "medium", "high", "never")


@dataclass(frozen=True)
class LoadedPolicy:
    """A checked rules file with its text and hash."""

    policy: ast.Policy
    source: str
    sha256: str


def rule_files(paths: Sequence[str | Path]) -> list[Path]:
    """Expand files and directories (``*.rules``, sorted) into rule files; AR001 for missing paths."""
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(p.glob("*.rules"))
            if not found:
                raise AuditError("AR001", f"no .rules files in directory {raw}")
            out.extend(found)
        elif p.exists():
            out.append(p)
        else:
            raise AuditError("AR001", f"no such file or directory: {raw}")
    return out


def load_policies(paths: Sequence[str | Path] = ()) -> list[LoadedPolicy]:
    """Parse and check rules files; without paths, the bundled standard pack."""
    files = rule_files(paths) if paths else [standard_pack()]
    loaded: list[LoadedPolicy] = []
    for f in files:
        shown = str(f) if paths else "rules/fairness.rules"
        text, digest = read_text(f)
        try:
            policy = parse_policy(text, shown)
        except AuditError as exc:
            raise exc.with_source(text) from None
        if not policy.rules and not policy.defines:
            raise AuditError(
                "AR007", f"{shown} defines no rule (an empty file, or one that is all comments)",
                Span(shown, 1, 1),
            )
        loaded.append(LoadedPolicy(policy, text, digest))
    check_policies([(lp.policy, lp.source) for lp in loaded])
    require_rules(loaded)
    return loaded


def require_rules(policies: Sequence[LoadedPolicy], selection: str = "") -> None:
    """AR007 when ``policies`` hold no rule: a run with nothing to judge is a usage error, not a pass.

    Called after loading and again after any selection of rules; ``selection`` says how the rules
    were chosen (e.g. ``"after --select FAIR-00*"``) for the message.
    """
    if any(lp.policy.rules for lp in policies):
        return
    files = ", ".join(lp.policy.path for lp in policies) or "no rules files"
    where = f" {selection}" if selection else ""
    raise AuditError("AR007", f"no rule to check{where} (loaded: {files})")


@dataclass(frozen=True)
class RuleVerdict:
    """The summary verdict of one rule over all its findings."""

    rule: ast.Rule
    status: Status
    findings: tuple[Finding, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule.id,
            "title": self.rule.title,
            "severity": self.rule.severity,
            "status": self.status.value,
            "rationale": self.rule.rationale,
            "remediation": self.rule.remediation,
            "source": self.rule.source,
            "location": {"path": self.rule.span.path, "line": self.rule.span.line},
            "evidence_kinds": sorted(_evidence_kinds(self.rule)),
        }


def _evidence_kinds(rule: ast.Rule) -> set[str]:
    kinds = set()
    if rule.routing_statements:
        kinds.add("routing")
    if rule.scope is not None or rule.requires:
        kinds.add("tickets")
    return kinds


@dataclass(frozen=True)
class Report:
    """Everything ``auditrules check`` found; :meth:`to_json` is the report format's source of truth."""

    policies: tuple[LoadedPolicy, ...]
    inputs: tuple[InputFile, ...]
    verdicts: tuple[RuleVerdict, ...]
    diagnostics: tuple[Diagnostic, ...] = ()
    generated_at: str | None = None
    version: str = __version__
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(f for v in self.verdicts for f in v.findings)

    def failing(self, fail_on: str) -> list[Finding]:
        """Findings that make the run fail at ``fail_on`` (low | medium | high | never)."""
        if fail_on == "never":
            return []
        floor = Severity(fail_on).rank
        return [f for f in self.findings if f.status in FAILING and f.severity.rank >= floor]

    def exit_code(self, fail_on: str) -> int:
        if fail_on != "never" and any(d.level == "error" for d in self.diagnostics):
            return 1
        return 1 if self.failing(fail_on) else 0

    def summary(self) -> dict[str, Any]:
        findings = {s.value: 0 for s in STATUS_ORDER}
        for f in self.findings:
            findings[f.status.value] += 1
        rules = {s.value: 0 for s in STATUS_ORDER}
        for v in self.verdicts:
            rules[v.status.value] += 1
        return {"findings": findings, "rules": rules, "rules_total": len(self.verdicts)}

    def to_json(self, fail_on: str = "low") -> dict[str, Any]:
        first = self.policies[0].policy if self.policies else None
        out: dict[str, Any] = {
            "auditrules_version": self.version,
            "policy": {
                "name": first.name if first else None,
                "version": first.version if first else None,
                "files": [
                    {"path": lp.policy.path, "sha256": lp.sha256, "name": lp.policy.name, "version": lp.policy.version}
                    for lp in self.policies
                ],
            },
            "inputs": [i.to_json() for i in self.inputs],
            "rules": [v.to_json() for v in self.verdicts],
            "findings": [f.to_json() for f in self.findings],
            "diagnostics": [d.to_json() for d in self.diagnostics],
            "summary": self.summary(),
            "fail_on": fail_on,
            "exit_code": self.exit_code(fail_on),
        }
        if self.generated_at is not None:
            out["generated_at"] = self.generated_at
        return out


def _sort_key(f: Finding) -> tuple[int, str, str]:
    loc = f.locations[0] if f.locations else None
    where = f"{loc.path}:{(loc.line or 0):09d}" if loc else ""
    return (STATUS_ORDER.index(f.status), where, f.message)


def _without_repeated_notes(findings: list[Finding]) -> list[Finding]:
    """Drop a ``not_evaluated`` finding whose message repeats an earlier one of the same rule
    (two SLA statements on an export without SLA data say the same thing once)."""
    seen: set[str] = set()
    out: list[Finding] = []
    for f in findings:
        if f.status is Status.NOT_EVALUATED:
            if f.message in seen:
                continue
            seen.add(f.message)
        out.append(f)
    return out


def _ticket_channels(
    pairs: Sequence[tuple[ast.Policy, ast.Rule]], models: Sequence[Any], tickets: Sequence[str], mapping: str | None
) -> DeclaredChannels | None:
    """Channels seen in the ticket data, when SLA statements are checked on routing in the same run."""
    sla = any(isinstance(st, (ast.SlaCoverage, ast.SlaEqual)) for _, r in pairs for st in r.routing_statements)
    if not (sla and models and tickets):
        return None
    from auditrules.tickets.seen import ticket_channels

    # one DISTINCT over the channel column: DuckDB reads it without starting a second Spark session
    return DeclaredChannels(ticket_channels(list(tickets), mapping, "duckdb"), "the ticket data")


def _routing_inputs(load: Any, path: str | Path, fmt: str | None) -> Any:
    """The routing inputs at ``path``; a ticket file given as routing evidence gets a hint (AR204)."""
    try:
        return load(path, fmt)
    except AuditError as err:
        from auditrules.tickets.sources import file_format

        kind = file_format(str(path))
        if err.code != "AR204" or kind in (None, "json") or str(path).lower().endswith(".txt"):
            raise
        raise replace(err, hint=f"{path} looks like ticket data ({kind}): give it with --tickets") from None


def check(
    rules: Sequence[str | Path] = (),
    routing: Sequence[str | Path] = (),
    tickets: Sequence[str] = (),
    mapping: str | None = None,
    routing_format: str | None = None,
    engine: str = "duckdb",
    progress: bool = False,
    generated_at: str | None = None,
    policies: Sequence[LoadedPolicy] | None = None,
    waivers: str | Path | None = None,
    baseline: str | Path | None = None,
    today: date | None = None,
    *,
    declared_channels: DeclaredChannels | None = None,
) -> Report:
    """Check routing exports and ticket histories against rules (the standard pack by default).

    ``waivers`` (a ``waivers/v1`` YAML file) and ``baseline`` (an earlier JSON report) turn
    accepted or already-known failing findings into ``waived``; ``today`` decides which waivers
    have expired (default: the current date). ``declared_channels`` (channels with a label saying
    where they were declared, e.g. the configuration file's ``channels:`` key) are the channels the
    help desk serves, unless the policy declares them itself (``define channels = channels …``).
    """
    loaded = list(policies) if policies is not None else load_policies(rules)
    require_rules(loaded)
    accepted = None
    if waivers is not None:
        from auditrules.waivers import load_waivers

        accepted = load_waivers(waivers)
    known: set[str] | None = None
    if baseline is not None:
        from auditrules.baseline import known_fingerprints
        from auditrules.report.json import load_report

        known = known_fingerprints(load_report(str(baseline)))
    from auditrules.routing.analysis import RoutingContext, evaluate_routing, input_labels
    from auditrules.routing.detect import load_routing_inputs

    models = [m for p in routing for m in _routing_inputs(load_routing_inputs, p, routing_format)]
    labels = input_labels(models)
    inputs: list[InputFile] = [
        InputFile(lp.policy.path, "rules", lp.sha256) for lp in loaded
    ]
    diagnostics: list[Diagnostic] = []
    for m in models:
        inputs.extend(m.inputs)
        diagnostics.extend(m.resolve_diagnostic(d) for d in m.diagnostics)

    pairs = [(lp.policy, rule) for lp in loaded for rule in lp.policy.rules]
    ticket_channels = _ticket_channels(pairs, models, tickets, mapping)
    ticket_findings: dict[str, list[Finding]] = {}
    ticket_pairs = [(p, r) for p, r in pairs if r.scope is not None]
    if tickets and ticket_pairs:
        from auditrules.tickets import evaluate_tickets

        result = evaluate_tickets(ticket_pairs, list(tickets), mapping=mapping, engine=engine, progress=progress)
        inputs.extend(result.inputs)
        for f in result.findings:
            ticket_findings.setdefault(f.rule_id, []).append(f)

    per_rule: list[tuple[ast.Rule, list[Finding]]] = []
    for policy, rule in pairs:
        findings: list[Finding] = []
        sev = Severity(rule.severity)
        if rule.routing_statements:
            if models:
                for m in models:
                    ctx = RoutingContext(declared_channels, ticket_channels, labels.get(id(m)))
                    findings.extend(m.resolve_finding(f) for f in evaluate_routing(policy, rule, m, ctx))
            else:
                findings.append(
                    Finding(rule.id, rule.title, sev, Status.NOT_EVALUATED,
                            "no routing export given (use --routing PATH)", MissingEvidence("routing"))
                )
        if rule.scope is not None:
            if tickets:
                findings.extend(ticket_findings.get(rule.id, []))
            else:
                findings.append(
                    Finding(rule.id, rule.title, sev, Status.NOT_EVALUATED,
                            "no ticket data given (use --tickets PATH)", MissingEvidence("tickets"))
                )
        per_rule.append((rule, _without_repeated_notes(findings)))

    if known is not None and baseline is not None:
        from auditrules.baseline import apply_baseline

        per_rule = [(r, apply_baseline(fs, known, str(baseline))) for r, fs in per_rule]
        inputs.append(InputFile(str(baseline), "baseline", sha256_file(baseline)))
    if accepted is not None and waivers is not None:
        from auditrules.waivers import apply_waivers

        when = today or date.today()
        all_findings = [f for _, fs in per_rule for f in fs]
        waived, notes = apply_waivers(all_findings, accepted, when)
        diagnostics.extend(notes)
        it = iter(waived)
        per_rule = [(r, [next(it) for _ in fs]) for r, fs in per_rule]
        inputs.append(InputFile(str(waivers), "waivers", sha256_file(waivers)))

    verdicts: list[RuleVerdict] = []
    for rule, findings in per_rule:
        findings.sort(key=_sort_key)
        verdicts.append(RuleVerdict(rule, worst([f.status for f in findings]), tuple(findings)))

    unique_inputs: list[InputFile] = []
    for i in inputs:
        if i not in unique_inputs:
            unique_inputs.append(i)
    diagnostics.sort(key=lambda d: (d.location.path if d.location else "", (d.location.line or 0) if d.location else 0,
                                    d.code, d.message))
    return Report(
        tuple(loaded), tuple(unique_inputs), tuple(verdicts), tuple(diagnostics), generated_at,
        options={"routing_format": routing_format, "mapping": mapping, "engine": engine},
    )


def find_rule(rule_id: str, policies: Sequence[LoadedPolicy]) -> ast.Rule:
    for lp in policies:
        for rule in lp.policy.rules:
            if rule.id.upper() == rule_id.upper():
                return rule
    known = ", ".join(r.id for lp in policies for r in lp.policy.rules)
    raise AuditError("AR004", f"no rule {rule_id} (known: {known})", None)


__all__ = ["FAIL_ON", "LoadedPolicy", "Report", "RuleVerdict", "check", "find_rule", "load_policies", "require_rules"]
