"""Ticket exports shaped like the real ones, written by the tests (no third-party files).

* :func:`kaggle_export` — the public "customer support ticket" CSV (8,469 rows): title-case
  headers with spaces, ``Ticket Channel`` spelt ``Email``/``Phone``/``Chat``/``Social media``,
  ``Ticket Status`` ``Open``/``Closed``/``Pending Customer Response``, ``First Response Time``
  and ``Time to Resolution`` as timestamps, many of them impossible (resolution before the first
  response), empty for open tickets; ``Date of Purchase`` a date months or years earlier.
* :func:`zendesk_tickets` / :func:`zendesk_metrics` — API envelopes ``{"tickets": [...]}`` and
  ``{"ticket_metrics": [...]}`` with nested ``via``, null priorities and calendar/business minutes.
* :func:`tweets` — the "Customer Support on Twitter" corpus: one row per tweet, ids as floats,
  ``created_at`` as ``Tue Oct 31 22:10:47 +0000 2017``, company replies pointing at their parent,
  mid-thread customer replies whose parent is not in the file.
"""

from __future__ import annotations

import csv
import json
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

KAGGLE_COLUMNS = (
    "Ticket ID",
    "Customer Name",
    "Customer Email",
    "Customer Age",
    "Customer Gender",
    "Product Purchased",
    "Date of Purchase",
    "Ticket Type",
    "Ticket Subject",
    "Ticket Description",
    "Ticket Status",
    "Resolution",
    "Ticket Priority",
    "Ticket Channel",
    "First Response Time",
    "Time to Resolution",
    "Customer Satisfaction Rating",
)


def kaggle_rows(n: int = 8469, seed: int = 1) -> list[dict[str, Any]]:
    """Rows of the Kaggle-style export; about a third closed, a third of those 'impossible'."""
    rng = random.Random(seed)
    channels = ("Email", "Phone", "Chat", "Social media")
    priorities = ("Low", "Medium", "High", "Critical")
    base = datetime(2023, 6, 1, 9, 0, 0)
    rows = []
    for i in range(1, n + 1):
        status = rng.choice(("Open", "Closed", "Pending Customer Response"))
        created = base + timedelta(minutes=rng.randrange(0, 60 * 24 * 2))
        first = created + timedelta(minutes=rng.randrange(5, 60 * 20)) if status != "Open" else None
        resolved = None
        if status == "Closed":
            # the export's well-known defect: resolution often earlier than the first response
            resolved = created + timedelta(minutes=rng.randrange(-600, 60 * 30))
        rows.append(
            {
                "Ticket ID": i,
                "Customer Name": f"Customer {i}",
                "Customer Email": f"c{i}@example.org",
                "Customer Age": rng.randrange(18, 70),
                "Customer Gender": rng.choice(("Male", "Female", "Other")),
                "Product Purchased": rng.choice(("GoPro Hero", "LG Smart TV", "Dell XPS", "Fitbit Versa")),
                "Date of Purchase": (created - timedelta(days=rng.randrange(300, 1200))).strftime("%Y-%m-%d"),
                "Ticket Type": rng.choice(("Technical issue", "Billing inquiry", "Refund request")),
                "Ticket Subject": "Product setup",
                "Ticket Description": "I'm having an issue with the {product_purchased}, please assist.",
                "Ticket Status": status,
                "Resolution": "Case maybe show recently my computer follow." if status == "Closed" else "",
                "Ticket Priority": rng.choice(priorities),
                "Ticket Channel": rng.choice(channels),
                "First Response Time": first.strftime("%Y-%m-%d %H:%M:%S") if first else "",
                "Time to Resolution": resolved.strftime("%Y-%m-%d %H:%M:%S") if resolved else "",
                "Customer Satisfaction Rating": rng.randrange(1, 6) if status == "Closed" else "",
            }
        )
    return rows


def write_csv(rows: list[dict[str, Any]], path: Path, columns: tuple[str, ...] | None = None) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(columns or rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def kaggle_export(path: Path, n: int = 8469, seed: int = 1) -> Path:
    return write_csv(kaggle_rows(n, seed), path, KAGGLE_COLUMNS)


def _iso(t: datetime) -> str:
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def zendesk_records(n: int = 240, seed: int = 2) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(tickets, ticket_metrics) as the Zendesk API returns them."""
    rng = random.Random(seed)
    vias = ("email", "voice", "web", "chat")
    start = datetime(2024, 3, 1, 8, 0, tzinfo=timezone.utc)
    tickets, metrics = [], []
    for i in range(1, n + 1):
        channel = vias[i % len(vias)]
        created = start + timedelta(minutes=37 * i)
        status = rng.choice(("new", "open", "pending", "hold", "solved", "closed"))
        solved = status in ("solved", "closed")
        reply = None if status == "new" else rng.randrange(3, 600)
        tickets.append(
            {
                "url": f"https://example.zendesk.com/api/v2/tickets/{i}.json",
                "id": i,
                "external_id": None,
                "via": {"channel": channel, "source": {"from": {}, "to": {}, "rel": None}},
                "created_at": _iso(created),
                "updated_at": _iso(created + timedelta(hours=5)),
                "type": rng.choice(("question", "incident", "problem", None)),
                "subject": f"Ticket {i}",
                "raw_subject": f"Ticket {i}",
                "priority": rng.choice(("low", "normal", "high", "urgent", None)),
                "status": status,
                "requester_id": 1000 + i,
                "assignee_id": None if status == "new" else 77,
                "group_id": 360000001,
                "tags": ["vip"] if i % 17 == 0 else [],
                "custom_fields": [{"id": 360001, "value": None}],
                "satisfaction_rating": {"score": "unoffered"},
                "generated_timestamp": 1709280000 + i,
            }
        )
        full = rng.randrange(30, 5000) if solved else None
        metrics.append(
            {
                "url": f"https://example.zendesk.com/api/v2/ticket_metrics/{50000 + i}.json",
                "id": 50000 + i,
                "ticket_id": i,
                "created_at": _iso(created),
                "updated_at": _iso(created + timedelta(hours=5)),
                "group_stations": 1,
                "assignee_stations": 1,
                "reopens": (1 if rng.random() < (0.35 if channel == "voice" else 0.05) else 0) if solved else 0,
                "replies": rng.randrange(0, 6),
                "solved_at": _iso(created + timedelta(minutes=full)) if full else None,
                "reply_time_in_minutes": {"calendar": reply, "business": reply},
                "first_resolution_time_in_minutes": {"calendar": full, "business": full},
                "full_resolution_time_in_minutes": {"calendar": full, "business": full},
                "agent_wait_time_in_minutes": {"calendar": None, "business": None},
                "requester_wait_time_in_minutes": {"calendar": None, "business": None},
                "on_hold_time_in_minutes": {"calendar": 0, "business": 0},
            }
        )
    return tickets, metrics


def zendesk_export(directory: Path, n: int = 240, seed: int = 2) -> tuple[Path, Path]:
    """``tickets.json`` and ``ticket_metrics.json`` envelopes in ``directory``."""
    tickets, metrics = zendesk_records(n, seed)
    t = directory / "tickets.json"
    t.write_text(json.dumps({"tickets": tickets, "next_page": None, "previous_page": None, "count": n}), "utf-8")
    m = directory / "ticket_metrics.json"
    m.write_text(json.dumps({"ticket_metrics": metrics, "next_page": None, "previous_page": None, "count": n}), "utf-8")
    return t, m


TWEET_COLUMNS = (
    "tweet_id",
    "author_id",
    "inbound",
    "created_at",
    "text",
    "response_tweet_id",
    "in_response_to_tweet_id",
)


def _tweet_time(t: datetime) -> str:
    return t.strftime("%a %b %d %H:%M:%S +0000 %Y")


def tweets(path: Path, conversations: int = 120, unanswered_share: float = 0.25, seed: int = 3) -> Path:
    """A tweet-pairs file: openers, company replies, customer follow-ups, orphan mid-thread replies.

    ``unanswered_share`` of the openers get no reply at all; the rest are answered by ``AcmeHelp``
    within minutes to hours; every fifth answered conversation has a customer follow-up and a
    second company reply; a few customer tweets answer a company tweet not in the file (orphans).
    """
    rng = random.Random(seed)
    start = datetime(2017, 10, 31, 8, 0, tzinfo=timezone.utc)
    rows: list[dict[str, Any]] = []
    next_id = 1000

    def add(author: str, inbound: bool, when: datetime, parent: int | None, text: str) -> int:
        nonlocal next_id
        next_id += 1
        rows.append(
            {
                "tweet_id": float(next_id),
                "author_id": author,
                "inbound": "True" if inbound else "False",
                "created_at": _tweet_time(when),
                "text": text,
                "response_tweet_id": "",
                "in_response_to_tweet_id": float(parent) if parent is not None else "",
            }
        )
        return next_id

    for c in range(conversations):
        opened = start + timedelta(minutes=13 * c)
        customer = f"{115712 + c}"
        opener = add(customer, True, opened, None, "@AcmeHelp my order never arrived")
        if rng.random() < unanswered_share:
            continue
        reply_at = opened + timedelta(minutes=rng.randrange(2, 300))
        reply = add("AcmeHelp", False, reply_at, opener, "@customer sorry to hear that, please DM us")
        if c % 5 == 0:
            follow = add(customer, True, reply_at + timedelta(minutes=5), reply, "@AcmeHelp done")
            add("AcmeHelp", False, reply_at + timedelta(minutes=30), follow, "@customer thanks, sorted")
    for k in range(6):  # a customer answering a company tweet that is not in the file
        add(f"{990000 + k}", True, start + timedelta(minutes=7 * k), 1, "@AcmeHelp still waiting")
    write_csv(rows, path, TWEET_COLUMNS)
    return path
