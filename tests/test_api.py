"""The Python API as a notebook user meets it: paths or lists, a short repr, an HTML summary, DataFrames."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from auditrules.api import check
from auditrules.pipeline import CheckOptions, run


def test_repr_and_html_summary(in_root: Path) -> None:
    report = check(routing="examples/acme/routing.yaml")
    n = len(report.verdicts)
    counts = ", ".join(f"{k} {s}" for s, k in report.summary()["rules"].items() if k)
    assert repr(report) == f"<Report: {n} rules ({counts}), exit code 1>"
    assert "fail, " in counts and "not_evaluated" in counts
    html = report._repr_html_()
    assert html.startswith(f"<p>auditrules: {n} rule(s), exit code 1 at fail-on low</p><table>")
    assert "<td>FAIR-001</td>" in html and "<b>fail</b>" in html
    assert "&#39;VIP customers skip the queue&#39;" in html or "&#39;Influencers" in html  # escaped


def test_html_summary_escapes(in_root: Path, tmp_path: Path) -> None:
    rules = tmp_path / "x.rules"
    rules.write_text(
        'define i = fields matching "*klout*"\nrule X-1 "<script>alert(1)</script>" {\n  severity low\n'
        "  routing must not read i\n}\n",
        encoding="utf-8",
    )
    html = check(rules=rules, routing="examples/acme/routing.yaml")._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_to_pandas(in_root: Path) -> None:
    pytest.importorskip("pandas")
    frames = check(tickets="examples/acme/tickets.parquet", select="FAIR-00[36]").to_pandas()
    assert list(frames.findings.columns[:4]) == ["rule_id", "title", "severity", "status"]
    assert set(frames.findings["rule_id"]) == {"FAIR-003", "FAIR-006"}
    groups = frames.groups
    assert {"email", "twitter"} <= set(groups["group"]) and (groups["n"] > 0).all()
    assert groups.loc[groups["rule_id"] == "FAIR-003", "stratum"].str.startswith("priority=").any()


def test_to_pandas_without_pandas(in_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    report = run(CheckOptions(routing=("examples/acme/routing.yaml",)))
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match="pip install pandas"):
        report.to_pandas()
