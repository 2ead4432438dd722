"""Mutants of signature checking (ISO-2).

Their apps check SigV4 like the embedded emulator does: cogsync's run key, the
dummy key in-process targets sign with, and a key bound to
:data:`~cogsync.conformance.auth.BOUND_IDENTITY` (see :func:`signing_keys`).
"""

from __future__ import annotations

import io
from typing import Any

from cogsync.conformance.auth import BOUND_IDENTITY, BOUND_KEY, RUN_KEY
from cogsync.emulator.auth import Credential, ReceivedRequest, SigV4Verifier
from cogsync.emulator.backend import CognitoSyncBackend
from cogsync.emulator.storage import MemoryStorage
from cogsync.emulator.wire import CognitoSyncApp, _headers, _raw_target, _read_body, _server_host
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
    """Runs the operation first and checks the signature when answering."""

    def __init__(self, backend: CognitoSyncBackend, *, late_auth: SigV4Verifier) -> None:
        super().__init__(backend)
        self.late_auth = late_auth

    def _handle(self, environ: dict[str, Any]) -> dict[str, Any]:
        body = _read_body(environ, self.max_body_bytes)
        answer = super()._handle({**environ, "wsgi.input": io.BytesIO(body),
                                  "CONTENT_LENGTH": str(len(body))})
        raw_path, query = _raw_target(environ)
        headers = _headers(environ)
        self.late_auth.verify(ReceivedRequest(
            method=str(environ.get("REQUEST_METHOD", "GET")).upper(),
            scheme=str(environ.get("wsgi.url_scheme", "http")),
            host=headers.get("host") or _server_host(environ),
            raw_path=raw_path, query=query, headers=headers, body=body,
        ))
        return answer


def signature_checked_after_write() -> CognitoSyncApp:
    return _VerifiedAfterwards(CognitoSyncBackend(MemoryStorage()),
                               late_auth=SigV4Verifier(signing_keys()))
