"""The ticket benchmark's expert baseline: every variant, and auditrules, compute the same figures.

The benchmark compares auditrules with the fastest of three expert variants (straight from the
Parquet file; parsed once into an in-memory table; parsed once into a scratch database file, the
last two from Parquet and from CSV). Its timings mean something only if they compute the same
340 figures, which this checks on small seeded files (the timings themselves are benchmarks):
the variants against each other, and auditrules against the expert where groups of the censored
requirements have no censored ticket (they then keep the usual figures, not product-limit ones).
"""

from __future__ import annotations

import importlib.util
import re
from datetime import datetime, timedelta
from pathlib import Path
from types import ModuleType

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from scipy.stats import binom
from statsmodels.stats.proportion import proportion_confint

from auditrules.tickets.stats import quantile_ranks

ROOT = Path(__file__).resolve().parents[1]


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


bench = _load("tickets")
demo = _load("make_demo_tickets")


def test_expert_variants_give_the_same_figures(tmp_path: Path) -> None:
    table = demo.to_arrow(demo.generate(30_000, seed=7, fair=False))
    parquet, csv = tmp_path / "t.parquet", tmp_path / "t.csv"
    pq.write_table(table, parquet)
    pacsv.write_csv(table, csv)
    reference = bench.run_expert_direct(str(parquet))["figures"]
    assert len(reference) > 100
    for run in (bench.run_expert_memory, bench.run_expert_file):
        for path in (parquet, csv):
            got = run(str(path))["figures"]
            assert set(got) == set(reference), (run.__name__, path.suffix)
            for key, value in reference.items():
                if value is None:
                    assert got[key] is None, key
                else:
                    assert abs(got[key] - value) <= 1e-9 * max(1.0, abs(value)), (run.__name__, path.suffix, key)


def _tickets(tmp_path: Path, rows: int, seed: int, open_share: int = 0) -> str:
    """A seeded demo file; with ``open_share`` k, every k-th web and chat ticket is still open
    (no reply, no resolution): web's then wait months, chat's just past chat's slowest reply."""
    table = demo.to_arrow(demo.generate(rows, seed=seed, fair=False))
    if open_share:
        tickets = table.to_pylist()
        stamps = [t[c] for t in tickets for c in ("created_at", "resolved_at")]
        as_of = datetime.fromisoformat(max(s for s in stamps if s and TIMESTAMP.fullmatch(s)))
        slowest = max(t["first_response"] or 0.0 for t in tickets if t["channel"] == "chat")
        seen = 0
        for t in tickets:
            if t["channel"] in ("web", "chat"):
                seen += 1
                if seen % open_share == 0:
                    t.update(first_response=None, resolved_at=None, status="open")
                    if t["channel"] == "chat":
                        t["created_at"] = f"{as_of - timedelta(seconds=slowest + 60 + seen % 7):%Y-%m-%d %H:%M:%S}"
        table = pa.Table.from_pylist(tickets, schema=table.schema)
    path = tmp_path / f"t{rows}_{seed}.parquet"
    pq.write_table(table, path)
    return str(path)


TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")


@pytest.mark.parametrize(
    ("rows", "seed", "open_share"),
    [
        (20_000, 1000, 0),  # before: 110 of 155 keys differed, by up to 6.3e-2
        (1_000, 1, 0),  # small deciles: intervals withheld, Bonferroni families shrink
        (20_000, 5, 5),  # p90 not reached: web fails on its bound, chat's bound has no interval
    ],
)
def test_auditrules_figures_equal_the_experts(tmp_path: Path, rows: int, seed: int, open_share: int) -> None:
    """What ``python benchmarks/tickets.py`` checks, at sizes where groups of FAIR-003 and FAIR-004
    have no censored ticket (auditrules then gives the usual quantile or share and its interval,
    not the product-limit one): every figure, interval and censored count equal to 1e-9."""
    path = _tickets(tmp_path, rows, seed, open_share)
    expert = bench.run_expert_direct(path)["figures"]
    ours = bench.run_auditrules(path)["figures"]
    counts = [v for k, v in expert.items() if k.endswith("/censored")]
    assert 0 in counts and any(counts), "the file must hold groups with and without censored tickets"
    print(bench.censoring_note(expert))
    differing, worst, where = bench.differences(ours, expert)
    assert not differing, differing[:10]
    assert worst <= 1e-9, (worst, where, ours[where], expert[where])


def test_auditrules_figures_equal_the_experts_when_a_quantile_is_not_reached(tmp_path: Path) -> None:
    """The crafted file of the case above does reach both unreached branches."""
    path = _tickets(tmp_path, 20_000, 5, 5)
    ours = bench.run_auditrules(path)["figures"]
    assert ours["FAIR-003/0/web//lo"] == ours["FAIR-003/0/web/"] > bench.P90_LIMIT
    assert ours["FAIR-003/0/web//hi"] is None
    assert ours["FAIR-003/0/chat/"] < bench.P90_LIMIT and ours["FAIR-003/0/chat//lo"] is None


@pytest.mark.parametrize(("q", "comparisons"), [(0.5, 4 * 45), (0.5, 3 * 36), (0.9, 7), (0.9, 6)])
def test_expert_order_statistic_ranks(q: float, comparisons: int) -> None:
    """The expert's ranks are auditrules' (ties of mirrored pairs at the median go to the lower
    ranks, as in exact arithmetic), and cover the quantile per scipy's binomial."""
    confidence = 1 - 0.05 / comparisons
    for n in range(2, 400):
        ranks = bench._order_ranks(n, q, confidence)
        assert ranks == quantile_ranks(n, q, confidence), n
        if ranks is not None:
            low, high = ranks
            assert binom.cdf(high - 1, n, q) - binom.cdf(low - 1, n, q) >= confidence - 1e-12, n


def test_expert_wilson_interval() -> None:
    for x, n in [(0, 30), (1, 30), (17, 40), (40, 40), (1200, 1210)]:
        low, high = bench._wilson(x, n, bench._z(0.9875))
        ref = proportion_confint(x, n, alpha=0.0125, method="wilson")
        assert low == pytest.approx(ref[0], abs=1e-12) and high == pytest.approx(ref[1], abs=1e-12)
    # a censored share at S(t) = 0 or 1: Wilson's over the tickets observed through t
    for s, observed, x in [(0.0, 40, 40), (1.0, 38, 0), (0.0, 1210, 1210)]:
        low, high = bench._loglog(s, 0.0, bench._z(0.9875), observed)
        ref = proportion_confint(x, observed, alpha=0.0125, method="wilson")
        assert low == pytest.approx(ref[0], abs=1e-12) and high == pytest.approx(ref[1], abs=1e-12)


def test_one_open_ticket_keeps_a_full_groups_share_interval(tmp_path: Path) -> None:
    """At 20k rows (seed 1000) every chat/urgent ticket is answered within 4h. One more chat/urgent
    ticket, still open 10 s after it was created, is censored before 4h: the product-limit share
    is still 100% and its interval stays the Wilson interval of the answered tickets (before the
    fix: [1, 1], a certainty), in auditrules and in the expert alike."""
    path = _tickets(tmp_path, 20_000, 1000)
    table = pq.read_table(path)
    tickets = table.to_pylist()
    stamps = [t[c] for t in tickets for c in ("created_at", "resolved_at")]
    as_of = datetime.fromisoformat(max(s for s in stamps if s and TIMESTAMP.fullmatch(s)))
    like = next(t for t in tickets if t["channel"] == "chat" and t["priority"] == "urgent")
    opened = dict(like, first_response=None, resolved_at=None, status="open")
    opened["created_at"] = f"{as_of - timedelta(seconds=10):%Y-%m-%d %H:%M:%S}"
    with_open = tmp_path / "one_open.parquet"
    pq.write_table(pa.Table.from_pylist([*tickets, opened], schema=table.schema), with_open)
    key = "FAIR-003/1/chat/urgent"
    before = bench.run_auditrules(path)["figures"]
    after = bench.run_auditrules(str(with_open))["figures"]
    expert = bench.run_expert_direct(str(with_open))["figures"]
    assert before[key] == after[key] == 1.0
    assert (before[f"{key}/censored"], after[f"{key}/censored"]) == (0, 1)
    assert after[f"{key}/lo"] == before[f"{key}/lo"] < 1.0 and after[f"{key}/hi"] == 1.0
    differing, worst, where = bench.differences(after, expert)
    assert not differing, differing[:10]
    assert worst <= 1e-9, (worst, where, after[where], expert[where])
