"""The clean view's cheap first parse of plain-shaped text timestamps changes nothing.

A text timestamp of the shape ``YYYY-MM-DD HH:MM:SS`` is parsed by one cast of the untrimmed
text; every other value goes through the trim, the zone test and the casts as before. These
tests run awkward values and awkward ticket files with the cheap parse and without it (the
first branch never taken) and require the same instants, the same parse flags and
byte-identical findings with the same row accounting, in UTC and in zones with daylight saving.
"""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import duckdb
import pytest
from sqlglot import exp

from auditrules.lang.parser import parse_policy
from auditrules.tickets import evaluate_tickets
from auditrules.tickets import plan as P
from auditrules.tickets.mapping import load_mapping
from auditrules.tickets.plan import clean

ROOT = Path(__file__).resolve().parents[1]

#: Timestamps as exports write them, and as they go wrong.
AWKWARD = [
    "2024-01-01 10:00:00",
    "2024-01-01T10:00:00Z",
    "2024-01-01T10:00:00",
    "2024-01-01 10:00:00+08:00",
    "2024-01-01 10:00:00+0800",
    "2024-01-01 10:00:00 +0800",
    "2024-01-01 10:00:00-05",
    "2024-01-01 10:00:00Z",
    "2024-01-01 10:00:00 Z",
    "2024-01-01 10:00:00 z",
    "2024-01-01 10:00:00 UTC",
    "2024-01-01 10:00:00 GMT",
    "2024-01-01 10:00:00 EST",
    "2024-01-01 10:00:00 Europe/Berlin",
    "2024-06-01 12:00:00 America/New_York",
    "2024-01-01 10:00:00.123",
    "2024-01-01 10:00:00.5+01",
    "2024-01-01 10:00",
    "2024-01-01",
    "",
    "   ",
    "garbage",
    "31/02/2024 25:61",
    "2024-02-30 10:00:00",
    "2024-13-01 10:00:00",
    "2024-01-01 24:00:00",
    "2024-01-01 10:00:60",
    "2024-1-1 1:2:3",
    "2024-1-01 10:00:00",
    "24-01-01 10:00:00",
    "0000-01-01 00:00:00",
    "9999-12-31 23:59:59",
    "2024-03-31 02:30:00",  # Berlin: a wall-clock time that does not exist (spring forward)
    "2024-10-27 02:30:00",  # Berlin: one that happens twice (fall back)
    "2024-03-10 02:30:00",  # New York: spring forward
    "2024-11-03 01:30:00",  # New York: fall back
    " 2024-01-01 10:00:00",
    "2024-01-01 10:00:00 ",
    "2024-01-01 10:00:0 ",
    "\t2024-01-01 10:00:00",
    "2024-01-01 10:00:00\t",
    "2024-01-01 10:00:00\n",
    "2024-01-01 10:00:00\r",
    "2024-01-01 10:00:0\x0b",
    "\u00a02024-01-01 10:00:00",
    "2024-01-01 10:00:00\u00a0",
    "2024-01-01 10:00:0\u3000",
    "2024-01-01 ９:00:00",
    "２０２４-01-01 10:00:00",
]
#: Characters substituted into plain-shaped values: digits, separators, blanks of every kind, signs, letters.
NOISE = (
    list("0123456789") * 4 + list("-: T+Z.,\t\n\r\x0b\x0czU/aE") + ["\u00a0", "\u2003", "\u3000", "\u0660", "\uff11"]
)


def _noisy(n: int, seed: int) -> list[str]:
    """Plain-shaped values (some out of range) with up to three positions replaced by noise."""
    rng = random.Random(seed)
    slots = [i for i, ch in enumerate(clean.PLAIN_SHAPE) if ch == "_"]
    out = []
    for _ in range(n):
        value = list(
            f"{rng.randint(0, 9999):04d}-{rng.randint(0, 13):02d}-{rng.randint(0, 32):02d} "
            f"{rng.randint(0, 25):02d}:{rng.randint(0, 61):02d}:{rng.randint(0, 61):02d}"
        )
        for _ in range(rng.choice([0, 1, 1, 2, 3])):
            value[rng.choice(slots)] = rng.choice(NOISE)
        out.append("".join(value))
    return out


def _slow_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Take the cheap parse away: its column is NULL, so every value takes the full path."""
    never = exp.Cast(this=exp.null(), to=exp.DataType.build("timestamp"))
    monkeypatch.setattr(clean, "_plain", lambda _written: never.copy())


def _parsed(values: list[str], zone: str, tmp: Path) -> list[tuple[object, ...]]:
    """(row number, instant, value given, value did not parse) per value, in a column of ``zone``."""
    path = tmp / "zone.mapping.yaml"
    path.write_text(f"auditrules: mapping/v1\ntimezone: {zone}\ncolumns:\n  created_at: created_at\n", encoding="utf-8")
    view = P.clean_view(load_mapping(str(path)), {"i": "BIGINT", "created_at": "VARCHAR"}, {"created_at", "i"})
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("CREATE TABLE ar_raw (i BIGINT, created_at VARCHAR)")
    con.executemany("INSERT INTO ar_raw VALUES (?, ?)", list(enumerate(values)))
    flags = view.flags[0]
    rows: list[tuple[object, ...]] = con.execute(
        f'SELECT i, created_at, "{flags.has}", "{flags.bad}" FROM ({P.render(view.select)}) ORDER BY i'
    ).fetchall()
    return rows


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "America/New_York"])
def test_awkward_timestamps_parse_alike_with_and_without_the_cheap_parse(
    zone: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    values = AWKWARD + _noisy(4000, seed=len(zone))
    fast = _parsed(values, zone, tmp_path)
    _slow_only(monkeypatch)
    slow = _parsed(values, zone, tmp_path)
    assert len(fast) == len(values)
    assert fast == slow
    parsed = sum(1 for r in fast if r[1] is not None)
    print(f"{zone}: {len(values)} awkward values, {parsed} parse, {sum(1 for r in fast if r[3])} do not, identical")
    assert parsed > 1000 and sum(1 for r in fast if r[3]) > 1000  # both branches are exercised


COLUMNS = ["ticket_id", "created_at", "channel", "priority", "status", "first_response_at", "resolved_at"]
COLUMNS += ["outcome", "agent_tier", "influence_score", "compensation"]


def _awkward_tickets(path: Path, rows: int, seed: int) -> None:
    rng = random.Random(seed)

    def stamp(month: int) -> str:
        if rng.random() < 0.3:
            return rng.choice(AWKWARD)
        return f"2024-{month:02d}-{rng.randint(1, 28):02d} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00"

    numbers = ["120", " 3600 ", "inf", "-inf", "nan", "", "n/a", "1e3", "-5", "\t42", "7\u00a0", "+15"]
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        for i in range(rows):
            w.writerow(
                [
                    f"T{i}",
                    stamp(rng.randint(1, 6)),
                    rng.choice(["phone", "Voice", "web form", "45", "twitter", " Email ", "", "pigeon"]),
                    rng.choice(["low", "normal", "high", "", "HIGH "]),
                    rng.choice(["solved", "open", "spam"]),
                    stamp(rng.randint(6, 7)) if rng.random() < 0.8 else "",
                    stamp(rng.randint(7, 12)),
                    rng.choice(["resolved", "deflected", "unresolved"]),
                    rng.choice(["senior", "junior"]),
                    rng.choice(numbers) if rng.random() < 0.2 else f"{rng.uniform(0, 100):.1f}",
                    rng.choice(numbers) if rng.random() < 0.2 else f"{rng.choice([0, rng.uniform(1, 90)]):.2f}",
                ]
            )


def _report(csv_path: Path, mapping: str | None) -> str:
    pack = ROOT / "rules" / "fairness.rules"
    policy = parse_policy(pack.read_text(encoding="utf-8"), str(pack))
    rules = [(policy, r) for r in policy.rules if r.requires]
    result = evaluate_tickets(rules, [str(csv_path)], mapping, as_of="2025-01-01T00:00:00Z")
    return json.dumps([f.to_json() for f in result.findings], sort_keys=True)


@pytest.mark.parametrize("zone", [None, "Europe/Berlin"])
def test_awkward_tickets_give_byte_identical_findings(
    zone: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tickets = tmp_path / "awkward.csv"
    _awkward_tickets(tickets, 1500, seed=5)
    mapping = None
    if zone is not None:
        m = tmp_path / "awkward.mapping.yaml"
        m.write_text(
            f"auditrules: mapping/v1\ntimezone: {zone}\ncolumns:\n" + "".join(f"  {n}: {n}\n" for n in COLUMNS),
            encoding="utf-8",
        )
        mapping = str(m)
    fast = _report(tickets, mapping)
    _slow_only(monkeypatch)
    slow = _report(tickets, mapping)
    assert fast == slow
    rows = [
        f["evidence"]["rows"] for f in json.loads(fast) if isinstance(f["evidence"], dict) and "rows" in f["evidence"]
    ]
    assert rows and all(r["read"] == 1500 for r in rows)
    assert any(r["excluded"]["unparseable_timestamp"] > 0 for r in rows)
    assert any(r["excluded"]["unparseable_number"] > 0 for r in rows)
