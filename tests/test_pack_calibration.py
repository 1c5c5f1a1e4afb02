"""The standard pack judges every threshold on sampled ticket data with an interval.

``benchmarks/calibration.py`` measures the false-fail rates this buys (README, Statistics); this
test keeps a new or edited ticket rule from slipping back to point estimates.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from auditrules.lang import ast
from auditrules.lang.parser import parse_policy

ROOT = Path(__file__).resolve().parents[1]
PACK = ROOT / "rules" / "fairness.rules"
SAMPLED = {"share", "mean", "median"}


def ticket_requirements() -> list[tuple[str, ast.Require]]:
    policy = parse_policy(PACK.read_text(encoding="utf-8"), "rules/fairness.rules")
    return [(f"{r.id}#{i + 1}", req) for r in policy.rules for i, req in enumerate(r.requires)]


@pytest.mark.parametrize(("name", "req"), ticket_requirements(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_sampled_threshold_is_judged_at_95_percent(name: str, req: ast.Require) -> None:
    agg = req.aggregate
    sampled = agg.func in SAMPLED or agg.quantile is not None
    if sampled:
        assert req.confidence == pytest.approx(0.95), f"{name} is judged on its point estimate"
