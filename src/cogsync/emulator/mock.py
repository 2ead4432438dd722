"""``mock_cognito_sync()``: botocore's cognito-sync calls answered in-process, no socket.

Like moto's ``mock_aws``, a context manager and a decorator. While a mock is active,
every botocore client of the ``cognito-sync`` service (made before or after the mock
started, from any session) has its prepared request answered by the emulator's WSGI
application in this process: the same wire as over HTTP, so what passes here
passes against ``cogsync serve`` too. Every endpoint is intercepted, whatever
``endpoint_url`` says. Other services are untouched, so moto's ``mock_aws`` can
serve them at the same time, in either nesting order.

How: a handler on botocore's ``before-send.cognito-sync`` event, registered
first on each client (so moto's catch-all handler, which answers unknown AWS
hosts with 404, never wins). Clients made after ``import cogsync.emulator.mock``
get it from botocore's built-in handler list; clients that already existed get it
on their first call while a mock is active. The handler answers only while a mock
is active, innermost first.

Clients still sign their requests, so they need credentials, any will do (moto's
``mock_aws`` sets fake ones in the environment while it is active).

Example::

    with mock_cognito_sync() as cognito:
        client = boto3.client("cognito-sync", region_name="us-east-1",
                              aws_access_key_id="test", aws_secret_access_key="test")
        token = client.list_records(**scope)["SyncSessionToken"]
        ...
        cognito.backend.describe_dataset(**scope)  # inspect state directly
        cognito.reset()                            # forget everything
"""

from __future__ import annotations

import functools
import io
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar, overload
from urllib.parse import unquote_to_bytes, urlsplit

import botocore.client
import botocore.handlers
from botocore.awsrequest import AWSPreparedRequest, AWSResponse

from cogsync.contracts.constraints import DEFAULT_LIMITS, Limits
from cogsync.emulator.auth import SigV4Verifier
from cogsync.emulator.backend import CognitoSyncBackend
from cogsync.emulator.storage import Storage
from cogsync.emulator.wire import CognitoSyncApp

F = TypeVar("F", bound=Callable[..., Any])

_EVENT = "before-send.cognito-sync"
_HANDLER_ID = "cogsync.emulator.mock"
_DEFAULT_PORTS = {"http": 80, "https": 443}

_active: list[CognitoSyncMock] = []
_state_lock = threading.RLock()
_original_make_api_call: Callable[..., Any] | None = None


class _Body:
    """The raw body botocore reads an AWSResponse's content from."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        if self._data:
            yield self._data

    def read(self, *_: Any) -> bytes:
        data, self._data = self._data, b""
        return data


def _request_bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, bytearray):
        return bytes(body)
    if isinstance(body, str):
        return body.encode("utf-8")
    if hasattr(body, "read"):
        position = body.tell() if hasattr(body, "seek") else None
        data = body.read()
        if position is not None:
            body.seek(position)
        return data if isinstance(data, bytes) else str(data).encode("utf-8")
    return bytes(body)


def _environ(request: AWSPreparedRequest, body: bytes) -> dict[str, Any]:
    """The WSGI environ a real server would build for this request."""
    parts = urlsplit(request.url)
    scheme = parts.scheme or "https"
    port = parts.port or _DEFAULT_PORTS.get(scheme, 80)
    host = parts.hostname or "localhost"
    host_header = host if port == _DEFAULT_PORTS.get(scheme) else f"{host}:{port}"
    raw_path = parts.path or "/"
    environ: dict[str, Any] = {
        "REQUEST_METHOD": request.method,
        "SCRIPT_NAME": "",
        "PATH_INFO": unquote_to_bytes(raw_path).decode("latin-1"),
        "QUERY_STRING": parts.query,
        "REQUEST_URI": raw_path + (f"?{parts.query}" if parts.query else ""),
        "SERVER_NAME": host,
        "SERVER_PORT": str(port),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_HOST": host_header,
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scheme,
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    for name, value in request.headers.items():
        text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
        key = name.upper().replace("-", "_")
        if key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            if key == "CONTENT_TYPE":
                environ[key] = text
            continue
        if key == "HOST":
            environ["HTTP_HOST"] = text
            continue
        environ[f"HTTP_{key}"] = text
    return environ


def _intercept(request: AWSPreparedRequest, **_: Any) -> AWSResponse | None:
    """botocore's before-send handler: answer from the innermost active mock, else pass.

    A client can carry this handler twice (once from BUILTIN_HANDLERS, once from
    the ``_make_api_call`` hook), and botocore calls every before-send handler; the
    answer is kept on the request so the emulator handles each request once.
    """
    answered = getattr(request, "_cogsync_answer", None)
    if answered is not None:
        return answered
    with _state_lock:
        mock = _active[-1] if _active else None
    if mock is None:
        return None
    answer = mock.handle(request)
    request._cogsync_answer = answer  # type: ignore[attr-defined]
    return answer


def _make_api_call_with_mock(self: Any, operation_name: str, api_params: Any) -> Any:
    if self.meta.service_model.endpoint_prefix == "cognito-sync":
        self.meta.events.register_first(_EVENT, _intercept, unique_id=_HANDLER_ID)
    assert _original_make_api_call is not None
    return _original_make_api_call(self, operation_name, api_params)


def _hook_existing_clients() -> None:
    global _original_make_api_call
    if _original_make_api_call is None:
        _original_make_api_call = botocore.client.BaseClient._make_api_call
        botocore.client.BaseClient._make_api_call = _make_api_call_with_mock  # type: ignore[method-assign]


def _unhook_existing_clients() -> None:
    global _original_make_api_call
    if _original_make_api_call is not None:
        botocore.client.BaseClient._make_api_call = _original_make_api_call  # type: ignore[method-assign]
        _original_make_api_call = None


# Sessions created from now on register the handler on every client they make.
if not any(spec[1] is _intercept for spec in botocore.handlers.BUILTIN_HANDLERS):
    botocore.handlers.BUILTIN_HANDLERS.append(
        (_EVENT, _intercept, botocore.handlers.REGISTER_FIRST)
    )


class CognitoSyncMock:
    """One in-process emulator, active between :meth:`start` and :meth:`stop`."""

    def __init__(
        self,
        backend: CognitoSyncBackend | None = None,
        *,
        storage: Storage | None = None,
        limits: Limits = DEFAULT_LIMITS,
        auth: SigV4Verifier | None = None,
        max_body_bytes: int | None = None,
    ) -> None:
        if backend is None:
            backend = CognitoSyncBackend(storage, limits=limits)
        self.backend = backend
        self.app = CognitoSyncApp(self.backend, max_body_bytes=max_body_bytes, auth=auth)
        self._depth = 0

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> CognitoSyncMock:
        with _state_lock:
            _hook_existing_clients()
            _active.append(self)
            self._depth += 1
        return self

    def stop(self) -> None:
        with _state_lock:
            if self._depth == 0:
                raise RuntimeError("mock_cognito_sync.stop() called without start()")
            for index in range(len(_active) - 1, -1, -1):
                if _active[index] is self:
                    del _active[index]
                    break
            self._depth -= 1
            if not _active:
                _unhook_existing_clients()

    def __enter__(self) -> CognitoSyncMock:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __call__(self, func: F) -> F:
        """Decorate ``func``: each call runs inside this mock, starting from empty state."""

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            self.reset()
            with self:
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    @property
    def active(self) -> bool:
        return self._depth > 0

    # -- state -----------------------------------------------------------------------------
    def reset(self) -> None:
        """Forget every dataset, record and token."""
        self.backend.reset()

    # -- the interception --------------------------------------------------------------------
    def handle(self, request: AWSPreparedRequest) -> AWSResponse:
        """Answer one prepared botocore request through the WSGI application."""
        body = _request_bytes(request.body)
        answer: dict[str, Any] = {}

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Any:
            answer["status"] = int(status.split(" ", 1)[0])
            answer["headers"] = headers
            return lambda data: None

        data = b"".join(self.app(_environ(request, body), start_response))
        return AWSResponse(request.url, answer["status"], dict(answer["headers"]), _Body(data))


def current_mock() -> CognitoSyncMock:
    """The innermost active mock (for a decorated test that wants the backend)."""
    with _state_lock:
        if not _active:
            raise RuntimeError("no mock_cognito_sync() is active")
        return _active[-1]


@overload
def mock_cognito_sync(func: F) -> F: ...


@overload
def mock_cognito_sync(
    func: None = None,
    *,
    backend: CognitoSyncBackend | None = None,
    storage: Storage | None = None,
    limits: Limits = DEFAULT_LIMITS,
    auth: SigV4Verifier | None = None,
    max_body_bytes: int | None = None,
) -> CognitoSyncMock: ...


def mock_cognito_sync(
    func: Callable[..., Any] | None = None,
    *,
    backend: CognitoSyncBackend | None = None,
    storage: Storage | None = None,
    limits: Limits = DEFAULT_LIMITS,
    auth: SigV4Verifier | None = None,
    max_body_bytes: int | None = None,
) -> Any:
    """An in-process Cognito Sync for botocore clients.

    Use as ``with mock_cognito_sync():``, ``@mock_cognito_sync`` or ``@mock_cognito_sync()``.

    Used bare as a decorator, each call of the function gets a fresh, empty emulator
    (reach it with :func:`current_mock`). Options as for :class:`CognitoSyncMock`.
    """
    mock = CognitoSyncMock(
        backend, storage=storage, limits=limits, auth=auth, max_body_bytes=max_body_bytes
    )
    if func is not None:
        return mock(func)
    return mock
