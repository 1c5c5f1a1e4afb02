"""Parser: rule-language text → :class:`~auditrules.lang.ast.Policy` (Lark LALR with positions).

The grammar lives in ``grammar.lark``. Lark errors are converted to :class:`AuditError` in exactly
one place, :func:`_syntax_error`; the tree is turned into AST nodes by :class:`_ToAst`, whose
methods are named after the grammar's rules and aliases.
"""

from __future__ import annotations

import json
import math
import re
from functools import cache
from importlib import resources
from typing import Any

from lark import Lark, Token, Transformer, Tree, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError
from lark.tree import Meta

from auditrules.errors import AuditError, Span
from auditrules.lang import ast
from auditrules.units import DURATION_SUFFIXES

#: Plain words for terminals, used in syntax errors ("expected a string").
_TERMINAL_WORDS = {
    "STRING": "a string",
    "NAME": "a name",
    "RULE_ID": "a rule ID such as FAIR-001",
    "INT": "a whole number",
    "NUMBER": "a number",
    "DURATION": "a duration such as 4h",
    "PERCENT": "a percentage such as 10%",
    "COMP_OP": "a comparison (==, !=, <, <=, >, >=)",
    "SEVERITY": "low, medium or high",
    "MEASURE": "ratio or difference",
    "REF_KIND": "largest, lowest or highest",
    "GROUP_FN": "deciles, quartiles or month",
    "LBRACE": "'{'",
    "RBRACE": "'}'",
    "LPAR": "'('",
    "RPAR": "')'",
    "COLON": "':'",
    "COMMA": "','",
    "EQUAL": "'='",
    "$END": "end of file",
}


def grammar_cache_file(grammar: str, name: str) -> str | bool:
    """A private cache file for Lark's compiled parser tables (a pickle: never in a shared /tmp).

    Lives in ``$XDG_CACHE_HOME/auditrules`` (default ``~/.cache/auditrules``), created with mode
    0700; the name carries a hash of the grammar and the Lark version. Without a usable private
    directory the parser is rebuilt each run (``False``).
    """
    import hashlib

    import lark

    from auditrules.cache import private_dir

    directory = private_dir()
    if directory is None:
        return False
    digest = hashlib.sha256((grammar + lark.__version__).encode()).hexdigest()[:16]
    return str(directory / f"{name}-{digest}.lark-cache")


@cache
def _lark() -> Lark:
    grammar = resources.files("auditrules.lang").joinpath("grammar.lark").read_text(encoding="utf-8")
    return Lark(
        grammar,
        parser="lalr",
        lexer="contextual",
        propagate_positions=True,
        maybe_placeholders=False,
        start=["start", "expr"],
        cache=grammar_cache_file(grammar, "rules"),
    )


def parse_policy(text: str, path: str = "<string>") -> ast.Policy:
    """Parse a rules file. Raises :class:`AuditError` (AR101) with a caret on syntax errors.

    Line endings are normalised first (``\\r\\n`` and old-Mac ``\\r`` → ``\\n``): a comment must
    end at the end of its line, not run to the end of a file that has no ``\\n``.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # as documents.read_text does on files
    tree = _parse(text, path, "start")
    transformer = _ToAst(path, text)
    try:
        header, defines, rules = transformer.transform(tree)
    except VisitError as exc:
        if isinstance(exc.orig_exc, AuditError):
            raise exc.orig_exc from None
        raise
    name, version = header if header else (None, None)
    return ast.Policy(name, version, tuple(defines), tuple(rules), path, Span(path, 1, 1))


def parse_expression(text: str, path: str = "<string>", line: int = 1, column: int = 1) -> ast.Expr:
    """Parse one expression (``channel == "twitter" and customer.klout_score >= 40``).

    ``line`` and ``column`` say where ``text`` starts in ``path`` so spans point into that file.
    """
    tree = _parse(text, path, "expr", line, column)
    transformer = _ToAst(path, text, line - 1, column - 1)
    try:
        result: ast.Expr = transformer.transform(tree)
    except VisitError as exc:
        if isinstance(exc.orig_exc, AuditError):
            raise exc.orig_exc from None
        raise
    return result


def comments(text: str) -> list[tuple[int, str]]:
    """Every ``#`` comment outside a string, as (line, text), for the formatter to keep."""
    out: list[tuple[int, str]] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        in_string = False
        escaped = False
        for i, ch in enumerate(line):
            if in_string:
                if escaped:
                    escaped = False
                elif ch == "\\":
                    escaped = True
                elif ch == '"':
                    in_string = False
            elif ch == '"':
                in_string = True
            elif ch == "#":
                out.append((lineno, line[i:].rstrip()))
                break
    return out


def _parse(text: str, path: str, start: str, line: int = 1, column: int = 1) -> Tree[Token]:
    try:
        tree = _lark().parse(text, start=start)
    except UnexpectedInput as exc:
        raise _syntax_error(exc, text, path, start, line, column) from None
    _check_tree(tree, text, path, line, column)
    return tree


#: Deepest nesting of the parse tree (``a and b and c …`` nests one level per operator). Checked
#: before anything recurses over the tree: the transformer, the checker, the formatter and the SQL
#: generator all do, and a few hundred levels exhaust Python's stack.
MAX_NESTING = 100


def _check_tree(tree: Tree[Token], text: str, path: str, line0: int, col0: int) -> None:
    """AR114 for nesting deeper than MAX_NESTING, AR101 for a string that is not a valid literal.

    One iterative walk, so that deep trees are refused before any recursive stage sees them.
    """
    stack: list[tuple[Tree[Token] | Token, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, Token):
            if node.type == "STRING":
                _check_string(node, text, path, line0, col0)
            continue
        if depth > MAX_NESTING:
            meta = node.meta
            where = _place(getattr(meta, "line", 1) or 1, getattr(meta, "column", 1) or 1, line0, col0)
            raise AuditError(
                "AR114",
                f"expression nested more than {MAX_NESTING} levels deep; split the rule, or write a long "
                "chain of 'or' alternatives as 'x in (\"a\", \"b\", …)'",
                Span(path, *where),
                _embedded_source(text, line0, col0),
            )
        stack.extend((child, depth + 1) for child in node.children)


def _check_string(tok: Token, text: str, path: str, line0: int, col0: int) -> None:
    """A rule string is a JSON string: refuse bad escapes, raw control characters, lone surrogates."""
    raw = str(tok)
    problem, offset = None, 0
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        offset = exc.pos
        ch = raw[offset] if offset < len(raw) else ""
        if ch == "\\":
            problem = f"invalid escape {raw[offset : offset + 2]!r} in a string (use \\\\ for a backslash)"
        elif ch and ord(ch) < 0x20:
            problem = f"control character {ch!r} inside a string; write it as an escape such as \\t"
        else:
            problem = f"invalid string: {exc.msg}"
    else:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            offset = raw.find("\\u")
            problem = f"{value[exc.start]!r} is half of a surrogate pair, not a character"
    if problem is not None:
        line, column = _place(tok.line or 1, (tok.column or 1) + offset, line0, col0)
        raise AuditError(
            "AR101", problem, Span(path, line, column, line, column + 1), _embedded_source(text, line0, col0)
        )


def _place(line: int, column: int, line0: int, col0: int) -> tuple[int, int]:
    """A (line, column) inside an embedded expression → file coordinates."""
    if line == 1:
        column += col0 - 1
    return line + line0 - 1, column


def _embedded_source(text: str, line0: int, col0: int) -> str:
    """The text an excerpt is taken from: ``text`` placed at (line0, col0) of its file."""
    if line0 == 1 and col0 == 1:
        return text
    return "\n" * (line0 - 1) + " " * (col0 - 1) + text


def _syntax_error(exc: UnexpectedInput, text: str, path: str, start: str, line0: int, col0: int) -> AuditError:
    """The one place Lark's exceptions become :class:`AuditError` AR101."""
    line = exc.line if exc.line and exc.line > 0 else 1
    column = exc.column if exc.column and exc.column > 0 else 1
    width = 1
    if isinstance(exc, UnexpectedToken):
        tok = exc.token
        if tok.type == "$END":
            found = "end of input"
            lines = text.splitlines() or [""]
            line = len(lines)
            column = len(lines[-1]) + 1
        else:
            found = f"'{tok}'"
            width = max(1, len(str(tok)))
        expected = _describe_expected(exc.expected)
        message = _grouping_error(text, line, column) if str(tok) == "(" else None
        message = message or f"unexpected {found}; expected {expected}"
    elif isinstance(exc, UnexpectedCharacters):
        pos = exc.pos_in_stream if exc.pos_in_stream is not None else -1
        ch = text[pos] if 0 <= pos < len(text) else "?"
        message = f"unexpected character {ch!r}"
        allowed = getattr(exc, "allowed", None)
        if allowed:
            message += f"; expected {_describe_expected(allowed)}"
    elif isinstance(exc, UnexpectedEOF):
        message = f"unexpected end of input; expected {_describe_expected(exc.expected)}"
    else:  # pragma: no cover - Lark has no other subclasses
        message = str(exc)
    source = text
    if line0 or col0 > 0:
        # An embedded expression: report in file coordinates; the excerpt shows the expression.
        source = "\n" * (line0 - 1) + " " * (col0 - 1) + text if line0 >= 1 else text
        if line == 1:
            column += col0 - 1
        line += line0 - 1
    return AuditError("AR101", message, Span(path, line, column, line, column + width), source)


def grouping_forms() -> list[str]:
    """The grouping forms of ``each``, ``across`` and ``within``, as the grammar defines them."""
    pattern = str(_lark().get_terminal("GROUP_FN").pattern.value)
    functions = re.findall(r"[a-z]+", pattern.split(")")[0])
    return ["COLUMN", *(f"{fn}(COLUMN)" for fn in functions), "buckets(COLUMN, EDGE, ...)"]


def _grouping_error(text: str, line: int, column: int) -> str | None:
    """For ``across weekday(created_at)``: a grouping function that does not exist, and those that do."""
    lines = text.splitlines()
    before = lines[line - 1][: column - 1] if 1 <= line <= len(lines) else ""
    m = re.search(r"\b(?:each|across|within)\s+(?:[A-Za-z_][\w.]*\s*,\s*)*([A-Za-z_]\w*)\s*$", before)
    if m is None:
        return None
    return f"unknown grouping '{m.group(1)}(...)'; a group is one of {', '.join(grouping_forms())}"


def _describe_expected(expected: Any) -> str:
    words: list[str] = []
    for name in sorted(expected):
        if name in _TERMINAL_WORDS:
            words.append(_TERMINAL_WORDS[name])
        else:
            try:
                pattern = _lark().get_terminal(name).pattern
                value = pattern.value if pattern.type == "str" else name.lower()
            except KeyError:
                value = name.lower()
            words.append(f"'{value}'")
    words = sorted(set(words))
    if len(words) > 8:
        return ", ".join(words[:8]) + f" or one of {len(words) - 8} more"
    if len(words) > 1:
        return ", ".join(words[:-1]) + " or " + words[-1]
    return words[0] if words else "something else"


#: ``minimum`` counts tickets; more digits than this is a typo (and int() refuses 4,300 digits).
MAX_INT_DIGITS = 15


def _shorten(text: str, width: int = 24) -> str:
    return text if len(text) <= width else f"{text[:10]}…({len(text)} characters)"


def _string(tok: Token) -> str:
    value = json.loads(str(tok))
    assert isinstance(value, str)
    return value


@v_args(meta=True)
class _ToAst(Transformer[Token, Any]):
    """Lark tree → AST nodes; one method per grammar rule or alias."""

    def __init__(self, path: str, text: str, line_offset: int = 0, col_offset: int = 0) -> None:
        super().__init__()
        self.path = path
        self.text = text
        self.line_offset = line_offset
        self.col_offset = col_offset
        self.lines = text.splitlines()

    # -------------------------------------------------------------- positions
    def _span(self, meta: Meta | Token) -> Span:
        line = getattr(meta, "line", None) or 1
        col = getattr(meta, "column", None) or 1
        end_line = getattr(meta, "end_line", None) or line
        end_col = getattr(meta, "end_column", None) or col
        if line == 1:
            col += self.col_offset
        if end_line == 1:
            end_col += self.col_offset
        return Span(self.path, line + self.line_offset, col, end_line + self.line_offset, end_col)

    def _source(self, meta: Meta) -> str:
        start = getattr(meta, "start_pos", None)
        end = getattr(meta, "end_pos", None)
        if start is None or end is None:
            return ""
        return self.text[start:end]

    def _fail(self, code: str, message: str, where: Meta | Token) -> AuditError:
        src = self.text
        if self.line_offset or self.col_offset:
            src = "\n" * self.line_offset + " " * self.col_offset + self.text
        return AuditError(code, message, self._span(where), src)

    # -------------------------------------------------------------- file structure
    def start(self, meta: Meta, children: list[Any]) -> tuple[Any, list[ast.Define], list[ast.Rule]]:
        header = None
        defines: list[ast.Define] = []
        rules: list[ast.Rule] = []
        for child in children:
            if isinstance(child, ast.Define):
                defines.append(child)
            elif isinstance(child, ast.Rule):
                rules.append(child)
            else:
                header = child
        return header, defines, rules

    def header(self, meta: Meta, children: list[Token]) -> tuple[str, str | None]:
        return _string(children[0]), (_string(children[1]) if len(children) > 1 else None)

    def define(self, meta: Meta, children: list[Any]) -> ast.Define:
        return ast.Define(str(children[0]), children[1], self._span(meta))

    def field_set(self, meta: Meta, children: list[Token]) -> ast.FieldSet:
        return ast.FieldSet(self._patterns(children, "field"), self._span(meta))

    def channel_set(self, meta: Meta, children: list[Token]) -> ast.ChannelSet:
        return ast.ChannelSet(tuple(_string(t) for t in children), self._span(meta))

    def _patterns(self, tokens: list[Token], what: str) -> tuple[str, ...]:
        patterns = tuple(_string(t) for t in tokens)
        for tok, pat in zip(tokens, patterns, strict=True):
            if not pat.strip():
                raise self._fail("AR112", f"empty {what} pattern", tok)
        return patterns

    def value_set(self, meta: Meta, children: list[Any]) -> ast.ValueSet:
        scope: tuple[str, tuple[str, ...]] | None = None
        if children and isinstance(children[-1], tuple):
            scope = children.pop()
        patterns = self._patterns(children, "value")
        if scope is None:
            return ast.ValueSet(patterns, (), None, self._span(meta))
        return ast.ValueSet(patterns, scope[1], scope[0], self._span(meta))

    def value_in_fields(self, meta: Meta, children: list[Token]) -> tuple[str, tuple[str, ...]]:
        return "in", self._patterns(children, "field")

    def value_outside_fields(self, meta: Meta, children: list[Token]) -> tuple[str, tuple[str, ...]]:
        return "outside", self._patterns(children, "field")

    def rule(self, meta: Meta, children: list[Any]) -> ast.Rule:
        rule_id = str(children[0])
        title = _string(children[1])
        severity: str | None = None
        rationale: str | None = None
        remediation: str | None = None
        docs: str | None = None
        statements: list[ast.Statement] = []
        for child in children[2:]:
            kind, value, where = child if isinstance(child, tuple) else (None, child, None)
            if kind is None:
                statements.append(value)
                continue
            if kind == "severity":
                if severity is not None:
                    raise self._fail("AR107", f"rule {rule_id} sets 'severity' twice", where)
                severity = value
            elif kind == "rationale":
                if rationale is not None:
                    raise self._fail("AR107", f"rule {rule_id} sets 'rationale' twice", where)
                rationale = value
            elif kind == "remediation":
                if remediation is not None:
                    raise self._fail("AR107", f"rule {rule_id} sets 'remediation' twice", where)
                remediation = value
            elif kind == "docs":
                if docs is not None:
                    raise self._fail("AR107", f"rule {rule_id} sets 'docs' twice", where)
                if not re.match(r"https?://\S+$", value):
                    raise self._fail("AR109", f"docs must be an http(s) URL, not {value!r}", where)
                docs = value
        if severity is None:
            raise self._fail("AR113", f"rule {rule_id} has no 'severity' (low, medium or high)", children[0])
        if not statements:
            raise self._fail("AR113", f"rule {rule_id} has no statement to check", children[0])
        return ast.Rule(
            rule_id,
            title,
            severity,
            tuple(statements),
            rationale,
            remediation,
            self._span(meta),
            self._source(meta),
            docs,
        )

    def severity(self, meta: Meta, children: list[Token]) -> tuple[str, str, Meta]:
        return ("severity", str(children[0]), meta)

    def rationale(self, meta: Meta, children: list[Token]) -> tuple[str, str, Meta]:
        return ("rationale", _string(children[0]), meta)

    def remediation(self, meta: Meta, children: list[Token]) -> tuple[str, str, Meta]:
        return ("remediation", _string(children[0]), meta)

    def docs(self, meta: Meta, children: list[Token]) -> tuple[str, str, Meta]:
        return ("docs", _string(children[0]), meta)

    # -------------------------------------------------------------- statements
    def must_not_read(self, meta: Meta, children: list[Any]) -> ast.MustNotRead:
        return ast.MustNotRead(children[0], self._span(meta))

    def may_read_only(self, meta: Meta, children: list[Any]) -> ast.MayReadOnly:
        return ast.MayReadOnly(children[0], self._span(meta))

    def sla_coverage(self, meta: Meta, children: list[Any]) -> ast.SlaCoverage:
        return ast.SlaCoverage(self._span(meta))

    def every_channel(self, meta: Meta, children: list[Any]) -> None:
        return None

    def sla_metric(self, meta: Meta, children: list[Token]) -> str:
        return str(children[0])

    def sla_equal(self, meta: Meta, children: list[Any]) -> ast.SlaEqual:
        across = children[0] if children and isinstance(children[0], ast.SetRef) else None
        metric = next((c for c in children if isinstance(c, str)), None)
        return ast.SlaEqual(across, metric, self._span(meta))

    def priority_equal(self, meta: Meta, children: list[Any]) -> ast.PriorityEqual:
        across = children[0] if children and isinstance(children[0], ast.SetRef) else None
        return ast.PriorityEqual(across, self._span(meta))

    def ticket_scope(self, meta: Meta, children: list[Any]) -> ast.TicketScope:
        return ast.TicketScope(children[0] if children else None, self._span(meta))

    def minimum(self, meta: Meta, children: list[Token]) -> ast.Minimum:
        text = str(children[0])
        if len(text.lstrip("0")) > MAX_INT_DIGITS:
            raise self._fail("AR109", f"minimum {_shorten(text)} is too large", children[0])
        return ast.Minimum(int(text), self._span(meta))

    def modifiers(self, meta: Meta, children: list[Any]) -> tuple[tuple[ast.GroupBy, ...], float | None]:
        strata: tuple[ast.GroupBy, ...] = ()
        confidence: float | None = None
        for child in children:
            if isinstance(child, tuple):
                strata = child
            else:
                confidence = child
        return strata, confidence

    def within(self, meta: Meta, children: list[ast.GroupBy]) -> tuple[ast.GroupBy, ...]:
        return tuple(children)

    def confidence(self, meta: Meta, children: list[Token]) -> float:
        value = float(str(children[0])[:-1]) / 100
        if not 0.5 <= value < 1:
            raise self._fail("AR109", f"confidence {children[0]} must be at least 50% and below 100%", children[0])
        return value

    def reference(self, meta: Meta, children: list[Token]) -> ast.Reference:
        tok = children[0]
        if tok.type == "STRING":
            return ast.Reference("group", _string(tok), self._span(meta))
        return ast.Reference(str(tok), None, self._span(meta))

    def require_overall(self, meta: Meta, children: list[Any]) -> ast.Require:
        agg, threshold, (strata, conf) = children
        return ast.Require("overall", agg, threshold, None, None, None, strata, conf, self._span(meta))

    def require_each(self, meta: Meta, children: list[Any]) -> ast.Require:
        group, agg, threshold, (strata, conf) = children
        return ast.Require("each", agg, threshold, group, None, None, strata, conf, self._span(meta))

    def require_across(self, meta: Meta, children: list[Any]) -> ast.Require:
        group = children[0]
        rest = children[1:]
        reference = rest.pop(0) if isinstance(rest[0], ast.Reference) else None
        measure, agg, threshold, (strata, conf) = rest
        return ast.Require("across", agg, threshold, group, reference, str(measure), strata, conf, self._span(meta))

    def aggregate(self, meta: Meta, children: list[Any]) -> ast.Aggregate:
        tok: Token = children[0]
        func = str(tok)
        arg = children[1] if len(children) > 1 else None
        quantile: float | None = None
        if func == "median":
            quantile = 0.5
        elif len(func) in (2, 3) and func[0] == "p" and func[1:].isdigit() and func[1] != "0":
            quantile = int(func[1:]) / 100
        if func == "share":
            return ast.Aggregate(func, None, arg, None, self._span(meta))
        column = arg if isinstance(arg, ast.Name) else None
        if arg is not None and column is None:
            # kept as a predicate so the checker can say what is wrong with it
            return ast.Aggregate(func, None, arg, quantile, self._span(meta))
        return ast.Aggregate(func, column, None, quantile, self._span(meta))

    def threshold_cmp(self, meta: Meta, children: list[Any]) -> ast.Threshold:
        return ast.Threshold(str(children[0]), children[1], None, self._span(meta))

    def threshold_between(self, meta: Meta, children: list[Any]) -> ast.Threshold:
        return ast.Threshold("between", children[0], children[1], self._span(meta))

    def group_column(self, meta: Meta, children: list[Any]) -> ast.GroupBy:
        return ast.GroupBy("column", children[0], (), self._span(meta))

    def group_fn(self, meta: Meta, children: list[Any]) -> ast.GroupBy:
        return ast.GroupBy(str(children[0]), children[1], (), self._span(meta))

    def group_buckets(self, meta: Meta, children: list[Any]) -> ast.GroupBy:
        return ast.GroupBy("buckets", children[0], tuple(children[1:]), self._span(meta))

    # -------------------------------------------------------------- expressions
    def or_(self, meta: Meta, children: list[Any]) -> ast.Or:
        return ast.Or(children[0], children[1], self._span(meta))

    def and_(self, meta: Meta, children: list[Any]) -> ast.And:
        return ast.And(children[0], children[1], self._span(meta))

    def not_(self, meta: Meta, children: list[Any]) -> ast.Not:
        return ast.Not(children[0], self._span(meta))

    def compare(self, meta: Meta, children: list[Any]) -> ast.Compare:
        return ast.Compare(str(children[1]), children[0], children[2], self._span(meta))

    def in_list(self, meta: Meta, children: list[Any]) -> ast.InList:
        return ast.InList(children[0], tuple(children[1:]), False, self._span(meta))

    def not_in_list(self, meta: Meta, children: list[Any]) -> ast.InList:
        return ast.InList(children[0], tuple(children[1:]), True, self._span(meta))

    def in_set(self, meta: Meta, children: list[Any]) -> ast.InList:
        return ast.InList(children[0], children[1], False, self._span(meta))

    def not_in_set(self, meta: Meta, children: list[Any]) -> ast.InList:
        return ast.InList(children[0], children[1], True, self._span(meta))

    def is_null(self, meta: Meta, children: list[Any]) -> ast.IsNull:
        return ast.IsNull(children[0], False, self._span(meta))

    def is_not_null(self, meta: Meta, children: list[Any]) -> ast.IsNull:
        return ast.IsNull(children[0], True, self._span(meta))

    def matches(self, meta: Meta, children: list[Any]) -> ast.Matches:
        pattern = _string(children[1])
        if not pattern:
            raise self._fail("AR112", "empty pattern after 'matches'", children[1])
        return ast.Matches(children[0], pattern, self._span(meta))

    def name(self, meta: Meta, children: list[Token]) -> ast.Name:
        return ast.Name(str(children[0]), self._span(children[0]))

    def set_ref(self, meta: Meta, children: list[Token]) -> ast.SetRef:
        return ast.SetRef(str(children[0]), self._span(children[0]))

    def string(self, meta: Meta, children: list[Token]) -> ast.Literal:
        return ast.Literal(_string(children[0]), "string", str(children[0]), self._span(children[0]))

    def _finite(self, value: float, tok: Token) -> float:
        if not math.isfinite(value):
            raise self._fail("AR109", f"number {_shorten(str(tok))} is too large to be represented", tok)
        return value

    def number(self, meta: Meta, children: list[Token]) -> ast.Literal:
        text = str(children[0])
        return ast.Literal(self._finite(float(text), children[0]), "number", text, self._span(children[0]))

    def duration(self, meta: Meta, children: list[Token]) -> ast.Literal:
        text = str(children[0])
        seconds = self._finite(float(text[:-1]) * DURATION_SUFFIXES[text[-1]], children[0])
        return ast.Literal(seconds, "duration", text, self._span(children[0]))

    def percent(self, meta: Meta, children: list[Token]) -> ast.Literal:
        text = str(children[0])
        value = self._finite(float(text[:-1]) / 100, children[0])
        if value > 1:
            raise self._fail("AR109", f"percentage {text} is above 100%", children[0])
        return ast.Literal(value, "percent", text, self._span(children[0]))

    def null(self, meta: Meta, children: list[Token]) -> ast.Literal:
        return ast.Literal(None, "null", "null", self._span(meta))

    def true(self, meta: Meta, children: list[Token]) -> ast.Literal:
        return ast.Literal(True, "bool", "true", self._span(meta))

    def false(self, meta: Meta, children: list[Token]) -> ast.Literal:
        return ast.Literal(False, "bool", "false", self._span(meta))
