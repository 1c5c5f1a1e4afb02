"""The client report: plain-language summary, engagement details, trend, escaping, determinism.

The print test (headless Chromium → PDF → pages rendered by pdftoppm) lives in test_report_print.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditrules.report.html import css_string, render_html
from auditrules.report.narrative import duration_words, measure_phrase, paragraphs
from auditrules.report.trend import compare
from tests.conftest import update_golden

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "reports"

ENGAGEMENT = {
    "client": "Acme Retail Ltd",
    "auditor": {"name": "R. Okafor", "firm": "Fairline Consulting"},
    "period": "2025-01-01 to 2025-12-31",
    "scope": "Customer-service routing (canonical export) and the 2025 ticket history.",
    "date": "2026-01-15",
    "paper": "Letter",
}


def _check(*args: str) -> dict[str, Any]:
    from click.testing import CliRunner

    from auditrules.cli import cli

    result = CliRunner().invoke(cli, ["check", "-q", "--format", "json", *args])
    assert result.exit_code in (0, 1), result.output
    data: dict[str, Any] = json.loads(result.output)
    return data


@pytest.fixture(scope="module")
def acme(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return _check(
        "--routing", str(ROOT / "examples/acme/routing.yaml"), "--tickets", str(ROOT / "examples/acme/tickets.parquet")
    )


@pytest.fixture(scope="module")
def acme_fair() -> dict[str, Any]:
    return _check(
        "--routing",
        str(ROOT / "examples/acme-fair/routing.yaml"),
        "--tickets",
        str(ROOT / "examples/acme-fair/tickets.parquet"),
    )


def test_summary_says_what_failed_in_plain_words(acme: dict[str, Any]) -> None:
    paras = {p.rule_id: p for p in paragraphs(acme["rules"], acme["findings"], lambda r: f"rule-{r}")}
    fair2 = " ".join(paras["FAIR-002"].sentences)
    assert "Facebook and Twitter customers are promised a first reply within 1 hour" in fair2
    assert "email customers are promised a first reply within 24 hours" in fair2
    assert "Chat customers have no service-level promise at all." in fair2
    assert "klout_score" in " ".join(paras["FAIR-001"].sentences)
    # most severe first, and nothing technical: no rule syntax, no command-line hints
    severities = [p.severity for p in paras.values()]
    assert severities == sorted(severities, key={"high": 0, "medium": 1, "low": 2}.__getitem__)
    for p in paras.values():
        for s in p.sentences:
            assert "--" not in s and "require " not in s and "share(" not in s, s


@pytest.mark.parametrize(
    ("aggregate", "expected"),
    [
        ("share(first_response <= 4h)", "the share of tickets given a first reply within 4 hours"),
        ("p90(first_response)", "the first-reply time that 90% of tickets stay within"),
        ("mean(compensation)", "the average compensation"),
        ('share(outcome == "deflected")', "the share of tickets whose outcome is deflected"),
    ],
)
def test_measures_in_words(aggregate: str, expected: str) -> None:
    assert measure_phrase(aggregate) == expected


def test_durations_in_words() -> None:
    assert [duration_words(s) for s in (3600, 86400, 432000, 5400, 60)] == [
        "1 hour",
        "24 hours",
        "5 days",
        "1.5 hours",
        "1 minute",
    ]


def test_not_evaluated_rules_have_no_terminal_hints_in_the_page() -> None:
    data = _check("--routing", str(ROOT / "examples/acme/routing.yaml"))
    page = render_html(data)
    assert "--tickets" not in page and "use --" not in page
    assert "No ticket history was supplied for this audit" in page


def test_engagement_details_on_the_cover_and_in_the_running_header(acme: dict[str, Any]) -> None:
    page = render_html({**acme, "engagement": ENGAGEMENT})
    assert "Acme Retail Ltd" in page and "R. Okafor, Fairline Consulting" in page
    assert "2025-01-01 to 2025-12-31" in page and "Report date" in page
    assert "size: letter;" in page
    assert 'content: "Acme Retail Ltd · Fairness audit: Customer-service fairness · 2026-01-15"' in page
    plain = render_html(acme)
    assert "Report date" not in plain and "size: A4;" in plain


def test_hostile_engagement_values_cannot_escape_html_or_css(acme: dict[str, Any]) -> None:
    hostile = {
        "client": 'Evil"; } body { display: none } </style><script>alert(1)</script>',
        "scope": "<img src=x onerror=alert(1)>",
        "logo": "https://example.com/logo.png",
    }
    page = render_html({**acme, "engagement": hostile})
    assert "<script>" not in page and "<img src=x" not in page
    assert "https://example.com" not in page  # only embedded data: URIs are kept
    assert page.count("</style>") == 1 and page.count("<style>") == 1
    style = page[page.index("<style>") : page.index("</style>")]
    # the value stays inside its CSS string: its quote and angle brackets are hex escapes
    assert "Evil\\22 ; } body" in style and 'Evil";' not in style
    assert css_string('a"b\\c\n<') == "a\\22 b\\5c c\\a \\3c "


def test_html_is_deterministic_and_matches_golden(tmp_path: Path) -> None:
    data = json.loads((ROOT / "tests/fixtures/reports/tickets-report.json").read_text(encoding="utf-8"))
    for name, extra in (("tickets-report.html", {}), ("tickets-report-client.html", {"engagement": ENGAGEMENT})):
        page = render_html({**data, **extra})
        assert page == render_html({**data, **extra})
        golden = GOLDEN / name
        if update_golden() or not golden.exists():
            golden.write_text(page, encoding="utf-8")
        assert page == golden.read_text(encoding="utf-8"), f"{name} differs (AUDITRULES_UPDATE_GOLDEN=1 to accept)"


def test_long_comparison_tables_collapse_to_the_worst(acme: dict[str, Any]) -> None:
    page = render_html(acme)
    assert "The 15 worst of 84 comparisons" in page
    assert 'id="appendix-figures"' in page and 'id="appendix-sources"' in page
    # the query and rule source live in the appendix only
    assert page.count('<pre class="sql">') == sum(
        1 for f in acme["findings"] if (f.get("evidence") or {}).get("kind") == "ticket-groups"
    )


def test_trend_shows_what_changed(acme: dict[str, Any], acme_fair: dict[str, Any]) -> None:
    trend = compare(acme_fair, acme, current_name="2026 audit", previous_name="2025 audit")
    assert {r.rule_id for r in trend.by_change("fixed")} == {
        r["rule_id"] for r in acme["rules"] if r["status"] == "fail"
    }
    assert trend.figures and trend.figures[0].relative >= trend.figures[-1].relative
    page = render_html(acme_fair, trend=trend)
    assert "Since the last audit" in page and "2025 audit" in page and "Fixed" in page
    back = compare(acme, acme_fair)
    assert back.by_change("newly failing")


def test_engagement_flags_reach_the_json_and_html_reports(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from auditrules.cli import cli

    logo = tmp_path / "logo.png"
    logo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    out = tmp_path / "r.json"
    args = [
        "check",
        "-q",
        "--routing",
        str(ROOT / "examples/acme/routing.yaml"),
        "--format",
        "json",
        "-o",
        str(out),
        "--client",
        "Acme Retail Ltd",
        "--auditor",
        "R. Okafor",
        "--auditor-firm",
        "Fairline Consulting",
        "--period",
        "2025",
        "--report-date",
        "2026-01-15",
        "--logo",
        str(logo),
        "--paper",
        "letter",
    ]
    assert CliRunner().invoke(cli, args).exit_code == 1
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["engagement"]["client"] == "Acme Retail Ltd" and data["engagement"]["paper"] == "Letter"
    assert data["engagement"]["logo"].startswith("data:image/png;base64,")
    html = tmp_path / "r.html"
    previous = tmp_path / "previous.json"
    fair = [
        "check",
        "-q",
        "--routing",
        str(ROOT / "examples/acme-fair/routing.yaml"),
        "--format",
        "json",
        "-o",
        str(previous),
    ]
    assert CliRunner().invoke(cli, fair).exit_code == 0
    result = CliRunner().invoke(
        cli,
        [
            "report",
            str(out),
            "--format",
            "html",
            "-o",
            str(html),
            "--compare",
            str(previous),
            "--scope",
            "Routing only",
        ],
    )
    assert result.exit_code == 0, result.output
    page = html.read_text(encoding="utf-8")
    assert "Acme Retail Ltd" in page and "Routing only" in page and "Since the last audit" in page
    assert "data:image/png;base64," in page and "size: letter;" in page
    # without engagement details, the JSON report carries no engagement section (byte-stable as before)
    plain = CliRunner().invoke(
        cli, ["check", "-q", "--routing", str(ROOT / "examples/acme/routing.yaml"), "--format", "json"]
    )
    assert "engagement" not in json.loads(plain.output)


def test_bad_engagement_values_are_one_line_errors(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from auditrules.cli import cli

    routing = str(ROOT / "examples/acme/routing.yaml")
    big = tmp_path / "big.png"
    big.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * (300 * 1024))
    text = tmp_path / "notes.txt"
    text.write_text("not an image", encoding="utf-8")
    for extra, code in (
        (["--report-date", "2026-1-5"], "AR005"),
        (["--logo", str(big)], "AR003"),
        (["--logo", str(text)], "AR006"),
    ):
        result = CliRunner().invoke(cli, ["check", "-q", "--routing", routing, *extra])
        assert result.exit_code == 2 and f"error[{code}]" in result.output, result.output
