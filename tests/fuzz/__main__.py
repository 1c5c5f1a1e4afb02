"""Timed fuzz runner: ``python -m tests.fuzz --minutes 5`` (from the repository root).

Feeds hostile inputs to every target in turn for the given time and prints, per target, the
inputs tried and the failures (internal errors, hangs, broken promises), grouped by kind with
the seed that replays one of each: ``python -m tests.fuzz --replay TARGET:SEED`` (add ``--keep``
to keep the input it builds). One process, one core; ``--max-seconds-per-input`` guards hangs.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path
from types import FrameType

from tests.fuzz.targets import TARGETS, Target


class Hang(Exception):
    """An input took longer than the per-input limit."""


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise Hang("input took too long")


def failure_kind(exc: BaseException) -> str:
    """``ExceptionType at module.py:line`` of the innermost auditrules frame (or the last frame)."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "/auditrules/" in f.filename] or frames[-1:]
    where = f"{Path(ours[-1].filename).name}:{ours[-1].lineno}" if ours else "?"
    return f"{type(exc).__name__} at {where}: {str(exc)[:80]}"


def run_one(target: Target, seed: int, limit: float, keep: Path | None = None) -> tuple[bool, str | None]:
    """Run one input: (accepted, failure kind or None when auditrules kept its promise)."""
    work = Path(tempfile.mkdtemp(prefix=f"fuzz-{target.name}-"))
    has_alarm = hasattr(signal, "SIGALRM")
    if has_alarm:
        signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        return target.run(random.Random(seed), work), None
    except Exception as exc:  # noqa: BLE001 - every exception that escapes a target is a failure
        return False, failure_kind(exc)
    finally:
        if has_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
        if keep is not None:
            shutil.copytree(work, keep, dirs_exist_ok=True, symlinks=True, ignore_dangling_symlinks=True)
        shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=1.0, help="how long to run (default 1)")
    parser.add_argument("--seed", type=int, default=None, help="first seed (default: from the clock)")
    parser.add_argument(
        "--targets",
        default=",".join(t.name for t in TARGETS),
        help="comma-separated targets: " + ", ".join(t.name for t in TARGETS),
    )
    parser.add_argument("--max-seconds-per-input", type=float, default=30.0)
    parser.add_argument("--replay", metavar="TARGET:SEED", help="run one input again and show its traceback")
    parser.add_argument("--keep", type=Path, help="with --replay: copy the input built here")
    args = parser.parse_args(argv)
    by_name = {t.name: t for t in TARGETS}
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 1000))
    os.environ.setdefault("AUDITRULES_FUZZ", "1")

    if args.replay:
        name, seed = args.replay.split(":")
        target = by_name[name]
        work = args.keep or Path(tempfile.mkdtemp(prefix="fuzz-replay-"))
        work.mkdir(parents=True, exist_ok=True)
        target.run(random.Random(int(seed)), work)  # let the traceback show
        print(f"{name}:{seed}: no failure (input in {work})")
        return 0

    chosen = [by_name[n.strip()] for n in args.targets.split(",") if n.strip()]
    seed = args.seed if args.seed is not None else int(time.time())
    deadline = time.monotonic() + args.minutes * 60
    tried: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    accepted: Counter[str] = Counter()
    kinds: dict[str, dict[str, tuple[int, int]]] = {t.name: {} for t in chosen}  # kind -> (count, first seed)
    print(f"fuzzing {', '.join(t.name for t in chosen)} for {args.minutes:g} min, seeds from {seed}", flush=True)
    i = 0
    while time.monotonic() < deadline:
        target = chosen[i % len(chosen)]
        s = seed + i
        i += 1
        ok, kind = run_one(target, s, args.max_seconds_per_input)
        tried[target.name] += 1
        accepted[target.name] += ok
        if kind is not None:
            failed[target.name] += 1
            count, first = kinds[target.name].get(kind, (0, s))
            kinds[target.name][kind] = (count + 1, first)

    print(f"\n{'target':<12}{'inputs':>9}{'accepted':>10}{'failures':>10}{'kinds':>7}  what")
    for t in chosen:
        n = t.name
        print(f"{n:<12}{tried[n]:>9}{accepted[n]:>10}{failed[n]:>10}{len(kinds[n]):>7}  {t.what}")
    print(f"{'total':<12}{sum(tried.values()):>9}{sum(accepted.values()):>10}{sum(failed.values()):>10}")
    print("(accepted: inputs auditrules read and judged; the others were refused with an AR code)")
    for t in chosen:
        for kind, (count, first) in sorted(kinds[t.name].items(), key=lambda kv: -kv[1][0]):
            print(f"  {t.name}: {count} × {kind}  (replay: --replay {t.name}:{first})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
