"""Command-line interface: ``auditrules check | init | test | lint | fmt | explain | report``.

Exit codes: 0 no failing finding at or above ``--fail-on``; 1 failing findings; 2 usage or input
error. Errors print one line ``path:line:col: error[CODE]: message`` and a caret excerpt, never a
traceback (``--debug`` shows one).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timezone
from functools import wraps
from typing import Any, TypeVar

import click
from click.core import ParameterSource

from auditrules import __version__
from auditrules.errors import AuditError, render_error
from auditrules.report.options import ReportOptions
from auditrules.tickets.engine_spec import ENGINES

F = TypeVar("F", bound=Callable[..., Any])

FORMATS = ("text", "json", "markdown", "html", "sarif", "junit")


def _handle_errors(func: F) -> F:
    """Turn AuditError (and unexpected exceptions, unless --debug) into one line and exit 2."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        debug = bool((ctx.find_root().params or {}).get("debug"))
        try:
            return func(*args, **kwargs)
        except AuditError as exc:
            if debug:
                raise
            click.echo(render_error(exc), err=True)
            sys.exit(2)
        except click.exceptions.Exit:
            raise
        except click.ClickException:
            raise
        except BrokenPipeError:
            raise
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)
        except Exception as exc:
            if debug:
                raise
            click.echo(f"auditrules: internal error: {type(exc).__name__}: {exc} (rerun with --debug)", err=True)
            sys.exit(2)

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="auditrules")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
def cli(debug: bool) -> None:
    """Audit customer-service routing configs and ticket histories against fairness rules."""


#: Engagement details for the client report (the configuration file's ``report:`` section), and
#: ``--compare``: the options ``check`` and ``report`` share.
_CLIENT_REPORT_OPTIONS = (
    click.option("--client", metavar="NAME", help="Client the report is for (cover and running header)."),
    click.option("--auditor", metavar="NAME", help="Auditor's name."),
    click.option("--auditor-firm", metavar="FIRM", help="Auditor's firm."),
    click.option("--period", metavar="TEXT", help="Audit period, e.g. '2025-01-01 to 2025-12-31'."),
    click.option("--scope", metavar="TEXT", help="Scope statement for the cover."),
    click.option(
        "--report-date",
        metavar="YYYY-MM-DD",
        help="Report date (never defaulted to today: reports stay byte-stable).",
    ),
    click.option("--logo", metavar="FILE", help="Logo (PNG, JPEG or SVG, at most 256 KiB), embedded in the report."),
    click.option("--paper", type=click.Choice(["A4", "Letter"], case_sensitive=False), help="Paper size for print."),
    click.option(
        "--compare",
        metavar="PREVIOUS.json",
        help="An earlier JSON report: the HTML report shows what changed since (rules, figures).",
    ),
)


def client_report_options(f: F) -> F:
    for option in reversed(_CLIENT_REPORT_OPTIONS):
        f = option(f)
    return f


def _engagement(
    base: ReportOptions,
    client: str | None,
    auditor: str | None,
    auditor_firm: str | None,
    period: str | None,
    scope: str | None,
    report_date: str | None,
    logo: str | None,
    paper: str | None,
) -> ReportOptions:
    if report_date is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", report_date):
        raise AuditError("AR005", f"--report-date takes YYYY-MM-DD, not {report_date!r}")
    return base.overridden(
        client=client,
        auditor_name=auditor,
        auditor_firm=auditor_firm,
        period=period,
        scope=scope,
        date=report_date,
        logo=logo,
        paper=None if paper is None else ("Letter" if paper.lower() == "letter" else "A4"),
    )


@cli.command()
@click.argument("paths", nargs=-1, metavar="[ROUTING_PATH]...")
@click.option(
    "--rules",
    "rules",
    multiple=True,
    metavar="FILE|DIR|PACK",
    help="Rule files, directories of *.rules, or a bundled pack by name (fairness; the default).",
)
@click.option(
    "--routing",
    "routing",
    multiple=True,
    metavar="PATH",
    help="Routing export: canonical YAML, Zendesk export dir/file, TaskRouter workflow JSON.",
)
@click.option(
    "--routing-format",
    type=click.Choice(["canonical", "zendesk", "taskrouter", "freshdesk", "genesys", "salesforce", "connect"]),
    help="Override routing format detection.",
)
@click.option(
    "--tickets",
    "tickets",
    multiple=True,
    metavar="PATH",
    help="Ticket history: CSV, Parquet, JSONL (.gz), glob or directory.",
)
@click.option(
    "--mapping", metavar="FILE|NAME", help="Column mapping file, or a built-in name (zendesk, twitter-support)."
)
@click.option(
    "--engine", default="duckdb", show_default=True, type=click.Choice(ENGINES), help="Engine for ticket data."
)
@click.option(
    "--spark-master",
    metavar="URL",
    help="Spark master for --engine spark (spark://host:7077; default local[*] or $AUDITRULES_SPARK_MASTER).",
)
@click.option(
    "--select",
    "select",
    multiple=True,
    metavar="ID|GLOB",
    help="Check only these rules (repeatable; globs such as 'FAIR-00*').",
)
@click.option("--ignore", "ignore", multiple=True, metavar="ID|GLOB", help="Leave these rules out (repeatable).")
@click.option("--format", "fmt", default="text", show_default=True, type=click.Choice(FORMATS))
@click.option("-o", "--output", metavar="FILE", help="Write the report here (atomically).")
@click.option(
    "--fail-on",
    default="low",
    show_default=True,
    type=click.Choice(["low", "medium", "high", "never"]),
    help="Exit 1 when a rule of this severity or higher fails.",
)
@click.option(
    "--waivers",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Accepted exceptions (waivers/v1 YAML): matching failing findings become 'waived'.",
)
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False),
    metavar="REPORT.json",
    help="An earlier JSON report: failing findings already in it become 'waived' (fail only on new ones).",
)
@click.option(
    "--as-of",
    "as_of",
    metavar="TIME",
    help="When open tickets are censored (ISO 8601; default: the mapping's as_of, else the latest timestamp).",
)
@click.option(
    "--fail-on-not-evaluated",
    is_flag=True,
    help="Exit 1 when a rule could not be evaluated (for teams that require full coverage).",
)
@click.option(
    "--all-comparisons",
    is_flag=True,
    help="Keep every pair of groups in the evidence (default: the worst 20 per stratum and the counts).",
)
@click.option("--timestamp", is_flag=True, help="Record the current time in the report (off: reports are byte-stable).")
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Configuration file (default: .auditrules.yaml or [tool.auditrules], found walking up).",
)
@click.option("--no-config", is_flag=True, help="Ignore any configuration file.")
@click.option(
    "--changed",
    is_flag=True,
    help="ROUTING_PATHs are changed files (a pre-commit hook): each stands for its whole export; "
    "files that are not routing exports are skipped with a note.",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress display.")
@click.option("-v", "--verbose", is_flag=True, help="Show passing findings of failing rules too.")
@client_report_options
@_handle_errors
def check(
    paths: tuple[str, ...],
    rules: tuple[str, ...],
    routing: tuple[str, ...],
    routing_format: str | None,
    tickets: tuple[str, ...],
    mapping: str | None,
    engine: str,
    spark_master: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    fmt: str,
    output: str | None,
    fail_on: str,
    waivers: str | None,
    baseline: str | None,
    as_of: str | None,
    fail_on_not_evaluated: bool,
    all_comparisons: bool,
    timestamp: bool,
    config_file: str | None,
    no_config: bool,
    changed: bool,
    quiet: bool,
    verbose: bool,
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
    """Check evidence against rules and print a verdict per rule.

    ROUTING_PATH arguments are routing exports, like --routing (handy for pre-commit hooks). Options
    not given here come from the configuration file, when there is one.
    """
    from auditrules.config import discover
    from auditrules.pipeline import CheckOptions, run
    from auditrules.tickets.engine_spec import EngineSpec

    config = discover(config_file, no_config)
    ctx = click.get_current_context()
    given = {name for name in ctx.params if ctx.get_parameter_source(name) is ParameterSource.COMMANDLINE}
    if changed:  # a hook judges the changed routing; ticket histories belong in a data job
        given.add("tickets")
        paths = _changed_exports(paths)
        if not paths and not routing and not tickets:
            click.echo("auditrules: no routing export among the changed files; nothing to check", err=True)
            return
    if paths:
        given.add("routing")
        routing = (*routing, *paths)
    from_command_line = {
        "rules": rules, "routing": routing, "routing_format": routing_format, "tickets": tickets, "mapping": mapping,
        "engine": engine, "spark_master": spark_master,
        "select": select, "ignore": ignore, "fmt": fmt, "output": output, "fail_on": fail_on,
        "waivers": waivers, "baseline": baseline, "timestamp": timestamp, "quiet": quiet, "verbose": verbose,
        "as_of": as_of, "fail_on_not_evaluated": fail_on_not_evaluated, "all_comparisons": all_comparisons,
    }  # fmt: skip
    merged = merge_options(from_command_line, given, config.values)
    if not merged["routing"] and not merged["tickets"]:
        where = f" ({config.path} names neither routing: nor tickets:)" if config.path else ""
        raise AuditError(
            "AR005",
            f"nothing to check: give --routing PATH and/or --tickets PATH{where}",
            hint="`auditrules init` writes a .auditrules.yaml that names your exports",
        )
    generated = datetime.now(timezone.utc).replace(microsecond=0).isoformat() if merged["timestamp"] else None
    host = _hostname() if generated else None
    options = CheckOptions(
        rules=tuple(merged["rules"]),
        routing=tuple(merged["routing"]),
        tickets=tuple(merged["tickets"]),
        mapping=merged["mapping"],
        routing_format=merged["routing_format"],
        engine=EngineSpec(merged["engine"], merged["spark_master"], merged["verbose"]),
        select=tuple(merged["select"]),
        ignore=tuple(merged["ignore"]),
        waivers=merged["waivers"],
        baseline=merged["baseline"],
        as_of=merged["as_of"],
        fail_on_not_evaluated=merged["fail_on_not_evaluated"],
        all_comparisons=merged["all_comparisons"],
        declared_channels=config.declared_channels(),
        report=_engagement(
            config.report_options(), client, auditor, auditor_firm, period, scope, report_date, logo, paper
        ),
        progress=not merged["quiet"] and sys.stderr.isatty(),
        generated_at=generated,
        hostname=host,
    )
    with _collector_paused(not options.tickets and ctx.find_root().obj is ONE_SHOT):
        report = run(options)
    data = report.to_json(merged["fail_on"])
    _emit(data, merged["fmt"], merged["output"], merged["verbose"], compare)
    sys.exit(data["exit_code"])


def _hostname() -> str:
    import socket

    return socket.gethostname() or "localhost"


def _changed_exports(paths: tuple[str, ...]) -> tuple[str, ...]:
    from auditrules.changed import exports_of

    found = exports_of(paths)
    for path, why in found.skipped:
        click.echo(f"auditrules: skipped {path}: {why}", err=True)
    return found.routing


#: configuration key → the ``check`` parameter it sets (the same name, dashes as underscores).
CONFIG_KEYS: dict[str, str] = {
    "rules": "rules",
    "routing": "routing",
    "routing-format": "routing_format",
    "tickets": "tickets",
    "mapping": "mapping",
    "engine": "engine",
    "spark-master": "spark_master",
    "select": "select",
    "ignore": "ignore",
    "format": "fmt",
    "output": "output",
    "fail-on": "fail_on",
    "waivers": "waivers",
    "baseline": "baseline",
    "as-of": "as_of",
    "fail-on-not-evaluated": "fail_on_not_evaluated",
    "all-comparisons": "all_comparisons",
    "timestamp": "timestamp",
    "quiet": "quiet",
    "verbose": "verbose",
}


def merge_options(params: dict[str, Any], given: set[str], config: Mapping[str, Any]) -> dict[str, Any]:
    """``check``'s parameters: what the command line gave, else the configuration's value, else the default."""
    merged = dict(params)
    for key, name in CONFIG_KEYS.items():
        if name not in given and key in config:
            merged[name] = config[key]
    return merged


def _emit(
    data: dict[str, Any], fmt: str, output: str | None, verbose: bool = False, compare: str | None = None
) -> None:
    """Render and write ``data``: a report this process built, or one ``load_report`` validated whole.
    ``compare`` (an earlier JSON report) adds what changed since to the HTML report."""
    from auditrules.evidence import validated_upstream
    from auditrules.report.render import render

    trend = None
    if compare is not None:
        from auditrules.report.json import load_report
        from auditrules.report.trend import compare as compare_reports

        trend = compare_reports(data, load_report(compare), previous_name=compare)
    color = output is None and fmt == "text" and sys.stdout.isatty()
    with validated_upstream():
        text = render(data, fmt, color=color, verbose=verbose, trend=trend)
    if output is not None:
        from auditrules.report.output import write_atomic

        write_atomic(output, text)
    else:
        click.echo(text, nl=False)


@cli.command()
@click.argument("report_file", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", default="html", show_default=True, type=click.Choice(FORMATS))
@click.option("-o", "--output", metavar="FILE", help="Write the rendering here (atomically).")
@client_report_options
@_handle_errors
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
    options = _engagement(base, client, auditor, auditor_firm, period, scope, report_date, logo, paper)
    if not options.empty:
        data = {**data, "engagement": options.engagement()}
    _emit(data, fmt, output, compare=compare)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@_handle_errors
def lint(paths: tuple[str, ...]) -> None:
    """Parse and check rule files; exit 0 if all are valid, 2 otherwise."""
    from auditrules.api import load_policies
    from auditrules.tickets.columns_check import lint_warnings

    loaded = load_policies(paths)
    for warning in lint_warnings(lp.policy for lp in loaded):
        click.echo(warning, err=True)
    n = sum(len(lp.policy.rules) for lp in loaded)
    click.echo(f"{len(loaded)} file(s), {n} rule(s): ok")


@cli.command(name="fmt")
@click.argument("paths", nargs=-1, required=True)
@click.option("--check", "check_only", is_flag=True, help="Exit 1 if a file is not formatted; change nothing.")
@_handle_errors
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


@cli.command()
@click.argument("rule_id")
@click.option(
    "--rules",
    "rules",
    multiple=True,
    metavar="FILE|DIR|PACK",
    help="Rule packs to search (default: the bundled standard pack).",
)
@_handle_errors
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


@cli.command()
@click.option("--force", is_flag=True, help="Overwrite files that exist.")
@_handle_errors
def init(force: bool) -> None:
    """Write a commented .auditrules.yaml naming the exports found here, and a starter rules file."""
    from pathlib import Path

    from auditrules.starter import init as write_starter

    root = Path.cwd()
    for path in write_starter(root, force):
        click.echo(f"wrote {path.relative_to(root)}")
    click.echo("next: auditrules check   (and `auditrules test rules/` for the team's rule examples)")


@cli.command(name="test")
@click.argument("paths", nargs=-1, required=True, metavar="RULES_FILE|DIR...")
@_handle_errors
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


#: Allocations between cyclic garbage collections (Python's default: 700). A run reads whole exports
#: into short-lived, acyclic data; collecting every 700 allocations costs it several milliseconds
#: and frees nothing. Cycles are still collected, only less often.
GC_THRESHOLD = (20_000, 20, 20)


#: The click context object of a process that runs one command and ends (:func:`main`); a command
#: run in-process (``CliRunner``, a host application) has none and leaves the collector alone.
ONE_SHOT = object()


@contextmanager
def _collector_paused(active: bool) -> Iterator[None]:
    """While a routing check runs (``active``): no cyclic garbage collection, then what the run left
    alive is moved out of the collector's reach (``gc.freeze``).

    A routing check reads a whole export into acyclic data (documents, rules, reads, locations)
    that lives until the process ends: each collection during the run walks all of it and frees
    nothing, and so would the interpreter's last collection at exit. Objects created afterwards
    (rendering) are collected as usual. Ticket checks keep the collector running (engines may
    build cyclic structures in loops), and so does a command run in-process (only :func:`main`,
    whose process ends with the command, pauses it).
    """
    import gc

    if not active or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


def main() -> None:
    """Console-script entry point."""
    import gc

    gc.set_threshold(*GC_THRESHOLD)
    try:
        cli(prog_name="auditrules", obj=ONE_SHOT)
    except BrokenPipeError:
        # the reader went away (``auditrules explain X | head``): stop quietly, like other CLI tools
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    main()
