"""The clean view: a mapping and a source schema → one row per ticket with canonical columns.

Each mapped column is read from its source (renamed, trimmed, lower-cased when categorical,
timestamps parsed to UTC, durations in seconds); durations with no source column derive from two
timestamps; pass-through columns that rules name are kept as they are. ``_reason`` carries the
global exclusion reason of a row (unparseable timestamp, negative duration, unmapped channel) and
each column parsed from text carries two flags (:class:`ParseFlags`) for the AR302 check.
The engine materialises the view once, so the expensive parsing happens in exactly one scan.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping as TMapping
from dataclasses import dataclass

from sqlglot import exp

from auditrules.channels import ALIASES, ZENDESK_VIA_IDS
from auditrules.columns import CATEGORICAL, DERIVED, KINDS
from auditrules.tickets.mapping import ColumnMap, Mapping
from auditrules.tickets.plan.sql import (
    RAW,
    alias,
    any_of,
    case,
    col,
    double,
    is_null,
    lit,
    not_null,
    table_ref,
    text,
    trimmed_text,
)
from auditrules.tickets.plan.twitter import twitter_support_relation
from auditrules.units import UNIT_SECONDS

#: The relation of channel spellings joined into the clean view's source.
CHANNEL_LOOKUP = "ar_channels"

#: Global exclusion reasons of a row, in the order they are tested.
REASONS: tuple[str, ...] = ("unparseable_timestamp", "negative_duration", "unmapped_channel")

#: Source types read as numbers (numeric durations need no parsing).
_NUMERIC_TYPES = frozenset(
    {"DOUBLE", "FLOAT", "REAL", "BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "UBIGINT", "UINTEGER"}
)

_HMS = r"^-?[0-9]+:[0-9]{1,2}(:[0-9]{1,2}([.][0-9]+)?)?$"


@dataclass(frozen=True)
class ParseFlags:
    """The view's flags for a column parsed from text: ``has`` (a value was given), ``bad`` (it did not parse)."""

    column: str
    has: str
    bad: str

    @classmethod
    def of(cls, column: str) -> ParseFlags:
        return cls(column, f"_has_{column}", f"_bad_{column}")


@dataclass(frozen=True)
class CleanView:
    """The clean view's SELECT and what it makes available.

    ``columns`` maps each available column (canonical or passed through) to its kind
    (text | timestamp | duration | number | raw). ``flags`` are the parse flags of the timestamp
    and text-duration columns. ``missing`` lists mapped columns a strict mapping names but the
    source lacks (the caller raises AR301).
    """

    select: exp.Select
    columns: dict[str, str]
    flags: tuple[ParseFlags, ...]
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Read:
    """One mapped column read from the source: its clean value, the raw text when parsed from text,
    and (for a channel with ``others: exclude``) the condition that its value is not mapped."""

    name: str
    kind: str
    value: exp.Expr
    raw: exp.Expr | None = None
    unmapped: exp.Expr | None = None
    spelled: exp.Expr | None = None  # a channel read through the vocabulary: the trimmed source text


def _source_ref(name: str, schema: TMapping[str, str]) -> exp.Expr | None:
    """A reference to source column ``name``; a dotted name may reach into a struct column."""
    if name in schema:
        node: exp.Expr = col(name, RAW)
        if schema[name].upper() == "JSON":
            node = exp.JSONExtractScalar(this=node, expression=exp.Literal.string("$"))
        return node
    parts = name.split(".")
    for i in range(len(parts) - 1, 0, -1):
        head = ".".join(parts[:i])
        if head in schema and schema[head].upper().startswith("STRUCT"):
            node = col(head, RAW)
            for p in parts[i:]:
                node = exp.Dot(this=node, expression=exp.to_identifier(p, quoted=True))
            return node
    return None


def _resolve(cm: ColumnMap, schema: TMapping[str, str]) -> tuple[exp.Expr, str] | None:
    for s in cm.sources:
        ref = _source_ref(s, schema)
        if ref is not None:
            base = s if s in schema else s.split(".")[0]
            return ref, schema.get(base, "VARCHAR").upper()
    return None


def _text_column(cm: ColumnMap, ref: exp.Expr) -> tuple[exp.Expr, exp.Expr | None]:
    """(value, unmapped flag or None)."""
    v = trimmed_text(ref)
    categorical = cm.name in CATEGORICAL
    key = exp.Lower(this=v) if categorical else v
    if not cm.values:
        if cm.name == "channel":
            return _channel_vocabulary(v.copy()), None
        return (exp.Lower(this=v) if categorical else v), None
    pairs = [
        (
            key.copy().eq(lit(k.lower() if categorical else k)),
            lit(None if t is None else (t.lower() if categorical else t)),
        )
        for k, t in cm.values
    ]
    default = None if cm.others == "exclude" else key.copy()
    value = case(pairs, default)
    unmapped = None
    if cm.others == "exclude":
        keys = [lit(k.lower() if categorical else k) for k, _ in cm.values]
        unmapped = exp.and_(not_null(v.copy()), exp.not_(key.copy().isin(*keys)))
    return value, unmapped


def _channel_spellings() -> dict[str, str]:
    """Every spelling of the channel vocabulary as it may be written (``web_form``, ``web form``,
    ``web-form``) and every Zendesk via id → canonical channel; canonical names are left out."""
    out: dict[str, str] = {str(i): c for i, c in ZENDESK_VIA_IDS.items()}
    for spelling, channel in ALIASES.items():
        for sep in ("_", " ", "-"):
            out[spelling.replace("_", sep)] = channel
    return {k: c for k, c in sorted(out.items()) if k != c}


def _channel_vocabulary(v: exp.Expr) -> exp.Expr:
    """A channel value through the channel vocabulary: a known spelling or Zendesk via id becomes the
    canonical name (``Voice`` → ``phone``, ``Web Form`` → ``web``, ``45`` → ``phone``); any other value
    is kept lower-cased. The spellings are the relation :func:`_channel_lookup` joins in."""
    return exp.Coalesce(this=col("channel", CHANNEL_LOOKUP), expressions=[exp.Lower(this=v)])


def _channel_lookup(value: exp.Expr) -> tuple[exp.Expr, exp.Expr]:
    """(the spellings relation, its join condition on the lower-cased source ``value``)."""
    rows = [exp.Tuple(expressions=[lit(k), lit(c)]) for k, c in _channel_spellings().items()]
    values = exp.Values(
        expressions=rows,
        alias=exp.TableAlias(
            this=exp.to_identifier("s", quoted=True),
            columns=[exp.to_identifier("spelling", quoted=True), exp.to_identifier("channel", quoted=True)],
        ),
    )
    relation = exp.Subquery(
        this=exp.select(exp.Star()).from_(values),
        alias=exp.TableAlias(this=exp.to_identifier(CHANNEL_LOOKUP, quoted=True)),
    )
    return relation, col("spelling", CHANNEL_LOOKUP).eq(exp.Lower(this=value))


def _timestamp_column(cm: ColumnMap, ref: exp.Expr, typ: str) -> tuple[exp.Expr, exp.Expr | None]:
    """(parsed TIMESTAMP in UTC, raw non-empty text or None when the source is typed)."""
    if typ.startswith("TIMESTAMP") or typ == "DATE":
        parsed: exp.Expr = exp.Cast(this=ref, to=exp.DataType.build("timestamp"))
        raw = None
    else:
        raw = trimmed_text(ref)
        if cm.format:
            parsed = exp.StrToTime(this=raw.copy(), format=exp.Literal.string(cm.format), safe=True)
        else:
            parsed = exp.TryCast(this=raw.copy(), to=exp.DataType.build("timestamp"))
    if cm.timezone and not (cm.format and "%z" in cm.format):
        parsed = exp.FromTimeZone(this=parsed, zone=exp.Literal.string(cm.timezone))
    return parsed, raw


def _duration_column(cm: ColumnMap, ref: exp.Expr, typ: str) -> tuple[exp.Expr, exp.Expr | None]:
    """(seconds as DOUBLE, raw non-empty text or None when the source is numeric)."""
    numeric = typ in _NUMERIC_TYPES or typ.startswith("DECIMAL")
    raw = None if numeric else trimmed_text(ref)
    if cm.format == "HH:MM:SS":
        return _hms_seconds(raw if raw is not None else text(ref)), raw
    value = double(raw.copy() if raw is not None else ref)
    factor = UNIT_SECONDS[cm.unit]
    if factor != 1.0:
        value = exp.Mul(this=value, expression=lit(factor))
    return value, raw


def _hms_seconds(written: exp.Expr) -> exp.Expr:
    """``[-]H:MM[:SS[.fff]]`` text → seconds; NULL when the text has another shape."""
    negative = exp.Like(this=written.copy(), expression=exp.Literal.string("-%"))
    unsigned = exp.Trim(this=written.copy(), expression=exp.Literal.string("-"), position="LEADING")

    def part(i: int) -> exp.Expr:
        return double(
            exp.SplitPart(this=unsigned.copy(), delimiter=exp.Literal.string(":"), part_index=exp.Literal.number(i))
        )

    secs = exp.Add(
        this=exp.Add(
            this=exp.Mul(this=part(1), expression=lit(3600)), expression=exp.Mul(this=part(2), expression=lit(60))
        ),
        expression=exp.Coalesce(this=part(3), expressions=[lit(0)]),
    )
    signed = exp.Mul(this=case([(negative, lit(-1))], lit(1)), expression=exp.Paren(this=secs))
    ok = exp.RegexpLike(this=written.copy(), expression=exp.Literal.string(_HMS))
    return case([(ok, signed)], None)


def _read(cm: ColumnMap, ref: exp.Expr, typ: str) -> _Read:
    if cm.kind == "text":
        value, flag = _text_column(cm, ref)
        spelled = trimmed_text(ref) if cm.name == "channel" and not cm.values else None
        return _Read(cm.name, cm.kind, value, unmapped=flag if cm.name == "channel" else None, spelled=spelled)
    if cm.kind == "timestamp":
        value, raw = _timestamp_column(cm, ref, typ)
        return _Read(cm.name, cm.kind, value, raw)
    if cm.kind == "duration":
        value, raw = _duration_column(cm, ref, typ)
        return _Read(cm.name, cm.kind, value, raw)
    return _Read(cm.name, cm.kind, double(ref))


def _unused(cm: ColumnMap, keep: set[str] | None) -> bool:
    """A text or number column no rule reads (a channel that excludes rows is always read)."""
    if keep is None or cm.kind not in ("text", "number") or cm.name in keep:
        return False
    return not (cm.name == "channel" and cm.others == "exclude")


def _read_mapped(mapping: Mapping, schema: TMapping[str, str], keep: set[str] | None) -> tuple[list[_Read], list[str]]:
    """The mapped columns the source has (in mapping order), and the names a strict mapping misses."""
    reads: list[_Read] = []
    missing: list[str] = []
    for cm in mapping.columns:
        if cm.derive is not None or _unused(cm, keep):
            continue
        resolved = _resolve(cm, schema)
        if resolved is None:
            if mapping.strict:
                missing.append(cm.name)
            continue
        reads.append(_read(cm, *resolved))
    return reads, missing


def _inner_select(reads: list[_Read], passthrough: list[tuple[str, exp.Expr]]) -> list[exp.Expr]:
    """Mapped values with their parse flags, pass-through columns, then ``_unmapped``."""
    inner: list[exp.Expr] = []
    unmapped: exp.Expr | None = None
    for r in reads:
        inner.append(alias(r.value, r.name))
        if r.unmapped is not None:
            unmapped = r.unmapped
        if r.raw is not None:
            flags = ParseFlags.of(r.name)
            inner.append(alias(not_null(r.raw.copy()), flags.has))
            inner.append(alias(exp.and_(not_null(r.raw.copy()), is_null(r.value.copy())), flags.bad))
    inner += [alias(ref, name) for name, ref in passthrough]
    inner.append(alias(unmapped if unmapped is not None else exp.false(), "_unmapped"))
    return inner


def _reason(flags: Iterable[ParseFlags], durations: list[exp.Expr]) -> exp.Expr:
    """The first global exclusion reason of a row, NULL when it is kept."""
    pairs: list[tuple[exp.Expr, exp.Expr]] = []
    bad = [col(f.bad) for f in flags]
    if bad:
        pairs.append((any_of(bad), lit("unparseable_timestamp")))
    if durations:
        pairs.append((any_of(exp.LT(this=d.copy(), expression=lit(0)) for d in durations), lit("negative_duration")))
    pairs.append((col("_unmapped"), lit("unmapped_channel")))
    return case(pairs, exp.null())


def clean_view(
    mapping: Mapping,
    schema: TMapping[str, str],
    needed: Iterable[str] | None = None,
) -> CleanView:
    """The SELECT of the clean view over ``ar_raw`` (or the layout's derived relation).

    ``needed`` names the columns rules read; when given, text and number columns nobody reads
    are left out (every timestamp and duration is still parsed, for the exclusion reasons).

    Raises nothing: mapped columns the source lacks are listed in ``CleanView.missing`` so the
    caller can raise AR301 (strict mappings) or mark rules not evaluated.
    """
    keep = None if needed is None else set(needed)
    reads, missing = _read_mapped(mapping, schema, keep)
    kinds: dict[str, str] = {r.name: r.kind for r in reads}
    passthrough: list[tuple[str, exp.Expr]] = []
    for name in sorted(keep or ()):
        ref = None if name in KINDS or name in kinds else _source_ref(name, schema)
        if ref is not None:
            kinds[name] = "raw"
            passthrough.append((name, ref))
    flags = tuple(ParseFlags.of(r.name) for r in reads if r.raw is not None)

    outputs = [c for c, k in kinds.items() if keep is None or c in keep or k in ("text", "number", "raw")]
    outer: list[exp.Expr] = [col(c) for c in outputs]
    outer += [col(name) for f in flags for name in (f.has, f.bad)]
    derived: dict[str, exp.Expr] = {}
    for name, (later, earlier) in _derivations(mapping, kinds):
        derived[name] = exp.Sub(this=exp.TimeToUnix(this=col(later)), expression=exp.TimeToUnix(this=col(earlier)))
    for name, node in derived.items():
        kinds[name] = "duration"
        if keep is None or name in keep:
            outer.append(alias(node.copy(), name))
            outputs.append(name)
    durations = [derived.get(c, col(c)) for c, k in kinds.items() if k == "duration"]
    outer.append(alias(_reason(flags, durations), "_reason"))

    relation: exp.Expr = table_ref(RAW) if mapping.layout == "table" else twitter_support_relation()
    source = exp.select(*_inner_select(reads, passthrough)).from_(relation)
    channel = next((r for r in reads if r.name == "channel" and r.spelled is not None), None)
    if channel is not None and channel.spelled is not None:
        lookup, on = _channel_lookup(channel.spelled)
        source = source.join(lookup, on=on, join_type="left")
    select = exp.select(*outer).from_(
        exp.Subquery(this=source, alias=exp.TableAlias(this=exp.to_identifier("m", quoted=True)))
    )
    return CleanView(select, {c: kinds[c] for c in outputs}, flags, tuple(missing))


def _derivations(mapping: Mapping, kinds: TMapping[str, str]) -> list[tuple[str, tuple[str, str]]]:
    """Durations computed from two timestamps: explicit ``from:`` entries, then automatic ones
    (``first_response = first_response_at - created_at``…) when no source column gives them."""
    out: dict[str, tuple[str, str]] = {}
    for cm in mapping.columns:
        if cm.derive is not None and all(c in kinds for c in cm.derive):
            out[cm.name] = cm.derive
    for name, pair in DERIVED.items():
        if name not in kinds and name not in out and all(c in kinds for c in pair):
            out[name] = pair
    return list(out.items())
