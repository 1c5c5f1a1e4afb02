"""Control characters made visible: text from inputs → text that is safe to print or render.

Export data can carry raw control characters (a trigger title holding ``ESC[2J`` would clear a
terminal) and lone surrogates (``"\\ud800"`` in JSON decodes to a string that UTF-8 cannot encode).
:func:`visible` writes each of them as the escape a programmer would type (``\\x1b``, ``\\ud800``);
:func:`visible_data` does so for every string in a report before any renderer sees it, so text,
HTML, Markdown, SARIF and JUnit all show the same thing. Line feeds and tabs are kept unless
``one_line`` asks for a single line (error messages).
"""

from __future__ import annotations

import re
from typing import Any

_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_INVISIBLE_OR_BREAK = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(m: re.Match[str]) -> str:
    ch = m.group()
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str, one_line: bool = False) -> str:
    """``text`` with control characters and lone surrogates written as escapes (``\\x1b``)."""
    pattern = _INVISIBLE_OR_BREAK if one_line else _INVISIBLE
    return pattern.sub(_escape, text) if pattern.search(text) else text


def visible_data(value: Any) -> Any:
    """A copy of JSON-like data with :func:`visible` applied to every string, keys included."""
    if isinstance(value, str):
        return visible(value)
    if isinstance(value, dict):
        return {visible(k) if isinstance(k, str) else k: visible_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [visible_data(v) for v in value]
    return value


def escape_surrogates(json_text: str) -> str:
    """JSON text with lone surrogates written as ``\\udXXX`` escapes (what ``json.loads`` read)."""
    return re.sub("[\ud800-\udfff]", lambda m: f"\\u{ord(m.group()):04x}", json_text)
