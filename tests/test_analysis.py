"""Static routing analysis on hand-built models: taint chains, cycles, allow-lists, SLA checks."""

from __future__ import annotations

from auditrules.findings import Location, Status
from auditrules.lang.parser import parse_policy
from auditrules.routing.analysis import evaluate_routing, matches_set
from auditrules.routing.model import Effect, Read, RoutingModel, RoutingRule, SlaPolicy, SlaTarget, Write

POLICY = parse_policy(
    """
define inf = fields matching "*klout*", "*follower*", "requester_twitter_*"
define allowed = fields matching "channel", "priority", "product"
define social = channels "twitter", "facebook"
rule A-1 "no influence" { severity high  routing must not read inf }
rule A-2 "allow-list" { severity medium  routing may read only allowed }
rule A-3 "coverage" { severity high  sla must cover every channel }
rule A-4 "equal" { severity high  sla targets must be equal across channel per priority }
rule A-5 "equal social" { severity high  sla targets must be equal across social per priority for first_response }
""",
    "p.rules",
)


def loc(line: int) -> Location:
    return Location("x.json", line, None, f"/r/{line}")


def rule(
    rid: str,
    order: int,
    reads: tuple[str, ...] = (),
    writes: tuple[str, ...] = (),
    effects: bool = False,
    active: bool = True,
) -> RoutingRule:
    return RoutingRule(
        rid,
        rid.upper(),
        "trigger",
        order,
        loc(order * 10),
        tuple(Read(r, loc(order * 10 + 1), f"{r} is set") for r in reads),
        tuple(Write(w, loc(order * 10 + 2), f"writes {w}") for w in writes),
        (Effect("group", "elite", loc(order * 10 + 3)),) if effects else (),
        active,
    )


def model(
    *rules: RoutingRule,
    sla: tuple[SlaPolicy, ...] = (),
    channels: tuple[str, ...] = ("email", "twitter"),
    sla_known: bool | None = None,
) -> RoutingModel:
    return RoutingModel("test", "m", channels, rules, sla, sla_known=sla_known)


def run(rule_id: str, m: RoutingModel) -> list:  # type: ignore[type-arg]
    r = next(r for r in POLICY.rules if r.id == rule_id)
    return evaluate_routing(POLICY, r, m)


def test_glob_matches_with_and_without_prefix() -> None:
    patterns = ("*klout*", "requester_twitter_*")
    assert matches_set("customer.klout_score", patterns) == "*klout*"
    assert matches_set("requester.requester_twitter_verified", patterns) == "requester_twitter_*"
    assert matches_set("KLOUT", patterns) == "*klout*"
    assert matches_set("tag:klout_vip", patterns) == "*klout*"
    assert matches_set("customer.plan", patterns) is None


def test_direct_read_fails() -> None:
    fs = run("A-1", model(rule("b", 1, reads=["requester_twitter_followers_count"], effects=True)))
    assert [f.status for f in fs] == [Status.FAIL]
    assert fs[0].evidence["chain"][0]["matched_pattern"] == "*follower*"


def test_chain_through_tag_names_both_rules() -> None:
    a = rule("a", 1, reads=["requester_twitter_followers_count"], writes=["tag:vip"])
    b = rule("b", 2, reads=["tag:vip"], effects=True)
    fs = run("A-1", model(a, b))
    assert [f.status for f in fs] == [Status.FAIL]
    chain = fs[0].evidence["chain"]
    assert [s["rule"] for s in chain] == ["a", "b"]
    assert chain[0]["writes"] == "tag:vip"
    assert {loc.line for loc in fs[0].locations} == {11, 12, 21}
    assert "derived from requester_twitter_followers_count through tag:vip" in fs[0].message


def test_transitive_chain_and_order_independence() -> None:
    # c routes on f2, f2 derives from tag:t (written by b, which runs later), which derives from klout
    c = rule("c", 1, reads=["f2"], effects=True)
    d = rule("d", 2, reads=["tag:t"], writes=["f2"])
    b = rule("b", 3, reads=["customer.klout_score"], writes=["tag:t"])
    fs = run("A-1", model(c, d, b))
    fails = [f for f in fs if f.status is Status.FAIL]
    assert len(fails) == 1
    assert [s["rule"] for s in fails[0].evidence["chain"]] == ["b", "d", "c"]


def test_cycles_terminate() -> None:
    a = rule("a", 1, reads=["tag:y", "klout"], writes=["tag:x"])
    b = rule("b", 2, reads=["tag:x"], writes=["tag:y"])
    c = rule("c", 3, reads=["tag:y"], effects=True)
    fs = run("A-1", model(a, b, c))
    assert any(f.status is Status.FAIL for f in fs)


def test_unread_derivation_warns_and_inactive_rules_are_skipped() -> None:
    a = rule("a", 1, reads=["klout"], writes=["tag:vip"])
    inactive = rule("z", 2, reads=["tag:vip"], effects=True, active=False)
    fs = run("A-1", model(a, inactive))
    assert [f.status for f in fs] == [Status.NOT_EVALUATED, Status.WARN]
    assert "no active routing rule" in fs[0].message and "1 inactive" in fs[0].message
    assert "no rule reads it yet" in fs[1].message


def test_clean_model_passes() -> None:
    fs = run("A-1", model(rule("a", 1, reads=["channel"], effects=True)))
    assert [f.status for f in fs] == [Status.PASS]


def test_allow_list() -> None:
    ok = rule("a", 1, reads=["channel", "tag:p"], effects=True)
    deriv = rule("d", 0, reads=["product"], writes=["tag:p"])
    bad = rule("b", 2, reads=["language"], effects=True)
    fs = run("A-2", model(deriv, ok, bad))
    assert [f.status for f in fs] == [Status.FAIL]
    assert fs[0].evidence["not_allowed"] == ["language"]


def sla(
    name: str,
    channels: tuple[str, ...] | None,
    first: float,
    prio: str = "normal",
    conditions: tuple[str, ...] = (),
    order: int = 0,
) -> SlaPolicy:
    return SlaPolicy(
        name,
        channels,
        (SlaTarget("first_response", prio, first, False, loc(90 + order)),),
        loc(80 + order),
        conditions,
        order,
    )


def test_sla_coverage_and_partial_filters() -> None:
    m = model(
        sla=(
            sla("Incidents", ("email",), 3600, conditions=("ticket_type is incident",)),
            sla("Social", ("twitter",), 3600, order=1),
        )
    )
    fs = run("A-3", m)
    assert [f.status for f in fs] == [Status.FAIL]
    assert "covered only in part" in fs[0].message and "ticket_type is incident" in fs[0].message


def test_sla_equal_names_policies_and_targets() -> None:
    m = model(sla=(sla("Social VIP", ("twitter",), 3600), sla("Standard", None, 86400, order=1)))
    fs = run("A-4", m)
    assert [f.status for f in fs] == [Status.FAIL]
    assert "email: 24h by 'Standard'" in fs[0].message and "twitter: 1h by 'Social VIP'" in fs[0].message
    by_channel = {t["channel"]: t["seconds"] for t in fs[0].evidence["targets"]}
    assert by_channel == {"email": 86400, "twitter": 3600}


def test_sla_equal_across_a_channel_set() -> None:
    m = model(sla=(sla("All", None, 3600),), channels=("email", "twitter", "facebook"))
    assert [f.status for f in run("A-5", m)] == [Status.PASS]


def test_no_sla_data_is_not_evaluated_never_passed() -> None:
    assert [f.status for f in run("A-3", model())] == [Status.NOT_EVALUATED]
    (empty,) = run("A-4", model(sla_known=True))
    assert empty.status is Status.NOT_EVALUATED and "no target" in empty.message


def test_policy_without_priority_applies_to_every_priority() -> None:
    m = model(sla=(sla("Email all", ("email",), 8 * 3600, prio="*"), sla("Twitter normal", ("twitter",), 8 * 3600)))
    assert [f.status for f in run("A-4", m)] == [Status.PASS]
    m2 = model(sla=(sla("Email all", ("email",), 8 * 3600, prio="*"), sla("Twitter normal", ("twitter",), 3600)))
    fs = run("A-4", m2)
    assert [f.status for f in fs] == [Status.FAIL]
    assert fs[0].evidence["priority"] == "normal"


def test_long_derivation_chains_are_linear_and_never_recurse() -> None:
    """Issue: ``may read only`` on a chain of 350+ derivations raised RecursionError; taint was quadratic."""
    n = 3000
    rules = [rule("r1", 1, reads=["requester_twitter_followers_count"], writes=["tag:t1"])]
    rules += [rule(f"r{i}", i, reads=[f"tag:t{i - 1}"], writes=[f"tag:t{i}"]) for i in range(2, n)]
    rules.append(rule("last", n, reads=[f"tag:t{n - 1}"], effects=True))
    m = model(*rules)
    fails = [f for f in run("A-1", m) if f.status is Status.FAIL]
    assert len(fails) == 1 and len(fails[0].evidence["chain"]) == n
    allow = run("A-2", m)
    assert [f.status for f in allow] == [Status.FAIL]
