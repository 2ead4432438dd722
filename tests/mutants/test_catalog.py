"""The catalog itself: names, coverage of the contract, lookup, factories."""

from __future__ import annotations

import re

import pytest

from cogsync.conformance.checks import CANNOT_CHECK
from cogsync.contracts.calls import Call, Ok
from cogsync.contracts.properties import PROPERTIES, Level
from cogsync.errors import UsageError
from cogsync.mutants import CATALOG, Mutant, get
from cogsync.targets import InProcessTarget

IDS = {p.id for p in PROPERTIES}
MUST_AND_SHOULD = {p.id for p in PROPERTIES if p.level is not Level.MAY}
#: What the kit cannot put to the test yet (conditional: not-applicable everywhere) has no mutant.
CHECKABLE = MUST_AND_SHOULD - set(CANNOT_CHECK)
IDENTITY = {"IdentityPoolId": "us-east-1:00000000-0000-4000-8000-0000000000aa",
            "IdentityId": "us-east-1:00000000-0000-4000-8000-0000000000bb"}


def test_the_catalog_is_large_enough_and_every_name_is_unique_kebab_case():
    names = [m.name for m in CATALOG]
    assert len(names) >= 30
    assert len(set(names)) == len(names)
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", name) for name in names), names


def test_together_the_mutants_break_every_must_and_should_property():
    covered = set().union(*(m.breaks for m in CATALOG))
    assert CHECKABLE - covered == set()


@pytest.mark.parametrize("mutant", CATALOG, ids=lambda m: m.name)
def test_each_mutant_is_described_and_breaks_only_real_must_or_should_ids(mutant: Mutant):
    assert mutant.breaks and mutant.breaks <= MUST_AND_SHOULD, mutant.breaks
    assert mutant.description.endswith(".") and len(mutant.description) > 20
    assert mutant.minimal_steps >= 1


def test_the_mutants_that_need_concurrency_break_conf_6_only():
    races = {m.name: m.breaks for m in CATALOG if m.concurrency_only}
    assert races == {"lost-update-race": {"CONF-6"}, "delete-not-atomic": {"CONF-6"}}


def test_get_finds_a_mutant_by_name():
    assert get("stale-replace-accepted").breaks >= {"CONF-1"}


@pytest.mark.parametrize("bad", ["no-such-mutant", "", None])
def test_get_refuses_an_unknown_name_naming_the_argument(bad):
    with pytest.raises(UsageError, match=r"name=.*stale-replace-accepted"):
        get(bad)


@pytest.mark.parametrize("mutant", CATALOG, ids=lambda m: m.name)
def test_each_factory_is_a_module_colon_factory_spec_that_serves_requests(mutant: Mutant):
    target = InProcessTarget.from_spec(mutant.factory)
    response = target.send(Call("ListDatasets", dict(IDENTITY)))  # signed with the dummy key
    assert isinstance(response.outcome, Ok), response.outcome


def test_each_build_is_a_fresh_emulator():
    mutant = get("token-reusable")
    first, second = InProcessTarget(mutant.build()), InProcessTarget(mutant.build())
    listing = {**IDENTITY, "DatasetName": "fresh"}
    token = first.send(Call("ListRecords", listing)).outcome.body["SyncSessionToken"]
    patch = {"Op": "replace", "Key": "k", "Value": "v", "SyncCount": 0}
    written = first.send(Call("UpdateRecords", {**listing, "SyncSessionToken": token,
                                                "RecordPatches": [patch]}))
    assert isinstance(written.outcome, Ok)
    assert second.send(Call("ListRecords", listing)).outcome.body["DatasetExists"] is False


def test_the_reference_factories_are_specs_too():
    for spec in ("cogsync.mutants:reference", "cogsync.mutants:reference_with_signatures"):
        response = InProcessTarget.from_spec(spec).send(Call("ListDatasets", dict(IDENTITY)))
        assert isinstance(response.outcome, Ok), (spec, response.outcome)


def test_an_unknown_factory_name_is_an_attribute_error():
    import cogsync.mutants

    with pytest.raises(AttributeError, match="no_such_factory"):
        cogsync.mutants.no_such_factory  # noqa: B018
