"""Routing format detection: a path (file or directory) → the RoutingModels of the adapters that read it.

Every file is detected on its own, never by its name:

* ``.yaml``/``.yml`` declaring ``auditrules: routing/v1`` is the canonical format;
* ``.json`` is Zendesk (a top-level ``triggers``, ``sla_policies``, ``{"trigger": {...}}`` …) and/or
  Twilio TaskRouter (``configuration``, ``task_routing``, ``workflows``); a file holding both is
  read by both adapters; Freshdesk API JSON (``sla_target``, ``automation_type_id``, condition
  ``resource_type``) or Genesys Cloud queues (``mediaSettings``); otherwise an Amazon Connect flow
  (``StartAction`` and ``Actions``, or ``describe-contact-flow`` output);
* ``.xml`` (or a Metadata API suffix such as ``.queue``) is Salesforce metadata;
* a directory that is an SFDX project, a Metadata API retrieve or holds metadata folders is one
  Salesforce input; any other directory is every file in it that some adapter understands: its
  Zendesk files form one export, so do its Freshdesk files, its Genesys Cloud queue pages and its
  loose Salesforce metadata files; each TaskRouter workflow, Connect flow and canonical file is its
  own input. Name catalogs belong to the export beside them: Zendesk ``groups``/``brands``/
  ``organizations`` with Zendesk files, a TaskRouter workspace's ``task_queues`` with its
  workflows (each workflow is read with them). Every file skipped is named in a note, and is a gap
  in the evidence (it may have held routing rules); so is every
  subdirectory holding JSON or YAML (subdirectories are not read).

Adapters are imported only when needed so that ``auditrules check`` starts fast.
"""

from __future__ import annotations

from pathlib import Path

from auditrules.documents import require_regular
from auditrules.errors import AuditError, Span
from auditrules.findings import Diagnostic, Location
from auditrules.routing.model import RoutingModel

FORMATS: tuple[str, ...] = ("canonical", "zendesk", "taskrouter", "freshdesk", "genesys", "salesforce", "connect")
#: Suffixes of files a routing directory may hold.
_ROUTING_SUFFIXES: tuple[str, ...] = (".json", ".yaml", ".yml")
#: Formats whose files in one directory make one export.
_BUNDLED: tuple[str, ...] = ("zendesk", "freshdesk", "genesys")
#: A TaskRouter workspace's TaskQueues list: read with every workflow of the directory.
_TASK_QUEUES = "taskrouter:task_queues"


def _unknown(path: str | Path) -> AuditError:
    return AuditError(
        "AR204",
        f"cannot tell the routing format of {path} (expected canonical YAML 'auditrules: routing/v1', "
        "a Zendesk export (triggers, automations, views, macros, sla_policies, *_fields), "
        "a Twilio TaskRouter workflow, Freshdesk SLA policies or automation rules, Genesys Cloud queues, "
        "Salesforce metadata or an Amazon Connect flow)",
        Span(str(path), 1, 1),
    )


def formats_of(path: Path) -> tuple[str, ...]:
    """The formats one file holds (possibly two: a JSON file with Zendesk and TaskRouter keys)."""
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        from auditrules.routing.canonical import is_canonical

        if is_canonical(path):
            return ("canonical",)
        from auditrules.routing.genesys.architect import is_architect

        return ("genesys",) if is_architect(path) else ()
    if suffix != ".json":
        from auditrules.routing.salesforce import is_salesforce

        return ("salesforce",) if is_salesforce(path) else ()
    from auditrules.routing.freshdesk import is_freshdesk
    from auditrules.routing.genesys import is_genesys
    from auditrules.routing.peek import read_head
    from auditrules.routing.taskrouter import is_taskrouter
    from auditrules.routing.zendesk import is_zendesk

    tests = (
        ("zendesk", is_zendesk),
        ("taskrouter", is_taskrouter),
        ("freshdesk", is_freshdesk),
        ("genesys", is_genesys),
    )
    head = read_head(path)  # read once: every adapter peeks at the same first bytes
    found = tuple(name for name, test in tests if test(path, head))
    if found:
        return found
    from auditrules.routing.connect import is_connect

    return ("connect",) if is_connect(path) else ()


def detect_format(path: str | Path) -> str:
    """The format name of ``path`` (one of FORMATS; a directory: its first format, Zendesk first);
    AR001 when it is missing, AR204 when no adapter understands it."""
    p = Path(path)
    if not p.exists():
        raise AuditError("AR001", f"no such file or directory: {path}")
    if not p.is_dir():
        require_regular(p)  # a FIFO or device would hang or never end when sniffed
    elif _is_salesforce_directory(p):
        return "salesforce"
    found = {fmt for f in _directory_files(p) for fmt in formats_of(f)} if p.is_dir() else set(formats_of(p))
    for fmt in ("zendesk", "taskrouter", "freshdesk", "genesys", "canonical", "salesforce", "connect"):
        if fmt in found:
            return fmt
    raise _unknown(path)


def _is_salesforce_directory(path: Path) -> bool:
    from auditrules.routing.salesforce import is_salesforce_project

    return is_salesforce_project(path)


def _directory_files(path: Path) -> list[Path]:
    """The regular files of an export directory; a FIFO, device or socket in it is refused (AR002)."""
    entries = sorted(f for f in path.iterdir() if not f.name.startswith(".") and not f.is_dir())
    for f in entries:
        if not f.is_file():
            require_regular(f)
    return entries


def load_routing(path: str | Path, fmt: str | None = None) -> RoutingModel:
    """Load one routing input; ``fmt`` (one of FORMATS) overrides detection.

    A path that holds several inputs (a directory mixing formats) gives its first; use
    :func:`load_routing_inputs` to get them all.
    """
    return load_routing_inputs(path, fmt)[0]


def load_routing_inputs(path: str | Path, fmt: str | None = None) -> list[RoutingModel]:
    """Every routing input ``path`` holds (see the module docstring); ``fmt`` overrides detection."""
    p = Path(path)
    if not p.exists():
        raise AuditError("AR001", f"no such file or directory: {path}")
    if fmt is not None and fmt not in FORMATS:
        raise AuditError("AR005", f"unknown routing format '{fmt}' (expected {', '.join(FORMATS)})")
    if p.is_dir():
        return _load_directory(p, fmt)
    require_regular(p)  # a FIFO or device would hang or never end when sniffed
    kinds = (fmt,) if fmt is not None else formats_of(p)
    if not kinds:
        raise _unknown(path)
    return [_load(kind, [p]) for kind in kinds]


def _load_directory(path: Path, fmt: str | None) -> list[RoutingModel]:
    if fmt in _BUNDLED or fmt == "salesforce" or (fmt is None and _is_salesforce_directory(path)):
        return [_load(fmt or "salesforce", [path])]
    if fmt is not None and fmt != "connect":
        raise AuditError("AR204", f"{path} is a directory; a {fmt} input is one file", Span(str(path), 1, 1))
    by_format, skipped = _classify(_directory_files(path), fmt)
    skipped.extend(_subdirectory_notes(path))
    if not by_format:
        raise AuditError(
            "AR204",
            f"no routing export in directory {path} (expected Zendesk JSON, TaskRouter workflows, Freshdesk or "
            "Genesys Cloud API JSON, Amazon Connect flows, Salesforce metadata, or canonical YAML "
            "'auditrules: routing/v1')",
            Span(str(path), 1, 1),
        )
    models: list[RoutingModel] = []
    if "zendesk" in by_format:
        from auditrules.routing.zendesk import load_zendesk

        model = load_zendesk(by_format["zendesk"], skipped)
        models.append(model.with_name(path.name))
        skipped = []
    for kind in ("freshdesk", "genesys", "salesforce"):  # loose files of one desk are read together
        if kind in by_format:
            models.append(_load(kind, by_format[kind]).with_name(path.name))
    if "taskrouter" in by_format:
        from auditrules.routing.taskrouter import load_taskrouter

        queues = by_format.get(_TASK_QUEUES, [])
        models.extend(load_taskrouter(f, queues) for f in by_format["taskrouter"])
    for kind in ("connect", "canonical"):  # each flow and canonical file is its own input
        for f in by_format.get(kind, []):
            models.append(_load(kind, [f]))
    if skipped:
        models[0] = models[0].with_notes(skipped)
    return models


def _classify(files: list[Path], fmt: str | None = None) -> tuple[dict[str, list[Path]], list[Diagnostic]]:
    """Files by the formats they hold (every file ``fmt`` when given; name catalogs with the export
    they name), and a note for each file no adapter reads: an error for a JSON or YAML file (it may
    have held routing: a gap in the evidence), a warning for others."""
    formats = {f: (formats_of(f) if fmt is None else (fmt,)) for f in files}
    present = {kind for kinds in formats.values() for kind in kinds}
    by_format: dict[str, list[Path]] = {}
    skipped: list[Diagnostic] = []
    for f in files:
        kinds = formats[f] or _catalog_of(f, present)
        for kind in kinds:
            by_format.setdefault(kind, []).append(f)
        if kinds:
            continue
        if f.suffix.lower() in _ROUTING_SUFFIXES and not _other_auditrules_document(f):
            message = f"{f} is not a routing export any adapter understands; skipped"
            skipped.append(Diagnostic("AR204", "error", message, Location(str(f), 1, 1)))
        else:
            message = f"{f} is not a routing file; skipped"
            skipped.append(Diagnostic("AR204", "warning", message, Location(str(f), 1, 1)))
    return by_format, skipped


def _subdirectory_notes(path: Path) -> list[Diagnostic]:
    """A note for each subdirectory: it is not read. One holding JSON or YAML (a nested export) is an
    error (a gap in the evidence); any other is a warning."""
    notes: list[Diagnostic] = []
    for sub in sorted(d for d in path.iterdir() if d.is_dir() and not d.name.startswith(".")):
        nested = any(f.suffix.lower() in _ROUTING_SUFFIXES for f in sub.rglob("*") if f.is_file())
        level = "error" if nested else "warning"
        message = f"subdirectory {sub.name}/ is not read; give it with its own --routing {sub}"
        notes.append(Diagnostic("AR204", level, message, Location(str(sub), None, None)))
    return notes


def _catalog_of(path: Path, present: set[str]) -> tuple[str, ...]:
    """Where a name catalog goes when the export it names is in the directory: a Zendesk groups,
    brands or organizations list with the Zendesk files; a TaskQueues list with the workflows."""
    if path.suffix.lower() != ".json":
        return ()
    if "zendesk" in present:
        from auditrules.routing.zendesk import is_zendesk_catalog

        if is_zendesk_catalog(path):
            return ("zendesk",)
    if "taskrouter" in present:
        from auditrules.routing.taskrouter import is_task_queues

        if is_task_queues(path):
            return (_TASK_QUEUES,)
    return ()


def _other_auditrules_document(path: Path) -> bool:
    """Whether ``path`` declares another auditrules format (``auditrules: waivers/v1``, ``mapping/v1``):
    a known document that holds no routing, skipped with a warning rather than counted as a gap."""
    from auditrules.routing.canonical import declared_format

    return declared_format(path) not in (None, "routing")


def _load(kind: str, paths: list[Path]) -> RoutingModel:
    if kind == "canonical":
        from auditrules.routing.canonical import load_canonical

        return load_canonical(paths[0])
    if kind == "zendesk":
        from auditrules.routing.zendesk import load_zendesk

        return load_zendesk(paths)
    if kind == "freshdesk":
        from auditrules.routing.freshdesk import load_freshdesk

        return load_freshdesk(paths)
    if kind == "genesys":
        from auditrules.routing.genesys import load_genesys

        return load_genesys(paths)
    if kind == "salesforce":
        from auditrules.routing.salesforce import load_salesforce

        return load_salesforce(paths)
    if kind == "connect":
        from auditrules.routing.connect import load_connect

        return load_connect(paths[0])
    from auditrules.routing.taskrouter import load_taskrouter

    if paths[0].is_dir():
        raise AuditError(
            "AR204", f"{paths[0]} is a directory; a TaskRouter workflow is one JSON file", Span(str(paths[0]), 1, 1)
        )
    return load_taskrouter(paths[0])


__all__ = ["FORMATS", "detect_format", "formats_of", "load_routing", "load_routing_inputs"]
