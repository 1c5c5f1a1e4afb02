"""The channel universe: which channels ``sla must cover every channel`` and ``… across channel …`` judge.

A help desk's channels never come from what one export file happens to mention (an SLA policy
filtered to Twitter would make "every channel" mean Twitter). They come from the first explicit
declaration found, in this order:

1. the policy: ``define channels = channels "email", "phone", …`` in the rules file;
2. the caller: ``declared_channels`` (the configuration file's ``channels:`` key);
3. the export itself: the canonical routing file's ``channels:`` key;
4. otherwise the vendor's out-of-the-box list, :data:`auditrules.channels.VENDOR_DEFAULT_CHANNELS`
   (docs/channels.md gives each list's source);

plus, when the list is the vendor's default, every channel the export gives its own SLA policy
or routing rule (a Freshdesk policy for sources 5 and 6 shows that Twitter and Facebook are
served); plus every channel seen in ticket data when tickets are checked too: a channel that
carries tickets but has no SLA is a coverage gap. Every finding names the channels judged and this source.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from auditrules.channels import VENDOR_DEFAULT_CHANNELS, canonical_channel, normalise_spelling
from auditrules.lang import ast
from auditrules.routing.model import RoutingModel


@dataclass(frozen=True, repr=False)
class DeclaredChannels:
    """Channels with a human-readable label saying where they come from (``auditrules.yaml channels:``)."""

    channels: tuple[str, ...]
    source: str


@dataclass(frozen=True, repr=False, eq=False)  # never compared nor printed: no methods to build at each start
class ChannelUniverse:
    """The channels judged and where that list came from."""

    channels: tuple[str, ...]
    source: str


def canonical_names(names: Iterable[str]) -> tuple[str, ...]:
    """Channel names in canonical spelling, de-duplicated, in first-seen order."""
    out: list[str] = []
    for name in names:
        canon = canonical_channel(name) or normalise_spelling(str(name))
        if canon and canon not in out:
            out.append(canon)
    return tuple(out)


def _policy_declaration(policy: ast.Policy) -> DeclaredChannels | None:
    d = policy.define("channels")
    if d is None or not isinstance(d.value, ast.ChannelSet):
        return None
    where = f"{d.span.path}:{d.span.line}" if d.span.line else d.span.path
    return DeclaredChannels(d.value.channels, f"the policy's 'define channels' ({where})")


def _base(policy: ast.Policy, model: RoutingModel, declared: DeclaredChannels | None) -> DeclaredChannels:
    found = _policy_declaration(policy) or declared
    if found is not None:
        return found
    if model.declared_channels is not None:
        return DeclaredChannels(model.declared_channels, f"the 'channels:' key of {model.name}")
    default = VENDOR_DEFAULT_CHANNELS.get(model.format)
    if default is not None:
        return DeclaredChannels(default, f"the {model.format} default channel list (docs/channels.md)")
    return DeclaredChannels(model.channels, f"the channels the {model.format} export names")


def channel_universe(
    policy: ast.Policy,
    model: RoutingModel,
    declared: DeclaredChannels | None = None,
    ticket_channels: DeclaredChannels | None = None,
) -> ChannelUniverse:
    """The channels to judge for ``model`` under ``policy`` (see the module docstring for the order)."""
    base = _base(policy, model, declared)
    channels = canonical_names(base.channels)
    source = base.source
    if base.channels == VENDOR_DEFAULT_CHANNELS.get(model.format):
        # a vendor list is a guess: a channel the export gives its own SLA policy or routing rule is served too
        named = {c for p in model.sla_policies for c in p.channels or ()}
        named |= {c for r in model.rules if r.active for c in r.channels or ()}
        extra = tuple(sorted(set(canonical_names(named)) - set(channels)))
        if extra:
            channels = channels + extra
            source += f", plus {', '.join(extra)} named by the export's own policies or rules"
    if ticket_channels is not None:
        extra = tuple(c for c in canonical_names(ticket_channels.channels) if c not in channels)
        if extra:
            channels = channels + extra
            source += f", plus {', '.join(extra)} seen in {ticket_channels.source}"
    return ChannelUniverse(tuple(sorted(channels)), source)


__all__ = ["ChannelUniverse", "DeclaredChannels", "canonical_names", "channel_universe"]
