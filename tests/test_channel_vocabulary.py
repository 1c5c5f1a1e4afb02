"""The built-in ticket mappings agree with the one channel vocabulary (auditrules/channels.py)."""

from __future__ import annotations

import duckdb
import pytest

from auditrules.channels import ALIASES, CHANNELS, ZENDESK_VIA_IDS, canonical_channel
from auditrules.tickets.mapping import BUILTINS, canonical_mapping, load_mapping
from auditrules.tickets.plan import clean_view, render


def _channel_values(name: str) -> dict[str, str | None]:
    column = load_mapping(name).column("channel")
    return dict(column.values) if column is not None else {}


@pytest.mark.parametrize("name", BUILTINS)
def test_builtin_channel_values_are_canonical_and_agree(name: str) -> None:
    for spelling, channel in _channel_values(name).items():
        assert channel in CHANNELS, f"{name}: {spelling!r} → {channel!r} is not a canonical channel"
        assert canonical_channel(spelling) == channel, (
            f"{name}: {spelling!r} → {channel!r}, but the channel vocabulary says {canonical_channel(spelling)!r}"
        )


def test_zendesk_mapping_reads_every_via_id_and_spelling_as_the_vocabulary_does() -> None:
    known = {str(i): c for i, c in ZENDESK_VIA_IDS.items()} | dict(ALIASES)
    con = duckdb.connect()
    con.execute("CREATE TABLE ar_raw (id VARCHAR, via_channel VARCHAR, created_at VARCHAR)")
    con.executemany("INSERT INTO ar_raw VALUES (?, ?, '2024-01-01T00:00:00')", [(k, k) for k in known])
    schema = {"id": "VARCHAR", "via_channel": "VARCHAR", "created_at": "VARCHAR"}
    view = clean_view(load_mapping("zendesk"), schema, ["ticket_id", "channel"])
    rows = dict(con.execute(f"SELECT ticket_id, channel FROM ({render(view.select)})").fetchall())
    assert rows == known
    assert rows["45"] == "phone"  # cti_phone_call_inbound, as routing reads it


def test_zendesk_via_id_45_is_phone_in_tickets() -> None:
    """A ticket whose via id is 45 is a phone ticket in the ticket half, as in the routing half."""
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE ar_raw AS SELECT * FROM (VALUES (1, 45, '2024-01-01T00:00:00'), (2, 4, '2024-01-01T00:00:00'))"
        " t(id, via_id, created_at)"
    )
    schema = {"id": "BIGINT", "via_id": "BIGINT", "created_at": "VARCHAR"}
    view = clean_view(load_mapping("zendesk"), schema)
    rows = con.execute(f"SELECT ticket_id, channel FROM ({render(view.select)}) ORDER BY ticket_id").fetchall()
    assert rows == [("1", "phone"), ("2", "email")]


def test_ticket_channels_without_a_mapping_speak_the_vocabulary() -> None:
    """Without a mapping (or a mapping with no ``values:``), spellings and via ids become canonical names."""
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE ar_raw AS SELECT * FROM (VALUES ('1', 'Voice'), ('2', 'E-Mail'), ('3', '45'), ('4', 'Web Form'),"
        " ('5', 'Telepathy'), ('6', 'chat'), ('7', NULL), ('8', ' Live Chat ')) t(ticket_id, channel)"
    )
    view = clean_view(canonical_mapping(), {"ticket_id": "VARCHAR", "channel": "VARCHAR"}, ["ticket_id", "channel"])
    rows = con.execute(f"SELECT ticket_id, channel FROM ({render(view.select)}) ORDER BY ticket_id").fetchall()
    assert [c for _, c in rows] == ["phone", "email", "phone", "web", "telepathy", "chat", None, "chat"]
