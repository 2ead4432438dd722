"""Identity pool ids and identity ids: ``region:GUID`` as Cognito issues them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from hypothesis import strategies as st

from cogsync.contracts import constraints as C
from cogsync.errors import UsageError

#: Real AWS regions where Cognito Sync was offered; the first is what examples shrink to.
REGIONS: tuple[str, ...] = (
    "us-east-1",
    "us-east-2",
    "us-west-2",
    "eu-west-1",
    "eu-west-2",
    "eu-central-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
)

_ZERO_GUID = "00000000-0000-0000-0000-000000000000"

#: Lowercase hex GUIDs, 8-4-4-4-12, any digits (not only version 4). Built from hex
#: text rather than st.uuids() so that examples shrink to the all-zero GUID.
guids = st.text(C.ID_SUFFIX_ALPHABET.replace("-", ""), min_size=32, max_size=32).map(
    lambda digits: str(uuid.UUID(hex=digits))
)


def check_regions(regions: Sequence[str] | None, rule: C.StringConstraint) -> tuple[str, ...]:
    """The regions to draw from; each must make ids that the contract accepts."""
    if regions is None:
        return REGIONS
    allowed = (
        "a non-empty sequence of region names (letters, digits, '_' and '-') short enough "
        f"that 'region:GUID' fits in {rule.max_length} characters, e.g. ['us-east-1']"
    )
    if isinstance(regions, str) or not isinstance(regions, Sequence) or not regions:
        raise UsageError.bad_argument("regions", regions, allowed)
    for region in regions:
        if not isinstance(region, str) or rule.violations(f"{region}:{_ZERO_GUID}"):
            raise UsageError.bad_argument("regions", regions, allowed)
    return tuple(regions)


def _region_ids(regions: tuple[str, ...]) -> st.SearchStrategy[str]:
    return st.builds(lambda region, guid: f"{region}:{guid}", st.sampled_from(regions), guids)


def identity_pool_ids(*, regions: Sequence[str] | None = None) -> st.SearchStrategy[str]:
    """Identity pool ids such as ``us-east-1:23ec4050-6aea-7089-a2dd-08002e000000``.

    ``regions`` limits the region part (default: :data:`REGIONS`). Examples shrink to
    ``'us-east-1:00000000-0000-0000-0000-000000000000'``.
    """
    return _region_ids(check_regions(regions, C.IDENTITY_POOL_ID))


def identity_ids(*, regions: Sequence[str] | None = None) -> st.SearchStrategy[str]:
    """Identity ids, the same ``region:GUID`` shape as pool ids (e.g.
    ``eu-west-1:13ec4050-6aea-7089-a2dd-08002e000001``)."""
    return _region_ids(check_regions(regions, C.IDENTITY_ID))
