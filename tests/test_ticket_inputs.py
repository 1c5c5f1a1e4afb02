"""Hostile and vendor-shaped ticket inputs: short CSV rows, empty sources, Zendesk API envelopes,
mapping CSV options, time zones and as-of times."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from auditrules.cli import cli
from auditrules.errors import AuditError
from auditrules.tickets.engines import DuckDBEngine
from auditrules.tickets.mapping import load_mapping
from auditrules.tickets.sources import CsvOptions, csv_row_problem, resolve_sources, with_csv_options
from tests.ticket_exports import KAGGLE_COLUMNS, kaggle_rows, write_csv, zendesk_export


def _register(paths: list[Path], options: CsvOptions | None = None) -> dict[str, str]:
    files = resolve_sources([str(p) for p in paths])
    if options is not None:
        files = with_csv_options(files, options)
    eng = DuckDBEngine()
    try:
        return eng.register(files)
    finally:
        eng.close()


def _check(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["check", "-q", *args])
    return result.exit_code, result.stdout, result.stderr


# ---------------------------------------------------------------- short rows


def test_short_last_row_names_line_and_field_count(tmp_path: Path) -> None:
    path = write_csv(kaggle_rows(40), tmp_path / "customer_support_tickets.csv", KAGGLE_COLUMNS)
    with path.open("a", encoding="utf-8") as fh:
        fh.write("41,Customer 41,c41@example.org,30\n")  # the export was cut off mid-row
    code, _, err = _check("--tickets", str(path))
    assert code == 2
    assert f"{path}:42:1: error[AR311]: line 42 has 4 field(s) where the header has {len(KAGGLE_COLUMNS)}" in err
    assert "null_padding" in err
    assert "Ticket ID" not in err  # the header is not listed as if it were one column
    assert len([ln for ln in err.splitlines() if "error[" in ln]) == 1
    assert "41,Customer 41,c41@example.org,30" in err  # the caret excerpt shows the short row


def test_null_padding_reads_the_short_row(tmp_path: Path) -> None:
    path = write_csv(kaggle_rows(40), tmp_path / "t.csv", KAGGLE_COLUMNS)
    with path.open("a", encoding="utf-8") as fh:
        fh.write("41,Customer 41,c41@example.org,30\n")
    schema = _register([path], CsvOptions(null_padding=True))
    assert "Ticket Channel" in schema and len(schema) == len(KAGGLE_COLUMNS)


def test_row_problem_counts_quoted_newlines_as_one_row(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text('a,b,c\n1,"two\nlines",3\n4,5\n', encoding="utf-8")
    assert csv_row_problem(str(path), CsvOptions()) == (4, 2, 3)


def test_csv_options_delimiter_quote_skip_rows_header(tmp_path: Path) -> None:
    path = tmp_path / "banner.csv"
    path.write_text("Helpdesk report, generated 2024-03-01\n\nid|channel|note\n1|email|'a|b'\n2|phone|x\n", "utf-8")
    schema = _register([path], CsvOptions(delimiter="|", quote="'", skip_rows=2))
    assert list(schema) == ["id", "channel", "note"]
    schema = _register([path], CsvOptions(delimiter="|", quote="'", skip_rows=3, header=False))
    assert len(schema) == 3 and "id" not in schema


def test_mapping_carries_csv_options(tmp_path: Path) -> None:
    m = tmp_path / "m.yaml"
    m.write_text(
        "auditrules: mapping/v1\ncsv: {delimiter: ';', quote: \"'\", header: true, skip_rows: 1, null_padding: true}\n"
        "columns:\n  ticket_id: id\n",
        encoding="utf-8",
    )
    mapping = load_mapping(str(m))
    assert mapping.csv == CsvOptions(delimiter=";", quote="'", header=True, skip_rows=1, null_padding=True)
    m.write_text("auditrules: mapping/v1\ncsv: {delimiter: ';;'}\ncolumns:\n  ticket_id: id\n", encoding="utf-8")
    with pytest.raises(AuditError) as err:
        load_mapping(str(m))
    assert err.value.code == "AR303" and err.value.span is not None and err.value.span.line == 2


# ---------------------------------------------------------------- sources with no rows


def _header_only(tmp: Path) -> Path:
    p = tmp / "tickets.csv"
    p.write_text(",".join(KAGGLE_COLUMNS) + "\n", encoding="utf-8")
    return p


def _zero_bytes(tmp: Path) -> Path:
    p = tmp / "tickets.csv"
    p.write_bytes(b"")
    return p


def _empty_jsonl(tmp: Path) -> Path:
    p = tmp / "tickets.jsonl"
    p.write_text("\n", encoding="utf-8")
    return p


def _empty_gzip_jsonl(tmp: Path) -> Path:
    p = tmp / "tickets.jsonl.gz"
    p.write_bytes(gzip.compress(b""))
    return p


def _zero_row_parquet(tmp: Path) -> Path:
    p = tmp / "tickets.parquet"
    pq.write_table(pa.table({"ticket_id": pa.array([], pa.string()), "channel": pa.array([], pa.string())}), p)
    return p


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (_header_only, "a header line and no rows"),
        (_zero_bytes, "an empty file"),
        (_empty_jsonl, "no JSON lines"),
        (_empty_gzip_jsonl, "no JSON lines"),
        (_zero_row_parquet, "a Parquet file with 0 rows"),
    ],
    ids=["header-only-csv", "0-byte-csv", "empty-jsonl", "empty-jsonl-gz", "0-row-parquet"],
)
def test_source_with_no_rows_is_an_input_error(tmp_path: Path, make: object, said: str) -> None:
    path = make(tmp_path)  # type: ignore[operator]
    code, out, err = _check("--tickets", str(path))
    assert code == 2, out
    assert "error[AR310]" in err and said in err and str(path) in err
    assert "GROUP BY" not in err


def test_an_empty_file_among_full_ones_is_fine(tmp_path: Path) -> None:
    full = write_csv(kaggle_rows(30), tmp_path / "a.csv", KAGGLE_COLUMNS)
    (tmp_path / "b.csv").write_text(",".join(KAGGLE_COLUMNS) + "\n", encoding="utf-8")
    schema = _register([full, tmp_path / "b.csv"])
    assert "Ticket Channel" in schema


# ---------------------------------------------------------------- Zendesk API envelopes


def test_zendesk_envelope_is_unpacked_with_nested_via(tmp_path: Path) -> None:
    tickets, _ = zendesk_export(tmp_path, n=40)
    schema = _register([tickets])
    assert "tickets" not in schema and schema["via"].upper().startswith("STRUCT")
    assert {"id", "status", "priority", "created_at"} <= set(schema)
    _, out, _ = _check("--tickets", str(tickets), "--mapping", "zendesk", "--format", "json")
    report = json.loads(out)
    rows = [f["evidence"]["rows"]["read"] for f in report["findings"] if "rows" in f["evidence"]]
    assert rows and set(rows) == {40}, rows  # 40 tickets, not one row holding a list


def test_zendesk_paged_envelopes_are_combined(tmp_path: Path) -> None:
    tickets, _ = zendesk_export(tmp_path, n=30)
    page = json.loads(tickets.read_text(encoding="utf-8"))
    (tmp_path / "page2").mkdir()
    second = tmp_path / "page2" / "tickets.json"
    for t in page["tickets"]:
        t["id"] += 1000
    second.write_text(json.dumps(page), encoding="utf-8")
    files = resolve_sources([str(tickets), str(second)])
    eng = DuckDBEngine()
    try:
        eng.register(files)
        (count,) = eng.con.execute('SELECT COUNT(*) FROM "ar_raw"').fetchone()  # type: ignore[misc]
    finally:
        eng.close()
    assert count == 60


# ---------------------------------------------------------------- matches and CSV options end to end


def test_matches_uses_the_same_normalisation_as_the_values(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("ticket_id,channel\n" + "".join(f"{i},Twitter\n" for i in range(5)), encoding="utf-8")
    rules = tmp_path / "r.rules"
    rules.write_text(
        'rule M-1 "m" {\n  severity low\n  tickets where channel matches "Twit*"\n  require count >= 5\n}\n',
        encoding="utf-8",
    )
    _, out, _ = _check("--rules", str(rules), "--tickets", str(path), "--format", "json")
    report = json.loads(out)
    (finding,) = [f for f in report["findings"] if f["rule_id"] == "M-1"]
    assert finding["status"] == "pass", finding["message"]
    assert finding["evidence"]["rows"]["evaluated"] == 5


def test_semicolon_csv_with_banner_lines_through_the_mapping(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    lines = ["Support export;;", "generated 2024-03-01;;", "id;channel;priority"]
    lines += [f"{i};{'email' if i % 2 else 'phone'};normal" for i in range(40)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        "auditrules: mapping/v1\ncsv: {delimiter: ';', skip_rows: 2}\ncolumns:\n  ticket_id: id\n  channel: channel\n",
        encoding="utf-8",
    )
    rules = tmp_path / "r.rules"
    rules.write_text('rule C-1 "c" {\n  severity low\n  tickets\n  require count >= 40\n}\n', encoding="utf-8")
    code, out, err = _check(
        "--rules", str(rules), "--tickets", str(path), "--mapping", str(mapping), "--format", "json"
    )
    assert code == 0, err
    (finding,) = [f for f in json.loads(out)["findings"] if f["rule_id"] == "C-1"]
    assert finding["status"] == "pass" and finding["evidence"]["rows"]["read"] == 40


# ---------------------------------------------------------------- time zones


def _zoned_file(tmp: Path) -> Path:
    """Mixed writing in one file: +08:00 offsets, Z, a zone name, and naive wall-clock times."""
    rows = ["ticket_id,channel,created_at,first_response_at"]
    for i in range(40):  # created 10:00 in Singapore = 02:00Z, answered 12:00Z: 10 hours
        rows.append(f"a{i},email,2024-01-0{1 + i % 5}T10:00:00+08:00,2024-01-0{1 + i % 5}T12:00:00Z")
    for i in range(40):  # naive: wall-clock times in the mapping's zone; 1 hour
        rows.append(f"b{i},phone,2024-01-0{1 + i % 5} 10:00:00,2024-01-0{1 + i % 5} 11:00:00")
    for i in range(40):  # a zone name and a compact offset: 10:00 Berlin = 09:00Z, 09:30Z; 30 minutes
        rows.append(f"c{i},chat,2024-01-0{1 + i % 5} 10:00:00 Europe/Berlin,2024-01-0{1 + i % 5} 10:30:00+0100")
    path = tmp / "zoned.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _medians(out: str) -> dict[str, float]:
    (finding,) = [f for f in json.loads(out)["findings"] if f["rule_id"] == "Z-1"]
    return {g["group"]: g["value"] for g in finding["evidence"]["groups"]}


def test_offsets_zone_names_and_naive_times_in_one_file(tmp_path: Path) -> None:
    path = _zoned_file(tmp_path)
    rules = tmp_path / "r.rules"
    rules.write_text(
        'rule Z-1 "z" {\n  severity low\n  tickets\n  require each channel: median(first_response) <= 4h\n}\n',
        encoding="utf-8",
    )
    code, out, _ = _check("--rules", str(rules), "--tickets", str(path), "--format", "json")
    assert _medians(out) == {"chat": 1800.0, "email": 36000.0, "phone": 3600.0}
    assert code == 1  # email waited 10 hours, not the 2 hours the dropped offset showed
    # naive times in New York: created 10:00 EST = 15:00Z; offsets still name their own instants
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        "auditrules: mapping/v1\ntimezone: America/New_York\ncolumns:\n  ticket_id: ticket_id\n"
        "  channel: channel\n  created_at: created_at\n  first_response_at:\n    column: first_response_at\n"
        "    timezone: UTC\n",
        encoding="utf-8",
    )
    _, out, _ = _check("--rules", str(rules), "--tickets", str(path), "--mapping", str(mapping), "--format", "json")
    medians = _medians(out)
    assert medians["email"] == 36000.0 and medians["chat"] == 1800.0
    # phone: created 10:00 New York (15:00Z), answered 11:00 read as UTC: negative, so excluded
    assert "phone" not in medians


def test_unknown_time_zone_is_a_mapping_error(tmp_path: Path) -> None:
    m = tmp_path / "m.yaml"
    m.write_text("auditrules: mapping/v1\ntimezone: Mars/Olympus\ncolumns:\n  ticket_id: id\n", encoding="utf-8")
    with pytest.raises(AuditError) as err:
        load_mapping(str(m))
    assert err.value.code == "AR303" and "Mars/Olympus" in err.value.message
    assert err.value.span is not None and err.value.span.line == 2


# ---------------------------------------------------------------- a second source joined by ticket id


def test_zendesk_tickets_joined_with_ticket_metrics(tmp_path: Path) -> None:
    tickets, metrics = zendesk_export(tmp_path, n=4000)
    code, out, err = _check(
        "--tickets", str(tickets), "--tickets", str(metrics), "--mapping", "zendesk", "--format", "json"
    )
    report = json.loads(out)
    by_rule = {f["rule_id"]: f for f in report["findings"]}
    fair010 = by_rule["FAIR-010"]
    # phone (via voice) reopens 35% of its solved tickets, the other channels 5%
    assert fair010["status"] == "fail", fair010["message"]
    assert "phone" in fair010["message"]
    assert fair010["evidence"]["rows"]["read"] == 4000  # tickets, not tickets + metrics rows
    # reply times come from the metrics; tickets not yet answered ("new") are censored
    p90 = next(f for f in report["findings"] if f["evidence"].get("aggregate", "").startswith("p90(first_response"))
    assert p90["evidence"]["rows"]["censored"] > 0
    assert code == 1, err


def test_join_key_missing_is_ar301(tmp_path: Path) -> None:
    tickets, metrics = zendesk_export(tmp_path, n=50)
    data = json.loads(metrics.read_text(encoding="utf-8"))
    for m in data["ticket_metrics"]:
        del m["ticket_id"]
    metrics.write_text(json.dumps(data), encoding="utf-8")
    code, _, err = _check("--tickets", str(tickets), "--tickets", str(metrics), "--mapping", "zendesk")
    assert code == 2 and "error[AR301]" in err and "'ticket_id'" in err
