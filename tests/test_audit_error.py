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
