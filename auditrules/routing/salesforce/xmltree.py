"""Salesforce metadata XML → a small tree of :class:`Element` nodes, each with its line and column.

Parsed with the standard library's expat, safely: a document type declaration (and with it every
entity definition, internal or external) is refused before anything is expanded, so neither
"billion laughs" nor external entities can reach the parser. Namespaces are dropped from tag names
(every metadata file uses ``http://soap.sforce.com/2006/04/metadata``), and so are prefixes
(``<md:Queue xmlns:md="…">`` reads as ``Queue``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.parsers import expat

from auditrules.documents import MAX_DEPTH
from auditrules.errors import AuditError, Span


@dataclass
class Element:
    """One XML element: tag without namespace, text (stripped), 1-based line and column, children."""

    tag: str
    line: int
    column: int
    text: str = ""
    children: list[Element] = field(default_factory=list)

    def all(self, tag: str) -> list[Element]:
        """Direct children named ``tag``, in document order."""
        return [c for c in self.children if c.tag == tag]

    def first(self, tag: str) -> Element | None:
        return next((c for c in self.children if c.tag == tag), None)

    def value(self, tag: str, default: str = "") -> str:
        """The text of the first child named ``tag``; ``default`` when there is none."""
        child = self.first(tag)
        return child.text if child is not None else default


class _Builder:
    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        self.stack: list[Element] = []
        self.parts: list[list[str]] = []
        self.root: Element | None = None
        self.parser = expat.ParserCreate()
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.parser.CharacterDataHandler = self.chars
        self.parser.StartDoctypeDeclHandler = self.doctype
        self.parser.EntityDeclHandler = self.entity

    def refuse(self, what: str, marker: str) -> AuditError:
        line, col = self.parser.CurrentLineNumber, self.parser.CurrentColumnNumber + 1
        lines = self.text.splitlines()
        if 0 < line <= len(lines) and marker in lines[line - 1]:
            col = lines[line - 1].index(marker) + 1
        return AuditError(
            "AR213", f"invalid XML: {what} are not allowed in metadata files", Span(self.path, line, col), self.text
        )

    def doctype(self, *_args: object) -> None:
        raise self.refuse("document type declarations", "<!DOCTYPE")

    def entity(self, *_args: object) -> None:
        raise self.refuse("entity declarations", "<!ENTITY")

    def start(self, tag: str, _attrs: dict[str, str]) -> None:
        if len(self.stack) >= MAX_DEPTH:
            raise AuditError(
                "AR003",
                f"nesting deeper than {MAX_DEPTH} levels",
                Span(self.path, self.parser.CurrentLineNumber, self.parser.CurrentColumnNumber + 1),
                self.text,
            )
        node = Element(
            tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1],
            self.parser.CurrentLineNumber,
            self.parser.CurrentColumnNumber + 1,
        )
        if self.stack:
            self.stack[-1].children.append(node)
        else:
            self.root = node
        self.stack.append(node)
        self.parts.append([])

    def end(self, _tag: str) -> None:
        node = self.stack.pop()
        node.text = "".join(self.parts.pop()).strip()

    def chars(self, data: str) -> None:
        if self.parts:
            self.parts[-1].append(data)


def parse_xml(path: str, text: str) -> Element:
    """The root element of ``text``; AR213 on malformed XML or a DTD, with the place it was found."""
    builder = _Builder(path, text)
    try:
        builder.parser.Parse(text, True)
    except expat.ExpatError as exc:
        message = expat.ErrorString(exc.code) if exc.code is not None else str(exc)
        span = Span(path, exc.lineno, exc.offset + 1)
        raise AuditError("AR213", f"invalid XML: {message}", span, text) from None
    if builder.root is None:
        raise AuditError("AR213", "invalid XML: no root element", Span(path, 1, 1), text)
    return builder.root


__all__ = ["Element", "parse_xml"]
