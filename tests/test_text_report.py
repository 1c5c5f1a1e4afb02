"""The text report (auditrules/report/text.py): without colour (a pipe, a file, a CI log) its lines
are the report's text as written — locked by golden files — and with colour they go through rich.
Rule titles, messages and paths are data: text that looks like rich markup (``[bold]``, ``[/]``)
or an emoji code (``:fire:``) is printed as it is, never interpreted."""

from __future__ import annotations

import copy
import os
import re
from pathlib import Path
from typing import Any

import pytest

from auditrules.evidence import validated_upstream
from auditrules.report.json import load_report
from auditrules.report.render import render

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "reports"
GOLDEN = ROOT / "tests" / "golden" / "reports"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
ODD = "a [bold]b[/bold] c\\[d] :fire: e\\ [/] f\tg 漢字\th"


@pytest.mark.parametrize("name", ["acme-report", "tickets-report"])
def test_plain_text_matches_golden(name: str) -> None:
    data = load_report(str(FIXTURES / f"{name}.json"))
    with validated_upstream():
        text = render(data, "text")
    golden = GOLDEN / f"{name}.txt"
    if os.environ.get("AUDITRULES_UPDATE_GOLDEN") == "1":
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def _odd(data: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(data)
    for rule in out["rules"]:
        rule["title"] = ODD
    for finding in out["findings"]:
        finding["message"] = ODD
    return out


@pytest.mark.parametrize("color", [False, True])
def test_markup_and_emoji_codes_are_printed_as_written(color: bool) -> None:
    data = _odd(load_report(str(FIXTURES / "acme-report.json")))
    with validated_upstream():
        plain = ANSI.sub("", render(data, "text", color=color))
    assert "🔥" not in plain
    lines = [line for line in plain.splitlines() if "a [bold]b[/bold] c\\[d] :fire: e\\ [/] f" in line]
    assert len(lines) == len(data["rules"]) + len(data["findings"]), plain
    assert all(
        "g 漢字" in line and line.rstrip().endswith(("h", "h (high)", "h (medium)", "h (low)")) for line in lines
    )


def test_tabs_expand_by_terminal_cells() -> None:
    data = _odd(load_report(str(FIXTURES / "acme-report.json")))
    with validated_upstream():
        plain = render(data, "text")
        colored = ANSI.sub("", render(data, "text", color=True))
    message_lines = [line for line in plain.splitlines() if line.startswith("    ") and "[bold]b" in line]
    assert message_lines
    assert all(line in colored.splitlines() for line in message_lines)  # rich lays tabs out the same way


@pytest.mark.parametrize("name", ["acme-report", "tickets-report"])
@pytest.mark.parametrize("verbose", [False, True])
def test_text_made_of_the_printed_part_only_is_the_same(name: str, verbose: bool) -> None:
    """Only what the text report prints is made visible (no doc page; in a trusted report, no
    evidence it does not show): the text is what rendering the whole report gives."""
    from auditrules.evidence import TICKET_KINDS
    from auditrules.report.render import visible_data
    from auditrules.report.text import printed_part, render_text

    data = load_report(str(FIXTURES / f"{name}.json"))
    data["rules"][0]["doc"] = "# a doc page\x1b[2J\n"
    assert render(data, "text", verbose=verbose) == render_text(visible_data(data), verbose=verbose)
    with validated_upstream():
        assert render(data, "text", verbose=verbose) == render_text(visible_data(data), verbose=verbose)
        part = printed_part(data)
    assert all("doc" not in r and "source" not in r for r in part["rules"])
    for slim, f in zip(part["findings"], data["findings"], strict=True):
        kept = f["evidence"]["kind"] in TICKET_KINDS
        assert slim["evidence"] == (f["evidence"] if kept else {"kind": f["evidence"]["kind"]})
