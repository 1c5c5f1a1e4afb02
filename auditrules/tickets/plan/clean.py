"""The clean view: a mapping and a source schema → one row per ticket with canonical columns.

Each mapped column is read from its source (renamed, trimmed, lower-cased when categorical,
timestamps parsed to UTC, durations in seconds); durations with no source column derive from two
timestamps; pass-through columns that rules name are kept as they are. Each column parsed from
text carries two flags (:class:`ParseFlags`: a value was given, it did not parse) and ``_unmapped``
marks a channel the mapping does not map; :meth:`CleanView.problems` turns them into the
exclusion reasons of the requirements that read the column, so a row leaves only those.
The engine materialises the view once, so the expensive parsing happens in exactly one scan.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping as TMapping
from dataclasses import dataclass, field

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

#: Why a row leaves a requirement, in the order they are tested (the data reasons concern only the
#: columns the requirement reads; every row of a requirement has exactly one reason or none).
REASONS: tuple[str, ...] = (
    "unparseable_timestamp",
    "unparseable_number",
    "negative_duration",
    "unmapped_channel",
    "filtered_by_where",
    "missing_value",
)

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
    #: Derived durations → the timestamps they are computed from.
    depends: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def problems(self, column: str) -> list[tuple[str, exp.Expr]]:
        """(exclusion reason, condition) for the ways a row's value of ``column`` can be unusable.

        A value that did not parse (it or a timestamp it derives from: ``unparseable_timestamp``
        for timestamps and durations, ``unparseable_number`` for numbers, non-finite values
        included), a negative duration, a channel the mapping does not map.
        """
        parsed = {f.column: f for f in self.flags}
        out: list[tuple[str, exp.Expr]] = []
        sources = [c for c in (column, *self.depends.get(column, ())) if c in parsed]
        dated = [c for c in sources if KINDS.get(c) != "number"]
        numbers = [c for c in sources if KINDS.get(c) == "number"]
        if dated:
            out.append(("unparseable_timestamp", any_of(col(parsed[c].bad) for c in dated)))
        if numbers:
            out.append(("unparseable_number", any_of(col(parsed[c].bad) for c in numbers)))
        if self.columns.get(column) == "duration":
            out.append(("negative_duration", exp.LT(this=col(column), expression=lit(0))))
        if column == "channel":
            out.append(("unmapped_channel", col("_unmapped")))
        return out


@dataclass(frozen=True)
class _Read:
    """One mapped column read from the source, and the condition (for a channel with ``others:
    exclude``) that its value is not mapped.

    A text column's ``value`` is computed in the inner SELECT over the source. Any other column's
    ``source`` is carried out of the inner SELECT as ``_src_<name>`` (with ``fast``, a plain-shaped
    timestamp's cheap parse, as ``_fast_<name>``), and its ``value`` and ``given`` (whether the
    source holds a value; None when nothing is parsed) are over those columns, so that the value is
    computed in the middle SELECT and the parse flags in the outer one without parsing twice.
    """

    name: str
    kind: str
    value: exp.Expr
    source: exp.Expr | None = None
    given: exp.Expr | None = None
    fast: exp.Expr | None = None
    unmapped: exp.Expr | None = None
    spelled: exp.Expr | None = None  # a channel read through the vocabulary: the trimmed source text

    @property
    def carried(self) -> str:
        return f"_src_{self.name}"

    @property
    def parsed_fast(self) -> str:
        return f"_fast_{self.name}"


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


def _vocabulary(key: exp.Expr) -> list[tuple[exp.Expr, str, exp.Expr]]:
    """(condition, spelling, canonical) pairs of the channel vocabulary for a lower-cased value.

    Spellings are compared in their key form (spaces and dashes folded to ``_``: "Social media" →
    ``social_media``); numbers are Zendesk via ids.
    """
    folded = exp.RegexpReplace(
        this=key.copy(),
        expression=exp.Literal.string("[ \t-]+"),
        replacement=exp.Literal.string("_"),
        modifiers=exp.Literal.string("g"),
    )
    out: list[tuple[exp.Expr, str, exp.Expr]] = [
        (folded.copy().eq(lit(k)), k, lit(v)) for k, v in sorted(ALIASES.items())
    ]
    out += [(key.copy().eq(lit(str(k))), str(k), lit(v)) for k, v in sorted(ZENDESK_VIA_IDS.items())]
    return out


def _text_column(cm: ColumnMap, ref: exp.Expr) -> tuple[exp.Expr, exp.Expr | None]:
    """(value, unmapped flag or None).

    ``values`` rename listed values; with ``vocabulary: channels`` other values are looked up in
    the channel vocabulary; what is left is kept (lower-cased) or, with ``others: exclude``, flagged.
    """
    v = trimmed_text(ref)
    categorical = cm.name in CATEGORICAL
    key = exp.Lower(this=v) if categorical else v
    if not cm.values and (cm.vocabulary is None or cm.others != "exclude"):
        if cm.name == "channel":
            return _channel_vocabulary(v.copy()), None
        return (exp.Lower(this=v) if categorical else v), None
    listed = [
        (
            key.copy().eq(lit(k.lower() if categorical else k)),
            lit(None if t is None else (t.lower() if categorical else t)),
        )
        for k, t in cm.values
    ]
    looked_up = _vocabulary(exp.Lower(this=v.copy())) if cm.vocabulary == "channels" else []
    pairs = listed + [(cond, value) for cond, _, value in looked_up]
    default = None if cm.others == "exclude" else key.copy()
    value = case(pairs, default)
    unmapped = None
    if cm.others == "exclude":
        known = any_of([cond.copy() for cond, _ in listed] + [cond.copy() for cond, _, _ in looked_up])
        unmapped = exp.and_(not_null(v.copy()), exp.not_(exp.Paren(this=known)))
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


#: A written time that names its own offset or zone: ``…10:00Z``, ``…10:00+08:00``, ``…10:00 -0500``,
#: ``…10:00 Europe/Berlin``, ``…10:00 UTC``. Such a value is the instant it names.
ZONED = r"[0-9]:[0-9]{2}(:[0-9]{2}([.,][0-9]+)?)?[ ]?([Zz]|UTC|GMT|[+-][0-9]{2}(:?[0-9]{2})?|[A-Za-z]+/[A-Za-z_/+-]+)$"


def _timestamp(node: exp.Expr) -> exp.Expr:
    return exp.Cast(this=node, to=exp.DataType.build("timestamp"))


def _localise(naive: exp.Expr, zone: str) -> exp.Expr:
    """A naive wall-clock time in ``zone`` → the UTC TIMESTAMP of that instant."""
    if zone.upper() in ("UTC", "ETC/UTC"):
        return naive
    return exp.FromTimeZone(this=naive, zone=exp.Literal.string(zone))


#: The plain shape ``YYYY-MM-DD HH:MM:SS`` as a LIKE pattern: a value of this shape names no zone
#: (it cannot match :data:`ZONED`), and where the cast parses it untrimmed, it parses it as it would
#: parse it trimmed (the cast skips the spaces TRIM removes; it refuses the other blanks TRIM
#: removes). Such values — nearly all of a typical export — skip the trim, the zone test and the
#: second cast (``tests/test_clean_fast_path.py`` checks the equivalence on adversarial values).
PLAIN_SHAPE = "____-__-__ __:__:__"


def _typed_time(typ: str) -> bool:
    upper = typ.upper()
    return upper.startswith("TIMESTAMP") or upper == "DATE" or "TIME ZONE" in upper


def _given(kind: str, ref: exp.Expr, typ: str) -> exp.Expr | None:
    """The value as given in the source: None for a typed timestamp (nothing is parsed), the typed
    value of a numeric source, else its text trimmed (NULL when empty)."""
    if kind == "timestamp":
        return None if _typed_time(typ) else trimmed_text(ref)
    return ref.copy() if _numeric(typ) else trimmed_text(ref)


def _plain(written: exp.Expr) -> exp.Expr:
    """A value of :data:`PLAIN_SHAPE` parsed as a naive TIMESTAMP (NULL for other shapes or when it
    does not parse): the cheap first try at a text timestamp, without trimming it."""
    shaped = exp.Like(this=written.copy(), expression=exp.Literal.string(PLAIN_SHAPE))
    return case([(shaped, exp.TryCast(this=written, to=exp.DataType.build("timestamp")))], None)


def _timestamp_column(cm: ColumnMap, ref: exp.Expr, typ: str, plain: exp.Expr | None = None) -> exp.Expr:
    """The instant as a UTC TIMESTAMP (``plain``: the column holding :func:`_plain` of a text value).

    Written offsets and zone names (``Z``, ``+08:00``, ``Europe/Berlin``) are honoured: the value
    is the instant they name. Naive values are wall-clock times in the column's ``timezone``
    (the mapping's, UTC by default). Typed ``TIMESTAMP WITH TIME ZONE`` sources are instants.
    """
    zone = cm.timezone or "UTC"
    upper = typ.upper()
    if "TIME ZONE" in upper or upper.startswith("TIMESTAMPTZ") or upper == "TIMESTAMP_LTZ":
        return _timestamp(ref)
    if _typed_time(typ):
        return _localise(_timestamp(ref), zone)
    raw = trimmed_text(ref)
    if cm.format and ("%z" in cm.format or "%Z" in cm.format):
        return _timestamp(exp.StrToTime(this=raw.copy(), format=exp.Literal.string(cm.format), safe=True))
    if cm.format:
        return _localise(exp.StrToTime(this=raw.copy(), format=exp.Literal.string(cm.format), safe=True), zone)
    zoned = exp.RegexpLike(this=raw.copy(), expression=exp.Literal.string(ZONED))
    instant = _timestamp(exp.TryCast(this=raw.copy(), to=exp.DataType.build("timestamptz")))
    naive = _localise(exp.TryCast(this=raw.copy(), to=exp.DataType.build("timestamp")), zone)
    pairs: list[tuple[exp.Expr, exp.Expr]] = [(zoned, instant)]
    if plain is not None:  # a CASE: the trim, the zone test and the casts run only where it is NULL
        pairs.insert(0, (not_null(plain.copy()), _localise(plain.copy(), zone)))
    return case(pairs, naive)


def finite(value: exp.Expr) -> exp.Expr:
    """``value`` when it is a finite number, else NULL: ``inf``, ``-inf`` and ``nan`` do not parse.

    ``x - x = 0`` is false for infinities and NaN on every engine (DuckDB and Spark order NaN
    above all numbers, so a plain comparison would not do)."""
    return case([(exp.EQ(this=exp.Sub(this=value.copy(), expression=value.copy()), expression=lit(0)), value)], None)


def _numeric(typ: str) -> bool:
    return typ in _NUMERIC_TYPES or typ.startswith("DECIMAL")


def _duration_column(cm: ColumnMap, ref: exp.Expr, typ: str) -> exp.Expr:
    """Seconds as DOUBLE, from a number in the mapping's unit or ``HH:MM:SS`` text."""
    raw = _given("duration", ref, typ)
    assert raw is not None
    if cm.format == "HH:MM:SS":
        return _hms_seconds(text(ref) if _numeric(typ) else raw)
    value = finite(double(raw))
    factor = UNIT_SECONDS[cm.unit]
    if factor != 1.0:
        value = exp.Mul(this=value, expression=lit(factor))
    return value


def _number_column(ref: exp.Expr, typ: str) -> exp.Expr:
    """A finite DOUBLE or NULL: non-finite and non-numeric values do not parse."""
    raw = _given("number", ref, typ)
    assert raw is not None
    return finite(double(raw))


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
        joined = not cm.values and (cm.vocabulary is None or cm.others != "exclude")  # see _text_column
        spelled = trimmed_text(ref) if cm.name == "channel" and joined else None
        return _Read(cm.name, cm.kind, value, unmapped=flag if cm.name == "channel" else None, spelled=spelled)
    src = col(f"_src_{cm.name}")
    fast = None
    if cm.kind == "timestamp":
        fast = _plain(text(ref)) if not _typed_time(typ) and not cm.format else None
        value = _timestamp_column(cm, src, typ, col(f"_fast_{cm.name}") if fast is not None else None)
    elif cm.kind == "duration":
        value = _duration_column(cm, src, typ)
    else:
        value = _number_column(src, typ)
    return _Read(cm.name, cm.kind, value, ref, _given(cm.kind, src.copy(), typ), fast)


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
    """Text values, the sources of the others (and their cheap parse), pass-through columns, then
    ``_unmapped``."""
    inner: list[exp.Expr] = []
    unmapped: exp.Expr | None = None
    for r in reads:
        if r.unmapped is not None:
            unmapped = r.unmapped
        if r.source is None:
            inner.append(alias(r.value, r.name))
            continue
        inner.append(alias(r.source.copy(), r.carried))
        if r.fast is not None:
            inner.append(alias(r.fast.copy(), r.parsed_fast))
    inner += [alias(ref, name) for name, ref in passthrough]
    inner.append(alias(unmapped if unmapped is not None else exp.false(), "_unmapped"))
    return inner


def _middle_select(reads: list[_Read], passthrough: list[tuple[str, exp.Expr]]) -> list[exp.Expr]:
    """Every value (parsed here from the carried sources), the sources, pass-through columns, ``_unmapped``."""
    middle: list[exp.Expr] = []
    for r in reads:
        if r.source is None:
            middle.append(col(r.name))
            continue
        middle += [alias(r.value.copy(), r.name), col(r.carried)]
    middle += [col(name) for name, _ in passthrough]
    middle.append(col("_unmapped"))
    return middle


def _flag_columns(r: _Read) -> list[exp.Expr]:
    """A parsed column's flags, over the inner SELECT's value: a value was given (it parsed, or its
    source holds one), it did not parse. The source is tested only where the value is NULL."""
    assert r.given is not None
    flags = ParseFlags.of(r.name)
    parsed = not_null(col(r.name))
    given = not_null(r.given.copy())
    return [
        alias(case([(parsed, exp.true())], given), flags.has),
        alias(case([(parsed.copy(), exp.false())], given.copy()), flags.bad),
    ]


def _subquery(select: exp.Select, name: str) -> exp.Subquery:
    return exp.Subquery(this=select, alias=exp.TableAlias(this=exp.to_identifier(name, quoted=True)))


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
    flags = tuple(ParseFlags.of(r.name) for r in reads if r.given is not None)

    outputs = [c for c, k in kinds.items() if keep is None or c in keep or k in ("text", "number", "raw")]
    outer: list[exp.Expr] = [col(c) for c in outputs]
    outer += [flag for r in reads if r.given is not None for flag in _flag_columns(r)]
    derived: dict[str, exp.Expr] = {}
    derivations = _derivations(mapping, kinds)
    for name, (later, earlier) in derivations:
        derived[name] = exp.Sub(this=exp.TimeToUnix(this=col(later)), expression=exp.TimeToUnix(this=col(earlier)))
    for name, node in derived.items():
        kinds[name] = "duration"
        if keep is None or name in keep:
            outer.append(alias(node.copy(), name))
            outputs.append(name)
    outer.append(col("_unmapped"))

    relation: exp.Expr = table_ref(RAW) if mapping.layout == "table" else twitter_support_relation()
    source = exp.select(*_inner_select(reads, passthrough)).from_(relation)
    channel = next((r for r in reads if r.name == "channel" and r.spelled is not None), None)
    if channel is not None and channel.spelled is not None:
        lookup, on = _channel_lookup(channel.spelled)
        source = source.join(lookup, on=on, join_type="left")
    middle = exp.select(*_middle_select(reads, passthrough)).from_(_subquery(source, "s"))
    select = exp.select(*outer).from_(_subquery(middle, "m"))
    depends: dict[str, tuple[str, ...]] = dict(derivations)
    return CleanView(select, {c: kinds[c] for c in outputs}, flags, tuple(missing), depends)


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
