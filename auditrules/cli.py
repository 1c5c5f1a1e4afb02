"""Command-line interface: ``auditrules check | init | test | lint | fmt | explain | report``.

``check`` is defined here; the other commands live in :mod:`auditrules.commands`, imported only
when one of them is named (:class:`LazyGroup`).

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
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click
from click.core import ParameterSource

from auditrules import __version__
from auditrules.errors import AuditError, render_error
from auditrules.report.options import ReportOptions
from auditrules.tickets import ENGINES

if TYPE_CHECKING:
    from auditrules.api import Report
    from auditrules.pipeline import CheckOptions
    from auditrules.tickets.engine_spec import EngineSpec

F = TypeVar("F", bound=Callable[..., Any])

FORMATS = ("text", "json", "markdown", "html", "sarif", "junit")


def handle_errors(func: F) -> F:
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


class LazyGroup(click.Group):
    """A group whose commands named in ``lazy`` are imported when first looked up (click's
    documented lazy-loading pattern): ``auditrules check`` — every pre-deploy hook's command —
    builds none of the other commands, whose module :mod:`auditrules.commands` is imported only
    when one of them runs or ``--help`` lists them."""

    def __init__(self, *args: Any, lazy: Mapping[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: command name → ``module:attribute`` of its click command
        self.lazy = dict(lazy)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy and cmd_name not in self.commands:
            from importlib import import_module

            module, attribute = self.lazy[cmd_name].split(":")
            command = getattr(import_module(module), attribute)
            assert isinstance(command, click.Command) and command.name == cmd_name
            self.add_command(command)
        return super().get_command(ctx, cmd_name)


#: The commands other than ``check``, imported when named (see :class:`LazyGroup`).
LAZY_COMMANDS: dict[str, str] = {
    "report": "auditrules.commands:report",
    "lint": "auditrules.commands:lint",
    "fmt": "auditrules.commands:fmt_command",
    "explain": "auditrules.commands:explain",
    "init": "auditrules.commands:init",
    "test": "auditrules.commands:test_command",
}


@click.group(
    cls=LazyGroup,
    lazy=LAZY_COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
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


def engagement_options(
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
@handle_errors
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
    from auditrules.pipeline import CheckOptions

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
        engine=_engine(merged),
        select=tuple(merged["select"]),
        ignore=tuple(merged["ignore"]),
        waivers=merged["waivers"],
        baseline=merged["baseline"],
        as_of=merged["as_of"],
        fail_on_not_evaluated=merged["fail_on_not_evaluated"],
        all_comparisons=merged["all_comparisons"],
        declared_channels=config.declared_channels(),
        report=engagement_options(
            config.report_options(), client, auditor, auditor_firm, period, scope, report_date, logo, paper
        ),
        progress=not merged["quiet"] and sys.stderr.isatty(),
        generated_at=generated,
        hostname=host,
    )
    report = _run(options, one_shot=not options.tickets and ctx.find_root().obj is ONE_SHOT)
    data = report.to_json(merged["fail_on"])
    emit(data, merged["fmt"], merged["output"], merged["verbose"], compare)
    sys.exit(data["exit_code"])


def _engine(merged: Mapping[str, Any]) -> str | EngineSpec:
    """The ticket engine to run: its spec when ticket histories are given, else only its name (which
    the report's options record), so a routing check never imports the spec's module."""
    if not merged["tickets"]:
        return str(merged["engine"])
    from auditrules.tickets.engine_spec import EngineSpec

    return EngineSpec(merged["engine"], merged["spark_master"], merged["verbose"])


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


def emit(data: dict[str, Any], fmt: str, output: str | None, verbose: bool = False, compare: str | None = None) -> None:
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


def _run(options: CheckOptions, one_shot: bool) -> Report:
    """The check's report. A one-shot routing check (``one_shot``) runs with the collector paused
    and keeps what it read to the end of the process (:func:`_never_freed`)."""
    from auditrules.pipeline import run_with_evidence

    with _collector_paused(one_shot):
        report, evidence = run_with_evidence(options)
        if one_shot:
            _never_freed(evidence)
            _ONE_SHOT_ROUTING_CHECK.append(True)
    return report


#: Holds an entry once this process has run a one-shot routing check (:func:`_run`): the process may
#: then end without the interpreter's teardown (:func:`main`).
_ONE_SHOT_ROUTING_CHECK: list[bool] = []


def _never_freed(alive: object) -> None:
    """Keep what a one-shot routing check read (``alive``: the export's documents and model) until
    the process ends, and never free it: a reference cycle holds it, and :func:`_collector_paused`
    then freezes the cycle out of the collector's reach, so neither dropping it when the command
    returns nor the interpreter's exit frees it object by object (for a megabyte export that is
    about a sixth of the check's time, spent on memory the operating system takes back at once).
    """
    holder: list[object] = [alive]
    holder.append(holder)


def main(end_process: bool = False) -> None:
    """Console-script entry point. ``end_process``: the caller's process ends with the command (the
    ``auditrules`` command, ``python -m auditrules``); after a one-shot routing check it is then
    ended at once (:func:`_end_now`). Without it the command ends by raising ``SystemExit``."""
    import gc

    gc.set_threshold(*GC_THRESHOLD)
    try:
        cli(prog_name="auditrules", obj=ONE_SHOT)
    except BrokenPipeError:
        _reader_gone()
    except SystemExit as done:
        if (
            end_process
            and _ONE_SHOT_ROUTING_CHECK
            and _single_threaded()
            and (done.code is None or isinstance(done.code, int))
        ):
            _end_now(done.code or 0)  # returns only when the output could not be flushed
        raise


def _single_threaded() -> bool:
    """Whether no thread but the main one runs (the interpreter would wait for the others to end)."""
    threading = sys.modules.get("threading")
    return threading is None or threading.active_count() == 1


def _reader_gone() -> NoReturn:
    """The reader of standard output went away (``auditrules explain X | head``): stop quietly with
    exit 1, like other command-line tools."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(1)


def _end_now(code: int) -> None:
    """End the process with ``code`` as the interpreter would, less its teardown: exit handlers run
    and the standard streams are flushed, but no module or object is freed one by one (a routing
    check's process spends some milliseconds on that, for memory the operating system takes back
    at once). Only after a one-shot routing check: it starts no thread and leaves no file open.
    Returns when a stream cannot be flushed (a full disk): the interpreter's own exit reports it."""
    import atexit
    import os

    atexit._run_exitfuncs()
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:  # None: a process started without standard streams
                stream.flush()
    except BrokenPipeError:
        _reader_gone()
    except OSError:
        return
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    main()
