"""The commands besides ``check``: ``report``, ``lint``, ``fmt``, ``explain``, ``init`` and ``test``.

:mod:`auditrules.cli` registers them by name and imports this module only when one of them is run
(or ``--help`` lists them), so that ``auditrules check`` — a pre-deploy hook's command — builds none
of them. Their options, error handling and rendering are the CLI's own (:mod:`auditrules.cli`).
"""

from __future__ import annotations

import sys

import click

from auditrules.cli import FORMATS, client_report_options, emit, engagement_options, handle_errors
from auditrules.errors import AuditError
from auditrules.report.options import ReportOptions


@click.command()
@click.argument("report_file", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", default="html", show_default=True, type=click.Choice(FORMATS))
@click.option("-o", "--output", metavar="FILE", help="Write the rendering here (atomically).")
@client_report_options
@handle_errors
def report(
    report_file: str,
    fmt: str,
    output: str | None,
    client: str | None,
    auditor: str | None,
    auditor_firm: str | None,
    period: str | None,
    scope: str | None,
    report_date: str | None,
    logo: str | None,
    paper: str | None,
    compare: str | None,
) -> None:
    """Re-render a JSON report (from `check --format json`) in another format; engagement details
    given here are added to (or replace) those the report carries."""
    from auditrules.report.json import load_report

    data = load_report(report_file)
    base = ReportOptions.from_engagement(data.get("engagement") or {})
    options = engagement_options(base, client, auditor, auditor_firm, period, scope, report_date, logo, paper)
    if not options.empty:
        data = {**data, "engagement": options.engagement()}
    emit(data, fmt, output, compare=compare)


@click.command()
@click.argument("paths", nargs=-1, required=True)
@handle_errors
def lint(paths: tuple[str, ...]) -> None:
    """Parse and check rule files; exit 0 if all are valid, 2 otherwise."""
    from auditrules.api import load_policies
    from auditrules.tickets.columns_check import lint_warnings

    loaded = load_policies(paths)
    for warning in lint_warnings(lp.policy for lp in loaded):
        click.echo(warning, err=True)
    n = sum(len(lp.policy.rules) for lp in loaded)
    click.echo(f"{len(loaded)} file(s), {n} rule(s): ok")


@click.command(name="fmt")
@click.argument("paths", nargs=-1, required=True)
@click.option("--check", "check_only", is_flag=True, help="Exit 1 if a file is not formatted; change nothing.")
@handle_errors
def fmt_command(paths: tuple[str, ...], check_only: bool) -> None:
    """Rewrite rule files in the one canonical layout."""
    from auditrules.api import rule_files
    from auditrules.documents import read_text
    from auditrules.lang.format import format_source
    from auditrules.report.output import write_atomic

    changed = []
    for path in (f.path for f in rule_files(paths)):
        text, _ = read_text(path)
        try:
            formatted = format_source(text, str(path))
        except AuditError as exc:
            raise exc.with_source(text) from None
        if formatted != text:
            changed.append(path)
            if not check_only:
                write_atomic(path, formatted)
    for path in changed:
        click.echo(f"{'would reformat' if check_only else 'reformatted'} {path}")
    if check_only and changed:
        sys.exit(1)
    if not changed:
        click.echo("all files formatted")


@click.command()
@click.argument("rule_id")
@click.option(
    "--rules",
    "rules",
    multiple=True,
    metavar="FILE|DIR|PACK",
    help="Rule packs to search (default: the bundled standard pack).",
)
@handle_errors
def explain(rule_id: str, rules: tuple[str, ...]) -> None:
    """Print a rule's documentation: what it checks, why it matters, an example, how to fix.

    The page is docs/<RULE-ID>.md beside the rules file that defines the rule; without one, the
    rule's own rationale and remediation.
    """
    from auditrules.api import doc_page, find_rule, load_policies
    from auditrules.errors import visible

    loaded = load_policies(rules)
    rule = find_rule(rule_id, loaded)
    owner = next(lp for lp in loaded if rule in lp.policy.rules)
    doc = doc_page(rule.id, owner)
    out: list[str] = []
    if doc is not None:
        out.append(doc.read_text(encoding="utf-8"))
    else:
        out.append(f"# {rule.id}: {rule.title}\n\nSeverity: {rule.severity}\n\n")
        if rule.rationale:
            out.append(f"## Why it matters\n\n{rule.rationale}\n\n")
        if rule.remediation:
            out.append(f"## How to fix\n\n{rule.remediation}\n\n")
    out.append(f"\n## Rule source ({rule.span.path}:{rule.span.line})\n\n```\n{rule.source}\n```\n")
    click.echo(visible("".join(out)), nl=False)  # a rule's strings may hold escaped control characters


@click.command()
@click.option("--force", is_flag=True, help="Overwrite files that exist.")
@handle_errors
def init(force: bool) -> None:
    """Write a commented .auditrules.yaml naming the exports found here, and a starter rules file."""
    from pathlib import Path

    from auditrules.starter import init as write_starter

    root = Path.cwd()
    for path in write_starter(root, force):
        click.echo(f"wrote {path.relative_to(root)}")
    click.echo("next: auditrules check   (and `auditrules test rules/` for the team's rule examples)")


@click.command(name="test")
@click.argument("paths", nargs=-1, required=True, metavar="RULES_FILE|DIR...")
@handle_errors
def test_command(paths: tuple[str, ...]) -> None:
    """Check each rule's examples (tests/<RULE-ID>/<status>/<example> beside the rules file).

    One line per example and, for one that does not give its status, a diff of what differed.
    Exit 0 when every example holds, 1 when one does not, 2 on an input error.
    """
    from auditrules.api import load_policies
    from auditrules.ruletests import find_examples, run_example, untested

    found, problems = find_examples(paths)
    outcomes = [run_example(e) for e in found]
    for outcome in outcomes:
        for line in outcome.lines():
            click.echo(line)
    for problem in problems:
        click.echo(f"ERROR {problem}")
    for rule_id in untested(found, load_policies(paths)):
        click.echo(f"note  {rule_id} has no examples")
    held = sum(o.held for o in outcomes)
    errors = len(problems) + sum(o.error is not None for o in outcomes)
    click.echo(f"{held} of {len(outcomes)} example(s) hold" + (f"; {errors} input error(s)" if errors else ""))
    sys.exit(2 if errors else 0 if held == len(outcomes) else 1)
