"""Columns rules name: typos are errors (AR312), lint warns, absent canonical columns are reported gaps."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from auditrules.cli import cli
from tests.ticket_exports import tweets


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, [*args])
    return result.exit_code, result.stdout, result.stderr


def _data(tmp: Path) -> Path:
    rows = ["ticket_id,channel,priority,status,created_at,first_response_at"]
    for i in range(80):
        ch = ("email", "phone")[i % 2]
        rows.append(f"{i},{ch},normal,solved,2024-01-01T10:00:00Z,2024-01-01T11:{i % 60:02d}:00Z")
    path = tmp / "t.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _rules(tmp: Path, text: str) -> Path:
    path = tmp / "r.rules"
    path.write_text(text, encoding="utf-8")
    return path


TYPO_GROUP = 'rule T-1 "t" {\n  severity high\n  tickets\n  require across chanel: ratio(share(first_response <= 4h)) >= 0.8\n}\n'
TYPO_AGG = 'rule T-2 "t" {\n  severity high\n  tickets\n  require each channel: p90(first_respnse) <= 24h\n}\n'


def test_typo_in_group_is_an_error_with_did_you_mean(tmp_path: Path) -> None:
    code, out, err = _run(
        "check", "-q", "--rules", str(_rules(tmp_path, TYPO_GROUP)), "--tickets", str(_data(tmp_path))
    )
    assert code == 2 and out == ""
    assert "r.rules:4:18: error[AR312]" in err and "did you mean 'channel'?" in err
    assert "^^^^^^" in err  # the caret excerpt under 'chanel'


def test_typo_in_aggregate_is_an_error(tmp_path: Path) -> None:
    code, _, err = _run("check", "-q", "--rules", str(_rules(tmp_path, TYPO_AGG)), "--tickets", str(_data(tmp_path)))
    assert code == 2 and "error[AR312]" in err and "'first_response'" in err


def test_a_pass_through_column_of_the_data_is_fine(tmp_path: Path) -> None:
    data = _data(tmp_path)
    text = 'rule P-1 "p" {\n  severity low\n  tickets\n  require each priority: share(status == "solved") >= 50%\n}\n'
    text += 'rule P-2 "p" {\n  severity low\n  tickets where ticket_id != "x"\n  require count >= 1\n}\n'
    code, _, err = _run("check", "-q", "--rules", str(_rules(tmp_path, text)), "--tickets", str(data))
    assert code == 0, err


def test_lint_warns_on_non_canonical_columns(tmp_path: Path) -> None:
    code, out, err = _run("lint", str(_rules(tmp_path, TYPO_GROUP + TYPO_AGG.replace("T-2", "T-3"))))
    assert code == 0 and "2 rule(s): ok" in out
    assert "r.rules:4:18: warning: rule T-1 names column 'chanel'" in err and "did you mean 'channel'?" in err
    assert "first_respnse" in err
    code, _, err = _run("lint", "rules/fairness.rules")
    assert code == 0 and err == ""  # the standard pack names canonical columns only


def test_absent_canonical_column_is_not_evaluated_and_said_in_the_summary(tmp_path: Path) -> None:
    corpus = tweets(tmp_path / "twcs.csv")
    code, out, err = _run("check", "-q", "--tickets", str(corpus), "--mapping", "twitter-support")
    assert code in (0, 1), err
    last = out.strip().splitlines()[-1]
    assert "not evaluated (" in last and "no 'influence_score' column in the ticket data" in last
    code2, out2, _ = _run(
        "check",
        "-q",
        "--tickets",
        str(corpus),
        "--mapping",
        "twitter-support",
        "--fail-on-not-evaluated",
        "--format",
        "json",
    )
    report = json.loads(out2)
    assert code2 == 1 and report["exit_code"] == 1
    assert report["summary"]["not_evaluated"]


def test_empty_scope_is_insufficient_data_and_the_others_are_judged(tmp_path: Path) -> None:
    rows = ["ticket_id,channel,priority,status,created_at,first_response_at,influence_score,compensation,agent_tier"]
    for i in range(200):
        ch = ("email", "phone")[i % 2]
        rows.append(f"{i},{ch},normal,solved,2024-01-01T10:00:00Z,2024-01-01T11:00:00Z,,0,senior")
    path = tmp_path / "t.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    code, out, err = _run("check", "-q", "--tickets", str(path), "--format", "json")
    assert code in (0, 1), err  # no AR304 "GROUP BY term out of range"
    report = json.loads(out)
    by_rule = {f["rule_id"]: f["status"] for f in report["findings"]}
    assert by_rule["FAIR-004"] == "insufficient_data"  # influence all empty: deciles of nothing
    assert by_rule["FAIR-007"] == "insufficient_data"  # compensation all 0: quartiles of nothing
    assert by_rule["FAIR-006"] == "pass"  # judged as usual
    for f in report["findings"]:
        rows_ = f["evidence"].get("rows")
        if rows_:
            assert rows_["read"] == rows_["evaluated"] + sum(rows_["excluded"].values())


def test_twitter_layout_gives_fair003_openers_only_with_unanswered_censored(tmp_path: Path) -> None:
    corpus = tweets(tmp_path / "twcs.csv", conversations=120, unanswered_share=0.25)
    _, out, _ = _run("check", "-q", "--tickets", str(corpus), "--mapping", "twitter-support", "--format", "json")
    report = json.loads(out)
    p90 = next(
        f
        for f in report["findings"]
        if f["rule_id"] == "FAIR-003" and f["evidence"].get("aggregate", "").startswith("p90")
    )
    # before: 8 of 8 rules not evaluated (no status) and orphan mid-thread replies counted as tickets
    assert p90["status"] in ("pass", "fail", "inconclusive"), p90["message"]
    rows = p90["evidence"]["rows"]
    assert rows["read"] == 120  # the 120 openers; follow-ups and the 6 orphan replies are not tickets
    assert rows["censored"] > 0 and rows["read"] == rows["evaluated"] + sum(rows["excluded"].values())
    (group,) = p90["evidence"]["groups"]
    assert group["group"] == "twitter" and group["censored"] == rows["censored"]
