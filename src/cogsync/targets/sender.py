"""send() and send_raw() for every target that puts our rest-json requests on a transport.

HttpTarget (a socket) and InProcessTarget (a WSGI call) differ only in how one
request travels; building it, refusing what cannot be built, and recording a raw
request for reports is the same, and lives here.
"""

from __future__ import annotations

import time
from typing import Any

from cogsync.contracts.calls import Call
from cogsync.errors import UsageError
from cogsync.targets.base import CLIENT_REFUSED, Response, raw_call, unanswered
from cogsync.targets.wire_request import UnsendableCall, build_request, encode_query


class WireSender:
    """Mixin: subclasses implement ``_exchange(call, method, target, headers, body, started)``."""

    knows_bound_key = False

    def _exchange(self, call: Call, method: str, target: str, headers: dict[str, str],
                  body: bytes | None, started: float) -> Response:
        raise NotImplementedError

    def send(self, call: Call) -> Response:
        started = time.time()
        try:
            request = build_request(call)
        except UnsendableCall as exc:
            return unanswered(call, f"{CLIENT_REFUSED}: {exc}", started)
        return self._exchange(call, request.method, request.target, dict(request.headers), request.body, started)

    def send_raw(
        self,
        method: str,
        path: str,
        *,
        query: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        body: bytes = b"",
    ) -> Response:
        """Send ``body`` as is to ``path`` (already percent-encoded), signed like any call."""
        started = time.time()
        target = f"{path}?{encode_query(query)}" if query else path
        call = raw_call(method, path, query, body, headers)
        return self._exchange(call, method, target, dict(headers or {}), body or None, started)


class NoRawSender:
    """Mixin for targets that go through a client (boto3, the AWS CLI): no raw bytes."""

    name: str
    supports_raw = False
    knows_bound_key = False

    def with_credentials(self, access_key: str, secret: str) -> None:
        """A client's credentials come from its own chain: it cannot sign with others."""
        return None

    def send_raw(
        self,
        method: str,
        path: str,
        *,
        query: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        body: bytes = b"",
    ) -> Response:
        raise UsageError(
            f"{self.name} cannot send raw bytes (supports_raw is False): use an HttpTarget "
            "or an InProcessTarget for malformed requests."
        )
