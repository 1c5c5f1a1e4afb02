"""The check pipeline, one stage per function: rules → selection → evidence → findings → baseline and
waivers → verdicts → :class:`~auditrules.api.Report`.

Everything a run needs is one frozen :class:`CheckOptions` (keyword-only fields), built by the command
line (``auditrules check``, from flags and the configuration file) or by :func:`auditrules.api.check`.

>>> from auditrules.pipeline import CheckOptions, run
>>> report = run(CheckOptions(routing=("examples/acme/routing.yaml",), select=("FAIR-001",)))  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from fnmatch import fnmatchcase
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from auditrules.api import LoadedPolicy, Report, RuleVerdict, doc_page, load_policies, require_rules
from auditrules.documents import sha256_file
from auditrules.errors import AuditError
from auditrules.evidence import MissingEvidence
from auditrules.findings import Diagnostic, Finding, InputFile, Severity, Status, worst
from auditrules.lang import ast
from auditrules.report.options import ReportOptions
from auditrules.routing.universe import DeclaredChannels
from auditrules.tickets.engine_spec import EngineSpec

if TYPE_CHECKING:
    from auditrules.routing.analysis import RoutingContext
    from auditrules.routing.model import RoutingModel


@dataclass(frozen=True, kw_only=True)
class CheckOptions:
    """One run of ``auditrules check``. Paths are as given (relative to the working directory)."""

    rules: tuple[str | Path, ...] = ()
    routing: tuple[str | Path, ...] = ()
    tickets: tuple[str | Path, ...] = ()
    mapping: str | None = None
    routing_format: str | None = None
    engine: str | EngineSpec = "duckdb"
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    waivers: str | Path | None = None
    baseline: str | Path | None = None
    #: Declared channels (the configuration file's ``channels:``), handed to the routing analysis.
    declared_channels: DeclaredChannels | None = None
    report: ReportOptions = field(default_factory=ReportOptions)
    progress: bool = False
    #: When the check ran and on which machine (``--timestamp``; off, reports are byte-stable).
    generated_at: str | None = None
    hostname: str | None = None
    #: Decides which waivers have expired (default: the current date).
    today: date | None = None
    #: When open tickets are censored (ISO 8601); None: the mapping's ``as_of``, else the data's latest time.
    as_of: str | None = None
    #: Exit 1 when a rule could not be evaluated (teams that require full coverage).
    fail_on_not_evaluated: bool = False
    #: Keep every between-groups comparison in the evidence (default: the worst few and the counts).
    all_comparisons: bool = False
    #: Already loaded rule packs (skips ``rules``); for callers that check many exports with one pack.
    policies: tuple[LoadedPolicy, ...] | None = None


def run(options: CheckOptions) -> Report:
    """Run the whole check and return its :class:`Report`."""
    # a check given no ticket data judges no ticket rule: their statements may stay unread
    loaded = (
        list(options.policies)
        if options.policies is not None
        else load_policies(options.rules, ticket_statements=bool(options.tickets))
    )
    pairs = select_rules(loaded, options.select, options.ignore)
    # no work for rules left out: an export is read only when a selected rule judges routing
    needs_routing = any(rule.routing_statements for _, rule in pairs)
    models = [m for p in options.routing for m in _load_models(p, options)] if needs_routing else []
    inputs: list[InputFile] = [InputFile(lp.policy.path, "rules", lp.sha256) for lp in loaded]
    diagnostics: list[Diagnostic] = []
    for m in models:
        inputs.extend(m.inputs)
        diagnostics.extend(m.resolve_diagnostic(d) for d in m.diagnostics)
    ticket_pairs = [(lp.policy, r) for lp, r in pairs]
    ticket_findings = _ticket_findings(ticket_pairs, options, inputs, diagnostics, loaded)
    contexts = _routing_contexts(models, ticket_pairs, options)
    per_rule = [
        (rule, _without_repeated_notes(_rule_findings(lp.policy, rule, contexts, ticket_findings, options)))
        for lp, rule in pairs
    ]
    if options.baseline is not None:
        per_rule = _apply_baseline(per_rule, options.baseline, diagnostics)
        inputs.append(InputFile(str(options.baseline), "baseline", sha256_file(options.baseline)))
    if options.waivers is not None:
        per_rule = _apply_waivers(per_rule, options.waivers, options.today or date.today(), diagnostics)
        inputs.append(InputFile(str(options.waivers), "waivers", sha256_file(options.waivers)))
    verdicts = []
    for (lp, _), (rule, findings) in zip(pairs, per_rule, strict=True):
        findings.sort(key=_sort_key)
        page = doc_page(rule.id, lp)
        doc = page.read_text(encoding="utf-8") if page is not None else None
        verdicts.append(RuleVerdict(rule, worst([f.status for f in findings]), tuple(findings), doc, lp.bundled))
    diagnostics.sort(key=_diagnostic_key)
    return Report(
        tuple(loaded),
        tuple(dict.fromkeys(inputs)),
        tuple(verdicts),
        tuple(diagnostics),
        options.generated_at,
        options=_options_json(options),
        hostname=options.hostname,
        report_options=options.report,
    )


def _options_json(options: CheckOptions) -> dict[str, Any]:
    out: dict[str, Any] = {
        "routing_format": options.routing_format,
        "mapping": options.mapping,
        "engine": options.engine if isinstance(options.engine, str) else options.engine.name,
    }
    if options.fail_on_not_evaluated:
        out["fail_on_not_evaluated"] = True
    if options.select or options.ignore:
        out["select"] = list(options.select)
        out["ignore"] = list(options.ignore)
    if options.declared_channels is not None:
        out["declared_channels"] = {
            "channels": list(options.declared_channels.channels),
            "source": options.declared_channels.source,
        }
    return out


def matches(rule_id: str, patterns: Sequence[str]) -> bool:
    """Whether ``rule_id`` matches one of ``patterns`` (rule ids or globs such as ``FAIR-00*``; any case)."""
    return any(fnmatchcase(rule_id.upper(), p.upper()) for p in patterns)


def select_rules(
    loaded: Sequence[LoadedPolicy], select: Sequence[str] = (), ignore: Sequence[str] = ()
) -> list[tuple[LoadedPolicy, ast.Rule]]:
    """The (rules file, rule) pairs left by ``--select`` (none: all) and ``--ignore``; AR007 if none is left."""
    require_rules(loaded)
    pairs = [
        (lp, rule)
        for lp in loaded
        for rule in lp.policy.rules
        if (not select or matches(rule.id, select)) and not matches(rule.id, ignore)
    ]
    if not pairs:
        chosen = " ".join([*(f"--select {s}" for s in select), *(f"--ignore {i}" for i in ignore)])
        left = [replace(lp, policy=replace(lp.policy, rules=())) for lp in loaded]
        require_rules(left, f"after {chosen}")
    return pairs


def _load_models(path: str | Path, options: CheckOptions) -> list[RoutingModel]:
    """The routing inputs at ``path``; a ticket file given as routing evidence gets a hint (AR204)."""
    from auditrules.routing.detect import load_routing_inputs

    try:
        return load_routing_inputs(path, options.routing_format)
    except AuditError as err:
        from auditrules.tickets.sources import file_format

        if err.code == "AR204" and Path(path).is_dir():  # a folder of ticket exports given as routing
            names = sorted(f.name for f in Path(path).iterdir() if file_format(f.name) not in (None, "json"))
            if names:
                raise replace(err, hint=f"{', '.join(names)}: ticket data? give it with --tickets") from None
        kind = file_format(str(path))
        if err.code != "AR204" or kind in (None, "json") or str(path).lower().endswith(".txt"):
            raise
        raise replace(err, hint=f"{path} looks like ticket data ({kind}): give it with --tickets") from None


def _routing_contexts(
    models: Sequence[RoutingModel], pairs: Sequence[tuple[ast.Policy, ast.Rule]], options: CheckOptions
) -> list[tuple[RoutingModel, RoutingContext]]:
    """Each routing input with what the run knows beyond it: declared channels, channels seen in the
    ticket data (when SLA statements are checked on routing in the same run), and its label."""
    from auditrules.routing.analysis import RoutingContext, input_labels

    labels = input_labels(models)
    sla = any(isinstance(st, (ast.SlaCoverage, ast.SlaEqual)) for _, r in pairs for st in r.routing_statements)
    seen: DeclaredChannels | None = None
    if sla and models and options.tickets:
        from auditrules.tickets.seen import ticket_channels

        # one DISTINCT over the channel column: DuckDB reads it without starting a second Spark session
        seen = DeclaredChannels(
            ticket_channels([str(t) for t in options.tickets], options.mapping, "duckdb"), "the ticket data"
        )
    return [(m, RoutingContext(options.declared_channels, seen, labels.get(id(m)))) for m in models]


def _ticket_findings(
    pairs: Sequence[tuple[ast.Policy, ast.Rule]],
    options: CheckOptions,
    inputs: list[InputFile],
    diagnostics: list[Diagnostic],
    loaded: Sequence[LoadedPolicy],
) -> dict[str, list[Finding]]:
    """Ticket findings by rule id (all ticket rules run in one pass over the data)."""
    out: dict[str, list[Finding]] = {}
    ticket_pairs = [(p, r) for p, r in pairs if r.reads_tickets] if options.tickets else []
    if not ticket_pairs:
        return out
    from auditrules.tickets import evaluate_tickets

    try:
        result = evaluate_tickets(
            ticket_pairs,
            [str(t) for t in options.tickets],
            mapping=options.mapping,
            engine=options.engine,
            progress=options.progress,
            all_comparisons=options.all_comparisons,
            as_of=options.as_of,
        )
    except AuditError as exc:  # an error in a rules file (AR312) shows its line
        texts = {lp.policy.path: lp.source for lp in loaded}
        if exc.span is not None and exc.source is None and exc.span.path in texts:
            raise exc.with_source(texts[exc.span.path]) from None
        raise
    inputs.extend(result.inputs)
    diagnostics.extend(result.diagnostics)
    for f in result.findings:
        out.setdefault(f.rule_id, []).append(f)
    return out


def _routing_findings(
    policy: ast.Policy, rule: ast.Rule, model: RoutingModel, context: RoutingContext
) -> list[Finding]:
    from auditrules.routing.analysis import evaluate_routing

    return [model.resolve_finding(f) for f in evaluate_routing(policy, rule, model, context)]


def _rule_findings(
    policy: ast.Policy,
    rule: ast.Rule,
    contexts: Sequence[tuple[RoutingModel, RoutingContext]],
    ticket_findings: dict[str, list[Finding]],
    options: CheckOptions,
) -> list[Finding]:
    findings: list[Finding] = []
    if rule.routing_statements:
        for m, context in contexts:
            findings.extend(_routing_findings(policy, rule, m, context))
        if not contexts:
            findings.append(_not_evaluated(rule, "routing", "no routing export given (use --routing PATH)"))
    if rule.reads_tickets:
        if options.tickets:
            findings.extend(ticket_findings.get(rule.id, []))
        else:
            findings.append(_not_evaluated(rule, "tickets", "no ticket data given (use --tickets PATH)"))
    return findings


def _not_evaluated(rule: ast.Rule, needs: Literal["routing", "tickets"], message: str) -> Finding:
    """The finding of a rule whose evidence (``routing`` or ``tickets``) was not given."""
    return Finding(rule.id, rule.title, Severity(rule.severity), Status.NOT_EVALUATED, message, MissingEvidence(needs))


def _apply_baseline(
    per_rule: list[tuple[ast.Rule, list[Finding]]], baseline: str | Path, diagnostics: list[Diagnostic]
) -> list[tuple[ast.Rule, list[Finding]]]:
    from auditrules.baseline import apply_baseline, load_baseline

    known = load_baseline(baseline)
    out = [(r, apply_baseline(fs, known, str(baseline))) for r, fs in per_rule]
    diagnostics.extend(known.gone([f for _, fs in out for f in fs]))
    return out


def _apply_waivers(
    per_rule: list[tuple[ast.Rule, list[Finding]]], path: str | Path, today: date, diagnostics: list[Diagnostic]
) -> list[tuple[ast.Rule, list[Finding]]]:
    from auditrules.waivers import apply_waivers, load_waivers

    accepted = load_waivers(path)
    waived, notes = apply_waivers([f for _, fs in per_rule for f in fs], accepted, today)
    diagnostics.extend(notes)
    it = iter(waived)
    return [(r, [next(it) for _ in fs]) for r, fs in per_rule]


def _sort_key(f: Finding) -> tuple[int, str, str]:
    from auditrules.findings import STATUS_ORDER

    loc = f.locations[0] if f.locations else None
    where = f"{loc.path}:{(loc.line or 0):09d}" if loc else ""
    return (STATUS_ORDER.index(f.status), where, f.message)


def _diagnostic_key(d: Diagnostic) -> tuple[str, int, str, str]:
    loc = d.location
    return (loc.path if loc else "", (loc.line or 0) if loc else 0, d.code, d.message)


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


__all__ = [
    "CheckOptions",
    "matches",
    "run",
    "select_rules",
]
