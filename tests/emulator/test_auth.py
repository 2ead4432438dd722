"""ISO-2: the optional SigV4 mode, over HTTP and in the mock (signatures checked by botocore)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore import UNSIGNED

from cogsync.emulator.auth import Credential, SigV4Verifier
from cogsync.emulator.backend import CognitoSyncBackend
from cogsync.emulator.mock import CognitoSyncMock
from cogsync.emulator.server import serve_in_thread
from cogsync.errors import UsageError

from .conftest import POOL, error_of, make_client, new_identity

ALICE = new_identity()
BOB = new_identity()
KEYS = {
    "AKIDALICE": Credential("alice-secret", identity_id=ALICE),
    "AKIDADMIN": "admin-secret",
}


@pytest.fixture(params=["http", "mock"])
def endpoint(request: pytest.FixtureRequest) -> Iterator[str | None]:
    backend = CognitoSyncBackend()
    if request.param == "http":
        with serve_in_thread(backend=backend, auth=SigV4Verifier(KEYS)) as url:
            yield url
    else:
        with CognitoSyncMock(backend, auth=SigV4Verifier(KEYS)):
            yield None


def _scope(identity: str) -> dict[str, str]:
    return {"IdentityPoolId": POOL, "IdentityId": identity, "DatasetName": "private"}


def _write(client: Any, identity: str, value: str = "v") -> Any:
    scope = _scope(identity)
    token = client.list_records(**scope)["SyncSessionToken"]
    return client.update_records(**scope, SyncSessionToken=token, RecordPatches=[
        {"Op": "replace", "Key": "k", "Value": value, "SyncCount": 0}])


def _state(admin: Any, identity: str) -> tuple[Any, ...]:
    listing = admin.list_records(**_scope(identity))
    return listing["DatasetSyncCount"], [(r["Key"], r.get("Value")) for r in listing["Records"]]


def test_ISO_2_a_known_key_with_a_good_signature_is_served(endpoint: str | None) -> None:
    admin = make_client(endpoint, keys=("AKIDADMIN", "admin-secret"))
    assert _write(admin, BOB)["Records"][0]["SyncCount"] == 1
    alice = make_client(endpoint, keys=("AKIDALICE", "alice-secret"))
    assert _write(alice, ALICE)["Records"][0]["SyncCount"] == 1


@pytest.mark.parametrize(
    ("keys", "config", "expected"),
    [
        (("AKIDADMIN", "wrong-secret"), {}, "InvalidSignatureException"),
        (("AKIDNOBODY", "whatever"), {}, "UnrecognizedClientException"),
        (("AKIDADMIN", "admin-secret"), {"signature_version": UNSIGNED},
         "MissingAuthenticationTokenException"),
    ],
    ids=["wrong-secret", "unknown-key", "unsigned"],
)
def test_ISO_2_a_signature_that_does_not_verify_is_403_and_changes_nothing(
    endpoint: str | None, keys: tuple[str, str], config: dict[str, Any], expected: str
) -> None:
    admin = make_client(endpoint, keys=("AKIDADMIN", "admin-secret"))
    _write(admin, BOB, "original")
    before = _state(admin, BOB)
    token = admin.list_records(**_scope(BOB))["SyncSessionToken"]
    intruder = make_client(endpoint, keys=keys, **config)
    patch = [{"Op": "replace", "Key": "k", "Value": "forged", "SyncCount": 1}]
    assert error_of(lambda: intruder.update_records(
        **_scope(BOB), SyncSessionToken=token, RecordPatches=patch))[:2] == (expected, 403)
    assert error_of(lambda: intruder.delete_dataset(**_scope(BOB)))[:2] == (expected, 403)
    assert _state(admin, BOB) == before


def test_ISO_2_a_body_changed_after_signing_is_refused(endpoint: str | None) -> None:
    admin = make_client(endpoint, keys=("AKIDADMIN", "admin-secret"))
    _write(admin, BOB, "original")
    before = _state(admin, BOB)

    def tamper(request: Any, **_: Any) -> None:
        if request.body:
            request.body = request.body.replace(b'"honest"', b'"forged"')  # same length

    admin.meta.events.register_first("before-send.cognito-sync.UpdateRecords", tamper)
    token = admin.list_records(**_scope(BOB))["SyncSessionToken"]
    patch = [{"Op": "replace", "Key": "k", "Value": "honest", "SyncCount": 1}]
    assert error_of(lambda: admin.update_records(
        **_scope(BOB), SyncSessionToken=token, RecordPatches=patch))[:2] == (
        "InvalidSignatureException", 403)
    assert _state(admin, BOB) == before


def test_ISO_2_a_key_bound_to_one_identity_cannot_reach_another(endpoint: str | None) -> None:
    admin = make_client(endpoint, keys=("AKIDADMIN", "admin-secret"))
    alice = make_client(endpoint, keys=("AKIDALICE", "alice-secret"))
    _write(admin, BOB, "bob's")
    before = _state(admin, BOB)
    for call in (
        lambda: alice.list_records(**_scope(BOB)),
        lambda: alice.describe_dataset(**_scope(BOB)),
        lambda: alice.delete_dataset(**_scope(BOB)),
        lambda: alice.list_datasets(IdentityPoolId=POOL, IdentityId=BOB),
        lambda: alice.update_records(**_scope(BOB), SyncSessionToken="x", RecordPatches=[]),
    ):
        assert error_of(call)[:2] == ("NotAuthorizedException", 403)
    assert _state(admin, BOB) == before
    assert _write(alice, ALICE)["Records"][0]["Value"] == "v"


def test_the_verifier_refuses_bad_configuration() -> None:
    with pytest.raises(UsageError):
        SigV4Verifier({})
    with pytest.raises(UsageError):
        SigV4Verifier({"AKID": 42})  # type: ignore[dict-item]
