from __future__ import annotations

import pytest

from serentak.notifications import kinds
from serentak.notifications.kinds import (
    Channel,
    Priority,
    UnknownKind,
    channel_resolve,
    group_register,
    kind_get,
    kind_register,
)


@pytest.fixture(autouse=True)
def _registry():
    """Kinds registered here do not leak into other tests' preferences pages."""
    groups, registered = dict(kinds._GROUPS), dict(kinds._KINDS)
    yield
    kinds._GROUPS.clear()
    kinds._GROUPS.update(groups)
    kinds._KINDS.clear()
    kinds._KINDS.update(registered)


def test_it_sends_urgent_notices_at_once_and_others_by_the_kinds_default():
    announcement = kind_get("system.announcement")
    accepted = kind_get("org.invitation_accepted")
    assert channel_resolve(kind=announcement, priority=Priority.NORMAL, chosen=None) == "digest"
    assert channel_resolve(kind=announcement, priority=Priority.HIGH, chosen=None) == "immediate"
    assert channel_resolve(kind=accepted, priority=Priority.NORMAL, chosen=None) == "in_app"


def test_it_lets_the_persons_choice_win_even_for_urgent_notices():
    announcement = kind_get("system.announcement")
    for channel in Channel:
        assert channel_resolve(kind=announcement, priority="high", chosen=channel) == channel


def test_it_refuses_unknown_kinds():
    with pytest.raises(UnknownKind):
        kind_get("content.nope")


def test_it_puts_a_kind_in_the_group_named_by_its_prefix_and_registers_idempotently():
    group_register("testing", "Testing")
    kind = kind_register("testing.ping", "Ping")
    assert kind.group == "testing"
    assert kind_register("testing.ping", "Ping") == kind
    with pytest.raises(ValueError, match="differently"):
        kind_register("testing.ping", "Ping", default_channel=Channel.IMMEDIATE)


def test_it_refuses_a_kind_without_a_registered_group_or_off_by_default():
    with pytest.raises(ValueError, match="group"):
        kind_register("nogroup.ping", "Ping")
    group_register("testing", "Testing")
    with pytest.raises(ValueError, match="never reach"):
        kind_register("testing.silent", "Silent", default_channel=Channel.OFF)
