"""Ticket mappings: a YAML mapping file (or a built-in name) → a validated :class:`Mapping`.

A mapping says which source column feeds each canonical ticket column, how its values are
renamed, how its timestamps or durations are written, and which durations derive from
timestamps. It is validated against ``schemas/mapping.schema.json``; errors are
:class:`~auditrules.errors.AuditError` ``AR303`` pointing at the offending line. Nothing here
touches data: :mod:`auditrules.tickets.plan` turns a mapping into SQL.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

from auditrules.columns import KINDS
from auditrules.documents import Document, load_yaml_document
from auditrules.errors import AuditError, Span, fail
from auditrules.resources import builtin_mapping, schema_path
from auditrules.tickets.sources import CsvOptions

BUILTINS: tuple[str, ...] = ("canonical", "zendesk", "twitter-support")


@dataclass(frozen=True)
class ColumnMap:
    """How one canonical column is read.

    ``sources`` are alternative source column names (first existing wins; empty for derived
    durations). ``values`` renames text values (keys trimmed); ``others`` is keep | exclude.
    ``format`` is a strptime format for timestamps or ``HH:MM:SS`` for durations; ``unit`` scales
    numeric durations to seconds; ``derive`` is (later, earlier) for derived durations.
    """

    name: str
    kind: str
    sources: tuple[str, ...] = ()
    values: tuple[tuple[str, str | None], ...] = ()
    others: str = "keep"
    format: str | None = None
    timezone: str | None = None
    unit: str = "seconds"
    derive: tuple[str, str] | None = None
    span: Span | None = field(default=None, compare=False)
    #: ``channels``: values not listed in ``values`` are looked up in the channel vocabulary.
    vocabulary: str | None = None


@dataclass(frozen=True)
class Join:
    """A second source joined to the tickets by ticket id: the files it is made of and its key column."""

    files: str
    key: tuple[str, ...]
    span: Span | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Mapping:
    """A validated mapping: one :class:`ColumnMap` per mapped canonical column."""

    name: str
    layout: str
    columns: tuple[ColumnMap, ...]
    path: str | None = None
    sha256: str = ""
    text: str | None = field(default=None, compare=False, repr=False)
    #: True for the implicit mapping used when no ``--mapping`` is given: canonical columns are
    #: taken by their own names when present, and absent ones are simply not available.
    implicit: bool = False
    #: False for built-in and implicit mappings: a mapped column the source lacks is then simply
    #: unavailable (rules needing it are not evaluated) instead of an AR301 error.
    strict: bool = True
    #: Zone of naive timestamps (already copied into each timestamp column without its own).
    timezone: str = "UTC"
    #: ISO 8601 instant open tickets are censored at (None: the latest timestamp in the data).
    as_of: datetime | None = None
    csv: CsvOptions = field(default_factory=CsvOptions)
    joins: tuple[Join, ...] = ()

    def column(self, name: str) -> ColumnMap | None:
        return next((c for c in self.columns if c.name == name), None)


def canonical_mapping() -> Mapping:
    """The mapping used without ``--mapping``: every canonical column under its own name."""
    cols = tuple(ColumnMap(name, kind, (name,)) for name, kind in KINDS.items())
    return Mapping("canonical", "table", cols, implicit=True, strict=False)


def load_mapping(spec: str | None) -> Mapping:
    """A mapping from a built-in name (``zendesk``, ``twitter-support``, ``canonical``) or a YAML path."""
    if spec is None or spec == "canonical":
        return canonical_mapping()
    if spec in BUILTINS:
        text = builtin_mapping(spec).read_text(encoding="utf-8")
        doc = load_yaml_document(f"<builtin:{spec}>", text, "")
        return replace(_from_document(doc, spec), strict=False)
    path = Path(spec)
    if not path.exists():
        known = ", ".join(BUILTINS)
        raise fail("AR001", f"no such mapping file: {spec} (built-in mappings: {known})")
    try:
        doc = load_yaml_document(path)
    except AuditError as err:
        if err.code == "AR201":  # invalid YAML in a mapping is a mapping error
            raise AuditError("AR303", err.message, err.span, err.source) from None
        raise
    return _from_document(doc, path.stem)


@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(schema_path("mapping.schema.json").read_text(encoding="utf-8"))
    return data


def _pointer(path: Any) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def _schema_error(doc: Document) -> AuditError | None:
    import jsonschema

    validator = jsonschema.Draft202012Validator(_schema())
    errors = sorted(validator.iter_errors(doc.data), key=lambda e: (list(map(str, e.path)), e.message))
    if not errors:
        return None
    err = errors[0]
    # descend into oneOf alternatives to find the most specific complaint
    while err.context:
        err = sorted(err.context, key=lambda e: (-len(e.path), e.message))[0]
    pointer = _pointer(err.absolute_path)
    span = doc.span_of(pointer)
    if err.validator == "additionalProperties":
        extra = sorted(
            set(err.instance) - set(err.schema.get("properties", {})) if isinstance(err.instance, dict) else []
        )
        where = "/".join(map(str, err.absolute_path)) or "top level"
        allowed = ", ".join(err.schema.get("properties", {}))
        key = extra[0] if extra else "?"
        span = _key_span(doc, pointer, key)
        message = f"unknown mapping key '{key}' in {where} (expected one of: {allowed})"
    else:
        where = "/".join(map(str, err.absolute_path)) or "top level"
        message = f"invalid mapping at {where}: {err.message}"
    return AuditError("AR303", message.replace("\n", " "), span, doc.text)


def _key_span(doc: Document, parent: str, key: str) -> Span:
    """Where ``key`` is written inside the mapping at ``parent`` (positions record values, not keys)."""
    start = doc.line_of(parent) or 1
    pattern = re.compile(r"^\s*(-\s+)?(['\"]?)" + re.escape(key) + r"\2\s*:")
    for i, line in enumerate(doc.text.splitlines()[start - 1 :], start=start):
        m = pattern.match(line)
        if m:
            col = line.index(key) + 1
            return Span(doc.path, i, col, i, col + len(key))
    return doc.span_of(f"{parent}/{key}")


def _from_document(doc: Document, default_name: str) -> Mapping:
    if not isinstance(doc.data, dict):
        raise AuditError(
            "AR303", "a mapping file must be a YAML mapping with a 'columns' key", Span(doc.path, 1, 1), doc.text
        )
    err = _schema_error(doc)
    if err is not None:
        raise err
    data: dict[str, Any] = doc.data
    zone = str(data.get("timezone", "UTC"))
    check_timezone(zone, doc, "/timezone")
    cols: list[ColumnMap] = []
    for name, spec in data["columns"].items():
        cm = _column(name, spec, doc.span_of(f"/columns/{name}"))
        if cm.kind == "timestamp":
            if cm.timezone is not None:
                check_timezone(cm.timezone, doc, f"/columns/{name}/timezone")
            else:
                cm = replace(cm, timezone=zone)
        cols.append(cm)
    as_of = _as_of(data["as_of"], doc) if "as_of" in data else None
    options = data.get("csv") or {}
    joins = tuple(
        Join(str(j["files"]), _sources(j["key"]), doc.span_of(f"/join/{i}")) for i, j in enumerate(data.get("join", []))
    )
    return Mapping(
        name=str(data.get("name", default_name)),
        layout=str(data.get("layout", "table")),
        columns=tuple(cols),
        path=doc.path,
        sha256=doc.sha256,
        text=doc.text,
        timezone=zone,
        as_of=as_of,
        csv=CsvOptions(
            delimiter=options.get("delimiter"),
            quote=options.get("quote"),
            header=bool(options.get("header", True)),
            skip_rows=int(options.get("skip_rows", 0)),
            null_padding=bool(options.get("null_padding", False)),
        ),
        joins=joins,
    )


def _as_of(value: Any, doc: Document) -> datetime:
    """The mapping's ``as_of``: YAML reads an unquoted timestamp as a datetime, a quoted one as text."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)
    return parse_instant(str(value), doc.span_of("/as_of"), doc.text)


def check_timezone(zone: str, doc: Document | None = None, pointer: str = "") -> None:
    """AR303 unless ``zone`` is an IANA zone name known to this system (``UTC``, ``Europe/Berlin``)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        span = doc.span_of(pointer) if doc is not None else None
        raise AuditError(
            "AR303",
            f"unknown time zone {zone!r} (use an IANA name such as UTC or Europe/Berlin)",
            span,
            doc.text if doc is not None else None,
        ) from None


def parse_instant(text: str, span: Span | None = None, source: str | None = None) -> datetime:
    """An ISO 8601 instant (``2024-03-31T23:59:59Z``, ``…+02:00``; naive means UTC) as an aware UTC datetime."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise AuditError(
            "AR303", f"as-of time {text!r} is not an ISO 8601 timestamp (e.g. 2024-03-31T23:59:59Z)", span, source
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


#: strptime directives the engines understand (DuckDB's set, which Spark's translation covers).
_DIRECTIVES = re.compile(r"%(-?[aAwdbBmyYHIpMSfgnzZjUWcxX]|%)")


def _check_time_spec(name: str, fmt: Any, zone: Any, span: Span) -> None:
    """AR303 for a ``format`` directive or a ``timezone`` that the engine would reject later (AR304)."""
    if isinstance(fmt, str) and fmt != "HH:MM:SS" and "%" in _DIRECTIVES.sub("", fmt):
        bad = _DIRECTIVES.sub("", fmt)
        directive = bad[bad.index("%") :][:2]
        raise AuditError("AR303", f"columns/{name}: unknown format directive {directive!r} in {fmt!r}", span)
    if isinstance(zone, str):
        from zoneinfo import ZoneInfo, available_timezones

        try:
            ZoneInfo(zone)
        except (ValueError, OSError, KeyError):  # ZoneInfoNotFoundError is a KeyError
            if not available_timezones():  # no time zone database here: leave it to the engine
                return
            raise AuditError("AR303", f"columns/{name}: unknown timezone {zone!r} (use an IANA name)", span) from None


def _sources(spec: Any) -> tuple[str, ...]:
    return (spec,) if isinstance(spec, str) else tuple(spec)


def _column(name: str, spec: Any, span: Span) -> ColumnMap:
    kind = KINDS[name]
    if isinstance(spec, (str, list)):
        return ColumnMap(name, kind, _sources(spec), span=span)
    if "from" in spec:
        later, earlier = spec["from"]
        return ColumnMap(name, kind, (), derive=(later, earlier), span=span)
    values = tuple(
        sorted(((str(k).strip(), None if v is None else str(v)) for k, v in (spec.get("values") or {}).items()))
    )
    _check_time_spec(name, spec.get("format"), spec.get("timezone"), span)
    return ColumnMap(
        name,
        kind,
        _sources(spec["column"]),
        values=values,
        others=str(spec.get("others", "keep")),
        format=spec.get("format"),
        timezone=spec.get("timezone"),
        unit=str(spec.get("unit", "seconds")),
        span=span,
        vocabulary=spec.get("vocabulary"),
    )
