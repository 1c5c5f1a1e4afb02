"""The Python API the CLI calls: load policies, gather evidence, produce a :class:`Report`.

>>> from auditrules.api import check
>>> report = check(routing=["examples/acme/routing.yaml"])   # doctest: +SKIP
>>> report.exit_code("low")                                   # doctest: +SKIP
1
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditrules import __version__
from auditrules.documents import read_text
from auditrules.errors import AuditError, Span
from auditrules.findings import (
    FAILING,
    STATUS_ORDER,
    Diagnostic,
    Finding,
    InputFile,
    Severity,
    Status,
)
from auditrules.fingerprints import fingerprint
from auditrules.lang import ast
from auditrules.lang.cached import parse_policy
from auditrules.lang.check import check_policies
from auditrules.report.options import ReportOptions
from auditrules.resources import standard_pack

if TYPE_CHECKING:
    from auditrules.report.notebook import Frames
    from auditrules.routing.universe import DeclaredChannels
    from auditrules.tickets.engine_spec import EngineSpec

FAIL_ON = ("low", "medium", "high", "never")


@dataclass(frozen=True)
class LoadedPolicy:
    """A checked rules file with its text and hash."""

    policy: ast.Policy
    source: str
    sha256: str
    #: Where the file is on disk (``policy.path`` is the path reports show).
    file: Path | None = None
    #: Whether this is a rule pack bundled with auditrules (not a file in the user's repository).
    bundled: bool = False


@dataclass(frozen=True)
class RuleFile:
    """A rules file to load: where it is, and the path reports show (``rules/<pack>.rules`` when bundled)."""

    path: Path
    shown: str
    bundled: bool = False


def pack_file(name: str) -> RuleFile | None:
    """The bundled rule pack called ``name`` (``fairness``), or None."""
    from auditrules.resources import rules_dir

    if not name or any(c in name for c in "/\\.") or name.startswith("~"):
        return None
    path = rules_dir() / f"{name}.rules"
    return RuleFile(path, f"rules/{name}.rules", bundled=True) if path.is_file() else None


def pack_names() -> list[str]:
    from auditrules.resources import rules_dir

    return sorted(p.stem for p in rules_dir().glob("*.rules"))


def rule_files(paths: Sequence[str | Path]) -> list[RuleFile]:
    """Expand files, directories (``*.rules``, sorted) and bundled pack names into rule files.

    A name that is not an existing path but names a bundled pack (``fairness``) is that pack; anything
    else missing is AR001.
    """
    out: list[RuleFile] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(p.glob("*.rules"))
            if not found:
                raise AuditError("AR001", f"no .rules files in directory {raw}")
            out.extend(RuleFile(f, str(f)) for f in found)
        elif p.exists():
            out.append(RuleFile(p, str(p)))
        elif (pack := pack_file(str(raw))) is not None:
            out.append(pack)
        else:
            packs = ", ".join(pack_names())
            raise AuditError("AR001", f"no such file or directory: {raw} (bundled rule packs: {packs})")
    return out


def load_policies(paths: Sequence[str | Path] = (), *, ticket_statements: bool = True) -> list[LoadedPolicy]:
    """Parse and check rules files; without paths, the bundled standard pack.

    ``ticket_statements=False`` (a check given no ticket data, which judges no ticket rule) may
    leave ticket rules' statements unread: see :class:`~auditrules.lang.ast.UnreadStatements`.
    """
    files = rule_files(paths) if paths else [RuleFile(standard_pack(), "rules/fairness.rules", bundled=True)]
    loaded: list[LoadedPolicy] = []
    for f in files:
        text, digest = read_text(f.path)
        try:
            policy = parse_policy(text, f.shown, ticket_statements=ticket_statements)
        except AuditError as exc:
            raise exc.with_source(text) from None
        if not policy.rules and not policy.defines:
            raise AuditError(
                "AR007",
                f"{f.shown} defines no rule (an empty file, or one that is all comments)",
                Span(f.shown, 1, 1),
            )
        loaded.append(LoadedPolicy(policy, text, digest, f.path, f.bundled))
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
    #: The rule's documentation page (Markdown), if one is shipped with its rules file.
    doc: str | None = None
    #: Whether the rule comes from a bundled pack (its file is not in the user's repository).
    bundled: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "doc": self.doc,
            "bundled": self.bundled,
            "help_uri": self.rule.docs,
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


def doc_page(rule_id: str, policy: LoadedPolicy) -> Path | None:
    """The documentation page of a rule: ``docs/<ID>.md`` beside its rules file, if there is one.

    A user's rules file never gets the bundled page of a rule with the same id: only bundled packs
    read the bundled ``docs/``.
    """
    if policy.file is None:
        return None
    page = policy.file.parent / "docs" / f"{rule_id}.md"
    return page if page.is_file() else None


def _evidence_kinds(rule: ast.Rule) -> set[str]:
    kinds = set()
    if rule.routing_statements:
        kinds.add("routing")
    if rule.reads_tickets:
        kinds.add("tickets")
    return kinds


@dataclass(frozen=True, repr=False)  # its own __repr__ (below): no generated one to build at import
class Report:
    """Everything ``auditrules check`` found; :meth:`to_json` is the report format's source of truth."""

    policies: tuple[LoadedPolicy, ...]
    inputs: tuple[InputFile, ...]
    verdicts: tuple[RuleVerdict, ...]
    diagnostics: tuple[Diagnostic, ...] = ()
    generated_at: str | None = None
    version: str = __version__
    options: dict[str, Any] = field(default_factory=dict)
    #: The machine the check ran on; recorded only with ``--timestamp``, like ``generated_at``.
    hostname: str | None = None
    #: Engagement details for a client report (the configuration file's ``report:`` section).
    report_options: ReportOptions = field(default_factory=ReportOptions)

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(f for v in self.verdicts for f in v.findings)

    def __repr__(self) -> str:
        counts = ", ".join(f"{n} {status}" for status, n in self.summary()["rules"].items() if n)
        return f"<Report: {len(self.verdicts)} rules ({counts}), exit code {self.exit_code('low')}>"

    def _repr_html_(self) -> str:
        """A summary table for notebooks (one row per rule)."""
        from auditrules.report.notebook import summary_html

        return summary_html(self.to_json())

    def to_pandas(self) -> Frames:
        """Findings and the ticket findings' group figures as pandas DataFrames (pandas is optional)."""
        from auditrules.report.notebook import to_frames

        return to_frames(self.to_json())

    def failing(self, fail_on: str) -> list[Finding]:
        """Findings that make the run fail at ``fail_on`` (low | medium | high | never)."""
        if fail_on == "never":
            return []
        floor = Severity(fail_on).rank
        return [f for f in self.findings if f.status in FAILING and f.severity.rank >= floor]

    def exit_code(self, fail_on: str) -> int:
        if fail_on != "never" and any(d.level == "error" for d in self.diagnostics):
            return 1
        if self.options.get("fail_on_not_evaluated") and any(v.status == Status.NOT_EVALUATED for v in self.verdicts):
            return 1
        return 1 if self.failing(fail_on) else 0

    def summary(self) -> dict[str, Any]:
        findings = {s.value: 0 for s in STATUS_ORDER}
        for f in self.findings:
            findings[f.status.value] += 1
        rules = {s.value: 0 for s in STATUS_ORDER}
        why: dict[str, int] = {}
        for v in self.verdicts:
            rules[v.status.value] += 1
            if v.status == Status.NOT_EVALUATED:
                reason = _not_evaluated_reason(v.findings)
                why[reason] = why.get(reason, 0) + 1
        out: dict[str, Any] = {"findings": findings, "rules": rules, "rules_total": len(self.verdicts)}
        if why:
            out["not_evaluated"] = dict(sorted(why.items()))
        return out

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
            "findings": [_with_fingerprint(f.to_json()) for f in self.findings],
            "diagnostics": [d.to_json() for d in self.diagnostics],
            "summary": self.summary(),
            "fail_on": fail_on,
            "exit_code": self.exit_code(fail_on),
        }
        if self.generated_at is not None:
            out["generated_at"] = self.generated_at
        if self.hostname is not None:
            out["hostname"] = self.hostname
        if not self.report_options.empty:
            out["engagement"] = self.report_options.engagement()
        return out


def _with_fingerprint(finding: dict[str, Any]) -> dict[str, Any]:
    """A finding's JSON form with its fingerprint (computed from that same form)."""
    return {**finding, "fingerprint": fingerprint(finding)}


def _not_evaluated_reason(findings: Sequence[Finding]) -> str:
    """Why a rule was not evaluated, in a few words for the summary line."""
    for f in findings:
        column = f.evidence.get("missing_column")
        if column:
            return f"no '{column}' column in the ticket data"
        needs = f.evidence.get("needs")
        if needs:
            return f"no {needs} data given"
    return "no evidence of its kind"


def check(
    *,
    rules: str | Path | Sequence[str | Path] = (),
    routing: str | Path | Sequence[str | Path] = (),
    tickets: str | Path | Sequence[str | Path] = (),
    mapping: str | None = None,
    engine: str | EngineSpec = "duckdb",
    select: str | Sequence[str] = (),
    ignore: str | Sequence[str] = (),
    waivers: str | Path | None = None,
    baseline: str | Path | None = None,
    declared_channels: DeclaredChannels | None = None,
) -> Report:
    """Check routing exports and ticket histories against rules (the standard pack by default).

    Each of ``rules``, ``routing``, ``tickets``, ``select`` and ``ignore`` takes one value or a list.
    ``waivers`` (a ``waivers/v1`` YAML file) and ``baseline`` (an earlier JSON report) turn accepted
    or already-known failing findings into ``waived``. ``declared_channels`` (channels with a label
    saying where they were declared, e.g. the configuration file's ``channels:`` key) are the channels
    the help desk serves, unless the policy declares them itself (``define channels = channels …``).
    Every other option (``today`` for waiver expiry, ``routing_format``, ``policies``, ``as_of``,
    ``fail_on_not_evaluated``, ``all_comparisons``, ...) is a field
    of :class:`auditrules.pipeline.CheckOptions`, run with :func:`auditrules.pipeline.run`.
    """
    from auditrules.pipeline import CheckOptions, run

    return run(
        CheckOptions(
            rules=_many(rules),
            routing=_many(routing),
            tickets=_many(tickets),
            mapping=mapping,
            engine=engine,
            select=tuple(str(s) for s in _many(select)),
            ignore=tuple(str(s) for s in _many(ignore)),
            waivers=waivers,
            baseline=baseline,
            declared_channels=declared_channels,
        )
    )


def _many(value: str | Path | Sequence[str | Path]) -> tuple[str | Path, ...]:
    """One path or a list of them (a string is one path, never a list of characters)."""
    if isinstance(value, (str, Path)):
        return (value,)
    return tuple(value)


def find_rule(rule_id: str, policies: Sequence[LoadedPolicy]) -> ast.Rule:
    for lp in policies:
        for rule in lp.policy.rules:
            if rule.id.upper() == rule_id.upper():
                return rule
    known = ", ".join(r.id for lp in policies for r in lp.policy.rules)
    raise AuditError("AR004", f"no rule {rule_id} (known: {known})", None)


__all__ = ["FAIL_ON", "LoadedPolicy", "Report", "RuleVerdict", "check", "find_rule", "load_policies", "require_rules"]
