"""A one-shot routing check (the console script) never frees the export it read: the process ends
right after the report, and freeing a large export object by object costs the check a sixth of its
time. A command run in-process (CliRunner, a host application) frees it as usual."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXPORT = ROOT / "examples" / "zendesk-twotier"

CODE = """
import gc, sys, weakref
import auditrules.pipeline as pipeline
seen = []
original = pipeline.run_with_evidence
def spy(options):
    report, models = original(options)
    seen.extend(weakref.ref(m) for m in models)
    return report, models
pipeline.run_with_evidence = spy
{run}
gc.collect()
print("alive" if seen and all(r() is not None for r in seen) else "freed", file=sys.stderr)
"""
ONE_SHOT = """
from auditrules.cli import main
sys.argv = ["auditrules", "check", "-q", {export!r}]
try:
    main()
except SystemExit:
    pass
"""
IN_PROCESS = """
from click.testing import CliRunner
from auditrules.cli import cli
CliRunner().invoke(cli, ["check", "-q", {export!r}])
"""


def _outcome(run: str) -> str:
    code = CODE.format(run=run.format(export=str(EXPORT)))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)
    return proc.stderr.strip().splitlines()[-1]


def test_one_shot_routing_check_keeps_the_export_to_the_end() -> None:
    assert _outcome(ONE_SHOT) == "alive"


def test_in_process_check_frees_the_export() -> None:
    assert _outcome(IN_PROCESS) == "freed"
