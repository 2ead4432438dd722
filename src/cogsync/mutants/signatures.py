"""Mutants of signature checking (ISO-2).

Their apps check SigV4 like the embedded emulator does: cogsync's run key, the
dummy key in-process targets sign with, and a key bound to
:data:`~cogsync.conformance.auth.BOUND_IDENTITY` (see :func:`signing_keys`).
"""

from __future__ import annotations

from typing import Any

from cogsync.conformance.auth import BOUND_IDENTITY, BOUND_KEY, RUN_KEY
from cogsync.emulator.auth import Credential, ReceivedRequest, SigV4Verifier
from cogsync.emulator.wire import CognitoSyncApp
from cogsync.mutants._parts import serve
from cogsync.targets.signing import DUMMY_CREDENTIALS


def signing_keys(*, bind: bool = True) -> dict[str, str | Credential]:
    """Access key -> secret (or Credential) of the signed apps; ``bind=False`` drops the binding."""
    bound_to = BOUND_IDENTITY.identity_id if bind else None
    return {
        RUN_KEY[0]: RUN_KEY[1],
        DUMMY_CREDENTIALS.access_key: DUMMY_CREDENTIALS.secret_key,
        BOUND_KEY[0]: Credential(BOUND_KEY[1], bound_to),
    }


def reference_with_signatures() -> CognitoSyncApp:
    """The correct emulator, checking signatures with :func:`signing_keys`."""
    return serve(auth=SigV4Verifier(signing_keys()))


def bound_credentials_not_enforced() -> CognitoSyncApp:
    return serve(auth=SigV4Verifier(signing_keys(bind=False)))


class _VerifiedAfterwards(CognitoSyncApp):
    def authenticated_call(self, request: ReceivedRequest) -> dict[str, Any]:
        """Runs the operation first and checks the signature when answering."""
        answer = self.call_as(request, None)
        if self.auth is not None:
            self.auth.verify(request)
        return answer


def signature_checked_after_write() -> CognitoSyncApp:
    return serve(app_class=_VerifiedAfterwards, auth=SigV4Verifier(signing_keys()))
