"""Dispatch: report data + a format name → rendered text. Each format lives in its own module."""

from __future__ import annotations

from typing import Any

from auditrules.errors import AuditError


def render(data: dict[str, Any], fmt: str, color: bool = False, verbose: bool = False) -> str:
    """Render ``data`` as ``fmt``. JSON keeps every string as it is (JSON escapes control
    characters itself); every other format sees control characters written visibly (``\\x1b``)."""
    if fmt == "json":
        from auditrules.report.json import dumps

        return dumps(data)
    from auditrules.visible import visible_data

    data = visible_data(data)
    if fmt == "text":
        from auditrules.report.text import render_text

        return render_text(data, color=color, verbose=verbose)
    if fmt == "markdown":
        from auditrules.report.markdown import render_markdown

        return render_markdown(data)
    if fmt == "html":
        from auditrules.report.html import render_html

        return render_html(data)
    if fmt == "sarif":
        from auditrules.report.sarif import render_sarif

        return render_sarif(data)
    if fmt == "junit":
        from auditrules.report.junit import render_junit

        return render_junit(data)
    raise AuditError("AR005", f"unknown format {fmt!r}")
