"""The rule language: parser, AST spans, semantic checks, formatter (incl. property tests)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditrules.errors import AuditError
from auditrules.lang import ast
from auditrules.lang.check import check_policies, check_policy
from auditrules.lang.format import format_policy, format_source
from auditrules.lang.parser import comments, parse_expression, parse_policy


def parse_checked(text: str) -> ast.Policy:
    return check_policy(parse_policy(text, "t.rules"), text)


class TestParser:
    def test_standard_pack_has_nine_rules(self, standard_pack_text: str) -> None:
        policy = parse_checked(standard_pack_text)
        ids = [r.id for r in policy.rules]
        assert ids == [*(f"FAIR-00{i}" for i in range(1, 10)), "FAIR-010", "FAIR-011"]
        assert policy.name == "Customer-service fairness"
        assert policy.version == "1.0"
        assert {d.name for d in policy.defines} == {"influence_signals", "social", "privileged_labels", "status_tiers"}

    def test_statements_of_each_kind(self) -> None:
        text = """
define inf = fields matching "*klout*"
define ok = fields matching "product", "priority"
define social = channels "twitter", "facebook"
rule R-1 "t" {
  severity low
  routing must not read inf
  routing may read only ok
  sla must cover every channel
  sla targets must be equal across social per priority for first_response
}
rule R-2 "t" {
  severity medium
  tickets where channel in social and not (status == "spam" or priority in ("low", "normal"))
  minimum 10 tickets per group
  require count >= 100
  require each month(created_at): p95(first_response) < 2d
  require across buckets(influence_score, 0, 10, 100) vs largest: difference(mean(compensation)) <= 5 within priority, channel at 99% confidence
  require across channel vs "email": ratio(share(satisfaction >= 4)) between 80% and 1.25
}
"""
        p = parse_checked(text)
        r1, r2 = p.rules
        assert isinstance(r1.statements[0], ast.MustNotRead)
        assert isinstance(r1.statements[1], ast.MayReadOnly)
        assert isinstance(r1.statements[2], ast.SlaCoverage)
        assert r1.statements[3] == ast.SlaEqual(ast.SetRef("social"), "first_response")
        reqs = r2.requires
        assert reqs[0].mode == "overall" and reqs[0].aggregate.func == "count"
        assert reqs[1].group == ast.GroupBy("month", ast.Name("created_at"))
        assert reqs[1].threshold == ast.Threshold("<", ast.Literal(172800.0, "duration"))
        assert reqs[1].aggregate.quantile == 0.95
        across = reqs[2]
        assert across.reference == ast.Reference("largest")
        assert across.measure == "difference"
        assert [g.column.name for g in across.strata] == ["priority", "channel"]
        assert across.confidence == pytest.approx(0.99)
        assert [e.value for e in across.group.edges] == [0.0, 10.0, 100.0]  # type: ignore[union-attr]
        assert reqs[3].reference == ast.Reference("group", "email")
        assert reqs[3].threshold.op == "between"
        assert reqs[3].threshold.value.value == pytest.approx(0.8)

    def test_spans_point_into_the_source(self) -> None:
        text = 'rule A-1 "t" {\n  severity low\n  tickets\n  require each channel: p90(first_response) <= 4h\n}\n'
        rule = parse_policy(text, "x.rules").rules[0]
        req = rule.requires[0]
        assert (req.span.line, req.span.column) == (4, 3)
        assert (req.aggregate.span.line, req.aggregate.span.column) == (4, 25)
        assert rule.source.startswith('rule A-1 "t" {') and rule.source.endswith("}")

    def test_equality_ignores_positions(self) -> None:
        a = parse_expression('channel == "twitter"')
        b = parse_expression('   channel   ==   "twitter"')
        assert a == b
        assert a.span != b.span  # type: ignore[union-attr]

    def test_expression_precedence(self) -> None:
        e = parse_expression("a == 1 or b == 2 and not c == 3")
        assert isinstance(e, ast.Or)
        assert isinstance(e.right, ast.And)
        assert isinstance(e.right.right, ast.Not)

    def test_embedded_expression_error_points_into_file(self) -> None:
        with pytest.raises(AuditError) as info:
            parse_expression('channel === "x"', "r.yaml", line=7, column=11)
        err = info.value
        assert err.code == "AR101"
        assert err.span is not None and (err.span.line, err.span.column) == (7, 21)


def _error(text: str) -> AuditError:
    with pytest.raises(AuditError) as info:
        parse_checked(text)
    return info.value


RULE = 'define inf = fields matching "*klout*"\ndefine social = channels "twitter"\nrule R-1 "t" {{\n  severity low\n{body}\n}}\n'


class TestCheck:
    @pytest.mark.parametrize(
        ("body", "code", "message"),
        [
            (
                "  tickets\n  require each channel: p100(first_response) <= 4h",
                "AR102",
                "unknown aggregate 'p100' (expected count, share, mean, median, p1..p99, min, max, sum)",
            ),
            (
                "  tickets\n  require share <= 10%",
                "AR102",
                'share needs a condition, e.g. share(outcome == "resolved")',
            ),
            ("  routing must not read influence", "AR103", "undefined set 'influence' (defined: inf, social)"),
            (
                "  tickets\n  require each channel: p90(first_response) <= 90%",
                "AR105",
                "p90 is compared with percent 90%; expected a duration such as 4h",
            ),
            (
                "  tickets where first_response <= 10%",
                "AR105",
                "cannot compare duration column 'first_response' with percent '10%'",
            ),
            (
                "  tickets\n  minimum 5 tickets per group\n  require count >= 3",
                "AR106",
                "'minimum' in rule R-1, which compares no groups",
            ),
            ("  routing must not read social", "AR108", "'social' is not a field or value set"),
            ("  tickets where channel in inf", "AR108", "'inf' is not a channel set"),
            ("  require count >= 3", "AR110", "rule R-1 has no 'tickets' line to say which tickets it is about"),
            (
                "  tickets\n  require across buckets(influence_score, 10, 1): ratio(mean(compensation)) >= 0.8",
                "AR109",
                "bucket edges must be increasing numbers",
            ),
            (
                '  tickets\n  require share(outcome == "resolved") == 90%',
                "AR109",
                "a requirement cannot use '==': estimates are compared with <, <=, >, >= or between",
            ),
        ],
    )
    def test_semantic_errors(self, body: str, code: str, message: str) -> None:
        err = _error(RULE.format(body=body))
        assert (err.code, err.message) == (code, message)

    def test_duplicate_rule_ids_across_files(self) -> None:
        a = parse_policy('rule X-1 "a" {\n severity low\n sla must cover every channel\n}\n', "a.rules")
        b_text = 'rule X-1 "b" {\n severity low\n sla must cover every channel\n}\n'
        b = parse_policy(b_text, "b.rules")
        with pytest.raises(AuditError) as info:
            check_policies([(a, ""), (b, b_text)])
        assert info.value.code == "AR104"
        assert str(info.value).startswith("b.rules:1:1: error[AR104]: rule ID X-1 is already used at a.rules:1:1")

    def test_missing_severity(self) -> None:
        with pytest.raises(AuditError) as info:
            parse_policy('rule X-1 "a" {\n sla must cover every channel\n}\n', "a.rules")
        assert info.value.code == "AR113"

    def test_syntax_error_has_caret(self) -> None:
        text = 'rule X-1 "a" {\n  severity low\n  routing must nto read inf\n}\n'
        with pytest.raises(AuditError) as info:
            parse_policy(text, "a.rules")
        rendered = str(info.value.with_source(text))
        assert rendered.splitlines() == [
            "a.rules:3:16: error[AR101]: unexpected 'nto'; expected 'not'",
            "   |   routing must nto read inf",
            "   |                ^^^",
        ]


class TestFormat:
    def test_standard_pack_is_formatted(self, standard_pack_text: str) -> None:
        assert format_source(standard_pack_text) == standard_pack_text

    def test_comments_are_kept(self) -> None:
        text = '# head\npolicy "p"\n\n# about r\nrule R-1 "t" {\n  # inside\n  severity low\n  sla must cover every channel # trailing\n}\n'
        out = format_source(text)
        for comment in ("# head", "# about r", "# inside", "# trailing"):
            assert comment in out
        assert format_source(out) == out

    def test_normalises_layout(self) -> None:
        text = 'rule   R-1 "t"{severity low tickets where (a==1) require   count>=3}'
        assert (
            format_source(text) == 'rule R-1 "t" {\n  severity low\n  tickets where a == 1\n  require count >= 3\n}\n'
        )


# ---------------------------------------------------------------- property test: fmt round-trips

NAMES = st.sampled_from(["channel", "priority", "status", "first_response", "customer.klout_score", "x_1"])
STRINGS = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=8)
LITERALS = st.one_of(
    STRINGS.map(lambda s: ast.Literal(s, "string")),
    st.integers(0, 10_000).map(lambda n: ast.Literal(float(n), "number", str(n))),
    st.tuples(st.integers(1, 99), st.sampled_from("smhdw")).map(
        lambda t: ast.Literal(
            float(t[0]) * {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}[t[1]], "duration", f"{t[0]}{t[1]}"
        )
    ),
    st.integers(0, 100).map(lambda n: ast.Literal(n / 100, "percent", f"{n}%")),
    st.just(ast.Literal(None, "null", "null")),
    st.booleans().map(lambda b: ast.Literal(b, "bool", str(b).lower())),
)


def _predicates() -> st.SearchStrategy[ast.Expr]:
    name = NAMES.map(ast.Name)
    leaf: st.SearchStrategy[ast.Expr] = st.one_of(
        st.builds(ast.Compare, st.sampled_from(["==", "!=", "<", "<=", ">", ">="]), name, LITERALS),
        st.builds(ast.InList, name, st.lists(LITERALS, min_size=1, max_size=3).map(tuple), st.booleans()),
        st.builds(ast.InList, name, st.just(ast.SetRef("social")), st.booleans()),
        st.builds(ast.IsNull, name, st.booleans()),
        st.builds(ast.Matches, name, st.text(alphabet="abc*?", min_size=1, max_size=5)),
        name,
    )
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.builds(ast.And, inner, inner), st.builds(ast.Or, inner, inner), st.builds(ast.Not, inner)
        ),
        max_leaves=6,
    )


PREDICATES = _predicates()
GROUPS = st.one_of(
    NAMES.map(lambda n: ast.GroupBy("column", ast.Name(n))),
    st.builds(lambda k, n: ast.GroupBy(k, ast.Name(n)), st.sampled_from(["deciles", "quartiles", "month"]), NAMES),
    st.lists(st.integers(0, 1000), min_size=1, max_size=3, unique=True).map(
        lambda es: ast.GroupBy(
            "buckets", ast.Name("influence_score"), tuple(ast.Literal(float(e), "number", str(e)) for e in sorted(es))
        )
    ),
)
AGGS = st.one_of(
    st.just(ast.Aggregate("count")),
    PREDICATES.map(lambda p: ast.Aggregate("share", None, p)),
    st.builds(
        lambda f, n: ast.Aggregate(f, ast.Name(n), None, {"median": 0.5}.get(f)),
        st.sampled_from(["mean", "median", "min", "max", "sum"]),
        NAMES,
    ),
    st.builds(lambda q, n: ast.Aggregate(f"p{q}", ast.Name(n), None, q / 100), st.integers(1, 99), NAMES),
)
THRESHOLDS = st.one_of(
    st.builds(ast.Threshold, st.sampled_from(["<=", "<", ">=", ">", "==", "!="]), LITERALS),
    st.builds(lambda a, b: ast.Threshold("between", a, b), LITERALS, LITERALS),
)
REQUIRES = st.builds(
    lambda mode, agg, th, g, ref, measure, strata, conf: ast.Require(
        mode,
        agg,
        th,
        None if mode == "overall" else g,
        ref if mode == "across" else None,
        measure if mode == "across" else None,
        tuple(strata),
        conf,
    ),
    st.sampled_from(["overall", "each", "across"]),
    AGGS,
    THRESHOLDS,
    GROUPS,
    st.one_of(
        st.none(), st.sampled_from([ast.Reference("largest"), ast.Reference("lowest"), ast.Reference("group", "email")])
    ),
    st.sampled_from(["ratio", "difference"]),
    st.lists(GROUPS, max_size=2),
    st.one_of(st.none(), st.integers(50, 99).map(lambda p: p / 100)),
)
STATEMENTS = st.one_of(
    st.just(ast.MustNotRead(ast.SetRef("inf"))),
    st.just(ast.MayReadOnly(ast.SetRef("inf"))),
    st.just(ast.SlaCoverage()),
    st.builds(
        ast.SlaEqual,
        st.one_of(st.none(), st.just(ast.SetRef("social"))),
        st.one_of(st.none(), st.just("first_response")),
    ),
    st.builds(ast.TicketScope, st.one_of(st.none(), PREDICATES)),
    st.integers(1, 500).map(ast.Minimum),
    REQUIRES,
)
RULES = st.builds(
    lambda i, title, sev, stmts, rat, rem: ast.Rule(f"R-{i}", title, sev, tuple(stmts), rat, rem),
    st.integers(1, 999),
    STRINGS,
    st.sampled_from(["low", "medium", "high"]),
    st.lists(STATEMENTS, min_size=1, max_size=4),
    st.one_of(st.none(), STRINGS),
    st.one_of(st.none(), STRINGS),
)
POLICIES = st.builds(
    lambda name, rules: ast.Policy(
        name,
        None,
        (ast.Define("inf", ast.FieldSet(("*klout*", "*vip*"))), ast.Define("social", ast.ChannelSet(("twitter",)))),
        tuple(rules),
    ),
    st.one_of(st.none(), STRINGS),
    st.lists(RULES, max_size=3),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(POLICIES)
def test_format_round_trips(policy: ast.Policy) -> None:
    """For generated rule files x: parse(fmt(x)) == parse(x) and fmt(fmt(x)) == fmt(x)."""
    text = format_policy(policy)
    parsed = parse_policy(text)
    assert parsed == ast.Policy(policy.name, policy.version, policy.defines, policy.rules)
    once = format_source(text)
    assert once == text
    assert parse_policy(once) == parsed
    assert format_source(once) == once


# ---------------------------------------------------------------- fmt: comments in odd places

ODD_COMMENTS = [
    'rule X-1 "Low severity rule" { tickets # after tickets on the opening line\n  severity low\n  require count >= 1 }  # after the brace\n',
    'rule X-2 "one line" { severity low tickets require count >= 1 } # trailing one-liner\n',
    'rule X-3 "t" { # opening\n  # first\n  rationale "r # not a comment"\n  severity medium # sev\n  tickets where channel ==\n'
    '    "twitter" # inside a statement\n  require count >= 1 # trailing\n  # before the brace\n}\n',
    '# head\npolicy "p" version "1" # after header\ndefine s = channels "twitter" # after define\n'
    'rule X-4 "t" {\n  severity low\n  tickets where channel in s\n  require count >= 1\n}\n# tail\n',
]


@pytest.mark.parametrize("text", ODD_COMMENTS)
def test_fmt_is_idempotent_with_comments_in_odd_places(text: str) -> None:
    once = format_source(text)
    assert format_source(once) == once
    assert sorted(c for _, c in comments(once)) == sorted(c for _, c in comments(text))
    assert _owners(once) == _owners(text)  # a comment inside a rule stays in that rule


def _owners(text: str) -> dict[str, str | None]:
    """Each comment → the id of the rule it is written in (None: outside every rule)."""
    rules = parse_policy(text).rules
    return {
        note: next((r.id for r in rules if r.span.line <= line < (r.span.end_line or r.span.line)), None)
        for line, note in comments(text)
    }


@pytest.mark.parametrize(
    "require",
    [
        "require across weekday(created_at): ratio(count) >= 0.8",
        "require each hour(created_at): count >= 1",
        "require across channel: ratio(count) >= 0.8 within priority, weekday(created_at)",
    ],
)
def test_unknown_grouping_function_lists_the_forms_that_exist(require: str) -> None:
    text = f'rule R-1 "t" {{\n  severity low\n  tickets\n  {require}\n}}\n'
    with pytest.raises(AuditError) as err:
        parse_policy(text)
    assert err.value.code == "AR101"
    assert "unknown grouping '" in err.value.message
    assert "deciles(COLUMN), quartiles(COLUMN), month(COLUMN), buckets(COLUMN, EDGE, ...)" in err.value.message


def test_docs_clause_round_trips_and_must_be_a_url() -> None:
    text = 'rule R-1 "t" {\n  severity low\n  docs "https://example.com/R-1"\n  tickets\n  require count >= 1\n}\n'
    rule = parse_policy(text).rules[0]
    assert rule.docs == "https://example.com/R-1"
    assert format_source(text) == text
    with pytest.raises(AuditError) as err:
        parse_policy(text.replace("https://example.com/R-1", "see the wiki"))
    assert err.value.code == "AR109"


class TestValueSets:
    TEXT = (
        'define vip = values matching "*vip*", "press" outside fields matching "*plan*"\n'
        'define tiers = values matching "gold*" in fields matching "*tier*", "*status*"\n'
        'define plain = values matching "x"\n'
        'define channels = channels "email", "phone"\n'
        'rule V-1 "no vip" {\n  severity high\n  routing must not read vip\n  routing must not read tiers\n}\n'
    )

    def test_parse_and_format_round_trip(self) -> None:
        policy = parse_checked(self.TEXT)
        vip = policy.define("vip")
        assert vip is not None and vip.value == ast.ValueSet(("*vip*", "press"), ("*plan*",), "outside")
        tiers = policy.define("tiers")
        assert tiers is not None and tiers.value == ast.ValueSet(("gold*",), ("*tier*", "*status*"), "in")
        assert parse_checked(format_policy(policy)) == policy

    @pytest.mark.parametrize(
        ("text", "code"),
        [
            (
                'define channels = fields matching "*"\nrule X-1 "t" {\n  severity low\n  sla must cover every channel\n}\n',
                "AR108",
            ),
            ('define v = values matching "x"\nrule X-1 "t" {\n  severity low\n  routing may read only v\n}\n', "AR108"),
            ('define v = values matching ""\n', "AR112"),
            ('define v = values matching "x" in fields matching ""\n', "AR112"),
        ],
    )
    def test_errors(self, text: str, code: str) -> None:
        with pytest.raises(AuditError) as info:
            parse_checked(text)
        assert info.value.code == code
