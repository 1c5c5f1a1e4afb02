"""Configuration file: ``.auditrules.yaml`` or ``[tool.auditrules]`` in ``pyproject.toml`` → check options.

Found by walking up from the working directory (the first directory holding ``.auditrules.yaml``,
``.auditrules.yml`` or a ``pyproject.toml`` with a ``[tool.auditrules]`` table wins), or given with
``--config FILE``; ``--no-config`` ignores it. Validated against ``schemas/config.schema.json``
(AR411 at the offending line). Keys are the long option names of ``auditrules check`` plus
``channels:`` (the channels the help desk serves) and ``report:`` (engagement details). Paths are
relative to the configuration file; a value given on the command line replaces the file's.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from auditrules.documents import Document, escape_pointer_token, load_yaml_document, read_text
from auditrules.errors import AuditError, Span
from auditrules.report.options import ReportOptions
from auditrules.resources import schema_path
from auditrules.routing.universe import DeclaredChannels

YAML_NAMES = (".auditrules.yaml", ".auditrules.yml")
PYPROJECT = "pyproject.toml"
#: Keys whose values are paths (relative to the configuration file), or bundled names when bare.
PATH_KEYS = ("rules", "routing", "tickets", "mapping", "waivers", "baseline", "output")
#: Keys that hold a list (a single string is a list of one).
LIST_KEYS = ("rules", "routing", "tickets", "select", "ignore")


@dataclass(frozen=True, repr=False)
class Config:
    """A loaded configuration: its file (None: no configuration) and its values, paths resolved."""

    path: Path | None = None
    values: Mapping[str, Any] = field(default_factory=dict)
    #: The line of each top-level key in the file, for messages that name where a value came from.
    lines: Mapping[str, int] = field(default_factory=dict)

    def label(self, key: str) -> str:
        """``file:line`` of ``key`` (where a value was declared)."""
        line = self.lines.get(key)
        return f"{self.path}:{line}" if line else str(self.path)

    def declared_channels(self) -> DeclaredChannels | None:
        channels = self.values.get("channels")
        if not channels:
            return None
        return DeclaredChannels(tuple(channels), f"channels: in {self.label('channels')}")

    def report_options(self) -> ReportOptions:
        return ReportOptions.from_engagement(self.values.get("report") or {})


def find_config(start: Path) -> Path | None:
    """The configuration file governing ``start``: the nearest one found walking up, or None."""
    here = start.resolve()
    for directory in (here, *here.parents):
        for name in YAML_NAMES:
            if (directory / name).is_file():
                return directory / name
        pyproject = directory / PYPROJECT
        if pyproject.is_file() and _has_tool_table(pyproject):
            return pyproject
    return None


def _has_tool_table(path: Path) -> bool:
    # a quick look before parsing: most pyproject.toml files have no [tool.auditrules]
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return re.search(r"^\s*\[\s*tool\s*\.\s*auditrules\s*[\].]", text, flags=re.MULTILINE) is not None


def discover(explicit: str | None, disabled: bool, cwd: Path | None = None) -> Config:
    """The configuration for a run: ``--config FILE``, else the file found from ``cwd``, else none."""
    if disabled:
        return Config()
    if explicit is not None:
        path = Path(explicit)
        if not path.is_file():
            raise AuditError("AR001", f"no such configuration file: {explicit}")
        return load_config(path, cwd)
    found = find_config(cwd or Path.cwd())
    return load_config(found, cwd) if found is not None else Config()


def load_config(path: Path, cwd: Path | None = None) -> Config:
    """Read, validate and resolve one configuration file."""
    shown = _shown(path, cwd or Path.cwd())
    if path.name == PYPROJECT:
        data, lines, text = _load_pyproject(path, shown)
        doc = Document(shown, text, data)
    else:
        text, digest = read_text(path)
        doc = load_yaml_document(shown, text, digest)
        data = doc.data if doc.data is not None else {}
        lines = {k: doc.line_of("/" + escape_pointer_token(k)) or 1 for k in data} if isinstance(data, dict) else {}
    _validate(data, doc, lines)
    values = _resolve(data, path.resolve().parent, (cwd or Path.cwd()).resolve())
    logo = (values.get("report") or {}).get("logo")
    if logo and not Path(logo).is_file():
        span = doc.span_of("/report/logo") if doc.positions else Span(doc.path, lines.get("report", 1), 1)
        raise AuditError("AR411", f"/report/logo: no such file: {logo}", span, doc.text)
    channels = _channels(values.get("channels"), doc, lines)
    if channels is not None:
        values["channels"] = channels
    return Config(Path(shown), values, lines)


def _shown(path: Path, cwd: Path) -> str:
    try:
        return os.path.relpath(path, cwd)
    except ValueError:  # another drive on Windows
        return str(path)


def _load_pyproject(path: Path, shown: str) -> tuple[Any, dict[str, int], str]:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib

    text, _ = read_text(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise AuditError("AR411", f"invalid TOML: {exc}", Span(shown, 1, 1), text) from None
    table = data.get("tool", {}).get("auditrules", {})
    lines: dict[str, int] = {}
    src = text.splitlines()
    header = next((i + 1 for i, ln in enumerate(src) if re.match(r"\s*\[\s*tool\s*\.\s*auditrules", ln)), 1)
    for key in table if isinstance(table, dict) else ():
        pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
        lines[key] = next((i + 1 for i, ln in enumerate(src) if i + 1 >= header and pattern.match(ln)), header)
    return table, lines, text


@cache
def _validator() -> Any:
    import jsonschema

    schema = json.loads(schema_path("config.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def _validate(data: Any, doc: Document, lines: Mapping[str, int]) -> None:
    """Validate against the schema; a configuration validated before (same content, same schema and
    auditrules version, recorded in the private cache) skips importing jsonschema: hooks start faster."""
    from auditrules import __version__
    from auditrules.cache import record, seen

    schema = schema_path("config.schema.json").read_text(encoding="utf-8")
    content = json.dumps(data, sort_keys=True, default=str)
    digest = hashlib.sha256("\x1f".join([__version__, schema, content]).encode("utf-8")).hexdigest()[:32]
    if seen("config-valid", digest):
        return
    errors = sorted(_validator().iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    if not errors:
        record("config-valid", digest)
        return
    err = errors[0]
    path = [str(p) for p in err.absolute_path]
    pointer = "".join("/" + escape_pointer_token(p) for p in path)
    message = err.message
    if err.validator == "additionalProperties" and isinstance(err.instance, dict):
        import difflib

        known = sorted(err.schema.get("properties", {}))
        unknown = sorted(k for k in err.instance if k not in known)[0]
        path.append(unknown)
        pointer += "/" + escape_pointer_token(unknown)
        close = difflib.get_close_matches(unknown, known, n=1)
        message = f"unknown key {unknown!r}" + (
            f" (did you mean {close[0]!r}?)" if close else f" (known keys: {', '.join(known)})"
        )
    in_yaml = doc.positions or not path
    span = doc.span_of(pointer) if in_yaml else Span(doc.path, lines.get(path[0], 1), 1)
    raise AuditError("AR411", f"{pointer or '/'}: {message}", span, doc.text)


def _resolve_path(value: str, base: Path, cwd: Path, bare_names: bool) -> str:
    """A path from the file, made relative to the working directory; a bare name (``fairness``,
    ``zendesk``) that is not a file beside the configuration stays a name."""
    if os.path.isabs(value):
        return value
    if bare_names and not re.search(r"[/\\.]", value) and not (base / value).exists():
        return value
    return _shown(base / value, cwd) if base != cwd else value


def _resolve(data: Mapping[str, Any], base: Path, cwd: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key in LIST_KEYS and isinstance(value, str):
            value = [value]
        if key in PATH_KEYS:
            bare = key in ("rules", "mapping")
            value = (
                [_resolve_path(v, base, cwd, bare) for v in value]
                if isinstance(value, list)
                else _resolve_path(value, base, cwd, bare)
            )
        if key == "report" and isinstance(value, dict) and value.get("logo"):
            value = {**value, "logo": _resolve_path(value["logo"], base, cwd, False)}
        out[key] = value
    return out


def _channels(raw: Any, doc: Document, lines: Mapping[str, int]) -> list[str] | None:
    """Declared channels in their canonical spelling; AR411 for one the vocabulary does not know."""
    if raw is None:
        return None
    from auditrules.channels import CHANNELS, canonical_channel

    out: list[str] = []
    for i, name in enumerate(raw):
        channel = canonical_channel(name)
        if channel is None:
            span = doc.span_of(f"/channels/{i}") if doc.positions else Span(doc.path, lines.get("channels", 1), 1)
            raise AuditError(
                "AR411",
                f"/channels/{i}: unknown channel {name!r} (known: {', '.join(sorted(CHANNELS))})",
                span,
                doc.text,
            )
        if channel not in out:
            out.append(channel)
    return out


__all__ = ["Config", "discover", "find_config", "load_config"]
