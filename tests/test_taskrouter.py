"""TaskRouter adapter: expression grammar, workflow JSON (resource, list, bare configuration) → RoutingModel."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditrules.errors import AuditError, Span
from auditrules.routing.model import RoutingModel
from auditrules.routing.taskrouter import (
    TRAttribute,
    TRCompare,
    TRExpr,
    TRList,
    TRLiteral,
    TRLogical,
    constant_truth,
    format_expression,
    is_taskrouter,
    load_taskrouter,
    parse_expression,
)

BASE = Span("wf.json", 1, 1)
S = Span("wf.json", 1, 1)  # spans are not compared


def parse(text: str) -> TRExpr:
    return parse_expression(text, BASE)


def attr(*parts: str) -> TRAttribute:
    if parts[0] in ("task", "worker"):
        return TRAttribute(S, parts[0], tuple(parts[1:]))
    return TRAttribute(S, None, tuple(parts))


def lit(value: Any) -> TRLiteral:
    return TRLiteral(S, value)


# --- grammar --------------------------------------------------------------------------------------


def test_precedence_and_keywords() -> None:
    e = parse("task.followers > 10000 or task.klout_score >= 50 AND vip == true")
    assert e == TRLogical(
        S,
        "OR",
        TRCompare(S, ">", attr("task", "followers"), lit(10000)),
        TRLogical(
            S,
            "AND",
            TRCompare(S, ">=", attr("task", "klout_score"), lit(50)),
            TRCompare(S, "==", attr("vip"), lit(True)),
        ),
    )
    assert format_expression(e) == "task.followers > 10000 OR task.klout_score >= 50 AND vip == true"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("language IN ['en', \"es\"]", TRCompare(S, "IN", attr("language"), TRList(S, (lit("en"), lit("es"))))),
        ("task.language not  in []", TRCompare(S, "NOT IN", attr("task", "language"), TRList(S, ()))),
        ("worker.skills HAS task.segment", TRCompare(S, "HAS", attr("worker", "skills"), attr("task", "segment"))),
        ("tags contains 'vip'", TRCompare(S, "CONTAINS", attr("tags"), lit("vip"))),
        ("tags NOT CONTAINS 'spam'", TRCompare(S, "NOT CONTAINS", attr("tags"), lit("spam"))),
        ("customer.followers <= -1.5", TRCompare(S, "<=", attr("customer", "followers"), lit(-1.5))),
        ("task.customer.tier != null", TRCompare(S, "!=", attr("task", "customer", "tier"), lit(None))),
        ("x = 1", TRCompare(S, "==", attr("x"), lit(1))),
        (
            "a < 1 AND b >= 2e3",
            TRLogical(S, "AND", TRCompare(S, "<", attr("a"), lit(1)), TRCompare(S, ">=", attr("b"), lit(2000.0))),
        ),
        ("1==1", TRCompare(S, "==", lit(1), lit(1))),
        ("1 == 0", TRCompare(S, "==", lit(1), lit(0))),
        ("FALSE", lit(False)),
        (
            "(a == 1 OR b == 2) AND c == 3",
            TRLogical(
                S,
                "AND",
                TRLogical(S, "OR", TRCompare(S, "==", attr("a"), lit(1)), TRCompare(S, "==", attr("b"), lit(2))),
                TRCompare(S, "==", attr("c"), lit(3)),
            ),
        ),
        ("android == 'yes'", TRCompare(S, "==", attr("android"), lit("yes"))),  # a keyword prefix is a name
        ('index == "it\'s"', TRCompare(S, "==", attr("index"), lit("it's"))),
    ],
)
def test_expressions(text: str, expected: TRExpr) -> None:
    e = parse(text)
    assert e == expected
    assert parse(format_expression(e)) == e


def test_spans_follow_the_file_columns() -> None:
    e = parse_expression("a == 1 OR task.vip == true", Span("f.json", 7, 30))
    assert isinstance(e, TRLogical) and isinstance(e.right, TRCompare)
    assert (e.span.line, e.span.column, e.span.end_column) == (7, 30, 56)
    vip = e.right.left
    assert isinstance(vip, TRAttribute)
    assert (vip.span.column, vip.span.end_column) == (40, 48)


@pytest.mark.parametrize(
    ("text", "column", "words"),
    [
        ("task.followers >", 17, "ends too early"),
        ("task.followers > > 3", 18, "unexpected '>'"),
        ("task.a == 1 AND", 16, "ends too early"),
        ("task.a == 'x", 11, "unexpected character"),
        ("task.a ~ 1", 8, "unexpected character '~'"),
        ("(task.a == 1", 13, "expected"),
        ("task.a == 1 task.b == 2", 13, "unexpected 'task.b'"),
        ("   ", 1, "empty"),
    ],
)
def test_syntax_errors_point_at_their_column(text: str, column: int, words: str) -> None:
    with pytest.raises(AuditError) as info:
        parse_expression(text, Span("f.json", 3, 1))
    err = info.value
    assert err.code == "AR209"
    assert err.span is not None and (err.span.line, err.span.column) == (3, column)
    assert words in err.message


def test_constant_truth() -> None:
    assert constant_truth(parse("1==1")) is True
    assert constant_truth(parse("1 == 0")) is False
    assert constant_truth(parse("true")) is True
    assert constant_truth(parse("'a' != 'b'")) is True
    assert constant_truth(parse("2 > 1 AND 'x' IN ['x']")) is True
    assert constant_truth(parse("task.a == 1 OR 1 == 1")) is True
    assert constant_truth(parse("task.a == 1 AND 1 == 1")) is None
    assert constant_truth(parse("task.a == 1 AND 1 == 0")) is False
    assert constant_truth(parse("1 == '1'")) is False
    assert constant_truth(parse("task.vip")) is None


# --- round trip (property) ------------------------------------------------------------------------

KEYWORDS = {"and", "or", "not", "in", "has", "contains", "true", "false", "null"}
names = st.from_regex(r"[a-z_][a-z0-9_]{0,6}", fullmatch=True).filter(lambda s: s not in KEYWORDS)
attributes = st.one_of(
    st.builds(
        lambda scope, path: TRAttribute(S, scope, tuple(path)),
        st.sampled_from(["task", "worker"]),
        st.lists(names, min_size=1, max_size=3),
    ),
    st.builds(
        lambda path: TRAttribute(S, None, tuple(path)),
        st.lists(names.filter(lambda s: s not in ("task", "worker")), min_size=1, max_size=3),
    ),
)
literals = st.builds(
    lambda v: TRLiteral(S, v),
    st.none()
    | st.booleans()
    | st.integers(-(10**12), 10**12)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet=st.characters(blacklist_characters='"', blacklist_categories=["Cs"]), max_size=10)
    | st.text(alphabet=st.characters(blacklist_characters="'", blacklist_categories=["Cs"]), max_size=10),
)
operands = st.one_of(
    attributes, literals, st.builds(lambda items: TRList(S, tuple(items)), st.lists(literals, max_size=3))
)
operators = st.sampled_from(
    ["==", "!=", ">", ">=", "<", "<=", "CONTAINS", "HAS", "IN", "NOT IN", "NOT CONTAINS", "NOT HAS"]
)
comparisons = st.builds(lambda op, left, right: TRCompare(S, op, left, right), operators, operands, operands)
expressions = st.recursive(
    st.one_of(comparisons, operands),
    lambda children: st.builds(
        lambda op, left, right: TRLogical(S, op, left, right), st.sampled_from(["AND", "OR"]), children, children
    ),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(expressions)
def test_format_then_parse_round_trips(e: TRExpr) -> None:
    assert parse(format_expression(e)) == e


# --- workflows ------------------------------------------------------------------------------------


def write(tmp_path: Path, data: Any, name: str = "workflow.json", indent: int | None = 2) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, indent=indent), encoding="utf-8")
    return path


def resource(sid: str, name: str, config: Any) -> dict[str, Any]:
    return {
        "sid": sid,
        "friendly_name": name,
        "workspace_sid": "WSxxx",
        "configuration": config if isinstance(config, str) else json.dumps(config),
    }


VIP = {
    "task_routing": {
        "filters": [
            {
                "filter_friendly_name": "VIP",
                "expression": "task.followers > 10000 OR klout_score >= 50",
                "targets": [
                    {"queue": "WQsenior", "priority": 100, "timeout": "60", "expression": "worker.tier == 'senior'"},
                    {"queue": "WQgeneral", "priority": "50"},
                ],
            },
            {
                "friendly_name": "Segment",
                "expression": "task.topic == 'billing'",
                "targets": [
                    {"queue": "${QUEUE_SID}", "expression": "worker.skills HAS task.segment AND task.vip == true"}
                ],
            },
        ],
        "default_filter": {"queue": "WQgeneral"},
    }
}


def effects(model: RoutingModel, index: int) -> list[tuple[str, str]]:
    return [(e.kind, e.value) for e in model.rules[index].effects]


def test_workflow_resource_with_configuration_string(tmp_path: Path) -> None:
    path = write(tmp_path, resource("WW1", "Inbound", VIP))
    model = load_taskrouter(path)
    assert (model.format, model.name, model.sla_policies) == ("taskrouter", "Inbound", ())
    assert [(r.id, r.name, r.kind, r.order) for r in model.rules] == [
        ("WW1/filters/0", "VIP", "filter", 0),
        ("WW1/filters/1", "Segment", "filter", 1),
        ("WW1/default_filter", "default_filter", "default_filter", 2),
    ]
    vip = model.rules[0]
    assert [(r.field, r.text) for r in vip.reads] == [
        ("followers", "task.followers > 10000"),
        ("klout_score", "klout_score >= 50"),
    ]
    assert effects(model, 0) == [
        ("queue", "WQsenior"),
        ("priority", "100"),
        ("timeout", "60"),
        ("queue", "WQgeneral"),
        ("priority", "50"),
    ]
    # worker.x is not a customer read; task.x in a target expression is
    assert [r.field for r in model.rules[1].reads] == ["topic", "segment", "vip"]
    assert effects(model, 1) == [("queue", "${QUEUE_SID}")]
    assert effects(model, 2) == [("queue", "WQgeneral")]
    assert model.diagnostics == ()
    # read locations point into the configuration string, on the configuration's line
    line = path.read_text().splitlines()[vip.reads[0].location.line - 1]  # type: ignore[operator]
    col = vip.reads[0].location.column
    assert col is not None and line[col - 1 :].startswith("task.followers > 10000")
    assert vip.location.pointer == "/configuration/task_routing/filters/0"


def test_bare_configuration_columns_are_exact(tmp_path: Path) -> None:
    config = {
        "task_routing": {
            "filters": [
                {
                    "filter_friendly_name": "Tier",
                    "expression": "task.\u00e9tat == 'x' OR task.tier == \"gold\"",
                    "targets": [{"queue": "WQ1"}],
                },
            ]
        }
    }
    path = write(tmp_path, config, name="config.json")
    model = load_taskrouter(path)
    tier = model.rules[0].reads[-1]
    line = path.read_text().splitlines()[tier.location.line - 1]  # type: ignore[operator]
    assert tier.location.column is not None
    assert line[tier.location.column - 1 :].startswith('task.tier == \\"gold\\"')


def test_malformed_expression_is_an_error_at_its_column(tmp_path: Path) -> None:
    config = {
        "task_routing": {
            "filters": [
                {"filter_friendly_name": "Broken", "expression": "task.klout_score >= ", "targets": [{"queue": "WQ1"}]},
                {"filter_friendly_name": "Fine", "expression": "task.topic == 'x'", "targets": [{"queue": "WQ2"}]},
            ]
        }
    }
    path = write(tmp_path, config)
    lines = path.read_text().splitlines()
    expr_line = next(i for i, text in enumerate(lines, 1) if '"expression": "task.klout_score' in text)
    string_col = lines[expr_line - 1].index('"task.klout') + 1
    model = load_taskrouter(path)
    (diag,) = model.diagnostics
    assert (diag.code, diag.level) == ("AR209", "error")
    assert "filter 'Broken'" in diag.message and "ends too early" in diag.message
    assert diag.location is not None
    assert (diag.location.line, diag.location.column) == (expr_line, string_col + 1 + len("task.klout_score >= "))
    assert diag.location.pointer == "/task_routing/filters/0/expression"
    # the workflow is still checked, and the broken filter's task attributes are not lost
    assert [r.name for r in model.rules] == ["Broken", "Fine"]
    assert [r.field for r in model.rules[0].reads] == ["klout_score"]


def test_malformed_expression_inside_configuration_string(tmp_path: Path) -> None:
    config = {"task_routing": {"filters": [{"expression": "task.a == 1 AND AND", "targets": [{"queue": "Q"}]}]}}
    path = write(tmp_path, resource("WW9", "Nine", config), indent=None)
    (diag,) = load_taskrouter(path).diagnostics
    text = path.read_text()
    assert diag.code == "AR209" and diag.location is not None
    assert diag.location.line == 1
    assert text[diag.location.column - 1 :].startswith('AND\\"')  # type: ignore[operator]
    assert diag.location.pointer == "/configuration/task_routing/filters/0/expression"


def test_list_response_with_bad_configuration(tmp_path: Path) -> None:
    good = resource("WWgood", "Good", VIP)
    bad = resource("WWbad", "Bad", '{"task_routing": {"filters": [}')
    other = resource(
        "WWother", "Other", {"task_routing": {"filters": [{"expression": "task.x == 1", "targets": [{"queue": "Q"}]}]}}
    )
    path = write(tmp_path, {"meta": {"page": 0, "key": "workflows"}, "workflows": [good, bad, other]})
    model = load_taskrouter(path)
    (diag,) = model.diagnostics
    assert (diag.code, diag.level) == ("AR210", "error")
    assert "'Bad' (WWbad)" in diag.message
    assert diag.location is not None and diag.location.pointer == "/workflows/1/configuration"
    line = path.read_text().splitlines()[diag.location.line - 1]  # type: ignore[operator]
    assert '"configuration"' in line
    assert [r.id for r in model.rules] == [
        "WWgood/filters/0",
        "WWgood/filters/1",
        "WWgood/default_filter",
        "WWother/filters/0",
    ]


def test_always_matching_filters_make_later_ones_unreachable(tmp_path: Path) -> None:
    config = {
        "task_routing": {
            "filters": [
                {"filter_friendly_name": "Everything", "targets": [{"queue": "Q1"}]},  # no expression
                {"filter_friendly_name": "VIP", "expression": "task.vip == true", "targets": [{"queue": "Q2"}]},
            ]
        }
    }
    model = load_taskrouter(write(tmp_path, config))
    note, diag = model.diagnostics
    assert note.code == "AR202" and "'Everything' has no expression: it matches every task" in note.message
    assert diag.code == "AR208" and diag.level == "warning"
    assert "'VIP'" in diag.message and "'Everything'" in diag.message and "no expression" in diag.message
    assert [r.active for r in model.rules] == [True, False]


@pytest.mark.parametrize("expression", ["1==1", "true", "", "task.a == 1 OR 1 == 1"])
def test_constant_true_expressions(tmp_path: Path, expression: str) -> None:
    config = {
        "task_routing": {
            "filters": [
                {"filter_friendly_name": "First", "expression": expression, "targets": [{"queue": "Q1"}]},
                {"filter_friendly_name": "Second", "expression": "task.x == 1", "targets": [{"queue": "Q2"}]},
                {"filter_friendly_name": "Third", "expression": "task.y == 1", "targets": [{"queue": "Q3"}]},
            ]
        }
    }
    model = load_taskrouter(write(tmp_path, config))
    unreachable = [d for d in model.diagnostics if d.code != "AR202"]  # an empty expression also gets a note
    assert [d.code for d in unreachable] == ["AR208", "AR208"]
    assert all("'First'" in d.message for d in unreachable)


def test_wait_steps_placeholders_and_string_numbers(tmp_path: Path) -> None:
    config = {
        "task_routing": {
            "filters": [
                {
                    "filter_friendly_name": "Wait then route",
                    "expression": "task.type == 'support'",
                    "targets": [
                        {"queue": "${SUPPORT_QUEUE_SID}", "expression": "1==0", "timeout": 30},
                        {"queue": "${SUPPORT_QUEUE_SID}", "expression": "1 == 0", "timeout": "15"},
                        {"queue": "${SUPPORT_QUEUE_SID}", "priority": "5", "timeout": 120.0},
                    ],
                },
            ]
        }
    }  # and no default_filter
    model = load_taskrouter(write(tmp_path, config))
    assert model.diagnostics == ()
    assert [(d.rule, d.seconds, d.applies_to) for d in model.delays] == [
        ("Wait then route", 30.0, "tasks matching task.type == 'support'"),
        ("Wait then route", 15.0, "tasks matching task.type == 'support'"),
    ]
    (rule,) = model.rules
    assert effects(model, 0) == [("queue", "${SUPPORT_QUEUE_SID}"), ("priority", "5"), ("timeout", "120")]
    assert [r.field for r in rule.reads] == ["type"]


def test_channel_reads_name_channels(tmp_path: Path) -> None:
    config = {
        "task_routing": {
            "filters": [
                {
                    "expression": "task.channel IN ['voice', 'sms'] OR task_channel == 'chat'",
                    "targets": [{"queue": "Q"}],
                },
            ]
        }
    }
    assert load_taskrouter(write(tmp_path, config)).channels == ("chat", "phone", "sms")
    plain: dict[str, Any] = {"task_routing": {"filters": []}}
    assert load_taskrouter(write(tmp_path, plain, "p.json")).channels == ()  # the universe is not what is named


def test_shape_problems_are_diagnostics(tmp_path: Path) -> None:
    config = {
        "task_routing": {
            "filters": [
                "nope",
                {"expression": 5, "targets": "x"},
                {"expression": "task.a == 1", "targets": [{"priority": 1}, 3]},
            ],
            "default_filter": "Q",
        }
    }
    model = load_taskrouter(write(tmp_path, config))
    assert [d.code for d in model.diagnostics] == ["AR202"] * 7
    assert any("has no targets" in d.message for d in model.diagnostics)
    no_routing = write(tmp_path, resource("WW1", "x", {"something": 1}), "n.json")
    (diag,) = load_taskrouter(no_routing).diagnostics
    assert diag.code == "AR210" and "task_routing" in diag.message


def test_not_a_workflow(tmp_path: Path) -> None:
    path = write(tmp_path, {"triggers": []})
    assert not is_taskrouter(path)
    with pytest.raises(AuditError) as info:
        load_taskrouter(path)
    assert info.value.code == "AR204"
    assert is_taskrouter(write(tmp_path, resource("WW1", "x", VIP), "w.json"))
    assert is_taskrouter(write(tmp_path, VIP, "c.json"))
