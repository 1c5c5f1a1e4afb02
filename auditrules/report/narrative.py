"""Plain language for a client: typed evidence → sentences a board member reads without a glossary.

The executive summary of the HTML report has one paragraph per failing rule, built here from the
rule's findings: who is promised what (SLA targets), which routing rule treats whom differently
and on what signal, which customers waited longer or got less. No command-line hints, no rule
syntax, no SQL: those belong in the terminal output and the technical appendix.

Pure functions of the report's JSON form; this module imports only :mod:`auditrules.evidence`,
:mod:`auditrules.units` and :mod:`auditrules.report.statuses`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from auditrules import allowed_evidence as AE
from auditrules import evidence as E
from auditrules import ticket_evidence as TE
from auditrules.units import format_value

#: Canonical column → how a client would say it (used in "the share of tickets ..." phrases).
COLUMN_PHRASES: Mapping[str, str] = {
    "first_response": "first-reply time",
    "resolution_time": "time to resolution",
    "compensation": "compensation",
    "satisfaction": "satisfaction score",
    "influence_score": "influence score",
    "reopens": "number of reopens",
    "replies": "number of replies",
}
#: Channel names as written in prose.
CHANNEL_NAMES: Mapping[str, str] = {
    "email": "email",
    "phone": "phone",
    "chat": "chat",
    "web": "web-form",
    "sms": "SMS",
    "api": "API",
    "twitter": "Twitter",
    "facebook": "Facebook",
    "instagram": "Instagram",
    "whatsapp": "WhatsApp",
    "messaging": "messaging",
    "social": "social-media",
    "mobile": "mobile-app",
    "callback": "callback",
    "video": "video",
}
_WORDS = {"s": ("second", "seconds"), "m": ("minute", "minutes"), "h": ("hour", "hours"), "d": ("day", "days")}
_METRICS = {
    "first_response": "a first reply",
    "next_reply": "each next reply",
    "resolution": "a resolution",
    "periodic_update": "a periodic update",
    "pausable_update": "an update",
    "requester_wait": "their wait to end",
    "agent_work": "an agent's work to be done",
}
_SHARE = re.compile(r"^share\((?P<col>\w+)\s*(?P<op><=|>=|==|!=|<|>)\s*(?P<val>.+)\)$")
_QUANTILE = re.compile(r"^p(?P<p>\d{1,2})\((?P<col>\w+)\)$")
_SIMPLE = re.compile(r"^(?P<fn>median|mean|min|max|sum|count)\((?P<col>\w*)\)$")
_OP_WORDS = {"<=": "within", "<": "in under", ">=": "after at least", ">": "after more than"}


@dataclass(frozen=True)
class Paragraph:
    """One failing rule, said plainly: ``anchor`` links to its evidence section."""

    rule_id: str
    title: str
    severity: str
    anchor: str
    sentences: tuple[str, ...]


def duration_words(seconds: float) -> str:
    """``3600`` → ``1 hour``, ``86400`` → ``24 hours``, ``432000`` → ``5 days``."""
    text = format_value(seconds, "duration")
    number, suffix = text[:-1], text[-1:]
    if suffix not in _WORDS:
        return text
    one, many = _WORDS[suffix]
    return f"{number} {one if number == '1' else many}"


def channel_name(channel: str) -> str:
    return CHANNEL_NAMES.get(channel, channel)


def join_words(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def group_phrase(group: str, group_by: str | None) -> str:
    """A group as people say it: channels by name, deciles and quartiles as tenths and quarters."""
    by = group_by or ""
    if by.startswith("deciles(") and re.fullmatch(r"D\d+", group):
        return f"customers in tenth {group[1:]} of 10 by {_column(by[8:-1])} ({group})"
    if by.startswith("quartiles(") and re.fullmatch(r"Q\d", group):
        return f"customers in quarter {group[1:]} of 4 by {_column(by[10:-1])} ({group})"
    if by == "channel":
        return f"{channel_name(group)} customers"
    return f"{by} {group}" if by else group


def _column(name: str) -> str:
    return COLUMN_PHRASES.get(name, name.replace("_", " "))


def measure_phrase(aggregate: str) -> str:
    """``share(first_response <= 4h)`` → ``the share of tickets with a first reply within 4 hours``."""
    share = _SHARE.match(aggregate)
    if share:
        col, op, val = share["col"], share["op"], share["val"].strip().strip('"')
        if col in ("first_response", "resolution_time") and op in _OP_WORDS:
            what = "a first reply" if col == "first_response" else "a resolution"
            return f"the share of tickets given {what} {_OP_WORDS[op]} {_spoken_value(val)}"
        verb = "is" if op == "==" else ("is not" if op == "!=" else op)
        return f"the share of tickets whose {_column(col)} {verb} {val}"
    quantile = _QUANTILE.match(aggregate)
    if quantile:
        return f"the {_column(quantile['col'])} that {quantile['p']}% of tickets stay within"
    simple = _SIMPLE.match(aggregate)
    if simple:
        words = {
            "median": "the median",
            "mean": "the average",
            "min": "the lowest",
            "max": "the highest",
            "sum": "the total",
            "count": "the number of tickets",
        }
        return f"{words[simple['fn']]} {_column(simple['col'])}".strip()
    return aggregate


def _spoken_value(text: str) -> str:
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([smhdw])", text)
    if not m:
        return text
    seconds = float(m[1]) * {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}[m[2]]
    return duration_words(seconds)


def _stratum_text(stratum: Mapping[str, str] | None) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted((stratum or {}).items()))


# ---------------------------------------------------------------- per evidence kind


def sentences(ev: E.Evidence) -> list[str]:
    """What one failing finding means, in plain sentences (empty when there is nothing to add)."""
    if isinstance(ev, E.SlaTargets):
        return [_sla_targets(ev)]
    if isinstance(ev, E.SlaCoverageGap):
        partial = " only under extra conditions" if ev.partial_policies else " at all"
        return [f"{capitalise(channel_name(ev.channel))} customers have no service-level promise{partial}."]
    if isinstance(ev, E.RoutingChain):
        return [_routing_chain(ev)]
    if isinstance(ev, AE.RoutingOutsideAllowed):
        return [
            f"The routing rule “{ev.routing_rule}” decides on {join_words(list(ev.not_allowed))}, "
            "which the policy does not allow routing to use."
        ]
    if isinstance(ev, TE.TicketGroups):
        return _ticket_groups(ev)
    return []


def _sla_targets(ev: E.SlaTargets) -> str:
    by_target: dict[float | None, list[str]] = {}
    for row in ev.targets:
        by_target.setdefault(row.seconds, []).append(channel_name(row.channel))
    what = _METRICS.get(ev.metric, ev.metric.replace("_", " "))
    parts = []
    for seconds, channels in sorted(by_target.items(), key=lambda kv: (kv[0] is None, kv[0] or 0.0)):
        who = join_words(channels) + " customers"
        if seconds is None:
            parts.append(f"{who} are promised nothing")
        else:
            parts.append(f"{who} are promised {what} within {duration_words(seconds)}")
    priority = f" (tickets of {ev.priority} priority)" if ev.priority and ev.priority != "any" else ""
    return capitalise("; ".join(parts)) + priority + "."


def _routing_chain(ev: E.RoutingChain) -> str:
    origin = [ev.chain[0].reads] if ev.chain else list(ev.reads)
    signals = join_words([r.removeprefix("tag:") for r in origin]) or "an influence signal"
    effects = [f"{e.kind} {e.value}" for e in ev.effects]
    does = f" and sets {join_words(effects)}" if effects else ""
    derived = [s.writes.removeprefix("tag:") for s in ev.chain if s.writes]
    via = f" (through the derived {join_words(derived)})" if derived else ""
    return f"The routing rule “{ev.routing_rule}” treats customers differently by {signals}{via}{does}."


def threshold_words(t: TE.Threshold, unit: str) -> str:
    """``<= 24h`` → ``at most 24 hours``; ``between 0.8 and 1.25`` stays as it reads."""
    words = {"<=": "at most", "<": "under", ">=": "at least", ">": "over", "==": "exactly", "!=": "anything but"}
    if t.op == "between":
        return f"between {_figure(t.value, unit)} and {_figure(t.high, unit)}"
    return f"{words.get(t.op, t.op)} {_figure(t.value, unit)}"


def _figure(value: Any, unit: str) -> str:
    """A figure in words: durations spelt out, differences of shares in percentage points,
    ratios below 1 as percentages."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if unit == "duration":
            return duration_words(float(value))
        if unit == "points":
            return f"{float(value) * 100:.1f} percentage points"
        if unit == "ratio":
            return format_value(value, "fraction" if value < 1 else "number")
    return format_value(value, unit)


def _ratio_words(value: float | None) -> str:
    if value is None:
        return "not known"
    if value < 1:
        return f"{format_value(value, 'fraction')} of"
    return f"{format_value(value, 'number')} times"


def _ticket_groups(ev: TE.TicketGroups) -> list[str]:
    measure = measure_phrase(ev.aggregate)
    failing = [c for c in ev.comparisons if c.verdict == "fail"]
    if not failing:
        return []
    w = ev.worst_first()[0]
    where = _stratum_text(w.stratum)
    where = f" among {where} tickets" if where else ""
    n_failing = ev.comparison_counts.failing if ev.comparison_counts else len(failing)
    n_total = ev.comparison_counts.total if ev.comparison_counts else len(ev.comparisons)
    more = f" ({n_failing} of {n_total} comparisons fail)" if n_failing > 1 else ""
    if ev.mode == "across" and w.reference is not None:
        this, ref = group_phrase(w.group, ev.group_by), group_phrase(w.reference, ev.group_by)
        if ev.measure == "difference":
            unit = "points" if ev.unit == "fraction" else ev.unit
            figures = f"{capitalise(measure)} differs by {_figure(w.value, unit)} between {this} and {ref}"
            allowed = threshold_words(ev.threshold, unit)
        else:
            figures = f"For {this}, {measure} is {_ratio_words(w.value)} that for {ref}"
            allowed = threshold_words(ev.threshold, "ratio")
        return [f"{figures}{where}; the policy allows {allowed}{more}."]
    who = group_phrase(w.group, ev.group_by) if ev.group_by else "all tickets in scope"
    return [
        f"For {who}{where}, {measure} is {_figure(w.value, ev.unit)}; "
        f"the policy requires {threshold_words(ev.threshold, ev.unit)}{more}."
    ]


#: What a rule needed that was not supplied, as a client would say it.
_NEEDED = {"tickets": "ticket history", "routing": "routing configuration"}


def client_message(message: str, ev: E.Evidence) -> str:
    """A finding's message for client text: terminal hints (``use --tickets PATH``) become words."""
    if isinstance(ev, E.MissingEvidence):
        what = _NEEDED.get(ev.needs, f"{ev.needs} data")
        return f"No {what} was supplied for this audit, so this rule was not checked."
    return message


def paragraphs(
    rules: Iterable[Mapping[str, Any]], findings: Iterable[Mapping[str, Any]], anchor: Any
) -> list[Paragraph]:
    """One :class:`Paragraph` per failing rule, most severe first. ``anchor(rule_id)`` names its section."""
    by_rule: dict[str, list[Mapping[str, Any]]] = {}
    for f in findings:
        by_rule.setdefault(str(f.get("rule_id")), []).append(f)
    rank = {"high": 0, "medium": 1, "low": 2}
    out = []
    for rule in rules:
        if rule.get("status") not in ("fail", "error"):
            continue
        rid = str(rule.get("rule_id"))
        said: list[str] = []
        for f in by_rule.get(rid, []):
            if f.get("status") not in ("fail", "error"):
                continue
            for s in sentences(E.evidence_from_json(f.get("evidence"))):
                if s not in said:
                    said.append(s)
        if not said:
            said = [str(f.get("message")) for f in by_rule.get(rid, []) if f.get("status") in ("fail", "error")][:3]
        out.append(Paragraph(rid, str(rule.get("title", "")), str(rule.get("severity", "")), anchor(rid), tuple(said)))
    return sorted(out, key=lambda p: (rank.get(p.severity, 3), p.rule_id))


__all__ = ["Paragraph", "client_message", "duration_words", "group_phrase", "measure_phrase", "paragraphs", "sentences"]
