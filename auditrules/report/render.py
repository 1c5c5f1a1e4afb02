"""Dispatch: report data + a format name → rendered text. Each format lives in its own module."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from auditrules.errors import AuditError, visible

if TYPE_CHECKING:
    from auditrules.report.trend import Trend


def render(
    data: dict[str, Any], fmt: str, color: bool = False, verbose: bool = False, trend: Trend | None = None
) -> str:
    """Render ``data`` as ``fmt``. JSON keeps every string as it is (JSON escapes control
    characters itself); every other format sees control characters written visibly (``\\x1b``)."""
    if fmt == "json":
        from auditrules.report.json import dumps

        return dumps(data)
    if fmt == "text":
        from auditrules.report.text import printed_part

        data = printed_part(data)  # no string it leaves out is made visible only to be dropped
    return _render(visible_data(data), fmt, color, verbose, trend)


def _render(data: dict[str, Any], fmt: str, color: bool, verbose: bool, trend: Trend | None = None) -> str:
    if fmt == "text":
        from auditrules.report.text import render_text

        return render_text(data, color=color, verbose=verbose)
    if fmt == "markdown":
        from auditrules.report.markdown import render_markdown

        return render_markdown(data)
    if fmt == "html":
        from auditrules.report.html import render_html

        return render_html(data, trend=trend)
    if fmt == "sarif":
        from auditrules.report.sarif import render_sarif

        return render_sarif(data)
    if fmt == "junit":
        from auditrules.report.junit import render_junit

        return render_junit(data)
    raise AuditError("AR005", f"unknown format {fmt!r}")


def visible_data(value: Any) -> Any:
    """A copy of report data with :func:`~auditrules.errors.visible` applied to every string, keys too."""
    kind = type(value)  # a report holds thousands of plain strings, dicts and lists: those first
    if kind is str:
        return value if value.isprintable() else visible(value)  # most strings: nothing to escape
    if kind is dict:
        return {k if type(k) is not str or k.isprintable() else visible(k): visible_data(v) for k, v in value.items()}
    if kind is list:
        return [visible_data(v) for v in value]
    if isinstance(value, str):
        return visible(value)
    if isinstance(value, dict):
        return {visible(k) if isinstance(k, str) else k: visible_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [visible_data(v) for v in value]
    return value
