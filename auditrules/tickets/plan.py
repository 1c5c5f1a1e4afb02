"""Ticket plans: a mapping, a source schema and ticket rules → sqlglot expression trees.

Every query is built once as a sqlglot tree from ``sqlglot.exp`` builders — values from rules
and mappings become literals, identifiers are always quoted — and rendered per engine with
:func:`render`, which applies that engine's entry of :data:`DIALECTS` (the one table of the
remaining DuckDB/Spark differences) before ``.sql(dialect=...)``.

How the work is laid out, and why:

1. ``tickets`` — the *clean view* (:func:`clean_view`): one row per ticket with canonical columns
   (mapped, renamed, parsed, durations in seconds) plus ``_reason``, the global exclusion reason
   (unparseable timestamp, negative duration, unmapped channel) and per-timestamp parse flags.
   The engine materialises it once when the source is text (CSV/JSON: parsing is the expensive
   part, so it happens in exactly one scan) and keeps it a view over Parquet (a columnar re-scan
   of the few needed columns is cheaper than copying them).
2. the *profile* (:func:`profile_query`): one aggregate pass for row accounting, the AR302 check,
   each rule's in-scope count and the decile/quartile edges of ``deciles(col)``/``quartiles(col)``
   groups (quantile edges keep tied values in one bin, so bins are deterministic on any engine).
3. the *aggregates* (:func:`aggregate_queries`): one query per distinct grouping (the tuple of
   group and strata keys), computing the aggregates of every requirement that shares it with
   ``FILTER (WHERE …)`` — so requirements with different scopes share a pass.
4. the *order statistics* (:func:`order_statistic_query`) for quantile intervals: ranks depend on
   each group's n (from step 3), so they are a small second pass over one requirement's rows.

Python sees only per-group aggregates, never rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from collections.abc import Mapping as TMapping
from dataclasses import dataclass, field
from typing import Any

from sqlglot import exp

from auditrules.columns import CATEGORICAL, DERIVED, KINDS
from auditrules.lang import ast
from auditrules.tickets.mapping import ColumnMap, Mapping
from auditrules.units import UNIT_SECONDS

REASONS: tuple[str, ...] = ("unparseable_timestamp", "negative_duration", "unmapped_channel")

RAW = "ar_raw"
CLEAN = "tickets"

# ---------------------------------------------------------------- per-engine rendering table


@dataclass(frozen=True)
class SqlDialect:
    """One engine's SQL differences: the sqlglot dialect name and node rewrites applied before rendering.

    ``transforms`` maps a sqlglot node class to a function returning its replacement; anything
    not listed renders through sqlglot's own dialect generator.
    """

    name: str
    transforms: TMapping[type[exp.Expr], Callable[[exp.Expr], exp.Expr]] = field(default_factory=dict)


def _spark_percentile(node: exp.Expr) -> exp.Expr:
    # Spark's exact PERCENTILE interpolates linearly, as DuckDB's QUANTILE_CONT does.
    return exp.Quantile(this=node.this, quantile=node.expression)


def _spark_epoch(node: exp.Expr) -> exp.Expr:
    # UNIX_TIMESTAMP truncates to whole seconds; a cast keeps the fraction.
    return exp.Cast(this=node.this, to=exp.DataType.build("double"))


#: The one table of engine differences (STYLE.md §2).
DIALECTS: dict[str, SqlDialect] = {
    "duckdb": SqlDialect("duckdb"),
    "spark": SqlDialect(
        "spark",
        {
            exp.PercentileCont: _spark_percentile,  # QUANTILE_CONT(x, q) → PERCENTILE(x, q)
            exp.TimeToUnix: _spark_epoch,  # EPOCH(ts) → CAST(ts AS DOUBLE)
        },
    ),
}


def render(node: exp.Expr, dialect: str = "duckdb", pretty: bool = False) -> str:
    """Render ``node`` for ``dialect`` after applying that dialect's rewrites."""
    table = DIALECTS[dialect]
    if table.transforms:

        def rewrite(n: exp.Expr) -> exp.Expr:
            fn = table.transforms.get(type(n))
            return fn(n) if fn else n

        node = node.copy().transform(rewrite)
    return node.sql(dialect=table.name, pretty=pretty)


# ---------------------------------------------------------------- small builders


def col(name: str, table: str | None = None) -> exp.Column:
    return exp.column(name, table=table, quoted=True)


def lit(value: Any) -> exp.Expr:
    if value is None:
        return exp.null()
    if isinstance(value, bool):
        return exp.true() if value else exp.false()
    if isinstance(value, (int, float)):
        return exp.Literal.number(repr(float(value)) if isinstance(value, float) else str(value))
    return exp.Literal.string(str(value))


def table_ref(name: str) -> exp.Table:
    return exp.Table(this=exp.to_identifier(name, quoted=True))


def _alias(node: exp.Expr, name: str) -> exp.Expr:
    return exp.alias_(node, name, quoted=True)


def _double(node: exp.Expr) -> exp.Expr:
    return exp.TryCast(this=node, to=exp.DataType.build("double"))


def _text(node: exp.Expr) -> exp.Expr:
    return exp.Cast(this=node, to=exp.DataType.build("varchar"))


def _count_if(cond: exp.Expr) -> exp.Expr:
    return exp.Filter(this=exp.Count(this=exp.Star()), expression=exp.Where(this=cond))


def _filtered(agg: exp.Expr, cond: exp.Expr) -> exp.Expr:
    return exp.Filter(this=agg, expression=exp.Where(this=cond))


def _and(parts: Iterable[exp.Expr]) -> exp.Expr:
    items = list(parts)
    if not items:
        return exp.true()
    out = items[0]
    for p in items[1:]:
        out = exp.and_(out, p, copy=False)
    return out


def _or(parts: Iterable[exp.Expr]) -> exp.Expr:
    items = list(parts)
    if not items:
        return exp.false()
    out = items[0]
    for p in items[1:]:
        out = exp.or_(out, p, copy=False)
    return out


def _case(pairs: Sequence[tuple[exp.Expr, exp.Expr]], default: exp.Expr | None) -> exp.Expr:
    return exp.Case(ifs=[exp.If(this=c, true=v) for c, v in pairs], default=default)


# ---------------------------------------------------------------- the clean view


@dataclass(frozen=True)
class CleanView:
    """The clean view's SELECT and what it makes available.

    ``columns`` maps each available column (canonical or passed through) to its kind
    (text | timestamp | duration | number | raw). ``parsed`` lists the timestamp and text-duration
    columns that carry ``_has_<c>``/``_bad_<c>`` parse flags.
    """

    select: exp.Select
    columns: dict[str, str]
    parsed: tuple[str, ...]
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class MissingColumn:
    """A mapped column the source lacks: canonical name, alternatives tried, span in the mapping."""

    name: str
    sources: tuple[str, ...]


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


def _trimmed_text(ref: exp.Expr) -> exp.Expr:
    return exp.Nullif(this=exp.Trim(this=_text(ref)), expression=exp.Literal.string(""))


def _text_column(cm: ColumnMap, ref: exp.Expr) -> tuple[exp.Expr, exp.Expr | None]:
    """(value, unmapped flag or None)."""
    v = _trimmed_text(ref)
    categorical = cm.name in CATEGORICAL
    key = exp.Lower(this=v) if categorical else v
    if not cm.values:
        return (exp.Lower(this=v) if categorical else v), None
    pairs = [
        (
            key.copy().eq(lit(k.lower() if categorical else k)),
            lit(None if t is None else (t.lower() if categorical else t)),
        )
        for k, t in cm.values
    ]
    default = None if cm.others == "exclude" else key.copy()
    value = _case(pairs, default)
    unmapped = None
    if cm.others == "exclude":
        keys = [lit(k.lower() if categorical else k) for k, _ in cm.values]
        unmapped = exp.and_(exp.not_(exp.Is(this=v.copy(), expression=exp.null())), exp.not_(key.copy().isin(*keys)))
    return value, unmapped


def _timestamp_column(cm: ColumnMap, ref: exp.Expr, typ: str) -> tuple[exp.Expr, exp.Expr | None]:
    """(parsed TIMESTAMP in UTC, raw non-empty text or None when the source is typed)."""
    if typ.startswith("TIMESTAMP") or typ == "DATE":
        parsed: exp.Expr = exp.Cast(this=ref, to=exp.DataType.build("timestamp"))
        raw = None
    else:
        raw = _trimmed_text(ref)
        if cm.format:
            parsed = exp.StrToTime(this=raw.copy(), format=exp.Literal.string(cm.format), safe=True)
        else:
            parsed = exp.TryCast(this=raw.copy(), to=exp.DataType.build("timestamp"))
    if cm.timezone and not (cm.format and "%z" in cm.format):
        parsed = exp.FromTimeZone(this=parsed, zone=exp.Literal.string(cm.timezone))
    return parsed, raw


_HMS = r"^-?[0-9]+:[0-9]{1,2}(:[0-9]{1,2}([.][0-9]+)?)?$"


def _duration_column(cm: ColumnMap, ref: exp.Expr, typ: str) -> tuple[exp.Expr, exp.Expr | None]:
    """(seconds as DOUBLE, raw non-empty text or None when the source is numeric)."""
    numeric = typ in {
        "DOUBLE",
        "FLOAT",
        "REAL",
        "BIGINT",
        "INTEGER",
        "SMALLINT",
        "TINYINT",
        "HUGEINT",
        "UBIGINT",
        "UINTEGER",
        "DECIMAL",
    } or typ.startswith("DECIMAL")
    raw = None if numeric else _trimmed_text(ref)
    if cm.format == "HH:MM:SS":
        assert raw is not None or numeric
        text = raw if raw is not None else _text(ref)
        negative = exp.Like(this=text.copy(), expression=exp.Literal.string("-%"))
        unsigned = exp.Trim(this=text.copy(), expression=exp.Literal.string("-"), position="LEADING")

        def part(i: int) -> exp.Expr:
            return _double(
                exp.SplitPart(this=unsigned.copy(), delimiter=exp.Literal.string(":"), part_index=exp.Literal.number(i))
            )

        secs = exp.Add(
            this=exp.Add(
                this=exp.Mul(this=part(1), expression=lit(3600)), expression=exp.Mul(this=part(2), expression=lit(60))
            ),
            expression=exp.Coalesce(this=part(3), expressions=[lit(0)]),
        )
        signed = exp.Mul(this=_case([(negative, lit(-1))], lit(1)), expression=exp.Paren(this=secs))
        ok = exp.RegexpLike(this=text.copy(), expression=exp.Literal.string(_HMS))
        return _case([(ok, signed)], None), raw
    value = _double(raw.copy() if raw is not None else ref)
    factor = UNIT_SECONDS[cm.unit]
    if factor != 1.0:
        value = exp.Mul(this=value, expression=lit(factor))
    return value, raw


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
    inner: list[exp.Expr] = []
    kinds: dict[str, str] = {}
    parsed_cols: list[str] = []
    missing: list[str] = []
    unmapped: exp.Expr | None = None
    keep = None if needed is None else set(needed)
    for cm in mapping.columns:
        if cm.derive is not None:
            continue
        unused = keep is not None and cm.kind in ("text", "number") and cm.name not in keep
        if unused and not (cm.name == "channel" and cm.others == "exclude"):
            continue
        resolved = _resolve(cm, schema)
        if resolved is None:
            if mapping.strict:
                missing.append(cm.name)
            continue
        ref, typ = resolved
        kinds[cm.name] = cm.kind
        raw: exp.Expr | None = None
        if cm.kind == "text":
            value, flag = _text_column(cm, ref)
            if flag is not None and cm.name == "channel":
                unmapped = flag
        elif cm.kind == "timestamp":
            value, raw = _timestamp_column(cm, ref, typ)
        elif cm.kind == "duration":
            value, raw = _duration_column(cm, ref, typ)
        else:
            value = _double(ref)
        inner.append(_alias(value, cm.name))
        if raw is not None:
            parsed_cols.append(cm.name)
            inner.append(_alias(exp.not_(exp.Is(this=raw.copy(), expression=exp.null())), f"_has_{cm.name}"))
            inner.append(
                _alias(
                    exp.and_(
                        exp.not_(exp.Is(this=raw.copy(), expression=exp.null())),
                        exp.Is(this=value.copy(), expression=exp.null()),
                    ),
                    f"_bad_{cm.name}",
                )
            )
    # pass-through columns: any source column needed by a rule that is not canonical
    for name in sorted(keep or ()):
        if name in KINDS or name in kinds:
            continue
        ref2 = _source_ref(name, schema)
        if ref2 is not None:
            kinds[name] = "raw"
            inner.append(_alias(ref2, name))
    inner.append(_alias(unmapped if unmapped is not None else exp.false(), "_unmapped"))

    # outer: derived durations and the exclusion reason
    outputs = [c for c, k in kinds.items() if keep is None or c in keep or k in ("text", "number", "raw")]
    outer: list[exp.Expr] = [col(c) for c in outputs]
    outer += [col(f"_{f}_{c}") for c in parsed_cols for f in ("has", "bad")]
    derived: dict[str, exp.Expr] = {}
    for name, (later, earlier) in _derivations(mapping, kinds):
        derived[name] = exp.Sub(this=exp.TimeToUnix(this=col(later)), expression=exp.TimeToUnix(this=col(earlier)))
    for name, node in derived.items():
        kinds[name] = "duration"
        if keep is None or name in keep:
            outer.append(_alias(node.copy(), name))
            outputs.append(name)
    durations = [derived.get(c, col(c)) for c, k in kinds.items() if k == "duration"]
    reason_pairs: list[tuple[exp.Expr, exp.Expr]] = []
    if parsed_cols:
        reason_pairs.append((_or(col(f"_bad_{c}") for c in parsed_cols), lit("unparseable_timestamp")))
    if durations:
        reason_pairs.append(
            (_or(exp.LT(this=d.copy(), expression=lit(0)) for d in durations), lit("negative_duration"))
        )
    reason_pairs.append((col("_unmapped"), lit("unmapped_channel")))
    outer.append(_alias(_case(reason_pairs, exp.null()), "_reason"))
    relation: exp.Expr = table_ref(RAW) if mapping.layout == "table" else twitter_support_relation(schema)
    source = exp.select(*inner).from_(relation)
    select = exp.select(*outer).from_(
        exp.Subquery(this=source, alias=exp.TableAlias(this=exp.to_identifier("m", quoted=True)))
    )
    return CleanView(select, {c: kinds[c] for c in outputs}, tuple(parsed_cols), tuple(missing))


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


# ---------------------------------------------------------------- twitter-support layout

_TWITTER_SQL = """
SELECT
  CAST(i.tid AS VARCHAR) AS ticket_id,
  'twitter' AS channel,
  f.company AS company,
  i.created_raw AS created_at,
  f.reply_raw AS first_response_at
FROM (
  SELECT TRY_CAST(TRY_CAST(tweet_id AS DOUBLE) AS BIGINT) AS tid,
         CAST(created_at AS VARCHAR) AS created_raw,
         TRY_CAST(TRY_CAST(in_response_to_tweet_id AS DOUBLE) AS BIGINT) AS parent
  FROM ar_raw
  WHERE LOWER(TRIM(CAST(inbound AS VARCHAR))) = 'true'
) AS i
LEFT JOIN (
  SELECT TRY_CAST(TRY_CAST(tweet_id AS DOUBLE) AS BIGINT) AS tid
  FROM ar_raw
  WHERE LOWER(TRIM(CAST(inbound AS VARCHAR))) = 'false'
) AS c ON c.tid = i.parent
LEFT JOIN (
  SELECT TRY_CAST(TRY_CAST(in_response_to_tweet_id AS DOUBLE) AS BIGINT) AS parent,
         ARG_MIN(CAST(author_id AS VARCHAR), STRPTIME_TS) AS company,
         ARG_MIN(CAST(created_at AS VARCHAR), STRPTIME_TS) AS reply_raw
  FROM ar_raw
  WHERE LOWER(TRIM(CAST(inbound AS VARCHAR))) = 'false'
    AND in_response_to_tweet_id IS NOT NULL
  GROUP BY 1
) AS f ON f.parent = i.tid
WHERE i.tid IS NOT NULL AND c.tid IS NULL
"""


def twitter_support_relation(schema: TMapping[str, str]) -> exp.Expr:
    """Tickets from the Customer Support on Twitter layout (one row per tweet).

    A ticket is an inbound (customer) tweet that does not answer a company tweet, i.e. one that
    opens a conversation; its first response is the earliest non-inbound reply whose
    ``in_response_to_tweet_id`` is the ticket's id, and ``company`` is that reply's author.
    Ids written as floats (``192625.0``) are read through DOUBLE; ``response_tweet_id`` lists are
    not needed because every reply names its parent.
    """
    tree: exp.Expr = exp.maybe_parse(_TWITTER_SQL, dialect="duckdb")
    ts = exp.StrToTime(
        this=_text(exp.column("created_at")), format=exp.Literal.string("%a %b %d %H:%M:%S %z %Y"), safe=True
    )

    def fill(n: exp.Expr) -> exp.Expr:
        if isinstance(n, exp.Column) and n.name == "STRPTIME_TS":
            return ts.copy()
        return n

    tree = tree.transform(fill)
    for ident in tree.find_all(exp.Identifier):
        ident.set("quoted", True)
    return exp.Subquery(this=tree, alias=exp.TableAlias(this=exp.to_identifier(RAW, quoted=True)))


# ---------------------------------------------------------------- rule expressions


@dataclass(frozen=True)
class Unavailable(Exception):
    """A rule names a column the clean view does not have."""

    column: str


def _column_ref(name: str, columns: TMapping[str, str]) -> exp.Expr:
    if name not in columns:
        raise Unavailable(name)
    return col(name)


def _literal_for(node: ast.Literal, against: str | None) -> exp.Expr:
    v = node.value
    if isinstance(v, str) and against in CATEGORICAL:
        v = v.lower()
    return lit(v)


def _operand(node: ast.Expr, columns: TMapping[str, str], other: ast.Expr | None) -> exp.Expr:
    if isinstance(node, ast.Name):
        ref = _column_ref(node.name, columns)
        if columns.get(node.name) == "raw" and isinstance(other, ast.Literal):
            if other.unit in {"number", "duration", "percent"}:
                return _double(ref)
            if other.unit == "string":
                return _text(ref)
        return ref
    if isinstance(node, ast.Literal):
        against = other.name if isinstance(other, ast.Name) else None
        return _literal_for(node, against)
    return compile_expr(node, columns, None)


_COMPARE: dict[str, type[exp.Binary]] = {
    "==": exp.EQ,
    "!=": exp.NEQ,
    "<": exp.LT,
    "<=": exp.LTE,
    ">": exp.GT,
    ">=": exp.GTE,
}


def _glob_to_like(pattern: str) -> str:
    out = []
    for ch in pattern:
        if ch in "%_\\":
            out.append("\\" + ch)
        elif ch == "*":
            out.append("%")
        elif ch == "?":
            out.append("_")
        else:
            out.append(ch)
    return "".join(out)


def compile_expr(node: ast.Expr, columns: TMapping[str, str], policy: ast.Policy | None) -> exp.Expr:
    """A rule-language expression → a sqlglot condition with SQL NULL semantics.

    Missing values never compare true: ``NULL != "spam"`` and ``not (NULL == x)`` are NULL, and
    callers wrap conditions in ``COALESCE(…, FALSE)`` where a definite boolean is needed.
    """
    if isinstance(node, ast.Compare):
        left = _operand(node.left, columns, node.right)
        right = _operand(node.right, columns, node.left)
        return _COMPARE[node.op](this=left, expression=right)
    if isinstance(node, ast.InList):
        left = _operand(node.left, columns, None)
        against = node.left.name if isinstance(node.left, ast.Name) else None
        if isinstance(node.values, ast.SetRef):
            values = _set_values(node.values, policy)
            items = [lit(v.lower() if against in CATEGORICAL else v) for v in values]
        else:
            items = [_literal_for(v, against) for v in node.values]
        cond: exp.Expr = left.isin(*items) if items else exp.false()
        return exp.not_(cond) if node.negated else cond
    if isinstance(node, ast.IsNull):
        operand = _operand(node.operand, columns, None)
        isnull = exp.Is(this=operand, expression=exp.null())
        return exp.not_(isnull) if node.negated else isnull
    if isinstance(node, ast.Matches):
        operand = _text(_operand(node.operand, columns, None))
        return exp.Escape(
            this=exp.Like(this=operand, expression=exp.Literal.string(_glob_to_like(node.pattern))),
            expression=exp.Literal.string("\\"),
        )
    if isinstance(node, ast.And):
        return exp.and_(compile_expr(node.left, columns, policy), compile_expr(node.right, columns, policy))
    if isinstance(node, ast.Or):
        return exp.or_(compile_expr(node.left, columns, policy), compile_expr(node.right, columns, policy))
    if isinstance(node, ast.Not):
        return exp.not_(exp.Paren(this=compile_expr(node.operand, columns, policy)))
    if isinstance(node, ast.Name):
        return _column_ref(node.name, columns)
    if isinstance(node, ast.Literal):
        return lit(node.value)
    raise TypeError(f"unsupported expression node {type(node).__name__}")


def _set_values(ref: ast.SetRef, policy: ast.Policy | None) -> tuple[str, ...]:
    define = policy.define(ref.name) if policy is not None else None
    if define is None or not isinstance(define.value, ast.ChannelSet):
        raise Unavailable(f"set {ref.name}")
    return define.value.channels


def names_in(node: ast.Expr | None) -> set[str]:
    """Column names an expression reads."""
    if node is None:
        return set()
    if isinstance(node, ast.Name):
        return {node.name}
    if isinstance(node, ast.Compare):
        return names_in(node.left) | names_in(node.right)
    if isinstance(node, ast.InList):
        return names_in(node.left)
    if isinstance(node, (ast.IsNull, ast.Matches, ast.Not)):
        return names_in(node.operand)
    if isinstance(node, (ast.And, ast.Or)):
        return names_in(node.left) | names_in(node.right)
    return set()


def rule_columns(rule: ast.Rule) -> set[str]:
    """Every column a ticket rule reads."""
    out = names_in(rule.scope.where if rule.scope else None)
    for req in rule.requires:
        out |= requirement_columns(req) | names_in(req.aggregate.predicate)
    return out


def requirement_columns(req: ast.Require) -> set[str]:
    """Columns a requirement needs non-null in a row for the row to count (group, strata, aggregate).

    Columns inside ``share(PRED)`` are not among them: a ticket whose ``first_response`` is
    missing stays in the denominator of ``share(first_response <= 4h)`` and counts as not
    answered in time (missing values never compare true). Dropping it would flatter the slowest
    channel, whose unanswered tickets would vanish from its share.
    """
    out: set[str] = set()
    if req.aggregate.column is not None:
        out.add(req.aggregate.column.name)
    if req.group is not None:
        out.add(req.group.column.name)
    for s in req.strata:
        out.add(s.column.name)
    return out


# ---------------------------------------------------------------- groups

BIN_COUNT = {"deciles": 10, "quartiles": 4}


@dataclass(frozen=True)
class GroupKey:
    """A compiled grouping: the key expression and how to label and order its values."""

    expr: exp.Expr
    kind: str
    labels: tuple[str, ...] = ()  # bins: label per bin index (0-based)


def edge_probabilities(kind: str) -> tuple[float, ...]:
    k = BIN_COUNT[kind]
    return tuple(round(i / k, 10) for i in range(1, k))


def group_key(g: ast.GroupBy, columns: TMapping[str, str], edges: Sequence[float] | None = None) -> GroupKey:
    """The key of a grouping. ``edges`` are the quantile edges for deciles/quartiles (from the profile)."""
    c = _column_ref(g.column.name, columns)
    if columns.get(g.column.name) == "raw" and g.kind in {"deciles", "quartiles", "buckets"}:
        c = _double(c)
    if g.kind == "column":
        return GroupKey(c, "column")
    if g.kind == "month":
        return GroupKey(exp.TimeToStr(this=c, format=exp.Literal.string("%Y-%m")), "month")
    if g.kind == "buckets":
        values = [float(e.value) for e in g.edges if isinstance(e.value, (int, float))]
        texts = [e.text or _fmt(float(e.value)) for e in g.edges if isinstance(e.value, (int, float))]
        pairs: list[tuple[exp.Expr, exp.Expr]] = [
            (exp.LT(this=c.copy(), expression=lit(v)), lit(i)) for i, v in enumerate(values)
        ]
        inner = [f"{texts[i]}–{texts[i + 1]}" for i in range(len(texts) - 1)]
        labels = (f"< {texts[0]}", *inner, f">= {texts[-1]}")
        return GroupKey(_case(pairs, lit(len(values))), "bin", labels)
    # deciles / quartiles
    k = BIN_COUNT[g.kind]
    prefix = "D" if g.kind == "deciles" else "Q"
    labels = tuple(f"{prefix}{i + 1}" for i in range(k))
    e = list(edges or [])
    pairs = [(exp.LTE(this=c.copy(), expression=lit(float(v))), lit(i)) for i, v in enumerate(e)]
    return GroupKey(_case(pairs, lit(len(e))) if pairs else lit(0), "bin", labels)


def _fmt(v: float) -> str:
    return f"{v:g}"


# ---------------------------------------------------------------- requirements and queries


@dataclass(frozen=True)
class RequirementPlan:
    """One ``require`` statement compiled: its validity condition, keys and aggregate columns.

    ``index`` numbers requirements across the run so aggregate column names are unique
    (``r3_n``, ``r3_x``…). ``keys`` are the group key (if any) then the strata keys.
    """

    index: int
    rule: ast.Rule
    require: ast.Require
    scope: exp.Expr
    valid: exp.Expr
    keys: tuple[GroupKey, ...]
    aggregates: tuple[tuple[str, exp.Expr], ...]

    @property
    def signature(self) -> tuple[str, ...]:
        return tuple(render(k.expr) for k in self.keys)

    def standalone(self) -> exp.Select:
        """The requirement's own aggregate query over the clean view (for the finding's evidence)."""
        return aggregate_query([self])


def scope_condition(rule: ast.Rule, policy: ast.Policy, columns: TMapping[str, str]) -> exp.Expr:
    """``_reason IS NULL AND COALESCE(where, FALSE)``: the rows a rule looks at."""
    kept = exp.Is(this=col("_reason"), expression=exp.null())
    where = rule.scope.where if rule.scope else None
    if where is None:
        return kept
    return exp.and_(
        kept, exp.Coalesce(this=exp.Paren(this=compile_expr(where, columns, policy)), expressions=[exp.false()])
    )


def plan_requirement(
    index: int,
    policy: ast.Policy,
    rule: ast.Rule,
    req: ast.Require,
    columns: TMapping[str, str],
    edges: TMapping[tuple[str, str], Sequence[float]],
) -> RequirementPlan:
    """Compile one requirement; raises :class:`Unavailable` when it names a missing column."""
    scope = scope_condition(rule, policy, columns)
    groupings = ([req.group] if req.group is not None else []) + list(req.strata)
    keys = tuple(group_key(g, columns, edges.get((rule.id, g.column.name + ":" + g.kind))) for g in groupings)
    notnull = [
        exp.not_(exp.Is(this=_column_ref(n, columns), expression=exp.null())) for n in sorted(requirement_columns(req))
    ]
    valid = _and([scope, *notnull])
    p = f"r{index}_"
    agg = req.aggregate
    aggs: list[tuple[str, exp.Expr]] = [(p + "n", _count_if(valid.copy()))]
    value = _column_ref(agg.column.name, columns) if agg.column is not None else None
    if value is not None and columns.get(agg.column.name if agg.column else "") == "raw":
        value = _double(value)
    if agg.func == "share":
        assert agg.predicate is not None
        pred = exp.Coalesce(
            this=exp.Paren(this=compile_expr(agg.predicate, columns, policy)), expressions=[exp.false()]
        )
        aggs.append((p + "x", _count_if(exp.and_(valid.copy(), pred))))
    elif agg.func == "mean":
        assert value is not None
        aggs.append((p + "mean", _filtered(exp.Avg(this=value.copy()), valid.copy())))
        aggs.append(
            (
                p + "var",
                _filtered(
                    exp.VarianceSamp(this=value.copy())
                    if hasattr(exp, "VarianceSamp")
                    else exp.Variance(this=value.copy()),
                    valid.copy(),
                ),
            )
        )
    elif agg.quantile is not None:
        assert value is not None
        aggs.append(
            (
                p + "q",
                _filtered(exp.PercentileCont(this=value.copy(), expression=lit(float(agg.quantile))), valid.copy()),
            )
        )
    elif agg.func in {"min", "max", "sum"}:
        assert value is not None
        fn = {"min": exp.Min, "max": exp.Max, "sum": exp.Sum}[agg.func]
        aggs.append((p + agg.func, _filtered(fn(this=value.copy()), valid.copy())))
    return RequirementPlan(index, rule, req, scope, valid, keys, tuple(aggs))


def key_names(n: int) -> list[str]:
    return [f"k{i}" for i in range(n)]


def aggregate_query(reqs: Sequence[RequirementPlan]) -> exp.Select:
    """One pass over the clean view for requirements sharing a grouping."""
    keys = reqs[0].keys
    names = key_names(len(keys))
    cols: list[exp.Expr] = [_alias(k.expr.copy(), n) for k, n in zip(keys, names, strict=True)]
    for r in reqs:
        cols += [_alias(a.copy(), name) for name, a in r.aggregates]
    q = exp.select(*cols).from_(table_ref(CLEAN))
    if keys:
        q = q.group_by(*[k.expr.copy() for k in keys])
        q = q.order_by(*[exp.Ordered(this=col(n), nulls_first=True) for n in names])
    return q


def aggregate_queries(reqs: Sequence[RequirementPlan]) -> list[tuple[list[RequirementPlan], exp.Select]]:
    """Group requirements by grouping signature, one query per distinct grouping (in first-seen order)."""
    batches: dict[tuple[str, ...], list[RequirementPlan]] = {}
    for r in reqs:
        batches.setdefault(r.signature, []).append(r)
    return [(batch, aggregate_query(batch)) for batch in batches.values()]


def order_statistic_query(plan: RequirementPlan, ranks: Sequence[tuple[tuple[Any, ...], int, int]]) -> exp.Select:
    """The order statistics at 1-based ranks (lo, hi) per group: ``LIST_SORT(ARRAY_AGG(x))[rank]``.

    ``ranks`` holds (key values, lo, hi) for each group; keys are matched with ``IS NOT DISTINCT
    FROM``-free equality because groups with NULL keys are never compared.
    """
    agg = plan.require.aggregate
    assert agg.column is not None
    keys = plan.keys
    names = key_names(len(keys))
    value = col(agg.column.name)
    inner = (
        exp.select(
            *[_alias(k.expr.copy(), n) for k, n in zip(keys, names, strict=True)],
            _alias(exp.ArraySort(this=exp.ArrayAgg(this=value)), "xs"),
        )
        .from_(table_ref(CLEAN))
        .where(plan.valid.copy())
    )
    if keys:
        inner = inner.group_by(*[k.expr.copy() for k in keys])

    def pick(which: int) -> exp.Expr:
        pairs = []
        for key_values, lo, hi in ranks:
            cond = _and(col(n).eq(lit(v)) for n, v in zip(names, key_values, strict=True))
            idx = lo if which == 0 else hi
            pairs.append((cond, exp.Bracket(this=col("xs"), expressions=[lit(idx)], offset=1, safe=True)))
        return _case(pairs, exp.null()) if pairs else exp.null()

    return exp.select(*[col(n) for n in names], _alias(pick(0), "lo"), _alias(pick(1), "hi")).from_(
        exp.Subquery(this=inner, alias=exp.TableAlias(this=exp.to_identifier("s", quoted=True)))
    )


@dataclass(frozen=True)
class ProfilePlan:
    """The profile query and how to read its columns back."""

    select: exp.Select
    scopes: dict[str, str]  # rule id → column
    edges: dict[tuple[str, str], str]  # (rule id, "col:kind") → column
    parsed: tuple[str, ...]


def profile_query(rules: Sequence[tuple[ast.Policy, ast.Rule]], view: CleanView) -> ProfilePlan:
    """Row accounting, AR302 parse counts, per-rule scope counts and quantile edges in one pass."""
    cols: list[exp.Expr] = [_alias(exp.Count(this=exp.Star()), "read")]
    for reason in REASONS:
        cols.append(_alias(_count_if(col("_reason").eq(lit(reason))), reason))
    for c in view.parsed:
        cols.append(_alias(_count_if(col(f"_has_{c}")), f"has_{c}"))
        cols.append(_alias(_count_if(col(f"_bad_{c}")), f"bad_{c}"))
    scopes: dict[str, str] = {}
    edges: dict[tuple[str, str], str] = {}
    for i, (policy, rule) in enumerate(rules):
        try:
            scope = scope_condition(rule, policy, view.columns)
        except Unavailable:
            continue
        scopes[rule.id] = f"scope{i}"
        cols.append(_alias(_count_if(scope), f"scope{i}"))
        for req in rule.requires:
            for g in ([req.group] if req.group else []) + list(req.strata):
                if g.kind not in BIN_COUNT:
                    continue
                ident = (rule.id, g.column.name + ":" + g.kind)
                if ident in edges or g.column.name not in view.columns:
                    continue
                name = f"edges{len(edges)}"
                edges[ident] = name
                value: exp.Expr = col(g.column.name)
                if view.columns[g.column.name] == "raw":
                    value = _double(value)
                cond = exp.and_(scope.copy(), exp.not_(exp.Is(this=value.copy(), expression=exp.null())))
                probs = exp.Array(expressions=[lit(p) for p in edge_probabilities(g.kind)])
                cols.append(_alias(_filtered(exp.PercentileCont(this=value, expression=probs), cond), name))
    return ProfilePlan(exp.select(*cols).from_(table_ref(CLEAN)), scopes, edges, view.parsed)
