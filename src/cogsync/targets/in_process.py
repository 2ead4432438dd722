"""InProcessTarget: the same signed request, handed to a WSGI callable with no socket.

The environ is built the way a PEP 3333 server builds it from the bytes on the
wire: ``PATH_INFO`` is the percent-decoded path as latin-1 text (so ``%3A`` is
``:`` and ``%2F`` is ``/``, exactly as waitress, cheroot or wsgiref give it), the
undecoded request line is in ``REQUEST_URI`` and ``RAW_URI``, ``QUERY_STRING``
stays encoded, headers are ``HTTP_*``. An app that raises is answered like a real
server would answer it: a 500, reported as ``Unknown``; the kit does not crash.

Thread-safe as far as the app is: the adapter keeps no state between calls.
"""

from __future__ import annotations

import importlib
import io
import sys
import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import unquote_to_bytes

from botocore.credentials import Credentials

from cogsync.contracts.calls import Call
from cogsync.errors import CogsyncError, UsageError
from cogsync.targets.base import (
    CLIENT_REFUSED,
    Response,
    answered,
    describe_exception,
    lower_headers,
    unanswered,
)
from cogsync.targets.deadline import DEADLINE_PASSED, RequestDeadline
from cogsync.targets.http_target import check_region, probe_call
from cogsync.targets.sender import WireSender
from cogsync.targets.signing import DUMMY_CREDENTIALS, resolve_credentials, signed_headers
from cogsync.targets.wire_request import (
    UnsendableCall,
    check_header_values,
)

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

#: Options of :meth:`InProcessTarget.emulator` that leave the reference's behaviour as it is
#: (a reproduction script's embedded emulator is built without them; limits travel apart).
_PLAIN_EMULATOR_OPTIONS = frozenset({"auth", "storage", "limits", "max_body_bytes"})

#: The host the in-process requests are addressed (and signed) to.
IN_PROCESS_HOST = "localhost"


def build_environ(method: str, target: str, headers: dict[str, str], body: bytes) -> dict[str, Any]:
    """A PEP 3333 environ for one request (``target`` = encoded path + optional query)."""
    path, _, query = target.partition("?")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": unquote_to_bytes(path).decode("latin-1"),
        "QUERY_STRING": query,
        "REQUEST_URI": target,
        "RAW_URI": target,
        "SERVER_NAME": IN_PROCESS_HOST,
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": IN_PROCESS_HOST,
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    if body or method in ("POST", "PUT", "PATCH"):
        environ["CONTENT_LENGTH"] = str(len(body))
    for name, text in headers.items():
        # A server reads header bytes as latin-1; the client sent UTF-8 (botocore does).
        value = text.encode("utf-8", "surrogateescape").decode("latin-1")
        key = name.upper().replace("-", "_")
        if key == "CONTENT_TYPE":
            environ["CONTENT_TYPE"] = value
        elif key == "CONTENT_LENGTH":
            environ["CONTENT_LENGTH"] = value
        else:
            wsgi_key = "HTTP_" + key
            environ[wsgi_key] = f"{environ[wsgi_key]},{value}" if wsgi_key in environ else value
    environ["HTTP_HOST"] = headers.get("Host", headers.get("host", IN_PROCESS_HOST))
    return environ


def call_app(app: WsgiApp, environ: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes]:
    """Run the app once; (status, headers, body). Exceptions propagate to the caller."""
    captured: dict[str, Any] = {}
    written: list[bytes] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        if exc_info is not None and captured.get("sent"):
            raise exc_info[1].with_traceback(exc_info[2])
        captured["status"], captured["headers"] = status, headers
        return written.append

    result = app(environ, start_response)
    try:
        for chunk in result:
            if chunk:
                captured["sent"] = True
                written.append(bytes(chunk))
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    if "status" not in captured:
        raise RuntimeError("the WSGI app returned without calling start_response")
    status = int(str(captured["status"]).split(" ", 1)[0])
    return status, list(captured["headers"]), b"".join(written)


def load_app(spec: str, argument: str = "spec") -> WsgiApp:
    """The WSGI app ``module:factory`` names: the factory's result, or its ``.wsgi_app``.

    A bad spec raises UsageError naming ``argument`` (``--in-process``, ``--app``...).
    """
    allowed = "'module:factory', a factory returning a WSGI app or an object with .wsgi_app"
    module_name, sep, attribute = spec.partition(":") if isinstance(spec, str) else ("", "", "")
    if not sep or not module_name or not attribute:
        raise UsageError.bad_argument(argument, spec, allowed)
    try:
        target: Any = importlib.import_module(module_name)
    except Exception as exc:
        raise UsageError(
            f"{argument}={spec!r}: cannot import {module_name!r} ({describe_exception(exc)})."
        ) from exc
    for part in attribute.split("."):
        if not hasattr(target, part):
            raise UsageError(
                f"{argument}={spec!r}: {module_name!r} has no attribute {attribute!r}."
            )
        target = getattr(target, part)
    if not callable(target):
        raise UsageError.bad_argument(argument, spec, allowed)
    try:
        made = target()
    except Exception as exc:
        raise UsageError(
            f"{argument}={spec!r}: the factory raised {describe_exception(exc)}."
        ) from exc
    app = getattr(made, "wsgi_app", made)
    if not callable(app):
        raise UsageError(f"{argument}={spec!r}: the factory returned {made!r}, not a WSGI app.")
    return app  # type: ignore[no-any-return]


class InProcessTarget(RequestDeadline, WireSender):
    """Hands each (signed) request to ``app`` in this process.

    A call into the app cannot be interrupted, so there is no timeout; past the
    deadline given to ``set_deadline`` nothing more is handed to the app.
    """

    supports_raw = True
    timeout = float("inf")
    #: ``module:factory`` when built by :meth:`from_spec` (reproduction scripts rebuild it).
    spec: str | None = None
    #: True when built by :meth:`emulator` as the plain reference emulator.
    embedded = False

    def __init__(
        self,
        app: WsgiApp,
        *,
        name: str = "in-process",
        region: str = "us-east-1",
        credentials: Credentials | tuple[str, ...] | None = None,
        sign: bool = True,
        owner: Any = None,
        rebuild: Callable[[], tuple[WsgiApp, Any]] | None = None,
        knows_bound_key: bool = False,
    ) -> None:
        if not callable(app):
            raise UsageError.bad_argument(
                "app", app, "a WSGI callable app(environ, start_response)"
            )
        self.app = app
        self.name = name
        self.region = check_region(region)
        self.sign = bool(sign)
        # In-process apps are emulators: dummy keys unless told otherwise, no chain lookup.
        self.credentials = (
            (DUMMY_CREDENTIALS if credentials is None else resolve_credentials(credentials))
            if self.sign
            else None
        )
        #: What built the app (e.g. the emulator), for reset() and inspection.
        self.owner = owner
        #: Builds (app, owner) again as a fresh process would: ``restart()`` calls it.
        self.rebuild = rebuild
        self.knows_bound_key = bool(knows_bound_key)
        self._local = threading.local()

    def __repr__(self) -> str:
        return f"InProcessTarget({self.app!r}, name={self.name!r})"

    def with_credentials(self, access_key: str, secret: str) -> InProcessTarget:
        """The same app, signed with other credentials."""
        return InProcessTarget(self.app, name=self.name, region=self.region,
                               credentials=(access_key, secret))

    @property
    def last_environ(self) -> dict[str, Any] | None:
        """The environ of this thread's most recent request (for tests and debugging)."""
        return getattr(self._local, "environ", None)

    @classmethod
    def from_spec(cls, spec: str, **options: Any) -> InProcessTarget:
        """Import ``module:factory``, call the factory, target the app it returns."""
        argument = options.pop("argument", "spec")
        target = cls(load_app(spec, argument), name=f"in-process:{spec}",
                     rebuild=lambda: (load_app(spec, argument), None), **options)
        target.spec = spec
        return target

    @classmethod
    def emulator(cls, **options: Any) -> InProcessTarget:
        """A fresh reference emulator app (memory storage unless ``options`` say otherwise)."""
        from cogsync.targets.emulator_app import build_emulator_app

        target_options = {
            k: options.pop(k) for k in ("region", "credentials", "sign", "knows_bound_key") if k in options
        }
        plain = set(options) <= _PLAIN_EMULATOR_OPTIONS
        app, owner = build_emulator_app(**options)

        def rebuild() -> tuple[WsgiApp, Any]:
            return build_emulator_app(**{**options, "storage": reopened(owner.backend.storage)})

        target = cls(app, name="in-process", owner=owner, rebuild=rebuild, **target_options)
        target.embedded = plain
        return target

    @property
    def supports_restart(self) -> bool:
        return self.rebuild is not None

    def restart(self) -> None:
        """Kill and restart the app, in-process: build it again, as a fresh process would.

        The old app is dropped without running any shutdown code of its own (a killed
        process runs none); whatever it kept in memory only is gone. The emulator
        comes back over the same storage: memory storage empty, a SQLite file reopened.
        """
        if self.rebuild is None:
            raise CogsyncError(f"{self.name}: the app has no factory to rebuild it from.")
        self.app, self.owner = self.rebuild()

    @property
    def supports_reset(self) -> bool:
        return _reset_hook(self.owner, self.app) is not None

    def reset(self) -> None:
        """Forget all state of the app, if it can (the reference emulator can)."""
        hook = _reset_hook(self.owner, self.app)
        if hook is None:
            raise CogsyncError(f"{self.name}: the app has no reset(); start a new target instead.")
        hook()

    def _exchange(
        self,
        call: Call,
        method: str,
        target: str,
        headers: dict[str, str],
        body: bytes | None,
        started: float,
    ) -> Response:
        body = body or b""
        if self.credentials is not None:
            try:
                headers = signed_headers(
                    method,
                    f"http://{IN_PROCESS_HOST}{target}",
                    headers,
                    body,
                    credentials=self.credentials,
                    region=self.region,
                )
            except Exception as exc:
                return unanswered(call, f"{CLIENT_REFUSED}: {describe_exception(exc)}", started)
        try:
            check_header_values(headers)
        except UnsendableCall as exc:
            return unanswered(call, f"{CLIENT_REFUSED}: {exc}", started)
        if self.request_timeout() is None:
            return unanswered(call, DEADLINE_PASSED, started)
        environ = build_environ(method, target, headers, body)
        self._local.environ = environ
        try:
            status, answer_headers, answer_body = call_app(self.app, environ)
        except Exception as exc:  # a real server would answer 500
            return unanswered(
                call, f"server error: the WSGI app raised {describe_exception(exc)}", started, 500
            )
        return answered(call, status, lower_headers(answer_headers), answer_body, started)

    def probe(self) -> str | None:
        response = self.send(probe_call(self.region))
        if response.status is None or response.status >= 500:
            return f"{self.name} does not answer: {getattr(response.outcome, 'reason', '')}"
        return None

    def close(self) -> None:
        close = getattr(self.owner, "close", None)
        if callable(close):
            close()


def reopened(storage: Any) -> Any:
    """What a fresh process finds of ``storage``: the same SQLite file, or empty memory."""
    from cogsync.emulator.storage import SQLiteStorage

    if isinstance(storage, SQLiteStorage):
        return SQLiteStorage(storage.path)
    reopen = getattr(storage, "reopened", None)
    return reopen() if callable(reopen) else None


def _reset_hook(owner: Any, app: Any) -> Callable[[], Any] | None:
    for candidate in (owner, app, getattr(owner, "backend", None), getattr(app, "backend", None)):
        hook = getattr(candidate, "reset", None)
        if callable(hook):
            return hook  # type: ignore[no-any-return]
    return None
