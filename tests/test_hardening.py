"""Hostile inputs (issue #10): one test per defect class that would have found it.

Property tests over many mutated inputs live in ``tests/test_properties.py``; the timed fuzz
runner is ``python -m tests.fuzz``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from auditrules.api import LoadedPolicy, load_policies, require_rules
from auditrules.cli import cli
from auditrules.documents import load_json_document, load_yaml_document, read_bytes, read_text
from auditrules.errors import AuditError, visible
from auditrules.lang.format import format_source
from auditrules.lang.parser import parse_policy
from auditrules.report.render import render, visible_data

ROOT = Path(__file__).resolve().parent.parent
STANDARD = ROOT / "rules" / "fairness.rules"
ACME = ROOT / "examples" / "acme" / "routing.yaml"
TICKETS = ROOT / "examples" / "acme" / "tickets.parquet"
REPORT = ROOT / "tests" / "fixtures" / "reports" / "acme-report.json"
RULE = 'rule X-1 "t" {{\n  severity low\n  tickets where {cond}\n  require share(outcome == "resolved") >= 50%\n}}\n'


def _invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _error(*args: str) -> str:
    """The one error line of a run that must exit 2."""
    code, _, err = _invoke(*args)
    assert code == 2, err
    lines = [ln for ln in err.splitlines() if "error[" in ln]
    assert len(lines) == 1 and err.startswith(lines[0]) and "Traceback" not in err, err
    return lines[0]


# --- 1. CR-only line endings ------------------------------------------------------------------------


@pytest.mark.parametrize("newline", ["\r", "\r\n"])
def test_old_mac_and_windows_line_ends_keep_every_rule(tmp_path: Path, newline: str) -> None:
    text = STANDARD.read_text(encoding="utf-8")
    f = tmp_path / "cr.rules"
    f.write_bytes(text.replace("\n", newline).encode())
    assert len(load_policies([f])[0].policy.rules) == len(parse_policy(text).rules) >= 8
    code, _, _ = _invoke("check", "--rules", str(f), "--routing", str(ACME), "-q")
    assert code == 1  # the unfair config fails, as with the "\n" file
    assert _invoke("fmt", str(f))[0] == 0
    formatted = f.read_text(encoding="utf-8")
    assert "\r" not in formatted and formatted == format_source(text)
    assert parse_policy(formatted) == parse_policy(text)


def test_line_ends_normalised_for_yaml_and_json(tmp_path: Path) -> None:
    y = tmp_path / "a.yaml"
    y.write_bytes(b"# comment\ra: 1\rb:\r  - x\r")
    doc = load_yaml_document(y)
    assert doc.data == {"a": 1, "b": ["x"]} and doc.line_of("/b/0") == 4
    j = tmp_path / "a.json"
    j.write_bytes(b'{\r"a": 1,\r"b": [2]\r}')
    assert load_json_document(j).positions["/b/0"] == (3, 7)


# --- 2. no rules -----------------------------------------------------------------------------------


@pytest.mark.parametrize("content", ["", "# nothing yet\n", "# a\r# b\r"])
def test_a_rules_file_without_rules_is_a_usage_error(tmp_path: Path, content: str) -> None:
    f = tmp_path / "empty.rules"
    f.write_text(content, encoding="utf-8", newline="")
    assert "error[AR007]" in _error("lint", str(f))
    assert "error[AR007]" in _error("check", "--rules", str(f), "--routing", str(ACME))


def test_a_run_with_only_definitions_has_no_rule(tmp_path: Path) -> None:
    f = tmp_path / "shared.rules"
    f.write_text('define social = channels "twitter"\n', encoding="utf-8")
    assert "error[AR007]: no rule to check" in _error("lint", str(f))


def test_require_rules_is_the_one_check_for_selections() -> None:
    loaded = load_policies()
    require_rules(loaded)
    empty = [LoadedPolicy(parse_policy('define s = channels "a"', "x.rules"), "", "")]
    with pytest.raises(AuditError) as info:
        require_rules(empty, "after --select NOPE-*")
    assert info.value.code == "AR007" and "after --select NOPE-*" in info.value.message


# --- 3. duplicate JSON keys ---------------------------------------------------------------------------


def test_duplicate_json_keys_are_refused_at_the_second_key(tmp_path: Path) -> None:
    bundle = tmp_path / "zd"
    shutil.copytree(ROOT / "examples" / "zendesk-twotier", bundle)
    triggers = bundle / "triggers.json"
    text = triggers.read_text(encoding="utf-8")
    triggers.write_text(text.replace('{\n  "triggers": [', '{\n  "triggers": [\n  ],\n  "triggers": [', 1))
    line = _error("check", "--routing", str(bundle))
    assert line.startswith(f"{triggers}:4:3: error[AR205]: duplicate key 'triggers'")


def test_duplicate_keys_nested_and_in_reports(tmp_path: Path) -> None:
    with pytest.raises(AuditError) as info:
        load_json_document("x.json", '[{"a": 1, "b": {"c": 1,\n "c": 2}}]')
    assert (info.value.code, info.value.span.line, info.value.span.column) == ("AR205", 2, 2)  # type: ignore[union-attr]
    assert load_json_document("x.json", '[{"a": 1}, {"a": 2}]').data == [{"a": 1}, {"a": 2}]
    f = tmp_path / "r.json"
    f.write_text('{"fail_on": "low", "fail_on": "never"}', encoding="utf-8")
    assert "error[AR401]: duplicate key 'fail_on'" in _error("report", str(f))


# --- 8. the rule language and generic loaders ------------------------------------------------------------


@pytest.mark.parametrize(
    ("literal", "message"),
    [
        ('"a\\qb"', "invalid escape '\\\\q'"),
        ('"a\tb"', "control character '\\t' inside a string"),
        ('"a\x00b"', "control character '\\x00' inside a string"),
        ('"\\ud800"', "half of a surrogate pair"),
    ],
)
def test_bad_strings_in_rules_are_one_line_ar101(tmp_path: Path, literal: str, message: str) -> None:
    f = tmp_path / "s.rules"
    f.write_text(RULE.format(cond=f"channel == {literal}"), encoding="utf-8")
    line = _error("lint", str(f))
    assert line.startswith(f"{f}:3:") and "error[AR101]" in line and message in line


@pytest.mark.parametrize("op", ["and", "or"])
def test_hundreds_of_chained_operators_are_ar114(tmp_path: Path, op: str) -> None:
    f = tmp_path / "d.rules"
    f.write_text(RULE.format(cond=f" {op} ".join(f'channel == "c{i}"' for i in range(500))), encoding="utf-8")
    assert "error[AR114]" in _error("lint", str(f))
    f.write_text(RULE.format(cond='channel == "x" and ' + "not " * 500 + "x"), encoding="utf-8")
    assert "error[AR114]" in _error("lint", str(f))


def test_a_deep_tickets_where_is_refused_before_sql(tmp_path: Path) -> None:
    f = tmp_path / "d.rules"
    f.write_text(RULE.format(cond=" or ".join(f'channel == "c{i}"' for i in range(170))), encoding="utf-8")
    assert "error[AR114]" in _error("check", "--rules", str(f), "--tickets", str(TICKETS))
    f.write_text(RULE.format(cond=" or ".join(f'channel == "c{i}"' for i in range(60))), encoding="utf-8")
    assert _invoke("check", "--rules", str(f), "--tickets", str(TICKETS), "-q")[0] in (0, 1)


def test_deep_canonical_when_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "r.yaml"
    when = " and ".join(f"customer.x{i} == 1" for i in range(300))
    f.write_text(
        f"auditrules: routing/v1\nrules:\n  - id: r1\n    when: '{when}'\n    then: {{set: {{group: vip}}}}\n",
        encoding="utf-8",
    )
    line = _error("check", "--routing", str(f))
    assert "error[AR114]" in line or "error[AR202]" in line  # refused, one line, never a RecursionError


@pytest.mark.parametrize(
    ("cond", "code"),
    [
        ("influence_score > 1e999", "AR109"),
        ("influence_score > " + "9" * 5000, "AR109"),
        ("first_response < 99999" + "9" * 400 + "w", "AR109"),
    ],
)
def test_non_finite_and_huge_numbers_in_rules(tmp_path: Path, cond: str, code: str) -> None:
    f = tmp_path / "n.rules"
    f.write_text(RULE.format(cond=cond), encoding="utf-8")
    assert f"error[{code}]" in _error("lint", str(f))


def test_minimum_with_thousands_of_digits(tmp_path: Path) -> None:
    f = tmp_path / "m.rules"
    f.write_text(
        'rule X-1 "t" {\n  severity low\n  tickets\n  minimum ' + "9" * 5000 + " tickets per group\n"
        '  require each channel: share(outcome == "resolved") >= 50%\n}\n',
        encoding="utf-8",
    )
    line = _error("lint", str(f))
    assert "error[AR109]: minimum 9999999999…(5000 characters) is too large" in line


@pytest.mark.parametrize(
    ("text", "code", "message"),
    [
        ("a: " + "[" * 500 + "]" * 500 + "\n", "AR003", "nesting deeper than 64 levels"),
        ("a: " + "{b: " * 500 + "1" + "}" * 500 + "\n", "AR003", "nesting deeper than 64 levels"),
        ("? [1, 2]\n: a\n", "AR201", "a mapping key is a collection, not a name"),
        ("a: " + "9" * 5000 + "\n", "AR003", "number of 5000 characters is too long"),
        ("a: .nan\n", "AR201", "is not finite"),
    ],
)
def test_hostile_yaml(tmp_path: Path, text: str, code: str, message: str) -> None:
    f = tmp_path / "w.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(AuditError) as info:
        load_yaml_document(f)
    assert info.value.code == code and message in info.value.message
    line = _error("check", "--routing", str(ACME), "--waivers", str(f))
    assert f"error[{code}]" in line


def test_yaml_keys_are_names(tmp_path: Path) -> None:
    """``1:``, ``true:``, ``yes:`` and ``~:`` are keys spelt like a number, boolean or null: names."""
    f = tmp_path / "k.yaml"
    f.write_text("1: a\ntrue: b\nyes: c\n~: d\n", encoding="utf-8")
    assert load_yaml_document(f).data == {"1": "a", "true": "b", "yes": "c", "~": "d"}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("[1e999]", "AR205"),
        ("[NaN]", "AR205"),
        ("[-Infinity]", "AR205"),
        ("[" + "7" * 5000 + "]", "AR003"),
        ("[" * 100_000 + "]" * 100_000, "AR003"),
    ],
)
def test_hostile_json(text: str, code: str) -> None:
    with pytest.raises(AuditError) as info:
        load_json_document("x.json", text)
    assert info.value.code == code


def test_lone_surrogate_in_a_title_renders_in_every_format(tmp_path: Path) -> None:
    bundle = tmp_path / "zd"
    shutil.copytree(ROOT / "examples" / "zendesk-twotier", bundle)
    triggers = bundle / "triggers.json"
    data = json.loads(triggers.read_text(encoding="utf-8"))
    for t in data["triggers"]:
        t["title"] = "VIP \ud800 \x1b[2J" + t["title"]
    triggers.write_text(json.dumps(data, indent=2), encoding="utf-8")  # ensure_ascii: "\ud800" escapes
    for fmt in ("text", "json", "markdown", "html", "sarif", "junit"):
        out = tmp_path / f"out.{fmt}"
        code, _, err = _invoke("check", "--routing", str(bundle), "--format", fmt, "-o", str(out))
        assert code == 1, err
        text = out.read_text(encoding="utf-8")
        assert "\x1b" not in text and "\ud800" not in text
    report = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert any("\ud800" in f["message"] for f in report["findings"])  # JSON keeps the value exactly


# --- 9. `auditrules report` on altered reports ---------------------------------------------------------


def _altered(tmp_path: Path, change: str) -> Path:
    data = json.loads(REPORT.read_text(encoding="utf-8"))
    finding = next(i for i, f in enumerate(data["findings"]) if f["evidence"])
    if change == "string-evidence":
        data["findings"][finding]["evidence"]["groups"] = "vip"  # typed evidence: a list of groups
    text = json.dumps(data)
    total = re.compile(r'"rules_total": \d+')
    assert total.search(text)
    if change == "huge":
        text, n = re.subn(r'"rules_total": \d+', '"rules_total": 1' + "0" * 400, text)
        assert n == 1
    if change == "nan":
        text, n = re.subn(r'"rules_total": \d+', '"rules_total": NaN', text)
        assert n == 1
    f = tmp_path / "r.json"
    f.write_text(text, encoding="utf-8")
    return f


@pytest.mark.parametrize("change", ["huge", "nan"])
@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "json"])
def test_out_of_range_numbers_in_reports_are_ar401(tmp_path: Path, change: str, fmt: str) -> None:
    assert "error[AR401]" in _error("report", str(_altered(tmp_path, change)), "--format", fmt)


@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "sarif", "junit", "json"])
def test_evidence_of_the_wrong_shape_is_ar401_naming_the_finding(tmp_path: Path, fmt: str) -> None:
    line = _error("report", str(_altered(tmp_path, "string-evidence")), "--format", fmt)
    assert "error[AR401]: not a valid auditrules report at /findings/" in line and "/evidence" in line


# --- 10. output paths and one-line errors ----------------------------------------------------------------


def test_output_to_a_directory_or_empty_path(tmp_path: Path) -> None:
    assert "error[AR006]" in _error("check", "--routing", str(ACME), "-o", str(tmp_path))
    code, out, err = _invoke("check", "--routing", str(ACME), "-o", "")
    assert code == 2 and out == "" and "error[AR006]: the output path is empty" in err
    assert "error[AR006]" in _error("report", str(REPORT), "-o", str(tmp_path))


def test_explain_with_a_newline_is_one_line() -> None:
    line = _error("explain", "FAIR-001\nrm -rf /")
    assert "FAIR-001\\nrm -rf /" in line


def test_error_messages_never_carry_raw_control_characters() -> None:
    err = AuditError("AR004", "no rule \x1b[2Jx\r\ny\u2028z")
    assert str(err) == "error[AR004]: no rule \\x1b[2Jx\\r\\ny\\u2028z"


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("format", '"%d-%Q-%Y"', "unknown format directive '%Q'"),
        ("timezone", "Mars/Olympus", "unknown timezone 'Mars/Olympus'"),
    ],
)
def test_mapping_format_and_timezone_errors_are_ar303(tmp_path: Path, key: str, value: str, message: str) -> None:
    src = (ROOT / "tests" / "fixtures" / "tickets" / "ticket_channel_mapping.yaml").read_text(encoding="utf-8")
    assert '    format: "%d-%m-%Y %H:%M"\n' in src
    new = f"    {key}: {value}\n" if key == "format" else f'    format: "%d-%m-%Y %H:%M"\n    {key}: {value}\n'
    m = tmp_path / "m.yaml"
    m.write_text(src.replace('    format: "%d-%m-%Y %H:%M"\n', new), encoding="utf-8")
    csv = ROOT / "tests" / "fixtures" / "tickets" / "twitter_support.csv"
    line = _error("check", "--tickets", str(csv), "--mapping", str(m))
    assert "error[AR303]" in line and message in line


# --- 11. what -o may replace ------------------------------------------------------------------------------


def test_output_through_a_symlink_writes_the_target(tmp_path: Path) -> None:
    target = tmp_path / "real.json"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o640)
    link = tmp_path / "link.json"
    link.symlink_to(target.name)
    assert _invoke("check", "--routing", str(ACME), "--format", "json", "-o", str(link))[0] == 1
    assert link.is_symlink() and json.loads(target.read_text(encoding="utf-8"))["exit_code"] == 1
    assert target.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.json", "real.json"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX special files")
def test_devices_fifos_and_links_to_them_are_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    devlink = tmp_path / "null"
    devlink.symlink_to("/dev/null")
    for path in (fifo, devlink, Path("/dev/null")):
        assert "error[AR006]" in _error("check", "--routing", str(ACME), "-o", str(path))
    assert fifo.is_fifo() and devlink.is_symlink() and Path("/dev/null").is_char_device()


# --- 12. interrupted writes -------------------------------------------------------------------------------

_WRITER = textwrap.dedent(
    """
    import os, signal, sys, time
    from auditrules.report import output
    # as in an interactive shell: a job started in the background inherits SIGINT ignored
    signal.signal(signal.SIGINT, signal.default_int_handler)
    real_replace = os.replace
    def replace(src, dst):
        os.kill(os.getpid(), getattr(signal, sys.argv[2]))  # a real signal, mid-write
        time.sleep(5)
        real_replace(src, dst)
    output.os.replace = replace
    output.write_atomic(sys.argv[1], "x" * 3_000_000)
    """
)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="POSIX signals")
@pytest.mark.parametrize("name", ["SIGTERM", "SIGINT", "SIGHUP"])
def test_a_signal_mid_write_leaves_no_temporary_file(tmp_path: Path, name: str) -> None:
    out = tmp_path / "x.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", _WRITER, str(out), name], env=env, capture_output=True, timeout=60)
    assert proc.returncode != 0
    if name != "SIGINT":
        assert proc.returncode == -getattr(signal, name)  # ends as signalled, like an untouched process
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not hasattr(os, "kill"), reason="POSIX signals")
def test_sigterm_from_outside_during_a_large_write(tmp_path: Path) -> None:
    script = (
        "import sys\nfrom auditrules.report.output import write_atomic\nwrite_atomic(sys.argv[1], 'y' * 400_000_000)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", script, str(tmp_path / "big.txt")], env=env)
    try:
        for _ in range(3000):  # wait for the temporary file, then signal while it is being written
            if any(p.name.endswith(".tmp") for p in tmp_path.iterdir()) or proc.poll() is not None:
                break
            import time

            time.sleep(0.002)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    finally:
        proc.kill()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_non_oserror_mid_write_leaves_no_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from auditrules.report import output

    def broken(src: str, dst: str) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(output.os, "replace", broken)
    with pytest.raises(RuntimeError):
        output.write_atomic(tmp_path / "x.txt", "content")
    assert list(tmp_path.iterdir()) == []


# --- 13. special files as input ----------------------------------------------------------------------------


@pytest.mark.skipif(not (hasattr(os, "mkfifo") and Path("/dev/zero").exists()), reason="POSIX special files")
def test_special_files_as_input_are_refused_without_reading(tmp_path: Path) -> None:
    zero = {s: tmp_path / f"zero.{s}" for s in ("rules", "yaml", "json", "csv")}
    for p in zero.values():
        p.symlink_to("/dev/zero")
    fifo = {s: tmp_path / f"fifo.{s}" for s in ("rules", "yaml", "json", "csv")}
    for p in fifo.values():
        os.mkfifo(p)
    acme = str(ACME)
    for files in (zero, fifo):
        for args in (
            ["lint", str(files["rules"])],
            ["check", "--routing", str(files["json"])],
            ["check", "--routing", str(files["yaml"])],
            ["check", "--routing", acme, "--tickets", str(files["csv"])],
            ["check", "--routing", acme, "--waivers", str(files["yaml"])],
            ["check", "--routing", acme, "--baseline", str(files["json"])],
            ["check", "--tickets", str(TICKETS), "--mapping", str(files["yaml"])],
            ["report", str(files["json"])],
        ):
            assert "error[AR002]" in _error(*args), args
    bundle = tmp_path / "zd"
    shutil.copytree(ROOT / "examples" / "zendesk-fair", bundle)
    os.mkfifo(bundle / "macros.json")
    assert "error[AR002]" in _error("check", "--routing", str(bundle))


def test_reads_are_bounded_by_bytes_read_not_st_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "big.rules"
    f.write_bytes(b"#" * 5000)
    real_fstat = os.fstat

    class Lying:
        def __init__(self, st: os.stat_result) -> None:
            self.st_mode, self.st_size = st.st_mode, 0

    monkeypatch.setattr(os, "fstat", lambda fd: Lying(real_fstat(fd)))
    with pytest.raises(AuditError) as info:
        read_bytes(f, max_bytes=1000)
    assert info.value.code == "AR003"
    assert read_text(f, max_bytes=10_000)[0] == "#" * 5000


# --- 14. control characters in renderings --------------------------------------------------------------------


def test_control_characters_render_visibly_everywhere() -> None:
    data = json.loads(REPORT.read_text(encoding="utf-8"))
    hostile = "VIP\x1b[2J\x01\x08\x7f\x9b\ud800 end"
    data["rules"][0]["title"] = hostile
    data["findings"][0]["message"] = hostile
    data["findings"][0]["title"] = hostile
    for fmt in ("text", "markdown", "html", "sarif", "junit"):
        out = render(data, fmt)
        shown = out.replace("\\\\", "\\").replace("\\[", "[")  # Markdown escapes \\ and [ once more
        assert "\\x1b[2J\\x01\\x08\\x7f\\x9b\\ud800 end" in shown, fmt
        assert not any(ch in out for ch in "\x1b\x01\x08\x7f\x9b\ud800"), fmt
    assert "\\u001b[2J" in render(data, "json")  # JSON's own escape keeps the exact value


def test_visible_keeps_ordinary_text() -> None:
    assert visible("naïve café — 東京\n\tok") == "naïve café — 東京\n\tok"
    assert visible("a\nb", one_line=True) == "a\\nb"
    assert visible_data({"k\x1b": ["\x00", 1, None]}) == {"k\\x1b": ["\\x00", 1, None]}


def test_visible_escapes_exactly_the_unprintable_controls_and_surrogates() -> None:
    """Every code point, alone between letters: escaped when it is a C0/C1 control or a surrogate
    (and, on one line, a line feed, tab or a Unicode line or paragraph separator), kept otherwise."""
    kept_in_lines = {"\n", "\t"}
    for code in range(0x110000):
        ch = chr(code)
        control = code < 0x20 or 0x7F <= code <= 0x9F or 0xD800 <= code <= 0xDFFF
        for one_line in (False, True):
            escaped = (control and (one_line or ch not in kept_in_lines)) or (one_line and ch in "\u2028\u2029")
            assert (visible(f"a{ch}b", one_line) != f"a{ch}b") == escaped, (hex(code), one_line)


def test_explain_shows_escaped_control_characters_visibly(tmp_path: Path) -> None:
    f = tmp_path / "x.rules"
    f.write_text(
        'rule X-1 "clear\\u001b[2J" {  # \x1b[31m raw in a comment\n  severity low\n  rationale "a\\u0007b"\n'
        "  sla must cover every channel\n}\n",
        encoding="utf-8",
    )
    code, out, _ = _invoke("explain", "X-1", "--rules", str(f))
    assert code == 0 and "\x1b" not in out and "\x07" not in out
    assert "clear\\x1b[2J" in out and "a\\x07b" in out and "\\x1b[31m" in out


def test_sla_target_that_overflows_in_seconds_is_a_note(tmp_path: Path) -> None:
    """Found by the fuzz runner: 1e308 minutes is finite, in seconds it is not (the JSON writer refused inf)."""
    bundle = tmp_path / "zd"
    shutil.copytree(ROOT / "examples" / "zendesk-twotier", bundle)
    sla = bundle / "sla_policies.json"
    data = json.loads(sla.read_text(encoding="utf-8"))
    data["sla_policies"][0]["policy_metrics"][0]["target"] = 1e308
    sla.write_text(json.dumps(data), encoding="utf-8")
    code, out, err = _invoke("check", "--routing", str(bundle), "--format", "json")
    assert code == 1, err
    assert any("is not a number of minutes" in d["message"] for d in json.loads(out)["diagnostics"])
