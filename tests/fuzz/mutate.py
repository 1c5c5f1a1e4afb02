"""Mutation operators: a valid input plus a random source → a hostile variant of it.

Each operator takes a ``random.Random`` so that a failure can be replayed from its seed. Text
mutations work on rule files (and any text); data mutations work on parsed JSON/YAML values and
swap in values of the wrong type, out of range, non-finite, deeply nested, or carrying control
characters.
"""

from __future__ import annotations

import copy
import random
import re
from collections.abc import Callable
from typing import Any

#: Values that have broken parsers and renderers before: wrong types, huge and negative numbers,
#: control characters, a lone surrogate, markup, very long and deeply nested values.
HOSTILE_VALUES: tuple[Any, ...] = (
    None,
    True,
    False,
    0,
    -1,
    1,
    2**63,
    10**400,
    -(10**400),
    0.5,
    -0.0,
    1e308,
    1e-320,
    "",
    " ",
    "0",
    "-1",
    "1e999",
    "NaN",
    "inf",
    "²",
    "\x1b[2J\x1b[31mred",
    "a\x00b",
    "\x08\x01",
    "\ud800",
    "line\nbreak",
    "tab\there",
    "<script>alert(1)</script>",
    "| pipe | ` tick",
    "' OR 1=1 --",
    "x" * 5000,
    [],
    {},
    [None],
    {"": None},
    [[[[[[[[]]]]]]]],
    {"a": {"b": {"c": []}}},
)

#: Fragments spliced into rule text: keywords, operators, literals of every kind, and bytes that
#: have broken the lexer (CR line ends, NUL, tab inside strings, bad escapes).
RULE_FRAGMENTS: tuple[str, ...] = (
    " and ",
    " or ",
    " not ",
    "(",
    ")",
    "{",
    "}",
    '"',
    "\\",
    "\\q",
    "\\ud800",
    "\t",
    "\x00",
    "\r",
    "\r\n",
    "#",
    "\n",
    "1e999",
    "9" * 5000,
    "-1",
    "0",
    "100%",
    "1000%",
    "0.5",
    "4h",
    "99999999999w",
    "null",
    "true",
    " in (",
    ", ",
    "matches",
    '""',
    '"x"',
    "==",
    ">=",
    "between",
    "buckets(",
    "deciles(",
    "minimum",
    "tickets where ",
    "require ",
    "severity high",
    'rule X-1 "t" {',
    'define s = channels "a"',
    "within ",
    "at 95% confidence",
    "vs largest",
    "ratio(",
    "share(",
    "p90(",
    "median(",
    "\u2028",
    "\x1b",
)


def _random_fragment(rnd: random.Random) -> str:
    if rnd.random() < 0.15:
        op = rnd.choice((" and ", " or "))
        return op.join(f'channel == "c{i}"' for i in range(rnd.choice((50, 120, 200, 600))))
    if rnd.random() < 0.05:
        return "not " * rnd.choice((50, 150, 600)) + "x"
    if rnd.random() < 0.05:
        return "(" * 400 + "x" + ")" * 400
    return rnd.choice(RULE_FRAGMENTS)


def mutate_text(text: str, rnd: random.Random, rounds: int = 3) -> str:
    """Insert, delete, duplicate or replace spans of ``text`` (a few times)."""
    for _ in range(rnd.randint(1, rounds)):
        n = len(text)
        i = rnd.randint(0, n)
        j = min(n, i + rnd.randint(0, 40))
        op = rnd.random()
        if op < 0.35:
            text = text[:i] + _random_fragment(rnd) + text[i:]
        elif op < 0.55:
            text = text[:i] + text[j:]
        elif op < 0.7:
            text = text[:i] + text[i:j] * rnd.randint(2, 5) + text[j:]
        elif op < 0.85:
            text = text[:i] + _random_fragment(rnd) + text[j:]
        elif op < 0.92:
            text = text.replace("\n", rnd.choice(("\r", "\r\n", "\n\n", " ")))
        else:
            lines = text.split("\n")
            rnd.shuffle(lines)
            text = "\n".join(lines)
    return text


_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|\b\d+(?:\.\d+)?[%smhdw]?\b|\b(?:and|or|not|each|across|within)\b|[<>=!]=?')
_TOKEN_SWAPS: tuple[str, ...] = (
    '"\\u001b[2J"',
    '"\\ud800"',
    '"\\u0000"',
    '""',
    '"*"',
    '"Twitter"',
    '"a\\"b"',
    "0",
    "-0",
    "1e308",
    "0.0001",
    "0%",
    "100%",
    "99.99%",
    "1s",
    "0s",
    "52w",
    "4300",
    "1",
    "and",
    "or",
    "not",
    "==",
    "!=",
    "<",
    ">=",
    "null",
    "true",
    "false",
    "channel",
    "customer.klout_score",
    "priority",
    "outcome",
)


def mutate_tokens(text: str, rnd: random.Random, rounds: int = 3) -> str:
    """Swap a few tokens (strings, numbers, operators) of ``text`` for others of any kind: the
    structure stays, so most mutants still parse and reach the checker, the formatter and ``check``."""
    for _ in range(rnd.randint(1, rounds)):
        spans = [m.span() for m in _TOKEN.finditer(text)]
        if not spans:
            break
        i, j = rnd.choice(spans)
        old = text[i:j]
        if rnd.random() < 0.7:  # like for like: a string for a string, a number for a number …
            same = [t for t in _TOKEN_SWAPS if _kind(t) == _kind(old)] or list(_TOKEN_SWAPS)
            text = text[:i] + rnd.choice(same) + text[j:]
        else:
            text = text[:i] + rnd.choice(_TOKEN_SWAPS) + text[j:]
    return text


def _kind(token: str) -> str:
    if token.startswith('"'):
        return "string"
    if token[:1].isdigit() or token[:1] == "-":
        return "number"
    if token[:1] in "<>=!":
        return "operator"
    return "word"


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path (a tuple of keys and indexes) into a JSON-like value, the root included."""
    out = [prefix]
    stack = [(value, prefix)]
    while stack:
        node, where = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for k, v in items:
            out.append((*where, k))
            stack.append((v, (*where, k)))
    return out


def _get(value: Any, path: tuple[Any, ...]) -> Any:
    for k in path:
        value = value[k]
    return value


def _hostile(rnd: random.Random, old: Any) -> Any:
    if isinstance(old, str) and rnd.random() < 0.3:
        return old + rnd.choice(("\x1b[2J", "\ud800", "\x00", "<b>", "|", "\n"))
    if isinstance(old, (int, float)) and not isinstance(old, bool) and rnd.random() < 0.3:
        pick = rnd.randrange(4)
        if pick == 0:
            return -old
        if pick == 1:
            return 10**400 if rnd.random() < 0.5 else -(10**400)
        return old + 0.5 if pick == 2 and abs(old) < 1e300 else 2**64 + (old if isinstance(old, int) else 1)
    return copy.deepcopy(rnd.choice(HOSTILE_VALUES))


def mutate_data(value: Any, rnd: random.Random, rounds: int = 3) -> Any:
    """A copy of ``value`` with a few nodes replaced, removed, duplicated or emptied."""
    value = copy.deepcopy(value)
    for _ in range(rnd.randint(1, rounds)):
        where = rnd.choice(paths(value))
        if not where:
            continue
        parent = _get(value, where[:-1])
        key = where[-1]
        op = rnd.random()
        if op < 0.6:
            parent[key] = _hostile(rnd, parent[key])
        elif op < 0.75:
            if isinstance(parent, dict):
                del parent[key]
            else:
                parent.pop(key)
        elif op < 0.85 and isinstance(parent, list):
            parent.insert(key, copy.deepcopy(parent[key]))
        elif isinstance(parent[key], (list, dict)):
            parent[key] = type(parent[key])()
        elif isinstance(parent, dict):
            parent[rnd.choice(("x", "", "\x1b", "evidence", "groups"))] = _hostile(rnd, None)
    return value


Mutator = Callable[[Any, random.Random], Any]
