"""The channel vocabulary: one definition of every channel name, spelling, vendor code and class.

Every adapter, the ticket mappings and the analysis take channel names from here, so that a via
id, a TaskRouter task channel, a Salesforce service channel or a spelling in a ticket file all
arrive as the same lower-case canonical name (``email``, ``phone``, ``twitter`` ...).

Channel classes decide what may be compared with what: *live* channels (a customer is waiting
on the line or in a chat window) measure answer times in seconds; *async* channels (email, web
forms, messaging, social) in hours. SLA and priority parity compare within a class.

This module imports nothing from the rest of the package.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Final, Literal

ChannelClass = Literal["live", "async"]

#: Canonical channel → class.
CHANNEL_CLASSES: Final[Mapping[str, ChannelClass]] = MappingProxyType(
    {
        "phone": "live",
        "callback": "live",
        "chat": "live",
        "video": "live",
        "email": "async",
        "web": "async",
        "api": "async",
        "mobile": "async",
        "sms": "async",
        "messaging": "async",
        "whatsapp": "async",
        "twitter": "async",
        "facebook": "async",
        "instagram": "async",
        "social": "async",
    }
)

#: Every canonical channel name.
CHANNELS: Final[frozenset[str]] = frozenset(CHANNEL_CLASSES)

#: Spellings seen in exports and ticket files (lower-cased, spaces and dashes as underscores)
#: → canonical channel. Canonical names map to themselves.
ALIASES: Final[Mapping[str, str]] = MappingProxyType(
    {
        **{name: name for name in CHANNEL_CLASSES},
        "voice": "phone",
        "call": "phone",
        "telephone": "phone",
        "voicemail": "phone",
        "phone_call_inbound": "phone",
        "phone_call_outbound": "phone",
        "cti_phone_call_inbound": "phone",
        "cti_phone_call_outbound": "phone",
        "cti_voicemail": "phone",
        "mail": "email",
        "e_mail": "email",
        "outbound_email": "email",
        "web_form": "web",
        "web_widget": "web",
        "webform": "web",
        "portal": "web",
        "helpcenter": "web",
        "help_center": "web",
        "dropbox": "web",
        "feedback_widget": "web",
        "web_service": "api",
        "any_channel": "api",
        "ticket_sharing": "api",
        "chat_transcript": "chat",
        "live_chat": "chat",
        "livechat": "chat",
        "webchat": "chat",
        "web_chat": "chat",
        "x": "twitter",
        "twitter_dm": "twitter",
        "twitter_favorite": "twitter",
        "tweet": "twitter",
        "facebook_post": "facebook",
        "facebook_message": "facebook",
        "messenger": "facebook",
        "instagram_dm": "instagram",
        "text_message": "sms",
        "text": "sms",
        "native_messaging": "messaging",
        "message": "messaging",
        "mobile_sdk": "mobile",
        "iphone": "mobile",
        "social_media": "social",
    }
)

#: Zendesk via ids (Zendesk's "Via types" reference) → canonical channel. Ids of internal events
#: (rules, merges, side conversations) are absent: they are not channels a customer uses.
ZENDESK_VIA_IDS: Final[Mapping[int, str]] = MappingProxyType(
    {
        0: "web",  # web_form
        4: "email",  # mail
        5: "api",  # web_service
        15: "mobile",  # iphone
        16: "web",  # get_satisfaction
        17: "web",  # dropbox (feedback tab)
        20: "web",  # batch
        23: "twitter",  # twitter_favorite
        24: "web",  # topic (forum)
        26: "twitter",  # twitter_dm
        27: "web",  # closed_ticket (follow-up)
        29: "chat",
        30: "twitter",
        31: "api",  # ticket_sharing
        33: "phone",  # voicemail
        34: "phone",  # phone_call_inbound
        35: "phone",  # phone_call_outbound
        36: "api",  # blog
        37: "sms",  # text_message
        38: "facebook",  # facebook_post
        39: "api",  # import
        40: "api",  # github
        41: "facebook",  # facebook_message
        44: "phone",  # cti_voicemail
        45: "phone",  # cti_phone_call_inbound
        46: "phone",  # cti_phone_call_outbound
        49: "web",  # help center
        50: "web",  # web widget
        55: "api",  # any_channel
        56: "mobile",  # mobile_sdk
        57: "sms",
    }
)

#: Freshdesk ticket ``source`` codes (tickets API, SLA policies' ``applicable_to.sources`` and
#: automation conditions on ``source``) → canonical channel.
FRESHDESK_SOURCES: Final[Mapping[int, str]] = MappingProxyType(
    {
        1: "email",
        2: "web",  # portal
        3: "phone",
        4: "web",  # forum
        5: "twitter",
        6: "facebook",
        7: "chat",
        8: "mobile",  # Mobihelp
        9: "web",  # feedback widget
        10: "email",  # outbound email
        11: "api",  # e-commerce
        12: "chat",  # bot
    }
)

#: Field names (the last dotted part, lower-cased) that hold a work item's channel in some export:
#: a routing rule that reads one of them is channel-specific.
CHANNEL_FIELDS: Final[frozenset[str]] = frozenset(
    {"channel", "via", "via_id", "source", "task_channel", "taskchannel", "channel_type", "media_type", "origin"}
)

#: SLA metrics whose targets compare across classes: a resolution promise means the same on
#: every channel, whereas an answer-time promise is seconds on live channels and hours on
#: asynchronous ones and compares only within a class.
CROSS_CLASS_METRICS: Final[frozenset[str]] = frozenset({"resolution"})

#: Channels each help desk offers out of the box, used when neither the policy (``define``),
#: the canonical file (``channels:``) nor the configuration declares them. Sources are listed in
#: docs/channels.md.
VENDOR_DEFAULT_CHANNELS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "zendesk": ("chat", "email", "facebook", "phone", "twitter", "web"),
        "taskrouter": ("chat", "phone", "sms", "video"),
        "salesforce": ("chat", "email", "messaging", "phone", "web"),
        "connect": ("chat", "email", "phone"),
        "freshdesk": ("chat", "email", "phone", "web"),
        "genesys": ("callback", "chat", "email", "messaging", "phone"),
    }
)


#: Salesforce Omni-Channel work items (a service channel's ``relatedEntityType``) → canonical channel.
#: ``Case`` is absent: a case's channel is its ``Origin`` (see SALESFORCE_CASE_ORIGINS).
SALESFORCE_WORK_ITEMS: Final[Mapping[str, str]] = MappingProxyType(
    {"MessagingSession": "messaging", "LiveChatTranscript": "chat", "VoiceCall": "phone"}
)

#: Channels of Salesforce's default ``Case.Origin`` picklist (Phone, Email, Web); origins that
#: criteria name are added to them.
SALESFORCE_CASE_ORIGINS: Final[tuple[str, ...]] = ("email", "phone", "web")


def normalise_spelling(value: str) -> str:
    """``value`` lower-cased and trimmed, spaces and dashes folded to ``_`` (the key form of ALIASES)."""
    return "_".join(value.strip().lower().replace("-", " ").split())


def canonical_channel(value: object) -> str | None:
    """The canonical channel for a name, spelling or Zendesk via id; None when it is not one we know.

    Numbers (and numeric strings) are read as Zendesk via ids.
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return ZENDESK_VIA_IDS.get(value)
    if isinstance(value, str):
        text = value.strip()
        if text.isdecimal() and len(text) <= 6:
            return ZENDESK_VIA_IDS.get(int(text))
        return ALIASES.get(normalise_spelling(text))
    return None


def channel_class(channel: str) -> ChannelClass:
    """The class of a canonical channel; an unknown channel is treated as asynchronous."""
    return CHANNEL_CLASSES.get(channel, "async")


def freshdesk_channel(value: object) -> str | None:
    """The canonical channel of a Freshdesk source code (number or numeric string)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdecimal() and len(value.strip()) <= 6:
        value = int(value.strip())
    return FRESHDESK_SOURCES.get(value) if isinstance(value, int) else None


def is_channel_field(name: str) -> bool:
    """Whether a resolved field name (``channel``, ``task.channel``, ``ticket.source``) holds the channel."""
    return name.lower().rsplit(".", 1)[-1] in CHANNEL_FIELDS


def like_for_like(channels: Iterable[str], cross_class: bool = False) -> list[tuple[str, tuple[str, ...]]]:
    """``channels`` split into the groups that may be compared: one group per class (``live``,
    ``async``), or one ``all`` group when ``cross_class``; order kept, groups of one dropped."""
    ordered = list(dict.fromkeys(channels))
    if cross_class:
        groups = [("all", tuple(ordered))]
    else:
        groups = [(cls, tuple(c for c in ordered if channel_class(c) == cls)) for cls in ("live", "async")]
    return [(name, chans) for name, chans in groups if len(chans) >= 2]


__all__ = [
    "ALIASES",
    "CHANNELS",
    "CHANNEL_CLASSES",
    "CHANNEL_FIELDS",
    "CROSS_CLASS_METRICS",
    "FRESHDESK_SOURCES",
    "SALESFORCE_CASE_ORIGINS",
    "SALESFORCE_WORK_ITEMS",
    "VENDOR_DEFAULT_CHANNELS",
    "ZENDESK_VIA_IDS",
    "ChannelClass",
    "canonical_channel",
    "channel_class",
    "freshdesk_channel",
    "is_channel_field",
    "like_for_like",
    "normalise_spelling",
]
