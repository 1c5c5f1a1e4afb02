"""Command-line interface: ``auditrules check | lint | fmt | explain | report``.

Exit codes: 0 no failing finding at or above ``--fail-on``; 1 failing findings; 2 usage or input
error. Errors print one line ``path:line:col: error[CODE]: message`` and a caret excerpt, never a
traceback (``--debug`` shows one).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime, timezone
from functools import wraps
from typing import Any, TypeVar

import click

from auditrules import __version__
from auditrules.errors import AuditError, render_error

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


@cli.command()
@click.argument("paths", nargs=-1, metavar="[ROUTING_PATH]...")
@click.option("--rules", "rules", multiple=True, metavar="FILE|DIR",
              help="Rule files or directories of *.rules (default: the bundled standard pack).")
@click.option("--routing", "routing", multiple=True, metavar="PATH",
              help="Routing export: canonical YAML, Zendesk export dir/file, TaskRouter workflow JSON.")
@click.option("--routing-format",
              type=click.Choice(
                  ["canonical", "zendesk", "taskrouter", "freshdesk", "genesys", "salesforce", "connect"]
              ),
              help="Override routing format detection.")
@click.option("--tickets", "tickets", multiple=True, metavar="PATH",
              help="Ticket history: CSV, Parquet, JSONL (.gz), glob or directory.")
@click.option("--mapping", metavar="FILE|NAME",
              help="Column mapping file, or a built-in name (zendesk, twitter-support).")
@click.option("--engine", default="duckdb", show_default=True, type=click.Choice(["duckdb", "spark"]),
              help="Engine for ticket data.")
@click.option("--format", "fmt", default="text", show_default=True, type=click.Choice(FORMATS))
@click.option("-o", "--output", metavar="FILE", help="Write the report here (atomically).")
@click.option("--fail-on", default="low", show_default=True, type=click.Choice(["low", "medium", "high", "never"]),
              help="Exit 1 when a rule of this severity or higher fails.")
@click.option("--waivers", type=click.Path(dir_okay=False), metavar="FILE",
              help="Accepted exceptions (waivers/v1 YAML): matching failing findings become 'waived'.")
@click.option("--baseline", type=click.Path(dir_okay=False), metavar="REPORT.json",
              help="An earlier JSON report: failing findings already in it become 'waived' (fail only on new ones).")
@click.option("--timestamp", is_flag=True, help="Record the current time in the report (off: reports are byte-stable).")
@click.option("-q", "--quiet", is_flag=True, help="No progress display.")
@click.option("-v", "--verbose", is_flag=True, help="Show passing findings of failing rules too.")
@_handle_errors
def check(
    paths: tuple[str, ...], rules: tuple[str, ...], routing: tuple[str, ...], routing_format: str | None,
    tickets: tuple[str, ...], mapping: str | None, engine: str, fmt: str, output: str | None, fail_on: str,
    waivers: str | None, baseline: str | None, timestamp: bool, quiet: bool, verbose: bool,
) -> None:
    """Check evidence against rules and print a verdict per rule.

    ROUTING_PATH arguments are routing exports, like --routing (handy for pre-commit hooks).
    """
    from auditrules.api import check as run_check

    routing = (*routing, *paths)
    if not routing and not tickets:
        raise AuditError("AR005", "nothing to check: give --routing PATH and/or --tickets PATH")
    generated = datetime.now(timezone.utc).replace(microsecond=0).isoformat() if timestamp else None
    progress = not quiet and sys.stderr.isatty()
    report = run_check(
        rules, routing, tickets, mapping, routing_format, engine, progress, generated,
        waivers=waivers, baseline=baseline,
    )
    data = report.to_json(fail_on)
    _emit(data, fmt, output, verbose)
    sys.exit(data["exit_code"])


def _emit(
    data: dict[str, Any], fmt: str, output: str | None, verbose: bool = False, source: str | None = None
) -> None:
    from auditrules.report.render import render

    color = output is None and fmt == "text" and sys.stdout.isatty()
    text = render(data, fmt, color=color, verbose=verbose, source=source)
    if output is not None:
        from auditrules.report.output import write_atomic

        write_atomic(output, text)
    else:
        click.echo(text, nl=False)


@cli.command()
@click.argument("report_file", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", default="html", show_default=True, type=click.Choice(FORMATS))
@click.option("-o", "--output", metavar="FILE", help="Write the rendering here (atomically).")
@_handle_errors
def report(report_file: str, fmt: str, output: str | None) -> None:
    """Re-render a JSON report (from `check --format json`) in another format."""
    from auditrules.report.json import load_report

    data = load_report(report_file)
    _emit(data, fmt, output, source=report_file)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@_handle_errors
def lint(paths: tuple[str, ...]) -> None:
    """Parse and check rule files; exit 0 if all are valid, 2 otherwise."""
    from auditrules.api import load_policies

    loaded = load_policies(paths)
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
    for path in rule_files(paths):
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
@click.option("--rules", "rules", multiple=True, metavar="FILE|DIR", help="Rule packs to search.")
@_handle_errors
def explain(rule_id: str, rules: tuple[str, ...]) -> None:
    """Print a rule's documentation: what it checks, why it matters, an example, how to fix."""
    from auditrules.api import find_rule, load_policies
    from auditrules.resources import rules_dir

    loaded = load_policies(rules)
    rule = find_rule(rule_id, loaded)
    from auditrules.errors import visible

    doc = rules_dir() / "docs" / f"{rule.id}.md"
    out: list[str] = []
    if doc.exists():
        out.append(doc.read_text(encoding="utf-8"))
    else:
        out.append(f"# {rule.id}: {rule.title}\n\nSeverity: {rule.severity}\n\n")
        if rule.rationale:
            out.append(f"## Why it matters\n\n{rule.rationale}\n\n")
        if rule.remediation:
            out.append(f"## How to fix\n\n{rule.remediation}\n\n")
    out.append(f"\n## Rule source ({rule.span.path}:{rule.span.line})\n\n```\n{rule.source}\n```\n")
    click.echo(visible("".join(out)), nl=False)  # a rule's strings may hold escaped control characters


def main() -> None:
    """Console-script entry point."""
    try:
        cli(prog_name="auditrules")
    except BrokenPipeError:
        # the reader went away (``auditrules explain X | head``): stop quietly, like other CLI tools
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    main()
