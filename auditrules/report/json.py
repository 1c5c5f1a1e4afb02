"""JSON report: report data → canonical JSON text (sorted keys, stable floats) and its schema check."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from auditrules.errors import AuditError, Span
from auditrules.resources import schema_path


def dumps(data: dict[str, Any]) -> str:
    """Byte-stable JSON: sorted keys, two-space indent, UTF-8 kept (lone surrogates as ``\\ud800``-style
    escapes, which UTF-8 cannot encode), newline at the end."""
    return escape_surrogates(json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False)) + "\n"


def escape_surrogates(json_text: str) -> str:
    """JSON text with lone surrogates written as ``\\ud800``-style escapes (exactly what ``json.loads`` read)."""
    return re.sub("[\ud800-\udfff]", lambda m: f"\\u{ord(m.group()):04x}", json_text)


@cache
def _validator() -> Any:
    import jsonschema

    schema = json.loads(schema_path("report.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def load_report(path: str) -> dict[str, Any]:
    """Read a JSON report written by ``auditrules check --format json`` and validate it (AR401)."""
    from auditrules.documents import loads_json, read_text

    text, _ = read_text(path)
    data = loads_json(text, path, code="AR401", label="not a JSON report")
    errors = sorted(_validator().iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        err = errors[0]
        where = "/" + "/".join(str(p) for p in err.absolute_path)
        raise AuditError("AR401", f"not a valid auditrules report at {where}: {err.message}", Span(path, 1, 1))
    assert isinstance(data, dict)
    _check_numbers(data, path)
    _check_evidence(data, path)
    return data


def _check_evidence(data: dict[str, Any], path: str) -> None:
    """AR401 unless every finding's evidence is typed evidence of its kind (what renderers read)."""
    from auditrules.evidence import evidence_from_json

    for i, finding in enumerate(data["findings"]):
        try:
            evidence_from_json(finding["evidence"], f"/findings/{i}/evidence")
        except AuditError as exc:
            raise AuditError(exc.code, exc.message, Span(path, 1, 1)) from None


def _check_numbers(data: Any, path: str) -> None:
    """AR401 for a number the schema allows but no report holds: beyond the range of a float."""
    import sys

    stack: list[tuple[Any, str]] = [(data, "")]
    while stack:
        value, pointer = stack.pop()
        if isinstance(value, dict):
            stack.extend((v, f"{pointer}/{k}") for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, f"{pointer}/{i}") for i, v in enumerate(value))
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > sys.float_info.max:
            message = f"not a valid auditrules report at {pointer}: number out of range"
            raise AuditError("AR401", message, Span(path, 1, 1))
