"""Unanswered and unresolved tickets are right-censored, not dropped (end to end, on the engine)."""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from auditrules.cli import cli
from auditrules.lang.parser import parse_policy
from auditrules.tickets import evaluate_tickets
from auditrules.tickets import survival as K

START = datetime(2024, 1, 1, 9, 0, 0)


def _stamp(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def _tickets(tmp: Path, phone_waiting: int = 25, phone_young: int = 0) -> Path:
    """Email: 100 tickets answered in 1-3h. Phone: 75 answered in 1h, ``phone_waiting`` unanswered for
    30 days (open at the as-of time), ``phone_young`` unanswered but opened 30 minutes before the as-of time."""
    as_of = START + timedelta(days=40)
    rows = ["ticket_id,channel,status,created_at,first_response_at,resolved_at"]
    for i in range(100):
        c = START + timedelta(hours=i)
        rows.append(f"e{i},email,solved,{_stamp(c)},{_stamp(c + timedelta(minutes=60 + i))},")
    for i in range(75):
        c = START + timedelta(hours=i)
        rows.append(f"p{i},phone,solved,{_stamp(c)},{_stamp(c + timedelta(hours=1))},")
    for i in range(phone_waiting):
        c = as_of - timedelta(days=30, minutes=i)
        rows.append(f"w{i},phone,open,{_stamp(c)},,")
    for i in range(phone_young):
        c = as_of - timedelta(minutes=30)
        rows.append(f"y{i},phone,open,{_stamp(c)},,")
    rows.append(f"last,email,open,{_stamp(as_of)},{_stamp(as_of)},")  # the latest timestamp: the as-of time
    path = tmp / "tickets.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _rules(text: str) -> list:  # type: ignore[type-arg]
    policy = parse_policy(text, "r.rules")
    return [(policy, r) for r in policy.rules]


P90 = 'rule C-1 "p90" {\n severity high\n tickets\n require each channel: p90(first_response) <= 24h\n}'


def test_p90_fails_when_a_quarter_waited_thirty_days_unanswered(tmp_path: Path) -> None:
    res = evaluate_tickets(_rules(P90), [str(_tickets(tmp_path))])
    (f,) = res.findings
    assert f.status.value == "fail", f.message  # before: the 25 unanswered tickets vanished; p90 was 1h
    phone = next(g for g in f.evidence["groups"] if g["group"] == "phone")
    assert phone["n"] == 100 and phone["censored"] == 25 and phone["reached"] is False
    assert phone["value"] >= 30 * 86400 - 25 * 60  # exceeds the shortest wait of the tickets still waiting
    assert "phone exceeds" in f.message and "25 ticket(s) censored" in f.message
    rows = f.evidence["rows"]
    assert rows["read"] == rows["evaluated"] + sum(rows["excluded"].values())
    assert rows["censored"] == 25 and rows["excluded"]["missing_value"] == 0
    assert f.evidence["censoring"]["as_of"] == "2024-02-10T09:00:00Z"


def test_p90_with_confidence_uses_the_product_limit_interval(tmp_path: Path) -> None:
    rules = _rules(P90.replace("<= 24h", "<= 24h at 95% confidence"))
    (f,) = evaluate_tickets(rules, [str(_tickets(tmp_path))]).findings
    phone = next(c for c in f.evidence["comparisons"] if c["group"] == "phone")
    assert phone["verdict"] == "fail" and phone["interval"][1] is None  # open above: never reached
    assert f.status.value == "fail"


def test_share_counts_young_unanswered_tickets_as_censored(tmp_path: Path) -> None:
    text = 'rule C-2 "s" {\n severity low\n tickets\n require each channel: share(first_response <= 4h) >= 90%\n}'
    path = _tickets(tmp_path, phone_waiting=0, phone_young=40)
    (f,) = evaluate_tickets(_rules(text), [str(path)]).findings
    phone = next(g for g in f.evidence["groups"] if g["group"] == "phone")
    # 40 tickets opened 30 minutes ago are not misses yet: 1 - S(4h) = 75/75 answered in time
    assert phone["value"] == pytest.approx(1.0)
    assert f.status.value == "pass", f.message
    # the same tickets waiting 30 days are misses: 75 of 100 answered in time
    path = _tickets(tmp_path, phone_waiting=25)
    (f,) = evaluate_tickets(_rules(text), [str(path)]).findings
    phone = next(g for g in f.evidence["groups"] if g["group"] == "phone")
    assert phone["value"] == pytest.approx(0.75)
    assert f.status.value == "fail"


def test_share_matches_the_product_limit_estimate(tmp_path: Path) -> None:
    text = 'rule C-3 "s" {\n severity low\n tickets\n require share(first_response <= 2h) >= 50% at 90% confidence\n}'
    path = _tickets(tmp_path, phone_waiting=10, phone_young=30)
    (f,) = evaluate_tickets(_rules(text), [str(path)]).findings
    durations, observed = [], []
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        _, _, _, created, answered, _ = line.split(",")
        c = datetime.strptime(created, "%Y-%m-%dT%H:%M:%SZ")
        end = datetime.strptime(answered, "%Y-%m-%dT%H:%M:%SZ") if answered else START + timedelta(days=40)
        durations.append((end - c).total_seconds())
        observed.append(bool(answered))
    curve = K.product_limit(K.LifeTable.from_durations(durations, observed))
    s, gw = K.survival_at(curve, 7200.0)
    want = K.share_within(s, gw, 0.9, K.observed_through(curve.table, 7200.0))
    (cmp,) = f.evidence["comparisons"]
    assert cmp["value"] == pytest.approx(want.value, rel=1e-9)
    assert cmp["interval"] == pytest.approx([want.low, want.high], rel=1e-9)


def test_mean_over_censored_durations_is_inconclusive(tmp_path: Path) -> None:
    text = 'rule C-4 "m" {\n severity low\n tickets\n require each channel: mean(first_response) <= 24h\n}'
    (f,) = evaluate_tickets(_rules(text), [str(_tickets(tmp_path))]).findings
    assert f.status.value == "inconclusive"
    assert "mean over censored durations is not defined" in f.message
    phone = next(g for g in f.evidence["groups"] if g["group"] == "phone")
    assert phone["value"] is None or math.isnan(phone["value"])


def test_as_of_from_the_command_line_and_the_mapping(tmp_path: Path) -> None:
    path = _tickets(tmp_path)
    rules = tmp_path / "r.rules"
    rules.write_text(P90 + "\n", encoding="utf-8")
    # as of ten days earlier than the data's end, the waiting tickets have waited 20 days
    result = CliRunner().invoke(
        cli,
        [
            "check",
            "-q",
            "--rules",
            str(rules),
            "--tickets",
            str(path),
            "--as-of",
            "2024-01-31T09:00:00Z",
            "--format",
            "json",
        ],
    )
    report = json.loads(result.stdout)
    (f,) = [f for f in report["findings"] if f["rule_id"] == "C-1"]
    assert f["evidence"]["censoring"]["as_of"] == "2024-01-31T09:00:00Z"
    phone = next(g for g in f["evidence"]["groups"] if g["group"] == "phone")
    assert 20 * 86400 - 3600 <= phone["value"] <= 20 * 86400
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        "auditrules: mapping/v1\nas_of: 2024-01-31T10:00:00+01:00\ncolumns:\n  ticket_id: ticket_id\n"
        "  channel: channel\n  status: status\n  created_at: created_at\n  first_response_at: first_response_at\n",
        encoding="utf-8",
    )
    res = evaluate_tickets(_rules(P90), [str(path)], mapping=str(mapping))
    assert res.findings[0].evidence["censoring"]["as_of"] == "2024-01-31T09:00:00Z"
    bad = CliRunner().invoke(cli, ["check", "-q", "--rules", str(rules), "--tickets", str(path), "--as-of", "soon"])
    assert (bad.exit_code == 2 and "error[AR303]" in bad.stderr) or "error[AR005]" in bad.stderr
