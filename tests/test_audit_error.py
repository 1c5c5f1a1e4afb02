"""AuditError survives the places Python writes to an exception (context managers, tracebacks)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from auditrules.errors import AuditError


@contextmanager
def _around() -> Iterator[None]:
    yield


def test_audit_error_passes_through_a_generator_context_manager() -> None:
    with pytest.raises(AuditError) as caught, _around():
        raise AuditError("AR001", "no such file: x")
    assert caught.value.code == "AR001"
    assert "error[AR001]" in str(caught.value)


def test_visible_leaves_printable_text_alone_and_only_that() -> None:
    """``visible`` returns printable text untouched without searching it: sound only because every
    character it escapes is unprintable, which this checks over all of Unicode."""
    from auditrules.errors import _invisible, visible

    every = "".join(map(chr, range(0x110000)))
    for pattern in (_invisible(False), _invisible(True)):
        assert not any(ch.isprintable() for ch in pattern.findall(every))
    assert visible("Klout score > 40 · café ☃") == "Klout score > 40 · café ☃"
    assert visible("a\x1b[2Jb\ud800\nc") == "a\\x1b[2Jb\\ud800\nc"
    assert visible("a\nb\u2028", one_line=True) == "a\\nb\\u2028"
