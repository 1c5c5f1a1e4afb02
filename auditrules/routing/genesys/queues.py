"""Genesys Cloud queues → SLA policies, one per (queue, media type) with a service level.

``mediaSettings`` holds one object per media type: ``call``, ``callback``, ``chat``, ``email`` and
``message`` (every messaging and social channel: web messaging, WhatsApp, Facebook, X, SMS).
Each may carry ``serviceLevel {percentage, durationMs}``: "percentage of interactions answered
within durationMs". That is the queue's promise, read as metric ``service_level`` with the
percentage as the target's share. ``alertingTimeoutSeconds`` is how long an agent is alerted
before the interaction moves on: it is not a promise to the customer and is not read as one.
A queue's promises are compared with each other (the policy scope is the queue).
"""

from __future__ import annotations

from typing import Any

from auditrules.channels import canonical_channel
from auditrules.findings import Diagnostic
from auditrules.routing.genesys.pages import Queue, location
from auditrules.routing.model import SlaPolicy, SlaTarget

#: Media types in the order Genesys lists them.
MEDIA_TYPES: tuple[str, ...] = ("call", "callback", "chat", "email", "message")
METRIC = "service_level"


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if value >= 0 else None


def queue_name(queue: Queue) -> str:
    return str(queue.data.get("name") or queue.data.get("id") or queue.pointer or "queue")


class QueueReader:
    """Reads queues into policies, collecting the channels seen and notes."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        self.channels: set[str] = set()

    def note(self, queue: Queue, suffix: str, message: str) -> None:
        self.diagnostics.append(Diagnostic("AR202", "warning", message, location(queue, suffix)))

    def policies(self, queue: Queue, order: int) -> list[SlaPolicy]:
        name = queue_name(queue)
        media = queue.data.get("mediaSettings")
        if not isinstance(media, dict):
            self.note(queue, "", f"queue '{name}' has no mediaSettings; it promises nothing")
            return []
        out: list[SlaPolicy] = []
        for key in sorted(media, key=lambda k: (MEDIA_TYPES.index(k) if k in MEDIA_TYPES else len(MEDIA_TYPES), k)):
            channel = canonical_channel(key)
            settings = media[key]
            if channel is None:
                self.note(
                    queue,
                    f"/mediaSettings/{key}",
                    f"queue '{name}': media type '{key}' is not one auditrules knows; its service level is not checked",
                )
                continue
            if not isinstance(settings, dict):
                continue
            self.channels.add(channel)
            target = self.target(queue, name, key, settings.get("serviceLevel"))
            if target is None:
                continue
            out.append(
                SlaPolicy(
                    name=f"{name}: {key}",
                    channels=(channel,),
                    targets=(target,),
                    location=location(queue, f"/mediaSettings/{key}"),
                    order=order * len(MEDIA_TYPES) + len(out),
                    scope=f"queue '{name}'",
                )
            )
        return out

    def target(self, queue: Queue, name: str, key: str, level: Any) -> SlaTarget | None:
        suffix = f"/mediaSettings/{key}/serviceLevel"
        if level is None:
            return None
        duration = _number(level.get("durationMs")) if isinstance(level, dict) else None
        if duration is None:
            self.note(queue, suffix, f"queue '{name}': {key} serviceLevel has no durationMs; not checked")
            return None
        share = _number(level.get("percentage"))
        if share is not None and share > 1:
            share = share / 100  # some copies write 80 for 80%
        loc = location(queue, f"{suffix}/durationMs")
        return SlaTarget(METRIC, "*", duration / 1000, False, loc, share)


__all__ = ["MEDIA_TYPES", "METRIC", "QueueReader", "queue_name"]
