"""What a target can do is declared on it (the Target protocol), not patched on.

ISO-2's probe signs with other credentials through ``with_credentials`` and checks
identity-bound keys only where the target says ``knows_bound_key``.
"""

from __future__ import annotations

from cogsync.conformance.engine import embedded_target
from cogsync.emulator.apps import reference_app
from cogsync.targets import HttpTarget, InProcessTarget
from cogsync.targets.boto3_target import Boto3Target


def test_the_embedded_emulator_knows_the_bound_key_and_others_do_not_unless_told() -> None:
    assert embedded_target().knows_bound_key is True
    assert InProcessTarget(reference_app()).knows_bound_key is False
    assert InProcessTarget(reference_app(), knows_bound_key=True).knows_bound_key is True
    assert HttpTarget("http://127.0.0.1:9", knows_bound_key=True).knows_bound_key is True


def test_wire_targets_sign_with_other_credentials_and_client_targets_cannot() -> None:
    local = InProcessTarget(reference_app(), region="eu-west-1")
    other = local.with_credentials("AKIDOTHER", "other-secret")
    assert isinstance(other, InProcessTarget) and other.app is local.app
    assert other.credentials is not None and other.credentials.access_key == "AKIDOTHER"
    assert other.region == "eu-west-1"
    remote = HttpTarget("http://127.0.0.1:9", timeout=3).with_credentials("AKIDOTHER", "s")
    assert isinstance(remote, HttpTarget) and remote.timeout == 3
    assert Boto3Target("http://127.0.0.1:9", region="us-east-1").with_credentials("a", "b") is None
