"""Errors a user can cause: one exception type, one renderer, one table of codes — and
:func:`visible`, the one way text from inputs is shown (control characters as escapes).

Every stage raises :class:`AuditError` (``raise fail(code, message, span)`` or the constructor
when it also has the source text); the CLI renders it with :func:`render_error` as
``path:line:col: error[CODE]: message`` followed by a caret excerpt when the source text is
known. Each code is listed in :data:`CODES`, in ``docs/errors.md`` and has a golden case in
``tests/errors/<CODE>/``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache


@dataclass(frozen=True)
class Span:
    """A region of a source file; lines and columns are 1-based, ``end_column`` is exclusive."""

    path: str
    line: int
    column: int
    end_line: int | None = None
    end_column: int | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


# code -> (title, what it means). docs/errors.md is generated from / checked against this table.
CODES: dict[str, tuple[str, str]] = {
    # AR0xx: usage and files
    "AR001": ("file not found", "A path given on the command line does not exist."),
    "AR002": ("file unreadable", "A file exists but cannot be read or decoded as UTF-8."),
    "AR003": ("input too large", "A file exceeds the size, nesting or alias limits for safe parsing."),
    "AR004": ("unknown rule", "`auditrules explain` was given a rule ID that no rule pack defines."),
    "AR005": ("usage error", "Command-line options that cannot be combined or are missing."),
    "AR006": (
        "cannot write output",
        "The output file could not be written, or is a directory, device or FIFO, or the path is empty.",
    ),
    "AR007": ("no rules", "A rules file defines no rule, or no rule is left to check in the run."),
    # AR1xx: the rule language
    "AR101": ("syntax error", "The rules file does not follow the grammar."),
    "AR102": ("unknown aggregate", "An aggregate the language does not define, or one given the wrong argument."),
    "AR103": ("undefined name", "A set used in a statement was never defined with `define`."),
    "AR104": ("duplicate rule id", "Two rules in the loaded packs share one ID."),
    "AR105": ("unit mismatch", "A comparison mixes units, e.g. a duration with a percentage."),
    "AR106": ("minimum without groups", "`minimum N tickets per group` in a rule that compares no groups."),
    "AR107": (
        "duplicate definition",
        "A `define` name, a rule clause such as `severity`, or a `tickets` line appears twice.",
    ),
    "AR108": ("wrong kind of set", "A field set used where a channel set is expected, or the reverse."),
    "AR109": (
        "invalid value",
        "A value out of range: a confidence level, a percentage, bucket edges, `minimum`, an empty `between`.",
    ),
    "AR110": ("ticket statement without scope", "A `require` or `minimum` statement in a rule with no `tickets` line."),
    "AR112": ("invalid pattern", "A `matches` or field pattern that is empty."),
    "AR113": ("incomplete rule", "A rule without `severity`, or without any statement to check."),
    "AR114": (
        "expression too deep",
        "An expression nests more than 100 levels (e.g. hundreds of chained `and`/`or`); refused before any"
        " stage recurses over it.",
    ),
    # AR2xx: routing exports
    "AR201": ("invalid YAML", "A YAML routing file cannot be parsed."),
    "AR202": (
        "schema violation",
        "A routing file does not match its schema (an error), or an export record lacks a field it needs (a warning).",
    ),
    "AR203": ("invalid expression", "A `when:` expression in a canonical routing file does not parse."),
    "AR204": (
        "unknown routing format",
        "A routing path matches none of the known export formats; inside a bundle, a file that is skipped (a warning).",
    ),
    "AR205": ("invalid JSON", "A JSON routing export cannot be parsed."),
    "AR206": (
        "unresolved reference",
        "A condition refers to a custom field, group, brand, organisation or queue id missing from the catalogs.",
    ),
    "AR207": ("inactive rule", "A trigger or automation is inactive; it is reported but not analysed."),
    "AR208": ("unreachable filter", "A TaskRouter filter can never match because an earlier one always does."),
    "AR209": ("invalid TaskRouter expression", "A TaskRouter filter or target expression does not parse."),
    "AR210": ("invalid workflow configuration", "A TaskRouter workflow's configuration string is not valid JSON."),
    "AR211": (
        "not auditable",
        "Part of the evidence is not in the export: a value computed elsewhere, or an SLA copy without its filter.",
    ),
    "AR212": ("incomplete export", "A paginated export lacks pages: results could rest on part of the configuration."),
    "AR213": (
        "invalid XML",
        "A Salesforce metadata file is not well-formed XML, or declares a DTD or entities (refused for safety).",
    ),
    # AR3xx: ticket data
    "AR301": ("missing column", "A column named by a mapping does not exist in the ticket source."),
    "AR302": ("unparseable timestamp column", "No value of a timestamp column parses with the given format."),
    "AR303": ("invalid mapping", "A mapping file does not match its schema or names an unknown key."),
    "AR304": ("unreadable ticket source", "A ticket source cannot be read by the engine."),
    "AR305": ("unknown engine", "`--engine` names an engine that is not installed."),
    "AR306": ("no ticket files", "A glob or directory given to `--tickets` matched no files."),
    "AR310": ("no ticket rows", "The ticket sources hold no rows: empty or header-only files, an empty JSONL file."),
    "AR311": ("uneven CSV row", "A CSV row has another number of fields than the header; no columns can be read."),
    "AR312": ("unknown column", "A rule names a column that is neither canonical, nor mapped, nor in the ticket data."),
    "AR313": (
        "implausible duration",
        "Durations derived from the mapped columns exceed the plausible bound of 365 days (a warning).",
    ),
    "AR320": ("unknown reference group", 'A `vs "name"` comparison names a group the ticket data does not have.'),
    # AR4xx: reports, waivers, configuration
    "AR401": ("invalid report", "A JSON report (for `auditrules report` or `--baseline`) does not match its schema."),
    "AR402": ("invalid waivers", "A waivers file does not match its schema or has a date that is not a date."),
    "AR403": ("waiver expired", "A waiver matches failing findings but has expired; they fail again (a warning)."),
    "AR404": ("unused waiver", "A waiver matches no failing finding and can be removed (a warning)."),
    "AR410": (
        "baselined finding gone",
        "A finding in the baseline is no longer found; the baseline can shrink (a warning).",
    ),
    "AR411": (
        "invalid configuration",
        "A configuration file (`.auditrules.yaml`, `[tool.auditrules]`) does not match its schema.",
    ),
}


@dataclass(eq=False)
class AuditError(Exception):
    """A user-facing error with a stable code and, where known, the place it concerns.

    Not frozen: Python sets ``__traceback__`` on an exception that leaves a ``with`` block of a
    generator context manager, and a frozen dataclass would turn that into FrozenInstanceError.
    """

    code: str
    message: str
    span: Span | None = None
    source: str | None = field(default=None, compare=False, repr=False)
    hint: str | None = None

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unregistered error code {self.code}")

    def __str__(self) -> str:
        return render_error(self)

    def with_source(self, source: str) -> AuditError:
        """The same error, carrying the source text for a caret excerpt."""
        return AuditError(self.code, self.message, self.span, source, self.hint)


def fail(code: str, message: str, span: Span | None = None, source: str | None = None) -> AuditError:
    """Build an :class:`AuditError`; callers ``raise fail(...)`` so the raise site stays visible."""
    return AuditError(code, message, span, source)


def render_error(err: AuditError) -> str:
    """Render ``path:line:col: error[CODE]: message`` plus a caret excerpt when source text is known."""
    where = f"{visible(str(err.span), one_line=True)}: " if err.span is not None else ""
    head = f"{where}error[{err.code}]: {visible(err.message, one_line=True)}"
    lines = [head]
    if err.span is not None and err.source is not None:
        src_lines = err.source.split("\n")  # not splitlines(): \x0b, \x1c … are no line ends here
        if src_lines[-1] == "":
            src_lines.pop()
        if 1 <= err.span.line <= len(src_lines):
            text = _printable_line(src_lines[err.span.line - 1].expandtabs(1))
            col = max(err.span.column, 1)
            if err.span.end_line == err.span.line and err.span.end_column and err.span.end_column > col:
                width = err.span.end_column - col
            else:
                width = 1
            width = max(1, min(width, max(1, len(text) - col + 1)))
            text, col, width = _excerpt_window(text, col, width)
            lines.append(f"   | {text}")
            lines.append("   | " + " " * (col - 1) + "^" * width)
    if err.hint:
        lines.append(f"   = help: {visible(err.hint, one_line=True)}")
    return "\n".join(lines)


#: Widest excerpt shown; a longer line is cut around the caret and marked with "…".
EXCERPT_WIDTH = 120


def _excerpt_window(text: str, col: int, width: int) -> tuple[str, int, int]:
    """At most EXCERPT_WIDTH characters of ``text`` around column ``col``, with the caret moved."""
    if len(text) <= EXCERPT_WIDTH:
        return text, col, width
    start = max(0, min(col - 1 - EXCERPT_WIDTH // 3, len(text) - EXCERPT_WIDTH))
    end = start + EXCERPT_WIDTH
    head = "…" if start > 0 else ""
    tail = "…" if end < len(text) else ""
    col = col - start + len(head)
    width = max(1, min(width, end - (col - len(head) + start) + 1))
    return head + text[start:end] + tail, col, width


def _printable_line(text: str) -> str:
    """A source line for the excerpt: each invisible character shown as one ``?`` so that the
    caret columns still line up with the characters of the line."""
    if visible(text) == text:
        return text
    return "".join(ch if visible(ch) == ch else "?" for ch in text)


# --- text from inputs, shown safely --------------------------------------------------------------

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(m: re.Match[str]) -> str:
    ch = m.group()
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


@cache
def _invisible(one_line: bool) -> re.Pattern[str]:
    """The characters :func:`visible` escapes. Compiled when first needed: a class spanning the
    surrogates takes ``re`` a third of a millisecond to compile, which every start would otherwise
    pay for error lines it never prints."""
    if one_line:
        return re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029]")
    return re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def visible(text: str, one_line: bool = False) -> str:
    """``text`` with control characters and lone surrogates written as escapes (``\\x1b``, ``\\ud800``).

    Export data can carry raw control characters (a trigger title holding ``ESC[2J`` would clear a
    terminal) and lone surrogates (JSON's ``"\\ud800"``, which UTF-8 cannot encode). Line feeds and
    tabs are kept unless ``one_line`` asks for a single line (error messages). Every renderer but
    JSON sees report data through this function (``report.render``), and so does every error line.
    """
    if text.isprintable():  # most text: every character escaped below is one ``isprintable`` refuses
        return text
    pattern = _invisible(one_line)
    return pattern.sub(_escape, text) if pattern.search(text) else text
