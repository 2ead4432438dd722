"""Boto3Target: a real boto3 cognito-sync client, its raw answers captured.

What a server sees is exactly what boto3 sends (botocore's serializer, signer and
HTTP stack), with two switches flipped so the kit stays honest:

- ``parameter_validation=False``: invalid values reach the server wherever
  botocore's serializer can encode them (an int DatasetName, a missing token, a
  2000-character key). Where it cannot (a RecordPatches that is not a list of
  objects, an unparseable timestamp, an unknown parameter name) the call is
  reported as ``Unknown("client refused: ...")``, never raised;
- retries off (``total_max_attempts=1``): botocore treats LimitExceededException
  as throttling and would silently send a write twice.

The answer is read from the ``before-parse`` event (status, headers, body as
received) and classified like every other adapter, so ``Ok.body`` is the wire
JSON with timestamps as numbers, not botocore's parsed datetimes. The capture is
thread-local (botocore emits the event on the calling thread) and boto3 clients
are thread-safe: one instance serves many threads.
"""

from __future__ import annotations

import copy
import threading
import time
from typing import Any

import boto3
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import (
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    HTTPClientError,
    NoCredentialsError,
    ReadTimeoutError,
)
from botocore.exceptions import ConnectionError as BotocoreConnectionError

from cogsync.contracts.calls import METHOD_NAMES, Call
from cogsync.errors import UsageError
from cogsync.targets.base import (
    CLIENT_REFUSED,
    Response,
    answered,
    describe_exception,
    lower_headers,
    unanswered,
    unreachable_reason,
)
from cogsync.targets.deadline import DEADLINE_PASSED, RequestDeadline
from cogsync.targets.http_target import check_region, check_timeout, normalize_endpoint, probe_call
from cogsync.targets.sender import NoRawSender
from cogsync.targets.signing import DUMMY_CREDENTIALS
from cogsync.targets.wire_request import route_of

#: Seconds: the shortest timeout a client is built with when the run's deadline is near.
SHORTEST_TIMEOUT = 0.05


class Boto3Target(RequestDeadline, NoRawSender):
    """Calls through ``boto3.client("cognito-sync")`` at ``endpoint_url`` (None: real AWS).

    Each call waits at most ``timeout`` seconds, and about no longer than the deadline
    given to ``set_deadline`` allows (see :meth:`_client_within`).
    """

    def __init__(
        self,
        endpoint_url: str | None = None,
        *,
        region: str,
        session: boto3.Session | None = None,
        sign: bool = True,
        timeout: float = 10.0,
        max_connections: int = 32,
    ) -> None:
        self.endpoint_url = None if endpoint_url is None else normalize_endpoint(endpoint_url)
        self.region = check_region(region)
        self.name = f"boto3:{self.endpoint_url}" if self.endpoint_url else f"aws:{self.region}"
        self.timeout = check_timeout(timeout)
        if session is not None and not isinstance(session, boto3.Session):
            raise UsageError.bad_argument("session", session, "a boto3.Session or None")
        self._session = session or boto3.Session()
        self._sign = sign
        self._max_connections = max_connections
        self._keys: dict[str, str] = {}
        if sign and self.endpoint_url is not None and self._session.get_credentials() is None:
            # An emulator with no credentials configured: any well-formed keys will do.
            self._keys = {
                "aws_access_key_id": DUMMY_CREDENTIALS.access_key,
                "aws_secret_access_key": DUMMY_CREDENTIALS.secret_key,
            }
        self._local = threading.local()
        self._shorter: dict[float, Any] = {}
        self._shorter_lock = threading.Lock()
        self.client = self._new_client(self.timeout)

    def _new_client(self, timeout: float) -> Any:
        config = Config(
            parameter_validation=False,
            retries={"total_max_attempts": 1, "mode": "standard"},
            connect_timeout=timeout,
            read_timeout=timeout,
            max_pool_connections=self._max_connections,
            **({} if self._sign else {"signature_version": UNSIGNED}),
        )
        client = self._session.client(
            "cognito-sync",
            region_name=self.region,
            endpoint_url=self.endpoint_url,
            config=config,
            **self._keys,
        )
        client.meta.events.register("before-parse.cognito-sync", self._capture)
        return client

    def _client_within(self, seconds: float) -> Any:
        """A client that waits at most about ``seconds`` (the run's deadline is near).

        botocore fixes a client's timeouts when it is built, so for a cap below
        ``timeout`` this is a client built with the largest of timeout/2, timeout/4, ...
        that fits (never below :data:`SHORTEST_TIMEOUT`): a handful of clients per run.
        """
        if seconds >= self.timeout:
            return self.client
        level = self.timeout
        while level > seconds and level / 2 >= SHORTEST_TIMEOUT:
            level /= 2
        with self._shorter_lock:
            client = self._shorter.get(level)
            if client is None:
                client = self._shorter[level] = self._new_client(level)
        return client

    def __repr__(self) -> str:
        return f"Boto3Target({self.endpoint_url!r}, region={self.region!r})"

    def _capture(self, response_dict: dict[str, Any], **_: Any) -> None:
        self._local.answer = (
            int(response_dict["status_code"]),
            lower_headers(response_dict["headers"].items()),
            response_dict["body"],
        )

    def send(self, call: Call) -> Response:
        route_of(call.operation)  # an unknown operation is the caller's bug: UsageError
        started = time.time()
        seconds = self.request_timeout()
        if seconds is None:
            return unanswered(call, DEADLINE_PASSED, started)
        method = getattr(self._client_within(seconds), METHOD_NAMES[call.operation])
        params = copy.deepcopy(dict(call.params))
        self._local.answer = None
        failure: str | None = None
        try:
            method(**params)
        except ClientError:
            pass  # an error answer: captured below like any other
        except (ReadTimeoutError, ConnectTimeoutError) as exc:
            failure = f"timeout: {describe_exception(exc)}"
        except EndpointConnectionError as exc:
            failure = f"connection error: {describe_exception(exc)}"
        except NoCredentialsError as exc:
            failure = f"{CLIENT_REFUSED}: {describe_exception(exc)}"
        except Exception as exc:
            # After an answer: botocore could not parse it (the classification says why).
            # Before one: the serializer or http.client refused, or the connection broke.
            kind = "connection error" if _is_transport_error(exc) else CLIENT_REFUSED
            failure = f"{kind}: {describe_exception(exc)}"
        answer = self._local.answer
        self._local.answer = None
        if answer is not None:
            status, headers, body = answer
            return answered(call, status, headers, body, started)
        return unanswered(call, failure or f"{CLIENT_REFUSED}: boto3 sent nothing", started)

    def probe(self) -> str | None:
        return unreachable_reason(self.send(probe_call(self.region)), self.name)

    def close(self) -> None:
        self.client.close()
        with self._shorter_lock:
            for client in self._shorter.values():
                client.close()
            self._shorter.clear()


def _is_transport_error(exc: Exception) -> bool:
    """A broken connection, not http.client refusing a request it was given (ValueError)."""
    if isinstance(exc, HTTPClientError):
        cause = exc.kwargs.get("error")
        return not (isinstance(cause, ValueError) and not isinstance(cause, OSError))
    return isinstance(exc, (BotocoreConnectionError, OSError))
