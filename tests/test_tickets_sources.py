"""Ticket sources and mappings: path resolution, mapping validation, error codes."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from auditrules.errors import AuditError
from auditrules.tickets.mapping import canonical_mapping, load_mapping
from auditrules.tickets.sources import file_format, resolve_sources

FIXTURES = Path(__file__).parent / "fixtures" / "tickets"


def test_file_formats() -> None:
    assert file_format("a.csv") == "csv"
    assert file_format("a.CSV.GZ") == "csv"
    assert file_format("a.jsonl.gz") == "jsonl"
    assert file_format("a.parquet") == "parquet"
    assert file_format("a.json") == "json"
    assert file_format("a.xlsx") is None


def test_resolve_directory_and_glob(tmp_path: Path) -> None:
    (tmp_path / "b.csv").write_text("ticket_id\n1\n")
    (tmp_path / "a.jsonl.gz").write_bytes(gzip.compress(b'{"ticket_id": 2}\n'))
    (tmp_path / "notes.md").write_text("not tickets")
    files = resolve_sources([str(tmp_path)])
    assert [(Path(f.path).name, f.format) for f in files] == [("a.jsonl.gz", "jsonl"), ("b.csv", "csv")]
    files = resolve_sources([str(tmp_path / "*.csv"), str(tmp_path / "b.csv")])
    assert [Path(f.path).name for f in files] == ["b.csv"]  # duplicates dropped


def test_missing_path_is_ar001(tmp_path: Path) -> None:
    with pytest.raises(AuditError) as err:
        resolve_sources([str(tmp_path / "nope.csv")])
    assert err.value.code == "AR001"


def test_empty_glob_is_ar306(tmp_path: Path) -> None:
    with pytest.raises(AuditError) as err:
        resolve_sources([str(tmp_path / "*.parquet")])
    assert err.value.code == "AR306"
    assert "\n" not in err.value.message


def test_empty_directory_is_ar306(tmp_path: Path) -> None:
    (tmp_path / "readme.txt.bak").write_text("x")
    with pytest.raises(AuditError) as err:
        resolve_sources([str(tmp_path)])
    assert err.value.code == "AR306"


def test_builtin_mappings_load() -> None:
    z = load_mapping("zendesk")
    ch = z.column("channel")
    assert ch is not None and ("via.channel" in ch.sources and "via_channel" in ch.sources)
    assert not ch.values  # via types, spellings and via ids go through the channel vocabulary
    status = z.column("status")
    assert status is not None and dict(status.values)["on-hold"] == "hold"
    fr = z.column("first_response")
    assert fr is not None and fr.unit == "minutes"
    assert not z.strict
    t = load_mapping("twitter-support")
    assert t.layout == "twitter-support"
    assert load_mapping(None) == canonical_mapping()


def test_mapping_file_loads() -> None:
    m = load_mapping(str(FIXTURES / "ticket_channel_mapping.yaml"))
    assert m.strict
    ch = m.column("channel")
    assert ch is not None and ch.sources == ("Ticket Channel",) and ch.others == "exclude"
    created = m.column("created_at")
    assert created is not None and created.format == "%d-%m-%Y %H:%M"


def test_unknown_mapping_key_is_ar303_with_line() -> None:
    with pytest.raises(AuditError) as err:
        load_mapping(str(FIXTURES / "bad_key_mapping.yaml"))
    e = err.value
    assert e.code == "AR303"
    assert "valuez" in e.message and "\n" not in e.message
    assert e.span is not None and e.span.line == 6
    assert "^" in str(e)  # rendered with a caret excerpt


def test_unknown_canonical_column_is_ar303(tmp_path: Path) -> None:
    p = tmp_path / "m.yaml"
    p.write_text("columns:\n  ticket_id: id\n  chanel: via\n")
    with pytest.raises(AuditError) as err:
        load_mapping(str(p))
    assert err.value.code == "AR303"
    assert "chanel" in err.value.message
    assert err.value.span is not None and err.value.span.line == 3


def test_bad_unit_is_ar303(tmp_path: Path) -> None:
    p = tmp_path / "m.yaml"
    p.write_text("columns:\n  first_response:\n    column: frt\n    unit: fortnights\n")
    with pytest.raises(AuditError) as err:
        load_mapping(str(p))
    assert err.value.code == "AR303"
    assert err.value.span is not None and err.value.span.line == 4


def test_invalid_yaml_mapping_is_ar303(tmp_path: Path) -> None:
    p = tmp_path / "m.yaml"
    p.write_text("columns: [\n")
    with pytest.raises(AuditError) as err:
        load_mapping(str(p))
    assert err.value.code == "AR303"


def test_missing_mapping_file_is_ar001(tmp_path: Path) -> None:
    with pytest.raises(AuditError) as err:
        load_mapping(str(tmp_path / "none.yaml"))
    assert err.value.code == "AR001"
