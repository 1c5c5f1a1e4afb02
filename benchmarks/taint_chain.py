"""Benchmark: Zendesk tag-derivation chains → time of the routing analysis (taint must be linear).

Generates (seeded, in a temporary directory) a Zendesk ``triggers.json`` of N triggers: trigger 1
reads ``requester_twitter_followers_count`` and sets tag ``t1``; trigger i reads ``t{i-1}`` and sets
``t{i}``; the last one also assigns a group (a routing effect), so FAIR-001 fails with a chain N
steps long. A few hundred unrelated triggers route on plain conditions. For each N it times loading
the export and evaluating ``routing must not read`` (FAIR-001) and ``routing may read only`` (an
allow-list), and prints the time per trigger: flat per-trigger times mean linear growth.

Usage: ``python benchmarks/taint_chain.py [--sizes 1000,2000,4000,8000,10000]``
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from auditrules.findings import Status
from auditrules.lang.parser import parse_policy
from auditrules.routing.analysis import evaluate_routing
from auditrules.routing.zendesk import load_zendesk

API = "https://bench.zendesk.com/api/v2"
POLICY = """
define influence = fields matching "*follower*", "*klout*"
define inputs = fields matching "status", "priority", "update_type"
rule B-1 "no influence" {
  severity high
  routing must not read influence
}
rule B-2 "allow-list" {
  severity high
  routing may read only inputs
}
"""


def _trigger(i: int, reads: dict[str, Any], actions: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "url": f"{API}/triggers/{i}.json",
        "id": i,
        "title": f"Trigger {i}",
        "raw_title": f"Trigger {i}",
        "active": True,
        "position": i,
        "conditions": {"all": [reads], "any": []},
        "actions": actions,
        "description": None,
        "created_at": "2024-06-01T00:00:00Z",
        "updated_at": "2024-06-01T00:00:00Z",
        "default": False,
        "category_id": "1",
    }


def generate(directory: Path, n: int) -> Path:
    triggers = [
        _trigger(
            1,
            {"field": "requester_twitter_followers_count", "operator": "greater_than", "value": "5000"},
            [{"field": "set_tags", "value": "t1"}],
        )
    ]
    for i in range(2, n + 1):
        acts: list[dict[str, Any]] = [{"field": "set_tags", "value": f"t{i}"}]
        if i == n:
            acts.append({"field": "group_id", "value": "360000777"})
        triggers.append(_trigger(i, {"field": "current_tags", "operator": "includes", "value": f"t{i - 1}"}, acts))
    for j in range(300):
        triggers.append(
            _trigger(
                n + 1 + j,
                {"field": "status", "operator": "is", "value": "new"},
                [{"field": "group_id", "value": str(j)}],
            )
        )
    path = directory / "triggers.json"
    path.write_text(
        json.dumps({"triggers": triggers, "next_page": None, "previous_page": None, "count": len(triggers)}),
        encoding="utf-8",
    )
    return path


def measure(n: int) -> dict[str, float]:
    policy = parse_policy(POLICY, "bench.rules")
    with tempfile.TemporaryDirectory() as tmp:
        path = generate(Path(tmp), n)
        t0 = time.perf_counter()
        model = load_zendesk([path])
        t1 = time.perf_counter()
        fair1 = evaluate_routing(policy, policy.rules[0], model)
        t2 = time.perf_counter()
        allow = evaluate_routing(policy, policy.rules[1], model)
        t3 = time.perf_counter()
    chain = max((len(f.evidence.get("chain", [])) for f in fair1 if f.status is Status.FAIL), default=0)
    assert chain == n, f"expected a chain of {n} steps, got {chain}"
    assert any(f.status is Status.FAIL for f in allow)
    return {"load": t1 - t0, "must_not_read": t2 - t1, "may_read_only": t3 - t2}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,2000,4000,8000,10000")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"{'triggers':>9} {'load s':>8} {'must not read s':>16} {'may read only s':>16} {'analysis µs/trigger':>20}")
    for n in sizes:
        t = measure(n)
        analysis = t["must_not_read"] + t["may_read_only"]
        print(
            f"{n:>9} {t['load']:>8.3f} {t['must_not_read']:>16.3f} {t['may_read_only']:>16.3f} "
            f"{analysis / n * 1e6:>20.1f}"
        )


if __name__ == "__main__":
    main()
