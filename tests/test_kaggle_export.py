"""The 8,469-row Kaggle-style support-ticket export: impossible resolution times leave only the
requirements that read them."""

from __future__ import annotations

import csv
from pathlib import Path

from auditrules.lang.parser import parse_policy
from auditrules.tickets import evaluate_tickets
from tests.ticket_exports import kaggle_export

FIXTURES = Path(__file__).parent / "fixtures" / "tickets"

RULES = """
rule K-1 "closed share" {
  severity low
  tickets
  require share(status == "closed") >= 0%
}
rule K-2 "resolution" {
  severity low
  tickets
  require each channel: median(resolution_time) <= 3650d
}
"""


def test_impossible_resolution_times_do_not_shrink_the_closed_share(tmp_path: Path) -> None:
    path = kaggle_export(tmp_path / "customer_support_tickets.csv")
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    closed = sum(r["Ticket Status"] == "Closed" for r in rows)
    impossible = sum(r["Time to Resolution"] != "" and r["Time to Resolution"] < r["First Response Time"] for r in rows)
    assert len(rows) == 8469 and impossible > 100
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        "auditrules: mapping/v1\ncolumns:\n  ticket_id: Ticket ID\n"
        "  channel: {column: Ticket Channel, vocabulary: channels}\n  status: Ticket Status\n"
        "  first_response_at: First Response Time\n  resolved_at: Time to Resolution\n"
        "  resolution_time: {from: [resolved_at, first_response_at]}\n",
        encoding="utf-8",
    )
    policy = parse_policy(RULES, "k.rules")
    res = evaluate_tickets([(policy, r) for r in policy.rules], [str(path)], mapping=str(mapping))
    share, resolution = res.findings
    # K-1 reads only the status: every row counts, and the share is the export's own
    assert share.evidence["rows"]["evaluated"] == 8469
    assert share.evidence["groups"][0]["value"] == round(closed / 8469, 10)
    # K-2 reads resolution_time: the impossible ones leave it, and only it
    acc = resolution.evidence["rows"]
    assert acc["excluded"]["negative_duration"] == impossible
    assert acc["read"] == acc["evaluated"] + sum(acc["excluded"].values())


def test_purchase_date_as_creation_time_is_flagged(tmp_path: Path) -> None:
    path = kaggle_export(tmp_path / "customer_support_tickets.csv", n=500)
    policy = parse_policy(RULES, "k.rules")
    res = evaluate_tickets(
        [(policy, r) for r in policy.rules], [str(path)], mapping=str(FIXTURES / "kaggle.mapping.yaml")
    )
    (note,) = [d for d in res.diagnostics if d.code == "AR313"]
    assert "'resolution_time' (from resolved_at - created_at)" in note.message
    assert note.location is not None and note.location.path.endswith("kaggle.mapping.yaml")
