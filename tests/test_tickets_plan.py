"""Ticket plans: every standard-pack rule compiles to one sqlglot tree rendered for DuckDB and Spark."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import sqlglot

from auditrules.lang import ast
from auditrules.lang.parser import parse_policy
from auditrules.tickets import plan as P
from auditrules.tickets.mapping import canonical_mapping, load_mapping

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = {
    "ticket_id": "VARCHAR",
    "created_at": "VARCHAR",
    "channel": "VARCHAR",
    "priority": "VARCHAR",
    "status": "VARCHAR",
    "first_response": "DOUBLE",
    "resolved_at": "VARCHAR",
    "outcome": "VARCHAR",
    "agent_tier": "VARCHAR",
    "influence_score": "DOUBLE",
    "compensation": "DOUBLE",
    "satisfaction": "DOUBLE",
    "reopens": "BIGINT",
}


def pack() -> list[tuple[ast.Policy, ast.Rule]]:
    text = (ROOT / "rules" / "fairness.rules").read_text(encoding="utf-8")
    policy = parse_policy(text)
    return [(policy, r) for r in policy.rules if r.requires]


def requirement_plans() -> list[P.RequirementPlan]:
    view = P.clean_view(canonical_mapping(), SCHEMA)
    edges = {
        P.EdgeKey("FAIR-004", "influence_score", "deciles"): [float(i) for i in range(1, 10)],
        P.EdgeKey("FAIR-007", "influence_score", "quartiles"): [10.0, 20.0, 30.0],
    }
    out = []
    i = 0
    for policy, rule in pack():
        for req in rule.requires:
            out.append(P.plan_requirement(i, policy, rule, req, view, edges))
            i += 1
    return out


@pytest.mark.parametrize("dialect", ["duckdb", "spark"])
def test_every_standard_rule_renders(dialect: str) -> None:
    view = P.clean_view(canonical_mapping(), SCHEMA)
    plans = requirement_plans()
    assert len(plans) == len([req for _, rule in pack() for req in rule.requires])
    for rp in plans:
        sql = P.render(rp.standalone(), dialect)
        assert sqlglot.parse_one(sql, read=dialect) is not None  # round-trips through the parser
        if dialect == "spark":
            assert "QUANTILE_CONT" not in sql and '"' not in sql
        else:
            assert "`" not in sql
    for stage in (view.select, P.profile_query(pack(), view).select):
        sqlglot.parse_one(P.render(stage, dialect), read=dialect)
    quantile = next(rp for rp in plans if rp.require.aggregate.quantile is not None)
    ostat = P.render(P.order_statistic_query(quantile, [(("email",), 3, 9)]), dialect)
    assert ("TRY_ELEMENT_AT" in ostat) == (dialect == "spark")


def test_spark_table_rewrites() -> None:
    rp = requirement_plans()[0]  # p90 by channel
    assert "PERCENTILE(" in P.render(rp.standalone(), "spark")
    assert "QUANTILE_CONT(" in P.render(rp.standalone(), "duckdb")
    view = P.clean_view(canonical_mapping(), {**SCHEMA, "first_response_at": "VARCHAR"})
    spark = P.render(view.select, "spark")
    assert "CAST(`first_response_at` AS DOUBLE)" in spark or "AS DOUBLE)" in spark


def test_values_from_rules_are_literals_not_sql() -> None:
    text = (
        'policy "p" version "1"\nrule X-1 "x" { severity low\n'
        '  tickets where status != "x\'); DROP TABLE tickets; --"\n'
        "  require each channel: count >= 1 }"
    )
    policy = parse_policy(text)
    rule = policy.rules[0]
    view = P.clean_view(canonical_mapping(), SCHEMA)
    rp = P.plan_requirement(0, policy, rule, rule.requires[0], view, {})
    sql = P.render(rp.standalone())
    tree = sqlglot.parse_one(sql, read="duckdb")
    assert isinstance(tree, sqlglot.exp.Select)
    assert "'x''); drop table tickets; --'" in sql  # categorical literals are lower-cased


def test_identifiers_are_quoted_even_with_odd_names() -> None:
    m = load_mapping(str(ROOT / "tests" / "fixtures" / "tickets" / "ticket_channel_mapping.yaml"))
    schema = {
        "Ticket ID": "VARCHAR",
        "Created": "VARCHAR",
        "Ticket Channel": "VARCHAR",
        "Ticket Priority": "VARCHAR",
        "Status": "VARCHAR",
        "First Response Time": "VARCHAR",
        "Outcome": "VARCHAR",
        "Agent Tier": "VARCHAR",
        "Influence Score": "VARCHAR",
        "Compensation": "VARCHAR",
    }
    view = P.clean_view(m, schema)
    sql = P.render(view.select)
    assert '"Ticket Channel"' in sql and '"First Response Time"' in sql


def test_hms_durations_and_channel_values() -> None:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("""CREATE TABLE ar_raw AS SELECT * FROM (VALUES
        ('1', '02-01-2024 10:00', 'Social media', '1:30:00'),
        ('2', '02-01-2024 10:00', 'Fax', '26:00'),
        ('3', '31-02-2024 10:00', 'E-mail', '-0:30:15'),
        ('4', '03-01-2024 09:15', ' e-mail ', 'soon')) t("Ticket ID", "Created", "Ticket Channel",
        "First Response Time")""")
    m = load_mapping(str(ROOT / "tests" / "fixtures" / "tickets" / "ticket_channel_mapping.yaml"))
    schema = {
        "Ticket ID": "VARCHAR",
        "Created": "VARCHAR",
        "Ticket Channel": "VARCHAR",
        "First Response Time": "VARCHAR",
        "Ticket Priority": "VARCHAR",
        "Status": "VARCHAR",
        "Outcome": "VARCHAR",
        "Agent Tier": "VARCHAR",
        "Influence Score": "VARCHAR",
        "Compensation": "VARCHAR",
    }
    view = P.clean_view(m, schema)
    for c in ("Ticket Priority", "Status", "Outcome", "Agent Tier", "Influence Score", "Compensation"):
        con.execute(f'ALTER TABLE ar_raw ADD COLUMN "{c}" VARCHAR')
    rows = con.execute(
        "SELECT ticket_id, channel, first_response, _unmapped, _bad_created_at, _bad_first_response "
        f"FROM ({P.render(view.select)}) ORDER BY ticket_id"
    ).fetchall()
    assert rows == [
        ("1", "twitter", 5400.0, False, False, False),
        ("2", None, 93600.0, True, False, False),
        ("3", "email", -1815.0, False, True, False),
        ("4", "email", None, False, False, True),
    ]
    # each requirement's exclusion reasons concern only the columns it reads
    assert [r for r, _ in view.problems("first_response")] == ["unparseable_timestamp", "negative_duration"]
    assert [r for r, _ in view.problems("channel")] == ["unmapped_channel"]
    assert view.problems("ticket_id") == []


def test_glob_to_like() -> None:
    assert P.glob_to_like("*vip_?%") == "%vip\\__\\%"


def test_spark_skewness_is_adjusted_to_duckdbs_g1() -> None:
    """Spark's SKEWNESS is the population g1; the dialect table scales it to G1 = g1·√(n(n−1))/(n−2)."""
    import numpy as np
    from scipy import stats as sps
    from sqlglot import exp

    from auditrules.tickets.plan import render

    node = exp.Filter(this=exp.Skewness(this=exp.column("x")), expression=exp.Where(this=exp.column("ok")))
    spark = render(node, "spark")
    assert "SQRT(" in spark and "SKEWNESS(x) FILTER(WHERE ok)" in spark
    values = np.random.default_rng(2).lognormal(0.0, 1.0, 80)
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT UNNEST(?::DOUBLE[]) AS x, TRUE AS ok", [values.tolist()])
    # evaluate Spark's formula in DuckDB with Spark's population skewness substituted for SKEWNESS
    g1 = float(sps.skew(values, bias=True))
    (adjusted,) = con.execute(f"SELECT {spark.replace('SKEWNESS(x) FILTER(WHERE ok)', repr(g1))} FROM t").fetchone()  # type: ignore[misc]
    (duck,) = con.execute(f"SELECT {render(node, 'duckdb')} FROM t").fetchone()  # type: ignore[misc]
    assert adjusted == pytest.approx(duck, rel=1e-9)
    assert duck == pytest.approx(float(sps.skew(values, bias=False)), rel=1e-9)
