"""``auditrules init``: a repository → a commented ``.auditrules.yaml`` naming the exports found in it,
and a starter rules file with its documentation page and two examples for ``auditrules test``."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from auditrules.errors import AuditError

CONFIG_NAME = ".auditrules.yaml"
#: Directories never searched for exports.
SKIP_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", ".tox", "rules"})
MAX_DEPTH = 4
MAX_FILES = 2000


@dataclass(frozen=True)
class Found:
    """Evidence found in the repository, as paths relative to its root."""

    routing: tuple[str, ...]
    tickets: tuple[str, ...]


def _walk(root: Path) -> Iterator[Path]:
    seen = 0
    for dirpath, dirnames, filenames in os.walk(root):
        depth = len(Path(dirpath).relative_to(root).parts)
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith(".") and depth < MAX_DEPTH)
        for name in sorted(filenames):
            seen += 1
            if seen > MAX_FILES:
                return
            yield Path(dirpath) / name


def _routing_kind(path: Path) -> str | None:
    from auditrules.routing.detect import detect_format

    if path.suffix.lower() not in (".yaml", ".yml", ".json"):
        return None
    try:
        return detect_format(path)
    except AuditError:
        return None


def find_evidence(root: Path) -> Found:
    """Routing exports (a Zendesk export counts once, as its directory) and ticket files under ``root``."""
    from auditrules.tickets.sources import file_format

    routing: list[str] = []
    tickets: list[str] = []
    for path in _walk(root):
        rel = path.relative_to(root)
        kind = _routing_kind(path)
        if kind == "zendesk":
            folder = rel.parent.as_posix() + "/" if rel.parent != Path(".") else rel.as_posix()
            if folder not in routing:
                routing.append(folder)
        elif kind is not None:
            routing.append(rel.as_posix())
        elif file_format(path.name) in ("csv", "parquet", "jsonl") and path.suffix.lower() != ".txt":
            tickets.append(rel.as_posix())
    return Found(tuple(routing), tuple(tickets))


def _list(key: str, values: tuple[str, ...], example: str) -> str:
    if not values:
        return f"# {key}: {example}\n"
    return f"{key}:\n" + "".join(f"  - {v}\n" for v in values)


def config_text(found: Found) -> str:
    """The commented configuration for a repository holding ``found``."""
    routing_note = "found by `auditrules init`" if found.routing else "none found; name yours"
    tickets_note = "found by `auditrules init`" if found.tickets else "none found; name yours"
    return (
        "# auditrules configuration. Keys are the long options of `auditrules check`; paths are relative\n"
        "# to this file; a value given on the command line replaces the one here. `--no-config` ignores it.\n"
        "\n"
        "# Rule packs: the bundled standard pack by name, and this team's own rules\n"
        "# (`auditrules test rules/` checks their examples in rules/tests/).\n"
        "rules:\n  - fairness\n  - rules/team.rules\n"
        "\n"
        f"# Routing exports: canonical YAML, a Zendesk export directory, a TaskRouter workflow ({routing_note}).\n"
        + _list("routing", found.routing, "[exports/zendesk/]")
        + "\n"
        f"# Ticket histories: CSV, Parquet, JSON Lines, globs or directories ({tickets_note}).\n"
        + _list("tickets", found.tickets, "['data/tickets/*.parquet']")
        + "# mapping: zendesk            # a column mapping file, or a built-in one (zendesk, twitter-support)\n"
        "\n"
        "# fail-on: low               # exit 1 when a rule this severe or worse fails: low | medium | high | never\n"
        "# select: ['FAIR-00*']       # check only these rules (ids or globs); a hook may check fewer\n"
        "# ignore: [FAIR-007]         # leave these rules out\n"
        "# waivers: waivers.yaml      # accepted exceptions, each with a reason, an approver and an expiry date\n"
        "# baseline: baseline.json    # an earlier JSON report: fail only on findings that are new since\n"
        "# format: text               # text | json | markdown | html | sarif | junit\n"
        "\n"
        "# The channels you serve (otherwise the export's own list is used):\n"
        "# channels: [email, phone, chat, twitter]\n"
        "\n"
        "# Engagement details for a client report:\n"
        "# report:\n"
        "#   client: Example Ltd\n"
        "#   auditor: {name: A. Auditor, firm: Example Audit LLP}\n"
        "#   period: 2026-01-01 to 2026-06-30\n"
        "#   scope: Zendesk routing and ticket history of the EU support desk\n"
        "#   date: '2026-07-15'\n"
        "#   paper: A4                # or Letter\n"
    )


TEAM_RULES = """policy "Team rules" version "0.1"

# Fields of your help desk that must never decide who serves a customer, or how fast.
# Add your own spellings; `auditrules explain TEAM-001 --rules rules/team.rules` shows the rule.
define team_influence = fields matching "*vip*", "*influencer*", "*follower*"

rule TEAM-001 "Routing does not read our VIP flags" {
  severity high
  rationale "Service levels follow the request and the contract, never how visible a customer is."
  remediation "Route on product, priority, language or contract instead of VIP or influencer flags."
  routing must not read team_influence
}
"""

TEAM_DOC = """# TEAM-001: Routing does not read our VIP flags

Severity: high · Evidence: routing

## What it checks

No trigger, rule or filter that routes a ticket reads a VIP, influencer or follower field, directly or
through a tag or field derived from one.

## Why it matters

Service levels follow the request and the contract, never how visible a customer is.

## How to fix

Route on product, priority, language or contract instead of VIP or influencer flags.
"""

TEAM_FAIL = """# A routing rule that reads a VIP flag: TEAM-001 must fail.
auditrules: routing/v1
name: vip lane
channels: [email]
rules:
  - id: vip
    when: customer.vip == true
    route: {queue: priority-line}
  - id: default
    route: {queue: general}
"""

TEAM_PASS = """# Routing on the request only: TEAM-001 must pass.
auditrules: routing/v1
name: request routing
channels: [email]
rules:
  - id: billing
    when: product == "billing"
    route: {queue: billing}
  - id: default
    route: {queue: general}
"""


def starter_files(root: Path) -> dict[Path, str]:
    """Every file ``auditrules init`` writes under ``root``, with its text."""
    return {
        root / CONFIG_NAME: config_text(find_evidence(root)),
        root / "rules" / "team.rules": TEAM_RULES,
        root / "rules" / "docs" / "TEAM-001.md": TEAM_DOC,
        root / "rules" / "tests" / "TEAM-001" / "fail" / "vip-lane.yaml": TEAM_FAIL,
        root / "rules" / "tests" / "TEAM-001" / "pass" / "request-routing.yaml": TEAM_PASS,
    }


def init(root: Path, force: bool = False) -> list[Path]:
    """Write the starter files; AR005 if one exists (unless ``force``). Returns the paths written."""
    from auditrules.report.output import write_atomic

    files = starter_files(root)
    existing = [p for p in files if p.exists()]
    if existing and not force:
        shown = ", ".join(str(p.relative_to(root)) for p in existing)
        raise AuditError("AR005", f"{shown} already exists; remove it or use --force to overwrite")
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, text)
    return list(files)


__all__ = ["CONFIG_NAME", "Found", "config_text", "find_evidence", "init", "starter_files"]
