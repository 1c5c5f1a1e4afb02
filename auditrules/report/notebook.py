"""Reports in a notebook: report data (the JSON form) → a short HTML summary table, and pandas frames.

pandas is optional: :func:`to_frames` imports it only when called and says how to install it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from markupsafe import Markup

from auditrules.report.locations import where

if TYPE_CHECKING:
    import pandas as pd

FINDING_COLUMNS = ("rule_id", "title", "severity", "status", "message", "location", "fingerprint")
GROUP_COLUMNS = ("rule_id", "requirement", "stratum", "group", "n", "value", "low", "high", "eligible")


class Frames(NamedTuple):
    """The findings, and every group figure of the ticket findings, as DataFrames."""

    findings: pd.DataFrame
    groups: pd.DataFrame


def summary_html(data: Mapping[str, Any]) -> str:
    """One row per rule (id, title, severity, status, first open finding), every value escaped."""
    first: dict[str, str] = {}
    for f in data.get("findings") or []:
        if f.get("status") != "pass":
            first.setdefault(str(f.get("rule_id")), str(f.get("message") or ""))
    rows = [
        Markup("<tr><td>{}</td><td>{}</td><td>{}</td><td><b>{}</b></td><td>{}</td></tr>").format(
            r.get("rule_id"), r.get("title"), r.get("severity"), r.get("status"), first.get(str(r.get("rule_id")), "")
        )
        for r in data.get("rules") or []
    ]
    head = Markup(
        "<table><thead><tr><th>rule</th><th>title</th><th>severity</th><th>status</th><th>finding</th></tr>"
        "</thead><tbody>"
    )
    caption = Markup("<p>auditrules: {} rule(s), exit code {} at fail-on {}</p>").format(
        len(data.get("rules") or []), data.get("exit_code"), data.get("fail_on")
    )
    return str(caption + head + Markup("").join(rows) + Markup("</tbody></table>"))


def _group_rows(f: Mapping[str, Any]) -> list[dict[str, Any]]:
    ev = f.get("evidence") or {}
    out = []
    for g in ev.get("groups") or []:
        if not isinstance(g, Mapping):
            continue
        interval = g.get("interval") or [None, None]
        stratum = g.get("stratum")
        out.append(
            {
                "rule_id": f.get("rule_id"),
                "requirement": ev.get("requirement"),
                "stratum": ", ".join(f"{k}={v}" for k, v in sorted(stratum.items()))
                if isinstance(stratum, Mapping)
                else stratum,
                "group": g.get("group"),
                "n": g.get("n"),
                "value": g.get("value"),
                "low": interval[0],
                "high": interval[1],
                "eligible": g.get("eligible"),
            }
        )
    return out


def to_frames(data: Mapping[str, Any]) -> Frames:
    """The report as DataFrames (needs pandas: ``pip install pandas``)."""
    try:
        import pandas as pd
    except ImportError:
        raise ImportError("Report.to_pandas() needs pandas: pip install pandas") from None
    findings = [
        {
            **{k: f.get(k) for k in FINDING_COLUMNS if k != "location"},
            "location": where((f.get("locations") or [None])[0]),
        }
        for f in data.get("findings") or []
    ]
    groups = [row for f in data.get("findings") or [] for row in _group_rows(f)]
    return Frames(
        pd.DataFrame(findings, columns=list(FINDING_COLUMNS)), pd.DataFrame(groups, columns=list(GROUP_COLUMNS))
    )


__all__ = ["Frames", "summary_html", "to_frames"]
