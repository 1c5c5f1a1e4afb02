"""Zendesk export (API JSON files, or a directory of them, possibly paginated) → RoutingModel.

Each file's kind is told by its top-level key (``triggers``, ``automations``, ``views``, ``macros``,
``sla_policies``, ``ticket_fields``, ``user_fields``, ``organization_fields``, or a singular resource
such as ``{"trigger": {...}}``), never by its name. Pages of one collection (offset or cursor
pagination) are merged, de-duplicated by id and ordered by ``position``.

Conditions become :class:`Read`\\ s, tag and custom-field actions :class:`Write`\\ s, and actions that
decide who serves a ticket, how fast (group, assignee, priority, form, status, notifications, SLA
inputs) :class:`Effect`\\ s. Custom field ids resolve through the field catalogs. Each read keeps the
values its condition compares with (value sets). Channels go through :mod:`auditrules.channels`.

Evidence known to be partial becomes a :class:`~auditrules.routing.model.Gap`: missing pages (a
count above the items found, ``meta.has_more`` or ``next_page`` on every page), a file that is not
an export, custom fields that rules read but no catalog names. SLA policies whose filter reads more
than the channel are also routing rules (an ``sla`` effect). A warehouse copy of SLA rows (no
filter) keeps the latest version of each policy and marks it ``filter_known=False``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from auditrules.channels import VENDOR_DEFAULT_CHANNELS, canonical_channel, normalise_spelling
from auditrules.documents import Document, load_json_document, read_text
from auditrules.errors import AuditError, Span, fail
from auditrules.findings import Diagnostic, InputFile, Location
from auditrules.routing.model import Effect, Gap, Read, RoutingModel, RoutingRule, SlaPolicy, SlaTarget, Write
from auditrules.routing.names import NameCatalog, Namer, source_label
from auditrules.routing.peek import peek

#: Collections of a Zendesk export: top-level key → rule kind (or catalog kind).
COLLECTIONS: dict[str, str] = {
    "triggers": "trigger",
    "automations": "automation",
    "views": "view",
    "macros": "macro",
    "sla_policies": "sla_policy",
    "ticket_fields": "ticket_field",
    "user_fields": "user_field",
    "organization_fields": "organization_field",
    "groups": "group",
    "brands": "brand",
    "organizations": "organization",
}
#: Single-resource responses (``GET /api/v2/triggers/{id}``): key → collection.
SINGULAR: dict[str, str] = {
    "trigger": "triggers",
    "automation": "automations",
    "view": "views",
    "macro": "macros",
    "sla_policy": "sla_policies",
    "ticket_field": "ticket_fields",
    "user_field": "user_fields",
    "organization_field": "organization_fields",
}
RULE_COLLECTIONS: tuple[str, ...] = ("triggers", "automations", "macros", "views")
#: Which statements a missing page of a collection leaves without complete evidence.
_GAP_SCOPE: dict[str, str] = {"sla_policies": "sla"}
#: Name catalogs (``GET /api/v2/groups``, ``/brands``, ``/organizations``) → the kind of id they name.
#: They only name ids for the reader: a missing page of one is a warning, never a gap.
NAME_CATALOGS: dict[str, str] = {"groups": "group", "brands": "brand", "organizations": "organization"}
#: Condition and action fields whose value is the id of a catalogued object.
NAMED_ID_FIELDS: dict[str, str] = {
    "group_id": "group",
    "brand_id": "brand",
    "organization_id": "organization",
    "notification_group": "group",  # its value is [group id, subject, body]
    "notification_sms_group": "group",
}

#: Time-based pseudo-fields of automations (values in hours) → readable time names.
TIME_FIELDS: dict[str, str] = {
    "NEW": "hours_since_created",
    "OPEN": "hours_since_open",
    "PENDING": "hours_since_pending",
    "HOLD": "hours_since_hold",
    "SOLVED": "hours_since_solved",
    "CLOSED": "hours_since_closed",
    "assigned_at": "hours_since_assigned",
    "updated_at": "hours_since_update",
    "requester_updated_at": "hours_since_requester_update",
    "assignee_updated_at": "hours_since_assignee_update",
    "due_date": "hours_since_due_date",
    "until_due_date": "hours_until_due_date",
    "sla_next_breach_at": "hours_since_next_sla_breach",
    "until_sla_next_breach_at": "hours_until_next_sla_breach",
}

#: Condition fields with a readable canonical name.
RENAMED_FIELDS: dict[str, str] = {"via_id": "channel", "current_via_id": "update_channel"}

#: Condition operators this adapter understands (every one yields a Read of its field).
OPERATORS: frozenset[str] = frozenset(
    {
        "is",
        "is_not",
        "less_than",
        "greater_than",
        "less_than_equal",
        "greater_than_equal",
        "less_than_business_hours",
        "greater_than_business_hours",
        "includes",
        "not_includes",
        "present",
        "not_present",
        "within_previous_n_days",
        "changed",
        "changed_to",
        "changed_from",
        "not_changed",
        "not_changed_to",
        "not_changed_from",
        "value",
        "value_previous",
        "not_value",
        "not_value_previous",
        "is_business_hours",
        "is_not_business_hours",
    }
)
#: Operators whose condition has no value.
VALUELESS: frozenset[str] = frozenset(
    {"present", "not_present", "changed", "not_changed", "is_business_hours", "is_not_business_hours"}
)
#: Operators on ``via_id`` that name the channels a condition keeps, and those that exclude them.
CHANNEL_KEEP: frozenset[str] = frozenset({"is", "includes", "value", "changed_to"})
CHANNEL_DROP: frozenset[str] = frozenset({"is_not", "not_includes"})

#: Action field → routing effect kind.
EFFECT_ACTIONS: dict[str, str] = {
    "group_id": "group",
    "assignee_id": "assignee",
    "priority": "priority",
    "ticket_form_id": "form",
    "status": "status",
    "set_schedule": "sla",
    "notification_group": "notify",
    "notification_user": "notify",
    "notification_webhook": "notify",
    "notification_target": "notify",
    "notification_sms_group": "notify",
    "notification_sms_user": "notify",
}
#: ``notification_user`` recipients that answer the customer rather than page a team.
CUSTOMER_RECIPIENTS: frozenset[str] = frozenset({"requester_id", "requester_and_ccs"})
TAG_ACTIONS: frozenset[str] = frozenset({"set_tags", "current_tags", "remove_tags"})
#: Ticket actions and the SLA filter fields that read what they set.
SLA_INPUT_ACTIONS: dict[str, str] = {
    "type": "ticket_type_id",
    "group_id": "group_id",
    "priority": "priority",
    "brand_id": "brand_id",
    "ticket_form_id": "ticket_form_id",
    "organization_id": "organization_id",
}
#: Types of the built-in ticket fields listed in ``ticket_fields`` (they are never ``custom_fields_<id>``).
SYSTEM_TICKET_FIELDS: frozenset[str] = frozenset(
    {"subject", "description", "status", "custom_status", "tickettype", "priority", "group", "assignee"} | {"brand"}
)
TICKET_TYPES: dict[str, str] = {"1": "question", "2": "incident", "3": "problem", "4": "task"}

#: Zendesk SLA metric → canonical metric.
SLA_METRICS: dict[str, str] = {
    "first_reply_time": "first_response",
    "next_reply_time": "next_reply",
    "periodic_update_time": "periodic_update",
    "pausable_update_time": "pausable_update",
    "requester_wait_time": "requester_wait",
    "agent_work_time": "resolution",
    "total_resolution_time": "total_resolution",
}

#: How a condition or action names a custom ticket field: ``custom_fields_<id>`` (or ``ticket_fields_<id>``).
_CUSTOM_PREFIXES: tuple[str, ...] = ("custom_fields_", "ticket_fields_")
#: Custom user and organization fields (``requester.custom_fields.<key>``). The patterns below that
#: only some exports or files need are text, compiled (and kept, by ``re``) when first tried, not at
#: each start.
_USER_FIELD = r"^(requester|user|organization|assignee)\.custom_fields\.(.+)$"
_SNAKE = re.compile(r"[^0-9a-z]+")
_PEEK = re.compile(
    r'"(?:triggers|automations|views|macros|sla_policies|ticket_fields|user_fields|organization_fields)"\s*:\s*\['
    r'|"(?:trigger|automation|view|macro|sla_policy)"\s*:\s*\{'
)
#: A name catalog: part of an export beside rules, never an export by itself (``"groups": [`` is common).
_CATALOG_PEEK = r'"(?:groups|brands|organizations)"\s*:\s*\['


#: A warehouse table of SLA rows saved as a JSON array (``[{"sla_policy_id": …, "metric": …}, …]``).
_WAREHOUSE_PEEK = r'\s*\[\s*\{[^{}]*"metric"\s*:'


def is_zendesk(path: str | Path, head: str | None = None) -> bool:
    """Whether ``path`` (a JSON file, or a directory holding one) looks like a Zendesk export;
    ``head``: the file's first bytes (:func:`~auditrules.routing.peek.read_head`), when already read."""
    p = Path(path)
    if head is not None:
        return p.suffix.lower() == ".json" and _head_peek(head)
    if p.is_dir():
        return any(_peek(f) for f in sorted(p.glob("*.json")))
    return p.suffix.lower() == ".json" and _peek(p)


def is_zendesk_catalog(path: str | Path) -> bool:
    """Whether ``path`` is a JSON file holding a Zendesk name catalog (groups, brands, organizations)
    and no rules: read as part of a Zendesk export directory, not as an export on its own."""
    p = Path(path)
    return p.suffix.lower() == ".json" and p.is_file() and peek(p, _CATALOG_PEEK) and not _peek(p)


def _peek(path: Path) -> bool:
    if not path.is_file():  # a FIFO would block the open
        return False
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            head = fh.read(65536)
    except OSError:
        return False
    return _head_peek(head)


def _head_peek(head: str) -> bool:
    return _PEEK.search(head) is not None or re.match(_WAREHOUSE_PEEK, head) is not None


# --- collecting files and pages ---------------------------------------------------------------------


class _Item:
    """One resource of a collection: where it is and what it holds. One is made per trigger, field, …
    and nothing compares, hashes or copies them, so it is a plain class with slots rather than a
    dataclass: assigning a slot costs a third of a frozen field's ``object.__setattr__``, and there
    are no generated methods to build at each start."""

    __slots__ = ("data", "doc", "file_order", "index", "pointer")

    def __init__(self, doc: Document, pointer: str, data: dict[str, Any], file_order: int, index: int) -> None:
        self.doc = doc
        self.pointer = pointer
        self.data = data
        self.file_order = file_order
        self.index = index


@dataclass(repr=False, eq=False)  # never compared nor printed: no methods to build at each start
class _Pages:
    """What the page envelopes of one collection say about completeness: offset pages carry
    ``count`` and ``next_page`` (null on the last page), cursor pages ``meta.has_more`` and
    ``links.next``."""

    count: int | None = None
    offset_pages: int = 0
    offset_done: bool = False
    cursor_pages: int = 0
    cursor_done: bool = False
    first: Document | None = None

    def missing(self, key: str, found: int) -> str | None:
        """Why pages are known to be missing, or None."""
        if self.count is not None and self.count > found:
            return f"the {key} pages report count={self.count} but only {found} {key} were found"
        if self.cursor_pages and not self.cursor_done:
            return f"every {key} page says meta.has_more is true; the last page is missing"
        if self.offset_pages and not self.offset_done and not self.cursor_pages:
            return f"every {key} page names a next_page; the last page is missing"
        return None


def _files(paths: Sequence[Path]) -> list[tuple[Path, bool]]:
    """Expand directories; the flag tells whether the file was named explicitly."""
    out: list[tuple[Path, bool]] = []
    for p in paths:
        if p.is_dir():
            out.extend((f, False) for f in sorted(p.glob("*.json"), key=_natural_key))
        elif p.exists():
            out.append((p, True))
        else:
            raise fail("AR001", f"no such file or directory: {p}")
    return out


def _natural_key(p: Path) -> tuple[Any, ...]:
    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", p.name))


@dataclass(repr=False, eq=False)  # never compared nor printed: no methods to build at each start
class _Export:
    """All collections of an export, merged across files and pages."""

    items: dict[str, list[_Item]] = field(default_factory=dict)
    pages: dict[str, _Pages] = field(default_factory=dict)
    inputs: list[InputFile] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    documents: dict[str, Document] = field(default_factory=dict)
    gaps: list[Gap] = field(default_factory=list)
    _merged: dict[str, list[_Item]] = field(default_factory=dict)

    def add_document(self, doc: Document, file_order: int, explicit: bool) -> None:
        data = doc.data
        kinds: list[str] = []
        if isinstance(data, dict):
            for key, value in data.items():
                if key in COLLECTIONS and isinstance(value, list):
                    kinds.append(key)
                    self._add_page(doc, key, data)
                    bucket = self.items.setdefault(key, [])
                    for i, item in enumerate(value):
                        if isinstance(item, dict):
                            bucket.append(_Item(doc, f"/{key}/{i}", item, file_order, i))
                        else:
                            self._bad(doc, f"/{key}/{i}", f"{key}[{i}] is not an object; skipped")
                elif key in SINGULAR and isinstance(value, dict):
                    coll = SINGULAR[key]
                    kinds.append(coll)
                    self.items.setdefault(coll, []).append(_Item(doc, f"/{key}", value, file_order, 0))
        elif isinstance(data, list) and data and all(isinstance(r, dict) and "metric" in r for r in data):
            kinds.append("sla_policies")  # a warehouse table of SLA rows, saved as a JSON array
            bucket = self.items.setdefault("sla_policies", [])
            bucket.extend(_Item(doc, f"/{i}", r, file_order, i) for i, r in enumerate(data))
        if not kinds:
            msg = (
                f"{doc.path} is not a Zendesk export (expected a top-level key such as triggers, "
                "automations, views, macros, sla_policies or *_fields)"
            )
            if explicit:
                raise AuditError("AR204", msg, Span(doc.path, 1, 1), doc.text)
            where = Location(doc.path, 1, 1)
            self.diagnostics.append(Diagnostic("AR204", "error", msg + "; skipped", where))
            self.gaps.append(Gap("all", f"{doc.path} was not understood", where))
            return
        self.inputs.append(InputFile(doc.path, "zendesk:" + "+".join(sorted(set(kinds))), doc.sha256))
        self.documents[doc.path] = doc

    def _add_page(self, doc: Document, key: str, data: dict[str, Any]) -> None:
        pages = self.pages.setdefault(key, _Pages())
        if pages.first is None:
            pages.first = doc
        count = data.get("count")
        if isinstance(count, int) and not isinstance(count, bool) and "next_page" in data:
            pages.count = max(pages.count or 0, count)
        if "next_page" in data:
            pages.offset_pages += 1
            if data.get("next_page") in (None, ""):
                pages.offset_done = True
        meta = data.get("meta")
        if isinstance(meta, dict) and "has_more" in meta:
            pages.cursor_pages += 1
            if meta.get("has_more") is False:
                pages.cursor_done = True

    def _bad(self, doc: Document, pointer: str, message: str) -> None:
        self.diagnostics.append(Diagnostic("AR202", "warning", message, _loc(doc, pointer)))

    def merged(self, key: str) -> list[_Item]:
        """The collection's items, de-duplicated by id and ordered by position, then file order."""
        if key in self._merged:
            return self._merged[key]
        seen: set[str] = set()
        found: list[_Item] = []
        for item in self.items.get(key, ()):
            data = item.data
            ident = data.get("id")
            if ident is not None and ("metric" not in data or "policy_metrics" in data):  # not a warehouse row
                ident = str(ident)
                if ident in seen:
                    continue
                seen.add(ident)
            found.append(item)
        # ordered by keys made in one pass and looked up by the sort itself: a key function would be
        # a call per item (the sort is stable, as sorting the items by the same keys)
        keys = [(_position(item.data), item.file_order, item.index) for item in found]
        out = [found[i] for i in sorted(range(len(found)), key=keys.__getitem__)]
        pages = self.pages.get(key)
        why = pages.missing(key, len(out)) if pages is not None else None
        if why is not None and pages is not None and pages.first is not None:
            where = Location(pages.first.path, 1, 1)
            if key in NAME_CATALOGS:
                message = f"incomplete export: {why}; ids on the missing pages are shown without their names"
                self.diagnostics.append(Diagnostic("AR212", "warning", message, where))
            else:
                message = f"incomplete export: {why}; export every page"
                self.diagnostics.append(Diagnostic("AR212", "error", message, where))
                self.gaps.append(Gap(_GAP_SCOPE.get(key, "rules"), f"missing {key} pages ({why})", where))
        self._merged[key] = out
        return out


def _position(data: dict[str, Any]) -> int:
    pos = data.get("position")
    if isinstance(pos, bool):
        return 1 << 40
    if isinstance(pos, int):
        return pos
    text = pos.strip() if isinstance(pos, str) else ""
    if text.lstrip("-").isascii() and text.lstrip("-").isdecimal() and len(text) <= 18:
        return int(text)
    return 1 << 40


def _loc(doc: Document, pointer: str, note: str | None = None) -> Location:
    """A location by JSON pointer only: its line is looked up when reported (RoutingModel.resolve),
    so a large export pays for the few places that findings name, not for every condition."""
    return Location(doc.path, None, None, pointer, note)


# --- field catalogs ----------------------------------------------------------------------------------


def _custom_id(raw: str) -> str | None:
    """The id in a custom ticket field's name (``custom_fields_360001234567`` → ``360001234567``), or
    None. Read as ``^(?:custom_fields|ticket_fields)_(\\d+)$`` reads it (``\\d`` is a Unicode decimal
    digit, as :meth:`str.isdecimal` says; ``$`` also matches before a final newline), with string
    methods: every field name of an export is asked, and there is no expression to compile at each start."""
    if not raw.startswith(_CUSTOM_PREFIXES):
        return None
    digits = raw[len(_CUSTOM_PREFIXES[0]) :]  # both prefixes are as long
    if digits.endswith("\n"):
        digits = digits[:-1]
    return digits if digits.isdecimal() else None


def _user_field(raw: str) -> re.Match[str] | None:
    """``raw`` matched as a custom user or organization field (owner, key); most names are no such field
    and are refused by a substring search (every match holds ``.custom_fields.``) without the pattern."""
    return re.match(_USER_FIELD, raw) if ".custom_fields." in raw else None


def snake_name(title: str) -> str:
    """``"Klout score"`` → ``klout_score``."""
    return _SNAKE.sub("_", title.lower()).strip("_")


@dataclass(repr=False, eq=False)  # never compared nor printed: no methods to build at each start
class _Catalog:
    """Field ids and keys → readable names, plus the tags dropdown options and checkboxes set."""

    ticket: dict[str, str] = field(default_factory=dict)
    #: A dropdown field's options as the export lists them; their tags are read when an action sets
    #: the field (:meth:`tags_of`: most of a large export's fields are never set by a rule).
    options: dict[str, list[Any]] = field(default_factory=dict)
    option_tags: dict[str, dict[str, str]] = field(default_factory=dict)
    checkbox_tags: dict[str, str] = field(default_factory=dict)
    user: dict[str, str] = field(default_factory=dict)
    organization: dict[str, str] = field(default_factory=dict)
    #: Name catalogs present in the export, by the kind of id they name (``group`` → ``groups.json``).
    ids: dict[str, NameCatalog] = field(default_factory=dict)

    def load(self, export: _Export) -> None:
        self.load_fields(export)
        for key, kind in NAME_CATALOGS.items():
            items = export.merged(key)
            if items:
                self.ids[kind] = _name_catalog(kind, items)

    def load_fields(self, export: _Export) -> None:
        for item in export.merged("ticket_fields"):
            d = item.data
            ident = d.get("id")
            kind = d.get("type")
            if ident is None or (isinstance(kind, str) and kind in SYSTEM_TICKET_FIELDS):
                continue
            raw = d.get("key") or d.get("title") or d.get("raw_title") or ""
            name = snake_name(str(raw)) or f"field_{ident}"
            sid = str(ident)
            self.ticket[sid] = name
            options = d.get("custom_field_options")
            if isinstance(options, list):
                self.options[sid] = options
            if kind == "checkbox" and d.get("tag"):
                self.checkbox_tags[sid] = str(d["tag"])
        for key, target in (("user_fields", self.user), ("organization_fields", self.organization)):
            for item in export.merged(key):
                d = item.data
                fkey = d.get("key") or snake_name(str(d.get("title") or ""))
                if not fkey:
                    continue
                target[str(fkey)] = str(fkey)
                if d.get("id") is not None:
                    target[str(d["id"])] = str(fkey)

    def tags_of(self, ident: str) -> dict[str, str] | None:
        """The tags the options of dropdown field ``ident`` set, by option value (None: no options)."""
        tags = self.option_tags.get(ident)
        if tags is None and ident in self.options:
            tags = self.option_tags[ident] = _option_tags(self.options[ident])
        return tags

    def names(self) -> dict[str, str]:
        """Raw field spellings → resolved field names."""
        out = {f"custom_fields_{i}": n for i, n in self.ticket.items()}
        out.update({f"requester.custom_fields.{k}": f"requester.{v}" for k, v in self.user.items()})
        out.update({f"organization.custom_fields.{k}": f"organization.{v}" for k, v in self.organization.items()})
        return out


def _option_tags(options: list[Any]) -> dict[str, str]:
    """The tags a dropdown's options set (an option's value is its tag), each value read once."""
    tags: dict[str, str] = {}
    for option in options:
        if isinstance(option, dict):
            value = option.get("value")
            if value not in (None, ""):
                text = str(value)
                tags[text] = text
    return tags


def _name_catalog(kind: str, items: list[_Item]) -> NameCatalog:
    """Ids → names of one name catalog's items (a deleted group keeps its name, marked deleted)."""
    names: dict[str, str] = {}
    for item in items:
        d = item.data
        ident, raw = d.get("id"), d.get("name")
        name = " ".join(raw.split()) if isinstance(raw, str) else ""
        if ident is None or isinstance(ident, (bool, dict, list)) or not name:
            continue
        names[render_value(ident)] = f"{name} [deleted]" if d.get("deleted") is True else name
    return NameCatalog(kind, source_label(item.doc.path for item in items), names)


# --- values and text ---------------------------------------------------------------------------------


def render_value(value: Any) -> str:
    """A condition or action value as text: strings as written, lists space-separated."""
    if value.__class__ is str:  # the common case first
        return value if value else '""'
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int):
        return _short_number(value)
    if isinstance(value, list):
        parts = [render_value(v) for v in value]
        return "[" + ", ".join(p if len(p) <= 60 else p[:57] + "..." for p in parts) + "]"
    if isinstance(value, dict):
        return "{...}"
    if value == "":
        return '""'
    return str(value)


def via_channel(value: Any) -> str | None:
    """A via id (number or numeric string) or via type → canonical channel (``via_<id>`` or the
    spelling itself when the vocabulary does not know it), None when empty."""
    if value is None or isinstance(value, (bool, dict, list)):
        return None
    if isinstance(value, float):
        value = int(value) if value.is_integer() else str(value)
    known = canonical_channel(value)
    if known is not None:
        return known
    text = str(value).strip().lower() if not isinstance(value, int) else _short_number(value)
    if not text:
        return None
    if text.isdecimal():
        return f"via_{text}"
    return normalise_spelling(text)


def _short_number(value: int) -> str:
    """An integer as text, or ``<N-digit number>`` when it is too long to print (over 4,300 digits)."""
    try:
        return str(value)
    except ValueError:  # int → str refuses more than sys.get_int_max_str_digits() digits
        return f"<number of about {int(value.bit_length() * 0.30103) + 1} digits>"


def condition_values(value: Any) -> tuple[str, ...]:
    """The constants a condition compares with, as text (each list item; ``None`` and objects dropped)."""
    if value.__class__ is str:  # the common case first
        return (value,) if value.strip() else ()
    if value is None or isinstance(value, dict):
        return ()
    if isinstance(value, list):
        return tuple(v for item in value for v in condition_values(item))
    if isinstance(value, bool):
        return ("true" if value else "false",)
    if isinstance(value, int):
        return (_short_number(value),)
    return (str(value),) if str(value).strip() else ()


def _tags(value: Any) -> list[str]:
    if isinstance(value, bool):
        return []
    return [t for text in condition_values(value) for t in text.split() if t]


def _via_values(value: Any) -> list[str]:
    if isinstance(value, list):
        values: list[Any] = value
    elif value is None or isinstance(value, (bool, dict)):
        values = []
    elif isinstance(value, (int, float)):
        values = [value]
    else:
        values = str(value).replace(",", " ").split()
    out = []
    for v in values:
        ch = via_channel(v)
        if ch is not None:
            out.append(ch)
    return out


# --- rules -------------------------------------------------------------------------------------------

#: What a read is apart from its place: (field name, condition text, values compared with).
_ReadForm = tuple[str, str, tuple[str, ...]]
#: Condition values whose reads are worked out once per distinct condition (exact types: ``True``
#: and ``1`` are equal keys of a dict but read differently; lists and objects are worked out each time).
_PLAIN_VALUES: frozenset[type] = frozenset({str, int, type(None)})
#: A rule's fields in :class:`RoutingRule`'s order, all but its channel scope (known once every rule is read).
_RuleFields = tuple[str, str, str, int, Location, tuple[Read, ...], tuple[Write, ...], tuple[Effect, ...], bool]
#: What an action is apart from its place: its writes (target, text) and its effects (kind, value).
_ActionForm = tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]


@dataclass(repr=False, eq=False)  # never compared nor printed: no methods to build at each start
class _Builder:
    """Turns merged collections into rules and SLA policies, collecting diagnostics on the way."""

    catalog: _Catalog
    diagnostics: list[Diagnostic]
    channels: set[str] = field(default_factory=set)
    field_names: dict[str, str] = field(default_factory=dict)
    unresolved: set[str] = field(default_factory=set)
    #: Raw field spellings → names, as :meth:`resolve` found them.
    resolved: dict[str, str] = field(default_factory=dict)
    #: How many ``via_id`` conditions were read (a rule that reads one may be scoped to channels).
    via_conditions: int = 0
    #: (field, operator, value type, value) of a condition → its reads' forms (see :meth:`read`).
    read_forms: dict[tuple[str, str, type, Any], tuple[_ReadForm, ...]] = field(default_factory=dict)
    #: What the SLA filters read (:meth:`_SlaReader.filter_reads`): actions that set it have an ``sla`` effect.
    sla_inputs: set[str] = field(default_factory=set)
    #: (field, value type, value) of an action → what it writes and its effects (see :meth:`action_form`).
    action_forms: dict[tuple[str, type, Any], _ActionForm] = field(default_factory=dict)
    namer: Namer = field(init=False)

    def __post_init__(self) -> None:
        self.namer = Namer(self.catalog.ids, self.diagnostics)

    def shown(self, raw: str, value: Any, loc: Location) -> str:
        """A condition or action value as text, a catalogued id with its name (``VIP desk (360001234567)``)."""
        kind = NAMED_ID_FIELDS.get(raw)
        if kind is None:
            return render_value(value)
        if isinstance(value, list):
            return "[" + ", ".join(self.shown(raw, v, loc) for v in value) + "]"
        text = render_value(value)
        return self.namer.show(kind, text, loc) if text.isascii() and text.isdecimal() else text

    def resolve(self, raw: str, doc: Document, pointer: str) -> str:
        """A condition or action field → its readable name (``custom_fields_1`` → ``klout_score``);
        the first time a field is met it is looked up (and an unknown custom field noted), then remembered."""
        name = self.resolved.get(raw)
        if name is None:
            name = self.resolved[raw] = self._resolve(raw, doc, pointer)
        return name

    def _resolve(self, raw: str, doc: Document, pointer: str) -> str:
        ident = _custom_id(raw)
        if ident is not None:
            name = self.catalog.ticket.get(ident)
            if name is None:
                if raw not in self.unresolved:
                    self.unresolved.add(raw)
                    self.diagnostics.append(
                        Diagnostic(
                            "AR206",
                            "warning",
                            f"custom field {ident} ({raw}) is not in ticket_fields; add ticket_fields.json "
                            "to the export so it can be named",
                            _loc(doc, pointer),
                        )
                    )
                return raw
            self.field_names[raw] = name
            return name
        m = _user_field(raw)
        if m:
            owner, key = m.group(1), m.group(2)
            cat = self.catalog.organization if owner == "organization" else self.catalog.user
            name = f"{owner}.{cat.get(key, key)}"
            self.field_names[raw] = name
            return name
        if raw in TIME_FIELDS:
            self.field_names[raw] = TIME_FIELDS[raw]
            return TIME_FIELDS[raw]
        if raw in RENAMED_FIELDS:
            self.field_names[raw] = RENAMED_FIELDS[raw]
            return RENAMED_FIELDS[raw]
        return raw

    def condition_reads(self, doc: Document, pointer: str, conditions: Any) -> list[Read]:
        """Reads of a ``{"all": [...], "any": [...]}`` block (a bare list counts as ``all``).

        The conditions are walked here, not through :meth:`conditions`: a large export has thousands,
        and a generator's (pointer, condition) pairs cost more than the reads made of them. Malformed
        conditions are reported in the same order as :meth:`conditions` reports them."""
        reads: list[Read] = []
        if isinstance(conditions, dict):
            for key in ("all", "any"):
                group = conditions.get(key)
                if group is not None and not (isinstance(group, list) and not group):  # "any": [] is usual
                    self._read_group(reads, doc, f"{pointer}/{key}", key, group)
        elif isinstance(conditions, list):
            self._read_group(reads, doc, pointer, "", conditions)
        elif conditions is not None:
            self.bad(doc, pointer, "conditions are neither an object with all/any nor a list")
        return reads

    def _read_group(self, reads: list[Read], doc: Document, base: str, key: str, group: Any) -> None:
        """Append the reads of one group of conditions (``key``: all, any or "" for a bare list)."""
        if not isinstance(group, list):
            self.bad(doc, base, f"conditions.{key} is not a list")
            return
        for i, cond in enumerate(group):
            if isinstance(cond, dict) and isinstance(cond.get("field"), str):
                self.read_into(reads, doc, f"{base}/{i}", cond)
            else:
                self.bad(doc, f"{base}/{i}", "condition without a field name; skipped")

    def conditions(self, doc: Document, pointer: str, conditions: Any) -> Iterator[tuple[str, dict[str, Any]]]:
        """The well-formed conditions of a block with their pointers, walked as :meth:`condition_reads`
        walks them; malformed ones are reported when they are met (so notes keep their order)."""
        if isinstance(conditions, dict):
            for key in ("all", "any"):
                group = conditions.get(key)
                if group is not None:
                    yield from self._group_conditions(doc, f"{pointer}/{key}", key, group)
        elif isinstance(conditions, list):
            yield from self._group_conditions(doc, pointer, "", conditions)
        elif conditions is not None:
            self.bad(doc, pointer, "conditions are neither an object with all/any nor a list")

    def _group_conditions(self, doc: Document, base: str, key: str, group: Any) -> Iterator[tuple[str, dict[str, Any]]]:
        """The well-formed conditions of one group with their pointers (see :meth:`_read_group`)."""
        if not isinstance(group, list):
            self.bad(doc, base, f"conditions.{key} is not a list")
            return
        for i, cond in enumerate(group):
            if isinstance(cond, dict) and isinstance(cond.get("field"), str):
                yield f"{base}/{i}", cond
            else:
                self.bad(doc, f"{base}/{i}", "condition without a field name; skipped")

    def read(self, doc: Document, pointer: str, cond: dict[str, Any]) -> list[Read]:
        """The reads of one condition (its ``field`` a string)."""
        reads: list[Read] = []
        self.read_into(reads, doc, pointer, cond)
        return reads

    def read_into(self, reads: list[Read], doc: Document, pointer: str, cond: dict[str, Any]) -> None:
        """Append the reads of one condition (its ``field`` a string) to ``reads``: what it reads, its
        text and the values it compares with are worked out once per distinct condition (``status is
        new`` recurs across rules); each occurrence makes only its location and reads."""
        raw: str = cond["field"]
        op = cond.get("operator") or "is"
        if op.__class__ is not str:
            op = str(op)
        value = cond.get("value")
        loc = Location(doc.path, None, None, pointer)  # by pointer: its line is looked up when reported
        if raw == "via_id":
            self.via_conditions += 1
        value_type = value.__class__
        if value_type in _PLAIN_VALUES:
            key = (raw, op, value_type, value)
            forms = self.read_forms.get(key)
            if forms is None:
                forms = self.read_forms[key] = self._read_forms(raw, op, value, doc, pointer, loc)
        else:
            forms = self._read_forms(raw, op, value, doc, pointer, loc)
        for name, text, values in forms:
            reads.append(Read(name, loc, text, values))

    def _read_forms(
        self, raw: str, op: str, value: Any, doc: Document, pointer: str, loc: Location
    ) -> tuple[_ReadForm, ...]:
        """(name, text, values) of each read of a condition (the first place it occurs is ``loc``)."""
        if raw == "current_tags":
            text = f"current_tags {op} {render_value(value)}"
            return tuple((f"tag:{t}", text, (t,)) for t in _tags(value)) or (("tags", text, ()),)
        name = self.resolve(raw, doc, pointer)
        if raw in ("via_id", "current_via_id"):
            chans = _via_values(value)
            self.channels.update(chans)
            shown = f"{render_value(value)} ({', '.join(chans)})" if chans else render_value(value)
            return ((name, f"{raw} {op} {shown}", ()),)
        label = raw if name == raw else f"{name} ({raw})"
        if op in VALUELESS and value in (None, ""):
            return ((name, f"{label} {op}", ()),)
        return ((name, f"{label} {op} {self.shown(raw, value, loc)}", condition_values(value)),)

    def actions(self, doc: Document, pointer: str, actions: Any) -> tuple[list[Write], list[Effect]]:
        """The writes and routing effects of a rule's actions, in order; each action makes one location."""
        writes: list[Write] = []
        effects: list[Effect] = []
        if actions is None:
            return writes, effects
        if not isinstance(actions, list):
            self.bad(doc, pointer, "actions is not a list")
            return writes, effects
        path = doc.path
        for i, act in enumerate(actions):
            ptr = f"{pointer}/{i}"
            if not isinstance(act, dict) or not isinstance(act.get("field"), str):
                self.bad(doc, ptr, "action without a field name; skipped")
                continue
            loc = Location(path, None, None, ptr)
            write_forms, effect_forms = self.action_form(doc, ptr, act, loc)
            for target, text in write_forms:
                writes.append(Write(target, loc, text))
            for kind, value in effect_forms:
                effects.append(Effect(kind, value, loc))
        return writes, effects

    def action_form(self, doc: Document, ptr: str, act: dict[str, Any], loc: Location) -> _ActionForm:
        """What one action (its ``field`` a string) writes and which effects it has, worked out once
        per distinct (field, value) like a condition's reads; a notification counts by its recipient
        (its subject and body are not shown)."""
        raw: str = act["field"]
        value = act.get("value")
        if EFFECT_ACTIONS.get(raw) == "notify" and isinstance(value, list) and value:
            value = value[0]
        value_type = value.__class__
        if value_type not in _PLAIN_VALUES:
            return self._action_form(doc, ptr, raw, value, loc)
        key = (raw, value_type, value)
        form = self.action_forms.get(key)
        if form is None:
            form = self.action_forms[key] = self._action_form(doc, ptr, raw, value, loc)
        return form

    def _action_form(self, doc: Document, ptr: str, raw: str, value: Any, loc: Location) -> _ActionForm:
        """An action's writes (tags, custom fields) and routing effects; a notification's ``value`` is
        its recipient (the first of a list)."""
        if raw in TAG_ACTIONS:
            tags = _tags(value)
            text = f"{raw} {render_value(value)}"
            sla = raw != "remove_tags"
            sla_tags = tuple(("sla", f"tag {tag}") for tag in tags if sla and f"tag:{tag}" in self.sla_inputs)
            return tuple((f"tag:{tag}", text) for tag in tags), sla_tags
        kind = EFFECT_ACTIONS.get(raw)
        if kind == "notify":
            if raw == "notification_user" and render_value(value) in CUSTOMER_RECIPIENTS:
                return (), ()
            return (), (("notify", f"{raw} {self.shown(raw, value, loc)}"),)
        shown = self.shown(raw, value, loc)
        effects: tuple[tuple[str, str], ...] = () if kind is None else ((kind, shown),)
        if raw in SLA_INPUT_ACTIONS and SLA_INPUT_ACTIONS[raw] in self.sla_inputs:
            effects += (("sla", f"{raw} {shown}"),)
        if _custom_id(raw) is None and _user_field(raw) is None:
            return (), effects
        writes, field_effects = self._field_action_form(doc, ptr, raw, value)
        return writes, effects + field_effects

    def _field_action_form(self, doc: Document, ptr: str, raw: str, value: Any) -> _ActionForm:
        """Setting a custom field: a write of its name, and of the tag a dropdown or checkbox sets."""
        name = self.resolve(raw, doc, ptr)
        label = raw if name == raw else f"{name} ({raw})"
        text = f"{label} {render_value(value)}"
        writes = [(name, text)]
        effects = (("sla", f"{name} {render_value(value)}"),) if name in self.sla_inputs else ()
        ident = _custom_id(raw)
        if ident is not None:
            for tag in self._field_tags(ident, value):
                writes.append((f"tag:{tag}", f"{text} (sets tag {tag})"))
        return tuple(writes), effects

    def _field_tags(self, ident: str, value: Any) -> list[str]:
        """Tags Zendesk adds when a dropdown or checkbox custom field is set."""
        if ident in self.catalog.checkbox_tags and value in (True, "true", "1", 1):
            return [self.catalog.checkbox_tags[ident]]
        options = self.catalog.tags_of(ident)
        if options and isinstance(value, str) and value in options:
            return [options[value]]
        return []

    def bad(self, doc: Document, pointer: str, message: str) -> None:
        self.diagnostics.append(Diagnostic("AR202", "warning", message, _loc(doc, pointer)))

    def rule_fields(self, kind: str, item: _Item, order: int) -> _RuleFields:
        """A trigger's, automation's, macro's or view's fields as a rule, all but its channel scope."""
        d = item.data
        doc = item.doc
        ident = d.get("id")
        rid = f"{kind}:{ident}" if ident is not None else f"{kind}:{Path(doc.path).name}#{item.pointer}"
        title = d.get("title") or d.get("raw_title") or rid
        reads = self.condition_reads(doc, item.pointer + "/conditions", d.get("conditions"))
        writes: list[Write] = []
        effects: list[Effect] = []
        if kind != "view":
            writes, effects = self.actions(doc, item.pointer + "/actions", d.get("actions"))
        active = d.get("active", True) is not False
        loc = Location(doc.path, None, None, item.pointer)
        if not active and kind in ("trigger", "automation"):
            self.diagnostics.append(
                Diagnostic(
                    "AR207",
                    "warning",
                    f"{kind} '{title}' ({rid}) is inactive; it is reported but not analysed",
                    loc,
                )
            )
        return rid, str(title), kind, order, loc, tuple(reads), tuple(writes), tuple(effects), active


# --- SLA policies ------------------------------------------------------------------------------------

#: A ``via_id`` filter condition: keep these channels, or drop them (every other channel stays).
_Restriction = tuple[str, frozenset[str]]


@dataclass(repr=False, eq=False)  # never compared nor printed: no methods to build at each start
class _SlaReader:
    """Turns merged ``sla_policies`` items (API policies or warehouse rows) into :class:`SlaPolicy`."""

    builder: _Builder

    def filter_reads(self, items: list[_Item]) -> set[str]:
        """Names the SLA filters read: actions that set them change which SLA a ticket gets."""
        names: set[str] = set()
        for item in items:
            filt = item.data.get("filter")
            for ptr, cond in self.builder.conditions(item.doc, item.pointer + "/filter", filt):
                raw = str(cond["field"])
                if raw == "current_tags":
                    names.update(f"tag:{t}" for t in _tags(cond.get("value")))
                elif raw in ("via_id", "current_via_id"):
                    self.builder.channels.update(_via_values(cond.get("value")))
                else:
                    names.add(self.builder.resolve(raw, item.doc, ptr))
        return names

    def policies(self, items: list[_Item]) -> list[SlaPolicy]:
        api_items, warehouse_groups = _group_warehouse_rows(items)
        out = [self.policy(item, i) for i, item in enumerate(api_items)]
        for group in warehouse_groups:
            out.append(self.warehouse_policy(group, len(out)))
        return out

    def selection_rules(self, items: list[_Item], first_order: int) -> list[RoutingRule]:
        """An SLA policy whose filter reads more than the channel decides how fast the tickets it
        selects are answered: a rule with an ``sla`` effect that reads its filter's conditions."""
        out: list[RoutingRule] = []
        for item in items:
            if "policy_metrics" not in item.data and "metric" in item.data:
                continue  # a warehouse row: no filter
            filt = item.data.get("filter")
            reads = [
                rd
                for ptr, cond in self.builder.conditions(item.doc, item.pointer + "/filter", filt)
                if cond.get("field") not in ("via_id", "current_via_id")
                for rd in self.builder.read(item.doc, ptr, cond)
            ]
            if not reads:
                continue
            ident = item.data.get("id")
            title = render_value(item.data.get("title") or ident)
            loc = _loc(item.doc, item.pointer)
            rid = f"sla_policy:{render_value(ident)}" if ident is not None else f"sla_policy:{item.pointer}"
            effect = Effect("sla", f"policy {title}", loc)
            out.append(RoutingRule(rid, title, "sla_policy", first_order + len(out), loc, tuple(reads), (), (effect,)))
        return out

    def policy(self, item: _Item, order: int) -> SlaPolicy:
        d = item.data
        doc = item.doc
        title = render_value(d.get("title") or d.get("id") or f"policy {order}")
        keep: set[str] | None = None
        drop: set[str] = set()
        conditions: list[str] = []
        filt = d.get("filter")
        all_conds: list[tuple[str, dict[str, Any]]] = []
        any_conds: list[tuple[str, dict[str, Any]]] = []
        if isinstance(filt, dict):
            all_conds = list(self.builder.conditions(doc, item.pointer + "/filter", {"all": filt.get("all")}))
            any_conds = list(self.builder.conditions(doc, item.pointer + "/filter", {"any": filt.get("any")}))
        elif filt is not None:
            all_conds = list(self.builder.conditions(doc, item.pointer + "/filter", filt))
        for ptr, cond in all_conds:
            restricted = _channel_restriction(cond)
            if restricted is None:
                conditions.append(self.condition_text(doc, ptr, cond))
            elif restricted[0] == "keep":
                keep = set(restricted[1]) if keep is None else keep & restricted[1]
            else:
                drop |= restricted[1]
        if any_conds:
            parts = [_channel_restriction(cond) for _ptr, cond in any_conds]
            if all(p is not None and p[0] == "keep" for p in parts):
                union: set[str] = set().union(*(p[1] for p in parts if p is not None))
                keep = union if keep is None else keep & union
            else:
                texts = [self.condition_text(doc, ptr, cond) for ptr, cond in any_conds]
                conditions.append("any of: " + "; ".join(texts))
        return SlaPolicy(
            name=title,
            channels=tuple(sorted(keep - drop)) if keep is not None else None,
            targets=tuple(self.targets(item)),
            location=_loc(doc, item.pointer),
            conditions=tuple(conditions),
            order=order,
            excluded=tuple(sorted(drop)) if keep is None else (),
            id=render_value(d.get("id")) if d.get("id") is not None else "",
        )

    def condition_text(self, doc: Document, pointer: str, cond: dict[str, Any]) -> str:
        raw = str(cond["field"])
        reads = self.builder.read(doc, pointer, cond)
        text = reads[0].text if reads else raw
        if raw == "ticket_type_id":
            kind = TICKET_TYPES.get(render_value(cond.get("value")).strip())
            if kind:
                text += f" ({kind})"
        return text

    def targets(self, item: _Item) -> list[SlaTarget]:
        d = item.data
        rows: list[tuple[str, dict[str, Any]]]
        metrics = d.get("policy_metrics")
        if isinstance(metrics, list):
            base = item.pointer + "/policy_metrics/"
            rows = [(base + str(i), m) for i, m in enumerate(metrics) if isinstance(m, dict)]
        elif "metric" in d:
            rows = [(item.pointer, d)]  # a warehouse row: one policy × metric × priority
        else:
            title = render_value(d.get("title"))
            self.builder.bad(item.doc, item.pointer, f"SLA policy '{title}' has no policy_metrics")
            rows = []
        out: list[SlaTarget] = []
        for ptr, m in rows:
            seconds = _target_seconds(m)
            if seconds is None:
                self.builder.diagnostics.append(
                    Diagnostic(
                        "AR202",
                        "error",
                        f"SLA target {render_value(m.get('target'))!r} of policy '{render_value(d.get('title'))}' "
                        "is not a number of minutes; that target is ignored",
                        _loc(item.doc, ptr),
                    )
                )
                continue
            metric = render_value(m.get("metric") or "")
            priority = render_value(m.get("priority") or "").strip().lower() or "any"
            bh = m.get("business_hours")
            business = bh is True or (isinstance(bh, str) and bh.strip().lower() in ("true", "1", "yes"))
            loc = Location(item.doc.path, None, None, ptr)
            out.append(SlaTarget(SLA_METRICS.get(metric, metric), priority, seconds, business, loc))
        return out

    def warehouse_policy(self, rows: list[_Item], order: int) -> SlaPolicy:
        """One policy from warehouse rows: only its latest version (``sla_policy_updated_at``) counts."""
        latest = max(render_value(r.data.get("sla_policy_updated_at") or "") for r in rows)
        current = [r for r in rows if render_value(r.data.get("sla_policy_updated_at") or "") == latest]
        first = current[0]
        d = first.data
        ident = d.get("sla_policy_id") or d.get("id")
        title = render_value(d.get("title") or d.get("sla_policy_title") or ident)
        targets = [t for row in current for t in self.targets(row)]
        older = len(rows) - len(current)
        versions = f"; {older} rows of older versions are ignored" if older else ""
        self.builder.diagnostics.append(
            Diagnostic(
                "AR211",
                "warning",
                f"SLA policy '{title}' comes from a warehouse copy without its filter: the channels it covers "
                f"are unknown{versions}",
                _loc(first.doc, first.pointer),
            )
        )
        return SlaPolicy(
            title,
            None,
            tuple(targets),
            _loc(first.doc, first.pointer),
            (),
            order,
            filter_known=False,
            id=render_value(ident) if ident is not None else "",
        )


def _rule_channels(item: _Item, universe: set[str]) -> tuple[str, ...] | None:
    """A trigger's or automation's channel scope from its ``via_id`` conditions (None: any channel).
    Malformed conditions were reported when the rule was read; they are skipped quietly here."""
    conds = item.data.get("conditions")
    if not isinstance(conds, dict):
        return None
    scope: set[str] | None = None
    every = conds.get("all")
    if isinstance(every, list):
        for cond in every:
            if not isinstance(cond, dict) or cond.get("field") != "via_id":
                continue  # most conditions read something else: no call for them
            found = _channel_restriction(cond)
            if found is not None:
                kept = _kept(found, universe)
                scope = kept if scope is None else scope & kept
    union = _any_channels(conds.get("any"), universe)
    if union is not None:
        scope = union if scope is None else scope & union
    return None if scope is None else tuple(sorted(scope))


def _any_channels(group: Any, universe: set[str]) -> set[str] | None:
    """The channels an ``any`` group keeps when each of its conditions restricts the channel; None
    when one reads something else (then any channel may match) or the group has none."""
    if not isinstance(group, list):
        return None
    union: set[str] | None = None
    for cond in group:
        if not isinstance(cond, dict):
            continue
        found = _channel_restriction(cond)
        if found is None:
            return None  # the first other condition settles it: no need to look at the rest
        kept = _kept(found, universe)
        union = kept if union is None else union | kept
    return union


def _kept(restriction: _Restriction, universe: set[str]) -> set[str]:
    """The channels a restriction lets through: those it keeps, or every other one it may meet."""
    mode, chans = restriction
    return set(chans) if mode == "keep" else universe - chans


def _channel_restriction(cond: dict[str, Any]) -> _Restriction | None:
    """What a ``via_id`` filter condition does to channels, or None when it is not a channel condition."""
    if cond.get("field") != "via_id":
        return None
    operator, value = cond.get("operator"), cond.get("value")
    operator_type: Any = operator.__class__  # (Any: mypy does not count a class as Hashable)
    value_type: Any = value.__class__
    if operator_type in _PLAIN_VALUES and value_type in _PLAIN_VALUES:  # the usual case, remembered
        return _restriction(operator_type, operator, value_type, value)
    return _restriction_of(operator, value)


@lru_cache(maxsize=4096)
def _restriction(_op_type: type, operator: Any, _value_type: type, value: Any) -> _Restriction | None:
    """:func:`_restriction_of` for plain values (the types are part of the key: ``True`` is not ``1``)."""
    return _restriction_of(operator, value)


def _restriction_of(operator: Any, value: Any) -> _Restriction | None:
    op = render_value(operator or "is")
    chans = frozenset(_via_values(value))
    if op in CHANNEL_KEEP:
        return ("keep", chans)
    if op in CHANNEL_DROP:
        return ("drop", chans)
    return None


def _target_seconds(metric: dict[str, Any]) -> float | None:
    if metric.get("target_in_seconds") is not None:
        return _number(metric["target_in_seconds"])
    minutes = _number(metric.get("target"))
    seconds = None if minutes is None else minutes * 60.0
    return seconds if seconds is not None and seconds < math.inf else None  # 1e308 minutes overflows


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
        return None
    try:
        n = float(value) if isinstance(value, (int, float)) else float(str(value).strip())
    except (ValueError, OverflowError):  # not a number; an integer too large for a float (10**400)
        return None
    return n if 0 <= n < math.inf else None


def _group_warehouse_rows(items: list[_Item]) -> tuple[list[_Item], list[list[_Item]]]:
    """Split SLA items into API policies and warehouse rows grouped by policy."""
    policies: list[_Item] = []
    groups: dict[str, list[_Item]] = {}
    for item in items:
        if "policy_metrics" not in item.data and "metric" in item.data:
            d = item.data
            key = render_value(d.get("sla_policy_id") or d.get("id") or d.get("title") or d.get("sla_policy_title"))
            groups.setdefault(key, []).append(item)
        else:
            policies.append(item)
    return policies, [groups[k] for k in sorted(groups, key=_natural_str)]


def _natural_str(s: str) -> tuple[Any, ...]:
    return tuple((0, int(t), "") if t.isdigit() and len(t) < 100 else (1, 0, t) for t in re.split(r"(\d+)", s))


# --- entry point -------------------------------------------------------------------------------------


def load_zendesk(paths: Sequence[Path], skipped: Sequence[Diagnostic] = ()) -> RoutingModel:
    """Read a Zendesk export (files and/or directories of API JSON) into one :class:`RoutingModel`.

    ``skipped`` are notes about files of the same directory that no adapter understood; they are
    gaps in the evidence.
    """
    paths = [Path(p) for p in paths]
    if not paths:
        raise fail("AR005", "no Zendesk export given")
    export = _Export()
    export.diagnostics.extend(skipped)
    for order, (path, explicit) in enumerate(_files(paths)):
        text, digest = read_text(path)
        doc = load_json_document(path, text, digest)
        export.add_document(doc, order, explicit)
    if set(export.items) <= set(NAME_CATALOGS):  # nothing, or only names (groups.json alone)
        where = paths[0]
        raise AuditError(
            "AR204",
            f"no Zendesk export files in {where} (expected JSON with triggers, automations, views, macros, "
            "sla_policies or *_fields; groups, brands and organizations only name the ids they use)",
            Span(str(where), 1, 1),
        )
    catalog = _Catalog()
    catalog.load(export)
    builder = _Builder(catalog, export.diagnostics)
    builder.field_names.update(catalog.names())

    sla = _SlaReader(builder)
    sla_items = export.merged("sla_policies")
    builder.sla_inputs = sla.filter_reads(sla_items)
    read: list[tuple[_RuleFields, _Item | None]] = []  # and the item of a rule whose conditions read via_id
    order = 0
    for key in RULE_COLLECTIONS:
        kind = COLLECTIONS[key]
        for item in export.merged(key):
            via_before = builder.via_conditions
            fields = builder.rule_fields(kind, item, order)
            read.append((fields, item if builder.via_conditions != via_before else None))
            order += 1
    selection = sla.selection_rules(sla_items, order)
    policies = sla.policies(sla_items)
    # Each rule is made once, with its channel scope, when every channel the export names is known
    # ("via is not X" keeps every other channel the desk may have).
    universe = builder.channels | set(VENDOR_DEFAULT_CHANNELS["zendesk"])
    rules = [RoutingRule(*fields, None if item is None else _rule_channels(item, universe)) for fields, item in read]
    rules.extend(selection)
    name = paths[0].name if paths[0].is_dir() else paths[0].stem
    return RoutingModel(
        format="zendesk",
        name=name,
        channels=tuple(sorted(builder.channels)),
        rules=tuple(rules),
        sla_policies=tuple(policies),
        inputs=tuple(sorted(export.inputs, key=lambda f: f.path)),
        diagnostics=tuple(export.diagnostics),
        field_names=dict(sorted(builder.field_names.items())),
        documents=export.documents,
        gaps=tuple(export.gaps + _unresolved_gaps(builder, rules) + _skipped_gaps(skipped)),
    )


def _unresolved_gaps(builder: _Builder, rules: Sequence[RoutingRule]) -> list[Gap]:
    """Custom fields that active rules read but the export does not name: one of them could be anything."""
    if not builder.unresolved:
        return []
    read = sorted({rd.field for r in rules if r.active for rd in r.reads if rd.field in builder.unresolved})
    if not read:
        return []
    shown = ", ".join(read[:5]) + (f" and {len(read) - 5} more" if len(read) > 5 else "")
    return [Gap("rules", f"rules read custom fields the export does not name ({shown}); add ticket_fields.json")]


def _skipped_gaps(skipped: Sequence[Diagnostic]) -> list[Gap]:
    return [Gap("all", d.message, d.location) for d in skipped if d.level == "error"]


__all__ = ["COLLECTIONS", "OPERATORS", "is_zendesk", "load_zendesk"]
