"""Integers past their model type are 400 InvalidParameterException, through real boto3.

botocore's model types ``maxResults`` as an Integer (32 bits) and ``lastSyncCount``
and ``SyncCount`` as Longs (64 bits): the service's Java parser cannot hold more.
The largest value of each type is still accepted; one past it is refused and
changes nothing. The same holds on the FLIPPED emulator (no MAY point here).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from .conftest import POOL, Sync, error_of

INT_MAX = 2**31 - 1
LONG_MAX = 2**63 - 1
IPE = ("InvalidParameterException", 400)


def maxResults_past_a_32_bit_integer_is_refused(server: Sync) -> None:
    server.put("k", "v", 0)
    assert len(server.listing(MaxResults=INT_MAX)["Records"]) == 1
    code, status, message = error_of(lambda: server.listing(MaxResults=INT_MAX + 1))
    assert (code, status) == IPE and "maxResults" in message and "32-bit" in message
    owner = {"IdentityPoolId": POOL, "IdentityId": server.identity}
    assert server.client.list_datasets(**owner, MaxResults=INT_MAX)["Count"] == 1
    assert error_of(lambda: server.client.list_datasets(**owner, MaxResults=INT_MAX + 1))[:2] == IPE
    assert error_of(lambda: server.listing(MaxResults=-(2**31) - 1))[:2] == IPE


def lastSyncCount_past_a_64_bit_long_is_refused(server: Sync) -> None:
    assert server.listing("missing", LastSyncCount=LONG_MAX)["DatasetExists"] is False
    code, status, message = error_of(lambda: server.listing("missing", LastSyncCount=LONG_MAX + 1))
    assert (code, status) == IPE and "lastSyncCount" in message and "64-bit" in message
    assert error_of(lambda: server.listing("missing", LastSyncCount=-(2**63) - 1))[:2] == IPE


def a_SyncCount_past_a_64_bit_long_is_refused_and_changes_nothing(server: Sync) -> None:
    server.put("k", "v", 0)
    before = server.state()
    patch = {"Op": "replace", "Key": "k", "Value": "w", "SyncCount": LONG_MAX + 1}
    code, status, message = error_of(lambda: server.write([patch]))
    assert (code, status) == IPE and "syncCount" in message and "64-bit" in message
    assert server.state() == before
    # The largest Long is a count like any other: here a stale one, or an accepted one
    # where counts above the key's are allowed (CONF-7).
    at_max = {**patch, "SyncCount": LONG_MAX}
    if server.backend.choices.ahead_count_conflicts:
        assert error_of(lambda: server.write([at_max]))[:2] == ("ResourceConflictException", 409)
    else:
        assert server.write([at_max])["Records"][0]["SyncCount"] == 2


CHECKS = [maxResults_past_a_32_bit_integer_is_refused, lastSyncCount_past_a_64_bit_long_is_refused,
          a_SyncCount_past_a_64_bit_long_is_refused_and_changes_nothing]


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__)
def test_on_the_reference(sync: Sync, check: Callable[[Sync], None]) -> None:
    check(sync)


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__)
def test_on_the_flipped_emulator(flipped: Sync, check: Callable[[Sync], None]) -> None:
    check(flipped)
