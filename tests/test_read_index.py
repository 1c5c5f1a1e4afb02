"""The analysis judges each distinct read (field, values) once and visits only the rules that make a
matched read. On generated models it must find exactly what judging every read of every rule finds."""

from __future__ import annotations

from collections import deque

from hypothesis import given, settings
from hypothesis import strategies as st

from auditrules.findings import Location, Status
from auditrules.lang.parser import parse_policy
from auditrules.routing.analysis import RuleContext, evaluate_routing, taint
from auditrules.routing.model import Effect, Read, RoutingModel, RoutingRule, Write

POLICY = parse_policy(
    """
define inf = fields matching "*klout*", "requester_twitter_*", "tier"
define prv = values matching "*vip*", "press" outside fields matching "*plan*"
rule F-1 "fields" { severity high  routing must not read inf }
rule V-1 "values" { severity high  routing must not read prv }
""",
    "p.rules",
)
FIELDS = ["klout_score", "customer.klout", "tag:vip", "tag:gold", "priority", "customer.plan", "tier", "TIER", "status"]
VALUES = ["vip", "VIP desk", "press", "gold", "new", ""]
WRITES = ["tag:vip", "tag:gold", "tier", "klout_copy", "status"]


@st.composite
def models(draw: st.DrawFn) -> RoutingModel:
    rules = []
    for n in range(draw(st.integers(0, 12))):
        at = Location("x.json", None, None, f"/r/{n}")
        reads = tuple(
            Read(draw(st.sampled_from(FIELDS)), at, f"c{i}", tuple(draw(st.lists(st.sampled_from(VALUES), max_size=2))))
            for i in range(draw(st.integers(0, 4)))
        )
        writes = tuple(Write(w, at) for w in draw(st.lists(st.sampled_from(WRITES), max_size=2)))
        effects = (Effect("group", "g", at),) if draw(st.booleans()) else ()
        rules.append(
            RoutingRule(
                f"r{n}", f"R{n}", "trigger", draw(st.integers(0, 5)), at, reads, writes, effects, draw(st.booleans())
            )
        )
    return RoutingModel("test", "m", ("email",), tuple(rules))


def reference_taint(model: RoutingModel, matcher: object) -> dict[str, tuple[str, str]]:
    """Every read of every deriving rule judged: derived name → (rule id, field read) of its origin."""
    assert callable(matcher)
    tainted: dict[str, tuple[str, str]] = {}
    queue: deque[str] = deque()

    def mark(rule: RoutingRule, rd: Read) -> None:
        for w in rule.writes:
            key = w.target.lower()
            if key not in tainted and key != rd.field.lower():
                tainted[key] = (rule.id, rd.field)
                queue.append(key)

    for rule in model.deriving_rules:
        hit = next((rd for rd in rule.reads if matcher(rd) is not None), None)
        if hit is not None:
            mark(rule, hit)
    while queue:
        name = queue.popleft()
        for rule in model.deriving_rules:
            for rd in rule.reads:
                if rd.field.lower() == name:
                    mark(rule, rd)
    return tainted


@settings(max_examples=200, deadline=None)
@given(models())
def test_each_distinct_read_judged_once_finds_what_judging_every_read_finds(model: RoutingModel) -> None:
    for rule in POLICY.rules:
        ctx = RuleContext(POLICY, rule, model)
        st_ = rule.routing_statements[0]
        matcher, _patterns, _by_value = ctx.matcher(st_.fields)  # type: ignore[union-attr]
        tainted = taint(model, matcher)
        assert {k: (o.step.rule.id, o.step.read.field) for k, o in tainted.items()} == reference_taint(model, matcher)
        expected = {
            r.id: sorted({rd.field for rd in r.reads if (tainted and rd.field.lower() in tainted) or matcher(rd)})
            for r in model.routing_rules
        }
        failing = {
            f.evidence.routing_rule: sorted(f.evidence.reads)  # type: ignore[attr-defined]
            for f in evaluate_routing(POLICY, rule, model)
            if f.status is Status.FAIL
        }
        assert failing == {rid: reads for rid, reads in expected.items() if reads}


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(FIELDS), st.lists(st.sampled_from(VALUES), max_size=3), st.sampled_from(["in", "outside", None]))
def test_value_sets_judge_values_first_with_the_same_verdict(field: str, values: list[str], scope: str | None) -> None:
    """A value set's verdict on a read does not depend on judging its values before its field's scope."""
    from fnmatch import fnmatchcase

    from auditrules.lang import ast
    from auditrules.routing.analysis import matches_set, value_matcher

    vs = ast.ValueSet(("*vip*", "press", "gold"), ("*plan*", "tier") if scope else (), scope)
    rd = Read(field, Location("x.json"), "c", tuple(values))
    name = "tags" if field.lower().startswith("tag:") else field
    in_scope = scope is None or (matches_set(name, vs.fields) is not None) == (scope == "in")
    hits = [p for v in values for p in vs.patterns if fnmatchcase(v.strip().lower(), p)][:1]
    assert value_matcher(vs)(rd) == (hits[0] if hits and in_scope else None)


GLOBS = ["*vip*", "press", "press_*", "*_press", "vip?", "[pv]ress", "*", "", "a*b*c", "*x\x00y*", "tier"]
TEXTS = ["vip", "press", "press_1", "x_press", "vipx", "vress", "", "abc", "aXbc", "x\x00y", "tier", "tiers", "viper"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(TEXTS), max_size=8), st.lists(st.sampled_from(GLOBS), min_size=1, max_size=5))
def test_texts_matched_at_once_find_each_first_pattern(texts: list[str], patterns: list[str]) -> None:
    """Matching a set's patterns against all names or values at once (one search per pattern) finds,
    for each text, the first pattern that testing it alone finds."""
    from fnmatch import fnmatchcase

    from auditrules.routing.analysis import _first_patterns

    expected = [next((n for n, p in enumerate(patterns) if fnmatchcase(t, p)), len(patterns)) for t in texts]
    assert _first_patterns(texts, tuple(patterns)) == expected
