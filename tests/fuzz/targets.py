"""Fuzz targets: each builds one hostile input in a work directory and runs auditrules on it.

A target returns normally when auditrules accepted the input or refused it with an
:class:`AuditError` (a code and a one-line message: the promised behaviour). Anything else it
raises — an internal error, a traceback, an AST that ``fmt`` changed, a temporary file left
behind — is a failure the runner counts.
"""

from __future__ import annotations

import json
import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from auditrules.errors import CODES, AuditError
from tests.fuzz.mutate import mutate_data, mutate_text, mutate_tokens

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
STANDARD = ROOT / "rules" / "fairness.rules"
REPORTS = ROOT / "tests" / "fixtures" / "reports"
FORMATS = ("text", "json", "markdown", "html", "sarif", "junit")


class Failure(Exception):
    """A broken promise that is not an exception of its own (e.g. ``fmt`` changed the AST)."""


def _refused(exc: AuditError) -> bool:
    """An AuditError is the promised answer if its code is registered and its first line is one line.

    Returns False: the input was refused (targets return True when it was accepted)."""
    if exc.code not in CODES:
        raise Failure(f"unregistered code {exc.code}")
    head = str(exc).split("\n")[0]
    if "\r" in head or "\x1b" in head:
        raise Failure(f"error line carries a control character: {head!r}")
    return False


@cache
def _standard_policies() -> Any:
    from auditrules.api import load_policies

    return load_policies()


def _check_and_render(rnd: random.Random, routing: list[Path], **options: Any) -> bool:
    """``auditrules check`` on ``routing`` with the standard pack, rendered in a random format."""
    from auditrules.pipeline import CheckOptions, run
    from auditrules.report.render import render

    try:
        policies = tuple(options.pop("policies", None) or _standard_policies())
        report = run(CheckOptions(routing=tuple(routing), policies=policies, **options))
        text = render(report.to_json(), rnd.choice(FORMATS))
    except AuditError as exc:
        return _refused(exc)
    text.encode("utf-8")  # what writing it would do: a lone surrogate would fail here
    return True


def evaluate_rules_on_examples(rules: Path, tickets: bool = False) -> bool:
    """Check a rules file that loaded against the ACME routing example (and its tickets if asked)."""
    from auditrules.api import load_policies
    from auditrules.pipeline import CheckOptions, run
    from auditrules.report.render import render

    try:
        loaded = load_policies([rules])
        report = run(
            CheckOptions(
                policies=tuple(loaded),
                routing=(EXAMPLES / "acme" / "routing.yaml",),
                tickets=(str(EXAMPLES / "acme" / "tickets.parquet"),) if tickets else (),
            )
        )
        render(report.to_json(), "text").encode("utf-8")
    except AuditError as exc:
        return _refused(exc)
    return True


# --- targets ------------------------------------------------------------------------------------------


def rules_target(rnd: random.Random, work: Path) -> bool:
    """A mutated rules file: lint, fmt (same AST), and check against the ACME examples."""
    from auditrules.api import load_policies
    from auditrules.lang.format import format_source
    from auditrules.lang.parser import comments, parse_policy

    source = STANDARD.read_text(encoding="utf-8")
    text = mutate_tokens(source, rnd) if rnd.random() < 0.5 else mutate_text(source, rnd, rounds=4)
    f = work / "fuzz.rules"
    f.write_bytes(text.encode("utf-8", "surrogatepass"))
    try:
        load_policies([f])
    except AuditError as exc:
        return _refused(exc)
    before = parse_policy(text)
    formatted = format_source(text)
    if parse_policy(formatted) != before:
        raise Failure("fmt changed the AST")
    if not comments(text) and format_source(formatted) != formatted:
        raise Failure("fmt is not idempotent")
    return evaluate_rules_on_examples(f, tickets=rnd.random() < 0.05)


def canonical_target(rnd: random.Random, work: Path) -> bool:
    """A mutated canonical routing YAML (its data or its text)."""
    import yaml

    src = EXAMPLES / rnd.choice(("acme", "acme-fair")) / "routing.yaml"
    f = work / "routing.yaml"
    if rnd.random() < 0.3:
        f.write_text(mutate_text(src.read_text(encoding="utf-8"), rnd), encoding="utf-8", errors="surrogatepass")
    else:
        data = mutate_data(yaml.safe_load(src.read_text(encoding="utf-8")), rnd)
        try:
            f.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        except (yaml.YAMLError, UnicodeEncodeError, RecursionError):
            return False  # not representable as a YAML file: not an input
    return _check_and_render(rnd, [f], routing_format="canonical" if rnd.random() < 0.5 else None)


def zendesk_target(rnd: random.Random, work: Path) -> bool:
    """A Zendesk export bundle with one file's data type-confused."""
    src = EXAMPLES / rnd.choice(("zendesk-twotier", "zendesk-fair"))
    bundle = work / "zd"
    shutil.copytree(src, bundle)
    victim = rnd.choice(sorted(bundle.glob("*.json")))
    data = mutate_data(json.loads(victim.read_text(encoding="utf-8")), rnd, rounds=4)
    victim.write_text(json.dumps(data, ensure_ascii=rnd.random() < 0.5), encoding="utf-8", errors="surrogatepass")
    return _check_and_render(rnd, [bundle if rnd.random() < 0.7 else victim])


def taskrouter_target(rnd: random.Random, work: Path) -> bool:
    """A TaskRouter workflow with its resource or its configuration string type-confused."""
    src = EXAMPLES / rnd.choice(("taskrouter-vip", "taskrouter-fair")) / "workflow.json"
    data = json.loads(src.read_text(encoding="utf-8"))
    if rnd.random() < 0.6 and isinstance(data.get("configuration"), str):
        config = mutate_data(json.loads(data["configuration"]), rnd, rounds=4)
        data["configuration"] = json.dumps(config) if rnd.random() < 0.8 else config
    else:
        data = mutate_data(data, rnd)
    f = work / "workflow.json"
    f.write_text(json.dumps(data), encoding="utf-8")
    return _check_and_render(rnd, [f], routing_format="taskrouter" if rnd.random() < 0.3 else None)


def report_target(rnd: random.Random, work: Path) -> bool:
    """A schema-valid mutation of a JSON report, re-rendered in every format (``auditrules report``)."""
    from auditrules.report.json import _validator, load_report
    from auditrules.report.render import render

    base = json.loads(rnd.choice(sorted(REPORTS.glob("*.json"))).read_text(encoding="utf-8"))
    for _ in range(20):
        data = mutate_data(base, rnd)
        if _validator().is_valid(data):
            break
    else:
        return False
    f = work / "report.json"
    f.write_text(json.dumps(data), encoding="utf-8")
    accepted = True
    for fmt in FORMATS:
        try:
            data = load_report(str(f))
        except AuditError as exc:
            return _refused(exc)
        try:  # validated: the renderers must read it (the AR401 fallback in render() is a bug here)
            render(data, fmt).encode("utf-8")
        except AuditError as exc:
            accepted = _refused(exc)
    return accepted


def output_target(rnd: random.Random, work: Path) -> bool:
    """``auditrules report … -o PATH`` for awkward paths: nothing but the target may change."""
    import os

    from click.testing import CliRunner

    from auditrules.cli import cli

    real = work / "real.txt"
    real.write_text("keep", encoding="utf-8")
    (work / "dir").mkdir()
    kind = rnd.choice(
        (
            "file",
            "new",
            "dir",
            "empty",
            "link-file",
            "link-dir",
            "link-dangling",
            "fifo",
            "devnull",
            "no-parent",
            "newline",
            "long",
            "dot",
        )
    )
    path = {
        "file": str(real),
        "new": str(work / "new.txt"),
        "dir": str(work / "dir"),
        "empty": "",
        "link-file": str(work / "l1"),
        "link-dir": str(work / "l2"),
        "link-dangling": str(work / "l3"),
        "fifo": str(work / "fifo"),
        "devnull": os.devnull,
        "no-parent": str(work / "nope" / "x.txt"),
        "newline": str(work / "a\nb.txt"),
        "long": str(work / ("x" * 300)),
        "dot": str(work / "."),
    }[kind]
    if kind == "link-file":
        os.symlink(real, path)
    elif kind == "link-dir":
        os.symlink(work / "dir", path)
    elif kind == "link-dangling":
        os.symlink(work / "gone.txt", path)
    elif kind == "fifo" and hasattr(os, "mkfifo"):
        os.mkfifo(path)
    before = {p.name for p in work.iterdir()}
    report = rnd.choice(sorted(REPORTS.glob("*.json")))
    result = CliRunner().invoke(cli, ["report", str(report), "--format", rnd.choice(FORMATS), "-o", path])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    if result.exit_code not in (0, 2) or "Traceback" in result.stderr or "internal error" in result.stderr:
        raise Failure(f"-o {kind}: exit {result.exit_code}: {result.stderr[:200]}")
    if result.exit_code == 2 and not result.stderr.startswith("error[AR006]"):
        raise Failure(f"-o {kind}: {result.stderr[:200]}")
    if result.stdout:
        raise Failure(f"-o {kind}: wrote to standard output")
    left = {p.name for p in work.iterdir()} - before
    if any(n.endswith(".tmp") for n in left):
        raise Failure(f"-o {kind}: temporary file left: {sorted(left)}")
    if kind in ("devnull", "fifo") and result.exit_code != 2:
        raise Failure(f"-o {kind} was written")
    if kind == "link-file" and (not os.path.islink(path) or real.read_text(encoding="utf-8") == "keep"):
        raise Failure("-o through a symlink did not write its target")
    return result.exit_code == 0


@dataclass(frozen=True)
class Target:
    name: str
    run: Callable[[random.Random, Path], bool]
    what: str


TARGETS: tuple[Target, ...] = (
    Target("rules", rules_target, "mutated rule files: lint, fmt keeps the AST, check"),
    Target("canonical", canonical_target, "canonical routing YAML, data or text mutated"),
    Target("zendesk", zendesk_target, "Zendesk export bundles, one file type-confused"),
    Target("taskrouter", taskrouter_target, "TaskRouter workflows, resource or configuration mutated"),
    Target("report", report_target, "schema-valid JSON reports re-rendered in every format"),
    Target("output", output_target, "-o paths: directories, symlinks, FIFOs, devices, odd names"),
)
