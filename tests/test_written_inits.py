"""Frozen dataclasses made by the thousand from a large export have their ``__init__`` written out
(one update of the instance dict instead of a guarded setattr per field). They must stay exactly
what the generated one would be: the same parameters, in field order, with the fields' defaults,
and instances that are still frozen, equal, hashable and copyable with ``replace``."""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any

import pytest

from auditrules.findings import Location
from auditrules.routing.model import Effect, Read, RoutingRule, SlaTarget, Write

WRITTEN: list[type[Any]] = [Location, Read, Write, Effect, RoutingRule, SlaTarget]


@pytest.mark.parametrize("cls", WRITTEN, ids=lambda c: c.__name__)
def test_init_matches_the_fields(cls: type[Any]) -> None:
    params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    fields = dataclasses.fields(cls)
    assert [p.name for p in params] == [f.name for f in fields]
    for p, f in zip(params, fields, strict=True):
        assert p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
        expected = inspect.Parameter.empty if f.default is dataclasses.MISSING else f.default
        assert f.default_factory is dataclasses.MISSING
        assert p.default == expected, (cls.__name__, f.name)


@pytest.mark.parametrize("cls", WRITTEN, ids=lambda c: c.__name__)
def test_instances_stay_frozen_and_comparable(cls: type[Any]) -> None:
    fields = dataclasses.fields(cls)
    values = {f.name: f"v{i}" for i, f in enumerate(fields)}
    a, b = cls(**values), cls(*values.values())
    assert a == b and hash(a) == hash(b)
    assert [getattr(a, f.name) for f in fields] == list(values.values())
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(a, fields[0].name, "other")
    changed = dataclasses.replace(a, **{fields[-1].name: "other"})
    assert getattr(changed, fields[-1].name) == "other" and changed != a
