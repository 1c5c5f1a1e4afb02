"""Positions inside TaskRouter workflow files, where JSON sits inside JSON.

A Workflow resource holds its ``configuration`` as a JSON-encoded string; filter expressions are
strings inside that. A :class:`Frame` maps an offset in one JSON text (the file, or a decoded
configuration string) back to the file's line and column, through JSON string escapes, so every
location points into the file the user has.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass

from auditrules.documents import Document, line_starts
from auditrules.findings import Location


def string_offsets(raw: str) -> list[int]:
    """For the body of a JSON string token (without quotes): raw offset of each decoded char, plus end."""
    out: list[int] = []
    i = 0
    n = len(raw)
    while i < n:
        out.append(i)
        if raw[i] == "\\" and i + 1 < n:
            if raw[i + 1] == "u":
                hi = int(raw[i + 2 : i + 6], 16) if i + 6 <= n else 0
                if 0xD800 <= hi < 0xDC00 and raw[i + 6 : i + 8] == "\\u":
                    i += 12
                else:
                    i += 6
            else:
                i += 2
        else:
            i += 1
    out.append(n)
    return out


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


@dataclass
class Frame:
    """A JSON text (the file, or a configuration string decoded from it) and how its offsets map to the file.

    ``to_file(offset)`` gives the file (line, column) of a character of this frame's text.
    ``prefix`` is prepended to pointers so a Location names the configuration string it is in.
    """

    doc: Document
    to_file: Callable[[int], tuple[int, int]]
    prefix: str = ""
    note: str | None = None
    _starts: list[int] | None = None

    def offset_of(self, pointer: str) -> int | None:
        pos = self.doc.position_of(pointer)
        if pos is None:
            return None
        if self._starts is None:
            self._starts = line_starts(self.doc.text)
        line, col = pos
        return self._starts[line - 1] + col - 1

    def location(self, pointer: str) -> Location:
        off = self.offset_of(pointer)
        full = self.prefix + pointer
        if off is None:
            return Location(self.doc.path, None, None, full, self.note)
        line, col = self.to_file(off)
        return Location(self.doc.path, line, col, full, self.note)

    def _string_at(self, pointer: str) -> tuple[int, list[int]] | None:
        """The offset of the JSON string token at ``pointer`` and the raw offset of each decoded char."""
        off = self.offset_of(pointer)
        if off is None:
            return None
        m = _JSON_STRING.match(self.doc.text, off)
        return None if m is None else (off, string_offsets(m.group()[1:-1]))

    def string_columns(self, pointer: str) -> tuple[int, list[int]] | None:
        """For the string value at ``pointer``: its file line and the file column of each decoded char."""
        found = self._string_at(pointer)
        if found is None:
            return None
        off, rel = found
        positions = [self.to_file(off + 1 + r) for r in rel]
        return positions[0][0], [c for _line, c in positions]

    def sub_frame(self, pointer: str, text: str, prefix: str, note: str) -> Frame | None:
        """A frame for the JSON text held in the string at ``pointer`` (a configuration string)."""
        found = self._string_at(pointer)
        if found is None:
            return None
        off, rel = found
        base = off + 1
        outer = self.to_file

        def to_file(offset: int) -> tuple[int, int]:
            return outer(base + rel[min(max(offset, 0), len(rel) - 1)])

        inner = Document(self.doc.path, text, None, {}, self.doc.sha256)
        return Frame(inner, to_file, prefix, note)


def file_frame(doc: Document) -> Frame:
    starts = line_starts(doc.text)

    def to_file(offset: int) -> tuple[int, int]:
        line = bisect_right(starts, offset) - 1
        return line + 1, offset - starts[line] + 1

    return Frame(doc, to_file, "", None, starts)


def offset_in(text: str, lineno: int, colno: int) -> int:
    starts = line_starts(text)
    return starts[min(lineno, len(starts)) - 1] + colno - 1


__all__ = ["Frame", "file_frame", "offset_in", "string_offsets"]
