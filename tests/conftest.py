"""Shared fixtures: the repository root, a CLI runner, the standard pack."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def root() -> Path:
    return ROOT


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def in_root(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run the test with the repository root as working directory (paths as a user types them)."""
    monkeypatch.chdir(ROOT)
    return ROOT


@pytest.fixture
def standard_pack_text() -> str:
    return (ROOT / "rules" / "fairness.rules").read_text(encoding="utf-8")


def update_golden() -> bool:
    return os.environ.get("AUDITRULES_UPDATE_GOLDEN") == "1"
