"""Simpson's paradox, end to end through DuckDB: a gap visible inside every priority but hidden
in the pooled figures, because email's tickets are mostly easy and Twitter's mostly hard.

Constructed counts (resolved / tickets):

=========  ==============  ===============  =========
priority   email           twitter          ratio
=========  ==============  ===============  =========
urgent       20 / 50 (40%)  720 / 900 (80%)   0.50
low         760 / 950 (80%)  98 / 100 (98%)   0.82
overall     780 / 1000 (78%) 818 / 1000 (82%) 0.95
=========  ==============  ===============  =========

Overall the ratio is 0.95, above the 0.9 threshold, so a rule without ``within`` passes; inside
each priority email's resolution rate is well below Twitter's, with Katz intervals (Bonferroni over
the two strata) entirely below 0.9, so the same rule ``within priority`` fails.
"""

from __future__ import annotations

import csv
from pathlib import Path

from auditrules.findings import Status
from auditrules.lang.parser import parse_policy
from auditrules.tickets import evaluate_tickets
from auditrules.tickets import stats as S

CELLS = {  # (channel, priority): (resolved, tickets)
    ("email", "urgent"): (20, 50),
    ("email", "low"): (760, 950),
    ("twitter", "urgent"): (720, 900),
    ("twitter", "low"): (98, 100),
}

RULES = """
rule POOLED-1 "Resolution, pooled" {
  severity high
  tickets
  require across channel: ratio(share(outcome == "resolved")) >= 0.9 at 95% confidence
}
rule STRATA-1 "Resolution, within priority" {
  severity high
  tickets
  require across channel: ratio(share(outcome == "resolved")) >= 0.9 within priority at 95% confidence
}
"""


def _write(path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["ticket_id", "channel", "priority", "outcome"])
        i = 0
        for (channel, priority), (resolved, n) in CELLS.items():
            for k in range(n):
                i += 1
                w.writerow([i, channel, priority, "resolved" if k < resolved else "unresolved"])


def test_simpson_pooled_passes_but_within_priority_fails(tmp_path: Path) -> None:
    data = tmp_path / "tickets.csv"
    _write(data)
    policy = parse_policy(RULES)
    result = evaluate_tickets([(policy, r) for r in policy.rules], [str(data)])
    by_rule = {f.rule_id: f for f in result.findings}

    pooled = by_rule["POOLED-1"]
    assert pooled.status is Status.PASS, pooled.message
    (comparison,) = pooled.evidence["comparisons"]
    assert abs(comparison["value"] - (780 / 1000) / (818 / 1000)) < 1e-9  # 0.954: above 0.9

    strata = by_rule["STRATA-1"]
    assert strata.status is Status.FAIL, strata.message
    per_stratum = {c["stratum"]["priority"]: c for c in strata.evidence["comparisons"]}
    assert set(per_stratum) == {"urgent", "low"}
    assert abs(per_stratum["urgent"]["value"] - 0.4 / 0.8) < 1e-9
    assert abs(per_stratum["low"]["value"] - 0.8 / 0.98) < 1e-9
    for c in per_stratum.values():
        assert c["verdict"] == "fail"  # the whole interval lies below 0.9
        assert c["interval"][1] < 0.9
    # the reported interval is the Katz interval at the Bonferroni level for two strata
    expected = S.katz_ratio(760, 950, 98, 100, S.bonferroni(0.95, 2))
    assert expected.interval is not None
    low = per_stratum["low"]["interval"]
    assert abs(low[0] - expected.interval.low) < 1e-6 and abs(low[1] - expected.interval.high) < 1e-6
