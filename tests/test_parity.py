"""Priority parity (FAIR-011) and like-for-like SLA parity (FAIR-002) on hand-built models."""

from __future__ import annotations

from auditrules.channels import like_for_like
from auditrules.findings import Location, Status
from auditrules.lang.parser import parse_expression, parse_policy
from auditrules.routing.analysis import evaluate_routing
from auditrules.routing.model import Effect, Read, RoutingModel, RoutingRule, SlaPolicy, SlaTarget
from auditrules.routing.parity import expression_channels

POLICY = parse_policy(
    """
define written = channels "email", "twitter"
rule P-1 "priority parity" { severity high  routing priority must be equal across channel }
rule P-2 "priority parity, a set" { severity high  routing priority must be equal across written }
rule S-1 "sla parity" { severity high  sla targets must be equal across channel per priority }
""",
    "p.rules",
)


def loc(line: int) -> Location:
    return Location("x.json", line, 1, f"/r/{line}")


def prio_rule(
    rid: str, order: int, value: str, channels: tuple[str, ...] | None, reads: tuple[str, ...] = ()
) -> RoutingRule:
    return RoutingRule(
        rid,
        rid,
        "trigger",
        order,
        loc(order * 10),
        reads=tuple(Read(r, loc(order * 10 + 1), f"{r} is x") for r in reads),
        effects=(Effect("priority", value, loc(order * 10 + 2)),),
        channels=channels,
    )


def run(rule_id: str, m: RoutingModel) -> list:  # type: ignore[type-arg]
    r = next(r for r in POLICY.rules if r.id == rule_id)
    return evaluate_routing(POLICY, r, m)


CHANNELS = ("email", "twitter", "phone", "chat")


def test_social_priority_fails_within_the_async_class_at_the_effect_line() -> None:
    m = RoutingModel("canonical", "m", CHANNELS, (prio_rule("tw", 1, "1", ("twitter",)),))
    (f,) = run("P-1", m)
    assert f.status is Status.FAIL
    assert f.message.startswith("routing priority differs between async channels")
    assert "twitter: 1 by trigger 'tw'" in f.message and "email: not set by channel" in f.message
    assert [(loc.line, loc.pointer) for loc in f.locations] == [(12, "/r/12")]


def test_live_before_written_passes() -> None:
    m = RoutingModel("canonical", "m", CHANNELS, (prio_rule("live", 1, "1", ("chat", "phone")),))
    (f,) = run("P-1", m)
    assert f.status is Status.PASS


def test_direction_is_normalised_taskrouter_higher_first() -> None:
    # TaskRouter: 10 on chat and 10 on phone are equal; 10 vs 5 differ, whichever way round.
    # TaskRouter's default channels are judged: its live ones are chat, phone and video
    same = RoutingModel("taskrouter", "m", CHANNELS, (prio_rule("a", 1, "10", ("chat", "phone", "video")),))
    assert [f.status for f in run("P-1", same)] == [Status.PASS]
    diff = RoutingModel(
        "taskrouter", "m", CHANNELS, (prio_rule("a", 1, "10", ("chat",)), prio_rule("b", 2, "5", ("phone",)))
    )
    (f,) = run("P-1", diff)
    assert f.status is Status.FAIL and f.evidence["channel_class"] == "live"
    ranks = {c["channel"]: [p["rank"] for p in c["priorities"]] for c in f.evidence["channels"]}
    assert ranks == {"phone": [-5.0], "chat": [-10.0], "video": []}


def test_equal_named_priorities_on_every_written_channel_pass() -> None:
    rules = (prio_rule("a", 1, "high", ("email",)), prio_rule("b", 2, "HIGH", ("twitter",)))
    m = RoutingModel("zendesk", "m", ("email", "twitter"), rules)
    # zendesk's out-of-the-box channels (web, facebook) get nothing: they differ from email/twitter
    (f,) = run("P-1", m)
    assert f.status is Status.FAIL and "facebook, web: not set by channel" in f.message
    assert [x.status for x in run("P-2", m)] == [Status.PASS]


def test_priority_decided_outside_the_export_is_inconclusive() -> None:
    m = RoutingModel("connect", "m", ("email", "twitter"), (prio_rule("lam", 1, "$.External.prio", ("twitter",)),))
    (f,) = run("P-2", m)
    assert f.status is Status.INCONCLUSIVE and "decided outside the export" in f.message


def test_channel_read_without_a_resolved_scope_is_inconclusive_never_pass() -> None:
    m = RoutingModel("x", "m", ("email", "twitter"), (prio_rule("odd", 1, "1", None, reads=("task.channel",)),))
    assert [f.status for f in run("P-1", m)] == [Status.INCONCLUSIVE]


def test_no_priorities_in_the_export_is_not_evaluated() -> None:
    m = RoutingModel("genesys", "m", CHANNELS, (), priority_known=False)
    assert [f.status for f in run("P-1", m)] == [Status.NOT_EVALUATED]


def test_inactive_rules_are_ignored() -> None:
    r = prio_rule("tw", 1, "1", ("twitter",))
    m = RoutingModel("canonical", "m", CHANNELS, (RoutingRule(**{**r.__dict__, "active": False}),), priority_known=True)
    assert [f.status for f in run("P-1", m)] == [Status.PASS]


def test_expression_channels() -> None:
    u = ["email", "twitter", "phone"]
    assert expression_channels(parse_expression('channel == "Twitter" and x > 1'), u) == ("twitter",)
    assert expression_channels(parse_expression('channel in ("voice", "chat")'), u) == ("chat", "phone")
    assert expression_channels(parse_expression('channel != "email"'), u) == ("phone", "twitter")
    assert expression_channels(parse_expression('not channel == "email"'), u) == ("phone", "twitter")
    assert expression_channels(parse_expression('channel == "email" or x == 1'), u) is None
    assert expression_channels(parse_expression('channel == "pigeon"'), u) is None
    assert expression_channels(parse_expression("channel in social"), u) is None


def test_like_for_like_groups() -> None:
    assert like_for_like(["phone", "email", "chat", "twitter", "sms"]) == [
        ("live", ("phone", "chat")),
        ("async", ("email", "twitter", "sms")),
    ]
    assert like_for_like(["phone", "email"]) == []
    assert like_for_like(["phone", "email"], cross_class=True) == [("all", ("phone", "email"))]


def sla(
    name: str,
    channel: str,
    metric: str,
    seconds: float,
    share: float | None = None,
    scope: str | None = None,
    order: int = 0,
) -> SlaPolicy:
    t = SlaTarget(metric, "*", seconds, False, loc(order * 10 + 1), share)
    return SlaPolicy(name, (channel,), (t,), loc(order * 10), order=order, scope=scope)


def test_voice_20s_vs_email_24h_is_not_a_failure_on_its_own() -> None:
    m = RoutingModel(
        "x",
        "m",
        ("phone", "email"),
        (),
        (
            sla("Voice", "phone", "first_response", 20, 0.8),
            sla("Email", "email", "first_response", 86400, 0.8, order=1),
        ),
    )
    (f,) = run("S-1", m)
    assert f.status is Status.NOT_EVALUATED and "no two channels of one class" in f.message


def test_messaging_one_minute_vs_email_24h_fails() -> None:
    m = RoutingModel(
        "x",
        "m",
        ("phone", "chat", "email", "messaging"),
        (),
        (
            sla("Voice", "phone", "first_response", 20),
            sla("Chat", "chat", "first_response", 20, order=1),
            sla("Email", "email", "first_response", 86400, order=2),
            sla("Social", "messaging", "first_response", 60, order=3),
        ),
    )
    (f,) = run("S-1", m)
    assert f.status is Status.FAIL and f.evidence["channel_class"] == "async"
    assert "email: 24h by 'Email'" in f.message and "messaging: 1m by 'Social'" in f.message


def test_resolution_is_compared_across_classes() -> None:
    m = RoutingModel(
        "x",
        "m",
        ("phone", "email"),
        (),
        (sla("Voice", "phone", "resolution", 3600), sla("Email", "email", "resolution", 5 * 86400, order=1)),
    )
    (f,) = run("S-1", m)
    assert f.status is Status.FAIL and f.message.startswith("resolution target for every priority differs by channel")


def test_service_level_share_is_part_of_the_target() -> None:
    m = RoutingModel(
        "x",
        "m",
        ("phone", "chat"),
        (),
        (sla("Voice", "phone", "first_response", 20, 0.8), sla("Chat", "chat", "first_response", 20, 0.9, order=1)),
    )
    (f,) = run("S-1", m)
    assert f.status is Status.FAIL and "90% within 20s" in f.message and "80% within 20s" in f.message


def test_scoped_policies_compare_within_their_scope() -> None:
    policies = (
        sla("Support: email", "email", "first_response", 86400, 0.8, "queue 'Support'"),
        sla("Support: message", "messaging", "first_response", 86400, 0.8, "queue 'Support'", 1),
        sla("VIP: email", "email", "first_response", 3600, 0.8, "queue 'VIP'", 2),
        sla("VIP: message", "messaging", "first_response", 3600, 0.8, "queue 'VIP'", 3),
    )
    m = RoutingModel("genesys", "m", ("email", "messaging"), (), policies)
    assert [f.status for f in run("S-1", m)] == [Status.PASS]
    bad = (*policies[:3], sla("VIP: message", "messaging", "first_response", 20, 0.8, "queue 'VIP'", 3))
    (f,) = run("S-1", RoutingModel("genesys", "m", ("email", "messaging"), (), bad))
    assert f.status is Status.FAIL and "in queue 'VIP'" in f.message and f.evidence["scope"] == "queue 'VIP'"
