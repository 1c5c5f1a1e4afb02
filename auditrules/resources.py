"""Bundled resources: the standard rule pack, rule docs, JSON Schemas and report templates.

In a source checkout they live at the top level (``rules/``, ``schemas/``, ``reports/templates/``);
in a wheel they are shipped under ``auditrules/data/``. Both layouts are looked up here, once.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent


def _find(*parts: str) -> Path:
    bundled = _PACKAGE.joinpath("data", *parts)
    if bundled.exists():
        return bundled
    return _CHECKOUT.joinpath(*parts)


def rules_dir() -> Path:
    """Directory of the standard rule packs (``fairness.rules``) and their ``docs/``."""
    return _find("rules")


def standard_pack() -> Path:
    return rules_dir() / "fairness.rules"


def schema_path(name: str) -> Path:
    return _find("schemas", name)


def templates_dir() -> Path:
    return _find("reports", "templates")


def builtin_mapping(name: str) -> Path:
    """A built-in ticket column mapping (``zendesk``, ``twitter-support``)."""
    return _PACKAGE / "data" / "mappings" / f"{name}.yaml"
