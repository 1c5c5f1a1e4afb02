"""Benchmark: ``auditrules check --routing DIR`` on a generated Zendesk export against its import floor.

Generates (seeded, into a temporary directory) 500 triggers (some reading influence fields, with tag
chains), 200 automations, 100 views, 50 SLA policies and 300 custom fields, then times, interleaved
(A, B, A, B …, so both meet the same load), the whole CLI process with the standard pack (A) and
the import floor (B): a Python process importing only the modules that path needs
(``import yaml, json, click, lark, rich``). The export is a directory, so every registered
adapter's detection looks at every file, whichever adapters exist. Prints wall and CPU medians
of each, their difference, the load average, and the phases of one check in-process.
Target: CLI median within 0.05 s of the floor median.

Usage: ``python benchmarks/routing_check.py [--runs 31] [--keep DIR]``
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: The CLI's median may exceed the import floor's by this much.
TARGET_SECONDS = 0.05
#: The floor: the modules the routing path really needs, imported by a bare interpreter.
FLOOR = "import yaml, json, click, lark, rich"
API = "https://bench.zendesk.com/api/v2"
PRIORITIES = ("low", "normal", "high", "urgent")
INFLUENCE_FIELDS = (
    "requester_twitter_followers_count",
    "requester_twitter_statuses_count",
    "requester_twitter_verified",
)


def _cond(field: str, operator: str, value: Any) -> dict[str, Any]:
    return {"field": field, "operator": operator, "value": value}


def generate(out: Path, seed: int = 20240601) -> dict[str, int]:
    """Write the export into ``out``; returns counts and the byte size."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    field_ids = [360_000_000 + i for i in range(300)]
    influence_field = field_ids[7]
    ticket_fields = [
        {
            "url": f"{API}/ticket_fields/{fid}.json",
            "id": fid,
            "type": rng.choice(("text", "integer", "checkbox", "tagger")),
            "title": "Klout score" if fid == influence_field else f"Custom field {i}",
            "raw_title": f"Custom field {i}",
            "description": "generated",
            "active": True,
            "required": False,
            "removable": True,
            "custom_field_options": [{"id": k, "name": f"Option {k}", "value": f"cf{i}_opt{k}"} for k in range(3)],
        }
        for i, fid in enumerate(field_ids)
    ]
    plain_fields = [f for f in field_ids if f != influence_field]  # only chosen triggers touch the influence field
    groups = [str(361_000_000 + g) for g in range(20)]
    tags = [f"tag{i}" for i in range(60)]

    def plain_condition() -> dict[str, Any]:
        kind = rng.randrange(6)
        if kind == 0:
            return _cond("status", rng.choice(("is", "less_than", "is_not")), rng.choice(("new", "open", "solved")))
        if kind == 1:
            return _cond("via_id", "is", rng.choice((0, 4, 29, 30, 33, 38)))
        if kind == 2:
            return _cond("current_tags", rng.choice(("includes", "not_includes")), " ".join(rng.sample(tags, 2)))
        if kind == 3:
            return _cond(f"custom_fields_{rng.choice(plain_fields)}", "is", f"value{rng.randrange(9)}")
        if kind == 4:
            return _cond("priority", rng.choice(("is", "greater_than")), rng.choice(PRIORITIES))
        return _cond("update_type", "is", rng.choice(("Create", "Change")))

    def actions() -> list[dict[str, Any]]:
        acts: list[dict[str, Any]] = []
        for _ in range(rng.randrange(1, 4)):
            kind = rng.randrange(5)
            if kind == 0:
                acts.append({"field": "group_id", "value": rng.choice(groups)})
            elif kind == 1:
                acts.append({"field": "priority", "value": rng.choice(PRIORITIES)})
            elif kind == 2:
                acts.append({"field": "current_tags", "value": rng.choice(tags)})
            elif kind == 3:
                acts.append({"field": f"custom_fields_{rng.choice(plain_fields)}", "value": str(rng.randrange(100))})
            else:
                acts.append(
                    {"field": "notification_group", "value": [rng.choice(groups), "Subject {{ticket.id}}", "Body"]}
                )
        return acts

    triggers: list[dict[str, Any]] = []
    for i in range(500):
        all_ = [plain_condition() for _ in range(rng.randrange(1, 5))]
        any_ = [plain_condition() for _ in range(rng.randrange(0, 3))]
        acts = actions()
        if i % 25 == 0:  # an influence read that derives a tag, which a later trigger routes on
            any_.append(_cond(rng.choice(INFLUENCE_FIELDS), "greater_than", "5000"))
            acts = [{"field": "current_tags", "value": f"vip{i}"}]
        elif i % 25 == 1:  # routes on the derived tag (its own actions derive nothing further)
            all_.append(_cond("current_tags", "includes", f"vip{i - 1}"))
            acts = [{"field": "group_id", "value": groups[0]}, {"field": "priority", "value": "urgent"}]
        elif i % 50 == 2:  # reads the influence custom field directly
            all_.append(_cond(f"custom_fields_{influence_field}", "greater_than", 40))
            acts = [{"field": "priority", "value": "high"}]
        triggers.append(
            {
                "url": f"{API}/triggers/{370_000_000 + i}.json",
                "id": 370_000_000 + i,
                "title": f"Trigger {i}",
                "raw_title": f"Trigger {i}",
                "active": rng.random() > 0.05,
                "position": i,
                "default": False,
                "category_id": "10026",
                "conditions": {"all": all_, "any": any_},
                "actions": acts,
                "description": None,
                "created_at": "2024-01-01T00:00:00Z",
                "updated_at": "2024-01-01T00:00:00Z",
            }
        )
    automations = [
        {
            "url": f"{API}/automations/{380_000_000 + i}.json",
            "id": 380_000_000 + i,
            "title": f"Automation {i}",
            "active": True,
            "position": i,
            "conditions": {
                "all": [
                    _cond(rng.choice(("SOLVED", "PENDING", "NEW", "OPEN")), "greater_than", str(rng.randrange(200)))
                ]
                + [plain_condition() for _ in range(rng.randrange(0, 3))],
                "any": [],
            },
            "actions": actions(),
            "created_at": "2024-01-01T00:00:00Z",
            "updated_at": "2024-01-01T00:00:00Z",
        }
        for i in range(200)
    ]
    views = [
        {
            "url": f"{API}/views/{390_000_000 + i}.json",
            "id": 390_000_000 + i,
            "title": f"View {i}",
            "active": True,
            "position": i,
            "conditions": {"all": [plain_condition() for _ in range(rng.randrange(1, 4))], "any": []},
            "execution": {
                "group_by": "status",
                "sort_by": "updated",
                "columns": [{"id": "subject", "title": "Subject"}],
            },
            "restriction": None,
        }
        for i in range(100)
    ]
    sla_policies = []
    for i in range(50):
        via = rng.choice((None, 0, 4, 29, 30, 33, 38))
        sla_policies.append(
            {
                "url": f"{API}/slas/policies/{395_000_000 + i}.json",
                "id": 395_000_000 + i,
                "title": f"SLA {i}",
                "position": i,
                "filter": {"all": [] if via is None else [_cond("via_id", "is", via)], "any": []},
                "policy_metrics": [
                    {
                        "priority": p,
                        "metric": m,
                        "target": rng.choice((30, 60, 240, 480, 1440)),
                        "business_hours": False,
                    }
                    for p in PRIORITIES
                    for m in ("first_reply_time", "next_reply_time")
                ],
            }
        )

    # triggers come as two offset pages, the rest as single files
    files: dict[str, Any] = {
        "triggers-page-1.json": {
            "triggers": triggers[:250],
            "next_page": f"{API}/triggers.json?page=2",
            "previous_page": None,
            "count": 500,
        },
        "triggers-page-2.json": {
            "triggers": triggers[250:],
            "next_page": None,
            "previous_page": f"{API}/triggers.json?page=1",
            "count": 500,
        },
        "automations.json": {"automations": automations, "next_page": None, "previous_page": None, "count": 200},
        "views.json": {"views": views, "next_page": None, "previous_page": None, "count": 100},
        "sla_policies.json": {"sla_policies": sla_policies, "next_page": None, "previous_page": None, "count": 50},
        "ticket_fields.json": {"ticket_fields": ticket_fields, "next_page": None, "previous_page": None, "count": 300},
    }
    size = 0
    for name, data in files.items():
        text = json.dumps(data, indent=2) + "\n"
        (out / name).write_text(text, encoding="utf-8")
        size += len(text.encode("utf-8"))
    return {"triggers": 500, "automations": 200, "views": 100, "sla_policies": 50, "fields": 300, "bytes": size}


def _cli() -> list[str]:
    """The installed console script; ``python -m auditrules`` when there is none or it predates the
    current entry point (an install made before ``pyproject.toml`` named ``auditrules.__main__:run``)."""
    script = Path(sys.executable).with_name("auditrules")
    if script.exists() and "auditrules.__main__" in script.read_text(encoding="utf-8", errors="replace"):
        return [str(script)]
    return [sys.executable, "-m", "auditrules"]


def bytecode_env(cache: Path) -> dict[str, str]:
    """The environment for timed runs: a bytecode cache in ``cache`` (as an installed tool has one)
    and the private cache directory (remembered parser tables, policies and generated dataclass
    methods) under it too."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(cache / "pyc")
    env["XDG_CACHE_HOME"] = str(cache / "xdg")
    return env


@dataclass
class Runs:
    """Wall and CPU (user + system) seconds of each run of one command."""

    cmd: list[str]
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    code: int = 0
    out: str = ""


def _spawn_with_rusage(cmd: list[str], env: dict[str, str]) -> tuple[float, float, int, str]:
    """Wall seconds, CPU seconds (user + system), exit code and output of one process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    assert proc.stdout is not None
    out = proc.stdout.read()
    proc.stdout.close()
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_utime + usage.ru_stime, proc.returncode, out.decode("utf-8", "replace")


def interleaved(commands: list[list[str]], runs: int, env: dict[str, str]) -> list[Runs]:
    """Each command ``runs`` times, in turn (A, B, A, B …), after one untimed warm-up each."""
    results = [Runs(cmd) for cmd in commands]
    for r in results:
        _spawn_with_rusage(r.cmd, env)  # warm-up: fills the bytecode and private caches
    for _ in range(runs):
        for r in results:
            wall, cpu, r.code, r.out = _spawn_with_rusage(r.cmd, env)
            r.wall.append(wall)
            r.cpu.append(cpu)
    return results


# Runs in a fresh interpreter, so every phase is measured cold, the way the CLI meets it.
_PHASES = r"""
import json, sys, time
t0 = time.perf_counter()
from auditrules import method_code
method_code.remember()  # as the console script does first
import auditrules.cli
t1 = time.perf_counter()
from auditrules import api
t2 = time.perf_counter()
policies = api.load_policies((), ticket_statements=False)  # as the CLI loads them with no ticket data
t3 = time.perf_counter()
from auditrules.pipeline import CheckOptions, run
import auditrules.routing.analysis, auditrules.routing.detect, auditrules.routing.zendesk
t4 = time.perf_counter()
report = run(CheckOptions(routing=(sys.argv[1],), policies=tuple(policies)))
data = report.to_json("low")
t5 = time.perf_counter()
from auditrules.evidence import validated_upstream
from auditrules.report.render import render
with validated_upstream():
    render(data, "text")
t6 = time.perf_counter()
print(json.dumps({"import cli": t1 - t0, "import api": t2 - t1, "load rules": t3 - t2,
                  "import pipeline, evidence, routing": t4 - t3,
                  "check (detect, load export, analyse, JSON form)": t5 - t4, "render text": t6 - t5}))
"""


def first_runs(cmd: list[str], env: dict[str, str], tmp: Path, runs: int = 5) -> list[float]:
    """Wall seconds of ``cmd`` run as the first run after an install: each with an empty private
    cache directory (the bytecode cache stays warm, as an install compiles it)."""
    walls = []
    for i in range(runs):
        cold = {**env, "XDG_CACHE_HOME": str(tmp / f"cold-{i}")}
        walls.append(_spawn_with_rusage(cmd, cold)[0])
    return walls


def phases(export: Path, runs: int, env: dict[str, str]) -> dict[str, float]:
    """Median seconds of each step of a check, each run in a fresh interpreter."""
    samples: dict[str, list[float]] = {}
    for _ in range(runs):
        proc = subprocess.run(
            [sys.executable, "-c", _PHASES, str(export)], capture_output=True, text=True, check=False, env=env
        )
        if proc.returncode != 0:
            return {"error: " + (proc.stderr.strip().splitlines() or ["?"])[-1]: float("nan")}
        for key, value in json.loads(proc.stdout.strip().splitlines()[-1]).items():
            samples.setdefault(key, []).append(value)
    return {key: statistics.median(values) for key, values in samples.items()}


def detection(export: Path) -> str:
    """The registered formats and the ones detection finds in the export directory."""
    from auditrules.routing import detect

    found = sorted({fmt for f in sorted(export.iterdir()) for fmt in detect.formats_of(f)})
    return f"{len(detect.FORMATS)} registered ({', '.join(detect.FORMATS)}); found: {', '.join(found)}"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def _load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=31)
    parser.add_argument("--keep", type=Path, help="write the export here and keep it")
    args = parser.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="auditrules-bench-"))
    export = args.keep or tmp / "zendesk"
    try:
        counts = generate(export)
        env = bytecode_env(tmp)
        load_before = _load()
        check = [*_cli(), "check", "--routing", str(export), "--quiet"]
        cli, floor = interleaved([check, [sys.executable, "-c", FLOOR]], args.runs, env)
        load_after = _load()
        cold = first_runs(check, env, tmp)
        cli_med, floor_med = statistics.median(cli.wall), statistics.median(floor.wall)
        pair = statistics.median(a - b for a, b in zip(cli.wall, floor.wall, strict=True))
        gap = cli_med - floor_med
        rows: list[tuple[str, str]] = [
            (
                "export",
                f"{counts['triggers']} triggers, {counts['automations']} automations, "
                f"{counts['views']} views, {counts['sla_policies']} SLA policies, {counts['fields']} fields",
            ),
            ("export size", f"{counts['bytes'] / 1e6:.2f} MB"),
            ("adapters", detection(export)),
            ("runs (interleaved)", f"{args.runs} × (CLI, floor)"),
            ("load average before / after", f"{load_before} → {load_after}"),
            (
                "A: CLI wall median (min / max)",
                f"{_ms(cli_med)} ({_ms(min(cli.wall))} / {_ms(max(cli.wall))}), exit code {cli.code}",
            ),
            (
                "B: floor wall median (min / max)",
                f"{_ms(floor_med)} ({_ms(min(floor.wall))} / {_ms(max(floor.wall))})  [{FLOOR}]",
            ),
            ("A, first run (empty private cache), median of 5", _ms(statistics.median(cold))),
            ("A − B, medians", _ms(gap)),
            ("A − B, median of pairs", _ms(pair)),
            (
                "CPU median A / B / A − B",
                f"{_ms(statistics.median(cli.cpu))} / {_ms(statistics.median(floor.cpu))} / "
                f"{_ms(statistics.median(cli.cpu) - statistics.median(floor.cpu))}",
            ),
        ]
        rows += [(f"phase: {k}", _ms(v)) for k, v in phases(export, max(3, args.runs // 4), env).items()]
        rows.append(("target", f"A − B ≤ {_ms(TARGET_SECONDS)}: {'met' if gap <= TARGET_SECONDS else 'NOT met'}"))
        width = max(len(k) for k, _ in rows)
        print(f"{'measure':<{width}}  value")
        print(f"{'-' * width}  {'-' * 40}")
        for k, v in rows:
            print(f"{k:<{width}}  {v}")
        if cli.code not in (0, 1):
            print("\nCLI failed:\n" + cli.out[-2000:], file=sys.stderr)
            return 2
        return 0
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
