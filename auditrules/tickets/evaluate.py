"""Ticket evaluation: ticket rules + ticket files (+ a mapping) → one finding per requirement.

This module orchestrates; it decides nothing. Steps: resolve the files and expose them to the
engine, build the clean view from the mapping (:mod:`auditrules.tickets.plan.clean`), run the
profile (row accounting, AR302, decile edges), the aggregate queries and the order-statistic
queries for quantile intervals (:mod:`auditrules.tickets.plan.compiler`), and hand each
requirement's groups to the judge (:mod:`auditrules.tickets.judge`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from auditrules.columns import KINDS
from auditrules.errors import AuditError, fail
from auditrules.findings import Finding, InputFile
from auditrules.lang import ast
from auditrules.tickets import judge as J
from auditrules.tickets import plan as P
from auditrules.tickets.engine_spec import EngineSpec
from auditrules.tickets.engines import Engine, make_engine
from auditrules.tickets.mapping import Mapping, load_mapping
from auditrules.tickets.plan.twitter import TWEET_COLUMNS, VIEW_SCHEMA
from auditrules.tickets.progress import StepProgress
from auditrules.tickets.sources import SourceFile, input_files, resolve_sources

Rules = Sequence[tuple[ast.Policy, ast.Rule]]


@dataclass(frozen=True)
class TicketResult:
    """The findings of the ticket rules and the inputs they rest on."""

    findings: tuple[Finding, ...]
    inputs: tuple[InputFile, ...]


def evaluate_tickets(
    rules: Rules,
    sources: Sequence[str],
    mapping: str | None = None,
    engine: str | EngineSpec = "duckdb",
    progress: bool = False,
) -> TicketResult:
    """Evaluate ticket rules on ticket files; one finding per (rule, ``require`` statement).

    ``mapping`` is a built-in name (``zendesk``, ``twitter-support``) or a YAML path; None reads
    canonical column names. Raises :class:`AuditError` for unusable input (AR001, AR301-AR306).
    """
    rules = [(p, r) for p, r in rules if r.requires]
    the_mapping = load_mapping(mapping)
    files = resolve_sources(sources)
    inputs = input_files(files)
    if the_mapping.path and not the_mapping.path.startswith("<builtin:"):
        inputs = (*inputs, InputFile(the_mapping.path, "ticket-mapping", the_mapping.sha256))
    eng = make_engine(engine)
    steps = 4 + sum(len(r.requires) for _, r in rules)
    try:
        with StepProgress(progress, steps) as prog:
            prog.step("reading ticket sources")
            findings = _run(eng, rules, files, the_mapping, prog)
    finally:
        eng.close()
    return TicketResult(tuple(findings), inputs)


def _columns_hint(schema: dict[str, str]) -> str:
    names = sorted(schema)
    text = ", ".join(names[:30])
    return text + (f", … ({len(names)} in all)" if len(names) > 30 else "")


def _view_schema(schema: dict[str, str], mapping: Mapping) -> dict[str, str]:
    """The columns the clean view reads: the source's, or those the layout builds from it (AR301)."""
    if mapping.layout != "twitter-support":
        return schema
    absent = [c for c in TWEET_COLUMNS if c not in schema]
    if absent:
        raise fail(
            "AR301", f"the twitter-support layout needs column '{absent[0]}'; the source has: {_columns_hint(schema)}"
        )
    return dict(VIEW_SCHEMA)


def _clean_view(schema: dict[str, str], mapping: Mapping, rules: Rules) -> P.CleanView:
    """The clean view of the columns the rules read; AR301 when a strict mapping names an absent column."""
    needed: set[str] = set()
    for _, rule in rules:
        needed |= P.rule_columns(rule)
    view = P.clean_view(mapping, _view_schema(schema, mapping), needed)
    if view.missing:
        name = view.missing[0]
        cm = mapping.column(name)
        tried = " or ".join(repr(s) for s in (cm.sources if cm else ()))
        raise AuditError(
            "AR301",
            f"mapped column {tried} (for {name}) is not in the ticket source; it has: {_columns_hint(schema)}",
            cm.span if cm else None,
            mapping.text,
        )
    return view


def _check_parsing(profile: P.Profile, mapping: Mapping) -> None:
    """AR302 when no value of a parsed column parses (a wrong format, not a few bad rows)."""
    for column, has, bad in profile.parse_counts:
        if has > 0 and bad == has:
            cm = mapping.column(column)
            fmt = f" with format {cm.format!r}" if cm is not None and cm.format else ""
            what = "timestamp" if KINDS.get(column) == "timestamp" else "duration"
            src = (
                f" (source column {cm.sources[0]!r})"
                if cm is not None and cm.sources and cm.sources[0] != column
                else ""
            )
            raise AuditError(
                "AR302",
                f"no value of column '{column}'{src} parses as a {what}{fmt} ({has} values tried)",
                cm.span if cm else None,
                mapping.text,
            )


def _row_counts(profile: P.Profile, rule_id: str) -> J.RowCounts:
    in_scope = profile.in_scope.get(rule_id, profile.kept)
    return J.RowCounts(profile.read, in_scope, profile.excluded, profile.kept - in_scope)


def _plans(rules: Rules, view: P.CleanView, profile: P.Profile) -> tuple[list[P.RequirementPlan], dict[int, str]]:
    """Each requirement compiled (numbered across the run); the missing column of those that cannot be."""
    plans: list[P.RequirementPlan] = []
    unavailable: dict[int, str] = {}
    index = 0
    for policy, rule in rules:
        for req in rule.requires:
            try:
                plans.append(P.plan_requirement(index, policy, rule, req, view.columns, profile.edges))
            except P.Unavailable as missing:
                unavailable[index] = missing.column
            index += 1
    return plans, unavailable


def _aggregate(eng: Engine, plans: Sequence[P.RequirementPlan], prog: StepProgress) -> dict[int, list[P.Cell]]:
    """Every requirement's cells, one query per distinct grouping."""
    cells: dict[int, list[P.Cell]] = {p.index: [] for p in plans}
    for batch, query in P.aggregate_queries(plans):
        prog.step(f"aggregating {', '.join(sorted({b.rule.id for b in batch}))}")
        rows = eng.query(query)
        for rp in batch:
            cells[rp.index] = [c for c in (rp.read(row) for row in rows) if c is not None]
    return cells


def _judge(eng: Engine, rp: P.RequirementPlan, cells: list[P.Cell], rows: J.RowCounts, view: P.CleanView) -> Finding:
    j = J.judgement(rp, cells, rows, view.columns, P.render(rp.standalone(), eng.dialect))
    ranks = J.quantile_ranks(j)
    order_stats = P.read_order_statistics(rp, eng.query(P.order_statistic_query(rp, ranks))) if ranks else {}
    return J.judge(j, order_stats)


def _run(eng: Engine, rules: Rules, files: Sequence[SourceFile], mapping: Mapping, prog: StepProgress) -> list[Finding]:
    schema = eng.register(files)
    view = _clean_view(schema, mapping, rules)
    prog.step("parsing and cleaning tickets")
    eng.define(P.CLEAN, view.select)
    prog.step("profiling rows")
    profile_plan = P.profile_query(rules, view)
    profile = profile_plan.read(eng.query(profile_plan.select)[0])
    _check_parsing(profile, mapping)
    plans, unavailable = _plans(rules, view, profile)
    cells = _aggregate(eng, plans, prog)
    by_index = {p.index: p for p in plans}
    findings: list[Finding] = []
    index = 0
    for _policy, rule in rules:
        rows = _row_counts(profile, rule.id)
        for req in rule.requires:
            if index in unavailable:
                findings.append(J.not_evaluated(rule, req, unavailable[index], schema, rows))
            else:
                prog.step(f"judging {rule.id}")
                findings.append(_judge(eng, by_index[index], cells[index], rows, view))
            index += 1
    return findings
