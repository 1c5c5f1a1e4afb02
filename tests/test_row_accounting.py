"""Row accounting is exact per requirement, for random exclusions (a property test).

Every finding says ``read = evaluated + Σ excluded``; a row leaves only the requirements that read
its bad value; and the counts match an independent per-row computation in Python.
"""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from auditrules.lang.parser import parse_policy
from auditrules.tickets import evaluate_tickets

RULES = """
rule R-1 "first response" {
  severity low
  tickets where status != "spam"
  require each channel: p90(first_response) <= 24h
}
rule R-2 "tier" {
  severity low
  tickets
  require across channel: difference(share(agent_tier == "senior")) <= 50%
}
rule R-3 "resolution" {
  severity low
  tickets where status == "solved"
  require each priority: mean(resolution_time) <= 30d
}
rule R-4 "score" {
  severity low
  tickets
  require mean(influence_score) >= 0
}
"""

MAPPING = """auditrules: mapping/v1
columns:
  ticket_id: id
  channel: {column: channel, values: {email: email, phone: phone, chat: chat}, others: exclude}
  priority: priority
  status: status
  agent_tier: tier
  created_at: created
  first_response_at: answered
  resolved_at: resolved
  influence_score: score
"""

CREATED = ("2024-01-0{d} 10:00:00", "garbage", "")
ANSWER = ("2024-01-0{d} 12:00:00", "2024-01-0{d} 09:00:00", "not a time", "")
RESOLVED = ("2024-01-0{d} 18:00:00", "2024-01-0{d} 08:00:00", "31/31/2024", "")
SCORE = ("12", "inf", "nan", "n/a", "")

GOOD = {
    "day": 1,
    "channel": "email",
    "priority": "low",
    "status": "solved",
    "tier": "senior",
    "created": CREATED[0],
    "answered": ANSWER[0],
    "resolved": RESOLVED[0],
    "score": "3",
}

row_strategy = st.fixed_dictionaries(
    {
        "day": st.integers(1, 8),
        "channel": st.sampled_from(("email", "phone", "chat", "fax", "")),
        "priority": st.sampled_from(("low", "high", "")),
        "status": st.sampled_from(("open", "solved", "spam", "")),
        "tier": st.sampled_from(("senior", "junior", "")),
        "created": st.sampled_from(CREATED),
        "answered": st.sampled_from(ANSWER),
        "resolved": st.sampled_from(RESOLVED),
        "score": st.sampled_from(SCORE),
    }
)


def _write(rows: list[dict[str, Any]], tmp: Path) -> tuple[Path, Path]:
    path = tmp / "t.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "channel", "priority", "status", "tier", "created", "answered", "resolved", "score"])
        for i, r in enumerate(rows):
            d = r["day"]
            w.writerow(
                [
                    i,
                    r["channel"],
                    r["priority"],
                    r["status"],
                    r["tier"],
                    r["created"].format(d=d),
                    r["answered"].format(d=d),
                    r["resolved"].format(d=d),
                    r["score"],
                ]
            )
    mapping = tmp / "m.yaml"
    mapping.write_text(MAPPING, encoding="utf-8")
    return path, mapping


def _expected_r1(rows: list[dict[str, Any]]) -> dict[str, int]:
    """R-1's exclusions computed row by row: it reads status, channel and first_response."""
    out = dict.fromkeys(("unparseable_timestamp", "negative_duration", "unmapped_channel", "filtered_by_where"), 0)
    out["missing_value"] = 0
    for r in rows:
        bad_created = r["created"] == "garbage"
        bad_answer = r["answered"] == "not a time"
        created_ok = r["created"] not in ("garbage", "")
        answer_ok = r["answered"] not in ("not a time", "")
        negative = created_ok and answer_ok and "09:00" in r["answered"]
        if bad_created or bad_answer:
            out["unparseable_timestamp"] += 1
        elif negative:
            out["negative_duration"] += 1
        elif r["channel"] == "fax":
            out["unmapped_channel"] += 1
        elif r["status"] in ("spam", ""):
            out["filtered_by_where"] += 1
        elif r["created"] == "" or r["channel"] == "":
            # an unanswered ticket is censored (evaluated), unless there is no creation time to wait from
            out["missing_value"] += 1
    return out


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # each example runs the engine: no slow shrinking
)
@given(st.lists(row_strategy, min_size=1, max_size=60))
def test_accounting_is_exact_for_every_requirement(generated: list[dict[str, Any]]) -> None:
    rows = [GOOD, *generated]  # one parseable row: a column with no parseable value at all is AR302
    policy = parse_policy(RULES, "r.rules")
    with tempfile.TemporaryDirectory() as tmp:
        path, mapping = _write(rows, Path(tmp))
        res = evaluate_tickets([(policy, r) for r in policy.rules], [str(path)], mapping=str(mapping))
    for f in res.findings:
        acc = f.evidence["rows"]
        assert acc["read"] == len(rows)
        assert acc.get("censored", 0) <= acc["evaluated"]  # censored rows are evaluated, not excluded
        assert acc["read"] == acc["evaluated"] + sum(acc["excluded"].values()), (f.rule_id, acc)
        groups = f.evidence.get("groups") or []
        assert acc["evaluated"] == sum(g["n"] for g in groups), (f.rule_id, acc, groups)
    by_rule = {f.rule_id: f.evidence["rows"]["excluded"] for f in res.findings}
    r1 = {k: v for k, v in by_rule["R-1"].items() if v}
    assert r1 == {k: v for k, v in _expected_r1(rows).items() if v}
    # R-2 reads channel and agent tier only: no timestamp or number problem removes a row from it
    assert by_rule["R-2"]["unparseable_timestamp"] == 0 and by_rule["R-2"]["negative_duration"] == 0
    assert by_rule["R-2"]["unparseable_number"] == 0
    # R-4 reads influence_score: 'inf', 'nan' and 'n/a' are unparseable numbers, not values
    assert by_rule["R-4"]["unparseable_number"] == sum(r["score"] in ("inf", "nan", "n/a") for r in rows)
